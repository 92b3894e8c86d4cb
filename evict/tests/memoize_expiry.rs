//! `ttl = ...` and `time_to_idle = ...` on the three attributes, with and without `shards`.
//!
//! No test waits on time to pass a deadline by sleeping: a lifetime of zero expires at once
//! (every later call is certainly a miss), an hour never expires within a test (every later
//! call is certainly a hit), and the one test with a short lifetime (one microsecond) spins
//! on the monotonic clock until it has certainly passed, which no scheduling can make flaky.

#![cfg(all(
    feature = "macros",
    feature = "expiry",
    feature = "sync",
    feature = "s3fifo"
))]

use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use evict::{CacheInfo, CacheParameters, SizeUnit};

/// Spins until the monotonic clock (the one `StdClock` reads) has moved on by `d`.
fn spin_past(d: Duration) {
    // Waits on the clock the memo's cache reads (a coarse clock may lag `Instant` by up to
    // its resolution, so a wait on `Instant` alone might not move it).
    use evict::expiry::{Clock, DefaultClock};
    let clock = DefaultClock::default();
    let start = clock.now_nanos();
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    while clock.now_nanos().saturating_sub(start) <= nanos {
        std::hint::spin_loop();
    }
}

fn info(hits: u64, misses: u64, maxsize: Option<usize>, currsize: usize) -> CacheInfo {
    CacheInfo {
        hits,
        misses,
        maxsize,
        currsize,
    }
}

static ZERO_RUNS: AtomicU64 = AtomicU64::new(0);

/// Expires as soon as it is stored: every call runs the body.
#[evict::lru_cache(maxsize = 8, ttl = "0s")]
fn zero_ttl(n: u64) -> u64 {
    ZERO_RUNS.fetch_add(1, Ordering::Relaxed);
    n + 1
}

#[test]
fn a_zero_ttl_makes_every_call_a_miss() {
    for _ in 0..3 {
        assert_eq!(zero_ttl(1), 2);
    }
    assert_eq!(ZERO_RUNS.load(Ordering::Relaxed), 3);
    let info = zero_ttl::cache_info();
    assert_eq!((info.hits, info.misses, info.maxsize), (0, 3, Some(8)));
    // The expired entry is replaced by each call's new one, never answered.
    assert!(info.currsize <= 1, "{info}");
    assert_eq!(
        zero_ttl::cache_parameters().time_to_live,
        Some(Duration::ZERO)
    );
}

static HOUR_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(maxsize = 2, ttl = "1h")]
fn hour_ttl(n: u64) -> u64 {
    HOUR_RUNS.fetch_add(1, Ordering::Relaxed);
    n * 10
}

#[test]
fn a_long_ttl_keeps_lru_semantics_and_cache_info() {
    assert_eq!(hour_ttl(1), 10);
    assert_eq!(hour_ttl(1), 10);
    assert_eq!(hour_ttl(2), 20);
    assert_eq!(hour_ttl(3), 30); // evicts 1, the least recently used
    assert_eq!(hour_ttl(1), 10);
    assert_eq!(HOUR_RUNS.load(Ordering::Relaxed), 4);
    assert_eq!(hour_ttl::cache_info(), info(1, 4, Some(2), 2));
    let params = hour_ttl::cache_parameters();
    assert_eq!(params.time_to_live, Some(Duration::from_secs(3600)));
    assert_eq!(params.time_to_idle, None);
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=2, policy=LruCache, ttl=3600s)"
    );
    hour_ttl::cache_clear();
    assert_eq!(hour_ttl::cache_info(), info(0, 0, Some(2), 0));
}

static MICRO_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::cache(ttl = "1us")]
fn micro_ttl(word: &str) -> usize {
    MICRO_RUNS.fetch_add(1, Ordering::Relaxed);
    word.len()
}

#[test]
fn an_entry_is_a_miss_once_its_ttl_has_passed() {
    assert_eq!(micro_ttl("abc"), 3);
    spin_past(Duration::from_micros(20));
    assert_eq!(micro_ttl("abc"), 3);
    assert_eq!(MICRO_RUNS.load(Ordering::Relaxed), 2);
    let info = micro_ttl::cache_info();
    assert_eq!((info.hits, info.misses, info.maxsize), (0, 2, None));
    assert_eq!(
        micro_ttl::cache_parameters().to_string(),
        "CacheParameters(maxsize=None, policy=UnboundedCache, ttl=1µs)"
    );
}

