#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

mod buffered;
mod counters;
mod exclusive;
mod flight;
mod lock;

use core::borrow::Borrow;
use core::convert::Infallible;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::{Deref, DerefMut};

use crossbeam_utils::CachePadded;
use hashbrown::HashTable;

pub use buffered::BufferedHits;
pub use evict_core::{Cache, CacheInfo, Put, Removal, Shard, Sink};
pub use exclusive::Exclusive;
pub use hashbrown::DefaultHashBuilder;

use counters::Counters;
use flight::{Flight, FlightRef, WaitsFor};
use lock::{Arc, Mutex, RwLock};

/// The fewest entries a shard gets when the shard count is chosen by default: below this,
/// sharding costs more hit ratio (each shard evicts on its own) than it saves in contention.
/// (Measured: at capacity 10,000 over 32 shards of 312 entries, Zipf 0.99, CLOCK, SIEVE and
/// S3-FIFO are within 0.02 points of the single-threaded policy.)
pub const MIN_SHARD_CAPACITY: usize = 256;

/// The most shards a cache can have.
pub const MAX_SHARDS: usize = 1 << 16;

/// One shard: a policy behind its reader-writer lock, and the loads in flight for its keys.
///
/// The policy is padded away from the lock word: every read lock writes that word, and if the
/// policy's own fields (its table's and slab's pointers and lengths, which every lookup reads)
/// shared its cache line, each reader would evict them from the other cores' caches.
struct Slot<K, V, C> {
    cache: RwLock<CachePadded<Guarded<C>>>,
    flights: Mutex<HashTable<InFlight<K, V>>>,
}

/// A shard's policy and whether its table hashes keys as the cache does, both under the
/// shard's lock (so the hit path reads the flag with no atomic). Dereferences to the policy.
/// The flag first (`repr(C)`): it then shares a cache line with the policy's first fields,
/// which a lookup reads anyway, instead of sitting after the policy on a line of its own.
#[repr(C)]
struct Guarded<C> {
    hashing: Hashing,
    shard: C,
}

/// Whether a hit may hand the shard the hash already computed to pick it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hashing {
    /// Built by [`Builder::build`]: the shard has its own hasher; it hashes every key itself.
    Own,
    /// Built by [`Builder::build_hashed`] with a clone of the cache's hasher, not yet
    /// checked: hashes every key itself until the first put under its exclusive lock compares
    /// the shard's hash of the put key ([`Shard::hash_of`]) with the cache's, and moves to
    /// `Same` or, for good, to `Own`.
    Unchecked,
    /// Checked: the shard's table hashes as the cache does, so a hit passes the hash down
    /// ([`Shard::get_shared_hashed`]) and the key is hashed once.
    Same,
}

impl<C> Deref for Guarded<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.shard
    }
}

impl<C> DerefMut for Guarded<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.shard
    }
}

impl<C> Guarded<C> {
    /// Settles an `Unchecked` shard on a put of `key`, whose hash by the cache is `hash`.
    #[inline]
    fn check<K, V, Q: ?Sized>(&mut self, hash: u64, key: &Q)
    where
        C: Shard<K, V, Q>,
    {
        if self.hashing == Hashing::Unchecked {
            self.hashing = if self.shard.hash_of(key) == Some(hash) {
                Hashing::Same
            } else {
                Hashing::Own
            };
        }
    }
}

/// A registered load: its key (and that key's hash, which picked the shard) and the flight.
struct InFlight<K, V> {
    hash: u64,
    key: K,
    flight: FlightRef<V>,
}

/// A thread-safe cache over any eviction policy: every method takes `&self`, and the cache
/// is `Send + Sync` when its keys, values, policy and hasher are.
///
/// Entries are spread over a power-of-two number of shards by their key's hash; each shard is
/// one policy instance behind its own reader-writer lock, on its own cache line. For a
/// policy whose hit only marks its entry ([`Shard::SHARED_HIT`]: unbounded, FIFO, random,
/// CLOCK, SIEVE, S3-FIFO) a hit takes the shard's *shared* lock, so hits never wait for one
/// another; for LRU, ARC and W-TinyLFU, whose hit reorders the shard, it takes the exclusive
/// lock. See the [crate docs](crate) for the choice of policy, shard count and the costs.
///
/// Hits and misses are counted exactly (in per-thread stripes, summed by
/// [`info`](Self::info)), with Python's meaning: one per [`get`](Self::get),
/// [`get_with`](Self::get_with) and [`get_or_insert_with`](Self::get_or_insert_with) call.
///
/// ```
/// use evict_sync::ConcurrentCache;
/// use evict_s3fifo::S3FifoCache;
///
/// let cache = ConcurrentCache::new(10_000, S3FifoCache::with_hasher);
/// std::thread::scope(|s| {
///     for t in 0..4u64 {
///         let cache = &cache;
///         s.spawn(move || {
///             for k in 0..100 {
///                 let v = cache.get_or_insert_with(k, || k * 10);
///                 assert_eq!(v, k * 10);
///                 let _ = t;
///             }
///         });
///     }
/// });
/// let info = cache.info();
/// assert_eq!(info.hits + info.misses, 400);
/// assert_eq!(info.currsize, 100);
/// ```
#[repr(C)]
pub struct ConcurrentCache<K, V, C, S = DefaultHashBuilder> {
    /// First (`repr(C)`), so that the counters' address is the cache's: a hit's count then
    /// needs no address computed for the count's rare slow path (measured: one instruction
    /// per hit).
    counters: Counters,
    slots: Box<[CachePadded<Slot<K, V, C>>]>,
    /// `log2` of the shard count and the shard count less one, kept so that picking a shard
    /// ([`shard_index`]) loads them instead of deriving them from the slice's length on
    /// every lookup.
    shard_bits: u32,
    shard_mask: usize,
    waits: WaitsFor,
    capacity: Option<usize>,
    hasher: S,
}

