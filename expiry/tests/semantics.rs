//! The semantics, case by case: lifetimes, per-entry deadlines, the `Expiry` callback,
//! reporting, clocks going backwards, and the thread-safe cache under real threads.

use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use evict_core::{Cache, Put, Removal};
use evict_expiry::{ExpiringCache, Expiry, ManualClock};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;
use evict_sync::ConcurrentCache;

const S: Duration = Duration::from_secs(1);

fn secs(n: u64) -> Duration {
    S * n as u32
}

#[test]
fn time_to_idle_is_pushed_back_by_reads_up_to_the_time_to_live() {
    let clock = ManualClock::new();
    let mut c = ExpiringCache::builder()
        .time_to_live(secs(30))
        .time_to_idle(secs(10))
        .clock(clock.clone())
        .build(LruCache::new(8));
    let _ = c.put(1, "a");
    for _ in 0..2 {
        clock.advance(secs(9));
        assert_eq!(c.get(&1), Some(&"a"));
    }
    // 18 s: read; idle until 28 s. 27 s: read; idle would be 37 s, but the TTL caps it at 30.
    clock.advance(secs(9));
    assert_eq!(c.get(&1), Some(&"a"));
    assert_eq!(c.time_left(&1), Some(secs(3)));
    clock.advance(secs(3));
    assert_eq!(c.get(&1), None);
    // A peek does not refresh.
    let _ = c.put(2, "b");
    clock.advance(secs(9));
    assert_eq!(c.peek(&2), Some(&"b"));
    clock.advance(secs(1));
    assert_eq!(c.peek(&2), None);
}

#[test]
fn a_put_with_its_own_ttl_overrides_the_cache_ttl() {
    let clock = ManualClock::new();
    let mut c = ExpiringCache::builder()
        .time_to_live(secs(60))
        .clock(clock.clone())
        .build(LruCache::new(8));
    let _ = c.put_with_ttl(1, 10, secs(5));
    let _ = c.put_with_ttl(2, 20, secs(600));
    let _ = c.put(3, 30);
    clock.advance(secs(61));
    assert_eq!(c.get(&1), None);
    assert_eq!(c.get(&2), Some(&20));
    assert_eq!(c.get(&3), None);
    // A plain put of the key takes the cache's TTL again.
    let _ = c.put(2, 21);
    assert_eq!(c.time_left(&2), Some(secs(60)));
}

#[test]
fn expiry_callback_chooses_on_create_update_and_read() {
    struct ByValue;
    impl Expiry<u32, u64> for ByValue {
        fn expire_after_create(&self, _: &u32, v: &u64) -> Option<Duration> {
            (*v != 0).then(|| secs(*v))
        }
        fn expire_after_update(
            &self,
            _: &u32,
            v: &u64,
            left: Option<Duration>,
        ) -> Option<Duration> {
            // Updates keep the longer of what is left and the new value's lifetime.
            let new = (*v != 0).then(|| secs(*v));
            match (left, new) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            }
        }
        fn expire_after_read(&self, _: &u32, v: &u64, left: Option<Duration>) -> Option<Duration> {
            // Value 7: a read shortens its life to one second.
            if *v == 7 { Some(S) } else { left }
        }
    }
    let clock = ManualClock::new();
    let mut c = ExpiringCache::builder()
        .expire_after(ByValue)
        .clock(clock.clone())
        .build(LruCache::new(8));
    let _ = c.put(1, 5);
    let _ = c.put(2, 0); // never
    let _ = c.put(3, 7);
    assert_eq!(c.time_left(&1), Some(secs(5)));
    assert_eq!(c.time_left(&2), Some(Duration::MAX));
    clock.advance(secs(2));
    let _ = c.put(1, 1); // 3 s left > 1 s: keeps 3
    assert_eq!(c.time_left(&1), Some(secs(3)));
    assert_eq!(c.get(&3), Some(&7)); // shortened to 1 s from now (its timer moves earlier)
    clock.advance(S);
    let mut gone = Vec::new();
    assert_eq!(
        c.purge_expired_into(&mut |k, v, why| gone.push((k, v, why))),
        1
    );
    assert_eq!(gone, [(3, 7, Removal::Expired)]);
    clock.advance(secs(1_000_000));
    assert_eq!(c.get(&2), Some(&0));
    assert_eq!(c.get(&1), None);
    c.check_invariants();
}

