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

use core::marker::PhantomData;

use evict_core::{CacheInfo, Fetched, Put, Stats};

use crate::ring::{self, Flags, MAX_LEN, NIL, Ring};

/// The two anchors a [`RingCache`] keeps into its circle for its policy: slots, or `NIL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchors {
    /// The first entry of the policy's order, where iteration starts: LRU's most recently
    /// used, FIFO's oldest, CLOCK's hand, SIEVE's newest. `NIL` iff the ring is empty.
    pub start: u32,
    /// A second anchor for a policy that needs one (SIEVE's hand, `NIL` for "at the
    /// tail"); `NIL` otherwise.
    pub hand: u32,
}

impl Anchors {
    /// Both `NIL`: the anchors of an empty ring.
    pub const EMPTY: Self = Self {
        start: NIL,
        hand: NIL,
    };
}

/// An eviction policy over a [`Ring`] listed from [`Anchors::start`] along `next`: that
/// order is the policy's iteration order, what `drain`, `into_iter` and `Debug` show.
///
/// The rules are mostly declarative: where newcomers go ([`NEWEST_FIRST`](Self::NEWEST_FIRST)),
/// what a hit does ([`PROMOTE`](Self::PROMOTE), and a set flag for [`ring::Flagged`]
/// policies), and which entry an eviction takes ([`victim`](Self::victim), and
/// [`evict`](Self::evict) where evicting changes more than the victim's slot). A `put` of a
/// new key into the full cache puts it in the victim's slot, then where newcomers go.
pub trait RingPolicy {
    /// Whether entries carry a flag bit ([`ring::Flagged`]: a hit sets it) or not
    /// ([`ring::Plain`]).
    type Flags: Flags;

    /// The name of the entry list in `Debug` output, e.g. `"most_recent_first"`.
    const ORDER: &'static str;

    /// Whether newcomers go first in the order (at the start: LRU, SIEVE) or last (just
    /// before the start: FIFO, CLOCK).
    const NEWEST_FIRST: bool;

    /// Whether a hit (or a `put` replacing a value) moves the entry to the start (LRU).
    const PROMOTE: bool = false;

    /// The slot the next eviction takes in a non-empty ring; changes nothing.
    fn victim<K, V, S>(ring: &Ring<K, V, S, Self::Flags>, at: &Anchors) -> u32;

    /// Evicts in a non-empty ring: returns [`victim`](Self::victim)'s slot, doing what the
    /// policy does on the way (clearing flags, moving a hand). The caller then puts a
    /// newcomer in that slot, or takes the slot out (`pop`). By default, only the victim.
    #[inline(always)]
    fn evict<K, V, S>(ring: &mut Ring<K, V, S, Self::Flags>, at: &mut Anchors) -> u32 {
        Self::victim(ring, at)
    }

    /// Slot `i` is about to leave the ring (`remove`, `pop`); the ring then moves an anchor
    /// on it to the next slot. Nothing else by default.
    #[inline]
    fn removing<K, V, S>(ring: &Ring<K, V, S, Self::Flags>, at: &mut Anchors, i: u32) {
        let _ = (ring, at, i);
    }

    /// Adds the policy's own fields to the cache's `Debug` output (after the entries).
    /// Nothing by default.
    fn fmt_fields<K: fmt::Debug, V, S>(
        ring: &Ring<K, V, S, Self::Flags>,
        at: &Anchors,
        f: &mut fmt::DebugStruct<'_, '_>,
    ) {
        let _ = (ring, at, f);
    }
}

/// A bounded cache over a [`Ring`] with the eviction policy `P`: the engine under the
/// `LruCache`, `FifoCache`, `ClockCache` and `SieveCache` of evict, which wrap it with
/// [`ring_cache!`](crate::ring_cache). Its methods have the meaning of
/// `evict_core::Cache`'s; lookups take any borrowed form of the key.
///
/// ```
/// use evict_slots::policy::Anchors;
/// use evict_slots::ring::{Plain, Ring};
/// use evict_slots::{DefaultHashBuilder, RingCache, RingPolicy};
///
/// /// FIFO: newcomers go last, hits change nothing, evictions take the first.
/// enum Fifo {}
/// impl RingPolicy for Fifo {
///     type Flags = Plain;
///     const ORDER: &'static str = "oldest_first";
///     const NEWEST_FIRST: bool = false;
///     fn victim<K, V, S>(_: &Ring<K, V, S, Plain>, at: &Anchors) -> u32 {
///         at.start
///     }
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
    at: Anchors,
    capacity: u32,
    stats: Stats,
    policy: PhantomData<P>,
}

impl<K: Clone, V: Clone, S: Clone, P: RingPolicy> Clone for RingCache<K, V, S, P> {
    fn clone(&self) -> Self {
        Self {
            ring: self.ring.clone(),
            at: self.at,
            capacity: self.capacity,
            stats: self.stats,
            policy: PhantomData,
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
            at: Anchors::EMPTY,
            capacity: capacity as u32,
            stats: Stats::default(),
            policy: PhantomData,
        }
    }

