//! One small adapter per implementation, so that every cache runs the identical benchmark
//! code: [`BenchCache`] for single-threaded use, [`SharedCache`] for the two-thread run.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use evict_core::Cache;

/// The operations the benchmarks use, on `u64` keys and values.
pub trait BenchCache {
    /// Looks `key` up; a hit updates the policy's state as the implementation's own `get`
    /// does.
    fn get(&mut self, key: u64) -> Option<u64>;
    /// Inserts or replaces `key`; a full cache evicts by its policy.
    fn put(&mut self, key: u64, value: u64);
    /// Entries held now.
    fn len(&self) -> usize;
    /// Lets a cache with deferred maintenance (moka) finish it, so that `len` and memory
    /// figures are settled. A no-op for the others.
    fn settle(&mut self) {}
    /// Whether the cache is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// "get; on a miss, put" (the memoization pattern). Returns whether it was a hit.
///
/// ```
/// use evict_benches::adapters::{get_or_put, Evict};
///
/// let mut cache = Evict(evict_lru::LruCache::new(2));
/// assert!(!get_or_put(&mut cache, 1));
/// assert!(get_or_put(&mut cache, 1));
/// ```
#[inline]
pub fn get_or_put<C: BenchCache + ?Sized>(cache: &mut C, key: u64) -> bool {
    if cache.get(key).is_some() {
        true
    } else {
        cache.put(key, key);
        false
    }
}

/// Any evict policy, through the [`evict_core::Cache`] trait.
#[derive(Debug)]
pub struct Evict<C>(pub C);

impl<C: Cache<u64, u64>> BenchCache for Evict<C> {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        // `Put` hands back what left; dropping a u64 pair costs nothing.
        let _ = self.0.put(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// A bare `hashbrown::HashMap` with its default hasher: no eviction, no recency, the speed
/// limit of any hash-based cache.
#[derive(Debug, Default)]
pub struct HashMapLimit(pub hashbrown::HashMap<u64, u64>);

impl BenchCache for HashMapLimit {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// The least work any bounded hash cache does on a miss when full: one `remove` and one
/// `insert` in a bare `hashbrown::HashMap`, the removed key being the one inserted
/// `capacity` misses ago (so, in effect, a minimal FIFO). The limit for the put-evict
/// workload only.
#[derive(Debug)]
pub struct HashMapInsertRemove {
    map: hashbrown::HashMap<u64, u64>,
    ring: Vec<u64>,
    at: usize,
    capacity: usize,
}

impl HashMapInsertRemove {
    /// An empty map that keeps at most `capacity` (> 0) keys.
    pub fn new(capacity: usize) -> Self {
        Self {
            map: hashbrown::HashMap::default(),
            ring: Vec::with_capacity(capacity),
            at: 0,
            capacity: capacity.max(1),
        }
    }
}

impl BenchCache for HashMapInsertRemove {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.map.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        if self.map.insert(key, value).is_some() {
            return;
        }
        if self.ring.len() < self.capacity {
            self.ring.push(key);
        } else {
            let old = std::mem::replace(&mut self.ring[self.at], key);
            self.map.remove(&old);
            self.at += 1;
            if self.at == self.capacity {
                self.at = 0;
            }
        }
    }
    fn len(&self) -> usize {
        self.map.len()
    }
}

/// The `lru` crate's `LruCache` (default hasher).
#[derive(Debug)]
pub struct LruCrate(pub lru::LruCache<u64, u64>);

impl LruCrate {
    /// A cache of `capacity` entries (at least 1: the crate refuses 0).
    pub fn new(capacity: usize) -> Self {
        Self(lru::LruCache::new(
            NonZeroUsize::new(capacity.max(1)).expect("max(1)"),
        ))
    }
}

impl BenchCache for LruCrate {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.put(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// `schnellru::LruMap` limited by length (default hasher).
pub struct Schnellru(pub schnellru::LruMap<u64, u64, schnellru::ByLength>);

impl Schnellru {
    /// A map of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        let limit = u32::try_from(capacity).unwrap_or(u32::MAX);
        Self(schnellru::LruMap::new(schnellru::ByLength::new(limit)))
    }
}

impl std::fmt::Debug for Schnellru {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schnellru")
            .field("len", &self.0.len())
            .finish()
    }
}

impl BenchCache for Schnellru {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// `hashlink::LruCache` (default hasher).
pub struct Hashlink(pub hashlink::LruCache<u64, u64>);

impl Hashlink {
    /// A cache of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self(hashlink::LruCache::new(capacity))
    }
}

impl std::fmt::Debug for Hashlink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hashlink")
            .field("len", &self.0.len())
            .finish()
    }
}

impl BenchCache for Hashlink {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// `quick_cache::unsync::Cache` (its own CLOCK-PRO-like policy, default hasher).
#[derive(Debug)]
pub struct QuickUnsync(pub quick_cache::unsync::Cache<u64, u64>);

impl QuickUnsync {
    /// A cache of about `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self(quick_cache::unsync::Cache::new(capacity))
    }
}

impl BenchCache for QuickUnsync {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// The constant weigher of the weighted rows: every entry weighs 1, so a weighted cache of
/// capacity `n` holds the same entries as an unweighted one of `n`, and the rows measure
/// what weighing costs.
#[derive(Clone, Copy, Debug, Default)]
pub struct One;

impl quick_cache::Weighter<u64, u64> for One {
    #[inline]
    fn weight(&self, _: &u64, _: &u64) -> u64 {
        1
    }
}

/// `quick_cache::unsync::Cache` with a `Weighter` (constant weight 1), single-threaded.
#[derive(Debug)]
pub struct QuickWeighted(pub quick_cache::unsync::Cache<u64, u64, One>);

impl QuickWeighted {
    /// A cache of weight capacity `capacity` (about `capacity` entries).
    pub fn new(capacity: usize) -> Self {
        Self(quick_cache::unsync::Cache::with_weighter(
            capacity,
            capacity as u64,
            One,
        ))
    }
}

impl BenchCache for QuickWeighted {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key).copied()
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// `quick_cache::sync::Cache` (sharded, thread-safe).
#[derive(Debug)]
pub struct QuickSync(pub quick_cache::sync::Cache<u64, u64>);

impl QuickSync {
    /// A cache of about `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self(quick_cache::sync::Cache::new(capacity))
    }
}

impl BenchCache for QuickSync {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// `moka::sync::Cache` (thread-safe, TinyLFU admission, deferred maintenance).
#[derive(Debug)]
pub struct Moka(pub moka::sync::Cache<u64, u64>);

impl Moka {
    /// A cache of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self(moka::sync::Cache::new(capacity as u64))
    }
}

impl BenchCache for Moka {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        usize::try_from(self.0.entry_count()).unwrap_or(usize::MAX)
    }
    fn settle(&mut self) {
        self.0.run_pending_tasks();
    }
}