#[test]
fn expired_pairs_are_reported_once_with_the_reason() {
    let clock = ManualClock::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let mut c = ExpiringCache::builder()
        .time_to_live(secs(10))
        .clock(clock.clone())
        .listener(move |k: u32, v: &'static str, why: Removal| {
            sink.lock().unwrap().push((k, v, why))
        })
        .build(LruCache::new(2));
    let _ = c.put(1, "one");
    clock.advance(secs(5));
    let _ = c.put(2, "two");
    // The cache is full; 3 evicts the least recently used, 1, still alive: `Put::Evicted`.
    assert_eq!(c.put(3, "three"), Put::Evicted(1, "one"));
    clock.advance(secs(11));
    // A put over an expired key is an insert; the old pair leaves as expired, into the sink.
    let mut out = Vec::new();
    assert_eq!(
        c.put_into(2, "deux", &mut |k, v, why| out.push((k, v, why))),
        Put::Inserted
    );
    assert!(out.contains(&(2, "two", Removal::Expired)), "{out:?}");
    // 3 expired too: reclaimed by that put (into its sink) or later (to the listener).
    c.purge_expired();
    let mut all: Vec<_> = out
        .into_iter()
        .chain(seen.lock().unwrap().drain(..))
        .collect();
    all.sort_by_key(|&(k, _, _)| k);
    assert_eq!(
        all,
        [(2, "two", Removal::Expired), (3, "three", Removal::Expired)]
    );
    assert_eq!(c.len(), 1);
    // `remove` of an expired key returns nothing and reports it.
    clock.advance(secs(10));
    assert_eq!(c.remove(&2), None);
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [(2, "deux", Removal::Expired)]
    );
    assert!(c.is_empty());
}

#[test]
fn a_clock_going_back_never_panics_nor_resurrects() {
    let clock = ManualClock::new();
    let mut c = ExpiringCache::builder()
        .time_to_live(secs(10))
        .clock(clock.clone())
        .build(S3FifoCache::new(8));
    clock.set(100 * 1_000_000_000);
    let _ = c.put(1, 1);
    clock.advance(secs(10));
    assert_eq!(c.peek(&1), None); // seen expired
    clock.set(0);
    assert_eq!(c.peek(&1), None);
    assert_eq!(c.get(&1), None);
    let _ = c.put(2, 2); // written "at" 110 s, the latest time the cache saw
    assert_eq!(c.time_left(&2), Some(secs(10)));
    // The far end of time: deadlines saturate, nothing overflows.
    clock.set(u64::MAX - 5);
    let _ = c.put(3, 3);
    assert_eq!(c.get(&3), Some(&3));
    clock.set(u64::MAX);
    assert_eq!(c.get(&3), None);
    c.purge_expired();
    c.check_invariants();
}

#[test]
fn a_time_to_live_of_zero_caches_nothing_visible() {
    let clock = ManualClock::new();
    let mut c = ExpiringCache::builder()
        .time_to_live(Duration::ZERO)
        .clock(clock)
        .build(LruCache::new(4));
    let _ = c.put(1, 1);
    assert_eq!(c.get(&1), None);
    assert_eq!(c.info().misses, 1);
}

/// Readers refresh a time-to-idle entry under the shards' read locks while the clock moves:
/// it stays alive as long as it is read more often than its idle time, and expires after.
#[test]
fn concurrent_idle_refresh_under_shared_hits() {
    let clock = ManualClock::new();
    let cache = ConcurrentCache::builder(1024).shards(4).build(|cap| {
        ExpiringCache::builder()
            .time_to_idle(secs(10))
            .clock(clock.clone())
            .build(S3FifoCache::new(cap))
    });
    for k in 0..64u64 {
        let _ = cache.put(k, k);
    }
    const THREADS: usize = 4;
    const STEPS: usize = 200;
    let barrier = Barrier::new(THREADS + 1);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (cache, barrier) = (&cache, &barrier);
            s.spawn(move || {
                for _ in 0..STEPS {
                    barrier.wait();
                    // Keys 0..32 are read every step (3 s), keys 32.. never.
                    for k in 0..32u64 {
                        assert_eq!(cache.get(&k), Some(k), "thread {t}: hot key {k} expired");
                    }
                    barrier.wait();
                }
            });
        }
        for _ in 0..STEPS {
            barrier.wait();
            barrier.wait();
            clock.advance(secs(3));
        }
    });
    for k in 32..64u64 {
        assert_eq!(cache.get(&k), None, "cold key {k} should have expired");
    }
    clock.advance(secs(10));
    assert_eq!(cache.get(&0), None);
    let mut cache = cache;
    for shard in cache.shards_mut() {
        shard.purge_expired();
        shard.check_invariants();
    }
    assert_eq!(cache.len(), 0);
}

