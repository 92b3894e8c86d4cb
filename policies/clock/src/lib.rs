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

/// Iterator over a [`ClockCache`]'s entries in the hand's order. See [`ClockCache::iter`].
pub type Iter<'a, K, V> = ring::Iter<'a, K, V>;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. The eviction order never depends on hashes, so the seed changes no result.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity a `ClockCache` accepts: slots are addressed by 31-bit indices (the
/// 32nd bit of a link holds the reference bit). Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = ring::MAX_LEN;

/// A CLOCK (second-chance) cache: a ring of entries, each with a reference bit, and a hand.
/// A hit sets the bit; when the cache is full, a new key makes the hand sweep, clearing set
/// bits, until it finds an entry whose bit is clear: that entry is evicted and the newcomer
/// takes its place in the ring, its bit clear, just behind the hand.
///
/// Entries live in one dense `Vec`, linked into a circle by `u32` indices; a hashbrown
/// `HashTable<u32>` maps keys to slots (an `evict_slots::Ring`). See the [crate docs](crate) for the exact rules and
/// costs.
///
/// # Examples
///
/// ```
/// use evict_clock::{Cache, ClockCache, Put};
///
/// let mut cache = ClockCache::new(2);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.put(2, "two"), Put::Inserted);
/// assert_eq!(cache.get(&1), Some(&"one")); // sets 1's reference bit
/// // The hand clears 1's bit (a second chance) and evicts 2, whose bit is clear.
/// assert_eq!(cache.put(3, "three"), Put::Evicted(2, "two"));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
/// ```
#[derive(Clone)]
pub struct ClockCache<K, V, S = DefaultHashBuilder> {
    /// The entries, in a circle in the hand's order; the flag is the reference bit.
    ring: Ring<K, V, true>,
    /// The oldest entry in the hand's order: where the next sweep starts. Newcomers join
    /// just behind it. `NIL` iff the cache is empty.
    hand: u32,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> ClockCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]).
    /// Capacity 0 caches nothing, as Python's `lru_cache(maxsize=0)`.
    ///
    /// Memory is allocated as entries arrive, never more than `capacity` entries' worth.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache, Put};
    ///
    /// let mut none: ClockCache<u8, u8> = ClockCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> ClockCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache, DefaultHashBuilder};
    ///
    /// let cache: ClockCache<u64, u64> = ClockCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            ring: Ring::new(),
            hand: NIL,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            hasher,
            stats: Stats::default(),
        }
    }

    /// Iterates over the entries in the order the hand will visit them, starting at the
    /// hand (the oldest entry, the next candidate), without counting lookups or changing
    /// any reference bit.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache};
    ///
    /// let mut cache = ClockCache::new(3);
    /// for k in [1, 2, 3, 4] {
    ///     let _ = cache.put(k, k * 10); // 4 takes 1's place; the hand moves on to 2
    /// }
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [2, 3, 4]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.ring.iter_from(self.hand)
    }

    /// Whether `key`'s entry would get a second chance from the hand: its reference bit is
    /// set. `None` if `key` is not cached. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache};
    ///
    /// let mut cache = ClockCache::new(2);
    /// let _ = cache.put("a", 1);
    /// assert_eq!(cache.is_referenced(&"a"), Some(false)); // a newcomer's bit starts clear
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.is_referenced(&"a"), Some(true));
    /// assert_eq!(cache.is_referenced(&"b"), None);
    /// ```
    pub fn is_referenced(&self, key: &K) -> Option<bool>
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let i = self.ring.find(self.hasher.hash_one(key), key)?;
        Some(self.ring.flag(i))
    }

    /// Checks that the ring, the hand, the slots and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.ring.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        self.ring.check(self.hand, |k| self.hasher.hash_one(k));
    }

    /// The full ring's victim: sweeps from the hand, clearing set bits, and stops at the
    /// first entry whose bit is clear (after at most one turn, all bits are clear). Leaves
    /// the hand on the victim.
    #[inline]
    fn sweep(&mut self) -> u32 {
        while self.ring.take_flag(self.hand) {
            self.hand = self.ring.next(self.hand);
        }
        self.hand
    }
}

