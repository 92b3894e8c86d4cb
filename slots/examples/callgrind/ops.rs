//! The operations `valgrind --tool=callgrind` counts instructions of, shared by each policy
//! crate's `examples/callgrind.rs` (`#[path]`-included; cargo does not build this folder as
//! an example of its own, it has no `main.rs`).
//!
//! A cache of `CAPACITY` `u64` entries is filled, then four phases run, each in its own
//! `#[inline(never)]` function so that `callgrind_annotate --inclusive=yes` gives its total:
//! `get_hits` (every cached key twice, in a scattered order), `get_misses` (`OPS` keys never
//! put), `put_evicts` (`OPS` new keys into the full cache; W-TinyLFU may reject them, which
//! is its put-evict too). Instructions per op = a phase's inclusive count / its op count.
//! The hasher is fixed (a folded multiply), so a run repeats to the instruction.
//!
//! Each operation is one call of an `#[inline(never)]` function taking the key by value
//! (`get_one`, `put_one`), as a caller's own function would: whether the cache's code is
//! inlined into it is the compiler's choice, as for any caller, and the phase loops around
//! it stay the same from one build to the next, so that differences are the cache's.

use core::hash::{BuildHasher, Hasher};
use std::hint::black_box;

use super::Cache;

/// Entries in the full cache.
pub(crate) const CAPACITY: u64 = 100_000;
/// Operations in the miss and put-evict phases; the hit phase does `2 * CAPACITY`.
pub(crate) const OPS: u64 = 100_000;

/// A fixed, well-mixed hasher for `u64` keys, so that runs are identical.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fixed;

/// The state of [`Fixed`].
pub(crate) struct FixedHasher(u64);

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

/// The `i`-th key: SplitMix64's finaliser, a bijection, so distinct `i` give distinct keys.
fn key(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline(never)]
fn get_one<C: Cache<u64, u64>>(c: &mut C, k: u64) -> bool {
    c.get(&k).is_some()
}

#[inline(never)]
fn put_one<C: Cache<u64, u64>>(c: &mut C, k: u64, v: u64) {
    let _ = black_box(c.put(k, v));
}

#[inline(never)]
fn fill<C: Cache<u64, u64>>(c: &mut C) {
    for i in 0..CAPACITY {
        put_one(c, key(i), i);
    }
}

#[inline(never)]
fn get_hits<C: Cache<u64, u64>>(c: &mut C) -> u64 {
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
fn get_misses<C: Cache<u64, u64>>(c: &mut C) -> u64 {
    let mut found = 0;
    for i in 0..OPS {
        if get_one(c, black_box(key(10 * CAPACITY + i))) {
            found += 1;
        }
    }
    found
}

#[inline(never)]
fn put_evicts<C: Cache<u64, u64>>(c: &mut C) {
    for i in 0..OPS {
        put_one(c, key(20 * CAPACITY + i), i);
    }
}

/// Runs the phases on `c` (empty, of capacity [`CAPACITY`]) and prints what they found.
pub(crate) fn run<C: Cache<u64, u64>>(mut c: C) {
    fill(&mut c);
    let hits = get_hits(&mut c);
    let misses = get_misses(&mut c);
    put_evicts(&mut c);
    println!(
        "hit phase found {hits} of {}, miss phase found {misses} of {OPS}",
        2 * CAPACITY
    );
}
