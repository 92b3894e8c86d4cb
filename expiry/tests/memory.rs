//! Memory: a million entries expire while no key is read, and the heap comes back; bytes per
//! entry with expiry at a million entries. Run with `--nocapture` to see the figures:
//! `cargo test -p evict-expiry --release --test memory -- --nocapture --test-threads 1`.
//!
//! `allocation-counter` is this binary's global allocator; it counts per thread, so each
//! test measures only its own allocations.

use std::time::Duration;

use allocation_counter::measure;
use evict_core::Cache;
use evict_expiry::{DEFAULT_RECLAIM_PER_OP, Entry, ExpiringCache, ManualClock};

const N: u64 = 1_000_000;
const TTL: Duration = Duration::from_secs(60);

/// A value that owns heap memory, so that a value kept after its expiry shows.
fn value(k: u64) -> Vec<u8> {
    vec![k as u8; 64]
}

struct Run {
    /// Heap bytes the fill added.
    filled: i64,
    /// Heap bytes held after the drain, relative to the empty cache.
    after: i64,
    /// Operations the drain took.
    ops: u64,
}

/// Fills a fresh expiring cache with `N` entries, lets them all expire, then drains it with
/// `drain` (which returns how many operations it ran).
fn expire_all<C: Cache<u64, Entry<Vec<u8>>>>(
    inner: impl FnOnce() -> C,
    drain: impl FnOnce(&mut ExpiringCache<u64, Vec<u8>, C, ManualClock>) -> u64,
) -> Run {
    let clock = ManualClock::new();
    let mut cache = Some(
        ExpiringCache::builder()
            .time_to_live(TTL)
            .clock(clock.clone())
            .build(inner()),
    );
    let c = cache.as_mut().unwrap();
    let fill = measure(|| {
        for k in 0..N {
            let _ = c.put(k, value(k));
        }
    });
    assert_eq!(c.len(), N as usize);
    clock.advance(TTL + Duration::from_secs(2));
    let mut ops = 0;
    let drained = measure(|| ops = drain(c));
    assert_eq!(c.len(), 0, "every entry reclaimed");
    c.check_invariants();
    Run {
        filled: fill.bytes_current,
        after: fill.bytes_current + drained.bytes_current,
        ops,
    }
}

/// The same cache, filled the same way, emptied by `remove` of every key: the memory the
/// policy keeps for its table once empty (hash tables and slabs keep their capacity).
fn removed_all<C: Cache<u64, Entry<Vec<u8>>>>(inner: impl FnOnce() -> C) -> i64 {
    let clock = ManualClock::new();
    let mut cache = ExpiringCache::builder()
        .time_to_live(TTL)
        .clock(clock)
        .build(inner());
    let fill = measure(|| {
        for k in 0..N {
            let _ = cache.put(k, value(k));
        }
    });
    let removed = measure(|| {
        for k in 0..N {
            assert!(cache.remove(&k).is_some());
        }
    });
    fill.bytes_current + removed.bytes_current
}

/// Only misses on a key never cached: no read of any expired key.
fn drain_by_misses<C: Cache<u64, Entry<Vec<u8>>>>(
    cache: &mut ExpiringCache<u64, Vec<u8>, C, ManualClock>,
) -> u64 {
    let mut ops = 0;
    while !cache.is_empty() {
        assert!(cache.get(&u64::MAX).is_none());
        ops += 1;
    }
    ops
}

fn check<C: Cache<u64, Entry<Vec<u8>>>>(name: &str, inner: impl Fn() -> C) {
    let by_ops = expire_all(&inner, drain_by_misses);
    let by_purge = expire_all(&inner, |c| {
        assert_eq!(c.purge_expired(), N as usize);
        1
    });
    let baseline = removed_all(&inner);
    println!(
        "{name}: fill +{} B; after expiry by {} misses: {} B held, after one purge_expired: {} B \
         (relative to the empty cache); the same cache after removing every key by hand: {baseline} B",
        by_ops.filled, by_ops.ops, by_ops.after, by_purge.after
    );
    // A bounded number of operations: the reclaim budget per operation, plus the bucket
    // the entries expire in (they were all written at one instant).
    assert!(
        by_ops.ops <= N / DEFAULT_RECLAIM_PER_OP as u64 + 2,
        "{name}: {} operations to reclaim {N} expired entries",
        by_ops.ops
    );
    // Every value, key clone and timer is freed, and, once the cache is empty, the policy's
    // table too: the heap is back at the empty cache's (a few bytes of slack allowed).
    for (how, run) in [("operations", &by_ops), ("purge", &by_purge)] {
        assert!(
            run.after.abs() <= 4096,
            "{name}: {} B held after expiry by {how} (an empty cache holds 0 more)",
            run.after
        );
    }
    assert!(
        baseline >= 0,
        "{name}: removing by hand keeps the policy's table"
    );
}

