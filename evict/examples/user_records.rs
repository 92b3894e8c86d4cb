//! Python's `tracemalloc` demonstration of `@cache` vs `@lru_cache(maxsize=1000)`, in Rust.
//!
//! `get_user_data(user_id)` builds a record with a 1,000-character random self-introduction.
//! Under `#[evict::cache]` the heap grows linearly with the number of distinct ids (10,000,
//! 100,000, then 1,000,000: about 1.1 GB); under `#[evict::lru_cache(maxsize = 1000)]` it
//! grows for the first 1,000 ids and then stays flat. `cache_clear()` gives it all back.
//!
//! A count of entries bounds memory only when records are the same size. The third part
//! bounds the cache by bytes instead, `#[evict::lru_cache(max_bytes = 4 << 20)]`, and feeds it
//! records of very different sizes: first short introductions (100 to 400 characters), then
//! long ones (4,000 to 16,000). The heap grows to the 4 MiB budget and stays there in both
//! phases; only the cache's own bookkeeping (a few dozen bytes per entry, which `max_bytes`
//! does not count) comes on top, so the small records, being many more, carry a little more.
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

use evict::ByteSize;

/// A user record, as a database call would return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserData {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) introduction: String,
}

/// What a record keeps on the heap, for `max_bytes` (the `Arc` around it adds the record
/// itself and its two counters).
impl ByteSize for UserData {
    fn heap_bytes(&self) -> usize {
        self.name.heap_bytes() + self.introduction.heap_bytes()
    }
}

/// Builds the record for `user_id`: a fixed-width name and a 1,000-character introduction of
/// pseudo-random words (seeded by the id, so a record is the same on every call).
fn load_user(user_id: u64) -> Arc<UserData> {
    load_user_sized(user_id, 1000)
}

/// [`load_user`] with an introduction of `len` characters.
fn load_user_sized(user_id: u64, len: usize) -> Arc<UserData> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz    ";
    let mut rng = evict_slots::SplitMix64::new(user_id ^ evict_slots::GOLDEN_GAMMA);
    let mut introduction = String::with_capacity(len);
    while introduction.len() < len {
        // One 64-bit draw of evict's SplitMix64 gives eight characters.
        for byte in rng.next_u64().to_le_bytes() {
            if introduction.len() < len {
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

/// A budget of 4 MiB for records of any size.
mod by_bytes {
    use super::*;

    /// The budget: `max_bytes` counts each entry's key and value (`size_of`) and what they
    /// hold on the heap (`ByteSize`): here the `Arc`'s record, its name and introduction.
    pub(crate) const BUDGET: u64 = 4 << 20;

    /// Ids below this have short introductions (100 to 400 characters), the others long ones
    /// (4,000 to 16,000): the cache meets small records first, then large ones.
    pub(crate) const FIRST_LARGE_ID: u64 = 1 << 40;

    /// The length of `user_id`'s introduction (a fixed function of the id, so a record is
    /// the same on every call).
    pub(crate) fn introduction_len(user_id: u64) -> usize {
        let spread = evict_slots::mix64(user_id) as usize;
        if user_id < FIRST_LARGE_ID {
            100 + spread % 301
        } else {
            4_000 + spread % 12_001
        }
    }

    /// The record of `user_id`, of which as many as fit in 4 MiB stay in memory.
    #[evict::lru_cache(max_bytes = BUDGET)]
    pub(crate) fn get_user_data(user_id: u64) -> Arc<UserData> {
        load_user_sized(user_id, introduction_len(user_id))
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

/// What [`run_by_bytes`] saw: `(ids so far, heap bytes, entries)` checkpoints in each phase
/// and the heap after `cache_clear()`.
#[derive(Debug, Default)]
pub(crate) struct BytesReport {
    pub(crate) budget: u64,
    pub(crate) small: Vec<(u64, i64, usize)>,
    pub(crate) large: Vec<(u64, i64, usize)>,
    pub(crate) after_clear: i64,
}

/// Calls `by_bytes::get_user_data` for `small_ids` ids with short introductions, then
/// `large_ids` ids with long ones, printing the heap at every tenth of each phase.
pub(crate) fn run_by_bytes(
    out: &mut impl Write,
    small_ids: u64,
    large_ids: u64,
) -> io::Result<BytesReport> {
    let budget = by_bytes::BUDGET;
    let mut report = BytesReport {
        budget,
        ..BytesReport::default()
    };
    let mib = |b: i64| b as f64 / (1024.0 * 1024.0);
    writeln!(out, "#[evict::lru_cache(max_bytes = 4 << 20)]:")?;
    let mut heap = Heap::default();
    for (phase, first, count) in [
        ("short", 0, small_ids),
        ("long", by_bytes::FIRST_LARGE_ID, large_ids),
    ] {
        writeln!(out, "  records with {phase} introductions:")?;
        let every = (count / 10).max(1);
        for i in 0..count {
            heap.measure(|| {
                black_box(by_bytes::get_user_data(first + i));
            });
            if (i + 1).is_multiple_of(every) {
                let entries = by_bytes::get_user_data::cache_info().currsize;
                writeln!(
                    out,
                    "  {:>7} ids: heap {:>6.3} MiB ({:>5.1}% of the budget), {entries:>5} entries",
                    i + 1,
                    mib(heap.bytes),
                    100.0 * heap.bytes as f64 / budget as f64,
                )?;
                let checkpoint = (i + 1, heap.bytes, entries);
                if first == 0 {
                    report.small.push(checkpoint);
                } else {
                    report.large.push(checkpoint);
                }
            }
        }
    }
    writeln!(out, "  {}", by_bytes::get_user_data::cache_info())?;
    writeln!(out, "  {}", by_bytes::get_user_data::cache_parameters())?;
    // What the heap holds beyond the budget: the cache's bookkeeping, which `max_bytes`
    // does not count, for the most entries it has held (its table and slab keep that room).
    let most = report
        .small
        .iter()
        .chain(&report.large)
        .map(|c| c.2)
        .max()
        .unwrap_or(0);
    let peak = report
        .small
        .iter()
        .chain(&report.large)
        .map(|c| c.1)
        .max()
        .unwrap_or(0);
    writeln!(
        out,
        "  peak heap {:.3} MiB: {:.1} bytes beyond the budget per entry, at most {most} entries",
        mib(peak),
        (peak - report.budget as i64) as f64 / most.max(1) as f64
    )?;
    heap.measure(by_bytes::get_user_data::cache_clear);
    writeln!(out, "  after cache_clear(): heap {} bytes", heap.bytes)?;
    report.after_clear = heap.bytes;
    Ok(report)
}

fn main() -> io::Result<()> {
    let mut out = io::stdout().lock();
    run(&mut out, &[10_000, 100_000, 1_000_000], 2_000, 100)?;
    run_by_bytes(&mut out, 100_000, 10_000)?;
    Ok(())
}
