//! The ghost queue: a FIFO of 32-bit fingerprints of the keys recently evicted from the small
//! queue, in [`evict_slots::ghost::Ghost`] with one list. Its interface to the policy is
//! small: [`Ghost::new`] (a capacity, no memory yet), [`Ghost::reserve`] (the memory, once,
//! when the cache becomes full), [`Ghost::take`] (a `put` of a new key, or a `remove` of a
//! key not cached, asks whether the key was a ghost and forgets it), [`Ghost::push`] (a key
//! evicted from the small queue), [`Ghost::set_capacity`] (`resize`) and [`Ghost::len`];
//! [`fingerprint`] turns the key hash the cache has already computed into the ghost's key.

use evict_slots::ghost::Ghost as Ring;

/// The ghost's 32-bit fingerprint of a key hash: both halves folded (so that a hasher that
/// fills only the low bits still spreads), never 0 (that marks the ring's holes).
#[inline]
pub(crate) fn fingerprint(hash: u64) -> u32 {
    ((hash ^ (hash >> 32)) as u32).max(1)
}

/// The tag the ghost index keeps beside a fingerprint: bits of the fingerprint itself, so
/// that a fingerprint matches exactly when all its 32 bits agree (the tag only spares most
/// lookups a read of the ring). Rotated, so that the top bits the index keeps are middle
/// bits of the fingerprint: not the low bits it keeps anyway, nor the mix of them all that
/// chose the home bucket.
#[inline(always)]
fn tag(fp: u32) -> u32 {
    fp.rotate_left(16)
}

/// A weighted cache's ghost capacity in weight: `⌊0.9 × capacity⌋`, computed as libCacheSim
/// computes its ghost FIFO's size in bytes (`(int64_t)(cache_size * 0.9)`, a `double`
/// product).
pub(crate) fn ghost_weight(capacity: u64) -> u64 {
    (capacity as f64 * 0.9) as u64
}

/// The ghost's capacity for a cache of `capacity`: `⌊9 · capacity / 10⌋`, libCacheSim's
/// `ghost-size-ratio=0.90`.
pub(crate) fn ghost_capacity(capacity: u32) -> u32 {
    (u64::from(capacity) * 9 / 10) as u32
}

/// The ghost queue: a FIFO of at most `capacity` fingerprints of keys evicted from the small
/// queue. A fingerprint taken out early (a ghost hit or a `remove`) leaves the FIFO; a new
/// one pushes out the oldest only when the FIFO holds `capacity` (exactly as a FIFO with
/// removal).
///
/// The memory is taken for the whole capacity when the cache first fills ([`reserve`]),
/// and never again while it stays full. Before that (a `pop` from a cache that never
/// filled, or a cache grown by `resize`), the ghost makes room as it needs it, doubling;
/// so a cache of a huge capacity that never fills never allocates a huge ghost.
///
/// [`reserve`]: Ghost::reserve
#[derive(Clone, Debug)]
pub(crate) struct Ghost {
    ring: Ring<1>,
    /// The most fingerprints remembered at once.
    capacity: u32,
}

impl Ghost {
    /// An empty ghost of at most `capacity` fingerprints; allocates nothing.
    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            ring: Ring::new(capacity as usize),
            capacity,
        }
    }

    /// Takes the memory for the whole capacity now, unless it is taken already: the cache
    /// calls it when it becomes full, so that no eviction of a full cache allocates.
    pub(crate) fn reserve(&mut self) {
        if self.capacity > 0 && !self.ring.is_reserved() {
            self.ring.reserve();
        }
    }

    /// Sets the capacity, as a FIFO of the new capacity that had seen the same pushes and
    /// takes would be: growing keeps every fingerprint (memory is reserved later, when the
    /// cache fills), shrinking keeps the newest `capacity` and gives memory back.
    pub(crate) fn set_capacity(&mut self, capacity: u32) {
        if capacity == self.capacity {
            return;
        }
        while self.ring.live() > capacity as usize {
            self.ring.pop_oldest(0);
        }
        self.ring = self.ring.resized(capacity as usize);
        self.capacity = capacity;
    }

    /// The number of fingerprints remembered now.
    #[inline]
    pub(crate) fn len(&self) -> u32 {
        self.ring.live() as u32
    }

    /// Takes `fp` out of the ghost; whether it was there.
    #[inline(always)]
    pub(crate) fn take(&mut self, fp: u32) -> bool {
        self.ring.take(fp, tag(fp)).is_some()
    }

    /// Adds `fp` as the newest ghost, pushing out the oldest if the ghost is full. The key
    /// it stands for is not a ghost (a `put` of a ghost's key takes it out), so nothing is
    /// looked up; another key with the same fingerprint may be, and then `fp` is in the
    /// ghost twice, as the two keys are.
    #[inline(always)]
    pub(crate) fn push(&mut self, fp: u32) {
        if self.capacity == 0 {
            return;
        }
        if self.ring.live() == self.capacity as usize {
            self.ring.pop_oldest(0);
        }
        self.ring.push(0, fp, tag(fp));
    }
}

