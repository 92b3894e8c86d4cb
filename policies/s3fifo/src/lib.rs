#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod ghost;
#[cfg(test)]
mod invariants;
mod policy;
mod queues;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_api;

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::slab::Walk;
use evict_slots::weight::{Unweighted, Weighing};
use evict_slots::{Slab, Weighted};

use ghost::{Ghost, WeightedGhost};
use queues::{EMPTY_QUEUE, MAIN, Node, Queue, SMALL};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity an `S3FifoCache` accepts, 2^30 - 2: slots are addressed by 30 bits,
/// the two spare bits of each link holding the frequency and the queue (which keeps an
/// entry at its key, its value and 8 bytes). Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = evict_slots::max_capacity(30);

/// The spare index room kept at least, up to one bucket per entry (the parameter of the
/// toolkit's spare-room rule, `evict_slots::Slab::with_spare_floor`): below 65,536 entries
/// the key index is rebuilt at most half full. With the toolkit's 4096 a small table fills
/// with hashbrown's tombstones within a few hundred evictions, and at 60% load a miss
/// probes further and an erase leaves a tombstone or not at random, a branch that
/// mispredicts half the time (Zipf get-or-put at 10k entries: 0.5 fewer mispredicted
/// branches per operation than with 4096). From 262,144 entries on the `len / 4` spares
/// are larger, so big caches keep their memory.
const SPARE_FLOOR: usize = 1 << 16;

/// An S3-FIFO cache (Yang et al., SOSP 2023): new entries wait in a small FIFO queue, those
/// read again while there move to a main FIFO queue with CLOCK-style second chances, and a
/// ghost queue of recently evicted keys sends a returning key straight to main. One-hit
/// wonders leave quickly, so a scan does not flush what is read often.
///
/// Entries live in one dense `Vec` linked into the two queues by `u32` indices; a hashbrown
/// `HashTable<u32>` maps keys to slots (an `evict_slots::Slab`); the ghost holds 32-bit
/// fingerprints of key hashes. See the [crate docs](crate) for the parameters and costs.
///
/// Lookups take any borrowed form of the key (`&str` for `String` keys), as
/// `HashMap`'s do. A hit ([`get`](Self::get), [`get_mut`](Self::get_mut), a
/// `get_or_insert_with` hit, a [`put`](Cache::put) of a cached key) adds one to the entry's
/// frequency (up to 3); nothing moves. A `put` of a new key sends it to the main queue if
/// the ghost remembers it (the ghost forgets it then), else to the small queue; when the
/// cache is full exactly one entry leaves and is returned. [`remove`](Self::remove) of a
/// cached key leaves no ghost; of a key not cached, it forgets the key's ghost entry (as
/// libCacheSim's `S3FIFO_remove`), so that a later `put` starts it on probation.
///
/// Iteration ([`iter`](Self::iter), `for` loops over `&cache`, `&mut cache` and `cache`,
/// [`drain`](Self::drain)) lists the small queue from its oldest entry to its newest, then
/// the main queue from its oldest to its newest; every iterator is double-ended. `iter_mut`,
/// `drain` and `into_iter` first lay the slots out in that order (O(len), nothing hashed or
/// allocated). `drain` keeps the statistics, the ghost (as a `remove` of each key would)
/// and the memory; `clear` forgets everything, the ghost and the warm-up included.
///
/// [`pop`](Cache::pop) evicts exactly what a `put` of a new key into the full cache would
/// evict next, moving small-queue entries read twice to main and giving main's entries
/// their second chances on the way; a victim taken from the small queue is remembered by
/// the ghost. [`peek_victim`](Cache::peek_victim) finds the same entry by simulating that
/// scan without moving anything (O(small queue + main queue) in the worst case).
/// [`resize`](Cache::resize) pops as `pop` would until the cache fits, then recomputes what
/// the constructor derives from the capacity: the small queue's target `⌊capacity / 10⌋`,
/// main's, and the ghost's size `⌊9 · capacity / 10⌋` (it keeps its newest fingerprints).
/// Frequencies, queue membership and the end of the warm-up are kept. Shrinking gives
/// memory back; growing allocates nothing until entries arrive.
///
/// `Extend` puts each pair, dropping what the puts evict (call [`put`](Cache::put) to keep
/// it); there is no `FromIterator`, as an iterator says no capacity.
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
pub struct S3FifoCache<K, V, S = DefaultHashBuilder, W: Weighing = Unweighted> {
    /// The resident entries with their queue links and frequencies, the key index and the
    /// hasher (an `evict_slots::Slab`: dense, `remove` moves the last slot into the hole);
    /// for a weighted cache, their weights and the capacity in weight units.
    slab: Slab<K, Node<V>, S, W>,
    /// The small and the main queue.
    queues: [Queue; 2],
    /// An unweighted cache's ghost (fingerprints; empty in a weighted one).
    ghost: Ghost,
    /// A weighted cache's ghost: a FIFO of keys with their weights, at most 9/10 of the
    /// capacity in weight, as libCacheSim's (empty in an unweighted one, allocating nothing).
    wghost: WeightedGhost,
    capacity: u32,
    /// `⌊capacity / 10⌋`.
    small_target: u32,
    /// `capacity - small_target`.
    main_target: u32,
    /// Whether an eviction happened since creation or the last `clear`.
    has_evicted: bool,
    /// A weighted insertion's ghost lookup, made before its evictions (`admitting`), for
    /// the insertion to use; unused when unweighted.
    admitted_ghost: bool,
    /// A weighted cache's queue weights (small, main); unused when unweighted.
    weights: [u64; 2],
    /// A weighted cache's queue targets in weight units: `⌊capacity / 10⌋` and the rest.
    budgets: [u64; 2],
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
            slab: Slab::with_spare_floor(hasher, SPARE_FLOOR),
            queues: [EMPTY_QUEUE; 2],
            ghost: Ghost::new(ghost::ghost_capacity(capacity)),
            wghost: WeightedGhost::new(0),
            capacity,
            small_target,
            main_target: capacity - small_target,
            has_evicted: false,
            admitted_ghost: false,
            weights: [0; 2],
            budgets: [0; 2],
            stats: Stats::default(),
        }
    }
}

