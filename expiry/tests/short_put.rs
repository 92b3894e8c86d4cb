//! The short put of a time-to-live cache without a listener (the policy's own `put_mut`,
//! the evicted or replaced entry's timer handed to the newcomer) against the full write path
//! of the same cache with a listener: the same answers, the same live entries, the same
//! hits and misses, step by step, on random operations with the clock moving, and the same
//! length once both are purged, over unweighted policies and over weighted ones (where a put
//! can evict several pairs and the short path must hand over to the full one without leaking
//! a timer).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use evict_core::{Cache, Put, Removal};
use evict_expiry::{Builder, Entry, ExpiringCache, ManualClock};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;

type Heard = Arc<Mutex<Vec<(u32, u64, Removal)>>>;

/// `(short, full, heard, clock)`: the same policy twice on one manual clock, with a time to
/// live of `ttl`; `full` has a recording listener (so it writes through `put_into`), `short`
/// has none.
#[allow(clippy::type_complexity)]
fn pair<C: Cache<u32, Entry<u64>>>(
    make: impl Fn() -> C,
    ttl: Duration,
) -> (
    ExpiringCache<u32, u64, C, ManualClock>,
    ExpiringCache<u32, u64, C, ManualClock>,
    Heard,
    ManualClock,
) {
    let clock = ManualClock::new();
    let heard: Heard = Arc::default();
    let into = Arc::clone(&heard);
    let short = Builder::with_clock(clock.clone())
        .time_to_live(ttl)
        .build(make());
    let full = Builder::with_clock(clock.clone())
        .time_to_live(ttl)
        .listener(move |k, v, why| into.lock().unwrap().push((k, v, why)))
        .build(make());
    (short, full, heard, clock)
}

/// Random operations on both caches, compared after each one.
fn compare<C: Cache<u32, Entry<u64>>>(name: &str, make: impl Fn() -> C, weighted: bool) {
    for seed in 1..=40u64 {
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        // 0 takes the full path in both; 1 ns makes evictions exactly at the victim's
        // deadline common (the clock moves 0-2 ns after some puts).
        let ttl = [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_millis(1),
            Duration::from_millis(700),
            Duration::from_secs(5),
        ][seed as usize % 5];
        let (mut short, mut full, heard, clock) = pair(&make, ttl);
        for step in 0..400 {
            let at = format!("{name} seed {seed} step {step}");
            let k = next(24) as u32;
            let v = if weighted { 1 + next(6) } else { next(1000) };
            match next(10) {
                0..=3 => assert_eq!(short.put(k, v), full.put(k, v), "put {at}"),
                4 => assert_eq!(short.get(&k), full.get(&k), "get {at}"),
                5 => assert_eq!(short.remove(&k), full.remove(&k), "remove {at}"),
                6 => {
                    let (a, b) = (
                        short.get_or_insert_with(k, || v),
                        full.get_or_insert_with(k, || v),
                    );
                    assert_eq!(a, b, "get_or_insert_with {at}");
                }
                7 => clock.advance(Duration::from_millis(next(2_000))),
                8 => {
                    // How many each purge finds depends on what the operations before it
                    // reclaimed (see `len` below); what is left may not.
                    short.purge_expired();
                    full.purge_expired();
                    assert_eq!(short.len(), full.len(), "purge {at}");
                }
                _ => {
                    let put = (short.put(k, v), full.put(k, v));
                    assert_eq!(put.0, put.1, "put {at}");
                    clock.advance(Duration::from_nanos(next(3)));
                }
            }
            heard.lock().unwrap().clear();
            // Sorted: the unbounded cache's order is its hash table's, seeded per cache.
            let entries = |c: &ExpiringCache<u32, u64, C, ManualClock>| {
                let mut all = c.entries().map(|(k, v)| (*k, *v)).collect::<Vec<_>>();
                all.sort_unstable();
                all
            };
            assert_eq!(entries(&short), entries(&full), "entries {at}");
            // `len` counts expired entries until they are reclaimed, and the two paths may
            // reclaim at different operations: the short one hands an evicted entry's timer
            // to the newcomer where it stands (a timer ahead of its deadline, placed again
            // when it comes round), the full one frees it and queues a new one. Both hold
            // the live entries at least; a purge leaves them equal (below).
            assert!(short.len() >= entries(&short).len(), "len {at}");
            assert!(full.len() >= entries(&full).len(), "len {at}");
            assert_eq!(short.info().hits, full.info().hits, "hits {at}");
            assert_eq!(short.info().misses, full.info().misses, "misses {at}");
            short.check_invariants();
            full.check_invariants();
        }
        let at = format!("{name} seed {seed} end");
        short.purge_expired();
        full.purge_expired();
        assert_eq!(short.len(), full.len(), "len {at}");
        assert_eq!(short.info(), full.info(), "info {at}");
        assert_eq!(short.len(), short.entries().count(), "purged {at}");
    }
}

#[test]
fn the_short_put_answers_as_the_full_write() {
    // Capacity 0 rejects every put; 1 evicts on every new key.
    for cap in [0, 1, 8] {
        compare(&format!("LRU({cap})"), || LruCache::new(cap), false);
        compare(&format!("S3-FIFO({cap})"), || S3FifoCache::new(cap), false);
    }
    compare("unbounded", evict_unbounded::UnboundedCache::new, false);
}

#[test]
fn the_short_put_hands_over_when_a_weighted_policy_evicts_several() {
    let weigh = |_: &u32, e: &Entry<u64>| *e.value();
    compare("weighted LRU", || LruCache::with_weigher(10, weigh), true);
    compare(
        "weighted S3-FIFO",
        || S3FifoCache::with_weigher(10, weigh),
        true,
    );
}

/// The case the hand-over exists for, by hand: the put that evicts two pairs frees both
/// timers (the policy's `put` returns one), and the cache goes on correctly.
#[test]
fn a_put_that_evicts_two_frees_both_timers() {
    let clock = ManualClock::new();
    let mut c = Builder::with_clock(clock.clone())
        .time_to_live(Duration::from_secs(60))
        .build(LruCache::with_weigher(10, |_: &u32, e: &Entry<u64>| {
            *e.value()
        }));
    assert_eq!(c.put(1, 5), Put::Inserted);
    assert_eq!(c.put(2, 5), Put::Inserted);
    assert_eq!(c.put(3, 10), Put::Evicted(1, 5));
    assert_eq!(c.len(), 1);
    c.check_invariants();
    clock.advance(Duration::from_secs(61));
    assert_eq!(c.purge_expired(), 1);
    assert!(c.is_empty());
    c.check_invariants();
}
