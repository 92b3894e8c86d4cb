//! The miniature caches: LRU, S3-FIFO and W-TinyLFU over 32-bit key tags, with 14-bit slot
//! links, each the same rules as its `evict-*` crate (unweighted, `get`, and on a miss
//! `put`), in a fraction of the memory.
//!
//! A miniature only has to say whether a sampled key would have hit, so it keeps no value
//! and no full key: a 32-bit tag stands for the key (two sampled keys with the same tag
//! count as one, about one pair in 2^32), slots are numbered in 14 bits (a miniature holds
//! at most [`MAX_MINI`] entries), and nothing is ever removed except by eviction, so the
//! S3-FIFO queues are singly linked. Per entry (tag, links and index included): LRU 11
//! bytes, S3-FIFO about 16 (its ghost of 9/10 of the entries included), W-TinyLFU about 12
//! plus its frequency sketch (`evict-wtinylfu`'s width for the cache's capacity divided by
//! the sampling rate's inverse, see [`sketch_words`]), where the
//! `evict-*` caches of `u64` keys take 29 to 49 bytes each. The memory is taken once, on
//! the first access; no later access allocates.
//!
//! `tests.rs` checks every miniature against its `evict-*` crate, access by access.

use alloc::vec;
use alloc::vec::Vec;

use evict_slots::sketch::FrequencySketch;

/// The most entries a miniature holds: slot numbers have 14 bits, and `NIL` is the last.
pub(crate) const MAX_MINI: usize = NIL as usize;

/// The most entries a compact miniature holds (see [`Tags`]): slot numbers plus one, and
/// its S3-FIFO ghost's ring positions plus one (9/10 × 5/4 of the entries, plus one), fit
/// in the 10 bits its index buckets leave them.
pub(crate) const COMPACT_MAX: usize = 900;

/// "No slot" in a link: the largest 14-bit number.
const NIL: u16 = (1 << 14) - 1;
/// The low 14 bits of a link: a slot number.
const SLOT: u16 = NIL;

/// An open-addressing index from tags to slots (linear probing, backward-shift deletion),
/// 5/4 buckets per slot (11/8 compact), a `u16` each: 0 for empty, else the slot number plus one in the
/// low `bits` bits and the tag's low bits above them (so that most buckets of another
/// tag are passed over without reading its slot). The tag of a slot is the miniature's to
/// give (`tag_of`).
#[derive(Clone, Debug, Default)]
struct Index {
    buckets: Vec<u16>,
    /// Bits of slot number (plus one) in a bucket.
    bits: u32,
    /// The bits of a tag its miniature stores (`Tags::key`): all 32, or the top 16 in a
    /// compact miniature, whose buckets keep the tag's low `16 - bits` bits instead.
    mask: u32,
}

impl Index {
    /// Room for `slots` slots numbered below `2^bits - 1` (the table is allocated now):
    /// 5/4 buckets per slot, 11/8 in a compact miniature. At 4/5 full a search for a tag
    /// that is not there walks about 13 buckets, at 8/11 full about 7 (at 1/2 full it would
    /// be 2.5). The compact miniatures run on every `get` (below 768 entries), and their
    /// 2-byte tags leave the memory bound room for the 11/8 (3/2 would leave 1.491× S3-FIFO's
    /// bytes per entry, at 442 entries: too close).
    fn new(slots: usize, bits: u32, compact: bool) -> Self {
        let buckets = if compact {
            slots + slots / 4 + slots / 8 + 1
        } else {
            slots + slots / 4 + 1
        };
        Self {
            buckets: vec![0; buckets],
            bits,
            mask: if compact { KEY_MASK } else { u32::MAX },
        }
    }

    /// The bucket where the search for `tag` starts. Tags are hash bits already, so their
    /// top bits scaled to the table's length spread evenly.
    #[inline]
    fn home(&self, tag: u32) -> usize {
        ((u64::from(tag & self.mask) * self.buckets.len() as u64) >> 32) as usize
    }

