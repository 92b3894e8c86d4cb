//! The phases of `examples/callgrind.rs` on a weighted cache with a constant weigher (every
//! entry weighs 1, capacity 100,000: the same entries as the unweighted run), to measure what
//! weighing costs per get-hit, get-miss and put-evict (issue 12).

use evict_s3fifo::{Cache, S3FifoCache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(S3FifoCache::<u64, u64, _, _>::with_weigher_and_hasher(
        ops::CAPACITY,
        |_: &u64, _: &u64| 1,
        ops::Fixed,
    ));
}
