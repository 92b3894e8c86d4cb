//! Instructions per hit of the thread-safe cache, for `valgrind --tool=callgrind`: one
//! thread, 10,000 cached `u64` keys, `N` gets that all hit. Run it twice with different `N`
//! and divide the difference in instructions by the difference in `N`, so that the set-up
//! cancels out:
//!
//! ```text
//! cargo build --release -p evict-sync --example callgrind
//! valgrind --tool=callgrind target/release/examples/callgrind s3fifo 1000000
//! ```
//!
//! The first argument picks the cache: `s3fifo`, `sieve`, `clock`, `lru` (evict's
//! `ConcurrentCache` over that policy, built with `build`: each shard hashes the key again),
//! `s3fifo-hashed`, `sieve-hashed`, `clock-hashed` (built with `build_hashed`: the key is
//! hashed once) or `quick` (`quick_cache::sync::Cache`, the peer).

use std::hint::black_box;
use std::process::ExitCode;

use evict_sync::ConcurrentCache;

const KEYS: u64 = 10_000;

fn run(get: impl Fn(u64) -> Option<u64>, put: impl Fn(u64, u64), n: u64) -> u64 {
    for k in 0..KEYS {
        put(k, k);
    }
    let mut sum = 0u64;
    let mut k = 0u64;
    for _ in 0..n {
        // A stride that visits every key, so that no two consecutive gets share a line.
        k = (k + 7919) % KEYS;
        sum = sum.wrapping_add(get(black_box(k)).unwrap_or(0));
    }
    sum
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(which), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!(
            "usage: callgrind s3fifo|sieve|clock|lru|s3fifo-hashed|sieve-hashed|clock-hashed|quick N"
        );
        return ExitCode::FAILURE;
    };
    let cap = KEYS as usize * 2;
    macro_rules! evict {
        (hashed $make:expr) => {{
            let cache = ConcurrentCache::builder(cap).build_hashed($make);
            run(
                |k| cache.get(&k),
                |k, v| {
                    let _ = cache.put(k, v);
                },
                n,
            )
        }};
        ($make:expr) => {{
            let cache = ConcurrentCache::new(cap, $make);
            run(
                |k| cache.get(&k),
                |k, v| {
                    let _ = cache.put(k, v);
                },
                n,
            )
        }};
    }
    let sum = match which.as_str() {
        "s3fifo" => evict!(evict_s3fifo::S3FifoCache::new),
        "sieve" => evict!(evict_sieve::SieveCache::new),
        "clock" => evict!(evict_clock::ClockCache::new),
        "lru" => evict!(evict_lru::LruCache::new),
        "s3fifo-hashed" => evict!(hashed evict_s3fifo::S3FifoCache::with_hasher),
        "sieve-hashed" => evict!(hashed evict_sieve::SieveCache::with_hasher),
        "clock-hashed" => evict!(hashed evict_clock::ClockCache::with_hasher),
        "quick" => {
            let cache = quick_cache::sync::Cache::<u64, u64>::new(cap);
            run(|k| cache.get(&k), |k, v| cache.insert(k, v), n)
        }
        other => {
            eprintln!("unknown cache {other:?}");
            return ExitCode::FAILURE;
        }
    };
    println!("{sum}");
    ExitCode::SUCCESS
}
