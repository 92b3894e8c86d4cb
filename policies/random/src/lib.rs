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
/// cache. Hashing never influences which entry is evicted.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity a `RandomCache` accepts: slots are addressed by `u32`. Larger
/// requests are clamped to this.
pub const MAX_CAPACITY: usize = (u32::MAX - 1) as usize;

/// The seed of [`RandomCache::new`] and [`RandomCache::with_hasher`]: the 64-bit golden
/// ratio constant, `0x9E37_79B9_7F4A_7C15`. Two caches built with the same seed and given
/// the same operations evict the same entries.
pub const DEFAULT_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): 8 bytes of state, one add, two multiplies and three xor-shifts per draw,
/// passes BigCrush, period 2^64, and the same output on every platform.
#[derive(Clone, Debug)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n > 0`), without bias: Lemire's multiply-and-reject
    /// ("Fast random integer generation in an interval", ACM TOMACS 2019). With a 64-bit
    /// draw and `n < 2^32`, a redraw happens with probability below `2^-32`.
    #[inline]
    fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        let n = u64::from(n);
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            // Reject the low `2^64 mod n` values of the low half so every result has
            // exactly the same number of preimages.
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u32
    }
}

/// A cache that, when full, evicts an entry chosen uniformly at random among the resident
/// ones. Lookups and replacements change nothing but the value and the counters.
///
/// The choice comes from a seeded generator (SplitMix64), never from the operating system:
/// two caches with the same seed given the same operations evict the same entries, on every
/// platform. Entries live in one dense `Vec`; a hashbrown `HashTable<u32>` maps keys to
/// slots. See the [crate docs](crate) for costs.
///
/// # Examples
///
/// ```
/// use evict_random::{Cache, Put, RandomCache};
///
/// let mut cache = RandomCache::with_seed(2, 7);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.put(2, "two"), Put::Inserted);
/// let (gone, _) = cache.put(3, "three").into_evicted().unwrap();
/// assert!(gone == 1 || gone == 2);
/// assert!(!cache.contains(&gone) && cache.contains(&3));
/// assert_eq!(cache.len(), 2);
/// ```
#[derive(Clone)]
pub struct RandomCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live, in no particular order. `remove` fills its hole
    /// with the last slot.
    entries: Vec<(K, V)>,
    /// Key hash -> slot index in `entries`.
    table: SlotIndex,
    capacity: u32,
    /// Where the generator starts after `new` and after every `clear`.
    seed: u64,
    rng: SplitMix64,
    hasher: S,
    stats: Stats,
}

impl<K, V> RandomCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// seeded with [`DEFAULT_SEED`], so every run of a program makes the same choices.
    /// Capacity 0 caches nothing: every `put` returns [`Put::Rejected`].
    ///
    /// ```
    /// use evict_random::{Cache, Put, RandomCache, DEFAULT_SEED};
    ///
    /// let mut none: RandomCache<u8, u8> = RandomCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=0, maxsize=0, currsize=0)");
    /// assert_eq!(RandomCache::<u8, u8>::new(4).seed(), DEFAULT_SEED);
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher_and_seed(capacity, DefaultHashBuilder::default(), DEFAULT_SEED)
    }

    /// An empty cache of at most `capacity` entries whose evictions are drawn from a
    /// generator seeded with `seed`.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let run = |seed| {
    ///     let mut cache = RandomCache::with_seed(4, seed);
    ///     (0..100).filter_map(|k| cache.put(k, ()).into_evicted()).map(|(k, _)| k).collect::<Vec<_>>()
    /// };
    /// assert_eq!(run(1), run(1)); // the same seed evicts the same keys
    /// assert_ne!(run(1), run(2));
    /// ```
    pub fn with_seed(capacity: usize, seed: u64) -> Self {
        Self::with_hasher_and_seed(capacity, DefaultHashBuilder::default(), seed)
    }
}

