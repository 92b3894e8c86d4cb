//! The crate's tests: the conformance kit against the model, hand-worked cases from the
//! paper's rules, the toolkit's allocation checks, and `Shard`.

use alloc::vec::Vec;

use super::*;

mod model;

use model::Lirs;

/// A fixed-seed hasher: non-resident entries are found by key hash, so tests that compare
/// runs fix the seed.
type Fixed = foldhash::fast::FixedState;

fn fixed<K, V>(capacity: usize) -> LirsCache<K, V, Fixed> {
    LirsCache::with_hasher(capacity, Fixed::with_seed(7))
}

evict_harness::conformance!(
    conformance,
    fixed::<u8, u16>,
    model = Lirs::<u8, u16>::new,
    validate = |c: &LirsCache<u8, u16, Fixed>| c.check_invariants(),
    iteration = true,
    double_ended = true
);

/// Replays `keys` as "get; on a miss, put" on the cache and the model, comparing each
/// answer, the entries and the invariants after every request.
fn replay(capacity: usize, keys: &[u32]) -> u64 {
    let mut cache = fixed::<u32, u32>(capacity);
    let mut model = Lirs::new(capacity);
    for (step, &k) in keys.iter().enumerate() {
        let hit = cache.get(&k).is_some();
        assert_eq!(hit, model.get(&k).is_some(), "step {step}: get({k})");
        if !hit {
            assert_eq!(cache.put(k, k), model.put(k, k), "step {step}: put({k})");
        }
        cache.check_invariants();
        let got: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
        let want: Vec<_> = model.entries().map(|(k, _)| *k).collect();
        assert_eq!(got, want, "step {step}: entries");
    }
    cache.info().hits
}

#[test]
fn long_streams_agree_with_the_model() {
    let mut rng = evict_slots::SplitMix64::new(14);
    for capacity in [1, 2, 3, 10, 99, 200, 250] {
        // A hot set, a loop and a scan, mixed, over about 3 times the capacity.
        let span = 3 * capacity as u64 + 5;
        let keys: Vec<u32> = (0..4000u64)
            .map(|t| match rng.next_u64() % 4 {
                0 => (rng.next_u64() % (span / 4 + 1)) as u32,
                1 => (t % span) as u32,
                _ => (rng.next_u64() % span) as u32,
            })
            .collect();
        let hits = replay(capacity, &keys);
        assert!(hits > 0, "capacity {capacity}: no hit at all");
    }
}