/// Writers and readers on many threads while the clock advances: values read were written,
/// and once time has passed every deadline, nothing is returned and purging empties the cache.
#[test]
fn concurrent_writers_readers_and_a_moving_clock() {
    let clock = ManualClock::new();
    let cache = ConcurrentCache::builder(256).shards(4).build(|cap| {
        ExpiringCache::builder()
            .time_to_live(secs(5))
            .clock(clock.clone())
            .build(LruCache::new(cap))
    });
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let cache = &cache;
            s.spawn(move || {
                let mut x = t.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                for i in 0..20_000u64 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let k = x % 512;
                    if i % 3 == 0 {
                        let _ = cache.put(k, k * 1000 + t);
                    } else if let Some(v) = cache.get(&k) {
                        assert_eq!(v / 1000, k, "a value of another key");
                    }
                }
            });
        }
        for _ in 0..200 {
            clock.advance(Duration::from_millis(100));
            std::thread::yield_now();
        }
    });
    clock.advance(secs(6));
    for k in 0..512u64 {
        assert_eq!(cache.get(&k), None);
    }
    let mut cache = cache;
    for shard in cache.shards_mut() {
        shard.purge_expired();
        shard.check_invariants();
    }
    assert!(cache.is_empty());
}

mod expiry_model {
    //! The `Expiry` callback against a map of deadlines, op by op (an unbounded policy, so
    //! nothing is evicted and every answer is exact).

    use std::collections::HashMap;
    use std::time::Duration;

    use evict_core::{Cache, Removal};
    use evict_expiry::{ExpiringCache, Expiry, ManualClock};
    use proptest::prelude::*;

    /// Lifetime `value % 5` seconds on create (0: never); an update keeps the longer; a read
    /// of an odd value adds one second, of a value divisible by 3 cuts to 500 ms.
    struct Rules;

    fn create(v: u16) -> Option<u64> {
        let s = u64::from(v % 5);
        (s != 0).then_some(s * 1_000_000_000)
    }

    impl Expiry<u8, u16> for Rules {
        fn expire_after_create(&self, _: &u8, v: &u16) -> Option<Duration> {
            create(*v).map(Duration::from_nanos)
        }
        fn expire_after_update(&self, _: &u8, v: &u16, left: Option<Duration>) -> Option<Duration> {
            match (left, create(*v).map(Duration::from_nanos)) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            }
        }
        fn expire_after_read(&self, _: &u8, v: &u16, left: Option<Duration>) -> Option<Duration> {
            if v.is_multiple_of(3) {
                Some(Duration::from_millis(500))
            } else if v % 2 == 1 {
                left.map(|l| l + Duration::from_secs(1))
            } else {
                left
            }
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Put(u8, u16),
        Get(u8),
        Advance(u64),
        Purge,
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        proptest::collection::vec(
            prop_oneof![
                3 => (0..8u8, any::<u16>()).prop_map(|(k, v)| Op::Put(k, v)),
                4 => (0..8u8).prop_map(Op::Get),
                3 => prop_oneof![0..1_500_000_000u64, 0..10_000_000_000u64].prop_map(Op::Advance),
                1 => Just(Op::Purge),
            ],
            0..100,
        )
    }