    /// The ring, to read (for a policy's own inherent methods and tests).
    #[inline]
    pub fn ring(&self) -> &Ring<K, V, S, P::Flags> {
        &self.ring
    }

    /// The policy's anchors, to read.
    #[inline]
    pub fn anchors(&self) -> &Anchors {
        &self.at
    }

    /// Runs `f` on the ring and the anchors as a slice (for the ring's methods that repoint
    /// them).
    #[inline]
    fn anchored<R>(&mut self, f: impl FnOnce(&mut Ring<K, V, S, P::Flags>, &mut [u32]) -> R) -> R {
        let mut anchors = [self.at.start, self.at.hand];
        let result = f(&mut self.ring, &mut anchors);
        [self.at.start, self.at.hand] = anchors;
        result
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
        self.at = Anchors::EMPTY;
        self.stats.reset();
    }

    /// The entries in the policy's order, by reference.
    #[inline]
    pub fn iter(&self) -> ring::Iter<'_, K, V> {
        self.ring.iter_from(self.at.start)
    }

    /// The entries in the policy's order, each value mutable (the slots are first laid
    /// out in that order, see [`Ring::relayout`]: O(len), nothing allocated, nothing the
    /// policy can tell).
    pub fn iter_mut(&mut self) -> ring::IterMut<'_, K, V> {
        let mut anchors = [self.at.start, self.at.hand];
        let iter = self.ring.iter_mut_from(self.at.start, &mut anchors);
        [self.at.start, self.at.hand] = anchors;
        iter
    }

    /// Removes every entry and yields them in the policy's order; statistics and capacity
    /// stay, and so does the memory.
    pub fn drain(&mut self) -> ring::Drain<'_, K, V> {
        let start = self.at.start;
        self.at = Anchors::EMPTY;
        self.ring.drain_from(start, &mut [])
    }

    /// The entry [`pop`](Self::pop) would remove, changing nothing.
    pub fn peek_victim(&self) -> Option<(&K, &V)> {
        if self.ring.is_empty() {
            return None;
        }
        self.ring.get(P::victim(&self.ring, &self.at))
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
        for anchor in [self.at.start, self.at.hand] {
            assert!(
                anchor == NIL || (anchor as usize) < n,
                "anchor {anchor} outside {n} slots"
            );
        }
        self.ring.check(self.at.start);
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
        P::fmt_fields(&self.ring, &self.at, &mut d);
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
        self.find_counted(key).map(|value| &*value)
    }

    /// [`get`](Self::get), returning the value to change.
    #[inline(always)]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_counted(key)
    }

    /// Slot `i` was hit, or its value is about to be replaced: an LRU promotes it, a flag
    /// is set. Returns the value.
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        if P::PROMOTE {
            self.ring.move_to_front(&mut self.at.start, i);
        }
        self.ring.touch(i)
    }

    /// The value of `key`, after counting a hit and telling the policy, or `None` after
    /// counting a miss.
    #[inline(always)]
    fn find_counted<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.ring.find(key) {
            Some(i) => {
                self.stats.hit();
                Some(self.hit(i))
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

    /// The flag of `key`'s entry (CLOCK's reference bit, SIEVE's visited bit; always clear
    /// for a [`ring::Plain`] policy), or `None` if `key` is not cached. Counts nothing.
    #[inline]
    pub fn flag<Q>(&self, key: &Q) -> Option<bool>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ring.find(key).map(|i| self.ring.flag(i))
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
        P::removing(&self.ring, &mut self.at, i);
        let (_, value) = self.anchored(|ring, anchors| ring.remove_hashed(i, hash, anchors));
        Some(value)
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
            let old = core::mem::replace(self.hit(i), value);
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
        let start = &mut self.at.start;
        if self.ring.len() < capacity {
            let i = if P::NEWEST_FIRST {
                self.ring.push_front(start, hash, key, value, capacity);
                *start
            } else {
                self.ring.push_back(start, hash, key, value, capacity)
            };
            return (Put::Inserted, i);
        }
        // Full: the newcomer takes the victim's slot in place (no slot moves), then goes
        // where newcomers go: for the usual victim (LRU's last, FIFO's first, CLOCK's hand)
        // turning the circle one step is all it takes, and no link is written.
        let victim = P::evict(&mut self.ring, &mut self.at);
        let (old_key, old_value) = self.ring.replace(victim, hash, key, value);
        let start = &mut self.at.start;
        if P::NEWEST_FIRST {
            self.ring.move_to_front(start, victim);
        } else if victim == *start {
            *start = self.ring.next(victim);
        } else if self.ring.prev(*start) != victim {
            self.ring.move_before(*start, victim);
        }
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
            return Ok(Fetched::Hit(self.hit(i)));
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
        let victim = P::evict(&mut self.ring, &mut self.at);
        P::removing(&self.ring, &mut self.at, victim);
        Some(self.anchored(|ring, anchors| ring.remove(victim, anchors)))
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
        self.ring.into_iter_from(self.at.start)
    }
}

#[cfg(test)]
mod tests;
