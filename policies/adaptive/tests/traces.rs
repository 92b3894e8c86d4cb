//! Hit counts pinned on two shared LIRS traces, at 1%, 5%, 10% and 20% of their distinct
//! keys, "get; on a miss, put", every request counted, keys hashed with the simulator's
//! fixed-seed foldhash (`evict_sim::registry::HASH_SEED`), so that `evict-sim -p adaptive`
//! and `tools/cells.rs` give these counts too. `sprite` is a recency trace on which the
//! cache must find LRU (LRU beats S3-FIFO there from 10% up); `multi2` a frequency trace on
//! which it finds W-TinyLFU (except at 10%, where its miniature, with half the running
//! W-TinyLFU's sketch below 768 entries, does not lead S3-FIFO by the margin). The final policy and the number of switches are pinned as
//! well. Any change to the rule moves these numbers: update them with the 60-cell table of
//! the README (`tools/cells.rs`).
//!
//! Without the traces folder the test prints a notice and passes, unless on CI
//! (`evict_harness::traces`).

use std::collections::HashSet;

use evict_adaptive::{AdaptiveCache, Cache, Policy};

/// Capacity, hits, switches, final policy.
type Cell = (usize, u64, u64, Policy);

const CELLS: [(&str, [Cell; 4]); 2] = [
    (
        "sprite.trace.gz",
        [
            (70, 32359, 23, Policy::Lru),
            (353, 89608, 6, Policy::Lru),
            (707, 115807, 3, Policy::Lru),
            (1415, 123530, 1, Policy::Lru),
        ],
    ),
    (
        "multi2.trace.gz",
        [
            (56, 5792, 2, Policy::WTinyLfu),
            (284, 10973, 1, Policy::WTinyLfu),
            (568, 13409, 0, Policy::S3Fifo),
            (1136, 15187, 1, Policy::WTinyLfu),
        ],
    ),
];

#[test]
fn hit_counts_on_shared_traces() {
    for (file, cells) in CELLS {
        let Some(keys) = evict_harness::traces::lirs(file) else {
            return;
        };
        let distinct = keys.iter().collect::<HashSet<_>>().len();
        for ((capacity, hits, switches, policy), pct) in cells.into_iter().zip([1, 5, 10, 20]) {
            assert_eq!(capacity, distinct * pct / 100, "{file} {pct}%");
            let hasher = foldhash::fast::FixedState::with_seed(0x5eed_cafe);
            let mut cache = AdaptiveCache::with_hasher(capacity, hasher);
            for &k in &keys {
                if cache.get(&k).is_none() {
                    let _ = cache.put(k, ());
                }
            }
            assert_eq!(
                (cache.info().hits, cache.switches(), cache.policy()),
                (hits, switches, policy),
                "{file} at {capacity} entries"
            );
        }
    }
}
