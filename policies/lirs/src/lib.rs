#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;
#[cfg(test)]
extern crate std;

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::Slab;
use evict_slots::slab::{Span, Walk};
use evict_slots::weight::{Unweighted, Weighing, Weighted};

mod ghosts;
mod links;
mod policy;
#[cfg(test)]
mod tests;

use ghosts::Ghosts;
use links::{EMPTY_LISTS, HIR, LIR, Node, S_NIL};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity a `LirsCache` accepts, `2^30 - 2`: the stack S names its entries by
/// 32-bit ids, the top bit telling a non-resident entry (up to `2 · capacity` of them) from
/// a slot. Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = evict_slots::max_capacity(30);

/// The share of the capacity kept for resident HIR entries: 1%, at least one entry
/// (libCacheSim's `hirs_ratio`; the paper evaluates 1%).
pub const HIR_SHARE: f64 = 0.01;

/// A LIRS cache (Jiang and Zhang, SIGMETRICS 2002): entries whose last two accesses are
/// close (low inter-reference recency, LIR) hold 99% of the capacity; the rest (HIR) is a
/// small FIFO-like queue through which new and rarely reused keys pass. A recency stack S,
/// which also remembers recently evicted keys (non-resident HIR entries), decides when an
/// HIR entry has earned LIR status: when it is accessed again while still in S, that is,
/// more recently than the least recent LIR entry.
///
/// See the [crate docs](crate) for the exact rules, costs and memory.
///
/// **Iteration order** ([`iter`](Self::iter), [`Cache::entries`], `for (k, v) in &cache`,
/// [`drain`](Self::drain), ...): the resident HIR entries from the oldest in the queue (the
/// next victim) to the newest, then the LIR entries from the least to the most recently
/// used. Every iterator is double-ended. Iterating counts nothing and changes nothing;
/// `iter_mut`, `drain` and `into_iter` first lay the slots out in that order (O(len),
/// nothing hashed or allocated).
///
/// A `get` miss changes nothing: the stack is consulted (and a non-resident entry found) by
/// the `put` of a new key. [`remove`](Self::remove) of a cached key takes it out of the
/// stack too (no non-resident entry is left); of a key not cached, it forgets the key's
/// non-resident entry. [`pop`](Cache::pop) evicts what a `put` of a new key into the full
/// cache would (the oldest resident HIR entry), or, with no HIR entry, the least recently
/// used LIR entry. [`resize`](Cache::resize) pops until the cache fits, then recomputes the
/// HIR share and demotes the least recent LIR entries to HIR until the LIR set fits.
/// `drain` keeps the statistics and forgets the stack; `clear` forgets everything.
///
/// ```
/// use evict_lirs::{Cache, LirsCache, Put};
///
/// let mut cache = LirsCache::new(3); // one HIR entry, two LIR entries
/// for k in 1..=3 {
///     let _ = cache.put(k, k * 10);
/// }
/// // 1 and 2 took the LIR set as the cache filled; 3 is HIR, the next victim.
/// assert_eq!(cache.keys().collect::<Vec<_>>(), [&3, &1, &2]);
/// assert_eq!(cache.put(4, 40), Put::Evicted(3, 30));
/// // 3 is still in the stack (non-resident): back soon, it becomes LIR, and the least
/// // recently used LIR entry, 1, becomes HIR.
/// assert_eq!(cache.put(3, 30), Put::Evicted(4, 40));
/// assert_eq!(cache.keys().collect::<Vec<_>>(), [&1, &2, &3]);
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=0, misses=0, maxsize=3, currsize=3)");
/// ```
#[derive(Clone)]
pub struct LirsCache<K, V, S = DefaultHashBuilder, W: Weighing = Unweighted> {
    /// The resident entries with their list and stack links, the key index and the hasher.
    slab: Slab<K, Node<V>, S, W>,
    /// The resident HIR queue Q and the LIR list, each oldest first.
    lists: [Span; 2],
    /// The stack S: its top (most recent) and bottom ids and its length, ghosts included.
    top: u32,
    bottom: u32,
    stack_len: u32,
    /// The non-resident HIR entries (all of them in S).
    ghosts: Ghosts,
    capacity: u32,
    /// The HIR share: `max(1, ⌊0.01 · capacity⌋)` (0 at capacity 0).
    hir_target: u32,
    /// `capacity - hir_target`: the most LIR entries.
    lir_target: u32,
    stats: Stats,
}

/// `(hir_target, lir_target)` for `capacity`, computed as libCacheSim does (a product in
/// double precision, truncated).
fn targets(capacity: u32) -> (u32, u32) {
    if capacity == 0 {
        return (0, 0);
    }
    let hir = ((HIR_SHARE * f64::from(capacity)) as u32).max(1);
    (hir, capacity - hir)
}

