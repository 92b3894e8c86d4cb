#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Put};
use evict_slots::SlotIndex;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// Low 30 bits of a link: a slot index. The high bits carry the entry's flags.
const IDX: u32 = (1 << 30) - 1;
/// "No slot": both ends of an empty queue.
const NIL: u32 = IDX;
/// In `Node::next`, bits 30 and 31 hold the frequency (0 to 3).
const FREQ_ONE: u32 = 1 << 30;
/// Frequency 3, the cap.
const FREQ_MAX: u32 = 3 << 30;
/// In `Node::prev`, bit 31 says the entry is in the main queue (else in the small one).
const IN_MAIN: u32 = 1 << 31;
/// Queue numbers, also `IN_MAIN >> 31`.
const SMALL: usize = 0;
const MAIN: usize = 1;

/// Spare buckets the key table keeps at least (up to the number of entries) when it is
/// rebuilt: below 65,536 entries the table is rebuilt at most half full. With fewer spares a
/// small table fills with hashbrown's tombstones within a few hundred evictions, and at 60%
/// load a miss probes further and an erase leaves a tombstone or not at random, a branch
/// that mispredicts half the time (Zipf get-or-put at 10k entries: 0.5 fewer mispredicted
/// branches per operation than with 4096). From 262,144 entries on the `len / 4` spares are
/// larger, so big caches keep their memory.
const SPARE_FLOOR: usize = 1 << 16;

/// The largest capacity an `S3FifoCache` accepts: slots are addressed by 30 bits, the two
/// spare bits of each link holding the frequency and the queue. Larger requests are clamped
/// to this.
pub const MAX_CAPACITY: usize = (IDX - 1) as usize;

/// One entry. `prev` points towards the head (newer entries) of its queue, `next` towards
/// the tail (older); each queue is a ring, so the head's `prev` is the tail and the tail's
/// `next` the head.
#[derive(Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    /// Index of the newer neighbour; bit 31: in the main queue.
    prev: u32,
    /// Index of the older neighbour; bits 30-31: frequency.
    next: u32,
}

/// One FIFO queue: a circular doubly linked list through the nodes.
#[derive(Clone, Copy, Debug)]
struct Queue {
    /// Newest entry, or `NIL`.
    head: u32,
    /// Oldest entry (the next to leave), or `NIL`.
    tail: u32,
    len: u32,
}

const EMPTY_QUEUE: Queue = Queue {
    head: NIL,
    tail: NIL,
    len: 0,
};

#[inline]
fn set_idx(link: &mut u32, i: u32) {
    *link = (*link & !IDX) | i;
}

/// The ghost's 32-bit fingerprint of a key hash: both halves folded (so that a hasher that
/// fills only the low bits still spreads), never 0 (that marks the ring's holes).
#[inline]
fn fingerprint(hash: u64) -> u32 {
    ((hash ^ (hash >> 32)) as u32).max(1)
}

