//! Single-threaded replay speed of LRU and Bélády on one trace (default: cache2k/orm-busy,
//! 5M requests), the figures of the README's "Speed" section:
//!
//! ```sh
//! cargo run --release -p evict-sim --example speed -- [TRACE] [SIZE]
//! ```
//!
//! Prints the best of 5 runs of each step: LRU's replay through `Box<dyn Cache<u64, ()>>`,
//! Bélády's look-ahead pass (shared by all sizes) and its replay.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use evict_sim::opt::{Oracle, Variant};
use evict_sim::parser::{ReadOptions, read_trace};
use evict_sim::size::SizeSpec;

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..5 {
        let start = Instant::now();
        let r = f();
        best = best.min(start.elapsed());
        out = Some(r);
    }
    (best, out.expect("ran at least once"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/data/traces/cache2k/orm-busy.trace.xz")
        },
        PathBuf::from,
    );
    let spec: SizeSpec = args
        .next()
        .unwrap_or_else(|| "10%".into())
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let trace = read_trace(&path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let n = trace.keys.len() as f64;
    let size = spec.resolve(trace.unique).max(1);
    println!(
        "{}: {} requests, {} distinct keys, size {spec} = {size}",
        trace.name,
        trace.keys.len(),
        trace.unique
    );

    let (lru, lru_hits) = best(|| {
        let mut cache = evict_sim::registry::build("lru", size).expect("lru is registered");
        evict_sim::replay::replay(&mut *cache, &trace.keys, 0, &|_| ())
    });
    let (pass, oracle) = best(|| Oracle::new(&trace.keys));
    let (opt, opt_hits) = best(|| oracle.hits(size, Variant::Bypass, 0, &|_| ()));
    let s = |d: Duration| d.as_secs_f64();
    println!(
        "lru  replay        {:.3} s  {:6.1} M requests/s  hits {lru_hits}",
        s(lru),
        n / s(lru) / 1e6
    );
    println!(
        "opt  look-ahead    {:.3} s  (once per trace, shared by all sizes)",
        s(pass)
    );
    println!(
        "opt  replay        {:.3} s  {:6.1} M requests/s  hits {opt_hits}",
        s(opt),
        n / s(opt) / 1e6
    );
    println!(
        "opt / lru time     {:.2}x (look-ahead + replay) / lru replay",
        (s(pass) + s(opt)) / s(lru)
    );
}
