//! Ghost lists in weight: the keys a weighted cache recently evicted, each with the weight
//! its entry had, for the policies whose reference sizes their ghosts in bytes (libCacheSim's
//! ARC keeps `B1` and `B2` in bytes, its S3-FIFO a ghost FIFO of 90% of the cache's bytes).
//!
//! [`ghost::Ghost`](crate::ghost::Ghost) keeps bare fingerprints in a ring, about 12 bytes a
//! ghost, but cannot say how heavy the ghost that a pop or a lookup takes out was. Here each
//! ghost is a node of a small slab (its key's 64-bit hash, its weight, two links and its
//! list), linked into one of `LISTS` lists from oldest to newest, with a hashbrown
//! `HashTable<u32>` from hashes to nodes; freed nodes are reused. A ghost matches a key when
//! the 64-bit hashes agree (a collision of two keys' hashes is a harmless misprediction,
//! never a wrong value). Every operation is O(1); each list knows its length and its total
//! weight.
//!
//! **Bounds.** The caller bounds the lists by weight (its policy's rules), as libCacheSim
//! bounds its ghosts by bytes only; the ghost bounds the number of ghosts of weight 0 by a
//! cap, so that entries of weight 0 cannot make it grow without end: a
//! [`push`](WeightedGhost::push) of one more ghost of weight 0 when the cap is reached
//! forgets the oldest ghosts of the list pushed to (or of another list, if that one is
//! empty) until one of weight 0 has left. Ghosts of positive weight are not counted: when
//! they are much lighter than the cached entries, there are many more of them than entries.
//! The cap is what the caller sets ([`raise_cap`](WeightedGhost::raise_cap)), 8 at first.
//! **Memory**: 24 bytes a node plus
//! the table (kept at least twice the nodes' capacity, so that hashbrown clears the
//! tombstones removals leave by rehashing in place instead of growing); both grow by doubling
//! to their high-water mark and then stay, so a ghost whose number has stopped growing
//! allocates nothing.
//!
//! ```
//! use evict_slots::wghost::WeightedGhost;
//!
//! let mut g = WeightedGhost::<2>::new();
//! g.raise_cap(100);
//! g.push(0xA1, 30, 0);
//! g.push(0xB2, 50, 1);
//! g.push(0xC3, 20, 0);
//! assert_eq!((g.len(0), g.weight(0), g.weight(1)), (2, 50, 50));
//! assert_eq!(g.take(0xB2), Some((1, 50))); // a ghost of list 1, of weight 50, now forgotten
//! assert_eq!(g.take(0xB2), None);
//! assert!(g.pop_oldest(0)); // 0xA1, the oldest of list 0
//! assert_eq!((g.len(0), g.weight(0)), (1, 20));
//! ```

use alloc::vec::Vec;
use hashbrown::HashTable;

/// "No node".
const NONE: u32 = u32::MAX;

/// One ghost: its key's hash, its weight, its list and its neighbours (`newer`, `older`).
#[derive(Clone, Copy, Debug)]
struct Node {
    hash: u64,
    weight: u64,
    newer: u32,
    older: u32,
    list: u32,
}

/// A ghost [`WeightedGhost::find`] matched, to pass back to
/// [`list_of`](WeightedGhost::list_of), [`weight_of`](WeightedGhost::weight_of) and
/// [`remove`](WeightedGhost::remove) before the ghost changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit(u32);

/// `LISTS` ghost lists, each ghost with its weight: see the [module docs](self).
#[derive(Clone, Debug)]
pub struct WeightedGhost<const LISTS: usize> {
    nodes: Vec<Node>,
    free: u32,
    table: HashTable<u32>,
    newest: [u32; LISTS],
    oldest: [u32; LISTS],
    len: [usize; LISTS],
    /// Each list's total weight, exact: wider than a weight, so that no sum can overflow.
    weight: [u128; LISTS],
    /// The most ghosts of weight 0 kept at once.
    cap: usize,
    /// The ghosts of weight 0 now.
    zeros: usize,
}

impl<const LISTS: usize> Default for WeightedGhost<LISTS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const LISTS: usize> WeightedGhost<LISTS> {
    /// No ghost, a cap of 8; allocates nothing.
    pub fn new() -> Self {
        Self {
            nodes: Vec::new(),
            free: NONE,
            table: HashTable::new(),
            newest: [NONE; LISTS],
            oldest: [NONE; LISTS],
            len: [0; LISTS],
            weight: [0; LISTS],
            cap: 8,
            zeros: 0,
        }
    }

    /// Ghosts on `list`.
    #[inline]
    pub fn len(&self, list: usize) -> usize {
        self.len[list]
    }

    /// Ghosts on all lists.
    #[inline]
    pub fn live(&self) -> usize {
        self.len.iter().sum()
    }

