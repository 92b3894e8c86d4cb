//! Throughput of thread-safe caches at 1, 2, 4 and 8 threads (issue 11's "Measure"):
//! `evict_sync::ConcurrentCache` over every bounded evict policy, `quick_cache::sync`,
//! `moka::sync`, `mini_moka::sync` and `std::sync::Mutex<lru::LruCache>`, same capacity,
//! `u64` keys and values; plus the concurrent cache's hit ratio against the same policy
//! single-threaded.
//!
//! Usage: `cargo run --release -p evict-benches --bin threads -- [OPTIONS]` (`--help` lists
//! them). The full matrix takes several minutes; `--seconds 0.05 --reps 1` is a quick run.
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use evict_benches::concurrent::{
    self, Concurrent, ConcurrentMeta, ConcurrentVisitor, Outcome, Stop, Stream,
};
use evict_benches::workload::{key, zipf_keys};
use evict_benches::{ZIPF_S, zipf_sequence};

const USAGE: &str = "\
Usage: cargo run --release -p evict-benches --bin threads -- [OPTIONS]

Options:
  --caches LIST      comma-separated names, or `all` (default), `evict` (every evict policy),
                     `targets` (evict-s3fifo, evict-sieve, evict-clock, quick_cache, mutex-lru)
  --workloads LIST   comma-separated, default all: zipf-100k, zipf-10k, read, hot
  --threads LIST     comma-separated thread counts, default 1,2,4,8
  --seconds S        duration of one run (default 0.3)
  --reps N           runs per (workload, cache, threads); the median is reported (default 5)
  --quiet-wait S     at 2 threads and more, before each round of runs (one run per cache),
                     wait up to S seconds (default 20) for the parallelism check to pass, and
                     run the round again (at most `reps` extra rounds) if the check after it
                     fails: other processes on a 2-core machine otherwise decide the figures.
                     0 turns this off
  --no-hit-ratio     skip the hit-ratio comparison (single-threaded policy vs concurrent cache)
  --shards N         shards of every evict concurrent cache (a power of two; default
                     evict_sync::default_shards(capacity): 16 per core)
  --json FILE        also write every sample and result as JSON to FILE
  -h, --help         this text

Workloads (every thread replays its own pre-generated stream; generation is not timed):
  zipf-100k  Zipf(0.99) over 1,000,000 keys, capacity 100,000: each operation is a get with
             probability 0.9, else a put (a get miss does not insert; Caffeine's GetPutBenchmark
             convention). The cache is warmed by 1,048,576 get-or-put operations first.
  zipf-10k   the same at capacity 10,000
  read       capacity 100,000 holding 90,000 keys; gets only, Zipf(0.99) over those 90,000
             keys, so every get is a hit (90% full so that no shard of a sharded cache
             overflows by chance and drops a key)
  hot        the same cache; every thread gets one key, over and over";

/// Distinct keys of the Zipf workloads.
const UNIVERSE: usize = 1_000_000;
/// Operations in each thread's stream (replayed, wrapping at the end).
const STREAM_LEN: usize = 1 << 21;
/// Get-or-put operations that warm a Zipf workload's cache before timing.
const WARM_LEN: usize = 1 << 20;
/// Capacity of the read-only and hot-key caches.
const READ_CAPACITY: usize = 100_000;
/// Keys put into them (and read back).
const RESIDENT: usize = 90_000;
/// The put share of the mixed workloads, in percent.
const PUT_PERCENT: u32 = 10;
/// The warning threshold of the parallelism check.
const PARALLEL_WARN: f64 = 1.6;
/// The evict policies the throughput targets name.
const TARGET_POLICIES: [&str; 3] = ["evict-s3fifo", "evict-sieve", "evict-clock"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Workload {
    Zipf100k,
    Zipf10k,
    Read,
    Hot,
}

impl Workload {
    const ALL: [Workload; 4] = [
        Workload::Zipf100k,
        Workload::Zipf10k,
        Workload::Read,
        Workload::Hot,
    ];

    fn name(self) -> &'static str {
        match self {
            Workload::Zipf100k => "zipf-100k",
            Workload::Zipf10k => "zipf-10k",
            Workload::Read => "read",
            Workload::Hot => "hot",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Workload::Zipf100k => "Zipf(0.99) over 1M keys, capacity 100k, 90% get / 10% put",
            Workload::Zipf10k => "Zipf(0.99) over 1M keys, capacity 10k, 90% get / 10% put",
            Workload::Read => {
                "read-only: capacity 100k holding 90k keys, Zipf(0.99) gets of those keys (every get a hit)"
            }
            Workload::Hot => "one hot key read by every thread (capacity 100k holding 90k keys)",
        }
    }

    fn capacity(self) -> usize {
        match self {
            Workload::Zipf10k => 10_000,
            _ => READ_CAPACITY,
        }
    }

    fn mixed(self) -> bool {
        matches!(self, Workload::Zipf100k | Workload::Zipf10k)
    }
}

