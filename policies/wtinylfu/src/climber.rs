//! The adaptive variant: Caffeine's hill climber, which moves capacity between the window
//! and the protected segment.

use core::hash::{BuildHasher, Hash};
use evict_slots::weight::Weighs;

use crate::WTinyLfuCache;
use crate::node::Segment;

/// Caffeine's hill climber (the library's, `BoundedLocalCache.climb`): every
/// `sample` lookups made while the cache is full, compare the hit ratio with the previous
/// sample's; keep stepping the window in the same direction if it did not get worse, else
/// turn round. The step starts at 6.25% of the capacity, decays by 2% per sample, and
/// restarts at 6.25% when the hit ratio moves by 5 points or more.
#[derive(Clone, Debug)]
pub(crate) struct Climber {
    hits: u64,
    misses: u64,
    /// Lookups per sample.
    sample: u64,
    /// Whether `sample` is Caffeine's `10 × capacity` (and follows a resize).
    scaled: bool,
    /// The initial (and restart) step, as a share of the capacity.
    step_percent: f64,
    previous_hit_ratio: f64,
    /// Signed: positive grows the window.
    step: f64,
}

const STEP_PERCENT: f64 = 0.0625;
const STEP_DECAY: f64 = 0.98;
const RESTART_THRESHOLD: f64 = 0.05;

impl Climber {
    /// Caffeine's climber for `capacity`: a sample of `10 × capacity` lookups, a step of
    /// 6.25% of the capacity.
    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            scaled: true,
            ..Self::tuned(10 * u64::from(capacity.max(1)), STEP_PERCENT, capacity)
        }
    }

    /// A climber with a sample of `sample` lookups and a step of `step_percent` of the
    /// capacity (for tests, which need the window to move in small caches and short runs).
    pub(crate) fn tuned(sample: u64, step_percent: f64, capacity: u32) -> Self {
        Self {
            hits: 0,
            misses: 0,
            sample: sample.max(1),
            scaled: false,
            step_percent,
            previous_hit_ratio: 0.0,
            // Caffeine starts by shrinking the window.
            step: -step_percent * f64::from(capacity),
        }
    }

    /// Counts a lookup; returns the adjustment (entries, signed) when a sample completes.
    fn record(&mut self, hit: bool, capacity: u32) -> i64 {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        let requests = self.hits + self.misses;
        if requests < self.sample {
            return 0;
        }
        let hit_ratio = self.hits as f64 / requests as f64;
        let change = hit_ratio - self.previous_hit_ratio;
        let amount = if change >= 0.0 { self.step } else { -self.step };
        let restart = if change >= 0.0 { change } else { -change } >= RESTART_THRESHOLD;
        self.step = if restart {
            let size = self.step_percent * f64::from(capacity);
            if amount >= 0.0 { size } else { -size }
        } else {
            STEP_DECAY * amount
        };
        self.previous_hit_ratio = hit_ratio;
        self.hits = 0;
        self.misses = 0;
        amount as i64
    }

    /// The climber a new cache of `capacity` would have, with these settings: what `clear`
    /// and `resize` start again from.
    pub(crate) fn restarted(&self, capacity: u32) -> Self {
        if self.scaled {
            Self::new(capacity)
        } else {
            Self::tuned(self.sample, self.step_percent, capacity)
        }
    }

    #[cfg(test)]
    pub(crate) fn check(&self) {
        assert!(self.hits + self.misses < self.sample);
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> WTinyLfuCache<K, V, S, W> {
    /// The adaptive variant's step after a lookup.
    #[inline(never)]
    pub(crate) fn climb(&mut self, hit: bool) {
        let Some(climber) = &mut self.climber else {
            return;
        };
        // As Caffeine: only lookups made while the cache is full are sampled.
        if self.slab.len() < self.capacity as usize {
            return;
        }
        let amount = climber.record(hit, self.capacity);
        if amount > 0 {
            self.grow_window(amount.unsigned_abs());
        } else if amount < 0 {
            self.shrink_window(amount.unsigned_abs());
        }
    }

    /// Moves up to `amount` entries of capacity from protected to the window; the window's
    /// new room is filled from the LRU ends of probation (then protected).
    fn grow_window(&mut self, amount: u64) {
        let steps = amount.min(u64::from(self.max_protected)) as u32;
        self.max_window += steps;
        self.max_protected -= steps;
        // If a `Hash` panics in the demotion, the guard still fits the main space.
        let guard = crate::policy::OnDrop {
            cache: self,
            then: Self::main_overflow_to_window_unrecorded,
        };
        let cache = &mut *guard.cache;
        cache.demote_protected_overflow();
        cache.main_overflow_to_window();
    }

    /// While the main space holds more than its share (`capacity - max_window`), moves its
    /// LRU entry (probation's, else protected's) to the window's MRU end, hits recorded.
    ///
    /// Recording hashes the key (user code) while the main space is over its share; if a
    /// `Hash` panics, a guard finishes the moves with the hits dropped instead
    /// ([`main_overflow_to_window_unrecorded`](Self::main_overflow_to_window_unrecorded)).
    pub(crate) fn main_overflow_to_window(&mut self) {
        let guard = crate::policy::OnDrop {
            cache: self,
            then: Self::main_overflow_to_window_unrecorded,
        };
        let cache = &mut *guard.cache;
        let max_main = cache.capacity - cache.max_window;
        while cache.lists[1].len + cache.lists[2].len > max_main {
            let from = if cache.lists[1].len > 0 { 1 } else { 2 };
            let i = cache.lists[from].last;
            cache.record_hits(i);
            cache.move_to_front(Segment::Window, i);
        }
        // On the normal path the guard finds nothing left to do.
    }

    /// [`main_overflow_to_window`](Self::main_overflow_to_window) without user code: the
    /// entries' unrecorded hits are dropped (a window entry holds none). Its unwind path.
    pub(crate) fn main_overflow_to_window_unrecorded(&mut self) {
        let max_main = self.capacity - self.max_window;
        while self.lists[1].len + self.lists[2].len > max_main {
            let from = if self.lists[1].len > 0 { 1 } else { 2 };
            let i = self.lists[from].last;
            self.slab.links_mut(i).next_hits &= crate::node::INDEX_MASK;
            self.move_to_front(Segment::Window, i);
        }
    }

    /// Moves up to `amount` entries of capacity from the window to protected; the window's
    /// LRU entries that no longer fit go to probation's LRU end (next in line for eviction),
    /// as in Caffeine's simulator.
    pub(crate) fn shrink_window(&mut self, amount: u64) {
        let steps = amount.min(u64::from(self.max_window)) as u32;
        self.max_window -= steps;
        self.max_protected += steps;
        while self.lists[0].len > self.max_window {
            let i = self.lists[0].last;
            self.unlink(i);
            self.push_back(Segment::Probation, i);
        }
    }
}