    /// Whether there is no ghost.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.live() == 0
    }

    /// The total weight of the ghosts on `list` (`u64::MAX` if it is more).
    #[inline]
    pub fn weight(&self, list: usize) -> u64 {
        u64::try_from(self.weight[list]).unwrap_or(u64::MAX)
    }

    /// The most ghosts of weight 0 kept at once.
    #[inline]
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Raises the cap on the number of ghosts of weight 0 to `cap` if that is more (it never
    /// falls).
    #[inline]
    pub fn raise_cap(&mut self, cap: usize) {
        self.cap = self.cap.max(cap);
    }

    /// The ghost whose hash is `hash`, if any.
    #[inline]
    pub fn find(&self, hash: u64) -> Option<Hit> {
        let nodes = &self.nodes;
        self.table
            .find(hash, |&i| nodes[i as usize].hash == hash)
            .map(|&i| Hit(i))
    }

    /// The list of a ghost [`find`](Self::find) returned.
    #[inline]
    pub fn list_of(&self, hit: Hit) -> usize {
        self.nodes[hit.0 as usize].list as usize
    }

    /// The weight of a ghost [`find`](Self::find) returned.
    #[inline]
    pub fn weight_of(&self, hit: Hit) -> u64 {
        self.nodes[hit.0 as usize].weight
    }

    /// Forgets a ghost [`find`](Self::find) returned.
    pub fn remove(&mut self, hit: Hit) {
        let i = hit.0;
        let hash = self.nodes[i as usize].hash;
        if let Ok(entry) = self.table.find_entry(hash, |&j| j == i) {
            let _ = entry.remove();
        }
        self.unlink(i);
        self.nodes[i as usize].older = self.free;
        self.free = i;
    }

    /// [`find`](Self::find) then [`remove`](Self::remove): forgets the ghost of `hash` and
    /// says which list held it and how heavy it was, if there was one.
    #[inline]
    pub fn take(&mut self, hash: u64) -> Option<(usize, u64)> {
        let hit = self.find(hash)?;
        let found = (self.list_of(hit), self.weight_of(hit));
        self.remove(hit);
        Some(found)
    }

    /// Adds `hash`, of weight `weight`, as the newest ghost of `list` (nothing is looked
    /// up: the caller may [`find`](Self::find) first). If `weight` is 0 and
    /// [`cap`](Self::cap) ghosts of weight 0 are kept already, the oldest ghosts of `list`
    /// (or, once it has none, of the first list that has one) are forgotten first, until
    /// one of weight 0 has been.
    pub fn push(&mut self, hash: u64, weight: u64, list: usize) {
        if weight == 0 {
            while self.zeros >= self.cap {
                let other = (0..LISTS).find(|&l| self.len[l] > 0);
                if !self.pop_oldest(list) {
                    match other {
                        Some(l) => {
                            self.pop_oldest(l);
                        }
                        None => break,
                    }
                }
            }
            self.zeros += 1;
        }
        let node = Node {
            hash,
            weight,
            newer: NONE,
            older: self.newest[list],
            list: list as u32,
        };
        let i = if self.free == NONE {
            if self.nodes.len() == self.nodes.capacity() {
                self.grow();
            }
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        } else {
            let i = self.free;
            self.free = self.nodes[i as usize].older;
            self.nodes[i as usize] = node;
            i
        };
        match self.newest[list] {
            NONE => self.oldest[list] = i,
            n => self.nodes[n as usize].newer = i,
        }
        self.newest[list] = i;
        self.len[list] += 1;
        self.weight[list] += u128::from(weight);
        let nodes = &self.nodes;
        self.table
            .insert_unique(hash, i, |&j| nodes[j as usize].hash);
    }

    /// Doubles the nodes' capacity and keeps the table at least
    /// twice as large: hashbrown then clears the tombstones of removals by rehashing in
    /// place (which it does while at most half full) rather than by allocating.
    #[cold]
    fn grow(&mut self) {
        let len = self.nodes.len();
        let more = len.max(4);
        self.nodes.reserve_exact(more);
        let room = self.nodes.capacity() * 2;
        let nodes = &self.nodes;
        self.table
            .reserve(room - self.table.len(), |&j| nodes[j as usize].hash);
    }

    /// Takes the memory for `n` ghosts now (nodes, and a table twice that), if it has less:
    /// a cache calls it when it starts evicting, so that its ghosts fill up to about `n`
    /// without allocating or rehashing on the way.
    #[cold]
    pub fn reserve(&mut self, n: usize) {
        if self.nodes.capacity() < n {
            self.nodes.reserve_exact(n - self.nodes.len());
        }
        let room = self.nodes.capacity() * 2;
        if self.table.capacity() < room {
            let nodes = &self.nodes;
            self.table
                .reserve(room - self.table.len(), |&j| nodes[j as usize].hash);
        }
    }

    /// Forgets the oldest ghost of `list`; whether there was one.
    pub fn pop_oldest(&mut self, list: usize) -> bool {
        match self.oldest[list] {
            NONE => false,
            i => {
                self.remove(Hit(i));
                true
            }
        }
    }

    /// Takes node `i` off its list.
    fn unlink(&mut self, i: u32) {
        let node = self.nodes[i as usize];
        let list = node.list as usize;
        match node.newer {
            NONE => self.newest[list] = node.older,
            n => self.nodes[n as usize].older = node.older,
        }
        match node.older {
            NONE => self.oldest[list] = node.newer,
            o => self.nodes[o as usize].newer = node.newer,
        }
        self.len[list] -= 1;
        self.weight[list] -= u128::from(node.weight);
        self.zeros -= usize::from(node.weight == 0);
    }

    /// Forgets every ghost and gives the memory back; the cap stays.
    pub fn clear(&mut self) {
        let cap = self.cap;
        *self = Self::new();
        self.cap = cap;
    }

    /// Checks the lists, the weights, the free list and the table against each other.
    ///
    /// # Panics
    ///
    /// If they disagree, or there are more ghosts of weight 0 than the cap (for tests).
    pub fn check(&self) {
        let (mut seen, mut zeros) = (0, 0);
        for list in 0..LISTS {
            let (mut at, mut newer, mut n, mut w) = (self.newest[list], NONE, 0, 0u128);
            while at != NONE {
                let node = self.nodes[at as usize];
                assert_eq!(node.list as usize, list, "ghost {at} on the wrong list");
                assert_eq!(node.newer, newer, "broken ghost link at {at}");
                assert!(
                    self.find(node.hash).is_some(),
                    "ghost {at} not in the table"
                );
                n += 1;
                w += u128::from(node.weight);
                zeros += usize::from(node.weight == 0);
                newer = at;
                at = node.older;
                assert!(n <= self.nodes.len(), "cycle in ghost list {list}");
            }
            assert_eq!(self.oldest[list], newer, "oldest ghost of list {list}");
            assert_eq!(self.len[list], n, "ghost count of list {list}");
            assert_eq!(self.weight[list], w, "ghost weight of list {list}");
            seen += n;
        }
        assert_eq!(self.table.len(), seen, "ghost table and lists disagree");
        assert_eq!(self.zeros, zeros, "ghosts of weight 0");
        assert!(
            zeros <= self.cap,
            "{zeros} ghosts of weight 0 over the cap {}",
            self.cap
        );
    }
}