    /// The bucket's content for `slot` of `tag`.
    #[inline]
    fn entry(&self, tag: u32, slot: usize) -> u16 {
        (slot as u16 + 1) | ((tag as u16) << self.bits)
    }

    /// The slot of a nonzero bucket.
    #[inline]
    fn slot(&self, e: u16) -> usize {
        usize::from(e & ((1 << self.bits) - 1)) - 1
    }

    /// The slot of `tag`, if indexed.
    #[inline]
    fn get(&self, tag: u32, tag_of: impl Fn(usize) -> u32) -> Option<usize> {
        let len = self.buckets.len();
        let mut b = self.home(tag);
        let check = (tag as u16) << self.bits;
        loop {
            let e = self.buckets[b];
            if e == 0 {
                return None;
            }
            if (e ^ check) >> self.bits == 0 {
                let slot = self.slot(e);
                if tag_of(slot) == tag & self.mask {
                    return Some(slot);
                }
            }
            b += 1;
            if b == len {
                b = 0;
            }
        }
    }

    /// Indexes `slot` under `tag`, which is not indexed.
    #[inline]
    fn insert(&mut self, tag: u32, slot: usize) {
        let len = self.buckets.len();
        let mut b = self.home(tag);
        while self.buckets[b] != 0 {
            b += 1;
            if b == len {
                b = 0;
            }
        }
        self.buckets[b] = self.entry(tag, slot);
    }

    /// Takes `slot`, indexed under `tag` (its stored bits suffice), out; the entries after
    /// it in its run move back so that no search stops short (no tombstones). Returns the
    /// tag's bits its bucket kept (above the slot number), for a compact miniature whose
    /// slot does not store them.
    #[inline]
    fn remove(&mut self, tag: u32, slot: usize, tag_of: impl Fn(usize) -> u32) -> u16 {
        let len = self.buckets.len();
        let mut hole = self.home(tag);
        let slot_bits = (1u16 << self.bits) - 1;
        while self.buckets[hole] & slot_bits != slot as u16 + 1 {
            hole += 1;
            if hole == len {
                hole = 0;
            }
        }
        let kept = self.buckets[hole] >> self.bits;
        let mut b = hole;
        loop {
            b += 1;
            if b == len {
                b = 0;
            }
            let e = self.buckets[b];
            if e == 0 {
                break;
            }
            let home = self.home(tag_of(self.slot(e)));
            // The entry at `b` may fill the hole unless its home lies cyclically in
            // (hole, b]: then the hole is before where its search starts.
            let stays = if hole <= b {
                hole < home && home <= b
            } else {
                hole < home || home <= b
            };
            if !stays {
                self.buckets[hole] = e;
                hole = b;
            }
        }
        self.buckets[hole] = 0;
        kept
    }

    /// Points the bucket of `slot` `from`, indexed under `tag`, at slot `to` (which no
    /// bucket points at).
    fn relabel(&mut self, tag: u32, from: usize, to: usize) {
        let len = self.buckets.len();
        let slot_bits = (1u16 << self.bits) - 1;
        let mut b = self.home(tag);
        while self.buckets[b] & slot_bits != from as u16 + 1 {
            b += 1;
            if b == len {
                b = 0;
            }
        }
        self.buckets[b] = (self.buckets[b] & !slot_bits) | (to as u16 + 1);
    }
}

/// The stored bits of a compact miniature's tag: the top 16.
const KEY_MASK: u32 = 0xFFFF_0000;

/// The tags of a miniature's slots: the top 16 bits of each and, unless `compact`, the low
/// 16. A compact miniature (the unsampled ones, below 768 entries, whose slot numbers fit
/// in 10 bits, see [`COMPACT_MAX`]) keeps the tag's low 6 bits in its index bucket instead, so that two keys
/// are told apart by 22 bits of tag (and their home bucket) for 2 bytes per slot.
#[derive(Clone, Debug, Default)]
struct Tags {
    hi: Vec<u16>,
    lo: Vec<u16>,
    compact: bool,
}

impl Tags {
    fn new(compact: bool) -> Self {
        Self {
            compact,
            ..Self::default()
        }
    }

