#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod mini;
#[cfg(test)]
mod model;
mod shadow;
#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;
use evict_wtinylfu::WTinyLfuCache;

use shadow::Shadows;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity an `AdaptiveCache` accepts: W-TinyLFU's, 2^28 - 2, the smallest of
/// the three policies' limits. Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = evict_wtinylfu::MAX_CAPACITY;

/// A switch moves the entries in this many batches (see `AdaptiveCache::switch`).
const SWITCH_CHUNKS: usize = 8;

/// The policy running an [`AdaptiveCache`] (and one of its three miniature simulations).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    /// S3-FIFO (`evict-s3fifo`), the policy a new or cleared cache starts with.
    S3Fifo,
    /// W-TinyLFU with its static 1% window (`evict-wtinylfu`).
    WTinyLfu,
    /// LRU (`evict-lru`).
    Lru,
}

/// The cache that holds the entries: one of the three policies.
// One `Inner` per cache, never stored in bulk: the variants' different struct sizes (S3-FIFO's
// carries its ghost's state inline) cost a few hundred bytes once per cache, while boxing the
// large variant would add a pointer chase to every operation of the running policy.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Inner<K, V, S> {
    S3Fifo(S3FifoCache<K, V, S>),
    WTinyLfu(WTinyLfuCache<K, V, S>),
    Lru(LruCache<K, V, S>),
}

/// Runs `$body` with `$c` bound to the running policy's cache, whichever it is.
macro_rules! with_inner {
    ($inner:expr, $c:ident => $body:expr) => {
        match $inner {
            Inner::S3Fifo($c) => $body,
            Inner::WTinyLfu($c) => $body,
            Inner::Lru($c) => $body,
        }
    };
}

impl<K, V, S> Inner<K, V, S> {
    fn new(policy: Policy, capacity: usize, hasher: S) -> Self {
        match policy {
            Policy::S3Fifo => Inner::S3Fifo(S3FifoCache::with_hasher(capacity, hasher)),
            Policy::WTinyLfu => {
                Inner::WTinyLfu(WTinyLfuCache::with_hasher(capacity, hasher).with_sketch_floor(0))
            }
            Policy::Lru => Inner::Lru(LruCache::with_hasher(capacity, hasher)),
        }
    }

    fn policy(&self) -> Policy {
        match self {
            Inner::S3Fifo(_) => Policy::S3Fifo,
            Inner::WTinyLfu(_) => Policy::WTinyLfu,
            Inner::Lru(_) => Policy::Lru,
        }
    }
}

/// A cache that runs whichever of S3-FIFO, W-TinyLFU and LRU has lately been best on its own
/// requests, as measured by miniature simulations of all three on a hash-sampled subset of
/// the keys.
///
/// The entries live in one cache of the running [`Policy`] (S3-FIFO at first). Every `get`
/// hashes its key; if the key is sampled (every key for caches up to 767 entries, else a
/// share `2^-s` that leaves each miniature at least 384 entries, at most `s = 6` up to
/// 1,048,512 entries, and at most 16,383 entries above), it is also looked up, and on a
/// miss inserted, in three caches of 32-bit key tags of `capacity · 2^-s`
/// entries, one per policy. Every time the miniatures have seen as many sampled `get`s as
/// they hold entries (an *epoch*), once they are full, their hit counts are added to scores
/// that fade by 1/32 per epoch; when another policy's score leads the running one's by more
/// than 1.2% of the (faded) sampled requests, and enough epochs have passed since the last
/// switch (1, then 2, 4, 8, at most 16), the cache *switches*: it pops every entry from the
/// running policy's cache, victim first, and puts them in that order into a new cache of
/// the leader's policy. See the [crate docs](crate) for the numbers.
///
/// Only `get` (and `get_mut`, `get_or_insert_with`) feeds the miniatures; `put`, `remove`
/// and `peek` go to the running policy alone. Statistics are the adaptive cache's own and
/// survive switches.
///
/// # Examples
///
/// ```
/// use evict_adaptive::{AdaptiveCache, Cache, Policy};
///
/// let mut cache = AdaptiveCache::new(100);
/// assert_eq!(cache.policy(), Policy::S3Fifo);
/// for k in 0..1000u64 {
///     if cache.get(&(k % 150)).is_none() {
///         let _ = cache.put(k % 150, k);
///     }
/// }
/// assert_eq!(cache.len(), 100);
/// assert_eq!(cache.info().hits + cache.info().misses, 1000);
/// ```
#[derive(Clone)]
pub struct AdaptiveCache<K, V, S = DefaultHashBuilder> {
    inner: Inner<K, V, S>,
    shadows: Shadows,
    hasher: S,
    capacity: usize,
    switches: u64,
    stats: Stats,
}

