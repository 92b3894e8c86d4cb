//! Ghost lists: fingerprints of the keys a cache recently evicted, for the policies that
//! remember them (S3-FIFO's ghost queue, ARC's `B1` and `B2`).
//!
//! A [`Ghost`] keeps `LISTS` lists of fingerprints in one ring of `u32` words, oldest first,
//! with an index over it from fingerprints to ring positions in buckets of one cache line.
//! No key, no hasher, no links: about 12 bytes per ghost in all (below).
//!
//! Its interface is what both policies need and nothing else: [`push`](Ghost::push) a
//! fingerprint onto a list as its newest, [`find`](Ghost::find) one (then
//! [`list_of`](Ghost::list_of) and [`remove`](Ghost::remove) it) or [`take`](Ghost::take) it
//! in one call, [`pop_oldest`](Ghost::pop_oldest) of a list, and the lengths. The bounds stay
//! with the caller (S3-FIFO pops its one list's oldest when it holds `⌊0.9 · capacity⌋`; ARC's
//! case IV chooses which list loses its oldest): the ghost is only told, at
//! [`new`](Ghost::new), the most it will hold at once, and sizes itself for that.
//!
//! **Fingerprints.** The caller derives two numbers from a key's hash and passes both to
//! every call: `fp`, kept in the ring, of [`FP_BITS`](Ghost::FP_BITS) bits (32 with one list,
//! 31 with two: the list id takes the top bits of a ring word) and never 0 (0 marks a hole);
//! and `tag`, of which the index keeps the top [`tag_bits_for`](Ghost::tag_bits_for)`(max_live)`
//! bits (8 at a million ghosts, more for fewer). A lookup matches a ghost when both agree, so
//! the caller chooses what collides: S3-FIFO passes a 32-bit `fp` and a tag made of its bits
//! (so that the match is on those 32 bits), ARC the low 31 bits of the hash and its high half
//! (`31 + tag bits` bits compared). Two ghosts may share a fingerprint and tag (two keys whose
//! hashes agree there); a lookup then finds the older one.
//!
//! **Payload.** A `Ghost<LISTS, P>` keeps a `P` beside each fingerprint (a weighted cache's
//! ghost keeps the weight its entry had: [`push_with`](Ghost::push_with),
//! [`take_with`](Ghost::take_with), [`pop_oldest_with`](Ghost::pop_oldest_with),
//! [`payload`](Ghost::payload)), in a column parallel to the ring that moves with it. With
//! the default `P = ()` the column is empty and every payload step compiles to nothing.
//!
//! **Memory.** [`new`](Ghost::new) allocates nothing; ring and index grow by doubling as
//! ghosts arrive, up to what `max_live` ghosts need. A cache calls [`reserve`](Ghost::reserve)
//! when it becomes full, which takes that at once: from then on, as long as the caller keeps
//! at most `max_live` ghosts, nothing is allocated. At a million ghosts, one list takes 13.2
//! bytes per ghost, two lists 12.3: see [`Ghost`] for the layout and why it differs.
//!
//! ```
//! use evict_slots::ghost::Ghost;
//!
//! // Two lists, as ARC's B1 and B2: 31-bit fingerprints.
//! let mut g = Ghost::<2>::new(100);
//! g.push(0, 7, 0xAB00_0000);
//! g.push(1, 9, 0xCD00_0000);
//! g.push(0, 8, 0);
//! assert_eq!((g.len(0), g.len(1)), (2, 1));
//! assert_eq!(g.take(9, 0xCD00_0000), Some(1)); // a ghost of list 1, now forgotten
//! assert_eq!(g.take(9, 0xCD00_0000), None);
//! assert_eq!(g.take(7, 0x1200_0000), None); // the ring agrees, the tag does not
//! assert!(g.pop_oldest(0)); // 7, the oldest of list 0
//! assert!(g.find(7, 0xAB00_0000).is_none());
//! assert!(g.find(8, 0).is_some());
//! ```

use alloc::vec::Vec;
use core::fmt;

mod index;
#[cfg(test)]
mod tests;

use index::Index;

/// Whether ghosts of payload `P` carry one (a `()` payload is no column at all).
const fn has_payload<P>() -> bool {
    size_of::<P>() != 0
}

