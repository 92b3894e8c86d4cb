//! Prints a markdown table of heap bytes per entry, the peak during the fill, and the
//! allocations over a million put-evicts on a full cache, for every implementation.
//!
//! Usage: `cargo run --release -p evict-benches --bin memory [ENTRIES] [NAME...]` (default
//! 1000000 entries, every implementation; names keep only the implementations named exactly,
//! e.g. `evict-lru schnellru`).
#![forbid(unsafe_code)]

#[path = "shared/meter.rs"]
mod meter;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let entries = match args.next() {
        None => 1_000_000,
        Some(arg) => match arg.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("memory: ENTRIES must be a positive integer, got {arg:?}");
                return ExitCode::from(2);
            }
        },
    };
    let only: Vec<String> = args.collect();
    let keep = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let rows = evict_benches::memory::measure_some(&meter::Counter, entries, &keep);
    print!("{}", evict_benches::memory::markdown(&rows, entries));
    ExitCode::SUCCESS
}