/// `moka::sync::Cache` with a `weigher` (constant weight 1) and a `max_capacity` in weight.
#[derive(Debug)]
pub struct MokaWeighted(pub moka::sync::Cache<u64, u64>);

impl MokaWeighted {
    /// A cache of weight capacity `capacity`.
    pub fn new(capacity: usize) -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(capacity as u64)
                .weigher(|_: &u64, _: &u64| 1)
                .build(),
        )
    }
}

impl BenchCache for MokaWeighted {
    #[inline]
    fn get(&mut self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }
    #[inline]
    fn put(&mut self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
    fn len(&self) -> usize {
        usize::try_from(self.0.entry_count()).unwrap_or(usize::MAX)
    }
    fn settle(&mut self) {
        self.0.run_pending_tasks();
    }
}

/// A cache shared by several threads (`&self` methods).
pub trait SharedCache: Sync {
    /// Looks `key` up.
    fn get(&self, key: u64) -> Option<u64>;
    /// Inserts or replaces `key`.
    fn put(&self, key: u64, value: u64);
}

/// "get; on a miss, put" on a shared cache. Returns whether it was a hit.
#[inline]
pub fn shared_get_or_put<C: SharedCache + ?Sized>(cache: &C, key: u64) -> bool {
    if cache.get(key).is_some() {
        true
    } else {
        cache.put(key, key);
        false
    }
}

impl SharedCache for QuickSync {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
}

impl SharedCache for Moka {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        self.0.insert(key, value);
    }
}

/// An evict policy behind a `std::sync::Mutex`: the simplest way to share one.
#[derive(Debug)]
pub struct Locked<C>(pub Mutex<C>);

impl<C: Cache<u64, u64> + Send> SharedCache for Locked<C> {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
            .copied()
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .put(key, value);
    }
}
