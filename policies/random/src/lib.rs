#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod iter;
mod rng;
#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put};
use evict_slots::SlotIndex;

pub use iter::{Drain, IntoIter, Iter, IterMut, Keys, Values, ValuesMut};
use rng::SplitMix64;

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

/// Spare table buckets kept on a rebuild for small caches (see `SlotIndex::insert`).
const SMALL_FLOOR: usize = 4096;

/// A cache that, when full, evicts an entry chosen uniformly at random among the resident
/// ones. Lookups and replacements change nothing but the value and the counters.
///
/// The choice comes from a seeded generator (SplitMix64), never from the operating system:
/// two caches with the same seed given the same operations evict the same entries, on every
/// platform. Entries live in one dense `Vec`; a hashbrown `HashTable<u32>` maps keys to
/// slots. See the [crate docs](crate) for costs.
///
/// **The next victim** is known before it leaves: [`peek_victim`](Cache::peek_victim) shows
/// the entry the generator's next draw picks (without drawing), [`pop`](Cache::pop) evicts it
/// (one draw, as an eviction by `put` takes), and [`resize`](Cache::resize) pops until the
/// cache fits.
///
/// **Iteration order** ([`iter`](Self::iter), [`Cache::entries`] and the other iterators) is
/// storage order: the slots in the order they were filled, except that an evicting `put`
/// stores the new pair in its victim's slot, and `remove` and `pop` move the last slot into
/// the hole they leave. It says nothing about which entry goes next. The iterators are
/// double-ended.
///
/// Lookups take the key by reference to anything it borrows as (`&str` for `String` keys).
/// [`Extend`] puts each pair; there is no `FromIterator`, as a bounded cache needs a
/// capacity (build one with [`new`](RandomCache::new) and `extend` it).
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

    /// Checks that the slots and the table agree.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self)
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

/// Where [`RandomCache::insert_new`] put a new pair.
enum Placed<K, V> {
    /// In slot `.0`, which was free.
    Inserted(u32),
    /// In slot `.0`, whose pair `.1`, `.2` left the cache.
    Evicted(u32, K, V),
    /// Nowhere (capacity 0): here is the pair.
    Rejected(K, V),
}

