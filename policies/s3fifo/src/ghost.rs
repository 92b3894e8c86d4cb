//! The ghost queue: a FIFO of 32-bit fingerprints of the keys recently evicted from the small
//! queue, with an index from fingerprints to ring positions. Its interface to the policy is
//! small: [`Ghost::new`] (a capacity, no memory yet), [`Ghost::reserve`] (the memory, once,
//! when the cache becomes full), [`Ghost::take`] (a `put` of a new key, or a `remove` of a
//! key not cached, asks whether the key was a ghost and forgets it), [`Ghost::push`] (a key
//! evicted from the small queue), [`Ghost::set_capacity`] (`resize`) and [`Ghost::len`];
//! [`fingerprint`] turns the key hash the cache has already computed into the ghost's key.

use alloc::vec::Vec;

/// The ghost's 32-bit fingerprint of a key hash: both halves folded (so that a hasher that
/// fills only the low bits still spreads), never 0 (that marks the ring's holes).
#[inline]
pub(crate) fn fingerprint(hash: u64) -> u32 {
    ((hash ^ (hash >> 32)) as u32).max(1)
}

/// The ghost's capacity for a cache of `capacity`: `⌊9 · capacity / 10⌋`, libCacheSim's
/// `ghost-size-ratio=0.90`.
pub(crate) fn ghost_capacity(capacity: u32) -> u32 {
    (u64::from(capacity) * 9 / 10) as u32
}

/// An empty index lane. Never a real entry: positions never have all their bits set (see
/// `Index::new`).
const EMPTY: u32 = u32::MAX;

/// Lanes per index bucket (one 64-byte cache line of `u32`s); the last one is not an entry
/// but the bucket's `META`.
const LANES: usize = 16;
/// The lane holding a bucket's metadata: the number of entries (low 4 bits; they fill lanes
/// `0..n`) and above it how many entries homed in this bucket spilled to later ones. Its top
/// bit is never set, unlike an entry's or `EMPTY`'s, so it never matches either.
const META: usize = LANES - 1;
/// The low bits of the metadata lane that count the entries.
const COUNT: u32 = 0xf;
/// One spilled entry, in the metadata lane.
const SPILL_ONE: u32 = 1 << 4;
/// The largest spill count; once reached it sticks (the bucket is always searched past).
const SPILL_MAX: u32 = (1 << 31) - SPILL_ONE;

/// One bucket of the ghost index, aligned to a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Bucket([u32; LANES]);

const EMPTY_BUCKET: Bucket = {
    let mut lanes = [EMPTY; LANES];
    lanes[META] = 0;
    Bucket(lanes)
};

/// Whether some lane of `bucket` has `want` under `mask`. Written as a branch-free fold
/// so that it compiles to four vector compares and one `pmovmskb`.
#[inline]
fn any_lane(bucket: &Bucket, want: u32, mask: u32) -> bool {
    bucket
        .0
        .iter()
        .fold(false, |any, &v| any | ((v ^ want) & mask == 0))
}

/// A hash index of `u32` positions (in the ghost ring) keyed by 32-bit fingerprints, in
/// buckets of one cache line: a fingerprint lives in its home bucket, or, when that is
/// full, in the first later bucket with room (it *spills*). Each bucket has 15 entry lanes,
/// kept packed at the front in insertion order (a deletion moves the later ones down), so
/// that the oldest entry of the index, the next to go, is in lane 0 of its bucket; and a
/// metadata lane: the entry count and how many entries homed there spilled. Lookups look
/// past the home bucket only when that count is not 0, and then at most `reach` buckets
/// further. No tombstones, no growth.
///
/// Each entry lane packs the position (low `pos_bits`) and a tag of fingerprint bits (the
/// rest, top bit set), so that a lookup compares all lanes of a bucket at once and reads
/// the ring only for an entry whose tag matches. The owner confirms a match (`is`).
#[derive(Clone, Default)]
struct Index {
    buckets: Vec<Bucket>,
    /// `32 - log2(buckets.len())`.
    shift: u32,
    pos_bits: u32,
    /// `(1 << pos_bits) - 1`.
    pos_mask: u32,
    /// The most buckets past its home that any entry was put (reset when emptied).
    reach: u32,
    len: u32,
}