    proptest! {
        #[test]
        fn expiry_callback_matches_the_model(ops in ops()) {
            let clock = ManualClock::new();
            let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let sink = std::sync::Arc::clone(&heard);
            let mut cache = ExpiringCache::builder()
                .expire_after(Rules)
                .clock(clock.clone())
                .listener(move |k: u8, v: u16, why: Removal| sink.lock().unwrap().push((k, v, why)))
                .build(evict_unbounded::UnboundedCache::new());
            // key -> (value, deadline); u64::MAX: never.
            let mut model: HashMap<u8, (u16, u64)> = HashMap::new();
            let mut now = 0u64;
            let at = |d: Option<u64>, now: u64| d.map_or(u64::MAX, |d| now.saturating_add(d));
            for op in ops {
                match op {
                    Op::Put(k, v) => {
                        let mut out = std::mem::take(&mut *heard.lock().unwrap());
                        let _ = cache.put_into(k, v, &mut |k, v, why| out.push((k, v, why)));
                        let old = model.get(&k).copied().filter(|&(_, d)| d > now);
                        let deadline = match old {
                            Some((_, d)) => {
                                let left = (d != u64::MAX).then(|| d - now);
                                match (left, create(v)) {
                                    (Some(a), Some(b)) => now + a.max(b),
                                    _ => u64::MAX,
                                }
                            }
                            None => at(create(v), now),
                        };
                        for (k2, v2, why) in out {
                            prop_assert_eq!(why, Removal::Expired);
                            let (mv, md) = model.remove(&k2).expect("reported a key not cached");
                            prop_assert_eq!(mv, v2);
                            prop_assert!(md <= now);
                        }
                        model.insert(k, (v, deadline));
                    }
                    Op::Get(k) => {
                        let got = cache.get(&k).copied();
                        for (k2, v2, why) in std::mem::take(&mut *heard.lock().unwrap()) {
                            prop_assert_eq!(why, Removal::Expired);
                            let (mv, md) = model.remove(&k2).expect("reported a key not cached");
                            prop_assert_eq!(mv, v2);
                            prop_assert!(md <= now);
                        }
                        let want = model.get(&k).copied().filter(|&(_, d)| d > now);
                        prop_assert_eq!(got, want.map(|(v, _)| v), "get({}) at {}", k, now);
                        if let Some((v, d)) = want {
                            let new = if v.is_multiple_of(3) {
                                now + 500_000_000
                            } else if v % 2 == 1 && d != u64::MAX {
                                d + 1_000_000_000
                            } else {
                                d
                            };
                            model.insert(k, (v, new));
                        }
                    }
                    Op::Advance(d) => {
                        now += d;
                        clock.advance_nanos(d);
                    }
                    Op::Purge => {
                        let mut out = Vec::new();
                        cache.purge_expired_into(&mut |k, v, _why| out.push((k, v)));
                        for (k, v) in out {
                            let (mv, md) = model.remove(&k).expect("purged a key not cached");
                            prop_assert_eq!(mv, v);
                            prop_assert!(md <= now, "purged {} before its deadline", k);
                        }
                        for (k, &(_, d)) in &model {
                            prop_assert!(d > now, "{} survived a purge", k);
                        }
                    }
                }
                cache.check_invariants();
            }
        }
    }
}

/// A read-only workload reclaims expired entries too: after the time to live, gets alone
/// (under the shards' read locks) make each shard run its maintenance, and the cache empties
/// without a single put.
#[test]
fn concurrent_read_only_gets_reclaim_expired_entries() {
    let clock = ManualClock::new();
    let reclaimed = Arc::new(Mutex::new(0usize));
    let count = Arc::clone(&reclaimed);
    let cache = ConcurrentCache::builder(4096).shards(4).build(|cap| {
        let count = Arc::clone(&count);
        ExpiringCache::builder()
            .time_to_live(secs(10))
            .clock(clock.clone())
            .listener(move |_: u64, _: u64, why: Removal| {
                assert_eq!(why, Removal::Expired);
                *count.lock().unwrap() += 1;
            })
            .build(S3FifoCache::new(cap))
    });
    const N: u64 = 2000;
    for k in 0..N {
        let _ = cache.put(k, k);
    }
    assert_eq!(cache.len(), N as usize);
    clock.advance(secs(11));
    // Gets of one hot key per shard region (and misses): no key that expired is read.
    let mut gets = 0u64;
    while !cache.is_empty() {
        assert_eq!(cache.get(&(N + gets % 64)), None);
        gets += 1;
        assert!(
            gets <= 10 * N,
            "{} entries left after {gets} read-only gets",
            cache.len()
        );
    }
    assert_eq!(*reclaimed.lock().unwrap(), N as usize);
    // At most `reclaim_per_op` (8) per maintenance, one maintenance per get at most.
    assert!(gets >= N / 8, "{gets} gets reclaimed {N} entries");
}

