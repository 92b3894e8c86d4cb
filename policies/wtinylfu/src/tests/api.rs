//! The API beyond what the conformance kit drives through the `Cache` trait: the inherent
//! iterators (both ends, mutable, draining, owning) and borrowed-key lookups, checked op by
//! op against the reference model, and the documented choices of `pop`, `resize` and
//! `get_or_insert_with`.

use super::*;
use alloc::string::String;
use evict_core::Fetched;
use evict_harness::model::wtinylfu::WTinyLfu;
use std::format;
use std::vec::Vec;

/// A xorshift stream for op sequences.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn entries<C: Cache<u16, u32>>(c: &C) -> Vec<(u16, u32)> {
    c.entries().map(|(k, v)| (*k, *v)).collect()
}

/// Runs `steps` random operations, every one of the API, on the cache and the model, and
/// compares every answer, the entries in order (forwards and backwards), `peek_victim` and
/// the statistics after each.
fn differential(
    mut cache: WTinyLfuCache<u16, u32>,
    mut model: WTinyLfu<u16, u32>,
    seed: u64,
    steps: usize,
) {
    let mut rng = Rng(seed);
    let keys = 2 * cache.capacity().unwrap_or(0) as u64 + 8;
    for step in 0..steps {
        let k = rng.below(keys) as u16;
        let v = rng.next() as u32;
        let op = rng.below(100);
        let what = match op {
            0..=24 => {
                assert_eq!(cache.get(&k).copied(), model.get(&k).copied());
                "get"
            }
            25..=44 => {
                assert_eq!(cache.put(k, v), model.put(k, v));
                "put"
            }
            45..=49 => {
                let got = cache.get_mut(&k).map(|r| core::mem::replace(r, v));
                assert_eq!(got, model.get_mut(&k).map(|r| core::mem::replace(r, v)));
                "get_mut"
            }
            50..=52 => {
                let got = cache.peek_mut(&k).map(|r| core::mem::replace(r, v));
                assert_eq!(got, model.peek_mut(&k).map(|r| core::mem::replace(r, v)));
                "peek_mut"
            }
            53..=57 => {
                let (put, r) = cache.put_mut(k, v);
                let got = (put, r.map(|r| core::mem::replace(r, v ^ 1)));
                let (put, r) = model.put_mut(k, v);
                assert_eq!(got, (put, r.map(|r| core::mem::replace(r, v ^ 1))));
                "put_mut"
            }
            58..=65 => {
                let mut calls = 0;
                let got = match cache.get_or_insert_with(k, || {
                    calls += 1;
                    v
                }) {
                    Fetched::Hit(r) => (0, *r, None),
                    Fetched::Inserted(r) => (1, *r, None),
                    Fetched::Evicted(r, ek, ev) => (2, *r, Some((ek, ev))),
                    Fetched::Rejected(rk, rv) => (3, rv, Some((rk, rv))),
                };
                let want = match model.get_or_insert_with(k, || v) {
                    Fetched::Hit(r) => (0, *r, None),
                    Fetched::Inserted(r) => (1, *r, None),
                    Fetched::Evicted(r, ek, ev) => (2, *r, Some((ek, ev))),
                    Fetched::Rejected(rk, rv) => (3, rv, Some((rk, rv))),
                };
                assert_eq!(got, want);
                assert_eq!(calls, u8::from(got.0 != 0));
                "get_or_insert_with"
            }
            66..=69 => {
                let fail = rng.below(2) == 0;
                let f = || if fail { Err(v) } else { Ok(v) };
                let got = cache.try_get_or_insert_with(k, f).map(|f| *f);
                assert_eq!(got, model.try_get_or_insert_with(k, f).map(|f| *f));
                "try_get_or_insert_with"
            }
            70..=73 => {
                assert_eq!(cache.remove(&k), model.remove(&k));
                "remove"
            }
            74..=77 => {
                assert_eq!(cache.pop(), model.pop());
                "pop"
            }
            78..=79 => {
                let n = rng.below(keys) as usize;
                assert_eq!(cache.resize(n), model.resize(n));
                "resize"
            }
            80..=82 => {
                // iter_mut (the model writes through peek_mut, in its entries' order).
                let order: Vec<u16> = model.entries().map(|(k, _)| *k).collect();
                for &k in &order {
                    *model.peek_mut(&k).unwrap() ^= 0x55;
                }
                let mut seen = Vec::new();
                for (k, v) in cache.iter_mut() {
                    *v ^= 0x55;
                    seen.push(*k);
                }
                assert_eq!(seen, order);
                "iter_mut"
            }
            83 => {
                // values_mut from the back.
                let order: Vec<u16> = model.entries().map(|(k, _)| *k).collect();
                for &k in &order {
                    *model.peek_mut(&k).unwrap() += 1;
                }
                cache.values_mut().rev().for_each(|v| *v += 1);
                "values_mut"
            }
            84 => {
                // drain is `remove` of every entry, in order (and, like `remove`, ends a
                // `get` miss's wait for its `put` even when there is nothing to remove).
                let want = entries(&model);
                model.remove(&u16::MAX);
                for (k, _) in &want {
                    model.remove(k);
                }
                let (hits, misses) = (cache.info().hits, cache.info().misses);
                // Half the time the Drain is dropped early: the cache is empty all the same.
                let got: Vec<(u16, u32)> = if rng.below(2) == 0 {
                    cache.drain().collect()
                } else {
                    cache.drain().take(1).count();
                    want.clone()
                };
                assert_eq!(got, want);
                assert!(cache.is_empty());
                assert_eq!((cache.info().hits, cache.info().misses), (hits, misses));
                "drain"
            }
            85 => {
                cache.clear();
                model.clear();
                "clear"
            }
            _ => {
                let got = cache.peek(&k).copied();
                assert_eq!(got, model.peek(&k).copied());
                assert_eq!(cache.contains(&k), got.is_some());
                "peek"
            }
        };
        let want = entries(&model);
        let ctx = (step, what, k);
        assert_eq!(entries(&cache), want, "{ctx:?}");
        let backwards: Vec<(u16, u32)> = cache.iter().rev().map(|(k, v)| (*k, *v)).collect();
        assert!(backwards.iter().eq(want.iter().rev()), "{ctx:?}");
        assert_eq!(cache.keys().len(), want.len());
        assert!(cache.values().eq(want.iter().map(|(_, v)| v)));
        assert_eq!(
            cache.peek_victim().map(|(k, v)| (*k, *v)),
            model.peek_victim().map(|(k, v)| (*k, *v)),
            "{ctx:?}"
        );
        assert_eq!(cache.info(), model.info(), "{ctx:?}");
        cache.check_invariants();
        if step % 64 == 0 {
            // The owning iterator, both ways, on a copy.
            assert_eq!(cache.clone().into_iter().collect::<Vec<_>>(), want);
            assert!(
                cache
                    .clone()
                    .into_iter()
                    .rev()
                    .eq(want.iter().copied().rev())
            );
        }
    }
}