/// A ring word whose ghost is gone (taken, popped, or never written). Fingerprints are
/// never 0, so neither is a live word.
const HOLE: u32 = 0;
/// The most ring words: positions, with all their bits set never, fit in 31 bits.
const MAX_RING: usize = (1 << 31) - 1;

/// `LISTS` lists of key fingerprints in one ring, with an index from fingerprints to ring
/// positions. See the [module docs](self).
///
/// - `ring` holds one word per ghost in the order the ghosts were pushed, all lists
///   interleaved: the list id in the top [`LIST_BITS`](Self::LIST_BITS) bits, the
///   fingerprint below; `HOLE` (0) for a ghost that is gone. The words in use are `span`
///   words from `front` on. Each list reads its own words, oldest first, from its cursor
///   `off[list]` (an offset from `front`). Popping a list's oldest ghost moves that list's
///   cursor past it, and the front up to the oldest cursor. When the ring is full (of holes
///   left by ghosts taken early, or behind a list whose oldest ghost holds the front back), it
///   is compacted in place, order kept, and the index repointed in one pass (nothing
///   hashed), so compaction costs O(1) amortised per push.
/// - `index` (`ghost/index.rs`) maps fingerprints to ring positions in buckets of one cache
///   line: 15 entries, kept in the order they were put, and a metadata lane; a lookup of a
///   fingerprint that is not a ghost, the usual case, is one bucket compared at once.
///
/// The sizes, for `room` ghosts (`max_live` once reserved), depend on the number of lists.
/// With one list, holes come only from ghosts taken early: the ring has `room / 8 + 64`
/// words of slack, and the index 2 entry lanes per ghost (about half full: its lookups
/// seldom look past one bucket). With two or more, a list that is seldom popped (ARC's `B2`
/// while `B1` turns over) holds the front back, and compaction comes every `slack` pushes:
/// the ring has `room / 2 + 8` words of slack, and the index gives that memory back with 1.4
/// lanes per ghost (71% full). A denser index is slower, as lookups look past the home bucket
/// more often: a loop of lookups, pushes and pops on 90,000 ghosts took 14.8 ns a round at 2
/// lanes per ghost, 22 at 1.5 and 31 at 1.36 (the Robin Hood table that ARC had before, 55).
/// At a million ghosts, one list takes 13.2 bytes per ghost (ring 4.5, index 8.5, compaction
/// scratch 0.2), two lists 12.3 (ring 6, index 6, scratch 0.3): no more than the two policies'
/// own ghosts took before they shared this one (S3-FIFO's 13.8, ARC's 12.3).
#[derive(Clone)]
pub struct Ghost<const LISTS: usize, P: Copy = ()> {
    ring: Vec<u32>,
    /// Each ring word's payload, at the same position (empty when `P` is `()`).
    pay: Vec<P>,
    /// Ring index of the oldest word in use.
    front: usize,
    /// Ring words in use, from `front` on.
    span: usize,
    /// Per non-empty list, the offset from `front` from which its words may be live: none
    /// of its live words is older.
    off: [usize; LISTS],
    /// The length of each list.
    len: [u32; LISTS],
    index: Index,
    /// Scratch for compaction, sized with the ring: one bit per ring word (live or not) and
    /// running counts.
    live_bits: Vec<u64>,
    live_rank: Vec<u32>,
    /// The ghosts the ring and index are sized for now (`max_live` once reserved).
    room: usize,
    /// The most ghosts at once, as the caller promised.
    max_live: usize,
    /// Tag bits the index keeps.
    tag_bits: u32,
    /// In-place compactions of the ring so far.
    compactions: u32,
    /// What [`push_evicting_with`](Self::push_evicting_with) may raise `max_live` to before
    /// it evicts (see [`set_growth_limit`](Self::set_growth_limit)); 0 at first.
    grow_limit: usize,
}

/// A ghost that [`Ghost::find`] matched: its index bucket and lane and ring position, to pass
/// back to [`Ghost::list_of`] and [`Ghost::remove`] before the ghost changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    bucket: usize,
    lane: usize,
    home: usize,
    pos: u32,
}

