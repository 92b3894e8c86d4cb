//! The hit-ratio cost of `BufferedHits` for the policies whose hit reorders the shard (LRU,
//! ARC, W-TinyLFU): "get; on a miss, put" over Zipf(0.99) keys from 1M, from an empty cache,
//! by the policy on one thread, by `ConcurrentCache` over it with exclusive hits (the
//! default), and by `ConcurrentCache` over `BufferedHits` of it, with 1, 2 and 4 threads (each
//! thread takes every T-th request of the one sequence, all at once).
//!
//! ```text
//! cargo run --release -p evict-sync --example buffered_ratio -- [REQUESTS]
//! ```
//!
//! With several threads the interleaving differs from run to run (and so the ratio, a little);
//! with one thread the concurrent caches see the exact sequence.

use std::sync::Barrier;

use evict_core::Cache;
use evict_slots::{SplitMix64, mix64};
use evict_sync::{BufferedHits, ConcurrentCache, Shard};

#[path = "support/zipf.rs"]
mod zipf;
use zipf::Zipf;

/// Hit ratio (%) of one thread's "get; on a miss, put" on a single-threaded policy.
fn single<C: Cache<u64, u64>>(mut cache: C, keys: &[u64]) -> f64 {
    let hits = keys
        .iter()
        .filter(|&&k| {
            let hit = cache.get(&k).is_some();
            if !hit {
                let _ = cache.put(k, k);
            }
            hit
        })
        .count();
    100.0 * hits as f64 / keys.len() as f64
}

/// Hit ratio (%) of `threads` threads sharing `cache`, thread `t` taking requests
/// `t, t + threads, ...`; read from the cache's own exact counters.
fn shared<C>(cache: &ConcurrentCache<u64, u64, C>, keys: &[u64], threads: usize) -> f64
where
    C: Shard<u64, u64> + Send + Sync,
{
    let start = Barrier::new(threads);
    std::thread::scope(|s| {
        for t in 0..threads {
            let start = &start;
            s.spawn(move || {
                start.wait();
                for &k in keys.iter().skip(t).step_by(threads) {
                    if cache.get(&k).is_none() {
                        let _ = cache.put(k, k);
                    }
                }
            });
        }
    });
    let info = cache.info();
    100.0 * info.hits as f64 / (info.hits + info.misses) as f64
}

fn row<C, F>(name: &str, keys: &[u64], capacity: usize, make: F)
where
    C: Shard<u64, u64> + Send + Sync,
    F: Fn(usize) -> C + Copy,
{
    let alone = single(make(capacity), keys);
    let mut line = format!("| {name} | {capacity} | {alone:.2}% |");
    for threads in [1, 2, 4] {
        let exclusive = shared(&ConcurrentCache::new(capacity, make), keys, threads);
        let buffered = shared(
            &ConcurrentCache::new(capacity, move |c: usize| BufferedHits::new(make(c))),
            keys,
            threads,
        );
        line += &format!(
            " {exclusive:.2}% | {buffered:.2}% ({:+.2}) |",
            buffered - exclusive
        );
    }
    println!("{line}");
}

fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1 << 21);
    let zipf = Zipf::new(1_000_000, 0.99);
    let mut rng = SplitMix64::new(21);
    let keys: Vec<u64> = (0..requests)
        .map(|_| mix64(zipf.sample(&mut rng)))
        .collect();
    println!(
        "{requests} requests, Zipf 0.99 over 1M keys. Concurrent caches: default shards; \
         exclusive = hits under the shard's exclusive lock; buffered = BufferedHits (difference \
         to exclusive in points).\n"
    );
    println!(
        "| policy | capacity | single-threaded | 1 thr exclusive | 1 thr buffered | \
         2 thr exclusive | 2 thr buffered | 4 thr exclusive | 4 thr buffered |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for capacity in [100_000, 10_000] {
        row("LRU", &keys, capacity, evict_lru::LruCache::<u64, u64>::new);
        row("ARC", &keys, capacity, evict_arc::ArcCache::<u64, u64>::new);
        row(
            "W-TinyLFU",
            &keys,
            capacity,
            evict_wtinylfu::WTinyLfuCache::<u64, u64>::new,
        );
    }
}
