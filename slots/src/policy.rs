//! [`RingCache`]: a whole cache over a [`Ring`], for any policy that is an order of its
//! entries plus, at most, a flag per entry ([`RingPolicy`]: LRU, FIFO, CLOCK, SIEVE).
//!
//! The policy says where a newcomer goes, what a hit does and which entry an eviction
//! takes; everything else (lookups by borrowed key, statistics, the one-lookup
//! `get_or_insert_with`, `pop`, `resize`, iteration, `drain`) is written once here, and the
//! [`ring_cache!`](crate::ring_cache) macro gives a policy crate its public type with the
//! whole API.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::{CacheInfo, Fetched, Put, Stats};

use crate::ring::{self, Flags, MAX_LEN, NIL, Ring};

/// An eviction policy over a [`Ring`]: its anchors into the circle and its rules. The
/// methods that take the ring may read it and move links and flags, and must leave every
/// anchor on a slot of the ring (or `NIL` when it is empty, or where the policy allows it).
///
/// A policy lists its entries along `next` from [`start`](Self::start): that is its
/// iteration order, and what `drain`, `into_iter` and `Debug` show.
pub trait RingPolicy {
    /// Whether entries carry a flag bit ([`ring::Flagged`]) or not ([`ring::Plain`]).
    type Flags: Flags;

    /// The policy of an empty ring: every anchor `NIL`.
    const EMPTY: Self;

    /// The name of the entry list in `Debug` output, e.g. `"most_recent_first"`.
    const ORDER: &'static str;

    /// The anchors (slots or `NIL`), which the ring repoints when slots move or leave.
    fn anchors(&self) -> &[u32];

    /// The anchors, to repoint.
    fn anchors_mut(&mut self) -> &mut [u32];

    /// Where iteration starts (the first anchor unless the policy says otherwise).
    #[inline]
    fn start(&self) -> u32 {
        self.anchors()[0]
    }

    /// Slot `i` was read by a hit, or its value replaced by a `put`.
    fn hit<K, V, S>(&mut self, ring: &mut Ring<K, V, S, Self::Flags>, i: u32);

    /// Adds a new key (not full yet) and returns its slot: one of the ring's `push_front`,
    /// `push_back` or `insert_before`, with `max_len` passed on.
    fn insert<K: Hash + Eq, V, S: BuildHasher>(
        &mut self,
        ring: &mut Ring<K, V, S, Self::Flags>,
        hash: u64,
        key: K,
        value: V,
        max_len: usize,
    ) -> u32;

    /// Picks the victim of an eviction in a non-empty ring, doing what the policy does on
    /// the way (clearing flags, moving a hand), and returns its slot. The caller then
    /// either puts a newcomer in that slot and calls [`replaced`](Self::replaced), or
    /// takes the slot out (`pop`).
    fn evict<K, V, S>(&mut self, ring: &mut Ring<K, V, S, Self::Flags>) -> u32;

    /// The newcomer of a full cache now sits in slot `i`, the victim's: put it where
    /// newcomers go.
    fn replaced<K, V, S>(&mut self, ring: &mut Ring<K, V, S, Self::Flags>, i: u32);

    /// The slot [`evict`](Self::evict) would return now, changing nothing.
    fn victim<K, V, S>(&self, ring: &Ring<K, V, S, Self::Flags>) -> u32;

    /// Slot `i` is about to leave the ring (`remove`, `pop`); the ring then moves any
    /// anchor on it to the next slot. Nothing to do by default.
    #[inline]
    fn removing<K, V, S>(&mut self, ring: &Ring<K, V, S, Self::Flags>, i: u32) {
        let _ = (ring, i);
    }

    /// Adds the policy's own fields to the cache's `Debug` output (after the entries).
    /// Nothing by default.
    fn fmt_fields<K: fmt::Debug, V, S>(
        &self,
        ring: &Ring<K, V, S, Self::Flags>,
        f: &mut fmt::DebugStruct<'_, '_>,
    ) {
        let _ = (ring, f);
    }
}