/// An empty ghost store for `capacity`: usually at most `capacity + hir_target + 1`
/// non-resident entries (a full cache's S of at most `2 · capacity` entries holds every one
/// of its `capacity - hir_target` LIR entries; one more while a `put` runs), never more than
/// `2 · capacity`.
fn ghosts_for(capacity: u32) -> Ghosts {
    let (hir, _) = targets(capacity);
    let bound = 2 * capacity as usize;
    Ghosts::new((capacity + hir + 1).min(2 * capacity) as usize, bound)
}

impl<K, V> LirsCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// `max(1, ⌊capacity / 100⌋)` of them HIR. Capacity 0 caches nothing.
    ///
    /// Memory is allocated as entries and non-resident entries arrive.
    ///
    /// ```
    /// use evict_lirs::{Cache, LirsCache, Put};
    ///
    /// let mut none: LirsCache<u8, u8> = LirsCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> LirsCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// Non-resident entries are remembered by their key's 64-bit hash under this hasher
    /// (see the crate docs), so a seeded hasher (the default) may, very rarely, make runs
    /// differ; pass a fixed one for reproducible runs.
    ///
    /// ```
    /// use evict_lirs::{Cache, DefaultHashBuilder, LirsCache};
    ///
    /// let cache: LirsCache<u64, u64> = LirsCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self::from_slab(capacity, Slab::with_hasher(hasher))
    }
}

impl<K, V, F> LirsCache<K, V, DefaultHashBuilder, Weighted<F>> {
    /// An empty cache bounded by weight: `weigher` gives each entry's weight (bytes,
    /// usually) and the entries' total stays at most `capacity`. See the crate docs'
    /// *Capacity by weight* for the rules and for how the policy's own sizes follow.
    ///
    /// ```
    /// use evict_lirs::{Cache, Put, LirsCache};
    ///
    /// let mut cache = LirsCache::with_weigher(100, |_: &u32, v: &Vec<u8>| v.len() as u64);
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

impl<K, V, S, F> LirsCache<K, V, S, Weighted<F>> {
    /// [`with_weigher`](Self::with_weigher) with the hasher `hasher`.
    pub fn with_weigher_and_hasher(capacity: u64, weigher: F, hasher: S) -> Self {
        let count = capacity.min(MAX_CAPACITY as u64) as usize;
        Self::from_slab(
            count,
            Slab::with_weigher(
                hasher,
                evict_slots::SPARE_FLOOR,
                Weighted(weigher),
                capacity,
            ),
        )
    }
}

impl<K, V, S, W: Weighing> LirsCache<K, V, S, W> {
    /// The empty cache of `capacity` entries over `slab` (empty): every constructor's body.
    fn from_slab(capacity: usize, slab: Slab<K, Node<V>, S, W>) -> Self {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let (hir_target, lir_target) = targets(capacity);
        Self {
            slab,
            lists: EMPTY_LISTS,
            top: S_NIL,
            bottom: S_NIL,
            stack_len: 0,
            ghosts: ghosts_for(capacity),
            capacity,
            hir_target,
            lir_target,
            stats: Stats::default(),
        }
    }

    /// The number of resident HIR entries, of LIR entries, and of non-resident entries in
    /// the stack. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_lirs::{Cache, LirsCache};
    ///
    /// let mut cache = LirsCache::new(3);
    /// for k in 0..5 {
    ///     let _ = cache.put(k, ());
    /// }
    /// // 0 and 1 are LIR; 2 and 3 came and left the HIR queue, but stay in the stack.
    /// assert_eq!(cache.sizes(), [1, 2, 2]);
    /// ```
    pub fn sizes(&self) -> [usize; 3] {
        [
            self.lists[HIR].len as usize,
            self.lists[LIR].len as usize,
            self.ghosts.len(),
        ]
    }

    /// The number of entries in the stack S, resident and not (at most `2 · capacity`).
    ///
    /// ```
    /// use evict_lirs::{Cache, LirsCache};
    ///
    /// let mut cache = LirsCache::new(3);
    /// for k in 0..5 {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.stack_len(), 5);
    /// ```
    pub fn stack_len(&self) -> usize {
        self.stack_len as usize
    }
}

evict_slots::slab_cache! {
    cache = LirsCache;
    weigher = W;
    item = Node<V>;
    iter = Walk<'a, K, Node<V>, 2>;
    order = "in the HIR queue from its oldest entry to its newest, then in the LIR set \
        from the least to the most recently used";
    example_order = [3, 1, 2];
    example_pops = [(3, 30), (1, 10)];
}