/// Settings of a [`ConcurrentCache`] before it is built: [`ConcurrentCache::builder`].
///
/// ```
/// use evict_sync::ConcurrentCache;
/// use evict_sieve::SieveCache;
///
/// let cache = ConcurrentCache::builder(1000)
///     .shards(4)
///     .hasher(evict_sync::DefaultHashBuilder::default())
///     .build(SieveCache::new);
/// # let _ = cache.put(1u32, 1u32);
/// assert_eq!(cache.shards(), 4);
/// assert_eq!(cache.capacity(), Some(1000));
/// ```
#[derive(Clone, Debug)]
pub struct Builder<S = DefaultHashBuilder> {
    capacity: usize,
    shards: Option<usize>,
    max_entry_weight: usize,
    hasher: S,
}

impl Builder {
    /// Settings for a cache of `capacity` entries in all, with the default shard count and
    /// hasher.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            shards: None,
            max_entry_weight: 1,
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl<S> Builder<S> {
    /// The number of shards. Rounded up to a power of two, at most [`MAX_SHARDS`], and
    /// halved until every shard holds at least one entry (a shard of capacity 0 would never
    /// cache its keys); [`ConcurrentCache::shards`] tells the count in use. The default is
    /// [`default_shards`].
    pub fn shards(mut self, shards: usize) -> Self {
        self.shards = Some(shards);
        self
    }

    /// For a cache of weighted shards (a policy built `with_weigher`, `capacity` in weight
    /// units): the heaviest entry the cache must always accept. The budget is split over the
    /// shards as entries are, and an entry heavier than its shard's share is
    /// [`Rejected`](Put::Rejected) (never stored, never silently dropped: the pair comes
    /// back); this halves the shard count until every share is at least `weight`, so any
    /// entry up to `weight` fits its shard. `max_entry_weight(capacity)` keeps the whole
    /// budget in one shard: then nothing that fits the total is ever refused.
    /// [`ConcurrentCache::shard_capacity`] tells the share in use.
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_lru::LruCache;
    ///
    /// let weigh = |_: &u32, v: &Vec<u8>| v.len() as u64;
    /// let cache = ConcurrentCache::builder(1 << 20)
    ///     .shards(64)
    ///     .max_entry_weight(64 << 10)
    ///     .build(|share| LruCache::with_weigher(share as u64, weigh));
    /// assert_eq!(cache.shards(), 16); // 1 MiB / 64 KiB
    /// assert!(cache.put(1, vec![0; 64 << 10]).is_kept());
    /// ```
    pub fn max_entry_weight(mut self, weight: usize) -> Self {
        self.max_entry_weight = weight.max(1);
        self
    }

    /// The hasher that picks each key's shard (from the top bits of its hash times an odd
    /// constant, so that every bit of the hash counts). With [`build`](Self::build) each
    /// shard's policy keeps its own hasher (the constructor makes it); with
    /// [`build_hashed`](Self::build_hashed) every shard gets a clone of this one, so that a
    /// hit hashes its key once.
    pub fn hasher<S2>(self, hasher: S2) -> Builder<S2> {
        Builder {
            capacity: self.capacity,
            shards: self.shards,
            max_entry_weight: self.max_entry_weight,
            hasher,
        }
    }

    /// Builds the cache, making each shard's policy with `make(shard_capacity)`. The shard
    /// capacities sum exactly to the total: the first `capacity % shards` shards get one entry
    /// more than the others.
    pub fn build<K, V, C, F>(self, mut make: F) -> ConcurrentCache<K, V, C, S>
    where
        C: Cache<K, V>,
        F: FnMut(usize) -> C,
    {
        self.build_with(Hashing::Own, |capacity, _| make(capacity))
    }

    /// Builds the cache with every shard's policy made by `make(shard_capacity, hasher)`,
    /// `hasher` a clone of the cache's ([`hasher`](Self::hasher)), e.g.
    /// `S3FifoCache::with_hasher`: then the hash that picks a key's shard is also the one
    /// the shard's table files it under, and a hit hashes the key once instead of twice.
    /// Capacities as [`build`](Self::build) splits them.
    ///
    /// `make` should build the shard with the hasher it is given. One that does not (or a
    /// policy that cannot take lookups by hash, [`Shard::hash_of`] `None`) is found out at
    /// the shard's first put, which compares the shard's hash of the key with the cache's:
    /// from then on that shard hashes every key itself, as after `build` (never a wrong
    /// answer; only the saving is lost).
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_s3fifo::S3FifoCache;
    ///
    /// let cache = ConcurrentCache::builder(10_000).build_hashed(S3FifoCache::with_hasher);
    /// let _ = cache.put(7u64, "seven");
    /// assert_eq!(cache.get(&7), Some("seven"));
    /// ```
    pub fn build_hashed<K, V, C, F>(self, mut make: F) -> ConcurrentCache<K, V, C, S>
    where
        C: Cache<K, V>,
        F: FnMut(usize, S) -> C,
        S: Clone,
    {
        self.build_with(Hashing::Unchecked, |capacity, hasher| {
            make(capacity, hasher.clone())
        })
    }

    fn build_with<K, V, C, F>(self, hashing: Hashing, mut make: F) -> ConcurrentCache<K, V, C, S>
    where
        C: Cache<K, V>,
        F: FnMut(usize, &S) -> C,
    {
        let heaviest = self.max_entry_weight;
        let shards = match self.shards {
            Some(n) => fit_shards(n, self.capacity, heaviest),
            None => fit_shards(
                default_shards(self.capacity),
                self.capacity,
                heaviest.max(1),
            ),
        };
        let (base, extra) = (self.capacity / shards, self.capacity % shards);
        let slots: Box<[_]> = (0..shards)
            .map(|i| {
                let shard = make(base + usize::from(i < extra), &self.hasher);
                CachePadded::new(Slot {
                    cache: RwLock::new(CachePadded::new(Guarded { hashing, shard })),
                    flights: Mutex::new(HashTable::new()),
                })
            })
            .collect();
        let capacity = slots.iter().try_fold(0usize, |sum, slot| {
            let cap = lock::read(&slot.cache).capacity()?;
            Some(sum.saturating_add(cap))
        });
        ConcurrentCache {
            shard_bits: slots.len().trailing_zeros(),
            shard_mask: slots.len() - 1,
            slots,
            counters: Counters::new(),
            waits: WaitsFor::default(),
            capacity,
            hasher: self.hasher,
        }
    }
}

/// The shard count a cache of `capacity` entries gets by default: sixteen per core this
/// machine offers (`std::thread::available_parallelism`), rounded up to a power of two, then
/// halved while a shard would hold fewer than [`MIN_SHARD_CAPACITY`] entries.
///
/// Why sixteen: every lookup writes its shard's lock word (the reader count), so two threads
/// that land on one shard at once bounce that cache line between their cores; under a skewed
/// workload that happens often with few shards. Measured on 2 cores, read-only Zipf 0.99 over
/// a 100k-entry S3-FIFO cache, total M ops/s at 1 → 2 threads: 8 shards (four per core, as
/// `quick_cache` chooses) 54-56 → 66-72; 32 shards 54-55 → 96; 64 shards 43-48 → 89 (the
/// single thread slows once the shards' headers crowd its L1 cache).
///
/// ```
/// let n = evict_sync::default_shards(1_000_000);
/// assert!(n.is_power_of_two());
/// assert_eq!(evict_sync::default_shards(400), 1); // 2 shards would hold 200 entries each
/// ```
pub fn default_shards(capacity: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    fit_shards(cores.saturating_mul(16), capacity, MIN_SHARD_CAPACITY)
}

/// The shard of a key whose hash is `hash`, among `shards` (a power of two, at most
/// [`MAX_SHARDS`]): the top bits of the hash times an odd constant (rotated to the bottom;
/// for a power of two this is the range reduction `(mixed * shards) >> 64` without its
/// second multiply). Every bit of the hash feeds them, so when the shards hash with the
/// cache's hasher ([`Builder::build_hashed`]) the keys of one shard still spread over its
/// `hashbrown` table's buckets (low bits) and tags (top seven bits) as random keys would
/// (tested below). Taking raw bits of the hash instead, even bits the table does not use
/// (32 to 47, or 40 to 55), did not: for sequential integer keys under `foldhash` the keys of
/// one shard crowded some buckets, chi-square of the bucket counts up to 2.5 to 5 times its
/// degrees of freedom depending on the process's seed (measured, 18 seeds; the mixed bits
/// 0.95-1.06 times).
#[inline(always)]
fn shard_index(hash: u64, bits: u32, mask: usize) -> usize {
    let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    mixed.rotate_left(bits) as usize & mask
}

fn fit_shards(wanted: usize, capacity: usize, min_per_shard: usize) -> usize {
    let mut n = wanted.clamp(1, MAX_SHARDS).next_power_of_two();
    while n > 1 && capacity / n < min_per_shard {
        n /= 2;
    }
    n
}

/// What [`ConcurrentCache::new`] accepts to make each shard: a function of the shard's
/// capacity and the cache's hasher, such as `S3FifoCache::with_hasher` (the shard then
/// hashes as the cache does and a hit hashes its key once: [`Builder::build_hashed`]), or a
/// function of the capacity alone, such as `S3FifoCache::new` (each shard keeps a hasher of
/// its own, and a hit hashes its key twice, once to pick the shard and once in it:
/// [`Builder::build`]). `M` is [`ByCapacity`] or [`WithHasher`], told apart by the
/// function's number of arguments; nothing else implements this trait.
pub trait MakeShard<K, V, C, S, M> {
    /// Builds the cache with `builder`'s settings and this function.
    fn build_with(self, builder: Builder<S>) -> ConcurrentCache<K, V, C, S>;
}

/// [`MakeShard`] for a function of the shard's capacity alone (`Policy::new`).
#[derive(Debug)]
pub enum ByCapacity {}

/// [`MakeShard`] for a function of the shard's capacity and the cache's hasher
/// (`Policy::with_hasher`).
#[derive(Debug)]
pub enum WithHasher {}

impl<K, V, C, S, F> MakeShard<K, V, C, S, ByCapacity> for F
where
    C: Cache<K, V>,
    F: FnMut(usize) -> C,
{
    fn build_with(self, builder: Builder<S>) -> ConcurrentCache<K, V, C, S> {
        builder.build(self)
    }
}

impl<K, V, C, S, F> MakeShard<K, V, C, S, WithHasher> for F
where
    C: Cache<K, V>,
    S: Clone,
    F: FnMut(usize, S) -> C,
{
    fn build_with(self, builder: Builder<S>) -> ConcurrentCache<K, V, C, S> {
        builder.build_hashed(self)
    }
}

impl<K, V, C> ConcurrentCache<K, V, C>
where
    C: Cache<K, V>,
{
    /// A cache of `capacity` entries in all, split over [`default_shards`] shards, each a
    /// policy made by `make`: either `make(shard_capacity, hasher)` with a clone of the
    /// cache's hasher, e.g. `S3FifoCache::with_hasher` (then a hit hashes its key once, as
    /// [`Builder::build_hashed`] builds it), or `make(shard_capacity)`, e.g.
    /// `S3FifoCache::new` (each shard has a hasher of its own, and a hit hashes its key
    /// twice: to pick the shard, then in the shard; as [`Builder::build`]). Prefer the first
    /// for the policies whose hits share the lock (FIFO, CLOCK, SIEVE, S3-FIFO, random);
    /// for LRU, ARC and W-TinyLFU, whose hits take the shard's exclusive lock, the shard
    /// hashes the key itself either way.
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_s3fifo::S3FifoCache;
    /// use evict_lru::LruCache;
    ///
    /// let cache = ConcurrentCache::new(1000, S3FifoCache::with_hasher);
    /// assert_eq!(cache.put("a".to_string(), 1), evict_sync::Put::Inserted);
    /// assert_eq!(cache.get("a"), Some(1)); // a borrowed key, as HashMap allows
    /// assert_eq!(cache.shards_hashing_once(), 1); // the shard that had the put
    ///
    /// let cache = ConcurrentCache::new(1000, LruCache::new);
    /// # let _ = cache.put(1u8, 1u8);
    /// ```
    ///
    /// Because `make` may take one argument or two, a closure whose argument is used through
    /// a method call needs the argument's type written: `|cap: usize| LruCache::new(cap.max(8))`.
    pub fn new<M>(capacity: usize, make: impl MakeShard<K, V, C, DefaultHashBuilder, M>) -> Self {
        make.build_with(Builder::new(capacity))
    }
}

impl ConcurrentCache<(), (), ()> {
    /// Settings for a cache of `capacity` entries: shard count and hasher; then
    /// [`Builder::build`].
    pub fn builder(capacity: usize) -> Builder {
        Builder::new(capacity)
    }
}

/// Outcome of one step of a load: wait on another thread's load, or lead a new one.
enum Step<V> {
    Wait(FlightRef<V>),
    Lead(FlightRef<V>),
}

impl<K, V, C, S> ConcurrentCache<K, V, C, S> {
    /// The number of shards.
    pub fn shards(&self) -> usize {
        self.slots.len()
    }

