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
pub(crate) struct Counters {
    /// Indexed by slot; written only by the thread that holds the slot.
    owned: Box<[CachePadded<Pair>]>,
    /// For threads whose slot is `owned.len()` or more: atomic adds.
    shared: Box<[CachePadded<Pair>]>,
    /// The sums at the last `clear`.
    base: std::sync::Mutex<(u64, u64)>,
}

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

/// No slot yet: the next count takes one.
const UNSET: usize = usize::MAX;
/// This thread gave its slot back (it is exiting, running thread-local destructors): it
/// counts through the shared stripes from now on. Past every owned pair by construction.
const GONE: usize = usize::MAX - 1;

std::thread_local! {
    /// This thread's slot. `const`-initialised and without a destructor, so reading it is one
    /// thread-local load, and stays valid while other thread-locals are being destroyed.
    static SLOT: Cell<usize> = const { Cell::new(UNSET) };
    /// Gives the slot back when the thread exits (a separate thread-local: only this one
    /// needs a destructor, registered once, on the first count).
    static RETURN: Return = const { Return(Cell::new(UNSET)) };
}

/// Slots given back by threads that exited, and the next never-used one.
static FREE: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());
static NEXT: AtomicUsize = AtomicUsize::new(0);

struct Return(Cell<usize>);

impl Drop for Return {
    fn drop(&mut self) {
        let slot = self.0.get();
        if slot != UNSET {
            // From here on this thread must not write the pairs of `slot`: another thread
            // may own it as soon as it is on the list.
            SLOT.with(|s| s.set(GONE));
            free_list().push(slot);
        }
    }
}

/// The free list, also after a thread panicked while holding it (it only pushes and pops).
fn free_list() -> std::sync::MutexGuard<'static, Vec<usize>> {
    FREE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// This thread's slot number. Distinct among the threads alive at once, small when few are;
/// also the lossy buffers' choice of buffer (`BufferedHits`).
#[inline]
pub(crate) fn stripe() -> usize {
    let slot = SLOT.with(Cell::get);
    if slot != UNSET {
        return slot;
    }
    take_slot()
}

/// This thread's slot as it is: `UNSET` before its first count (past every owned pair,
/// like `GONE`, so [`Counters::record`] tests the slot once and takes its slow path then).
#[inline]
fn slot_now() -> usize {
    SLOT.with(Cell::get)
}

#[cold]
#[inline(never)]
fn take_slot() -> usize {
    let slot = free_list()
        .pop()
        .unwrap_or_else(|| NEXT.fetch_add(1, Relaxed));
    // Hand the slot out only if this thread will give it back: a thread already destroying
    // its thread-locals cannot register the destructor, so it returns the slot at once.
    // (`NEXT` would need 2^64 - 2 threads to reach `GONE`.)
    let kept = RETURN.try_with(|r| r.0.set(slot)).is_ok();
    if kept {
        SLOT.with(|s| s.set(slot));
        slot
    } else {
        free_list().push(slot);
        SLOT.with(|s| s.set(GONE));
        GONE
    }
}

impl Counters {
    pub(crate) fn new() -> Self {
        let pairs = |n: usize| (0..n).map(|_| CachePadded::default()).collect();
        Self {
            owned: pairs(owned_count()),
            shared: pairs(shared_count()),
            base: std::sync::Mutex::new((0, 0)),
        }
    }

    #[inline]
    pub(crate) fn record(&self, hit: bool) {
        let slot = slot_now();
        if let Some(pair) = self.owned.get(slot) {
            let counter = if hit { &pair.hits } else { &pair.misses };
            // This thread is the pair's only writer (the slot is its own until it exits, and
            // the free list's lock orders a previous owner's last count before this one), so
            // a load and a store count exactly, with no locked instruction.
            counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
        } else {
            self.record_shared(slot, hit);
        }
    }

    /// A thread past the owned pairs, or one counting for the first time (`UNSET`: it takes
    /// a slot, then counts in its pair if that is owned).
    #[cold]
    #[inline(never)]
    fn record_shared(&self, slot: usize, hit: bool) {
        if slot == UNSET {
            let slot = take_slot();
            if slot < self.owned.len() {
                return self.record(hit);
            }
            return self.record_shared(slot, hit);
        }
        let pair = &self.shared[slot & (self.shared.len() - 1)];
        let counter = if hit { &pair.hits } else { &pair.misses };
        counter.fetch_add(1, Relaxed);
    }

    fn raw_sum(&self) -> (u64, u64) {
        self.owned
            .iter()
            .chain(self.shared.iter())
            .fold((0u64, 0u64), |(h, m), pair| {
                let (ph, pm) = pair.get();
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
        assert!(
            slots.iter().any(|&s| s >= owned_count()),
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
