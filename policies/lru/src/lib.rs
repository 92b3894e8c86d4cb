#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Put};
use evict_slots::SlotIndex;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// "No slot": the head of an empty cache.
const NIL: u32 = u32::MAX;

/// The largest capacity an `LruCache` accepts: slots are addressed by `u32`, and `u32::MAX`
/// marks the end of the list. Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = (u32::MAX - 1) as usize;

/// One entry of the recency circle. `next` points towards less recently used entries, `prev`
/// towards more recently used ones; the least recently used entry's `next` is the most
/// recently used one.
#[derive(Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    prev: u32,
    next: u32,
}

/// A least-recently-used cache: when full, `put` evicts the entry that was read or written
/// longest ago. Python's `functools.lru_cache(maxsize=N)`.
///
/// Entries live in one dense `Vec` linked into a recency circle by `u32` indices; a
/// hashbrown `HashTable<u32>` maps keys to slots. See the [crate docs](crate) for costs.
///
/// # Examples
///
/// ```
/// use evict_lru::{Cache, LruCache, Put};
///
/// let mut cache = LruCache::new(2);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.put(2, "two"), Put::Inserted);
/// assert_eq!(cache.get(&1), Some(&"one")); // 1 is now the most recently used
/// assert_eq!(cache.put(3, "three"), Put::Evicted(2, "two"));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
/// ```
#[derive(Clone)]
pub struct LruCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live, so no free list and no `Option` per slot.
    /// `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// Most recently used slot, or `NIL` when empty. The circle closes behind it: its `prev`
    /// is the least recently used slot, the next victim.
    head: u32,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> LruCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]).
    /// Capacity 0 caches nothing, as Python's `lru_cache(maxsize=0)`.
    ///
    /// Memory is allocated as entries arrive, never more than `capacity` entries' worth.
    ///
    /// ```
    /// use evict_lru::{Cache, LruCache, Put};
    ///
    /// let mut none: LruCache<u8, u8> = LruCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> LruCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_lru::{Cache, DefaultHashBuilder, LruCache};
    ///
    /// let cache: LruCache<u64, u64> = LruCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            nodes: Vec::new(),
            table: SlotIndex::new(),
            head: NIL,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            hasher,
            stats: Stats::default(),
        }
    }

    /// Iterates over the entries from the most to the least recently used, without counting
    /// lookups or changing the order.
    ///
    /// ```
    /// use evict_lru::{Cache, LruCache};
    ///
    /// let mut cache = LruCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let _ = cache.get(&1);
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [1, 3, 2]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            nodes: &self.nodes,
            at: self.head,
            left: self.nodes.len(),
        }
    }

    /// The least recently used entry: the one the next `put` of a new key would evict.
    /// Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_lru::{Cache, LruCache};
    ///
    /// let mut cache = LruCache::new(2);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// assert_eq!(cache.peek_lru(), Some((&"a", &1)));
    /// ```
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        let head = self.nodes.get(self.head as usize)?;
        let node = &self.nodes[head.prev as usize];
        Some((&node.key, &node.value))
    }

    /// The least recently used slot, the next victim (the cache must not be empty).
    #[inline]
    fn tail(&self) -> u32 {
        self.nodes[self.head as usize].prev
    }

    /// Detaches slot `i` from the circle; it must not be the only entry.
    #[inline]
    fn unlink(&mut self, i: u32) {
        let Node { prev, next, .. } = self.nodes[i as usize];
        self.nodes[prev as usize].next = next;
        self.nodes[next as usize].prev = prev;
    }

    /// Links detached slot `i` in as the most recently used: between the least recently used
    /// slot and the old head.
    #[inline]
    fn push_front(&mut self, i: u32) {
        let head = self.head;
        if head == NIL {
            let node = &mut self.nodes[i as usize];
            node.prev = i;
            node.next = i;
        } else {
            let tail = self.nodes[head as usize].prev;
            {
                let node = &mut self.nodes[i as usize];
                node.prev = tail;
                node.next = head;
            }
            self.nodes[tail as usize].next = i;
            self.nodes[head as usize].prev = i;
        }
        self.head = i;
    }

    /// Checks that the list, the slots and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.nodes.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        if n == 0 {
            assert_eq!(self.head, NIL, "empty cache with a head");
            return;
        }
        assert!((self.head as usize) < n, "head {} out of bounds", self.head);
        let mut seen = alloc::vec![false; n];
        let mut at = self.head;
        for step in 0..n {
            let node = &self.nodes[at as usize];
            assert!(!seen[at as usize], "slot {at} visited twice");
            seen[at as usize] = true;
            assert!((node.next as usize) < n, "next of slot {at} out of bounds");
            assert_eq!(
                self.nodes[node.next as usize].prev, at,
                "broken prev link after slot {at}"
            );
            assert_eq!(
                node.next == self.head,
                step == n - 1,
                "circle closes at the wrong place (slot {at}, step {step})"
            );
            let hash = self.hasher.hash_one(&node.key);
            assert_eq!(
                self.table.find(hash, |i| i == at),
                Some(at),
                "slot {at} not reachable from the table"
            );
            at = node.next;
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let nodes = &self.nodes;
        self.table.find(hash, |i| nodes[i as usize].key == *key)
    }

    /// Makes `i` the most recently used. Nothing to write when it is already (common under
    /// skew); when it is the least recently used, turning the circle one step (moving the
    /// head back onto it) is all it takes.
    #[inline]
    fn touch(&mut self, i: u32) {
        let head = self.head;
        if head == i {
            return;
        }
        if self.nodes[head as usize].prev != i {
            self.unlink(i);
            self.push_front(i);
        } else {
            self.head = i;
        }
    }

    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), 4096, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// Takes slot `i` out: its links, its table entry, and its place in the dense `Vec`
    /// (filled by the last slot, whose links and table entry are repointed).
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        let next = self.nodes[i as usize].next;
        if next == i {
            self.head = NIL; // the only entry
        } else {
            self.unlink(i);
            if self.head == i {
                self.head = next;
            }
        }
        self.table.remove(hash, i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            // The node that was at `last` now lives at `i`.
            let Node { prev, next, .. } = self.nodes[i as usize];
            if prev == last {
                // It is the only entry left: a circle of one.
                let moved = &mut self.nodes[i as usize];
                moved.prev = i;
                moved.next = i;
            } else {
                self.nodes[prev as usize].next = i;
                self.nodes[next as usize].prev = i;
            }
            if self.head == last {
                self.head = i;
            }
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }
}

