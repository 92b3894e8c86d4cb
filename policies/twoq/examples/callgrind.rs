//! Instruction counts per get-hit, get-miss and put-evict of `TwoQCache` at 100,000 `u64`
//! entries, for `valgrind --tool=callgrind`; the phases are in
//! `slots/examples/callgrind/ops.rs`, which says how to read the counts. After the fill
//! the entries are in A1in (no key was seen twice), so the hit phase measures A1in hits,
//! which move nothing.

use evict_twoq::{Cache, TwoQCache};

#[path = "../../../slots/examples/callgrind/ops.rs"]
mod ops;

fn main() {
    ops::run(TwoQCache::<u64, u64, _>::with_hasher(
        ops::CAPACITY as usize,
        ops::Fixed,
    ));
}
