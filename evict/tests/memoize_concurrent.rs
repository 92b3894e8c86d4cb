//! The concurrent memo (`shards = ...`, optionally `single_flight`): a memoized function whose
//! cache is an `evict::sync::ConcurrentCache`. Eight threads call recursive functions at once
//! (right values, exact counters, no deadlock); single flight runs a slow body once, and a
//! panicking body releases the waiters and caches nothing; two hits of one key run at the
//! same time inside the cache (no global mutex). No assertion is about time: each wait has a
//! generous bound only so that a deadlock fails the test instead of hanging it.

#![cfg(all(
    feature = "macros",
    feature = "sync",
    feature = "s3fifo",
    feature = "sieve",
    feature = "fifo"
))]

use std::panic;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::Duration;

mod common;
use common::{DEADLOCK_BOUND, eight_threads, with_watchdog};

use evict::{Cache, CacheInfo, FifoCache, Put, Shard};

static S3_INNER_CALLS: AtomicU64 = AtomicU64::new(0);
static S3_BODIES: AtomicU64 = AtomicU64::new(0);

/// Hits under each shard's shared lock (S3-FIFO marks an entry with an atomic counter).
#[evict::memoize(policy = evict::S3FifoCache, maxsize = 64, shards = 4)]
fn stairs_s3fifo(n: u64) -> u64 {
    S3_BODIES.fetch_add(1, Ordering::Relaxed);
    if n < 3 {
        n.max(1)
    } else {
        S3_INNER_CALLS.fetch_add(3, Ordering::Relaxed);
        (stairs_s3fifo(n - 1) + stairs_s3fifo(n - 2) + stairs_s3fifo(n - 3)) % 1_000_000_007
    }
}

#[test]
fn recursive_function_from_eight_threads_with_shards() {
    let outer = with_watchdog(|| eight_threads(stairs_s3fifo));
    let info = stairs_s3fifo::cache_info();
    let calls = outer + S3_INNER_CALLS.load(Ordering::Relaxed);
    assert_eq!(
        info.hits + info.misses,
        calls,
        "every call counted once: {info}"
    );
    assert_eq!(
        info.misses,
        S3_BODIES.load(Ordering::Relaxed),
        "without single flight a body runs exactly on a miss"
    );
    assert!(info.currsize <= 64, "{info}");
    assert_eq!(info.maxsize, Some(64));
    let params = stairs_s3fifo::cache_parameters();
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=64, policy=evict::S3FifoCache, shards=4, single_flight=false)"
    );
}

static LRU_INNER_CALLS: AtomicU64 = AtomicU64::new(0);
static LRU_BODIES: AtomicU64 = AtomicU64::new(0);

/// `lru_cache` takes `shards` too: each shard's hit takes that shard's exclusive lock (an
/// LRU hit reorders its list), so hits on different shards still run at once.
#[evict::lru_cache(maxsize = 64, shards = 8)]
fn stairs_lru(n: u64) -> u64 {
    LRU_BODIES.fetch_add(1, Ordering::Relaxed);
    if n < 3 {
        n.max(1)
    } else {
        LRU_INNER_CALLS.fetch_add(3, Ordering::Relaxed);
        (stairs_lru(n - 1) + stairs_lru(n - 2) + stairs_lru(n - 3)) % 1_000_000_007
    }
}

#[test]
fn recursive_lru_from_eight_threads_with_shards() {
    let outer = with_watchdog(|| eight_threads(stairs_lru));
    let info = stairs_lru::cache_info();
    let calls = outer + LRU_INNER_CALLS.load(Ordering::Relaxed);
    assert_eq!(info.hits + info.misses, calls, "{info}");
    assert_eq!(info.misses, LRU_BODIES.load(Ordering::Relaxed));
    assert!(info.currsize <= 64, "{info}");
    assert_eq!(stairs_lru::cache_parameters().shards, Some(8));
}

