#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

pub mod sketch;

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Put};
use evict_slots::SlotIndex;

use crate::sketch::FrequencySketch;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. It only places keys in the hash table; the frequency sketch hashes with a fixed
/// seed of its own, so admission decisions do not depend on it.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// Slot indices have 28 bits; the top two bits of a node's `prev` field hold its segment,
/// the top four of its `next` field its unrecorded hits.
const INDEX_BITS: u32 = 28;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// Where a node's segment starts in its `prev` field.
const SEGMENT_SHIFT: u32 = 30;
/// "No slot": the end of a list.
const NIL: u32 = INDEX_MASK;

/// The largest capacity a `WTinyLfuCache` accepts, 2^28 - 2: slots are addressed by 28-bit
/// indices (the other bits of the links hold the entry's segment and its unrecorded hits).
/// Larger requests are clamped.
pub const MAX_CAPACITY: usize = (NIL - 1) as usize;

/// Spare table buckets kept on a rebuild, up to the number of entries: a small table
/// under eviction churn otherwise fills with tombstones and rebuilds every few dozen
/// evictions (see `evict_slots::SlotIndex::insert`).
const TABLE_FLOOR: usize = 256;

/// The share of the capacity given to the main space (Caffeine's simulator default,
/// `percent-main = 0.99`); the window gets the rest.
const PERCENT_MAIN: f64 = 0.99;
/// The share of the main space given to the protected segment.
const PERCENT_PROTECTED: f64 = 0.8;

/// Which list an entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    /// The admission window (LRU).
    Window = 0,
    /// Main space, entries not yet hit there (or demoted from protected).
    Probation = 1,
    /// Main space, entries hit while on probation.
    Protected = 2,
}

impl Segment {
    const ALL: [Segment; 3] = [Segment::Window, Segment::Probation, Segment::Protected];

    fn from_bits(bits: u32) -> Self {
        match bits {
            0 => Segment::Window,
            1 => Segment::Probation,
            _ => Segment::Protected,
        }
    }
}

/// One unrecorded hit in a node's `next_hits` field.
const ONE_HIT: u32 = 1 << INDEX_BITS;
/// `next_hits` at or above this holds 15 unrecorded hits: as many as a counter of the
/// sketch can take.
const MAX_HITS: u32 = 15 << INDEX_BITS;

/// One entry. `prev` points towards the MRU end of its list, `next` towards the LRU end.
#[derive(Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    /// Low 28 bits: the previous slot (or `NIL`); top 2 bits: the [`Segment`].
    prev_seg: u32,
    /// Low 28 bits: the next slot (or `NIL`); top 4 bits: the hits on this main-space entry
    /// not yet recorded in the sketch (at most 15). Nonzero is the entry's reference bit.
    next_hits: u32,
}

impl<K, V> Node<K, V> {
    #[inline]
    fn prev(&self) -> u32 {
        self.prev_seg & INDEX_MASK
    }
    #[inline]
    fn segment(&self) -> Segment {
        Segment::from_bits(self.prev_seg >> SEGMENT_SHIFT)
    }
    #[inline]
    fn set_prev(&mut self, prev: u32) {
        self.prev_seg = (self.prev_seg & !INDEX_MASK) | prev;
    }
    #[inline]
    fn next(&self) -> u32 {
        self.next_hits & INDEX_MASK
    }
    #[inline]
    fn set_next(&mut self, next: u32) {
        self.next_hits = (self.next_hits & !INDEX_MASK) | next;
    }
    /// Hit since it entered its main-space segment (or since its hits were last recorded).
    #[inline]
    fn referenced(&self) -> bool {
        self.next_hits > INDEX_MASK
    }
    /// The hits not yet recorded in the sketch.
    #[inline]
    fn hits(&self) -> u8 {
        (self.next_hits >> INDEX_BITS) as u8
    }
}

/// Ends and length of one LRU list: `head` is the most recently used, `tail` the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct List {
    head: u32,
    tail: u32,
    len: u32,
}

const EMPTY: List = List {
    head: NIL,
    tail: NIL,
    len: 0,
};