impl<const LISTS: usize, P: Copy + Default> Ghost<LISTS, P> {
    /// Bits of a ring word that name its list: 0 for one list, 1 for two.
    pub const LIST_BITS: u32 = {
        assert!(LISTS >= 1 && LISTS <= 16, "a ghost has 1 to 16 lists");
        usize::BITS - (LISTS - 1).leading_zeros()
    };
    /// Bits of a fingerprint (`fp`): 32 with one list, 31 with two.
    pub const FP_BITS: u32 = 32 - Self::LIST_BITS;
    /// The largest fingerprint.
    pub const FP_MAX: u32 = ((1u64 << Self::FP_BITS) - 1) as u32;

    /// An empty ghost that will hold at most `max_live` fingerprints at once (the caller
    /// keeps that bound); allocates nothing.
    pub fn new(max_live: usize) -> Self {
        Self::with_tag_bits(max_live, u32::MAX)
    }

    /// The tag bits a ghost for `max_live` keeps: `29 - ⌈log2(1.5 · max_live + 9)⌉` (8 at a
    /// million), or fewer if its ring positions leave less room in an index entry (a ghost of
    /// one list and fewer than about 150 fingerprints), or 0.
    pub fn tag_bits_for(max_live: usize) -> u32 {
        let words = max_live.saturating_add(max_live / 2).saturating_add(8);
        let bits = 29u32.saturating_sub(usize::BITS - words.leading_zeros());
        bits.min(31 - Self::pos_bits_for(max_live))
    }

    /// The bits of a ring position in a ghost for `max_live`.
    fn pos_bits_for(max_live: usize) -> u32 {
        usize::BITS - Self::ring_len(max_live).leading_zeros()
    }

    /// An empty ghost for `max_live` that keeps at most `tag_bits` tag bits.
    fn with_tag_bits(max_live: usize, tag_bits: u32) -> Self {
        let pos_bits = Self::pos_bits_for(max_live);
        let tag_bits = tag_bits.min(Self::tag_bits_for(max_live));
        Self {
            ring: Vec::new(),
            pay: Vec::new(),
            front: 0,
            span: 0,
            off: [0; LISTS],
            len: [0; LISTS],
            index: Index::new(pos_bits, tag_bits),
            live_bits: Vec::new(),
            live_rank: Vec::new(),
            room: 0,
            max_live,
            tag_bits,
            compactions: 0,
            grow_limit: 0,
        }
    }

    /// The ring words for `room` ghosts: `room / 8 + 64` more with one list, `room / 2 + 8`
    /// more with several (see the type's docs).
    fn ring_len(room: usize) -> usize {
        let slack = if LISTS == 1 {
            room / 8 + 64
        } else {
            room / 2 + 8
        };
        room.saturating_add(slack).min(MAX_RING).max(room + 1)
    }

    /// The index buckets for `room` ghosts: 2 entry lanes per ghost with one list (about
    /// half full), 1.4 with several (71% full); see the type's docs.
    fn buckets_for(room: usize) -> usize {
        let lanes_x5 = if LISTS == 1 { 10 } else { 7 };
        room.saturating_mul(lanes_x5).div_ceil(5 * 15).max(1)
    }

    /// The number of ghosts on `list`.
    #[inline]
    pub fn len(&self, list: usize) -> usize {
        self.len[list] as usize
    }

    /// The number of ghosts on all lists.
    #[inline]
    pub fn live(&self) -> usize {
        self.len.iter().map(|&n| n as usize).sum()
    }

