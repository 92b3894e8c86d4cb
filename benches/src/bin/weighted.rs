//! What weighing costs (issue 12), measured in pairs so that a busy machine slows both sides
//! of a ratio alike: each weighted cache (a constant weigher, every entry weighing 1, so it
//! holds exactly the entries of the unweighted one) runs a turn of the same operations right
//! after its unweighted twin, round after round, and the ratio reported is the median of the
//! per-round ratios weighted / unweighted. Pairs: evict-lru and evict-s3fifo (with_weigher),
//! quick_cache (unsync, a `Weighter`) and moka (sync, a `weigher`).
//!
//! Workloads, at CAPACITY entries: `put-evict` (new keys into the full cache), `zipf` (get,
//! and put on a miss, over Zipf(0.99) keys from a universe of 10 × CAPACITY), `get-hit`.
//!
//! Usage: `cargo run --release -p evict-benches --bin weighted [CAPACITY] [ROUNDS] [NAME...]`
//! (default 100000 entries, 15 rounds, every pair; names keep only the pairs whose cache name
//! contains one of them, e.g. `evict` for the two evict pairs). Prints a markdown table.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use evict_benches::adapters::{
    BenchCache, Evict, Moka, MokaWeighted, QuickUnsync, QuickWeighted, get_or_put,
};
use evict_benches::workload::{key, uniform_keys};
use evict_benches::{CHUNK, SEQUENCE_LEN, zipf_sequence};

/// Operations per cache per round, after `WARM` untimed ones.
const TURN: usize = 32 * CHUNK;
const WARM: usize = 8 * CHUNK;

#[derive(Clone, Copy, PartialEq)]
enum Work {
    PutEvict,
    Zipf,
    GetHit,
}

/// One cache under one workload: runs `n` operations from where it left off.
struct Runner {
    cache: Box<dyn BenchCache>,
    work: Work,
    keys: std::sync::Arc<Vec<u64>>,
    at: usize,
    next_new: u64,
}

impl Runner {
    fn new(
        mut cache: Box<dyn BenchCache>,
        work: Work,
        capacity: usize,
        keys: &std::sync::Arc<Vec<u64>>,
    ) -> Self {
        for i in 0..capacity as u64 {
            cache.put(key(i), i);
        }
        cache.settle();
        Self {
            cache,
            work,
            keys: keys.clone(),
            at: 0,
            next_new: capacity as u64,
        }
    }

    fn run(&mut self, n: usize) -> u64 {
        let mut sum = 0u64;
        for _ in 0..n {
            match self.work {
                Work::PutEvict => {
                    self.cache.put(key(self.next_new), self.next_new);
                    self.next_new += 1;
                }
                Work::Zipf | Work::GetHit => {
                    let k = self.keys[self.at];
                    self.at = (self.at + 1) % self.keys.len();
                    if self.work == Work::Zipf {
                        sum += u64::from(get_or_put(&mut *self.cache, k));
                    } else if let Some(v) = self.cache.get(k) {
                        sum = sum.wrapping_add(v);
                    }
                }
            }
        }
        sum
    }

    /// Seconds for one timed turn (after the untimed warm-up): wall time, and the time the
    /// thread was on a CPU if the kernel tells it (else wall time again).
    fn turn(&mut self) -> (f64, f64) {
        black_box(self.run(WARM));
        let cpu = cpu_ns();
        let start = Instant::now();
        black_box(self.run(TURN));
        let wall = start.elapsed().as_secs_f64();
        let cpu = match (cpu, cpu_ns()) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 * 1e-9,
            _ => wall,
        };
        (wall, cpu)
    }
}

/// Nanoseconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`, first
/// field), so that a turn's time leaves out the time other processes had the core: on a
/// busy machine the wall time of a turn also counts the waits for a core.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

type Make = fn(usize) -> Box<dyn BenchCache>;

const PAIRS: &[(&str, Make, Make)] = &[
    (
        "evict-lru",
        |c| Box::new(Evict(evict_lru::LruCache::new(c))),
        |c| {
            Box::new(Evict(evict_lru::LruCache::with_weigher(
                c as u64,
                |_: &u64, _: &u64| 1,
            )))
        },
    ),
    (
        "evict-s3fifo",
        |c| Box::new(Evict(evict_s3fifo::S3FifoCache::new(c))),
        |c| {
            Box::new(Evict(evict_s3fifo::S3FifoCache::with_weigher(
                c as u64,
                |_: &u64, _: &u64| 1,
            )))
        },
    ),
    (
        "quick_cache (unsync)",
        |c| Box::new(QuickUnsync::new(c)),
        |c| Box::new(QuickWeighted::new(c)),
    ),
    (
        "moka (sync)",
        |c| Box::new(Moka::new(c)),
        |c| Box::new(MokaWeighted::new(c)),
    ),
];

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let capacity = args.next().map_or(Ok(100_000), |s| s.parse::<usize>());
    let rounds = args.next().map_or(Ok(15), |s| s.parse::<usize>());
    let (Ok(capacity), Ok(rounds)) = (capacity, rounds) else {
        eprintln!("weighted: CAPACITY and ROUNDS must be positive integers");
        return ExitCode::from(2);
    };
    if capacity == 0 || rounds == 0 {
        eprintln!("weighted: CAPACITY and ROUNDS must be positive");
        return ExitCode::from(2);
    }
    let only: Vec<String> = args.collect();
    let zipf = std::sync::Arc::new(zipf_sequence(10 * capacity, 7));
    let hits = std::sync::Arc::new(uniform_keys(capacity, SEQUENCE_LEN, 12));
    println!(
        "| cache | workload | unweighted ns/op | weighted ns/op | weighted / unweighted (median of {rounds} paired rounds) | same, CPU time |\n|---|---|---|---|---|---|"
    );
    let chosen = PAIRS
        .iter()
        .filter(|(name, ..)| only.is_empty() || only.iter().any(|o| name.contains(o.as_str())));
    for &(name, plain, weighted) in chosen {
        for (work, label, keys) in [
            (Work::PutEvict, "put-evict", &hits),
            (Work::Zipf, "zipf get-or-put", &zipf),
            (Work::GetHit, "get-hit", &hits),
        ] {
            let mut a = Runner::new(plain(capacity), work, capacity, keys);
            let mut b = Runner::new(weighted(capacity), work, capacity, keys);
            let (mut ta, mut tb, mut ratio, mut cpu_ratio) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for round in 0..rounds {
                // Alternate who goes first, so that neither always runs on a warmer machine.
                let (x, y) = if round % 2 == 0 {
                    (a.turn(), b.turn())
                } else {
                    let y = b.turn();
                    (a.turn(), y)
                };
                ta.push(x.0);
                tb.push(y.0);
                ratio.push(y.0 / x.0);
                cpu_ratio.push(y.1 / x.1);
            }
            let ns = |t: &mut Vec<f64>| median(t) * 1e9 / TURN as f64;
            println!(
                "| {name} | {label} | {:.1} | {:.1} | {:.3} | {:.3} |",
                ns(&mut ta),
                ns(&mut tb),
                median(&mut ratio),
                median(&mut cpu_ratio)
            );
        }
    }
    ExitCode::SUCCESS
}
