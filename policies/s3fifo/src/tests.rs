//! The crate's own tests: the conformance kit against the model, and S3-FIFO's behaviour
//! (ghost hits, promotion, second chances, scans), its ghost ring and index, and its memory.

extern crate std;

use alloc::string::ToString;
use alloc::vec::Vec;
use core::hash::BuildHasher;

use evict_harness::{Op, Settings, model};

use crate::ghost::{fingerprint, ghost_buckets, ghost_capacity};
use crate::queues::MAIN;
use crate::{Cache, MAX_CAPACITY, Put, S3FifoCache};

/// A fixed-seed hasher: the ghost keeps fingerprints, so the tests pin the seed (and
/// check below that it gives the test keys distinct fingerprints).
type Fixed = foldhash::fast::FixedState;
fn fixed() -> Fixed {
    foldhash::fast::FixedState::with_seed(0x53_4649_464f)
}

/// The structure's own checks, and `peek_victim`'s simulation against an eviction run on a
/// copy, after every step of the kit.
fn validate(c: &S3FifoCache<u8, u16, Fixed>) {
    c.check_invariants();
    c.check_victim();
}

// Capacities up to 40 so that the 10% small queue holds up to 4 entries and the ghost 36.
evict_harness::conformance!(
    conformance,
    |cap| S3FifoCache::with_hasher(cap, fixed()),
    model = model::s3fifo::S3Fifo::new,
    validate = validate,
    settings = Settings {
        max_capacity: 40,
        keys: 64,
        max_ops: 500
    },
    iteration = true,
    double_ended = true
);

// Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
// the cache consistent, working, and losing no value undropped.
evict_harness::hostile!(
    hostile,
    S3FifoCache::new,
    validate = |c: &S3FifoCache<_, _>| {
        c.check_invariants();
        c.check_victim();
    },
    settings = Settings {
        max_capacity: 40,
        keys: 64,
        max_ops: 300
    }
);

// The kit's default shape: tiny capacities (small target 0 or 1, ghost of 0 to 10).
evict_harness::conformance!(
    conformance_tiny,
    |cap| S3FifoCache::with_hasher(cap, fixed()),
    model = model::s3fifo::S3Fifo::new,
    validate = validate,
    iteration = true,
    double_ended = true
);

#[test]
fn test_keys_have_distinct_fingerprints() {
    let hasher = fixed();
    let mut fps: Vec<u32> = (0..=255u8)
        .map(|k| fingerprint(hasher.hash_one(k)))
        .collect();
    fps.sort_unstable();
    fps.dedup();
    assert_eq!(fps.len(), 256);
}

/// Where a cached key lives: `Some(true)` for main, `Some(false)` for small.
fn in_main<V>(cache: &S3FifoCache<u32, V, Fixed>, key: u32) -> Option<bool> {
    let i = cache.slab.find(&key)?;
    Some(cache.queue_of(i) == MAIN)
}

#[test]
fn a_ghost_hit_goes_straight_to_main() {
    let mut c = S3FifoCache::with_hasher(20, fixed()); // small 2, main 18, ghost 18
    for k in 0..20u32 {
        assert_eq!(c.put(k, k), Put::Inserted);
    }
    assert_eq!(c.queue_lens(), (2, 18));
    assert_eq!(in_main(&c, 0), Some(false));
    // 0 was never read: the first eviction takes it from small, into the ghost.
    assert_eq!(c.put(20, 20), Put::Evicted(0, 0));
    assert_eq!(c.ghost_len(), 1);
    assert_eq!(in_main(&c, 20), Some(false));
    // Back again: straight to main, and the ghost forgets it.
    assert_eq!(c.put(0, 0), Put::Evicted(1, 1));
    assert_eq!(in_main(&c, 0), Some(true));
    assert_eq!(c.ghost_len(), 1); // now just 1
    c.check_invariants();
    // A brand-new key still starts in small.
    let _ = c.put(99, 99);
    assert_eq!(in_main(&c, 99), Some(false));
    c.check_invariants();
}

#[test]
fn removing_a_ghost_forgets_it() {
    let mut c = S3FifoCache::with_hasher(20, fixed());
    for k in 0..21u32 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.ghost_len(), 1);
    assert_eq!(c.remove(&0), None);
    assert_eq!(c.ghost_len(), 0);
    let _ = c.put(0, 0);
    assert_eq!(in_main(&c, 0), Some(false));
    c.check_invariants();
}

