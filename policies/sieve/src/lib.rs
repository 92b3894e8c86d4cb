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

/// Iterator over a [`SieveCache`]'s entries, newest first. See [`SieveCache::iter`].
pub type Iter<'a, K, V> = ring::Iter<'a, K, V>;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. The eviction order never depends on hashes, so the seed changes no result.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity a `SieveCache` accepts: slots are addressed by 31-bit indices (the
/// 32nd bit of a link holds the visited bit). Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = ring::MAX_LEN;

/// A SIEVE cache (Zhang et al., NSDI 2024): one FIFO queue with a visited bit per entry and
/// a hand that walks from the tail towards the head, evicting unvisited entries wherever it
/// finds them. A hit only sets the bit.
///
/// Entries live in one dense `Vec` linked into the queue by `u32` indices (a circle: the
/// tail's older neighbour is the head); a hashbrown `HashTable<u32>` maps keys to slots (an
/// `evict_slots::Ring`). See the [crate docs](crate) for the exact rules and
/// costs.
///
/// # Examples
///
/// ```
/// use evict_sieve::{Cache, Put, SieveCache};
///
/// let mut cache = SieveCache::new(3);
/// for k in [1, 2, 3] {
///     assert_eq!(cache.put(k, k * 10), Put::Inserted);
/// }
/// assert_eq!(cache.get(&1), Some(&10)); // 1, the oldest, is visited
/// // The hand starts at the tail: 1 is visited (its bit is cleared), 2 is not: 2 goes.
/// assert_eq!(cache.put(4, 40), Put::Evicted(2, 20));
/// // The hand stayed at 3, so 3 goes next, although 1 is older.
/// assert_eq!(cache.put(5, 50), Put::Evicted(3, 30));
/// ```
#[derive(Clone)]
pub struct SieveCache<K, V, S = DefaultHashBuilder> {
    /// The entries in a circle, `next` pointing to the older neighbour, so that the tail
    /// (the oldest) is just before the head; the flag is the visited bit.
    ring: Ring<K, V, true>,
    /// The newest entry, or `NIL` when empty.
    head: u32,
    /// Where the next eviction starts; `NIL` means at the tail.
    hand: u32,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> SieveCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]).
    /// Capacity 0 caches nothing, as Python's `lru_cache(maxsize=0)`.
    ///
    /// Memory is allocated as entries arrive, never more than `capacity` entries' worth.
    ///
    /// ```
    /// use evict_sieve::{Cache, Put, SieveCache};
    ///
    /// let mut none: SieveCache<u8, u8> = SieveCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> SieveCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_sieve::{Cache, DefaultHashBuilder, SieveCache};
    ///
    /// let cache: SieveCache<u64, u64> = SieveCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            ring: Ring::new(),
            head: NIL,
            hand: NIL,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            hasher,
            stats: Stats::default(),
        }
    }

    /// Iterates over the entries from the newest (the head of the queue) to the oldest (the
    /// tail), without counting lookups or changing any visited bit.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let _ = cache.get(&1); // a hit does not move anything
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [3, 2, 1]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.ring.iter_from(self.head)
    }

    /// The key the next eviction starts from (the hand), or `None` if it starts from the
    /// tail. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.hand(), None);
    /// let _ = cache.put(4, ()); // evicts 1; the hand stays at the next newer entry
    /// assert_eq!(cache.hand(), Some(&2));
    /// ```
    pub fn hand(&self) -> Option<&K> {
        self.ring.get(self.hand).map(|(key, _)| key)
    }

    /// Whether `key`'s entry was visited since the hand last passed it: the next sweep will
    /// spare it. `None` if `key` is not cached. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(2);
    /// let _ = cache.put("a", 1);
    /// assert_eq!(cache.is_visited(&"a"), Some(false));
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.is_visited(&"a"), Some(true));
    /// assert_eq!(cache.is_visited(&"b"), None);
    /// ```
    pub fn is_visited(&self, key: &K) -> Option<bool>
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let i = self.ring.find(self.hasher.hash_one(key), key)?;
        Some(self.ring.flag(i))
    }

    /// Checks that the queue, the hand, the slots and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.ring.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert!(
            self.hand == NIL || (self.hand as usize) < n,
            "hand {} outside {n} slots",
            self.hand
        );
        self.ring.check(self.head, |k| self.hasher.hash_one(k));
    }

    /// SIEVE's victim: from the hand (or the tail), clear visited bits moving towards the
    /// head, wrapping to the tail, and stop at the first unvisited entry. The hand is left
    /// at the entry just newer than the victim (`NIL` if the victim is the head, so the
    /// next sweep starts from the tail), as libCacheSim's `Sieve.c` does.
    #[inline]
    fn sweep(&mut self) -> u32 {
        let mut at = if self.hand == NIL {
            self.ring.prev(self.head)
        } else {
            self.hand
        };
        // In the circle the head's newer neighbour is the tail: the wrap comes for free.
        while self.ring.take_flag(at) {
            at = self.ring.prev(at);
        }
        self.hand = if at == self.head {
            NIL
        } else {
            self.ring.prev(at)
        };
        at
    }
}

