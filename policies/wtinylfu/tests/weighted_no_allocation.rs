//! A weighted W-TinyLFU in its steady state allocates nothing per `put` (issue 12), with weights
//! that vary from entry to entry: the kit's `check_no_allocation_when_warm`. Counted with
//! `allocation-counter` (which holds the `unsafe` of a global allocator).

use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use evict_harness::weighted::{
    NO_ALLOCATION_CAPACITY, check_no_allocation_when_warm, value_weigher,
};
use evict_wtinylfu::WTinyLfuCache;

#[test]
fn steady_state_puts_do_not_allocate() {
    let mut cache = WTinyLfuCache::with_weigher_and_hasher(
        NO_ALLOCATION_CAPACITY,
        value_weigher,
        BuildHasherDefault::<DefaultHasher>::default(),
    );
    check_no_allocation_when_warm(
        &mut cache,
        |f| allocation_counter::measure(f).count_total,
        |cache| {
            let (_, probation, protected) = cache.segment_lens();
            assert!(
                probation > 0 && protected > 0,
                "segments in use: {:?}",
                cache.segment_lens()
            );
        },
    );
}
