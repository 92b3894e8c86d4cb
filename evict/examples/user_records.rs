//! Python's `tracemalloc` demonstration of `@cache` vs `@lru_cache(maxsize=1000)`, in Rust.
//!
//! `get_user_data(user_id)` builds a record with a 1,000-character random self-introduction.
//! Under `#[evict::cache]` the heap grows linearly with the number of distinct ids (10,000,
//! 100,000, then 1,000,000: about 1.1 GB); under `#[evict::lru_cache(maxsize = 1000)]` it
//! grows for the first 1,000 ids and then stays flat. `cache_clear()` gives it all back.
//!
//! The heap is measured by a counting global allocator (the `allocation-counter` crate, so
//! this example needs no `unsafe`): every call is measured and the net bytes it left
//! allocated are summed, which is the memory the cache holds.
//!
//! ```text
//! cargo run --release -p evict --example user_records
//! ```

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::Arc;

/// A user record, as a database call would return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserData {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) introduction: String,
}

/// Builds the record for `user_id`: a fixed-width name and a 1,000-character introduction of
/// pseudo-random words (seeded by the id, so a record is the same on every call).
fn load_user(user_id: u64) -> Arc<UserData> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz    ";
    let mut rng = evict_slots::SplitMix64::new(user_id ^ evict_slots::GOLDEN_GAMMA);
    let mut introduction = String::with_capacity(1000);
    while introduction.len() < 1000 {
        // One 64-bit draw of evict's SplitMix64 gives eight characters.
        for byte in rng.next_u64().to_le_bytes() {
            if introduction.len() < 1000 {
                introduction.push(char::from(LETTERS[usize::from(byte) % LETTERS.len()]));
            }
        }
    }
    Arc::new(UserData {
        id: user_id,
        name: format!("user{user_id:07}"),
        introduction,
    })
}

/// Python's `@cache`: every record ever requested stays in memory.
mod unbounded {
    use super::*;

    /// The record of `user_id`; the value is an `Arc`, so a hit clones a pointer, not 1 KB.
    #[evict::cache]
    pub(crate) fn get_user_data(user_id: u64) -> Arc<UserData> {
        load_user(user_id)
    }
}

/// Python's `@lru_cache(maxsize=1000)`: at most 1,000 records.
mod bounded {
    use super::*;

    /// The record of `user_id`, of which the 1,000 most recently used stay in memory.
    #[evict::lru_cache(maxsize = 1000)]
    pub(crate) fn get_user_data(user_id: u64) -> Arc<UserData> {
        load_user(user_id)
    }
}

/// The heap left allocated by what it measured: a running sum of the net bytes of each
/// measured call.
#[derive(Debug, Default)]
struct Heap {
    bytes: i64,
}

impl Heap {
    fn measure(&mut self, f: impl FnOnce()) {
        self.bytes += allocation_counter::measure(f).bytes_current;
    }
}

/// What [`run`] saw: `(distinct ids so far, heap bytes)` checkpoints and the heap after
/// each `cache_clear()`.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) unbounded: Vec<(u64, i64)>,
    pub(crate) unbounded_after_clear: i64,
    pub(crate) bounded: Vec<(u64, i64)>,
    pub(crate) bounded_after_clear: i64,
}

/// Calls `unbounded::get_user_data` for ids `0..sizes[i]` (cumulatively), then
/// `bounded::get_user_data` for ids `0..bounded_ids`, printing the heap every `every` calls.
pub(crate) fn run(
    out: &mut impl Write,
    sizes: &[u64],
    bounded_ids: u64,
    every: u64,
) -> io::Result<Report> {
    let mut report = Report::default();
    let mib = |b: i64| b as f64 / (1024.0 * 1024.0);

    writeln!(out, "#[evict::cache] (unbounded):")?;
    let mut heap = Heap::default();
    let mut next = 0;
    for &size in sizes {
        while next < size {
            heap.measure(|| {
                black_box(unbounded::get_user_data(next));
            });
            next += 1;
        }
        writeln!(
            out,
            "  {size:>9} ids: heap {:>9.1} MiB  ({} bytes per record)  {}",
            mib(heap.bytes),
            heap.bytes / size.max(1) as i64,
            unbounded::get_user_data::cache_info()
        )?;
        report.unbounded.push((size, heap.bytes));
    }
    heap.measure(unbounded::get_user_data::cache_clear);
    writeln!(out, "  after cache_clear(): heap {} bytes", heap.bytes)?;
    report.unbounded_after_clear = heap.bytes;

    writeln!(out, "#[evict::lru_cache(maxsize = 1000)]:")?;
    let mut heap = Heap::default();
    for id in 0..bounded_ids {
        heap.measure(|| {
            black_box(bounded::get_user_data(id));
        });
        if (id + 1).is_multiple_of(every) {
            writeln!(
                out,
                "  {:>5} ids: heap {:>8.3} MiB",
                id + 1,
                mib(heap.bytes)
            )?;
            report.bounded.push((id + 1, heap.bytes));
        }
    }
    writeln!(out, "  {}", bounded::get_user_data::cache_info())?;
    heap.measure(bounded::get_user_data::cache_clear);
    writeln!(out, "  after cache_clear(): heap {} bytes", heap.bytes)?;
    report.bounded_after_clear = heap.bytes;
    Ok(report)
}

fn main() -> io::Result<()> {
    run(
        &mut io::stdout().lock(),
        &[10_000, 100_000, 1_000_000],
        2_000,
        100,
    )
    .map(|_| ())
}
