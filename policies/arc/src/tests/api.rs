//! The API beyond the paper: borrowed lookups, `get_mut`, `get_or_insert_with`, `pop`,
//! `peek_victim`, `resize`, the iterators and `Extend`.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use evict_harness::model::arc::AdaptiveReplacement;

use super::{Fixed, demand, fixed};
use crate::{ArcCache, Cache, Fetched, Put};

/// A state with all four lists populated and pending `T2` moves: `[T1, T2, B1, B2]` all
/// non-empty.
fn busy(capacity: usize, seed: u64) -> (ArcCache<u32, u32, Fixed>, AdaptiveReplacement<u32, u32>) {
    let mut c = fixed(capacity);
    let mut m = AdaptiveReplacement::new(capacity);
    let mut x = seed | 1;
    for step in 0..20 * capacity as u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = ((x % 300) * ((x >> 32) % 300) / 300) as u32;
        if c.get(&k).is_none() {
            let _ = c.put(k, step);
        }
        if m.get(&k).is_none() {
            let _ = m.put(k, step);
        }
    }
    (c, m)
}

fn listed<S>(c: &ArcCache<u32, u32, S>) -> Vec<(u32, u32)> {
    c.iter().map(|(k, v)| (*k, *v)).collect()
}

#[test]
fn borrowed_lookups_take_str_for_string_keys() {
    let mut c: ArcCache<String, u32> = ArcCache::new(2);
    let _ = c.put("a".to_string(), 1);
    assert_eq!(c.peek("a"), Some(&1));
    assert!(c.contains("a") && !c.contains("b"));
    *c.peek_mut("a").unwrap() += 1;
    assert_eq!(c.get("a"), Some(&2));
    *c.get_mut("a").unwrap() += 1;
    assert_eq!(c.get("zz"), None);
    assert!(c.get_mut("zz").is_none());
    assert_eq!(c.remove("a"), Some(3));
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=2, misses=2, maxsize=2, currsize=0)"
    );
    // The trait's `&K` forms are the same methods.
    let _ = c.put("b".to_string(), 5);
    let key = "b".to_string();
    assert_eq!(Cache::get(&mut c, &key), Some(&5));
    assert!(Cache::contains(&c, &key));
}

#[test]
fn get_mut_moves_like_get() {
    let (mut a, _) = busy(16, 7);
    let mut b = a.clone();
    for k in 0..300u32 {
        let x = a.get(&k).copied();
        let y = b.get_mut(&k).map(|v| *v);
        assert_eq!(x, y);
        assert_eq!(listed(&a), listed(&b), "after get({k})");
    }
    assert_eq!(a.info(), b.info());
}

/// A miss through `get_or_insert_with` is exactly "get; on a miss, put": a ghost hit adapts
/// `p` and enters `T2` the same way.
#[test]
fn get_or_insert_with_is_get_then_put() {
    for seed in [1, 2, 3] {
        let (mut a, _) = busy(24, seed);
        let mut b = a.clone();
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for step in 0..5000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = (x % 200) as u32;
            let mut calls = 0;
            let fetched = a.get_or_insert_with(k, || {
                calls += 1;
                step
            });
            let got = match fetched {
                Fetched::Hit(v) => (Put::Replaced(*v), 0),
                Fetched::Inserted(v) => (Put::Inserted, *v),
                Fetched::Evicted(v, k, old) => (Put::Evicted(k, old), *v),
                Fetched::Rejected(k, v) => (Put::Rejected(k, v), 0),
            };
            let want = match b.get(&k) {
                Some(v) => (Put::Replaced(*v), 0),
                None => (b.put(k, step), step),
            };
            assert_eq!(got, want, "step {step}");
            assert_eq!(calls, usize::from(!matches!(got.0, Put::Replaced(_))));
            assert_eq!((a.target(), a.sizes()), (b.target(), b.sizes()));
            assert_eq!(listed(&a), listed(&b));
        }
        assert_eq!(a.info(), b.info());
        a.check_invariants();
    }
}

