//! The crate's own tests: the conformance kit, determinism, memory and uniformity.

extern crate std;
use super::*;
use alloc::string::ToString;
use alloc::vec::Vec;
use evict_harness::model;

// No exact model: the contract checks everything that does not depend on the draw
// (sizes, counters, values, that `put` reports exactly what left and that it was
// resident, no eviction before full, invisible reads, capacity 0, clear, that `pop` and an
// evicting `put` take what `peek_victim` showed, resize), and the iteration check that every
// iterator lists `entries()`, both ways, and changes nothing.
evict_harness::conformance!(
    contract_default_seed,
    RandomCache::new,
    validate = |c: &RandomCache<u8, u16>| c.check_invariants(),
    iteration = true,
    double_ended = true
);

// Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
// the cache consistent, working, and losing no value undropped.
evict_harness::hostile!(
    hostile,
    |cap| RandomCache::with_seed(cap, 7),
    validate = |c: &RandomCache<_, _>| c.check_invariants()
);
evict_harness::conformance!(
    contract_other_seed,
    |cap| RandomCache::with_seed(cap, 0xDEAD_BEEF),
    validate = |c: &RandomCache<u8, u16>| c.check_invariants(),
    settings = evict_harness::Settings {
        max_capacity: 40,
        keys: 64,
        max_ops: 400
    },
    iteration = true,
    double_ended = true
);

/// One cache operation's answer, for comparing two runs.
type Answer = (Option<u64>, Option<Put<u64, u64>>, Option<u64>);

/// A mixed workload (gets, puts, removes, a clear) driven by a test-local LCG; returns
/// every answer.
fn run_workload<S: BuildHasher>(cache: &mut RandomCache<u64, u64, S>) -> Vec<Answer> {
    let mut x: u64 = 99;
    let mut out = Vec::new();
    for step in 0..5_000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let key = (x >> 33) % 64;
        let answer = match (x >> 20) % 10 {
            0..=3 => (cache.get(&key).copied(), None, None),
            4..=8 => (None, Some(cache.put(key, step)), None),
            _ if step == 2_500 => {
                cache.clear();
                (None, None, None)
            }
            _ => (None, None, cache.remove(&key)),
        };
        out.push(answer);
    }
    cache.check_invariants();
    out
}

fn evicted_keys(answers: &[Answer]) -> Vec<u64> {
    answers
        .iter()
        .filter_map(|(_, put, _)| match put {
            Some(Put::Evicted(k, _)) => Some(*k),
            _ => None,
        })
        .collect()
}

#[test]
fn same_seed_same_evictions_different_seed_different_evictions() {
    let a = run_workload(&mut RandomCache::with_seed(16, 11));
    let b = run_workload(&mut RandomCache::with_seed(16, 11));
    assert_eq!(a, b);
    let evictions = evicted_keys(&a);
    assert!(evictions.len() > 500, "only {} evictions", evictions.len());
    let c = run_workload(&mut RandomCache::with_seed(16, 12));
    assert_ne!(evicted_keys(&c), evictions);
    // `new` is `with_seed(DEFAULT_SEED)`.
    assert_eq!(
        run_workload(&mut RandomCache::new(16)),
        run_workload(&mut RandomCache::with_seed(16, DEFAULT_SEED))
    );
}

#[test]
fn the_hasher_does_not_influence_the_choices() {
    // Two independently seeded hashers lay the table out differently; the evictions
    // must not change.
    let a = run_workload(&mut RandomCache::with_hasher_and_seed(
        16,
        DefaultHashBuilder::default(),
        3,
    ));
    let b = run_workload(&mut RandomCache::with_hasher_and_seed(
        16,
        DefaultHashBuilder::default(),
        3,
    ));
    assert_eq!(a, b);
}

#[test]
fn a_cleared_cache_makes_the_same_choices_as_a_new_one() {
    let mut used = RandomCache::with_seed(8, 77);
    let _ = run_workload(&mut used);
    used.clear();
    assert_eq!(used.info(), RandomCache::<u64, u64>::new(8).info());
    assert_eq!(
        run_workload(&mut used),
        run_workload(&mut RandomCache::with_seed(8, 77))
    );
}

