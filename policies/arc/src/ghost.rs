//! The ghost lists `B1` and `B2`: fingerprints of the keys ARC recently evicted, in a ring
//! of `u32` words with a Robin Hood hash table over it.
//!
//! The interface the policy uses is small: [`Ghosts::find`] a hash (a [`GhostHit`]),
//! [`Ghosts::list_of`] and [`Ghosts::remove`] it, [`Ghosts::push`] a new most recent ghost
//! onto a list, [`Ghosts::pop_lru`] a list's least recent one, [`Ghosts::len`], and, for the
//! memory bounds, [`Ghosts::reserve_max`] and [`Ghosts::resized`]. Nothing here knows keys,
//! values or the resident lists.

use alloc::vec::Vec;

/// Ghost list ids, in `Ghosts::len` and in a log word's top bit. `B1` holds what left `T1`,
/// `B2` what left `T2`, so a resident list id is also its ghost list's id.
pub(crate) const B1: usize = 0;
pub(crate) const B2: usize = 1;

/// The low 31 bits of a ghost's word in `Ghosts::log`: the low 31 bits of its key's hash.
const LO: u32 = 0x7FFF_FFFF;
/// A log word whose ghost was hit (and so left its list) before reaching its list's tail.
const DEAD: u32 = u32::MAX;
/// An empty bucket of the ghost table.
const EMPTY: u32 = u32::MAX;
/// Bits of a ghost table entry (above the ring position) that hold its distance from its
/// home bucket, when they fit.
const DISP_BITS: u32 = 3;

/// The low 31 bits of `hash`, as stored in the log; `LO` itself is folded onto `LO - 1` so
/// that no `B2` word is `DEAD`.
#[inline]
pub(crate) fn lo31(hash: u64) -> u32 {
    let lo = hash as u32 & LO;
    if lo == LO { LO - 1 } else { lo }
}

/// The ghost lists `B1` and `B2`, as fingerprints of key hashes: no key, no hasher, no links.
///
/// - `log` is a ring of one `u32` per ghost, in the order the ghosts were made, `B1` and
///   `B2` interleaved: bit 31 names the list, bits 0..31 are the low 31 bits of the hash.
///   The slots in use are `span` slots from `front` on. Each list reads its own words,
///   oldest first, from its cursor `off[list]` (an offset from `front`): its least recently
///   used ghost is the first word at or after the cursor that carries its list bit and is
///   not `DEAD`. A ghost hit marks its word `DEAD`; dropping a list's LRU ghost moves that
///   list's cursor past it, and the ring's front up to the older cursor. When the ring is
///   full, it grows (geometrically, up to `max_log = c + c / 2 + 8` words, or at once when
///   the cache becomes full: see `reserve_max`) if mostly live,
///   else is compacted in place, order kept, and the table repointed in one pass.
/// - `table` is an open-addressing hash table of `u32`s (Robin Hood linear probing,
///   backward-shift deletion, so no tombstones): a ghost's ring index in the low `pos_bits` bits, then its
///   distance from its home bucket in up to `DISP_BITS` bits (all ones: look it up in the
///   log), then, in the rest, the top bits of its hash's high half as a tag. Its home
///   bucket comes from the low hash bits that the log keeps, so a ghost can be found from
///   its log word alone. At most `max_table = c + c / 2 + 8 + min(c, 4096)` buckets (the
///   last term shortens probes of small tables, where memory is no concern): at most
///   2/3 full.
///
/// A lookup matches on 31 low bits of the hash and the tag: `31 + tag_bits` bits in all
/// (39 bits at `c = 1,000,000`), so a new key is taken for a ghost with probability at most
/// `(|B1| + |B2|) / 2^(31 + tag_bits)` per lookup (see the crate docs). The tests' fixed
/// hasher gives their keys distinct low 31 bits, so there the ghosts are exact.
#[derive(Clone, Debug)]
pub(crate) struct Ghosts {
    log: Vec<u32>,
    /// Ring index of the oldest slot in use.
    front: usize,
    /// Ring slots in use, from `front` on.
    span: usize,
    /// Per non-empty list, the offset from `front` from which its words are live (unless
    /// `DEAD`).
    off: [usize; 2],
    /// `|B1|` and `|B2|`.
    len: [u32; 2],
    table: Vec<u32>,
    /// Scratch for compaction: one bit per ring slot (live or not) and running counts.
    live_bits: Vec<u64>,
    live_rank: Vec<u32>,
    /// Bits of a table entry that hold a ring index (`max_log < 2^pos_bits`, so a ring
    /// index never has all of them set and no entry is `EMPTY`).
    pos_bits: u32,
    pos_mask: u32,
    /// The largest distance field, meaning "unknown" (0 when there is no room for one).
    disp_max: u32,
    tag_mask: u32,
    max_log: usize,
    max_table: usize,
}