#[test]
fn try_get_or_insert_with_err_inserts_nothing_and_keeps_the_ghost() {
    let mut c = fixed::<u32, u32>(2);
    let _ = c.put(1, 1);
    let _ = c.get(&1);
    let _ = c.put(2, 2);
    assert_eq!(c.put(3, 3), Put::Evicted(2, 2)); // 2 is a B1 ghost
    let before = (c.sizes(), c.target(), listed(&c));
    let err = c.try_get_or_insert_with(2, || Err::<u32, _>("no"));
    assert_eq!(err.unwrap_err(), "no");
    assert_eq!((c.sizes(), c.target(), listed(&c)), before);
    // The ghost is still there: Ok adapts p.
    let ok = c.try_get_or_insert_with(2, || Ok::<_, ()>(20)).unwrap();
    assert!(matches!(ok, Fetched::Evicted(&mut 20, ..)));
    assert_eq!(c.target(), 1.0);
    assert_eq!(c.info().misses, 2);
    c.check_invariants();
}

#[test]
fn put_mut_is_put() {
    let (mut a, _) = busy(16, 11);
    let mut b = a.clone();
    for k in 0..200u32 {
        let (put, stored) = a.put_mut(k, k + 1);
        assert_eq!(stored.map(|v| *v), Some(k + 1));
        assert_eq!(put, b.put(k, k + 1));
        assert_eq!(listed(&a), listed(&b));
        assert_eq!((a.sizes(), a.target()), (b.sizes(), b.target()));
    }
    let mut none = fixed::<u32, u32>(0);
    assert_eq!(none.put_mut(1, 1), (Put::Rejected(1, 1), None));
}

/// `peek_victim` shows what `pop` takes, and what a `put` of a new key into the full cache
/// evicts; a `pop` then that `put` leave the cache exactly as the `put` alone.
#[test]
fn pop_is_the_next_eviction() {
    for seed in 1..6 {
        let (mut c, _) = busy(12, seed);
        for fresh in 10_000..10_400u32 {
            assert_eq!(c.len(), 12);
            let victim = c.peek_victim().map(|(k, v)| (*k, *v));
            let mut popped = c.clone();
            assert_eq!(popped.pop(), victim);
            popped.check_invariants();
            assert_eq!(popped.put(fresh, 0), Put::Inserted);
            let put = c.put(fresh, 0);
            assert_eq!(put.into_evicted(), victim, "seed {seed}, key {fresh}");
            assert_eq!(listed(&popped), listed(&c));
            assert_eq!((popped.sizes(), popped.target()), (c.sizes(), c.target()));
            // Some hits in between, so T2 has pending moves at the next peek.
            for k in 0..40 {
                let _ = c.get(&k);
            }
        }
    }
}

#[test]
fn pop_empties_the_cache_and_keeps_the_bounds() {
    let (mut c, mut m) = busy(20, 5);
    let mut n = c.len();
    while let Some(pair) = c.pop() {
        assert_eq!(Some(pair), m.pop());
        n -= 1;
        assert_eq!(c.len(), n);
        assert_eq!(c.sizes(), m.sizes());
        c.check_invariants();
    }
    assert_eq!(m.pop(), None);
    assert!(c.peek_victim().is_none());
    // Refilling after pops works as after removes.
    demand(&mut c, 0..100);
    demand(&mut m, 0..100);
    assert_eq!(
        (c.sizes(), listed(&c)),
        (m.sizes(), m.entries().map(|(k, v)| (*k, *v)).collect())
    );
}

#[test]
fn resize_shrinks_by_popping_and_grows_by_nothing() {
    let (c, _) = busy(30, 9);
    let mut popped = c.clone();
    let mut want = Vec::new();
    while popped.len() > 10 {
        want.push(popped.pop().unwrap());
    }
    let mut r = c.clone();
    assert_eq!(r.resize(10), want);
    assert_eq!(r.capacity(), Some(10));
    assert!(r.target() <= 10.0);
    let [t1, t2, b1, b2] = r.sizes();
    assert!(t1 + b1 <= 10 && b1 + b2 <= 10 && t1 + t2 + b1 + b2 <= 20);
    r.check_invariants();
    assert_eq!(r.info().hits, c.info().hits, "statistics kept");
    assert!(r.resize(40).is_empty());
    assert_eq!(r.len(), 10);
    r.check_invariants();
    // Clamped like `new`.
    assert!(r.resize(usize::MAX).is_empty());
    assert_eq!(r.capacity(), Some(crate::MAX_CAPACITY));
    // 0 caches nothing afterwards.
    let all = r.resize(0);
    assert_eq!(all.len(), 10);
    assert_eq!(r.sizes(), [0; 4]);
    assert_eq!(r.put(1, 1), Put::Rejected(1, 1));
    r.check_invariants();
}