impl<K, V, F> S3FifoCache<K, V, DefaultHashBuilder, Weighted<F>> {
    /// An empty cache bounded by weight, as libCacheSim sizes S3-FIFO in bytes: `weigher`
    /// gives each entry's weight, the entries' total stays at most `capacity`, the small
    /// queue's target is `⌊capacity / 10⌋` of weight and the main queue's the rest. See the
    /// crate docs' *Capacity by weight* for the rules and the ghost's size.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, Put, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::with_weigher(100, |_: &u32, v: &Vec<u8>| v.len() as u64);
    /// for k in 0..10 {
    ///     assert_eq!(cache.put(k, vec![0; 10]), Put::Inserted);
    /// }
    /// // 30 more bytes: the three oldest, never read, leave the small queue.
    /// let mut evicted = Vec::new();
    /// assert_eq!(cache.put_into(10, vec![0; 30], &mut evicted), Put::Inserted);
    /// assert_eq!(evicted.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [0, 1, 2]);
    /// assert_eq!((cache.len(), cache.weight()), (8, 100));
    /// assert_eq!(cache.put(11, vec![0; 101]), Put::Rejected(11, vec![0; 101]));
    /// ```
    pub fn with_weigher(capacity: u64, weigher: F) -> Self {
        Self::with_weigher_and_hasher(capacity, weigher, DefaultHashBuilder::default())
    }
}

impl<K, V, S, F> S3FifoCache<K, V, S, Weighted<F>> {
    /// [`with_weigher`](Self::with_weigher) with the hasher `hasher`.
    pub fn with_weigher_and_hasher(capacity: u64, weigher: F, hasher: S) -> Self {
        let count = capacity.min(MAX_CAPACITY as u64) as u32;
        let small_target = count / 10;
        Self {
            slab: Slab::with_weigher(hasher, SPARE_FLOOR, Weighted(weigher), capacity),
            queues: [EMPTY_QUEUE; 2],
            // Unused: a weighted cache's ghost is `wghost`, in weight.
            ghost: Ghost::new(0),
            wghost: WeightedGhost::new(capacity),
            capacity: count,
            small_target,
            main_target: count - small_target,
            has_evicted: false,
            admitted_ghost: false,
            weights: [0; 2],
            budgets: [capacity / 10, capacity - capacity / 10],
            stats: Stats::default(),
        }
    }
}

impl<K, V, S, W: Weighing> S3FifoCache<K, V, S, W> {
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
        if W::UNIT {
            self.ghost.len() as usize
        } else {
            self.wghost.len()
        }
    }
}

evict_slots::slab_cache! {
    cache = S3FifoCache;
    weigher = W;
    item = Node<V>;
    iter = Walk<'a, K, Node<V>, 2>;
    order = "in the small queue from its oldest entry to its newest, then in the main queue \
        likewise";
    example_order = [1, 2, 3];
    example_pops = [(1, 10), (2, 20)];
}

/// `Shard`: a hit through `&self` records what `get` records, from one thread and from
/// many at once.
#[cfg(test)]
mod shard_tests {
    extern crate std;
    use super::*;
    use alloc::vec::Vec;
    use evict_slots::testing::{
        ShardOp, SharedHits, check_get_shared, check_shared_hits_from_threads,
    };
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn get_shared_records_what_get_records(
            capacity in 0usize..12,
            raw in proptest::collection::vec(any::<(u8, u8, u16)>(), 0..160),
        ) {
            check_get_shared(&S3FifoCache::new(capacity), &ShardOp::decode(&raw), |c, k| c.get_shared(k));
        }
    }

    #[test]
    fn get_shared_from_two_threads_marks_as_get_does() {
        let evens: Vec<u64> = (0..64).step_by(2).collect();
        let plan = SharedHits {
            keys: 64,
            hit: &evens,
            threads: 2,
            rounds: 3,
            evictions: 32,
        };
        let evicted = check_shared_hits_from_threads(
            S3FifoCache::new(64),
            &plan,
            |c, k| c.get_shared(k),
            |c: &S3FifoCache<u64, u64>| c.check_invariants(),
        );
        // Six hits each (frequency 3, the cap): no even key leaves within 32 evictions,
        // which take odd keys and newcomers that were never read.
        assert_eq!(evicted.len(), 32);
        assert!(
            evicted.iter().all(|k| k % 2 == 1 || *k >= 64),
            "{evicted:?}"
        );
    }

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<S3FifoCache<alloc::string::String, Vec<u8>>>();
    }
}
