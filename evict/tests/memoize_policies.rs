//! `#[evict::memoize(policy = .., maxsize = ..)]` with every policy of the workspace that is
//! compiled in (`cargo test -p evict --features full` runs them all): the results are right
//! and the counters keep Python's invariants whatever the policy evicts. The same with a
//! byte budget (`max_bytes`: the policy built `with_weigher`, which checks that every policy
//! has the `<K, V, S, W>` parameters the attribute assumes) and with a byte budget and a
//! time to live (the policy storing `evict::expiry::Entry<V>` inside an `ExpiringCache`).

#![cfg(feature = "macros")]

use std::sync::atomic::{AtomicU64, Ordering};

macro_rules! policy_test {
    ($feature:literal, $test:ident, $policy:ident) => {
        mod $test {
            // Unused when the policy's feature is off (its tests are compiled out).
            #[allow(unused_imports)]
            use super::*;

            // (u64,) -> u64: 16 bytes an entry, so 8 fit in 128.
            policy_test!(@one $feature, entries, $policy, 8, 8, [maxsize = 8]);
            policy_test!(@one $feature, bytes, $policy, 8, 128, [max_bytes = 128]);
            // Only where its test is compiled: the policy's feature and `expiry` both on.
            #[cfg(all(feature = "expiry", feature = $feature))]
            const EXPIRING_ENTRY: u64 =
                (size_of::<(u64,)>() + size_of::<evict::expiry::Entry<u64>>()) as u64;
            #[cfg(feature = "expiry")]
            policy_test!(
                @one $feature, bytes_and_ttl, $policy, 8, 8 * EXPIRING_ENTRY as usize,
                [max_bytes = 8 * EXPIRING_ENTRY, ttl = "1h"]
            );
        }
    };
    (
        @one $feature:literal, $test:ident, $policy:ident, $most:literal, $maxsize:expr,
        [$($args:tt)*]
    ) => {
        #[cfg(feature = $feature)]
        #[test]
        fn $test() {
            static CALLS: AtomicU64 = AtomicU64::new(0);
            static BODIES: AtomicU64 = AtomicU64::new(0);

            #[evict::memoize(policy = evict::$policy, $($args)*)]
            fn collatz_steps(n: u64) -> u64 {
                BODIES.fetch_add(1, Ordering::Relaxed);
                if n == 1 {
                    0
                } else {
                    CALLS.fetch_add(1, Ordering::Relaxed);
                    1 + collatz_steps(if n.is_multiple_of(2) {
                        n / 2
                    } else {
                        3 * n + 1
                    })
                }
            }

            fn plain(mut n: u64) -> u64 {
                let mut steps = 0;
                while n != 1 {
                    n = if n.is_multiple_of(2) {
                        n / 2
                    } else {
                        3 * n + 1
                    };
                    steps += 1;
                }
                steps
            }

            for round in 0..3 {
                for n in 1..=40 {
                    CALLS.fetch_add(1, Ordering::Relaxed);
                    assert_eq!(collatz_steps(n), plain(n), "round {round}, n = {n}");
                }
            }
            let info = collatz_steps::cache_info();
            assert_eq!(
                info.hits + info.misses,
                CALLS.load(Ordering::Relaxed),
                "{info}"
            );
            assert_eq!(info.misses, BODIES.load(Ordering::Relaxed), "{info}");
            assert!(info.hits > 0, "{info}");
            assert!(info.currsize <= $most, "{info}");
            assert!(info.currsize > 0, "{info}");
            assert_eq!(info.maxsize, Some($maxsize));
            assert_eq!(
                collatz_steps::cache_parameters().policy,
                concat!("evict::", stringify!($policy))
            );
            collatz_steps::cache_clear();
            assert_eq!(collatz_steps::cache_info().currsize, 0);
        }
    };
}

policy_test!("lru", lru, LruCache);
policy_test!("fifo", fifo, FifoCache);
policy_test!("random", random, RandomCache);
policy_test!("clock", clock, ClockCache);
policy_test!("sieve", sieve, SieveCache);
policy_test!("s3fifo", s3fifo, S3FifoCache);
policy_test!("arc", arc, ArcCache);
policy_test!("wtinylfu", wtinylfu, WTinyLfuCache);
policy_test!("twoq", twoq, TwoQCache);
policy_test!("lirs", lirs, LirsCache);