/// The tag a weighted cache's ghost keeps beside a fingerprint: the hash's low half, of
/// which the index keeps the top bits, so that a ghost matches on the 32 bits of the
/// fingerprint and those (more bits than the unweighted ghost's 32: a weighted ghost may hold
/// many more keys than the cache, when its ghosts are light).
#[inline(always)]
fn weighted_tag(hash: u64) -> u32 {
    hash as u32
}

/// A weighted cache's ghost, as libCacheSim's S3-FIFO sizes it in bytes: a FIFO of keys
/// evicted from the small queue, each with the weight its entry had, whose total stays at
/// most its budget, `⌊0.9 × capacity⌋` ([`ghost_weight`]; oldest out first). The fingerprints and weights are in
/// the toolkit's ring ([`evict_slots::ghost::Ghost`] with a `u64` payload: about 22 bytes
/// a ghost, no node or link), the total beside it.
///
/// **Ghosts of weight 0** weigh nothing, so the weight bound would let them grow without end:
/// at most `cap` of them are kept (twice the most entries the cache has held, plus 8); a
/// push of one more makes the oldest ghosts leave, whatever their weight, until one of weight
/// 0 has. Ghosts of positive weight are bounded by weight only, as libCacheSim's (which has
/// no objects of size 0): when they are much lighter than the entries, there are many more
/// ghosts than entries.
///
/// **Memory.** The ring takes memory for as many ghosts as the cache holds entries at its
/// first eviction ([`reserve`](Self::reserve)), and grows by doubling beyond that if the
/// ghosts are lighter than the entries, up to its high-water mark, where it stays (at most
/// 2^30 ghosts: beyond, the oldest leaves).
#[derive(Clone, Debug)]
pub(crate) struct WeightedGhost {
    ring: Ring<1, u64>,
    /// The weight left under the budget: the budget less the ghosts' total weight (kept so
    /// rather than the total: a push then compares its weight with one number).
    free: u64,
    /// The most ghosts of weight 0 kept at once (see the type's docs).
    cap: usize,
    /// The ghosts of weight 0 now.
    zeros: usize,
    /// The most weight kept: [`ghost_weight`] of the cache's capacity.
    budget: u64,
    /// No data: aligns the ghost to 16 bytes, and with it the cache. With the ghost aligned
    /// to 8, the unweighted cache's put-evict compiled to 2 more instructions (register
    /// allocation over a different layout; callgrind, 100,000 entries), and its code must
    /// not change for the weighted one's sake.
    _align: [u128; 0],
}

impl WeightedGhost {
    /// No ghost, a cap of 8, the budget of a cache of `capacity`; allocates nothing.
    pub(crate) fn new(capacity: u64) -> Self {
        let budget = ghost_weight(capacity);
        let mut ring = Ring::new(8);
        ring.set_growth_limit(usize::MAX);
        Self {
            ring,
            free: budget,
            cap: 8,
            zeros: 0,
            budget,
            _align: [],
        }
    }

    /// The budget of a cache of `capacity` from now on: the oldest ghosts leave until the
    /// others fit.
    pub(crate) fn set_budget(&mut self, capacity: u64) {
        let budget = ghost_weight(capacity);
        while self.weight() > budget {
            self.pop_oldest();
        }
        self.free = budget - self.weight();
        self.budget = budget;
    }

