//! Hit counts of evict's W-TinyLFU on trace key files (big-endian u64 records, as
//! `tools/libcachesim_hits.py --dump DIR` writes them), at 1%, 5%, 10% and 20% of each
//! file's distinct keys (rounded down), "get; on a miss, put", every request counted.
//!
//!     cargo run --release -p evict-wtinylfu --example cells -- [adaptive] [mul=M] DIR/*.i64be
//!
//! Prints one line per file: name, requests, distinct keys, then "capacity hits" per size,
//! the format of the libCacheSim script, so that tools/compare.py can join them.

use std::collections::HashSet;

use evict_wtinylfu::{Cache, WTinyLfuCache};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `mul=M`: every key multiplied by the odd number M (mod 2^64) first. A bijection, so
    // the trace is the same; only the sketch's hashes (and so its collisions) change,
    // which shows how much of a cell is the luck of the fixed-seed sketch hash.
    let mut mul = 1u64;
    // `adaptive`: the hill-climbing variant (`WTinyLfuCache::adaptive`).
    let mut adaptive = false;
    args.retain(|a| {
        if let Some(v) = a.strip_prefix("mul=") {
            mul = v.parse::<u64>().expect("mul=<odd number>") | 1;
        } else if a == "adaptive" {
            adaptive = true;
        } else {
            return true;
        }
        false
    });
    for path in args {
        let bytes = std::fs::read(&path).expect("readable key file");
        let keys: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")).wrapping_mul(mul))
            .collect();
        let distinct = keys.iter().collect::<HashSet<_>>().len();
        let name = std::path::Path::new(&path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?");
        let mut line = format!("{name} {} {distinct}", keys.len());
        for pct in [1, 5, 10, 20] {
            let size = distinct * pct / 100;
            let mut cache = if adaptive {
                WTinyLfuCache::adaptive(size)
            } else {
                WTinyLfuCache::new(size)
            };
            for &k in &keys {
                if cache.get(&k).is_none() {
                    let _ = cache.put(k, ());
                }
            }
            line += &format!(" {size} {}", cache.info().hits);
        }
        println!("{line}");
    }
}
