//! The ghost lists `B1` and `B2` of a weighted cache: each ghost with its weight, so that
//! the lists can be sized in weight as libCacheSim's `ARC.c` sizes them in bytes.
//!
//! The unweighted cache's ghosts ([`crate::ghost`]) are bare fingerprints in a shared ring,
//! which cannot say how heavy the ghost that a pop or a ghost hit takes out was. Here every
//! ghost is a node of a slab (its key's 64-bit hash, its weight, two links and its list),
//! linked into one of two LRU lists, with a hashbrown `HashTable<u32>` from hashes to
//! nodes; freed nodes are kept on a free list and reused. A ghost matches a key when the
//! 64-bit hashes agree (as the unweighted cache's fingerprints, a harmless misprediction on
//! a collision, never a wrong value).
//!
//! The number of ghosts is bounded by weight (the policy's rules), and, so that entries of
//! weight 0 cannot make it grow without end, by [`WeightedGhosts::cap`]: twice the most
//! entries the cache has held, plus 8. Memory grows with the ghosts (the node vector
//! doubles, the table is kept at least twice as large as the nodes so that its tombstones
//! are cleared by rehashing in place) up to its high-water mark, and then stays.

use alloc::vec::Vec;
use hashbrown::HashTable;

use crate::ghost::{B1, B2};

/// "No node".
const NONE: u32 = u32::MAX;

/// One ghost: its key's hash, its weight, its list and its neighbours (towards the most
/// recent end: `prev`; towards the least recent: `next`).
#[derive(Clone, Copy, Debug)]
struct GhostNode {
    hash: u64,
    weight: u64,
    prev: u32,
    next: u32,
    list: u8,
}

/// A ghost [`WeightedGhosts::find`] matched.
pub(crate) type WeightedHit = u32;

/// `B1` and `B2` with each ghost's weight: see the module docs.
#[derive(Clone, Debug, Default)]
pub(crate) struct WeightedGhosts {
    nodes: Vec<GhostNode>,
    free: u32,
    table: HashTable<u32>,
    head: [u32; 2],
    tail: [u32; 2],
    len: [usize; 2],
    weight: [u64; 2],
    /// The most ghosts held at once (see [`cap`](Self::cap)).
    cap: usize,
}

impl WeightedGhosts {
    /// No ghost; allocates nothing.
    pub(crate) fn new() -> Self {
        Self {
            nodes: Vec::new(),
            free: NONE,
            table: HashTable::new(),
            head: [NONE; 2],
            tail: [NONE; 2],
            len: [0; 2],
            weight: [0; 2],
            cap: 8,
        }
    }

    /// Ghosts on `list`.
    #[inline]
    pub(crate) fn len(&self, list: usize) -> usize {
        self.len[list]
    }

    /// The total weight of the ghosts on `list`.
    #[inline]
    pub(crate) fn weight(&self, list: usize) -> u64 {
        self.weight[list]
    }

    /// The most ghosts kept at once.
    #[cfg(test)]
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// Raises the bound on the number of ghosts to `2 × entries + 8` if that is more:
    /// called with the number of entries the cache holds as it grows.
    #[inline]
    pub(crate) fn fit_cap(&mut self, entries: usize) {
        let cap = entries.saturating_mul(2).saturating_add(8);
        if cap > self.cap {
            self.cap = cap;
        }
    }

    /// The ghost whose hash is `hash`, if any.
    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<WeightedHit> {
        let nodes = &self.nodes;
        self.table
            .find(hash, |&i| nodes[i as usize].hash == hash)
            .copied()
    }

    /// The list (`B1` or `B2`) of a ghost `find` returned.
    #[inline]
    pub(crate) fn list_of(&self, hit: WeightedHit) -> usize {
        usize::from(self.nodes[hit as usize].list)
    }

    /// Forgets a ghost `find` returned (a ghost hit).
    pub(crate) fn remove(&mut self, hit: WeightedHit) {
        let node = self.nodes[hit as usize];
        if let Ok(entry) = self.table.find_entry(node.hash, |&i| i == hit) {
            let _ = entry.remove();
        }
        self.unlink(hit);
        self.nodes[hit as usize].next = self.free;
        self.free = hit;
    }

