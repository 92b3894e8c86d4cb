//! Capacity by weight, once for every policy: the [`Weighing`] of a cache (its weigher type
//! parameter: [`Unweighted`], which keeps nothing, or [`Weighted`], which keeps each slot's
//! weight), the [`Column`] a [`Slab`](crate::Slab) keeps of its weights (their total, the
//! capacity, and the weights themselves for a slab that does not keep them in its slots),
//! and the per-slot [`Extra`] a slab keeps inside each slot beside its key and item (a
//! policy's choice: `()`, or [`Weighing::Slot`], the weight, zero-sized when unweighted).
//!
//! A weighted cache keeps `weight() <= capacity` by evicting, before it inserts, what its
//! policy would evict next ([`SlabPolicy::pop`](crate::SlabPolicy::pop)) until the newcomer
//! fits; the policy itself still bounds the number of entries by its count capacity
//! (`min(capacity, MAX_CAPACITY)`), which is what makes weight 0 safe (below). The rules,
//! as every policy's docs state them:
//!
//! - **Too heavy.** A new entry heavier than the whole capacity is `Put::Rejected` and
//!   evicts nothing.
//! - **Weight 0.** An entry of weight 0 costs no budget but takes a slot: a weighted cache
//!   of capacity `c` never holds more than `c` entries (`len() <= capacity` holds for every
//!   cache), so a weigher that returns 0 gives a cache bounded by `c` entries.
//! - **Replacing** a value re-weighs the entry. If the cache still fits, the value is
//!   replaced as in an unweighted cache. If it no longer fits, the key is taken out, the
//!   policy evicts others until the new value fits, and the key comes back in as a newcomer
//!   (`Put::Replaced(old)`): the replaced key is never evicted to make room for itself. If
//!   the new value alone is heavier than the capacity, the key leaves: its old pair goes to
//!   the sink (as evicted) and the new one comes back in `Put::Rejected`, so that the cache
//!   never answers with the stale value.
//! - **Resize** is in weight units: shrinking pops in the policy's order until the weight
//!   fits (and the count fits the new count capacity).

use alloc::vec::Vec;
use core::fmt;

pub use evict_core::{Unweighted, Weigher};

/// How a cache over a [`Slab`](crate::Slab) weighs its entries: the type parameter `W` of
/// every policy (`Unweighted` by default). Sealed: the two kinds are [`Unweighted`] (every
/// entry weighs 1; nothing is stored, every weighted path compiles away) and
/// [`Weighted`] (a [`Weigher`], whose weights the slab keeps per slot).
pub trait Weighing: sealed::Sealed {
    /// The per-slot weights, their total and the capacity in weight units: `()` when every
    /// entry weighs 1.
    type Column: Column;

    /// Whether every entry weighs 1 (the capacity is a count of entries). A constant, so
    /// that the weighted paths are not even compiled into an unweighted cache.
    const UNIT: bool;

    /// What a slot keeps of its weight when the weights are kept inside the slots (a slab
    /// whose [`Extra`] is this type): `()` when every entry weighs 1, a `u64` otherwise. A
    /// policy whose slab is `Slab<K, T, S, W, W::Slot>` keeps each weight on its slot's
    /// cache line instead of in a column beside the slots: an eviction reads one line
    /// fewer, but every slot is 8 bytes larger, and a hit reads a larger slab. No evict
    /// policy does so today: measured on LRU and S3-FIFO (100,000 `u64` entries), the hits'
    /// cost grew more than the evictions' fell (`benches/README.md`, *Capacity by weight*).
    type Slot: Extra;
}

/// What a [`Slab`](crate::Slab) keeps in each slot beside its key and its item, for the
/// slab's own bookkeeping rather than for the policy: nothing (`()`, the default: not a
/// byte more per slot, and nothing to do), or the slot's weight (`u64`, see
/// [`Weighing::Slot`]). Kept in the slot, it is on the cache line that the eviction reads
/// anyway (the key, to unindex it), where a column beside the slots is one more line.
///
/// A per-slot datum of another layer (a deadline, say) would be one more implementation:
/// a type that holds it beside the weight, or alone (`WEIGHT = false`).
///
/// ```
/// use evict_slots::weight::Extra;
///
/// let mut w = <u64 as Extra>::new(5);
/// w.set_weight(7);
/// assert_eq!(w.weight(), 7);
/// assert!(<u64 as Extra>::WEIGHT && !<() as Extra>::WEIGHT);
/// ```
pub trait Extra: Clone + fmt::Debug {
    /// Whether it holds the slot's weight: a weighted slab then keeps only the total (and
    /// the capacity) in its [`Column`], not a weight per slot.
    const WEIGHT: bool;

    /// The extension of a new slot of weight `weight` (ignored by one that holds no weight).
    fn new(weight: u64) -> Self;

