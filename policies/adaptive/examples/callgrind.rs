//! Instruction counts per get-hit, get-miss and put-evict of `AdaptiveCache` at 100,000
//! `u64` entries, for `valgrind --tool=callgrind`; the phases are in
//! `slots/examples/callgrind/ops.rs`, which says how to read the counts. At this size one
//! `get` in 64 is sampled and also runs the three miniatures; the cache runs S3-FIFO (the
//! phases give its miniatures no reason to switch), so the difference to
//! `evict-s3fifo`'s own example is the adaptive layer's cost.

use evict_adaptive::{AdaptiveCache, Cache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(AdaptiveCache::<u64, u64, _>::with_hasher(
        ops::CAPACITY as usize,
        ops::Fixed,
    ));
}