#[cfg(test)]
mod tests {
    use super::WeightedGhost;

    #[test]
    fn fifo_order_weights_and_cap() {
        // The cap starts at 8 (raising it to less changes nothing).
        let mut g = WeightedGhost::<1>::new();
        g.raise_cap(3);
        assert_eq!(g.cap(), 8);
        for h in 1..=9u64 {
            g.push(h, h * 10, 0);
        }
        // Ghosts of positive weight are not counted: all 9 stay.
        assert_eq!((g.len(0), g.weight(0)), (9, 450));
        assert_eq!(g.take(3), Some((0, 30)));
        assert!(g.pop_oldest(0)); // 1
        assert_eq!(g.take(9), Some((0, 90)));
        assert_eq!((g.len(0), g.weight(0)), (6, 20 + 40 + 50 + 60 + 70 + 80));
        g.check();
        // Ghosts of weight 0: at most 8; a ninth makes the oldest ghosts leave, whatever
        // their weight, until one of weight 0 has.
        for h in 100..108u64 {
            g.push(h, 0, 0);
        }
        assert_eq!(g.len(0), 14);
        g.push(108, 0, 0);
        assert_eq!(g.find(2), None);
        assert_eq!(g.find(100), None);
        assert!(g.find(101).is_some());
        assert_eq!((g.len(0), g.weight(0)), (8, 0));
        g.check();
        // Freed nodes are reused: no growth past the high-water mark.
        let capacity = g.nodes.capacity();
        for round in 0..100u64 {
            g.push(1000 + round, round % 3, 0);
            if g.live() > 10 {
                g.pop_oldest(0);
            }
        }
        assert_eq!(g.nodes.capacity(), capacity);
        g.check();
    }

    #[test]
    fn weights_near_u64_max_do_not_overflow() {
        // A list may hold more than u64::MAX of weight (a caller bounding it by a capacity
        // near u64::MAX): its total saturates in `weight` and stays exact inside.
        let mut g = WeightedGhost::<2>::new();
        for h in 0..4u64 {
            g.push(h, u64::MAX / 3, 0);
        }
        assert_eq!(g.weight(0), u64::MAX);
        assert!(g.pop_oldest(0));
        assert!(g.pop_oldest(0));
        assert_eq!(g.weight(0), u64::MAX / 3 * 2);
        g.check();
    }
}
