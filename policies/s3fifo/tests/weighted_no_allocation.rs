//! A weighted S3-FIFO in its steady state allocates nothing per `put` (issue 12), with weights
//! that vary from entry to entry: the kit's `check_no_allocation_when_warm`. Counted with
//! `allocation-counter` (which holds the `unsafe` of a global allocator).

use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use evict_harness::weighted::{
    NO_ALLOCATION_CAPACITY, check_no_allocation_when_warm, value_weigher,
};
use evict_s3fifo::S3FifoCache;

#[test]
fn steady_state_puts_do_not_allocate() {
    let mut cache = S3FifoCache::with_weigher_and_hasher(
        NO_ALLOCATION_CAPACITY,
        value_weigher,
        BuildHasherDefault::<DefaultHasher>::default(),
    );
    check_no_allocation_when_warm(
        &mut cache,
        |f| allocation_counter::measure(f).count_total,
        |cache| {
            let (small, main) = cache.queue_lens();
            assert!(
                small > 0 && main > 0 && cache.ghost_len() > 0,
                "queues {small}, {main}, ghosts {}",
                cache.ghost_len()
            );
        },
    );
}
