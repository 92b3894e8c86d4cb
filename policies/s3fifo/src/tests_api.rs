//! Tests of the API beyond `get`/`put`: borrowed lookups, `get_mut`/`peek_mut`/`put_mut`,
//! `get_or_insert_with`, iteration and its order, `drain`, `into_iter`, `pop` and
//! `peek_victim`, `resize`, `Extend`; a long differential run against the model mixes
//! them all.

extern crate std;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use evict_harness::model::s3fifo::S3Fifo;

use crate::{Cache, Fetched, Put, S3FifoCache};

type Fixed = foldhash::fast::FixedState;
fn fixed() -> Fixed {
    foldhash::fast::FixedState::with_seed(0x53_4649_464f)
}

type Cut = S3FifoCache<u8, u16, Fixed>;

fn entries<C: Cache<u8, u16>>(c: &C) -> Vec<(u8, u16)> {
    c.entries().map(|(&k, &v)| (k, v)).collect()
}

/// xorshift64: a fixed pseudo-random stream.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 11) % n
    }
}

/// One step of the differential run on both caches; panics on the first difference.
fn step(c: &mut Cut, m: &mut S3Fifo<u8, u16>, rng: &mut Rng, base: usize) -> String {
    // Skewed keys, so that some are read often and ghosts come back.
    let k = (rng.below(64) as u8) & (rng.next() as u8 | 0x0f);
    let v = rng.next() as u16;
    let op = rng.below(1000);
    let what;
    match op {
        0..=249 => {
            what = format!("get {k}");
            assert_eq!(c.get(&k), m.get(&k), "{what}");
        }
        250..=299 => {
            what = format!("get_mut {k} = {v}");
            let got = c.get_mut(&k).map(|x| core::mem::replace(x, v));
            assert_eq!(
                got,
                m.get_mut(&k).map(|x| core::mem::replace(x, v)),
                "{what}"
            );
        }
        300..=329 => {
            what = format!("peek_mut {k} = {v}");
            let got = c.peek_mut(&k).map(|x| core::mem::replace(x, v));
            assert_eq!(
                got,
                m.peek_mut(&k).map(|x| core::mem::replace(x, v)),
                "{what}"
            );
        }
        330..=349 => {
            what = format!("peek {k}");
            assert_eq!(c.peek(&k), m.peek(&k), "{what}");
        }
        350..=599 => {
            what = format!("put {k} {v}");
            assert_eq!(c.put(k, v), m.put(k, v), "{what}");
        }
        600..=649 => {
            what = format!("put_mut {k} {v}");
            let (p, r) = c.put_mut(k, v);
            let r = r.map(|x| *x);
            let (mp, mr) = m.put_mut(k, v);
            assert_eq!((p, r), (mp, mr.map(|x| *x)), "{what}");
        }
        650..=749 => {
            what = format!("get_or_insert_with {k} {v}");
            let got = match c.get_or_insert_with(k, || v) {
                Fetched::Hit(x) => (0, *x, None),
                Fetched::Inserted(x) => (1, *x, None),
                Fetched::Evicted(x, ok, ov) => (2, *x, Some((ok, ov))),
                Fetched::Rejected(rk, rv) => (3, rv, Some((rk, 0))),
            };
            // The model runs the trait's provided body (contains, then get or put_mut).
            let want = match m.get_or_insert_with(k, || v) {
                Fetched::Hit(x) => (0, *x, None),
                Fetched::Inserted(x) => (1, *x, None),
                Fetched::Evicted(x, ok, ov) => (2, *x, Some((ok, ov))),
                Fetched::Rejected(rk, rv) => (3, rv, Some((rk, 0))),
            };
            assert_eq!(got, want, "{what}");
        }
        750..=779 => {
            what = format!("try_get_or_insert_with {k} Err");
            let got = c
                .try_get_or_insert_with(k, || Err::<u16, _>(k))
                .map(|f| *f.value());
            let want = m
                .try_get_or_insert_with(k, || Err::<u16, _>(k))
                .map(|f| *f.value());
            assert_eq!(got, want, "{what}");
        }
        780..=819 => {
            what = format!("remove {k}");
            assert_eq!(c.remove(&k), m.remove(&k), "{what}");
        }
        820..=869 => {
            what = "peek_victim".to_string();
            let got = c.peek_victim().map(|(&k, &v)| (k, v));
            assert_eq!(got, m.peek_victim().map(|(&k, &v)| (k, v)), "{what}");
            if op < 850 {
                // `pop` takes exactly the pair `peek_victim` showed.
                let popped = c.pop();
                assert_eq!(popped, got, "pop after peek_victim");
                assert_eq!(popped, m.pop(), "pop");
            }
        }
        870..=899 => {
            let to = match rng.below(4) {
                0 => rng.below(base as u64 + 1) as usize,
                1 => base,
                2 => rng.below(2 * base as u64 + 2) as usize,
                _ => c.len(),
            };
            what = format!("resize {to}");
            assert_eq!(c.resize(to), m.resize(to), "{what}");
        }
        900..=929 => {
            what = "iter_mut".to_string();
            let order: Vec<u8> = c
                .iter_mut()
                .map(|(&k, v)| {
                    *v = v.wrapping_add(1);
                    k
                })
                .collect();
            for k in &order {
                let x = m.peek_mut(k).expect("listed key is cached");
                *x = x.wrapping_add(1);
            }
            assert_eq!(
                order,
                m.entries().map(|(&k, _)| k).collect::<Vec<_>>(),
                "{what}"
            );
        }
        930..=939 => {
            what = "drain, then remove each in the model".to_string();
            let want = entries(m);
            // Half the time, the Drain is dropped after a few pairs.
            let take = if rng.below(2) == 0 {
                usize::MAX
            } else {
                rng.below(4) as usize
            };
            let got: Vec<(u8, u16)> = c.drain().take(take).collect();
            assert_eq!(got[..], want[..got.len()], "{what}");
            for (k, _) in want {
                let _ = m.remove(&k);
            }
            assert!(c.is_empty());
        }
        940..=941 => {
            what = "clear".to_string();
            c.clear();
            m.clear();
        }
        _ => {
            what = "iter, both ways".to_string();
            let fwd: Vec<(u8, u16)> = c.iter().map(|(&k, &v)| (k, v)).collect();
            let mut back: Vec<(u8, u16)> = c.iter().rev().map(|(&k, &v)| (k, v)).collect();
            back.reverse();
            assert_eq!(fwd, back, "{what}");
            // Both ends at once meet in the middle.
            let mut it = c.iter();
            let mut front = Vec::new();
            let mut tail = Vec::new();
            while let Some(p) = it.next() {
                front.push(p);
                assert_eq!(it.len(), fwd.len() - front.len() - tail.len());
                match it.next_back() {
                    Some(p) => tail.push(p),
                    None => break,
                }
            }
            front.extend(tail.into_iter().rev());
            let met: Vec<(u8, u16)> = front.into_iter().map(|(&k, &v)| (k, v)).collect();
            assert_eq!(met, fwd, "{what}");
        }
    }
    what
}

