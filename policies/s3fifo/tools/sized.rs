//! Hits and byte hits of evict's S3-FIFO in weight (`S3FifoCache::with_weigher`, each object
//! weighing its size) on an oracleGeneral trace, at 1%, 5%, 10% and 20% of its distinct
//! bytes (rounded down), "get; on a miss, put": the same replay as `policies/arc/tools/lcs_sized.py`
//! makes with libCacheSim 0.3.5, printed in the same format, so that the two can be compared
//! line by line (README, *Capacity by weight*).
//!
//!     zstd -dc ../shared/data/traces/libcachesim/cloudPhysicsIO.oracleGeneral.bin.zst > /tmp/cp.bin
//!     cargo run --release -p evict-s3fifo --example sized -- /tmp/cp.bin
//!
//! oracleGeneral records are 24 bytes, little-endian: u32 timestamp, u64 object id, u32
//! object size, i64 next access. An object's size is the one of its first request (they do
//! not change in the shared trace). Prints, per size: policy, percent, capacity in bytes,
//! requests, hits, bytes requested, bytes hit, hit ratio and byte hit ratio in percent.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use evict_s3fifo::{Cache, S3FifoCache};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: sized TRACE.oracleGeneral.bin");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let reqs: Vec<(u64, u32)> = bytes
        .chunks_exact(24)
        .map(|r| {
            let id = u64::from_le_bytes(r[4..12].try_into().unwrap_or_default());
            let size = u32::from_le_bytes(r[12..16].try_into().unwrap_or_default());
            (id, size)
        })
        .collect();
    let mut first = HashMap::new();
    for &(id, size) in &reqs {
        first.entry(id).or_insert(size);
    }
    let distinct: u64 = first.values().map(|&s| u64::from(s)).sum();
    let name = "s3fifo";
    for pct in [1, 5, 10, 20] {
        let cap = distinct * pct / 100;
        // A fixed hasher: the ghost holds hashes, so a seeded one could (very rarely) change
        // a count from run to run.
        let mut cache = S3FifoCache::with_weigher_and_hasher(
            cap,
            |_: &u64, size: &u32| u64::from(*size),
            BuildHasherDefault::<DefaultHasher>::default(),
        );
        let (mut hits, mut bytes_req, mut bytes_hit) = (0u64, 0u64, 0u64);
        for &(id, size) in &reqs {
            bytes_req += u64::from(size);
            if cache.get(&id).is_some() {
                hits += 1;
                bytes_hit += u64::from(size);
            } else {
                let _ = cache.put(id, size);
            }
        }
        let n = reqs.len() as u64;
        println!(
            "{name} {pct} {cap} {n} {hits} {bytes_req} {bytes_hit} {:.4} {:.4}",
            hits as f64 * 100.0 / n as f64,
            bytes_hit as f64 * 100.0 / bytes_req as f64
        );
    }
}