/// A cache shrunk to full is as settled as one that filled: nothing allocates afterwards,
/// and the memory of the larger capacity is given back.
#[test]
fn resized_cache_stops_allocating() {
    let mut c = fixed::<u32, u32>(1000);
    demand(&mut c, (0..20_000u32).map(|i| (i * 7919) % 3000));
    let _ = c.resize(100);
    assert_eq!(c.len(), 100);
    let sizes = |c: &ArcCache<u32, u32, Fixed>| {
        let (log, table) = c.ghosts.allocated();
        (
            c.slab.slot_capacity(),
            log,
            table,
            c.slab.index().capacity(),
        )
    };
    let full = sizes(&c);
    let (max_log, max_table) = c.ghosts.bounds();
    assert_eq!((full.0, full.1, full.2), (100, max_log, max_table));
    demand(&mut c, (0..5000u32).map(|i| (i * 104_729) % 400));
    assert_eq!(sizes(&c), full);
    c.check_invariants();
    // Growing again fills up to the new bounds, then stops.
    assert!(c.resize(500).is_empty());
    demand(&mut c, 0..2000);
    let full = sizes(&c);
    assert_eq!(full.0, 500);
    demand(&mut c, (0..20_000u32).map(|i| (i * 7919) % 1500));
    assert_eq!(sizes(&c), full);
    c.check_invariants();
}

#[test]
fn iterators_agree_and_count_nothing() {
    let (mut c, m) = busy(16, 3);
    for k in [5, 9, 5, 2, 9] {
        let _ = c.get(&k); // pending T2 moves, if they are in T2
    }
    let info = c.info();
    let want: Vec<(u32, u32)> = m.entries().map(|(k, v)| (*k, *v)).collect();
    let mut m = m;
    for k in [5, 9, 5, 2, 9] {
        let _ = m.get(&k);
    }
    let want_now: Vec<(u32, u32)> = m.entries().map(|(k, v)| (*k, *v)).collect();
    assert_ne!(want, want_now, "the hits should move something");
    assert_eq!(listed(&c), want_now);
    assert_eq!(
        c.entries().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
        want_now
    );
    assert_eq!((&c).into_iter().count(), c.len());
    let keys: Vec<u32> = c.keys().copied().collect();
    let values: Vec<u32> = c.values().copied().collect();
    assert_eq!(keys, want_now.iter().map(|p| p.0).collect::<Vec<_>>());
    assert_eq!(values, want_now.iter().map(|p| p.1).collect::<Vec<_>>());
    let mut back: Vec<(u32, u32)> = c.iter().rev().map(|(k, v)| (*k, *v)).collect();
    back.reverse();
    assert_eq!(back, want_now);
    assert_eq!(c.keys().rev().count(), c.len());
    assert_eq!(c.values().len(), c.len());
    let _ = format!("{:?} {:?} {:?}", c.iter(), c.keys(), c.values());
    assert_eq!(c.info(), info, "iterating counted something");

    // The mutable ones list the same and change only values.
    let mut_order: Vec<(u32, u32)> = c.iter_mut().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(mut_order, want_now);
    let mut back: Vec<u32> = c.iter_mut().rev().map(|(k, _)| *k).collect();
    back.reverse();
    assert_eq!(back, keys);
    for (k, v) in &mut c {
        *v = *k * 2;
    }
    c.values_mut().rev().for_each(|v| *v += 1);
    assert!(c.iter().all(|(k, v)| *v == *k * 2 + 1));
    assert_eq!(c.keys().copied().collect::<Vec<_>>(), keys);
    let n = c.len();
    let mut it = c.iter_mut();
    let _ = it.next();
    let shown = format!("{it:?}");
    assert_eq!(shown.matches(')').count(), n - 1, "{shown}");
    assert_eq!(c.info(), info);
    c.check_invariants();
}

