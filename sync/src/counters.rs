//! Exact hit and miss counters that cost a hit no locked instruction.
//!
//! Every live thread that has counted has a number of its own, a *slot*, handed out on its
//! first count and given back when it exits (so the numbers stay below the most threads
//! alive at once, however many come and go). A cache keeps one pair of counters per slot,
//! each pair on its own cache line: a pair has a single writer, so counting is a plain load
//! and store (`counter.store(counter.load() + 1)`), not a read-modify-write with a `lock`
//! prefix. That prefix was the one locked instruction of a hit beyond the shard's read lock
//! and unlock, and cost the 1-thread hit about a fifth of its time (measured: see the crate's
//! notes). A thread whose slot is past the cache's owned pairs (more threads alive than the
//! cache planned for) counts into shared stripes with an atomic add, as every thread did
//! before: exact too, just slower.
//!
//! `clear` cannot zero a pair that its owner may be writing (the owner's store of the old
//! value plus one would undo the zero), so it moves a baseline instead: `info` reports the
//! sums minus the baseline.

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use crossbeam_utils::CachePadded;

#[derive(Debug, Default)]
struct Pair {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Pair {
    fn get(&self) -> (u64, u64) {
        (self.hits.load(Relaxed), self.misses.load(Relaxed))
    }
}

#[derive(Debug)]
#[repr(C)]
pub(crate) struct Counters {
    /// The owned pairs, flat: the thread whose index ([`index_now`]) is `i` counts its hits
    /// in cell `i` and its misses in cell `i + 1`, and writes no other cell. Indices are
    /// multiples of [`STRIDE`] from `STRIDE` on (the first `STRIDE` cells are padding), so
    /// two threads' pairs are 128 bytes apart and never share a cache line, whatever the
    /// allocation's alignment. Flat rather than a slice of padded pairs so that a count is
    /// one indexed increment: the thread-local holds the index already scaled, and a hit
    /// needs no multiply, no select between its two counters and no second address.
    owned: Box<[AtomicU64]>,
    /// For threads whose slot is past the owned pairs: atomic adds.
    shared: Box<[CachePadded<Pair>]>,
    /// The sums at the last `clear`.
    base: std::sync::Mutex<(u64, u64)>,
}

/// Cells per owned pair: 16 × 8 bytes = 128, two cache lines (and the adjacent-line
/// prefetcher's pair), so that no two threads' counters share a line.
const STRIDE: usize = 16;

/// Owned pairs per cache: four per core, at least 16, as a power of two (so 16 on 2 cores,
/// 2 KiB). Threads past that many alive at once count through the shared stripes.
fn owned_count() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores.saturating_mul(4).clamp(16, 4096).next_power_of_two()
}

/// Shared stripes: twice the cores, as a power of two, so that the threads beyond the owned
/// pairs rarely share one.
fn shared_count() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores.saturating_mul(2).clamp(1, 256).next_power_of_two()
}

/// No slot yet: the next count takes one. Like every value below, past any owned pair, and
/// so is `UNSET + 1` (a miss's cell): [`Counters::count`] tests the index once and takes its
/// slow path for all of them.
const UNSET: usize = usize::MAX - 1;
/// This thread gave its slot back (it is exiting, running thread-local destructors): it
/// counts through the shared stripes from now on.
const GONE: usize = usize::MAX - 3;

std::thread_local! {
    /// This thread's counter index: `STRIDE * (slot + 1)`, or `UNSET` / `GONE`.
    /// `const`-initialised and without a destructor, so reading it is one thread-local load,
    /// and stays valid while other thread-locals are being destroyed.
    static INDEX: Cell<usize> = const { Cell::new(UNSET) };
    /// Gives the slot back when the thread exits (a separate thread-local: only this one
    /// needs a destructor, registered once, on the first count).
    static RETURN: Return = const { Return(Cell::new(usize::MAX)) };
}

/// Slots given back by threads that exited, and the next never-used one.
static FREE: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The slot this thread holds (`usize::MAX`: none), to give back when it exits.
struct Return(Cell<usize>);

impl Drop for Return {
    fn drop(&mut self) {
        let slot = self.0.get();
        if slot != usize::MAX {
            // From here on this thread must not write the pairs of `slot`: another thread
            // may own it as soon as it is on the list.
            INDEX.with(|s| s.set(GONE));
            free_list().push(slot);
        }
    }
}

/// The free list, also after a thread panicked while holding it (it only pushes and pops).
fn free_list() -> std::sync::MutexGuard<'static, Vec<usize>> {
    FREE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A small number for this thread, distinct among the threads alive at once that hold a
/// slot: the lossy buffers' choice of buffer (`BufferedHits`).
#[inline]
pub(crate) fn stripe() -> usize {
    let index = INDEX.with(Cell::get);
    if index != UNSET {
        return index / STRIDE;
    }
    take_slot() / STRIDE
}

/// This thread's counter index as it is: `UNSET` before its first count (past every owned
/// pair, like `GONE`, so [`Counters::count`] tests the index once and takes its slow path
/// then).
#[inline(always)]
fn index_now() -> usize {
    INDEX.with(Cell::get)
}

