#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::engine::{Entries, NO_SLOT};
use evict_slots::slab::{self, Node};
use evict_slots::weight::{Unweighted, Weighing, Weighs};
use evict_slots::{Slab, SplitMix64, Weighted};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. Hashing never influences which entry is evicted.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity a `RandomCache` accepts, `2^31 - 2` (the toolkit's limit: slots are
/// addressed by `u32`, as in the other policies). Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = evict_slots::MAX_CAPACITY;

/// The seed of [`RandomCache::new`] and [`RandomCache::with_hasher`]: the 64-bit golden
/// ratio constant, `0x9E37_79B9_7F4A_7C15`. Two caches built with the same seed and given
/// the same operations evict the same entries.
pub const DEFAULT_SEED: u64 = evict_slots::GOLDEN_GAMMA;

/// A cache that, when full, evicts an entry chosen uniformly at random among the resident
/// ones. Lookups and replacements change nothing but the value and the counters.
///
/// The choice comes from a seeded generator (SplitMix64), never from the operating system:
/// two caches with the same seed given the same operations evict the same entries, on every
/// platform. Entries live in one dense `Vec`; a hashbrown `HashTable<u32>` maps keys to
/// slots (an `evict_slots::Slab`). See the [crate docs](crate) for costs.
///
/// **The next victim** is known before it leaves: [`peek_victim`](Cache::peek_victim) shows
/// the entry the generator's next draw picks (without drawing: the 8-byte generator is
/// copied and the copy draws), [`pop`](Cache::pop) evicts it (one draw, as an eviction by
/// `put` takes), and [`resize`](Cache::resize) pops until the cache fits (one draw each),
/// then gives back the memory of the larger capacity. `put` draws once per eviction and
/// never otherwise; `remove` draws nothing, and neither does a `get_or_insert_with` whose
/// computation fails. [`clear`](Cache::clear) restarts the generator from the seed, so a
/// cleared cache makes the same choices as a new one; [`drain`](Self::drain) does not (the
/// generator goes on).
///
/// **Iteration order** ([`iter`](Self::iter), [`Cache::entries`] and the other iterators) is
/// storage order: the slots in the order they were filled, except that an evicting `put`
/// stores the new pair in its victim's slot, and `remove` and `pop` move the last slot into
/// the hole they leave. It says nothing about which entry goes next. The iterators are
/// double-ended.
///
/// Lookups take the key by reference to anything it borrows as (`&str` for `String` keys).
/// [`Extend`] puts each pair; there is no `FromIterator`, as a bounded cache needs a
/// capacity (build one with [`new`](RandomCache::new) and `extend` it).
///
/// # Examples
///
/// ```
/// use evict_random::{Cache, Put, RandomCache};
///
/// let mut cache = RandomCache::with_seed(2, 7);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.put(2, "two"), Put::Inserted);
/// let next = cache.peek_victim().map(|(k, _)| *k); // draws nothing
/// let (gone, _) = cache.put(3, "three").into_evicted().unwrap();
/// assert_eq!(Some(gone), next);
/// assert!(!cache.contains(&gone) && cache.contains(&3));
/// assert_eq!(cache.len(), 2);
/// ```
#[derive(Clone)]
pub struct RandomCache<K, V, S = DefaultHashBuilder, W: Weighing = Unweighted> {
    /// Dense: slots `0..len` are all live, in no particular order. `remove` fills its hole
    /// with the last slot.
    slab: Slab<K, Node<V, ()>, S, W>,
    capacity: u32,
    /// Where the generator starts after `new` and after every `clear`.
    seed: u64,
    rng: SplitMix64,
    stats: Stats,
}

impl<K, V> RandomCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// seeded with [`DEFAULT_SEED`], so every run of a program makes the same choices.
    /// Capacity 0 caches nothing: every `put` returns [`Put::Rejected`].
    ///
    /// ```
    /// use evict_random::{Cache, Put, RandomCache, DEFAULT_SEED};
    ///
    /// let mut none: RandomCache<u8, u8> = RandomCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=0, maxsize=0, currsize=0)");
    /// assert_eq!(RandomCache::<u8, u8>::new(4).seed(), DEFAULT_SEED);
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher_and_seed(capacity, DefaultHashBuilder::default(), DEFAULT_SEED)
    }

    /// An empty cache of at most `capacity` entries whose evictions are drawn from a
    /// generator seeded with `seed`.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let run = |seed| {
    ///     let mut cache = RandomCache::with_seed(4, seed);
    ///     (0..100).filter_map(|k| cache.put(k, ()).into_evicted()).map(|(k, _)| k).collect::<Vec<_>>()
    /// };
    /// assert_eq!(run(1), run(1)); // the same seed evicts the same keys
    /// assert_ne!(run(1), run(2));
    /// ```
    pub fn with_seed(capacity: usize, seed: u64) -> Self {
        Self::with_hasher_and_seed(capacity, DefaultHashBuilder::default(), seed)
    }
}

