//! Regressions for the findings of the 2026-12-05 review of `ExpiringCache` (each test failed
//! before its fix): a panic in `get_or_insert_with` when the clock crosses a deadline, lost
//! reports and leaked timers over a weighted policy, entries coming back when the clock is
//! set back, and a zero lifetime that waited for the wheel's tick.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evict_core::{Cache, Fetched, Put, Removal};
use evict_expiry::{Builder, Clock, Entry, ManualClock};
use evict_lru::LruCache;

/// A clock that moves one nanosecond each time it is read, as a fast real clock may.
#[derive(Debug, Default)]
struct Ticking(AtomicU64);

impl Clock for Ticking {
    fn now_nanos(&self) -> u64 {
        self.0.fetch_add(1, Relaxed)
    }
}

type Heard = Arc<Mutex<Vec<(u32, u64, Removal)>>>;

/// A recording listener.
fn recorder() -> (Heard, impl FnMut(u32, u64, Removal) + Send + Sync + 'static) {
    let heard: Heard = Arc::default();
    let into = Arc::clone(&heard);
    (heard, move |k, v, why| {
        into.lock().unwrap().push((k, v, why))
    })
}

/// A cache of weight 10 where each value weighs itself, an hour's time to live, and a
/// recording listener: `(cache, heard)`.
macro_rules! weighted {
    () => {{
        let (heard, listener) = recorder();
        let cache = Builder::with_clock(ManualClock::new())
            .time_to_live(Duration::from_secs(3600))
            .listener(listener)
            .build(LruCache::with_weigher(10, |_: &u32, e: &Entry<u64>| {
                *e.value()
            }));
        (cache, heard)
    }};
}

#[test]
fn get_or_insert_with_does_not_panic_when_the_clock_crosses_the_deadline() {
    // Each hit reads the clock where the old body read it twice (contains, then get_mut):
    // an even lifetime put the deadline between the two reads.
    for ttl in 1..=8 {
        let mut c = Builder::with_clock(Ticking::default())
            .time_to_live(Duration::from_nanos(ttl))
            .build(LruCache::new(8));
        for round in 0..100u64 {
            let fetched = c.get_or_insert_with(1, || round);
            if !fetched.is_hit() {
                assert_eq!(*fetched.value(), round);
            }
            c.check_invariants();
        }
        let mut c = Builder::with_clock(Ticking::default())
            .time_to_live(Duration::from_nanos(ttl))
            .build(LruCache::new(8));
        for round in 0..100u64 {
            let r: Result<_, ()> = c.try_get_or_insert_with(2, || Ok(round));
            assert!(r.unwrap().is_cached());
            c.check_invariants();
        }
    }
}

#[test]
fn get_or_insert_with_counts_once_and_refetches_an_expired_entry() {
    let clock = ManualClock::new();
    let mut c = Builder::with_clock(clock.clone())
        .time_to_live(Duration::from_secs(5))
        .build(LruCache::new(8));
    assert_eq!(c.get_or_insert_with(1, || 10), Fetched::Inserted(&mut 10));
    assert_eq!(c.get_or_insert_with(1, || 11), Fetched::Hit(&mut 10));
    clock.advance(Duration::from_secs(5));
    assert_eq!(c.get_or_insert_with(1, || 12), Fetched::Inserted(&mut 12));
    assert_eq!(c.time_left(&1), Some(Duration::from_secs(5)));
    let info = c.info();
    assert_eq!((info.hits, info.misses), (1, 2));
    let err: Result<Fetched<'_, u32, u32>, &str> = c.try_get_or_insert_with(2, || Err("down"));
    assert_eq!(err, Err("down"));
    assert!(!c.contains(&2));
    assert_eq!(c.info().misses, 3);
    c.check_invariants();
}

