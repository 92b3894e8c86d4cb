//! The ghost index: ring positions keyed by fingerprint, in buckets of one cache line.
//!
//! An entry lives in its home bucket, or, when that is full, in the first later bucket with
//! room (it *spills*). Each bucket has 15 entry lanes, kept packed at the front in the order
//! the entries were put (a removal moves the later ones down), and a metadata lane: the entry
//! count, how many entries homed there spilled, and how far the farthest of them may be. A
//! lookup looks past the home bucket only when some entry homed there spilled, and then only
//! as far as that. No tombstones.
//!
//! An entry packs, from the top: a set bit (so that no entry looks like a metadata lane),
//! the key bits (the caller's tag bits, then fingerprint bits) and the ring position. A
//! lookup compares the top bits of all lanes of a bucket at once (four vector compares and
//! one `pmovmskb`) and reads the ring only for an entry whose key bits match.

use alloc::vec::Vec;

/// An empty lane. Never a real entry: a ring position never has all its bits set.
pub(super) const EMPTY: u32 = u32::MAX;
/// Lanes per bucket (one 64-byte cache line of `u32`s); the last one is not an entry but the
/// bucket's metadata.
const LANES: usize = 16;
/// The lane holding a bucket's metadata: the number of entries (bits 0-3; they fill lanes
/// `0..n`), how far past this bucket the entries homed here that spilled may be (bits 4-7;
/// `FAR_MAX`: ask `reach`), and how many of them there are (bits 8-30). Its top bit is never
/// set, unlike an entry's or `EMPTY`'s, so it never matches either.
const META: usize = LANES - 1;
/// The bits of the metadata lane that count the entries.
const COUNT: u32 = 0xf;
/// The shift and the largest value of the distance field of the metadata lane.
const FAR_SHIFT: u32 = 4;
const FAR_MAX: u32 = 0xf;
/// One spilled entry, in the metadata lane.
const SPILL_ONE: u32 = 1 << 8;
/// The largest spill count; once reached it sticks (with the distance field at `FAR_MAX`).
const SPILL_MAX: u32 = FLAG - SPILL_ONE;
/// A metadata lane at or above this has spilled entries.
const SPILLED: u32 = 1 << FAR_SHIFT;
/// The top bit of every entry.
const FLAG: u32 = 1 << 31;

/// One bucket, aligned to a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Bucket([u32; LANES]);

const EMPTY_BUCKET: Bucket = {
    let mut lanes = [EMPTY; LANES];
    lanes[META] = 0;
    Bucket(lanes)
};

/// Whether some lane of `bucket` holds `want` under `mask` (a mask with the top bit, so
/// that the metadata lane never matches).
#[inline(always)]
fn any_lane(bucket: &Bucket, want: u32, mask: u32) -> bool {
    bucket
        .0
        .iter()
        .fold(false, |any, &v| any | ((v ^ want) & mask == 0))
}

/// The buckets and the layout of their entries.
#[derive(Clone, Default)]
pub(super) struct Index {
    buckets: Vec<Bucket>,
    /// Bits of an entry that hold a ring position.
    pub(super) pos_bits: u32,
    /// `(1 << pos_bits) - 1`.
    pub(super) pos_mask: u32,
    /// The caller's tag bits kept: the top `tag_bits` of a tag.
    pub(super) tag_mask: u32,
    /// The bits of an entry, between the tag bits and the position, that hold fingerprint
    /// bits.
    fill_mask: u32,
    /// The most buckets past its home that any entry was ever put.
    reach: u32,
}

impl Index {
    /// An empty index with no buckets, for ring positions of `pos_bits` bits (at most 31)
    /// and `tag_bits` tag bits (at most `29 - pos_bits`, or 0).
    pub(super) fn new(pos_bits: u32, tag_bits: u32) -> Self {
        debug_assert!(pos_bits <= 31 && tag_bits + pos_bits <= 31);
        let pos_mask = ((1u64 << pos_bits) - 1) as u32;
        let tag_mask = !(u32::MAX.checked_shr(tag_bits).unwrap_or(0));
        Self {
            buckets: Vec::new(),
            pos_bits,
            pos_mask,
            tag_mask,
            fill_mask: !FLAG & !(tag_mask >> 1) & !pos_mask,
            reach: 0,
        }
    }

    /// An empty index of the same layout with `n` buckets (at least one).
    pub(super) fn with_buckets(&self, n: usize) -> Self {
        let mut buckets = Vec::new();
        buckets.reserve_exact(n.max(1));
        buckets.resize(n.max(1), EMPTY_BUCKET);
        Self {
            buckets,
            reach: 0,
            ..*self
        }
    }

    /// The entry lanes the index has: it holds at most this many entries.
    pub(super) fn lanes(&self) -> usize {
        self.buckets.len() * META
    }

