//! Get-hit and put-evict of LRU and S3-FIFO without and with a time to live (on the coarse
//! clock, the default; on the exact system clock; and on a manual clock, to show what the
//! clock read costs), and moka with the same time to live.
//!
//! `cargo bench -p evict-expiry --bench expiry` (any substring of an id filters:
//! `-- get_hit`). `EVICT_BENCH_WARMUP` / `EVICT_BENCH_MEASURE` (seconds, default 1 and 2)
//! and `EVICT_BENCH_SAMPLES` (default 30) set criterion's times.
#![forbid(unsafe_code)]

use std::hash::BuildHasher;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use evict_core::Cache;
use evict_expiry::{Entry, ExpiringCache, ManualClock};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;

const CAPACITY: usize = 100_000;
const CHUNK: usize = 1024;
const TTL: Duration = Duration::from_secs(3600);

/// The policies' default hasher under a distinct type for each expiring variant, so that each
/// variant has its own copy of the policy's code with one caller, as a program with one
/// expiring cache type has. (Variants over one policy type share one copy with several
/// callers, and the compiler then stops inlining the policy's lookup into the layer, which
/// costs a single-cache program nothing: measured with `examples/instructions.rs`, 12
/// instructions per S3-FIFO hit.)
#[derive(Clone, Default)]
struct Tagged<const N: u8>(evict_lru::DefaultHashBuilder);

impl<const N: u8> BuildHasher for Tagged<N> {
    type Hasher = <evict_lru::DefaultHashBuilder as BuildHasher>::Hasher;
    #[inline]
    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

fn lru<const T: u8>() -> LruCache<u64, Entry<u64>, Tagged<T>> {
    LruCache::with_hasher(CAPACITY, Tagged::default())
}

fn s3fifo<const T: u8>() -> S3FifoCache<u64, Entry<u64>, Tagged<T>> {
    S3FifoCache::with_hasher(CAPACITY, Tagged::default())
}

/// Keys spread over the whole `u64` range (SplitMix64's finaliser of `i`).
fn key(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fixed pseudo-random order of the resident keys `key(0..CAPACITY)`.
fn hit_sequence() -> Vec<u64> {
    (0..1u64 << 20)
        .map(|i| key(key(i ^ 0x5eed) % CAPACITY as u64))
        .collect()
}

/// What the benchmark does to a cache: a lookup and an insert.
trait Bench {
    fn get(&mut self, k: u64) -> Option<u64>;
    fn put(&mut self, k: u64, v: u64);
}

struct Plain<C>(C);

impl<C: Cache<u64, u64>> Bench for Plain<C> {
    #[inline]
    fn get(&mut self, k: u64) -> Option<u64> {
        self.0.get(&k).copied()
    }
    #[inline]
    fn put(&mut self, k: u64, v: u64) {
        let _ = self.0.put(k, v);
    }
}

impl<C: Cache<u64, Entry<u64>>, T: evict_expiry::Clock> Bench for ExpiringCache<u64, u64, C, T> {
    #[inline]
    fn get(&mut self, k: u64) -> Option<u64> {
        Cache::get(self, &k).copied()
    }
    #[inline]
    fn put(&mut self, k: u64, v: u64) {
        let _ = Cache::put(self, k, v);
    }
}

/// The plain policy with 24-byte values, the size of an `Entry<u64>`: separates what the
/// layer's bigger entries cost in memory traffic from what its logic costs.
struct Wide<C>(C);

impl<C: Cache<u64, [u64; 3]>> Bench for Wide<C> {
    #[inline]
    fn get(&mut self, k: u64) -> Option<u64> {
        self.0.get(&k).map(|v| v[0])
    }
    #[inline]
    fn put(&mut self, k: u64, v: u64) {
        let _ = self.0.put(k, [v; 3]);
    }
}

struct Moka(moka::sync::Cache<u64, u64>);

impl Bench for Moka {
    #[inline]
    fn get(&mut self, k: u64) -> Option<u64> {
        self.0.get(&k)
    }
    #[inline]
    fn put(&mut self, k: u64, v: u64) {
        self.0.insert(k, v);
    }
}

/// The thread-safe cache of expiring S3-FIFO shards, like moka a cache shared by threads
/// (used from one thread here).
type CoarseS3Fifo =
    ExpiringCache<u64, u64, S3FifoCache<u64, Entry<u64>, Tagged<4>>, evict_expiry::CoarseClock>;
struct Concurrent(evict_sync::ConcurrentCache<u64, u64, CoarseS3Fifo>);

impl Bench for Concurrent {
    #[inline]
    fn get(&mut self, k: u64) -> Option<u64> {
        self.0.get(&k)
    }
    #[inline]
    fn put(&mut self, k: u64, v: u64) {
        let _ = self.0.put(k, v);
    }
}

fn concurrent() -> Concurrent {
    Concurrent(evict_sync::ConcurrentCache::new(CAPACITY, |cap| {
        ttl_coarse(S3FifoCache::with_hasher(cap, Tagged::<4>::default()))
    }))
}

fn moka() -> Moka {
    Moka(
        moka::sync::Cache::builder()
            .max_capacity(CAPACITY as u64)
            .time_to_live(TTL)
            .build(),
    )
}

fn ttl_std<C: Cache<u64, Entry<u64>>>(
    inner: C,
) -> ExpiringCache<u64, u64, C, evict_expiry::StdClock> {
    ExpiringCache::builder()
        .time_to_live(TTL)
        .clock(evict_expiry::StdClock::new())
        .build(inner)
}

fn ttl_coarse<C: Cache<u64, Entry<u64>>>(
    inner: C,
) -> ExpiringCache<u64, u64, C, evict_expiry::CoarseClock> {
    ExpiringCache::builder()
        .time_to_live(TTL)
        .clock(evict_expiry::CoarseClock::new())
        .build(inner)
}

fn ttl_manual<C: Cache<u64, Entry<u64>>>(inner: C) -> ExpiringCache<u64, u64, C, ManualClock> {
    ExpiringCache::builder()
        .time_to_live(TTL)
        .clock(ManualClock::new())
        .build(inner)
}

fn get_hit(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, mut cache: impl Bench, keys: &[u64]) {
    for i in 0..CAPACITY as u64 {
        cache.put(key(i), i);
    }
    let missing = (0..CAPACITY as u64)
        .filter(|&i| cache.get(key(i)).is_none())
        .count();
    assert!(
        missing < CAPACITY / 100,
        "{name}: {missing} keys not cached after the fill"
    );
    let mut at = 0;
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for &k in &keys[at..at + CHUNK] {
                if let Some(v) = cache.get(k) {
                    sum = sum.wrapping_add(v);
                }
            }
            at = (at + CHUNK) % keys.len();
            black_box(sum)
        })
    });
}

