//! Replay in bytes against libCacheSim (issue 12): the shared cloudPhysics trace
//! (`libcachesim/cloudPhysicsIO.oracleGeneral.bin.zst`, object sizes 512 B to 64 KiB)
//! replayed with its object sizes at 1%, 5%, 10% and 20% of its distinct bytes.
//!
//! The table is libCacheSim's: `sim/tools/lcs_bytes.py` (libcachesim 0.3.5's
//! `process_trace`, its C replay loop) printed it. LRU, FIFO, CLOCK, SIEVE and ARC must
//! give exactly its hits and bytes hit. S3-FIFO does not (up to 2.3 points apart, as the
//! sim README explains: evict's S3-FIFO keeps its ghost by count, libCacheSim's by
//! bytes): its libCacheSim counts are pinned beside evict's own, so that a change of
//! either shows here.
//!
//! Without the shared traces the test prints a notice and passes, unless on CI
//! (`evict_harness::traces`).

use evict_sim::parser::ReadOptions;
use evict_sim::pipeline::replay_stream;
use evict_sim::replay::RunOptions;
use evict_sim::size::SizeSpec;

const TRACE: &str = "libcachesim/cloudPhysicsIO.oracleGeneral.bin.zst";

/// Requests, bytes requested, distinct keys, distinct bytes (libCacheSim's working-set
/// size: each object's size at its first request).
const TOTALS: (u64, u64, usize, u64) = (113_872, 4_368_040_448, 48_974, 2_029_769_728);

/// (policy, percent of the distinct bytes, cache bytes, libCacheSim's hits, its bytes hit).
const LIBCACHESIM: [(&str, u64, u64, u64, u64); 24] = [
    ("lru", 1, 20297697, 18916, 87240704),
    ("lru", 5, 101488486, 20172, 135459328),
    ("lru", 10, 202976972, 21672, 210467840),
    ("lru", 20, 405953945, 30372, 593256448),
    ("fifo", 1, 20297697, 18579, 85710848),
    ("fifo", 5, 101488486, 20131, 136798208),
    ("fifo", 10, 202976972, 21918, 214543360),
    ("fifo", 20, 405953945, 29503, 539993088),
    ("clock", 1, 20297697, 19044, 88087040),
    ("clock", 5, 101488486, 20220, 135539200),
    ("clock", 10, 202976972, 21790, 209597440),
    ("clock", 20, 405953945, 30660, 611379712),
    ("sieve", 1, 20297697, 20148, 97647616),
    ("sieve", 5, 101488486, 21544, 171232768),
    ("sieve", 10, 202976972, 23879, 307390976),
    ("sieve", 20, 405953945, 35559, 837932544),
    ("s3fifo", 1, 20297697, 20093, 103289344),
    ("s3fifo", 5, 101488486, 22494, 229773312),
    ("s3fifo", 10, 202976972, 27987, 537341952),
    ("s3fifo", 20, 405953945, 38846, 1126543872),
    ("arc", 1, 20297697, 20247, 100765696),
    ("arc", 5, 101488486, 22524, 235584512),
    ("arc", 10, 202976972, 26331, 425552896),
    ("arc", 20, 405953945, 35803, 844913152),
];

/// evict's S3-FIFO at the same sizes (hits, bytes hit): not libCacheSim's (see above).
const EVICT_S3FIFO: [(u64, u64); 4] = [
    (20214, 109952000),
    (23459, 285831680),
    (29279, 616994304),
    (36887, 1024563712),
];

#[test]
fn byte_replay_equals_libcachesim() {
    let Some(dir) = evict_harness::traces::shared_traces() else {
        return;
    };
    let read = ReadOptions {
        object_sizes: true,
        ..ReadOptions::default()
    };
    let policies: Vec<String> = ["lru", "fifo", "clock", "sieve", "s3fifo", "arc"]
        .map(String::from)
        .to_vec();
    let specs: Vec<SizeSpec> = [1, 5, 10, 20]
        .map(|p| SizeSpec::Percent {
            numerator: p,
            denominator: 1,
        })
        .to_vec();
    let run = replay_stream(
        &dir.join(TRACE),
        &read,
        &policies,
        &specs,
        RunOptions::default(),
        &|_| (),
        &mut |_| (),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (requests, bytes_requested, unique, unique_bytes) = TOTALS;
    assert_eq!(run.requests, requests);
    assert_eq!(run.unique, unique);
    assert_eq!(run.unique_bytes, Some(unique_bytes));
    assert_eq!(run.outcomes.len(), LIBCACHESIM.len());
    for (o, &(policy, percent, size, hits, bytes_hit)) in run.outcomes.iter().zip(&LIBCACHESIM) {
        let b = o.bytes.expect("a replay in bytes has byte counts");
        let cell = format!("{policy} at {percent}% ({size} bytes)");
        assert_eq!((o.policy.as_str(), o.size as u64), (policy, size), "{cell}");
        assert_eq!(b.bytes_requested, bytes_requested, "{cell}");
        assert_eq!(b.unique_bytes, unique_bytes, "{cell}");
        if policy == "s3fifo" {
            let i = [1, 5, 10, 20].iter().position(|&p| p == percent).unwrap();
            assert_eq!(
                (o.hits, b.bytes_hit),
                EVICT_S3FIFO[i],
                "{cell}: evict's own"
            );
            continue;
        }
        assert_eq!(
            (o.hits, b.bytes_hit),
            (hits, bytes_hit),
            "{cell}: hits and bytes hit vs libCacheSim's"
        );
    }
}

#[test]
fn the_bound_is_above_every_policy_in_bytes() {
    let Some(dir) = evict_harness::traces::shared_traces() else {
        return;
    };
    let read = ReadOptions {
        object_sizes: true,
        ..ReadOptions::default()
    };
    let policies = evict_sim::replay::default_policies();
    let specs = evict_sim::size::default_sizes();
    let run = replay_stream(
        &dir.join(TRACE),
        &read,
        &policies,
        &specs,
        RunOptions::default(),
        &|_| (),
        &mut |_| (),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The default list in bytes: every weighted policy, then the bound.
    let names: Vec<&str> = run
        .outcomes
        .iter()
        .step_by(specs.len())
        .map(|o| o.policy.as_str())
        .collect();
    assert_eq!(names, evict_sim::replay::default_sized_policies());
    for i in 0..specs.len() {
        let at: Vec<_> = run.outcomes.iter().skip(i).step_by(specs.len()).collect();
        let bound = at.last().unwrap();
        assert_eq!(bound.policy, "pfoo-l");
        let bb = bound.bytes.unwrap().bytes_hit;
        for o in &at[..at.len() - 1] {
            assert!(
                o.hits <= bound.hits,
                "{} {}: {o:?} > {bound:?}",
                o.policy,
                i
            );
            assert!(
                o.bytes.unwrap().bytes_hit <= bb,
                "{} {}: bytes",
                o.policy,
                i
            );
        }
    }
}