    /// The weight held (1 if none is: only read when [`WEIGHT`](Self::WEIGHT) is true).
    fn weight(&self) -> u64;

    /// Sets the weight held (nothing if none is).
    fn set_weight(&mut self, weight: u64);
}

impl Extra for () {
    const WEIGHT: bool = false;

    #[inline(always)]
    fn new(_: u64) -> Self {}

    #[inline(always)]
    fn weight(&self) -> u64 {
        1
    }

    #[inline(always)]
    fn set_weight(&mut self, _: u64) {}
}

impl Extra for u64 {
    const WEIGHT: bool = true;

    #[inline(always)]
    fn new(weight: u64) -> Self {
        weight
    }

    #[inline(always)]
    fn weight(&self) -> u64 {
        *self
    }

    #[inline(always)]
    fn set_weight(&mut self, weight: u64) {
        *self = weight;
    }
}

/// A [`Weighing`] that weighs entries `K` → `V`: the bound of every cache's weigher type
/// parameter (one path, so that macros can take it). Implemented for every `Weighing` that
/// is a [`Weigher<K, V>`]: [`Unweighted`] for every `K` and `V`, [`Weighted<W>`] when `W`
/// weighs them.
pub trait Weighs<K, V>: Weighing + Weigher<K, V> {}

impl<K, V, W: Weighing + Weigher<K, V>> Weighs<K, V> for W {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Unweighted {}
    impl<W> Sealed for super::Weighted<W> {}
}

impl Weighing for Unweighted {
    type Column = ();
    const UNIT: bool = true;
    type Slot = ();
}

/// A cache's weigher: wraps any [`Weigher`] (a closure `Fn(&K, &V) -> u64`, or a type of
/// yours), so that the cache keeps each entry's weight. Each policy's `with_weigher`
/// builds a cache of weigher type `Weighted<W>`; name the type when you store the cache
/// (`LruCache<K, V, DefaultHashBuilder, Weighted<fn(&K, &V) -> u64>>`).
///
/// ```
/// use evict_slots::weight::{Weigher, Weighted};
///
/// let by_len = Weighted(|_: &u32, v: &String| v.len() as u64);
/// assert_eq!(by_len.weigh(&1, &"four".to_string()), 4);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Weighted<W>(pub W);

impl<W> fmt::Debug for Weighted<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The weigher is usually a closure, which has no `Debug`.
        f.write_str("Weighted(..)")
    }
}

impl<W> Weighing for Weighted<W> {
    type Column = Weights;
    const UNIT: bool = false;
    type Slot = u64;
}

impl<K, V, W: Weigher<K, V>> Weigher<K, V> for Weighted<W> {
    #[inline]
    fn weigh(&self, key: &K, value: &V) -> u64 {
        self.0.weigh(key, value)
    }
}

/// What a [`Slab`](crate::Slab) keeps of its entries' weights: `()` for an unweighted
/// cache (every method does nothing and costs nothing), [`Weights`] for a weighted one.
/// The slab keeps it in step with its slots (push, swap-remove, relayout, clear), so that
/// [`total`](Self::total) is right whichever way an entry leaves. A slab whose slots hold
/// their weights ([`Extra::WEIGHT`]) uses only the total, the capacity and the pending
/// weight ([`add`](Self::add), [`sub`](Self::sub)), never the per-slot methods: its column
/// holds no weight per slot.
pub trait Column: Clone + fmt::Debug {
    /// A column of no slots, for capacity `budget` in weight units.
    fn with_budget(budget: u64) -> Self;
    /// The capacity in weight units.
    fn budget(&self) -> u64;
    /// Sets the capacity in weight units.
    fn set_budget(&mut self, budget: u64);
    /// The total weight of the slots.
    fn total(&self) -> u64;
    /// Slot `i`'s weight.
    fn get(&self, i: u32) -> u64;
    /// Sets slot `i`'s weight (the total follows).
    fn set(&mut self, i: u32, weight: u64);
    /// Adds `weight` to the total (a slot that holds its own weight came in, or grew).
    fn add(&mut self, weight: u64);
    /// Takes `weight` from the total (a slot that holds its own weight left, or shrank).
    fn sub(&mut self, weight: u64);
    /// The weight the next [`push`](Self::push) gives its slot (and the next replacement
    /// of a slot's pair): set by the engine before a policy inserts, so that the policy
    /// sees the newcomer's weight from the moment its slot exists.
    fn set_pending(&mut self, weight: u64);
    /// The weight given to the next new or replaced slot (see
    /// [`set_pending`](Self::set_pending)).
    fn pending(&self) -> u64;
    /// A new last slot, of the [pending](Self::set_pending) weight; `room` is the slots'
    /// allocated length, which the column's own allocation follows (so that a full cache
    /// holds no spare weights either).
    fn push(&mut self, room: usize);
    /// Takes slot `i` out, the last slot moving into its place.
    fn swap_remove(&mut self, i: u32);
    /// Swaps slots `i` and `j`.
    fn swap(&mut self, i: usize, j: usize);
    /// Drops every slot; `free` gives the memory back too.
    fn clear(&mut self, free: bool);
    /// Keeps at most `len` slots' worth of memory.
    fn shrink_to(&mut self, len: usize);
    /// Bytes of heap memory held.
    fn heap_bytes(&self) -> usize;
    /// Whether the cache has been full by weight since it was made or resized (see
    /// `SlabPolicy::weight_full`).
    fn fitted(&self) -> bool;
    /// Sets [`fitted`](Self::fitted).
    fn set_fitted(&mut self, fitted: bool);
}