#[test]
fn differential_run_of_the_whole_api_matches_the_model() {
    for (seed, base) in [
        (1u64, 1usize),
        (2, 3),
        (3, 10),
        (4, 20),
        (5, 40),
        (6, 9),
        (7, 0),
    ] {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
        let mut c = S3FifoCache::with_hasher(base, fixed());
        let mut m = S3Fifo::new(base);
        let mut trail: Vec<String> = Vec::new();
        for i in 0..20_000 {
            let what = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                step(&mut c, &mut m, &mut rng, base)
            }));
            let what = what.unwrap_or_else(|e| {
                let start = trail.len().saturating_sub(8);
                std::panic!(
                    "seed {seed} base {base} step {i}; last ops {:?}; panic {:?}",
                    &trail[start..],
                    e.downcast_ref::<String>()
                )
            });
            assert_eq!(
                entries(&c),
                entries(&m),
                "seed {seed} step {i} after {what}"
            );
            assert_eq!(c.info(), m.info(), "seed {seed} step {i} after {what}");
            c.check_invariants();
            c.check_victim();
            trail.push(what);
        }
    }
}

/// The ten everyday lookups of a `String`-keyed cache, with `&str`.
#[test]
fn borrowed_lookups_on_string_keys() {
    let mut c: S3FifoCache<String, Vec<u8>> = S3FifoCache::new(4);
    assert_eq!(c.put("a".to_string(), alloc::vec![1]), Put::Inserted);
    assert!(c.contains("a"));
    assert_eq!(c.peek("a"), Some(&alloc::vec![1]));
    c.peek_mut("a").unwrap().push(2);
    c.get_mut("a").unwrap().push(3);
    assert_eq!(c.get("a").map(Vec::len), Some(3));
    assert_eq!(c.get("zz"), None);
    assert_eq!(c.remove("a"), Some(alloc::vec![1, 2, 3]));
    assert_eq!(c.remove("a"), None);
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=2, misses=1, maxsize=4, currsize=0)"
    );
    // The trait's methods take `&K` and agree.
    let _ = c.put("b".to_string(), alloc::vec![]);
    assert!(Cache::contains(&c, &"b".to_string()));
}