    /// Room for `n` tags.
    fn reserve(&mut self, n: usize) {
        self.hi.reserve_exact(n);
        if !self.compact {
            self.lo.reserve_exact(n);
        }
    }

    /// `n` zero tags.
    fn zeroed(n: usize, compact: bool) -> Self {
        Self {
            hi: vec![0; n],
            lo: if compact { Vec::new() } else { vec![0; n] },
            compact,
        }
    }

    /// The bits of `tag` a slot stores (all, or the top 16), as a `u32`.
    #[inline]
    fn key(&self, tag: u32) -> u32 {
        if self.compact { tag & KEY_MASK } else { tag }
    }

    /// The stored bits of slot `i`'s tag ([`Tags::key`] of it).
    #[inline]
    fn get(&self, i: usize) -> u32 {
        let hi = u32::from(self.hi[i]) << 16;
        if self.compact {
            hi
        } else {
            hi | u32::from(self.lo[i])
        }
    }

    #[inline]
    fn set(&mut self, i: usize, tag: u32) {
        self.hi[i] = (tag >> 16) as u16;
        if !self.compact {
            self.lo[i] = tag as u16;
        }
    }

    #[inline]
    fn push(&mut self, tag: u32) {
        self.hi.push((tag >> 16) as u16);
        if !self.compact {
            self.lo.push(tag as u16);
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.hi.len()
    }

    /// The index's bits of slot numbers for this storage: 10 compact (see
    /// [`COMPACT_MAX`]), else `bits`.
    fn index_bits(&self, bits: u32) -> u32 {
        if self.compact { 10 } else { bits }
    }
}

/// A doubly linked list over slots: `first` the most recently used end, `last` the least.
#[derive(Clone, Copy, Debug)]
struct List {
    first: u16,
    last: u16,
    len: u16,
}

const EMPTY: List = List {
    first: NIL,
    last: NIL,
    len: 0,
};

/// A slot's two links in a doubly linked miniature (`prev` towards the most recent end).
#[derive(Clone, Copy, Debug)]
struct Node {
    prev: u16,
    next: u16,
}

/// Slots linked into lists, and the list operations LRU and W-TinyLFU share.
#[derive(Clone, Debug, Default)]
struct Linked {
    nodes: Vec<Node>,
    tags: Tags,
}

impl Linked {
    #[inline]
    fn unlink(&mut self, list: &mut List, i: usize) {
        let Node { prev, next, .. } = self.nodes[i];
        if prev == NIL {
            list.first = next;
        } else {
            self.nodes[usize::from(prev)].next = next;
        }
        if next == NIL {
            list.last = prev;
        } else {
            self.nodes[usize::from(next)].prev = prev;
        }
        list.len -= 1;
    }

    #[inline]
    fn push_front(&mut self, list: &mut List, i: usize) {
        let n = &mut self.nodes[i];
        n.prev = NIL;
        n.next = list.first;
        if list.first == NIL {
            list.last = i as u16;
        } else {
            self.nodes[usize::from(list.first)].prev = i as u16;
        }
        list.first = i as u16;
        list.len += 1;
    }
}

/// Miniature LRU.
#[derive(Clone, Debug)]
pub(crate) struct Lru {
    capacity: usize,
    linked: Linked,
    list: List,
    index: Index,
}

impl Lru {
    /// An LRU of `capacity` tags (at most [`MAX_MINI`]; `compact`: see [`Tags`], at most
    /// [`COMPACT_MAX`]).
    pub(crate) fn new(capacity: usize, compact: bool) -> Self {
        Self {
            capacity: capacity.min(if compact { COMPACT_MAX } else { MAX_MINI }),
            linked: Linked {
                nodes: Vec::new(),
                tags: Tags::new(compact),
            },
            list: EMPTY,
            index: Index::default(),
        }
    }

