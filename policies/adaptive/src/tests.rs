//! The crate's own tests: the conformance kit against the model (the same rule over the
//! kit's reference models), hostile keys and values, a long seeded run with switches
//! compared op by op, and the choice on workloads whose best policy is known.

extern crate std;

use alloc::vec::Vec;

use evict_harness::Settings;
use evict_slots::SplitMix64;

use crate::model::Adaptive;
use crate::{AdaptiveCache, Cache, Policy};

/// A fixed-seed hasher: which keys are sampled, and S3-FIFO's ghost fingerprints, depend on
/// the key hash.
type Fixed = foldhash::fast::FixedState;
fn fixed() -> Fixed {
    foldhash::fast::FixedState::with_seed(0xada9_71fe)
}

// Runs long enough (600 ops over 40 keys, capacities up to 24) that the miniatures fill and
// epochs of 64 sampled gets end, so that some scenarios switch policy.
evict_harness::conformance!(
    conformance,
    |cap| AdaptiveCache::with_hasher(cap, fixed()),
    model = |cap| Adaptive::new(cap, fixed()),
    settings = Settings {
        max_capacity: 24,
        keys: 40,
        max_ops: 600
    }
);

// Longer scenarios: more epochs, so more switches among the removes, resizes and clears.
evict_harness::conformance!(
    conformance_long,
    |cap| AdaptiveCache::with_hasher(cap, fixed()),
    model = |cap| Adaptive::new(cap, fixed()),
    settings = Settings {
        max_capacity: 16,
        keys: 48,
        max_ops: 3000
    }
);

// Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves the
// cache consistent and working, as it does each of the three policies.
evict_harness::hostile!(hostile, |cap| AdaptiveCache::with_hasher(cap, fixed()));

/// A seeded stream whose best policy changes: a skewed phase over a small hot set (W-TinyLFU
/// and S3-FIFO keep the hot set), then a phase of short reuse distances over a sliding
/// window of keys (LRU's case), then the skewed phase again.
fn phases(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = SplitMix64::new(seed);
    let mut keys = Vec::with_capacity(n);
    for t in 0..n {
        let r = rng.next_u64();
        let k = match (t * 3) / n {
            1 => (t as u64 / 4) + r % 200,
            _ if r.is_multiple_of(4) => 1_000_000 + t as u64,
            _ => (r >> 8) % ((r >> 40) % 2000 + 1),
        };
        keys.push(k);
    }
    keys
}

/// The real cache and the model agree on every answer of a long run that switches.
#[test]
fn long_runs_match_the_model_through_switches() {
    // 900: sampled at 1/2 with a miniature sketch narrower than evict-wtinylfu's floor
    // (`mini::sketch_words`), which the model's shadow must follow too.
    for (capacity, seed) in [(50, 1), (300, 2), (900, 4), (1_500, 3)] {
        let mut real = AdaptiveCache::with_hasher(capacity, fixed());
        let mut model: Adaptive<u64, u64, Fixed> = Adaptive::new(capacity, fixed());
        for (t, &k) in phases(60_000, seed).iter().enumerate() {
            let got = real.get(&k).copied();
            assert_eq!(
                got,
                model.get(&k).copied(),
                "get {k} at step {t}, capacity {capacity}"
            );
            if got.is_none() {
                assert_eq!(real.put(k, k), model.put(k, k), "put {k} at step {t}");
            }
        }
        assert_eq!(real.info(), model.info());
        let a: Vec<_> = real.entries().map(|(k, _)| *k).collect();
        let b: Vec<_> = model.entries().map(|(k, _)| *k).collect();
        assert_eq!(a, b, "entries in order, capacity {capacity}");
        // Every miniature hit of every epoch is in the decayed scores: equal scores mean
        // the miniatures and the model's shadows agreed all along, not only on the switches.
        assert_eq!(
            real.shadows.scores(),
            model.scores(),
            "scores, capacity {capacity}"
        );
        assert!(
            real.switches() > 0,
            "capacity {capacity}: no switch, the test checks less"
        );
    }
}