impl<K, V, S> RandomCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`, seeded
    /// with [`DEFAULT_SEED`].
    ///
    /// ```
    /// use evict_random::{Cache, DefaultHashBuilder, RandomCache};
    ///
    /// let cache: RandomCache<u64, u64> = RandomCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self::with_hasher_and_seed(capacity, hasher, DEFAULT_SEED)
    }

    /// An empty cache of at most `capacity` entries that hashes keys with `hasher` and draws
    /// its evictions from a generator seeded with `seed`. The hasher has no influence on the
    /// choices: the same seed and operations evict the same keys whatever the hasher.
    ///
    /// ```
    /// use evict_random::{Cache, DefaultHashBuilder, RandomCache};
    ///
    /// let cache: RandomCache<u64, u64> =
    ///     RandomCache::with_hasher_and_seed(100, DefaultHashBuilder::default(), 42);
    /// assert_eq!((cache.capacity(), cache.seed()), (Some(100), 42));
    /// ```
    pub fn with_hasher_and_seed(capacity: usize, hasher: S, seed: u64) -> Self {
        Self {
            slab: Slab::with_hasher(hasher),
            capacity: capacity.min(MAX_CAPACITY) as u32,
            seed,
            rng: SplitMix64::new(seed),
            stats: Stats::default(),
        }
    }
}

impl<K, V, F> RandomCache<K, V, DefaultHashBuilder, Weighted<F>> {
    /// An empty cache bounded by weight: `weigher` gives each entry's weight (bytes,
    /// usually) and the entries' total stays at most `capacity`, seeded with
    /// [`DEFAULT_SEED`]. A newcomer that does not fit evicts uniformly drawn entries until
    /// it does. See the crate docs' *Capacity by weight* for the rules.
    ///
    /// ```
    /// use evict_random::{Cache, Put, RandomCache};
    ///
    /// let mut cache = RandomCache::with_weigher(10, |_: &u32, v: &Vec<u8>| v.len() as u64);
    /// assert_eq!(cache.put(1, vec![0; 6]), Put::Inserted);
    /// assert_eq!(cache.put(2, vec![0; 4]), Put::Inserted);
    /// assert!(matches!(cache.put(3, vec![0; 5]), Put::Evicted(..)));
    /// assert_eq!(cache.put(4, vec![0; 11]), Put::Rejected(4, vec![0; 11]));
    /// assert!(cache.weight() <= 10);
    /// ```
    pub fn with_weigher(capacity: u64, weigher: F) -> Self {
        Self::with_weigher_hasher_and_seed(
            capacity,
            weigher,
            DefaultHashBuilder::default(),
            DEFAULT_SEED,
        )
    }
}

impl<K, V, S, F> RandomCache<K, V, S, Weighted<F>> {
    /// [`with_weigher`](Self::with_weigher) with the hasher `hasher` and the seed `seed`.
    pub fn with_weigher_hasher_and_seed(capacity: u64, weigher: F, hasher: S, seed: u64) -> Self {
        Self {
            slab: Slab::with_weigher(
                hasher,
                evict_slots::SPARE_FLOOR,
                Weighted(weigher),
                capacity,
            ),
            capacity: capacity.min(MAX_CAPACITY as u64) as u32,
            seed,
            rng: SplitMix64::new(seed),
            stats: Stats::default(),
        }
    }
}

impl<K, V, S, W: Weighing> RandomCache<K, V, S, W> {
    /// The seed the cache was built with. The generator restarts from it on
    /// [`clear`](Cache::clear), so a cleared cache makes the same choices as a new one.
    ///
    /// ```
    /// use evict_random::RandomCache;
    ///
    /// assert_eq!(RandomCache::<u8, u8>::with_seed(3, 99).seed(), 99);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Checks that the slots and the index agree.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.slab.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        self.slab.check();
    }
}