    pub(super) fn allocation_size(&self) -> usize {
        self.buckets.capacity() * size_of::<Bucket>()
    }

    /// The key bits of an entry for fingerprint `fp` and tag `tag`, with its top bit.
    #[inline(always)]
    pub(super) fn key(&self, fp: u32, tag: u32) -> u32 {
        FLAG | ((tag & self.tag_mask) >> 1)
            | ((u64::from(fp) << self.pos_bits) as u32 & self.fill_mask)
    }

    /// The bucket where fingerprint `fp` belongs (a multiply-shift range reduction of a mix
    /// of `fp`, so that the number of buckets need not be a power of two and the position
    /// bits do not repeat the fingerprint bits kept in the entry).
    #[inline(always)]
    pub(super) fn home(&self, fp: u32) -> usize {
        ((u64::from(fp.wrapping_mul(0x9E37_79B9)) * self.buckets.len() as u64) >> 32) as usize
    }

    /// How many buckets past `home` its spilled entries may be.
    #[inline(always)]
    fn far(&self, home: usize) -> u32 {
        match (self.buckets[home].0[META] >> FAR_SHIFT) & FAR_MAX {
            FAR_MAX => self.reach,
            far => far,
        }
    }

    #[inline(always)]
    fn next(&self, b: usize) -> usize {
        if b + 1 == self.buckets.len() {
            0
        } else {
            b + 1
        }
    }

    /// The bucket and lane of the oldest entry of key `key` (from [`key`](Self::key)) whose
    /// position satisfies `is`, homed in bucket `home`; `age` orders positions (oldest
    /// least).
    #[inline(always)]
    pub(super) fn find(
        &self,
        home: usize,
        key: u32,
        is: impl FnMut(u32) -> bool,
        age: impl Fn(u32) -> usize,
    ) -> Option<(usize, usize)> {
        // Usually no key matches in the home bucket, and nothing spilled from it.
        let bucket = &self.buckets[home];
        if !any_lane(bucket, key, !self.pos_mask) && bucket.0[META] < SPILLED {
            return None;
        }
        self.find_from(home, key, is, age)
    }

    /// `find`'s slow path: look at the lanes whose key matches, and past the home bucket as
    /// far as entries homed there spilled (a match there may be older than one at home).
    #[inline(never)]
    fn find_from(
        &self,
        home: usize,
        key: u32,
        mut is: impl FnMut(u32) -> bool,
        age: impl Fn(u32) -> usize,
    ) -> Option<(usize, usize)> {
        let far = self.far(home);
        let mask = !self.pos_mask;
        let mut best: Option<(usize, usize, usize)> = None;
        let mut b = home;
        let mut d = 0;
        loop {
            let lanes = &self.buckets[b].0;
            let n = (lanes[META] & COUNT) as usize;
            // Lanes are in the order their entries were put: the first match of a bucket is
            // its oldest.
            if !any_lane(&self.buckets[b], key, mask) {
            } else if let Some(l) = lanes[..n]
                .iter()
                .position(|&v| (v ^ key) & mask == 0 && is(v & self.pos_mask))
            {
                let a = age(lanes[l] & self.pos_mask);
                if best.is_none_or(|(_, _, old)| a < old) {
                    best = Some((b, l, a));
                }
            }
            if d == far {
                return best.map(|(b, l, _)| (b, l));
            }
            d += 1;
            b = self.next(b);
        }
    }

    /// The bucket and lane of the entry of ring position `pos`, homed in bucket `home`.
    /// Positions are unique: no key bits are needed.
    #[inline(always)]
    pub(super) fn locate(&self, home: usize, pos: u32) -> (usize, usize) {
        // The oldest entry of the index, which a FIFO pops, is the oldest of its bucket.
        if self.buckets[home].0[0] & self.pos_mask == pos {
            return (home, 0);
        }
        self.locate_from(home, pos)
    }

    /// `locate`'s general case: any lane, and past the home bucket.
    #[inline(never)]
    fn locate_from(&self, home: usize, pos: u32) -> (usize, usize) {
        let far = self.far(home);
        let mut b = home;
        let mut d = 0;
        loop {
            let lanes = &self.buckets[b].0;
            let n = (lanes[META] & COUNT) as usize;
            if any_lane(&self.buckets[b], pos | FLAG, self.pos_mask | FLAG)
                && let Some(l) = lanes[..n].iter().position(|&v| v & self.pos_mask == pos)
            {
                return (b, l);
            }
            assert!(d < far, "ghost position {pos} is not indexed");
            d += 1;
            b = self.next(b);
        }
    }

    /// The entry at lane `l` of bucket `b`.
    #[inline(always)]
    pub(super) fn entry(&self, b: usize, l: usize) -> u32 {
        self.buckets[b].0[l]
    }