/// A W-TinyLFU cache (Einziger, Friedman and Manes, 2017; the policy of Java's Caffeine):
/// a small LRU *window* admits every new entry; when it overflows, its least recently used
/// entry (the *candidate*) may enter the segmented *main* space (probation and protected)
/// only if a frequency sketch estimates it was used more often than the main space's next
/// victim. A hit in the main space sets the entry's reference bit; the victim search
/// promotes referenced probation entries and gives referenced protected entries a second
/// chance (see the crate docs).
///
/// # What `put` reports
///
/// - A new key always enters the window first. When the cache is full, exactly one entry
///   leaves: either the candidate (the window's LRU entry, refused by the filter) or the
///   probation segment's LRU entry (the victim, when the candidate is admitted).
///   `put` returns [`Put::Evicted`] with exactly that entry.
/// - The admission filter can refuse the new pair itself: when the window has no room
///   (capacity 0, or an [adaptive](WTinyLfuCache::adaptive) window shrunk to 0 entries), the
///   newcomer is its own candidate; if it loses to the victim, `put` returns
///   [`Put::Rejected`] with the pair passed in, and no entry has left (the sketch has
///   recorded the access, and the victim search may have promoted referenced entries).
/// - `put` of a cached key replaces the value, counts as an access (recorded in the sketch,
///   moved or marked as a `get` hit) and returns [`Put::Replaced`].
///
/// # What counts as an access
///
/// Every `get`, hit or miss, and every `put` is recorded in the frequency sketch, except a
/// `put` right after a `get` miss of the same key: "look up, then insert what was missing"
/// is one access, recorded once, as Caffeine's simulator records each trace access once.
/// `peek` records nothing; `remove` records nothing and leaves no trace but the sketch's
/// counts.
///
/// A hit on a main-space entry is recorded in two halves: the sketch counts the addition at
/// once (so it halves on schedule), and the entry counts the hit in spare bits of its links
/// (up to 15, as many as a counter holds; halved when the sketch halves). The entry's
/// counters in the sketch get those hits when the entry is next looked at: when the victim
/// search promotes it or gives it a second chance, when it moves into the window, or when
/// it is removed. Until then [`sketch`](Self::sketch) underestimates such an entry; the
/// admission decisions never see the difference, as the candidate and the victim have no
/// hits pending. A main-space hit thus touches nothing but the entry: no sketch hash, no
/// sketch cache line.
///
/// # Examples
///
/// ```
/// use evict_wtinylfu::{Cache, Put, WTinyLfuCache};
///
/// let mut cache = WTinyLfuCache::new(100); // window 1, probation 20, protected 79
/// for k in 0..100 {
///     assert_eq!(cache.put(k, k), Put::Inserted);
/// }
/// // Key 0 is popular: read it a few times.
/// for _ in 0..3 {
///     assert_eq!(cache.get(&0), Some(&0));
/// }
/// // A scan of one-hit wonders passes through the window without displacing it.
/// for k in 1000..1200 {
///     assert!(cache.put(k, k).is_kept());
/// }
/// assert_eq!(cache.get(&0), Some(&0));
/// ```
#[derive(Clone)]
pub struct WTinyLfuCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live; `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// The three LRU lists, indexed by [`Segment`].
    lists: [List; 3],
    capacity: u32,
    /// The window's share of the capacity.
    max_window: u32,
    /// The protected segment's share of the main space.
    max_protected: u32,
    sketch: FrequencySketch,
    /// The sketch hash of the key of the last operation, if it was a `get` miss: a `put` of
    /// that key does not record it again.
    missed: Option<u64>,
    /// The last victim's estimate, `(slot, sketch block, estimate)`, kept while nothing
    /// could have changed it (slot `NIL`: none). Evictions that refuse the candidate keep
    /// the same victim, so this saves one sketch lookup (a cache miss in large caches).
    victim_estimate: (u32, usize, u8),
    /// The hill climber of the adaptive variant.
    climber: Option<Climber>,
    hasher: S,
    stats: Stats,
}

/// The window and protected sizes Caffeine's simulator gives a capacity:
/// `main = floor(0.99 × capacity)`, `window = capacity - main`,
/// `protected = floor(0.8 × main)`.
fn sizes(capacity: u32) -> (u32, u32) {
    let main = (f64::from(capacity) * PERCENT_MAIN) as u32;
    let protected = (f64::from(main) * PERCENT_PROTECTED) as u32;
    (capacity - main, protected)
}

impl<K, V> WTinyLfuCache<K, V> {
    /// An empty cache of at most `capacity` entries (clamped to [`MAX_CAPACITY`]), with a
    /// window of 1% of the capacity (at least one entry), and a main space of 99% split into
    /// 80% protected and 20% probation. Capacity 0 caches nothing.
    ///
    /// Entries are allocated as they arrive; the sketch (8 bytes per entry of capacity,
    /// rounded up to a power of two) on the first access.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, Put, WTinyLfuCache};
    ///
    /// let mut none: WTinyLfuCache<u8, u8> = WTinyLfuCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }

    /// Like [`new`](Self::new), but the window size adapts: Caffeine's hill climber
    /// samples the hit ratio every `10 × capacity` lookups once the cache is full and
    /// moves capacity between the window and the protected segment in whichever direction
    /// last improved it (see the crate docs).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::adaptive(1000);
    /// assert_eq!(cache.window_capacity(), 10);
    /// for i in 0..100_000u64 {
    ///     let k = i % 1500; // a loop larger than the cache: recency is useless here
    ///     if cache.get(&k).is_none() {
    ///         let _ = cache.put(k, ());
    ///     }
    /// }
    /// assert!(cache.window_capacity() <= 1000);
    /// ```
    pub fn adaptive(capacity: usize) -> Self {
        Self::adaptive_with_hasher(capacity, DefaultHashBuilder::default())
    }

    /// An adaptive cache with its own climber settings: a sample of `sample` lookups and a
    /// step of `step_percent` of the capacity (Caffeine: `10 × capacity` and `0.0625`).
    /// For tests, which need the window to move in small caches and short runs.
    #[doc(hidden)]
    pub fn adaptive_tuned(capacity: usize, sample: u64, step_percent: f64) -> Self {
        let mut cache = Self::new(capacity);
        cache.climber = Some(Climber::tuned(sample, step_percent, cache.capacity));
        cache
    }
}

