//! [`RingCache`]: a whole cache over a [`Ring`], for any policy that is an order of its
//! entries plus, at most, a flag per entry ([`RingPolicy`]: LRU, FIFO, CLOCK, SIEVE).
//!
//! The policy says where a newcomer goes, what a hit does and which entry an eviction
//! takes; the ring cache turns that into the [`SlabCache`] primitives (insertion, a hit,
//! removal, `pop`, `resize`, the layout for iteration), from which the toolkit builds the
//! rest once, and the [`ring_cache!`](crate::ring_cache) macro gives a policy crate its
//! public type with the whole API.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use core::marker::PhantomData;

use evict_core::{Put, Stats};

use crate::MAX_CAPACITY;
use crate::engine::{Entries, NO_SLOT, SlabCache, SlabPolicy};
use crate::ring::{self, Flags, Links, NIL, Ring};
use crate::slab::Node;
use crate::weight::{Unweighted, Weighing, Weighs};

/// The two anchors a [`RingCache`] keeps into its circle for its policy: slots, or `NIL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchors {
    /// The first entry of the policy's order, where iteration starts: LRU's most recently
    /// used, FIFO's oldest, CLOCK's hand, SIEVE's newest. `NIL` iff the ring is empty.
    pub start: u32,
    /// A second anchor for a policy that needs one (SIEVE's hand, `NIL` for "at the
    /// tail"); `NIL` otherwise.
    pub hand: u32,
}

impl Anchors {
    /// Both `NIL`: the anchors of an empty ring.
    pub const EMPTY: Self = Self {
        start: NIL,
        hand: NIL,
    };
}

/// An eviction policy over a [`Ring`] listed from [`Anchors::start`] along `next`: that
/// order is the policy's iteration order, what `drain`, `into_iter` and `Debug` show.
///
/// The rules are mostly declarative: where newcomers go ([`NEWEST_FIRST`](Self::NEWEST_FIRST)),
/// what a hit does ([`PROMOTE`](Self::PROMOTE), and a set flag for [`ring::Flagged`]
/// policies), and which entry an eviction takes ([`victim`](Self::victim), and
/// [`evict`](Self::evict) where evicting changes more than the victim's slot). A `put` of a
/// new key into the full cache puts it in the victim's slot, then where newcomers go.
pub trait RingPolicy {
    /// Whether entries carry a flag bit ([`ring::Flagged`]: a hit sets it) or not
    /// ([`ring::Plain`]).
    type Flags: Flags;

    /// The name of the entry list in `Debug` output, e.g. `"most_recent_first"`.
    const ORDER: &'static str;

    /// Whether newcomers go first in the order (at the start: LRU, SIEVE) or last (just
    /// before the start: FIFO, CLOCK).
    const NEWEST_FIRST: bool;

    /// Whether a hit (or a `put` replacing a value) moves the entry to the start (LRU).
    const PROMOTE: bool = false;

    /// The slot the next eviction takes in a non-empty ring; changes nothing.
    fn victim<K, V, S, W: Weighing>(ring: &Ring<K, V, S, Self::Flags, W>, at: &Anchors) -> u32;

    /// Evicts in a non-empty ring: returns [`victim`](Self::victim)'s slot, doing what the
    /// policy does on the way (clearing flags, moving a hand). The caller then puts a
    /// newcomer in that slot, or takes the slot out (`pop`). By default, only the victim.
    /// Reading links here, prefer [`Ring::prev_excl`] and [`Ring::step_excl`] to `prev` and
    /// `step`: through `&mut` they read the word that holds the flag as a plain `u32`
    /// rather than as an atomic.
    #[inline(always)]
    fn evict<K, V, S, W: Weighing>(
        ring: &mut Ring<K, V, S, Self::Flags, W>,
        at: &mut Anchors,
    ) -> u32 {
        Self::victim(ring, at)
    }

    /// Slot `i` is about to leave the ring (`remove`, `pop`); the ring then moves an anchor
    /// on it to the next slot. Nothing else by default.
    #[inline]
    fn removing<K, V, S, W: Weighing>(
        ring: &mut Ring<K, V, S, Self::Flags, W>,
        at: &mut Anchors,
        i: u32,
    ) {
        let _ = (ring, at, i);
    }

    /// Adds the policy's own fields to the cache's `Debug` output (after the entries).
    /// Nothing by default.
    fn fmt_fields<K: fmt::Debug, V, S, W: Weighing>(
        ring: &Ring<K, V, S, Self::Flags, W>,
        at: &Anchors,
        f: &mut fmt::DebugStruct<'_, '_>,
    ) {
        let _ = (ring, at, f);
    }
}

