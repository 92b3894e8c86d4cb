//! Eight threads call one recursive memoized function at once: every result is right, every
//! call is counted exactly once (a hit or a miss), and nothing deadlocks (the lock is never
//! held while the body runs, so the recursion re-enters freely).

#![cfg(feature = "macros")]

use std::sync::atomic::{AtomicU64, Ordering};

mod common;
use common::{eight_threads, with_watchdog};

/// Calls made by bodies (the recursive calls), and bodies run.
static INNER_CALLS: AtomicU64 = AtomicU64::new(0);
static BODIES: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(maxsize = 64)]
fn stairs(n: u64) -> u64 {
    BODIES.fetch_add(1, Ordering::Relaxed);
    if n < 3 {
        n.max(1)
    } else {
        INNER_CALLS.fetch_add(3, Ordering::Relaxed);
        (stairs(n - 1) + stairs(n - 2) + stairs(n - 3)) % 1_000_000_007
    }
}

#[test]
fn eight_threads_share_one_cache() {
    // Each thread walks a different mix of arguments, some beyond the cache's 64 entries, so
    // threads evict each other's entries; the watchdog turns a deadlock into a failure.
    let outer = with_watchdog(|| eight_threads(stairs));
    let info = stairs::cache_info();
    let calls = outer + INNER_CALLS.load(Ordering::Relaxed);
    assert_eq!(
        info.hits + info.misses,
        calls,
        "every call counted once: {info}"
    );
    assert_eq!(
        info.misses,
        BODIES.load(Ordering::Relaxed),
        "a body runs exactly on a miss"
    );
    assert!(info.currsize <= 64);
    assert_eq!(info.maxsize, Some(64));
}