impl<K, V, S> Cache<K, V> for SieveCache<K, V, S>
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

    /// Inserts or replaces. Replacing the value of a cached key counts as a request for it:
    /// it sets the visited bit, as a hit does, and moves nothing. A new key goes to the head
    /// with its bit clear, after the hand has evicted an entry if the cache was full.
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
            self.head =
                self.ring
                    .insert_before(self.head, key, value, hash, self.capacity as usize, |k| {
                        hasher.hash_one(k)
                    });
            return Put::Inserted;
        }
        // Full: evict the hand's victim, reuse its slot in place (its visited bit is clear,
        // or it would not be the victim) and move it to the head.
        let victim = self.sweep();
        let hasher = &self.hasher;
        let rehash = |k: &K| hasher.hash_one(k);
        let victim_hash = rehash(self.ring.key(victim));
        let (old_key, old_value) = self
            .ring
            .replace(victim, key, value, hash, victim_hash, rehash);
        if victim != self.head {
            // The tail, most often: then turning the circle one step is all it takes.
            if self.ring.prev(self.head) != victim {
                self.ring.move_before(self.head, victim);
            }
            self.head = victim;
        }
        Put::Evicted(old_key, old_value)
    }

    /// Removes `key`. If the hand was on it, the hand moves to the next newer entry (to the
    /// tail if it was the head), as in libCacheSim; nothing else changes.
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.ring.find(hash, key)?;
        if self.hand == i {
            // libCacheSim: the hand moves to the next newer entry (or back to the tail).
            self.hand = if i == self.head {
                NIL
            } else {
                self.ring.prev(i)
            };
        }
        // The head, if removed, gives way to the next older entry.
        let hasher = &self.hasher;
        let anchors = &mut [&mut self.head, &mut self.hand];
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

    /// Drops every entry, gives the memory back (as Python's `cache_clear()` does), sends
    /// the hand back to the tail and resets the counters.
    fn clear(&mut self) {
        self.ring.clear();
        self.head = NIL;
        self.hand = NIL;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for SieveCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("SieveCache")
            .field("capacity", &self.capacity)
            .field("newest_first", &Entries(self.iter()))
            .field("hand", &self.hand())
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
        SieveCache::new,
        model = model::sieve::Sieve::new,
        validate = |c: &SieveCache<u8, u16>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &SieveCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    /// Queue, oldest first: A B C D E F G H; A, B and G visited. The eviction for I clears
    /// A and B and evicts C; the hand stays at D, so the eviction for J takes D at once,
    /// although A and B are older.
    #[test]
    fn worked_example() {
        let mut c = SieveCache::new(8);
        for k in ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] {
            assert_eq!(c.put(k, ()), Put::Inserted);
        }
        for k in ['A', 'B', 'G'] {
            assert_eq!(c.get(&k), Some(&()));
        }
        assert_eq!(c.put('I', ()), Put::Evicted('C', ()));
        assert_eq!(c.is_visited(&'A'), Some(false));
        assert_eq!(c.is_visited(&'B'), Some(false));
        assert_eq!(c.hand(), Some(&'D'));
        assert_eq!(c.put('J', ()), Put::Evicted('D', ()));
        assert_eq!(c.hand(), Some(&'E'));
        assert_eq!(keys(&c), ['J', 'I', 'H', 'G', 'F', 'E', 'B', 'A']);
        c.check_invariants();
    }

    #[test]
    fn hand_wraps_from_head_to_tail() {
        let mut c = SieveCache::new(3);
        for k in [1, 2, 3] {
            let _ = c.put(k, k);
        }
        for k in [1, 2, 3] {
            let _ = c.get(&k);
        }
        // Every bit set: one full turn clears them all, the tail (1) goes, the hand moves
        // to 2.
        assert_eq!(c.put(4, 4), Put::Evicted(1, 1));
        assert_eq!(c.hand(), Some(&2));
        let _ = c.get(&2);
        let _ = c.get(&3);
        // From 2: 2 and 3 are visited, then 4 (the head, unvisited) is evicted and the
        // hand, past the head, goes back to the tail.
        assert_eq!(c.put(5, 5), Put::Evicted(4, 4));
        assert_eq!(c.hand(), None);
        c.check_invariants();
    }

    #[test]
    fn a_hit_moves_nothing_and_replace_sets_the_bit() {
        let mut c = SieveCache::new(2);
        let _ = c.put(1, 10);
        let _ = c.put(2, 20);
        assert_eq!(c.put(1, 11), Put::Replaced(10));
        assert_eq!(keys(&c), [2, 1]);
        assert_eq!(c.is_visited(&1), Some(true));
        assert_eq!(c.put(3, 30), Put::Evicted(2, 20));
        assert_eq!(keys(&c), [3, 1]);
    }

    #[test]
    fn remove_under_the_hand_moves_it_towards_the_head() {
        let mut c = SieveCache::new(4);
        for k in [1, 2, 3, 4, 5] {
            let _ = c.put(k, k); // 5 evicts 1; the hand is at 2
        }
        assert_eq!(c.hand(), Some(&2));
        assert_eq!(c.remove(&2), Some(2));
        assert_eq!(c.hand(), Some(&3));
        assert_eq!(c.remove(&5), Some(5)); // the slot of 5 (slot 0) is refilled by the last
        c.check_invariants();
        assert_eq!(c.hand(), Some(&3));
        assert_eq!(keys(&c), [4, 3]);
        assert_eq!(c.remove(&4), Some(4));
        assert_eq!(c.remove(&3), Some(3));
        assert_eq!(c.hand(), None);
        c.check_invariants();
    }

    #[test]
    fn peek_does_not_visit() {
        let mut c = SieveCache::new(2);
        let _ = c.put(1, 1);
        let _ = c.put(2, 2);
        assert_eq!(c.peek(&1), Some(&1));
        assert_eq!(c.is_visited(&1), Some(false));
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    }

    /// SIEVE's point: new entries that are not asked for again leave before the popular
    /// ones, whatever their age. Five hot keys read every round stay cached while two new
    /// one-hit wonders arrive per round (FIFO would push each hot key out every few rounds).
    #[test]
    fn one_hit_wonders_do_not_flush_the_hot_set() {
        let mut c = SieveCache::new(10);
        let mut evicted_hot = 0;
        for round in 0..100u32 {
            for k in 0..5u32 {
                if c.get(&k).is_none() {
                    let _ = c.put(k, ());
                }
            }
            for j in 0..2u32 {
                if let Put::Evicted(k, ()) = c.put(1000 + round * 2 + j, ()) {
                    evicted_hot += u32::from(k < 5);
                }
            }
        }
        assert_eq!(evicted_hot, 0);
        assert_eq!(c.info().misses, 5); // the first round only
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: SieveCache<u64, u64> = SieveCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.ring.slot_capacity(), 0);
    }

    /// Evictions in a full cache must not grow the table: it keeps the allocation it had
    /// once full, however many entries come and go.
    #[test]
    fn churn_does_not_grow_the_table() {
        for cap in [80usize, 1000] {
            let mut c = SieveCache::new(cap);
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
        let mut c = SieveCache::new(100);
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
