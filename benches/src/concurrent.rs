//! The parts of the multi-threaded throughput benchmark (`src/bin/threads.rs`): one
//! [`Concurrent`] adapter per thread-safe cache, the list of them ([`for_each_concurrent`]),
//! the per-thread operation streams ([`Stream`]) and the runner ([`run`]).
//!
//! Every thread replays its own pre-generated stream (generation is not timed), so the timed
//! loop does nothing but cache operations and a counter update.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use evict_core::Shard;
use evict_sync::ConcurrentCache;
use mini_moka::sync::ConcurrentCacheExt;

use crate::workload::SplitMix64;

/// The shard count every evict row is built with: 0 (the default) means
/// `evict_sync::default_shards`; the `threads` binary's `--shards` sets it.
pub static SHARDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// An evict concurrent cache of `capacity` with the shard count [`SHARDS`] says.
fn sharded<K, V, C: evict_core::Cache<K, V>>(
    capacity: usize,
    make: impl FnMut(usize) -> C,
) -> ConcurrentCache<K, V, C> {
    match SHARDS.load(Ordering::Relaxed) {
        0 => ConcurrentCache::new(capacity, make),
        n => ConcurrentCache::builder(capacity).shards(n).build(make),
    }
}

/// [`sharded`], with every shard built by `make(shard_capacity, hasher)` from a clone of the
/// cache's hasher (`Builder::build_hashed`): a hit hashes its key once (the shard takes the
/// hash that picked it). For the policies whose hits run under the shared lock.
fn sharded_hashed<K, V, C: evict_core::Cache<K, V>>(
    capacity: usize,
    make: impl FnMut(usize, evict_sync::DefaultHashBuilder) -> C,
) -> ConcurrentCache<K, V, C> {
    match SHARDS.load(Ordering::Relaxed) {
        0 => ConcurrentCache::builder(capacity).build_hashed(make),
        n => ConcurrentCache::builder(capacity)
            .shards(n)
            .build_hashed(make),
    }
}

/// A cache shared by threads through `&self`, on `u64` keys and values.
pub trait Concurrent: Sync {
    /// Looks `key` up (a hit updates the policy's state as the cache's own `get` does).
    fn get(&self, key: u64) -> Option<u64>;
    /// Inserts or replaces `key`.
    fn put(&self, key: u64, value: u64);
    /// Whether `key` is cached, without counting a hit or touching the policy where the
    /// cache offers that.
    fn contains(&self, key: u64) -> bool;
    /// Lets a cache with deferred maintenance (moka, mini_moka) apply it. A no-op elsewhere.
    fn settle(&self) {}
}

/// `evict_sync::ConcurrentCache` over one evict policy, with its default shard count.
#[derive(Debug)]
pub struct EvictSync<C: evict_core::Cache<u64, u64>>(pub ConcurrentCache<u64, u64, C>);

impl<C> Concurrent for EvictSync<C>
where
    C: Shard<u64, u64, u64> + Send + Sync,
{
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        // `Put` hands back what left; dropping a u64 pair costs nothing.
        let _ = self.0.put(key, value);
    }
    fn contains(&self, key: u64) -> bool {
        self.0.contains(&key)
    }
}

impl Concurrent for quick_cache::sync::Cache<u64, u64> {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        quick_cache::sync::Cache::get(self, &key)
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        self.insert(key, value);
    }
    fn contains(&self, key: u64) -> bool {
        self.contains_key(&key)
    }
}

impl Concurrent for moka::sync::Cache<u64, u64> {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        moka::sync::Cache::get(self, &key)
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        self.insert(key, value);
    }
    fn contains(&self, key: u64) -> bool {
        self.contains_key(&key)
    }
    fn settle(&self) {
        self.run_pending_tasks();
    }
}

impl Concurrent for mini_moka::sync::Cache<u64, u64> {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        mini_moka::sync::Cache::get(self, &key)
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        self.insert(key, value);
    }
    fn contains(&self, key: u64) -> bool {
        self.contains_key(&key)
    }
    fn settle(&self) {
        self.sync();
    }
}

/// `std::sync::Mutex<lru::LruCache>`: the simplest way to share an exact LRU, one lock for
/// every operation.
#[derive(Debug)]
pub struct MutexLru(pub Mutex<lru::LruCache<u64, u64>>);

