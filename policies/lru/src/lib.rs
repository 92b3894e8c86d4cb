#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Put};
use evict_slots::ring::{self, NIL, Ring};

/// Iterator over an [`LruCache`]'s entries, most recently used first. See
/// [`LruCache::iter`].
pub type Iter<'a, K, V> = ring::Iter<'a, K, V>;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity an `LruCache` accepts: slots are addressed by 31-bit links. Larger
/// requests are clamped to this.
pub const MAX_CAPACITY: usize = ring::MAX_LEN;

/// A least-recently-used cache: when full, `put` evicts the entry that was read or written
/// longest ago. Python's `functools.lru_cache(maxsize=N)`.
///
/// Entries live in one dense `Vec` linked into a recency circle by `u32` indices; a
/// hashbrown `HashTable<u32>` maps keys to slots (an `evict_slots::Ring`). See the
/// [crate docs](crate) for costs.
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
    /// The entries, in a circle from the most to the least recently used.
    ring: Ring<K, V>,
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
            ring: Ring::new(),
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
        self.ring.iter_from(self.head)
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
        if self.head == NIL {
            return None;
        }
        self.ring.get(self.ring.prev(self.head))
    }

    /// Checks that the circle, the slots and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.ring.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        self.ring.check(self.head, |k| self.hasher.hash_one(k));
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
        if self.ring.prev(head) != i {
            self.ring.move_before(head, i);
        }
        self.head = i;
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
        match self.ring.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                self.touch(i);
                Some(self.ring.value(i))
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
        self.ring.find(hash, key).map(|i| self.ring.value(i))
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.ring.find(hash, &key) {
            self.touch(i);
            let old = core::mem::replace(self.ring.value_mut(i), value);
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let hasher = &self.hasher;
        let rehash = |k: &K| hasher.hash_one(k);
        if self.ring.len() < self.capacity as usize {
            self.head = self.ring.insert_before(
                self.head,
                key,
                value,
                hash,
                self.capacity as usize,
                rehash,
            );
            return Put::Inserted;
        }
        // Full: the least recently used slot takes the new pair in place, and turning the
        // circle one step makes it the most recently used: no link is written.
        let victim = self.ring.prev(self.head);
        let victim_hash = rehash(self.ring.key(victim));
        let (old_key, old_value) = self
            .ring
            .replace(victim, key, value, hash, victim_hash, rehash);
        self.head = victim;
        Put::Evicted(old_key, old_value)
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.ring.find(hash, key)?;
        let hasher = &self.hasher;
        let anchors = &mut [&mut self.head];
        Some(self.ring.remove(i, hash, anchors, |k| hasher.hash_one(k)).1)
    }

    #[inline]
    fn len(&self) -> usize {
        self.ring.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.ring.len())
    }

    /// Drops every entry, gives the memory back (as Python's `cache_clear()` does) and
    /// resets the counters.
    fn clear(&mut self) {
        self.ring.clear();
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
        // Tombstones left by evictions must not make a full cache grow its table: the put
        // that fills the cache gives the table its final spare room, and from then on the
        // sizes stay put.
        for capacity in [50usize, 80, 100, 1000] {
            let mut c = LruCache::new(capacity);
            let mut m = model::Lru::new(capacity);
            for k in 0..capacity as u64 {
                let _ = c.put(k, k);
                let _ = m.put(k, k);
            }
            // `HashTable::capacity` counts spare room net of tombstones; the allocation is
            // what must not grow.
            let sizes = (c.ring.slot_capacity(), c.ring.index().allocation_size());
            for k in capacity as u64..200_000 {
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
            assert_eq!(
                (c.ring.slot_capacity(), c.ring.index().allocation_size()),
                sizes
            );
            let ours: alloc::vec::Vec<_> = c.iter().map(|(k, _)| *k).collect();
            assert_eq!(ours.len(), capacity);
            assert!(ours.iter().all(|k| m.peek(k).is_some()));
        }
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: LruCache<u64, u64> = LruCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.ring.slot_capacity(), 0);
    }
}
