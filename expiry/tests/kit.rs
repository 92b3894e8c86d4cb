//! The expiry conformance kit (`evict_harness::expiry`) on every policy wrapped in the
//! expiring layer, and on the thread-safe cache of expiring shards, with a manual clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use evict_core::{Cache, CacheInfo, Put, Removal, Shard};
use evict_expiry::{Builder, Entry, ExpiringCache, ManualClock};
use evict_harness::expiry::{ExpiringUnderTest, ExpiryConfig, Lifetimes, by_value, check_expiry};
use evict_harness::{Key, Value};
use evict_sync::ConcurrentCache;

type Reported = Arc<Mutex<Vec<(Key, Value, Removal)>>>;

/// A builder on a fresh manual clock, with `lifetimes` and a listener recording into the
/// returned vector.
fn builder(
    lifetimes: Lifetimes,
    clock: &ManualClock,
    reported: &Reported,
) -> Builder<Key, Value, ManualClock> {
    let sink = Arc::clone(reported);
    let mut b = ExpiringCache::builder()
        .clock(clock.clone())
        .listener(move |k: Key, v: Value, why: Removal| sink.lock().unwrap().push((k, v, why)));
    if let Some(ttl) = lifetimes.ttl {
        b = b.time_to_live(Duration::from_nanos(ttl));
    }
    if let Some(tti) = lifetimes.tti {
        b = b.time_to_idle(Duration::from_nanos(tti));
    }
    if let Some(unit) = lifetimes.by_value {
        // Replaces the two above.
        b = b.expire_after(move |_: &Key, v: &Value| by_value(unit, *v).map(Duration::from_nanos));
    }
    b
}

#[derive(Debug)]
struct Single<C> {
    cache: ExpiringCache<Key, Value, C, ManualClock>,
    clock: ManualClock,
    reported: Reported,
}

fn single<C: Cache<Key, Entry<Value>>>(inner: C, lifetimes: Lifetimes) -> Single<C> {
    let clock = ManualClock::new();
    let reported = Reported::default();
    let cache = builder(lifetimes, &clock, &reported).build(inner);
    Single {
        cache,
        clock,
        reported,
    }
}

impl<C: Cache<Key, Entry<Value>> + std::fmt::Debug> ExpiringUnderTest for Single<C> {
    fn advance(&mut self, nanos: u64) {
        self.clock.advance_nanos(nanos);
    }
    fn set_clock(&mut self, nanos: u64) {
        self.clock.set(nanos);
    }
    fn get(&mut self, key: Key) -> Option<Value> {
        self.cache.get(&key).copied()
    }
    fn peek(&mut self, key: Key) -> Option<Value> {
        self.cache.peek(&key).copied()
    }
    fn put(&mut self, key: Key, value: Value) -> Put<Key, Value> {
        self.cache.put(key, value)
    }
    fn put_into(
        &mut self,
        key: Key,
        value: Value,
        ttl: Option<u64>,
        sink: &mut Vec<(Key, Value, Removal)>,
    ) -> Put<Key, Value> {
        let mut push = |k, v, why| sink.push((k, v, why));
        match ttl {
            Some(ttl) => {
                self.cache
                    .put_with_ttl_into(key, value, Duration::from_nanos(ttl), &mut push)
            }
            None => self.cache.put_into(key, value, &mut push),
        }
    }
    fn remove(&mut self, key: Key) -> Option<Value> {
        self.cache.remove(&key)
    }
    fn purge_expired(&mut self) {
        self.cache.purge_expired();
    }
    fn run_pending(&mut self) {
        self.cache.run_pending();
    }
    fn len(&mut self) -> usize {
        self.cache.len()
    }
    fn capacity(&mut self) -> Option<usize> {
        self.cache.capacity()
    }
    fn info(&mut self) -> CacheInfo {
        self.cache.info()
    }
    fn take_reported(&mut self) -> Vec<(Key, Value, Removal)> {
        std::mem::take(&mut *self.reported.lock().unwrap())
    }
    fn check_invariants(&mut self) {
        self.cache.check_invariants();
    }
}

macro_rules! kit {
    ($($name:ident => $make:expr;)*) => {$(
        #[test]
        fn $name() {
            check_expiry(|cap, lifetimes| single($make(cap), lifetimes), &ExpiryConfig::default());
        }
    )*};
}

