//! Hit counts of the adaptive cache (and, for comparison, of the three policies it chooses
//! from) on trace key files (big-endian u64 records, as the W-TinyLFU crate's
//! `tools/libcachesim_hits.py --dump DIR` writes them), at 1%, 5%, 10% and 20% of each
//! file's distinct keys (rounded down), "get; on a miss, put", every request counted,
//! keys hashed with a fixed-seed foldhash (the simulator's `registry::HASH_SEED`).
//!
//!     cargo run --release -p evict-adaptive --example cells -- [seed=N] DIR/*.i64be
//!
//! Prints one line per file: name, requests, distinct keys, then "capacity hits switches
//! final-policy" per size.

use std::collections::HashSet;

use evict_adaptive::{AdaptiveCache, Cache};

fn main() {
    // `seed=N`: another hasher seed, to see how much of a cell is the luck of which keys the
    // miniatures sample (the simulator's seed is the default).
    let mut seed = 0x5eed_cafe_u64;
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    paths.retain(|a| match a.strip_prefix("seed=") {
        Some(v) => {
            seed = v.parse().expect("seed=<number>");
            false
        }
        None => true,
    });
    for path in paths {
        let bytes = std::fs::read(&path).expect("readable key file");
        let keys: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")))
            .collect();
        let distinct = keys.iter().collect::<HashSet<_>>().len();
        let name = std::path::Path::new(&path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?");
        let mut line = format!("{name} {} {distinct}", keys.len());
        for pct in [1, 5, 10, 20] {
            let size = distinct * pct / 100;
            let hasher = foldhash::fast::FixedState::with_seed(seed);
            let mut cache = AdaptiveCache::with_hasher(size, hasher);
            for &k in &keys {
                if cache.get(&k).is_none() {
                    let _ = cache.put(k, ());
                }
            }
            line += &format!(
                " {size} {} {} {:?}",
                cache.info().hits,
                cache.switches(),
                cache.policy()
            );
        }
        println!("{line}");
    }
}