#[derive(Debug)]
struct Options {
    caches: Vec<ConcurrentMeta>,
    workloads: Vec<Workload>,
    threads: Vec<usize>,
    seconds: f64,
    reps: usize,
    hit_ratio: bool,
    quiet_wait: f64,
    json: Option<String>,
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// The options, or `Ok(None)` after `--help`.
fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let all = concurrent::concurrent_names();
    let mut o = Options {
        caches: all.clone(),
        workloads: Workload::ALL.to_vec(),
        threads: vec![1, 2, 4, 8],
        seconds: 0.3,
        reps: 5,
        hit_ratio: true,
        quiet_wait: 20.0,
        json: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value")),
            }
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--no-hit-ratio" => o.hit_ratio = false,
            "--shards" => {
                let v = value()?;
                let n = match v.parse::<usize>() {
                    Ok(n) if n.is_power_of_two() && n <= evict_sync::MAX_SHARDS => n,
                    _ => return Err(format!("bad --shards `{v}` (a power of two up to 65536)")),
                };
                concurrent::SHARDS.store(n, std::sync::atomic::Ordering::Relaxed);
            }
            "--quiet-wait" => {
                let v = value()?;
                o.quiet_wait = match v.parse::<f64>() {
                    Ok(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => s,
                    _ => return Err(format!("bad --quiet-wait `{v}` (seconds, 0 to 3600)")),
                };
            }
            "--caches" => {
                let v = value()?;
                let mut picked: Vec<ConcurrentMeta> = Vec::new();
                for name in split(&v) {
                    let group: Vec<ConcurrentMeta> = match name {
                        "all" => all.clone(),
                        "evict" => all.iter().copied().filter(|m| m.policy.is_some()).collect(),
                        "targets" => all
                            .iter()
                            .copied()
                            .filter(|m| {
                                TARGET_POLICIES.contains(&m.name)
                                    || m.name == "quick_cache"
                                    || m.name == "mutex-lru"
                            })
                            .collect(),
                        _ => match all.iter().find(|m| m.name == name) {
                            Some(m) => vec![*m],
                            None => {
                                let names: Vec<_> = all.iter().map(|m| m.name).collect();
                                return Err(format!(
                                    "unknown cache `{name}`; known: all, evict, targets, {}",
                                    names.join(", ")
                                ));
                            }
                        },
                    };
                    for m in group {
                        if !picked.contains(&m) {
                            picked.push(m);
                        }
                    }
                }
                // Table order, whatever the order on the command line.
                o.caches = all.iter().copied().filter(|m| picked.contains(m)).collect();
            }
            "--workloads" => {
                let v = value()?;
                let mut picked = Vec::new();
                for name in split(&v) {
                    match Workload::ALL.iter().find(|w| w.name() == name) {
                        Some(w) => picked.push(*w),
                        None => {
                            return Err(format!(
                                "unknown workload `{name}`; known: zipf-100k, zipf-10k, read, hot"
                            ));
                        }
                    }
                }
                o.workloads = Workload::ALL
                    .iter()
                    .copied()
                    .filter(|w| picked.contains(w))
                    .collect();
            }
            "--threads" => {
                let v = value()?;
                let mut t = Vec::new();
                for n in split(&v) {
                    match n.parse::<usize>() {
                        Ok(n) if (1..=256).contains(&n) => t.push(n),
                        _ => return Err(format!("bad thread count `{n}` (1 to 256)")),
                    }
                }
                t.sort_unstable();
                t.dedup();
                o.threads = t;
            }
            "--seconds" => {
                let v = value()?;
                o.seconds = match v.parse::<f64>() {
                    Ok(s) if s.is_finite() && s > 0.0 && s <= 60.0 => s,
                    _ => return Err(format!("bad --seconds `{v}` (a number in (0, 60])")),
                };
            }
            "--reps" => {
                let v = value()?;
                o.reps = match v.parse::<usize>() {
                    Ok(n) if (1..=1000).contains(&n) => n,
                    _ => return Err(format!("bad --reps `{v}` (1 to 1000)")),
                };
            }
            "--json" => o.json = Some(value()?),
            _ => return Err(format!("unknown option `{arg}`")),
        }
    }
    if o.caches.is_empty() {
        return Err("--caches selected no cache".into());
    }
    if o.workloads.is_empty() {
        return Err("--workloads selected no workload".into());
    }
    if o.threads.is_empty() {
        return Err("--threads selected no thread count".into());
    }
    Ok(Some(o))
}

