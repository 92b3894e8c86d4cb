//! Prints a markdown table of heap bytes per entry, the peak during the fill, and the
//! allocations over a million put-evicts on a full cache, for every implementation.
//!
//! Usage: `cargo run --release -p evict-benches --bin memory [ENTRIES]` (default 1000000).
#![forbid(unsafe_code)]

#[path = "shared/meter.rs"]
mod meter;

use std::process::ExitCode;

fn main() -> ExitCode {
    let entries = match std::env::args().nth(1) {
        None => 1_000_000,
        Some(arg) => match arg.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("memory: ENTRIES must be a positive integer, got {arg:?}");
                return ExitCode::from(2);
            }
        },
    };
    let rows = evict_benches::memory::measure_all(&meter::Counter, entries);
    print!("{}", evict_benches::memory::markdown(&rows, entries));
    ExitCode::SUCCESS
}
