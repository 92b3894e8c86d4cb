extern crate std;

use super::*;
use alloc::string::ToString;
use evict_harness::model;
use std::string::String;

mod api;

const SETTINGS: evict_harness::Settings = evict_harness::Settings {
    // Capacities up to 120: windows of 1 and 2 entries, probation and protected of dozens.
    max_capacity: 120,
    keys: 160,
    max_ops: 600,
};

evict_harness::conformance!(
    conformance,
    WTinyLfuCache::new,
    model = model::wtinylfu::WTinyLfu::new,
    validate = |c: &WTinyLfuCache<u8, u16>| c.check_invariants(),
    settings = SETTINGS,
    iteration = true,
    double_ended = true
);

// A sketch without the 1,024-word floor (`with_sketch_floor(0)`: one word per entry,
// the 8-word minimum below 8 entries), kept across resizes, against the model with the
// same floor: small sketches share counters among many of the 160 keys, so admissions
// differ from the default cache's.
evict_harness::conformance!(
    conformance_no_sketch_floor,
    |cap| WTinyLfuCache::new(cap).with_sketch_floor(0),
    model = |cap| model::wtinylfu::WTinyLfu::new(cap).with_sketch_floor(0),
    validate = |c: &WTinyLfuCache<u8, u16>| c.check_invariants(),
    settings = SETTINGS,
    iteration = true,
    double_ended = true
);

// Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
// the cache consistent, working, and losing no value undropped.
evict_harness::hostile!(
    hostile,
    WTinyLfuCache::new,
    validate = |c: &WTinyLfuCache<_, _>| c.check_invariants(),
    settings = SETTINGS
);

// The same with capacity by weight (a constant weigher): every eviction of a full cache
// contests the window's candidate against the main victim, whose search promotes
// referenced probation entries and demotes protected's overflow, hashing keys for the
// sketch as it goes (a panicking `Hash` there once left protected over its share).
evict_harness::hostile!(
    hostile_weighted,
    |cap: usize| WTinyLfuCache::with_weigher(
        cap as u64,
        |_: &evict_harness::hostile::Key, _: &evict_harness::hostile::Value| 1
    ),
    validate = |c: &WTinyLfuCache<_, _, crate::DefaultHashBuilder, evict_slots::Weighted<_>>| {
        c.check_invariants()
    }
);

// The default (small) settings too: capacities 0 to 12, where protected is 0 to 8 entries
// and probation can be a single entry.
evict_harness::conformance!(
    conformance_small,
    WTinyLfuCache::new,
    model = model::wtinylfu::WTinyLfu::new,
    validate = |c: &WTinyLfuCache<u8, u16>| c.check_invariants(),
    settings = evict_harness::Settings::default(),
    iteration = true,
    double_ended = true
);

// The adaptive variant with Caffeine's climber settings (a sample of 10 × capacity lookups:
// it adapts only in the longer runs of larger caches).
evict_harness::conformance!(
    adaptive,
    WTinyLfuCache::adaptive,
    model = model::wtinylfu::WTinyLfu::adaptive,
    validate = |c: &WTinyLfuCache<u8, u16>| c.check_invariants(),
    settings = evict_harness::Settings {
        max_capacity: 20,
        keys: 40,
        max_ops: 600,
    },
    iteration = true,
    double_ended = true
);

/// A climber that moves every 8 lookups by a quarter of the capacity, so that the window
/// grows, shrinks to nothing (and the newcomer is then its own candidate) within one run.
const SAMPLE: u64 = 8;
const STEP: f64 = 0.25;

evict_harness::conformance!(
    adaptive_fast,
    |cap| WTinyLfuCache::adaptive_tuned(cap, SAMPLE, STEP),
    model = |cap| model::wtinylfu::WTinyLfu::adaptive_tuned(cap, SAMPLE, STEP),
    validate = |c: &WTinyLfuCache<u8, u16>| c.check_invariants(),
    settings = evict_harness::Settings {
        max_capacity: 16,
        keys: 24,
        max_ops: 600,
    },
    iteration = true,
    double_ended = true
);

