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

/// "No slot": the end of a list. Indices use the low 31 bits of a link.
const NIL: u32 = 0x7FFF_FFFF;
/// The top bit of `Links::next` says which list a slot is on: 0 for `T1` / `B1`, 1 for
/// `T2` / `B2`.
const TAG: u32 = 0x8000_0000;

/// Hits on `T2` entries whose move to the most recent end of `T2` may wait (see
/// `ArcCache::pending`).
const PENDING: usize = 32;

/// Resident list ids (in `ArcCache::lists`) and ghost list ids (in `Ghosts::lists`).
const T1: usize = 0;
const T2: usize = 1;
const B1: usize = 0;
const B2: usize = 1;

/// The largest capacity an `ArcCache` accepts: slots are addressed by 31-bit indices (the
/// 32nd bit of a link names the list), and `0x7FFF_FFFF` marks the end of a list. Larger
/// requests are clamped to this.
pub const MAX_CAPACITY: usize = (NIL - 1) as usize;

/// Doubly linked list links by slot index; the list id rides in the top bit of `next`, so
/// a `u64 -> u64` entry stays 24 bytes.
#[derive(Clone, Copy, Debug)]
struct Links {
    /// Towards the most recently used end.
    prev: u32,
    /// Towards the least recently used end, with the list id in the top bit.
    next: u32,
}

impl Links {
    #[inline]
    fn list(self) -> usize {
        (self.next >> 31) as usize
    }

    #[inline]
    fn next(self) -> u32 {
        self.next & !TAG
    }

    #[inline]
    fn set_next(&mut self, next: u32) {
        self.next = (self.next & TAG) | next;
    }
}

/// A slot that lives on one of two lists.
trait Linked {
    fn links(&self) -> Links;
    fn links_mut(&mut self) -> &mut Links;
}

/// Two doubly linked lists threaded through one slab: heads (most recent), tails (least
/// recent) and lengths, indexed by list id.
#[derive(Clone, Copy, Debug)]
struct Lists {
    head: [u32; 2],
    tail: [u32; 2],
    len: [u32; 2],
}

impl Lists {
    const EMPTY: Self = Self {
        head: [NIL; 2],
        tail: [NIL; 2],
        len: [0; 2],
    };

    /// Detaches slot `i` from its list.
    #[inline]
    fn unlink<T: Linked>(&mut self, slots: &mut [T], i: u32) {
        let links = slots[i as usize].links();
        let list = links.list();
        let (prev, next) = (links.prev, links.next());
        match prev {
            NIL => self.head[list] = next,
            p => slots[p as usize].links_mut().set_next(next),
        }
        match next {
            NIL => self.tail[list] = prev,
            n => slots[n as usize].links_mut().prev = prev,
        }
        self.len[list] -= 1;
    }

    /// Links detached slot `i` in as the most recent of `list`.
    #[inline]
    fn push_front<T: Linked>(&mut self, slots: &mut [T], i: u32, list: usize) {
        let old_head = self.head[list];
        *slots[i as usize].links_mut() = Links {
            prev: NIL,
            next: old_head | ((list as u32) << 31),
        };
        match old_head {
            NIL => self.tail[list] = i,
            h => slots[h as usize].links_mut().prev = i,
        }
        self.head[list] = i;
        self.len[list] += 1;
    }

    /// After a `swap_remove`, the slot that was last now lives at `to`: repoints its
    /// neighbours (or the list ends) at its new index.
    #[inline]
    fn relocate<T: Linked>(&mut self, slots: &mut [T], to: u32) {
        let links = slots[to as usize].links();
        let list = links.list();
        match links.prev {
            NIL => self.head[list] = to,
            p => slots[p as usize].links_mut().set_next(to),
        }
        match links.next() {
            NIL => self.tail[list] = to,
            n => slots[n as usize].links_mut().prev = to,
        }
    }

    /// Walks `list` from the most recent end, checking the back links; returns the slots.
    fn walk<T: Linked>(&self, slots: &[T], list: usize) -> Vec<u32> {
        let mut seen = Vec::new();
        let mut prev = NIL;
        let mut at = self.head[list];
        while at != NIL {
            let links = slots[at as usize].links();
            assert_eq!(links.prev, prev, "broken prev link at slot {at}");
            assert_eq!(links.list(), list, "slot {at} carries the wrong list tag");
            seen.push(at);
            assert!(seen.len() <= slots.len(), "cycle in list {list}");
            prev = at;
            at = links.next();
        }
        assert_eq!(
            self.tail[list], prev,
            "tail of list {list} is not its last slot"
        );
        assert_eq!(self.len[list] as usize, seen.len(), "length of list {list}");
        seen
    }
}

/// A resident entry, on `T1` or `T2`.
#[derive(Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    links: Links,
}