/// A switch keeps every entry: nothing is lost, the length and statistics carry over.
#[test]
fn a_switch_keeps_every_entry() {
    let mut cache = AdaptiveCache::with_hasher(300, fixed());
    let mut last = cache.policy();
    for &k in &phases(60_000, 7) {
        let before = cache.len();
        let hit = cache.get(&k).is_some();
        if cache.policy() != last {
            assert_eq!(cache.len(), before, "a switch changed the length");
            last = cache.policy();
        }
        if !hit {
            let _ = cache.put(k, k);
        }
    }
    assert!(cache.switches() > 0);
    assert_eq!(cache.info().hits + cache.info().misses, 60_000);
}

/// A loop one entry larger than the cache: LRU and S3-FIFO's main queue miss every time,
/// a frequency filter keeps part of the loop. The cache must not end on LRU.
#[test]
fn a_loop_does_not_end_on_lru() {
    let mut cache = AdaptiveCache::with_hasher(100, fixed());
    for t in 0..100_000u64 {
        let k = t % 120;
        if cache.get(&k).is_none() {
            let _ = cache.put(k, ());
        }
    }
    assert_ne!(cache.policy(), Policy::Lru);
    assert!(cache.info().hits > 20_000, "{}", cache.info());
}

/// Short reuse distances, each key read a few times within a sliding window and never
/// again: LRU's case (a frequency filter refuses the newcomers). The cache must end on LRU
/// and be within a point of it.
#[test]
fn sliding_reuse_ends_on_lru() {
    let mut rng = SplitMix64::new(11);
    let keys: Vec<u64> = (0..200_000u64)
        .map(|t| t / 8 + rng.next_u64() % 90)
        .collect();
    let mut cache = AdaptiveCache::with_hasher(100, fixed());
    let mut lru = evict_lru::LruCache::with_hasher(100, fixed());
    for &k in &keys {
        if cache.get(&k).is_none() {
            let _ = cache.put(k, ());
        }
        if lru.get(&k).is_none() {
            let _ = lru.put(k, ());
        }
    }
    assert_eq!(cache.policy(), Policy::Lru);
    let (a, l) = (cache.info().hits, lru.info().hits);
    assert!(a * 100 >= l * 99, "adaptive {a} hits, LRU {l}");
}

#[test]
fn clear_starts_again_on_s3fifo() {
    let mut cache = AdaptiveCache::with_hasher(100, fixed());
    for t in 0..100_000u64 {
        let k = t / 8 + t % 90;
        if cache.get(&k).is_none() {
            let _ = cache.put(k, ());
        }
    }
    cache.clear();
    assert_eq!(cache.policy(), Policy::S3Fifo);
    assert_eq!(cache.switches(), 0);
    assert_eq!(cache.len(), 0);
    assert_eq!(cache.info().hits, 0);
}

/// Every operation, switches among them: a seeded mix of gets, puts, removes, peeks, pops
/// and resizes (a phase of short reuse, then a loop, so that the policies take turns in the
/// lead), compared op by op with the model; the run must switch at least twice.
#[test]
fn mixed_operations_match_the_model_through_switches() {
    let mut rng = SplitMix64::new(99);
    let mut real = AdaptiveCache::with_hasher(16, fixed());
    let mut model: Adaptive<u64, u64, Fixed> = Adaptive::new(16, fixed());
    let mut most = 0;
    for t in 0..40_000u64 {
        let r = rng.next_u64();
        let k = if t % 20_000 < 10_000 {
            t / 3 + r % 12
        } else {
            t % 19
        };
        match r >> 56 {
            0..=179 => {
                let got = real.get(&k).copied();
                assert_eq!(got, model.get(&k).copied(), "get {k} at {t}");
                if got.is_none() {
                    assert_eq!(real.put(k, t), model.put(k, t), "put {k} at {t}");
                }
            }
            180..=209 => assert_eq!(real.put(k, t), model.put(k, t), "put {k} at {t}"),
            210..=229 => assert_eq!(Cache::remove(&mut real, &k), model.remove(&k), "remove {k}"),
            230..=244 => assert_eq!(Cache::peek(&real, &k), model.peek(&k), "peek {k}"),
            245..=253 => assert_eq!(real.pop(), model.pop(), "pop at {t}"),
            _ => {
                let size = 8 + (r % 16) as usize;
                assert_eq!(
                    real.resize(size),
                    model.resize(size),
                    "resize {size} at {t}"
                );
            }
        }
        assert_eq!(real.info(), model.info(), "info at {t}");
        most = most.max(real.switches());
    }
    let a: Vec<_> = real.entries().map(|(k, v)| (*k, *v)).collect();
    let b: Vec<_> = model.entries().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(a, b);
    assert!(
        most >= 2,
        "only {most} switches: the test checks less than it says"
    );
}