#[test]
fn get_or_insert_with_is_one_lookup_and_exact_statistics() {
    let mut c = S3FifoCache::with_hasher(10, fixed());
    for k in 0..10u32 {
        assert!(matches!(c.get_or_insert_with(k, || k), Fetched::Inserted(&mut v) if v == k));
    }
    let mut calls = 0;
    assert!(
        c.get_or_insert_with(3, || {
            calls += 1;
            0
        })
        .is_hit()
    );
    assert_eq!(calls, 0);
    // A miss on a full cache evicts what `put` would: 0, the small queue's only entry.
    assert_eq!(c.peek_victim(), Some((&0, &0)));
    match c.get_or_insert_with(10, || 100) {
        Fetched::Evicted(v, k, old) => assert_eq!((*v, k, old), (100, 0, 0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=1, misses=11, maxsize=10, currsize=10)"
    );
    // `get_or_insert_with` counts the hit as `get` does: twice read, 10 moves to main.
    let _ = c.get_or_insert_with(10, || 0);
    let _ = c.get_or_insert_with(10, || 0);
    assert_eq!(c.peek_victim(), Some((&1, &1)));
    // An error inserts nothing; the miss is counted.
    assert_eq!(
        c.try_get_or_insert_with(50, || Err::<u32, _>("x"))
            .unwrap_err(),
        "x"
    );
    assert!(!c.contains(&50));
    assert_eq!(c.info().misses, 12);
    // Capacity 0 hands the pair back.
    let mut none = S3FifoCache::<u32, u32>::new(0);
    assert_eq!(none.get_or_insert_with(1, || 2), Fetched::Rejected(1, 2));
    assert_eq!(none.info().misses, 1);
}

#[test]
fn put_mut_returns_the_stored_value() {
    let mut c = S3FifoCache::with_hasher(2, fixed());
    let (put, v) = c.put_mut(1u8, 10u16);
    assert_eq!((put, v.copied()), (Put::Inserted, Some(10)));
    *c.put_mut(1, 11).1.unwrap() += 1;
    assert_eq!(c.peek(&1), Some(&12));
    let _ = c.put(2, 20);
    let (put, v) = c.put_mut(3, 30);
    assert!(matches!(put, Put::Evicted(..)));
    assert_eq!(v.copied(), Some(30));
    let mut none = S3FifoCache::<u8, u16>::new(0);
    assert_eq!(none.put_mut(1, 1), (Put::Rejected(1, 1), None));
}

/// A cache of 20 filled with 0..20: small = [0, 1], main = [2..20] (oldest first).
fn filled() -> S3FifoCache<u32, u32, Fixed> {
    let mut c = S3FifoCache::with_hasher(20, fixed());
    for k in 0..20 {
        let _ = c.put(k, k);
    }
    c
}

#[test]
fn iteration_order_is_small_then_main_oldest_first() {
    let mut c = filled();
    let keys: Vec<u32> = c.keys().copied().collect();
    assert_eq!(keys, (0..20).collect::<Vec<_>>());
    let _ = c.get(&0);
    let _ = c.get(&0);
    let _ = c.put(20, 20); // 0 moves to main's newest end, 1 leaves, 20 enters small
    let keys: Vec<u32> = c.keys().copied().collect();
    let mut want = alloc::vec![20];
    want.extend(2..20);
    want.push(0);
    assert_eq!(keys, want);
    assert_eq!(c.queue_lens(), (1, 19));
    let back: Vec<u32> = c.keys().rev().copied().collect();
    assert_eq!(back, want.iter().rev().copied().collect::<Vec<_>>());
    assert_eq!(c.values().copied().collect::<Vec<_>>(), want);
    // Everything lists the same order: `&cache`, `Box<dyn Cache>`, `&mut cache`, owned.
    let via_ref: Vec<u32> = (&c).into_iter().map(|(&k, _)| k).collect();
    let via_dyn: Vec<u32> = {
        let d: &dyn Cache<u32, u32> = &c;
        d.entries().map(|(&k, _)| k).collect()
    };
    let via_mut: Vec<u32> = (&mut c).into_iter().map(|(&k, _)| k).collect();
    c.check_invariants();
    let owned: Vec<u32> = c.clone().into_iter().map(|(k, _)| k).collect();
    let owned_back: Vec<u32> = c.clone().into_iter().rev().map(|(k, _)| k).collect();
    let values_mut: Vec<u32> = c.values_mut().map(|v| *v).collect();
    for got in [via_ref, via_dyn, via_mut, owned, values_mut] {
        assert_eq!(got, want);
    }
    assert_eq!(owned_back, want.iter().rev().copied().collect::<Vec<_>>());
    // Sizes are exact, and iterators stay done.
    let mut it = c.iter();
    assert_eq!(it.len(), 20);
    it.by_ref().for_each(drop);
    assert_eq!((it.next(), it.next_back(), it.len()), (None, None, 0));
    // Iterating counted nothing.
    assert_eq!(c.info().hits, 2);
}

#[test]
fn iter_mut_relayout_keeps_the_policy_and_the_table() {
    // A churned cache, whose slots are far from iteration order.
    let mut c = S3FifoCache::with_hasher(50, fixed());
    let mut twin = S3FifoCache::with_hasher(50, fixed());
    let mut rng = Rng(77);
    for _ in 0..5_000 {
        let k = rng.below(120) as u32;
        for x in [&mut c, &mut twin] {
            if x.get(&k).is_none() {
                let _ = x.put(k, k);
            }
        }
        if rng.below(50) == 0 {
            c.iter_mut().for_each(|(_, v)| *v += 1);
            twin.values_mut().for_each(|v| *v += 1);
            c.check_invariants();
            twin.check_invariants();
        }
        if rng.below(200) == 0 {
            assert_eq!(c.remove(&k), twin.remove(&k));
        }
    }
    // The twin was relaid out the same way: compare with a third that never was.
    let mut plain = S3FifoCache::with_hasher(50, fixed());
    let mut rng = Rng(77);
    for _ in 0..5_000 {
        let k = rng.below(120) as u32;
        if plain.get(&k).is_none() {
            let _ = plain.put(k, k);
        }
        if rng.below(50) == 0 {
            // The same values, changed through `peek_mut` in place.
            let keys: Vec<u32> = plain.keys().copied().collect();
            for k in keys {
                *plain.peek_mut(&k).unwrap() += 1;
            }
        }
        if rng.below(200) == 0 {
            let _ = plain.remove(&k);
        }
    }
    let pairs =
        |x: &S3FifoCache<u32, u32, Fixed>| x.iter().map(|(&k, &v)| (k, v)).collect::<Vec<_>>();
    assert_eq!(pairs(&c), pairs(&plain));
    assert_eq!(c.info(), plain.info());
    assert_eq!(c.queue_lens(), plain.queue_lens());
    assert_eq!(c.ghost_len(), plain.ghost_len());
    // A second `iter_mut` finds the slots in order and moves nothing.
    let _ = c.iter_mut().count();
    let before: Vec<*const u32> = c.iter().map(|(k, _)| k as *const u32).collect();
    let _ = c.iter_mut().count();
    let after: Vec<*const u32> = c.iter().map(|(k, _)| k as *const u32).collect();
    assert_eq!(before, after);
}

#[test]
fn drain_empties_keeps_statistics_and_ghosts() {
    let mut c = filled();
    let _ = c.get(&5);
    let _ = c.put(20, 20); // evicts 0 into the ghost
    assert_eq!(c.ghost_len(), 1);
    let mut d = c.drain();
    assert_eq!(d.len(), 20);
    assert_eq!(d.next(), Some((1, 1)));
    assert_eq!(d.next_back(), Some((19, 19)));
    drop(d); // early: the rest goes too
    assert!(c.is_empty());
    assert_eq!(c.queue_lens(), (0, 0));
    assert_eq!(c.ghost_len(), 1);
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=1, misses=0, maxsize=20, currsize=0)"
    );
    c.check_invariants();
    // The ghost still sends 0 to main; the cache fills again without trouble.
    for k in 100..119 {
        let _ = c.put(k, k);
    }
    let _ = c.put(0, 0);
    assert_eq!(c.queue_lens().0 + c.queue_lens().1, 20);
    assert_eq!(c.iter().next_back(), Some((&0, &0)), "0 is main's newest");
    c.check_invariants();
}