/// A bounded cache over a [`Ring`] with the eviction policy `P`: the engine under the
/// `LruCache`, `FifoCache`, `ClockCache` and `SieveCache` of evict, which wrap it with
/// [`ring_cache!`](crate::ring_cache). Its API is [`SlabCache`]'s: the methods of
/// `evict_core::Cache`, with lookups by any borrowed form of the key.
///
/// ```
/// use evict_slots::policy::Anchors;
/// use evict_slots::ring::{Plain, Ring};
/// use evict_slots::{DefaultHashBuilder, RingCache, RingPolicy, SlabCache, SlabPolicy, Weighing};
///
/// /// FIFO: newcomers go last, hits change nothing, evictions take the first.
/// enum Fifo {}
/// impl RingPolicy for Fifo {
///     type Flags = Plain;
///     const ORDER: &'static str = "oldest_first";
///     const NEWEST_FIRST: bool = false;
///     fn victim<K, V, S, W: Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 {
///         at.start
///     }
/// }
///
/// let mut cache: RingCache<String, u32, DefaultHashBuilder, Fifo> =
///     RingCache::with_hasher(2, DefaultHashBuilder::default());
/// let _ = cache.put("a".to_string(), 1);
/// let _ = cache.put("b".to_string(), 2);
/// assert_eq!(cache.get("a"), Some(&1));
/// assert_eq!(cache.pop(), Some(("a".to_string(), 1)));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=1)");
/// ```
pub struct RingCache<K, V, S, P: RingPolicy, W: Weighing = Unweighted> {
    ring: Ring<K, V, S, P::Flags, W>,
    at: Anchors,
    capacity: u32,
    stats: Stats,
    policy: PhantomData<P>,
}

impl<K: Clone, V: Clone, S: Clone, P: RingPolicy, W: Weighing + Clone> Clone
    for RingCache<K, V, S, P, W>
{
    fn clone(&self) -> Self {
        Self {
            ring: self.ring.clone(),
            at: self.at,
            capacity: self.capacity,
            stats: self.stats,
            policy: PhantomData,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, P: RingPolicy, W: Weighs<K, V>> fmt::Debug
    for RingCache<K, V, S, P, W>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_debug("RingCache", f)
    }
}

impl<K, V, S, P: RingPolicy> RingCache<K, V, S, P> {
    /// An empty cache of at most `capacity` entries (clamped to [`MAX_CAPACITY`]) that
    /// hashes keys with `hasher`; allocates nothing.
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(MAX_CAPACITY);
        Self {
            ring: Ring::with_hasher(hasher),
            at: Anchors::EMPTY,
            capacity: capacity as u32,
            stats: Stats::default(),
            policy: PhantomData,
        }
    }
}

impl<K, V, S, P: RingPolicy, W: Weighing> RingCache<K, V, S, P, W> {
    /// An empty cache of capacity `capacity` in the units of `weigher` (see
    /// [`crate::weight`]), holding at most `min(capacity, MAX_CAPACITY)` entries, that
    /// hashes keys with `hasher`; allocates nothing.
    pub fn with_weigher(capacity: u64, weigher: W, hasher: S) -> Self {
        let count = capacity.min(MAX_CAPACITY as u64);
        Self {
            ring: Ring::with_weigher(hasher, weigher, capacity),
            at: Anchors::EMPTY,
            capacity: count as u32,
            stats: Stats::default(),
            policy: PhantomData,
        }
    }

    /// The ring, to read (for a policy's own inherent methods and tests).
    #[inline]
    pub fn ring(&self) -> &Ring<K, V, S, P::Flags, W> {
        &self.ring
    }

    /// The policy's anchors, to read.
    #[inline]
    pub fn anchors(&self) -> &Anchors {
        &self.at
    }

    /// Runs `f` on the ring and the anchors as a slice (for the ring's methods that repoint
    /// them).
    #[inline]
    fn anchored<R>(
        &mut self,
        f: impl FnOnce(&mut Ring<K, V, S, P::Flags, W>, &mut [u32]) -> R,
    ) -> R {
        let mut anchors = [self.at.start, self.at.hand];
        let result = f(&mut self.ring, &mut anchors);
        [self.at.start, self.at.hand] = anchors;
        result
    }

    /// Checks that the ring, the anchors, the slots and the index agree and that `len`
    /// fits the capacity. Panics with what is wrong. For tests.
    pub fn check(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.ring.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        if !W::UNIT {
            let slab = &self.ring.slab;
            let total: u64 = (0..n as u32).map(|i| slab.weight(i)).sum();
            assert_eq!(
                total,
                slab.total_weight(),
                "weights and their total disagree"
            );
            assert!(total <= slab.budget(), "weight {total} > capacity");
        }
        for anchor in [self.at.start, self.at.hand] {
            assert!(
                anchor == NIL || (anchor as usize) < n,
                "anchor {anchor} outside {n} slots"
            );
        }
        self.ring.check(self.at.start);
    }

    /// The flag of `key`'s entry (CLOCK's reference bit, SIEVE's visited bit; always clear
    /// for a [`ring::Plain`] policy), or `None` if `key` is not cached. Counts nothing.
    #[inline]
    pub fn flag<Q>(&self, key: &Q) -> Option<bool>
    where
        K: Hash + Eq + Borrow<Q>,
        S: BuildHasher,
        Q: Hash + Eq + ?Sized,
    {
        self.ring.find(key).map(|i| self.ring.flag(i))
    }

