//! A weighted S3-FIFO in its steady state allocates nothing per `put` (issue 12), with weights
//! that vary from entry to entry: once the entries, the ghosts (each with its weight) and
//! their tables have reached their high-water marks, a long run of misses allocates nothing.
//! Counted with `allocation-counter` (which holds the `unsafe` of a global allocator); the workload is a fixed pseudo-random stream.

use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use evict_s3fifo::{Cache, S3FifoCache};

/// SplitMix64: the key stream.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn steady_state_puts_do_not_allocate() {
    // 20,000 keys with weights 1 to 64 (a key always weighs the same), a budget of about
    // 2,000 average entries; a hot tenth of the keys gets half the requests, so both
    // queues and the ghost (hits on it too) are in use.
    let mut cache = S3FifoCache::with_weigher_and_hasher(
        65_000,
        |_: &u64, w: &u64| *w,
        BuildHasherDefault::<DefaultHasher>::default(),
    );
    let mut state = 7;
    let mut request = |cache: &mut S3FifoCache<_, _, _, _>| {
        let r = next(&mut state);
        let key = if r & 1 == 0 { r % 2_000 } else { r % 20_000 };
        if cache.get(&key).is_none() {
            let _ = cache.put(key, 1 + key % 64);
        }
    };
    // The counter sees the cache grow (so that the zero below means something).
    let growing = allocation_counter::measure(|| {
        for _ in 0..1_000 {
            request(&mut cache);
        }
    })
    .count_total;
    assert!(growing > 0, "the allocation counter counts nothing");
    for _ in 0..400_000 {
        request(&mut cache);
    }
    let (small, main) = cache.queue_lens();
    assert!(
        small > 0 && main > 0 && cache.ghost_len() > 0,
        "queues {small}, {main}, ghosts {}",
        cache.ghost_len()
    );
    let allocs = allocation_counter::measure(|| {
        for _ in 0..200_000 {
            request(&mut cache);
        }
    })
    .count_total;
    assert_eq!(
        allocs, 0,
        "{allocs} allocations in 200,000 requests of a full cache"
    );
    assert!(cache.weight() <= 65_000);
}