kit! {
    unbounded => |_| evict_unbounded::UnboundedCache::new();
    lru => evict_lru::LruCache::new;
    fifo => evict_fifo::FifoCache::new;
    random => |cap| evict_random::RandomCache::with_seed(cap, 7);
    clock => evict_clock::ClockCache::new;
    sieve => evict_sieve::SieveCache::new;
    s3fifo => evict_s3fifo::S3FifoCache::new;
    arc => evict_arc::ArcCache::new;
    wtinylfu => evict_wtinylfu::WTinyLfuCache::new;
    lirs => evict_lirs::LirsCache::new;
    twoq => evict_twoq::TwoQCache::new;
}

/// The thread-safe cache over expiring shards (two shards where the capacity allows), all
/// reading one manual clock.
struct Concurrent<C> {
    cache: ConcurrentCache<Key, Value, ExpiringCache<Key, Value, C, ManualClock>>,
    clock: ManualClock,
    reported: Reported,
}

impl<C> std::fmt::Debug for Concurrent<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Concurrent").finish_non_exhaustive()
    }
}

fn concurrent<C: Shard<Key, Entry<Value>>>(
    capacity: usize,
    lifetimes: Lifetimes,
    make: impl Fn(usize) -> C,
) -> Concurrent<C> {
    sharded(2, capacity, lifetimes, make)
}

fn sharded<C: Shard<Key, Entry<Value>>>(
    shards: usize,
    capacity: usize,
    lifetimes: Lifetimes,
    make: impl Fn(usize) -> C,
) -> Concurrent<C> {
    let clock = ManualClock::new();
    let reported = Reported::default();
    let cache = ConcurrentCache::builder(capacity)
        .shards(shards)
        .build(|cap| builder(lifetimes, &clock, &reported).build(make(cap)));
    Concurrent {
        cache,
        clock,
        reported,
    }
}

impl<C> ExpiringUnderTest for Concurrent<C>
where
    C: Shard<Key, Entry<Value>> + std::fmt::Debug,
{
    fn advance(&mut self, nanos: u64) {
        self.clock.advance_nanos(nanos);
    }
    fn set_clock(&mut self, nanos: u64) {
        self.clock.set(nanos);
    }
    fn get(&mut self, key: Key) -> Option<Value> {
        self.cache.get(&key)
    }
    fn peek(&mut self, key: Key) -> Option<Value> {
        self.cache.peek(&key)
    }
    fn put(&mut self, key: Key, value: Value) -> Put<Key, Value> {
        self.cache.put(key, value)
    }
    fn put_into(
        &mut self,
        key: Key,
        value: Value,
        ttl: Option<u64>,
        sink: &mut Vec<(Key, Value, Removal)>,
    ) -> Put<Key, Value> {
        let mut push = |k, v, why| sink.push((k, v, why));
        match ttl {
            // A put with its own lifetime goes through the key's shard.
            Some(ttl) => self.cache.with_shard(&key, |shard| {
                shard.put_with_ttl_into(key, value, Duration::from_nanos(ttl), &mut push)
            }),
            None => self.cache.put_into(key, value, &mut push),
        }
    }
    fn remove(&mut self, key: Key) -> Option<Value> {
        self.cache.remove(&key)
    }
    fn purge_expired(&mut self) {
        for shard in self.cache.shards_mut() {
            shard.purge_expired();
        }
    }
    fn run_pending(&mut self) {
        for shard in self.cache.shards_mut() {
            shard.run_pending();
        }
    }
    fn len(&mut self) -> usize {
        self.cache.len()
    }
    fn capacity(&mut self) -> Option<usize> {
        self.cache.capacity()
    }
    fn info(&mut self) -> CacheInfo {
        self.cache.info()
    }
    fn take_reported(&mut self) -> Vec<(Key, Value, Removal)> {
        std::mem::take(&mut *self.reported.lock().unwrap())
    }
    fn check_invariants(&mut self) {
        for shard in self.cache.shards_mut() {
            shard.check_invariants();
        }
    }
}

fn concurrent_config() -> ExpiryConfig {
    ExpiryConfig {
        // Each shard keeps its own latest time; see `ExpiryConfig::rewinds`.
        rewinds: false,
        ..ExpiryConfig::default()
    }
}

#[test]
fn concurrent_one_shard_with_clock_going_back() {
    // Exclusive hits (LRU): every lookup records the time it acted on, as the model does.
    // (A shared hit records it only when it calls an entry expired or runs maintenance,
    // which the model cannot see; the clock going back under shared hits is covered by the
    // single-threaded kit and the semantics tests.)
    let cfg = ExpiryConfig {
        rewinds: true,
        ..concurrent_config()
    };
    check_expiry(
        |cap, lt| sharded(1, cap, lt, evict_lru::LruCache::new),
        &cfg,
    );
}