/// A `Duration` expression (a constant) instead of a string.
#[evict::memoize(
    policy = evict::S3FifoCache,
    maxsize = 100,
    ttl = Duration::from_secs(30),
    time_to_idle = Duration::from_millis(1500)
)]
fn both_lifetimes(n: u32) -> String {
    n.to_string()
}

#[test]
fn ttl_and_time_to_idle_from_duration_expressions() {
    assert_eq!(both_lifetimes(7), "7");
    assert_eq!(both_lifetimes(7), "7");
    assert_eq!(both_lifetimes::cache_info(), info(1, 1, Some(100), 1));
    let params = both_lifetimes::cache_parameters();
    assert_eq!(params.time_to_live, Some(Duration::from_secs(30)));
    assert_eq!(params.time_to_idle, Some(Duration::from_millis(1500)));
    assert_eq!(params.unit, SizeUnit::Entries);
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=100, policy=evict::S3FifoCache, ttl=30s, time_to_idle=1.5s)"
    );
}

static IDLE_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(maxsize = 4, time_to_idle = "0ns")]
fn zero_idle(n: u64) -> u64 {
    IDLE_RUNS.fetch_add(1, Ordering::Relaxed);
    n
}

#[test]
fn a_zero_time_to_idle_makes_every_call_a_miss() {
    for _ in 0..3 {
        assert_eq!(zero_idle(5), 5);
    }
    assert_eq!(IDLE_RUNS.load(Ordering::Relaxed), 3);
    assert_eq!(zero_idle::cache_info().hits, 0);
}

#[evict::cache(time_to_idle = "1d")]
fn long_idle(n: u64) -> u64 {
    n
}

#[test]
fn a_long_time_to_idle_hits() {
    assert_eq!(long_idle(1), 1);
    assert_eq!(long_idle(1), 1);
    assert_eq!(long_idle::cache_info(), info(1, 1, None, 1));
    assert_eq!(
        long_idle::cache_parameters().time_to_idle,
        Some(Duration::from_secs(86_400))
    );
}

// The thread-safe memo: each shard an expiring S3-FIFO.

static SHARDED_ZERO_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::memoize(policy = evict::S3FifoCache, maxsize = 1024, shards = 4, ttl = "0s")]
fn sharded_zero(n: u64) -> u64 {
    SHARDED_ZERO_RUNS.fetch_add(1, Ordering::Relaxed);
    n * 3
}

#[test]
fn sharded_zero_ttl_misses_every_time() {
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for n in 0..50 {
                    assert_eq!(sharded_zero(n % 5), (n % 5) * 3);
                }
            });
        }
    });
    assert_eq!(SHARDED_ZERO_RUNS.load(Ordering::Relaxed), 100);
    let info = sharded_zero::cache_info();
    assert_eq!((info.hits, info.misses, info.maxsize), (0, 100, Some(1024)));
    let params = sharded_zero::cache_parameters();
    assert_eq!(params.shards, Some(4));
    assert_eq!(params.time_to_live, Some(Duration::ZERO));
}

static SHARDED_HOUR_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(maxsize = 4096, shards = auto, ttl = "1h", time_to_idle = "10m")]
fn sharded_hour(n: u64) -> u64 {
    SHARDED_HOUR_RUNS.fetch_add(1, Ordering::Relaxed);
    n + 100
}

#[test]
fn sharded_long_ttl_hits() {
    for n in 0..100 {
        assert_eq!(sharded_hour(n), n + 100);
    }
    for n in 0..100 {
        assert_eq!(sharded_hour(n), n + 100);
    }
    assert_eq!(SHARDED_HOUR_RUNS.load(Ordering::Relaxed), 100);
    assert_eq!(sharded_hour::cache_info(), info(100, 100, Some(4096), 100));
    let params = sharded_hour::cache_parameters();
    assert!(params.shards.is_some());
    assert_eq!(params.time_to_idle, Some(Duration::from_secs(600)));
}

static FLIGHT_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::cache(shards = 2, single_flight, ttl = "0s")]
fn single_flight_zero(n: u64) -> u64 {
    FLIGHT_RUNS.fetch_add(1, Ordering::Relaxed);
    n
}

