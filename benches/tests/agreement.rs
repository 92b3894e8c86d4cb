//! Fast checks of what the benches assert, at small sizes, so CI catches a disagreement
//! without running criterion.
#![forbid(unsafe_code)]

use std::collections::VecDeque;

use evict_benches::adapters::{BenchCache, HashMapInsertRemove};
use evict_benches::memory::{Allocs, Meter, measure_all};
use evict_benches::workload::{SplitMix64, Zipf, key, scramble, uniform_keys, zipf_keys};
use evict_benches::{
    Hits, Kind, Meta, check_exact_lru_agree, hits_of_all, impl_names, shared_names,
};

/// Hits of an obviously correct LRU (a recency-ordered `VecDeque`, linear scans).
fn reference_lru_hits(keys: &[u64], capacity: usize) -> u64 {
    let mut order: VecDeque<u64> = VecDeque::new(); // front = most recent
    let mut hits = 0;
    for &k in keys {
        if let Some(pos) = order.iter().position(|&x| x == k) {
            hits += 1;
            order.remove(pos);
        } else if order.len() == capacity {
            order.pop_back();
        }
        if capacity > 0 {
            order.push_front(k);
        }
    }
    hits
}

#[test]
fn exact_lru_implementations_agree_with_each_other_and_the_reference() {
    for (universe, capacity, seed) in [(2_000, 10, 1), (2_000, 100, 2), (300, 64, 3)] {
        let keys = zipf_keys(universe, 0.99, 20_000, seed);
        let hits = hits_of_all(&keys, capacity);
        let agreed = check_exact_lru_agree(&hits).unwrap();
        assert_eq!(
            agreed,
            reference_lru_hits(&keys, capacity),
            "universe {universe}, capacity {capacity}"
        );
        // The skew makes hits frequent but not universal: the check is not vacuous.
        assert!(agreed > 0 && agreed < keys.len() as u64);
        // No eviction: every repeat is a hit, and no bounded cache can do better.
        let distinct = {
            let mut k = keys.clone();
            k.sort_unstable();
            k.dedup();
            k.len() as u64
        };
        let repeats = keys.len() as u64 - distinct;
        for h in &hits {
            if matches!(h.meta.kind, Kind::Limit | Kind::Unbounded) {
                assert_eq!(h.hits, repeats, "{}", h.meta.name);
            } else {
                assert!(h.hits <= repeats, "{} hits {}", h.meta.name, h.hits);
                assert!(h.hits > 0, "{} never hits", h.meta.name);
            }
        }
    }
}

#[test]
fn disagreement_is_reported_with_every_count() {
    let m = |name| Meta {
        name,
        kind: Kind::ExactLru,
        evict: false,
    };
    let hits = [
        Hits {
            meta: m("a"),
            hits: 5,
            lookups: 9,
        },
        Hits {
            meta: m("b"),
            hits: 6,
            lookups: 9,
        },
    ];
    let err = check_exact_lru_agree(&hits).unwrap_err();
    assert!(err.contains("a=5") && err.contains("b=6"), "{err}");
}

#[test]
fn zipf_sampler_matches_its_distribution() {
    let zipf = Zipf::new(1_000, 0.99);
    let mut rng = SplitMix64::new(9);
    let n = 200_000;
    let mut counts = vec![0u32; zipf.len()];
    for _ in 0..n {
        counts[zipf.sample(&mut rng)] += 1;
    }
    for r in [0, 1, 9] {
        let expected = zipf.probability(r) * n as f64;
        let got = f64::from(counts[r]);
        assert!(
            (got - expected).abs() < 5.0 * expected.sqrt(),
            "rank {r}: expected about {expected:.0}, got {got}"
        );
    }
    assert!(counts[0] > counts[10] && counts[10] > counts[500]);
    // Same seed, same sequence; another seed, another.
    assert_eq!(
        zipf_keys(1_000, 0.99, 100, 4),
        zipf_keys(1_000, 0.99, 100, 4)
    );
    assert_ne!(
        zipf_keys(1_000, 0.99, 100, 4),
        zipf_keys(1_000, 0.99, 100, 5)
    );
}

#[test]
fn keys_are_distinct_and_uniform_keys_are_resident() {
    let mut ks: Vec<u64> = (0..100_000).map(scramble).collect();
    ks.sort_unstable();
    ks.dedup();
    assert_eq!(ks.len(), 100_000);
    let resident: Vec<u64> = (0..50).map(key).collect();
    let picks = uniform_keys(50, 10_000, 1);
    assert!(picks.iter().all(|k| resident.contains(k)));
    // All 50 are drawn at least once in 10,000 uniform picks.
    assert!(resident.iter().all(|k| picks.contains(k)));
}

#[test]
fn insert_remove_limit_holds_at_most_its_capacity() {
    let mut map = HashMapInsertRemove::new(3);
    for i in 0..10 {
        map.put(key(i), i);
        assert!(map.len() <= 3);
    }
    assert_eq!(map.get(key(9)), Some(9));
    assert_eq!(map.get(key(6)), None);
}

/// A meter that counts nothing: checks the memory driver's bookkeeping, not the numbers.
struct NoMeter;

impl Meter for NoMeter {
    fn measure(&self, f: &mut dyn FnMut()) -> Allocs {
        f();
        Allocs::default()
    }
}

#[test]
fn memory_driver_fills_every_implementation_within_capacity() {
    let rows = measure_all(&NoMeter, 500);
    assert_eq!(rows.len(), impl_names().len());
    for r in rows {
        match r.meta.kind {
            Kind::Limit | Kind::Unbounded => {
                assert_eq!(r.len, 500, "{}", r.meta.name);
                assert_eq!(r.allocs_put_evict, None);
                assert_eq!(r.allocs_ghost_fill, None);
            }
            _ => {
                assert!(r.len <= 500 && r.len >= 400, "{}: {}", r.meta.name, r.len);
                assert!(r.allocs_put_evict.is_some() && r.allocs_ghost_fill.is_some());
            }
        }
    }
}

#[test]
fn every_policy_crate_is_benchmarked() {
    let names: Vec<&str> = impl_names().iter().map(|m| m.name).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        if !entry.path().join("Cargo.toml").exists() {
            continue;
        }
        let policy = format!("evict-{}", entry.file_name().to_string_lossy());
        assert!(
            names.contains(&policy.as_str()),
            "{policy} is in policies/ but not in the benches (add it to for_each_impl)"
        );
    }
    assert!(shared_names().contains(&"evict-lru-mutex"));
}