/// A bounded cache over a [`Ring`] with the eviction policy `P`: the engine under the
/// `LruCache`, `FifoCache`, `ClockCache` and `SieveCache` of evict, which wrap it with
/// [`ring_cache!`](crate::ring_cache). Its methods have the meaning of
/// `evict_core::Cache`'s; lookups take any borrowed form of the key.
///
/// ```
/// use evict_slots::ring::{Plain, Ring, NIL};
/// use evict_slots::{DefaultHashBuilder, RingCache, RingPolicy};
///
/// /// FIFO in a dozen lines: list from the oldest, evict it, hits change nothing.
/// struct Fifo([u32; 1]);
/// impl RingPolicy for Fifo {
///     type Flags = Plain;
///     const EMPTY: Self = Fifo([NIL]);
///     const ORDER: &'static str = "oldest_first";
///     fn anchors(&self) -> &[u32] { &self.0 }
///     fn anchors_mut(&mut self) -> &mut [u32] { &mut self.0 }
///     fn hit<K, V, S>(&mut self, _: &mut Ring<K, V, S, Plain>, _: u32) {}
///     fn insert<K: std::hash::Hash + Eq, V, S: std::hash::BuildHasher>(
///         &mut self, ring: &mut Ring<K, V, S, Plain>, hash: u64, key: K, value: V, max: usize,
///     ) -> u32 {
///         ring.push_back(&mut self.0[0], hash, key, value, max)
///     }
///     fn evict<K, V, S>(&mut self, _: &mut Ring<K, V, S, Plain>) -> u32 { self.0[0] }
///     fn replaced<K, V, S>(&mut self, ring: &mut Ring<K, V, S, Plain>, i: u32) {
///         self.0[0] = ring.next(i);
///     }
///     fn victim<K, V, S>(&self, _: &Ring<K, V, S, Plain>) -> u32 { self.0[0] }
/// }
///
/// let mut cache: RingCache<String, u32, DefaultHashBuilder, Fifo> =
///     RingCache::with_hasher(2, DefaultHashBuilder::default());
/// let _ = cache.put("a".to_string(), 1);
/// let _ = cache.put("b".to_string(), 2);
/// assert_eq!(cache.get("a"), Some(&1));
/// assert_eq!(cache.pop(), Some(("a".to_string(), 1)));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=1)");
/// ```
pub struct RingCache<K, V, S, P: RingPolicy> {
    ring: Ring<K, V, S, P::Flags>,
    policy: P,
    capacity: u32,
    stats: Stats,
}

impl<K: Clone, V: Clone, S: Clone, P: RingPolicy + Clone> Clone for RingCache<K, V, S, P> {
    fn clone(&self) -> Self {
        Self {
            ring: self.ring.clone(),
            policy: self.policy.clone(),
            capacity: self.capacity,
            stats: self.stats,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, P: RingPolicy> fmt::Debug for RingCache<K, V, S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_debug("RingCache", f)
    }
}

impl<K, V, S, P: RingPolicy> RingCache<K, V, S, P> {
    /// An empty cache of at most `capacity` entries (clamped to [`MAX_LEN`]) that hashes
    /// keys with `hasher`; allocates nothing.
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.min(MAX_LEN);
        Self {
            ring: Ring::with_hasher(hasher),
            policy: P::EMPTY,
            capacity: capacity as u32,
            stats: Stats::default(),
        }
    }

    /// The ring, to read (for a policy's own inherent methods and tests).
    #[inline]
    pub fn ring(&self) -> &Ring<K, V, S, P::Flags> {
        &self.ring
    }