#[test]
fn drain_and_into_iter_list_in_order() {
    let (mut c, _) = busy(16, 4);
    let _ = c.get(&3);
    let want = listed(&c);
    let (sizes, p, info) = (c.sizes(), c.target(), c.info());
    let owned: Vec<(u32, u32)> = c.clone().into_iter().collect();
    assert_eq!(owned, want);
    let mut back: Vec<(u32, u32)> = c.clone().into_iter().rev().collect();
    back.reverse();
    assert_eq!(back, want);
    // Both ends at once.
    let mut it = c.clone().into_iter();
    let (first, last) = (it.next(), it.next_back());
    assert_eq!((first, last), (want.first().copied(), want.last().copied()));
    assert_eq!(it.len(), want.len() - 2);
    assert!(format!("{it:?}").starts_with('['));

    let drained: Vec<(u32, u32)> = c.drain().collect();
    assert_eq!(drained, want);
    assert!(c.is_empty());
    // As if every entry were removed: no ghost made, ghosts, p and statistics kept.
    assert_eq!(c.sizes(), [0, 0, sizes[2], sizes[3]]);
    assert_eq!((c.target(), c.info().hits), (p, info.hits));
    c.check_invariants();
    demand(&mut c, 0..50);
    c.check_invariants();

    // Dropped early, it still empties the cache; the cache works on.
    let n = c.len();
    let mut d = c.drain();
    assert_eq!(d.len(), n);
    let _ = d.next_back();
    drop(d);
    assert!(c.is_empty());
    assert_eq!(c.iter().count(), 0);
    demand(&mut c, 0..50);
    c.check_invariants();
}

#[test]
fn extend_puts_every_pair() {
    let mut a = fixed::<u32, u32>(8);
    let mut b = fixed::<u32, u32>(8);
    a.extend((0..30).map(|k| (k % 11, k)));
    for k in 0..30 {
        let _ = b.put(k % 11, k);
    }
    assert_eq!(listed(&a), listed(&b));
    assert_eq!(a.sizes(), b.sizes());
}

#[test]
fn clone_is_independent() {
    let (c, _) = busy(10, 8);
    let mut d = c.clone();
    let before = listed(&c);
    d.clear();
    demand(&mut d, 500..600);
    assert_eq!(listed(&c), before);
    c.check_invariants();
    d.check_invariants();
}

/// `iter_mut`, `values_mut` and `drain` lay the slots out in iteration order in place: the
/// memory stays, the index is renumbered right, and the policy goes on exactly as a twin
/// that was never iterated.
#[test]
fn laying_slots_out_changes_nothing_but_slot_numbers() {
    let (mut c, _) = busy(200, 12);
    let mut twin = c.clone();
    let _ = c.get(&7);
    let _ = twin.get(&7);
    let memory = |c: &ArcCache<u32, u32, Fixed>| {
        (
            c.slab.slot_capacity(),
            c.slab.index().num_buckets(),
            c.ghosts.allocated(),
        )
    };
    let before = memory(&c);
    c.values_mut().for_each(|v| *v += 0);
    assert_eq!(memory(&c), before);
    assert_eq!(listed(&c), listed(&twin));
    c.check_invariants();
    let mut x = 99u64;
    for step in 0..20_000u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x % 700) as u32;
        if step % 1000 == 0 {
            let _ = c.iter_mut().count();
        }
        assert_eq!(c.get(&k), twin.get(&k), "get {k} at {step}");
        if c.peek(&k).is_none() {
            assert_eq!(c.put(k, step), twin.put(k, step), "put {k} at {step}");
        }
    }
    assert_eq!(listed(&c), listed(&twin));
    assert_eq!(memory(&c), before);
    c.check_invariants();
    // Drain keeps the memory of the slots and of the index.
    let (slots, buckets) = (c.slab.slot_capacity(), c.slab.index().num_buckets());
    assert_eq!(c.drain().count(), 200);
    assert_eq!(
        (c.slab.slot_capacity(), c.slab.index().num_buckets()),
        (slots, buckets)
    );
}
