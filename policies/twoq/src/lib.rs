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
use evict_slots::slab::Walk;
use evict_slots::weight::{Unweighted, Weighing, Weighted};

mod ghost;
mod lists;
mod policy;
#[cfg(test)]
mod tests;

use ghost::Ghost;
use lists::{A1IN, AM, Lists, Node};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity a `TwoQCache` accepts, `2^31 - 2` (the toolkit's limit): slots are
/// addressed by 31-bit indices (the 32nd bit of a link names the list), and `0x7FFF_FFFF`
/// marks the end of a list. Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = evict_slots::MAX_CAPACITY;

/// A 2Q cache (Johnson and Shasha, VLDB 1994, the "full version"): a new key enters `A1in`,
/// a FIFO, where hits change nothing; an entry that leaves `A1in` leaves its key in
/// `A1out`, a FIFO of ghost keys; a key requested again while a ghost enters `Am`, an LRU
/// list, where hits move it to the most recent end. A key read only in a short burst
/// passes through `A1in` and leaves; a key that comes back after a while earns a place in
/// `Am`. The sizes are libCacheSim's defaults (the paper's recommendations): `Kin =
/// ⌊capacity / 4⌋`, `Kout = ⌊capacity / 2⌋` ghosts.
///
/// See the [crate docs](crate) for the exact rules, costs and memory.
///
/// **What each operation does.** A hit ([`get`](Self::get), [`get_mut`](Self::get_mut), a
/// `get_or_insert_with` hit, a [`put`](Cache::put) of a cached key) on an `A1in` entry
/// changes nothing; on an `Am` entry it moves the entry to `Am`'s most recent end. A `put`
/// of a new key takes the key out of `A1out` if it is there (and then the entry goes to
/// `Am`, else to `A1in`); if the cache is full, exactly one entry leaves first, and is
/// returned: `A1in`'s oldest if `A1in` holds more than `Kin` entries (its key becomes the
/// newest ghost of `A1out`, which forgets its oldest if it holds `Kout`), else `Am`'s least
/// recently used (no ghost). [`remove`](Self::remove) of a cached key leaves no ghost; of a
/// key that is not cached, it forgets the key's ghost, as libCacheSim's `TwoQ_remove` does.
///
/// [`pop`](Cache::pop) evicts what a `put` of a new key into the full cache would (also
/// `A1in`'s oldest when `Am` is empty), and [`peek_victim`](Cache::peek_victim) shows it,
/// both O(1). [`resize`](Cache::resize) pops as `pop` does until the entries fit, then sets
/// the capacity and the sizes derived from it (`A1out` keeps its newest ghosts).
/// [`drain`](Self::drain) removes every entry, keeping `A1out` and the statistics;
/// [`clear`](Cache::clear) forgets everything, `A1out` included.
///
/// **Iteration order** ([`iter`](Self::iter), [`Cache::entries`], `for (k, v) in &cache`,
/// [`drain`](Self::drain), ...): `A1in` from its oldest entry to its newest, then `Am` from
/// its least to its most recently used entry. Every iterator is double-ended. Iterating
/// counts nothing and changes nothing; `iter_mut`, `drain` and `into_iter` first lay the
/// slots out in that order (O(len), nothing hashed or allocated).
///
/// Lookups take any borrowed form of the key (`&str` for `String` keys), as `HashMap`'s
/// do. `Extend` puts each pair, dropping what the puts evict; there is no `FromIterator`,
/// as an iterator says no capacity.
///
/// # Examples
///
/// ```
/// use evict_twoq::{Cache, Put, TwoQCache};
///
/// let mut cache = TwoQCache::new(4); // Kin = 1, Kout = 2
/// for k in 0..4 {
///     let _ = cache.put(k, k * 10);
/// }
/// assert_eq!(cache.get(&0), Some(&0)); // a hit in A1in changes nothing
/// // A1in holds 4 > Kin: its oldest leaves, and its key becomes a ghost.
/// assert_eq!(cache.put(4, 40), Put::Evicted(0, 0));
/// assert_eq!(cache.ghost_len(), 1);
/// // 0 comes back while a ghost: it enters Am.
/// assert_eq!(cache.put(0, 0), Put::Evicted(1, 10));
/// assert_eq!(cache.list_lens(), (3, 1));
/// assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [2, 3, 4, 0]);
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=4, currsize=4)");
/// ```
#[derive(Clone)]
pub struct TwoQCache<K, V, S = DefaultHashBuilder, W: Weighing = Unweighted> {
    /// The resident entries of `A1in` and `Am` with their links, the key index and the
    /// hasher (an `evict_slots::Slab`: dense, `remove` moves the last slot into the hole).
    slab: Slab<K, Node<V>, S, W>,
    /// `A1in` and `Am`.
    lists: Lists,
    /// `A1out`.
    ghost: Ghost,
    capacity: u32,
    /// `Kin`, `⌊capacity / 4⌋`: `A1in` gives up an entry on eviction when it holds more.
    kin: u32,
    stats: Stats,
}