fn put_evict(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, mut cache: impl Bench) {
    for i in 0..CAPACITY as u64 {
        cache.put(key(i), i);
    }
    let mut next = CAPACITY as u64;
    g.bench_function(name, |b| {
        b.iter(|| {
            for _ in 0..CHUNK {
                cache.put(key(next), next);
                next += 1;
            }
        })
    });
}

fn seconds(var: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default),
    )
}

fn main() {
    let samples = std::env::var("EVICT_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let mut c = Criterion::default()
        .warm_up_time(seconds("EVICT_BENCH_WARMUP", 1))
        .measurement_time(seconds("EVICT_BENCH_MEASURE", 2))
        .sample_size(samples)
        .configure_from_args();
    let keys = hit_sequence();
    {
        let mut g = c.benchmark_group("get_hit_100k");
        g.throughput(Throughput::Elements(CHUNK as u64));
        get_hit(&mut g, "lru", Plain(LruCache::new(CAPACITY)), &keys);
        get_hit(
            &mut g,
            "lru (24-byte values)",
            Wide(LruCache::new(CAPACITY)),
            &keys,
        );
        get_hit(
            &mut g,
            "lru+ttl (coarse clock)",
            ttl_coarse(lru::<1>()),
            &keys,
        );
        get_hit(&mut g, "lru+ttl (std clock)", ttl_std(lru::<2>()), &keys);
        get_hit(
            &mut g,
            "lru+ttl (manual clock)",
            ttl_manual(lru::<3>()),
            &keys,
        );
        get_hit(&mut g, "s3fifo", Plain(S3FifoCache::new(CAPACITY)), &keys);
        get_hit(
            &mut g,
            "s3fifo (24-byte values)",
            Wide(S3FifoCache::new(CAPACITY)),
            &keys,
        );
        get_hit(
            &mut g,
            "s3fifo+ttl (coarse clock)",
            ttl_coarse(s3fifo::<1>()),
            &keys,
        );
        get_hit(
            &mut g,
            "s3fifo+ttl (std clock)",
            ttl_std(s3fifo::<2>()),
            &keys,
        );
        get_hit(
            &mut g,
            "s3fifo+ttl (manual clock)",
            ttl_manual(s3fifo::<3>()),
            &keys,
        );
        get_hit(
            &mut g,
            "concurrent s3fifo+ttl (coarse clock)",
            concurrent(),
            &keys,
        );
        get_hit(&mut g, "moka+ttl", moka(), &keys);
        g.finish();
    }
    {
        let mut g = c.benchmark_group("put_evict_100k");
        g.throughput(Throughput::Elements(CHUNK as u64));
        put_evict(&mut g, "lru", Plain(LruCache::new(CAPACITY)));
        put_evict(
            &mut g,
            "lru (24-byte values)",
            Wide(LruCache::new(CAPACITY)),
        );
        put_evict(&mut g, "lru+ttl (coarse clock)", ttl_coarse(lru::<1>()));
        put_evict(&mut g, "lru+ttl (std clock)", ttl_std(lru::<2>()));
        put_evict(&mut g, "lru+ttl (manual clock)", ttl_manual(lru::<3>()));
        put_evict(&mut g, "s3fifo", Plain(S3FifoCache::new(CAPACITY)));
        put_evict(
            &mut g,
            "s3fifo (24-byte values)",
            Wide(S3FifoCache::new(CAPACITY)),
        );
        put_evict(
            &mut g,
            "s3fifo+ttl (coarse clock)",
            ttl_coarse(s3fifo::<1>()),
        );
        put_evict(&mut g, "s3fifo+ttl (std clock)", ttl_std(s3fifo::<2>()));
        put_evict(
            &mut g,
            "s3fifo+ttl (manual clock)",
            ttl_manual(s3fifo::<3>()),
        );
        put_evict(&mut g, "concurrent s3fifo+ttl (coarse clock)", concurrent());
        put_evict(&mut g, "moka+ttl", moka());
        g.finish();
    }
    c.final_summary();
}