/// The paper's example (Jiang and Zhang 2002, figure 2 and section 3.3): three LIR
/// blocks; a block with a small inter-reference recency takes LIR status from the least
/// recent LIR block.
#[test]
fn a_reused_hir_block_takes_lir_status() {
    let mut c = fixed::<u32, ()>(4); // hir 1, lir 3
    for k in [1, 2, 3, 4] {
        let _ = c.put(k, ());
    }
    assert_eq!(c.sizes(), [1, 3, 0]);
    // 4 is resident HIR and in S: a hit makes it LIR and demotes 1 (the bottom of S).
    assert!(c.get(&4).is_some());
    assert_eq!(c.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(c.sizes(), [1, 3, 0]);
    // 1 left S when demoted: a new key evicts it without a trace.
    assert_eq!(c.put(5, ()), Put::Evicted(1, ()));
    assert_eq!(c.sizes(), [1, 3, 0]);
    // 5 is in S: evicted, it stays as non-resident; its return makes it LIR.
    assert_eq!(c.put(6, ()), Put::Evicted(5, ()));
    assert_eq!(c.sizes(), [1, 3, 1]);
    assert_eq!(c.put(5, ()), Put::Evicted(6, ()));
    // 5 is LIR now, 2 (the least recent LIR block) became HIR; pruning forgot 6 and kept
    // S's bottom an LIR block.
    assert_eq!(c.keys().copied().collect::<Vec<_>>(), [2, 3, 4, 5]);
    c.check_invariants();
}

/// A scan of new keys passes through the one HIR slot and never disturbs the LIR set.
#[test]
fn a_scan_leaves_the_lir_set_alone() {
    let mut c = fixed::<u32, u32>(100); // hir 1, lir 99
    for k in 0..100 {
        let _ = c.put(k, k);
    }
    for k in 1000..3000 {
        assert!(c.get(&k).is_none());
        let _ = c.put(k, k);
    }
    for k in 0..99 {
        assert!(c.get(&k).is_some(), "{k} left");
    }
    // S stays within 2 * capacity although 2000 keys passed.
    assert!(c.stack_len() <= 200);
    c.check_invariants();
}

/// `remove` of a key S remembers forgets it: its return is a plain new key (HIR).
#[test]
fn remove_forgets_a_non_resident_entry() {
    let mut c = fixed::<u32, ()>(3);
    for k in 0..4 {
        let _ = c.put(k, ());
    }
    assert_eq!(c.sizes(), [1, 2, 1]); // 2 is non-resident
    assert_eq!(c.remove(&2), None);
    assert_eq!(c.sizes(), [1, 2, 0]);
    let _ = c.put(2, ());
    assert_eq!(c.keys().copied().collect::<Vec<_>>(), [2, 0, 1]);
}

#[test]
fn huge_capacity_is_clamped() {
    evict_slots::testing::huge_capacity_is_clamped(LirsCache::<u64, u64>::new, MAX_CAPACITY);
}

#[test]
fn churn_allocates_nothing() {
    evict_slots::testing::churn_allocates_nothing(
        fixed::<u64, u64>,
        &[10, 100, 1000],
        20_000,
        LirsCache::check_invariants,
    );
}

/// The non-resident entries never outgrow `2 · capacity`, nor their memory its bound.
#[test]
fn non_resident_entries_stay_bounded() {
    let mut rng = evict_slots::SplitMix64::new(3);
    for capacity in [10usize, 100, 1000] {
        let mut c = fixed::<u64, u64>(capacity);
        for _ in 0..50_000 {
            // Mostly new keys with some reuse: many keys become non-resident.
            let k = rng.next_u64() % (20 * capacity as u64);
            if c.get(&k).is_none() {
                let _ = c.put(k, k);
            }
            assert!(c.stack_len() <= 2 * capacity);
        }
        // A full cache keeps every LIR entry in S: the ghosts' memory stops at
        // `capacity + hir + 1` entries.
        let hir = (capacity / 100).max(1);
        assert!(c.ghosts.nodes.capacity() <= capacity + hir + 1);
        c.check_invariants();
    }
}

mod shard_tests {
    use super::*;

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<LirsCache<alloc::string::String, Vec<u8>>>();
    }

    /// A hit moves entries, so it needs `&mut`: `SHARED_HIT` is false.
    #[test]
    fn hit_is_not_shared() {
        const { assert!(!<LirsCache<u64, u64> as Shard<u64, u64>>::SHARED_HIT) };
    }
}

/// Heap bytes per entry of a full `u64 -> u64` cache of 100,000 entries after churn that
/// fills S with non-resident entries (a Zipf-free mix of reuse and new keys), counted from
/// the allocations' sizes: the slab's slots and index, the non-resident entries and their
/// index. Printed with `--nocapture`; the README's figures come from it.
#[test]
fn bytes_per_entry() {
    let capacity = 100_000usize;
    let mut c = fixed::<u64, u64>(capacity);
    let mut rng = evict_slots::SplitMix64::new(9);
    for k in 0..capacity as u64 {
        let _ = c.put(k, k);
    }
    for _ in 0..3 * capacity {
        let k = rng.next_u64() % (4 * capacity as u64);
        if c.get(&k).is_none() {
            let _ = c.put(k, k);
        }
    }
    let (slab, ghosts) = (c.slab.heap_bytes(), c.ghosts.heap_bytes());
    let per = |b: usize| b as f64 / capacity as f64;
    std::println!(
        "{capacity} entries, {} non-resident: slab {:.1} + non-resident {:.1} = {:.1} bytes per entry",
        c.ghosts.len(),
        per(slab),
        per(ghosts),
        per(slab + ghosts)
    );
    assert_eq!(core::mem::size_of::<(u64, Node<u64>)>(), 32);
    assert!(per(slab + ghosts) < 100.0);
}

// The kit's hostile mode (issue 15): panicking `Hash`, `Eq`, `Clone`, `Drop` and loaders
// leave the cache consistent, working, and losing no value undropped.
evict_harness::hostile!(
    hostile,
    LirsCache::new,
    validate = |c: &LirsCache<_, _>| c.check_invariants()
);

// Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
// replacement), the eviction reports rebuilt into the resident set after every op.
evict_harness::weighted!(
    weighted,
    LirsCache::with_weigher,
    validate = |c: &LirsCache<u8, u16, crate::DefaultHashBuilder, evict_slots::Weighted<_>>| c
        .check_invariants(),
);
