//! W-TinyLFU against LRU on real traces (the LIRS set in `../shared/data/traces/lirs`).
//! Skipped with a notice when the traces are absent, unless on CI (`evict_harness::traces`).

use evict_lru::LruCache;
use evict_wtinylfu::{Cache, WTinyLfuCache};

/// The keys of `lirs/{name}.trace.gz`; `None` (skip) without the traces, except on CI.
fn trace(name: &str) -> Option<Vec<u64>> {
    evict_harness::traces::lirs(&format!("{name}.trace.gz"))
}

fn hit_ratio(mut cache: impl Cache<u64, ()>, keys: &[u64]) -> f64 {
    for &k in keys {
        if cache.get(&k).is_none() {
            let _ = cache.put(k, ());
        }
    }
    cache.info().hit_ratio() * 100.0
}

fn unique(keys: &[u64]) -> usize {
    keys.iter().collect::<std::collections::HashSet<_>>().len()
}

/// Traces where frequency matters (mixed and database workloads, a loop): W-TinyLFU must beat
/// LRU clearly at 5% and 10% of the unique keys, as Caffeine's published results show.
#[test]
fn beats_lru_where_frequency_matters() {
    for (name, margin) in [("multi2", 5.0), ("ps", 10.0), ("gli", 4.0)] {
        let Some(keys) = trace(name) else { return };
        for pct in [5, 10] {
            let size = unique(&keys) * pct / 100;
            let lru = hit_ratio(LruCache::new(size), &keys);
            let wt = hit_ratio(WTinyLfuCache::new(size), &keys);
            let adaptive = hit_ratio(WTinyLfuCache::adaptive(size), &keys);
            eprintln!("{name} {pct}%: lru {lru:.2} wtinylfu {wt:.2} adaptive {adaptive:.2}");
            assert!(
                wt > lru + margin,
                "{name} at {pct}%: {wt:.2} vs LRU {lru:.2}"
            );
            assert!(
                adaptive > lru + margin,
                "{name} at {pct}%: adaptive {adaptive:.2}"
            );
        }
    }
}

/// A recency-heavy trace (a file server): W-TinyLFU loses some ground to LRU, and the
/// adaptive window wins part of it back.
#[test]
fn adaptive_window_helps_on_recency() {
    let Some(keys) = trace("sprite") else { return };
    let size = unique(&keys) * 10 / 100;
    let lru = hit_ratio(LruCache::new(size), &keys);
    let wt = hit_ratio(WTinyLfuCache::new(size), &keys);
    let adaptive = hit_ratio(WTinyLfuCache::adaptive(size), &keys);
    eprintln!("sprite 10%: lru {lru:.2} wtinylfu {wt:.2} adaptive {adaptive:.2}");
    assert!(
        adaptive > wt + 1.0,
        "adaptive {adaptive:.2} vs static {wt:.2}"
    );
    assert!(wt > lru - 10.0, "static {wt:.2} vs LRU {lru:.2}");
}

/// Issue 14: at or above libCacheSim 0.3.5's W-TinyLFU, or at most 0.5 points below it, in
/// every cell of the ten LIRS traces at 1%, 5%, 10% and 20% of their distinct keys ("get; on
/// a miss, put", every request counted). libCacheSim's hit counts are the ones
/// `tools/libcachesim_hits.py` wrote to `tools/libcachesim-0.3.5.txt` (the other five shared
/// traces, other formats, are in the README's table). `multi2` at 10% failed this (0.82
/// below) until the candidate was recorded as it leaves the window.
#[test]
fn within_half_a_point_of_libcachesim_on_the_lirs_traces() {
    let pinned = include_str!("../tools/libcachesim-0.3.5.txt");
    let lirs = [
        "2_pools", "cpp", "cs", "gli", "loop", "multi1", "multi2", "multi3", "ps", "sprite",
    ];
    let mut checked = 0;
    for line in pinned.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 11 || !lirs.contains(&f[0]) {
            continue;
        }
        let Some(keys) = trace(f[0]) else { return };
        let requests: f64 = f[1].parse().expect("requests");
        assert_eq!(keys.len() as f64, requests, "{}: another trace", f[0]);
        for cell in 0..4 {
            let size: usize = f[3 + 2 * cell].parse().expect("capacity");
            let theirs: f64 = f[4 + 2 * cell].parse().expect("hits");
            assert_eq!(size, unique(&keys) * [1, 5, 10, 20][cell] / 100);
            let ours = hit_ratio(WTinyLfuCache::new(size), &keys);
            let theirs = theirs * 100.0 / requests;
            assert!(
                ours >= theirs - 0.5,
                "{} at {size}: {ours:.2}% against libCacheSim's {theirs:.2}%",
                f[0]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 40, "the pinned file lists the ten LIRS traces");
}
