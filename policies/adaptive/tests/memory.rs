//! Memory: heap bytes per entry of `AdaptiveCache<u64, u64>` against `S3FifoCache<u64, u64>`
//! (issue 14's bound: at most 1.5 times S3-FIFO's, ghosts and miniatures included), the peak
//! during a switch, and no allocation per operation between switches once full. Run with
//! `--nocapture` to see the figures:
//! `cargo test -p evict-adaptive --release --test memory -- --nocapture --test-threads 1`.
//!
//! `allocation-counter` is this binary's global allocator; it counts per thread, so each
//! test measures only its own allocations.

use allocation_counter::measure;
use evict_adaptive::{AdaptiveCache, Cache, Policy};
use evict_s3fifo::S3FifoCache;

/// The `i`-th key: distinct for distinct `i`, scattered.
fn key(i: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Heap bytes per entry of a cache of `capacity` built by `make` and fed `3 × capacity`
/// distinct keys by "get; on a miss, put" (it evicts, its ghosts and miniatures fill).
fn bytes_per_entry<C: Cache<u64, u64>>(capacity: usize, make: impl FnOnce() -> C) -> f64 {
    let mut kept = None;
    let info = measure(|| {
        let mut c = make();
        for i in 0..3 * capacity as u64 {
            if c.get(&key(i)).is_none() {
                let _ = c.put(key(i), i);
            }
        }
        kept = Some(c);
    });
    info.bytes_current as f64 / capacity as f64
}

#[test]
fn bytes_per_entry_against_s3fifo() {
    println!("capacity  s3fifo B/entry  adaptive B/entry  ratio");
    for capacity in [
        1, 2, 16, 33, 64, 65, 100, 129, 200, 257, 300, 330, 500, 513, 700, 767, 768, 896, 904,
        1_000, 1_024, 1_500, 2_000, 4_000, 10_000, 100_000, 1_000_000,
    ] {
        let s = bytes_per_entry(capacity, || S3FifoCache::new(capacity));
        let a = bytes_per_entry(capacity, || AdaptiveCache::new(capacity));
        println!("{capacity:>8} {s:>15.1} {a:>17.1} {:>6.2}", a / s);
        // From 768 entries the miniatures are sampled at 1/2 or less, and their W-TinyLFU
        // sketch is scaled to the sampling rate; below, they hold every key, only the two
        // policies not running have one, their tags are 16 bits and their W-TinyLFU's
        // sketch is half the running one's (README, "Memory").
        assert!(a <= 1.5 * s, "{capacity}: {a:.1} > 1.5 × {s:.1}");
    }
}

/// The bound whichever policy runs: a loop over 1.2 × the capacity moves the cache to
/// W-TinyLFU (whose sketch, the largest part of a small cache, has no 1,024-word floor
/// here), reads of a sliding window of keys move it to LRU; then its heap bytes per entry
/// against S3-FIFO's (fed `3 × capacity` distinct keys, as above).
#[test]
fn bytes_per_entry_running_each_policy() {
    println!("capacity  s3fifo B/entry  ratio running W-TinyLFU  ratio running LRU");
    for capacity in [16usize, 64, 100, 200, 330, 513, 700, 768, 10_000] {
        let s = bytes_per_entry(capacity, || S3FifoCache::new(capacity));
        let mut ratios = [0.0; 2];
        for (i, want) in [Policy::WTinyLfu, Policy::Lru].into_iter().enumerate() {
            let mut kept = None;
            let info = measure(|| {
                let mut c = AdaptiveCache::new(capacity);
                let n = capacity as u64;
                for t in 0..200 * n.max(100) {
                    let k = match want {
                        Policy::WTinyLfu => key(t % (n * 6 / 5 + 2)),
                        _ => key(t / 8 + (t * 0x9E37_79B9) % (n * 9 / 10 + 1)),
                    };
                    if c.get(&k).is_none() {
                        let _ = c.put(k, t);
                    }
                    // Well past the switch: the miniatures made then are full.
                    if c.policy() == want && t > 20 * n {
                        break;
                    }
                }
                kept = Some(c);
            });
            let c = kept.expect("kept");
            assert_eq!(c.policy(), want, "{capacity}: the workload did not switch");
            assert_eq!(c.len(), capacity, "{capacity}: not full");
            let a = info.bytes_current as f64 / capacity as f64;
            assert!(a <= 1.5 * s, "{capacity} {want:?}: {a:.1} > 1.5 × {s:.1}");
            ratios[i] = a / s;
        }
        println!(
            "{capacity:>8} {s:>15.1} {:>23.2} {:>17.2}",
            ratios[0], ratios[1]
        );
    }
}

/// A loop over 1.2 × the capacity: W-TinyLFU keeps part of it, S3-FIFO less, so the cache
/// switches; the peak heap of the whole run (the switch included) against the steady state.
#[test]
fn peak_during_a_switch() {
    let capacity = 100_000u64;
    let mut kept = None;
    let info = measure(|| {
        let mut c = AdaptiveCache::new(capacity as usize);
        let n = capacity * 6 / 5;
        for t in 0..5 * n {
            let k = key(t % n);
            if c.get(&k).is_none() {
                let _ = c.put(k, t);
            }
        }
        kept = Some(c);
    });
    let cache = kept.expect("kept");
    assert!(cache.switches() >= 1, "the loop did not switch");
    let (steady, peak) = (
        info.bytes_current as f64 / capacity as f64,
        info.bytes_max as f64 / capacity as f64,
    );
    println!(
        "{} switch(es): steady {steady:.1} B/entry, peak {peak:.1} B/entry",
        cache.switches()
    );
    // One policy's cache, an eighth of the other's while the entries move, their indexes
    // and the miniatures: well under twice the steady state.
    assert!(
        peak < 1.8 * steady,
        "peak {peak:.1} against steady {steady:.1}"
    );
}

/// Once full, and as long as no switch happens, no operation allocates: a stream of new
/// keys (a scan: no policy hits, so none leads) through a full cache.
#[test]
fn no_allocation_per_operation_between_switches() {
    for capacity in [100u64, 5_000, 100_000] {
        let mut c = AdaptiveCache::new(capacity as usize);
        for i in 0..3 * capacity {
            if c.get(&key(i)).is_none() {
                let _ = c.put(key(i), i);
            }
        }
        let switches = c.switches();
        let info = measure(|| {
            for i in 3 * capacity..6 * capacity {
                if c.get(&key(i)).is_none() {
                    let _ = c.put(key(i), i);
                }
            }
        });
        assert_eq!(c.switches(), switches, "{capacity}: a switch happened");
        assert_eq!(info.count_total, 0, "{capacity}: allocations while full");
    }
}