#[test]
fn deterministic_behaviour_is_policy_agnostic() {
    let mut c = RandomCache::with_seed(5, 1);
    // No eviction before full, hits and misses counted, gets never evict.
    for k in 0..5u32 {
        assert_eq!(c.get(&k), None);
        assert_eq!(c.put(k, k), Put::Inserted);
        assert_eq!(c.get(&k), Some(&k));
    }
    // Replacing when full evicts nothing.
    for k in 0..5u32 {
        assert_eq!(c.put(k, k + 100), Put::Replaced(k));
    }
    assert_eq!(c.len(), 5);
    // A removal makes room: the next new key is inserted without eviction.
    assert_eq!(c.remove(&2), Some(102));
    assert_eq!(c.remove(&2), None);
    assert_eq!(c.put(9, 9), Put::Inserted);
    // Full again: the next new key evicts exactly one resident pair.
    let before: Vec<(u32, u32)> = c.iter().map(|(k, v)| (*k, *v)).collect();
    let (k, v) = c.put(10, 10).into_evicted().expect("full cache must evict");
    assert!(
        before.contains(&(k, v)),
        "evicted a pair that was not resident"
    );
    assert!(!c.contains(&k));
    for (rk, rv) in before.iter().filter(|(rk, _)| *rk != k) {
        assert_eq!(c.peek(rk), Some(rv));
    }
    assert_eq!(c.get(&10), Some(&10));
    assert_eq!(
        c.info(),
        CacheInfo {
            hits: 6,
            misses: 5,
            maxsize: Some(5),
            currsize: 5
        }
    );
    c.check_invariants();
}

/// The put that fills the cache gives the table its final spare room (hashbrown alone would
/// double it under churn, as 80 > 112 / 2 in a 128-bucket table): from then on evictions and
/// remove-and-put keep every allocation as it was when the cache filled, at sizes below and
/// above the 4096-bucket floor.
#[test]
fn full_cache_does_not_allocate_again() {
    evict_slots::testing::churn_allocates_nothing(
        RandomCache::new,
        &[80, 100, 5000],
        200_000,
        RandomCache::check_invariants,
    );
}

#[test]
fn huge_capacity_is_clamped_not_allocated() {
    evict_slots::testing::huge_capacity_is_clamped(RandomCache::<u64, u64>::new, MAX_CAPACITY);
}

// ---- Uniformity ----
//
// A full cache of N entries takes a new key at every trial and the test notes the
// *age rank* of the victim among the residents (0 = oldest insertion, N-1 = newest).
// Random eviction picks each rank with probability 1/N independently of the past, so
// the rank counts and the counts of (previous rank, rank) pairs are multinomial and
// Pearson's statistic follows a chi-square law. The seed is fixed, so the test is
// deterministic; the accepted band is the two-sided 1e-9 band of that law, so that a
// correct implementation would pass for all but one seed in a billion, while FIFO,
// LRU, round-robin or a biased choice land far outside it (checked below). Every 7th
// trial also removes a resident key and inserts a fresh one, so the `swap_remove`
// path shuffles storage order too.

const N: usize = 9;
const TRIALS: usize = 90_000;
/// Chi-square with 8 degrees of freedom: P(X < 0.0250) = P(X > 58.31) = 1e-9.
const RANKS_BAND: (f64, f64) = (0.0250, 58.31);
/// Chi-square with 80 degrees of freedom: P(X < 25.65) = P(X > 180.48) = 1e-9.
const PAIRS_BAND: (f64, f64) = (25.65, 180.48);

fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| {
            let d = c as f64 - expected;
            d * d / expected
        })
        .sum()
}

/// Victim age-rank counts and (previous, current) pair counts of `cache`.
fn rank_counts(cache: &mut impl Cache<u64, u64>) -> (Vec<u64>, Vec<u64>) {
    let mut order: Vec<u64> = Vec::new(); // residents, oldest insertion first
    let mut next_key = 0u64;
    for _ in 0..N {
        assert_eq!(cache.put(next_key, 0), Put::Inserted);
        order.push(next_key);
        next_key += 1;
    }
    let (mut ranks, mut pairs) = (alloc::vec![0u64; N], alloc::vec![0u64; N * N]);
    let mut previous = None;
    let mut lcg: u64 = 1;
    for trial in 0..TRIALS {
        if trial % 7 == 6 {
            lcg = lcg
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let gone = order.remove((lcg >> 33) as usize % N);
            assert_eq!(cache.remove(&gone), Some(0));
            assert_eq!(cache.put(next_key, 0), Put::Inserted);
            order.push(next_key);
            next_key += 1;
        }
        let Put::Evicted(victim, _) = cache.put(next_key, 0) else {
            panic!("a full cache must evict");
        };
        let rank = order.iter().position(|&k| k == victim).expect("resident");
        order.remove(rank);
        order.push(next_key);
        next_key += 1;
        ranks[rank] += 1;
        if let Some(p) = previous {
            pairs[p * N + rank] += 1;
        }
        previous = Some(rank);
    }
    (ranks, pairs)
}