impl Index {
    /// An empty index of `buckets` buckets (a power of two) for positions below
    /// `positions`.
    fn new(positions: usize, buckets: usize) -> Self {
        debug_assert!(buckets.is_power_of_two());
        // Positions are < positions <= 2^pos_bits - 1, so a lane is never all ones (EMPTY).
        let pos_bits = usize::BITS - positions.leading_zeros();
        debug_assert!(pos_bits < 32);
        Self {
            buckets: alloc::vec![EMPTY_BUCKET; buckets],
            shift: 32 - buckets.trailing_zeros(),
            pos_bits,
            pos_mask: ((1u64 << pos_bits) - 1) as u32,
            reach: 0,
            len: 0,
        }
    }

    /// The bucket where `fp` belongs.
    #[inline]
    fn home(&self, fp: u32) -> usize {
        // `shift` is 32 for a single bucket: shift a u64 so that this is 0, not overflow.
        (u64::from(fp.wrapping_mul(0x9E37_79B9)) >> self.shift) as usize
    }

    #[inline]
    fn next(&self, b: usize) -> usize {
        (b + 1) & (self.buckets.len() - 1)
    }

    /// `fp`'s tag bits, in place above the position. The top bit is always set, so that
    /// no entry looks like a metadata lane.
    #[inline]
    fn tag(&self, fp: u32) -> u32 {
        ((u64::from(fp) << self.pos_bits) as u32 | 1 << 31) & !self.pos_mask
    }

    /// The bucket and lane of the entry of fingerprint `fp` whose position satisfies `is`.
    #[inline(always)]
    fn find(&self, fp: u32, is: impl FnMut(u32) -> bool) -> Option<(usize, usize)> {
        if self.len == 0 {
            return None;
        }
        let home = self.home(fp);
        let tag = self.tag(fp);
        // Usually no tag matches in the home bucket, and nothing spilled from it.
        let bucket = &self.buckets[home];
        if !any_lane(bucket, tag, !self.pos_mask) && bucket.0[META] < SPILL_ONE {
            return None;
        }
        self.find_from(home, tag, is)
    }

    /// `find`'s slow path: look at the lanes whose tag matches, and past the home bucket.
    #[inline(never)]
    fn find_from(
        &self,
        home: usize,
        tag: u32,
        mut is: impl FnMut(u32) -> bool,
    ) -> Option<(usize, usize)> {
        let mut b = home;
        let mut d = 0;
        loop {
            if any_lane(&self.buckets[b], tag, !self.pos_mask) {
                let lanes = &self.buckets[b].0;
                let n = (lanes[META] & COUNT) as usize;
                for (l, &v) in lanes[..n].iter().enumerate() {
                    if (v ^ tag) & !self.pos_mask == 0 && is(v & self.pos_mask) {
                        return Some((b, l));
                    }
                }
            }
            if d == self.reach || self.buckets[home].0[META] < SPILL_ONE {
                return None;
            }
            d += 1;
            b = self.next(b);
        }
    }

    /// The home bucket of `fp` and the bucket of the entry at position `pos`, whose
    /// fingerprint is `fp`, the oldest entry of the index: as buckets keep their entries in
    /// insertion order, it is in lane 0 of its bucket.
    #[inline(always)]
    fn find_oldest(&self, fp: u32, pos: u32) -> (usize, usize) {
        let entry = self.tag(fp) | pos;
        let home = self.home(fp);
        let mut b = home;
        let mut d = 0;
        while self.buckets[b].0[0] != entry {
            assert!(d < self.reach, "ghost position {pos} is not indexed");
            d += 1;
            b = self.next(b);
        }
        (home, b)
    }

    /// Empties lane `l` of bucket `b`, which holds an entry whose home bucket is `home`:
    /// the later entries of the bucket move down one lane, so that it stays in insertion
    /// order.
    #[inline(always)]
    fn remove_at(&mut self, home: usize, b: usize, l: usize) {
        let lanes = &mut self.buckets[b].0;
        if l == 0 {
            // The usual case, the oldest ghost: a fixed-size move, no loop.
            lanes.copy_within(1..META, 0);
        } else {
            lanes.copy_within(l + 1..META, l);
        }
        lanes[META - 1] = EMPTY;
        lanes[META] -= 1;
        self.len -= 1;
        if b != home {
            let meta = &mut self.buckets[home].0[META];
            if *meta < SPILL_MAX {
                *meta -= SPILL_ONE;
            }
        }
        if self.len == 0 {
            self.reach = 0;
        }
    }

