//! Paired get-hit measurement, robust on a busy machine: every implementation runs the same
//! 524,288 lookups in turn (the first 131,072 untimed, to bring its working set back into the
//! CPU caches), round after round, and the ratio to bare hashbrown is the median of the
//! per-round ratios, so a load spike slows both sides of a ratio alike.
//!
//! Usage: `cargo run --release -p evict-benches --bin pair [CAPACITY] [SECONDS] [NAMES]`
//! (default 100000 entries, 10 seconds, `hashbrown,evict-lru,lru,schnellru,hashlink`; NAMES is
//! a comma-separated list of implementations, hashbrown is always included). Few names keep
//! all the caches within the L3 cache together, as in the criterion run. Prints a markdown
//! table.
//!
//! One extra name is accepted: `evict-lru-peek`, evict-lru's `peek` (the same lookup through
//! its `u32` slot index, without the recency update or the hit count). It is the floor of any
//! hit in that layout, so `evict-lru` minus `evict-lru-peek` is what the recency list costs.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use evict_benches::adapters::BenchCache;
use evict_benches::workload::{key, uniform_keys};
use evict_benches::{CHUNK, Meta, SEQUENCE_LEN, Visitor, for_each_impl};

/// Lookups per implementation per round: `WARM` untimed, then the rest timed.
const TURN: usize = 64 * CHUNK;
const WARM: usize = 16 * CHUNK;

type Runner<'k> = Box<dyn FnMut(&'k [u64]) -> u64>;

struct Build<'k> {
    capacity: usize,
    names: Vec<String>,
    runners: Vec<(Meta, Runner<'k>)>,
}

impl<'k> Visitor for Build<'k> {
    fn visit<C: BenchCache + 'static, F: Fn(usize) -> C>(&mut self, meta: Meta, make: F) {
        if meta.name != "hashbrown" && !self.names.iter().any(|n| n == meta.name) {
            return;
        }
        let mut cache = make(self.capacity);
        for i in 0..self.capacity as u64 {
            cache.put(key(i), i);
        }
        let mut cache = Box::new(cache);
        let run: Runner<'k> = Box::new(move |chunk: &'k [u64]| {
            let mut sum = 0u64;
            for &k in chunk {
                if let Some(v) = cache.get(k) {
                    sum = sum.wrapping_add(v);
                }
            }
            sum
        });
        self.runners.push((meta, run));
    }
}

/// The extra row: evict-lru's lookup without the recency update.
const LRU_PEEK: &str = "evict-lru-peek";

fn lru_peek<'k>(capacity: usize) -> (Meta, Runner<'k>) {
    use evict_core::Cache;
    let mut cache = evict_lru::LruCache::new(capacity);
    for i in 0..capacity as u64 {
        let _ = cache.put(key(i), i);
    }
    let run: Runner<'k> = Box::new(move |chunk: &'k [u64]| {
        let mut sum = 0u64;
        for k in chunk {
            if let Some(v) = cache.peek(k) {
                sum = sum.wrapping_add(*v);
            }
        }
        sum
    });
    let meta = Meta {
        name: LRU_PEEK,
        kind: evict_benches::Kind::Other,
        evict: true,
    };
    (meta, run)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn parse<T: std::str::FromStr>(arg: Option<String>, default: T, what: &str) -> Result<T, String> {
    match arg {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| format!("{what} must be a positive number, got {s:?}")),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let parsed = parse(args.next(), 100_000usize, "CAPACITY")
        .and_then(|c| Ok((c, parse(args.next(), 10.0f64, "SECONDS")?)));
    let (capacity, seconds) = match parsed {
        Ok((c, s)) if c > 0 && s > 0.0 => (c, s),
        Ok(_) => {
            eprintln!("pair: CAPACITY and SECONDS must be positive");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("pair: {e}");
            return ExitCode::from(2);
        }
    };
    let names: Vec<String> = args
        .next()
        .unwrap_or_else(|| "hashbrown,evict-lru,lru,schnellru,hashlink".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let mut known: Vec<&str> = evict_benches::impl_names().iter().map(|m| m.name).collect();
    known.push(LRU_PEEK);
    if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
        eprintln!(
            "pair: unknown implementation {bad:?}; known: {}",
            known.join(", ")
        );
        return ExitCode::from(2);
    }
    let keys = uniform_keys(capacity, SEQUENCE_LEN, 12);
    let mut build = Build {
        capacity,
        names,
        runners: Vec::new(),
    };
    for_each_impl(&mut build);
    let mut runners = build.runners;
    if build.names.iter().any(|n| n == LRU_PEEK) {
        runners.push(lru_peek(capacity));
    }
    let n = runners.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); n];
    let start = Instant::now();
    let mut at = 0;
    let mut round = 0usize;
    while start.elapsed().as_secs_f64() < seconds {
        let turn = &keys[at..at + TURN];
        at = (at + TURN) % keys.len();
        // Rotate the starting implementation so none always runs right after another.
        for j in 0..n {
            let (_, run) = &mut runners[(round + j) % n];
            // Untimed first: bring this cache's working set back after the others ran.
            black_box(run(&turn[..WARM]));
            let t = Instant::now();
            black_box(run(&turn[WARM..]));
            times[(round + j) % n].push(t.elapsed().as_nanos() as f64 / (TURN - WARM) as f64);
        }
        round += 1;
    }
    // The first rounds warm the caches up: drop the first tenth.
    let skip = round / 10;
    let limit = runners
        .iter()
        .position(|(m, _)| m.name == "hashbrown")
        .expect("hashbrown is always listed");
    println!(
        "get-hit at {capacity} entries, {} paired rounds of {} timed lookups ({seconds} s)\n",
        round - skip,
        TURN - WARM
    );
    println!(
        "| implementation | ns/get (median) | ratio to hashbrown (median of per-round ratios) |"
    );
    println!("|---|---|---|");
    for (i, (meta, _)) in runners.iter().enumerate() {
        let mut ns = times[i][skip..].to_vec();
        let mut ratios: Vec<f64> = times[i][skip..]
            .iter()
            .zip(&times[limit][skip..])
            .map(|(t, l)| t / l)
            .collect();
        println!(
            "| {} | {:.1} | {:.2}× |",
            meta.name,
            median(&mut ns),
            median(&mut ratios)
        );
    }
    ExitCode::SUCCESS
}