impl<K, V> AdaptiveCache<K, V> {
    /// An empty cache of at most `capacity` entries (clamped to [`MAX_CAPACITY`]), running
    /// S3-FIFO until the miniatures show another policy ahead. Capacity 0 caches nothing.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache, Put};
    ///
    /// let mut none: AdaptiveCache<u8, u8> = AdaptiveCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S: Clone> AdaptiveCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher` (the
    /// running policy's cache gets a clone of it; the sampled keys are those whose hash
    /// under it has its top bits clear, so a fixed-seed hasher makes runs repeatable).
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache, DefaultHashBuilder};
    ///
    /// let cache: AdaptiveCache<u64, u64> =
    ///     AdaptiveCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(MAX_CAPACITY);
        Self {
            inner: Inner::new(Policy::S3Fifo, capacity, hasher.clone()),
            shadows: Shadows::new(capacity, Policy::S3Fifo),
            hasher,
            capacity,
            switches: 0,
            stats: Stats::default(),
        }
    }
}

impl<K, V, S> AdaptiveCache<K, V, S> {
    /// The policy running the cache now.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Policy};
    ///
    /// let cache: AdaptiveCache<u32, u32> = AdaptiveCache::new(10);
    /// assert_eq!(cache.policy(), Policy::S3Fifo);
    /// ```
    pub fn policy(&self) -> Policy {
        self.inner.policy()
    }

    /// How many times the running policy has changed since the cache was made or cleared.
    ///
    /// ```
    /// use evict_adaptive::AdaptiveCache;
    ///
    /// let cache: AdaptiveCache<u32, u32> = AdaptiveCache::new(10);
    /// assert_eq!(cache.switches(), 0);
    /// ```
    pub fn switches(&self) -> u64 {
        self.switches
    }

    /// The sampling shift `s` (a key is simulated with probability `2^-s`) and the capacity
    /// of each miniature cache.
    ///
    /// ```
    /// use evict_adaptive::AdaptiveCache;
    ///
    /// let small: AdaptiveCache<u32, u32> = AdaptiveCache::new(700);
    /// assert_eq!(small.miniature(), (0, 700)); // every key, full size
    /// let medium: AdaptiveCache<u32, u32> = AdaptiveCache::new(1_000);
    /// assert_eq!(medium.miniature(), (1, 500)); // half the keys
    /// let large: AdaptiveCache<u32, u32> = AdaptiveCache::new(1_000_000);
    /// assert_eq!(large.miniature(), (6, 15_625));
    /// ```
    pub fn miniature(&self) -> (u32, usize) {
        self.shadows.shape()
    }
}

