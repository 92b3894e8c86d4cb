#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod ghost;
#[cfg(test)]
mod invariants;
mod iter;
mod policy;
mod queues;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_api;

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put};
use evict_slots::SlotIndex;

pub use iter::{Drain, IntoIter, Iter, IterMut, Keys, Values, ValuesMut};

use ghost::{Ghost, fingerprint};
use queues::{EMPTY_QUEUE, IDX, MAIN, Node, Queue, SMALL};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity an `S3FifoCache` accepts: slots are addressed by 30 bits, the two
/// spare bits of each link holding the frequency and the queue. Larger requests are clamped
/// to this.
pub const MAX_CAPACITY: usize = (IDX - 1) as usize;

/// An S3-FIFO cache (Yang et al., SOSP 2023): new entries wait in a small FIFO queue, those
/// read again while there move to a main FIFO queue with CLOCK-style second chances, and a
/// ghost queue of recently evicted keys sends a returning key straight to main. One-hit
/// wonders leave quickly, so a scan does not flush what is read often.
///
/// Entries live in one dense `Vec` linked into the two queues by `u32` indices; a hashbrown
/// `HashTable<u32>` maps keys to slots; the ghost holds 32-bit fingerprints of key hashes.
/// See the [crate docs](crate) for the parameters and costs.
///
/// Lookups take any borrowed form of the key (`&str` for `String` keys), as
/// `HashMap`'s do. Iteration ([`iter`](Self::iter), `for` loops over `&cache`,
/// `&mut cache` and `cache`, [`drain`](Self::drain)) lists the small queue from its oldest
/// entry to its newest, then the main queue from its oldest to its newest; every iterator
/// is double-ended. [`pop`](Cache::pop) and [`resize`](Cache::resize) evict as a `put`
/// would. `Extend` puts each pair, dropping what the puts evict (call
/// [`put`](Cache::put) to keep it); there is no `FromIterator`, as an iterator says no
/// capacity.
///
/// # Examples
///
/// ```
/// use evict_s3fifo::{Cache, Put, S3FifoCache};
///
/// let mut cache = S3FifoCache::new(10); // small queue 1, main queue 9, ghost 9
/// for k in 0..10 {
///     let _ = cache.put(k, k * 10);
/// }
/// assert_eq!(cache.get(&3), Some(&30));
/// // The first eviction takes the small queue's oldest entry, 0: it was never read.
/// assert_eq!(cache.put(10, 100), Put::Evicted(0, 0));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=10, currsize=10)");
/// // The small queue (now 10), then the main queue, oldest first.
/// assert_eq!(cache.keys().take(3).collect::<Vec<_>>(), [&10, &1, &2]);
/// ```
#[derive(Clone)]
pub struct S3FifoCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live; `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// The small and the main queue.
    queues: [Queue; 2],
    ghost: Ghost,
    capacity: u32,
    /// `⌊capacity / 10⌋`.
    small_target: u32,
    /// `capacity - small_target`.
    main_target: u32,
    /// Whether an eviction happened since creation or the last `clear`.
    has_evicted: bool,
    hasher: S,
    stats: Stats,
}

impl<K, V> S3FifoCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// with a small queue of `⌊capacity / 10⌋`, a main queue of the rest and a ghost of
    /// `⌊9 · capacity / 10⌋` fingerprints. Capacity 0 caches nothing.
    ///
    /// Slots are allocated as entries arrive; the ghost is allocated when the cache first
    /// fills.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, Put, S3FifoCache};
    ///
    /// let mut none: S3FifoCache<u8, u8> = S3FifoCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> S3FifoCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, DefaultHashBuilder, S3FifoCache};
    ///
    /// let cache: S3FifoCache<u64, u64> =
    ///     S3FifoCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let small_target = capacity / 10;
        Self {
            nodes: Vec::new(),
            table: SlotIndex::new(),
            queues: [EMPTY_QUEUE; 2],
            ghost: Ghost::new(ghost::ghost_capacity(capacity)),
            capacity,
            small_target,
            main_target: capacity - small_target,
            has_evicted: false,
            hasher,
            stats: Stats::default(),
        }
    }

    /// The number of entries in the small queue (new entries on probation) and in the main
    /// queue. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(20); // small target 2
    /// for k in 0..5 {
    ///     let _ = cache.put(k, ());
    /// }
    /// // Before the first eviction, entries go to main once small is at its target.
    /// assert_eq!(cache.queue_lens(), (2, 3));
    /// ```
    pub fn queue_lens(&self) -> (usize, usize) {
        (
            self.queues[SMALL].len as usize,
            self.queues[MAIN].len as usize,
        )
    }

    /// The number of keys the ghost queue remembers now (at most `⌊9 · capacity / 10⌋`).
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// for k in 0..11 {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.ghost_len(), 1); // the key evicted from the small queue
    /// ```
    pub fn ghost_len(&self) -> usize {
        self.ghost.len() as usize
    }
}