#[test]
fn every_operation_matches_the_model() {
    for seed in 1..=40u64 {
        let capacity = (seed * 7 % 41) as usize;
        differential(
            WTinyLfuCache::new(capacity),
            WTinyLfu::new(capacity),
            seed,
            3000,
        );
    }
}

#[test]
fn every_operation_matches_the_model_adaptive() {
    for seed in 1..=30u64 {
        let capacity = (seed * 5 % 31) as usize;
        differential(
            WTinyLfuCache::adaptive_tuned(capacity, 8, 0.25),
            WTinyLfu::adaptive_tuned(capacity, 8, 0.25),
            seed,
            3000,
        );
        differential(
            WTinyLfuCache::adaptive(capacity),
            WTinyLfu::adaptive(capacity),
            seed,
            1000,
        );
    }
}

#[test]
fn borrowed_keys_look_up_without_allocating() {
    let mut c: WTinyLfuCache<String, u32> = WTinyLfuCache::new(4);
    let _ = c.put("a".to_string(), 1);
    assert_eq!(c.get("a"), Some(&1));
    *c.get_mut("a").unwrap() += 1;
    assert_eq!(c.peek("a"), Some(&2));
    *c.peek_mut("a").unwrap() += 1;
    assert!(c.contains("a"));
    assert_eq!(c.remove("a"), Some(3));
    assert_eq!(c.get("a"), None);
    // A miss by `&str`, then the put of the `String`: one access, recorded once.
    let _ = c.put("b".to_string(), 0);
    assert_eq!(c.sketch().frequency(FrequencySketch::hash("b")), 1);
    assert_eq!(c.get("z"), None);
    let _ = c.put("z".to_string(), 0);
    assert_eq!(c.sketch().frequency(FrequencySketch::hash("z")), 1);
    assert_eq!(c.info().hits + c.info().misses, 4);
}

