//! The single-flight protocol model-checked with `shuttle`: every lock, condition variable
//! and thread of the cache is the model checker's, which runs the test body under many
//! interleavings (PCT's randomized priority schedules, which find an ordering bug of small depth
//! with a known probability per run, and uniformly random schedules) and fails on a deadlock, a panic or a wrong result.
//!
//! Built only with `RUSTFLAGS="--cfg evict_shuttle"` (the locks are swapped at compile time):
//! `RUSTFLAGS="--cfg evict_shuttle" cargo test -p evict-sync --test shuttle`; `.ci/run` does.
#![cfg(evict_shuttle)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use evict_lru::LruCache;
use evict_sync::{ConcurrentCache, Exclusive};
use shuttle::sync::Arc;
use shuttle::thread;

type Lru = ConcurrentCache<u8, u32, Exclusive<LruCache<u8, u32>>>;

fn cache() -> Arc<Lru> {
    Arc::new(
        ConcurrentCache::builder(4)
            .shards(1)
            .build(|c| Exclusive(LruCache::new(c))),
    )
}

/// Two or three threads miss one key: the loader runs once, everyone gets its value, and the
/// counters add up.
fn one_load(threads: usize) {
    let cache = cache();
    let runs = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (cache, runs) = (cache.clone(), runs.clone());
            thread::spawn(move || {
                cache.get_or_insert_with(1, || {
                    runs.fetch_add(1, SeqCst);
                    thread::yield_now();
                    10
                })
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 10);
    }
    assert_eq!(runs.load(SeqCst), 1);
    let info = cache.info();
    assert_eq!(info.hits + info.misses, threads as u64);
    assert!(info.misses >= 1);
}

/// The first loader fails (returns `Err`); the others start again and exactly one of them
/// loads; nothing is left registered or locked. (A panicking loader takes the same path, an
/// unwinding drop guard instead of `?`; the model checker cannot unwind its threads, so
/// `tests/single_flight.rs` covers panics with real threads.)
fn failed_load(threads: usize) {
    let cache = cache();
    let runs = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (cache, runs) = (cache.clone(), runs.clone());
            thread::spawn(move || {
                cache.try_get_or_insert_with(1, || {
                    let n = runs.fetch_add(1, SeqCst);
                    thread::yield_now();
                    if n == 0 { Err(()) } else { Ok(10) }
                })
            })
        })
        .collect();
    let mut failures = 0;
    for h in handles {
        match h.join().unwrap() {
            Ok(v) => assert_eq!(v, 10),
            Err(()) => failures += 1,
        }
    }
    assert_eq!(failures, 1);
    assert_eq!(runs.load(SeqCst), 2);
    assert_eq!(cache.peek(&1), Some(10));
}

/// Two loaders that ask for each other's key: one breaks the cycle, nobody deadlocks.
fn crossed_loads() {
    let cache = cache();
    let spawn = |mine: u8, other: u8| {
        let cache = cache.clone();
        thread::spawn(move || {
            cache.get_or_insert_with(mine, || {
                cache.get_or_insert_with(other, || u32::from(other) * 100) + u32::from(mine)
            })
        })
    };
    let (a, b) = (spawn(1, 2), spawn(2, 1));
    let (va, vb) = (a.join().unwrap(), b.join().unwrap());
    // Either one load finishes before the other asks (then the other hits its value), or
    // both are in flight and one breaks the cycle, computing the other's key itself.
    let outcomes = [(201, 200), (100, 102), (201, 203), (103, 102)];
    assert!(outcomes.contains(&(va, vb)), "{va} {vb}");
}

/// Schedules per test: PCT finds any bug of depth `DEPTH` (the number of ordering
/// constraints that trigger it) with probability at least 1/(n·k^(d-1)) per run, for n
/// threads and k steps; thousands of runs make a miss unlikely. Raise with
/// `EVICT_SHUTTLE_RUNS`.
fn runs() -> usize {
    std::env::var("EVICT_SHUTTLE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}
const DEPTH: usize = 3;

#[test]
fn two_threads_one_load() {
    shuttle::check_pct(|| one_load(2), runs(), DEPTH);
    shuttle::check_random(|| one_load(2), runs());
}

#[test]
fn three_threads_one_load() {
    shuttle::check_pct(|| one_load(3), runs(), DEPTH);
}

#[test]
fn failed_loads() {
    shuttle::check_pct(|| failed_load(2), runs(), DEPTH);
    shuttle::check_pct(|| failed_load(3), runs(), DEPTH);
}

#[test]
fn crossed_loads_never_deadlock() {
    shuttle::check_pct(crossed_loads, runs(), DEPTH);
    shuttle::check_random(crossed_loads, runs());
}