    /// `get` of `tag`, and on a miss `put`: whether it hit.
    #[inline]
    pub(crate) fn access(&mut self, tag: u32) -> bool {
        if self.capacity == 0 {
            return false;
        }
        if self.linked.nodes.capacity() == 0 {
            self.linked.nodes.reserve_exact(self.capacity);
            self.linked.tags.reserve(self.capacity);
            let compact = self.linked.tags.compact;
            self.index = Index::new(self.capacity, self.linked.tags.index_bits(14), compact);
        }
        let tags = &self.linked.tags;
        if let Some(i) = self.index.get(tag, |s| tags.get(s)) {
            if self.list.first != i as u16 {
                self.linked.unlink(&mut self.list, i);
                self.linked.push_front(&mut self.list, i);
            }
            return true;
        }
        let i = if self.linked.nodes.len() < self.capacity {
            self.linked.nodes.push(Node {
                prev: NIL,
                next: NIL,
            });
            self.linked.tags.push(tag);
            self.linked.nodes.len() - 1
        } else {
            let i = usize::from(self.list.last);
            let tags = &self.linked.tags;
            let _ = self.index.remove(tags.get(i), i, |s| tags.get(s));
            self.linked.unlink(&mut self.list, i);
            self.linked.tags.set(i, tag);
            i
        };
        self.linked.push_front(&mut self.list, i);
        self.index.insert(tag, i);
        false
    }

    pub(crate) fn is_full(&self) -> bool {
        self.linked.nodes.len() == self.capacity
    }
}

/// S3-FIFO's ghost: a FIFO of at most `capacity` fingerprints (never 0) of keys evicted from
/// the small queue, from which a fingerprint can also be taken out (a ghost hit), as
/// `evict-s3fifo`'s. A ring with holes where fingerprints were taken, a quarter larger than
/// the capacity; when the holes fill it, the live fingerprints are packed again
/// (O(capacity), at most once per `capacity / 4` pushes).
#[derive(Clone, Debug, Default)]
struct Ghost {
    capacity: usize,
    compact: bool,
    /// The fingerprints from `oldest`, `used` positions in all, wrapping; 0 is a hole.
    ring: Tags,
    oldest: usize,
    used: usize,
    live: usize,
    /// Ring positions by fingerprint.
    index: Index,
}

impl Ghost {
    fn new(capacity: usize, compact: bool) -> Self {
        Self {
            capacity,
            compact,
            ..Self::default()
        }
    }

    fn allocate(&mut self) {
        if self.capacity > 0 {
            self.ring = Tags::zeroed(self.capacity + self.capacity / 4 + 1, self.compact);
            // Ring positions need 15 bits (the capacity is at most 9/10 of `MAX_MINI`); 10
            // compact (see `COMPACT_MAX`).
            let bits = self.ring.index_bits(15);
            self.index = Index::new(self.capacity, bits, self.compact);
        }
    }

    /// The fingerprint of `tag` (the key's whole tag, or a compact miniature's stored bits
    /// with the low bits its index kept): never 0 in what a ring position stores, 0 being a
    /// hole.
    #[inline]
    fn fingerprint(&self, tag: u32) -> u32 {
        if self.compact {
            if tag & KEY_MASK == 0 {
                tag | 1 << 16
            } else {
                tag
            }
        } else {
            tag.max(1)
        }
    }

