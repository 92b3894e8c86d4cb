//! The policy's cases, memory and layout.

use std::vec::Vec;

use evict_harness::model;

use super::{demand, fixed};
use crate::lists::Node;
use crate::{ArcCache, Cache, CacheInfo, MAX_CAPACITY, Put};

#[test]
fn b1_ghost_hits_grow_p_and_b2_ghost_hits_shrink_it() {
    let mut c = fixed(8);
    // Four frequent keys in T2, then a stream of new keys through T1: each pushes T1's
    // LRU into B1 while p = 0.
    demand(&mut c, [1, 2, 3, 4, 1, 2, 3, 4]);
    demand(&mut c, 10..20);
    let [t1, t2, b1, _] = c.sizes();
    assert_eq!((t1, t2), (4, 4));
    assert!(b1 > 0);
    assert_eq!(c.target(), 0.0);
    // Re-requesting B1 ghosts (most recent first, so they are still there): p climbs.
    let mut last = c.target();
    for k in (14..16).rev() {
        assert!(c.get(&k).is_none());
        assert!(matches!(c.put(k, k), Put::Evicted(..)));
        assert!(c.target() > last, "p did not grow on a B1 hit");
        last = c.target();
        c.check_invariants();
    }
    // With p > |T1|, REPLACE takes from T2: its keys become B2 ghosts.
    demand(&mut c, 30..34);
    let b2 = c.sizes()[3];
    assert!(b2 > 0, "no B2 ghosts: {:?}", c.sizes());
    let ghost_keys: Vec<u32> = [1, 2, 3, 4, 14, 15]
        .into_iter()
        .filter(|k| c.peek(k).is_none())
        .collect();
    let before = c.target();
    let mut shrank = false;
    for k in ghost_keys {
        let was = c.target();
        let _ = c.put(k, k);
        if c.target() < was {
            shrank = true;
        }
        assert!(c.target() <= was, "p grew on a B2 hit");
    }
    assert!(shrank && c.target() < before, "p never shrank on B2 hits");
    c.check_invariants();
}

#[test]
fn scan_does_not_flush_frequent_entries() {
    // Eight hot keys, seen twice, then a scan of 1,000 one-time keys, then the hot keys
    // again: LRU lost them all, ARC kept them in T2.
    let hot = 0..8u32;
    let trace = || {
        hot.clone()
            .chain(hot.clone())
            .chain(100..1100)
            .chain(hot.clone())
    };
    let arc_hits = demand(&mut fixed(10), trace());
    let lru_hits = demand(&mut model::Lru::new(10), trace());
    assert_eq!(
        lru_hits, 8,
        "LRU keeps the hot keys only for their second pass"
    );
    assert_eq!(
        arc_hits, 16,
        "ARC should keep all 8 hot keys through the scan"
    );
}

#[test]
fn t1_full_evicts_its_lru_without_a_ghost() {
    let mut c = fixed(3);
    for k in 0..3u32 {
        assert_eq!(c.put(k, k), Put::Inserted);
    }
    assert_eq!(c.put(3, 3), Put::Evicted(0, 0));
    assert_eq!(c.sizes(), [3, 0, 0, 0]);
    // 0 left no ghost: it comes back as a plain new key, to T1.
    assert_eq!(c.put(0, 0), Put::Evicted(1, 1));
    assert_eq!(c.sizes(), [3, 0, 0, 0]);
    c.check_invariants();
}

#[test]
fn remove_leaves_no_ghost_and_put_uses_the_room() {
    let mut c = fixed(2);
    let _ = c.put(1, 1);
    let _ = c.get(&1);
    let _ = c.put(2, 2);
    assert_eq!(c.put(3, 3), Put::Evicted(2, 2)); // 2 to B1
    assert_eq!(c.remove(&3), Some(3));
    assert_eq!(c.sizes(), [0, 1, 1, 0]);
    // A B1 ghost hit with room to spare: p adapts, nothing is evicted.
    assert_eq!(c.put(2, 2), Put::Inserted);
    assert_eq!(c.target(), 1.0);
    assert_eq!(c.sizes(), [0, 2, 0, 0]);
    assert_eq!(c.remove(&9), None);
    c.check_invariants();
}

