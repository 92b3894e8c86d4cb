//! [`Ring`]: entries in a dense `Vec`, linked into one circle by `u32` indices, each with
//! one flag bit, and found by key through a [`SlotIndex`].

use alloc::vec::Vec;
use core::fmt;
use core::hash::Hash;
use core::iter::FusedIterator;

use crate::SlotIndex;

/// "No slot": the anchor of an empty ring.
pub const NIL: u32 = u32::MAX;

/// The most entries a [`Ring`] holds: links are 31 bits wide (the 32nd is the flag).
pub const MAX_LEN: usize = (FLAG - 1) as usize;

/// The top bit of `prev`: the flag.
const FLAG: u32 = 1 << 31;

/// Spare hash-table room kept for small rings, whatever their size: a hot table of a few
/// dozen entries would otherwise refill with tombstones within a few dozen evictions, and
/// every miss would probe further (see [`SlotIndex::insert`]).
const SMALL_FLOOR: usize = 4096;

/// One entry: the key, the value and 8 bytes of links and flag.
#[derive(Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    next: u32,
    /// `prev` link in the low 31 bits, the flag on top.
    prev: u32,
}

/// The entries of a cache whose policy is an order of its entries: slots `0..len` of a dense
/// `Vec` (no holes, no free list, no `Option` per slot), linked into one circle by `u32`
/// indices, and indexed by key hash in a [`SlotIndex`]. With `FLAGS = true` each entry also
/// has a flag bit (CLOCK's reference bit, SIEVE's visited bit), kept in the top bit of its
/// `prev` link; without, links are written without preserving it, which saves a load of
/// every neighbour whose link changes (LRU, FIFO).
///
/// The policy keeps its own anchors into the circle (LRU's head, CLOCK's hand, …) and moves
/// them: a circle makes "the slot after the last" the first one, so turning the circle by one
/// step (a FIFO eviction, an LRU eviction) writes no link. Methods that take a slot number
/// panic if it is not `< len`: that is a bug in the policy, not bad input.
///
/// ```
/// use evict_slots::ring::{Ring, NIL};
///
/// let hash = |k: &u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
/// let mut ring: Ring<u64, u64> = Ring::new();
/// let mut head = NIL;
/// for k in [1u64, 2, 3] {
///     let i = ring.insert_before(head, k, k * 10, hash(&k), 10, hash);
///     if head == NIL {
///         head = i;
///     }
/// }
/// let keys: Vec<u64> = ring.iter_from(head).map(|(k, _)| *k).collect();
/// assert_eq!(keys, [1, 2, 3]);
/// assert_eq!(ring.find(hash(&2), &2), Some(1));
/// ```
#[derive(Clone)]
pub struct Ring<K, V, const FLAGS: bool = false> {
    nodes: Vec<Node<K, V>>,
    index: SlotIndex,
}

impl<K, V, const FLAGS: bool> Default for Ring<K, V, FLAGS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V, const FLAGS: bool> Ring<K, V, FLAGS> {
    /// An empty ring; allocates nothing.
    pub const fn new() -> Self {
        Self {
            nodes: Vec::new(),
            index: SlotIndex::new(),
        }
    }

    /// Entries held.
    #[inline]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the ring holds no entry.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Slot `i`'s key.
    #[inline]
    pub fn key(&self, i: u32) -> &K {
        &self.nodes[i as usize].key
    }

    /// Slot `i`'s value.
    #[inline]
    pub fn value(&self, i: u32) -> &V {
        &self.nodes[i as usize].value
    }

    /// Slot `i`'s key and value, or `None` if there is no slot `i` (`NIL` included).
    #[inline]
    pub fn get(&self, i: u32) -> Option<(&K, &V)> {
        self.nodes.get(i as usize).map(|n| (&n.key, &n.value))
    }

    /// Slot `i`'s value, to change it.
    #[inline]
    pub fn value_mut(&mut self, i: u32) -> &mut V {
        &mut self.nodes[i as usize].value
    }

    /// The slot after `i` in the circle.
    #[inline]
    pub fn next(&self, i: u32) -> u32 {
        self.nodes[i as usize].next
    }

    /// The slot before `i` in the circle.
    #[inline]
    pub fn prev(&self, i: u32) -> u32 {
        let prev = self.nodes[i as usize].prev;
        if FLAGS { prev & !FLAG } else { prev }
    }

    /// Slot `i`'s flag (always clear without `FLAGS`).
    #[inline]
    pub fn flag(&self, i: u32) -> bool {
        FLAGS && self.nodes[i as usize].prev & FLAG != 0
    }