#[test]
fn adaptive_window_moves_both_ways_and_can_reject() {
    let mut c = WTinyLfuCache::adaptive_tuned(40, 20, 0.25);
    let (mut min_window, mut max_window) = (usize::MAX, 0);
    let mut rejected = 0;
    let mut x = 7u64;
    for i in 0..20_000u64 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        // Phases: a skewed hot set, then a loop larger than the cache.
        let k = if (i / 2000) % 2 == 0 {
            (x >> 33) % 8 + ((x >> 40) % 4) * ((x >> 50) % 30)
        } else {
            i % 60
        };
        if c.get(&k).is_none()
            && let Put::Rejected(rk, _) = c.put(k, k)
        {
            assert_eq!(rk, k);
            assert_eq!(c.window_capacity(), 0);
            assert!(!c.contains(&k));
            rejected += 1;
        }
        min_window = min_window.min(c.window_capacity());
        max_window = max_window.max(c.window_capacity());
        c.check_invariants();
    }
    assert_eq!(min_window, 0, "the window never shrank to nothing");
    assert!(max_window > 1, "the window never grew past its start");
    assert!(rejected > 0, "no newcomer was refused");
}

#[test]
fn sizes_follow_caffeine_rounding() {
    let cases = [
        (1, 1, 0),
        (2, 1, 0),
        (10, 1, 7),
        (100, 1, 79),
        (101, 2, 79),
        (120, 2, 94),
        (1000, 10, 792),
    ];
    for (cap, window, protected) in cases {
        let c: WTinyLfuCache<u8, u8> = WTinyLfuCache::new(cap);
        assert_eq!(
            (c.window_capacity(), c.protected_capacity()),
            (window, protected),
            "capacity {cap}"
        );
    }
}

#[test]
fn frequent_entry_survives_a_scan_of_one_hit_wonders() {
    let mut c = WTinyLfuCache::new(100);
    for k in 0..100u32 {
        let _ = c.put(k, k);
    }
    for _ in 0..2 {
        for k in 0..10u32 {
            assert_eq!(c.get(&k), Some(&k));
        }
    }
    // A scan of 10,000 keys seen once each, looked up then inserted.
    for k in 10_000..20_000u32 {
        assert_eq!(c.get(&k), None);
        let put = c.put(k, k);
        assert!(put.is_kept());
        if let Put::Evicted(gone, _) = put {
            assert!(gone >= 10, "hot key {gone} evicted by a one-hit wonder");
        }
    }
    for k in 0..10u32 {
        assert_eq!(c.get(&k), Some(&k), "hot key {k} lost to the scan");
    }
    // An LRU of the same size keeps none of them.
    let mut lru = model::Lru::new(100);
    for k in 0..100u32 {
        let _ = lru.put(k, k);
    }
    for k in 10_000..20_000u32 {
        let _ = lru.put(k, k);
    }
    assert!((0..10u32).all(|k| lru.get(&k).is_none()));
    c.check_invariants();
}

#[test]
fn a_popular_newcomer_is_admitted_over_a_cold_victim() {
    let mut c = WTinyLfuCache::new(100);
    for k in 0..100u32 {
        let _ = c.put(k, k);
    }
    // Key 500 is requested often before it is first cached.
    for _ in 0..5 {
        assert_eq!(c.get(&500), None);
    }
    let _ = c.put(500, 500); // the window's entry (99) becomes the candidate and loses
    let put = c.put(501, 501); // now 500 is the candidate, and wins
    assert!(matches!(put, Put::Evicted(k, _) if k != 500), "{put:?}");
    assert!(c.contains(&500));
    assert_eq!(c.segment_lens().0, 1);
    c.check_invariants();
}

#[test]
fn a_get_miss_then_put_is_one_access() {
    let mut c = WTinyLfuCache::new(10);
    let h = FrequencySketch::hash(&7u8);
    assert_eq!(c.get(&7u8), None);
    assert_eq!(c.put(7, 1), Put::Inserted);
    assert_eq!(c.sketch().frequency(h), 1);
    // A put not preceded by its miss counts.
    assert_eq!(c.remove(&7), Some(1));
    assert_eq!(c.put(7, 2), Put::Inserted);
    assert_eq!(c.sketch().frequency(h), 2);
    // A miss of another key, then a put of this one: counts.
    assert_eq!(c.remove(&7), Some(2));
    assert_eq!(c.get(&8), None);
    assert_eq!(c.put(7, 3), Put::Inserted);
    assert_eq!(c.sketch().frequency(h), 3);
    // Hits in the window (a put of the cached key, a get) are a burst: not recorded.
    assert_eq!(c.put(7, 4), Put::Replaced(3));
    assert_eq!(c.get(&7), Some(&4));
    assert_eq!(c.sketch().frequency(h), 3);
    // peek records nothing.
    let _ = c.peek(&7);
    assert_eq!(c.sketch().frequency(h), 3);
}

