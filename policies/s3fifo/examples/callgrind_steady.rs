//! Put-evict in the steady state, for `valgrind --tool=callgrind`: 400,000 new keys into a
//! cache of 100,000 `u64` entries (the ghost fills, so every later push also pops its
//! oldest), then the `steady` phase, 100,000 more; `w` as the first argument runs a
//! weighted cache with a constant weigher (every entry weighs 1). Instructions per op =
//! `steady`'s inclusive count (`callgrind_annotate --inclusive=yes`) / 100,000.
//! `examples/callgrind.rs`'s put-evict phase runs while the ghost is still filling, so it
//! never pops; this one measures the state a long-running cache is in.

use evict_s3fifo::{Cache, S3FifoCache};
use std::hint::black_box;

#[path = "../../../slots/examples/callgrind/ops.rs"]
#[allow(dead_code)]
mod ops;

/// The `i`-th key: SplitMix64's finaliser, as `ops.rs`'s.
fn key(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline(never)]
fn put_one<C: Cache<u64, u64>>(c: &mut C, k: u64, v: u64) {
    let _ = black_box(c.put(k, v));
}

#[inline(never)]
fn warm<C: Cache<u64, u64>>(c: &mut C) {
    for i in 0..4 * ops::CAPACITY {
        put_one(c, key(i), i);
    }
}

#[inline(never)]
fn steady<C: Cache<u64, u64>>(c: &mut C) {
    for i in 0..ops::OPS {
        put_one(c, key(10 * ops::CAPACITY + i), i);
    }
}

fn main() {
    let ghosts = if std::env::args().nth(1).as_deref() == Some("w") {
        let mut c = S3FifoCache::<u64, u64, _, _>::with_weigher_and_hasher(
            ops::CAPACITY,
            |_: &u64, _: &u64| 1,
            ops::Fixed,
        );
        warm(&mut c);
        steady(&mut c);
        c.ghost_len()
    } else {
        let mut c = S3FifoCache::<u64, u64, _>::with_hasher(ops::CAPACITY as usize, ops::Fixed);
        warm(&mut c);
        steady(&mut c);
        c.ghost_len()
    };
    println!("{ghosts} ghosts");
}