fn within(x: f64, band: (f64, f64)) -> bool {
    band.0 < x && x < band.1
}

#[test]
fn evictions_are_uniform_over_resident_entries() {
    for seed in [DEFAULT_SEED, 1, 2024] {
        let (ranks, pairs) = rank_counts(&mut RandomCache::with_seed(N, seed));
        let (r, p) = (chi_square(&ranks), chi_square(&pairs));
        assert!(
            within(r, RANKS_BAND),
            "seed {seed}: ranks {ranks:?}, chi2 {r}"
        );
        assert!(within(p, PAIRS_BAND), "seed {seed}: pairs chi2 {p}");
    }
}

#[test]
fn the_uniformity_test_catches_non_random_policies() {
    // FIFO always evicts rank 0; LRU under this workload (no reads) does the same.
    let (ranks, _) = rank_counts(&mut model::Fifo::new(N));
    assert!(!within(chi_square(&ranks), RANKS_BAND));
    let (ranks, _) = rank_counts(&mut model::Lru::new(N));
    assert!(!within(chi_square(&ranks), RANKS_BAND));
    // Round-robin over ranks is perfectly flat (too flat) and its pairs are not random.
    let flat = alloc::vec![(TRIALS / N) as u64; N];
    assert!(!within(chi_square(&flat), RANKS_BAND));
    let mut pairs = alloc::vec![0u64; N * N];
    for t in 1..TRIALS {
        pairs[((t - 1) % N) * N + t % N] += 1;
    }
    assert!(!within(chi_square(&pairs), PAIRS_BAND));
    // A slight bias: the oldest entry chosen 20% more often than the others.
    let mut biased = alloc::vec![10_000u64; N];
    biased[0] = 12_000;
    assert!(!within(chi_square(&biased), RANKS_BAND));
}

// ---- The complete API: victims, pop, resize, get_or_insert_with, iteration ----

/// A cache of `cap` filled with keys `0..cap` (values `k * 10`).
fn full(cap: usize, seed: u64) -> RandomCache<u64, u64> {
    let mut c = RandomCache::with_seed(cap, seed);
    c.extend((0..cap as u64).map(|k| (k, k * 10)));
    c
}

#[test]
fn peek_victim_is_the_next_eviction_and_draws_nothing() {
    let mut c = full(16, 5);
    let mut twin = full(16, 5);
    for k in 100..2_000u64 {
        let seen = c.peek_victim().map(|(k, v)| (*k, *v));
        assert_eq!(c.peek_victim().map(|(k, v)| (*k, *v)), seen);
        // What `pop` would take, on a copy.
        assert_eq!(c.clone().pop(), seen);
        assert_eq!(c.put(k, k).into_evicted(), seen);
        // The twin never peeks: the same evictions (peeking consumed no draw).
        assert_eq!(twin.put(k, k).into_evicted(), seen);
    }
    c.check_invariants();
    assert_eq!(RandomCache::<u8, u8>::new(3).peek_victim(), None);
}

#[test]
fn peeking_changes_no_answer_of_a_workload() {
    // The shared workload with `peek_victim` before every op answers exactly as without.
    let mut plain = RandomCache::with_seed(16, 11);
    let want = run_workload(&mut plain);
    struct Peeking(RandomCache<u64, u64>);
    let mut x: u64 = 99;
    let mut peeking = Peeking(RandomCache::with_seed(16, 11));
    let mut got = Vec::new();
    for step in 0..5_000u64 {
        let _ = peeking.0.peek_victim();
        let _ = peeking.0.entries().count();
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let key = (x >> 33) % 64;
        let c = &mut peeking.0;
        got.push(match (x >> 20) % 10 {
            0..=3 => (c.get(&key).copied(), None, None),
            4..=8 => (None, Some(c.put(key, step)), None),
            _ if step == 2_500 => {
                c.clear();
                (None, None, None)
            }
            _ => (None, None, c.remove(&key)),
        });
    }
    assert_eq!(got, want);
}

#[test]
fn pop_takes_the_peeked_victim_until_empty() {
    let mut c = full(9, 3);
    let _ = c.get(&1);
    let mut popped = Vec::new();
    while let Some(victim) = c.peek_victim().map(|(k, v)| (*k, *v)) {
        assert_eq!(c.pop(), Some(victim));
        assert!(!c.contains(&victim.0));
        c.check_invariants();
        popped.push(victim.0);
    }
    assert_eq!(c.pop(), None);
    popped.sort();
    assert_eq!(popped, (0..9).collect::<Vec<_>>());
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=1, misses=0, maxsize=9, currsize=0)"
    );
    // Not full: the room a pop left is filled without an eviction.
    let mut c = full(4, 3);
    let _ = c.pop();
    assert_eq!(c.put(50, 0), Put::Inserted);
    assert!(matches!(c.put(51, 0), Put::Evicted(..)));
}