static SF_INNER_CALLS: AtomicU64 = AtomicU64::new(0);
static SF_BODIES: AtomicU64 = AtomicU64::new(0);

/// Recursion through single-flight loads: a loader waits on other threads' loads of other
/// keys, never on its own.
#[evict::memoize(policy = evict::SieveCache, maxsize = 64, shards = 4, single_flight)]
fn stairs_single_flight(n: u64) -> u64 {
    SF_BODIES.fetch_add(1, Ordering::Relaxed);
    if n < 3 {
        n.max(1)
    } else {
        SF_INNER_CALLS.fetch_add(3, Ordering::Relaxed);
        (stairs_single_flight(n - 1) + stairs_single_flight(n - 2) + stairs_single_flight(n - 3))
            % 1_000_000_007
    }
}

#[test]
fn recursive_single_flight_from_eight_threads() {
    let outer = with_watchdog(|| eight_threads(stairs_single_flight));
    let info = stairs_single_flight::cache_info();
    let calls = outer + SF_INNER_CALLS.load(Ordering::Relaxed);
    assert_eq!(info.hits + info.misses, calls, "{info}");
    // A waiter counts a miss without running the body.
    assert!(info.misses >= SF_BODIES.load(Ordering::Relaxed), "{info}");
    assert!(stairs_single_flight::cache_parameters().single_flight);
}

static SLOW_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::memoize(policy = evict::S3FifoCache, maxsize = 16, shards = 2, single_flight = true)]
fn slow(n: u64) -> u64 {
    SLOW_RUNS.fetch_add(1, Ordering::SeqCst);
    // Long enough that the other seven callers arrive while this runs (so the test fails if
    // they run the body too); how long it takes is not asserted.
    thread::sleep(Duration::from_millis(200));
    n * 3
}

/// Eight threads released together call `f(arg)` once each; returns each one's outcome.
fn eight_callers<T: Send + 'static>(f: fn(u64) -> T, arg: u64) -> Vec<thread::Result<T>> {
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                panic::catch_unwind(move || f(arg))
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("panics are caught in the thread"))
        .collect()
}

#[test]
fn single_flight_runs_a_slow_body_once() {
    let results = with_watchdog(|| eight_callers(slow, 7));
    for result in results {
        assert_eq!(result.expect("no panic"), 21);
    }
    assert_eq!(
        SLOW_RUNS.load(Ordering::SeqCst),
        1,
        "one body for 8 callers"
    );
    let info = slow::cache_info();
    assert_eq!(info.hits + info.misses, 8, "{info}");
    assert_eq!(info.currsize, 1);
}

static BOOM_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::memoize(policy = evict::S3FifoCache, maxsize = 16, shards = 2, single_flight)]
fn boom(n: u64) -> u64 {
    BOOM_RUNS.fetch_add(1, Ordering::SeqCst);
    thread::sleep(Duration::from_millis(50));
    panic!("boom({n})");
}

#[test]
fn single_flight_panicking_body_releases_the_waiters_and_caches_nothing() {
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let results = with_watchdog(|| eight_callers(boom, 1));
    panic::set_hook(quiet);
    // Every caller either ran the body itself or waited for a run that panicked and was
    // released to try again: all eight end in the panic, none waits forever.
    assert!(results.iter().all(Result::is_err), "every caller panics");
    assert_eq!(
        BOOM_RUNS.load(Ordering::SeqCst),
        8,
        "each caller ran it once"
    );
    let info = boom::cache_info();
    assert_eq!(
        (info.hits, info.misses, info.currsize),
        (0, 8, 0),
        "nothing cached: {info}"
    );
}

static FLAKY_RUNS: AtomicU64 = AtomicU64::new(0);
static FLAKY_FAILED: AtomicBool = AtomicBool::new(false);