#[test]
fn put_of_a_cached_key_is_an_access() {
    let mut c = fixed(2);
    let _ = (c.put(1, 1), c.put(2, 2));
    assert_eq!(c.put(1, 10), Put::Replaced(1));
    assert_eq!(c.sizes(), [1, 1, 0, 0]); // 1 moved to T2
    assert_eq!(c.put(3, 3), Put::Evicted(2, 2));
    assert_eq!(c.get(&1), Some(&10));
}

#[test]
fn clear_resets_everything() {
    let mut c = fixed(4);
    demand(&mut c, [1, 1, 2, 2, 3, 4, 5, 6, 7, 3]);
    assert!(c.sizes()[2] + c.sizes()[3] > 0);
    c.clear();
    assert_eq!(c.sizes(), [0; 4]);
    assert_eq!(c.target(), 0.0);
    assert_eq!(
        c.info(),
        CacheInfo {
            hits: 0,
            misses: 0,
            maxsize: Some(4),
            currsize: 0
        }
    );
    let (log, table) = c.ghosts.allocated();
    assert_eq!(c.slab.slot_capacity() + log + table, 0);
    c.check_invariants();
}

#[test]
fn full_cache_stops_allocating() {
    // The put that fills the cache takes the ghosts' memory up to its bounds at once;
    // nothing grows after that.
    let mut c = fixed::<u32, u32>(100);
    demand(&mut c, 0..100u32);
    let sizes = |c: &ArcCache<u32, u32, _>| {
        let (log, table) = c.ghosts.allocated();
        (c.slab.slot_capacity(), log, table)
    };
    let full = sizes(&c);
    let (max_log, max_table) = c.ghosts.bounds();
    assert_eq!(full, (100, max_log, max_table));
    demand(&mut c, (0..5000u32).map(|i| (i * 7919) % 300));
    assert_eq!(sizes(&c), full);
    demand(&mut c, (0..5000u32).map(|i| (i * 104_729) % 400));
    assert_eq!(sizes(&c), full);
    c.check_invariants();
}

#[test]
fn huge_capacity_is_clamped_not_allocated() {
    evict_slots::testing::huge_capacity_is_clamped(ArcCache::<u64, u64>::new, MAX_CAPACITY);
}

#[test]
fn node_is_24_bytes_for_u64_pairs() {
    // A slot: the key, and the value with 8 bytes of links.
    assert_eq!(core::mem::size_of::<(u64, Node<u64>)>(), 24);
}

#[test]
fn pending_moves_keep_the_exact_order() {
    let mut c = fixed(4);
    for k in 1..=4u32 {
        let _ = c.put(k, k);
        let _ = c.get(&k); // T1 -> T2, at once
    }
    // Hits within T2 wait in `pending`; the order seen is the order made.
    for k in [1, 3, 1, 2, 2] {
        let _ = c.get(&k);
    }
    assert!(!c.pending().is_empty());
    let s = std::format!("{c:?}");
    assert!(
        s.contains("t2_most_recent_first: {2: 2, 1: 1, 3: 3, 4: 4}"),
        "{s}"
    );
    // A new key evicts T2's true LRU (4), after the pending moves.
    assert_eq!(c.put(9, 9), Put::Evicted(4, 4));
    assert_eq!(c.pending().len(), 0);
    c.check_invariants();
}

#[test]
fn debug_lists_both_queues() {
    let mut c = fixed(2);
    let _ = (c.put(1, 'a'), c.put(2, 'b'));
    let _ = c.get(&2);
    let s = std::format!("{c:?}");
    assert!(s.contains("t1_most_recent_first: {1: 'a'}"), "{s}");
    assert!(s.contains("t2_most_recent_first: {2: 'b'}"), "{s}");
}
