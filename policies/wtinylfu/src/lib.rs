#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod cache;
mod climber;
mod node;
mod policy;
#[cfg(test)]
mod tests;

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::Slab;
/// The frequency sketch W-TinyLFU decides admission with (from `evict-slots`), to read it
/// through [`WTinyLfuCache::sketch`].
pub use evict_slots::sketch::FrequencySketch;
use evict_slots::slab::Walk;
use evict_slots::weight::{Unweighted, Weighing, Weighted};

use crate::climber::Climber;
use crate::node::{EMPTY, INDEX_BITS, List, NIL, Node};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. It only places keys in the hash table; the frequency sketch hashes with a fixed
/// seed of its own, so admission decisions do not depend on it.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity a `WTinyLfuCache` accepts, 2^28 - 2: slots are addressed by 28-bit
/// indices (the other bits of the links hold the entry's segment and its unrecorded hits,
/// which keeps an entry at its key, its value and 8 bytes). Larger requests are clamped.
pub const MAX_CAPACITY: usize = evict_slots::max_capacity(INDEX_BITS);

/// The spare index room kept at least, up to one bucket per entry (the parameter of the
/// toolkit's spare-room rule, `evict_slots::Slab::with_spare_floor`): 256 rather than the
/// toolkit's 4096, which keeps small caches' tables a quarter of the size, at the put-evict
/// speed measured with 4096 (callgrind, 1,000 entries: 613 instructions per put-evict with
/// no floor, 585 with 256).
const SPARE_FLOOR: usize = 256;

/// The share of the capacity given to the main space (Caffeine's simulator default,
/// `percent-main = 0.99`); the window gets the rest.
const PERCENT_MAIN: f64 = 0.99;
/// The share of the main space given to the protected segment.
const PERCENT_PROTECTED: f64 = 0.8;

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
/// Every `get`, hit or miss, and every `put` is recorded in the frequency sketch (window hits
/// aside, below), except a
/// `put` right after a `get` miss of the same key: "look up, then insert what was missing"
/// is one access, recorded once, as Caffeine's simulator records each trace access once.
/// `get_mut` is a `get`, `put_mut` a `put`, and `get_or_insert_with` a `get` followed, on a
/// miss, by a `put` (recorded once). `peek`, `peek_mut`, `contains`, `peek_victim` and the
/// iterators record nothing; `remove`, `pop` and `drain` record nothing and leave no trace
/// but the sketch's counts. A hit in the window is not recorded (unless an adaptive cache
/// has grown the window beyond its 1% share), and the window's candidate is recorded once
/// more, without counting towards the halving, as it leaves the window by admission (after
/// its contest with the victim, or to probation while the cache fills), as libCacheSim's
/// W-TinyLFU does (see the README, "Against libCacheSim").
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
/// # Order
///
/// The iterators ([`iter`](Self::iter), [`iter_mut`](Self::iter_mut), [`keys`](Self::keys),
/// [`values`](Self::values), [`values_mut`](Self::values_mut), [`drain`](Self::drain),
/// `into_iter`, and [`Cache::entries`]) list the window, then probation, then protected,
/// each from its most recently used end (a main-space hit marks an entry and does not move
/// it); all are double-ended. [`pop`](Cache::pop) removes the main space's victim as the
/// next eviction finds it (the victim search's promotions included, the admission contest
/// left out), else the window's least recently used entry, else protected's;
/// [`peek_victim`](Cache::peek_victim) shows it and changes nothing.
/// [`resize`](Cache::resize) pops until the entries fit, then sizes the window, protected
/// and the sketch for the new capacity as [`new`](Self::new) does, keeping the sketch's
/// counts.
///
/// `Extend` puts each pair (what a `put` evicts is dropped). There is no `FromIterator`: a
/// bounded cache needs a capacity, so build one with `new` and `extend` it.
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
pub struct WTinyLfuCache<K, V, S = DefaultHashBuilder, W: Weighing = Unweighted> {
    /// The entries with their list links, segments and unrecorded hits, the key index and
    /// the hasher (an `evict_slots::Slab`: dense, `remove` moves the last slot into the hole).
    slab: Slab<K, Node<V>, S, W>,
    /// The three LRU lists: window, probation, protected.
    lists: [List; 3],
    capacity: u32,
    /// The window's share of the capacity.
    max_window: u32,
    /// The protected segment's share of the main space.
    max_protected: u32,
    /// A weighted cache's segment sizes in weight, `[window, probation, protected]`, and
    /// the window's and protected's shares of the capacity in weight (see the crate docs'
    /// *Capacity by weight*); all 0 in an unweighted cache, whose sizes are counts.
    weights: [u64; 3],
    max_window_w: u64,
    max_protected_w: u64,
    sketch: FrequencySketch,
    /// The fewest words the sketch is sized for ([`MIN_SKETCH_WORDS`] unless set by
    /// [`with_sketch_floor`](WTinyLfuCache::with_sketch_floor)).
    sketch_floor: u32,
    /// The sketch's halving period: `10 ×` the capacity in entries (the entries held at the
    /// first fill by weight for a weighted cache).
    period: u64,
    /// Accesses recorded since the sketch last halved its counters: at `period` the sketch
    /// halves them, and this starts again from 0.
    accesses: u64,
    /// The sketch hash of the key of the last operation, if it was a `get` miss: a `put` of
    /// that key does not record it again.
    missed: Option<u64>,
    /// The last victim's estimate, `(slot, sketch block, estimate)`, kept while nothing
    /// could have changed it (slot `NIL`: none). Evictions that refuse the candidate keep
    /// the same victim, so this saves one sketch lookup (a cache miss in large caches).
    victim_estimate: (u32, usize, u8),
    /// The hill climber of the adaptive variant.
    climber: Option<Climber>,
    stats: Stats,
}