#[test]
fn concurrent_s3fifo() {
    // Shared hits (S3-FIFO marks its entry atomically): expiry checked under the read lock.
    let cfg = ExpiryConfig {
        shared_get: true,
        ..concurrent_config()
    };
    check_expiry(
        |cap, lt| concurrent(cap, lt, evict_s3fifo::S3FifoCache::new),
        &cfg,
    );
}

#[test]
fn concurrent_lru() {
    // Exclusive hits: the shard's `get_borrowed`.
    check_expiry(
        |cap, lt| concurrent(cap, lt, evict_lru::LruCache::new),
        &concurrent_config(),
    );
}

#[test]
fn concurrent_unbounded() {
    let cfg = ExpiryConfig {
        shared_get: true,
        ..concurrent_config()
    };
    check_expiry(
        |_, lt| concurrent(64, lt, |_| evict_unbounded::UnboundedCache::new()),
        &cfg,
    );
}

/// The kit catches a cache that drops expired pairs without reporting them.
#[test]
#[should_panic(expected = "expiry kit failed")]
fn kit_fails_on_a_silent_drop() {
    #[derive(Debug)]
    struct Silent(Single<evict_lru::LruCache<Key, Entry<Value>>>);
    impl ExpiringUnderTest for Silent {
        fn advance(&mut self, n: u64) {
            self.0.advance(n)
        }
        fn set_clock(&mut self, n: u64) {
            self.0.set_clock(n)
        }
        fn get(&mut self, k: Key) -> Option<Value> {
            self.0.get(k)
        }
        fn peek(&mut self, k: Key) -> Option<Value> {
            self.0.peek(k)
        }
        fn put(&mut self, k: Key, v: Value) -> Put<Key, Value> {
            self.0.put(k, v)
        }
        fn put_into(
            &mut self,
            k: Key,
            v: Value,
            t: Option<u64>,
            s: &mut Vec<(Key, Value, Removal)>,
        ) -> Put<Key, Value> {
            self.0.put_into(k, v, t, s)
        }
        fn remove(&mut self, k: Key) -> Option<Value> {
            self.0.remove(k)
        }
        fn purge_expired(&mut self) {
            self.0.purge_expired()
        }
        fn run_pending(&mut self) {
            self.0.run_pending()
        }
        fn len(&mut self) -> usize {
            self.0.len()
        }
        fn capacity(&mut self) -> Option<usize> {
            self.0.capacity()
        }
        fn info(&mut self) -> CacheInfo {
            self.0.info()
        }
        fn take_reported(&mut self) -> Vec<(Key, Value, Removal)> {
            let _ = self.0.take_reported(); // lost
            Vec::new()
        }
    }
    check_expiry(
        |cap, lt| Silent(single(evict_lru::LruCache::new(cap), lt)),
        &ExpiryConfig::default(),
    );
}

/// The kit catches a cache that returns entries past their deadline.
#[test]
#[should_panic(expected = "expiry kit failed")]
fn kit_fails_on_a_cache_that_ignores_deadlines() {
    #[derive(Debug)]
    struct Stale(Single<evict_lru::LruCache<Key, Entry<Value>>>);
    impl ExpiringUnderTest for Stale {
        fn advance(&mut self, n: u64) {
            self.0.advance(n)
        }
        fn set_clock(&mut self, n: u64) {
            self.0.set_clock(n)
        }
        fn get(&mut self, k: Key) -> Option<Value> {
            self.0.get(k)
        }
        // Reads the policy underneath: deadlines ignored.
        fn peek(&mut self, k: Key) -> Option<Value> {
            self.0.cache.inner().peek(&k).map(|e| *e.value())
        }
        fn put(&mut self, k: Key, v: Value) -> Put<Key, Value> {
            self.0.put(k, v)
        }
        fn put_into(
            &mut self,
            k: Key,
            v: Value,
            t: Option<u64>,
            s: &mut Vec<(Key, Value, Removal)>,
        ) -> Put<Key, Value> {
            self.0.put_into(k, v, t, s)
        }
        fn remove(&mut self, k: Key) -> Option<Value> {
            self.0.remove(k)
        }
        fn purge_expired(&mut self) {
            self.0.purge_expired()
        }
        fn run_pending(&mut self) {
            self.0.run_pending()
        }
        fn len(&mut self) -> usize {
            self.0.len()
        }
        fn capacity(&mut self) -> Option<usize> {
            self.0.capacity()
        }
        fn info(&mut self) -> CacheInfo {
            self.0.info()
        }
        fn take_reported(&mut self) -> Vec<(Key, Value, Removal)> {
            self.0.take_reported()
        }
    }
    check_expiry(
        |cap, lt| Stale(single(evict_lru::LruCache::new(cap), lt)),
        &ExpiryConfig::default(),
    );
}
