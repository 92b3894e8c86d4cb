//! A weighted ARC in its steady state allocates nothing per `put` (issue 12), with weights
//! that vary from entry to entry: the kit's `check_no_allocation_when_warm`. Counted with
//! `allocation-counter` (which holds the `unsafe` of a global allocator).

use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use evict_arc::ArcCache;
use evict_harness::weighted::{
    NO_ALLOCATION_CAPACITY, check_no_allocation_when_warm, value_weigher,
};

#[test]
fn steady_state_puts_do_not_allocate() {
    let mut cache = ArcCache::with_weigher_and_hasher(
        NO_ALLOCATION_CAPACITY,
        value_weigher,
        BuildHasherDefault::<DefaultHasher>::default(),
    );
    check_no_allocation_when_warm(
        &mut cache,
        |f| allocation_counter::measure(f).count_total,
        |cache| {
            let [_, _, b1, b2] = cache.sizes();
            assert!(
                b1 > 0 && b2 > 0,
                "both ghost lists in use: {:?}",
                cache.sizes()
            );
        },
    );
}