evict_slots::slab_cache! {
    cache = RandomCache;
    weigher = W;
    item = Node<V, ()>;
    iter = slab::Iter<'a, K, Node<V, ()>>;
    order = "in storage order (see the type's docs: it says nothing about what goes next)";
    example_order = [1, 2, 3];
    example_pops = [(2, 20), (1, 10)];
}

evict_slots::slab_cache_impl! {
    /// The toolkit's view of the cache: random eviction as `SlabCache` primitives.
    #[doc(hidden)]
    impl<K, V, S, W: Weighs<K, V>> SlabCache for RandomCache<K, V, S, W> {
        item = Node<V, ()>;
        iter = slab::Iter<'a, K, Node<V, ()>>;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> slab::Iter<'_, K, Node<V, ()>> {
        self.slab.iter()
    }

    /// Storage order is the layout already.
    fn lay_out(&mut self) {}

    fn victim(&self) -> Option<u32> {
        let len = self.slab.len() as u32;
        (len > 0).then(|| self.rng.peek_below(len))
    }

    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        f.field("seed", &self.seed)
            .field("entries", &Entries(self.slab.iter()));
    }
}

/// The policy's rules as `SlabPolicy` primitives.
#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> evict_slots::SlabPolicy
    for RandomCache<K, V, S, W>
{
    /// A hit changes nothing (a random cache keeps no recency).
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        &mut self.slab.item_mut(i).value
    }

    /// The hit changes nothing (nor does it draw from the generator), so the default
    /// `hit_shared`, which does nothing, records it exactly.
    const SHARED_HIT: bool = true;

    /// In a free slot if there is one, else in the slot of a uniformly drawn victim (one
    /// draw of the generator). Always inlined: called out of line (as LLVM chooses once it
    /// has three callers), `put`'s evictions were 4-8% slower (the pair and the returned
    /// slot go through memory); inlined, `put` pays nothing for the slot.
    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        let capacity = self.capacity as usize;
        if capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        if self.slab.len() < capacity {
            let node = Node { value, links: () };
            return (Put::Inserted, self.slab.push(hash, key, node, capacity));
        }
        // Full: a uniformly chosen slot takes the new pair in place.
        let victim = self.rng.below(self.slab.len() as u32);
        let (old_key, old) = self
            .slab
            .replace(victim, hash, key, Node { value, links: () });
        (Put::Evicted(old_key, old.value), victim)
    }

    /// The last slot moves into the gap; nothing is drawn.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        let (key, node, _) = self.slab.swap_remove_hashed(i, hash);
        (key, node.value)
    }

    fn pop(&mut self) -> Option<(K, V)> {
        if self.slab.is_empty() {
            return None;
        }
        let i = self.rng.below(self.slab.len() as u32);
        let (key, node, _) = self.slab.swap_remove(i);
        Some((key, node.value))
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY);
        let shrinks = capacity < self.capacity as usize;
        let mut gone = Vec::new();
        if !shrinks {
            self.capacity = capacity as u32;
            return gone;
        }
        gone.reserve_exact(self.slab.len().saturating_sub(capacity));
        while self.slab.len() > capacity {
            gone.extend(evict_slots::SlabPolicy::pop(self));
        }
        // Only now: a pop whose `Hash` panics leaves the old capacity, which the cache fits.
        self.capacity = capacity as u32;
        self.slab.shrink_to(capacity);
        if capacity > 0 && self.slab.len() == capacity {
            self.slab.settle(capacity);
        }
        gone
    }

    /// Also restarts the generator from the seed.
    fn clear(&mut self) {
        self.rng = SplitMix64::new(self.seed);
        self.stats.reset();
        // The slab last: a value's `Drop` may panic while it empties, and everything
        // else must be reset by then (the slab itself forgets its slots first).
        self.slab.clear();
    }

    fn drained(&mut self) {}
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
            check_get_shared(&RandomCache::new(capacity), &ShardOp::decode(&raw), |c, k| c.get_shared(k));
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
            RandomCache::new(64),
            &plan,
            |c, k| c.get_shared(k),
            |c: &RandomCache<u64, u64>| c.check_invariants(),
        );
        assert_eq!(evicted.len(), 32);
    }

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<RandomCache<alloc::string::String, Vec<u8>>>();
    }
}
