//! Bytes per entry, peak bytes during the fill, and allocations per put-evict.
//!
//! The counting itself needs a global allocator, which only the binaries install (see
//! `src/bin/memory.rs`): this module takes the counter as a [`Meter`], so that the criterion
//! benches, which link this library, keep the system allocator untouched.

use crate::adapters::BenchCache;
use crate::workload::key;
use crate::{Kind, Meta, Visitor, for_each_impl};

/// What a [`Meter`] saw while a closure ran on the current thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allocs {
    /// Bytes allocated and not freed when the closure returned.
    pub bytes_current: i64,
    /// The most bytes held at once while it ran.
    pub bytes_max: u64,
    /// Allocations made (reallocations count as allocations).
    pub count_total: u64,
}

/// Counts the allocations of a closure.
pub trait Meter {
    /// Runs `f` and reports its allocations.
    fn measure(&self, f: &mut dyn FnMut()) -> Allocs;
}

/// One implementation's memory figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryRow {
    /// Which implementation.
    pub meta: Meta,
    /// Entries held after the fill.
    pub len: usize,
    /// Heap bytes held after the fill, divided by the number of entries put.
    pub bytes_per_entry: f64,
    /// The most heap bytes held at any point of the fill, per entry put.
    pub peak_per_entry: f64,
    /// Allocations during the first `2 × entries` put-evicts of new keys into the full
    /// cache, while the ghost lists of ARC and S3-FIFO fill up (ARC's take more than
    /// `entries` put-evicts to reach `c` ghosts); `None` for the caches that never evict.
    pub allocs_ghost_fill: Option<u64>,
    /// Allocations during the next `entries` put-evicts, everything full: the steady state
    /// that must allocate nothing. `None` for the caches that never evict.
    pub allocs_put_evict: Option<u64>,
    /// Heap bytes held after all `3 × entries` put-evicts, per entry put (ARC's entries are
    /// all hit once before them, so that its ghost lists end up full); `None` for the
    /// caches that never evict.
    pub steady_per_entry: Option<f64>,
}

/// Fills each implementation, created with capacity `entries`, with `entries` distinct
/// `u64 -> u64` pairs, then puts `entries` new keys into the full cache, measuring both with
/// `meter`.
pub fn measure_all<M: Meter>(meter: &M, entries: usize) -> Vec<MemoryRow> {
    measure_some(meter, entries, &|_| true)
}

/// [`measure_all`] for the implementations whose name `keep` accepts only.
pub fn measure_some<M: Meter>(
    meter: &M,
    entries: usize,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<MemoryRow> {
    struct Run<'a, M> {
        meter: &'a M,
        entries: usize,
        keep: &'a dyn Fn(&str) -> bool,
        rows: Vec<MemoryRow>,
    }
    impl<M: Meter> Visitor for Run<'_, M> {
        fn visit<C: BenchCache + 'static, F: Fn(usize) -> C>(&mut self, meta: Meta, make: F) {
            if (self.keep)(meta.name) {
                self.rows
                    .push(measure_one(self.meter, meta, &make, self.entries));
            }
        }
    }
    let mut run = Run {
        meter,
        entries,
        keep,
        rows: Vec::new(),
    };
    for_each_impl(&mut run);
    run.rows
}

fn measure_one<M: Meter, C: BenchCache>(
    meter: &M,
    meta: Meta,
    make: &dyn Fn(usize) -> C,
    entries: usize,
) -> MemoryRow {
    let mut slot: Option<C> = None;
    let fill = meter.measure(&mut || {
        let mut cache = make(entries);
        for i in 0..entries as u64 {
            cache.put(key(i), i);
        }
        cache.settle();
        slot = Some(cache);
    });
    let mut cache = slot.take().expect("the fill closure ran");
    let len = cache.len();
    let per = |bytes: f64| bytes / entries.max(1) as f64;
    let bounded = !matches!(meta.kind, Kind::Limit | Kind::Unbounded);
    if meta.name == "evict-arc" {
        // New keys alone only churn ARC's T1, whose LRU then leaves without a ghost, so
        // its ghost lists would stay empty. A hit on every entry first moves them all to
        // T2; the put-evicts below then fill both ghost lists, to the worst case
        // `[|T1|, |T2|, |B1|, |B2|] = [1, c - 1, c - 1, 1]` (c ghosts). Not measured: hits
        // allocate nothing.
        for i in 0..entries as u64 {
            let _ = cache.get(key(i));
        }
    }
    let mut put_evicts = |rounds: std::ops::Range<u64>| {
        let (start, end) = (entries as u64 * rounds.start, entries as u64 * rounds.end);
        meter.measure(&mut || {
            for i in start..end {
                cache.put(key(i), i);
            }
            cache.settle();
        })
    };
    let ghost_fill = bounded.then(|| put_evicts(1..3));
    let evict = bounded.then(|| put_evicts(3..4));
    drop(cache);
    MemoryRow {
        meta,
        len,
        bytes_per_entry: per(fill.bytes_current as f64),
        peak_per_entry: per(fill.bytes_max as f64),
        allocs_ghost_fill: ghost_fill.map(|a| a.count_total),
        allocs_put_evict: evict.map(|a| a.count_total),
        steady_per_entry: ghost_fill
            .zip(evict)
            .map(|(g, a)| per((fill.bytes_current + g.bytes_current + a.bytes_current) as f64)),
    }
}

/// The rows as a markdown table.
pub fn markdown(rows: &[MemoryRow], entries: usize) -> String {
    let mut out = format!(
        "| implementation | bytes/entry at {entries} entries | peak bytes/entry during the fill | bytes/entry after 3 × {entries} put-evicts | entries held | allocations over the first 2 × {entries} put-evicts (ghost lists filling) | allocations over the next {entries} put-evicts |\n|---|---|---|---|---|---|---|\n"
    );
    for r in rows {
        let count = |n: Option<u64>| match n {
            Some(n) => n.to_string(),
            None => "– (never evicts)".into(),
        };
        let (first, allocs) = (count(r.allocs_ghost_fill), count(r.allocs_put_evict));
        let steady = match r.steady_per_entry {
            Some(b) => format!("{b:.1}"),
            None => "–".into(),
        };
        out += &format!(
            "| {} | {:.1} | {:.1} | {} | {} | {} | {} |\n",
            r.meta.name, r.bytes_per_entry, r.peak_per_entry, steady, r.len, first, allocs
        );
    }
    out
}