impl MutexLru {
    /// An LRU cache of `capacity` entries (at least 1) behind one mutex.
    pub fn new(capacity: usize) -> Self {
        let cap = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self(Mutex::new(lru::LruCache::new(cap)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<u64, u64>> {
        // Nothing here panics while holding the lock; a poisoned lock still holds a valid LRU.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Concurrent for MutexLru {
    #[inline]
    fn get(&self, key: u64) -> Option<u64> {
        self.lock().get(&key).copied()
    }
    #[inline]
    fn put(&self, key: u64, value: u64) {
        self.lock().put(key, value);
    }
    fn contains(&self, key: u64) -> bool {
        self.lock().contains(&key)
    }
}

/// A thread-safe implementation's name, and for evict's the single-threaded policy it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConcurrentMeta {
    /// Its name in the tables and on the command line.
    pub name: &'static str,
    /// For evict's: the single-threaded policy's name in [`crate::impl_names`]
    /// (`"evict-s3fifo"`), the reference of its hit ratio; `None` for the others.
    pub policy: Option<&'static str>,
}

/// Receives every thread-safe implementation.
pub trait ConcurrentVisitor {
    /// Called once per implementation, in table order, with a constructor taking the total
    /// capacity in entries.
    fn visit<C: Concurrent + 'static, F: Fn(usize) -> C>(&mut self, meta: ConcurrentMeta, make: F);
}

const fn evict(name: &'static str, policy: &'static str) -> ConcurrentMeta {
    ConcurrentMeta {
        name,
        policy: Some(policy),
    }
}

const fn other(name: &'static str) -> ConcurrentMeta {
    ConcurrentMeta { name, policy: None }
}

/// Calls `visitor` for `evict_sync::ConcurrentCache` (default shards) over every bounded evict
/// policy, then over LRU, ARC and W-TinyLFU with buffered hits (`evict_sync::BufferedHits`,
/// `buffered-*`), then `quick_cache::sync`, `moka::sync`, `mini_moka::sync` and
/// `Mutex<lru::LruCache>`.
pub fn for_each_concurrent<V: ConcurrentVisitor>(visitor: &mut V) {
    use evict_sync::BufferedHits;
    visitor.visit(evict("evict-lru", "evict-lru"), |cap| {
        EvictSync(sharded(cap, evict_lru::LruCache::new))
    });
    visitor.visit(evict("evict-fifo", "evict-fifo"), |cap| {
        EvictSync(sharded_hashed(cap, evict_fifo::FifoCache::with_hasher))
    });
    visitor.visit(evict("evict-random", "evict-random"), |cap| {
        EvictSync(sharded(cap, |c| {
            evict_random::RandomCache::with_seed(c, 0x5EED)
        }))
    });
    visitor.visit(evict("evict-clock", "evict-clock"), |cap| {
        EvictSync(sharded_hashed(cap, evict_clock::ClockCache::with_hasher))
    });
    visitor.visit(evict("evict-sieve", "evict-sieve"), |cap| {
        EvictSync(sharded_hashed(cap, evict_sieve::SieveCache::with_hasher))
    });
    visitor.visit(evict("evict-s3fifo", "evict-s3fifo"), |cap| {
        EvictSync(sharded_hashed(cap, evict_s3fifo::S3FifoCache::with_hasher))
    });
    visitor.visit(evict("evict-arc", "evict-arc"), |cap| {
        EvictSync(sharded(cap, evict_arc::ArcCache::new))
    });
    visitor.visit(evict("evict-wtinylfu", "evict-wtinylfu"), |cap| {
        EvictSync(sharded(cap, evict_wtinylfu::WTinyLfuCache::new))
    });
    visitor.visit(evict("evict-lirs", "evict-lirs"), |cap| {
        EvictSync(sharded(cap, evict_lirs::LirsCache::new))
    });
    visitor.visit(evict("evict-twoq", "evict-twoq"), |cap| {
        EvictSync(sharded(cap, evict_twoq::TwoQCache::new))
    });
    visitor.visit(evict("evict-adaptive", "evict-adaptive"), |cap| {
        EvictSync(sharded(cap, evict_adaptive::AdaptiveCache::new))
    });
    // Weighted shards with a constant weigher (every entry weighs 1), as the single-threaded
    // weighted rows: the difference is what weighing costs under the shard locks.
    visitor.visit(evict("evict-lru-weighted", "evict-lru-weighted"), |cap| {
        EvictSync(sharded(cap, |c| {
            evict_lru::LruCache::with_weigher(c as u64, |_: &u64, _: &u64| 1)
        }))
    });
    visitor.visit(
        evict("evict-s3fifo-weighted", "evict-s3fifo-weighted"),
        |cap| {
            EvictSync(sharded(cap, |c| {
                evict_s3fifo::S3FifoCache::with_weigher(c as u64, |_: &u64, _: &u64| 1)
            }))
        },
    );
    visitor.visit(
        evict("evict-wtinylfu-weighted", "evict-wtinylfu-weighted"),
        |cap| {
            EvictSync(sharded(cap, |c| {
                evict_wtinylfu::WTinyLfuCache::with_weigher(c as u64, |_: &u64, _: &u64| 1)
            }))
        },
    );
    visitor.visit(evict("buffered-lru", "evict-lru"), |cap| {
        EvictSync(sharded(cap, |c| {
            BufferedHits::new(evict_lru::LruCache::new(c))
        }))
    });
    visitor.visit(evict("buffered-arc", "evict-arc"), |cap| {
        EvictSync(sharded(cap, |c| {
            BufferedHits::new(evict_arc::ArcCache::new(c))
        }))
    });
    visitor.visit(evict("buffered-wtinylfu", "evict-wtinylfu"), |cap| {
        EvictSync(sharded(cap, |c| {
            BufferedHits::new(evict_wtinylfu::WTinyLfuCache::new(c))
        }))
    });
    visitor.visit(
        other("quick_cache"),
        quick_cache::sync::Cache::<u64, u64>::new,
    );
    visitor.visit(other("moka"), |cap| {
        moka::sync::Cache::<u64, u64>::new(cap as u64)
    });
    visitor.visit(other("mini_moka"), |cap| {
        mini_moka::sync::Cache::<u64, u64>::new(cap as u64)
    });
    visitor.visit(other("mutex-lru"), MutexLru::new);
}

/// Every thread-safe implementation, in table order.
///
/// ```
/// let names: Vec<_> = evict_benches::concurrent::concurrent_names()
///     .iter()
///     .map(|m| m.name)
///     .collect();
/// assert!(names.contains(&"evict-s3fifo") && names.contains(&"quick_cache"));
/// ```
pub fn concurrent_names() -> Vec<ConcurrentMeta> {
    struct Names(Vec<ConcurrentMeta>);
    impl ConcurrentVisitor for Names {
        fn visit<C: Concurrent + 'static, F: Fn(usize) -> C>(&mut self, m: ConcurrentMeta, _: F) {
            self.0.push(m);
        }
    }
    let mut names = Names(Vec::new());
    for_each_concurrent(&mut names);
    names.0
}

/// One thread's operations: keys replayed in order (wrapping at the end), and which of them
/// are puts (every other one is a get).
#[derive(Clone, Debug)]
pub struct Stream {
    keys: Vec<u64>,
    /// One bit per key, set for a put; empty when every operation is a get.
    puts: Vec<u64>,
}

impl Stream {
    /// Gets only, of `keys` in order.
    ///
    /// # Panics
    ///
    /// If `keys.len()` is not a power of two (the replay wraps with a mask).
    pub fn gets(keys: Vec<u64>) -> Self {
        assert!(keys.len().is_power_of_two(), "stream length must be 2^k");
        Self {
            keys,
            puts: Vec::new(),
        }
    }

    /// `keys` in order, each independently a put with probability `put_percent / 100`
    /// (decided by a SplitMix64 seeded with `seed`), else a get.
    ///
    /// ```
    /// use evict_benches::concurrent::Stream;
    ///
    /// let s = Stream::mixed(vec![7; 1024], 10, 1);
    /// assert!((60..150).contains(&s.put_count()));
    /// ```
    ///
    /// # Panics
    ///
    /// If `keys.len()` is not a power of two.
    pub fn mixed(keys: Vec<u64>, put_percent: u32, seed: u64) -> Self {
        assert!(keys.len().is_power_of_two(), "stream length must be 2^k");
        let mut rng = SplitMix64::new(seed);
        let mut puts = vec![0u64; keys.len().div_ceil(64)];
        for i in 0..keys.len() {
            if rng.below(100) < put_percent {
                puts[i / 64] |= 1 << (i % 64);
            }
        }
        Self { keys, puts }
    }

    /// The keys, in replay order.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    /// How many of the operations are puts.
    pub fn put_count(&self) -> u64 {
        self.puts.iter().map(|w| u64::from(w.count_ones())).sum()
    }
}

/// When a run stops.
#[derive(Clone, Copy, Debug)]
pub enum Stop {
    /// After this long (set by the main thread; each thread checks every [`BATCH`] operations).
    After(Duration),
    /// After at least this many operations per thread (rounded up to [`BATCH`]).
    Ops(u64),
}

/// Operations between two checks of the stop flag.
pub const BATCH: u64 = 1024;

/// What the threads of one run did, summed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Operations, all threads together.
    pub ops: u64,
    /// Gets among them.
    pub gets: u64,
    /// Gets that found their key.
    pub hits: u64,
    /// From the first thread's start to the last thread's end, in seconds.
    pub secs: f64,
}

impl Outcome {
    /// Total throughput, million operations per second.
    pub fn mops(&self) -> f64 {
        if self.secs > 0.0 {
            self.ops as f64 / self.secs / 1e6
        } else {
            0.0
        }
    }