    /// Indexes position `pos` of fingerprint `fp`. There must be a free lane somewhere.
    #[inline(always)]
    fn insert(&mut self, fp: u32, pos: u32) {
        let home = self.home(fp);
        let entry = self.tag(fp) | pos;
        let lanes = &mut self.buckets[home].0;
        let n = (lanes[META] & COUNT) as usize;
        if n < META {
            lanes[n] = entry;
            lanes[META] += 1;
        } else {
            self.spill(home, entry);
        }
        self.len += 1;
    }

    /// Puts `entry`, whose home bucket `home` is full, in the first later bucket with room.
    #[cold]
    fn spill(&mut self, home: usize, entry: u32) {
        let mut b = home;
        let mut d = 0;
        loop {
            b = self.next(b);
            d += 1;
            let lanes = &mut self.buckets[b].0;
            let n = (lanes[META] & COUNT) as usize;
            if n < META {
                lanes[n] = entry;
                lanes[META] += 1;
                break;
            }
        }
        let meta = &mut self.buckets[home].0[META];
        if *meta < SPILL_MAX {
            *meta += SPILL_ONE;
        }
        self.reach = self.reach.max(d);
    }

    fn clear_slots(&mut self) {
        self.buckets.fill(EMPTY_BUCKET);
        self.reach = 0;
        self.len = 0;
    }

    /// Checks every entry against the fingerprint of its position, and the order of each
    /// bucket against ring positions (oldest at `tail` of a ring of `ring_len`). For tests.
    #[cfg(test)]
    fn check(&self, fp_of: impl Fn(u32) -> u32, tail: u32, ring_len: u32) {
        let mut taken = 0;
        let mut spilled = alloc::vec![0u32; self.buckets.len()];
        for (b, bucket) in self.buckets.iter().enumerate() {
            let n = (bucket.0[META] & COUNT) as usize;
            assert!(n <= META, "bucket {b} overfull");
            assert!(
                bucket.0[META] >> 31 == 0,
                "metadata lane of bucket {b} looks like an entry"
            );
            assert!(
                bucket.0[n..META].iter().all(|&v| v == EMPTY),
                "bucket {b} not packed"
            );
            for w in bucket.0[..n].windows(2) {
                let age = |v: u32| ((v & self.pos_mask) + ring_len - tail) % ring_len;
                assert!(age(w[0]) < age(w[1]), "bucket {b} out of insertion order");
            }
            for &v in &bucket.0[..n] {
                taken += 1;
                let pos = v & self.pos_mask;
                let fp = fp_of(pos);
                assert_eq!(v, self.tag(fp) | pos, "index entry in bucket {b} is stale");
                let home = self.home(fp);
                let d = b.wrapping_sub(home) & (self.buckets.len() - 1);
                assert!(d as u32 <= self.reach, "entry beyond the reach");
                if d != 0 {
                    spilled[home] += 1;
                }
            }
        }
        for (b, bucket) in self.buckets.iter().enumerate() {
            assert_eq!(
                bucket.0[META] / SPILL_ONE,
                spilled[b],
                "spill count of bucket {b}"
            );
        }
        assert_eq!(taken, self.len, "index length");
    }
}

/// The ghost queue: a FIFO of at most `capacity` fingerprints of keys evicted from the small
/// queue.
///
/// `ring` holds them in insertion order from `tail` (oldest) over `span` slots, with 0 for
/// a hole left by a fingerprint taken out early (a ghost hit or a `remove`); `live` counts
/// the others. A new fingerprint pushes out the oldest live one only when `live` reaches
/// the capacity (holes do not count, exactly as a FIFO with removal); the ring has an eighth
/// more slots than it has room for, and when holes fill that slack the ring is compacted,
/// so the work stays O(1) amortised. `index` maps fingerprints to ring positions.
///
/// The memory is taken for the whole capacity when the cache first fills ([`reserve`]),
/// and never again while it stays full. Before that (a `pop` from a cache that never
/// filled, or a cache grown by `resize`), the ghost makes room as it needs it, doubling;
/// so a cache of a huge capacity that never fills never allocates a huge ghost.
///
/// [`reserve`]: Ghost::reserve
#[derive(Clone, Default)]
pub(crate) struct Ghost {
    ring: Vec<u32>,
    index: Index,
    tail: u32,
    span: u32,
    live: u32,
    /// The most fingerprints remembered at once.
    capacity: u32,
    /// The most fingerprints the ring and index have room for now (`capacity` once
    /// reserved).
    room: u32,
    /// How many times the ring was compacted, for the tests.
    #[cfg(test)]
    compactions: u32,
}

