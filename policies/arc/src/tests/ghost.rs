//! The ghost directory: exact fingerprints for the tests' keys, and the ring and table
//! against plain lists.

use core::hash::BuildHasher;
use std::vec::Vec;

use evict_harness::model::arc::AdaptiveReplacement;

use super::{Fixed, fixed};
use crate::ghost::{B1, B2, Ghosts, lo31};
use crate::{Cache, MAX_CAPACITY};

/// Ghosts match on 31 low bits of the hash plus a tag: with the test hasher, the low 31
/// bits alone already tell every `u8` key and every `u32` key below 5,000 apart, so the
/// ghosts of the tests are exact and the policy must agree with the model, which
/// matches keys.
#[test]
fn test_keys_have_distinct_fingerprints() {
    let mut lows: Vec<u32> = (0..=u8::MAX)
        .map(|k| lo31(Fixed::default().hash_one(k)))
        .collect();
    lows.sort_unstable();
    lows.dedup();
    assert_eq!(lows.len(), 256);
    let mut lows: Vec<u32> = (0..5000u32)
        .map(|k| lo31(Fixed::default().hash_one(k)))
        .collect();
    lows.sort_unstable();
    lows.dedup();
    assert_eq!(lows.len(), 5000);
}

/// Ghost hits, drops and log compactions at a size the kit does not reach, against the
/// model op by op.
#[test]
fn ghost_directory_agrees_with_model_under_churn() {
    for capacity in [1, 2, 7, 200] {
        let mut c = fixed::<u32, u32>(capacity);
        let mut m = AdaptiveReplacement::new(capacity);
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for step in 0..30_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Skewed: small keys far more often than large ones.
            let k = ((x % 4000) * ((x >> 32) % 4000) / 4000) as u32;
            if x.is_multiple_of(3) {
                assert_eq!(c.get(&k), m.get(&k), "get {k} at step {step}");
            } else {
                assert_eq!(c.put(k, step), m.put(k, step), "put {k} at step {step}");
            }
            assert_eq!(c.sizes(), m.sizes(), "sizes at step {step}");
            if capacity < 10 || step.is_multiple_of(50) {
                c.check_invariants();
            }
        }
        c.check_invariants();
        let ((log, table), (max_log, max_table)) = (c.ghosts.allocated(), c.ghosts.bounds());
        assert!(log <= max_log && table <= max_table);
    }
}

/// The ghost directory alone against two `VecDeque`s of hashes, also at capacities
/// whose ring positions leave few or no index bits for the tag.
#[test]
fn ghost_directory_against_deques() {
    use std::collections::VecDeque;
    for cap in [MAX_CAPACITY, 1 << 29, 1 << 20, 300, 5] {
        let mut g = Ghosts::new(cap);
        let mut lists: [VecDeque<u64>; 2] = [VecDeque::new(), VecDeque::new()];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for step in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let h = Fixed::default().hash_one(x % 1500);
            let list = (x >> 40) as usize & 1;
            if (x >> 20).is_multiple_of(5) {
                g.pop_lru(list);
                lists[list].pop_back();
            } else if let Some(hit) = g.find(h) {
                let l = g.list_of(hit);
                let at = lists[l].iter().position(|&k| k == h).expect("a ghost");
                lists[l].remove(at);
                g.remove(hit);
            } else {
                assert!(!lists.iter().any(|l| l.contains(&h)), "lost {h:x}");
                if g.live() == cap.min(400) {
                    g.pop_lru(B1);
                    g.pop_lru(B2);
                    lists[B1].pop_back();
                    lists[B2].pop_back();
                }
                g.push(h, list);
                lists[list].push_front(h);
            }
            assert_eq!([g.len(B1), g.len(B2)], [lists[0].len(), lists[1].len()]);
            if step.is_multiple_of(97) {
                g.check();
            }
        }
        g.check();
    }
}

/// `resized` keeps every ghost, in order, whatever the layout change: growing (wider ring
/// indices, shorter tags), shrinking (the wider layout kept) and back.
#[test]
fn resized_ghosts_keep_their_order_and_fingerprints() {
    use std::collections::VecDeque;
    let mut g = Ghosts::new(600);
    let mut lists: [VecDeque<u64>; 2] = [VecDeque::new(), VecDeque::new()];
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let caps = [600, 5000, 1 << 24, 450, 1 << 30, 400, 700];
    for (round, &cap) in caps.iter().enumerate() {
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let h = Fixed::default().hash_one(x % 2000);
            let list = (x >> 40) as usize & 1;
            if let Some(hit) = g.find(h) {
                let l = g.list_of(hit);
                let at = lists[l].iter().position(|&k| k == h).expect("a ghost");
                lists[l].remove(at);
                g.remove(hit);
            } else {
                if g.live() == 400 {
                    let drop = usize::from(lists[B1].is_empty());
                    g.pop_lru(drop);
                    lists[drop].pop_back();
                }
                g.push(h, list);
                lists[list].push_front(h);
            }
        }
        let before = g.tag_bits();
        g = g.resized(cap);
        assert!(g.tag_bits() <= before, "round {round}: tags widened");
        g.check();
        assert_eq!([g.len(B1), g.len(B2)], [lists[0].len(), lists[1].len()]);
        // Same ghosts, found by their hashes, on the same lists, and dropped in the same
        // order.
        for (l, list) in lists.iter().enumerate() {
            for &h in list {
                let hit = g.find(h).expect("a ghost lost by resized");
                assert_eq!(g.list_of(hit), l);
            }
        }
        let mut copy = g.clone();
        let mut deques = lists.clone();
        for l in [B1, B2] {
            while let Some(h) = deques[l].pop_back() {
                assert!(copy.find(h).is_some(), "LRU order changed");
                copy.pop_lru(l);
                assert!(copy.find(h).is_none(), "pop_lru dropped another ghost");
            }
        }
        assert_eq!(copy.live(), 0);
    }
}

/// A cache's `resize` trims its ghost lists to the new bounds and keeps agreeing with the
/// model, at sizes the kit does not reach.
#[test]
fn resize_agrees_with_model_under_churn() {
    let mut c = fixed::<u32, u32>(300);
    let mut m = AdaptiveReplacement::new(300);
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for (round, cap) in [300usize, 120, 1000, 7, 0, 64, 2000, 250]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            c.resize(cap),
            m.resize(cap),
            "resize({cap}) in round {round}"
        );
        assert_eq!(c.sizes(), m.sizes(), "sizes after resize({cap})");
        assert_eq!(c.target(), m.target(), "p after resize({cap})");
        c.check_invariants();
        for step in 0..8000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = ((x % 3000) * ((x >> 32) % 3000) / 3000) as u32;
            match x % 7 {
                0..=2 => assert_eq!(c.get(&k), m.get(&k), "get {k} at {round}/{step}"),
                3 => assert_eq!(c.pop(), m.pop(), "pop at {round}/{step}"),
                _ => assert_eq!(c.put(k, step), m.put(k, step), "put {k} at {round}/{step}"),
            }
            assert_eq!(c.sizes(), m.sizes(), "sizes at {round}/{step}");
            if step.is_multiple_of(500) {
                c.check_invariants();
            }
        }
        let listed: Vec<(u32, u32)> = c.iter().map(|(k, v)| (*k, *v)).collect();
        let want: Vec<(u32, u32)> = m.entries().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(listed, want, "entries after round {round}");
    }
}
