//! Eight threads of mixed operations on random keys, for every policy (2Q and LIRS too),
//! bounded in operations and under a watchdog (a deadlock fails instead of hanging). After
//! the join: `len() <= capacity`, hits + misses = the lookups summed over the threads, every
//! value read for a key is one that some thread stored for that key, and `info()` agrees with
//! `len()`.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use evict_slots::SplitMix64;
use evict_sync::{ConcurrentCache, Shard};

const THREADS: u64 = 8;
const OPS: u64 = 20_000;
const KEYS: u64 = 2_000;

/// A value names its key (high half) and its writer (low half), so a reader can tell that
/// the value it got was stored for the key it asked.
fn value(key: u64, writer: u64) -> u64 {
    (key << 32) | writer
}

/// `build` makes the cache (4 shards of a 500-entry cache); `hashing_once`: how many shards
/// must hash each key once by the end (`build_hashed` with the hasher used: all 4).
fn stress<C>(name: &str, build: fn() -> ConcurrentCache<u64, u64, C>, hashing_once: usize)
where
    C: Shard<u64, u64> + Send + Sync + 'static,
{
    let (done, finished) = mpsc::channel();
    let name2 = name.to_string();
    let worker = thread::spawn(move || {
        let cache = build();
        let lookups = AtomicU64::new(0);
        thread::scope(|s| {
            for t in 0..THREADS {
                let (cache, lookups, name) = (&cache, &lookups, name2.as_str());
                s.spawn(move || {
                    let mut rng = SplitMix64::new(t + 1);
                    let mut counted = 0;
                    for _ in 0..OPS {
                        let r = rng.next_u64();
                        // Skewed keys, so that threads meet on the same ones.
                        let key = (r >> 16) % KEYS % (1 + (r >> 40) % KEYS);
                        let check = |v: u64| assert_eq!(v >> 32, key, "{name}: wrong key's value");
                        match r % 10 {
                            0..=4 => {
                                counted += 1;
                                if let Some(v) = cache.get(&key) {
                                    check(v);
                                }
                            }
                            5 | 6 => {
                                let _ = cache.put(key, value(key, t));
                            }
                            7 => {
                                if let Some(v) = cache.remove(&key) {
                                    check(v);
                                }
                            }
                            8 => {
                                counted += 1;
                                check(cache.get_or_insert_with(key, || value(key, t)));
                            }
                            _ => {
                                if let Some(v) = cache.peek(&key) {
                                    check(v);
                                }
                            }
                        }
                    }
                    lookups.fetch_add(counted, Relaxed);
                });
            }
        });
        let info = cache.info();
        assert_eq!(
            info.hits + info.misses,
            lookups.load(Relaxed),
            "{name2}: counters"
        );
        assert_eq!(info.currsize, cache.len());
        if let Some(cap) = info.maxsize {
            assert!(
                info.currsize <= cap,
                "{name2}: {} entries over capacity {cap}",
                info.currsize
            );
        }
        for (k, v) in cache.snapshot() {
            assert_eq!(v >> 32, k, "{name2}: snapshot");
        }
        assert_eq!(
            cache.shards_hashing_once(),
            hashing_once,
            "{name2}: hashing"
        );
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(120)) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(p) = worker.join() {
                std::panic::resume_unwind(p);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: deadlock (not finished in 120 s)"),
    }
}

macro_rules! stress_tests {
    ($($name:ident: $make:expr;)*) => {$(
        #[test]
        fn $name() {
            stress(stringify!($name), || ConcurrentCache::builder(500).shards(4).build($make), 0);
        }
    )*};
}

/// Shards built with the cache's hasher (`build_hashed`): hits pass the hash down.
macro_rules! stress_hashed {
    ($($name:ident: $make:expr;)*) => {$(
        #[test]
        fn $name() {
            stress(
                stringify!($name),
                || ConcurrentCache::builder(500).shards(4).build_hashed($make),
                4,
            );
        }
    )*};
}

stress_hashed! {
    clock_hashed: evict_clock::ClockCache::with_hasher;
    sieve_hashed: evict_sieve::SieveCache::with_hasher;
    s3fifo_hashed: evict_s3fifo::S3FifoCache::with_hasher;
    buffered_lru_hashed: |c, h| evict_sync::BufferedHits::new(evict_lru::LruCache::with_hasher(c, h));
}

stress_tests! {
    lru: evict_lru::LruCache::new;
    fifo: evict_fifo::FifoCache::new;
    random: evict_random::RandomCache::new;
    clock: evict_clock::ClockCache::new;
    sieve: evict_sieve::SieveCache::new;
    s3fifo: evict_s3fifo::S3FifoCache::new;
    arc: evict_arc::ArcCache::new;
    wtinylfu: evict_wtinylfu::WTinyLfuCache::new;
    twoq: evict_twoq::TwoQCache::new;
    lirs: evict_lirs::LirsCache::new;
    unbounded: |_| evict_unbounded::UnboundedCache::new();
    buffered_lru: |c| evict_sync::BufferedHits::new(evict_lru::LruCache::new(c));
    buffered_arc: |c| evict_sync::BufferedHits::new(evict_arc::ArcCache::new(c));
    buffered_wtinylfu: |c| evict_sync::BufferedHits::new(evict_wtinylfu::WTinyLfuCache::new(c));
}