#[test]
fn a_probation_hit_promotes_at_eviction_and_protected_overflow_demotes() {
    let mut c = WTinyLfuCache::new(10); // window 1, protected 7, probation 2
    for k in 0..10u8 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.segment_lens(), (1, 9, 0));
    for k in 0..8u8 {
        assert_eq!(c.get(&k), Some(&k));
    }
    // Hits only mark the entries.
    assert_eq!(c.segment_lens(), (1, 9, 0));
    // The next eviction looks for a victim from probation's LRU end: 0 to 7 were hit, so
    // they go up to protected, where the eighth promotion demotes 0 (bit cleared when
    // promoted) back to probation. 8, never hit, is the victim; 9, the candidate, is seen
    // no more often, so it leaves.
    assert_eq!(c.put(10, 10), Put::Evicted(9, 9));
    assert_eq!(c.segment_lens(), (1, 2, 7));
    let probation: std::vec::Vec<u8> = c.iter().skip(1).take(2).map(|(k, _)| *k).collect();
    assert_eq!(probation, [0, 8]);
    c.check_invariants();
}

#[test]
fn a_referenced_protected_entry_gets_a_second_chance() {
    let mut c = WTinyLfuCache::new(10); // window 1, protected 7, probation 2
    for k in 0..10u8 {
        let _ = c.put(k, k);
    }
    for k in 0..8u8 {
        let _ = c.get(&k);
    }
    let _ = c.put(10, 10); // protected: 7 (MRU) .. 1 (LRU); probation: 0, 8 (LRU)
    let _ = c.get(&8); // marks the next victim for promotion
    let _ = c.get(&1); // marks protected's LRU entry
    // 8 is promoted and protected overflows: 1, hit, goes round again and 2 is demoted.
    // The victim is then 0 (seen twice), which the candidate 10 (seen once) does not beat.
    assert_eq!(c.put(11, 11), Put::Evicted(10, 10));
    let probation: std::vec::Vec<u8> = c.iter().skip(1).take(2).map(|(k, _)| *k).collect();
    assert_eq!(probation, [2, 0]);
    let protected: std::vec::Vec<u8> = c.iter().skip(3).map(|(k, _)| *k).collect();
    assert_eq!(protected, [1, 8, 7, 6, 5, 4, 3]);
    c.check_invariants();
}

#[test]
fn remove_keeps_slots_dense_and_lists_intact() {
    let mut c = WTinyLfuCache::new(10);
    for k in 0..10u32 {
        let _ = c.put(k, k);
    }
    for k in [0u32, 5, 9] {
        let _ = c.get(&k);
    }
    assert_eq!(c.remove(&0), Some(0));
    c.check_invariants();
    assert_eq!(c.remove(&9), Some(9)); // the window's only entry
    c.check_invariants();
    assert_eq!(c.remove(&9), None);
    assert_eq!(c.len(), 8);
    assert_eq!(c.put(20, 20), Put::Inserted);
    assert_eq!(c.put(21, 21), Put::Inserted);
    assert!(matches!(c.put(22, 22), Put::Evicted(..)));
    c.check_invariants();
}

#[test]
fn two_identical_caches_decide_alike() {
    // The table hashers differ (random seeds); the sketch's hash does not.
    let mut a = WTinyLfuCache::new(50);
    let mut b = WTinyLfuCache::new(50);
    let mut x = 1u64;
    for _ in 0..20_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let k = (x >> 33) % 300;
        let (ga, gb) = (a.get(&k).copied(), b.get(&k).copied());
        assert_eq!(ga, gb);
        if ga.is_none() {
            assert_eq!(a.put(k, k), b.put(k, k));
        }
    }
    assert_eq!(a.info(), b.info());
    assert!(a.info().hits > 0);
}

#[test]
fn clear_releases_memory_and_forgets_frequencies() {
    let mut c = WTinyLfuCache::new(100);
    for k in 0..200u32 {
        let _ = c.get(&k);
        let _ = c.put(k, k);
    }
    c.clear();
    assert_eq!(c.len(), 0);
    assert_eq!(c.slab.slot_capacity(), 0);
    assert_eq!(c.sketch().heap_bytes(), 0);
    assert_eq!(c.sketch().frequency(FrequencySketch::hash(&5u32)), 0);
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=0, misses=0, maxsize=100, currsize=0)"
    );
    c.check_invariants();
}