/// Panics on its first run only.
#[evict::memoize(policy = evict::S3FifoCache, maxsize = 16, shards = 2, single_flight)]
fn flaky(n: u64) -> u64 {
    FLAKY_RUNS.fetch_add(1, Ordering::SeqCst);
    thread::sleep(Duration::from_millis(100));
    assert!(FLAKY_FAILED.swap(true, Ordering::SeqCst), "first run fails");
    n + 1
}

#[test]
fn single_flight_after_a_panic_the_waiters_load_once_more() {
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let results = with_watchdog(|| eight_callers(flaky, 4));
    panic::set_hook(quiet);
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 1, "only the first loader's caller sees its panic");
    for value in results.into_iter().flatten() {
        assert_eq!(value, 5);
    }
    // One run panicked (nothing cached), then exactly one more loaded for everyone else.
    assert_eq!(FLAKY_RUNS.load(Ordering::SeqCst), 2);
    let info = flaky::cache_info();
    assert_eq!(info.hits + info.misses, 8, "{info}");
    assert_eq!(info.currsize, 1);
}

static PARSE_RUNS: AtomicU64 = AtomicU64::new(0);

/// `errors = false` with single flight: an `Err` goes to its own caller and is not stored.
#[evict::memoize(
    policy = evict::SieveCache,
    maxsize = 16,
    shards = 1,
    single_flight,
    errors = false
)]
fn parse(text: &str) -> Result<u32, String> {
    PARSE_RUNS.fetch_add(1, Ordering::SeqCst);
    text.parse().map_err(|_| format!("not a number: {text}"))
}

#[test]
fn single_flight_does_not_store_errors() {
    assert!(parse("x").is_err());
    assert!(parse("x").is_err());
    assert_eq!(parse("12"), Ok(12));
    assert_eq!(parse("12"), Ok(12));
    assert_eq!(PARSE_RUNS.load(Ordering::SeqCst), 3, "x twice, 12 once");
    assert_eq!(
        parse::cache_info().to_string(),
        "CacheInfo(hits=1, misses=3, maxsize=16, currsize=1)"
    );
}

/// Where two threads meet: each call waits (up to a bound) until two threads are inside at
/// once. `met` stays set once that happened, so the one that wakes second sees it too even if
/// the other has left meanwhile.
#[derive(Debug, Default)]
struct Meeting {
    state: Mutex<(u32, bool)>,
    both: Condvar,
}

impl Meeting {
    /// Whether two threads were inside at once while this one waited (up to `bound`).
    fn meet(&self, bound: Duration) -> bool {
        let mut state = self.state.lock().expect("not poisoned");
        state.0 += 1;
        if state.0 >= 2 {
            state.1 = true;
            self.both.notify_all();
        }
        let (mut state, _) = self
            .both
            .wait_timeout_while(state, bound, |s| !s.1)
            .expect("not poisoned");
        state.0 -= 1;
        state.1
    }
}

static MEETING: Meeting = Meeting {
    state: Mutex::new((0, false)),
    both: Condvar::new(),
};
static MET: AtomicU64 = AtomicU64::new(0);
static MEET_ARMED: AtomicBool = AtomicBool::new(false);
static MEET_BOUND: Mutex<Duration> = Mutex::new(Duration::from_secs(60));

/// A FIFO cache whose hit, once armed, waits inside the cache for a second hit. If both
/// hits get in, neither was serialized behind the other: there is no lock around the whole
/// cache on the hit path.
#[derive(Debug)]
struct Meet<K, V>(FifoCache<K, V>);

impl<K: std::hash::Hash + Eq, V> Meet<K, V> {
    fn new(capacity: usize) -> Self {
        Self(FifoCache::new(capacity))
    }

