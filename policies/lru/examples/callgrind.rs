//! Instruction counts per get-hit, get-miss and put-evict of `LruCache` at 100,000 `u64`
//! entries, for `valgrind --tool=callgrind`; the phases are in
//! `slots/examples/callgrind/ops.rs`, which says how to read the counts.

use evict_lru::{Cache, LruCache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(LruCache::<u64, u64, _>::with_hasher(
        ops::CAPACITY as usize,
        ops::Fixed,
    ));
}
