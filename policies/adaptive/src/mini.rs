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

/// "No slot" in a link: the largest 14-bit number.
const NIL: u16 = (1 << 14) - 1;
/// The low 14 bits of a link: a slot number.
const SLOT: u16 = NIL;

/// An open-addressing index from tags to slots (linear probing, backward-shift deletion),
/// 5/4 buckets per slot, a `u16` each: 0 for empty, else the slot number plus one in the
/// low `bits` bits and the tag's low bits above them (so that most buckets of another
/// tag are passed over without reading its slot). The tag of a slot is the miniature's to
/// give (`tag_of`).
#[derive(Clone, Debug, Default)]
struct Index {
    buckets: Vec<u16>,
    /// Bits of slot number (plus one) in a bucket.
    bits: u32,
}

impl Index {
    /// Room for `slots` slots numbered below `2^bits - 1` (the table is allocated now):
    /// 5/4 buckets per slot. At 4/5 full a search for a tag that is not there walks about
    /// 13 buckets (at 1/2 full it would be 2.5, but the memory bound has no room for that
    /// where the miniatures hold every key, below 768 entries).
    fn new(slots: usize, bits: u32) -> Self {
        let buckets = slots + slots / 4 + 1;
        Self {
            buckets: vec![0; buckets],
            bits,
        }
    }

