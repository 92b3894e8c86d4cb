//! The sketch's tests: against exact counts, the count-min bound, resets, growth and resizes.

extern crate std;
use super::*;
use std::collections::HashSet;

/// A deterministic stream of (key, true count) with counts 1..=15.
fn stream(keys: u64) -> Vec<(u64, u8)> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..keys)
        .map(|k| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (k, (x % 15) as u8 + 1)
        })
        .collect()
}

#[test]
fn never_underestimates_and_overestimates_within_the_count_min_bound() {
    let capacity = 1024;
    let mut sketch = FrequencySketch::new(capacity);
    let items = stream(800);
    let total: u64 = items.iter().map(|&(_, c)| u64::from(c)).sum();
    assert!(
        total < sketch.sample_size(),
        "the stream must not trigger a reset"
    );
    // Interleave the increments so that no key's counters are filled in one go.
    for round in 1..=15u8 {
        for &(k, c) in &items {
            if c >= round {
                sketch.increment(FrequencySketch::hash(&k));
            }
        }
    }
    // Count-min bound: each row has `words * 16 / 4` counters (two words per row per
    // block); a row's overestimate has mean <= total / width, so by Markov it exceeds
    // e * total / width with probability <= 1/e, and all four rows do with <= e^-4
    // (1.8%). Allow 5% of the keys to exceed it, and none to go below the truth.
    let width = (sketch.words() * 16 / 4) as f64;
    let bound = core::f64::consts::E * total as f64 / width;
    let mut over_bound = 0;
    let mut exact = 0;
    for &(k, c) in &items {
        let est = sketch.frequency(FrequencySketch::hash(&k));
        assert!(est >= c, "key {k}: estimate {est} below the true count {c}");
        let over = f64::from(est - c);
        if over > bound {
            over_bound += 1;
        }
        if est == c {
            exact += 1;
        }
    }
    assert!(
        over_bound * 20 <= items.len(),
        "{over_bound} of {} keys overestimated by more than {bound:.2}",
        items.len()
    );
    // And most keys are exact at this load (one key per 1.3 words).
    assert!(
        exact * 10 >= items.len() * 8,
        "only {exact} exact estimates"
    );
}

#[test]
fn unseen_keys_mostly_estimate_zero() {
    let mut sketch = FrequencySketch::new(512);
    for k in 0..256u64 {
        sketch.increment(FrequencySketch::hash(&k));
    }
    let nonzero = (10_000..11_000u64)
        .filter(|k| sketch.frequency(FrequencySketch::hash(k)) > 0)
        .count();
    // A fresh key is nonzero only if all four of its counters are shared: rare.
    assert!(nonzero < 50, "{nonzero} of 1000 unseen keys look seen");
}

#[test]
fn counters_saturate_at_fifteen_and_stop_counting_additions() {
    let mut sketch = FrequencySketch::new(64);
    let k = FrequencySketch::hash(&"k");
    for _ in 0..40 {
        sketch.increment(k);
    }
    assert_eq!(sketch.frequency(k), MAX_COUNT);
    // Only the increments that changed a counter count.
    assert_eq!(sketch.additions(), 15);
}

#[test]
fn reset_halves_every_count_after_the_sample() {
    let capacity = 32;
    let mut sketch = FrequencySketch::new(capacity);
    assert_eq!(sketch.sample_size(), 320);
    let hot: Vec<u64> = (0..4u64)
        .map(|k| FrequencySketch::hash(&(k + 1000)))
        .collect();
    for _ in 0..13 {
        for &h in &hot {
            sketch.increment(h);
        }
    }
    let before: Vec<u8> = hot.iter().map(|&h| sketch.frequency(h)).collect();
    assert!(before.iter().all(|&f| f >= 13));
    // Fill up to one addition short of the sample with other keys, checking no reset yet.
    let mut k = 0u64;
    while sketch.additions() < sketch.sample_size() - 1 {
        sketch.increment(FrequencySketch::hash(&k));
        k += 1;
    }
    let at_brink: Vec<u8> = hot.iter().map(|&h| sketch.frequency(h)).collect();
    assert!(at_brink.iter().zip(&before).all(|(a, b)| a >= b));
    let table_before = sketch.table.clone();
    // The next addition triggers the reset: every counter is halved.
    let mut next = k;
    loop {
        let h = FrequencySketch::hash(&next);
        let mut probe = sketch.clone();
        probe.increment(h);
        if probe.additions() < sketch.additions() {
            sketch = probe;
            // Each word halved, except the counters the last increment touched first.
            let touched: HashSet<usize> = sketch.slots(h).iter().map(|s| s.0).collect();
            for (i, (&old, &new)) in table_before.iter().zip(&sketch.table).enumerate() {
                if !touched.contains(&i) {
                    assert_eq!(new, (old >> 1) & RESET_MASK, "word {i} not halved");
                }
            }
            break;
        }
        next += 1;
    }
    for (i, &h) in hot.iter().enumerate() {
        assert_eq!(
            sketch.frequency(h),
            at_brink[i] / 2,
            "hot key {i} not halved"
        );
    }
    assert!(sketch.additions() < sketch.sample_size() / 2 + 1);
}

