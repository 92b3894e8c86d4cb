//! Helpers shared by the facade's threaded memoization tests: a deadlock watchdog, the
//! uncached reference function and an eight-thread driver.

#![allow(dead_code)] // each test file uses its own subset

use std::panic;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

/// A deadlock bound, not a timing assertion: a correct run finishes in well under a second.
pub(crate) const DEADLOCK_BOUND: Duration = Duration::from_secs(60);

/// Runs `f` on its own thread and fails if it does not finish within [`DEADLOCK_BOUND`] (a
/// deadlock), instead of hanging the test run; a panic in `f` is re-raised here.
pub(crate) fn with_watchdog<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let result = panic::catch_unwind(panic::AssertUnwindSafe(f));
        let _ = tx.send(());
        result
    });
    match rx.recv_timeout(DEADLOCK_BOUND) {
        Ok(()) => match handle
            .join()
            .expect("the watched thread catches its panics")
        {
            Ok(value) => value,
            Err(payload) => panic::resume_unwind(payload),
        },
        Err(_) => panic!("deadlock: not finished within {DEADLOCK_BOUND:?}"),
    }
}

/// `n`-th tribonacci-like number modulo a prime, computed without a cache.
pub(crate) fn expected(n: u64) -> u64 {
    let mut t = [1u64, 1, 2];
    for _ in 3..=n {
        t = [t[1], t[2], (t[0] + t[1] + t[2]) % 1_000_000_007];
    }
    if n < 3 { n.max(1) } else { t[2] }
}

/// Eight threads, each walking its own mix of arguments (some beyond the cache's size, so
/// threads evict each other's entries), all at once.
pub(crate) fn eight_threads(call: fn(u64) -> u64) -> u64 {
    const THREADS: u64 = 8;
    const ROUNDS: u64 = 200;
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for i in 0..ROUNDS {
                    let n = (i * 7 + t * 13) % 150;
                    assert_eq!(call(n), expected(n), "f({n})");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("no thread panics");
    }
    THREADS * ROUNDS
}