#[test]
fn a_plain_put_replacing_or_rejected_over_a_weighted_policy_reports_what_it_evicts() {
    let (mut c, heard) = weighted!();
    assert_eq!(c.put(1, 5), Put::Inserted);
    assert_eq!(c.put(2, 5), Put::Inserted);
    // 1 grows to 8: 2 must leave to make room.
    assert_eq!(c.put(1, 8), Put::Replaced(5));
    assert_eq!(c.len(), 1);
    assert_eq!(*heard.lock().unwrap(), [(2, 5, Removal::Evicted)]);
    heard.lock().unwrap().clear();
    // 11 is heavier than the whole cache: rejected, and the old value of 1 left.
    assert_eq!(c.put(1, 11), Put::Rejected(1, 11));
    assert_eq!(c.len(), 0);
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].0, 1);
    assert_eq!(heard[0].1, 8);
    c.check_invariants();
}

#[test]
fn put_mut_over_a_weighted_policy_reports_every_eviction_and_frees_their_timers() {
    let (mut c, heard) = weighted!();
    assert_eq!(c.put_mut(1, 5).0, Put::Inserted);
    assert_eq!(c.put_mut(2, 5).0, Put::Inserted);
    let (put, stored) = c.put_mut(3, 10);
    assert_eq!(stored, Some(&mut 10));
    assert_eq!(put, Put::Evicted(1, 5));
    assert_eq!(*heard.lock().unwrap(), [(2, 5, Removal::Evicted)]);
    c.check_invariants();
    for i in 0..3000u32 {
        let _ = c.put_mut(10 + i, [5, 5, 10][i as usize % 3]);
    }
    c.check_invariants();
    // get_or_insert_with writes the same way.
    let fetched = c.get_or_insert_with(99, || 10);
    assert!(matches!(fetched, Fetched::Evicted(&mut 10, ..)));
    c.check_invariants();
}

#[test]
fn entries_remember_the_time_they_saw() {
    let clock = ManualClock::new();
    let mut c = Builder::with_clock(clock.clone())
        .time_to_live(Duration::from_secs(5))
        .build(LruCache::new(8));
    let _ = c.put(1, 1);
    clock.advance(Duration::from_secs(10));
    assert_eq!(c.entries().count(), 0);
    // The clock goes back: the cache's time does not, so 1 stays expired.
    clock.set(3_000_000_000);
    assert_eq!(c.entries().count(), 0);
    assert_eq!(c.peek(&1), None);
}

#[test]
fn a_zero_lifetime_is_reclaimed_by_the_next_operation() {
    let clock = ManualClock::new();
    let (heard, listener) = recorder();
    let mut c = Builder::with_clock(clock.clone())
        .time_to_live(Duration::from_secs(60))
        .listener(listener)
        .build(LruCache::new(8));
    // Well inside the wheel's first tick, which started at 0.
    clock.set(100_000_000);
    let _ = c.put_with_ttl(1, 7, Duration::ZERO);
    let _ = c.put(2, 8);
    assert_eq!(c.len(), 1);
    assert_eq!(*heard.lock().unwrap(), [(1, 7, Removal::Expired)]);
    c.check_invariants();
}

/// Never expires when written; one second after each read.
struct ShortenOnRead;

impl evict_expiry::Expiry<u32, u32> for ShortenOnRead {
    fn expire_after_create(&self, _: &u32, _: &u32) -> Option<Duration> {
        None
    }

    fn expire_after_read(&self, _: &u32, _: &u32, _: Option<Duration>) -> Option<Duration> {
        Some(Duration::from_secs(1))
    }
}

#[test]
fn purge_expired_reclaims_an_entry_a_shared_read_shortened() {
    let clock = ManualClock::new();
    let (heard, listener) = recorder();
    let listener = Arc::new(Mutex::new(listener));
    let cache = evict_sync::ConcurrentCache::builder(100)
        .shards(1)
        .build(|cap| {
            let listener = Arc::clone(&listener);
            Builder::with_clock(clock.clone())
                .expire_after(ShortenOnRead)
                .listener(move |k: u32, v: u32, why| {
                    (listener.lock().unwrap())(k, u64::from(v), why)
                })
                .build(evict_s3fifo::S3FifoCache::new(cap))
        });
    let _ = cache.put(1, 1);
    // A hit under the shard's read lock: the deadline is now 1 s away, but the timer stays in
    // the overflow bucket (no deadline when written) until the purge looks.
    assert_eq!(cache.get(&1), Some(1));
    clock.advance(Duration::from_secs(5));
    assert_eq!(cache.get(&1), None);
    clock.advance(Duration::from_secs(120));
    assert_eq!(cache.with_shard(&1, |s| s.purge_expired()), 1);
    assert_eq!(cache.len(), 0);
    assert_eq!(*heard.lock().unwrap(), [(1, 1, Removal::Expired)]);
    cache.with_shard(&1, |s| s.check_invariants());
}