#[test]
fn resize_pops_in_order_and_gives_memory_back() {
    for (cap, to) in [
        (100usize, 10usize),
        (100, 0),
        (5000, 4999),
        (5000, 80),
        (30, 30),
    ] {
        let mut c = full(cap, 8);
        let _ = c.get(&3);
        let mut twin = c.clone();
        let gone = c.resize(to);
        let mut want = Vec::new();
        while twin.len() > to {
            want.push(twin.pop().expect("not empty"));
        }
        assert_eq!(gone, want, "{cap} -> {to}");
        assert_eq!((c.len(), c.capacity()), (to.min(cap), Some(to)));
        assert_eq!(c.info().hits, 1);
        c.check_invariants();
        assert_eq!(c.slab.slot_capacity(), to.min(cap));
        // Full at the new size: evictions allocate nothing more.
        if to > 0 {
            let sizes = (c.slab.slot_capacity(), c.slab.index().allocation_size());
            for k in 0..20 * to as u64 {
                assert!(matches!(c.put(1_000_000 + k, k), Put::Evicted(..)));
            }
            assert_eq!(
                (c.slab.slot_capacity(), c.slab.index().allocation_size()),
                sizes
            );
            c.check_invariants();
        } else {
            assert_eq!(c.put(1, 1), Put::Rejected(1, 1));
            assert_eq!(c.slab.index().allocation_size(), 0);
        }
    }
}

#[test]
fn resize_up_evicts_nothing_and_the_cache_fills_to_the_new_capacity() {
    let mut c = full(10, 1);
    assert!(c.resize(25).is_empty());
    assert!(c.resize(25).is_empty());
    for k in 10..25 {
        assert_eq!(c.put(k, k), Put::Inserted);
    }
    assert_eq!(c.slab.slot_capacity(), 25);
    assert!(matches!(c.put(99, 0), Put::Evicted(..)));
    c.check_invariants();
    // From 0 back up, and clamped like `new`.
    let mut z = full(4, 1);
    assert_eq!(z.resize(0).len(), 4);
    assert!(z.resize(usize::MAX).is_empty());
    assert_eq!(z.capacity(), Some(MAX_CAPACITY));
    assert_eq!(z.put(1, 1), Put::Inserted);
    z.check_invariants();
}

#[test]
fn get_or_insert_with_evicts_as_put_and_counts_one_lookup() {
    let mut a = full(8, 21);
    let mut b = full(8, 21);
    for k in 0..400u64 {
        let key = k % 20;
        let mut runs = 0;
        let fetched = a.get_or_insert_with(key, || {
            runs += 1;
            key + 1
        });
        let hit = b.contains(&key);
        let (found, evicted) = match fetched {
            Fetched::Hit(v) => (*v, None),
            Fetched::Inserted(v) => (*v, None),
            Fetched::Evicted(v, k, old) => (*v, Some((k, old))),
            Fetched::Rejected(..) => panic!("capacity 8 rejects nothing"),
        };
        if hit {
            assert_eq!(runs, 0);
            assert_eq!(Some(&found), b.get(&key));
        } else {
            assert_eq!((runs, found), (1, key + 1));
            assert_eq!(b.get(&key), None);
            assert_eq!(b.put(key, key + 1).into_evicted(), evicted);
        }
        assert_eq!(a.info(), b.info());
    }
    a.check_invariants();
    // Capacity 0: the pair comes back, the miss counted.
    let mut none = RandomCache::new(0);
    assert_eq!(none.get_or_insert_with(1, || 2), Fetched::Rejected(1, 2));
    assert_eq!(none.info().misses, 1);
}

#[test]
fn a_failed_computation_inserts_and_draws_nothing() {
    let mut a = full(4, 2);
    let b = full(4, 2);
    let err: Result<Fetched<'_, u64, u64>, &str> = a.try_get_or_insert_with(77, || Err("no"));
    assert_eq!(err, Err("no"));
    assert!(!a.contains(&77));
    assert_eq!(a.peek_victim(), b.peek_victim());
    assert_eq!(a.info().misses, 1);
    let ok: Result<_, ()> = a.try_get_or_insert_with(77, || Ok(7));
    assert!(matches!(ok, Ok(Fetched::Evicted(&mut 7, ..))));
    let again: Result<_, ()> = a.try_get_or_insert_with(77, || unreachable!());
    assert!(matches!(again, Ok(Fetched::Hit(&mut 7))));
    assert_eq!((a.info().hits, a.info().misses), (1, 2));
}