    /// The total capacity, the sum of the shards' (`None` if a shard is unbounded).
    pub fn capacity(&self) -> Option<usize> {
        self.capacity
    }

    /// Exclusive access to each shard's policy, in shard order, without locking (`&mut self`
    /// proves no other thread is using the cache): to check invariants, or to list each shard
    /// in its policy's order. A shard's own statistics are not the concurrent cache's (which
    /// counts every lookup itself: [`info`](Self::info)). A shard of a cache built by
    /// [`Builder::build_hashed`] is checked again at its next put (the caller may have
    /// replaced it with one of another hasher); until then its hits hash the key themselves.
    pub fn shards_mut(&mut self) -> impl Iterator<Item = &mut C> {
        self.slots.iter_mut().map(|slot| {
            let guarded = lock::get_mut(&mut slot.cache);
            if guarded.hashing == Hashing::Same {
                guarded.hashing = Hashing::Unchecked;
            }
            &mut guarded.shard
        })
    }

    #[inline(always)]
    fn slot_of(&self, hash: u64) -> &Slot<K, V, C> {
        &self.slots[shard_index(hash, self.shard_bits, self.shard_mask)]
    }

    /// Entries cached now, summed over the shards (each read in turn: while other threads
    /// write, the sum is of moments a little apart).
    pub fn len(&self) -> usize
    where
        C: Cache<K, V>,
    {
        self.slots
            .iter()
            .map(|slot| lock::read(&slot.cache).len())
            .sum()
    }

