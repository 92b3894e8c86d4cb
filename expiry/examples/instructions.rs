//! Instructions per operation, for callgrind (deterministic where wall-clock timing on a busy
//! machine is not; it does not see cache misses, which the criterion bench does):
//!
//! ```text
//! cargo build --release -p evict-expiry --example instructions
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
//!     target/release/examples/instructions lru ttl get
//! ```
//! Arguments: `lru|s3fifo`, `plain|ttl|ttl-std|ttl-coarse`, `get|put`. The collected function
//! runs 100,000 operations on a cache of 100,000 entries: divide the total by 100,000.
//! `clock std|coarse|manual` instead reads that clock 100,000 times (what one reading costs,
//! the floor of an expiring hit on it; `std` is `Instant::now()` through the vDSO).
#![forbid(unsafe_code)]

use std::hash::BuildHasher;
use std::hint::black_box;
use std::time::Duration;

use evict_core::Cache;
use evict_expiry::{Clock, CoarseClock, Entry, ExpiringCache, ManualClock, StdClock};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;

const N: u64 = 100_000;

/// The policies' default hasher under a distinct type for each expiring variant, so that each
/// variant has its own copy of the policy's code with one caller, as a program with one
/// expiring cache type has. (Three clocks over one policy type share one copy with three
/// callers, and the compiler then stops inlining the policy's lookup into the layer: 12
/// instructions per S3-FIFO hit that no single-cache program pays.)
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

fn key(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline(never)]
fn measured<C: Cache<u64, u64>>(cache: &mut C, get: bool) -> u64 {
    let mut sum = 0u64;
    for i in 0..N {
        if get {
            if let Some(v) = cache.get(&key(key(i) % N)) {
                sum = sum.wrapping_add(*v);
            }
        } else {
            let _ = cache.put(key(N + i), i);
        }
    }
    sum
}

fn run<C: Cache<u64, u64>>(mut cache: C, get: bool) {
    for i in 0..N {
        let _ = cache.put(key(i), i);
    }
    black_box(measured(&mut cache, get));
}

#[inline(never)]
fn measured_clock<T: Clock>(clock: &T) -> u64 {
    let mut sum = 0u64;
    for _ in 0..N {
        sum = sum.wrapping_add(black_box(clock).now_nanos());
    }
    sum
}

fn ttl<C: Cache<u64, Entry<u64>>, T: Clock>(inner: C, clock: T) -> ExpiringCache<u64, u64, C, T> {
    ExpiringCache::builder()
        .time_to_live(Duration::from_secs(3600))
        .clock(clock)
        .build(inner)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, variant, op] = [0, 1, 2].map(|i| args.get(i).map_or("", String::as_str));
    let get = op != "put";
    let n = N as usize;
    match (policy, variant) {
        ("lru", "plain") => run(LruCache::new(n), get),
        ("lru", "ttl") => run(ttl(lru::<1>(), ManualClock::new()), get),
        ("lru", "ttl-std") => run(ttl(lru::<2>(), StdClock::new()), get),
        ("lru", "ttl-coarse") => run(ttl(lru::<3>(), CoarseClock::new()), get),
        ("s3fifo", "plain") => run(S3FifoCache::new(n), get),
        ("s3fifo", "ttl") => run(ttl(s3fifo::<1>(), ManualClock::new()), get),
        ("s3fifo", "ttl-std") => run(ttl(s3fifo::<2>(), StdClock::new()), get),
        ("s3fifo", "ttl-coarse") => run(ttl(s3fifo::<3>(), CoarseClock::new()), get),
        ("clock", "std") => drop(black_box(measured_clock(&StdClock::new()))),
        ("clock", "coarse") => drop(black_box(measured_clock(&CoarseClock::new()))),
        ("clock", "manual") => drop(black_box(measured_clock(&ManualClock::new()))),
        _ => {
            eprintln!(
                "usage: instructions lru|s3fifo plain|ttl|ttl-std|ttl-coarse get|put, \
                 or instructions clock std|coarse|manual"
            );
            std::process::exit(2);
        }
    }
}