impl<K: Hash + Eq, V, S: BuildHasher + Clone> AdaptiveCache<K, V, S> {
    /// Feeds a `get` of `key` to the miniatures if its key is sampled (switching policy
    /// first if the last epoch ended with another policy ahead). Returns the running
    /// policy if the real cache's answer to this `get` scores it (a sampled key of an
    /// unsampled cache, below 768 entries): the caller reports it with [`Shadows::record`].
    /// A borrowed form of the key hashes as the key does (`Borrow`'s contract), so `&str`
    /// lookups of `String` keys sample alike.
    #[inline]
    fn observe<Q: Hash + ?Sized>(&mut self, key: &Q) -> Option<Policy> {
        // At capacity 1 the three policies give the same answers (a miss replaces the one
        // entry; checked in the tests): nothing to choose, so no miniature takes memory.
        if self.capacity < 2 {
            return None;
        }
        let hash = self.hasher.hash_one(key);
        if !self.shadows.sampled(hash) {
            return None;
        }
        let current = self.inner.policy();
        if let Some(choice) = self.shadows.access(hash, current) {
            self.switch(choice);
        }
        self.shadows
            .scores_real_cache()
            .then(|| self.inner.policy())
    }

    /// Looks `key` up (any borrowed form: `&str` for `String` keys): one hit or miss, fed to
    /// the miniatures if sampled (which may switch the policy first), then a `get` of the
    /// running policy.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache};
    ///
    /// let mut cache: AdaptiveCache<String, u32> = AdaptiveCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.get("a"), Some(&1));
    /// assert_eq!(cache.get("b"), None);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=10, currsize=1)");
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let scored = self.observe(key);
        let found = with_inner!(&mut self.inner, c => c.get(key));
        self.stats.record(found.is_some());
        if let Some(policy) = scored {
            self.shadows.record(policy, found.is_some());
        }
        found
    }

    /// [`get`](Self::get), handing out the value mutably.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache};
    ///
    /// let mut cache = AdaptiveCache::new(10);
    /// let _ = cache.put("a", 1);
    /// *cache.get_mut(&"a").unwrap() += 1;
    /// assert_eq!(cache.peek(&"a"), Some(&2));
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let scored = self.observe(key);
        let found = with_inner!(&mut self.inner, c => c.get_mut(key));
        self.stats.record(found.is_some());
        if let Some(policy) = scored {
            self.shadows.record(policy, found.is_some());
        }
        found
    }

    /// The value of `key`, if cached; counts nothing, changes nothing, feeds no miniature.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache};
    ///
    /// let mut cache: AdaptiveCache<String, u32> = AdaptiveCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.peek("a"), Some(&1));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        with_inner!(&self.inner, c => c.peek(key))
    }

    /// [`peek`](Self::peek), handing out the value mutably.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache};
    ///
    /// let mut cache = AdaptiveCache::new(10);
    /// let _ = cache.put(1, 1);
    /// *cache.peek_mut(&1).unwrap() = 5;
    /// assert_eq!(cache.peek(&1), Some(&5));
    /// ```
    #[inline]
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        with_inner!(&mut self.inner, c => c.peek_mut(key))
    }

    /// Whether `key` is cached; counts nothing, changes nothing.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache};
    ///
    /// let mut cache: AdaptiveCache<String, u32> = AdaptiveCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert!(cache.contains("a"));
    /// assert!(!cache.contains("b"));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        with_inner!(&self.inner, c => c.contains(key))
    }

    /// Takes `key`'s entry out of the running policy's cache (as that policy's `remove`
    /// does), returning its value.
    ///
    /// ```
    /// use evict_adaptive::{AdaptiveCache, Cache};
    ///
    /// let mut cache: AdaptiveCache<String, u32> = AdaptiveCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.remove("a"), Some(1));
    /// assert_eq!(cache.len(), 0);
    /// ```
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        with_inner!(&mut self.inner, c => c.remove(key))
    }

    /// Moves every entry into a new cache of `policy`, in the order the old policy would
    /// evict them, so that the entry it valued most is the newest in the new one. The old
    /// cache is emptied an eighth of the capacity at a time by shrinking it (`resize` pops
    /// in eviction order and gives the memory back), so that the new cache grows while the
    /// old one shrinks: the peak is about 1.3 times the cache rather than twice.
    fn switch(&mut self, policy: Policy) {
        let fresh = Inner::new(policy, self.capacity, self.hasher.clone());
        let mut old = core::mem::replace(&mut self.inner, fresh);
        let chunk = (self.capacity / SWITCH_CHUNKS).max(1);
        loop {
            let len = with_inner!(&old, c => c.len());
            if len == 0 {
                break;
            }
            let moved = with_inner!(&mut old, c => c.resize(len.saturating_sub(chunk)));
            for (k, v) in moved {
                let _ = with_inner!(&mut self.inner, c => c.put(k, v));
            }
        }
        self.switches += 1;
    }
}