/// A ghost that [`Ghosts::find`] matched: its table bucket and ring index, to pass back to
/// [`Ghosts::list_of`] and [`Ghosts::remove`] before the directory changes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GhostHit {
    bucket: usize,
    pos: u32,
}

/// The ghost table's layout constants and the log, copied out of `Ghosts` for the probe
/// loops (so that they stay in registers while the table is written).
#[derive(Clone, Copy)]
struct Probe<'a> {
    log: &'a [u32],
    m: usize,
    pos_bits: u32,
    pos_mask: u32,
    disp_max: u32,
    tag_mask: u32,
}

impl<'a> Probe<'a> {
    #[inline(always)]
    fn new(g: &'a Ghosts) -> Self {
        Self {
            log: &g.log,
            m: g.table.len(),
            pos_bits: g.pos_bits,
            pos_mask: g.pos_mask,
            disp_max: g.disp_max,
            tag_mask: g.tag_mask,
        }
    }

    /// The home bucket of a ghost whose log word has low bits `lo`.
    #[inline(always)]
    fn home(&self, lo: u32) -> usize {
        ((u64::from(lo) * self.m as u64) >> 31) as usize
    }

    /// How far entry `e`, at bucket `b`, sits from its home bucket.
    #[inline(always)]
    fn disp(&self, b: usize, e: u32) -> usize {
        let d = e.wrapping_shr(self.pos_bits) & self.disp_max;
        if d < self.disp_max {
            d as usize
        } else {
            // Too far for the field (or no field): ask the log.
            let home = self.home(self.log[(e & self.pos_mask) as usize] & LO);
            if b >= home {
                b - home
            } else {
                b + self.m - home
            }
        }
    }

    /// Entry `e` (tag and ring index kept) placed at distance `d` from its home.
    #[inline(always)]
    fn with_disp(&self, e: u32, d: usize) -> u32 {
        let d = (d as u32).min(self.disp_max);
        (e & (self.tag_mask | self.pos_mask)) | d.wrapping_shl(self.pos_bits)
    }
}