#[test]
fn pop_follows_evictions_to_the_end() {
    let mut c = filled();
    let mut m = S3Fifo::new(20);
    for k in 0..20u32 {
        let _ = m.put(k, k);
    }
    for k in [0, 0, 3, 7, 7, 7, 19] {
        let _ = c.get(&k);
        let _ = m.get(&k);
    }
    let mut order = Vec::new();
    while let Some(victim) = c.peek_victim().map(|(&k, &v)| (k, v)) {
        let popped = c.pop();
        assert_eq!(popped, Some(victim));
        assert_eq!(popped, m.pop());
        c.check_invariants();
        order.push(victim.0);
    }
    assert_eq!(c.pop(), None);
    assert_eq!(order.len(), 20);
    // 1, never read, goes first; 0 (read twice) moved to main; 7 (three reads) outlives
    // everything else.
    assert_eq!(order[0], 1);
    assert_eq!(*order.last().unwrap(), 7);
    assert_eq!(c.info().hits, 7);
}

#[test]
fn pop_before_the_cache_ever_filled_remembers_the_ghost() {
    let mut c = S3FifoCache::with_hasher(20, fixed());
    for k in 0..5u32 {
        let _ = c.put(k, k);
    }
    assert_eq!(c.pop(), Some((0, 0))); // small queue's oldest
    assert_eq!(c.ghost_len(), 1);
    c.check_invariants();
    let _ = c.put(0, 0); // a ghost: straight to main
    assert_eq!(c.iter().next_back(), Some((&0, &0)));
    c.check_invariants();
}

