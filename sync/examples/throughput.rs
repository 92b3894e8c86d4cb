//! Same-run throughput of `ConcurrentCache` over S3-FIFO, SIEVE and CLOCK against
//! `quick_cache::sync`, for working on the hit path (the full matrix, with moka and the
//! parallelism check, is `evict-benches`' `threads` binary).
//!
//! ```text
//! cargo run --release -p evict-sync --example throughput -- [WORKLOADS] [THREADS] [SECONDS] [ROUNDS] [private]
//! cargo run --release -p evict-sync --example throughput -- read,hot,zipf-10k 1,2 0.2 7
//! ```
//!
//! `private` gives every thread a cache of its own (same size, same fill): nothing is shared
//! between threads, so its 1 -> 2 thread speedup is the most this machine allows the
//! workload; the shared run's speedup below it is what sharing one cache costs.
//!
//! Each round runs every cache once, in turn, for every thread count; the report gives
//! the median of the rounds' M ops/s and, for each evict cache, the median over rounds of
//! its ratio to quick_cache *in the same round* (a burst of load from other processes then
//! hits both sides of a ratio alike), and the best round (load from other processes only ever
//! slows a round down, so the best is the least disturbed). `wall` lines count operations per second of wall-clock
//! time; `cpu` lines per second of the threads' own CPU time (Linux's schedstat), which time
//! taken by other processes does not enter. Workloads are the `threads` binary's: `read` (90,000
//! keys cached at capacity 100,000; gets of them, Zipf 0.99), `hot` (the same cache; every
//! get of one key), `zipf-10k` (Zipf 0.99 over 1M keys at capacity 10,000, 90% get / 10% put,
//! warmed first).

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use evict_slots::{SplitMix64, mix64};
use evict_sync::ConcurrentCache;

trait Bench: Sync {
    fn get(&self, k: u64) -> Option<u64>;
    fn put(&self, k: u64, v: u64);
}

impl<C> Bench for ConcurrentCache<u64, u64, C>
where
    C: evict_sync::Shard<u64, u64> + Send + Sync,
{
    #[inline]
    fn get(&self, k: u64) -> Option<u64> {
        ConcurrentCache::get(self, &k)
    }
    #[inline]
    fn put(&self, k: u64, v: u64) {
        let _ = ConcurrentCache::put(self, k, v);
    }
}

impl Bench for quick_cache::sync::Cache<u64, u64> {
    #[inline]
    fn get(&self, k: u64) -> Option<u64> {
        quick_cache::sync::Cache::get(self, &k)
    }
    #[inline]
    fn put(&self, k: u64, v: u64) {
        self.insert(k, v);
    }
}

/// `-h`: built with `build_hashed` (a hit hashes the key once); the others with `new`.
const NAMES: [&str; 7] = [
    "evict-s3fifo",
    "evict-sieve",
    "evict-clock",
    "evict-s3fifo-h",
    "evict-sieve-h",
    "evict-clock-h",
    "quick_cache",
];

fn make(which: usize, cap: usize) -> Box<dyn Bench> {
    let hashed = ConcurrentCache::builder(cap);
    match which {
        0 => Box::new(ConcurrentCache::new(cap, evict_s3fifo::S3FifoCache::new)),
        1 => Box::new(ConcurrentCache::new(cap, evict_sieve::SieveCache::new)),
        2 => Box::new(ConcurrentCache::new(cap, evict_clock::ClockCache::new)),
        3 => Box::new(hashed.build_hashed(evict_s3fifo::S3FifoCache::with_hasher)),
        4 => Box::new(hashed.build_hashed(evict_sieve::SieveCache::with_hasher)),
        5 => Box::new(hashed.build_hashed(evict_clock::ClockCache::with_hasher)),
        _ => Box::new(quick_cache::sync::Cache::<u64, u64>::new(cap)),
    }
}

#[path = "support/zipf.rs"]
mod zipf;
use zipf::Zipf;

const STREAM: usize = 1 << 20;

struct Work {
    name: &'static str,
    cap: usize,
    /// Per thread: keys, and whether each op is a put.
    streams: Vec<(Vec<u64>, Vec<bool>)>,
    fill: Vec<u64>,
}

fn work(name: &'static str, threads: usize) -> Work {
    match name {
        "read" | "hot" => {
            let zipf = Zipf::new(90_000, 0.99);
            let streams = (0..threads)
                .map(|t| {
                    let mut rng = SplitMix64::new(100 + t as u64);
                    let keys = (0..STREAM)
                        .map(|_| {
                            if name == "hot" {
                                mix64(0)
                            } else {
                                mix64(zipf.sample(&mut rng))
                            }
                        })
                        .collect();
                    (keys, Vec::new())
                })
                .collect();
            Work {
                name,
                cap: 100_000,
                streams,
                fill: (0..90_000).map(mix64).collect(),
            }
        }
        "zipf-10k" => {
            let zipf = Zipf::new(1_000_000, 0.99);
            let mut warm_rng = SplitMix64::new(7);
            let fill = (0..STREAM)
                .map(|_| mix64(zipf.sample(&mut warm_rng)))
                .collect();
            let streams = (0..threads)
                .map(|t| {
                    let mut rng = SplitMix64::new(200 + t as u64);
                    let keys = (0..STREAM).map(|_| mix64(zipf.sample(&mut rng))).collect();
                    let puts = (0..STREAM)
                        .map(|_| rng.next_u64().is_multiple_of(10))
                        .collect();
                    (keys, puts)
                })
                .collect();
            Work {
                name,
                cap: 10_000,
                streams,
                fill,
            }
        }
        other => panic!("unknown workload {other} (read, hot, zipf-10k)"),
    }
}

