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

/// Iterator over a [`FifoCache`]'s entries, oldest insertion first. See [`FifoCache::iter`].
pub type Iter<'a, K, V> = ring::Iter<'a, K, V>;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity a `FifoCache` accepts: slots are addressed by 31-bit links. Larger
/// requests are clamped to this.
pub const MAX_CAPACITY: usize = ring::MAX_LEN;

/// A first-in-first-out cache: when full, `put` of a new key evicts the entry that was
/// inserted longest ago. Lookups do not change the order, and replacing the value of a cached
/// key keeps its place.
///
/// Entries live in one dense `Vec`, linked into a circle in insertion order by `u32`
/// indices; a hashbrown `HashTable<u32>` maps keys to slots (an `evict_slots::Ring`). See
/// the [crate docs](crate) for costs.
///
/// # Examples
///
/// ```
/// use evict_fifo::{Cache, FifoCache, Put};
///
/// let mut cache = FifoCache::new(2);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.put(2, "two"), Put::Inserted);
/// assert_eq!(cache.get(&1), Some(&"one")); // a hit does not save 1
/// assert_eq!(cache.put(3, "three"), Put::Evicted(1, "one"));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
/// ```
#[derive(Clone)]
pub struct FifoCache<K, V, S = DefaultHashBuilder> {
    /// The entries, in a circle from the oldest to the newest.
    ring: Ring<K, V>,
    /// Oldest slot (the next victim), or `NIL` when empty. The newest is just before it.
    head: u32,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> FifoCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]).
    /// Capacity 0 caches nothing: every `put` returns [`Put::Rejected`].
    ///
    /// Memory is allocated as entries arrive, never more than `capacity` entries' worth.
    ///
    /// ```
    /// use evict_fifo::{Cache, FifoCache, Put};
    ///
    /// let mut none: FifoCache<u8, u8> = FifoCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> FifoCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_fifo::{Cache, DefaultHashBuilder, FifoCache};
    ///
    /// let cache: FifoCache<u64, u64> = FifoCache::with_hasher(100, DefaultHashBuilder::default());
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

    /// Iterates over the entries from the oldest insertion (the next victim) to the newest,
    /// without counting lookups.
    ///
    /// ```
    /// use evict_fifo::{Cache, FifoCache};
    ///
    /// let mut cache = FifoCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let _ = cache.get(&1);
    /// let _ = cache.put(2, 21); // replacing keeps the place
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [1, 2, 3]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.ring.iter_from(self.head)
    }

    /// The oldest entry: the one the next `put` of a new key into a full cache would evict.
    /// Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_fifo::{Cache, FifoCache};
    ///
    /// let mut cache = FifoCache::new(2);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.peek_oldest(), Some((&"a", &1)));
    /// ```
    pub fn peek_oldest(&self) -> Option<(&K, &V)> {
        self.ring.get(self.head)
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
}