    /// Sets slot `i`'s flag. Writes only when it changes, so that a hot entry's cache line
    /// stays clean and hits cost no write-back traffic.
    ///
    /// # Panics
    ///
    /// Without `FLAGS`: there is no flag to set.
    #[inline]
    pub fn set_flag(&mut self, i: u32) {
        assert!(FLAGS, "a Ring without FLAGS has no flags");
        let node = &mut self.nodes[i as usize];
        if node.prev & FLAG == 0 {
            node.prev |= FLAG;
        }
    }

    /// Clears slot `i`'s flag and says whether it was set.
    #[inline]
    pub fn take_flag(&mut self, i: u32) -> bool {
        let node = &mut self.nodes[i as usize];
        let was = FLAGS && node.prev & FLAG != 0;
        if was {
            node.prev &= !FLAG;
        }
        was
    }

    #[inline]
    fn set_prev(&mut self, i: u32, prev: u32) {
        let node = &mut self.nodes[i as usize];
        node.prev = if FLAGS {
            (node.prev & FLAG) | prev
        } else {
            prev
        };
    }

    /// Links detached slot `i` in just before slot `at`, or, if `at` is `NIL`, makes it a
    /// circle of its own. Its flag is kept.
    #[inline]
    pub fn link_before(&mut self, at: u32, i: u32) {
        if at == NIL {
            self.nodes[i as usize].next = i;
            self.set_prev(i, i);
            return;
        }
        let before = self.prev(at);
        self.nodes[i as usize].next = at;
        self.set_prev(i, before);
        self.nodes[before as usize].next = i;
        self.set_prev(at, i);
    }

    /// Moves slot `i` to just before slot `at` (`i != at`, both in the circle): LRU's "make
    /// it the most recent" in one step, without the checks for an empty or one-entry ring.
    #[inline]
    pub fn move_before(&mut self, at: u32, i: u32) {
        let (prev, next) = (self.prev(i), self.nodes[i as usize].next);
        self.nodes[prev as usize].next = next;
        self.set_prev(next, prev);
        let before = self.prev(at);
        self.nodes[i as usize].next = at;
        self.set_prev(i, before);
        self.nodes[before as usize].next = i;
        self.set_prev(at, i);
    }

    /// Detaches slot `i` from the circle (its flag is kept) and returns the slot that
    /// followed it, or `NIL` if it was the only one.
    #[inline]
    pub fn unlink(&mut self, i: u32) -> u32 {
        let next = self.nodes[i as usize].next;
        if next == i {
            return NIL;
        }
        let prev = self.prev(i);
        self.nodes[prev as usize].next = next;
        self.set_prev(next, prev);
        next
    }

    /// Iterates over all entries along `next`, starting at slot `start` (an empty iterator
    /// if the ring is empty).
    pub fn iter_from(&self, start: u32) -> Iter<'_, K, V> {
        Iter {
            nodes: &self.nodes,
            at: start,
            left: self.nodes.len(),
            back: false,
        }
    }

    /// Iterates over all entries along `prev`, starting at slot `start`.
    pub fn iter_back_from(&self, start: u32) -> Iter<'_, K, V> {
        Iter {
            nodes: &self.nodes,
            at: start,
            left: self.nodes.len(),
            back: true,
        }
    }

    /// Drops every entry and gives the memory back.
    pub fn clear(&mut self) {
        self.nodes = Vec::new();
        self.index.reset();
    }

    /// The `Vec`'s allocated slots (for tests of "no allocation once full").
    #[doc(hidden)]
    pub fn slot_capacity(&self) -> usize {
        self.nodes.capacity()
    }

    /// The index (for tests of its size).
    #[doc(hidden)]
    pub fn index(&self) -> &SlotIndex {
        &self.index
    }
}