/// A built cache, type-erased at the run level only: the timed loop inside `run` is
/// monomorphised for each cache type, so no operation goes through a virtual call.
trait Runner {
    fn run(&self, streams: &[Stream], stop: Stop) -> Outcome;
    fn cache(&self) -> &dyn Concurrent;
}

struct Held<C>(C);

impl<C: Concurrent> Runner for Held<C> {
    fn run(&self, streams: &[Stream], stop: Stop) -> Outcome {
        concurrent::run(&self.0, streams, stop)
    }
    fn cache(&self) -> &dyn Concurrent {
        &self.0
    }
}

struct Build<'a> {
    wanted: &'a [ConcurrentMeta],
    capacity: usize,
    out: Vec<(ConcurrentMeta, Box<dyn Runner>)>,
}

impl ConcurrentVisitor for Build<'_> {
    fn visit<C: Concurrent + 'static, F: Fn(usize) -> C>(&mut self, m: ConcurrentMeta, make: F) {
        if self.wanted.contains(&m) {
            self.out.push((m, Box::new(Held(make(self.capacity)))));
        }
    }
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The parallelism check, median of three tries (each about 0.1 s).
fn parallel_check() -> f64 {
    let tries: Vec<f64> = (0..3)
        .map(|_| concurrent::parallel_ratio(60_000_000))
        .collect();
    median(&tries)
}

/// One parallelism check of about 0.05 s.
fn quick_check() -> f64 {
    concurrent::parallel_ratio(20_000_000)
}