    /// The bucket where the search for `tag` starts. Tags are hash bits already, so their
    /// top bits scaled to the table's length spread evenly.
    #[inline]
    fn home(&self, tag: u32) -> usize {
        ((u64::from(tag) * self.buckets.len() as u64) >> 32) as usize
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
                if tag_of(slot) == tag {
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

    /// Takes `slot`, indexed under `tag`, out; the entries after it in its run move back
    /// so that no search stops short (no tombstones).
    #[inline]
    fn remove(&mut self, tag: u32, slot: usize, tag_of: impl Fn(usize) -> u32) {
        let len = self.buckets.len();
        let mut hole = self.home(tag);
        let e = self.entry(tag, slot);
        while self.buckets[hole] != e {
            hole += 1;
            if hole == len {
                hole = 0;
            }
        }
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

/// A slot of a doubly linked miniature: the tag and the two links (`prev` towards the
/// most recent end).
#[derive(Clone, Copy, Debug)]
struct Node {
    tag: u32,
    prev: u16,
    next: u16,
}

/// Slots linked into lists, and the list operations LRU and W-TinyLFU share.
#[derive(Clone, Debug, Default)]
struct Linked {
    nodes: Vec<Node>,
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
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.min(MAX_MINI),
            linked: Linked::default(),
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
            self.index = Index::new(self.capacity, 14);
        }
        let nodes = &self.linked.nodes;
        if let Some(i) = self.index.get(tag, |s| nodes[s].tag) {
            if self.list.first != i as u16 {
                self.linked.unlink(&mut self.list, i);
                self.linked.push_front(&mut self.list, i);
            }
            return true;
        }
        let i = if self.linked.nodes.len() < self.capacity {
            self.linked.nodes.push(Node {
                tag,
                prev: NIL,
                next: NIL,
            });
            self.linked.nodes.len() - 1
        } else {
            let i = usize::from(self.list.last);
            let nodes = &self.linked.nodes;
            self.index.remove(nodes[i].tag, i, |s| nodes[s].tag);
            self.linked.unlink(&mut self.list, i);
            self.linked.nodes[i].tag = tag;
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
    /// The fingerprints from `oldest`, `used` positions in all, wrapping; 0 is a hole.
    ring: Vec<u32>,
    oldest: usize,
    used: usize,
    live: usize,
    /// Ring positions by fingerprint.
    index: Index,
}

impl Ghost {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }

    fn allocate(&mut self) {
        if self.capacity > 0 {
            self.ring = vec![0; self.capacity + self.capacity / 4 + 1];
            // Ring positions need 15 bits (the capacity is at most 9/10 of `MAX_MINI`).
            self.index = Index::new(self.capacity, 15);
        }
    }

    /// Takes `fp` out; whether it was there.
    #[inline]
    fn take(&mut self, fp: u32) -> bool {
        if self.live == 0 {
            return false;
        }
        let ring = &self.ring;
        match self.index.get(fp, |p| ring[p]) {
            Some(p) => {
                self.index.remove(fp, p, |p| ring[p]);
                self.ring[p] = 0;
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    /// Adds `fp` as the newest, pushing out the oldest if `capacity` are remembered.
    #[inline]
    fn push(&mut self, fp: u32) {
        if self.capacity == 0 {
            return;
        }
        let len = self.ring.len();
        if self.live == self.capacity {
            // The oldest live one leaves; holes before it go with it.
            loop {
                let p = self.oldest;
                self.oldest = if p + 1 == len { 0 } else { p + 1 };
                self.used -= 1;
                let old = self.ring[p];
                if old != 0 {
                    let ring = &self.ring;
                    self.index.remove(old, p, |p| ring[p]);
                    self.ring[p] = 0;
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
        self.ring[p] = fp;
        self.used += 1;
        self.live += 1;
        self.index.insert(fp, p);
    }

    /// Moves the live fingerprints together, oldest first, and indexes them again.
    #[cold]
    fn pack(&mut self) {
        let len = self.ring.len();
        let mut to = self.oldest;
        for k in 0..self.used {
            let from = (self.oldest + k) % len;
            let fp = self.ring[from];
            if fp != 0 {
                self.ring[from] = 0;
                self.ring[to] = fp;
                to = if to + 1 == len { 0 } else { to + 1 };
            }
        }
        self.used = self.live;
        self.index.buckets.fill(0);
        for k in 0..self.used {
            let p = (self.oldest + k) % len;
            self.index.insert(self.ring[p], p);
        }
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
    tags: Vec<u32>,
    links: Vec<u16>,
    queues: [Queue; 2],
    index: Index,
    ghost: Ghost,
}

impl S3Fifo {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.min(MAX_MINI);
        let small = capacity / 10;
        Self {
            capacity,
            small_target: small as u16,
            main_target: (capacity - small) as u16,
            has_evicted: false,
            tags: Vec::new(),
            links: Vec::new(),
            queues: [EMPTY_QUEUE; 2],
            index: Index::default(),
            ghost: Ghost::new(capacity * 9 / 10),
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
        if self.tags.capacity() == 0 {
            self.tags.reserve_exact(self.capacity);
            self.links.reserve_exact(self.capacity);
            self.index = Index::new(self.capacity, 14);
            self.ghost.allocate();
        }
        let tags = &self.tags;
        if let Some(i) = self.index.get(tag, |s| tags[s]) {
            if self.freq(i) < 3 {
                self.links[i] += 1 << 14;
            }
            return true;
        }
        let was_ghost = self.ghost.take(tag.max(1));
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
        let old = self.tags[victim];
        if from == SMALL {
            self.ghost.push(old.max(1));
        }
        let tags = &self.tags;
        self.index.remove(old, victim, |s| tags[s]);
        let _ = self.pop_oldest(from);
        self.tags[victim] = tag;
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
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_sketch(capacity, capacity.max(MIN_SKETCH_WORDS))
    }

    /// A miniature of `capacity` entries whose sketch has `words` words (see
    /// [`sketch_words`]).
    pub(crate) fn with_sketch(capacity: usize, words: usize) -> Self {
        let capacity = capacity.min(MAX_MINI);
        // As `evict-wtinylfu`'s `sizes`: main 99%, protected 80% of main.
        let main = (capacity as f64 * 0.99) as usize;
        let protected = (main as f64 * 0.8) as usize;
        Self {
            capacity,
            max_window: (capacity - main) as u16,
            max_protected: protected as u16,
            linked: Linked::default(),
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
                .add_counted(Self::hash(self.linked.nodes[i].tag), hits);
        }
    }

    /// Records the window candidate in slot `i` once more as it leaves the window (not an
    /// access: no halving count), as `evict-wtinylfu` does.
    fn record_leaving(&mut self, i: usize) {
        self.sketch
            .add_counted(Self::hash(self.linked.nodes[i].tag), 1);
    }

    fn referenced(&self, i: usize) -> bool {
        self.meta[i] >> 4 != 0
    }

    fn frequency_of(&self, i: usize) -> u8 {
        self.sketch.frequency(Self::hash(self.linked.nodes[i].tag))
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
            self.meta.reserve_exact(self.capacity);
            self.index = Index::new(self.capacity, 14);
        }
        let nodes = &self.linked.nodes;
        if let Some(i) = self.index.get(tag, |s| nodes[s].tag) {
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
        let hash = Self::hash(tag);
        self.sketch.add_counted(hash, 1);
        self.count_access();
        let n = self.linked.nodes.len();
        let window = self.lists[usize::from(WINDOW)];
        if n < self.capacity {
            self.linked.nodes.push(Node {
                tag,
                prev: NIL,
                next: NIL,
            });
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
            self.sketch.add_counted(hash, 1);
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
        let nodes = &self.linked.nodes;
        self.index.remove(nodes[out].tag, out, |s| nodes[s].tag);
        if let Some(c) = admitted {
            self.move_to_front(PROBATION, c);
        }
        let from = self.meta[out] & 3;
        self.linked.unlink(&mut self.lists[usize::from(from)], out);
        self.linked.nodes[out].tag = tag;
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
