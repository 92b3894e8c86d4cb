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