#[test]
fn reset_corrects_additions_for_truncated_odd_counters() {
    let mut sketch = FrequencySketch::new(64);
    let k = FrequencySketch::hash(&1u8);
    for _ in 0..3 {
        sketch.increment(k);
    }
    // Four counters at 3 (odd): halving loses 4 half-counts, one key's worth.
    assert_eq!(sketch.additions(), 3);
    sketch.reset();
    assert_eq!(sketch.frequency(k), 1);
    assert_eq!(sketch.additions(), (3 - 1) / 2);
}

#[test]
fn the_four_counters_of_a_key_are_distinct_and_in_one_block() {
    let sketch = FrequencySketch::new(4096);
    for k in 0..1000u64 {
        let slots = sketch.slots(FrequencySketch::hash(&k));
        let words: HashSet<usize> = slots.iter().map(|s| s.0).collect();
        assert_eq!(words.len(), 4, "two rows share a word");
        let blocks: HashSet<usize> = slots.iter().map(|s| s.0 / BLOCK_WORDS).collect();
        assert_eq!(blocks.len(), 1);
    }
}

#[test]
fn small_key_spaces_hash_without_collisions() {
    // The cache remembers the last missed key by its sketch hash; the conformance tests'
    // u8 keys must not collide.
    let hashes: HashSet<u64> = (0..=255u8).map(|k| FrequencySketch::hash(&k)).collect();
    assert_eq!(hashes.len(), 256);
}

#[test]
fn growing_keeps_every_estimate_and_the_bound() {
    let mut sketch = FrequencySketch::new(1 << 18);
    assert_eq!(sketch.words(), 1 << 16);
    let items = stream(50_000);
    let mut truth = std::collections::HashMap::new();
    for (i, &(k, c)) in items.iter().enumerate() {
        for _ in 0..c.min(3) {
            sketch.increment(FrequencySketch::hash(&k));
        }
        *truth.entry(k).or_insert(0u8) += c.min(3);
        if i % 10_000 == 0 {
            let before: Vec<u8> = (0..=i as u64)
                .map(|k| sketch.frequency(FrequencySketch::hash(&k)))
                .collect();
            sketch.ensure_capacity(sketch.words() + 1);
            for (k, &b) in before.iter().enumerate() {
                let h = FrequencySketch::hash(&(k as u64));
                assert_eq!(sketch.frequency(h), b, "key {k} changed on growth");
            }
        }
    }
    assert_eq!(sketch.words(), 1 << 18);
    sketch.ensure_capacity(usize::MAX);
    assert_eq!(sketch.words(), 1 << 18, "grew past its capacity");
    for (k, &c) in &truth {
        assert!(sketch.frequency(FrequencySketch::hash(k)) >= c);
    }
    sketch.clear();
    assert_eq!(sketch.words(), 1 << 16);
}

#[test]
fn resize_keeps_every_count_when_narrowing_and_widening() {
    let mut sketch = FrequencySketch::new(4096);
    let items = stream(2000);
    for &(k, c) in &items {
        for _ in 0..c {
            sketch.increment(FrequencySketch::hash(&k));
        }
    }
    assert_eq!(sketch.resets(), 0);
    // Narrowing folds 4096 words into 256: many more shared counters, none below the
    // truth.
    sketch.resize(200);
    assert_eq!(
        (sketch.words(), sketch.sample_size(), sketch.heap_bytes()),
        (256, 2000, 256 * 8)
    );
    for &(k, c) in &items {
        assert!(sketch.frequency(FrequencySketch::hash(&k)) >= c, "key {k}");
    }
    // Widening copies each block to both its places: every estimate unchanged.
    let before: Vec<u8> = items
        .iter()
        .map(|&(k, _)| sketch.frequency(FrequencySketch::hash(&k)))
        .collect();
    sketch.resize(3000);
    assert_eq!((sketch.words(), sketch.sample_size()), (4096, 30_000));
    for (&(k, _), &b) in items.iter().zip(&before) {
        assert_eq!(sketch.frequency(FrequencySketch::hash(&k)), b, "key {k}");
    }
    // A resize to the same size changes nothing.
    let same = sketch.clone();
    sketch.resize(3000);
    assert_eq!(sketch, same);
}

