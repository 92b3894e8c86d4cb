//! The engine's own rules, on two small policies: an LRU (promotes, newest first, unflagged)
//! and a CLOCK (flagged, newest last, a sweeping `evict`).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use evict_core::Fetched;

use super::*;
use crate::DefaultHashBuilder;
use crate::ring::{Direction, Flagged, Plain};

enum Lru {}

impl RingPolicy for Lru {
    type Flags = Plain;
    const ORDER: &'static str = "most_recent_first";
    const NEWEST_FIRST: bool = true;
    const PROMOTE: bool = true;

    fn victim<K, V, S, W: crate::Weighing>(ring: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 {
        ring.prev(at.start)
    }
}

enum Clock {}

impl RingPolicy for Clock {
    type Flags = Flagged;
    const ORDER: &'static str = "from_hand";
    const NEWEST_FIRST: bool = false;

    fn victim<K, V, S, W: crate::Weighing>(ring: &Ring<K, V, S, Flagged, W>, at: &Anchors) -> u32 {
        ring.first_clear(at.start, Direction::Next)
    }

    fn evict<K, V, S, W: crate::Weighing>(
        ring: &mut Ring<K, V, S, Flagged, W>,
        at: &mut Anchors,
    ) -> u32 {
        at.start = ring.sweep(at.start, Direction::Next);
        at.start
    }
}

type C<P> = RingCache<u32, u32, DefaultHashBuilder, P>;

fn cache<P: RingPolicy>(capacity: usize, keys: impl IntoIterator<Item = u32>) -> C<P> {
    let mut c = C::<P>::with_hasher(capacity, DefaultHashBuilder::default());
    for k in keys {
        let _ = c.put(k, k * 10);
    }
    c.check();
    c
}

fn keys<P: RingPolicy>(c: &C<P>) -> Vec<u32> {
    c.iter().map(|(k, _)| *k).collect()
}

#[test]
fn get_mut_and_the_hit_of_get_or_insert_with_promote_like_get() {
    let mut c = cache::<Lru>(3, [1, 2, 3]);
    *c.get_mut(&1).unwrap() += 1;
    assert_eq!(keys(&c), [1, 3, 2]);
    assert!(c.get_or_insert_with(2, || unreachable!()).is_hit());
    assert_eq!(keys(&c), [2, 1, 3]);
    assert_eq!(c.peek_mut(&3).map(|v| *v), Some(30)); // peeking moves nothing
    assert_eq!(keys(&c), [2, 1, 3]);
    assert_eq!((c.info().hits, c.info().misses), (2, 0));
    c.check();
}

#[test]
fn a_failed_computation_inserts_nothing_but_counts_its_miss() {
    let mut c = cache::<Lru>(2, [1, 2]);
    let r: Result<Fetched<'_, u32, u32>, &str> = c.try_get_or_insert_with(3, || Err("no"));
    assert_eq!(r.unwrap_err(), "no");
    assert_eq!((keys(&c), c.info().misses), (alloc::vec![2, 1], 1));
    match c.get_or_insert_with(3, || 30) {
        Fetched::Evicted(v, 1, 10) => assert_eq!(*v, 30),
        other => panic!("{other:?}"),
    }
    let mut none = C::<Lru>::with_hasher(0, DefaultHashBuilder::default());
    assert!(matches!(
        none.get_or_insert_with(1, || 10),
        Fetched::Rejected(1, 10)
    ));
    assert_eq!(none.info().misses, 1);
}

#[test]
fn put_mut_returns_the_stored_value() {
    let mut c = cache::<Clock>(2, [1, 2]);
    let (put, v) = c.put_mut(3, 30);
    assert_eq!((put, v.copied()), (Put::Evicted(1, 10), Some(30)));
    let (put, v) = c.put_mut(2, 21);
    *v.unwrap() += 1;
    assert_eq!((put, c.peek(&2)), (Put::Replaced(20), Some(&22)));
    let mut none = C::<Clock>::with_hasher(0, DefaultHashBuilder::default());
    assert_eq!(none.put_mut(1, 1), (Put::Rejected(1, 1), None));
}

#[test]
fn pop_is_the_eviction_peek_victim_only_shows_it() {
    for hits in [&[][..], &[1], &[1, 2], &[1, 2, 3]] {
        let mut popped = cache::<Clock>(3, [1, 2, 3]);
        for k in hits {
            let _ = popped.get(k);
        }
        let mut put = popped.clone();
        let shown = popped.peek_victim().map(|(k, v)| (*k, *v));
        let flags: Vec<bool> = (0..3).map(|i| popped.ring().flag(i)).collect();
        let _ = popped.peek_victim();
        assert_eq!(
            flags,
            (0..3).map(|i| popped.ring().flag(i)).collect::<Vec<_>>()
        );
        let victim = popped.pop();
        assert_eq!(victim, shown, "hits {hits:?}");
        assert_eq!(put.put(9, 90).into_evicted(), victim, "hits {hits:?}");
        // The same bits were cleared and the hand is at the same place: the orders agree
        // but for the newcomer, which is the newest (last from the hand).
        let mut after_put = keys(&put);
        assert_eq!(after_put.pop(), Some(9));
        assert_eq!(after_put, keys(&popped), "hits {hits:?}");
        popped.check();
    }
}

#[test]
fn resize_pops_in_order_and_gives_memory_back() {
    let mut c = cache::<Lru>(1000, 0..1000);
    let _ = c.get(&0);
    let before = c.ring().index().allocation_size();
    let popped = c.resize(3);
    assert_eq!(popped.len(), 997);
    assert_eq!(&popped[..3], [(1, 10), (2, 20), (3, 30)]);
    assert_eq!(keys(&c), [0, 999, 998]);
    assert_eq!(c.capacity(), 3);
    assert_eq!(c.ring().slot_capacity(), 3);
    assert!(c.ring().index().allocation_size() < before);
    c.check();
    // Full at the new size: churn allocates nothing.
    let sizes = (c.ring().slot_capacity(), c.ring().index().allocation_size());
    for k in 2000..3000 {
        assert!(matches!(c.put(k, k), Put::Evicted(..)));
    }
    assert_eq!(
        sizes,
        (c.ring().slot_capacity(), c.ring().index().allocation_size())
    );
    // Growing evicts nothing; the cache fills up to the new size.
    assert!(c.resize(5).is_empty());
    let _ = c.put(1, 1);
    let _ = c.put(2, 2);
    assert_eq!(c.len(), 5);
    assert!(c.resize(usize::MAX).is_empty());
    assert_eq!(c.capacity(), crate::MAX_CAPACITY);
    assert_eq!(c.resize(0).len(), 5);
    assert_eq!(c.put(1, 1), Put::Rejected(1, 1));
    c.check();
}

#[test]
fn iter_mut_keeps_every_anchor_and_flag() {
    let mut a = cache::<Clock>(5, [1, 2, 3, 4, 5, 6, 7]);
    for k in [4, 6] {
        let _ = a.get(&k);
    }
    let _ = a.remove(&5);
    let mut b = a.clone();
    for (k, v) in a.iter_mut() {
        *v = k * 100;
    }
    a.check();
    assert_eq!(keys(&a), keys(&b));
    for k in 10..20 {
        assert_eq!(
            a.put(k, 0).into_evicted().map(|(k, _)| k),
            b.put(k, 0).into_evicted().map(|(k, _)| k)
        );
        assert_eq!(keys(&a), keys(&b));
    }
}

#[test]
fn drain_keeps_statistics_and_empties_even_when_dropped_early() {
    let mut c = cache::<Clock>(4, [1, 2, 3, 4]);
    let _ = c.get(&1);
    let first: Vec<u32> = c.drain().take(1).map(|(k, _)| k).collect();
    assert_eq!(first, [1]);
    assert_eq!(
        (c.len(), c.info().hits, c.anchors()),
        (0, 1, &Anchors::EMPTY)
    );
    c.check();
    let _ = c.put(5, 50);
    assert_eq!(keys(&c), [5]);
    let owned: Vec<(u32, u32)> = cache::<Lru>(3, [1, 2, 3]).take_all().rev().collect();
    assert_eq!(owned, [(1, 10), (2, 20), (3, 30)]);
}

#[test]
fn lookups_take_borrowed_keys() {
    let mut c: RingCache<String, u32, DefaultHashBuilder, Lru> =
        RingCache::with_hasher(2, DefaultHashBuilder::default());
    let _ = c.put("a".to_string(), 1);
    assert_eq!(c.get("a"), Some(&1));
    assert_eq!(c.peek("a"), Some(&1));
    assert!(c.contains("a") && !c.contains("b"));
    assert_eq!(c.remove("a"), Some(1));
    assert_eq!(c.get("a"), None);
    assert_eq!((c.info().hits, c.info().misses), (1, 1));
}

#[test]
fn debug_lists_the_order() {
    let c = cache::<Lru>(3, [1, 2]);
    assert_eq!(
        alloc::format!("{c:?}"),
        "RingCache { capacity: 3, most_recent_first: {2: 20, 1: 10}, stats: Stats { hits: 0, misses: 0 } }"
    );
}