/// Entries keep a coarse deadline (67 ms ticks) beside the value and the exact one in their
/// timer: an entry must be alive one nanosecond before its deadline and expired at it, for
/// deadlines on, next to and far from a tick boundary, through every kind of lookup, and
/// under a time to idle (whose hits read the exact deadline). A lookup that trusted the
/// coarse deadline alone would expire entries up to 67 ms early.
#[test]
fn deadlines_are_exact_to_the_nanosecond() {
    const TICK: u64 = 1 << 26;
    let lifetimes = [
        1,
        2,
        TICK - 1,
        TICK,
        TICK + 1,
        3 * TICK - 5,
        3_600_000_000_007,
    ];
    for start in [0, 1, TICK - 1, TICK, 12_345_678_901] {
        for &ttl in &lifetimes {
            let clock = ManualClock::new();
            clock.set(start);
            let mut c = ExpiringCache::builder()
                .time_to_live(Duration::from_nanos(ttl))
                .clock(clock.clone())
                .build(S3FifoCache::new(8));
            let _ = c.put(1u64, "a");
            let deadline = start + ttl;
            clock.set(deadline - 1);
            assert_eq!(c.peek(&1), Some(&"a"), "start {start}, ttl {ttl}: peek");
            assert!(c.contains(&1), "start {start}, ttl {ttl}: contains");
            assert_eq!(c.get(&1), Some(&"a"), "start {start}, ttl {ttl}: get");
            assert_eq!(c.time_left(&1), Some(Duration::from_nanos(1)));
            assert_eq!(c.entries().count(), 1);
            clock.set(deadline);
            assert_eq!(
                c.peek(&1),
                None,
                "start {start}, ttl {ttl}: peek at the deadline"
            );
            assert_eq!(
                c.get(&1),
                None,
                "start {start}, ttl {ttl}: get at the deadline"
            );
            assert_eq!(c.entries().count(), 0);
            assert_eq!(c.purge_expired(), 1);
            c.check_invariants();

            // Time to idle: a read at `t` moves the deadline to exactly `t + tti`.
            let mut c = ExpiringCache::builder()
                .time_to_idle(Duration::from_nanos(ttl))
                .clock(clock.clone())
                .build(LruCache::new(8));
            let _ = c.put(2u64, "b");
            let read_at = clock_now(&clock) + ttl - 1;
            clock.set(read_at);
            assert_eq!(c.get(&2), Some(&"b"), "tti {ttl}: read before the deadline");
            c.check_invariants();
            clock.set(read_at + ttl - 1);
            assert_eq!(
                c.get(&2),
                Some(&"b"),
                "tti {ttl}: alive 1 ns before the new deadline"
            );
            clock.set(read_at + ttl - 1 + ttl);
            assert_eq!(c.get(&2), None, "tti {ttl}: expired at the new deadline");
        }
    }
}

fn clock_now(clock: &ManualClock) -> u64 {
    use evict_expiry::Clock;
    clock.now_nanos()
}

/// A shard's hashed shared hit (a concurrent cache hashing each key once) answers as the
/// plain shared hit does: the policy's hash, the value while alive, a miss once expired.
#[test]
fn hashed_shared_hits_expire_like_shared_hits() {
    use evict_core::Shard;
    let clock = ManualClock::new();
    let mut c = ExpiringCache::builder()
        .time_to_live(secs(10))
        .clock(clock.clone())
        .build(S3FifoCache::new(8));
    let _ = c.put(1u64, "a");
    let hash = Shard::<u64, &str, u64>::hash_of(&c, &1).expect("S3-FIFO takes hashed lookups");
    assert_eq!(
        Some(hash),
        Shard::<u64, evict_expiry::Entry<&str>, u64>::hash_of(c.inner(), &1)
    );
    assert_eq!(c.get_shared_hashed(hash, &1), Some(&"a"));
    assert_eq!(Shard::<u64, &str, u64>::get_shared(&c, &1), Some(&"a"));
    clock.advance(secs(10));
    assert_eq!(c.get_shared_hashed(hash, &1), None);
    assert_eq!(Shard::<u64, &str, u64>::get_shared(&c, &1), None);
    // Past the wheel's tick: the hashed hit asks for maintenance too, which reclaims it.
    assert!(c.wants_maintenance());
    c.maintain();
    assert_eq!(c.len(), 0);
}