    /// Empties lane `l` of bucket `b`, which holds an entry whose home bucket is `home`:
    /// the later entries of the bucket move down one lane, so that it stays in order.
    #[inline(always)]
    pub(super) fn remove_at(&mut self, home: usize, b: usize, l: usize) {
        let lanes = &mut self.buckets[b].0;
        if l == 0 {
            // The oldest entry of the bucket: a fixed-size move, no loop.
            lanes.copy_within(1..META, 0);
        } else {
            lanes.copy_within(l + 1..META, l);
        }
        lanes[META - 1] = EMPTY;
        lanes[META] -= 1;
        if b != home {
            let meta = &mut self.buckets[home].0[META];
            if *meta < SPILL_MAX {
                *meta -= SPILL_ONE;
                if *meta < SPILL_ONE {
                    // None spilled now: the distance starts over.
                    *meta &= COUNT;
                }
            }
        }
    }

    /// Puts `entry`, homed in bucket `home`, after the entries there. There must be a free
    /// lane somewhere.
    #[inline(always)]
    pub(super) fn insert(&mut self, home: usize, entry: u32) {
        let lanes = &mut self.buckets[home].0;
        let n = (lanes[META] & COUNT) as usize;
        if n < META {
            lanes[n] = entry;
            lanes[META] += 1;
        } else {
            self.spill(home, entry);
        }
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
        let far = if *meta >= SPILL_MAX {
            FAR_MAX
        } else {
            d.min(FAR_MAX)
        };
        if far > (*meta >> FAR_SHIFT) & FAR_MAX {
            *meta = (*meta & !(FAR_MAX << FAR_SHIFT)) | far << FAR_SHIFT;
        }
        self.reach = self.reach.max(d);
    }

    /// Gives every entry the position `f(position)`, in place (the order of each bucket
    /// kept).
    pub(super) fn repoint(&mut self, mut f: impl FnMut(u32) -> u32) {
        let pos_mask = self.pos_mask;
        for bucket in &mut self.buckets {
            let n = (bucket.0[META] & COUNT) as usize;
            for e in &mut bucket.0[..n] {
                *e = (*e & !pos_mask) | f(*e & pos_mask);
            }
        }
    }

    /// The number of entries (counted: for checks).
    pub(super) fn len(&self) -> usize {
        self.buckets
            .iter()
            .map(|b| (b.0[META] & COUNT) as usize)
            .sum()
    }

    /// Whether some entry was ever put outside its home bucket.
    pub(super) fn ever_spilled(&self) -> bool {
        self.reach > 0
    }

    /// Checks every entry against its ring word (`fp_of(position)`, and `age`), the
    /// packing, order and spill counts of every bucket.
    pub(super) fn check(&self, fp_of: impl Fn(u32) -> u32, age: impl Fn(u32) -> usize) {
        let mut taken = 0;
        let mut spilled = alloc::vec![0u32; self.buckets.len()];
        for (b, bucket) in self.buckets.iter().enumerate() {
            let n = (bucket.0[META] & COUNT) as usize;
            assert!(n <= META, "bucket {b} overfull");
            assert!(
                bucket.0[META] & FLAG == 0,
                "metadata lane of bucket {b} looks like an entry"
            );
            assert!(
                bucket.0[n..META].iter().all(|&v| v == EMPTY),
                "bucket {b} not packed"
            );
            for w in bucket.0[..n].windows(2) {
                let (a0, a1) = (age(w[0] & self.pos_mask), age(w[1] & self.pos_mask));
                assert!(a0 < a1, "bucket {b} out of order");
            }
            for &v in &bucket.0[..n] {
                taken += 1;
                let fp = fp_of(v & self.pos_mask);
                assert_eq!(
                    v & self.fill_mask,
                    self.key(fp, 0) & self.fill_mask,
                    "entry in bucket {b} is stale"
                );
                assert!(v & FLAG != 0, "entry in bucket {b} without its top bit");
                let home = self.home(fp);
                let d = if b >= home {
                    b - home
                } else {
                    b + self.buckets.len() - home
                };
                assert!(d as u32 <= self.reach, "entry beyond the reach");
                assert!(
                    d as u32 <= self.far(home),
                    "entry beyond its home's distance"
                );
                if d != 0 {
                    spilled[home] += 1;
                }
            }
        }
        for (b, bucket) in self.buckets.iter().enumerate() {
            if bucket.0[META] < SPILL_MAX {
                assert_eq!(
                    bucket.0[META] / SPILL_ONE,
                    spilled[b],
                    "spill count of bucket {b}"
                );
                if spilled[b] == 0 {
                    assert!(
                        bucket.0[META] < SPILLED,
                        "distance of bucket {b} without spills"
                    );
                }
            }
        }
        assert_eq!(taken, self.len(), "index length");
    }
}