    fn hit(&self) {
        if MEET_ARMED.load(Ordering::SeqCst) {
            let bound = *MEET_BOUND.lock().expect("not poisoned");
            if MEETING.meet(bound) {
                MET.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

impl<K: std::hash::Hash + Eq, V> Cache<K, V> for Meet<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        // The default memo's path (one mutex): a hit waits here holding it.
        if self.0.peek(key).is_some() {
            self.hit();
        }
        self.0.get(key)
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.0.peek(key)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.0.put(key, value)
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        self.0.remove(key)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn capacity(&self) -> Option<usize> {
        self.0.capacity()
    }
    fn info(&self) -> CacheInfo {
        self.0.info()
    }
    fn clear(&mut self) {
        self.0.clear();
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.0.get_mut(key)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.0.peek_mut(key)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        self.0.put_mut(key, value)
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.0.peek_victim()
    }
    fn pop(&mut self) -> Option<(K, V)> {
        self.0.pop()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.0.resize(capacity)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        self.0.entries()
    }
}

impl<K: std::hash::Hash + Eq, V> Shard<K, V> for Meet<K, V> {
    // A FIFO hit changes nothing, so it may run under the shared lock.
    const SHARED_HIT: bool = true;
    fn get_borrowed(&mut self, key: &K) -> Option<&V> {
        self.get(key)
    }
    fn peek_borrowed(&self, key: &K) -> Option<&V> {
        self.0.peek(key)
    }
    fn remove_borrowed(&mut self, key: &K) -> Option<V> {
        self.0.remove(key)
    }
    fn get_shared(&self, key: &K) -> Option<&V> {
        // The concurrent memo's hit path: under the shard's shared lock.
        let found = self.0.peek(key);
        if found.is_some() {
            self.hit();
        }
        found
    }
}

/// One shard, so both hits are on the same shard's lock.
#[evict::memoize(policy = Meet, maxsize = 8, shards = 1)]
fn echo_concurrent(n: u64) -> u64 {
    n
}

#[evict::memoize(policy = Meet, maxsize = 8)]
fn echo_mutex(n: u64) -> u64 {
    n
}

/// Resets the meeting, warms `f(1)`, then has two threads hit `f(1)` at once; returns how
/// many of them met the other inside the cache.
fn two_hits(f: fn(u64) -> u64, bound: Duration) -> u64 {
    assert_eq!(f(1), 1); // a miss, stored
    *MEETING.state.lock().expect("not poisoned") = (0, false);
    *MEET_BOUND.lock().expect("not poisoned") = bound;
    MET.store(0, Ordering::SeqCst);
    MEET_ARMED.store(true, Ordering::SeqCst);
    let handles: Vec<_> = (0..2)
        .map(|_| thread::spawn(move || assert_eq!(f(1), 1)))
        .collect();
    for handle in handles {
        handle.join().expect("no panic");
    }
    MEET_ARMED.store(false, Ordering::SeqCst);
    MET.load(Ordering::SeqCst)
}

/// Both tests use the one meeting place, one after the other.
#[test]
fn two_hits_run_at_once_in_the_concurrent_memo_but_not_in_the_default_one() {
    // Concurrent memo: both hits are inside the shard at once (under its shared lock). With
    // a lock around the whole cache the first would wait out the bound alone, then the
    // second: neither would meet the other.
    let met = two_hits(echo_concurrent, DEADLOCK_BOUND);
    assert_eq!(met, 2, "both hits inside the cache at the same time");
    let info = echo_concurrent::cache_info();
    assert_eq!((info.hits, info.misses), (2, 1));

    // The default memo, for contrast: one mutex, so the hits cannot meet (each waits out a
    // short bound alone). This half shows the check above can fail.
    let met = two_hits(echo_mutex, Duration::from_millis(300));
    assert_eq!(met, 0, "the default memo serializes hits on its mutex");
    assert_eq!(echo_mutex::cache_parameters().shards, None);
}

#[evict::memoize(policy = evict::SieveCache, maxsize = 1000, shards = auto)]
fn auto_sharded(n: u64) -> u64 {
    n + 1
}

#[evict::cache(shards = 4)]
fn unbounded_sharded(n: u64) -> u64 {
    n * 2
}

const SHARDS: usize = 2 * 2;

#[evict::lru_cache(maxsize = 2, shards = SHARDS)]
fn small_sharded(n: u64) -> u64 {
    n
}

#[test]
fn shard_counts_and_companions() {
    assert_eq!(
        auto_sharded::cache_parameters().shards,
        Some(evict::sync::default_shards(1000))
    );
    assert_eq!((auto_sharded(1), auto_sharded(1)), (2, 2));
    assert_eq!(
        auto_sharded::cache_info().to_string(),
        "CacheInfo(hits=1, misses=1, maxsize=1000, currsize=1)"
    );
    auto_sharded::cache_clear();
    assert_eq!(
        auto_sharded::cache_info().to_string(),
        "CacheInfo(hits=0, misses=0, maxsize=1000, currsize=0)"
    );
    assert_eq!(auto_sharded::uncached(5), 6);

    for n in 0..100 {
        assert_eq!(unbounded_sharded(n), n * 2);
    }
    assert_eq!(
        unbounded_sharded::cache_info().to_string(),
        "CacheInfo(hits=0, misses=100, maxsize=None, currsize=100)"
    );
    assert_eq!(
        unbounded_sharded::cache_parameters().to_string(),
        "CacheParameters(maxsize=None, policy=UnboundedCache, shards=4, single_flight=false)"
    );

    // 4 shards asked for, but 2 entries in all: 2 shards of one entry each.
    assert_eq!(small_sharded::cache_parameters().shards, Some(2));
    for n in 0..10 {
        assert_eq!(small_sharded(n), n);
    }
    assert!(small_sharded::cache_info().currsize <= 2);
}

#[evict::memoize(policy = evict::SieveCache, maxsize = 0, shards = 4)]
fn keeps_nothing(n: u64) -> u64 {
    n
}

#[test]
fn maxsize_zero_counts_every_call_as_a_miss() {
    assert_eq!((keeps_nothing(1), keeps_nothing(1)), (1, 1));
    assert_eq!(
        keeps_nothing::cache_info().to_string(),
        "CacheInfo(hits=0, misses=2, maxsize=0, currsize=0)"
    );
    assert_eq!(keeps_nothing::cache_parameters().shards, Some(1));
}

/// A generic function keeps one concurrent memo per instantiation.
#[evict::memoize(policy = evict::S3FifoCache, maxsize = 64, shards = 2)]
fn largest<T: Ord + Clone + std::hash::Hash + Send + Sync + 'static>(items: Vec<T>) -> Option<T> {
    items.into_iter().max()
}

#[test]
fn generic_function_with_shards() {
    assert_eq!(largest(vec![3, 9, 4]), Some(9));
    assert_eq!(largest(vec!["b", "a"]), Some("b"));
    assert_eq!(largest(vec![3, 9, 4]), Some(9));
    assert_eq!(
        largest::cache_info().to_string(),
        "CacheInfo(hits=1, misses=2, maxsize=64, currsize=2)"
    );
    assert_eq!(largest::cache_parameters().shards, Some(2));
    largest::cache_clear();
    assert_eq!(largest::cache_info().currsize, 0);
}

struct Grid;

impl Grid {
    #[evict::lru_cache(maxsize = 256, shards = 4, single_flight, associated)]
    fn paths(w: u64, h: u64) -> u64 {
        if w == 0 || h == 0 {
            1
        } else {
            Self::paths(w - 1, h) + Self::paths(w, h - 1)
        }
    }
}

#[test]
fn associated_function_with_shards() {
    assert_eq!(with_watchdog(|| Grid::paths(16, 16)), 601_080_390);
    let info = Grid::paths_cache_info();
    assert_eq!(info.misses, 288, "{info}");
    assert_eq!(Grid::paths_cache_parameters().shards, Some(4));
}
