//! Textbook facts on the classic reference string 1 2 3 4 1 2 5 1 2 3 4 5 (Bélády, Nelson and
//! Shedler, 1969): FIFO misses more with 4 slots than with 3 (Bélády's anomaly), while LRU and
//! OPT, stack algorithms, never do.

use evict_sim::replay::{RunOptions, run};

const CLASSIC: [u64; 12] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

fn misses(policy: &str, size: usize) -> u64 {
    let out = run(
        "classic",
        &CLASSIC,
        &[policy.to_string()],
        &[size],
        RunOptions::default(),
        &|_| (),
    )
    .unwrap();
    assert_eq!(out[0].requests, 12);
    out[0].misses
}

#[test]
fn fifo_shows_beladys_anomaly() {
    assert_eq!(misses("fifo", 3), 9);
    assert_eq!(misses("fifo", 4), 10);
}

#[test]
fn lru_and_opt_do_not() {
    assert_eq!(misses("lru", 3), 10);
    assert_eq!(misses("lru", 4), 8);
    assert_eq!(misses("opt", 3), 7);
    assert_eq!(misses("opt", 4), 6);
    assert_eq!(misses("opt-fill", 3), 7);
    assert_eq!(misses("opt-fill", 4), 6);
}

#[test]
fn every_registry_policy_builds_and_replays() {
    for p in evict_sim::registry::POLICIES {
        let m = misses(p, 3);
        // Five distinct keys: at least five misses, at most every request.
        assert!((5..=12).contains(&m), "{p}: {m} misses");
        let cache = evict_sim::registry::build(p, 3).unwrap();
        assert_eq!(cache.capacity(), Some(3), "{p}");
    }
}

#[test]
fn warmup_requests_are_replayed_but_not_counted() {
    let opts = RunOptions {
        warmup: 4,
        ..RunOptions::default()
    };
    let out = run(
        "classic",
        &CLASSIC,
        &["lru".to_string(), "opt".to_string()],
        &[4],
        opts,
        &|_| (),
    )
    .unwrap();
    // LRU with 4 slots after the first four requests: hits on 1 2, then 5 evicts 3, ...
    assert_eq!(out[0].requests, 8);
    assert_eq!(out[0].hits, 4); // 1 2 _ 1 2 _ _ _  -> 1,2,1,2 hit
    assert_eq!(out[1].hits, 6); // OPT: only 5 and one of 3/4 miss after warm-up
}
