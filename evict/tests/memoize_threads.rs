//! Eight threads call one recursive memoized function at once: every result is right, every
//! call is counted exactly once (a hit or a miss), and nothing deadlocks (the lock is never
//! held while the body runs, so the recursion re-enters freely).

#![cfg(feature = "macros")]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

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

fn expected(n: u64) -> u64 {
    let mut t = [1u64, 1, 2];
    for _ in 3..=n {
        t = [t[1], t[2], (t[0] + t[1] + t[2]) % 1_000_000_007];
    }
    if n < 3 { n.max(1) } else { t[2] }
}

#[test]
fn eight_threads_share_one_cache() {
    const THREADS: u64 = 8;
    const ROUNDS: u64 = 200;
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for i in 0..ROUNDS {
                    // Each thread walks a different mix of arguments, some beyond the
                    // cache's 64 entries, so threads evict each other's entries.
                    let n = (i * 7 + t * 13) % 150;
                    assert_eq!(stairs(n), expected(n), "stairs({n})");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("no thread panics");
    }
    let info = stairs::cache_info();
    let calls = THREADS * ROUNDS + INNER_CALLS.load(Ordering::Relaxed);
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
