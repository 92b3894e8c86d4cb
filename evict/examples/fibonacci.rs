//! Python's classic `@cache` demonstration in Rust: a naive recursive Fibonacci, then the
//! same function under `#[evict::cache]` and `#[evict::lru_cache]`, with the speedup; then
//! `#[evict::lru_cache(maxsize = 32)]` and its `cache_info()`, byte for byte what
//! `functools.lru_cache(maxsize=32)` prints for `fib(30)`.
//!
//! ```text
//! cargo run --release -p evict --example fibonacci
//! ```

use std::hint::black_box;
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// The naive version: about 2.7 million calls for `fib(30)`.
/// (`black_box` keeps the optimizer from rewriting the recursion into a loop, which would
/// make the comparison meaningless.)
fn fib_uncached(n: u64) -> u64 {
    let n = black_box(n);
    if n < 2 {
        n
    } else {
        fib_uncached(n - 1) + fib_uncached(n - 2)
    }
}

/// Python's `@cache`.
#[evict::cache]
fn fib_cache(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_cache(n - 1) + fib_cache(n - 2)
    }
}

/// Python's `@lru_cache` (maxsize 128, Python's default).
#[evict::lru_cache]
fn fib_lru(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_lru(n - 1) + fib_lru(n - 2)
    }
}

/// Python's `@lru_cache(maxsize=32)`.
#[evict::lru_cache(maxsize = 32)]
fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

/// Times `f`, starting from an empty cache each run (`reset`), and keeps the best of
/// `runs` runs, as `timeit` does.
fn best_of(runs: u32, mut reset: impl FnMut(), mut f: impl FnMut() -> u64) -> (u64, Duration) {
    let mut best = Duration::MAX;
    let mut result = 0;
    for _ in 0..runs {
        reset();
        let start = Instant::now();
        result = black_box(f());
        best = best.min(start.elapsed());
    }
    (result, best)
}

/// Writes the whole demonstration to `out`; the last two lines are the `cache_info()` lines.
pub(crate) fn run(out: &mut impl Write) -> io::Result<()> {
    let n = black_box(30);
    let (plain, t_plain) = best_of(3, || {}, || fib_uncached(n));
    let (cached, t_cache) = best_of(3, fib_cache::cache_clear, || fib_cache(n));
    let (lru, t_lru) = best_of(3, fib_lru::cache_clear, || fib_lru(n));
    assert_eq!((plain, cached, lru), (832_040, 832_040, 832_040));
    let speedup = |t: Duration| t_plain.as_secs_f64() / t.as_secs_f64().max(1e-9);
    writeln!(out, "fib(30) = {plain}")?;
    writeln!(out, "uncached:           {:>12.3?}", t_plain)?;
    writeln!(
        out,
        "#[cache]:           {:>12.3?}  ({:.0}x faster)",
        t_cache,
        speedup(t_cache)
    )?;
    writeln!(
        out,
        "#[lru_cache]:       {:>12.3?}  ({:.0}x faster)",
        t_lru,
        speedup(t_lru)
    )?;
    writeln!(
        out,
        "(times are the best of 3 runs, each from an empty cache)"
    )?;
    writeln!(out)?;

    writeln!(out, "#[lru_cache(maxsize = 32)]: fib(30) = {}", fib(30))?;
    writeln!(out, "{}", fib::cache_info())?;
    fib::cache_clear();
    writeln!(out, "{}", fib::cache_info())?;
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout().lock())
}