    /// Adds `hash`, of weight `weight`, as the most recent ghost of `list`; if that would
    /// make more than [`cap`](Self::cap) ghosts, `list`'s least recent ghost (or, if it has
    /// none, the other list's) is forgotten first.
    pub(crate) fn push(&mut self, hash: u64, weight: u64, list: usize) {
        if self.len[B1] + self.len[B2] >= self.cap && !self.pop_lru(list) {
            self.pop_lru(1 - list);
        }
        let node = GhostNode {
            hash,
            weight,
            prev: NONE,
            next: self.head[list],
            list: list as u8,
        };
        let i = if self.free == NONE {
            if self.nodes.len() == self.nodes.capacity() {
                self.grow();
            }
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        } else {
            let i = self.free;
            self.free = self.nodes[i as usize].next;
            self.nodes[i as usize] = node;
            i
        };
        match self.head[list] {
            NONE => self.tail[list] = i,
            h => self.nodes[h as usize].prev = i,
        }
        self.head[list] = i;
        self.len[list] += 1;
        self.weight[list] += weight;
        let nodes = &self.nodes;
        self.table
            .insert_unique(hash, i, |&j| nodes[j as usize].hash);
    }

    /// Doubles the node vector (up to the cap) and keeps the table at least twice its
    /// size: hashbrown then clears the tombstones that removals leave by rehashing in place
    /// (it does so while it is at most half full) instead of allocating a larger table.
    #[cold]
    fn grow(&mut self) {
        let len = self.nodes.len();
        let want = len.max(4).min(self.cap.saturating_sub(len).max(1));
        self.nodes.reserve_exact(want);
        let room = self.nodes.capacity() * 2;
        let nodes = &self.nodes;
        self.table
            .reserve(room - self.table.len(), |&j| nodes[j as usize].hash);
    }

    /// Forgets the least recent ghost of `list`; whether there was one.
    pub(crate) fn pop_lru(&mut self, list: usize) -> bool {
        let t = self.tail[list];
        if t == NONE {
            return false;
        }
        self.remove(t);
        true
    }

    /// Takes node `i` off its list.
    fn unlink(&mut self, i: u32) {
        let node = self.nodes[i as usize];
        let list = usize::from(node.list);
        match node.prev {
            NONE => self.head[list] = node.next,
            p => self.nodes[p as usize].next = node.next,
        }
        match node.next {
            NONE => self.tail[list] = node.prev,
            n => self.nodes[n as usize].prev = node.prev,
        }
        self.len[list] -= 1;
        self.weight[list] -= node.weight;
    }

    /// Forgets every ghost and gives the memory back (the cap stays).
    pub(crate) fn clear(&mut self) {
        let cap = self.cap;
        *self = Self::new();
        self.cap = cap;
    }

    /// Checks the lists, the weights, the free list and the table against each other. For
    /// tests.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        let mut seen = 0;
        for list in [B1, B2] {
            let (mut at, mut prev, mut n, mut w) = (self.head[list], NONE, 0, 0);
            while at != NONE {
                let node = self.nodes[at as usize];
                assert_eq!(usize::from(node.list), list, "ghost {at} on the wrong list");
                assert_eq!(node.prev, prev, "broken ghost link at {at}");
                assert_eq!(
                    self.find(node.hash).map(|h| self.nodes[h as usize].hash),
                    Some(node.hash)
                );
                n += 1;
                w += node.weight;
                prev = at;
                at = node.next;
                assert!(n <= self.nodes.len(), "cycle in ghost list {list}");
            }
            assert_eq!(self.tail[list], prev, "ghost tail of {list}");
            assert_eq!(self.len[list], n, "ghost len of {list}");
            assert_eq!(self.weight[list], w, "ghost weight of {list}");
            seen += n;
        }
        assert_eq!(self.table.len(), seen, "ghost table and lists disagree");
        assert!(seen <= self.cap, "{seen} ghosts > cap {}", self.cap);
    }
}