/// This thread's time on a CPU so far, in seconds (Linux's `/proc/thread-self/schedstat`;
/// 0 elsewhere): time other processes took from it is not counted.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

/// Total M ops/s of `threads` threads replaying their streams for `secs`: per second of
/// wall-clock time, and per second of the threads' summed CPU time.
/// Thread `t` uses `caches[t % caches.len()]`: one cache shared by all, or one each.
fn run(caches: &[Box<dyn Bench>], w: &Work, threads: usize, secs: f64) -> (f64, f64) {
    let stop = AtomicBool::new(false);
    let barrier = Barrier::new(threads + 1);
    let (ops, elapsed) = std::thread::scope(|s| {
        let hs: Vec<_> = w.streams[..threads]
            .iter()
            .enumerate()
            .map(|(t, (keys, puts))| {
                let (stop, barrier) = (&stop, &barrier);
                let cache = caches[t % caches.len()].as_ref();
                s.spawn(move || {
                    barrier.wait();
                    let cpu = cpu_secs();
                    let (mut i, mut ops, mut sum) = (0usize, 0u64, 0u64);
                    let mask = keys.len() - 1;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..256 {
                            if !puts.is_empty() && puts[i] {
                                cache.put(keys[i], keys[i]);
                            } else if let Some(v) = cache.get(keys[i]) {
                                sum = sum.wrapping_add(v);
                            }
                            i = (i + 1) & mask;
                        }
                        ops += 256;
                    }
                    black_box(sum);
                    (ops, cpu_secs() - cpu)
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        std::thread::sleep(Duration::from_secs_f64(secs));
        stop.store(true, Ordering::Relaxed);
        let (ops, cpu) = hs
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0u64, 0f64), |(o, c), (o2, c2)| (o + o2, c + c2));
        ((ops, cpu), start.elapsed().as_secs_f64())
    });
    let (ops, cpu) = ops;
    (ops as f64 / elapsed / 1e6, ops as f64 / cpu / 1e6)
}

/// A cache of workload `w`'s capacity, filled as the workload says.
fn filled(which: usize, w: &Work) -> Box<dyn Bench> {
    let c = make(which, w.cap);
    if w.name == "zipf-10k" {
        for &k in &w.fill {
            if c.get(k).is_none() {
                c.put(k, k);
            }
        }
    } else {
        for &k in &w.fill {
            c.put(k, k);
        }
    }
    c
}

/// 2 x (time of a compute loop on one thread) / (time of the same loop on two threads at
/// once): how much of two cores this process gets now.
fn parallel_ratio() -> f64 {
    fn spin(n: u64) -> u64 {
        let mut x = 1u64;
        for i in 0..n {
            x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        x
    }
    let n = 30_000_000;
    let t = Instant::now();
    black_box(spin(n));
    let one = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::thread::scope(|s| {
        let a = s.spawn(|| spin(n));
        black_box(spin(n));
        black_box(a.join().unwrap());
    });
    2.0 * one / t.elapsed().as_secs_f64()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workloads: Vec<&'static str> = args
        .get(1)
        .map_or("read,hot,zipf-10k", String::as_str)
        .split(',')
        .map(|w| match w {
            "read" => "read",
            "hot" => "hot",
            "zipf-10k" => "zipf-10k",
            other => panic!("unknown workload {other}"),
        })
        .collect();
    let threads: Vec<usize> = args
        .get(2)
        .map_or("1,2", String::as_str)
        .split(',')
        .map(|t| t.parse().expect("thread count"))
        .collect();
    let secs: f64 = args.get(3).map_or(0.2, |s| s.parse().expect("seconds"));
    let rounds: usize = args.get(4).map_or(5, |s| s.parse().expect("rounds"));
    let private = args.get(5).is_some_and(|a| a == "private");
    let most = threads.iter().copied().max().unwrap_or(1);
    println!(
        "compute loop on 2 threads at once: {:.2}x the work of 1 (2 = fully parallel)",
        parallel_ratio()
    );
    for name in workloads {
        let w = work(name, most);
        let copies = if private { most } else { 1 };
        let caches: Vec<Vec<Box<dyn Bench>>> = (0..NAMES.len())
            .map(|i| (0..copies).map(|_| filled(i, &w)).collect())
            .collect();
        for &t in &threads {
            let mut wall = vec![Vec::new(); NAMES.len()];
            let mut cpu = vec![Vec::new(); NAMES.len()];
            for _ in 0..rounds {
                for (i, c) in caches.iter().enumerate() {
                    let (a, b) = run(c, &w, t, secs);
                    wall[i].push(a);
                    cpu[i].push(b);
                }
            }
            for (what, mops) in [("wall", &wall), ("cpu ", &cpu)] {
                let quick = NAMES.len() - 1;
                let mut line = format!("{name:9} {t} thr {what}:");
                for i in 0..NAMES.len() {
                    let mut ratios: Vec<f64> = mops[i]
                        .iter()
                        .zip(&mops[quick])
                        .map(|(a, q)| a / q)
                        .collect();
                    let m = median(&mut mops[i].clone());
                    let best = mops[i].iter().copied().fold(0.0, f64::max);
                    if i == quick {
                        line += &format!("  {} {m:.1} best {best:.1}", NAMES[i]);
                    } else {
                        line += &format!(
                            "  {} {m:.1} ({:.2}x) best {best:.1}",
                            NAMES[i],
                            median(&mut ratios)
                        );
                    }
                }
                println!("{line}");
            }
        }
    }
}