/// The ghost's capacity for a cache of `capacity`: `⌊9 · capacity / 10⌋`, libCacheSim's
/// `ghost-size-ratio=0.90`.
fn ghost_capacity(capacity: u32) -> u32 {
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
    #[inline]
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
    #[inline]
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
    #[inline]
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
/// more slots than the capacity, and when holes fill that slack the ring is compacted, so
/// the work stays O(1) amortised. `index` maps fingerprints to ring positions. Both are
/// allocated once, when the cache first fills, and never again.
#[derive(Clone, Default)]
struct Ghost {
    ring: Vec<u32>,
    index: Index,
    tail: u32,
    span: u32,
    live: u32,
    capacity: u32,
    /// How many times the ring was compacted, for the tests.
    #[cfg(test)]
    compactions: u32,
}

/// The number of index buckets for a ghost of `capacity`: twice as many lanes as
/// fingerprints, rounded up to a power of two, so that buckets are under half full on
/// average and seldom spill.
fn ghost_buckets(capacity: u32) -> usize {
    (2 * capacity as usize).div_ceil(LANES).next_power_of_two()
}

impl Ghost {
    /// Allocates room for `capacity` fingerprints (none if 0), indexed in `buckets` buckets
    /// (a power of two with at least `capacity` entry lanes).
    fn allocate(&mut self, capacity: u32, buckets: usize) {
        if capacity == 0 || !self.ring.is_empty() {
            return;
        }
        assert!(buckets * META >= capacity as usize);
        let slots = capacity as usize + capacity as usize / 8 + 1;
        self.ring = alloc::vec![0; slots];
        self.index = Index::new(slots, buckets);
        self.tail = 0;
        self.span = 0;
        self.live = 0;
        self.capacity = capacity;
    }

    /// The index bucket and lane holding `fp`, if it is a live ghost.
    #[inline]
    fn find(&self, fp: u32) -> Option<(usize, usize)> {
        let ring = &self.ring;
        self.index.find(fp, |p| ring.get(p as usize) == Some(&fp))
    }

    /// Takes `fp` out of the ghost; whether it was there.
    #[inline]
    fn take(&mut self, fp: u32) -> bool {
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
    #[inline]
    fn push(&mut self, fp: u32) {
        if self.capacity == 0 {
            return;
        }
        if self.live == self.capacity {
            // Push out the oldest live fingerprint.
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
    /// the index is rebuilt. O(ring + index), at most once per `ring.len() - capacity` pushes.
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

    fn check(&self) {
        assert!(self.live <= self.capacity, "ghost over capacity");
        if self.ring.is_empty() {
            assert_eq!(self.live, 0);
            return;
        }
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
}

/// An S3-FIFO cache (Yang et al., SOSP 2023): new entries wait in a small FIFO queue, those
/// read again while there move to a main FIFO queue with CLOCK-style second chances, and a
/// ghost queue of recently evicted keys sends a returning key straight to main. One-hit
/// wonders leave quickly, so a scan does not flush what is read often.
///
/// Entries live in one dense `Vec` linked into the two queues by `u32` indices; a hashbrown
/// `HashTable<u32>` maps keys to slots; the ghost holds 32-bit fingerprints of key hashes.
/// See the [crate docs](crate) for the parameters and costs.
///
/// # Examples
///
/// ```
/// use evict_s3fifo::{Cache, Put, S3FifoCache};
///
/// let mut cache = S3FifoCache::new(10); // small queue 1, main queue 9, ghost 9
/// for k in 0..10 {
///     let _ = cache.put(k, k * 10);
/// }
/// assert_eq!(cache.get(&3), Some(&30));
/// // The first eviction takes the small queue's oldest entry, 0: it was never read.
/// assert_eq!(cache.put(10, 100), Put::Evicted(0, 0));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=10, currsize=10)");
/// ```
#[derive(Clone)]
pub struct S3FifoCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live; `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// The small and the main queue.
    queues: [Queue; 2],
    ghost: Ghost,
    capacity: u32,
    /// `⌊capacity / 10⌋`.
    small_target: u32,
    /// `capacity - small_target`.
    main_target: u32,
    /// Whether an eviction happened since creation or the last `clear`.
    has_evicted: bool,
    hasher: S,
    stats: Stats,
}

impl<K, V> S3FifoCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// with a small queue of `⌊capacity / 10⌋`, a main queue of the rest and a ghost of
    /// `⌊9 · capacity / 10⌋` fingerprints. Capacity 0 caches nothing.
    ///
    /// Slots are allocated as entries arrive; the ghost is allocated when the cache first
    /// fills.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, Put, S3FifoCache};
    ///
    /// let mut none: S3FifoCache<u8, u8> = S3FifoCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> S3FifoCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, DefaultHashBuilder, S3FifoCache};
    ///
    /// let cache: S3FifoCache<u64, u64> =
    ///     S3FifoCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let small_target = capacity / 10;
        Self {
            nodes: Vec::new(),
            table: SlotIndex::new(),
            queues: [EMPTY_QUEUE; 2],
            ghost: Ghost::default(),
            capacity,
            small_target,
            main_target: capacity - small_target,
            has_evicted: false,
            hasher,
            stats: Stats::default(),
        }
    }

    /// The number of entries in the small queue (new entries on probation) and in the main
    /// queue. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(20); // small target 2
    /// for k in 0..5 {
    ///     let _ = cache.put(k, ());
    /// }
    /// // Before the first eviction, entries go to main once small is at its target.
    /// assert_eq!(cache.queue_lens(), (2, 3));
    /// ```
    pub fn queue_lens(&self) -> (usize, usize) {
        (
            self.queues[SMALL].len as usize,
            self.queues[MAIN].len as usize,
        )
    }

    /// The number of keys the ghost queue remembers now (at most `⌊9 · capacity / 10⌋`).
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// for k in 0..11 {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.ghost_len(), 1); // the key evicted from the small queue
    /// ```
    pub fn ghost_len(&self) -> usize {
        self.ghost.live as usize
    }

    #[inline]
    fn queue_of(&self, i: u32) -> usize {
        (self.nodes[i as usize].prev >> 31) as usize
    }

    /// Links detached slot `i` in at the head of queue `q`, keeping its frequency.
    #[inline]
    fn link_head(&mut self, i: u32, q: usize) {
        let Queue { head, tail, .. } = self.queues[q];
        let (newer, older) = if head == NIL { (i, i) } else { (tail, head) };
        {
            let node = &mut self.nodes[i as usize];
            node.prev = newer | ((q as u32) << 31);
            set_idx(&mut node.next, older);
        }
        if head == NIL {
            self.queues[q].tail = i;
        } else {
            set_idx(&mut self.nodes[head as usize].prev, i);
            set_idx(&mut self.nodes[tail as usize].next, i);
        }
        self.queues[q].head = i;
        self.queues[q].len += 1;
    }

    /// Detaches slot `i` from its queue.
    #[inline]
    fn unlink(&mut self, i: u32) {
        let q = self.queue_of(i);
        let queue = &mut self.queues[q];
        queue.len -= 1;
        if queue.len == 0 {
            *queue = EMPTY_QUEUE;
            return;
        }
        let node = &self.nodes[i as usize];
        let (prev, next) = (node.prev & IDX, node.next & IDX);
        if queue.head == i {
            queue.head = next;
        }
        if queue.tail == i {
            queue.tail = prev;
        }
        set_idx(&mut self.nodes[prev as usize].next, next);
        set_idx(&mut self.nodes[next as usize].prev, prev);
    }

    /// Counts an access to slot `i`: frequency + 1, capped at 3.
    #[inline]
    fn bump(&mut self, i: u32) {
        let next = &mut self.nodes[i as usize].next;
        if *next < FREQ_MAX {
            *next += FREQ_ONE;
        }
    }

    /// Chooses exactly one entry to evict (the cache is full, so not empty) and returns its
    /// slot and its queue (if small, its key becomes a ghost); it is left linked as that
    /// queue's tail. Entries may move between the queues on the way, as libCacheSim's
    /// `S3FIFO_evict`.
    fn evict(&mut self) -> (u32, usize) {
        self.has_evicted = true;
        loop {
            if self.queues[MAIN].len > self.main_target || self.queues[SMALL].len == 0 {
                // CLOCK over main: a tail read since it last came round goes back to the
                // head, one access poorer.
                loop {
                    let t = self.queues[MAIN].tail;
                    let node = &mut self.nodes[t as usize];
                    if node.next >= FREQ_ONE {
                        // The queue is a ring: moving the tail to the head is moving both
                        // ends one step.
                        node.next -= FREQ_ONE;
                        let newer = node.prev & IDX;
                        self.queues[MAIN].head = t;
                        self.queues[MAIN].tail = newer;
                    } else {
                        return (t, MAIN);
                    }
                }
            }
            while self.queues[SMALL].len > 0 {
                let t = self.queues[SMALL].tail;
                if self.nodes[t as usize].next >= 2 * FREQ_ONE {
                    // Read at least twice while on probation: promoted, frequency reset.
                    self.unlink(t);
                    self.nodes[t as usize].next &= IDX;
                    self.link_head(t, MAIN);
                } else {
                    return (t, SMALL);
                }
            }
        }
    }

    /// Checks that the queues, the slots, the table and the ghost agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.nodes.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        assert_eq!(self.small_target, self.capacity / 10);
        assert_eq!(self.main_target, self.capacity - self.small_target);
        let mut seen = alloc::vec![false; n];
        for q in [SMALL, MAIN] {
            let Queue { head, tail, len } = self.queues[q];
            if len == 0 {
                assert_eq!((head, tail), (NIL, NIL), "empty queue {q} with ends");
                continue;
            }
            let mut prev = tail;
            let mut at = head;
            for _ in 0..len {
                assert!(!seen[at as usize], "slot {at} linked twice");
                seen[at as usize] = true;
                let node = &self.nodes[at as usize];
                assert_eq!(node.prev & IDX, prev, "broken prev link at slot {at}");
                assert_eq!(self.queue_of(at), q, "slot {at} has the wrong queue bit");
                assert_eq!(node.prev & !IDX & !IN_MAIN, 0, "stray bits in prev");
                let hash = self.hasher.hash_one(&node.key);
                assert_eq!(
                    self.table.find(hash, |i| i == at),
                    Some(at),
                    "slot {at} not reachable from the table"
                );
                prev = at;
                at = node.next & IDX;
            }
            assert_eq!(tail, prev, "tail of queue {q} is not its last node");
            assert_eq!(at, head, "queue {q} is not a ring of its length");
        }
        assert!(
            seen.iter().all(|&s| s),
            "the queues do not cover every slot"
        );
        if self.ghost.capacity != 0 {
            assert_eq!(self.ghost.capacity, ghost_capacity(self.capacity));
        }
        if self.has_evicted {
            assert!(!self.ghost.ring.is_empty() || ghost_capacity(self.capacity) == 0);
        }
        self.ghost.check();
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> S3FifoCache<K, V, S> {
    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), SPARE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`).
    #[cold]
    fn settle_table(&mut self) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.settle(nodes.len(), SPARE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let nodes = &self.nodes;
        self.table.find(hash, |i| nodes[i as usize].key == *key)
    }

    /// Takes slot `i` (already unlinked) out of the table and out of the dense `Vec`,
    /// whose last slot fills the hole.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        self.table.remove(hash, i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            // The node that was at `last` now lives at `i`: repoint its neighbours, its
            // queue's ends and its table entry.
            let q = self.queue_of(i);
            let (prev, next) = {
                let moved = &self.nodes[i as usize];
                (moved.prev & IDX, moved.next & IDX)
            };
            if prev == last {
                // Alone in its queue: it is its own neighbour.
                set_idx(&mut self.nodes[i as usize].prev, i);
                set_idx(&mut self.nodes[i as usize].next, i);
            } else {
                set_idx(&mut self.nodes[prev as usize].next, i);
                set_idx(&mut self.nodes[next as usize].prev, i);
            }
            if self.queues[q].head == last {
                self.queues[q].head = i;
            }
            if self.queues[q].tail == last {
                self.queues[q].tail = i;
            }
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }

    /// The queue a new key enters: main if it was a ghost, or if the small queue is at its
    /// target before the first eviction (libCacheSim's warm-up); else small.
    #[inline]
    fn entry_queue(&self, was_ghost: bool) -> usize {
        if was_ghost || (!self.has_evicted && self.queues[SMALL].len >= self.small_target) {
            MAIN
        } else {
            SMALL
        }
    }
}

impl<K, V, S> Cache<K, V> for S3FifoCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                // One bounds check for the counter and the value; a saturated counter is
                // not rewritten, so hot entries' cache lines stay clean.
                let node = &mut self.nodes[i as usize];
                if node.next < FREQ_MAX {
                    node.next += FREQ_ONE;
                }
                Some(&node.value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    /// Inserts or replaces. Replacing counts as an access (frequency + 1) and keeps the
    /// entry's place. A new key goes to the main queue if the ghost remembers it (the ghost
    /// forgets it then), else to the small queue; when the cache is full exactly one entry
    /// leaves and is returned.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.bump(i);
            let old = core::mem::replace(&mut self.nodes[i as usize].value, value);
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let was_ghost = self.ghost.take(fingerprint(hash));
        if self.nodes.len() < self.capacity as usize {
            let i = self.nodes.len() as u32;
            if self.nodes.len() == self.nodes.capacity() {
                // Grow geometrically but never past the capacity: a full cache holds exactly
                // `capacity` slots and never allocates again.
                let room = self.capacity as usize - self.nodes.len();
                self.nodes.reserve_exact(self.nodes.len().max(4).min(room));
            }
            self.nodes.push(Node {
                key,
                value,
                prev: NIL,
                next: NIL,
            });
            let q = self.entry_queue(was_ghost);
            self.link_head(i, q);
            self.index(hash, i);
            if self.nodes.len() == self.capacity as usize {
                self.settle_table();
                // Full from now on: the ghost's memory is taken once, here, so that
                // evictions never allocate.
                self.ghost.allocate(
                    ghost_capacity(self.capacity),
                    ghost_buckets(ghost_capacity(self.capacity)),
                );
            }
            return Put::Inserted;
        }
        // Full: evict one entry and reuse its slot in place.
        let (victim, from) = self.evict();
        let victim_hash = self.hasher.hash_one(&self.nodes[victim as usize].key);
        if from == SMALL {
            self.ghost.push(fingerprint(victim_hash));
        }
        self.table.remove(victim_hash, victim);
        let node = &mut self.nodes[victim as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        // `has_evicted` is set now: only a ghost goes to main.
        let q = if was_ghost { MAIN } else { SMALL };
        if q == from {
            // The new entry takes the victim's slot at the head of the same queue: in a
            // ring, moving the tail to the head is moving both ends one step.
            node.next &= IDX; // frequency 0
            let newer = node.prev & IDX;
            self.queues[q].head = victim;
            self.queues[q].tail = newer;
        } else {
            self.unlink(victim);
            self.nodes[victim as usize].next = NIL; // frequency 0
            self.link_head(victim, q);
        }
        self.index(hash, victim);
        Put::Evicted(old_key, old_value)
    }

    /// Removes a cached key without leaving a ghost; for a key not cached, forgets its
    /// ghost entry (as libCacheSim's `S3FIFO_remove`), so a later `put` starts it on
    /// probation in the small queue.
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.unlink(i);
                Some(self.remove_slot(i, hash).1)
            }
            None => {
                self.ghost.take(fingerprint(hash));
                None
            }
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.nodes.len())
    }

    /// Drops every entry and the ghost, gives the memory back (as Python's `cache_clear()`
    /// does) and resets the counters: the cache is as new.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.queues = [EMPTY_QUEUE; 2];
        self.ghost = Ghost::default();
        self.has_evicted = false;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for S3FifoCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(&'a [Node<K, V>], Queue);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                let mut at = self.1.head;
                for _ in 0..self.1.len {
                    let node = &self.0[at as usize];
                    map.entry(&node.key, &node.value);
                    at = node.next & IDX;
                }
                map.finish()
            }
        }
        f.debug_struct("S3FifoCache")
            .field("capacity", &self.capacity)
            .field(
                "small_newest_first",
                &Entries(&self.nodes, self.queues[SMALL]),
            )
            .field(
                "main_newest_first",
                &Entries(&self.nodes, self.queues[MAIN]),
            )
            .field("ghosts", &self.ghost.live)
            .field("stats", &self.stats)
            .finish()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Node<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.key, self.value)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::string::ToString;
    use evict_harness::{Op, Settings, model};

    /// A fixed-seed hasher: the ghost keeps fingerprints, so the tests pin the seed (and
    /// check below that it gives the test keys distinct fingerprints).
    type Fixed = foldhash::fast::FixedState;
    fn fixed() -> Fixed {
        foldhash::fast::FixedState::with_seed(0x53_4649_464f)
    }

    // Capacities up to 40 so that the 10% small queue holds up to 4 entries and the ghost 36.
    evict_harness::conformance!(
        conformance,
        |cap| S3FifoCache::with_hasher(cap, fixed()),
        model = model::s3fifo::S3Fifo::new,
        validate = |c: &S3FifoCache<u8, u16, Fixed>| c.check_invariants(),
        settings = Settings {
            max_capacity: 40,
            keys: 64,
            max_ops: 500
        }
    );

    // The kit's default shape: tiny capacities (small target 0 or 1, ghost of 0 to 10).
    evict_harness::conformance!(
        conformance_tiny,
        |cap| S3FifoCache::with_hasher(cap, fixed()),
        model = model::s3fifo::S3Fifo::new,
        validate = |c: &S3FifoCache<u8, u16, Fixed>| c.check_invariants()
    );

    #[test]
    fn test_keys_have_distinct_fingerprints() {
        let hasher = fixed();
        let mut fps: Vec<u32> = (0..=255u8)
            .map(|k| fingerprint(hasher.hash_one(k)))
            .collect();
        fps.sort_unstable();
        fps.dedup();
        assert_eq!(fps.len(), 256);
    }

    /// Where a cached key lives: `Some(true)` for main, `Some(false)` for small.
    fn in_main<V>(cache: &S3FifoCache<u32, V, Fixed>, key: u32) -> Option<bool> {
        let i = cache.find(cache.hasher.hash_one(key), &key)?;
        Some(cache.queue_of(i) == MAIN)
    }

    #[test]
    fn a_ghost_hit_goes_straight_to_main() {
        let mut c = S3FifoCache::with_hasher(20, fixed()); // small 2, main 18, ghost 18
        for k in 0..20u32 {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        assert_eq!(c.queue_lens(), (2, 18));
        assert_eq!(in_main(&c, 0), Some(false));
        // 0 was never read: the first eviction takes it from small, into the ghost.
        assert_eq!(c.put(20, 20), Put::Evicted(0, 0));
        assert_eq!(c.ghost_len(), 1);
        assert_eq!(in_main(&c, 20), Some(false));
        // Back again: straight to main, and the ghost forgets it.
        assert_eq!(c.put(0, 0), Put::Evicted(1, 1));
        assert_eq!(in_main(&c, 0), Some(true));
        assert_eq!(c.ghost_len(), 1); // now just 1
        c.check_invariants();
        // A brand-new key still starts in small.
        let _ = c.put(99, 99);
        assert_eq!(in_main(&c, 99), Some(false));
        c.check_invariants();
    }

    #[test]
    fn removing_a_ghost_forgets_it() {
        let mut c = S3FifoCache::with_hasher(20, fixed());
        for k in 0..21u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.ghost_len(), 1);
        assert_eq!(c.remove(&0), None);
        assert_eq!(c.ghost_len(), 0);
        let _ = c.put(0, 0);
        assert_eq!(in_main(&c, 0), Some(false));
        c.check_invariants();
    }

    #[test]
    fn a_small_entry_read_twice_moves_to_main() {
        let mut c = S3FifoCache::with_hasher(20, fixed());
        for k in 0..20u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.get(&0), Some(&0));
        assert_eq!(c.get(&0), Some(&0));
        assert_eq!(c.get(&1), Some(&1)); // once is not enough
        assert_eq!(c.put(20, 20), Put::Evicted(1, 1));
        assert_eq!(in_main(&c, 0), Some(true));
        c.check_invariants();
    }

    #[test]
    fn a_scan_of_one_hit_wonders_does_not_flush_frequent_entries() {
        let mut c = S3FifoCache::with_hasher(100, fixed());
        let get_or_put = |c: &mut S3FifoCache<u32, u32, Fixed>, k: u32| {
            if c.get(&k).is_none() {
                let _ = c.put(k, k);
            }
        };
        for _ in 0..3 {
            for k in 0..50 {
                get_or_put(&mut c, k);
            }
        }
        for k in 1_000..11_000 {
            get_or_put(&mut c, k);
        }
        c.check_invariants();
        for k in 0..50 {
            assert_eq!(c.peek(&k), Some(&k), "hot key {k} was flushed by the scan");
        }
        // An LRU of the same size would have kept only the last 100 scan keys.
        assert_eq!(c.info().hits, 100);
    }

    #[test]
    fn main_gives_second_chances_like_clock() {
        let mut c = S3FifoCache::with_hasher(3, fixed()); // small target 0: warm-up fills main
        for k in 0..3u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.queue_lens(), (0, 3));
        let _ = c.get(&0);
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
        assert_eq!(c.queue_lens(), (1, 2));
        c.check_invariants();
    }

    /// A long pseudo-random "get; on a miss, put" run with removes, over more keys than the
    /// property tests use, compared with the model step by step; it fills the ghost's slack
    /// with holes, so the ring is compacted many times.
    #[test]
    fn long_run_matches_the_model_through_ghost_compactions() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut ops = Vec::new();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Skewed keys: small ones are frequent, so ghosts come back often.
            let k = ((state >> 8) % 256) as u8 & ((state >> 20) as u8 | 0x1f);
            let v = (state >> 40) as u16;
            match state % 20 {
                0 => ops.push(Op::Remove(k)),
                1..=9 => ops.push(Op::Get(k)),
                _ => ops.push(Op::Put(k, v)),
            }
        }
        let settings = Settings {
            max_capacity: 120,
            keys: 255,
            max_ops: ops.len(),
        };
        for capacity in [1, 9, 10, 41, 120] {
            // Also with as few index buckets as fit the ghost (up to 90% full), so that
            // many fingerprints spill out of their home bucket.
            let g = ghost_capacity(capacity as u32);
            for buckets in [
                ghost_buckets(g),
                (g as usize).div_ceil(META).next_power_of_two(),
            ] {
                let make = |cap: usize| {
                    let mut c = S3FifoCache::with_hasher(cap, fixed());
                    c.ghost.allocate(ghost_capacity(cap as u32), buckets);
                    c
                };
                let result = evict_harness::check_against(
                    make,
                    model::s3fifo::S3Fifo::new,
                    |c: &S3FifoCache<u8, u16, Fixed>| c.check_invariants(),
                    capacity,
                    &ops,
                    settings,
                );
                if let Err(failure) = result {
                    panic!("capacity {capacity}, {buckets} index buckets: {failure}");
                }
            }
        }
        // The crowded index does spill.
        let mut c = S3FifoCache::with_hasher(120, fixed());
        c.ghost.allocate(108, 8);
        let mut spilled = false;
        for op in &ops {
            let _ = evict_harness::apply(&mut c, op);
            spilled |= c.ghost.index.reach > 0;
        }
        assert!(spilled, "the crowded ghost index never spilled");
        // The same run again, counting compactions on the largest cache.
        let mut c = S3FifoCache::with_hasher(120, fixed());
        for op in &ops {
            let _ = evict_harness::apply(&mut c, op);
        }
        assert!(
            c.ghost.compactions > 0,
            "the run never compacted the ghost ring"
        );
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: S3FifoCache<u64, u64> = S3FifoCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.nodes.capacity(), 0);
        assert!(c.ghost.ring.is_empty());
    }

    #[test]
    fn clear_releases_memory_and_forgets_ghosts() {
        let mut c = S3FifoCache::with_hasher(20, fixed());
        for k in 0..30u32 {
            let _ = c.put(k, k);
            let _ = c.get(&k);
        }
        assert!(c.ghost_len() > 0);
        c.clear();
        assert_eq!(c.ghost_len(), 0);
        assert_eq!(c.nodes.capacity(), 0);
        assert!(c.ghost.ring.is_empty());
        assert_eq!(
            c.info().to_string(),
            "CacheInfo(hits=0, misses=0, maxsize=20, currsize=0)"
        );
        for k in 0..20u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.queue_lens(), (2, 18)); // the warm-up starts over
        c.check_invariants();
    }

    #[test]
    fn table_does_not_keep_growing_under_churn() {
        // Tombstones left by evictions must not make a full cache grow its table: the put
        // that fills the cache gives the table its final spare room, and from then on the
        // allocation stays put.
        for capacity in [50usize, 80, 1000] {
            let mut c = S3FifoCache::new(capacity);
            let mut sizes = None;
            // S3-FIFO's tables churn more slowly than LRU's: 2M ops are needed to see the
            // doubling without the in-place rebuild.
            for k in 0..2_000_000u64 {
                let key = if k % 7 == 0 { k.saturating_sub(3) } else { k };
                if c.get(&key).is_none() {
                    let _ = c.put(key, key);
                }
                if sizes.is_none() && c.len() == capacity {
                    sizes = Some((c.nodes.capacity(), c.table.allocation_size()));
                }
            }
            c.check_invariants();
            assert_eq!(Some((c.nodes.capacity(), c.table.allocation_size())), sizes);
        }
    }
}
