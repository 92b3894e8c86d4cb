//! Resident memory per entry of `AdaptiveCache<u64, u64>` or `S3FifoCache<u64, u64>`: the
//! growth of the process's resident set (`VmRSS` in `/proc/self/status`, Linux) while one
//! cache is filled with `3 × capacity` distinct keys by "get; on a miss, put" (so that it
//! evicts, its ghost and its miniatures fill), divided by the capacity. Run one cache per
//! process, at sizes where the allocator's own overhead is small (100,000 entries and up):
//!
//!     cargo run --release -p evict-adaptive --example memory -- adaptive 1000000
//!     cargo run --release -p evict-adaptive --example memory -- s3fifo 1000000
//!     cargo run --release -p evict-adaptive --example memory -- switch 1000000

use evict_adaptive::{AdaptiveCache, Cache};
use evict_s3fifo::S3FifoCache;

fn rss_bytes() -> usize {
    status_bytes("VmRSS:")
}

/// A `/proc/self/status` field in bytes: `VmRSS:` (resident now) or `VmHWM:` (the peak).
fn status_bytes(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .expect("the field");
    let kib: usize = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number of kB");
    kib * 1024
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let which = args.first().map_or("adaptive", String::as_str);
    let capacity: usize = args
        .get(1)
        .map_or(1_000_000, |c| c.parse().expect("capacity"));
    let before = rss_bytes();
    let mut cache: Box<dyn Cache<u64, u64>> = match which {
        "s3fifo" => Box::new(S3FifoCache::new(capacity)),
        "switch" => Box::new(S3FifoCache::new(0)),
        _ => Box::new(AdaptiveCache::new(capacity)),
    };
    for k in 0..3 * capacity as u64 {
        let k = k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        if cache.get(&k).is_none() {
            let _ = cache.put(k, k);
        }
    }
    let after = rss_bytes();
    if which == "switch" {
        // A loop over 1.2 × capacity keys, five passes: W-TinyLFU keeps part of the loop
        // where S3-FIFO keeps less, so the cache switches; the peak resident set shows what
        // the switch costs on top of the steady state.
        let mut cache = AdaptiveCache::new(capacity);
        let n = capacity as u64 * 6 / 5;
        for t in 0..5 * n {
            let k = (t % n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            if cache.get(&k).is_none() {
                let _ = cache.put(k, k);
            }
        }
        let steady = rss_bytes() - after;
        let peak = status_bytes("VmHWM:") - before;
        println!(
            "switch {capacity}: {} switches, steady {:.1} bytes per entry, peak {:.1}",
            cache.switches(),
            steady as f64 / capacity as f64,
            peak as f64 / capacity as f64
        );
        return;
    }
    println!(
        "{which} {capacity}: {:.1} bytes per entry (resident set growth)",
        (after - before) as f64 / capacity as f64
    );
}