/// Waits up to `secs` for a parallelism check to pass; returns the last check.
fn wait_quiet(secs: f64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    loop {
        let x = quick_check();
        if x >= PARALLEL_WARN || Instant::now() >= deadline {
            return x;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

struct Cell {
    workload: Workload,
    cache: &'static str,
    threads: usize,
    mops: Vec<f64>,
    gets: u64,
    hits: u64,
}

struct HitRow {
    cache: &'static str,
    policy: &'static str,
    capacity: usize,
    single: f64,
    concurrent: f64,
}

struct Report {
    cores: usize,
    cells: Vec<Cell>,
    checks: Vec<(String, f64)>,
    hit_rows: Vec<HitRow>,
    missing: Vec<(Workload, &'static str, usize)>,
    /// Per (workload, threads): rounds kept, rounds kept although a check failed, rounds redone.
    rounds: Vec<(Workload, usize, usize, usize, usize)>,
}

impl Report {
    fn median(&self, w: Workload, cache: &str, threads: usize) -> Option<f64> {
        self.cells
            .iter()
            .find(|c| c.workload == w && c.cache == cache && c.threads == threads)
            .map(|c| median(&c.mops))
    }

    fn cell(&self, w: Workload, cache: &str, threads: usize) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.workload == w && c.cache == cache && c.threads == threads)
    }
}

fn thread_header(opts: &Options, cores: usize) -> String {
    opts.threads
        .iter()
        .map(|&t| {
            if t > cores {
                format!(" {t} thr (oversub.) |")
            } else {
                format!(" {t} thr |")
            }
        })
        .collect()
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.2}×"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn print_tables(opts: &Options, r: &Report) -> String {
    let mut s = String::new();
    let cores = r.cores;
    let _ = writeln!(
        s,
        "\n## Throughput: total million operations per second, all threads together (median of {} runs of {} s)\n",
        opts.reps, opts.seconds
    );
    for &w in &opts.workloads {
        let _ = writeln!(s, "### {}: {}\n", w.name(), w.title());
        let _ = writeln!(s, "| cache |{}", thread_header(opts, cores));
        let _ = writeln!(s, "|---|{}", "---|".repeat(opts.threads.len()));
        for m in &opts.caches {
            let mut line = format!("| {} |", m.name);
            for &t in &opts.threads {
                match r.median(w, m.name, t) {
                    Some(v) => {
                        let _ = write!(line, " {v:.1} |");
                    }
                    None => line.push_str(" – |"),
                }
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }

    let quick = opts.caches.iter().any(|m| m.name == "quick_cache");
    let targets: Vec<&str> = opts
        .caches
        .iter()
        .map(|m| m.name)
        .filter(|n| TARGET_POLICIES.contains(n))
        .collect();
    if quick && !targets.is_empty() {
        let _ = writeln!(
            s,
            "## Ratio to quick_cache::sync, same workload and thread count (target ≥ 1.00 everywhere)\n"
        );
        let _ = writeln!(s, "| cache | workload |{}", thread_header(opts, cores));
        let _ = writeln!(s, "|---|---|{}", "---|".repeat(opts.threads.len()));
        let (mut below, mut total) = (0, 0);
        for n in &targets {
            for &w in &opts.workloads {
                let mut line = format!("| {n} | {} |", w.name());
                for &t in &opts.threads {
                    let q = ratio(r.median(w, n, t), r.median(w, "quick_cache", t));
                    if let Some(q) = q {
                        total += 1;
                        if q < 1.0 {
                            below += 1;
                        }
                    }
                    let _ = write!(line, " {} |", fmt_ratio(q));
                }
                let _ = writeln!(s, "{line}");
            }
        }
        let _ = writeln!(s, "\n{below} of {total} cells below 1.00.\n");
    }

    if (opts.workloads.contains(&Workload::Read) || opts.workloads.contains(&Workload::Hot))
        && opts.threads.contains(&1)
        && opts.threads.contains(&2)
    {
        let _ = writeln!(
            s,
            "## Speedup from 1 to 2 threads (total throughput at 2 / at 1; target ≥ 1.80 on read-only for {})\n",
            TARGET_POLICIES.join(", ")
        );
        let _ = writeln!(s, "| cache | read | hot |");
        let _ = writeln!(s, "|---|---|---|");
        for m in &opts.caches {
            let f = |w| ratio(r.median(w, m.name, 2), r.median(w, m.name, 1));
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                m.name,
                fmt_ratio(f(Workload::Read)),
                fmt_ratio(f(Workload::Hot))
            );
        }
        let _ = writeln!(s);
    }

    let zipfs: Vec<Workload> = opts
        .workloads
        .iter()
        .copied()
        .filter(|w| w.mixed())
        .collect();
    if !zipfs.is_empty()
        && opts.threads.contains(&2)
        && opts.caches.iter().any(|m| m.name == "mutex-lru")
    {
        let _ = writeln!(
            s,
            "## Ratio to Mutex<lru::LruCache> at 2 threads on the Zipf mixes (target ≥ 3.00 for {})\n",
            TARGET_POLICIES.join(", ")
        );
        let head: String = zipfs.iter().map(|w| format!(" {} |", w.name())).collect();
        let _ = writeln!(s, "| cache |{head}");
        let _ = writeln!(s, "|---|{}", "---|".repeat(zipfs.len()));
        for m in &opts.caches {
            let mut line = format!("| {} |", m.name);
            for &w in &zipfs {
                let q = ratio(r.median(w, m.name, 2), r.median(w, "mutex-lru", 2));
                let _ = write!(line, " {} |", fmt_ratio(q));
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }

    if opts.threads.contains(&2) && opts.threads.contains(&8) {
        let _ = writeln!(
            s,
            "## Total throughput at 8 threads / at 2 threads (target ≥ 0.80; 8 threads on {cores} cores is oversubscribed)\n"
        );
        let head: String = opts
            .workloads
            .iter()
            .map(|w| format!(" {} |", w.name()))
            .collect();
        let _ = writeln!(s, "| cache |{head}");
        let _ = writeln!(s, "|---|{}", "---|".repeat(opts.workloads.len()));
        for m in &opts.caches {
            let mut line = format!("| {} |", m.name);
            for &w in &opts.workloads {
                let q = ratio(r.median(w, m.name, 8), r.median(w, m.name, 2));
                let _ = write!(line, " {} |", fmt_ratio(q));
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }

    if !r.hit_rows.is_empty() {
        let _ = writeln!(
            s,
            "## Hit ratio: concurrent cache (default shards, driven by one thread) vs the same policy single-threaded\n\n\
             \"get; on a miss, put\" over the same {} keys, Zipf(0.99) over 1M keys, each from an empty cache \
             (the README's hit-ratio sequence). Target: within 0.5 percentage points at capacity 10k and above.\n",
            evict_benches::SEQUENCE_LEN
        );
        let _ = writeln!(
            s,
            "| concurrent cache | single-threaded policy | capacity | single-threaded | concurrent | difference (pp) |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for h in &r.hit_rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.2}% | {:.2}% | {:+.2} |",
                h.cache,
                h.policy,
                h.capacity,
                100.0 * h.single,
                100.0 * h.concurrent,
                100.0 * (h.concurrent - h.single)
            );
        }
        let _ = writeln!(s);
    }

    let with_1_2 = opts.threads.contains(&1) && opts.threads.contains(&2);
    if !zipfs.is_empty() && with_1_2 {
        let _ = writeln!(
            s,
            "## Hit ratio of the gets during the timed 90/10 runs, 1 thread and 2 threads (all runs of the cell summed)\n"
        );
        let head: String = zipfs
            .iter()
            .map(|w| format!(" {0} 1 thr | {0} 2 thr |", w.name()))
            .collect();
        let _ = writeln!(s, "| cache |{head}");
        let _ = writeln!(s, "|---|{}", "---|---|".repeat(zipfs.len()));
        for m in &opts.caches {
            let mut line = format!("| {} |", m.name);
            for &w in &zipfs {
                for t in [1, 2] {
                    match r.cell(w, m.name, t) {
                        Some(c) if c.gets > 0 => {
                            let _ =
                                write!(line, " {:.2}% |", 100.0 * c.hits as f64 / c.gets as f64);
                        }
                        _ => line.push_str(" – |"),
                    }
                }
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }

    for &(w, cache, missing) in &r.missing {
        let _ = writeln!(
            s,
            "note: {cache} did not hold {missing} of the {RESIDENT} keys put for `{}`, so some of its gets missed",
            w.name()
        );
    }
    for w in [Workload::Read, Workload::Hot] {
        for c in r
            .cells
            .iter()
            .filter(|c| c.workload == w && c.hits != c.gets)
        {
            let _ = writeln!(
                s,
                "note: {} at {} threads on `{}` missed {} of {} gets",
                c.cache,
                c.threads,
                w.name(),
                c.gets - c.hits,
                c.gets
            );
        }
    }
    s
}

fn json(opts: &Options, r: &Report) -> serde_json::Value {
    use serde_json::json;
    json!({
        "cores": r.cores,
        "seconds_per_run": opts.seconds,
        "reps": opts.reps,
        "rounds": r.rounds.iter().map(|&(w, t, kept, unquiet, redone)| json!({
            "workload": w.name(), "threads": t, "kept": kept, "not_quiet": unquiet, "redone": redone,
        })).collect::<Vec<_>>(),
        "parallel_checks": r.checks.iter().map(|(when, x)| json!({"when": when, "ratio": x})).collect::<Vec<_>>(),
        "throughput": r.cells.iter().map(|c| json!({
            "workload": c.workload.name(),
            "cache": c.cache,
            "threads": c.threads,
            "mops_median": median(&c.mops),
            "mops_samples": c.mops,
            "gets": c.gets,
            "hits": c.hits,
        })).collect::<Vec<_>>(),
        "hit_ratio": r.hit_rows.iter().map(|h| json!({
            "cache": h.cache,
            "policy": h.policy,
            "capacity": h.capacity,
            "single_threaded": h.single,
            "concurrent": h.concurrent,
        })).collect::<Vec<_>>(),
    })
}

/// Hit ratios of each selected evict policy: single-threaded vs its concurrent cache.
fn hit_ratios(opts: &Options) -> Vec<HitRow> {
    struct Hits<'a> {
        keys: &'a [u64],
        capacity: usize,
        wanted: &'a [ConcurrentMeta],
        out: Vec<(&'static str, &'static str, f64)>,
    }
    impl ConcurrentVisitor for Hits<'_> {
        fn visit<C: Concurrent + 'static, F: Fn(usize) -> C>(
            &mut self,
            m: ConcurrentMeta,
            make: F,
        ) {
            if let Some(policy) = m.policy.filter(|_| self.wanted.contains(&m)) {
                let cache = make(self.capacity);
                let hits = concurrent::count_hits(&cache, self.keys);
                self.out
                    .push((m.name, policy, hits as f64 / self.keys.len() as f64));
            }
        }
    }
    let keys = zipf_sequence(UNIVERSE, 21);
    let mut rows = Vec::new();
    for capacity in [100_000, 10_000] {
        let single = evict_benches::hits_of_all(&keys, capacity);
        let mut conc = Hits {
            keys: &keys,
            capacity,
            wanted: &opts.caches,
            out: Vec::new(),
        };
        concurrent::for_each_concurrent(&mut conc);
        for (name, policy, c) in conc.out {
            if let Some(h) = single.iter().find(|h| h.meta.name == policy) {
                rows.push(HitRow {
                    cache: name,
                    policy,
                    capacity,
                    single: h.ratio(),
                    concurrent: c,
                });
            }
        }
    }
    rows
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse(&args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("threads: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    println!("# Thread-safe caches: throughput and hit ratio\n");
    println!(
        "Machine: {cores} cores ({}). Thread counts above {cores} are oversubscribed: threads take turns \
         on the cores, and a lock holder preempted mid-operation stalls every thread waiting for its lock.",
        cpu_model()
    );
    println!(
        "evict-X = evict_sync::ConcurrentCache over policy X with the default shard count ({} shards at capacity 100k, {} at 10k), \
         built with build_hashed for FIFO, CLOCK, SIEVE and S3-FIFO (each shard uses the cache's hasher: a hit hashes its key once); \
         buffered-X = the same over evict_sync::BufferedHits(X) (hits under the shared lock, replayed at the next write); mutex-lru = std::sync::Mutex<lru::LruCache>; every cache gets the same capacity, u64 keys and values.",
        evict_sync::default_shards(100_000),
        evict_sync::default_shards(10_000)
    );

    let mut report = Report {
        cores,
        cells: Vec::new(),
        checks: Vec::new(),
        hit_rows: Vec::new(),
        missing: Vec::new(),
        rounds: Vec::new(),
    };
    let check = |report: &mut Report, when: &str| {
        let x = parallel_check();
        eprintln!("parallelism check ({when}): 2 threads did {x:.2}× the work of 1");
        report.checks.push((when.to_string(), x));
    };
    check(&mut report, "start");

    let max_threads = opts.threads.iter().copied().max().unwrap_or(1);
    let stop = Stop::After(Duration::from_secs_f64(opts.seconds));
    let mut mixed: Vec<Stream> = Vec::new();
    let mut reads: Vec<Stream> = Vec::new();
    for &w in &opts.workloads {
        // Streams are generated once, for the most threads asked; a run with t threads uses
        // the first t. Thread t's stream has its own seed.
        let t0 = Instant::now();
        if w.mixed() && mixed.is_empty() {
            mixed = (0..max_threads as u64)
                .map(|t| {
                    Stream::mixed(
                        zipf_keys(UNIVERSE, ZIPF_S, STREAM_LEN, 1000 + t),
                        PUT_PERCENT,
                        2000 + t,
                    )
                })
                .collect();
        }
        if w == Workload::Read && reads.is_empty() {
            reads = (0..max_threads as u64)
                .map(|t| Stream::gets(zipf_keys(RESIDENT, ZIPF_S, STREAM_LEN, 3000 + t)))
                .collect();
        }
        let hot: Vec<Stream> = if w == Workload::Hot {
            vec![Stream::gets(vec![key(0); 1024]); max_threads]
        } else {
            Vec::new()
        };
        let streams: &[Stream] = match w {
            Workload::Zipf100k | Workload::Zipf10k => &mixed,
            Workload::Read => &reads,
            Workload::Hot => &hot,
        };

        let mut build = Build {
            wanted: &opts.caches,
            capacity: w.capacity(),
            out: Vec::new(),
        };
        concurrent::for_each_concurrent(&mut build);
        let caches = build.out;
        if w.mixed() {
            let warm = zipf_keys(UNIVERSE, ZIPF_S, WARM_LEN, 999);
            for (_, c) in &caches {
                concurrent::count_hits(c.cache(), &warm);
                c.cache().settle();
            }
        } else {
            for (m, c) in &caches {
                let cache = c.cache();
                for i in 0..RESIDENT as u64 {
                    cache.put(key(i), i);
                }
                cache.settle();
                let missing = (0..RESIDENT as u64)
                    .filter(|&i| !cache.contains(key(i)))
                    .count();
                if missing > 0 {
                    report.missing.push((w, m.name, missing));
                }
            }
        }
        eprintln!(
            "{}: streams and caches ready in {:.1} s",
            w.name(),
            t0.elapsed().as_secs_f64()
        );

        for &t in &opts.threads {
            // Checked right before each 2-thread block: the figures it qualifies.
            if t == 2 {
                check(&mut report, &format!("before {} at 2 threads", w.name()));
            }
            let mut cells: Vec<Cell> = caches
                .iter()
                .map(|(m, _)| Cell {
                    workload: w,
                    cache: m.name,
                    threads: t,
                    mops: Vec::new(),
                    gets: 0,
                    hits: 0,
                })
                .collect();
            // Round-robin over the caches within each repetition, so that a burst of load
            // from elsewhere on the machine costs one run of several caches, not all runs of
            // one.
            let guard = t >= 2 && opts.quiet_wait > 0.0;
            let (mut kept, mut unquiet, mut redone) = (0, 0, 0);
            while kept < opts.reps {
                let before = if guard {
                    wait_quiet(opts.quiet_wait)
                } else {
                    2.0
                };
                let outs: Vec<Outcome> = caches
                    .iter()
                    .map(|(_, c)| c.run(&streams[..t], stop))
                    .collect();
                let after = if guard { quick_check() } else { 2.0 };
                let quiet = before >= PARALLEL_WARN && after >= PARALLEL_WARN;
                if !quiet && redone < opts.reps {
                    redone += 1;
                    continue;
                }
                kept += 1;
                unquiet += usize::from(!quiet);
                for (out, cell) in outs.iter().zip(&mut cells) {
                    cell.mops.push(out.mops());
                    cell.gets += out.gets;
                    cell.hits += out.hits;
                }
            }
            if guard {
                report.rounds.push((w, t, kept, unquiet, redone));
            }
            let line: Vec<String> = cells
                .iter()
                .map(|c| format!("{} {:.1}", c.cache, median(&c.mops)))
                .collect();
            eprintln!("{} {t} thr: {}", w.name(), line.join(", "));
            report.cells.extend(cells);
        }
    }
    check(&mut report, "end");

    if opts.hit_ratio && opts.caches.iter().any(|m| m.policy.is_some()) {
        eprintln!("hit ratios ...");
        report.hit_rows = hit_ratios(&opts);
    }

    println!(
        "\n## Parallelism check (2 × time of a compute loop on 1 thread / time of the same loop on 2 threads at once)\n"
    );
    for (when, x) in &report.checks {
        let warn = if *x < PARALLEL_WARN {
            format!(
                " — WARNING: below {PARALLEL_WARN}, the two threads did not run fully in parallel; distrust the 2-thread figures"
            )
        } else {
            String::new()
        };
        println!("- {when}: {x:.2}×{warn}");
    }
    if !report.rounds.is_empty() {
        println!(
            "\nRounds at 2 threads and more (one run per cache; a round counts as quiet when the parallelism check passed right before and right after it):\n"
        );
        for &(w, t, kept, unquiet, redone) in &report.rounds {
            println!(
                "- {} at {t} threads: {kept} rounds kept, {unquiet} of them not quiet; {redone} rounds redone",
                w.name()
            );
        }
    }
    print!("{}", print_tables(&opts, &report));
    println!(
        "Total time {:.0} s. Command: cargo run --release -p evict-benches --bin threads -- {}",
        started.elapsed().as_secs_f64(),
        args.join(" ")
    );
    if let Some(path) = &opts.json {
        let text = match serde_json::to_string_pretty(&json(&opts, &report)) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("threads: cannot encode JSON: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("threads: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