/// Applies one op's reports to `held` (the pairs the cache holds as its reports tell), and
/// checks them against what the policy actually holds.
fn fuzz_weighted<C: Cache<u32, Entry<u64>>>(name: &str, make: impl Fn() -> C) {
    use std::collections::BTreeMap;
    for seed in 1..=60u64 {
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let clock = ManualClock::new();
        let (heard, listener) = recorder();
        let mut c = Builder::with_clock(clock.clone())
            .time_to_live(Duration::from_secs(5))
            .listener(listener)
            .build(make());
        let mut held = BTreeMap::new();
        for step in 0..300 {
            let (k, v) = (next(12) as u32, 1 + next(6));
            let op = next(8);
            // What the op says left or stayed, beyond the listener's reports.
            let mut kept = None;
            let mut left = None;
            match op {
                0 | 1 => match c.put(k, v) {
                    Put::Inserted | Put::Replaced(_) => kept = Some((k, v)),
                    Put::Evicted(k2, v2) => (kept, left) = (Some((k, v)), Some((k2, v2))),
                    Put::Rejected(..) => {}
                },
                2 => {
                    let (put, stored) = c.put_mut(k, v);
                    assert_eq!(
                        stored.is_some(),
                        put.is_kept(),
                        "{name} seed {seed} step {step}"
                    );
                    match put {
                        Put::Inserted | Put::Replaced(_) => kept = Some((k, v)),
                        Put::Evicted(k2, v2) => (kept, left) = (Some((k, v)), Some((k2, v2))),
                        Put::Rejected(..) => {}
                    }
                }
                3 => match c.get_or_insert_with(k, || v) {
                    Fetched::Hit(_) | Fetched::Rejected(..) => {}
                    Fetched::Inserted(_) => kept = Some((k, v)),
                    Fetched::Evicted(_, k2, v2) => (kept, left) = (Some((k, v)), Some((k2, v2))),
                },
                4 => {
                    if c.remove(&k).is_some() {
                        left = Some((k, held[&k]));
                    }
                }
                5 => {
                    let _ = c.get(&k);
                }
                6 => clock.advance(Duration::from_millis(next(3000))),
                _ => {
                    let _ = c.purge_expired();
                }
            }
            for (k2, v2, _) in heard.lock().unwrap().drain(..) {
                assert_eq!(held.remove(&k2), Some(v2), "{name} seed {seed} step {step}");
            }
            if let Some((k2, v2)) = left {
                assert_eq!(held.remove(&k2), Some(v2), "{name} seed {seed} step {step}");
            }
            if let Some((k2, v2)) = kept {
                held.insert(k2, v2);
            }
            let actual: BTreeMap<u32, u64> =
                c.inner().entries().map(|(k, e)| (*k, *e.value())).collect();
            assert_eq!(held, actual, "{name} seed {seed} step {step} op {op}");
            c.check_invariants();
        }
    }
}

#[test]
fn every_pair_a_weighted_policy_drops_is_reported_once() {
    let weigh = |_: &u32, e: &Entry<u64>| *e.value();
    fuzz_weighted("LRU", || LruCache::with_weigher(10, weigh));
    fuzz_weighted("S3-FIFO", || {
        evict_s3fifo::S3FifoCache::with_weigher(10, weigh)
    });
    fuzz_weighted("W-TinyLFU", || {
        evict_wtinylfu::WTinyLfuCache::with_weigher(10, weigh)
    });
}