/// Takes a slot for this thread and returns its counter index.
#[cold]
#[inline(never)]
fn take_slot() -> usize {
    let slot = free_list()
        .pop()
        .unwrap_or_else(|| NEXT.fetch_add(1, Relaxed));
    // An index that would reach the sentinels (2^59 threads) counts through the stripes.
    let index = slot
        .checked_add(1)
        .and_then(|n| n.checked_mul(STRIDE))
        .filter(|&i| i < GONE);
    // Hand the slot out only if this thread will give it back: a thread already destroying
    // its thread-locals cannot register the destructor, so it returns the slot at once.
    let kept = index.is_some() && RETURN.try_with(|r| r.0.set(slot)).is_ok();
    match index {
        Some(index) if kept => {
            INDEX.with(|s| s.set(index));
            index
        }
        _ => {
            free_list().push(slot);
            INDEX.with(|s| s.set(GONE));
            GONE
        }
    }
}

impl Counters {
    pub(crate) fn new() -> Self {
        let cells = (owned_count() + 1) * STRIDE;
        Self {
            owned: (0..cells).map(|_| AtomicU64::new(0)).collect(),
            shared: (0..shared_count())
                .map(|_| CachePadded::default())
                .collect(),
            base: std::sync::Mutex::new((0, 0)),
        }
    }

    /// Counts one hit of this thread.
    #[inline(always)]
    pub(crate) fn hit(&self) {
        self.count(index_now(), false);
    }

    /// Counts one miss of this thread.
    #[inline(always)]
    pub(crate) fn miss(&self) {
        // No overflow: the largest index is `UNSET`, one below `usize::MAX`.
        self.count(index_now() + 1, true);
    }

    /// Counts one hit or one miss.
    #[inline]
    pub(crate) fn record(&self, hit: bool) {
        if hit { self.hit() } else { self.miss() }
    }

    /// Adds one to cell `cell` (this thread's index, plus one for a miss).
    #[inline(always)]
    fn count(&self, cell: usize, miss: bool) {
        if let Some(counter) = self.owned.get(cell) {
            // This thread is the cell's only writer (the slot is its own until it exits, and
            // the free list's lock orders a previous owner's last count before this one), so
            // a load and a store count exactly, with no locked instruction.
            counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
        } else {
            self.count_slow(cell - usize::from(miss), miss);
        }
    }

    /// A thread past the owned pairs, or one counting for the first time (`UNSET`: it takes
    /// a slot, then counts in its pair if that is owned).
    #[cold]
    #[inline(never)]
    fn count_slow(&self, index: usize, miss: bool) {
        let index = if index == UNSET { take_slot() } else { index };
        let cell = index.saturating_add(usize::from(miss));
        if let Some(counter) = self.owned.get(cell) {
            counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
            return;
        }
        let pair = &self.shared[(index / STRIDE) & (self.shared.len() - 1)];
        let counter = if miss { &pair.misses } else { &pair.hits };
        counter.fetch_add(1, Relaxed);
    }

    fn raw_sum(&self) -> (u64, u64) {
        let owned = self
            .owned
            .chunks_exact(STRIDE)
            .map(|pair| (pair[0].load(Relaxed), pair[1].load(Relaxed)));
        owned
            .chain(self.shared.iter().map(|pair| pair.get()))
            .fold((0u64, 0u64), |(h, m), (ph, pm)| {
                (h.wrapping_add(ph), m.wrapping_add(pm))
            })
    }

    fn base(&self) -> std::sync::MutexGuard<'_, (u64, u64)> {
        self.base
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hits and misses since the last [`reset`](Self::reset).
    pub(crate) fn sum(&self) -> (u64, u64) {
        // Under the baseline's lock, so that a `reset` cannot fall between the two reads.
        let base = self.base();
        let (h, m) = self.raw_sum();
        (h.wrapping_sub(base.0), m.wrapping_sub(base.1))
    }

    /// Starts the counts again from zero: counts that run meanwhile land before or after.
    pub(crate) fn reset(&self) {
        let mut base = self.base();
        *base = self.raw_sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    /// One test, so that no other test's threads take or give back slots meanwhile.
    #[test]
    fn slots_and_counts() {
        // Four threads alive at once get four distinct slots.
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    let slot = stripe();
                    barrier.wait();
                    slot
                })
            })
            .collect();
        // `join` returns after the thread's thread-local destructors ran.
        let slots: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let mut distinct = slots.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            4,
            "two live threads shared a slot: {slots:?}"
        );
        // They gave their slots back: the next thread takes one of them, not a new number.
        let again = std::thread::spawn(stripe).join().unwrap();
        assert!(
            slots.contains(&again),
            "slot {again} is not one of {slots:?}"
        );

        // Exact counts with more threads alive than owned pairs (some count through the
        // shared stripes), and a reset.
        let counters = Arc::new(Counters::new());
        let threads = owned_count() + 8;
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (counters, barrier) = (Arc::clone(&counters), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    // Every thread takes its slot while all are alive.
                    let slot = stripe();
                    barrier.wait();
                    for i in 0..1000 {
                        counters.record((i + t) % 3 != 0);
                    }
                    slot
                })
            })
            .collect();
        let slots: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        // `stripe` is the slot plus one: a slot of `owned_count()` or more is past the pairs.
        assert!(
            slots.iter().any(|&s| s > owned_count()),
            "no thread used the shared stripes"
        );
        let (h, m) = counters.sum();
        assert_eq!(h + m, threads as u64 * 1000);
        let misses: u64 = (0..threads as u64)
            .map(|t| (0..1000u64).filter(|i| (i + t) % 3 == 0).count() as u64)
            .sum();
        assert_eq!(m, misses);
        counters.reset();
        assert_eq!(counters.sum(), (0, 0));
        counters.record(true);
        counters.record(false);
        counters.record(false);
        assert_eq!(counters.sum(), (1, 2));
    }
}