#[test]
fn a_small_entry_read_twice_moves_to_main() {
    let mut c = S3FifoCache::with_hasher(20, fixed());
    for k in 0..20u32 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.get(&0), Some(&0));
    assert_eq!(c.get(&0), Some(&0));
    assert_eq!(c.get(&1), Some(&1)); // once is not enough
    assert_eq!(c.put(20, 20), Put::Evicted(1, 1));
    assert_eq!(in_main(&c, 0), Some(true));
    c.check_invariants();
}

#[test]
fn a_scan_of_one_hit_wonders_does_not_flush_frequent_entries() {
    let mut c = S3FifoCache::with_hasher(100, fixed());
    let get_or_put = |c: &mut S3FifoCache<u32, u32, Fixed>, k: u32| {
        if c.get(&k).is_none() {
            let _ = c.put(k, k);
        }
    };
    for _ in 0..3 {
        for k in 0..50 {
            get_or_put(&mut c, k);
        }
    }
    for k in 1_000..11_000 {
        get_or_put(&mut c, k);
    }
    c.check_invariants();
    for k in 0..50 {
        assert_eq!(c.peek(&k), Some(&k), "hot key {k} was flushed by the scan");
    }
    // An LRU of the same size would have kept only the last 100 scan keys.
    assert_eq!(c.info().hits, 100);
}

#[test]
fn main_gives_second_chances_like_clock() {
    let mut c = S3FifoCache::with_hasher(3, fixed()); // small target 0: warm-up fills main
    for k in 0..3u32 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.queue_lens(), (0, 3));
    let _ = c.get(&0);
    assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    assert_eq!(c.queue_lens(), (1, 2));
    c.check_invariants();
}

/// A long pseudo-random "get; on a miss, put" run with removes, over more keys than the
/// property tests use, compared with the model step by step; it fills the ghost's slack
/// with holes, so the ring is compacted many times.
#[test]
fn long_run_matches_the_model_through_ghost_compactions() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut ops = Vec::new();
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Skewed keys: small ones are frequent, so ghosts come back often.
        let k = ((state >> 8) % 256) as u8 & ((state >> 20) as u8 | 0x1f);
        let v = (state >> 40) as u16;
        match state % 20 {
            0 => ops.push(Op::Remove(k)),
            1..=9 => ops.push(Op::Get(k)),
            _ => ops.push(Op::Put(k, v)),
        }
    }
    let settings = Settings {
        max_capacity: 120,
        keys: 255,
        max_ops: ops.len(),
    };
    for capacity in [1, 9, 10, 41, 120] {
        // Also with as few index buckets as fit the ghost (up to 90% full), so that
        // many fingerprints spill out of their home bucket.
        let g = ghost_capacity(capacity as u32);
        for buckets in [
            ghost_buckets(g),
            (g as usize).div_ceil(15).next_power_of_two(), // 15 entry lanes a bucket
        ] {
            let make = |cap: usize| {
                let mut c = S3FifoCache::with_hasher(cap, fixed());
                c.ghost.reserve_in(buckets);
                c
            };
            let result = evict_harness::check_against(
                make,
                model::s3fifo::S3Fifo::new,
                |c: &S3FifoCache<u8, u16, Fixed>| c.check_invariants(),
                capacity,
                &ops,
                settings,
            );
            if let Err(failure) = result {
                panic!("capacity {capacity}, {buckets} index buckets: {failure}");
            }
        }
    }
    // The crowded index does spill.
    let mut c = S3FifoCache::with_hasher(120, fixed());
    c.ghost.reserve_in(8);
    let mut spilled = false;
    for op in &ops {
        let _ = evict_harness::apply(&mut c, op);
        spilled |= c.ghost.ever_spilled();
    }
    assert!(spilled, "the crowded ghost index never spilled");
    // The same run again, counting compactions on the largest cache.
    let mut c = S3FifoCache::with_hasher(120, fixed());
    for op in &ops {
        let _ = evict_harness::apply(&mut c, op);
    }
    assert!(
        c.ghost.compactions() > 0,
        "the run never compacted the ghost ring"
    );
}

#[test]
fn huge_capacity_is_clamped_not_allocated() {
    evict_slots::testing::huge_capacity_is_clamped(S3FifoCache::<u64, u64>::new, MAX_CAPACITY);
    assert!(
        !S3FifoCache::<u64, u64>::new(usize::MAX)
            .ghost
            .is_allocated()
    );
}