impl Column for () {
    #[inline(always)]
    fn with_budget(_: u64) -> Self {}
    #[inline(always)]
    fn budget(&self) -> u64 {
        0
    }
    #[inline(always)]
    fn set_budget(&mut self, _: u64) {}
    #[inline(always)]
    fn total(&self) -> u64 {
        0
    }
    #[inline(always)]
    fn get(&self, _: u32) -> u64 {
        1
    }
    #[inline(always)]
    fn set(&mut self, _: u32, _: u64) {}
    #[inline(always)]
    fn add(&mut self, _: u64) {}
    #[inline(always)]
    fn sub(&mut self, _: u64) {}
    #[inline(always)]
    fn set_pending(&mut self, _: u64) {}
    #[inline(always)]
    fn pending(&self) -> u64 {
        1
    }
    #[inline(always)]
    fn push(&mut self, _: usize) {}
    #[inline(always)]
    fn swap_remove(&mut self, _: u32) {}
    #[inline(always)]
    fn swap(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn clear(&mut self, _: bool) {}
    #[inline(always)]
    fn shrink_to(&mut self, _: usize) {}
    #[inline(always)]
    fn heap_bytes(&self) -> usize {
        0
    }
    #[inline(always)]
    fn fitted(&self) -> bool {
        true
    }
    #[inline(always)]
    fn set_fitted(&mut self, _: bool) {}
}

/// The weights of a weighted cache's slots (8 bytes each, unless its slab keeps them in
/// its slots: see [`Weighing::Slot`]), their total and the capacity.
///
/// The total never exceeds the sum of weights that each fit the capacity, so it cannot
/// overflow while the cache keeps `total <= capacity`; it is still added with saturation,
/// so that a bug would show as a full cache rather than as a wrapped count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Weights {
    each: Vec<u64>,
    total: u64,
    budget: u64,
    pending: u64,
    fitted: bool,
}

impl Column for Weights {
    fn with_budget(budget: u64) -> Self {
        Self {
            each: Vec::new(),
            total: 0,
            budget,
            pending: 0,
            fitted: false,
        }
    }
    #[inline]
    fn budget(&self) -> u64 {
        self.budget
    }
    #[inline]
    fn set_budget(&mut self, budget: u64) {
        self.budget = budget;
    }
    #[inline]
    fn total(&self) -> u64 {
        self.total
    }
    #[inline]
    fn get(&self, i: u32) -> u64 {
        self.each[i as usize]
    }
    #[inline]
    fn set(&mut self, i: u32, weight: u64) {
        let slot = &mut self.each[i as usize];
        self.total = (self.total - *slot).saturating_add(weight);
        *slot = weight;
    }
    #[inline]
    fn add(&mut self, weight: u64) {
        self.total = self.total.saturating_add(weight);
    }
    #[inline]
    fn sub(&mut self, weight: u64) {
        self.total -= weight;
    }
    #[inline]
    fn set_pending(&mut self, weight: u64) {
        self.pending = weight;
    }
    #[inline]
    fn pending(&self) -> u64 {
        self.pending
    }
    #[inline]
    fn push(&mut self, room: usize) {
        if self.each.len() == self.each.capacity() {
            self.each
                .reserve_exact(room.saturating_sub(self.each.len()).max(1));
        }
        self.each.push(self.pending);
        self.total = self.total.saturating_add(self.pending);
    }
    #[inline]
    fn swap_remove(&mut self, i: u32) {
        self.total -= self.each.swap_remove(i as usize);
    }
    #[inline]
    fn swap(&mut self, i: usize, j: usize) {
        self.each.swap(i, j);
    }
    fn clear(&mut self, free: bool) {
        if free {
            self.each = Vec::new();
        } else {
            self.each.clear();
        }
        self.total = 0;
    }
    fn shrink_to(&mut self, len: usize) {
        self.each.shrink_to(len);
    }
    fn heap_bytes(&self) -> usize {
        self.each.capacity() * core::mem::size_of::<u64>()
    }
    fn fitted(&self) -> bool {
        self.fitted
    }
    fn set_fitted(&mut self, fitted: bool) {
        self.fitted = fitted;
    }
}