#[test]
fn single_flight_with_zero_ttl_recomputes() {
    for _ in 0..3 {
        assert_eq!(single_flight_zero(9), 9);
    }
    assert_eq!(FLIGHT_RUNS.load(Ordering::Relaxed), 3);
}

/// A generic function: one expiring cache per instantiation.
#[evict::lru_cache(maxsize = 8, ttl = "1h")]
fn generic_ttl<T: Clone + std::hash::Hash + Eq + Send + 'static>(x: T) -> T {
    x
}

#[test]
fn generic_functions_get_an_expiring_cache_per_instantiation() {
    assert_eq!(generic_ttl(1u8), 1);
    assert_eq!(generic_ttl(1u8), 1);
    assert_eq!(generic_ttl(String::from("a")), "a");
    assert_eq!(generic_ttl::cache_info(), info(1, 2, Some(8), 2));
    assert_eq!(
        generic_ttl::cache_parameters().time_to_live,
        Some(Duration::from_secs(3600))
    );
}

#[test]
fn parameters_of_a_memo_without_lifetimes_print_as_before() {
    let params = CacheParameters::new(Some(3), "LruCache");
    assert_eq!(params.time_to_live, None);
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=3, policy=LruCache)"
    );
}

// A lifetime and a weight budget together: the policy weighs `Entry<V>`.

#[evict::lru_cache(max_bytes = 4096, ttl = "1h")]
fn expiring_blob(n: usize) -> Vec<u8> {
    vec![0; n]
}

#[test]
fn ttl_with_a_byte_budget_weighs_the_entries() {
    for n in 0..50 {
        assert_eq!(expiring_blob(500 + n).len(), 500 + n);
    }
    let info = expiring_blob::cache_info();
    assert_eq!((info.misses, info.maxsize), (50, Some(4096)));
    // Each entry weighs its key, its `Entry<Vec<u8>>` and at least 500 heap bytes.
    let lightest = size_of::<(usize,)>() + size_of::<evict::expiry::Entry<Vec<u8>>>() + 500;
    assert!(info.currsize * lightest <= 4096, "{info}");
    assert!(info.currsize >= 4096 / (lightest + 100), "{info}");
    assert_eq!(expiring_blob(549).len(), 549);
    assert_eq!(expiring_blob::cache_info().hits, 1);
    let params = expiring_blob::cache_parameters();
    assert_eq!(params.unit, SizeUnit::Bytes);
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=4096, unit=bytes, policy=LruCache, ttl=3600s)"
    );
}

static WEIGHED_RUNS: AtomicU64 = AtomicU64::new(0);

#[allow(clippy::ptr_arg)] // a weigher is `fn(&Key, &Value) -> u64`
fn by_len(_: &(u64,), v: &String) -> u64 {
    v.len() as u64
}

#[evict::memoize(
    policy = evict::S3FifoCache,
    max_weight = 12,
    weigher = by_len,
    time_to_idle = "0s",
    shards = 2
)]
fn weighed_idle(n: u64) -> String {
    WEIGHED_RUNS.fetch_add(1, Ordering::Relaxed);
    "x".repeat(n as usize)
}

#[evict::memoize(policy = evict::S3FifoCache, max_weight = 12, weigher = by_len, ttl = "1h")]
fn weighed_hour(n: u64) -> String {
    "x".repeat(n as usize)
}

#[test]
fn ttl_with_a_weigher_sharded_and_not() {
    for _ in 0..3 {
        assert_eq!(weighed_idle(4).len(), 4);
    }
    assert_eq!(WEIGHED_RUNS.load(Ordering::Relaxed), 3);
    let params = weighed_idle::cache_parameters();
    assert_eq!((params.unit, params.shards), (SizeUnit::Weight, Some(2)));

    for n in [5, 5, 6, 3] {
        assert_eq!(weighed_hour(n).len(), n as usize);
    }
    // 5 + 6 = 11 fit in 12; 3 more does not, so something left.
    let info = weighed_hour::cache_info();
    assert_eq!((info.hits, info.misses, info.maxsize), (1, 3, Some(12)));
    assert!(info.currsize <= 2, "{info}");
}
