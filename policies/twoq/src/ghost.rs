//! `A1out`, the ghost FIFO: fingerprints of the keys recently evicted from `A1in`, in
//! [`evict_slots::ghost::Ghost`] with one list. The policy asks it to [`Ghost::take`] a
//! key's hash (a `put` of a new key, or a `remove` of a key not cached: was it a ghost? it
//! is not any more), to [`Ghost::push`] an evicted key's hash, to [`Ghost::reserve`] its
//! memory when the cache fills, and to [`Ghost::set_capacity`] on `resize`.

use evict_slots::ghost::Ghost as Ring;

/// The fingerprint kept in the ring (the low 32 bits of the hash, never 0: 0 marks the
/// ring's holes) and the tag of which the index keeps the top bits (the high half of the
/// hash). A ghost matches a hash when both agree: `32 + tag bits` bits (at least 40 up to a
/// million ghosts), so a new key is taken for a ghost with probability at most
/// `|A1out| / 2^40` per `put`.
#[inline(always)]
fn print(hash: u64) -> (u32, u32) {
    ((hash as u32).max(1), (hash >> 32) as u32)
}

/// `A1out`'s size for a cache of `capacity`: `⌊capacity / 2⌋`, libCacheSim's
/// `Aout-size-ratio=0.5` (the paper's `Kout`, "50% of the buffer").
pub(crate) fn ghost_capacity(capacity: u32) -> u32 {
    capacity / 2
}

/// `A1out`: a FIFO of at most `capacity` key fingerprints. A fingerprint taken out early (a
/// ghost hit or a `remove`) leaves the FIFO; a new one pushes out the oldest only when the
/// FIFO is full.
///
/// Memory for the whole capacity is taken when the cache first fills ([`reserve`]) and
/// never again while it stays full; before that the ring grows by doubling, so a cache of a
/// huge capacity that never fills never allocates a huge ghost.
///
/// [`reserve`]: Ghost::reserve
#[derive(Clone, Debug)]
pub(crate) struct Ghost {
    ring: Ring<1>,
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

    /// Takes the memory for the whole capacity, unless it is taken already.
    pub(crate) fn reserve(&mut self) {
        if self.capacity > 0 && !self.ring.is_reserved() {
            self.ring.reserve();
        }
    }

    /// Sets the capacity, as a FIFO of that capacity that had seen the same pushes and
    /// takes: shrinking keeps the newest `capacity` fingerprints and gives memory back.
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

    /// Forgets the key hashing to `hash`; whether it was a ghost.
    #[inline(always)]
    pub(crate) fn take(&mut self, hash: u64) -> bool {
        let (fp, tag) = print(hash);
        self.ring.take(fp, tag).is_some()
    }

    /// Adds the key hashing to `hash` as the newest ghost, pushing out the oldest if the
    /// ghost is full (nothing if its capacity is 0).
    #[inline(always)]
    pub(crate) fn push(&mut self, hash: u64) {
        if self.capacity == 0 {
            return;
        }
        if self.ring.live() == self.capacity as usize {
            self.ring.pop_oldest(0);
        }
        let (fp, tag) = print(hash);
        self.ring.push(0, fp, tag);
    }

    /// A weighted cache's [`set_capacity`](Self::set_capacity): its count capacity moves
    /// each time it fills by weight (to the entries then held) and each time it is full by
    /// count while the weight fits (back to the whole capacity), and rebuilding the ring
    /// each time made that O(ghosts) per move (weighted 2Q replayed cloudPhysics at 0.2
    /// Mreq/s). Here the same ghosts are kept (the newest `capacity`), but the ring is
    /// rebuilt only to give memory back (when `capacity` is under a quarter of what it is
    /// sized for), and grows only as ghosts arrive ([`push_weighted`](Self::push_weighted)).
    pub(crate) fn set_capacity_weighted(&mut self, capacity: u32) {
        if capacity == self.capacity {
            return;
        }
        while self.ring.live() > capacity as usize {
            self.ring.pop_oldest(0);
        }
        if (capacity as usize) < self.ring.max_live() / 4 {
            self.ring = self.ring.resized(capacity as usize);
        }
        self.ring.set_growth_limit(capacity as usize);
        self.capacity = capacity;
    }

    /// A weighted cache's [`push`](Self::push): the same FIFO, the ring growing as needed
    /// up to the capacity (see [`set_capacity_weighted`](Self::set_capacity_weighted)).
    #[inline(always)]
    pub(crate) fn push_weighted(&mut self, hash: u64) {
        if self.capacity == 0 {
            return;
        }
        if self.ring.live() == self.capacity as usize {
            self.ring.pop_oldest(0);
        }
        let (fp, tag) = print(hash);
        self.ring.push_evicting_with(0, fp, tag, (), |()| {});
    }

    /// Bytes of heap memory held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.ring.allocation_size()
    }
}

#[cfg(test)]
impl Ghost {
    /// The most fingerprints remembered at once.
    pub(crate) fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Whether the memory for the whole capacity is taken.
    pub(crate) fn is_reserved(&self) -> bool {
        self.capacity == 0 || self.ring.is_reserved()
    }

    /// Whether the ghost holds any memory.
    pub(crate) fn is_allocated(&self) -> bool {
        self.ring.allocated() != (0, 0)
    }

    /// The fingerprint a hash is kept as.
    pub(crate) fn fingerprint(hash: u64) -> u32 {
        print(hash).0
    }

    /// Checks the ring, the counts and the index against each other.
    pub(crate) fn check(&self) {
        assert!(self.len() <= self.capacity, "ghost over its capacity");
        self.ring.check();
    }
}