impl<K: Eq, V, const FLAGS: bool> Ring<K, V, FLAGS> {
    /// The slot of `key`, whose hash is `hash`.
    #[inline]
    pub fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let nodes = &self.nodes;
        self.index.find(hash, |i| nodes[i as usize].key == *key)
    }

    /// Adds `key` (hashing to `hash`, not yet in the ring) in a new slot `len`, linked in
    /// just before slot `at` (or as a circle of its own if `at` is `NIL`, see
    /// [`link_before`](Self::link_before)), and returns the slot. Its flag is clear.
    ///
    /// The `Vec` grows geometrically but never beyond `max_len` slots, so a full cache
    /// holds exactly its capacity, and the push that fills it gives the index its final
    /// spare room ([`SlotIndex::settle`]): a full cache never allocates again. `rehash` is
    /// the key hash function, for the index's rebuilds.
    #[inline]
    pub fn insert_before(
        &mut self,
        at: u32,
        key: K,
        value: V,
        hash: u64,
        max_len: usize,
        rehash: impl Fn(&K) -> u64,
    ) -> u32 {
        let i = self.nodes.len() as u32;
        if self.nodes.len() == self.nodes.capacity() {
            let room = max_len.min(MAX_LEN).saturating_sub(self.nodes.len());
            self.nodes
                .reserve_exact(self.nodes.len().max(4).min(room).max(1));
        }
        self.nodes.push(Node {
            key,
            value,
            next: i,
            prev: i,
        });
        self.reindex(hash, i, &rehash);
        if self.nodes.len() == max_len {
            let nodes = &self.nodes;
            self.index
                .settle(nodes.len(), SMALL_FLOOR, |j| rehash(&nodes[j as usize].key));
        }
        self.link_before(at, i);
        i
    }

    /// Puts `key` and `value` (hashing to `hash`, key not yet in the ring) in slot `i` in
    /// place of its entry, whose key hashes to `old_hash`, and returns the old pair. The
    /// links stay; the flag is cleared.
    #[inline]
    pub fn replace(
        &mut self,
        i: u32,
        key: K,
        value: V,
        hash: u64,
        old_hash: u64,
        rehash: impl Fn(&K) -> u64,
    ) -> (K, V) {
        self.index.remove(old_hash, i);
        let node = &mut self.nodes[i as usize];
        if FLAGS {
            node.prev &= !FLAG;
        }
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        self.reindex(hash, i, &rehash);
        (old_key, old_value)
    }

    /// Takes detached slot `i` (see [`unlink`](Self::unlink)), whose key hashes to `hash`,
    /// out of the ring and returns its pair. The last slot moves into its place, with its
    /// links and index entry: an anchor of the caller's that pointed to slot `len - 1` (the
    /// old `len - 1`, returned as `moved_from`) must now point to `i`.
    pub fn remove_detached(
        &mut self,
        i: u32,
        hash: u64,
        rehash: impl Fn(&K) -> u64,
    ) -> (K, V, u32) {
        self.index.remove(hash, i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            let (prev, next) = (self.prev(i), self.next(i));
            if next == last {
                // It is alone: a circle of one.
                self.nodes[i as usize].next = i;
                self.set_prev(i, i);
            } else {
                self.nodes[prev as usize].next = i;
                self.set_prev(next, i);
            }
            let moved_hash = rehash(&self.nodes[i as usize].key);
            self.index.repoint(moved_hash, last, i);
        }
        (node.key, node.value, last)
    }

    /// Takes slot `i`, whose key hashes to `hash`, out of the ring and returns its pair: it
    /// is unlinked, then the last slot moves into its place. `anchors` are the caller's
    /// pointers into the circle (a head, a hand): one on `i` moves on to the slot after it
    /// (`NIL` if none is left), one on the moved slot follows it.
    pub fn remove(
        &mut self,
        i: u32,
        hash: u64,
        anchors: &mut [&mut u32],
        rehash: impl Fn(&K) -> u64,
    ) -> (K, V) {
        let next = self.unlink(i);
        for anchor in anchors.iter_mut() {
            if **anchor == i {
                **anchor = next;
            }
        }
        let (key, value, moved_from) = self.remove_detached(i, hash, rehash);
        for anchor in anchors.iter_mut() {
            if **anchor == moved_from {
                **anchor = i;
            }
        }
        (key, value)
    }

    #[inline]
    fn reindex(&mut self, hash: u64, i: u32, rehash: &impl Fn(&K) -> u64) {
        let nodes = &self.nodes;
        self.index.insert(hash, i, nodes.len(), SMALL_FLOOR, |j| {
            rehash(&nodes[j as usize].key)
        });
    }

    /// Checks that the circle through `anchor` covers every slot once, that its links agree
    /// both ways, and that every key is found at its own slot (`hash` is the key hash
    /// function). Panics with what is wrong. For tests.
    #[doc(hidden)]
    pub fn check(&self, anchor: u32, hash: impl Fn(&K) -> u64)
    where
        K: Hash,
    {
        let n = self.nodes.len();
        assert_eq!(self.index.len(), n, "index and slots disagree on len");
        if n == 0 {
            assert_eq!(anchor, NIL, "an empty ring has an anchor");
            return;
        }
        assert!((anchor as usize) < n, "anchor {anchor} outside {n} slots");
        let mut seen = alloc::vec![false; n];
        let mut at = anchor;
        for step in 0..n {
            assert!((at as usize) < n, "link to slot {at} outside {n} slots");
            assert!(!seen[at as usize], "slot {at} visited twice");
            seen[at as usize] = true;
            let next = self.next(at);
            assert!((next as usize) < n, "next of slot {at} outside {n} slots");
            assert_eq!(self.prev(next), at, "broken prev link after slot {at}");
            assert_eq!(
                next == anchor,
                step == n - 1,
                "the circle closes at the wrong place (slot {at}, step {step})"
            );
            let key = &self.nodes[at as usize].key;
            assert_eq!(
                self.find(hash(key), key),
                Some(at),
                "slot {at} is not found by its key"
            );
            at = next;
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, const FLAGS: bool> fmt::Debug for Ring<K, V, FLAGS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.nodes.iter().map(|n| (&n.key, &n.value)))
            .finish()
    }
}

