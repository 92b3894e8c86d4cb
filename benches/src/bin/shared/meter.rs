//! The counting allocator of the binaries: `allocation-counter` installs it as the global
//! allocator (its own crate holds the `unsafe`; this workspace forbids it) and counts per
//! thread.

use evict_benches::memory::{Allocs, Meter};

/// Counts with `allocation_counter::measure`.
#[derive(Debug)]
pub(crate) struct Counter;

impl Meter for Counter {
    fn measure(&self, f: &mut dyn FnMut()) -> Allocs {
        let info = allocation_counter::measure(f);
        Allocs {
            bytes_current: info.bytes_current,
            bytes_max: info.bytes_max,
            count_total: info.count_total,
        }
    }
}
