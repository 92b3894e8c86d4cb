//! Exact hit and miss counters that threads do not fight over: one pair per stripe, each
//! stripe on its own cache line, each thread always counting into the same stripe. A
//! single shared counter would make every hit, even under a shared lock, bounce one cache
//! line between cores; that alone serializes hits on a hot key.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use crossbeam_utils::CachePadded;

#[derive(Debug, Default)]
struct Pair {
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Debug)]
pub(crate) struct Counters {
    stripes: Box<[CachePadded<Pair>]>,
}

/// Stripes per cache: twice the cores, as a power of two, so that threads rarely share one
/// even when a few more threads than cores run.
fn stripe_count() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores.saturating_mul(2).clamp(1, 256).next_power_of_two()
}

/// This thread's stripe number, handed out in turn on first use. A `const`-initialised
/// thread-local (no lazy registration, no destructor) makes the common path one TLS load
/// and a compare: this runs on every `get`.
#[inline]
pub(crate) fn stripe() -> usize {
    use core::cell::Cell;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::thread_local! {
        static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    STRIPE.with(|s| {
        let mine = s.get();
        if mine != usize::MAX {
            return mine;
        }
        // `usize::MAX` marks "not yet handed out"; the counter would need 2^64 threads to
        // reach it, and a stripe number is only ever used masked.
        let mine = NEXT.fetch_add(1, Relaxed) & (usize::MAX >> 1);
        s.set(mine);
        mine
    })
}

impl Counters {
    pub(crate) fn new() -> Self {
        Self {
            stripes: (0..stripe_count())
                .map(|_| CachePadded::default())
                .collect(),
        }
    }

    #[inline]
    pub(crate) fn record(&self, hit: bool) {
        let pair = &self.stripes[stripe() & (self.stripes.len() - 1)];
        let counter = if hit { &pair.hits } else { &pair.misses };
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn sum(&self) -> (u64, u64) {
        self.stripes.iter().fold((0, 0), |(h, m), pair| {
            (h + pair.hits.load(Relaxed), m + pair.misses.load(Relaxed))
        })
    }

    pub(crate) fn reset(&self) {
        for pair in self.stripes.iter() {
            pair.hits.store(0, Relaxed);
            pair.misses.store(0, Relaxed);
        }
    }
}