impl<K: Hash + Eq, V, S: BuildHasher + Clone> Cache<K, V> for AdaptiveCache<K, V, S> {
    /// Counts one hit or miss; feeds the miniatures if the key is sampled (and may switch
    /// policy first); then a `get` of the running policy.
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        AdaptiveCache::get(self, key)
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        AdaptiveCache::peek(self, key)
    }

    #[inline]
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        with_inner!(&mut self.inner, c => c.put(key, value))
    }

    #[inline]
    fn remove(&mut self, key: &K) -> Option<V> {
        AdaptiveCache::remove(self, key)
    }

    #[inline]
    fn len(&self) -> usize {
        with_inner!(&self.inner, c => c.len())
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    /// Drops every entry and forgets what was learnt: S3-FIFO runs again, the miniatures
    /// and their scores start empty, statistics are reset.
    fn clear(&mut self) {
        self.stats.reset();
        self.shadows.reset(Policy::S3Fifo);
        self.switches = 0;
        if self.inner.policy() == Policy::S3Fifo {
            with_inner!(&mut self.inner, c => c.clear());
        } else {
            self.inner = Inner::new(Policy::S3Fifo, self.capacity, self.hasher.clone());
        }
    }

    #[inline]
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        AdaptiveCache::get_mut(self, key)
    }

    #[inline]
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        AdaptiveCache::peek_mut(self, key)
    }

    #[inline]
    fn contains(&self, key: &K) -> bool {
        AdaptiveCache::contains(self, key)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        with_inner!(&mut self.inner, c => c.put_mut(key, value))
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        with_inner!(&self.inner, c => c.peek_victim())
    }

    fn pop(&mut self) -> Option<(K, V)> {
        with_inner!(&mut self.inner, c => c.pop())
    }

    /// Resizes the running policy's cache (which pops in its order until the entries fit)
    /// and starts new miniatures sized for the new capacity.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY);
        let popped = with_inner!(&mut self.inner, c => c.resize(capacity));
        self.capacity = capacity;
        self.shadows = Shadows::new(capacity, self.inner.policy());
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        with_inner!(&self.inner, c => c.entries())
    }
}

/// As a shard of `evict-sync`'s concurrent cache every hit takes the shard's exclusive lock
/// (a `get` may feed the miniatures and switch the policy).
impl<K, V, S, Q> Shard<K, V, Q> for AdaptiveCache<K, V, S>
where
    K: Hash + Eq + Borrow<Q>,
    S: BuildHasher + Clone,
    Q: Hash + Eq + ?Sized,
{
    fn get_borrowed(&mut self, key: &Q) -> Option<&V> {
        AdaptiveCache::get(self, key)
    }

    fn peek_borrowed(&self, key: &Q) -> Option<&V> {
        AdaptiveCache::peek(self, key)
    }

    fn remove_borrowed(&mut self, key: &Q) -> Option<V> {
        AdaptiveCache::remove(self, key)
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for AdaptiveCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AdaptiveCache");
        d.field("policy", &self.inner.policy())
            .field("capacity", &self.capacity)
            .field("switches", &self.switches)
            .field("miniature", &self.shadows.shape())
            .field("stats", &self.stats);
        match &self.inner {
            Inner::S3Fifo(c) => d.field("cache", c),
            Inner::WTinyLfu(c) => d.field("cache", c),
            Inner::Lru(c) => d.field("cache", c),
        };
        d.finish()
    }
}