#[test]
fn a_million_expired_entries_are_released_without_reads_unbounded() {
    check("unbounded", evict_unbounded::UnboundedCache::new);
}

#[test]
fn a_million_expired_entries_are_released_without_reads_lru() {
    check("LRU", || evict_lru::LruCache::new(N as usize));
}

#[test]
fn a_million_expired_entries_are_released_without_reads_s3fifo() {
    check("S3-FIFO", || evict_s3fifo::S3FifoCache::new(N as usize));
}

/// Bytes per entry of `u64 -> u64` at a million entries, with and without a time to live.
#[test]
fn bytes_per_entry_at_a_million() {
    /// Heap bytes per entry of a cache built and filled inside the measurement (and dropped
    /// after it).
    fn per_entry<C>(make: impl FnOnce() -> C, put: impl Fn(&mut C, u64)) -> f64 {
        let mut held = None;
        let info = measure(|| {
            let c = held.insert(make());
            for k in 0..N {
                put(c, k);
            }
        });
        drop(held);
        info.bytes_current as f64 / N as f64
    }
    fn plain<C: Cache<u64, u64>>(make: impl FnOnce() -> C) -> f64 {
        per_entry(make, |c, k| {
            let _ = c.put(k, k);
        })
    }
    fn expiring<C: Cache<u64, Entry<u64>>>(make: impl FnOnce() -> C) -> f64 {
        let clock = ManualClock::new();
        per_entry(
            || {
                ExpiringCache::builder()
                    .time_to_live(TTL)
                    .clock(clock)
                    .build(make())
            },
            |c, k| {
                let _ = c.put(k, k);
            },
        )
    }
    let n = N as usize;
    let rows = [
        (
            "LRU",
            plain(|| evict_lru::LruCache::new(n)),
            expiring(|| evict_lru::LruCache::new(n)),
        ),
        (
            "S3-FIFO",
            plain(|| evict_s3fifo::S3FifoCache::new(n)),
            expiring(|| evict_s3fifo::S3FifoCache::new(n)),
        ),
        (
            "unbounded",
            plain(evict_unbounded::UnboundedCache::new),
            expiring(evict_unbounded::UnboundedCache::new),
        ),
    ];
    println!("| policy (u64 -> u64, 1M entries) | bytes/entry | with time to live | difference |");
    println!("|---|---|---|---|");
    for (name, without, with) in rows {
        println!(
            "| {name} | {without:.1} | {with:.1} | +{:.1} |",
            with - without
        );
        assert!(with > without, "{name}: expiry costs something");
        assert!(
            with - without < 80.0,
            "{name}: expiry costs {:.1} bytes per entry",
            with - without
        );
    }
}

/// moka with the same time to live, for comparison: `moka::sync::Cache` bounded at a million
/// entries, filled with a million `u64 -> u64` pairs, its pending maintenance run; heap bytes
/// per entry it holds (its admission policy may have refused some). moka keeps its own
/// threads-free maintenance in 0.12, so the per-thread counter sees its allocations.
#[test]
fn moka_bytes_per_entry_at_a_million() {
    let mut held = None;
    let mut entries = 0;
    let info = measure(|| {
        let cache = held.insert(
            moka::sync::Cache::<u64, u64>::builder()
                .max_capacity(N)
                .time_to_live(TTL)
                .build(),
        );
        for k in 0..N {
            cache.insert(k, k);
        }
        cache.run_pending_tasks();
        entries = cache.entry_count();
    });
    drop(held);
    assert!(entries > N / 2, "moka held {entries} of {N}");
    println!(
        "| moka 0.12 sync, same TTL (u64 -> u64, {entries} entries held) | {:.1} bytes/entry |",
        info.bytes_current as f64 / entries as f64
    );
}
