//! Instruction counts per get-hit, get-miss and put-evict of `LirsCache` at 100,000 `u64`
//! entries, for `valgrind --tool=callgrind`; the phases are in
//! `slots/examples/callgrind/ops.rs`, which says how to read the counts. After the fill,
//! 99% of the entries are LIR (the LIR set fills first), so the hit phase measures LIR hits:
//! the stack and LIR-list moves of the paper's rule.

use evict_lirs::{Cache, LirsCache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(LirsCache::<u64, u64, _>::with_hasher(
        ops::CAPACITY as usize,
        ops::Fixed,
    ));
}
