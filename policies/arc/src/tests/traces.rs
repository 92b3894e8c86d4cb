//! libCacheSim's exact hit counts on LIRS traces.

use std::vec::Vec;

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

/// The keys of a LIRS trace: gzip text, one key per line, empty and `*` lines skipped.
fn read_lirs(path: &std::path::Path) -> Vec<u64> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).unwrap();
    std::io::BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|line| line.unwrap())
        .filter(|line| !line.trim().is_empty() && line.trim() != "*")
        .map(|line| line.trim().parse().unwrap())
        .collect()
}

#[test]
fn hit_counts_equal_libcachesim_on_lirs_traces() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/traces/lirs");
    if !dir.is_dir() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        assert!(
            !ci,
            "CI is set but the traces are missing: {}",
            dir.display()
        );
        std::println!("skipped: no traces at {}", dir.display());
        return;
    }
    for (name, points) in LIBCACHESIM_ARC {
        let keys = read_lirs(&dir.join(name));
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