#[test]
fn resize_recomputes_the_sizes_and_pops_in_order() {
    let mut c = filled();
    let mut m = S3Fifo::new(20);
    for k in 0..20u32 {
        let _ = m.put(k, k);
    }
    let _ = c.get(&2);
    let _ = m.get(&2);
    let popped = c.resize(5);
    assert_eq!(popped, m.resize(5));
    assert_eq!(popped.len(), 15);
    // Popped as the cache stood: the small queue's two, then main, where 2 (read) has a
    // second chance.
    assert_eq!(popped[..3], [(0, 0), (1, 1), (3, 3)]);
    c.check_invariants();
    assert_eq!(c.capacity(), Some(5));
    // Small target 0 now, main 5, ghost 4: the two small-queue victims are remembered.
    assert_eq!(c.ghost_len(), 2);
    // Growing evicts nothing and keeps the ghost; the cache fills again to 30.
    assert!(c.resize(30).is_empty());
    assert!(m.resize(30).is_empty());
    for k in 100..140u32 {
        assert_eq!(c.put(k, k), m.put(k, k));
        c.check_invariants();
    }
    assert_eq!(c.len(), 30);
    assert_eq!(entries_u32(&c), entries_u32(&m));
    // 0 caches nothing, like `new(0)`; statistics are kept.
    let popped = c.resize(0);
    assert_eq!(popped, m.resize(0));
    assert_eq!(popped.len(), 30);
    assert_eq!(c.put(1, 1), Put::Rejected(1, 1));
    c.check_invariants();
    assert_eq!(c.info().hits, 1);
    // Clamped as `new` clamps.
    let _ = c.resize(usize::MAX);
    assert_eq!(c.capacity(), Some(crate::MAX_CAPACITY));
    assert!(!c.ghost.is_allocated()); // not until the cache fills
}

fn entries_u32<C: Cache<u32, u32>>(c: &C) -> Vec<(u32, u32)> {
    c.entries().map(|(&k, &v)| (k, v)).collect()
}