/// The window and protected sizes Caffeine's simulator gives a capacity:
/// `main = floor(0.99 × capacity)`, `window = capacity - main`,
/// `protected = floor(0.8 × main)`.
pub(crate) fn sizes_w(capacity: u64) -> (u64, u64) {
    let main = (capacity as f64 * PERCENT_MAIN) as u64;
    let protected = (main as f64 * PERCENT_PROTECTED) as u64;
    (capacity - main.min(capacity), protected)
}

/// The smallest sketch, in words: 1,024 (8 KiB), the sketch of a 1,024-entry cache. Below
/// that capacity one word (16 counters) per entry shares each counter among too many keys
/// when the workload has many more distinct keys than the cache holds (see the README,
/// "Against libCacheSim": `gli` at 5%).
pub(crate) const MIN_SKETCH_WORDS: usize = 1024;

/// The sketch's size argument (words, before rounding up to a power of two) for a cache of
/// `capacity` entries: one word per entry, at least `floor` ([`MIN_SKETCH_WORDS`] unless
/// set by [`WTinyLfuCache::with_sketch_floor`]). The halving period does not follow it
/// (see [`period`]).
pub(crate) fn sketch_width(capacity: usize, floor: u32) -> usize {
    capacity.max(floor as usize)
}

/// The sketch's halving period for a cache of `capacity` entries: `10 × capacity` recorded
/// accesses (at least 10), counted by the cache (`accesses`), not by the sketch.
pub(crate) fn period(capacity: usize) -> u64 {
    (capacity.max(1) as u64).saturating_mul(10)
}

/// [`sizes_w`] for a count.
pub(crate) fn sizes(capacity: u32) -> (u32, u32) {
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
    #[cfg(test)]
    pub(crate) fn adaptive_tuned(capacity: usize, sample: u64, step_percent: f64) -> Self {
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
        Self::from_slab(capacity, Slab::with_spare_floor(hasher, SPARE_FLOOR))
    }
}

impl<K, V, S> WTinyLfuCache<K, V, S> {
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
}

impl<K, V, F> WTinyLfuCache<K, V, DefaultHashBuilder, Weighted<F>> {
    /// An empty cache bounded by weight: `weigher` gives each entry's weight (bytes,
    /// usually) and the entries' total stays at most `capacity`. See the crate docs'
    /// *Capacity by weight* for the rules and for how the policy's own sizes follow.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, Put, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::with_weigher(100, |_: &u32, v: &Vec<u8>| v.len() as u64);
    /// for k in 0..10 {
    ///     assert!(cache.put(k, vec![0; 10]).is_kept());
    /// }
    /// let mut evicted = Vec::new();
    /// let _ = cache.put_into(10, vec![0; 30], &mut evicted);
    /// assert!(cache.weight() <= 100);
    /// assert_eq!(cache.put(11, vec![0; 101]), Put::Rejected(11, vec![0; 101]));
    /// ```
    pub fn with_weigher(capacity: u64, weigher: F) -> Self {
        Self::with_weigher_and_hasher(capacity, weigher, DefaultHashBuilder::default())
    }
}

impl<K, V, S, F> WTinyLfuCache<K, V, S, Weighted<F>> {
    /// [`with_weigher`](Self::with_weigher) with the hasher `hasher`.
    pub fn with_weigher_and_hasher(capacity: u64, weigher: F, hasher: S) -> Self {
        let count = capacity.min(MAX_CAPACITY as u64) as usize;
        Self::from_slab(
            count,
            Slab::with_weigher(hasher, SPARE_FLOOR, Weighted(weigher), capacity),
        )
    }
}

impl<K, V, S, W: Weighing> WTinyLfuCache<K, V, S, W> {
    /// The empty cache of `capacity` entries over `slab` (empty): every constructor's body.
    fn from_slab(capacity: usize, slab: Slab<K, Node<V>, S, W>) -> Self {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let (max_window, max_protected) = sizes(capacity);
        let (max_window_w, max_protected_w) = sizes_w(slab.budget());
        Self {
            slab,
            lists: [EMPTY; 3],
            capacity,
            max_window,
            max_protected,
            weights: [0; 3],
            max_window_w,
            max_protected_w,
            sketch: FrequencySketch::new(sketch_width(capacity as usize, MIN_SKETCH_WORDS as u32)),
            sketch_floor: MIN_SKETCH_WORDS as u32,
            period: period(capacity as usize),
            accesses: 0,
            missed: None,
            victim_estimate: (NIL, 0, 0),
            climber: None,
            stats: Stats::default(),
        }
    }