impl<K, V, S> Cache<K, V> for FifoCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// Looks `key` up and counts a hit or a miss; the insertion order does not change.
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        let found = self.ring.find(hash, key);
        self.stats.record(found.is_some());
        found.map(|i| self.ring.value(i))
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        self.ring.find(hash, key).map(|i| self.ring.value(i))
    }

    /// Inserts `key` as the newest entry, evicting the oldest when full; a `put` of a cached
    /// key replaces its value and keeps its place in the order.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.ring.find(hash, &key) {
            let old = core::mem::replace(self.ring.value_mut(i), value);
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let hasher = &self.hasher;
        let rehash = |k: &K| hasher.hash_one(k);
        if self.ring.len() < self.capacity as usize {
            // The newest goes just before the oldest.
            let i = self.ring.insert_before(
                self.head,
                key,
                value,
                hash,
                self.capacity as usize,
                rehash,
            );
            if self.head == NIL {
                self.head = i;
            }
            return Put::Inserted;
        }
        // Full: the oldest slot takes the new pair in place. The list is a circle, so moving
        // the head one step makes that slot the newest: no link is written.
        let victim = self.head;
        let victim_hash = rehash(self.ring.key(victim));
        let (old_key, old_value) = self
            .ring
            .replace(victim, key, value, hash, victim_hash, rehash);
        self.head = self.ring.next(victim);
        Put::Evicted(old_key, old_value)
    }

    /// Removes `key` and returns its value; the others keep their order. No trace of the key
    /// is kept.
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

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for FifoCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("FifoCache")
            .field("capacity", &self.capacity)
            .field("oldest_first", &Entries(self.iter()))
            .field("stats", &self.stats)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::vec::Vec;
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        FifoCache::new,
        model = model::Fifo::new,
        validate = |c: &FifoCache<u8, u16>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &FifoCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn evicts_in_insertion_order_whatever_the_hits() {
        let mut c = FifoCache::new(3);
        for k in 0..3u32 {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        for _ in 0..5 {
            assert_eq!(c.get(&0), Some(&0));
        }
        assert_eq!(c.put(0, 100), Put::Replaced(0)); // keeps its place
        assert_eq!(c.put(3, 3), Put::Evicted(0, 100));
        assert_eq!(c.put(4, 4), Put::Evicted(1, 1));
        assert_eq!(keys(&c), [2, 3, 4]);
        c.check_invariants();
    }

    #[test]
    fn remove_keeps_slots_dense_and_order_intact() {
        let mut c = FifoCache::new(4);
        for k in 0..4u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.remove(&0), Some(0)); // the oldest; slot 0 refilled by the last slot
        c.check_invariants();
        assert_eq!(keys(&c), [1, 2, 3]);
        assert_eq!(c.remove(&2), Some(2)); // from the middle
        c.check_invariants();
        assert_eq!(keys(&c), [1, 3]);
        assert_eq!(c.put(9, 9), Put::Inserted);
        assert_eq!(c.put(10, 10), Put::Inserted);
        assert_eq!(c.put(11, 11), Put::Evicted(1, 1));
        assert_eq!(keys(&c), [3, 9, 10, 11]);
        c.check_invariants();
        for k in [9, 3, 11, 10] {
            assert_eq!(c.remove(&k), Some(k));
            c.check_invariants();
        }
        assert!(c.is_empty());
        assert_eq!(c.peek_oldest(), None);
    }

    /// Fills a cache of `cap`, then runs `rounds` rounds of evictions and of remove-and-put,
    /// and returns the slot capacity and the table's allocation after each round.
    fn churn(cap: usize, rounds: usize) -> Vec<(usize, usize)> {
        let mut c = FifoCache::new(cap);
        let n = cap as u64;
        for k in 0..n {
            let _ = c.put(k, k);
        }
        let mut sizes = Vec::new();
        let mut k = n;
        for _ in 0..rounds {
            for _ in 0..20 * n {
                assert_eq!(c.put(k, k), Put::Evicted(k - n, k - n));
                k += 1;
            }
            // Remove the newest and put it back: the not-full path, at full size.
            for _ in 0..5 * n {
                assert_eq!(c.remove(&(k - 1)), Some(k - 1));
                assert_eq!(c.put(k - 1, k - 1), Put::Inserted);
            }
            c.check_invariants();
            sizes.push((c.ring.slot_capacity(), c.ring.index().allocation_size()));
        }
        sizes
    }

    #[test]
    fn full_cache_does_not_allocate_again() {
        // The put that fills the cache gives the table its final spare room (hashbrown alone
        // would double it under churn, as 80 > 112 / 2 in a 128-bucket table): from then on
        // evictions and remove-and-put keep every allocation as it was when the cache
        // filled, at sizes below and above the 4096-bucket floor.
        for cap in [80, 100, 5000] {
            let mut c = FifoCache::new(cap);
            for k in 0..cap as u64 {
                let _ = c.put(k, k);
            }
            let filled = (c.ring.slot_capacity(), c.ring.index().allocation_size());
            assert_eq!(filled.0, cap);
            let sizes = churn(cap, 4);
            assert!(
                sizes.iter().all(|&s| s == filled),
                "capacity {cap}: {sizes:?}"
            );
        }
    }

    #[test]
    fn matches_the_textbook_fifo_on_a_long_get_or_put_run() {
        // "get; on a miss, put" over a skewed key stream, against the model, with capacities
        // and a key space far beyond the property tests' (80 entries also rebuild their
        // 128-bucket table in place many times over).
        for cap in [50, 80] {
            get_or_put_run(cap);
        }
    }

    fn get_or_put_run(cap: usize) {
        let mut c = FifoCache::new(cap);
        let mut m = model::Fifo::new(cap);
        let mut x: u64 = 12345;
        for step in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) % 1000;
            let key = (r * r) / 2000; // skewed towards small keys, 0..500
            let hit = c.get(&key).copied();
            assert_eq!(hit, m.get(&key).copied(), "step {step}, key {key}");
            if hit.is_none() {
                assert_eq!(c.put(key, step), m.put(key, step), "step {step}");
            }
            if step % 1000 == 0 {
                c.check_invariants();
            }
        }
        assert_eq!(c.info(), m.info());
        assert!(c.info().hits > 0 && c.info().misses > 0);
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: FifoCache<u64, u64> = FifoCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.ring.slot_capacity(), 0);
    }

    #[test]
    fn clear_releases_memory_and_resets() {
        let mut c = FifoCache::new(8);
        for k in 0..20u32 {
            let _ = c.put(k, k);
            let _ = c.get(&k);
        }
        c.clear();
        assert_eq!(
            (c.ring.slot_capacity(), c.ring.index().capacity(), c.head),
            (0, 0, NIL)
        );
        assert_eq!(
            c.info(),
            CacheInfo {
                hits: 0,
                misses: 0,
                maxsize: Some(8),
                currsize: 0
            }
        );
        assert_eq!(c.put(1, 1), Put::Inserted);
        c.check_invariants();
    }

    #[test]
    fn debug_lists_oldest_first() {
        let mut c = FifoCache::new(2);
        let _ = c.put(1, 'a');
        let _ = c.put(2, 'b');
        let _ = c.put(3, 'c');
        let text = std::format!("{c:?}");
        assert!(text.contains("oldest_first: {2: 'b', 3: 'c'}"), "{text}");
    }
}
