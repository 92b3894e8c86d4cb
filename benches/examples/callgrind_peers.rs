//! The phases of `slots/examples/callgrind/ops.rs` (fill, get-hits, get-misses, put-evicts at
//! 100,000 `u64` entries) on one implementation chosen by name, through its bench adapter and
//! with its crate's default hasher, so that `valgrind --tool=callgrind` counts the
//! instructions per operation of evict and of its peers alike (issue 16). Each phase is an
//! `#[inline(never)]` function: `callgrind_annotate --inclusive=yes` gives its total, to be
//! divided by its operations (`get_hits`: 200,000; `get_misses`, `put_evicts`: 100,000).
//!
//! Usage: `cargo build --release -p evict-benches --example callgrind_peers`, then
//! `valgrind --tool=callgrind target/release/examples/callgrind_peers NAME` with NAME one of
//! `evict-lru`, `schnellru`, `hashlink`, `lru`, `quick_cache-unsync`, `hashbrown` (a bare
//! `HashMap` whose put-evict is one `remove` and one `insert`: `HashMapInsertRemove`).
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use evict_benches::adapters::{
    BenchCache, Evict, HashMapInsertRemove, Hashlink, LruCrate, QuickUnsync, Schnellru,
};
use evict_benches::workload::key;

/// Entries in the full cache.
const CAPACITY: u64 = 100_000;
/// Operations in the miss and put-evict phases; the hit phase does `2 * CAPACITY`.
const OPS: u64 = 100_000;

#[inline(never)]
fn get_one<C: BenchCache>(c: &mut C, k: u64) -> bool {
    c.get(k).is_some()
}

#[inline(never)]
fn put_one<C: BenchCache>(c: &mut C, k: u64, v: u64) {
    c.put(k, v);
}

#[inline(never)]
fn fill<C: BenchCache>(c: &mut C) {
    for i in 0..CAPACITY {
        put_one(c, key(i), i);
    }
}

#[inline(never)]
fn get_hits<C: BenchCache>(c: &mut C) -> u64 {
    let mut found = 0;
    for i in 0..2 * CAPACITY {
        // 40_503 is coprime to 100_000: every key, in a scattered order, twice.
        if get_one(c, black_box(key(i * 40_503 % CAPACITY))) {
            found += 1;
        }
    }
    found
}

#[inline(never)]
fn get_misses<C: BenchCache>(c: &mut C) -> u64 {
    let mut found = 0;
    for i in 0..OPS {
        if get_one(c, black_box(key(10 * CAPACITY + i))) {
            found += 1;
        }
    }
    found
}

#[inline(never)]
fn put_evicts<C: BenchCache>(c: &mut C) {
    for i in 0..OPS {
        put_one(c, key(20 * CAPACITY + i), i);
    }
}

fn run<C: BenchCache>(mut c: C) {
    fill(&mut c);
    let hits = get_hits(&mut c);
    let misses = get_misses(&mut c);
    put_evicts(&mut c);
    println!(
        "hit phase found {hits} of {}, miss phase found {misses} of {OPS}, {} entries",
        2 * CAPACITY,
        c.len()
    );
}

fn main() -> ExitCode {
    let cap = CAPACITY as usize;
    match std::env::args().nth(1).as_deref() {
        Some("evict-lru") => run(Evict(evict_lru::LruCache::new(cap))),
        Some("schnellru") => run(Schnellru::new(cap)),
        Some("hashlink") => run(Hashlink::new(cap)),
        Some("lru") => run(LruCrate::new(cap)),
        Some("quick_cache-unsync") => run(QuickUnsync::new(cap)),
        Some("hashbrown") => run(HashMapInsertRemove::new(cap)),
        _ => {
            eprintln!(
                "usage: callgrind_peers evict-lru|schnellru|hashlink|lru|quick_cache-unsync|hashbrown"
            );
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