    /// The cache with a sketch sized for at least `words` words (rounded up to a power of
    /// two, at least 8) instead of the default 1,024: one word (16 counters, 8
    /// bytes) per entry of capacity, at least `words`, now and after every `resize`. For
    /// small caches that must be small in bytes: the 1,024-word floor is 8 KiB, 82 bytes
    /// per entry at 100 entries, and it is what keeps the cache within half a point of
    /// libCacheSim's W-TinyLFU on small caches (README, "Against libCacheSim"), so a lower
    /// floor costs hit ratio where the workload has many more keys than the cache holds.
    /// Meant right after construction; on a cache in use the sketch keeps what it counted
    /// (a narrower table folds its halves together, as `resize` does).
    ///
    /// ```
    /// use evict_wtinylfu::WTinyLfuCache;
    ///
    /// let cache: WTinyLfuCache<u64, u64> = WTinyLfuCache::new(100);
    /// assert_eq!(cache.sketch().words(), 1024);
    /// let small: WTinyLfuCache<u64, u64> = WTinyLfuCache::new(100).with_sketch_floor(0);
    /// assert_eq!(small.sketch().words(), 128); // one word per entry, rounded up
    /// ```
    pub fn with_sketch_floor(mut self, words: usize) -> Self {
        self.sketch_floor = words.min(u32::MAX as usize) as u32;
        let width = self.sketch_width(self.capacity as usize);
        self.sketch.resize(width);
        self.victim_estimate.0 = NIL;
        self
    }

    /// The sketch's size argument for `entries` entries ([`sketch_width`] with this
    /// cache's floor).
    pub(crate) fn sketch_width(&self, entries: usize) -> usize {
        sketch_width(entries, self.sketch_floor)
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
    ///
    /// For a weighted cache, the window's share of the capacity in weight.
    pub fn window_capacity(&self) -> usize {
        if W::UNIT {
            self.max_window as usize
        } else {
            usize::try_from(self.max_window_w).unwrap_or(usize::MAX)
        }
    }

    /// The number of entries the protected segment holds at most (80% of the main space).
    ///
    /// ```
    /// use evict_wtinylfu::WTinyLfuCache;
    ///
    /// assert_eq!(WTinyLfuCache::<u8, u8>::new(1000).protected_capacity(), 792);
    /// ```
    ///
    /// For a weighted cache, protected's share of the capacity in weight.
    pub fn protected_capacity(&self) -> usize {
        if W::UNIT {
            self.max_protected as usize
        } else {
            usize::try_from(self.max_protected_w).unwrap_or(usize::MAX)
        }
    }

    /// The total weight of the window, probation and protected (for an unweighted cache,
    /// their lengths, as [`segment_lens`](Self::segment_lens)).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::with_weigher(1000, |_: &u32, v: &Vec<u8>| v.len() as u64);
    /// let _ = cache.put(1, vec![0; 5]);
    /// let _ = cache.put(2, vec![0; 7]); // the window's share is 10: 1 moves to probation
    /// assert_eq!(cache.segment_weights(), (7, 5, 0));
    /// ```
    pub fn segment_weights(&self) -> (u64, u64, u64) {
        if W::UNIT {
            let (w, p, q) = self.segment_lens();
            return (w as u64, p as u64, q as u64);
        }
        (self.weights[0], self.weights[1], self.weights[2])
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
        self.slab.heap_bytes() + self.sketch.heap_bytes()
    }

    /// The frequency sketch (read-only), e.g. to see how often a key was seen lately:
    /// `cache.sketch().frequency(FrequencySketch::hash(&key))` (for an entry of the main
    /// space, minus the hits it has not passed on yet; hits in the window are not
    /// recorded: see "Accesses" in the crate docs). The cache halves it every
    /// `10 × capacity` recorded accesses, counted by the cache; the sketch's own
    /// `sample_size()` is not that period below 1,024 entries, where the sketch is wider
    /// than the capacity (see "The sketch" in the crate docs).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, FrequencySketch, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// let _ = cache.get(&"k"); // a miss is an access too
    /// let _ = cache.put("k", 1); // ... and this is the same access
    /// let _ = cache.get(&"k"); // a hit in the window: not recorded
    /// assert_eq!(cache.sketch().frequency(FrequencySketch::hash(&"k")), 1);
    /// let _ = cache.remove(&"k");
    /// let _ = cache.get(&"k"); // another miss
    /// assert_eq!(cache.sketch().frequency(FrequencySketch::hash(&"k")), 2);
    /// ```
    pub fn sketch(&self) -> &FrequencySketch {
        &self.sketch
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
}

evict_slots::slab_cache! {
    cache = WTinyLfuCache;
    weigher = W;
    item = Node<V>;
    iter = Walk<'a, K, Node<V>, 3>;
    order = "in the window, then probation, then protected, each from its most recently \
        used entry";
    example_order = [3, 2, 1];
    example_pops = [(1, 10), (2, 20)];
}