impl<K, V> TwoQCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// with `Kin = ⌊capacity / 4⌋` and a ghost FIFO `A1out` of `⌊capacity / 2⌋` keys.
    /// Capacity 0 caches nothing.
    ///
    /// Slots are allocated as entries arrive; the ghost's memory is taken when the cache
    /// first fills.
    ///
    /// ```
    /// use evict_twoq::{Cache, Put, TwoQCache};
    ///
    /// let mut none: TwoQCache<u8, u8> = TwoQCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> TwoQCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// `A1out` keeps fingerprints of this hasher's hashes (see the crate docs), so a seeded
    /// hasher (the default) makes the rare false ghost hit differ from run to run; pass a
    /// fixed one for reproducible runs.
    ///
    /// ```
    /// use evict_twoq::{Cache, DefaultHashBuilder, TwoQCache};
    ///
    /// let cache: TwoQCache<u64, u64> = TwoQCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self::from_slab(capacity, Slab::with_hasher(hasher))
    }
}

impl<K, V, F> TwoQCache<K, V, DefaultHashBuilder, Weighted<F>> {
    /// An empty cache bounded by weight: `weigher` gives each entry's weight (bytes,
    /// usually) and the entries' total stays at most `capacity`. See the crate docs'
    /// *Capacity by weight* for the rules and for how the policy's own sizes follow.
    ///
    /// ```
    /// use evict_twoq::{Cache, Put, TwoQCache};
    ///
    /// let mut cache = TwoQCache::with_weigher(100, |_: &u32, v: &Vec<u8>| v.len() as u64);
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

impl<K, V, S, F> TwoQCache<K, V, S, Weighted<F>> {
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

impl<K, V, S, W: Weighing> TwoQCache<K, V, S, W> {
    /// The empty cache of `capacity` entries over `slab` (empty): every constructor's body.
    fn from_slab(capacity: usize, slab: Slab<K, Node<V>, S, W>) -> Self {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        Self {
            slab,
            lists: Lists::EMPTY,
            ghost: Ghost::new(ghost::ghost_capacity(capacity)),
            capacity,
            kin: capacity / 4,
            stats: Stats::default(),
        }
    }

    /// The number of entries in `A1in` (seen once, or only in a burst) and in `Am` (came
    /// back after leaving `A1in`). Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_twoq::{Cache, TwoQCache};
    ///
    /// let mut cache = TwoQCache::new(8);
    /// for k in 0..5 {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.list_lens(), (5, 0)); // every new key enters A1in
    /// ```
    pub fn list_lens(&self) -> (usize, usize) {
        (self.lists.len[A1IN] as usize, self.lists.len[AM] as usize)
    }

    /// The number of keys `A1out` remembers now (at most `⌊capacity / 2⌋`).
    ///
    /// ```
    /// use evict_twoq::{Cache, TwoQCache};
    ///
    /// let mut cache = TwoQCache::new(4);
    /// for k in 0..6 {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.ghost_len(), 2); // 0 and 1 left A1in
    /// ```
    pub fn ghost_len(&self) -> usize {
        self.ghost.len() as usize
    }

    /// Bytes of heap memory the cache holds now: its slots, key index and ghost FIFO (not
    /// what keys and values own on the heap themselves).
    ///
    /// ```
    /// use evict_twoq::{Cache, TwoQCache};
    ///
    /// let mut cache = TwoQCache::new(1000);
    /// assert_eq!(cache.heap_bytes(), 0);
    /// for k in 0..2000u64 {
    ///     let _ = cache.put(k, k);
    /// }
    /// assert!(cache.heap_bytes() > 1000 * 24);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.slab.heap_bytes() + self.ghost.heap_bytes()
    }
}

evict_slots::slab_cache! {
    cache = TwoQCache;
    weigher = W;
    item = Node<V>;
    iter = Walk<'a, K, Node<V>, 2>;
    order = "in `A1in` from its oldest entry to its newest, then in `Am` from its least to \
        its most recently used entry";
    example_order = [1, 2, 3];
    example_pops = [(1, 10), (2, 20)];
}