impl<K: Hash + Eq, V, S: BuildHasher> RandomCache<K, V, S> {
    #[inline]
    fn find<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let entries = &self.entries;
        self.table
            .find(hash, |i| entries[i as usize].0.borrow() == key)
    }

    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let entries = &self.entries;
        let hasher = &self.hasher;
        self.table.insert(hash, i, entries.len(), SMALL_FLOOR, |j| {
            hasher.hash_one(&entries[j as usize].0)
        });
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`).
    #[cold]
    fn settle_table(&mut self) {
        let entries = &self.entries;
        let hasher = &self.hasher;
        self.table.settle(entries.len(), SMALL_FLOOR, |j| {
            hasher.hash_one(&entries[j as usize].0)
        });
    }

    /// Removes the table entry of slot `i`, whose key hashes to `hash`.
    #[inline]
    fn unindex(&mut self, i: u32, hash: u64) {
        self.table.remove(hash, i);
    }

    /// Stores `key`, which is not cached and hashes to `hash`: in a free slot if there is
    /// one, else in the slot of a uniformly drawn victim (one draw of the generator).
    /// Shared by `put`, `put_mut` and `get_or_insert_with`, and always inlined: called
    /// out of line (as LLVM chooses once it has three callers), `put`'s evictions were 4-8%
    /// slower (the pair and the returned `Placed` go through memory); inlined, `put`
    /// compiles to the code it had before it shared this, and pays nothing for the slot.
    #[inline(always)]
    fn insert_new(&mut self, hash: u64, key: K, value: V) -> Placed<K, V> {
        if self.capacity == 0 {
            return Placed::Rejected(key, value);
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
            return Placed::Inserted(i);
        }
        // Full: a uniformly chosen slot takes the new pair in place.
        let victim = self.rng.below(self.entries.len() as u32);
        let victim_hash = self.hasher.hash_one(&self.entries[victim as usize].0);
        self.unindex(victim, victim_hash);
        let (old_key, old_value) =
            core::mem::replace(&mut self.entries[victim as usize], (key, value));
        // One entry left the table and one comes back: `index` keeps it from growing.
        self.index(hash, victim);
        Placed::Evicted(victim, old_key, old_value)
    }

    /// Takes slot `i`, whose key hashes to `hash`, out of the cache; the last slot moves
    /// into the gap.
    fn take_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        self.unindex(i, hash);
        let last = (self.entries.len() - 1) as u32;
        let pair = self.entries.swap_remove(i as usize);
        if i != last {
            let moved_hash = self.hasher.hash_one(&self.entries[i as usize].0);
            self.table.repoint(moved_hash, last, i);
        }
        pair
    }

    /// Gives back memory after the capacity went down: the slots shrink to the new
    /// capacity and the table is rebuilt for the entries left (settled if the cache is
    /// full), so the cache holds what a cache built at this capacity would.
    #[cold]
    fn shrink_memory(&mut self) {
        if self.entries.is_empty() {
            self.entries = Vec::new();
            self.table.reset();
            return;
        }
        self.entries.shrink_to(self.capacity as usize);
        self.table.reset();
        let entries = &self.entries;
        let hasher = &self.hasher;
        for j in 0..entries.len() {
            let rehash = |s: u32| hasher.hash_one(&entries[s as usize].0);
            // `j + 1` slots are indexed once this returns (see `SlotIndex::insert`).
            self.table
                .insert(rehash(j as u32), j as u32, j + 1, SMALL_FLOOR, rehash);
        }
        if self.entries.len() == self.capacity as usize {
            self.settle_table();
        }
    }

    /// Looks `key` up, counts one hit or one miss, and returns the value; nothing else
    /// changes (a random cache keeps no recency). `key` may be any borrowed form of the key
    /// type (`&str` for `String` keys): no allocation. This is [`Cache::get`], generalised.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.get("a"), Some(&1)); // a `&str`, no `String` built
    /// assert_eq!(cache.get("b"), None);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=2, currsize=1)");
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let found = self.find(hash, key);
        self.stats.record(found.is_some());
        found.map(|i| &self.entries[i as usize].1)
    }

    /// Looks `key` up like [`get`](Self::get) (one hit or one miss) and returns the value to
    /// change in place.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let _ = cache.put(String::from("hits"), 0);
    /// *cache.get_mut("hits").unwrap() += 1;
    /// assert_eq!(cache.peek("hits"), Some(&1));
    /// assert_eq!(cache.info().hits, 1);
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let found = self.find(hash, key);
        self.stats.record(found.is_some());
        found.map(|i| &mut self.entries[i as usize].1)
    }

    /// Looks `key` up without counting it. `key` may be any borrowed form of the key type.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.peek("a"), Some(&1));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.entries[i as usize].1)
    }

    /// Looks `key` up without counting it and returns the value to change in place.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let _ = cache.put(String::from("a"), 1);
    /// *cache.peek_mut("a").unwrap() = 2;
    /// assert_eq!(cache.peek("a"), Some(&2));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key)
            .map(|i| &mut self.entries[i as usize].1)
    }

    /// Whether `key` is cached; counts nothing.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert!(cache.contains("a") && !cache.contains("b"));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.peek(key).is_some()
    }

    /// Removes `key` and returns its value, if it was cached; the last slot moves into the
    /// gap. Counts nothing and draws nothing from the generator.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.remove("a"), Some(1));
    /// assert_eq!(cache.remove("a"), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        Some(self.take_slot(i, hash).1)
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
        Self::get(self, key)
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        Self::peek(self, key)
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
        match self.insert_new(hash, key, value) {
            Placed::Inserted(_) => Put::Inserted,
            Placed::Evicted(_, k, v) => Put::Evicted(k, v),
            Placed::Rejected(k, v) => Put::Rejected(k, v),
        }
    }

    /// Removes `key` and returns its value; the last slot moves into the gap. Draws nothing
    /// from the generator.
    fn remove(&mut self, key: &K) -> Option<V> {
        Self::remove(self, key)
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

    fn contains(&self, key: &K) -> bool {
        Self::contains(self, key)
    }

    #[inline]
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::get_mut(self, key)
    }

    #[inline]
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::peek_mut(self, key)
    }

    /// As [`put`](Cache::put) (the same draws), returning the stored value too.
    ///
    /// ```
    /// use evict_random::{Cache, Put, RandomCache};
    ///
    /// let mut cache = RandomCache::new(2);
    /// let (put, value) = cache.put_mut("a", vec![1]);
    /// assert_eq!(put, Put::Inserted);
    /// value.unwrap().push(2);
    /// assert_eq!(cache.peek("a"), Some(&vec![1, 2]));
    /// ```
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            let slot = &mut self.entries[i as usize].1;
            let old = core::mem::replace(slot, value);
            return (Put::Replaced(old), Some(slot));
        }
        match self.insert_new(hash, key, value) {
            Placed::Inserted(i) => (Put::Inserted, Some(&mut self.entries[i as usize].1)),
            Placed::Evicted(i, k, v) => (Put::Evicted(k, v), Some(&mut self.entries[i as usize].1)),
            Placed::Rejected(k, v) => (Put::Rejected(k, v), None),
        }
    }

    /// The entry the generator's next draw picks: what [`pop`](Cache::pop), or a `put` of a
    /// new key into the full cache, evicts next. Draws nothing (the generator is copied and
    /// the copy draws), so the eviction that follows is the same with or without this call.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::with_seed(3, 1);
    /// cache.extend([(1, 'a'), (2, 'b'), (3, 'c')]);
    /// let (&next, _) = cache.peek_victim().unwrap();
    /// assert_eq!(cache.peek_victim().map(|(k, _)| *k), Some(next)); // nothing drawn
    /// assert_eq!(cache.put(4, 'd').into_evicted().map(|(k, _)| k), Some(next));
    /// ```
    fn peek_victim(&self) -> Option<(&K, &V)> {
        if self.entries.is_empty() {
            return None;
        }
        let (k, v) = &self.entries[self.rng.peek_below(self.entries.len() as u32) as usize];
        Some((k, v))
    }

    /// Evicts the entry [`peek_victim`](Cache::peek_victim) shows, with the generator's next
    /// draw (one draw, as an evicting `put`); the last slot moves into the gap. `None` when
    /// empty (nothing drawn).
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(3);
    /// cache.extend([(1, 'a'), (2, 'b')]);
    /// let next = cache.peek_victim().map(|(k, v)| (*k, *v));
    /// assert_eq!(cache.pop(), next);
    /// assert_eq!(cache.len(), 1);
    /// ```
    fn pop(&mut self) -> Option<(K, V)> {
        if self.entries.is_empty() {
            return None;
        }
        let i = self.rng.below(self.entries.len() as u32);
        let hash = self.hasher.hash_one(&self.entries[i as usize].0);
        Some(self.take_slot(i, hash))
    }

    /// Sets the capacity (clamped to [`MAX_CAPACITY`]). Shrinking pops, one draw each, until
    /// the cache fits, returns the popped pairs in order, and gives memory back (the slots
    /// and the key table are rebuilt for the new capacity: O(len)); growing evicts nothing
    /// and allocates nothing until entries arrive. Statistics and the seed are kept.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(4);
    /// cache.extend([(1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')]);
    /// let gone = cache.resize(1);
    /// assert_eq!((gone.len(), cache.len(), cache.capacity()), (3, 1, Some(1)));
    /// assert!(cache.resize(10).is_empty());
    /// ```
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let shrinks = capacity < self.capacity;
        self.capacity = capacity;
        let mut gone = Vec::new();
        if !shrinks {
            return gone;
        }
        gone.reserve_exact(self.entries.len().saturating_sub(capacity as usize));
        while self.entries.len() > capacity as usize {
            match self.pop() {
                Some(pair) => gone.push(pair),
                None => break,
            }
        }
        self.shrink_memory();
        gone
    }

    /// The entries in storage order, as [`RandomCache::iter`].
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }

    /// One hash and one table probe on a hit (counted, nothing else changes); a miss counts
    /// one miss, runs `f`, and stores the value as `put` would (the same draw), reusing the
    /// hash. An `Err` from `f` inserts nothing and draws nothing (the miss stays counted).
    /// The trait's provided [`get_or_insert_with`](Cache::get_or_insert_with) comes here
    /// too, with a closure that cannot fail.
    ///
    /// ```
    /// use evict_random::{Cache, Fetched, RandomCache};
    ///
    /// let mut cache = RandomCache::new(1);
    /// assert_eq!(*cache.get_or_insert_with("a", || 1), 1); // a miss: computed
    /// assert!(cache.get_or_insert_with("a", || unreachable!()).is_hit());
    /// match cache.get_or_insert_with("b", || 2) {
    ///     Fetched::Evicted(value, old_key, old_value) => assert_eq!((*value, old_key, old_value), (2, "a", 1)),
    ///     other => panic!("{other:?}"),
    /// }
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=2, maxsize=1, currsize=1)");
    ///
    /// let failed = cache.try_get_or_insert_with("c", || "nope".parse::<u32>());
    /// assert!(failed.is_err());
    /// assert!(!cache.contains("c") && cache.contains("b"));
    /// let parsed = cache.try_get_or_insert_with("c", || "7".parse::<u32>());
    /// assert_eq!(parsed.map(|v| *v), Ok(7));
    /// assert_eq!(cache.info().misses, 4);
    /// ```
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        F: FnOnce() -> Result<V, E>,
    {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.stats.hit();
            return Ok(Fetched::Hit(&mut self.entries[i as usize].1));
        }
        self.stats.miss();
        let value = f()?;
        Ok(match self.insert_new(hash, key, value) {
            Placed::Inserted(i) => Fetched::Inserted(&mut self.entries[i as usize].1),
            Placed::Evicted(i, k, v) => Fetched::Evicted(&mut self.entries[i as usize].1, k, v),
            Placed::Rejected(k, v) => Fetched::Rejected(k, v),
        })
    }
}

/// Each pair is [`put`](Cache::put) in turn. An evicted pair, or a rejected one (capacity
/// 0), is dropped: call `put` to keep them.
///
/// ```
/// use evict_random::{Cache, RandomCache};
///
/// let mut cache = RandomCache::new(2);
/// cache.extend([(1, 'a'), (2, 'b'), (3, 'c')]); // one of 1 and 2 was evicted
/// assert_eq!(cache.len(), 2);
/// assert!(cache.contains(&3));
/// ```
impl<K, V, S> Extend<(K, V)> for RandomCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            let _ = self.put(key, value);
        }
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