    /// Takes the fingerprint of `tag` out; whether it was there.
    #[inline]
    fn take(&mut self, tag: u32) -> bool {
        if self.live == 0 {
            return false;
        }
        let fp = self.fingerprint(tag);
        let ring = &self.ring;
        match self.index.get(fp, |p| ring.get(p)) {
            Some(p) => {
                let _ = self.index.remove(fp, p, |p| ring.get(p));
                self.ring.set(p, 0);
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    /// Adds the fingerprint of `tag` as the newest, pushing out the oldest if `capacity`
    /// are remembered.
    #[inline]
    fn push(&mut self, tag: u32) {
        if self.capacity == 0 {
            return;
        }
        let fp = self.fingerprint(tag);
        let len = self.ring.len();
        if self.live == self.capacity {
            // The oldest live one leaves; holes before it go with it.
            loop {
                let p = self.oldest;
                self.oldest = if p + 1 == len { 0 } else { p + 1 };
                self.used -= 1;
                let old = self.ring.get(p);
                if old != 0 {
                    let ring = &self.ring;
                    let _ = self.index.remove(old, p, |p| ring.get(p));
                    self.ring.set(p, 0);
                    self.live -= 1;
                    break;
                }
            }
        }
        if self.used == len {
            self.pack();
        }
        let mut p = self.oldest + self.used;
        if p >= len {
            p -= len;
        }
        self.ring.set(p, fp);
        self.used += 1;
        self.live += 1;
        self.index.insert(fp, p);
    }

    /// Moves the live fingerprints together, oldest first; each keeps its index bucket,
    /// relabelled with its new position (so a compact ring needs no low bits back, and
    /// nothing is allocated).
    #[cold]
    fn pack(&mut self) {
        let len = self.ring.len();
        let mut to = self.oldest;
        for k in 0..self.used {
            let from = (self.oldest + k) % len;
            let fp = self.ring.get(from);
            if fp != 0 {
                if from != to {
                    self.ring.set(from, 0);
                    self.ring.set(to, fp);
                    self.index.relabel(fp, from, to);
                }
                to = if to + 1 == len { 0 } else { to + 1 };
            }
        }
        self.used = self.live;
    }
}

/// A FIFO queue over singly linked slots, oldest to newest.
#[derive(Clone, Copy, Debug)]
struct Queue {
    oldest: u16,
    newest: u16,
    len: u16,
}

const EMPTY_QUEUE: Queue = Queue {
    oldest: NIL,
    newest: NIL,
    len: 0,
};

const SMALL: usize = 0;
const MAIN: usize = 1;

/// Miniature S3-FIFO: `evict-s3fifo`'s rules (small queue 10%, main 90%, ghost 9/10 of the
/// capacity, frequencies to 3, promotion after two reads on probation, libCacheSim's
/// warm-up) on two singly linked FIFOs. A link holds the next newer slot in its low 14
/// bits and the frequency in its top 2.
#[derive(Clone, Debug)]
pub(crate) struct S3Fifo {
    capacity: usize,
    small_target: u16,
    main_target: u16,
    has_evicted: bool,
    tags: Tags,
    links: Vec<u16>,
    queues: [Queue; 2],
    index: Index,
    ghost: Ghost,
}

impl S3Fifo {
    /// An S3-FIFO of `capacity` tags (at most [`MAX_MINI`]; `compact`: see [`Tags`], at
    /// most [`COMPACT_MAX`]).
    pub(crate) fn new(capacity: usize, compact: bool) -> Self {
        let capacity = capacity.min(if compact { COMPACT_MAX } else { MAX_MINI });
        let small = capacity / 10;
        Self {
            capacity,
            small_target: small as u16,
            main_target: (capacity - small) as u16,
            has_evicted: false,
            tags: Tags::new(compact),
            links: Vec::new(),
            queues: [EMPTY_QUEUE; 2],
            index: Index::default(),
            ghost: Ghost::new(capacity * 9 / 10, compact),
        }
    }

    #[inline]
    fn freq(&self, i: usize) -> u16 {
        self.links[i] >> 14
    }

    #[inline]
    fn push_newest(&mut self, q: usize, i: usize) {
        self.links[i] |= SLOT;
        let queue = &mut self.queues[q];
        if queue.len == 0 {
            queue.oldest = i as u16;
        } else {
            let newest = usize::from(queue.newest);
            self.links[newest] = (self.links[newest] & !SLOT) | i as u16;
        }
        queue.newest = i as u16;
        queue.len += 1;
    }

    #[inline]
    fn pop_oldest(&mut self, q: usize) -> usize {
        let queue = &mut self.queues[q];
        let i = usize::from(queue.oldest);
        queue.oldest = self.links[i] & SLOT;
        queue.len -= 1;
        if queue.len == 0 {
            queue.newest = NIL;
        }
        i
    }

    /// The victim and its queue (left as that queue's oldest), entries moving on the way
    /// as in `evict-s3fifo`'s `evict`.
    fn evict(&mut self) -> (usize, usize) {
        self.has_evicted = true;
        loop {
            if self.queues[MAIN].len > self.main_target || self.queues[SMALL].len == 0 {
                loop {
                    let t = usize::from(self.queues[MAIN].oldest);
                    if self.freq(t) == 0 {
                        return (t, MAIN);
                    }
                    self.links[t] -= 1 << 14;
                    let _ = self.pop_oldest(MAIN);
                    self.push_newest(MAIN, t);
                }
            }
            while self.queues[SMALL].len > 0 {
                let t = usize::from(self.queues[SMALL].oldest);
                if self.freq(t) < 2 {
                    return (t, SMALL);
                }
                let _ = self.pop_oldest(SMALL);
                self.links[t] = SLOT;
                self.push_newest(MAIN, t);
            }
        }
    }

    /// `get` of `tag`, and on a miss `put`: whether it hit.
    #[inline]
    pub(crate) fn access(&mut self, tag: u32) -> bool {
        if self.capacity == 0 {
            return false;
        }
        if self.links.capacity() == 0 {
            self.tags.reserve(self.capacity);
            self.links.reserve_exact(self.capacity);
            let compact = self.tags.compact;
            self.index = Index::new(self.capacity, self.tags.index_bits(14), compact);
            self.ghost.allocate();
        }
        let tags = &self.tags;
        if let Some(i) = self.index.get(tag, |s| tags.get(s)) {
            if self.freq(i) < 3 {
                self.links[i] += 1 << 14;
            }
            return true;
        }
        let was_ghost = self.ghost.take(tag);
        if self.tags.len() < self.capacity {
            self.tags.push(tag);
            self.links.push(SLOT);
            let i = self.tags.len() - 1;
            let small_full = self.queues[SMALL].len >= self.small_target;
            let q = if was_ghost || (!self.has_evicted && small_full) {
                MAIN
            } else {
                SMALL
            };
            self.push_newest(q, i);
            self.index.insert(tag, i);
            return false;
        }
        let (victim, from) = self.evict();
        let old = self.tags.get(victim);
        let tags = &self.tags;
        let kept = self.index.remove(old, victim, |s| tags.get(s));
        if from == SMALL {
            // A compact slot's tag is its top 16 bits and the low bits its bucket kept.
            let old = if tags.compact {
                old | u32::from(kept)
            } else {
                old
            };
            self.ghost.push(old);
        }
        let _ = self.pop_oldest(from);
        self.tags.set(victim, tag);
        self.links[victim] = SLOT;
        self.push_newest(if was_ghost { MAIN } else { SMALL }, victim);
        self.index.insert(tag, victim);
        false
    }

    pub(crate) fn is_full(&self) -> bool {
        self.tags.len() == self.capacity
    }
}

/// The fewest words of `evict-wtinylfu`'s default sketch (`MIN_SKETCH_WORDS`), for the
/// tests against the crate.
#[cfg(test)]
const MIN_SKETCH_WORDS: usize = 1024;

/// The sketch width (in words, a power of two) of the miniature W-TinyLFU of a cache of
/// `capacity` entries sampled at `2^-shift`: the width of the W-TinyLFU the adaptive cache
/// runs (one word per entry, rounded up to a power of two, `with_sketch_floor(0)`),
/// divided by the sampling rate's inverse, so that each counter is shared by as many
/// sampled keys as the cache's own counters are by all keys; and unsampled (`shift` 0,
/// below 768 entries) halved, a narrower sketch than the running policy's, because the
/// memory bound has no room for a full one beside the other miniature (README, "Memory").
pub(crate) fn sketch_words(capacity: usize, shift: u32) -> usize {
    (capacity.next_power_of_two() >> shift.max(1)).max(1)
}

const WINDOW: u8 = 0;
const PROBATION: u8 = 1;
const PROTECTED: u8 = 2;

/// Miniature W-TinyLFU: `evict-wtinylfu`'s rules with its static 1% window (window LRU,
/// probation and protected SLRU of 20% and 80% of the main space, admission by the
/// frequency sketch, hits in the main space counted in the entry and added to the sketch
/// when the entry is next looked at, protected's overflow demoted CLOCK-wise). `meta`
/// holds each entry's segment (low 2 bits) and unrecorded hits (high 4 bits). Its sketch
/// hashes the 32-bit tag as that crate would hash a `u32` key.
#[derive(Clone, Debug)]
pub(crate) struct WTinyLfu {
    capacity: usize,
    max_window: u16,
    max_protected: u16,
    linked: Linked,
    meta: Vec<u8>,
    lists: [List; 3],
    index: Index,
    sketch: FrequencySketch,
    /// Accesses counted towards the sketch's halving since the last.
    accesses: u64,
    /// The halving period: `10 × capacity` counted accesses, as `evict-wtinylfu`'s.
    period: u64,
}

impl WTinyLfu {
    /// A miniature of `capacity` entries whose sketch has `evict-wtinylfu`'s default width
    /// for that capacity (for the tests against the crate).
    #[cfg(test)]
    pub(crate) fn new(capacity: usize, compact: bool) -> Self {
        Self::with_sketch(capacity, compact, capacity.max(MIN_SKETCH_WORDS))
    }

    /// A miniature of `capacity` entries whose sketch has `words` words (see
    /// [`sketch_words`]).
    pub(crate) fn with_sketch(capacity: usize, compact: bool, words: usize) -> Self {
        let capacity = capacity.min(if compact { COMPACT_MAX } else { MAX_MINI });
        // As `evict-wtinylfu`'s `sizes`: main 99%, protected 80% of main.
        let main = (capacity as f64 * 0.99) as usize;
        let protected = (main as f64 * 0.8) as usize;
        Self {
            capacity,
            max_window: (capacity - main) as u16,
            max_protected: protected as u16,
            linked: Linked {
                nodes: Vec::new(),
                tags: Tags::new(compact),
            },
            meta: Vec::new(),
            lists: [EMPTY; 3],
            index: Index::default(),
            sketch: FrequencySketch::new(words),
            accesses: 0,
            period: (capacity.max(1) as u64) * 10,
        }
    }

    #[inline]
    fn hash(tag: u32) -> u64 {
        FrequencySketch::hash(&tag)
    }

    #[inline]
    fn move_to_front(&mut self, seg: u8, i: usize) {
        let from = self.meta[i] & 3;
        self.linked.unlink(&mut self.lists[usize::from(from)], i);
        self.linked.push_front(&mut self.lists[usize::from(seg)], i);
        self.meta[i] = (self.meta[i] & !3) | seg;
    }

    #[inline]
    fn count_access(&mut self) {
        self.accesses += 1;
        if self.accesses >= self.period {
            self.accesses = 0;
            self.sketch.reset();
            for m in &mut self.meta {
                *m = (*m & 3) | ((*m >> 5) << 4);
            }
        }
    }

    /// Adds slot `i`'s unrecorded hits to the sketch.
    fn record_hits(&mut self, i: usize) {
        let hits = self.meta[i] >> 4;
        if hits != 0 {
            self.meta[i] &= 3;
            self.sketch
                .add_counted(Self::hash(self.linked.tags.get(i)), hits);
        }
    }

    /// Records the window candidate in slot `i` once more as it leaves the window (not an
    /// access: no halving count), as `evict-wtinylfu` does.
    fn record_leaving(&mut self, i: usize) {
        self.sketch.add_one(Self::hash(self.linked.tags.get(i)));
    }

    fn referenced(&self, i: usize) -> bool {
        self.meta[i] >> 4 != 0
    }

    fn frequency_of(&self, i: usize) -> u8 {
        self.sketch.frequency(Self::hash(self.linked.tags.get(i)))
    }

    fn demote_protected_overflow(&mut self) {
        while self.lists[usize::from(PROTECTED)].len > self.max_protected {
            let d = usize::from(self.lists[usize::from(PROTECTED)].last);
            if self.referenced(d) {
                self.record_hits(d);
                self.move_to_front(PROTECTED, d);
            } else {
                self.move_to_front(PROBATION, d);
            }
        }
    }

    /// Probation's LRU entry once the referenced ones at its end are promoted; `None` if
    /// probation ends up empty.
    fn victim(&mut self) -> Option<usize> {
        loop {
            let v = self.lists[usize::from(PROBATION)].last;
            if v == NIL || !self.referenced(usize::from(v)) {
                return (v != NIL).then_some(usize::from(v));
            }
            let v = usize::from(v);
            self.record_hits(v);
            self.move_to_front(PROTECTED, v);
            self.demote_protected_overflow();
        }
    }

    /// `get` of `tag`, and on a miss `put`: whether it hit.
    pub(crate) fn access(&mut self, tag: u32) -> bool {
        if self.capacity == 0 {
            return false;
        }
        if self.meta.capacity() == 0 {
            self.linked.nodes.reserve_exact(self.capacity);
            self.linked.tags.reserve(self.capacity);
            self.meta.reserve_exact(self.capacity);
            let compact = self.linked.tags.compact;
            self.index = Index::new(self.capacity, self.linked.tags.index_bits(14), compact);
        }
        let tags = &self.linked.tags;
        if let Some(i) = self.index.get(tag, |s| tags.get(s)) {
            if self.meta[i] & 3 == WINDOW {
                self.move_to_front(WINDOW, i);
            } else {
                if self.meta[i] >> 4 < 15 {
                    self.meta[i] += 1 << 4;
                }
                self.count_access();
            }
            return true;
        }
        // The sketch counts what a slot stores of the tag (all of it unless compact).
        let hash = Self::hash(self.linked.tags.key(tag));
        self.sketch.add_one(hash);
        self.count_access();
        let n = self.linked.nodes.len();
        let window = self.lists[usize::from(WINDOW)];
        if n < self.capacity {
            self.linked.nodes.push(Node {
                prev: NIL,
                next: NIL,
            });
            self.linked.tags.push(tag);
            self.meta.push(WINDOW);
            self.linked
                .push_front(&mut self.lists[usize::from(WINDOW)], n);
            self.index.insert(tag, n);
            if window.len + 1 > self.max_window {
                let candidate = usize::from(self.lists[usize::from(WINDOW)].last);
                self.record_leaving(candidate);
                self.move_to_front(PROBATION, candidate);
            }
            return false;
        }
        let victim = self.victim();
        // The candidate is recorded once more after its contest, as in `evict-wtinylfu`.
        let (out, admitted) = if window.len == 0 {
            let admit = victim.is_some_and(|v| self.sketch.frequency(hash) > self.frequency_of(v));
            self.sketch.add_one(hash);
            match victim {
                Some(v) if admit => (v, None),
                // Refused: the newcomer is not cached.
                _ => return false,
            }
        } else {
            let candidate = usize::from(window.last);
            let admit = victim.is_some_and(|v| self.frequency_of(candidate) > self.frequency_of(v));
            self.record_leaving(candidate);
            match victim {
                Some(v) if admit => (v, Some(candidate)),
                _ => (candidate, None),
            }
        };
        // With an empty window the admitted newcomer goes straight to probation.
        let to = if window.len == 0 { PROBATION } else { WINDOW };
        let tags = &self.linked.tags;
        let _ = self.index.remove(tags.get(out), out, |s| tags.get(s));
        if let Some(c) = admitted {
            self.move_to_front(PROBATION, c);
        }
        let from = self.meta[out] & 3;
        self.linked.unlink(&mut self.lists[usize::from(from)], out);
        self.linked.tags.set(out, tag);
        self.meta[out] = to;
        self.linked
            .push_front(&mut self.lists[usize::from(to)], out);
        self.index.insert(tag, out);
        false
    }

    pub(crate) fn is_full(&self) -> bool {
        self.meta.len() == self.capacity
    }
}
