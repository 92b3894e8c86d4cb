//! The Zipf get-or-put mix of `src/bin/weighted.rs` (get, and put on a miss, over Zipf(0.99)
//! keys from a universe of 10 × 100,000, into a cache of 100,000 `u64` entries) under
//! `valgrind --tool=callgrind`, on evict's LRU or S3-FIFO, unweighted or with a constant
//! weigher (every entry weighs 1, so both hold the same entries): what weighing costs in
//! instructions and, with `--cache-sim=yes`, in simulated cache misses (issue 12). The
//! first half of the sequence warms the cache; `measured` runs 200,000 requests of the
//! second half, an `#[inline(never)]` function whose inclusive count, divided by 200,000,
//! is the cost of one request.
//!
//! Usage: `cargo build --release -p evict-benches --example callgrind_zipf`, then
//! `valgrind --tool=callgrind --cache-sim=yes --LL=1048576,16,64
//! target/release/examples/callgrind_zipf POLICY [w]` with POLICY `lru` or `s3fifo`, and
//! `w` for the weighted cache. The hasher is fixed (a folded multiply, as
//! `slots/examples/callgrind/ops.rs`'s), so a run repeats to the instruction.
#![forbid(unsafe_code)]

use std::hash::{BuildHasher, Hasher};
use std::process::ExitCode;

use evict_benches::adapters::{BenchCache, Evict, get_or_put};
use evict_benches::workload::key;
use evict_benches::zipf_sequence;
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;

/// Entries in the full cache.
const CAPACITY: usize = 100_000;
/// Requests measured.
const MEASURED: usize = 200_000;

/// A fixed, well-mixed hasher for `u64` keys, so that runs are identical.
#[derive(Clone, Copy, Default)]
struct Fixed;

/// The state of [`Fixed`].
struct FixedHasher(u64);

impl BuildHasher for Fixed {
    type Hasher = FixedHasher;
    fn build_hasher(&self) -> FixedHasher {
        FixedHasher(0x243f_6a88_85a3_08d3)
    }
}

impl Hasher for FixedHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        let p = u128::from(self.0 ^ n) * 0x9e37_79b9_7f4a_7c15;
        self.0 = (p as u64) ^ ((p >> 64) as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[inline(never)]
fn run(c: &mut dyn BenchCache, keys: &[u64]) -> u64 {
    keys.iter().map(|&k| u64::from(get_or_put(c, k))).sum()
}

#[inline(never)]
fn measured(c: &mut dyn BenchCache, keys: &[u64]) -> u64 {
    run(c, keys)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let policy = args.next().unwrap_or_default();
    let weighted = args.next().as_deref() == Some("w");
    let one = |_: &u64, _: &u64| 1;
    let mut c: Box<dyn BenchCache> = match (policy.as_str(), weighted) {
        ("lru", false) => Box::new(Evict(LruCache::<u64, u64, _>::with_hasher(CAPACITY, Fixed))),
        ("lru", true) => Box::new(Evict(LruCache::with_weigher_and_hasher(
            CAPACITY as u64,
            one,
            Fixed,
        ))),
        ("s3fifo", false) => Box::new(Evict(S3FifoCache::<u64, u64, _>::with_hasher(
            CAPACITY, Fixed,
        ))),
        ("s3fifo", true) => Box::new(Evict(S3FifoCache::with_weigher_and_hasher(
            CAPACITY as u64,
            one,
            Fixed,
        ))),
        _ => {
            eprintln!("usage: callgrind_zipf lru|s3fifo [w]");
            return ExitCode::FAILURE;
        }
    };
    let keys = zipf_sequence(10 * CAPACITY, 7);
    for i in 0..CAPACITY as u64 {
        c.put(key(i), i);
    }
    let (warm, rest) = keys.split_at(keys.len() / 2);
    let warm_hits = run(&mut *c, warm);
    let hits = measured(&mut *c, &rest[..rest.len().min(MEASURED)]);
    println!("{warm_hits} warm-up hits, {hits} measured hits");
    ExitCode::SUCCESS
}