/// The number of index buckets for a ghost of `capacity`: twice as many lanes as
/// fingerprints, rounded up to a power of two, so that buckets are under half full on
/// average and seldom spill.
pub(crate) fn ghost_buckets(capacity: u32) -> usize {
    (2 * capacity as usize).div_ceil(LANES).next_power_of_two()
}

impl Ghost {
    /// An empty ghost of at most `capacity` fingerprints; allocates nothing.
    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }

    /// Takes the memory for the whole capacity now, unless it is taken already: the cache
    /// calls it when it becomes full, so that no eviction of a full cache allocates.
    pub(crate) fn reserve(&mut self) {
        if self.room < self.capacity {
            self.rebuild(self.capacity, ghost_buckets(self.capacity));
        }
    }

    /// [`reserve`](Self::reserve) with `buckets` index buckets (a power of two with at
    /// least `capacity` entry lanes); the tests crowd the index this way.
    #[cfg(test)]
    pub(crate) fn reserve_in(&mut self, buckets: usize) {
        self.rebuild(self.capacity, buckets);
    }

    /// A new ring and index with room for `room` fingerprints (at most the capacity), in
    /// `buckets` buckets, holding the newest `room` of the live ones, in order.
    #[cold]
    fn rebuild(&mut self, room: u32, buckets: usize) {
        debug_assert!(room <= self.capacity);
        assert!(buckets * META >= room as usize);
        let slots = room as usize + room as usize / 8 + 1;
        let mut ring = alloc::vec![0; slots];
        let mut index = Index::new(slots, buckets);
        let skip = self.live.saturating_sub(room) as usize;
        let mut w = 0;
        for fp in self.live().skip(skip) {
            ring[w] = fp;
            index.insert(fp, w as u32);
            w += 1;
        }
        self.ring = ring;
        self.index = index;
        self.tail = 0;
        self.span = w as u32;
        self.live = w as u32;
        self.room = room;
    }

    /// Makes room for more fingerprints before the ghost is reserved: twice as many, up to
    /// the capacity.
    #[cold]
    fn grow(&mut self) {
        let room = (2 * self.room).max(16).min(self.capacity);
        self.rebuild(room, ghost_buckets(room));
    }

    /// Sets the capacity, as a FIFO of the new capacity that had seen the same pushes and
    /// takes would be: growing keeps every fingerprint (memory is reserved later, when the
    /// cache fills), shrinking keeps the newest `capacity` and gives memory back.
    pub(crate) fn set_capacity(&mut self, capacity: u32) {
        if capacity >= self.capacity {
            self.capacity = capacity;
        } else if capacity == 0 {
            *self = Self {
                #[cfg(test)]
                compactions: self.compactions,
                ..Self::default()
            };
        } else {
            self.capacity = capacity;
            let room = self.room.min(capacity);
            self.rebuild(room, ghost_buckets(room));
        }
    }

    /// The index bucket and lane holding `fp`, if it is a live ghost.
    #[inline]
    fn find(&self, fp: u32) -> Option<(usize, usize)> {
        let ring = &self.ring;
        self.index.find(fp, |p| ring.get(p as usize) == Some(&fp))
    }

    /// The number of fingerprints remembered now.
    #[inline]
    pub(crate) fn len(&self) -> u32 {
        self.live
    }

    /// The most fingerprints remembered at once.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Whether the memory for the whole capacity is taken (see [`reserve`](Self::reserve)).
    #[cfg(test)]
    pub(crate) fn is_reserved(&self) -> bool {
        self.room == self.capacity
    }

    /// Whether the ghost holds any memory.
    #[cfg(test)]
    pub(crate) fn is_allocated(&self) -> bool {
        !self.ring.is_empty()
    }

    /// The live fingerprints, oldest first.
    fn live(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.span)
            .map(|k| self.ring[self.wrap(self.tail + k) as usize])
            .filter(|&fp| fp != 0)
    }

    /// Takes `fp` out of the ghost; whether it was there.
    #[inline(always)]
    pub(crate) fn take(&mut self, fp: u32) -> bool {
        match self.find(fp) {
            Some((b, l)) => {
                let p = self.index.buckets[b].0[l] & self.index.pos_mask;
                self.index.remove_at(self.index.home(fp), b, l);
                self.ring[p as usize] = 0;
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    #[inline]
    fn wrap(&self, pos: u32) -> u32 {
        let n = self.ring.len() as u32;
        if pos >= n { pos - n } else { pos }
    }

    /// Adds `fp` as the newest ghost. The key it stands for is not a ghost (a `put` of a
    /// ghost's key takes it out), so nothing is looked up; another key with the same
    /// fingerprint may be, and then `fp` is in the ghost twice, as the two keys are.
    #[inline(always)]
    pub(crate) fn push(&mut self, fp: u32) {
        if self.capacity == 0 {
            return;
        }
        if self.live == self.room && self.room < self.capacity {
            // Not reserved yet (see `reserve`): more room rather than a push-out.
            self.grow();
        } else if self.live == self.room {
            // Full: push out the oldest live fingerprint.
            let mut tail = self.tail;
            while self.ring[tail as usize] == 0 {
                tail = self.wrap(tail + 1);
                self.span -= 1;
            }
            let old = self.ring[tail as usize];
            let (home, b) = self.index.find_oldest(old, tail);
            self.index.remove_at(home, b, 0);
            self.ring[tail as usize] = 0;
            self.tail = self.wrap(tail + 1);
            self.span -= 1;
            self.live -= 1;
        }
        if self.span as usize == self.ring.len() {
            self.compact();
        }
        let pos = self.wrap(self.tail + self.span);
        self.ring[pos as usize] = fp;
        self.index.insert(fp, pos);
        self.span += 1;
        self.live += 1;
    }

    /// Closes the holes: the live fingerprints move, in order, to the front of the ring, and
    /// the index is rebuilt. O(ring + index), at most once per `ring.len() - room` pushes.
    #[cold]
    fn compact(&mut self) {
        #[cfg(test)]
        {
            self.compactions += 1;
        }
        self.ring.rotate_left(self.tail as usize);
        let mut w = 0;
        for r in 0..self.span as usize {
            let fp = self.ring[r];
            if fp != 0 {
                self.ring[w] = fp;
                w += 1;
            }
        }
        self.ring[w..].fill(0);
        self.tail = 0;
        self.span = w as u32;
        self.index.clear_slots();
        for pos in 0..w {
            let fp = self.ring[pos];
            self.index.insert(fp, pos as u32);
        }
    }

    /// Checks the ring, the counts and the index against each other. For tests.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        assert!(self.live <= self.room, "ghost over its room");
        assert!(self.room <= self.capacity, "ghost room over capacity");
        if self.ring.is_empty() {
            assert_eq!((self.live, self.room), (0, 0));
            return;
        }
        assert_eq!(self.ring.len() as u32, self.room + self.room / 8 + 1);
        assert!(self.span as usize <= self.ring.len(), "ghost span too long");
        let mut live = 0;
        for k in 0..self.ring.len() as u32 {
            let pos = self.wrap(self.tail + k);
            let fp = self.ring[pos as usize];
            if k >= self.span {
                assert_eq!(fp, 0, "ghost fingerprint outside the span");
            } else if fp != 0 {
                live += 1;
                assert!(
                    self.index.find(fp, |p| p == pos).is_some(),
                    "live ghost at {pos} not indexed"
                );
            }
        }
        assert_eq!(live, self.live, "ghost live count");
        assert_eq!(self.index.len, self.live, "ghost index size");
        self.index
            .check(|p| self.ring[p as usize], self.tail, self.ring.len() as u32);
    }

    /// How many times the ring was compacted.
    #[cfg(test)]
    pub(crate) fn compactions(&self) -> u32 {
        self.compactions
    }

    /// Whether some fingerprint lives outside its home index bucket now, or did since the
    /// index was last empty.
    #[cfg(test)]
    pub(crate) fn ever_spilled(&self) -> bool {
        self.index.reach > 0
    }
}