    /// `put` of a key known to be absent, hashing to `hash`.
    #[inline(always)]
    fn put_new(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let capacity = self.capacity as usize;
        if capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        let start = &mut self.at.start;
        if self.ring.len() < capacity {
            let i = if P::NEWEST_FIRST {
                self.ring.push_front(start, hash, key, value, capacity);
                *start
            } else {
                self.ring.push_back(start, hash, key, value, capacity)
            };
            return (Put::Inserted, i);
        }
        let victim = P::evict(&mut self.ring, &mut self.at);
        let (old_key, old_value) = self.fill_victim(victim, hash, key, value);
        (Put::Evicted(old_key, old_value), victim)
    }

    /// The newcomer `key` (hashing to `hash`) takes the slot of `victim`, which `P::evict`
    /// chose, and goes where newcomers go; returns the victim's pair.
    #[inline(always)]
    fn fill_victim(&mut self, victim: u32, hash: u64, key: K, value: V) -> (K, V)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        // Full: the newcomer takes the victim's slot in place (no slot moves), then goes
        // where newcomers go: for the usual victim (LRU's last, FIFO's first, CLOCK's hand)
        // turning the circle one step is all it takes, and no link is written.
        let (old_key, old_value) = self.ring.replace(victim, hash, key, value);
        let start = &mut self.at.start;
        if P::NEWEST_FIRST {
            self.ring.move_to_front(start, victim);
        } else if victim == *start {
            *start = self.ring.next(victim);
        } else if self.ring.prev_excl(*start) != victim {
            self.ring.move_before(*start, victim);
        }
        (old_key, old_value)
    }
}

crate::slab_cache_impl! {
    /// The toolkit's view of a ring cache: its ring's slab, and its order from the start.
    impl<K, V, S, P: RingPolicy, W: Weighs<K, V>> SlabCache for RingCache<K, V, S, P, W> {
        item = Node<V, Links>;
        iter = ring::Iter<'a, K, V>;
        slab = ring.slab;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> ring::Iter<'_, K, V> {
        self.ring.iter_from(self.at.start)
    }

    fn lay_out(&mut self) {
        let start = self.at.start;
        self.anchored(|ring, anchors| ring.relayout(start, anchors));
    }

    fn victim(&self) -> Option<u32> {
        (!self.ring.is_empty()).then(|| P::victim(&self.ring, &self.at))
    }

    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        f.field(P::ORDER, &Entries(self.iter()));
        P::fmt_fields(&self.ring, &self.at, f);
    }
}

/// The policy's rules as [`SlabPolicy`] primitives.
impl<K: Hash + Eq, V, S: BuildHasher, P: RingPolicy, W: Weighs<K, V>> SlabPolicy
    for RingCache<K, V, S, P, W>
{
    /// An LRU promotes the slot, a flag is set.
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        if P::PROMOTE {
            self.ring.move_to_front(&mut self.at.start, i);
        }
        self.ring.touch(i)
    }

    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        self.put_new(hash, key, value)
    }

    /// A hit that does not promote at most sets the entry's flag (CLOCK, SIEVE; FIFO's
    /// changes nothing), which [`Ring::touch_shared`] does atomically through `&self`. An
    /// LRU's hit moves its entry and needs `&mut`.
    const SHARED_HIT: bool = !P::PROMOTE;

    #[inline(always)]
    fn hit_shared(&self, i: u32) {
        let _ = self.ring.touch_shared(i);
    }

    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        P::removing(&mut self.ring, &mut self.at, i);
        self.anchored(|ring, anchors| ring.remove_hashed(i, hash, anchors))
    }

    fn pop(&mut self) -> Option<(K, V)> {
        if self.ring.is_empty() {
            return None;
        }
        let victim = P::evict(&mut self.ring, &mut self.at);
        Some(self.evict_chosen(victim))
    }

    /// The ring's evictions are `P::evict`'s choice, then the slot's removal or reuse.
    const IN_PLACE: bool = true;

    #[inline(always)]
    fn choose_victim(&mut self) -> u32 {
        P::evict(&mut self.ring, &mut self.at)
    }

    #[inline]
    fn evict_chosen(&mut self, victim: u32) -> (K, V) {
        P::removing(&mut self.ring, &mut self.at, victim);
        self.anchored(|ring, anchors| ring.remove(victim, anchors))
    }

    #[inline(always)]
    fn replace_chosen(&mut self, victim: u32, hash: u64, key: K, value: V) -> (K, V, u32) {
        let (k, v) = self.fill_victim(victim, hash, key, value);
        (k, v, victim)
    }

    /// Shrinking pops until the cache fits and gives back the memory it no longer needs.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY);
        let mut evicted = Vec::new();
        while self.ring.len() > capacity {
            evicted.extend(self.pop());
        }
        if capacity < self.capacity as usize {
            self.ring.shrink_to(capacity);
        }
        self.capacity = capacity as u32;
        evicted
    }

    fn clear(&mut self) {
        self.at = Anchors::EMPTY;
        self.stats.reset();
        // The slab last: a value's `Drop` may panic while it empties, and everything
        // else must be reset by then (the slab itself forgets its slots first).
        self.ring.clear();
    }

    fn drained(&mut self) {
        self.at = Anchors::EMPTY;
    }
}

#[cfg(test)]
mod tests;