    /// The policy's anchors, to read.
    #[inline]
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// Entries held.
    #[inline]
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether no entry is held.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// The capacity.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.capacity as usize
    }

    /// Hits, misses, capacity and size.
    pub fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.ring.len())
    }

    /// Drops every entry, gives the memory back and resets the counters.
    pub fn clear(&mut self) {
        self.ring.clear();
        self.policy.anchors_mut().fill(NIL);
        self.stats.reset();
    }

    /// The entries in the policy's order, by reference.
    #[inline]
    pub fn iter(&self) -> ring::Iter<'_, K, V> {
        self.ring.iter_from(self.policy.start())
    }

    /// The entries in the policy's order, each value mutable (the slots are first laid
    /// out in that order, see [`Ring::relayout`]: O(len), nothing allocated, nothing the
    /// policy can tell).
    pub fn iter_mut(&mut self) -> ring::IterMut<'_, K, V> {
        let start = self.policy.start();
        self.ring.iter_mut_from(start, self.policy.anchors_mut())
    }

    /// Removes every entry and yields them in the policy's order; statistics and capacity
    /// stay, and so does the memory.
    pub fn drain(&mut self) -> ring::Drain<'_, K, V> {
        let start = self.policy.start();
        self.ring.drain_from(start, self.policy.anchors_mut())
    }

    /// The entry [`pop`](Self::pop) would remove, changing nothing.
    pub fn peek_victim(&self) -> Option<(&K, &V)> {
        if self.ring.is_empty() {
            return None;
        }
        self.ring.get(self.policy.victim(&self.ring))
    }

    /// Checks that the ring, the anchors, the slots and the index agree and that `len`
    /// fits the capacity. Panics with what is wrong. For tests.
    pub fn check(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.ring.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        for &anchor in self.policy.anchors() {
            assert!(
                anchor == NIL || (anchor as usize) < n,
                "anchor {anchor} outside {n} slots"
            );
        }
        self.ring.check(self.policy.start());
    }

    /// `Debug` output for the cache type `name`: its capacity, its entries in order under
    /// the policy's [`ORDER`](RingPolicy::ORDER) name, the policy's own fields and the
    /// statistics.
    pub fn fmt_debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        struct Entries<'a, K, V>(ring::Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        let mut d = f.debug_struct(name);
        d.field("capacity", &self.capacity)
            .field(P::ORDER, &Entries(self.iter()));
        self.policy.fmt_fields(&self.ring, &mut d);
        d.field("stats", &self.stats).finish()
    }
}