    /// The total weight of the cached entries, summed over the shards ([`Cache::weight`]):
    /// [`len`](Self::len) for a cache bounded by a count of entries, bytes (or the weigher's
    /// unit) for weighted shards. Never above [`capacity`](Self::capacity).
    pub fn weight(&self) -> u64
    where
        C: Cache<K, V>,
    {
        self.slots
            .iter()
            .map(|slot| lock::read(&slot.cache).weight())
            .sum()
    }

    /// The smallest shard's capacity (`None` if a shard is unbounded): the heaviest entry the
    /// cache accepts whatever its key's shard. With weighted shards, an entry heavier than its
    /// shard's capacity is [`Rejected`](Put::Rejected); see
    /// [`Builder::max_entry_weight`] to keep this at least a given weight.
    pub fn shard_capacity(&self) -> Option<usize>
    where
        C: Cache<K, V>,
    {
        self.slots
            .iter()
            .map(|slot| lock::read(&slot.cache).capacity())
            .try_fold(usize::MAX, |least, cap| Some(least.min(cap?)))
    }

    /// How many shards hand a hit the hash that picked them, so that the hit hashes its key
    /// once: shards built by [`Builder::build_hashed`] whose first put found that they hash
    /// as the cache does. 0 after [`Builder::build`]; with `build_hashed`, every shard that
    /// has had a put, if `make` built the shards with the hasher it was given.
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_sieve::SieveCache;
    ///
    /// let cache = ConcurrentCache::builder(1000).shards(1).build_hashed(SieveCache::with_hasher);
    /// assert_eq!(cache.shards_hashing_once(), 0); // not checked before its first put
    /// let _ = cache.put(1u32, 1u32);
    /// assert_eq!(cache.shards_hashing_once(), 1);
    /// ```
    pub fn shards_hashing_once(&self) -> usize {
        self.slots
            .iter()
            .filter(|slot| lock::read(&slot.cache).hashing == Hashing::Same)
            .count()
    }