#[test]
fn resize_gives_memory_back_and_a_full_cache_still_allocates_nothing() {
    let mut c: S3FifoCache<u64, u64> = S3FifoCache::new(100_000);
    for k in 0..100_000 {
        let _ = c.put(k, k);
    }
    let big_table = c.slab.index().allocation_size();
    let _ = c.resize(1_000);
    assert!(c.slab.slot_capacity() <= 1_000);
    assert!(c.slab.index().allocation_size() * 10 < big_table);
    c.check_invariants();
    // Full at the new size right away: the table and the ghost are settled for it, so
    // churn does not grow them.
    let sizes = (c.slab.slot_capacity(), c.slab.index().allocation_size());
    for k in 0..200_000u64 {
        let key = if k % 7 == 0 {
            k.saturating_sub(3)
        } else {
            1_000_000 + k
        };
        if c.get(&key).is_none() {
            let _ = c.put(key, key);
        }
    }
    assert_eq!(
        (c.slab.slot_capacity(), c.slab.index().allocation_size()),
        sizes
    );
    c.check_invariants();
}

#[test]
fn shrinking_to_the_length_without_popping_sets_the_cache_up_as_full() {
    let mut c = S3FifoCache::with_hasher(100, fixed());
    for k in 0..30u32 {
        let _ = c.put(k, k);
    }
    assert!(c.resize(30).is_empty());
    c.check_invariants();
    assert!(c.ghost.is_reserved());
    let _ = c.put(30, 30); // evicts, and the ghost remembers
    assert_eq!(c.len(), 30);
    assert_eq!(c.ghost_len(), 1);
    c.check_invariants();
}

#[test]
fn extend_puts_each_pair() {
    let mut c = S3FifoCache::with_hasher(3, fixed());
    c.extend((0..10u32).map(|k| (k, k)));
    assert_eq!(c.len(), 3);
    let mut m = S3Fifo::new(3);
    for k in 0..10u32 {
        let _ = m.put(k, k);
    }
    assert_eq!(entries_u32(&c), entries_u32(&m));
    assert_eq!(c.info().hits + c.info().misses, 0);
}

#[test]
fn debug_output() {
    let mut c = S3FifoCache::with_hasher(20, fixed());
    for k in 0..3u32 {
        let _ = c.put(k, k);
    }
    assert_eq!(
        format!("{c:?}"),
        "S3FifoCache { capacity: 20, small: {0: 0, 1: 1}, main: {2: 2}, ghosts: 0, \
         stats: Stats { hits: 0, misses: 0 } }"
    );
    assert_eq!(format!("{:?}", c.iter()), "[(0, 0), (1, 1), (2, 2)]");
    assert_eq!(format!("{:?}", c.keys()), "[0, 1, 2]");
    assert_eq!(format!("{:?}", c.values()), "[0, 1, 2]");
    assert_eq!(format!("{:?}", c.values_mut()), "[0, 1, 2]");
    assert_eq!(format!("{:?}", c.iter_mut()), "[(0, 0), (1, 1), (2, 2)]");
    assert_eq!(
        format!("{:?}", c.clone().into_iter()),
        "[(0, 0), (1, 1), (2, 2)]"
    );
    assert_eq!(format!("{:?}", c.drain()), "[(0, 0), (1, 1), (2, 2)]");
    let d: alloc::boxed::Box<dyn Cache<u32, u32>> = alloc::boxed::Box::new(filled());
    assert!(format!("{d:?}").starts_with("dyn Cache { info: CacheInfo { hits: 0"));
}

#[test]
fn the_ghost_of_a_cache_that_never_filled_grows_as_needed() {
    let mut c = S3FifoCache::with_hasher(1000, fixed());
    let mut m = S3Fifo::new(1000);
    for k in 0..600u32 {
        let _ = c.put(k, k);
        let _ = m.put(k, k);
    }
    assert!(!c.ghost.is_allocated());
    // The small queue holds 100: those pops remember their keys, the ghost growing from 16
    // slots by doubling; the main-queue pops after them do not.
    for _ in 0..400 {
        assert_eq!(c.pop(), m.pop());
        c.check_invariants();
    }
    assert_eq!(c.ghost_len(), 100);
    assert!(c.ghost.is_allocated() && !c.ghost.is_reserved());
    // Ghost hits go to main, exactly as the model says.
    for k in (0..100u32).chain(1000..1900) {
        assert_eq!(c.put(k, k), m.put(k, k));
        assert_eq!(entries_u32(&c), entries_u32(&m));
    }
    c.check_invariants();
    assert!(c.ghost.is_reserved()); // full now
}