impl<K, V, S> Cache<K, V> for LruCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                self.touch(i);
                Some(&self.nodes[i as usize].value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.touch(i);
            let old = core::mem::replace(&mut self.nodes[i as usize].value, value);
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        if self.nodes.len() < self.capacity as usize {
            let i = self.nodes.len() as u32;
            if self.nodes.len() == self.nodes.capacity() {
                // Grow geometrically but never past the capacity: a full cache holds exactly
                // `capacity` slots and never allocates again.
                let room = self.capacity as usize - self.nodes.len();
                self.nodes.reserve_exact(self.nodes.len().max(4).min(room));
            }
            self.nodes.push(Node {
                key,
                value,
                prev: NIL,
                next: NIL,
            });
            self.push_front(i);
            self.index(hash, i);
            return Put::Inserted;
        }
        // Full: the least recently used slot takes the new pair in place, and turning the
        // circle one step makes it the most recently used: no link is written.
        let victim = self.tail();
        let victim_hash = self.hasher.hash_one(&self.nodes[victim as usize].key);
        self.table.remove(victim_hash, victim);
        let node = &mut self.nodes[victim as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        self.head = victim;
        self.index(hash, victim);
        Put::Evicted(old_key, old_value)
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        Some(self.remove_slot(i, hash).1)
    }

    #[inline]
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.nodes.len())
    }

    /// Drops every entry, gives the memory back (as Python's `cache_clear()` does) and
    /// resets the counters.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.head = NIL;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for LruCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("LruCache")
            .field("capacity", &self.capacity)
            .field("most_recent_first", &Entries(self.iter()))
            .field("stats", &self.stats)
            .finish()
    }
}

/// Iterator over an [`LruCache`]'s entries, most recently used first. See
/// [`LruCache::iter`].
#[derive(Debug)]
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    at: u32,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let node = &self.nodes[self.at as usize];
        self.at = node.next;
        self.left -= 1;
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Node<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.key, self.value)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        LruCache::new,
        model = model::Lru::new,
        validate = |c: &LruCache<u8, u16>| c.check_invariants()
    );

    #[test]
    fn remove_keeps_slots_dense_and_order_intact() {
        let mut c = LruCache::new(4);
        for k in 0..4u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.remove(&0), Some(0)); // slot 0 refilled by the last slot
        c.check_invariants();
        let order: alloc::vec::Vec<_> = c.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, [3, 2, 1]);
        assert_eq!(c.put(9, 9), Put::Inserted);
        assert_eq!(c.put(10, 10), Put::Evicted(1, 1));
        c.check_invariants();
    }

    #[test]
    fn table_does_not_grow_under_churn() {
        // Tombstones left by evictions must not make a full cache double its table again and
        // again: after at most one growth to a quarter of spare room, sizes stay put.
        for capacity in [50usize, 80, 100, 1000] {
            let mut c = LruCache::new(capacity);
            let mut m = model::Lru::new(capacity);
            for k in 0..capacity as u64 {
                let _ = c.put(k, k);
                let _ = m.put(k, k);
            }
            // `HashTable::capacity` counts spare room net of tombstones; the allocation is
            // what must not grow.
            let mut sizes = (c.nodes.capacity(), c.table.allocation_size());
            for k in capacity as u64..200_000 {
                if k == 20_000 {
                    sizes = (c.nodes.capacity(), c.table.allocation_size());
                }
                // Mostly new keys (evictions), some hits, as a real workload mixes them.
                let key = if k % 7 == 0 { k - 3 } else { k };
                let hit = c.get(&key).copied();
                assert_eq!(hit, m.get(&key).copied(), "capacity {capacity}");
                if hit.is_none() {
                    assert_eq!(c.put(key, key), m.put(key, key), "capacity {capacity}");
                }
                if k % 50_000 == 0 {
                    c.check_invariants();
                }
            }
            c.check_invariants();
            assert_eq!((c.nodes.capacity(), c.table.allocation_size()), sizes);
            let ours: alloc::vec::Vec<_> = c.iter().map(|(k, _)| *k).collect();
            assert_eq!(ours.len(), capacity);
            assert!(ours.iter().all(|k| m.peek(k).is_some()));
        }
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: LruCache<u64, u64> = LruCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.nodes.capacity(), 0);
    }
}
