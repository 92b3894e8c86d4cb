//! Instruction counts per get-hit, get-miss and put-evict of `S3FifoCache` at 100,000 `u64`
//! entries, for `valgrind --tool=callgrind`; the phases are in
//! `slots/examples/callgrind/ops.rs`, which says how to read the counts.

use evict_s3fifo::{Cache, S3FifoCache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(S3FifoCache::<u64, u64, _>::with_hasher(
        ops::CAPACITY as usize,
        ops::Fixed,
    ));
}