#[test]
fn get_or_insert_with_hands_back_a_refused_pair() {
    // A window shrunk to nothing (as the adaptive climber may): the newcomer is its own
    // candidate.
    let mut c = WTinyLfuCache::new(8);
    for k in 0..8u32 {
        let _ = c.put(k, k);
    }
    c.shrink_window(1);
    assert_eq!(c.window_capacity(), 0);
    for k in 0..8u32 {
        for _ in 0..3 {
            assert_eq!(c.get(&k), Some(&k));
        }
    }
    let keys = |c: &WTinyLfuCache<u32, u32>| {
        let mut keys: Vec<u32> = c.keys().copied().collect();
        keys.sort_unstable();
        keys
    };
    let before = keys(&c);
    match c.get_or_insert_with(100, || 7) {
        Fetched::Rejected(k, v) => assert_eq!((k, v), (100, 7)),
        other => panic!("expected a rejection, got {other:?}"),
    }
    // Nothing left (the victim search may have promoted entries).
    assert_eq!(keys(&c), before);
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=24, misses=1, maxsize=8, currsize=8)"
    );
    c.check_invariants();
}

#[test]
fn pop_promotes_like_the_victim_search_and_peek_victim_changes_nothing() {
    let mut c = WTinyLfuCache::new(10); // window 1, probation 2, protected 7
    for k in 0..10u8 {
        let _ = c.put(k, k);
    }
    for k in 0..8u8 {
        let _ = c.get(&k);
    }
    // Probation, LRU first: 0..8 referenced, then 8. The search promotes 0..7 to protected,
    // whose eighth promotion demotes 0 (hits recorded when promoted) to probation: 8 is the
    // victim.
    let lens = c.segment_lens();
    let sketch = c.sketch().clone();
    assert_eq!(c.peek_victim(), Some((&8, &8)));
    assert_eq!((c.segment_lens(), c.sketch()), (lens, &sketch));
    assert_eq!(c.pop(), Some((8, 8)));
    assert_eq!(c.segment_lens(), (1, 1, 7));
    assert_eq!(c.peek_victim(), Some((&0, &0)));
    // Empty probation: the window's entry, then protected's LRU end.
    assert_eq!(c.pop(), Some((0, 0)));
    assert_eq!(c.pop(), Some((9, 9)));
    assert_eq!(c.peek_victim(), Some((&1, &1)));
    let mut popped = Vec::new();
    while let Some((k, _)) = c.pop() {
        popped.push(k);
    }
    assert_eq!(popped, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(c.peek_victim(), None);
    c.check_invariants();
}

#[test]
fn resize_recomputes_the_shares_and_keeps_the_frequencies() {
    let mut c = WTinyLfuCache::new(1000);
    for k in 0..1000u64 {
        let _ = c.put(k, k);
    }
    for _ in 0..5 {
        let _ = c.get(&7);
    }
    let hot = FrequencySketch::hash(&7u64);
    let out = c.resize(100);
    assert_eq!(out.len(), 900);
    assert!(out.iter().all(|&(k, _)| k != 7), "the hot key left first");
    assert_eq!(c.capacity(), Some(100));
    assert_eq!((c.window_capacity(), c.protected_capacity()), (1, 79));
    // The halving period follows the capacity; the sketch keeps its 1,024-word minimum.
    assert_eq!(c.period, 1000);
    assert_eq!(c.sketch().words(), 1024);
    assert!(c.sketch().frequency(hot) >= 5);
    assert!(
        c.heap_bytes() < 100 * 50 + 1024 * 8,
        "{} bytes after shrinking",
        c.heap_bytes()
    );
    c.check_invariants();
    assert!(c.resize(5000).is_empty());
    assert_eq!(c.window_capacity(), 50);
    assert!(c.sketch().frequency(hot) >= 5);
    c.check_invariants();
    for k in 10_000..20_000u64 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.len(), 5000);
    c.check_invariants();
    // 0 caches nothing; growing again starts from there.
    assert_eq!(c.resize(0).len(), 5000);
    assert_eq!(c.put(1, 1), Put::Rejected(1, 1));
    assert!(c.resize(3).is_empty());
    assert_eq!(c.put(1, 1), Put::Inserted);
    c.check_invariants();
}

