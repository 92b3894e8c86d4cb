//! Same-run, interleaved time ratios: an expiring cache (one-hour time to live) against the
//! same policy without expiry, on get-hit and put-evict at 100k `u64` entries.
//!
//! ```text
//! cargo run --release -p evict-expiry --example ratio [-- ROUNDS]
//! ```
//!
//! On a shared, loaded machine, criterion's groups run one after the other and the load moves
//! between them (2x from run to run here). This takes turns instead: each round times a
//! batch of operations on the plain policy, then the same batch on each expiring variant,
//! and divides; the median of the rounds' ratios (and their quartiles) is printed. Batches
//! are 32,768 operations (a few milliseconds): long enough that each cache's working set is
//! back in the processor's caches after the others' turns, short enough that a change of
//! load lands on both sides of most ratios.
#![forbid(unsafe_code)]

use std::hash::BuildHasher;
use std::hint::black_box;
use std::time::{Duration, Instant};

use evict_core::Cache;
use evict_expiry::{Clock, CoarseClock, Entry, ExpiringCache, StdClock};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;

const N: u64 = 100_000;
const BATCH: u64 = 32_768;
const TTL: Duration = Duration::from_secs(3600);

fn key(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The default hasher under a distinct type per expiring variant: each variant gets its own
/// copy of the policy's code, with one caller, as in a program with one expiring cache type
/// (see `examples/instructions.rs`).
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
    LruCache::with_hasher(N as usize, Tagged::default())
}

fn s3fifo<const T: u8>() -> S3FifoCache<u64, Entry<u64>, Tagged<T>> {
    S3FifoCache::with_hasher(N as usize, Tagged::default())
}

/// One contender: a filled cache and where its next batch starts.
struct Runner<C> {
    cache: C,
    next: u64,
}

trait Timed {
    /// Nanoseconds for one batch of get-hits (`get`) or put-evicts.
    fn batch(&mut self, get: bool, keys: &[u64]) -> u64;
}

impl<C: Cache<u64, u64>> Timed for Runner<C> {
    fn batch(&mut self, get: bool, keys: &[u64]) -> u64 {
        let start = Instant::now();
        if get {
            let mut sum = 0u64;
            let from = (self.next as usize) % (keys.len() - BATCH as usize);
            for &k in &keys[from..from + BATCH as usize] {
                if let Some(v) = self.cache.get(&k) {
                    sum = sum.wrapping_add(*v);
                }
            }
            black_box(sum);
            self.next += BATCH;
        } else {
            for _ in 0..BATCH {
                let _ = self.cache.put(key(self.next), self.next);
                self.next += 1;
            }
        }
        start.elapsed().as_nanos() as u64
    }
}

fn filled<C: Cache<u64, u64> + 'static>(mut cache: C, get: bool) -> Box<dyn Timed> {
    for i in 0..N {
        let _ = cache.put(key(i), i);
    }
    // Put-evict inserts fresh keys from N on; get-hit walks the key sequence.
    let next = if get { 0 } else { N };
    Box::new(Runner { cache, next })
}

fn ttl<C: Cache<u64, Entry<u64>>, T: Clock>(inner: C, clock: T) -> ExpiringCache<u64, u64, C, T> {
    ExpiringCache::builder()
        .time_to_live(TTL)
        .clock(clock)
        .build(inner)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(201);
    let keys: Vec<u64> = (0..1u64 << 20).map(|i| key(key(i ^ 0x5eed) % N)).collect();
    let n = N as usize;
    println!("| policy | op | TTL, CoarseClock | TTL, StdClock | ns/op plain | ns/op coarse |");
    println!("|---|---|---|---|---|---|");
    for policy in ["lru", "s3fifo"] {
        for get in [true, false] {
            let mut contenders: Vec<Box<dyn Timed>> = match policy {
                "lru" => vec![
                    filled(LruCache::new(n), get),
                    filled(ttl(lru::<1>(), CoarseClock::new()), get),
                    filled(ttl(lru::<2>(), StdClock::new()), get),
                ],
                _ => vec![
                    filled(S3FifoCache::new(n), get),
                    filled(ttl(s3fifo::<1>(), CoarseClock::new()), get),
                    filled(ttl(s3fifo::<2>(), StdClock::new()), get),
                ],
            };
            // Warm-up rounds, not counted.
            for _ in 0..20 {
                for c in &mut contenders {
                    c.batch(get, &keys);
                }
            }
            let (mut coarse, mut std_clock, mut plain_ns, mut coarse_ns) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..rounds {
                let t: Vec<u64> = contenders.iter_mut().map(|c| c.batch(get, &keys)).collect();
                coarse.push(t[1] as f64 / t[0] as f64);
                std_clock.push(t[2] as f64 / t[0] as f64);
                plain_ns.push(t[0] as f64 / BATCH as f64);
                coarse_ns.push(t[1] as f64 / BATCH as f64);
            }
            let spread = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                (v[v.len() / 4], v[v.len() * 3 / 4])
            };
            let (cq1, cq3) = spread(&mut coarse.clone());
            let (sq1, sq3) = spread(&mut std_clock.clone());
            println!(
                "| {policy} | {} | {:.2}x ({cq1:.2}-{cq3:.2}) | {:.2}x ({sq1:.2}-{sq3:.2}) | {:.1} | {:.1} |",
                if get { "get-hit" } else { "put-evict" },
                median(&mut coarse),
                median(&mut std_clock),
                median(&mut plain_ns),
                median(&mut coarse_ns),
            );
        }
    }
}