    /// Whether no shard holds an entry.
    pub fn is_empty(&self) -> bool
    where
        C: Cache<K, V>,
    {
        self.slots
            .iter()
            .all(|slot| lock::read(&slot.cache).is_empty())
    }

    /// Python's `cache_info()`: hits and misses counted by this cache (exact: every lookup
    /// counts once), capacity, and [`len`](Self::len).
    pub fn info(&self) -> CacheInfo
    where
        C: Cache<K, V>,
    {
        let (hits, misses) = self.counters.sum();
        CacheInfo {
            hits,
            misses,
            maxsize: self.capacity,
            currsize: self.len(),
        }
    }

    /// Python's `cache_clear()`: removes every entry, shard by shard, then resets the
    /// counters. Lookups that run while `clear` does may find entries of shards not cleared
    /// yet, and may be counted before the reset (then lost) or after it. Loads in flight go
    /// on, and store their values when they finish.
    pub fn clear(&self)
    where
        C: Cache<K, V>,
    {
        for slot in &self.slots {
            lock::write(&slot.cache).clear();
        }
        self.counters.reset();
    }

    /// A copy of every entry, shard by shard, each shard in its policy's order. Each shard is
    /// copied under its shared lock, so each shard's part is a consistent moment of it, while
    /// the shards' moments differ when other threads write meanwhile.
    pub fn snapshot(&self) -> Vec<(K, V)>
    where
        C: Cache<K, V>,
        K: Clone,
        V: Clone,
    {
        let mut out = Vec::new();
        for slot in &self.slots {
            let cache = lock::read(&slot.cache);
            out.reserve(cache.len());
            out.extend(cache.entries().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }
}

impl<K, V, C, S> ConcurrentCache<K, V, C, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    fn slot_for<Q: Hash + ?Sized>(&self, key: &Q) -> &Slot<K, V, C> {
        self.slot_of(self.hasher.hash_one(key))
    }

    /// A hit recorded as the policy allows: under the shared lock (handing the shard
    /// `hash`, the key's hash by the cache's hasher, if the shard hashes as the cache does),
    /// or the exclusive one.
    fn lookup<Q, R>(slot: &Slot<K, V, C>, hash: u64, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        Q: ?Sized,
        C: Shard<K, V, Q>,
    {
        Self::lookup_then(slot, hash, key, |found| found.map(f))
    }

    /// [`lookup`](Self::lookup), handing `then` the lookup's outcome under the lock.
    #[inline(always)]
    fn lookup_then<Q, R>(
        slot: &Slot<K, V, C>,
        hash: u64,
        key: &Q,
        then: impl FnOnce(Option<&V>) -> Option<R>,
    ) -> Option<R>
    where
        Q: ?Sized,
        C: Shard<K, V, Q>,
    {
        if C::SHARED_HIT {
            // The lock taken without waiting, or else in a function of its own: then nothing
            // on this path calls a function across which the hash, key and cache must be
            // kept, and the hit saves and restores two registers fewer (measured with std's
            // lock). With `parking_lot`'s, `try_read` always answers `Some` (its own slow
            // path is out of line, see lock.rs); the model checker's lock takes both arms.
            match lock::try_read(&slot.cache) {
                Some(shard) => Self::shared_then(slot, shard, hash, key, then),
                None => Self::shared_then_waiting(slot, hash, key, then),
            }
        } else {
            then(lock::write(&slot.cache).get_borrowed(key))
        }
    }

    /// [`lookup_then`](Self::lookup_then) under the shared lock `shard`.
    #[inline(always)]
    fn shared_then<Q, R>(
        slot: &Slot<K, V, C>,
        shard: lock::ReadGuard<'_, CachePadded<Guarded<C>>>,
        hash: u64,
        key: &Q,
        then: impl FnOnce(Option<&V>) -> Option<R>,
    ) -> Option<R>
    where
        Q: ?Sized,
        C: Shard<K, V, Q>,
    {
        // A shard that hashes keys itself gives its own hash (`hash_of`), and the lookup by
        // hash is the same call either way: one copy of the probe on this path.
        let hash = if shard.hashing == Hashing::Same {
            Some(hash)
        } else {
            shard.shard.hash_of(key)
        };
        let found = then(match hash {
            Some(hash) => shard.shard.get_shared_hashed(hash, key),
            None => shard.shard.get_shared(key),
        });
        // Deferred work (an expiring shard's reclaiming) is done by whoever can take the
        // exclusive lock without waiting, so that a read-only workload gets it done too;
        // `wants_maintenance` is a constant `false` for every other policy.
        let wants = shard.wants_maintenance();
        drop(shard);
        if wants && let Some(mut shard) = lock::try_write(&slot.cache) {
            shard.maintain();
        }
        found
    }

    /// [`shared_then`](Self::shared_then) after waiting for the shared lock.
    #[cold]
    #[inline(never)]
    fn shared_then_waiting<Q, R>(
        slot: &Slot<K, V, C>,
        hash: u64,
        key: &Q,
        then: impl FnOnce(Option<&V>) -> Option<R>,
    ) -> Option<R>
    where
        Q: ?Sized,
        C: Shard<K, V, Q>,
    {
        Self::shared_then(slot, lock::read(&slot.cache), hash, key, then)
    }

    /// Looks `key` up, counts one hit or one miss, lets the policy record the access, and
    /// returns a clone of the value. `key` may be any borrowed form of the key type.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        C: Shard<K, V, Q>,
        V: Clone,
    {
        self.get_with(key, V::clone)
    }

    /// Like [`get`](Self::get), but hands the value to `f` under the shard's lock instead of
    /// cloning it: for values that are large or not `Clone`. `f` must not call this cache
    /// (its shard is locked while `f` runs).
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_clock::ClockCache;
    ///
    /// let cache = ConcurrentCache::new(10, ClockCache::with_hasher);
    /// let _ = cache.put(1, vec![0u8; 1 << 20]);
    /// assert_eq!(cache.get_with(&1, |v| v.len()), Some(1 << 20));
    /// ```
    pub fn get_with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        C: Shard<K, V, Q>,
    {
        let hash = self.hasher.hash_one(key);
        Self::lookup_then(self.slot_of(hash), hash, key, |found| match found {
            // Counted as found, under the lock: each path adds one to its own counter, with
            // no select between the two and no second test of the outcome after the unlock.
            Some(v) => {
                self.counters.hit();
                Some(f(v))
            }
            None => {
                self.counters.miss();
                None
            }
        })
    }

    /// A clone of `key`'s value without counting and without telling the policy.
    pub fn peek<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        C: Shard<K, V, Q>,
        V: Clone,
    {
        self.peek_with(key, V::clone)
    }

    /// Like [`peek`](Self::peek), handing the value to `f` under the shard's shared lock.
    pub fn peek_with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        C: Shard<K, V, Q>,
    {
        lock::read(&self.slot_for(key).cache)
            .peek_borrowed(key)
            .map(f)
    }

    /// Whether `key` is cached; counts nothing, changes nothing.
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        C: Shard<K, V, Q>,
    {
        self.peek_with(key, |_| ()).is_some()
    }

    /// Inserts or replaces `key`'s value in its shard; the [`Put`] says what happened,
    /// including the pair the shard evicted to make room.
    pub fn put(&self, key: K, value: V) -> Put<K, V>
    where
        C: Shard<K, V>,
    {
        let hash = self.hasher.hash_one(&key);
        let mut shard = lock::write(&self.slot_of(hash).cache);
        shard.check(hash, &key);
        shard.put(key, value)
    }

    /// [`put`](Self::put), handing every pair that leaves the shard during the put to `sink`
    /// (with its [`Removal`] reason): for a weighted or expiring policy,
    /// which can evict several entries in one put. `sink` runs under the shard's lock and
    /// must not call this cache.
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_lru::LruCache;
    ///
    /// // One shard of capacity 10 bytes; values weigh their length.
    /// let cache = ConcurrentCache::builder(10).shards(1).build(|capacity| {
    ///     LruCache::with_weigher(capacity as u64, |_: &u32, v: &String| v.len() as u64)
    /// });
    /// let _ = cache.put(1, "four".to_string());
    /// let _ = cache.put(2, "four".to_string());
    /// let mut evicted = Vec::new();
    /// let _ = cache.put_into(3, "eight...".to_string(), &mut evicted);
    /// assert_eq!(evicted, [(1, "four".to_string()), (2, "four".to_string())]);
    /// ```
    pub fn put_into(&self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V>
    where
        C: Shard<K, V>,
    {
        let hash = self.hasher.hash_one(&key);
        let mut shard = lock::write(&self.slot_of(hash).cache);
        shard.check(hash, &key);
        shard.put_into(key, value, sink)
    }

    /// Runs `f` on the shard that holds (or would hold) `key`, under its exclusive lock: for
    /// what the policy offers beyond this cache's methods (an expiring shard's put with its
    /// own time to live, a policy's inherent methods). Whatever `f` does is not counted in
    /// [`info`](Self::info)'s hits and misses, and `f` must keep `key` (if it stores it) in
    /// this shard and must not call this cache. In a cache built by
    /// [`Builder::build_hashed`], `f` must not replace the shard with one of another hasher
    /// (its hits would miss; [`shards_mut`](Self::shards_mut) allows that).
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_lru::LruCache;
    ///
    /// let cache = ConcurrentCache::new(100, LruCache::new);
    /// let _ = cache.put("a", 1);
    /// // An inherent method of the policy, on the key's own shard.
    /// let mru = cache.with_shard(&"a", |shard| shard.iter().next().map(|(k, v)| (*k, *v)));
    /// assert_eq!(mru, Some(("a", 1)));
    /// ```
    pub fn with_shard<Q, R>(&self, key: &Q, f: impl FnOnce(&mut C) -> R) -> R
    where
        K: Borrow<Q>,
        Q: Hash + ?Sized,
    {
        f(&mut lock::write(&self.slot_for(key).cache).shard)
    }

    /// Removes `key` and returns its value, if it was cached.
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        C: Shard<K, V, Q>,
    {
        lock::write(&self.slot_for(key).cache).remove_borrowed(key)
    }

    /// `key`'s value, computed by `f` and stored if it is not cached, with *single-flight*
    /// loading: when several threads miss the same key at once, one runs its `f` and the
    /// others wait for that value (and never run theirs).
    ///
    /// - No lock is held while `f` runs, so `f` may use this cache, for other keys too.
    /// - Each call counts one hit (the value was cached) or one miss (it was loaded, by this
    ///   thread or by the one it waited for), as Python counts calls.
    /// - If the loader panics, nothing is cached and the panic goes on in the loader's
    ///   thread; each thread that was waiting starts again, and one of them runs its own `f`.
    /// - `f` asking for its own key (directly, or through other keys' loaders, on this thread
    ///   or across threads that wait on each other) would wait forever: instead the call that
    ///   would close that cycle runs its own `f` without waiting, as a plain recursive call
    ///   would, and stores the result.
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_sieve::SieveCache;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// let cache = ConcurrentCache::new(100, SieveCache::with_hasher);
    /// let runs = AtomicUsize::new(0);
    /// std::thread::scope(|s| {
    ///     for _ in 0..8 {
    ///         s.spawn(|| {
    ///             let v = cache.get_or_insert_with("config", || {
    ///                 runs.fetch_add(1, Ordering::Relaxed);
    ///                 std::thread::sleep(std::time::Duration::from_millis(20));
    ///                 42
    ///             });
    ///             assert_eq!(v, 42);
    ///         });
    ///     }
    /// });
    /// // Threads that missed while the load ran waited for it instead of loading again;
    /// // each of them counts a miss, as Python counts every call that did not find the value.
    /// assert_eq!(runs.load(Ordering::Relaxed), 1);
    /// let info = cache.info();
    /// assert_eq!(info.hits + info.misses, 8);
    /// ```
    pub fn get_or_insert_with<F>(&self, key: K, f: F) -> V
    where
        F: FnOnce() -> V,
        K: Clone,
        V: Clone,
        C: Shard<K, V>,
    {
        match self.load(key, || Ok::<V, Infallible>(f())) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) for a loader that can fail. An `Err`
    /// is returned to the loader's caller only and nothing is cached; each thread that was
    /// waiting for that load starts again (and one of them runs its own `f`), so an error is
    /// never shared with, or cached for, callers that did not produce it.
    ///
    /// ```
    /// use evict_sync::ConcurrentCache;
    /// use evict_fifo::FifoCache;
    ///
    /// let cache = ConcurrentCache::new(100, FifoCache::with_hasher);
    /// let r: Result<u32, String> = cache.try_get_or_insert_with(7, || Err("backend down".into()));
    /// assert_eq!(r, Err("backend down".to_string()));
    /// assert!(!cache.contains(&7)); // an error is not cached
    /// assert_eq!(cache.try_get_or_insert_with(7, || Ok::<_, String>(49)), Ok(49));
    /// ```
    pub fn try_get_or_insert_with<E, F>(&self, key: K, f: F) -> Result<V, E>
    where
        F: FnOnce() -> Result<V, E>,
        K: Clone,
        V: Clone,
        C: Shard<K, V>,
    {
        self.load(key, f)
    }

    fn load<E, F>(&self, key: K, f: F) -> Result<V, E>
    where
        F: FnOnce() -> Result<V, E>,
        K: Clone,
        V: Clone,
        C: Shard<K, V>,
    {
        let hash = self.hasher.hash_one(&key);
        let slot = self.slot_of(hash);
        if let Some(v) = Self::lookup(slot, hash, &key, V::clone) {
            self.counters.record(true);
            return Ok(v);
        }
        loop {
            let step = {
                let mut flights = lock::lock(&slot.flights);
                // A loader stores its value before it unregisters (under this lock), so here
                // we see the value or the flight, never neither. The check peeks first: a
                // second `get` that misses would count this access twice in a policy that
                // counts misses (W-TinyLFU's sketch).
                let stored = lock::read(&slot.cache).peek_borrowed(&key).is_some();
                if let Some(v) = stored
                    .then(|| Self::lookup(slot, hash, &key, V::clone))
                    .flatten()
                {
                    drop(flights);
                    self.counters.record(true);
                    return Ok(v);
                }
                match flights.find(hash, |e| e.key == key) {
                    Some(e) => Step::Wait(Arc::clone(&e.flight)),
                    None => {
                        let flight = Arc::new(Flight::new());
                        let entry = InFlight {
                            hash,
                            key: key.clone(),
                            flight: Arc::clone(&flight),
                        };
                        flights.insert_unique(hash, entry, |e| e.hash);
                        Step::Lead(flight)
                    }
                }
            };
            match step {
                Step::Lead(flight) => return self.lead(slot, hash, key, &flight, f),
                Step::Wait(flight) => {
                    if !self.waits.enter(flight.loader) {
                        // Waiting would close a cycle of loads waiting on each other.
                        return self.load_alone(slot, hash, key, f);
                    }
                    let waiting = Leave(&self.waits);
                    let got = flight.wait();
                    drop(waiting);
                    if let Some(v) = got {
                        self.counters.record(false);
                        return Ok(v);
                    }
                    // The loader failed: start again (we may become the loader).
                }
            }
        }
    }

    /// Runs `f` as the registered loader of `key`, stores and publishes its value.
    fn lead<E, F>(
        &self,
        slot: &Slot<K, V, C>,
        hash: u64,
        key: K,
        flight: &FlightRef<V>,
        f: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Result<V, E>,
        V: Clone,
        C: Shard<K, V>,
    {
        let mut guard = Abandon {
            flights: &slot.flights,
            hash,
            flight,
            armed: true,
        };
        // Counted before `f` runs, so that a panicking loader is counted too.
        self.counters.record(false);
        let value = f()?;
        {
            let mut shard = lock::write(&slot.cache);
            shard.check(hash, &key);
            let _evicted = shard.put(key, value.clone());
        }
        guard.armed = false;
        if unregister(&slot.flights, hash, flight) {
            flight.finish(Some(value.clone()));
        }
        Ok(value)
    }

    /// A load that does not wait and is not waited for (the cycle case).
    fn load_alone<E, F>(&self, slot: &Slot<K, V, C>, hash: u64, key: K, f: F) -> Result<V, E>
    where
        F: FnOnce() -> Result<V, E>,
        V: Clone,
        C: Shard<K, V>,
    {
        self.counters.record(false);
        let value = f()?;
        let mut shard = lock::write(&slot.cache);
        shard.check(hash, &key);
        let _evicted = shard.put(key, value.clone());
        Ok(value)
    }
}

/// Removes `flight` from its shard's table; says whether any waiter holds it.
fn unregister<K, V>(
    flights: &Mutex<HashTable<InFlight<K, V>>>,
    hash: u64,
    flight: &FlightRef<V>,
) -> bool {
    let mut table = lock::lock(flights);
    if let Ok(entry) = table.find_entry(hash, |e| Arc::ptr_eq(&e.flight, flight)) {
        drop(entry.remove());
    }
    // Waiters clone the flight under the table's lock, which we hold: the count is final.
    Arc::strong_count(flight) > 1
}

/// Unregisters and abandons a flight whose loader failed (returned `Err` or panicked).
struct Abandon<'a, K, V: Clone> {
    flights: &'a Mutex<HashTable<InFlight<K, V>>>,
    hash: u64,
    flight: &'a FlightRef<V>,
    armed: bool,
}

impl<K, V: Clone> Drop for Abandon<'_, K, V> {
    fn drop(&mut self) {
        if self.armed {
            unregister(self.flights, self.hash, self.flight);
            self.flight.finish(None);
        }
    }
}

/// Takes this thread out of the wait-for graph, also when a value's `Clone` panics.
struct Leave<'a>(&'a WaitsFor);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

impl<K, V, C: Cache<K, V>, S> fmt::Debug for ConcurrentCache<K, V, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentCache")
            .field("shards", &self.shards())
            .field("info", &self.info())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shard of a hash is the top bits of the mixed hash: the rotation equals the range
    /// reduction, for every power-of-two shard count.
    #[test]
    fn shard_index_is_the_range_reduction() {
        let mut x = 0x1234_5678_9ABC_DEF0u64;
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for bits in 0..=16 {
                let shards = 1usize << bits;
                let mixed = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let reduced = ((u128::from(mixed) * shards as u128) >> 64) as usize;
                assert_eq!(shard_index(x, bits, shards - 1), reduced);
            }
        }
    }