impl<K, V, S, P> RingCache<K, V, S, P>
where
    K: Hash + Eq,
    S: BuildHasher,
    P: RingPolicy,
{
    /// Looks `key` up, counts a hit or a miss, and tells the policy of a hit.
    #[inline(always)]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find_counted(key)?;
        Some(self.ring.value(i))
    }

    /// [`get`](Self::get), returning the value to change.
    #[inline(always)]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find_counted(key)?;
        Some(self.ring.value_mut(i))
    }

    #[inline(always)]
    fn find_counted<Q>(&mut self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.ring.find(key) {
            Some(i) => {
                self.stats.hit();
                self.policy.hit(&mut self.ring, i);
                Some(i)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    /// Looks `key` up without counting it or telling the policy.
    #[inline(always)]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ring.find(key).map(|i| self.ring.value(i))
    }

    /// [`peek`](Self::peek), returning the value to change.
    #[inline]
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.ring.find(key)?;
        Some(self.ring.value_mut(i))
    }

    /// Whether `key` is cached; counts nothing.
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ring.find(key).is_some()
    }

    /// Removes `key` and returns its value, if cached.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.ring.hash(key);
        let i = self.ring.find_hashed(hash, key)?;
        self.policy.removing(&self.ring, i);
        let anchors = self.policy.anchors_mut();
        Some(self.ring.remove_hashed(i, hash, anchors).1)
    }

    /// Inserts or replaces, evicting if full; see `evict_core::Cache::put`.
    #[inline(always)]
    pub fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.put_at(key, value).0
    }

    /// [`put`](Self::put), also returning the stored value (`None` if rejected).
    #[inline(always)]
    pub fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let (put, i) = self.put_at(key, value);
        let value = if i == NIL {
            None
        } else {
            Some(self.ring.value_mut(i))
        };
        (put, value)
    }

    /// What `put` did and the slot the pair is in (`NIL` if rejected).
    #[inline(always)]
    fn put_at(&mut self, key: K, value: V) -> (Put<K, V>, u32) {
        let hash = self.ring.hash(&key);
        if let Some(i) = self.ring.find_hashed(hash, &key) {
            self.policy.hit(&mut self.ring, i);
            let old = core::mem::replace(self.ring.value_mut(i), value);
            return (Put::Replaced(old), i);
        }
        self.put_new(hash, key, value)
    }

    /// `put` of a key known to be absent, hashing to `hash`.
    #[inline(always)]
    fn put_new(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        let capacity = self.capacity as usize;
        if capacity == 0 {
            return (Put::Rejected(key, value), NIL);
        }
        if self.ring.len() < capacity {
            let i = self
                .policy
                .insert(&mut self.ring, hash, key, value, capacity);
            return (Put::Inserted, i);
        }
        // Full: the newcomer takes the victim's slot in place (no slot moves, few links do).
        let victim = self.policy.evict(&mut self.ring);
        let (old_key, old_value) = self.ring.replace(victim, hash, key, value);
        self.policy.replaced(&mut self.ring, victim);
        (Put::Evicted(old_key, old_value), victim)
    }

    /// The value of `key`, from `f` on a miss; one lookup either way. See
    /// `evict_core::Cache::try_get_or_insert_with`.
    ///
    /// # Errors
    ///
    /// The error `f` returned; nothing was inserted, the miss is counted.
    pub fn try_get_or_insert_with<E>(
        &mut self,
        key: K,
        f: impl FnOnce() -> Result<V, E>,
    ) -> Result<Fetched<'_, K, V>, E> {
        let hash = self.ring.hash(&key);
        if let Some(i) = self.ring.find_hashed(hash, &key) {
            self.stats.hit();
            self.policy.hit(&mut self.ring, i);
            return Ok(Fetched::Hit(self.ring.value_mut(i)));
        }
        self.stats.miss();
        let value = f()?;
        Ok(match self.put_new(hash, key, value) {
            (Put::Rejected(k, v), _) => Fetched::Rejected(k, v),
            (Put::Evicted(k, v), i) => Fetched::Evicted(self.ring.value_mut(i), k, v),
            (_, i) => Fetched::Inserted(self.ring.value_mut(i)),
        })
    }

    /// [`try_get_or_insert_with`](Self::try_get_or_insert_with) for a value that is always
    /// there.
    pub fn get_or_insert_with(&mut self, key: K, f: impl FnOnce() -> V) -> Fetched<'_, K, V> {
        match self.try_get_or_insert_with(key, || Ok::<V, core::convert::Infallible>(f())) {
            Ok(fetched) => fetched,
            Err(never) => match never {},
        }
    }

    /// Evicts and returns what a `put` of a new key into the full cache would evict.
    pub fn pop(&mut self) -> Option<(K, V)> {
        if self.ring.is_empty() {
            return None;
        }
        let victim = self.policy.evict(&mut self.ring);
        self.policy.removing(&self.ring, victim);
        Some(self.ring.remove(victim, self.policy.anchors_mut()))
    }

    /// Sets the capacity (clamped to [`MAX_LEN`]); shrinking pops until the cache fits and
    /// gives back the memory it no longer needs, and returns the popped pairs in order.
    pub fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_LEN);
        let mut evicted = Vec::new();
        while self.ring.len() > capacity {
            evicted.extend(self.pop());
        }
        if capacity < self.capacity as usize {
            self.ring.shrink_to(capacity);
        }
        self.capacity = capacity as u32;
        evicted
    }
}

impl<K, V, S, P: RingPolicy> IntoIterator for RingCache<K, V, S, P> {
    type Item = (K, V);
    type IntoIter = ring::IntoIter<K, V>;

    /// The entries in the policy's order, by value.
    fn into_iter(self) -> ring::IntoIter<K, V> {
        let start = self.policy.start();
        self.ring.into_iter_from(start)
    }
}
