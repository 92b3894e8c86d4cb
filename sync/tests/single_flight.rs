//! Single-flight loading: one loader per missing key, waiters released on every outcome,
//! recursion without deadlock. Every test runs under a watchdog, so that a deadlock fails
//! the test instead of hanging the suite.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use evict_lru::LruCache;
use evict_sync::{ConcurrentCache, Exclusive};

/// Runs `f` on a thread and fails if it has not finished within `secs` seconds.
fn watchdog<F: FnOnce() + Send + 'static>(secs: u64, f: F) {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The worker panicked: re-raise its panic here.
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("deadlock: not finished after {secs} s"),
    }
}

type Lru = ConcurrentCache<u64, u64, Exclusive<LruCache<u64, u64>>>;

fn lru(capacity: usize) -> Arc<Lru> {
    Arc::new(ConcurrentCache::new(capacity, |c| {
        Exclusive(LruCache::new(c))
    }))
}

#[test]
fn eight_threads_missing_one_key_run_the_loader_once() {
    watchdog(30, || {
        for round in 0..20 {
            let cache = lru(64);
            let runs = Arc::new(AtomicUsize::new(0));
            let start = Arc::new(Barrier::new(8));
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let (cache, runs, start) = (cache.clone(), runs.clone(), start.clone());
                    thread::spawn(move || {
                        start.wait();
                        cache.get_or_insert_with(round, || {
                            runs.fetch_add(1, SeqCst);
                            // Long enough that every thread misses while it runs.
                            thread::sleep(Duration::from_millis(30));
                            round * 7
                        })
                    })
                })
                .collect();
            for h in handles {
                assert_eq!(h.join().unwrap(), round * 7);
            }
            assert_eq!(
                runs.load(SeqCst),
                1,
                "round {round}: the loader ran more than once"
            );
            let info = cache.info();
            assert_eq!(info.hits + info.misses, 8);
            // Every thread that did not find the value counts a miss (the loader and its
            // waiters); only a thread that arrived after the store counts a hit.
            assert!(info.misses >= 1);
        }
    });
}

#[test]
fn a_panicking_loader_releases_every_waiter_and_caches_nothing() {
    watchdog(30, || {
        let cache = lru(64);
        let runs = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (cache, runs, start) = (cache.clone(), runs.clone(), start.clone());
                thread::spawn(move || {
                    start.wait();
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        cache.get_or_insert_with(1, || {
                            // The first loader panics; the one after it succeeds.
                            let n = runs.fetch_add(1, SeqCst);
                            thread::sleep(Duration::from_millis(20));
                            assert!(n > 0, "first load fails");
                            99
                        })
                    }))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let panicked = results.iter().filter(|r| r.is_err()).count();
        assert_eq!(
            panicked, 1,
            "only the failed loader's own caller sees its panic"
        );
        assert!(results.iter().flatten().all(|&v| v == 99));
        assert_eq!(cache.peek(&1), Some(99));
        // The cache and its locks still work.
        let _ = cache.put(2, 2);
        assert_eq!(cache.get(&2), Some(2));
    });
}

#[test]
fn an_error_is_not_cached_and_waiters_load_again() {
    watchdog(30, || {
        let cache = lru(64);
        let r: Result<u64, &str> = cache.try_get_or_insert_with(5, || Err("down"));
        assert_eq!(r, Err("down"));
        assert!(!cache.contains(&5));
        assert_eq!(cache.info().misses, 1);
        let runs = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (cache, runs, start) = (cache.clone(), runs.clone(), start.clone());
                thread::spawn(move || {
                    start.wait();
                    cache.try_get_or_insert_with(5, || {
                        let n = runs.fetch_add(1, SeqCst);
                        thread::sleep(Duration::from_millis(20));
                        if n == 0 { Err("first fails") } else { Ok(50) }
                    })
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
        assert!(results.iter().flatten().all(|&v| v == 50));
        assert_eq!(cache.peek(&5), Some(50));
    });
}

#[test]
fn a_loader_may_load_other_keys_and_its_own() {
    watchdog(30, || {
        let cache = lru(1000);
        // Fibonacci through the cache: each loader asks for two other keys.
        fn fib(cache: &Lru, n: u64) -> u64 {
            cache.get_or_insert_with(n, || {
                if n < 2 {
                    n
                } else {
                    fib(cache, n - 1) + fib(cache, n - 2)
                }
            })
        }
        assert_eq!(fib(&cache, 60), 1_548_008_755_920);
        // A loader that asks for its own key gets a value computed by a plain recursive
        // call instead of waiting for itself.
        let depth = AtomicUsize::new(0);
        let v = cache.get_or_insert_with(1000, || {
            if depth.fetch_add(1, SeqCst) == 0 {
                cache.get_or_insert_with(1000, || 5) + 1
            } else {
                unreachable!("the inner call's own closure runs, not this one")
            }
        });
        assert_eq!(v, 6);
        assert_eq!(cache.peek(&1000), Some(6), "the outer loader stores last");
    });
}

#[test]
fn loaders_that_wait_on_each_other_do_not_deadlock() {
    watchdog(30, || {
        // Thread A loads 1, whose loader asks for 2; thread B loads 2, whose loader asks for
        // 1. Each waits for the other's load: a cycle that one of them must break.
        for _ in 0..20 {
            let cache = lru(64);
            let both = Arc::new(Barrier::new(2));
            let spawn = |mine: u64, other: u64| {
                let (cache, both) = (cache.clone(), both.clone());
                thread::spawn(move || {
                    cache.get_or_insert_with(mine, || {
                        both.wait(); // both loads are registered before either asks
                        cache.get_or_insert_with(other, || other * 100) + mine
                    })
                })
            };
            let (a, b) = (spawn(1, 2), spawn(2, 1));
            let (va, vb) = (a.join().unwrap(), b.join().unwrap());
            // One of them breaks the cycle and computes the other's key itself (200 or
            // 100); the other then waits for it and adds its own key.
            assert!(
                (va, vb) == (201, 203) || (va, vb) == (103, 102),
                "{va} {vb}"
            );
        }
    });
}