impl Ghosts {
    /// An empty directory for a cache of capacity `capacity`; allocates nothing.
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_layout(capacity, 0)
    }

    /// An empty directory for a cache of capacity `capacity` whose table entries keep at
    /// least `min_pos_bits` bits for the ring index (so at most as many tag bits as a
    /// directory of that layout: see `resized`); allocates nothing.
    fn with_layout(capacity: usize, min_pos_bits: u32) -> Self {
        let max = capacity + capacity / 2 + 8;
        let pos_bits = (usize::BITS - max.leading_zeros()).clamp(min_pos_bits, 32);
        let disp_bits = DISP_BITS.min(32 - pos_bits);
        let low = (1u64 << (pos_bits + disp_bits)) - 1;
        Self {
            log: Vec::new(),
            front: 0,
            span: 0,
            off: [0; 2],
            len: [0; 2],
            table: Vec::new(),
            live_bits: Vec::new(),
            live_rank: Vec::new(),
            pos_bits,
            pos_mask: ((1u64 << pos_bits) - 1) as u32,
            disp_max: (1 << disp_bits) - 1,
            tag_mask: !(low as u32),
            max_log: max,
            max_table: max + capacity.min(4096),
        }
    }

    #[inline]
    pub(crate) fn len(&self, list: usize) -> usize {
        self.len[list] as usize
    }

    #[inline]
    pub(crate) fn live(&self) -> usize {
        (self.len[0] + self.len[1]) as usize
    }

    /// The tag of `hash` as it sits in a table entry.
    #[inline]
    fn tag(&self, hash: u64) -> u32 {
        (hash >> 32) as u32 & self.tag_mask
    }

    /// The ring index `k` slots after `front`.
    #[inline]
    fn at(&self, k: usize) -> usize {
        let p = self.front + k;
        if p >= self.log.len() {
            p - self.log.len()
        } else {
            p
        }
    }

    /// The home bucket of a ghost whose log word has low bits `lo` (a multiply-shift range
    /// reduction, so the table size need not be a power of two).
    #[inline]
    fn home(&self, lo: u32) -> usize {
        ((u64::from(lo) * self.table.len() as u64) >> 31) as usize
    }

    /// The home bucket of entry `e`, found at bucket `b`.
    #[cfg(test)]
    fn home_of(&self, b: usize, e: u32) -> usize {
        let d = (e.wrapping_shr(self.pos_bits) & self.disp_max) as usize;
        if d < self.disp_max as usize {
            if b >= d {
                b - d
            } else {
                b + self.table.len() - d
            }
        } else {
            self.home(self.log[(e & self.pos_mask) as usize] & LO)
        }
    }

    /// The ghost list of the ghost at ring index `p`.
    #[inline]
    fn list_at(&self, p: u32) -> usize {
        (self.log[p as usize] >> 31) as usize
    }

    /// The probe constants beside the table, to write it.
    #[inline(always)]
    fn split(&mut self) -> (Probe<'_>, &mut [u32]) {
        let probe = Probe {
            log: &self.log,
            m: self.table.len(),
            pos_bits: self.pos_bits,
            pos_mask: self.pos_mask,
            disp_max: self.disp_max,
            tag_mask: self.tag_mask,
        };
        (probe, &mut self.table)
    }

    /// The ghost whose fingerprint matches `hash`, if any.
    #[inline(always)]
    pub(crate) fn find(&self, hash: u64) -> Option<GhostHit> {
        if self.live() == 0 {
            return None;
        }
        let lo = lo31(hash);
        let tag = self.tag(hash);
        let probe = Probe::new(self);
        let table = &self.table[..];
        let mut b = probe.home(lo);
        let mut d = 0;
        loop {
            let e = table[b];
            if e == EMPTY {
                return None;
            }
            if e & probe.tag_mask == tag {
                let p = e & probe.pos_mask;
                if self.log[p as usize] & LO == lo {
                    return Some(GhostHit { bucket: b, pos: p });
                }
            }
            // Robin Hood order: past an entry nearer its home than we are to ours, ours
            // cannot be.
            if probe.disp(b, e) < d {
                return None;
            }
            b = if b + 1 == table.len() { 0 } else { b + 1 };
            d += 1;
        }
    }

    /// The bucket of the ghost at ring index `p`, whose log word has low bits `lo`.
    #[inline(always)]
    fn locate(&self, lo: u32, p: u32) -> usize {
        let table = &self.table[..];
        let m = table.len();
        let mut b = self.home(lo);
        for _ in 0..m {
            let e = table[b];
            assert!(e != EMPTY, "ghost at ring index {p} is not in the table");
            if e & self.pos_mask == p {
                return b;
            }
            b = if b + 1 == m { 0 } else { b + 1 };
        }
        panic!("ghost at ring index {p} is not in the table");
    }

    /// Empties bucket `b`, shifting back the entries after it up to the first one at its
    /// home (Robin Hood backward-shift deletion).
    #[inline(always)]
    fn unindex(&mut self, mut b: usize) {
        let (probe, table) = self.split();
        let m = table.len();
        let one = 1u32.wrapping_shl(probe.pos_bits);
        loop {
            let j = if b + 1 == m { 0 } else { b + 1 };
            let e = table[j];
            if e == EMPTY {
                break;
            }
            let field = e.wrapping_shr(probe.pos_bits) & probe.disp_max;
            table[b] = if field < probe.disp_max {
                if field == 0 {
                    break; // at its home
                }
                e - one
            } else {
                // The field is full (or there is none): ask the log.
                let d = probe.disp(j, e);
                if d == 0 {
                    break;
                }
                probe.with_disp(e, d - 1)
            };
            b = j;
        }
        table[b] = EMPTY;
    }

    /// Puts entry `e` (its distance field aside) for a ghost whose log word has low bits
    /// `lo` into the table: Robin Hood insertion, at the first bucket whose entry is nearer
    /// its home than this one would be, the entries from there to the next empty bucket
    /// shifting one bucket on.
    #[inline(always)]
    fn index(&mut self, lo: u32, e: u32) {
        let (probe, table) = self.split();
        let m = table.len();
        let mut b = probe.home(lo);
        let mut d = 0;
        loop {
            let cur = table[b];
            if cur == EMPTY {
                table[b] = probe.with_disp(e, d);
                return;
            }
            if probe.disp(b, cur) < d {
                break;
            }
            b = if b + 1 == m { 0 } else { b + 1 };
            d += 1;
        }
        let one = 1u32.wrapping_shl(probe.pos_bits);
        let mut carry = probe.with_disp(e, d);
        loop {
            let cur = table[b];
            table[b] = carry;
            if cur == EMPTY {
                return;
            }
            // One bucket further from home; a full field already means "ask the log".
            let field = cur.wrapping_shr(probe.pos_bits) & probe.disp_max;
            carry = if field < probe.disp_max {
                cur + one
            } else {
                cur
            };
            b = if b + 1 == m { 0 } else { b + 1 };
        }
    }

    /// Rebuilds the table with `n` buckets.
    #[cold]
    fn resize_table(&mut self, n: usize) {
        let old = core::mem::take(&mut self.table);
        self.table.reserve_exact(n);
        self.table.resize(n, EMPTY);
        for e in old {
            if e != EMPTY {
                let lo = self.log[(e & self.pos_mask) as usize] & LO;
                self.index(lo, e);
            }
        }
    }

    /// Adds `hash` as the most recent ghost of `list`. The callers keep at most `capacity`
    /// ghosts, so the ring and the table grow geometrically up to their bounds and then stay.
    #[inline(always)]
    pub(crate) fn push(&mut self, hash: u64, list: usize) {
        if self.span == self.log.len() {
            self.make_room();
        }
        if self.len[list] == 0 {
            self.off[list] = self.span;
        }
        let p = self.at(self.span);
        let lo = lo31(hash);
        self.log[p] = lo | ((list as u32) << 31);
        self.span += 1;
        self.len[list] += 1;
        let n = self.table.len();
        if self.live() * 3 > n * 2 {
            let grown = if n < self.max_table {
                (n * 2).max(8).min(self.max_table)
            } else {
                n * 2
            };
            self.resize_table(grown);
        }
        let tag = self.tag(hash);
        self.index(lo, tag | p as u32);
    }

    /// Grows the ring and the table to their bounds at once. Called when the cache becomes
    /// full: the ghost lists then fill (over the next million or so evictions of a
    /// million-entry cache) without allocating, and a full ARC allocates nothing more.
    #[cold]
    pub(crate) fn reserve_max(&mut self) {
        if self.log.len() < self.max_log {
            self.relayout(Some(self.max_log));
        }
        if self.table.len() < self.max_table {
            self.resize_table(self.max_table);
        }
    }

    /// The same ghosts, in the same order, in a directory for a cache of capacity
    /// `capacity`, with that capacity's bounds (as `new` computes them); the caller has
    /// already trimmed the lists to at most `capacity` ghosts. Allocates the new ring and
    /// table as the ghosts are copied, so that a cache that is not full holds only what its
    /// ghosts need, as after `new`.
    ///
    /// A table entry keeps the top bits of a hash (its tag) that fit beside the ring index
    /// and the distance field. A smaller capacity needs fewer ring index bits and so would
    /// keep more tag bits than were stored: the directory then keeps the ring index width
    /// of the larger layout (its tags one or more bits shorter than a new directory's),
    /// and every ghost keeps its fingerprint.
    pub(crate) fn resized(&self, capacity: usize) -> Self {
        let mut g = Self::with_layout(capacity, self.pos_bits);
        for k in 0..self.span {
            let p = self.at(k);
            let word = self.log[p];
            if word == DEAD {
                continue;
            }
            let list = (word >> 31) as usize;
            if self.len[list] == 0 || k < self.off[list] {
                continue; // dropped as its list's LRU
            }
            let lo = word & LO;
            let tag = self.table[self.locate(lo, p as u32)] & self.tag_mask;
            // A hash whose low 31 bits and tag are the ghost's: all that `push` reads. The
            // new tag mask takes a subset of the old tag bits (its ring index is as wide or
            // wider), so nothing is made up.
            g.push((u64::from(tag) << 32) | u64::from(lo), list);
        }
        g
    }

    /// Called with a full ring: grows it (geometrically, up to `max_log`) if it is mostly
    /// live, else compacts it.
    #[cold]
    fn make_room(&mut self) {
        let n = self.log.len();
        if n < self.max_log && self.live() * 2 >= n {
            self.relayout(Some((n * 2).max(16).min(self.max_log)));
        } else {
            self.relayout(None);
            if self.span == self.log.len() {
                // Only if the callers broke the bound of `capacity` ghosts.
                self.relayout(Some(n + n.max(16)));
            }
        }
    }

    /// Moves the live words, in order, to the first slots from `front` (in place, dropping
    /// dead words and words behind their list's cursor) or, given a length, to the start of
    /// a new ring of that length; then points the table at their new places in one pass.
    fn relayout(&mut self, new_len: Option<usize>) {
        let words = self.span.div_ceil(64);
        // The scratch vectors are sized for the whole ring (the longer of the old and the
        // new one), not just for today's span: once the ring stops growing, a compaction
        // then never allocates, however far the span reaches.
        let room = self.log.len().max(new_len.unwrap_or(0)).div_ceil(64);
        self.live_bits.clear();
        self.live_bits.reserve_exact(room);
        self.live_bits.resize(words, 0);
        let mut fresh = new_len.map(|n| {
            let mut v = Vec::new();
            v.reserve_exact(n);
            v.resize(n, DEAD);
            v
        });
        let mut off = [0; 2];
        let mut seen = [false; 2];
        let mut w = 0;
        for k in 0..self.span {
            let word = self.log[self.at(k)];
            if word == DEAD {
                continue;
            }
            let list = (word >> 31) as usize;
            if self.len[list] == 0 || k < self.off[list] {
                continue; // dropped as its list's LRU
            }
            if !seen[list] {
                seen[list] = true;
                off[list] = w;
            }
            self.live_bits[k / 64] |= 1 << (k % 64);
            match &mut fresh {
                Some(v) => v[w] = word,
                None => {
                    // `w <= k`: the slot at `w` has been read already.
                    let to = self.at(w);
                    self.log[to] = word;
                }
            }
            w += 1;
        }
        self.live_rank.clear();
        self.live_rank.reserve_exact(room);
        let mut count = 0;
        for &bits in &self.live_bits {
            self.live_rank.push(count);
            count += bits.count_ones();
        }
        // One pass over the table: a ghost at offset `k` moves to offset `rank(k)`.
        let (old_front, old_len) = (self.front, self.log.len());
        let new_front = if fresh.is_some() { 0 } else { old_front };
        let new_len = fresh.as_ref().map_or(old_len, Vec::len);
        let pos_mask = self.pos_mask;
        for e in &mut self.table {
            if *e == EMPTY {
                continue;
            }
            let p = (*e & pos_mask) as usize;
            let k = if p >= old_front {
                p - old_front
            } else {
                p + old_len - old_front
            };
            let below = self.live_bits[k / 64] & ((1u64 << (k % 64)) - 1);
            let r = (self.live_rank[k / 64] + below.count_ones()) as usize;
            let q = new_front + r;
            let q = if q >= new_len { q - new_len } else { q };
            *e = (*e & !pos_mask) | q as u32;
        }
        if let Some(v) = fresh {
            self.log = v;
        }
        self.front = new_front;
        self.span = w;
        self.off = off;
    }

    /// Moves the ring's front up to the older cursor of a non-empty list (all of it if both
    /// lists are empty).
    #[inline]
    fn reclaim(&mut self) {
        let m = match (self.len[B1] != 0, self.len[B2] != 0) {
            (true, true) => self.off[B1].min(self.off[B2]),
            (true, false) => self.off[B1],
            (false, true) => self.off[B2],
            (false, false) => self.span,
        };
        if m > 0 {
            self.front = self.at(m);
            self.span -= m;
            self.off[B1] = self.off[B1].saturating_sub(m);
            self.off[B2] = self.off[B2].saturating_sub(m);
        }
    }

    /// The list (`B1` or `B2`) of a ghost `find` returned.
    #[inline]
    pub(crate) fn list_of(&self, hit: GhostHit) -> usize {
        self.list_at(hit.pos)
    }

    /// Forgets a ghost `find` returned (a ghost hit).
    #[inline]
    pub(crate) fn remove(&mut self, hit: GhostHit) {
        let GhostHit { bucket: b, pos: p } = hit;
        let list = self.list_at(p);
        self.unindex(b);
        self.log[p as usize] = DEAD;
        self.len[list] -= 1;
        if self.len[list] == 0 {
            self.reclaim();
        }
    }

    /// Forgets the least recent ghost of `list`, if any.
    #[inline(always)]
    pub(crate) fn pop_lru(&mut self, list: usize) {
        if self.len[list] == 0 {
            return;
        }
        let mut k = self.off[list];
        let mut p = self.at(k);
        loop {
            let word = self.log[p];
            if word != DEAD && (word >> 31) as usize == list {
                break;
            }
            k += 1;
            p += 1;
            if p == self.log.len() {
                p = 0;
            }
        }
        let b = self.locate(self.log[p] & LO, p as u32);
        self.unindex(b);
        self.off[list] = k + 1;
        self.len[list] -= 1;
        self.reclaim();
    }

    /// The live ghosts of `list`, oldest first, as ring indices.
    #[cfg(test)]
    fn walk(&self, list: usize) -> Vec<u32> {
        if self.len[list] == 0 {
            return Vec::new();
        }
        (self.off[list]..self.span)
            .map(|k| self.at(k))
            .filter(|&p| {
                let word = self.log[p];
                word != DEAD && (word >> 31) as usize == list
            })
            .map(|p| p as u32)
            .collect()
    }

    /// Checks the ring, the cursors and the table against each other. For tests.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        assert!(self.span <= self.log.len(), "ring span past its length");
        let mut indexed = 0;
        for list in [B1, B2] {
            let live = self.walk(list);
            assert_eq!(live.len(), self.len(list), "length of ghost list {list}");
            for p in live {
                let lo = self.log[p as usize] & LO;
                let b = self.locate(lo, p);
                let home = self.home(lo);
                assert_eq!(self.home_of(b, self.table[b]), home, "ghost {p}: distance");
                indexed += 1;
            }
        }
        let used = self.table.iter().filter(|&&e| e != EMPTY).count();
        assert_eq!(used, indexed, "ghost table and ring disagree");
        assert!(
            self.log.capacity() <= self.max_log,
            "ghost ring over-allocated"
        );
        assert!(
            self.table.len() <= self.max_table,
            "ghost table over-allocated"
        );
        assert!(
            used * 3 <= self.table.len() * 2,
            "ghost table over 2/3 full"
        );
    }
}

#[cfg(test)]
impl Ghosts {
    /// The ring's and the table's allocated lengths, in words.
    pub(crate) fn allocated(&self) -> (usize, usize) {
        (self.log.capacity(), self.table.capacity())
    }

    /// The bounds of the ring and the table for this capacity, in words.
    pub(crate) fn bounds(&self) -> (usize, usize) {
        (self.max_log, self.max_table)
    }

    /// Bits of a table entry that hold the ring index.
    pub(crate) fn pos_bits(&self) -> u32 {
        self.pos_bits
    }
}