    /// The number of ghosts.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.ring.live()
    }

    /// The ghosts' total weight.
    #[inline]
    pub(crate) fn weight(&self) -> u64 {
        self.budget - self.free
    }

    /// Raises the cap to `cap` if that is more (it never falls).
    #[inline(always)]
    pub(crate) fn raise_cap(&mut self, cap: usize) {
        if cap > self.cap {
            self.raise_cap_to(cap);
        }
    }

    #[cold]
    fn raise_cap_to(&mut self, cap: usize) {
        self.cap = cap;
    }

    /// Takes the memory for `n` ghosts now, if it has less.
    #[cold]
    pub(crate) fn reserve(&mut self, n: usize) {
        self.ring.raise_max_live(n.min(1 << 30));
        self.ring.reserve_room(n);
    }

    /// A ghost of weight `w` left.
    #[inline(always)]
    fn left(&mut self, w: u64) {
        self.free += w;
        self.zeros -= usize::from(w == 0);
    }

    /// Takes the key hashing to `hash` out of the ghost; whether it was there.
    #[inline(always)]
    pub(crate) fn take(&mut self, hash: u64) -> bool {
        match self.ring.take_with(fingerprint(hash), weighted_tag(hash)) {
            Some((_, w)) => {
                self.left(w);
                true
            }
            None => false,
        }
    }

    /// Forgets the oldest ghost; whether there was one.
    #[inline(always)]
    pub(crate) fn pop_oldest(&mut self) -> bool {
        match self.ring.pop_oldest_with(0) {
            Some(w) => {
                self.left(w);
                true
            }
            None => false,
        }
    }

    /// Adds the key hashing to `hash`, of weight `weight`, as the newest ghost, as
    /// libCacheSim's ghost FIFO takes an object: one heavier than the budget is not kept,
    /// and otherwise the oldest ghosts leave until it fits; one of weight 0 when `cap` are
    /// kept makes the oldest leave until one of weight 0 has.
    ///
    /// (libCacheSim's ghost also leaves a key that is a ghost already where it is; the key
    /// of an entry leaving the small queue never is one: its `put` took it out of the ghost,
    /// and only evictions make ghosts.)
    #[inline(always)]
    pub(crate) fn push(&mut self, hash: u64, weight: u64) {
        if weight > self.free && !self.make_room(weight) {
            return;
        }
        if weight == 0 {
            self.zero_room();
        }
        // The ring grows as needed (up to 2^30 ghosts, where the oldest leaves).
        let (free, zeros) = (&mut self.free, &mut self.zeros);
        self.ring
            .push_evicting_with(0, fingerprint(hash), weighted_tag(hash), weight, |w| {
                *free += w;
                *zeros -= usize::from(w == 0);
            });
        self.free -= weight;
    }

    /// Room for a ghost of `weight`, more than is free: the oldest ghosts leave until it
    /// fits; none leaves, and `false`, if it is heavier than the budget.
    #[inline(always)]
    fn make_room(&mut self, weight: u64) -> bool {
        if weight > self.budget {
            return false;
        }
        while self.free < weight {
            self.pop_oldest();
        }
        true
    }

    /// Room for one more ghost of weight 0: the oldest ghosts leave until fewer than `cap`
    /// of weight 0 are kept; then it counts.
    #[cold]
    #[inline(never)]
    fn zero_room(&mut self) {
        while self.zeros >= self.cap && self.pop_oldest() {}
        self.zeros += 1;
    }

    /// Forgets every ghost and gives the memory back; the cap stays.
    pub(crate) fn clear(&mut self) {
        self.ring = Ring::new(8);
        self.ring.set_growth_limit(usize::MAX);
        self.free = self.budget;
        self.zeros = 0;
    }

    /// Checks the ring, the total weight and the cap.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        self.ring.check();
        let sum: u128 = self.ring.entries(0).map(|(_, w)| u128::from(w)).sum();
        assert!(self.free <= self.budget, "ghost over its budget");
        assert_eq!(sum, u128::from(self.weight()), "ghost weight");
        let zeros = self.ring.entries(0).filter(|&(_, w)| w == 0).count();
        assert_eq!(zeros, self.zeros, "ghosts of weight 0");
        assert!(zeros <= self.cap, "ghosts of weight 0 over the cap");
    }
}

/// The index buckets of a reserved ghost of `capacity` fingerprints (15 entries a bucket).
#[cfg(test)]
pub(crate) fn ghost_buckets(capacity: u32) -> usize {
    Ring::<1>::new(capacity as usize).bounds().1 / 15
}

#[cfg(test)]
impl Ghost {
    /// [`reserve`](Self::reserve) with `buckets` index buckets (at least `capacity / 15`);
    /// the tests crowd the index this way.
    pub(crate) fn reserve_in(&mut self, buckets: usize) {
        if self.capacity > 0 {
            self.ring.reserve_with_buckets(buckets);
        }
    }

    /// Whether some fingerprint was ever put outside its home index bucket.
    pub(crate) fn ever_spilled(&self) -> bool {
        self.ring.ever_spilled()
    }

    /// The most fingerprints remembered at once.
    pub(crate) fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Whether the memory for the whole capacity is taken (see [`reserve`](Self::reserve)).
    pub(crate) fn is_reserved(&self) -> bool {
        self.capacity == 0 || self.ring.is_reserved()
    }

    /// Whether the ghost holds any memory.
    pub(crate) fn is_allocated(&self) -> bool {
        self.ring.allocated() != (0, 0)
    }

    /// How many times the ring was compacted.
    pub(crate) fn compactions(&self) -> u32 {
        self.ring.compactions()
    }

    /// Checks the ring, the counts and the table against each other.
    pub(crate) fn check(&self) {
        assert!(self.len() <= self.capacity, "ghost over its capacity");
        self.ring.check();
    }
}