    /// Whether no list holds a ghost.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.live() == 0
    }

    /// The ring word of a ghost of fingerprint `fp` on `list`.
    #[inline(always)]
    fn word(list: usize, fp: u32) -> u32 {
        ((list as u64) << Self::FP_BITS) as u32 | fp
    }

    /// The list of a (live) ring word.
    #[inline(always)]
    fn list_of_word(word: u32) -> usize {
        if Self::LIST_BITS == 0 {
            0
        } else {
            (word >> Self::FP_BITS) as usize
        }
    }

    /// The ring index `k` words after `front`.
    #[inline(always)]
    fn at(&self, k: usize) -> usize {
        let p = self.front + k;
        if p >= self.ring.len() {
            p - self.ring.len()
        } else {
            p
        }
    }

    /// How many words after `front` ring index `p` is.
    #[inline(always)]
    fn offset(&self, p: u32) -> usize {
        let p = p as usize;
        if p >= self.front {
            p - self.front
        } else {
            p + self.ring.len() - self.front
        }
    }

    /// The ghost whose fingerprint is `fp` and whose tag agrees with `tag` in the bits the
    /// index keeps, if any (the oldest such, if several).
    #[inline(always)]
    pub fn find(&self, fp: u32, tag: u32) -> Option<Hit> {
        debug_assert!(fp != HOLE && fp <= Self::FP_MAX, "fingerprint {fp:#x}");
        if self.is_empty() {
            return None;
        }
        let home = self.index.home(fp);
        let key = self.index.key(fp, tag);
        let ring = &self.ring;
        let (bucket, lane) = self.index.find(
            home,
            key,
            |p| ring[p as usize] & Self::FP_MAX == fp,
            |p| self.offset(p),
        )?;
        let pos = self.index.entry(bucket, lane) & self.index.pos_mask;
        Some(Hit {
            bucket,
            lane,
            home,
            pos,
        })
    }

    /// The list of a ghost [`find`](Self::find) returned.
    #[inline]
    pub fn list_of(&self, hit: Hit) -> usize {
        Self::list_of_word(self.ring[hit.pos as usize])
    }

    /// Forgets a ghost [`find`](Self::find) returned (a ghost hit, or a key removed).
    #[inline(always)]
    pub fn remove(&mut self, hit: Hit) {
        let list = self.list_of(hit);
        self.index.remove_at(hit.home, hit.bucket, hit.lane);
        self.ring[hit.pos as usize] = HOLE;
        self.len[list] -= 1;
        if self.len[list] == 0 {
            self.reclaim();
        }
    }

    /// [`find`](Self::find) then [`remove`](Self::remove): forgets the ghost of `fp` and
    /// `tag` and says which list held it, if any did.
    #[inline(always)]
    pub fn take(&mut self, fp: u32, tag: u32) -> Option<usize> {
        let hit = self.find(fp, tag)?;
        let list = self.list_of(hit);
        self.remove(hit);
        Some(list)
    }

    /// The payload of a ghost [`find`](Self::find) returned.
    #[inline(always)]
    pub fn payload(&self, hit: Hit) -> P {
        if has_payload::<P>() {
            self.pay[hit.pos as usize]
        } else {
            P::default()
        }
    }

    /// [`take`](Self::take), with the payload of the ghost taken.
    #[inline(always)]
    pub fn take_with(&mut self, fp: u32, tag: u32) -> Option<(usize, P)> {
        let hit = self.find(fp, tag)?;
        let found = (self.list_of(hit), self.payload(hit));
        self.remove(hit);
        Some(found)
    }

    /// Adds fingerprint `fp` (with `tag`) as the newest ghost of `list`. Nothing is looked
    /// up: the same fingerprint may already be a ghost (another key's), and then it is one
    /// twice.
    ///
    /// # Panics
    ///
    /// If the ghost holds `max_live` fingerprints already: the caller pops first.
    #[inline(always)]
    pub fn push(&mut self, list: usize, fp: u32, tag: u32) {
        self.push_with(list, fp, tag, P::default());
    }

    /// [`push`](Self::push) with payload `payload`.
    ///
    /// # Panics
    ///
    /// As `push`.
    #[inline(always)]
    pub fn push_with(&mut self, list: usize, fp: u32, tag: u32, payload: P) {
        self.push_inner::<false>(list, fp, tag, payload, |_| {});
    }

    /// [`push_with`](Self::push_with) into a ghost that may hold `max_live` fingerprints
    /// already: then, if `max_live` is below the [growth limit](Self::set_growth_limit), it
    /// is doubled (up to the limit) and the ghost grows; otherwise the oldest ghost of `list`
    /// (or, if it has none, of the first list that has one) is forgotten first, and `popped`
    /// gets its payload. The test is the one a push makes anyway (is the ghost at its room?),
    /// and the rest runs out of line, so a caller that bounds the ghost this way pays nothing
    /// more per push.
    #[inline(always)]
    pub fn push_evicting_with(
        &mut self,
        list: usize,
        fp: u32,
        tag: u32,
        payload: P,
        popped: impl FnOnce(P),
    ) {
        self.push_inner::<true>(list, fp, tag, payload, popped);
    }

    /// [`push_with`](Self::push_with), or with `EVICT` [`push_evicting_with`](Self::push_evicting_with).
    #[inline(always)]
    fn push_inner<const EVICT: bool>(
        &mut self,
        list: usize,
        fp: u32,
        tag: u32,
        payload: P,
        popped: impl FnOnce(P),
    ) {
        debug_assert!(list < LISTS, "list {list}");
        debug_assert!(fp != HOLE && fp <= Self::FP_MAX, "fingerprint {fp:#x}");
        if self.live() == self.room {
            if EVICT && self.room >= self.max_live {
                if let Some(p) = self.room_for_push(list) {
                    popped(p);
                }
            } else {
                self.grow();
            }
        }
        if self.span == self.ring.len() {
            self.compact();
        }
        if LISTS > 1 && self.len[list] == 0 {
            self.off[list] = self.span;
        }
        let p = self.at(self.span);
        self.ring[p] = Self::word(list, fp);
        if has_payload::<P>() {
            self.pay[p] = payload;
        }
        self.span += 1;
        self.len[list] += 1;
        let key = self.index.key(fp, tag);
        self.index.insert(self.index.home(fp), key | p as u32);
    }

    /// A full ghost's room for a push onto `list`: more room up to the growth limit, else
    /// its oldest ghost leaves, or, if it has none, the oldest of the first list that has
    /// one; that ghost's payload.
    #[cold]
    #[inline(never)]
    fn room_for_push(&mut self, list: usize) -> Option<P> {
        if self.max_live < self.grow_limit {
            self.raise_max_live(self.max_live.saturating_mul(2).max(16).min(self.grow_limit));
            // A rebuilt ghost (new position bits) may have its room already; one that kept
            // its layout is full still.
            if self.live() == self.room {
                self.grow();
            }
            return None;
        }
        if self.len[list] > 0 {
            return self.pop_oldest_with(list);
        }
        let other = (0..LISTS).find(|&l| self.len[l] > 0)?;
        self.pop_oldest_with(other)
    }

    /// Forgets the oldest ghost of `list`; whether there was one.
    #[inline(always)]
    pub fn pop_oldest(&mut self, list: usize) -> bool {
        self.pop_oldest_with(list).is_some()
    }

    /// Forgets the oldest ghost of `list`; its payload, if there was one.
    #[inline(always)]
    pub fn pop_oldest_with(&mut self, list: usize) -> Option<P> {
        if self.len[list] == 0 {
            return None;
        }
        // With one list, the list's cursor is the front (see `reclaim`).
        let mut k = if LISTS == 1 { 0 } else { self.off[list] };
        let mut p = if LISTS == 1 { self.front } else { self.at(k) };
        loop {
            let word = self.ring[p];
            if word != HOLE && Self::list_of_word(word) == list {
                break;
            }
            k += 1;
            p += 1;
            if p == self.ring.len() {
                p = 0;
            }
        }
        let home = self.index.home(self.ring[p] & Self::FP_MAX);
        let (b, l) = self.index.locate(home, p as u32);
        self.index.remove_at(home, b, l);
        self.ring[p] = HOLE;
        let payload = if has_payload::<P>() {
            self.pay[p]
        } else {
            P::default()
        };
        self.len[list] -= 1;
        if LISTS == 1 {
            // What `reclaim` does, knowing that the cursor and the front meet.
            self.front = if p + 1 == self.ring.len() { 0 } else { p + 1 };
            self.span -= k + 1;
        } else {
            self.off[list] = k + 1;
            self.reclaim();
        }
        Some(payload)
    }

    /// Moves the ring's front up to the oldest cursor of a non-empty list (all of the span
    /// if every list is empty).
    #[inline]
    fn reclaim(&mut self) {
        let mut m = self.span;
        for list in 0..LISTS {
            if self.len[list] != 0 {
                m = m.min(self.off[list]);
            }
        }
        if m > 0 {
            self.front = self.at(m);
            self.span -= m;
            for off in &mut self.off {
                *off = off.saturating_sub(m);
            }
        }
    }

    /// Takes the memory for `max_live` ghosts now, unless it is taken already. A cache calls
    /// it when it becomes full: the ghosts then fill without allocating, and a full cache
    /// allocates nothing more.
    #[cold]
    pub fn reserve(&mut self) {
        if self.room < self.max_live {
            self.rebuild(self.max_live);
        }
    }

    /// [`reserve`](Self::reserve) with `buckets` index buckets (holding at least `max_live`
    /// entries, 15 a bucket) instead of the usual number: a crowded index, whose entries
    /// often spill out of their home bucket, for tests.
    ///
    /// # Panics
    ///
    /// If `buckets` cannot hold `max_live` entries.
    pub fn reserve_with_buckets(&mut self, buckets: usize) {
        assert!(
            buckets * 15 >= self.max_live,
            "{buckets} buckets for {} ghosts",
            self.max_live
        );
        self.rebuild_with(self.max_live, buckets);
    }

    /// Whether the memory for `max_live` ghosts is taken (see [`reserve`](Self::reserve)).
    pub fn is_reserved(&self) -> bool {
        self.room >= self.max_live
    }

    /// Takes the memory for `n` ghosts now (at most `max_live`), unless it has that much
    /// already: for a caller whose bound is far above what it expects to hold (the ghost
    /// still grows, doubling, beyond `n` up to `max_live`).
    #[cold]
    pub fn reserve_room(&mut self, n: usize) {
        let n = n.min(self.max_live);
        if self.room < n {
            self.rebuild(n);
        }
    }

    /// The most ghosts at once, as promised at [`new`](Self::new) or raised since.
    pub fn max_live(&self) -> usize {
        self.max_live
    }

    /// Lets [`push_evicting_with`](Self::push_evicting_with) raise `max_live` as needed, by
    /// doubling, up to `limit` (clamped to what ring positions allow, 2^30 ghosts), before it
    /// forgets a ghost to make room: for a caller that bounds its ghosts otherwise (by
    /// weight) and wants no bound on their number short of that.
    pub fn set_growth_limit(&mut self, limit: usize) {
        self.grow_limit = limit.min(1 << 30);
    }

    /// Raises the most ghosts at once to `max_live`, if that is more. The ghosts stay, in
    /// order, with their fingerprints and payloads; when a ring position then needs another
    /// bit, the ghost is rebuilt as by [`resized`](Self::resized) (keeping no more tag bits
    /// than now: O(ghosts), allocating), which happens once per doubling of the bound.
    pub fn raise_max_live(&mut self, max_live: usize) {
        if max_live <= self.max_live {
            return;
        }
        if Self::pos_bits_for(max_live) == Self::pos_bits_for(self.max_live) {
            // The index's entries hold every position of the larger ring already.
            self.max_live = max_live;
        } else {
            *self = self.resized(max_live);
        }
    }

    /// Makes room for more ghosts before the ghost is reserved: twice as many, up to
    /// `max_live`.
    #[cold]
    fn grow(&mut self) {
        assert!(
            self.room < self.max_live,
            "a ghost of at most {} fingerprints is full",
            self.max_live
        );
        self.rebuild((2 * self.room).max(16).min(self.max_live));
    }

    /// A new ring, index and scratch for `room` ghosts, holding the live ones, in order.
    #[cold]
    fn rebuild(&mut self, room: usize) {
        self.rebuild_with(room, Self::buckets_for(room));
    }

    /// `rebuild` with `buckets` index buckets.
    fn rebuild_with(&mut self, room: usize, buckets: usize) {
        let ring_len = Self::ring_len(room);
        let mut ring = Vec::new();
        ring.reserve_exact(ring_len);
        ring.resize(ring_len, HOLE);
        let mut pay = Vec::new();
        if has_payload::<P>() {
            pay.reserve_exact(ring_len);
            pay.resize(ring_len, P::default());
        }
        let mut index = self.index.with_buckets(buckets);
        let mut off = [0; LISTS];
        let mut seen = [false; LISTS];
        let mut w = 0;
        for k in 0..self.span {
            let p = self.at(k);
            let word = self.ring[p];
            if word == HOLE {
                continue;
            }
            let list = Self::list_of_word(word);
            if !seen[list] {
                seen[list] = true;
                off[list] = w;
            }
            let fp = word & Self::FP_MAX;
            let home = self.index.home(fp);
            let (b, l) = self.index.locate(home, p as u32);
            let key = self.index.entry(b, l) & !self.index.pos_mask;
            ring[w] = word;
            if has_payload::<P>() {
                pay[w] = self.pay[p];
            }
            index.insert(index.home(fp), key | w as u32);
            w += 1;
        }
        let words = ring_len.div_ceil(64);
        self.live_bits = Vec::new();
        self.live_bits.reserve_exact(words);
        self.live_rank = Vec::new();
        self.live_rank.reserve_exact(words);
        self.ring = ring;
        self.pay = pay;
        self.index = index;
        self.front = 0;
        self.span = w;
        self.off = off;
        self.room = room;
    }

    /// Closes the holes: the live words move, in order, to the first words from `front`,
    /// and the index is repointed in one pass. O(ring + index), at most once per ring slack
    /// pushes.
    #[cold]
    fn compact(&mut self) {
        self.compactions = self.compactions.wrapping_add(1);
        self.live_bits.clear();
        self.live_bits.resize(self.span.div_ceil(64), 0);
        let mut off = [0; LISTS];
        let mut seen = [false; LISTS];
        let mut w = 0;
        for k in 0..self.span {
            let word = self.ring[self.at(k)];
            if word == HOLE {
                continue;
            }
            let list = Self::list_of_word(word);
            if !seen[list] {
                seen[list] = true;
                off[list] = w;
            }
            self.live_bits[k / 64] |= 1 << (k % 64);
            // `w <= k`: the word at `w` has been read already.
            let to = self.at(w);
            self.ring[to] = word;
            if has_payload::<P>() {
                self.pay[to] = self.pay[self.at(k)];
            }
            w += 1;
        }
        for k in w..self.span {
            let p = self.at(k);
            self.ring[p] = HOLE;
        }
        self.live_rank.clear();
        let mut count = 0;
        for &bits in &self.live_bits {
            self.live_rank.push(count);
            count += bits.count_ones();
        }
        // A ghost at offset `k` moves to offset `rank(k)`.
        let (front, n) = (self.front, self.ring.len());
        let (bits, rank) = (&self.live_bits, &self.live_rank);
        self.index.repoint(|p| {
            let p = p as usize;
            let k = if p >= front { p - front } else { p + n - front };
            let below = bits[k / 64] & ((1u64 << (k % 64)) - 1);
            let q = front + (rank[k / 64] + below.count_ones()) as usize;
            (if q >= n { q - n } else { q }) as u32
        });
        self.span = w;
        self.off = off;
    }

    /// The same ghosts, on the same lists, in the same order, with the same fingerprints and
    /// tags, in a ghost for at most `max_live` (the caller has already popped what does not
    /// fit). Allocates as the ghosts are copied, so that it holds only what they need, as
    /// after [`new`](Self::new).
    ///
    /// A ghost for fewer fingerprints would keep more tag bits than were kept: the new one
    /// keeps no more tag bits than this one.
    pub fn resized(&self, max_live: usize) -> Self {
        let mut g = Self::with_tag_bits(max_live, self.tag_bits);
        for k in 0..self.span {
            let p = self.at(k);
            let word = self.ring[p];
            if word == HOLE {
                continue;
            }
            let fp = word & Self::FP_MAX;
            let (b, l) = self.index.locate(self.index.home(fp), p as u32);
            // The tag bits kept sit one below the top of an entry.
            let tag = (self.index.entry(b, l) << 1) & self.index.tag_mask;
            let payload = if has_payload::<P>() {
                self.pay[p]
            } else {
                P::default()
            };
            g.push_with(Self::list_of_word(word), fp, tag, payload);
        }
        g.compactions = self.compactions;
        g.grow_limit = self.grow_limit;
        g
    }

    /// The ring's length and the index's entry lanes now.
    pub fn allocated(&self) -> (usize, usize) {
        (self.ring.capacity(), self.index.lanes())
    }

    /// The ring's length and the index's entry lanes once reserved.
    pub fn bounds(&self) -> (usize, usize) {
        (
            Self::ring_len(self.max_live),
            Self::buckets_for(self.max_live) * 15,
        )
    }

    /// Bytes allocated (ring, index and compaction scratch).
    pub fn allocation_size(&self) -> usize {
        4 * (self.ring.capacity() + self.live_rank.capacity())
            + size_of::<P>() * self.pay.capacity()
            + 8 * self.live_bits.capacity()
            + self.index.allocation_size()
    }

    /// The tag bits the index keeps (see [`tag_bits_for`](Self::tag_bits_for)).
    pub fn tag_bits(&self) -> u32 {
        self.tag_bits
    }

    /// How many times the ring was compacted in place so far (kept by
    /// [`resized`](Self::resized)).
    pub fn compactions(&self) -> u32 {
        self.compactions
    }

    /// Whether some fingerprint was ever put outside its home index bucket (since the last
    /// [`reserve`](Self::reserve) or growth).
    pub fn ever_spilled(&self) -> bool {
        self.index.ever_spilled()
    }

    /// The fingerprints on `list`, oldest first.
    pub fn fingerprints(&self, list: usize) -> impl Iterator<Item = u32> + '_ {
        let from = if self.len[list] == 0 {
            self.span
        } else {
            self.off[list]
        };
        (from..self.span)
            .map(|k| self.ring[self.at(k)])
            .filter(move |&w| w != HOLE && Self::list_of_word(w) == list)
            .map(|w| w & Self::FP_MAX)
    }

    /// The fingerprints on `list` with their payloads, oldest first.
    pub fn entries(&self, list: usize) -> impl Iterator<Item = (u32, P)> + '_ {
        let from = if self.len[list] == 0 {
            self.span
        } else {
            self.off[list]
        };
        (from..self.span)
            .map(|k| self.at(k))
            .filter(move |&p| self.ring[p] != HOLE && Self::list_of_word(self.ring[p]) == list)
            .map(|p| {
                let payload = if has_payload::<P>() {
                    self.pay[p]
                } else {
                    P::default()
                };
                (self.ring[p] & Self::FP_MAX, payload)
            })
    }

    /// Checks the ring, the cursors, the lengths and the index against each other. Panics
    /// with what is wrong. For tests.
    pub fn check(&self) {
        assert!(self.span <= self.ring.len(), "ring span past its length");
        assert!(self.room <= self.max_live, "room over the bound");
        assert!(self.live() <= self.room, "more ghosts than room");
        if self.room > 0 {
            assert_eq!(self.ring.len(), Self::ring_len(self.room), "ring length");
            if has_payload::<P>() {
                assert_eq!(self.pay.len(), self.ring.len(), "payload column length");
            }
            assert!(self.index.lanes() >= self.room, "index too small");
        }
        let mut live = [0usize; LISTS];
        for k in 0..self.ring.len() {
            let p = self.at(k);
            let word = self.ring[p];
            if k >= self.span {
                assert_eq!(word, HOLE, "ring word at {p} outside the span");
                continue;
            }
            if word == HOLE {
                continue;
            }
            let list = Self::list_of_word(word);
            assert!(list < LISTS, "ring word at {p} names list {list}");
            assert!(k >= self.off[list], "ghost at {p} behind its list's cursor");
            live[list] += 1;
            let fp = word & Self::FP_MAX;
            let _ = self.index.locate(self.index.home(fp), p as u32);
        }
        for (list, &n) in live.iter().enumerate() {
            assert_eq!(n, self.len(list), "length of list {list}");
        }
        assert_eq!(self.index.len(), self.live(), "index and ring disagree");
        self.index
            .check(|p| self.ring[p as usize] & Self::FP_MAX, |p| self.offset(p));
    }
}

impl<const LISTS: usize, P: Copy> fmt::Debug for Ghost<LISTS, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ghost")
            .field("len", &self.len)
            .field("room", &self.room)
            .field("max_live", &self.max_live)
            .finish()
    }
}
