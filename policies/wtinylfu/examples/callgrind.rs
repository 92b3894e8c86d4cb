//! Instruction counts per get-hit, get-miss and put-evict of `WTinyLfuCache` at 100,000 `u64`
//! entries, for `valgrind --tool=callgrind`; the phases are in
//! `slots/examples/callgrind/ops.rs`, which says how to read the counts.

use evict_wtinylfu::{Cache, WTinyLfuCache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(WTinyLfuCache::<u64, u64, _>::with_hasher(
        ops::CAPACITY as usize,
        ops::Fixed,
    ));
}