/// Each miniature answers every access as its `evict-*` crate does with `u32` keys ("get;
/// on a miss, put"): streams of tags with a hot set (so that there are hits, promotions,
/// ghost hits and admissions), at capacities from 1 to the largest, long enough for
/// W-TinyLFU's sketch to halve several times. Compact miniatures (up to 900 entries)
/// store the top 16 bits of a tag: they are fed tags whose low 16 bits are zero (and never
/// all zero, a ghost's hole), which the crates see as the same keys.
#[test]
fn miniatures_match_their_crates() {
    use crate::mini;
    for (capacity, compact) in [
        1usize,
        2,
        3,
        9,
        10,
        11,
        64,
        100,
        257,
        700,
        mini::COMPACT_MAX,
        1_500,
        mini::MAX_MINI,
    ]
    .into_iter()
    .flat_map(|c| [(c, false), (c, true)])
    .filter(|&(c, compact)| !compact || c <= mini::COMPACT_MAX)
    {
        let mut lru = mini::Lru::new(capacity, compact);
        let mut s3 = mini::S3Fifo::new(capacity, compact);
        let mut w = mini::WTinyLfu::new(capacity, compact);
        let mut lru_c: evict_lru::LruCache<u32, (), Fixed> =
            evict_lru::LruCache::with_hasher(capacity, fixed());
        let mut s3_c: evict_s3fifo::S3FifoCache<u32, (), Fixed> =
            evict_s3fifo::S3FifoCache::with_hasher(capacity, fixed());
        let mut w_c: evict_wtinylfu::WTinyLfuCache<u32, (), Fixed> =
            evict_wtinylfu::WTinyLfuCache::with_hasher(capacity, fixed());
        let mut rng = SplitMix64::new(capacity as u64);
        let keys = 4 * capacity as u64 + 8;
        let mut hits = [0u64; 3];
        for t in 0..(60 * capacity).clamp(3_000, 200_000) {
            // Half the accesses to a hot tenth of the keys, the rest spread over all; the
            // key mixed into a tag as the shadows' are.
            let k = if rng.next_u64().is_multiple_of(2) {
                rng.next_u64() % (keys / 10 + 1)
            } else {
                rng.next_u64() % keys
            };
            let mut tag = crate::shadow::tag(k);
            if compact {
                tag = (tag & 0xFFFF_0000).max(1 << 16);
            }
            for (i, (m, c)) in [
                (lru.access(tag), &mut lru_c as &mut dyn Cache<u32, ()>),
                (s3.access(tag), &mut s3_c),
                (w.access(tag), &mut w_c),
            ]
            .into_iter()
            .enumerate()
            {
                let hit = c.get(&tag).is_some();
                if !hit {
                    let _ = c.put(tag, ());
                }
                assert_eq!(
                    m, hit,
                    "capacity {capacity}, compact {compact}, access {t}, miniature {i}"
                );
                hits[i] += u64::from(hit);
            }
        }
        assert!(hits.iter().all(|&h| h > 0), "capacity {capacity}: no hits");
    }
}

/// At capacity 1 the three policies answer alike (a miss replaces the one entry), which is
/// why the cache runs no miniature there: checked on a seeded stream with a hot set.
#[test]
fn the_policies_agree_at_capacity_one() {
    let mut rng = SplitMix64::new(5);
    let mut s3 = evict_s3fifo::S3FifoCache::new(1);
    let mut w = evict_wtinylfu::WTinyLfuCache::new(1).with_sketch_floor(0);
    let mut lru = evict_lru::LruCache::new(1);
    let mut hits = 0;
    for t in 0..50_000u64 {
        let r = rng.next_u64();
        let k = if r.is_multiple_of(2) { r % 3 } else { r % 50 };
        let mut answers = [false; 3];
        for (i, c) in [&mut s3 as &mut dyn Cache<u64, u64>, &mut w, &mut lru]
            .into_iter()
            .enumerate()
        {
            answers[i] = c.get(&k).is_some();
            if !answers[i] {
                let _ = c.put(k, t);
            }
        }
        assert!(
            answers[0] == answers[2] && answers[1] == answers[2],
            "at {t}"
        );
        hits += u64::from(answers[0]);
    }
    assert!(hits > 1_000);
}