    /// With the shards hashing as the cache does, the keys of one shard still spread evenly
    /// over the 128 tags of its `hashbrown` table (the top seven bits) and over its buckets
    /// (the low bits): the shard's choice took none of those bits. Chi-square of the counts
    /// against even: a shard index taken from the top or low bits makes it thousands.
    #[test]
    fn keys_of_one_shard_spread_over_tags_and_buckets() {
        fn chi_square(counts: &[u32], total: u32) -> f64 {
            let expected = f64::from(total) / counts.len() as f64;
            counts
                .iter()
                .map(|&c| (f64::from(c) - expected).powi(2) / expected)
                .sum()
        }
        let hasher = DefaultHashBuilder::default();
        // Sequential keys (the common case) and scrambled ones.
        for scrambled in [false, true] {
            let (mut tags, mut buckets) = ([0u32; 128], [0u32; 2048]);
            let mut found = 0;
            for i in 1u64.. {
                let key = if scrambled {
                    i.wrapping_mul(0xD6E8_FEB8_6659_FD93).rotate_left(29)
                } else {
                    i
                };
                let hash = hasher.hash_one(key);
                if shard_index(hash, 12, 4095) != 5 {
                    continue;
                }
                tags[(hash >> 57) as usize] += 1;
                buckets[(hash & 2047) as usize] += 1;
                found += 1;
                if found == 60_000 {
                    break;
                }
            }
            // Even spread: chi-square about its degrees of freedom (127 and 2047; standard
            // deviations 16 and 64); the bounds are eight of those above.
            let (t, b) = (chi_square(&tags, found), chi_square(&buckets, found));
            assert!(
                t < 127.0 + 8.0 * 16.0,
                "tags: chi-square {t:.0} (scrambled {scrambled})"
            );
            assert!(
                b < 2047.0 + 8.0 * 64.0,
                "buckets: chi-square {b:.0} (scrambled {scrambled})"
            );
        }
    }
}