/// Lookups by any borrowed form of the key (`&str` for `String` keys, as `HashMap`'s); they
/// shadow the `Cache` methods of the same names, which forward to them.
impl<K: Hash + Eq, V, S: BuildHasher> S3FifoCache<K, V, S> {
    /// Looks `key` up, counts one hit or one miss, and on a hit adds one to the entry's
    /// frequency (up to 3); nothing moves. See [`Cache::get`].
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache: S3FifoCache<String, u32> = S3FifoCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.get("a"), Some(&1)); // a `&str`: no `String` allocated
    /// assert_eq!(cache.get("b"), None);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=10, currsize=1)");
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                // One bounds check for the counter and the value; a saturated counter is
                // not rewritten, so hot entries' cache lines stay clean.
                let node = &mut self.nodes[i as usize];
                if node.next < queues::FREQ_MAX {
                    node.next += queues::FREQ_ONE;
                }
                Some(&node.value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    /// Like [`get`](Self::get) (one hit or one miss, frequency + 1 on a hit), returning the
    /// value to change in place; the entry keeps its queue and its place.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache: S3FifoCache<String, Vec<u8>> = S3FifoCache::new(10);
    /// let _ = cache.put("a".to_string(), vec![1]);
    /// cache.get_mut("a").unwrap().push(2);
    /// assert_eq!(cache.peek("a"), Some(&vec![1, 2]));
    /// assert_eq!(cache.info().hits, 1);
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                self.bump(i);
                Some(&mut self.nodes[i as usize].value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    /// Looks `key` up without counting it or touching its frequency. See [`Cache::peek`].
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache: S3FifoCache<String, u32> = S3FifoCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.peek("a"), Some(&1));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    /// Like [`peek`](Self::peek) (counts nothing, frequency untouched), returning the value
    /// to change in place.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache: S3FifoCache<String, u32> = S3FifoCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// *cache.peek_mut("a").unwrap() = 5;
    /// assert_eq!(cache.peek("a"), Some(&5));
    /// assert_eq!(cache.info().hits, 0);
    /// ```
    #[inline]
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        Some(&mut self.nodes[i as usize].value)
    }

    /// Whether `key` is cached; counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache: S3FifoCache<String, u32> = S3FifoCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert!(cache.contains("a"));
    /// assert!(!cache.contains("b"));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(self.hasher.hash_one(key), key).is_some()
    }

    /// Removes a cached key and returns its value, without leaving a ghost; for a key not
    /// cached, forgets its ghost entry (as libCacheSim's `S3FIFO_remove`), so that a later
    /// `put` starts it on probation in the small queue. Counts nothing.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache: S3FifoCache<String, u32> = S3FifoCache::new(10);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.remove("a"), Some(1));
    /// assert_eq!(cache.remove("a"), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.unlink(i);
                Some(self.remove_slot(i, hash).1)
            }
            None => {
                self.ghost.take(fingerprint(hash));
                None
            }
        }
    }
}

/// Puts each pair in turn, as [`put`](Cache::put) would; pairs the puts evict (or, at
/// capacity 0, reject) are dropped: call `put` to keep them.
///
/// ```
/// use evict_s3fifo::{Cache, S3FifoCache};
///
/// let mut cache = S3FifoCache::new(3);
/// cache.extend([(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
/// assert_eq!(cache.len(), 3);
/// assert!(cache.contains(&4));
/// ```
impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for S3FifoCache<K, V, S> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            let _ = self.put(key, value);
        }
    }
}

/// Shows the capacity, each queue in iteration order (oldest first), the number of
/// ghosts and the statistics.
impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for S3FifoCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(&'a [Node<K, V>], Queue);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                let mut at = self.1.tail;
                for _ in 0..self.1.len {
                    let node = &self.0[at as usize];
                    map.entry(&node.key, &node.value);
                    at = node.prev & IDX;
                }
                map.finish()
            }
        }
        f.debug_struct("S3FifoCache")
            .field("capacity", &self.capacity)
            .field("small", &Entries(&self.nodes, self.queues[SMALL]))
            .field("main", &Entries(&self.nodes, self.queues[MAIN]))
            .field("ghosts", &self.ghost.len())
            .field("stats", &self.stats)
            .finish()
    }
}