impl<K, V, S> Cache<K, V> for ClockCache<K, V, S>
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
                self.ring.set_flag(i);
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

    /// Inserts or replaces. Replacing the value of a cached key counts as a use: it sets the
    /// reference bit, as a hit does, and moves nothing. A new key joins the ring just behind
    /// the hand (the newest position) while the cache is not full; when it is full, the
    /// newcomer takes the place of the entry the hand evicts and the hand moves past it. A
    /// newcomer's bit starts clear.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.ring.find(hash, &key) {
            self.ring.set_flag(i);
            return Put::Replaced(core::mem::replace(self.ring.value_mut(i), value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        if self.ring.len() < self.capacity as usize {
            let hasher = &self.hasher;
            // Just behind the hand: the newest position.
            let i =
                self.ring
                    .insert_before(self.hand, key, value, hash, self.capacity as usize, |k| {
                        hasher.hash_one(k)
                    });
            if self.hand == NIL {
                self.hand = i;
            }
            return Put::Inserted;
        }
        // Full: the newcomer takes the victim's slot and place in the ring, so no link
        // changes; the hand moves past it, which makes it the newest.
        let victim = self.sweep();
        let hasher = &self.hasher;
        let rehash = |k: &K| hasher.hash_one(k);
        let victim_hash = rehash(self.ring.key(victim));
        let (old_key, old_value) = self
            .ring
            .replace(victim, key, value, hash, victim_hash, rehash);
        self.hand = self.ring.next(victim);
        Put::Evicted(old_key, old_value)
    }

    /// Removes `key` from the ring; the others keep their order, and if the hand was on it,
    /// the hand moves to the next entry (as libCacheSim unlinks a removed object).
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.ring.find(hash, key)?;
        let hasher = &self.hasher;
        let anchors = &mut [&mut self.hand];
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
        self.hand = NIL;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for ClockCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("ClockCache")
            .field("capacity", &self.capacity)
            .field("from_hand", &Entries(self.iter()))
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
        ClockCache::new,
        model = model::clock::Clock::new,
        validate = |c: &ClockCache<u8, u16>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &ClockCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn second_chance_then_eviction_in_ring_order() {
        let mut c = ClockCache::new(3);
        for k in [1, 2, 3] {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        assert_eq!(c.get(&1), Some(&1));
        assert_eq!(c.get(&2), Some(&2));
        // The hand clears 1 and 2, evicts 3; 4 takes 3's place and the hand moves past it,
        // back to 1.
        assert_eq!(c.put(4, 4), Put::Evicted(3, 3));
        assert_eq!(keys(&c), [1, 2, 4]);
        assert_eq!(c.is_referenced(&1), Some(false));
        assert_eq!(c.is_referenced(&4), Some(false));
        // Nobody has a bit now: plain FIFO order from the hand.
        assert_eq!(c.put(5, 5), Put::Evicted(1, 1));
        assert_eq!(c.put(6, 6), Put::Evicted(2, 2));
        assert_eq!(c.put(7, 7), Put::Evicted(4, 4));
        c.check_invariants();
    }

    #[test]
    fn all_bits_set_means_one_full_turn() {
        let mut c = ClockCache::new(4);
        for k in 0..4 {
            let _ = c.put(k, k);
            let _ = c.get(&k);
        }
        // Every bit set: the hand clears all four and evicts where it started.
        assert_eq!(c.put(9, 9), Put::Evicted(0, 0));
        assert!(c.iter().all(|(k, _)| c.is_referenced(k) == Some(false)));
        c.check_invariants();
    }

    #[test]
    fn replace_sets_the_bit_and_moves_nothing() {
        let mut c = ClockCache::new(2);
        let _ = c.put(1, 10);
        let _ = c.put(2, 20);
        assert_eq!(c.put(1, 11), Put::Replaced(10));
        assert_eq!(keys(&c), [1, 2]);
        assert_eq!(c.is_referenced(&1), Some(true));
        assert_eq!(c.put(3, 30), Put::Evicted(2, 20));
        assert_eq!(c.peek(&1), Some(&11));
    }

    #[test]
    fn remove_keeps_the_order_of_the_others() {
        let mut c = ClockCache::new(4);
        for k in [1, 2, 3, 4, 5] {
            let _ = c.put(k, k); // 5 takes 1's place; from the hand: 2 3 4 5
        }
        assert_eq!(keys(&c), [2, 3, 4, 5]);
        assert_eq!(c.remove(&3), Some(3));
        c.check_invariants();
        assert_eq!(keys(&c), [2, 4, 5]);
        assert_eq!(c.remove(&2), Some(2)); // under the hand: the hand moves on to 4
        c.check_invariants();
        assert_eq!(keys(&c), [4, 5]);
        assert_eq!(c.put(6, 6), Put::Inserted); // the newest: just behind the hand
        assert_eq!(keys(&c), [4, 5, 6]);
        assert_eq!(c.remove(&5), Some(5));
        assert_eq!(c.remove(&6), Some(6));
        assert_eq!(c.remove(&4), Some(4));
        assert!(c.is_empty());
        c.check_invariants();
        assert_eq!(c.put(7, 7), Put::Inserted);
        assert_eq!(keys(&c), [7]);
        c.check_invariants();
    }

    #[test]
    fn peek_does_not_set_the_bit() {
        let mut c = ClockCache::new(2);
        let _ = c.put(1, 1);
        let _ = c.put(2, 2);
        assert_eq!(c.peek(&1), Some(&1));
        assert_eq!(c.is_referenced(&1), Some(false));
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: ClockCache<u64, u64> = ClockCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.ring.slot_capacity(), 0);
    }

    /// Evictions in a full cache must not grow the table: it keeps the allocation it had
    /// once full, however many entries come and go.
    #[test]
    fn churn_does_not_grow_the_table() {
        for cap in [80usize, 1000] {
            let mut c = ClockCache::new(cap);
            for k in 0..cap as u64 {
                let _ = c.put(k, k);
            }
            let filled = c.ring.index().allocation_size();
            for k in cap as u64..200_000 {
                if k % 3 == 0 {
                    let _ = c.get(&(k - 1));
                }
                assert!(matches!(c.put(k, k), Put::Evicted(..)));
            }
            c.check_invariants();
            assert_eq!(c.ring.index().allocation_size(), filled, "capacity {cap}");
            assert_eq!(c.ring.slot_capacity(), cap);
        }
        // 100 entries would leave too little of a 128-bucket table's 112 usable buckets
        // free: the put that fills the cache grows it once, and it stays put after.
        let mut c = ClockCache::new(100);
        let mut sizes = Vec::new();
        for k in 0..400_000u64 {
            let _ = c.put(k, k);
            if k == 99 || k % 50_000 == 49_999 {
                sizes.push(c.ring.index().allocation_size());
            }
        }
        assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");
        c.check_invariants();
    }
}