impl<K, V> Linked for Node<K, V> {
    #[inline]
    fn links(&self) -> Links {
        self.links
    }
    #[inline]
    fn links_mut(&mut self) -> &mut Links {
        &mut self.links
    }
}

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
fn lo31(hash: u64) -> u32 {
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
struct Ghosts {
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
    fn new(capacity: usize) -> Self {
        let max = capacity + capacity / 2 + 8;
        let pos_bits = (usize::BITS - max.leading_zeros()).min(32);
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
    fn len(&self, list: usize) -> usize {
        self.len[list] as usize
    }

    #[inline]
    fn live(&self) -> usize {
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
    #[inline]
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

    /// The ghost whose fingerprint matches `hash`: its bucket and ring index.
    #[inline(always)]
    fn find(&self, hash: u64) -> Option<(usize, u32)> {
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
                    return Some((b, p));
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
    fn push(&mut self, hash: u64, list: usize) {
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
    fn reserve_max(&mut self) {
        if self.log.len() < self.max_log {
            self.relayout(Some(self.max_log));
        }
        if self.table.len() < self.max_table {
            self.resize_table(self.max_table);
        }
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

    /// Forgets the ghost found at bucket `b`, ring index `p` (a ghost hit).
    #[inline]
    fn remove(&mut self, b: usize, p: u32) {
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
    fn pop_lru(&mut self, list: usize) {
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
    fn check(&self) {
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

/// ARC, the Adaptive Replacement Cache (Megiddo and Modha, FAST 2003): two LRU lists of
/// cached entries, `T1` (seen once recently) and `T2` (seen at least twice), two ghost
/// lists `B1` and `B2` of the keys (hashes) they recently evicted, and a target `p` for the
/// size of `T1` that a ghost hit moves: up after a hit in `B1`, down after a hit in `B2`.
///
/// See the [crate docs](crate) for the exact rules, costs and memory.
///
/// # Examples
///
/// ```
/// use evict_arc::{ArcCache, Cache, Put};
///
/// let mut cache = ArcCache::new(2);
/// assert_eq!(cache.put("a", 1), Put::Inserted);
/// assert_eq!(cache.get(&"a"), Some(&1)); // "a" is now frequent (T2)
/// assert_eq!(cache.put("b", 2), Put::Inserted);
/// assert_eq!(cache.put("c", 3), Put::Evicted("b", 2)); // T1 is over its target p = 0
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
/// ```
#[derive(Clone)]
pub struct ArcCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live; `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// `T1` and `T2`.
    lists: Lists,
    /// Slots of `T2` that were hit, oldest first, and are still to move to the most recent
    /// end of `T2` (case I), in this order: `pending[..pending_len]`. A hit only records
    /// the slot; the moves are made, in the same order, before anything that depends on
    /// `T2`'s order or on slot numbers (a `put` of a new key, `remove`, a hit on `T1`, a
    /// full buffer), so the lists are exactly those of moving at once. Batching takes the
    /// relinking (two neighbours in random places) out of the lookup's dependency chain.
    pending: [u32; PENDING],
    pending_len: u32,
    /// `B1` and `B2`.
    ghosts: Ghosts,
    /// The target size of `T1`, in `[0, capacity]`; a whole number when `integer`.
    p: f64,
    /// Floor-division deltas (Caffeine's simulator) instead of real ones (the paper,
    /// libCacheSim).
    integer: bool,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> ArcCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// with `p = 0`. Capacity 0 caches nothing.
    ///
    /// Memory is allocated as entries and ghosts arrive, never more than `capacity` of each.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, Put};
    ///
    /// let mut none: ArcCache<u8, u8> = ArcCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> ArcCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// The ghosts are fingerprints of this hasher's hashes (see the crate docs), so a seeded
    /// hasher (the default) makes the rare false ghost hit differ from run to run; pass a
    /// fixed one for reproducible runs.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, DefaultHashBuilder};
    ///
    /// let cache: ArcCache<u64, u64> = ArcCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            nodes: Vec::new(),
            table: SlotIndex::new(),
            lists: Lists::EMPTY,
            pending: [NIL; PENDING],
            pending_len: 0,
            ghosts: Ghosts::new(capacity.min(MAX_CAPACITY)),
            p: 0.0,
            integer: false,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            hasher,
            stats: Stats::default(),
        }
    }

    /// Switches the adaptation of `p` to integer arithmetic: the deltas
    /// `max(|B2| / |B1|, 1)` and `max(|B1| / |B2|, 1)` become floor divisions and `p` stays
    /// a whole number, as in Caffeine's simulator (`ArcPolicy`). The default is the paper's
    /// real arithmetic, which libCacheSim's `ARC.c` also uses. Meant to be called on a new
    /// cache; `clear` keeps the choice.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(100).integer_target();
    /// let _ = cache.put(1, 1);
    /// assert_eq!(cache.target(), 0.0);
    /// ```
    pub fn integer_target(mut self) -> Self {
        self.integer = true;
        self.p = self.p.max(0.0) as u64 as f64; // drop a fraction, if any
        self
    }

    /// The adaptive target `p` for the size of `T1`, between 0 and the capacity: it grows
    /// after a `put` of a key in the ghost list `B1` and shrinks after one in `B2`.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 1);
    /// let _ = cache.get(&1); // 1 to T2
    /// let _ = cache.put(2, 2);
    /// let _ = cache.put(3, 3); // 2 leaves T1 for the ghost list B1
    /// assert_eq!(cache.target(), 0.0);
    /// let _ = cache.put(2, 2); // a ghost hit in B1: recency deserves more room
    /// assert_eq!(cache.target(), 1.0);
    /// ```
    pub fn target(&self) -> f64 {
        self.p
    }

    /// The sizes of the four lists, `[|T1|, |T2|, |B1|, |B2|]`: resident entries seen once
    /// and seen at least twice, then ghosts evicted from each.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 1);
    /// let _ = cache.put(2, 2);
    /// let _ = cache.get(&2);
    /// assert_eq!(cache.sizes(), [1, 1, 0, 0]);
    /// ```
    pub fn sizes(&self) -> [usize; 4] {
        [
            self.lists.len[T1] as usize,
            self.lists.len[T2] as usize,
            self.ghosts.len(B1),
            self.ghosts.len(B2),
        ]
    }

    /// The slots of `list`, most recent first, pending moves included.
    fn list_order(&self, list: usize) -> Vec<u32> {
        let pending = &self.pending[..self.pending_len as usize];
        let mut order = Vec::new();
        if list == T2 {
            for &i in pending.iter().rev() {
                if !order.contains(&i) {
                    order.push(i);
                }
            }
        }
        let mut at = self.lists.head[list];
        while let Some(node) = self.nodes.get(at as usize) {
            if list == T1 || !pending.contains(&at) {
                order.push(at);
            }
            at = node.links.next();
        }
        order
    }

    /// The resident entries of `list`, most recent first.
    fn list_iter(&self, list: usize) -> impl Iterator<Item = (&K, &V)> {
        self.list_order(list).into_iter().map(|i| {
            let node = &self.nodes[i as usize];
            (&node.key, &node.value)
        })
    }

    /// Checks that the lists, the slabs and the tables agree, and ARC's size bounds. For
    /// tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let c = self.capacity as usize;
        let n = self.nodes.len();
        assert!(n <= c, "len {n} > capacity {c}");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        let mut resident = 0;
        for list in [T1, T2] {
            for at in self.lists.walk(&self.nodes, list) {
                let hash = self.hasher.hash_one(&self.nodes[at as usize].key);
                assert_eq!(
                    self.table.find(hash, |i| i == at),
                    Some(at),
                    "slot {at} not reachable from the table"
                );
                // A key is never resident and a ghost at once (short of a fingerprint
                // collision between two keys, which the tests' hashers exclude).
                assert!(
                    self.ghosts.find(hash).is_none(),
                    "resident slot {at} is also a ghost"
                );
                resident += 1;
            }
        }
        assert_eq!(resident, n, "T1 and T2 do not cover every slot");
        for &i in &self.pending[..self.pending_len as usize] {
            assert!((i as usize) < n, "pending slot {i} out of range");
            assert_eq!(
                self.nodes[i as usize].links.list(),
                T2,
                "pending slot {i} not in T2"
            );
        }

        self.ghosts.check();

        let [t1, t2, b1, b2] = self.sizes();
        assert!(t1 + b1 <= c, "|T1| + |B1| = {} > c = {c}", t1 + b1);
        assert!(t1 + t2 + b1 + b2 <= 2 * c, "more than 2c pages tracked");
        assert!(b1 + b2 <= c, "more than c ghosts");
        assert!(
            (0.0..=c as f64).contains(&self.p),
            "p = {} not in [0, {c}]",
            self.p
        );
        if self.integer {
            assert_eq!(self.p, self.p as u64 as f64, "integer p has a fraction");
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> ArcCache<K, V, S> {
    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled, with `min(len, 4096)` spare buckets at least
    /// (see `evict_slots::SlotIndex::insert`; at a million entries `len / 4` rules).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), 4096, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`).
    #[cold]
    fn settle_table(&mut self) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.settle(nodes.len(), 4096, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }
    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let nodes = &self.nodes;
        self.table.find(hash, |i| nodes[i as usize].key == *key)
    }

    /// Case I: a cached entry moves to the most recent end of `T2`; from within `T2`, the
    /// move may wait in `pending`.
    #[inline]
    fn touch(&mut self, i: u32) {
        if self.nodes[i as usize].links.list() == T2 {
            let n = self.pending_len as usize;
            let last = if n > 0 {
                self.pending[n - 1]
            } else {
                self.lists.head[T2]
            };
            if last == i {
                return; // already the most recent
            }
            if n == PENDING {
                self.apply_pending();
            }
            let n = self.pending_len as usize;
            self.pending[n] = i;
            self.pending_len += 1;
            return;
        }
        self.flush();
        self.lists.unlink(&mut self.nodes, i);
        self.lists.push_front(&mut self.nodes, i, T2);
    }

    /// Makes the pending moves, if any.
    #[inline]
    fn flush(&mut self) {
        if self.pending_len != 0 {
            self.apply_pending();
        }
    }

    /// Makes the pending moves to the most recent end of `T2`, oldest first.
    #[inline]
    fn apply_pending(&mut self) {
        let n = self.pending_len as usize;
        self.pending_len = 0;
        for k in 0..n {
            let i = self.pending[k];
            if self.lists.head[T2] != i {
                self.lists.unlink(&mut self.nodes, i);
                self.lists.push_front(&mut self.nodes, i, T2);
            }
        }
    }

    /// `max(a / b, 1)`, the paper's delta, in this cache's arithmetic (`b >= 1`).
    #[inline]
    fn delta(&self, a: usize, b: usize) -> f64 {
        if self.integer {
            (a / b).max(1) as f64
        } else {
            (a as f64 / b as f64).max(1.0)
        }
    }

    /// The paper's `REPLACE(x, p)`, choosing only: the slot whose entry moves to a ghost
    /// list. Called only on a full cache.
    #[inline]
    fn replace_victim(&self, x_in_b2: bool) -> u32 {
        let t1 = f64::from(self.lists.len[T1]);
        // `t1 == p` can hold only when p is a whole number: exact by design, as in the paper.
        #[allow(clippy::float_cmp)]
        let tie = x_in_b2 && t1 == self.p;
        let from_t1 = t1 >= 1.0 && (tie || t1 > self.p);
        // The invariants keep T2 non-empty when T1 is not chosen on a full cache; the
        // fallback only keeps a broken invariant from corrupting anything.
        if from_t1 || self.lists.len[T2] == 0 {
            self.lists.tail[T1]
        } else {
            self.lists.tail[T2]
        }
    }

    /// Takes resident slot `i` out: its list links, its table entry and its place in the
    /// dense `Vec` (filled by the last slot, whose links and table entry are repointed).
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        self.lists.unlink(&mut self.nodes, i);
        self.table.remove(hash, i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            self.lists.relocate(&mut self.nodes, i);
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }
}

impl<K, V, S> Cache<K, V> for ArcCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// A hit is the paper's case I (the entry moves to the most recent end of `T2`); a miss
    /// only counts, and changes nothing else: the `put` that follows it is the paper's miss.
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                self.touch(i);
                Some(&self.nodes[i as usize].value)
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

    /// A cached key gets the new value and counts as an access (case I). A new key is the
    /// paper's miss: case II (its hash is in `B1`), III (in `B2`) or IV (in no list), with
    /// the adaptation of `p` and `REPLACE` there; it returns [`Put::Evicted`] with the entry
    /// that left the cache, if one did.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.touch(i);
            let old = core::mem::replace(&mut self.nodes[i as usize].value, value);
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        // What follows looks at T2's order and reuses slots: moves first.
        self.flush();
        let c = self.capacity as usize;
        let full = self.nodes.len() == c;
        let (b1, b2) = (self.ghosts.len(B1), self.ghosts.len(B2));
        // The resident slot that leaves (if any), and whether it leaves a ghost.
        let mut victim = None;
        let list = match self.ghosts.find(hash) {
            Some((bucket, g)) => {
                let in_b2 = self.ghosts.list_at(g) == B2;
                if in_b2 {
                    // Case III: p = max(p - max(|B1| / |B2|, 1), 0).
                    self.p = (self.p - self.delta(b1, b2)).max(0.0);
                } else {
                    // Case II: p = min(p + max(|B2| / |B1|, 1), c).
                    self.p = (self.p + self.delta(b2, b1)).min(c as f64);
                }
                // x leaves its ghost list first; REPLACE does not look at the ghosts, so
                // the order does not matter, and there are never more than c ghosts.
                self.ghosts.remove(bucket, g);
                if full {
                    victim = Some((self.replace_victim(in_b2), true));
                }
                T2
            }
            None => {
                // Case IV.
                let t1 = self.lists.len[T1] as usize;
                let l1 = t1 + b1;
                let l2 = self.lists.len[T2] as usize + b2;
                if l1 == c {
                    if t1 < c {
                        self.ghosts.pop_lru(B1);
                        if full {
                            victim = Some((self.replace_victim(false), true));
                        }
                    } else {
                        // T1 is the whole cache: its LRU leaves without a ghost.
                        victim = Some((self.lists.tail[T1], false));
                    }
                } else if l1 + l2 >= c {
                    if l1 + l2 == 2 * c {
                        self.ghosts.pop_lru(B2);
                    }
                    if full {
                        victim = Some((self.replace_victim(false), true));
                    }
                }
                T1
            }
        };

        let Some((v, to_ghost)) = victim else {
            // Room left: a new slot.
            let i = self.nodes.len() as u32;
            if self.nodes.len() == self.nodes.capacity() {
                // Grow geometrically but never past the capacity: a full cache holds
                // exactly `capacity` slots and never allocates again.
                let room = c - self.nodes.len();
                self.nodes.reserve_exact(self.nodes.len().max(4).min(room));
            }
            self.nodes.push(Node {
                key,
                value,
                links: Links {
                    prev: NIL,
                    next: NIL,
                },
            });
            self.lists.push_front(&mut self.nodes, i, list);
            self.index(hash, i);
            if self.nodes.len() == c {
                self.settle_table();
                self.ghosts.reserve_max();
            }
            return Put::Inserted;
        };

        // Full: the victim's slot is reused in place for the new entry.
        let victim_hash = self.hasher.hash_one(&self.nodes[v as usize].key);
        self.table.remove(victim_hash, v);
        if to_ghost {
            // T1's victim goes to B1, T2's to B2: the list ids match.
            let from = self.nodes[v as usize].links.list();
            self.ghosts.push(victim_hash, from);
        }
        self.lists.unlink(&mut self.nodes, v);
        let node = &mut self.nodes[v as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        self.lists.push_front(&mut self.nodes, v, list);
        self.index(hash, v);
        Put::Evicted(old_key, old_value)
    }

    /// Removes a cached key without leaving a ghost (and without touching `p`); `remove` of
    /// a key that is not cached changes nothing, even if the key is a ghost.
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        // `remove_slot` renumbers a slot: moves first.
        self.flush();
        Some(self.remove_slot(i, hash).1)
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

    /// Drops every entry and ghost, sets `p` back to 0, gives the memory back (as Python's
    /// `cache_clear()` does) and resets the counters.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.lists = Lists::EMPTY;
        self.pending_len = 0;
        self.ghosts = Ghosts::new(self.capacity as usize);
        self.p = 0.0;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for ArcCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V, S>(&'a ArcCache<K, V, S>, usize);
        impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for Entries<'_, K, V, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.list_iter(self.1)).finish()
            }
        }
        f.debug_struct("ArcCache")
            .field("capacity", &self.capacity)
            .field("target", &self.p)
            .field("t1_most_recent_first", &Entries(self, T1))
            .field("t2_most_recent_first", &Entries(self, T2))
            .field("ghosts", &[self.ghosts.len(B1), self.ghosts.len(B2)])
            .field("stats", &self.stats)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use core::hash::{BuildHasherDefault, Hasher};
    use evict_harness::model;
    use evict_harness::model::arc::AdaptiveReplacement;
    use proptest::prelude::*;
    use std::vec;

    /// A fixed, collision-free hasher for small keys (splitmix64 of the bytes), so that runs
    /// are reproducible and ghosts are exact.
    #[derive(Clone, Default)]
    struct Mix(u64);

    impl Hasher for Mix {
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = self.0.rotate_left(8) ^ u64::from(b);
            }
        }
        fn finish(&self) -> u64 {
            let mut z = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    type Fixed = BuildHasherDefault<Mix>;

    fn fixed<K, V>(cap: usize) -> ArcCache<K, V, Fixed> {
        ArcCache::with_hasher(cap, Fixed::default())
    }

    /// Capacities large enough for `p` to wander and for all four lists to fill.
    const SETTINGS: evict_harness::Settings = evict_harness::Settings {
        max_capacity: 24,
        keys: 64,
        max_ops: 500,
    };

    evict_harness::conformance!(
        conformance,
        fixed,
        model = AdaptiveReplacement::new,
        validate = |c: &ArcCache<u8, u16, Fixed>| c.check_invariants(),
        settings = SETTINGS
    );

    evict_harness::conformance!(
        integer,
        |cap| fixed(cap).integer_target(),
        model = AdaptiveReplacement::integer,
        validate = |c: &ArcCache<u8, u16, Fixed>| c.check_invariants(),
        settings = SETTINGS
    );

    // The default (seeded) hasher, with the kit's default (smaller) scenarios.
    evict_harness::conformance!(
        default_hasher,
        ArcCache::new,
        model = AdaptiveReplacement::new,
        validate = |c: &ArcCache<u8, u16>| c.check_invariants()
    );

    proptest! {
        /// Beyond the answers the kit compares: `p` and the four list sizes equal the
        /// model's after every step.
        #[test]
        fn same_target_and_lists_as_model(
            (capacity, ops) in evict_harness::scenario(SETTINGS),
            integer in any::<bool>(),
        ) {
            let (mut cache, mut m) = if integer {
                (fixed::<u8, u16>(capacity).integer_target(), AdaptiveReplacement::integer(capacity))
            } else {
                (fixed(capacity), AdaptiveReplacement::new(capacity))
            };
            for (step, op) in ops.iter().enumerate() {
                let _ = evict_harness::apply(&mut cache, op);
                let _ = evict_harness::apply(&mut m, op);
                prop_assert_eq!(cache.target(), m.target(), "p after step {} {:?}", step, op);
                prop_assert_eq!(cache.sizes(), m.sizes(), "sizes after step {} {:?}", step, op);
            }
        }
    }

    /// "get; on a miss, put" over `keys`; returns the hits.
    fn demand<C: Cache<u32, u32>>(cache: &mut C, keys: impl IntoIterator<Item = u32>) -> u64 {
        for k in keys {
            if cache.get(&k).is_none() {
                let _ = cache.put(k, k);
            }
        }
        cache.info().hits
    }

    /// Hit counts of libCacheSim's ARC (its Python bindings, `libcachesim` 0.3.5) on LIRS
    /// traces driven as "get; on a miss, put", at 1%, 5%, 10% and 20% of each trace's
    /// unique keys: (file, [(capacity, hits)]).
    const LIBCACHESIM_ARC: [(&str, [(usize, u64); 4]); 5] = [
        (
            "cpp.trace.gz",
            [(12, 926), (61, 4501), (122, 7271), (244, 7719)],
        ),
        (
            "multi1.trace.gz",
            [(26, 973), (130, 7043), (260, 7655), (521, 7838)],
        ),
        (
            "ps.trace.gz",
            [(30, 963), (154, 1755), (308, 1755), (616, 5495)],
        ),
        (
            "2_pools.trace.gz",
            [(99, 46474), (496, 51860), (993, 54300), (1987, 59198)],
        ),
        (
            "sprite.trace.gz",
            [(70, 25503), (353, 87619), (707, 114567), (1415, 122555)],
        ),
    ];

    /// The keys of a LIRS trace: gzip text, one key per line, empty and `*` lines skipped.
    fn read_lirs(path: &std::path::Path) -> vec::Vec<u64> {
        use std::io::BufRead;
        let file = std::fs::File::open(path).unwrap();
        std::io::BufReader::new(flate2::read::GzDecoder::new(file))
            .lines()
            .map(|line| line.unwrap())
            .filter(|line| !line.trim().is_empty() && line.trim() != "*")
            .map(|line| line.trim().parse().unwrap())
            .collect()
    }

    #[test]
    fn hit_counts_equal_libcachesim_on_lirs_traces() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/traces/lirs");
        if !dir.is_dir() {
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            assert!(
                !ci,
                "CI is set but the traces are missing: {}",
                dir.display()
            );
            std::println!("skipped: no traces at {}", dir.display());
            return;
        }
        for (name, points) in LIBCACHESIM_ARC {
            let keys = read_lirs(&dir.join(name));
            for (capacity, hits) in points {
                let mut cache = ArcCache::new(capacity);
                for &k in &keys {
                    if cache.get(&k).is_none() {
                        let _ = cache.put(k, k);
                    }
                }
                assert_eq!(cache.info().hits, hits, "{name} at capacity {capacity}");
                cache.check_invariants();
            }
        }
    }

    #[test]
    fn b1_ghost_hits_grow_p_and_b2_ghost_hits_shrink_it() {
        let mut c = fixed(8);
        // Four frequent keys in T2, then a stream of new keys through T1: each pushes T1's
        // LRU into B1 while p = 0.
        demand(&mut c, [1, 2, 3, 4, 1, 2, 3, 4]);
        demand(&mut c, 10..20);
        let [t1, t2, b1, _] = c.sizes();
        assert_eq!((t1, t2), (4, 4));
        assert!(b1 > 0);
        assert_eq!(c.target(), 0.0);
        // Re-requesting B1 ghosts (most recent first, so they are still there): p climbs.
        let mut last = c.target();
        for k in (14..16).rev() {
            assert!(c.get(&k).is_none());
            assert!(matches!(c.put(k, k), Put::Evicted(..)));
            assert!(c.target() > last, "p did not grow on a B1 hit");
            last = c.target();
            c.check_invariants();
        }
        // With p > |T1|, REPLACE takes from T2: its keys become B2 ghosts.
        demand(&mut c, 30..34);
        let b2 = c.sizes()[3];
        assert!(b2 > 0, "no B2 ghosts: {:?}", c.sizes());
        let ghost_keys: vec::Vec<u32> = [1, 2, 3, 4, 14, 15]
            .into_iter()
            .filter(|k| c.peek(k).is_none())
            .collect();
        let before = c.target();
        let mut shrank = false;
        for k in ghost_keys {
            let was = c.target();
            let _ = c.put(k, k);
            if c.target() < was {
                shrank = true;
            }
            assert!(c.target() <= was, "p grew on a B2 hit");
        }
        assert!(shrank && c.target() < before, "p never shrank on B2 hits");
        c.check_invariants();
    }

    #[test]
    fn scan_does_not_flush_frequent_entries() {
        // Eight hot keys, seen twice, then a scan of 1,000 one-time keys, then the hot keys
        // again: LRU lost them all, ARC kept them in T2.
        let hot = 0..8u32;
        let trace = || {
            hot.clone()
                .chain(hot.clone())
                .chain(100..1100)
                .chain(hot.clone())
        };
        let arc_hits = demand(&mut fixed(10), trace());
        let lru_hits = demand(&mut model::Lru::new(10), trace());
        assert_eq!(
            lru_hits, 8,
            "LRU keeps the hot keys only for their second pass"
        );
        assert_eq!(
            arc_hits, 16,
            "ARC should keep all 8 hot keys through the scan"
        );
    }

    #[test]
    fn t1_full_evicts_its_lru_without_a_ghost() {
        let mut c = fixed(3);
        for k in 0..3u32 {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        assert_eq!(c.put(3, 3), Put::Evicted(0, 0));
        assert_eq!(c.sizes(), [3, 0, 0, 0]);
        // 0 left no ghost: it comes back as a plain new key, to T1.
        assert_eq!(c.put(0, 0), Put::Evicted(1, 1));
        assert_eq!(c.sizes(), [3, 0, 0, 0]);
        c.check_invariants();
    }

    #[test]
    fn remove_leaves_no_ghost_and_put_uses_the_room() {
        let mut c = fixed(2);
        let _ = c.put(1, 1);
        let _ = c.get(&1);
        let _ = c.put(2, 2);
        assert_eq!(c.put(3, 3), Put::Evicted(2, 2)); // 2 to B1
        assert_eq!(c.remove(&3), Some(3));
        assert_eq!(c.sizes(), [0, 1, 1, 0]);
        // A B1 ghost hit with room to spare: p adapts, nothing is evicted.
        assert_eq!(c.put(2, 2), Put::Inserted);
        assert_eq!(c.target(), 1.0);
        assert_eq!(c.sizes(), [0, 2, 0, 0]);
        assert_eq!(c.remove(&9), None);
        c.check_invariants();
    }

    #[test]
    fn put_of_a_cached_key_is_an_access() {
        let mut c = fixed(2);
        let _ = (c.put(1, 1), c.put(2, 2));
        assert_eq!(c.put(1, 10), Put::Replaced(1));
        assert_eq!(c.sizes(), [1, 1, 0, 0]); // 1 moved to T2
        assert_eq!(c.put(3, 3), Put::Evicted(2, 2));
        assert_eq!(c.get(&1), Some(&10));
    }

    #[test]
    fn clear_resets_everything() {
        let mut c = fixed(4);
        demand(&mut c, [1, 1, 2, 2, 3, 4, 5, 6, 7, 3]);
        assert!(c.sizes()[2] + c.sizes()[3] > 0);
        c.clear();
        assert_eq!(c.sizes(), [0; 4]);
        assert_eq!(c.target(), 0.0);
        assert_eq!(
            c.info(),
            CacheInfo {
                hits: 0,
                misses: 0,
                maxsize: Some(4),
                currsize: 0
            }
        );
        assert_eq!(
            c.nodes.capacity() + c.ghosts.log.capacity() + c.ghosts.table.capacity(),
            0
        );
        c.check_invariants();
    }

    #[test]
    fn full_cache_stops_allocating() {
        // The put that fills the cache takes the ghosts' memory up to its bounds at once;
        // nothing grows after that.
        let mut c = fixed::<u32, u32>(100);
        demand(&mut c, 0..100u32);
        let sizes = |c: &ArcCache<u32, u32, _>| {
            (
                c.nodes.capacity(),
                c.ghosts.log.capacity(),
                c.ghosts.table.capacity(),
            )
        };
        let full = sizes(&c);
        assert_eq!(full, (100, c.ghosts.max_log, c.ghosts.max_table));
        demand(&mut c, (0..5000u32).map(|i| (i * 7919) % 300));
        assert_eq!(sizes(&c), full);
        demand(&mut c, (0..5000u32).map(|i| (i * 104_729) % 400));
        assert_eq!(sizes(&c), full);
        c.check_invariants();
    }

    /// Ghosts match on 31 low bits of the hash plus a tag: with the test hasher, the low 31
    /// bits alone already tell every `u8` key and every `u32` key below 5,000 apart, so the
    /// ghosts of the tests are exact and the policy must agree with the model, which
    /// matches keys.
    #[test]
    fn test_keys_have_distinct_fingerprints() {
        let mut lows: vec::Vec<u32> = (0..=u8::MAX)
            .map(|k| lo31(Fixed::default().hash_one(k)))
            .collect();
        lows.sort_unstable();
        lows.dedup();
        assert_eq!(lows.len(), 256);
        let mut lows: vec::Vec<u32> = (0..5000u32)
            .map(|k| lo31(Fixed::default().hash_one(k)))
            .collect();
        lows.sort_unstable();
        lows.dedup();
        assert_eq!(lows.len(), 5000);
    }

    /// Ghost hits, drops and log compactions at a size the kit does not reach, against the
    /// model op by op.
    #[test]
    fn ghost_directory_agrees_with_model_under_churn() {
        for capacity in [1, 2, 7, 200] {
            let mut c = fixed::<u32, u32>(capacity);
            let mut m = AdaptiveReplacement::new(capacity);
            let mut x = 0x2545_F491_4F6C_DD1Du64;
            for step in 0..30_000u32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Skewed: small keys far more often than large ones.
                let k = ((x % 4000) * ((x >> 32) % 4000) / 4000) as u32;
                if x.is_multiple_of(3) {
                    assert_eq!(c.get(&k), m.get(&k), "get {k} at step {step}");
                } else {
                    assert_eq!(c.put(k, step), m.put(k, step), "put {k} at step {step}");
                }
                assert_eq!(c.sizes(), m.sizes(), "sizes at step {step}");
                if capacity < 10 || step.is_multiple_of(50) {
                    c.check_invariants();
                }
            }
            c.check_invariants();
            let g = &c.ghosts;
            assert!(g.log.capacity() <= g.max_log && g.table.len() <= g.max_table);
        }
    }

    /// The ghost directory alone against two `VecDeque`s of hashes, also at capacities
    /// whose ring indices leave little or no room for the distance field and the tag.
    #[test]
    fn ghost_directory_against_deques() {
        use std::collections::VecDeque;
        for cap in [MAX_CAPACITY, 1 << 29, 1 << 20, 300, 5] {
            let mut g = Ghosts::new(cap);
            let mut lists: [VecDeque<u64>; 2] = [VecDeque::new(), VecDeque::new()];
            let mut x = 0x9E37_79B9_7F4A_7C15u64;
            for step in 0..20_000u32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let h = Fixed::default().hash_one(x % 1500);
                let list = (x >> 40) as usize & 1;
                if (x >> 20).is_multiple_of(5) {
                    g.pop_lru(list);
                    lists[list].pop_back();
                } else if let Some((b, p)) = g.find(h) {
                    let l = g.list_at(p);
                    let at = lists[l].iter().position(|&k| k == h).expect("a ghost");
                    lists[l].remove(at);
                    g.remove(b, p);
                } else {
                    assert!(!lists.iter().any(|l| l.contains(&h)), "lost {h:x}");
                    if g.live() == cap.min(400) {
                        g.pop_lru(B1);
                        g.pop_lru(B2);
                        lists[B1].pop_back();
                        lists[B2].pop_back();
                    }
                    g.push(h, list);
                    lists[list].push_front(h);
                }
                assert_eq!([g.len(B1), g.len(B2)], [lists[0].len(), lists[1].len()]);
                if step.is_multiple_of(97) {
                    g.check();
                }
            }
            g.check();
        }
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: ArcCache<u64, u64> = ArcCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.nodes.capacity(), 0);
    }

    #[test]
    fn node_is_24_bytes_for_u64_pairs() {
        assert_eq!(core::mem::size_of::<Node<u64, u64>>(), 24);
    }

    #[test]
    fn pending_moves_keep_the_exact_order() {
        let mut c = fixed(4);
        for k in 1..=4u32 {
            let _ = c.put(k, k);
            let _ = c.get(&k); // T1 -> T2, at once
        }
        // Hits within T2 wait in `pending`; the order seen is the order made.
        for k in [1, 3, 1, 2, 2] {
            let _ = c.get(&k);
        }
        assert!(c.pending_len > 0);
        let s = std::format!("{c:?}");
        assert!(
            s.contains("t2_most_recent_first: {2: 2, 1: 1, 3: 3, 4: 4}"),
            "{s}"
        );
        // A new key evicts T2's true LRU (4), after the pending moves.
        assert_eq!(c.put(9, 9), Put::Evicted(4, 4));
        assert_eq!(c.pending_len, 0);
        c.check_invariants();
    }

    #[test]
    fn debug_lists_both_queues() {
        let mut c = fixed(2);
        let _ = (c.put(1, 'a'), c.put(2, 'b'));
        let _ = c.get(&2);
        let s = std::format!("{c:?}");
        assert!(s.contains("t1_most_recent_first: {1: 'a'}"), "{s}");
        assert!(s.contains("t2_most_recent_first: {2: 'b'}"), "{s}");
    }
}