impl<K, V, S> RandomCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`, seeded
    /// with [`DEFAULT_SEED`].
    ///
    /// ```
    /// use evict_random::{Cache, DefaultHashBuilder, RandomCache};
    ///
    /// let cache: RandomCache<u64, u64> = RandomCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self::with_hasher_and_seed(capacity, hasher, DEFAULT_SEED)
    }

    /// An empty cache of at most `capacity` entries that hashes keys with `hasher` and draws
    /// its evictions from a generator seeded with `seed`. The hasher has no influence on the
    /// choices: the same seed and operations evict the same keys whatever the hasher.
    ///
    /// ```
    /// use evict_random::{Cache, DefaultHashBuilder, RandomCache};
    ///
    /// let cache: RandomCache<u64, u64> =
    ///     RandomCache::with_hasher_and_seed(100, DefaultHashBuilder::default(), 42);
    /// assert_eq!((cache.capacity(), cache.seed()), (Some(100), 42));
    /// ```
    pub fn with_hasher_and_seed(capacity: usize, hasher: S, seed: u64) -> Self {
        Self {
            entries: Vec::new(),
            table: SlotIndex::new(),
            capacity: capacity.min(MAX_CAPACITY) as u32,
            seed,
            rng: SplitMix64::new(seed),
            hasher,
            stats: Stats::default(),
        }
    }

    /// The seed the cache was built with. The generator restarts from it on
    /// [`clear`](Cache::clear), so a cleared cache makes the same choices as a new one.
    ///
    /// ```
    /// use evict_random::RandomCache;
    ///
    /// assert_eq!(RandomCache::<u8, u8>::with_seed(3, 99).seed(), 99);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Iterates over the entries in storage order (which says nothing about what goes
    /// next), without counting lookups.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let mut pairs: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
    /// pairs.sort();
    /// assert_eq!(pairs, [(1, 10), (2, 20), (3, 30)]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            inner: self.entries.iter(),
        }
    }

    /// Checks that the slots and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.entries.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        for (at, (key, _)) in self.entries.iter().enumerate() {
            let hash = self.hasher.hash_one(key);
            let entries = &self.entries;
            assert_eq!(
                self.table.find(hash, |i| entries[i as usize].0 == *key),
                Some(at as u32),
                "slot {at} not reachable from the table by its key"
            );
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> RandomCache<K, V, S> {
    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let entries = &self.entries;
        self.table.find(hash, |i| entries[i as usize].0 == *key)
    }

    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let entries = &self.entries;
        let hasher = &self.hasher;
        self.table.insert(hash, i, entries.len(), 4096, |j| {
            hasher.hash_one(&entries[j as usize].0)
        });
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`).
    #[cold]
    fn settle_table(&mut self) {
        let entries = &self.entries;
        let hasher = &self.hasher;
        self.table.settle(entries.len(), 4096, |j| {
            hasher.hash_one(&entries[j as usize].0)
        });
    }

    /// Removes the table entry of slot `i`, whose key hashes to `hash`.
    #[inline]
    fn unindex(&mut self, i: u32, hash: u64) {
        self.table.remove(hash, i);
    }
}

impl<K, V, S> Cache<K, V> for RandomCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// Looks `key` up and counts a hit or a miss; nothing else changes.
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        let found = self.find(hash, key);
        self.stats.record(found.is_some());
        found.map(|i| &self.entries[i as usize].1)
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.entries[i as usize].1)
    }

    /// Inserts `key`, evicting a uniformly random resident entry when full (one draw of
    /// the generator per eviction, none otherwise); a `put` of a cached key only replaces
    /// its value.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            let old = core::mem::replace(&mut self.entries[i as usize].1, value);
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        if self.entries.len() < self.capacity as usize {
            let i = self.entries.len() as u32;
            if self.entries.len() == self.entries.capacity() {
                // Grow geometrically but never past the capacity: a full cache holds exactly
                // `capacity` slots and never allocates again.
                let room = self.capacity as usize - self.entries.len();
                self.entries
                    .reserve_exact(self.entries.len().max(4).min(room));
            }
            self.entries.push((key, value));
            self.index(hash, i);
            if self.entries.len() == self.capacity as usize {
                self.settle_table();
            }
            return Put::Inserted;
        }
        // Full: a uniformly chosen slot takes the new pair in place.
        let victim = self.rng.below(self.entries.len() as u32);
        let victim_hash = self.hasher.hash_one(&self.entries[victim as usize].0);
        self.unindex(victim, victim_hash);
        let (old_key, old_value) =
            core::mem::replace(&mut self.entries[victim as usize], (key, value));
        // One entry left the table and one comes back: `index` keeps it from growing.
        self.index(hash, victim);
        Put::Evicted(old_key, old_value)
    }

    /// Removes `key` and returns its value; the last slot moves into the gap. Draws nothing
    /// from the generator.
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        self.unindex(i, hash);
        let last = (self.entries.len() - 1) as u32;
        let (_, value) = self.entries.swap_remove(i as usize);
        if i != last {
            let moved_hash = self.hasher.hash_one(&self.entries[i as usize].0);
            self.table.repoint(moved_hash, last, i);
        }
        Some(value)
    }

    #[inline]
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.entries.len())
    }

    /// Drops every entry, gives the memory back (as Python's `cache_clear()` does), resets
    /// the counters and restarts the generator from the seed: a cleared cache behaves
    /// exactly as a new one.
    fn clear(&mut self) {
        self.entries = Vec::new();
        self.table = SlotIndex::new();
        self.rng = SplitMix64::new(self.seed);
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for RandomCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RandomCache")
            .field("capacity", &self.capacity)
            .field("seed", &self.seed)
            .field("entries", &DebugEntries(&self.entries))
            .field("stats", &self.stats)
            .finish()
    }
}

struct DebugEntries<'a, K, V>(&'a [(K, V)]);

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for DebugEntries<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

/// Iterator over a [`RandomCache`]'s entries, in storage order. See [`RandomCache::iter`].
#[derive(Debug)]
pub struct Iter<'a, K, V> {
    inner: core::slice::Iter<'a, (K, V)>,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

impl<K, V> core::iter::FusedIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::vec::Vec;
    use evict_harness::model;

    // No exact model: the contract checks everything that does not depend on the draw
    // (sizes, counters, values, that `put` reports exactly what left and that it was
    // resident, no eviction before full, peek invisibility, capacity 0, clear).
    evict_harness::conformance!(
        contract_default_seed,
        RandomCache::new,
        validate = |c: &RandomCache<u8, u16>| c.check_invariants()
    );
    evict_harness::conformance!(
        contract_other_seed,
        |cap| RandomCache::with_seed(cap, 0xDEAD_BEEF),
        validate = |c: &RandomCache<u8, u16>| c.check_invariants(),
        settings = evict_harness::Settings {
            max_capacity: 40,
            keys: 64,
            max_ops: 400
        }
    );

    #[test]
    fn splitmix64_matches_the_published_reference_outputs() {
        // The reference outputs for seed 1234567 (Vigna's splitmix64.c, as tabulated on
        // Rosetta Code, "Pseudo-random numbers/Splitmix64").
        let mut rng = SplitMix64::new(1_234_567);
        let want = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        for w in want {
            assert_eq!(rng.next_u64(), w);
        }
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut rng = SplitMix64::new(5);
        for n in [1u32, 2, 3, 7, 10, 1000] {
            let mut seen = alloc::vec![false; n as usize];
            for _ in 0..20 * n {
                let x = rng.below(n);
                assert!(x < n, "below({n}) gave {x}");
                seen[x as usize] = true;
            }
            assert!(seen.iter().all(|&s| s), "below({n}) missed a value");
        }
        // Large bounds: the multiply keeps the high half, so the top of the range is reached.
        let n = u32::MAX - 1;
        assert!((0..10_000).any(|_| rng.below(n) > n / 2 + n / 4));
    }

    /// One cache operation's answer, for comparing two runs.
    type Answer = (Option<u64>, Option<Put<u64, u64>>, Option<u64>);

    /// A mixed workload (gets, puts, removes, a clear) driven by a test-local LCG; returns
    /// every answer.
    fn run_workload<S: BuildHasher>(cache: &mut RandomCache<u64, u64, S>) -> Vec<Answer> {
        let mut x: u64 = 99;
        let mut out = Vec::new();
        for step in 0..5_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = (x >> 33) % 64;
            let answer = match (x >> 20) % 10 {
                0..=3 => (cache.get(&key).copied(), None, None),
                4..=8 => (None, Some(cache.put(key, step)), None),
                _ if step == 2_500 => {
                    cache.clear();
                    (None, None, None)
                }
                _ => (None, None, cache.remove(&key)),
            };
            out.push(answer);
        }
        cache.check_invariants();
        out
    }

    fn evicted_keys(answers: &[Answer]) -> Vec<u64> {
        answers
            .iter()
            .filter_map(|(_, put, _)| match put {
                Some(Put::Evicted(k, _)) => Some(*k),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn same_seed_same_evictions_different_seed_different_evictions() {
        let a = run_workload(&mut RandomCache::with_seed(16, 11));
        let b = run_workload(&mut RandomCache::with_seed(16, 11));
        assert_eq!(a, b);
        let evictions = evicted_keys(&a);
        assert!(evictions.len() > 500, "only {} evictions", evictions.len());
        let c = run_workload(&mut RandomCache::with_seed(16, 12));
        assert_ne!(evicted_keys(&c), evictions);
        // `new` is `with_seed(DEFAULT_SEED)`.
        assert_eq!(
            run_workload(&mut RandomCache::new(16)),
            run_workload(&mut RandomCache::with_seed(16, DEFAULT_SEED))
        );
    }

    #[test]
    fn the_hasher_does_not_influence_the_choices() {
        // Two independently seeded hashers lay the table out differently; the evictions
        // must not change.
        let a = run_workload(&mut RandomCache::with_hasher_and_seed(
            16,
            DefaultHashBuilder::default(),
            3,
        ));
        let b = run_workload(&mut RandomCache::with_hasher_and_seed(
            16,
            DefaultHashBuilder::default(),
            3,
        ));
        assert_eq!(a, b);
    }

    #[test]
    fn a_cleared_cache_makes_the_same_choices_as_a_new_one() {
        let mut used = RandomCache::with_seed(8, 77);
        let _ = run_workload(&mut used);
        used.clear();
        assert_eq!(used.info(), RandomCache::<u64, u64>::new(8).info());
        assert_eq!(
            run_workload(&mut used),
            run_workload(&mut RandomCache::with_seed(8, 77))
        );
    }

    #[test]
    fn deterministic_behaviour_is_policy_agnostic() {
        let mut c = RandomCache::with_seed(5, 1);
        // No eviction before full, hits and misses counted, gets never evict.
        for k in 0..5u32 {
            assert_eq!(c.get(&k), None);
            assert_eq!(c.put(k, k), Put::Inserted);
            assert_eq!(c.get(&k), Some(&k));
        }
        // Replacing when full evicts nothing.
        for k in 0..5u32 {
            assert_eq!(c.put(k, k + 100), Put::Replaced(k));
        }
        assert_eq!(c.len(), 5);
        // A removal makes room: the next new key is inserted without eviction.
        assert_eq!(c.remove(&2), Some(102));
        assert_eq!(c.remove(&2), None);
        assert_eq!(c.put(9, 9), Put::Inserted);
        // Full again: the next new key evicts exactly one resident pair.
        let before: Vec<(u32, u32)> = c.iter().map(|(k, v)| (*k, *v)).collect();
        let (k, v) = c.put(10, 10).into_evicted().expect("full cache must evict");
        assert!(
            before.contains(&(k, v)),
            "evicted a pair that was not resident"
        );
        assert!(!c.contains(&k));
        for (rk, rv) in before.iter().filter(|(rk, _)| *rk != k) {
            assert_eq!(c.peek(rk), Some(rv));
        }
        assert_eq!(c.get(&10), Some(&10));
        assert_eq!(
            c.info(),
            CacheInfo {
                hits: 6,
                misses: 5,
                maxsize: Some(5),
                currsize: 5
            }
        );
        c.check_invariants();
    }

    /// Fills a cache of `cap`, then runs `rounds` rounds of evictions and of remove-and-put,
    /// and returns the slot capacity and the table's allocation after each round.
    fn churn(cap: usize, rounds: usize) -> Vec<(usize, usize)> {
        let mut c = RandomCache::new(cap);
        let n = cap as u64;
        for k in 0..n {
            let _ = c.put(k, k);
        }
        let mut sizes = Vec::new();
        let mut k = n;
        for _ in 0..rounds {
            for _ in 0..20 * n {
                assert!(matches!(c.put(k, k), Put::Evicted(..)));
                k += 1;
            }
            // Remove the newest and put it back: the not-full path, at full size.
            for _ in 0..5 * n {
                assert_eq!(c.remove(&(k - 1)), Some(k - 1));
                assert_eq!(c.put(k - 1, k - 1), Put::Inserted);
            }
            c.check_invariants();
            sizes.push((c.entries.capacity(), c.table.allocation_size()));
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
            let mut c = RandomCache::new(cap);
            for k in 0..cap as u64 {
                let _ = c.put(k, k);
            }
            let filled = (c.entries.capacity(), c.table.allocation_size());
            assert_eq!(filled.0, cap);
            let sizes = churn(cap, 4);
            assert!(
                sizes.iter().all(|&s| s == filled),
                "capacity {cap}: {sizes:?}"
            );
        }
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: RandomCache<u64, u64> = RandomCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.entries.capacity(), 0);
    }

    // ---- Uniformity ----
    //
    // A full cache of N entries takes a new key at every trial and the test notes the
    // *age rank* of the victim among the residents (0 = oldest insertion, N-1 = newest).
    // Random eviction picks each rank with probability 1/N independently of the past, so
    // the rank counts and the counts of (previous rank, rank) pairs are multinomial and
    // Pearson's statistic follows a chi-square law. The seed is fixed, so the test is
    // deterministic; the accepted band is the two-sided 1e-9 band of that law, so that a
    // correct implementation would pass for all but one seed in a billion, while FIFO,
    // LRU, round-robin or a biased choice land far outside it (checked below). Every 7th
    // trial also removes a resident key and inserts a fresh one, so the `swap_remove`
    // path shuffles storage order too.

    const N: usize = 9;
    const TRIALS: usize = 90_000;
    /// Chi-square with 8 degrees of freedom: P(X < 0.0250) = P(X > 58.31) = 1e-9.
    const RANKS_BAND: (f64, f64) = (0.0250, 58.31);
    /// Chi-square with 80 degrees of freedom: P(X < 25.65) = P(X > 180.48) = 1e-9.
    const PAIRS_BAND: (f64, f64) = (25.65, 180.48);

    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&c| {
                let d = c as f64 - expected;
                d * d / expected
            })
            .sum()
    }

    /// Victim age-rank counts and (previous, current) pair counts of `cache`.
    fn rank_counts(cache: &mut impl Cache<u64, u64>) -> (Vec<u64>, Vec<u64>) {
        let mut order: Vec<u64> = Vec::new(); // residents, oldest insertion first
        let mut next_key = 0u64;
        for _ in 0..N {
            assert_eq!(cache.put(next_key, 0), Put::Inserted);
            order.push(next_key);
            next_key += 1;
        }
        let (mut ranks, mut pairs) = (alloc::vec![0u64; N], alloc::vec![0u64; N * N]);
        let mut previous = None;
        let mut lcg: u64 = 1;
        for trial in 0..TRIALS {
            if trial % 7 == 6 {
                lcg = lcg
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let gone = order.remove((lcg >> 33) as usize % N);
                assert_eq!(cache.remove(&gone), Some(0));
                assert_eq!(cache.put(next_key, 0), Put::Inserted);
                order.push(next_key);
                next_key += 1;
            }
            let Put::Evicted(victim, _) = cache.put(next_key, 0) else {
                panic!("a full cache must evict");
            };
            let rank = order.iter().position(|&k| k == victim).expect("resident");
            order.remove(rank);
            order.push(next_key);
            next_key += 1;
            ranks[rank] += 1;
            if let Some(p) = previous {
                pairs[p * N + rank] += 1;
            }
            previous = Some(rank);
        }
        (ranks, pairs)
    }

    fn within(x: f64, band: (f64, f64)) -> bool {
        band.0 < x && x < band.1
    }

    #[test]
    fn evictions_are_uniform_over_resident_entries() {
        for seed in [DEFAULT_SEED, 1, 2024] {
            let (ranks, pairs) = rank_counts(&mut RandomCache::with_seed(N, seed));
            let (r, p) = (chi_square(&ranks), chi_square(&pairs));
            assert!(
                within(r, RANKS_BAND),
                "seed {seed}: ranks {ranks:?}, chi2 {r}"
            );
            assert!(within(p, PAIRS_BAND), "seed {seed}: pairs chi2 {p}");
        }
    }

    #[test]
    fn the_uniformity_test_catches_non_random_policies() {
        // FIFO always evicts rank 0; LRU under this workload (no reads) does the same.
        let (ranks, _) = rank_counts(&mut model::Fifo::new(N));
        assert!(!within(chi_square(&ranks), RANKS_BAND));
        let (ranks, _) = rank_counts(&mut model::Lru::new(N));
        assert!(!within(chi_square(&ranks), RANKS_BAND));
        // Round-robin over ranks is perfectly flat (too flat) and its pairs are not random.
        let flat = alloc::vec![(TRIALS / N) as u64; N];
        assert!(!within(chi_square(&flat), RANKS_BAND));
        let mut pairs = alloc::vec![0u64; N * N];
        for t in 1..TRIALS {
            pairs[((t - 1) % N) * N + t % N] += 1;
        }
        assert!(!within(chi_square(&pairs), PAIRS_BAND));
        // A slight bias: the oldest entry chosen 20% more often than the others.
        let mut biased = alloc::vec![10_000u64; N];
        biased[0] = 12_000;
        assert!(!within(chi_square(&biased), RANKS_BAND));
    }
}