    /// `hits / gets` (0 without gets).
    pub fn hit_ratio(&self) -> f64 {
        if self.gets == 0 {
            0.0
        } else {
            self.hits as f64 / self.gets as f64
        }
    }
}

/// Runs one thread per stream on `cache` at once, all released together by a barrier, until
/// `stop`.
///
/// ```
/// use evict_benches::concurrent::{run, Concurrent, MutexLru, Stop, Stream};
///
/// let cache = MutexLru::new(100);
/// cache.put(5, 5);
/// let streams = [Stream::gets(vec![5; 64]), Stream::gets(vec![5; 64])];
/// let out = run(&cache, &streams, Stop::Ops(2048));
/// assert_eq!((out.ops, out.gets, out.hits), (4096, 4096, 4096));
/// ```
pub fn run<C: Concurrent + ?Sized>(cache: &C, streams: &[Stream], stop: Stop) -> Outcome {
    let flag = AtomicBool::new(false);
    let barrier = Barrier::new(streams.len() + 1);
    let limit = match stop {
        Stop::After(_) => u64::MAX,
        Stop::Ops(n) => n,
    };
    let results: Vec<(Instant, Instant, u64, u64, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = streams
            .iter()
            .map(|stream| {
                let (flag, barrier) = (&flag, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    let (ops, gets, hits) = replay(cache, stream, flag, limit);
                    (start, Instant::now(), ops, gets, hits)
                })
            })
            .collect();
        barrier.wait();
        if let Stop::After(d) = stop {
            std::thread::sleep(d);
            flag.store(true, Ordering::Relaxed);
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out = Outcome::default();
    let first = results.iter().map(|r| r.0).min();
    let last = results.iter().map(|r| r.1).max();
    if let (Some(first), Some(last)) = (first, last) {
        out.secs = last.duration_since(first).as_secs_f64();
    }
    for r in &results {
        out.ops += r.2;
        out.gets += r.3;
        out.hits += r.4;
    }
    out
}

/// One thread's timed loop. Returns (operations, gets, hits).
fn replay<C: Concurrent + ?Sized>(
    cache: &C,
    stream: &Stream,
    stop: &AtomicBool,
    limit: u64,
) -> (u64, u64, u64) {
    let keys = stream.keys.as_slice();
    let mask = keys.len() - 1;
    let (mut i, mut ops, mut hits, mut sum) = (0usize, 0u64, 0u64, 0u64);
    if stream.puts.is_empty() {
        // Gets only: a separate loop, so the read-only runs pay no put test.
        loop {
            for _ in 0..BATCH {
                if let Some(v) = cache.get(keys[i]) {
                    hits += 1;
                    sum = sum.wrapping_add(v);
                }
                i = (i + 1) & mask;
            }
            ops += BATCH;
            if ops >= limit || stop.load(Ordering::Relaxed) {
                break;
            }
        }
        black_box(sum);
        return (ops, ops, hits);
    }
    let puts = stream.puts.as_slice();
    let mut gets = 0u64;
    loop {
        for _ in 0..BATCH {
            let k = keys[i];
            if (puts[i / 64] >> (i % 64)) & 1 == 1 {
                cache.put(k, k);
            } else {
                gets += 1;
                if let Some(v) = cache.get(k) {
                    hits += 1;
                    sum = sum.wrapping_add(v);
                }
            }
            i = (i + 1) & mask;
        }
        ops += BATCH;
        if ops >= limit || stop.load(Ordering::Relaxed) {
            break;
        }
    }
    black_box(sum);
    (ops, gets, hits)
}

/// "get; on a miss, put" over `keys` from one thread; returns the hits.
pub fn count_hits<C: Concurrent + ?Sized>(cache: &C, keys: &[u64]) -> u64 {
    let mut hits = 0;
    for &k in keys {
        if cache.get(k).is_some() {
            hits += 1;
        } else {
            cache.put(k, k);
        }
    }
    hits
}

/// A pure-compute loop (no memory traffic): `rounds` SplitMix64 steps. Timed on one thread
/// and on two at once, it tells whether two threads really run in parallel.
pub fn spin(rounds: u64) -> u64 {
    let mut rng = SplitMix64::new(black_box(rounds));
    let mut acc = 0u64;
    for _ in 0..rounds {
        acc ^= rng.next_u64();
    }
    black_box(acc)
}

/// The parallelism check: `2 × (time of spin on 1 thread) / (time of spin on 2 threads at
/// once)`. About 2 when two cores are free, about 1 when the two threads share one.
pub fn parallel_ratio(rounds: u64) -> f64 {
    let t = Instant::now();
    spin(rounds);
    let one = t.elapsed().as_secs_f64();
    let barrier = Barrier::new(2);
    let t = std::thread::scope(|s| {
        let other = s.spawn(|| {
            barrier.wait();
            spin(rounds);
        });
        barrier.wait();
        let t = Instant::now();
        spin(rounds);
        other
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        t.elapsed().as_secs_f64()
    });
    if t > 0.0 { 2.0 * one / t } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every thread-safe cache answers gets and puts, and the read-only stream after a fill
    /// hits every time (the property the read-only workload relies on).
    #[test]
    fn every_cache_hits_what_was_put() {
        struct Check;
        impl ConcurrentVisitor for Check {
            fn visit<C: Concurrent + 'static, F: Fn(usize) -> C>(
                &mut self,
                m: ConcurrentMeta,
                make: F,
            ) {
                let cache = make(1000);
                // Half the capacity: no shard of a sharded cache can overflow by chance.
                for k in 0..500u64 {
                    cache.put(crate::workload::key(k), k);
                }
                cache.settle();
                for k in 0..500u64 {
                    assert!(
                        cache.contains(crate::workload::key(k)),
                        "{} lost {k}",
                        m.name
                    );
                }
                let keys: Vec<u64> = (0..1024u64)
                    .map(|i| crate::workload::key(i % 500))
                    .collect();
                let streams = [Stream::gets(keys.clone()), Stream::gets(keys)];
                let out = run(&cache, &streams, Stop::Ops(4096));
                assert_eq!(out.hits, out.gets, "{}", m.name);
                assert_eq!(out.ops, 8192, "{}", m.name);
            }
        }
        for_each_concurrent(&mut Check);
    }

    /// Every bounded policy of the single-threaded benches has its concurrent row, under the
    /// same name, and every reference policy named exists there.
    #[test]
    fn every_bounded_policy_is_measured() {
        let single: Vec<_> = crate::impl_names()
            .into_iter()
            .filter(|m| m.evict && m.kind != crate::Kind::Unbounded)
            .map(|m| m.name)
            .collect();
        let rows = concurrent_names();
        for name in &single {
            assert!(
                rows.iter()
                    .any(|m| m.name == *name && m.policy == Some(*name)),
                "{name}"
            );
        }
        for m in &rows {
            if let Some(p) = m.policy {
                assert!(single.contains(&p), "{} refers to {p}", m.name);
            }
        }
    }

    #[test]
    fn mixed_streams_count_their_puts() {
        let s = Stream::mixed((0..4096).collect(), 10, 3);
        let out = run(
            &MutexLru::new(10),
            std::slice::from_ref(&s),
            Stop::Ops(4096),
        );
        assert_eq!(out.ops - out.gets, s.put_count());
    }
}
