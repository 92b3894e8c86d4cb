//! libCacheSim's exact hit counts on LIRS traces.

use crate::{ArcCache, Cache};

/// Hit counts of libCacheSim's ARC (its Python bindings, `libcachesim` 0.3.5) on LIRS
/// traces driven as "get; on a miss, put", at 1%, 5%, 10% and 20% of each trace's
/// unique keys: (file, [(capacity, hits)]).
const LIBCACHESIM_ARC: [(&str, [(usize, u64); 4]); 5] = [
    (
        "cpp.trace.gz",
        [(12, 926), (61, 4501), (122, 7271), (244, 7719)],
    ),
    (
        "multi1.trace.gz",
        [(26, 973), (130, 7043), (260, 7655), (521, 7838)],
    ),
    (
        "ps.trace.gz",
        [(30, 963), (154, 1755), (308, 1755), (616, 5495)],
    ),
    (
        "2_pools.trace.gz",
        [(99, 46474), (496, 51860), (993, 54300), (1987, 59198)],
    ),
    (
        "sprite.trace.gz",
        [(70, 25503), (353, 87619), (707, 114567), (1415, 122555)],
    ),
];

#[test]
fn hit_counts_equal_libcachesim_on_lirs_traces() {
    for (name, points) in LIBCACHESIM_ARC {
        // Skipped with a notice without the shared traces, except on CI.
        let Some(keys) = evict_harness::traces::lirs(name) else {
            return;
        };
        for (capacity, hits) in points {
            let mut cache = ArcCache::new(capacity);
            for &k in &keys {
                if cache.get(&k).is_none() {
                    let _ = cache.put(k, k);
                }
            }
            assert_eq!(cache.info().hits, hits, "{name} at capacity {capacity}");
            cache.check_invariants();
        }
    }
}