#[test]
fn resize_sizes_like_new_and_keeps_the_addition_count() {
    for (from, to) in [
        (0, 100),
        (100, 0),
        (1 << 20, 1000),
        (1000, 1 << 20),
        (64, 64),
    ] {
        let mut sketch = FrequencySketch::new(from);
        sketch.increment(FrequencySketch::hash(&1u8));
        sketch.resize(to);
        let fresh = FrequencySketch::new(to);
        assert_eq!(
            (sketch.words(), sketch.sample_size(), sketch.additions()),
            (fresh.words(), fresh.sample_size(), 1),
            "{from} -> {to}"
        );
        assert_eq!(sketch.frequency(FrequencySketch::hash(&1u8)), 1);
        sketch.clear();
        assert_eq!(sketch.words(), fresh.words());
    }
    // Unallocated: only the sizes change.
    let mut sketch = FrequencySketch::new(1 << 20);
    sketch.resize(10);
    assert_eq!((sketch.words(), sketch.heap_bytes()), (16, 0));
}

#[test]
fn counters_add_with_saturation() {
    let a = 0xF0F0_0000_0000_1234u64;
    let b = 0x1F21_0000_0000_4321u64;
    assert_eq!(saturating_add_counters(a, b), 0xFFF1_0000_0000_5555);
    assert_eq!(saturating_add_counters(u64::MAX, u64::MAX), u64::MAX);
    assert_eq!(saturating_add_counters(0, 0), 0);
}

#[test]
fn never_below_exact_counts_through_resets_deferred_counts_and_resizes() {
    // A caller that counts some hits itself, as W-TinyLFU does (count_addition now,
    // add_counted later, its own counts halved when the sketch halves), against exact
    // counts kept the same way: the estimate never falls below the exact count.
    let keys = 64u64;
    let mut sketch = FrequencySketch::new(16); // halves every 160 additions
    let mut exact = [0u8; 64];
    let mut pending = [0u8; 64];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for step in 0..200_000u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x % keys) as usize;
        let h = FrequencySketch::hash(&(k as u64));
        let resets = sketch.resets();
        match (x >> 32) % 8 {
            0..=3 => {
                sketch.increment(h);
                exact[k] = (exact[k] + 1).min(MAX_COUNT);
            }
            4 | 5 => {
                let n = u8::from(pending[k] < MAX_COUNT);
                pending[k] += n;
                sketch.count_addition(n);
            }
            6 => {
                sketch.add_counted(h, pending[k]);
                exact[k] = (exact[k] + pending[k]).min(MAX_COUNT);
                pending[k] = 0;
            }
            _ if step % 1000 == 7 => {
                sketch.resize([8, 16, 40, 100][(x >> 40) as usize % 4]);
            }
            _ => {}
        }
        if sketch.resets() != resets {
            // `increment` adds before it halves; the exact counts did the same.
            exact.iter_mut().for_each(|c| *c /= 2);
            pending.iter_mut().for_each(|c| *c /= 2);
        }
        for (k, &c) in exact.iter().enumerate() {
            let est = sketch.frequency(FrequencySketch::hash(&(k as u64)));
            assert!(est >= c, "step {step}: key {k} estimated {est} < {c}");
        }
    }
    assert!(sketch.resets() > 100);
}

#[test]
fn clear_forgets_and_releases() {
    let mut sketch = FrequencySketch::new(100);
    let k = FrequencySketch::hash(&"x");
    sketch.increment(k);
    assert!(sketch.heap_bytes() >= 128 * 8);
    sketch.clear();
    assert_eq!(sketch.heap_bytes(), 0);
    assert_eq!(sketch.frequency(k), 0);
    assert_eq!(sketch.additions(), 0);
}

#[test]
fn add_one_is_add_counted_of_one() {
    // Two sketches fed the same seeded mix of increments and single deferred additions,
    // one through add_one, the other through add_counted(_, 1): the same table word for
    // word, through saturation (a hot key) and resets.
    let mut a = FrequencySketch::new(16);
    let mut b = FrequencySketch::new(16);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..50_000u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = if x.is_multiple_of(3) { 1 } else { x % 200 };
        let h = FrequencySketch::hash(&k);
        if (x >> 40).is_multiple_of(4) {
            a.increment(h);
            b.increment(h);
        } else {
            a.add_one(h);
            b.add_counted(h, 1);
        }
        assert_eq!(a, b);
    }
    assert!(a.resets() > 0);
    assert_eq!(a.frequency(FrequencySketch::hash(&1u64)), 15);
}