#[test]
fn put_mut_and_the_mutable_lookups() {
    let mut a = full(4, 6);
    let mut b = full(4, 6);
    for k in 0..50u64 {
        let (put, value) = a.put_mut(k % 9, k);
        let kept = put.is_kept();
        assert_eq!(put, b.put(k % 9, k));
        *value.expect("kept") += 1;
        assert!(kept);
        *b.peek_mut(&(k % 9)).expect("cached") += 1;
    }
    assert_eq!(a.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
    assert_eq!(a.info().hits + a.info().misses, 0);
    let mut s: RandomCache<alloc::string::String, u32> = RandomCache::new(2);
    let _ = s.put("a".into(), 1);
    *s.get_mut("a").expect("cached") += 1;
    assert_eq!(s.get_mut("b"), None);
    assert_eq!((s.peek("a"), s.contains("b")), (Some(&2), false));
    assert_eq!((s.info().hits, s.info().misses), (1, 1));
    assert_eq!(s.remove("a"), Some(2));
    s.check_invariants();
}

#[test]
fn iterators_list_storage_order_and_count_nothing() {
    let mut c = full(10, 4);
    let _ = c.remove(&3); // the last slot moves into 3's
    let _ = c.get(&1);
    let info = c.info();
    let order: Vec<(u64, u64)> = c.slab.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>();
    let listed: Vec<(u64, u64)> = c.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(listed, order);
    let dynamic: Vec<(u64, u64)> = c.entries().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(dynamic, order);
    let keys: Vec<u64> = c.keys().copied().collect();
    let values: Vec<u64> = c.values().copied().collect();
    assert_eq!(keys, order.iter().map(|p| p.0).collect::<Vec<_>>());
    assert_eq!(values, order.iter().map(|p| p.1).collect::<Vec<_>>());
    let mut reversed: Vec<(u64, u64)> = c.iter().rev().map(|(k, v)| (*k, *v)).collect();
    reversed.reverse();
    assert_eq!(reversed, order);
    assert_eq!((c.iter().len(), c.keys().rev().len()), (9, 9));
    let mut it = c.iter();
    let _ = it.next_back();
    assert_eq!(it.clone().count(), 8);
    for (_, v) in &mut c {
        *v += 1;
    }
    c.values_mut().for_each(|v| *v += 1);
    for (k, v) in c.iter_mut().rev() {
        *v -= k;
    }
    assert_eq!(c.info(), info);
    let by_ref: Vec<(u64, u64)> = (&c).into_iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        by_ref,
        order
            .iter()
            .map(|&(k, v)| (k, v + 2 - k))
            .collect::<Vec<_>>()
    );
    assert_eq!(c.clone().into_iter().collect::<Vec<_>>(), by_ref);
    assert_eq!(
        std::format!("{:?}", c.keys()),
        std::format!("{:?}", order.iter().map(|p| p.0).collect::<Vec<_>>())
    );
    c.check_invariants();
}

#[test]
fn drain_keeps_statistics_and_empties_even_when_dropped_early() {
    let mut c = full(6, 4);
    let _ = c.get(&1);
    let order = c.slab.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>();
    assert_eq!(c.drain().collect::<Vec<_>>(), order);
    assert_eq!(
        c.info().to_string(),
        "CacheInfo(hits=1, misses=0, maxsize=6, currsize=0)"
    );
    c.check_invariants();
    c.extend((0..6).map(|k| (k, k)));
    let mut drain = c.drain();
    assert_eq!(drain.len(), 6);
    let _ = drain.next_back();
    drop(drain);
    assert!(c.is_empty());
    c.check_invariants();
    // Refilled after a drain: full again, it evicts and never allocates.
    c.extend((0..6).map(|k| (k, k)));
    let sizes = (c.slab.slot_capacity(), c.slab.index().allocation_size());
    c.extend((6..200).map(|k| (k, k)));
    assert_eq!(
        (c.slab.slot_capacity(), c.slab.index().allocation_size()),
        sizes
    );
    c.check_invariants();
}

// Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
// replacement), the eviction reports rebuilt into the resident set after every op.
evict_harness::weighted!(
    weighted,
    RandomCache::with_weigher,
    validate = |c: &RandomCache<u8, u16, crate::DefaultHashBuilder, evict_slots::Weighted<_>>| c
        .check_invariants(),
);