#[test]
fn iter_mut_lays_the_slots_out_in_order_and_keeps_the_table_right() {
    let mut c = WTinyLfuCache::new(300);
    let mut rng = Rng(99);
    for _ in 0..5000 {
        let k = rng.below(600);
        if c.get(&k).is_none() {
            let _ = c.put(k, k);
        }
        if rng.below(50) == 0 {
            let _ = c.remove(&rng.below(600));
        }
    }
    let before: Vec<(u64, u64)> = c.iter().map(|(k, v)| (*k, *v)).collect();
    let mut twin = c.clone();
    for (_, v) in &mut c {
        *v += 1;
    }
    c.check_invariants();
    // Slot order is iteration order now.
    assert!(
        c.slab
            .iter()
            .map(|(k, _)| *k)
            .eq(before.iter().map(|&(k, _)| k))
    );
    for &(k, v) in &before {
        assert_eq!(c.peek(&k), Some(&(v + 1)));
    }
    // Already in order: nothing moves, the table is untouched.
    let table = c.slab.index().clone();
    c.values_mut().for_each(|v| *v -= 1);
    assert_eq!(format!("{:?}", c.slab.index()), format!("{table:?}"));
    assert_eq!(c.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), before);
    // The policy decides as before: a twin that never iterated agrees from here on.
    for _ in 0..5000 {
        let k = rng.below(600);
        let got = c.get(&k).copied();
        assert_eq!(got, twin.get(&k).copied());
        if got.is_none() {
            assert_eq!(c.put(k, k), twin.put(k, k));
        }
    }
}

#[test]
fn debug_of_the_iterators() {
    let mut c = WTinyLfuCache::new(4);
    let _ = c.put(1u8, 'a');
    let _ = c.put(2u8, 'b');
    assert_eq!(format!("{:?}", c.iter()), "[(2, 'b'), (1, 'a')]");
    assert_eq!(format!("{:?}", c.keys()), "[2, 1]");
    assert_eq!(format!("{:?}", c.values()), "['b', 'a']");
    assert_eq!(format!("{:?}", c.iter_mut()), "[(2, 'b'), (1, 'a')]");
    assert_eq!(format!("{:?}", c.values_mut()), "['b', 'a']");
    assert_eq!(
        format!("{:?}", c.clone().into_iter()),
        "[(2, 'b'), (1, 'a')]"
    );
    assert_eq!(format!("{:?}", c.drain()), "[(2, 'b'), (1, 'a')]");
}

#[test]
fn extend_puts_each_pair() {
    let mut c = WTinyLfuCache::new(3);
    c.extend((0..10u8).map(|k| (k, k)));
    assert_eq!(c.len(), 3);
    c.check_invariants();
}