#[test]
fn huge_capacity_is_clamped_not_allocated() {
    evict_slots::testing::huge_capacity_is_clamped(WTinyLfuCache::<u64, u64>::new, MAX_CAPACITY);
    assert_eq!(
        WTinyLfuCache::<u64, u64>::new(usize::MAX)
            .sketch()
            .heap_bytes(),
        0
    );
}

#[test]
fn full_cache_allocates_exactly_its_capacity() {
    let mut c = WTinyLfuCache::new(1000);
    for k in 0..5000u64 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.slab.slot_capacity(), 1000);
    assert_eq!(c.sketch().heap_bytes(), 1024 * 8);
}

#[test]
fn debug_lists_segments() {
    let mut c = WTinyLfuCache::new(4);
    let _ = c.put(1u8, 'a');
    let s = std::format!("{c:?}");
    assert!(s.contains("1: 'a'"), "{s}");
    let _: String = s;
}

#[test]
fn u64_entries_cost_at_most_48_bytes_at_a_million() {
    // A slot: the key, and the value with 8 bytes of links.
    assert_eq!(core::mem::size_of::<(u64, Node<u64>)>(), 24);
    let n = 1_000_000u64;
    let mut c = WTinyLfuCache::new(n as usize);
    for k in 0..n + 10 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.len() as u64, n);
    let per_entry = c.heap_bytes() as f64 / n as f64;
    // 24 (slot) + 10.49 (2^21 buckets of 5 bytes) + 8.39 (2^20 sketch words) = 42.9
    assert!(per_entry <= 48.0, "{per_entry:.2} bytes per entry");
    assert!(
        per_entry > 42.0,
        "{per_entry:.2}: the formula in the README is off"
    );
}

#[test]
fn a_huge_capacity_does_not_allocate_a_huge_sketch() {
    let mut c = WTinyLfuCache::new(usize::MAX);
    for k in 0..1000u64 {
        assert_eq!(c.get(&k), None);
        assert_eq!(c.put(k, k), Put::Inserted);
    }
    assert!(c.heap_bytes() < 1 << 20, "{} bytes", c.heap_bytes());
    assert_eq!(c.sketch().words(), 1 << 16);
}

/// Tombstones left by evictions must not make a full cache grow its table: the put that
/// fills the cache gives the table its final spare room, and from then on the allocation
/// stays put.
#[test]
fn table_does_not_keep_growing_under_churn() {
    evict_slots::testing::churn_allocates_nothing(
        WTinyLfuCache::new,
        &[50, 80, 1000],
        200_000,
        WTinyLfuCache::check_invariants,
    );
}

// Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
// replacement), the eviction reports rebuilt into the resident set after every op.
evict_harness::weighted!(
    weighted,
    WTinyLfuCache::with_weigher,
    validate = |c: &WTinyLfuCache<u8, u16, crate::DefaultHashBuilder, evict_slots::Weighted<_>>| c
        .check_invariants(),
);

/// The weighted cache keeps W-TinyLFU's admission: a scan of one-hit keys, each of which
/// needs room, loses its contests against the frequently read keys, as in the unweighted
/// cache (issue 12).
#[test]
fn weighted_admission_resists_a_scan() {
    fn hot_kept<C: Cache<u64, u64>>(mut cache: C) -> usize {
        for _ in 0..5 {
            for k in 0..50u64 {
                if cache.get(&k).is_none() {
                    let _ = cache.put(k, k);
                }
            }
        }
        for k in 1000..1300u64 {
            if cache.get(&k).is_none() {
                let _ = cache.put(k, k);
            }
        }
        assert!(cache.weight() <= 100);
        (0..50u64).filter(|k| cache.contains(k)).count()
    }
    let unweighted = hot_kept(WTinyLfuCache::new(100));
    let weighted = hot_kept(WTinyLfuCache::with_weigher(100, |_: &u64, _: &u64| 1));
    assert!(unweighted >= 45, "unweighted kept {unweighted} of 50");
    assert!(
        weighted >= 45,
        "weighted kept {weighted} of 50 (unweighted {unweighted})"
    );
}