/// Iterator over a [`Ring`]'s entries in circle order from a starting slot; see
/// [`Ring::iter_from`]. The policy crates hand it out as their `iter()`.
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    at: u32,
    left: usize,
    back: bool,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let node = &self.nodes[self.at as usize];
        self.at = if self.back {
            node.prev & !FLAG
        } else {
            node.next
        };
        self.left -= 1;
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

impl<K, V> FusedIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.clone()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(k: &u32) -> u64 {
        u64::from(*k).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn keys<const F: bool>(ring: &Ring<u32, u32, F>, from: u32) -> Vec<u32> {
        ring.iter_from(from).map(|(k, _)| *k).collect()
    }

    /// A ring of keys `0..n` in slot order, anchored at slot 0.
    fn ring_of<const F: bool>(n: u32) -> Ring<u32, u32, F> {
        let mut ring = Ring::new();
        for k in 0..n {
            let at = if k == 0 { NIL } else { 0 };
            ring.insert_before(at, k, k, hash(&k), n as usize, hash);
        }
        ring.check(0, hash);
        ring
    }

    #[test]
    fn links_flags_and_iteration() {
        let mut ring = ring_of::<true>(4);
        assert_eq!(keys(&ring, 0), [0, 1, 2, 3]);
        assert_eq!(keys(&ring, 2), [2, 3, 0, 1]);
        let back: Vec<u32> = ring.iter_back_from(0).map(|(k, _)| *k).collect();
        assert_eq!(back, [0, 3, 2, 1]);
        ring.set_flag(1);
        assert!(ring.flag(1) && !ring.flag(2));
        // Moving a flagged slot keeps its flag, and the links stay clean of it.
        assert_eq!(ring.unlink(1), 2);
        ring.link_before(0, 1);
        ring.check(0, hash);
        assert_eq!(keys(&ring, 0), [0, 2, 3, 1]);
        assert!(ring.take_flag(1));
        assert!(!ring.take_flag(1));
        // move_before, flag kept.
        ring.set_flag(3);
        ring.move_before(0, 3);
        ring.check(3, hash);
        assert_eq!(keys(&ring, 3), [3, 0, 2, 1]);
        assert!(ring.flag(3));
    }

    #[test]
    fn without_flags_links_are_plain() {
        let mut ring = ring_of::<false>(3);
        assert!(!ring.flag(1) && !ring.take_flag(1));
        ring.move_before(0, 2);
        ring.check(2, hash);
        assert_eq!(keys(&ring, 2), [2, 0, 1]);
    }

    #[test]
    fn replace_keeps_the_place_and_clears_the_flag() {
        let mut ring = ring_of::<true>(3);
        ring.set_flag(1);
        assert_eq!(ring.replace(1, 7, 70, hash(&7), hash(&1), hash), (1, 1));
        ring.check(0, hash);
        assert_eq!(keys(&ring, 0), [0, 7, 2]);
        assert!(!ring.flag(1));
        assert_eq!(ring.find(hash(&1), &1), None);
        assert_eq!(ring.find(hash(&7), &7), Some(1));
    }

    #[test]
    fn remove_detached_moves_the_last_slot_in() {
        for n in 1..6u32 {
            for victim in 0..n {
                let mut ring = ring_of::<false>(n);
                let next = ring.unlink(victim);
                let anchor = if victim == 0 { next } else { 0 };
                let (k, v, moved_from) = ring.remove_detached(victim, hash(&victim), hash);
                assert_eq!((k, v, moved_from), (victim, victim, n - 1));
                let anchor = if anchor == moved_from { victim } else { anchor };
                ring.check(anchor, hash);
                let want: Vec<u32> = (0..n).filter(|&k| k != victim).collect();
                if n > 1 {
                    assert_eq!(keys(&ring, anchor), want, "n {n}, victim {victim}");
                }
            }
        }
    }

    #[test]
    fn a_node_is_key_value_and_two_links() {
        assert_eq!(core::mem::size_of::<Node<u64, u64>>(), 24);
    }

    #[test]
    fn growth_stops_at_max_len() {
        let mut ring: Ring<u32, u32> = Ring::new();
        for k in 0..10u32 {
            let at = if k == 0 { NIL } else { 0 };
            ring.insert_before(at, k, k, hash(&k), 10, hash);
        }
        assert_eq!(ring.slot_capacity(), 10);
        ring.clear();
        assert_eq!((ring.len(), ring.slot_capacity()), (0, 0));
    }
}