impl<K, V, S> WTinyLfuCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher` (for the
    /// hash table only; the sketch's hash is fixed).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, DefaultHashBuilder, WTinyLfuCache};
    ///
    /// let cache: WTinyLfuCache<u64, u64> =
    ///     WTinyLfuCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let (max_window, max_protected) = sizes(capacity);
        Self {
            nodes: Vec::new(),
            table: SlotIndex::new(),
            lists: [EMPTY; 3],
            capacity,
            max_window,
            max_protected,
            sketch: FrequencySketch::new(capacity as usize),
            missed: None,
            victim_estimate: (NIL, 0, 0),
            climber: None,
            hasher,
            stats: Stats::default(),
        }
    }

    /// [`adaptive`](WTinyLfuCache::adaptive) with a given hasher.
    ///
    /// ```
    /// use evict_wtinylfu::{DefaultHashBuilder, WTinyLfuCache};
    ///
    /// let cache: WTinyLfuCache<u64, u64> =
    ///     WTinyLfuCache::adaptive_with_hasher(100, DefaultHashBuilder::default());
    /// assert!(cache.is_adaptive());
    /// ```
    pub fn adaptive_with_hasher(capacity: usize, hasher: S) -> Self {
        let mut cache = Self::with_hasher(capacity, hasher);
        cache.climber = Some(Climber::new(cache.capacity));
        cache
    }

    /// Whether the window size adapts (made by [`adaptive`](WTinyLfuCache::adaptive)).
    pub fn is_adaptive(&self) -> bool {
        self.climber.is_some()
    }

    /// The number of entries the admission window holds at most (1% of the capacity, at
    /// least 1, unless the cache is adaptive).
    ///
    /// ```
    /// use evict_wtinylfu::WTinyLfuCache;
    ///
    /// assert_eq!(WTinyLfuCache::<u8, u8>::new(50).window_capacity(), 1);
    /// assert_eq!(WTinyLfuCache::<u8, u8>::new(1000).window_capacity(), 10);
    /// ```
    pub fn window_capacity(&self) -> usize {
        self.max_window as usize
    }

    /// The number of entries the protected segment holds at most (80% of the main space).
    ///
    /// ```
    /// use evict_wtinylfu::WTinyLfuCache;
    ///
    /// assert_eq!(WTinyLfuCache::<u8, u8>::new(1000).protected_capacity(), 792);
    /// ```
    pub fn protected_capacity(&self) -> usize {
        self.max_protected as usize
    }

    /// Bytes of heap memory the cache holds now: entry slots, hash table and sketch.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(1000);
    /// assert_eq!(cache.heap_bytes(), 0); // nothing allocated before use
    /// for k in 0..2000u64 {
    ///     let _ = cache.put(k, k);
    /// }
    /// assert!(cache.heap_bytes() <= 1000 * 48);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * core::mem::size_of::<Node<K, V>>()
            + self.table.allocation_size()
            + self.sketch.heap_bytes()
    }

    /// The frequency sketch (read-only), e.g. to see how often a key was seen lately:
    /// `cache.sketch().frequency(FrequencySketch::hash(&key))` (for an entry of the main
    /// space, minus the hits it has not passed on yet: see "What counts as an access").
    ///
    /// ```
    /// use evict_wtinylfu::sketch::FrequencySketch;
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// let _ = cache.get(&"k"); // a miss is an access too
    /// let _ = cache.put("k", 1); // ... and this is the same access
    /// let _ = cache.get(&"k");
    /// assert_eq!(cache.sketch().frequency(FrequencySketch::hash(&"k")), 2);
    /// ```
    pub fn sketch(&self) -> &FrequencySketch {
        &self.sketch
    }

    /// Iterates over the entries without counting or changing anything: the window from
    /// most to least recently used, then probation, then protected (each MRU first).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 0..3 {
    ///     let _ = cache.put(k, ());
    /// }
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [2, 1, 0]); // window 1 entry, the rest went to probation
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            nodes: &self.nodes,
            lists: self.lists,
            list: 0,
            at: self.lists[0].head,
            left: self.nodes.len(),
        }
    }

    /// The number of entries in the window, on probation and protected, in that order.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 0..3 {
    ///     let _ = cache.put(k, ());
    /// }
    /// let _ = cache.get(&0); // a hit on probation only marks the entry ...
    /// assert_eq!(cache.segment_lens(), (1, 2, 0));
    /// for k in 3..10 {
    ///     let _ = cache.put(k, ());
    /// }
    /// let _ = cache.put(10, ()); // ... which is promoted when it would be the victim
    /// assert_eq!(cache.segment_lens(), (1, 8, 1));
    /// ```
    pub fn segment_lens(&self) -> (usize, usize, usize) {
        let [w, p, q] = self.lists.map(|l| l.len as usize);
        (w, p, q)
    }

    #[inline]
    fn list(&mut self, seg: Segment) -> &mut List {
        &mut self.lists[seg as usize]
    }

    /// Detaches slot `i` from its list.
    #[inline]
    fn unlink(&mut self, i: u32) {
        let node = &self.nodes[i as usize];
        let (prev, next, seg) = (node.prev(), node.next(), node.segment());
        match prev {
            NIL => self.list(seg).head = next,
            p => self.nodes[p as usize].set_next(next),
        }
        match next {
            NIL => self.list(seg).tail = prev,
            n => self.nodes[n as usize].set_prev(prev),
        }
        self.list(seg).len -= 1;
    }

    /// Links detached slot `i` in as the most recently used entry of `seg`.
    #[inline]
    fn push_front(&mut self, seg: Segment, i: u32) {
        let old_head = self.lists[seg as usize].head;
        {
            let node = &mut self.nodes[i as usize];
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | NIL;
            node.next_hits = old_head;
        }
        match old_head {
            NIL => self.list(seg).tail = i,
            h => self.nodes[h as usize].set_prev(i),
        }
        let list = self.list(seg);
        list.head = i;
        list.len += 1;
    }

    /// Links detached slot `i` in as the least recently used entry of `seg`.
    fn push_back(&mut self, seg: Segment, i: u32) {
        let old_tail = self.lists[seg as usize].tail;
        {
            let node = &mut self.nodes[i as usize];
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | old_tail;
            node.next_hits = NIL;
        }
        match old_tail {
            NIL => self.list(seg).head = i,
            t => self.nodes[t as usize].set_next(i),
        }
        let list = self.list(seg);
        list.tail = i;
        list.len += 1;
    }

    /// Moves slot `i` to the MRU end of `seg` (from wherever it is).
    #[inline]
    fn move_to_front(&mut self, seg: Segment, i: u32) {
        let list = self.lists[seg as usize];
        if list.head == i && self.nodes[i as usize].segment() == seg {
            return;
        }
        self.unlink(i);
        self.push_front(seg, i);
    }

    /// Checks that the lists, the slots, the table and the segment bounds agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.nodes.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        assert!(self.max_window <= self.capacity);
        assert!(self.max_protected <= self.capacity - self.max_window);
        let mut seen = 0;
        for seg in Segment::ALL {
            let list = self.lists[seg as usize];
            let mut count = 0;
            let mut prev = NIL;
            let mut at = list.head;
            while at != NIL {
                let node = &self.nodes[at as usize];
                assert_eq!(node.segment(), seg, "slot {at} on the wrong list");
                assert!(
                    seg != Segment::Window || !node.referenced(),
                    "window slot {at} holds unrecorded hits"
                );
                assert_eq!(node.prev(), prev, "broken prev link at slot {at}");
                let hash = self.hasher.hash_one(&node.key);
                assert_eq!(
                    self.table.find(hash, |i| i == at),
                    Some(at),
                    "slot {at} not reachable from the table"
                );
                count += 1;
                assert!(count <= n, "cycle in list {seg:?}");
                prev = at;
                at = node.next();
            }
            assert_eq!(list.tail, prev, "tail of {seg:?} is not its last node");
            assert_eq!(list.len as usize, count, "len of {seg:?}");
            seen += count;
        }
        assert_eq!(seen, n, "lists do not cover every slot");
        let [window, probation, protected] = self.lists.map(|l| l.len);
        assert!(
            window <= self.max_window,
            "window {window} > {}",
            self.max_window
        );
        assert!(protected <= self.max_protected, "protected overflows");
        assert!(
            probation + protected <= self.capacity - self.max_window,
            "main space overflows"
        );
        if let Some(climber) = &self.climber {
            climber.check(self.capacity, self.max_window, self.max_protected);
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> WTinyLfuCache<K, V, S> {
    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let nodes = &self.nodes;
        self.table.find(hash, |i| nodes[i as usize].key == *key)
    }

    /// What a hit (a `get` hit or a `put` of a cached key) does to slot `i`: a window
    /// entry is recorded in the sketch and goes to the window's front; a main-space entry
    /// counts the hit in its own spare bits and the sketch counts an addition (no hashing,
    /// no sketch counters, no list work). [`record_hits`](Self::record_hits) adds the
    /// entry's count to its sketch counters when the entry is next looked at.
    #[inline]
    fn on_hit(&mut self, i: u32) {
        let node = &mut self.nodes[i as usize];
        if node.segment() == Segment::Window {
            self.window_hit(i);
        } else {
            // Saturates at 15 (a counter can take no more); the addition is counted now,
            // so that the sketch halves on schedule.
            // Branch-free: whether an entry is saturated is hard to predict.
            let below_max = node.next_hits < MAX_HITS;
            node.next_hits += u32::from(below_max) * ONE_HIT;
            if self.sketch.count_addition(u8::from(below_max)) {
                self.halve_hits();
            }
        }
    }

    /// A hit in the window (rare: it is 1% of the cache): recorded, and to the window's MRU
    /// end.
    #[inline(never)]
    fn window_hit(&mut self, i: u32) {
        let hash = FrequencySketch::hash(&self.nodes[i as usize].key);
        self.record(hash);
        self.move_to_front(Segment::Window, i);
    }

    /// Records one access of the key with sketch hash `hash`.
    #[inline]
    fn record(&mut self, hash: u64) {
        self.forget_victim_estimate_in(hash);
        let resets = self.sketch.resets();
        self.sketch.increment(hash);
        if self.sketch.resets() != resets {
            self.halve_hits();
        }
    }

    /// Halves every entry's unrecorded hits, as the sketch has just halved its counters
    /// (O(entries), as the halving of the sketch is O(capacity)).
    #[cold]
    #[inline(never)]
    fn halve_hits(&mut self) {
        self.victim_estimate.0 = NIL;
        for node in &mut self.nodes {
            let hits = node.next_hits >> INDEX_BITS;
            node.next_hits = (node.next_hits & INDEX_MASK) | ((hits >> 1) << INDEX_BITS);
        }
    }

    /// Adds slot `i`'s unrecorded hits to its sketch counters and clears them (and so its
    /// reference bit).
    fn record_hits(&mut self, i: u32) {
        let node = &mut self.nodes[i as usize];
        let hits = node.hits();
        if hits != 0 {
            node.next_hits &= INDEX_MASK;
            let hash = FrequencySketch::hash(&node.key);
            self.sketch.add_counted(hash, hits);
            self.forget_victim_estimate_in(hash);
        }
    }

    /// Drops the kept victim estimate if the sketch counters of `hash` share its block.
    #[inline]
    fn forget_victim_estimate_in(&mut self, hash: u64) {
        if self.sketch.block(hash) == self.victim_estimate.1 {
            self.victim_estimate.0 = NIL;
        }
    }

    /// The sketch's estimate for the victim in slot `v`, kept for the next eviction.
    #[inline]
    fn victim_frequency(&mut self, v: u32) -> u8 {
        if self.victim_estimate.0 == v {
            return self.victim_estimate.2;
        }
        let hash = FrequencySketch::hash(&self.nodes[v as usize].key);
        let estimate = self.sketch.frequency(hash);
        self.victim_estimate = (v, self.sketch.block(hash), estimate);
        estimate
    }

    /// While protected holds more than its share, takes its LRU entry: a referenced one has
    /// its hits recorded and gets a second chance at protected's MRU end, an unreferenced
    /// one is demoted to probation's MRU end (CLOCK).
    fn demote_protected_overflow(&mut self) {
        while self.lists[Segment::Protected as usize].len > self.max_protected {
            let d = self.lists[Segment::Protected as usize].tail;
            if self.nodes[d as usize].referenced() {
                self.record_hits(d);
                self.unlink(d);
                self.push_front(Segment::Protected, d);
            } else {
                self.move_to_front(Segment::Probation, d);
            }
        }
    }

    /// The victim: probation's LRU entry once the referenced entries at its LRU end have
    /// been promoted (each has its hits recorded and goes to protected's MRU end, demoting
    /// protected's overflow); `NIL` if probation ends up empty.
    #[inline]
    fn victim(&mut self) -> u32 {
        loop {
            let v = self.lists[Segment::Probation as usize].tail;
            if v == NIL || !self.nodes[v as usize].referenced() {
                return v;
            }
            self.record_hits(v);
            self.move_to_front(Segment::Protected, v);
            self.demote_protected_overflow();
        }
    }

    /// A `get` miss (out of line: the hit path stays small).
    #[inline(never)]
    fn get_miss(&mut self, key: &K) {
        self.stats.miss();
        if self.capacity == 0 {
            return;
        }
        let sketch_hash = FrequencySketch::hash(key);
        self.record(sketch_hash);
        self.missed = Some(sketch_hash);
        if self.climber.is_some() {
            self.climb(false);
        }
    }

    /// Drops slot `i`'s table entry (the slot itself stays).
    fn unindex(&mut self, i: u32) {
        let hash = self.hasher.hash_one(&self.nodes[i as usize].key);
        self.table.remove(hash, i);
    }

    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), TABLE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`).
    #[cold]
    fn settle_table(&mut self) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.settle(nodes.len(), TABLE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// The sketch's estimate for the key in slot `i`.
    #[inline(always)]
    fn frequency_of(&self, i: u32) -> u8 {
        self.sketch
            .frequency(FrequencySketch::hash(&self.nodes[i as usize].key))
    }

    /// Puts `key`/`value` in slot `i` (whose entry has been unlinked and unindexed) and
    /// returns the entry that was there.
    fn refill(&mut self, i: u32, hash: u64, key: K, value: V) -> (K, V) {
        if self.victim_estimate.0 == i {
            self.victim_estimate.0 = NIL;
        }
        let node = &mut self.nodes[i as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        self.index(hash, i);
        (old_key, old_value)
    }

    /// Takes slot `i` out: its list links, its table entry, and its place in the dense
    /// `Vec` (filled by the last slot, whose links and table entry are repointed).
    fn remove_slot(&mut self, i: u32) -> (K, V) {
        // Slots get renumbered.
        self.victim_estimate.0 = NIL;
        self.unlink(i);
        self.unindex(i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            let moved = &self.nodes[i as usize];
            let (prev, next, seg) = (moved.prev(), moved.next(), moved.segment());
            match prev {
                NIL => self.list(seg).head = i,
                p => self.nodes[p as usize].set_next(i),
            }
            match next {
                NIL => self.list(seg).tail = i,
                n => self.nodes[n as usize].set_prev(i),
            }
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }

    /// Inserts a new key (already recorded in the sketch) and evicts at most one entry.
    fn insert(&mut self, hash: u64, sketch_hash: u64, key: K, value: V) -> Put<K, V> {
        let n = self.nodes.len();
        let window = self.lists[Segment::Window as usize];
        let overflow = window.len + 1 > self.max_window;
        if n < self.capacity as usize {
            // Room: the newcomer enters the window; an overflowing window hands its LRU
            // entry to probation without a contest.
            let i = n as u32;
            if n == self.nodes.capacity() {
                // Geometric growth, never past the capacity.
                let room = self.capacity as usize - n;
                self.nodes.reserve_exact(n.max(4).min(room));
            }
            self.nodes.push(Node {
                key,
                value,
                prev_seg: NIL,
                next_hits: NIL,
            });
            self.index(hash, i);
            if self.nodes.len() == self.capacity as usize {
                self.settle_table();
            }
            self.push_front(Segment::Window, i);
            let words = self.sketch.words();
            self.sketch.ensure_capacity(n + 1);
            if self.sketch.words() != words {
                self.victim_estimate.0 = NIL; // the blocks moved
            }
            if overflow {
                let candidate = self.lists[Segment::Window as usize].tail;
                self.move_to_front(Segment::Probation, candidate);
            }
            return Put::Inserted;
        }
        // Full: one entry leaves. The candidate is the window's LRU entry once the newcomer
        // is in: the newcomer itself when the window is empty.
        let victim = self.victim();
        if window.len == 0 {
            // The newcomer is the candidate; with an empty probation it would be its own
            // victim (refused).
            if victim == NIL || self.sketch.frequency(sketch_hash) <= self.victim_frequency(victim)
            {
                return Put::Rejected(key, value);
            }
            let v = victim;
            self.unlink(v);
            self.unindex(v);
            let old = self.refill(v, hash, key, value);
            // The admitted candidate went from the window to probation's MRU end.
            self.push_front(Segment::Probation, v);
            return Put::Evicted(old.0, old.1);
        }
        let candidate = window.tail;
        let admit = victim != NIL && self.frequency_of(candidate) > self.victim_frequency(victim);
        let out = if admit {
            // The victim leaves; the candidate moves to probation's MRU end.
            self.move_to_front(Segment::Probation, candidate);
            victim
        } else {
            candidate
        };
        self.unlink(out);
        self.unindex(out);
        let old = self.refill(out, hash, key, value);
        self.push_front(Segment::Window, out);
        Put::Evicted(old.0, old.1)
    }
}

impl<K, V, S> Cache<K, V> for WTinyLfuCache<K, V, S>
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
                self.missed = None;
                self.on_hit(i);
                if self.climber.is_some() {
                    self.climb(true);
                }
                Some(&self.nodes[i as usize].value)
            }
            None => {
                self.get_miss(key);
                None
            }
        }
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let missed = self.missed.take();
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            // A hit: the key cannot be the one whose `get` just missed.
            self.on_hit(i);
            let old = core::mem::replace(&mut self.nodes[i as usize].value, value);
            return Put::Replaced(old);
        }
        let sketch_hash = FrequencySketch::hash(&key);
        if missed != Some(sketch_hash) {
            self.record(sketch_hash);
        }
        self.insert(hash, sketch_hash, key, value)
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        self.missed = None;
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        self.record_hits(i);
        Some(self.remove_slot(i).1)
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

    /// Drops every entry, gives the memory back (entries, table and sketch), forgets all
    /// frequencies, resets the counters and, for an adaptive cache, the window size.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.lists = [EMPTY; 3];
        self.sketch.clear();
        self.missed = None;
        self.victim_estimate.0 = NIL;
        let (max_window, max_protected) = sizes(self.capacity);
        self.max_window = max_window;
        self.max_protected = max_protected;
        if let Some(climber) = &mut self.climber {
            *climber = Climber::tuned(climber.sample, climber.step_percent, self.capacity);
        }
        self.stats.reset();
    }
}

/// Caffeine's hill climber (the library's, `BoundedLocalCache.climb`): every
/// `sample` lookups made while the cache is full, compare the hit ratio with the previous
/// sample's; keep stepping the window in the same direction if it did not get worse, else
/// turn round. The step starts at 6.25% of the capacity, decays by 2% per sample, and
/// restarts at 6.25% when the hit ratio moves by 5 points or more.
#[derive(Clone, Debug)]
struct Climber {
    hits: u64,
    misses: u64,
    /// Lookups per sample.
    sample: u64,
    /// The initial (and restart) step, as a share of the capacity.
    step_percent: f64,
    previous_hit_ratio: f64,
    /// Signed: positive grows the window.
    step: f64,
}

const STEP_PERCENT: f64 = 0.0625;
const STEP_DECAY: f64 = 0.98;
const RESTART_THRESHOLD: f64 = 0.05;

impl Climber {
    fn new(capacity: u32) -> Self {
        Self::tuned(10 * u64::from(capacity.max(1)), STEP_PERCENT, capacity)
    }

    fn tuned(sample: u64, step_percent: f64, capacity: u32) -> Self {
        Self {
            hits: 0,
            misses: 0,
            sample: sample.max(1),
            step_percent,
            previous_hit_ratio: 0.0,
            // Caffeine starts by shrinking the window.
            step: -step_percent * f64::from(capacity),
        }
    }

    /// Counts a lookup; returns the adjustment (entries, signed) when a sample completes.
    fn record(&mut self, hit: bool, capacity: u32) -> i64 {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        let requests = self.hits + self.misses;
        if requests < self.sample {
            return 0;
        }
        let hit_ratio = self.hits as f64 / requests as f64;
        let change = hit_ratio - self.previous_hit_ratio;
        let amount = if change >= 0.0 { self.step } else { -self.step };
        let restart = if change >= 0.0 { change } else { -change } >= RESTART_THRESHOLD;
        self.step = if restart {
            let size = self.step_percent * f64::from(capacity);
            if amount >= 0.0 { size } else { -size }
        } else {
            STEP_DECAY * amount
        };
        self.previous_hit_ratio = hit_ratio;
        self.hits = 0;
        self.misses = 0;
        amount as i64
    }

    fn check(&self, _capacity: u32, _max_window: u32, _max_protected: u32) {
        assert!(self.hits + self.misses < self.sample);
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> WTinyLfuCache<K, V, S> {
    /// The adaptive variant's step after a lookup.
    #[inline(never)]
    fn climb(&mut self, hit: bool) {
        let Some(climber) = &mut self.climber else {
            return;
        };
        // As Caffeine: only lookups made while the cache is full are sampled.
        if self.nodes.len() < self.capacity as usize {
            return;
        }
        let amount = climber.record(hit, self.capacity);
        if amount > 0 {
            self.grow_window(amount.unsigned_abs());
        } else if amount < 0 {
            self.shrink_window(amount.unsigned_abs());
        }
    }

    /// Moves up to `amount` entries of capacity from protected to the window; the window's
    /// new room is filled from the LRU ends of probation (then protected).
    fn grow_window(&mut self, amount: u64) {
        let steps = amount.min(u64::from(self.max_protected)) as u32;
        self.max_window += steps;
        self.max_protected -= steps;
        self.demote_protected_overflow();
        // Main must give back what the window took, LRU first.
        let max_main = self.capacity - self.max_window;
        while self.lists[1].len + self.lists[2].len > max_main {
            let from = if self.lists[1].len > 0 { 1 } else { 2 };
            let i = self.lists[from].tail;
            // Into the window, hits recorded.
            self.record_hits(i);
            self.move_to_front(Segment::Window, i);
        }
    }

    /// Moves up to `amount` entries of capacity from the window to protected; the window's
    /// LRU entries that no longer fit go to probation's LRU end (next in line for eviction),
    /// as in Caffeine's simulator.
    fn shrink_window(&mut self, amount: u64) {
        let steps = amount.min(u64::from(self.max_window)) as u32;
        self.max_window -= steps;
        self.max_protected += steps;
        while self.lists[0].len > self.max_window {
            let i = self.lists[0].tail;
            self.unlink(i);
            self.push_back(Segment::Probation, i);
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for WTinyLfuCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("WTinyLfuCache")
            .field("capacity", &self.capacity)
            .field("max_window", &self.max_window)
            .field("max_protected", &self.max_protected)
            .field("adaptive", &self.climber.is_some())
            .field("window_probation_protected", &Entries(self.iter()))
            .field("stats", &self.stats)
            .finish()
    }
}

/// Iterator over a [`WTinyLfuCache`]'s entries: window, probation, protected, each most
/// recently used first. See [`WTinyLfuCache::iter`].
#[derive(Debug)]
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    lists: [List; 3],
    list: usize,
    at: u32,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        while self.at == NIL {
            self.list += 1;
            if self.list >= 3 {
                return None;
            }
            self.at = self.lists[self.list].head;
        }
        let node = &self.nodes[self.at as usize];
        self.at = node.next();
        self.left -= 1;
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Node<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?} ({:?})", self.key, self.value, self.segment())
    }
}

#[cfg(test)]
mod tests;