#[test]
fn clear_releases_memory_and_forgets_ghosts() {
    let mut c = S3FifoCache::with_hasher(20, fixed());
    for k in 0..30u32 {
        let _ = c.put(k, k);
        let _ = c.get(&k);
    }
    assert!(c.ghost_len() > 0);
    c.clear();
    assert_eq!(c.ghost_len(), 0);
    assert_eq!(c.slab.slot_capacity(), 0);
    assert!(!c.ghost.is_allocated());
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=0, misses=0, maxsize=20, currsize=0)"
    );
    for k in 0..20u32 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.queue_lens(), (2, 18)); // the warm-up starts over
    c.check_invariants();
}

/// Tombstones left by evictions must not make a full cache grow its table: the put that
/// fills the cache gives the table its final spare room, and from then on the allocation
/// stays put. S3-FIFO's tables churn more slowly than LRU's: 2M ops are needed to see the
/// doubling without the in-place rebuild.
#[test]
fn table_does_not_keep_growing_under_churn() {
    evict_slots::testing::churn_allocates_nothing(
        S3FifoCache::new,
        &[50, 80, 1000],
        2_000_000,
        S3FifoCache::check_invariants,
    );
}

// Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
// replacement), the eviction reports rebuilt into the resident set after every op.
evict_harness::weighted!(
    weighted,
    S3FifoCache::with_weigher,
    validate = |c: &S3FifoCache<u8, u16, crate::DefaultHashBuilder, evict_slots::Weighted<_>>| c
        .check_invariants(),
);

// Panic safety of the weighted paths (issue 12): a constant weigher makes the weighted cache
// hold what the unweighted one holds, so the hostile kit's rules apply unchanged.
evict_harness::hostile!(
    hostile_weighted,
    |cap: usize| {
        S3FifoCache::with_weigher(
            cap as u64,
            |_: &evict_harness::hostile::Key, _: &evict_harness::hostile::Value| 1,
        )
    },
    validate = |c: &S3FifoCache<_, _, crate::DefaultHashBuilder, evict_slots::Weighted<_>>| c
        .check_invariants()
);

/// The ghost is bounded by weight alone, as libCacheSim's: light ghosts outnumbering the
/// entries are all kept. 9 objects of 39 bytes made hot, then 300 one-offs of 1 byte (each
/// leaves the small queue as a ghost: 300 ghosts for a cache of about 20 entries), then the
/// first 100 one-offs twice. The hit string is libCacheSim 0.3.5's (`S3FIFO(400)`, each
/// request a `get`); with the ghosts' old count cap (2 × entries + 8) the returning one-offs
/// had been forgotten: 75 hits instead of 126.
#[test]
fn light_ghosts_are_bounded_by_weight_only() {
    let mut requests = Vec::new();
    for _ in 0..3 {
        requests.extend((1..10u64).map(|k| (k, 39u64)));
    }
    requests.extend((1000..1300u64).map(|k| (k, 1)));
    for _ in 0..2 {
        requests.extend((1000..1100u64).map(|k| (k, 1)));
    }
    let mut cache = S3FifoCache::with_weigher(400, |_: &u64, v: &u64| *v);
    let hits: alloc::string::String = requests
        .iter()
        .map(|&(k, size)| {
            let hit = cache.get(&k).is_some();
            if !hit {
                let _ = cache.put(k, size);
            }
            cache.check_invariants();
            if hit { '1' } else { '0' }
        })
        .collect();
    // Runs of misses and hits: 9 cold, 18 hot, 340 (the one-offs and the first 40 back),
    // 9, 52, 99.
    let runs = [
        (b'0', 9),
        (b'1', 18),
        (b'0', 340),
        (b'1', 9),
        (b'0', 52),
        (b'1', 99),
    ];
    let libcachesim: alloc::string::String = runs
        .iter()
        .flat_map(|&(c, n)| core::iter::repeat_n(char::from(c), n))
        .collect();
    assert_eq!(hits.matches('1').count(), 126);
    assert_eq!(hits, libcachesim);
}

/// Ghosts of weight 0 are bounded by count: at most twice the most entries held, plus 8
/// (here 2 × 50 + 8), however many leave the small queue.
#[test]
fn weightless_ghosts_are_bounded_by_count() {
    let mut cache = S3FifoCache::with_weigher(50, |_: &u64, _: &u64| 0);
    for k in 0..5_000u64 {
        let _ = cache.put(k, k);
        if k % 97 == 0 {
            cache.check_invariants();
        }
    }
    assert_eq!(cache.len(), 50);
    assert!(
        cache.ghost_len() > 50 && cache.ghost_len() <= 108,
        "{}",
        cache.ghost_len()
    );
    // A light ghost among them still counts only in weight.
    let _ = cache.put(9_999, 1);
    cache.check_invariants();
}
