//! The primitives of a cache whose entries live in a [`Slab`], in two traits: [`SlabCache`]
//! (the slab, the statistics, the capacity and the policy's order, for every key type) and
//! [`SlabPolicy`] (what the policy does on a hit, an insertion, a removal and an eviction,
//! for hashable keys); and evict's whole cache API built on them once, as their provided
//! methods (lookups by borrowed key, statistics, `put` and `put_mut` on one path, the
//! one-lookup `get_or_insert_with`, `peek_victim`, iteration, `drain`, `Debug`).
//! [`slab_cache!`](crate::slab_cache) gives a policy crate's type its public API from them,
//! and [`slab_cache_impl!`](crate::slab_cache_impl) writes the accessors of `SlabCache`.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::{CacheInfo, Fetched, Put, Stats};

use crate::slab::{self, Item, Slab};

/// "No slot": what [`SlabPolicy::insert`] returns for a pair it rejected.
pub const NO_SLOT: u32 = u32::MAX;

/// A cache whose entries live in a [`Slab`], as the toolkit sees it whatever the key type:
/// its slab, its statistics and capacity, and its order (iteration, and the layout of the
/// slots in that order). The provided methods are the part of evict's cache API that needs
/// no hashing (each has the meaning of `evict_core::Cache`'s method of that name);
/// [`SlabPolicy`] adds the rest.
pub trait SlabCache {
    /// The key type.
    type Key;
    /// The value type.
    type Value;
    /// What a slot keeps beside its key: the value and the policy's links or counts.
    type Item: Item<Value = Self::Value>;
    /// The hasher of the slab.
    type Hasher;
    /// The entries in the policy's iteration order, by reference.
    type Iter<'a>: DoubleEndedIterator<Item = (&'a Self::Key, &'a Self::Value)>
        + ExactSizeIterator
        + core::iter::FusedIterator
        + Clone
    where
        Self: 'a;

    /// The slab of entries.
    fn slab(&self) -> &Slab<Self::Key, Self::Item, Self::Hasher>;

    /// The slab of entries, to change items in place (a policy's links stay its own).
    fn slab_mut(&mut self) -> &mut Slab<Self::Key, Self::Item, Self::Hasher>;

    /// The hit and miss counts.
    fn stats(&self) -> &Stats;

    /// The hit and miss counts, to count.
    fn stats_mut(&mut self) -> &mut Stats;

    /// The capacity.
    fn capacity(&self) -> usize;

    /// The entries in the policy's order, by reference.
    fn iter(&self) -> Self::Iter<'_>;

    /// Lays the slots out in iteration order (see [`Slab::relayout`]), changing nothing
    /// the policy can tell: the iterators that hand out values by `&mut` or by value then
    /// walk the slots in memory order.
    fn lay_out(&mut self);

    /// The slot the next eviction takes, changing nothing (`None` if empty).
    fn victim(&self) -> Option<u32>;

    /// Adds the policy's own fields to the `Debug` output, between the capacity and the
    /// statistics.
    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        Self::Key: fmt::Debug,
        Self::Value: fmt::Debug;

    /// Entries held.
    #[inline(always)]
    fn len(&self) -> usize {
        self.slab().len()
    }

    /// Whether no entry is held.
    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.slab().is_empty()
    }

    /// Hits, misses, capacity and size.
    fn info(&self) -> CacheInfo {
        self.stats().info(Some(self.capacity()), self.len())
    }

    /// The entry the next eviction takes ([`SlabPolicy::pop`]'s), changing nothing.
    fn peek_victim(&self) -> Option<(&Self::Key, &Self::Value)> {
        let (key, item) = self.slab().get(self.victim()?)?;
        Some((key, item.value()))
    }

    /// The entries in iteration order, each value mutable (laid out first: see
    /// [`lay_out`](Self::lay_out)).
    fn iter_mut(&mut self) -> slab::IterMut<'_, Self::Key, Self::Item> {
        self.lay_out();
        self.slab_mut().iter_mut()
    }

    /// Every entry in iteration order, by value (the cache is left empty).
    fn take_all(&mut self) -> slab::IntoIter<Self::Key, Self::Item> {
        self.lay_out();
        self.slab_mut().take()
    }

    /// `Debug` output for the cache type `name`: its capacity, the policy's fields and the
    /// statistics.
    fn fmt_debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        Self::Key: fmt::Debug,
        Self::Value: fmt::Debug,
    {
        let mut d = f.debug_struct(name);
        d.field("capacity", &self.capacity());
        self.fmt_fields(&mut d);
        d.field("stats", self.stats()).finish()
    }
}

/// What a [`SlabCache`]'s policy does on a hit, an insertion, a removal and an eviction, for
/// hashable keys. The provided methods are the rest of evict's cache API, written once in
/// those terms (each has the meaning of `evict_core::Cache`'s method of that name; lookups
/// take any borrowed form of the key); [`slab_cache!`](crate::slab_cache) makes them a
/// policy type's inherent methods and its `Cache` implementation.
///
/// The required methods are called only as their docs say (a slot number is always
/// `< len`), and must keep the slab, the statistics and the policy's own state in
/// agreement.
pub trait SlabPolicy: SlabCache
where
    Self::Key: Hash + Eq,
    Self::Hasher: BuildHasher,
{
    /// A lookup hit slot `i` (counted already): the policy records the access (promotes,
    /// sets a flag, counts a frequency) and returns the value.
    fn hit(&mut self, i: u32) -> &mut Self::Value;

    /// A lookup missed `key` (counted already); nothing by default.
    #[inline(always)]
    fn missed<Q: Hash + ?Sized>(&mut self, key: &Q) {
        let _ = key;
    }

    /// A `put` found its key in slot `i`, whose value it replaces next: the policy records
    /// the access and returns the value. By default, a [`hit`](Self::hit).
    #[inline(always)]
    fn replaced(&mut self, i: u32) -> &mut Self::Value {
        self.hit(i)
    }

    /// Inserts `key` (not cached, hashing to `hash`), evicting what the policy evicts, and
    /// returns what `put` reports and the new entry's slot ([`NO_SLOT`] if rejected).
    fn insert(
        &mut self,
        hash: u64,
        key: Self::Key,
        value: Self::Value,
    ) -> (Put<Self::Key, Self::Value>, u32);

    /// Takes slot `i` (whose key hashes to `hash`) out of the cache: `remove` found it.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (Self::Key, Self::Value);

    /// `remove` found no entry for the key hashing to `hash`; nothing by default (a policy
    /// may forget a ghost).
    #[inline]
    fn forget(&mut self, hash: u64) {
        let _ = hash;
    }

    /// Evicts and returns what a `put` of a new key into the full cache would evict.
    fn pop(&mut self) -> Option<(Self::Key, Self::Value)>;

    /// Sets the capacity: see `evict_core::Cache::resize`.
    fn resize(&mut self, capacity: usize) -> Vec<(Self::Key, Self::Value)>;

    /// Drops every entry, gives the memory back and resets the statistics.
    fn clear(&mut self);

    /// Whether [`hit_shared`](Self::hit_shared) records a hit exactly as [`hit`](Self::hit)
    /// does, safely from many threads at once through `&self` (`evict_core::Shard`'s
    /// `SHARED_HIT`). `false` by default: a policy whose hit moves entries (LRU, ARC,
    /// W-TinyLFU) needs `&mut self`.
    const SHARED_HIT: bool = false;

    /// A hit on slot `i` through `&self`, possibly from many threads at once: the policy
    /// records the access as [`hit`](Self::hit) does, through atomics. Called only when
    /// [`SHARED_HIT`](Self::SHARED_HIT) is `true`. Nothing by default, right for a policy
    /// whose hit changes nothing (FIFO, random eviction).
    #[inline(always)]
    fn hit_shared(&self, i: u32) {
        let _ = i;
    }

    /// The slots, laid out, are about to be drained: the policy forgets them (its lists
    /// become empty); statistics, capacity and what the policy learnt stay.
    fn drained(&mut self);

    /// Looks `key` up, counts a hit or a miss, and tells the policy; returns the value.
    #[inline(always)]
    fn get<Q>(&mut self, key: &Q) -> Option<&Self::Value>
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_mut(key).map(|value| &*value)
    }

    /// [`get`](Self::get), returning the value to change.
    #[inline(always)]
    fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut Self::Value>
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // The index's hit is the only one inline (see `Slab::find_hashed`): the hot path
        // keeps the index's bounds check for the hit's uses of the slot. A partial index's
        // search costs the miss one flag test; it is inline (a call would take the key's
        // address, and the caller would store the key in memory on every lookup, hits
        // included), its hit out of line (a second inline copy of a policy's hit takes
        // registers the hot path then saves and restores: 4 more instructions per ARC hit).
        let hash = self.slab().hash(key);
        if let Some(i) = self.slab().find_indexed(hash, key) {
            self.stats_mut().hit();
            return Some(self.hit(i));
        }
        if let Some(i) = self.slab().find_unindexed(key) {
            return Some(hit_unindexed(self, i));
        }
        self.stats_mut().miss();
        self.missed(key);
        None
    }

    /// Looks `key` up without counting it or telling the policy.
    #[inline(always)]
    fn peek<Q>(&self, key: &Q) -> Option<&Self::Value>
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slab = self.slab();
        slab.find(key).map(|i| slab.item(i).value())
    }

    /// Looks `key` up through `&self` and, if it is cached, records the access as
    /// [`get`](Self::get) does ([`hit_shared`](Self::hit_shared)) without counting it:
    /// `evict_core::Shard::get_shared`. Meaningful only when
    /// [`SHARED_HIT`](Self::SHARED_HIT) is `true`.
    #[inline(always)]
    fn get_shared<Q>(&self, key: &Q) -> Option<&Self::Value>
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // As in `get_mut`, the index's hit apart from a partial index's (a shared hit is
        // small enough to copy).
        let slab = self.slab();
        let hash = slab.hash(key);
        if let Some(i) = slab.find_indexed(hash, key) {
            self.hit_shared(i);
            return Some(slab.item(i).value());
        }
        let i = slab.find_unindexed(key)?;
        self.hit_shared(i);
        Some(slab.item(i).value())
    }

    /// [`peek`](Self::peek), returning the value to change.
    #[inline]
    fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut Self::Value>
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slab = self.slab_mut();
        let i = slab.find(key)?;
        Some(slab.item_mut(i).value_mut())
    }

    /// Whether `key` is cached; counts nothing.
    #[inline]
    fn contains<Q>(&self, key: &Q) -> bool
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.slab().find(key).is_some()
    }

    /// Removes `key` and returns its value, if cached; counts nothing.
    fn remove<Q>(&mut self, key: &Q) -> Option<Self::Value>
    where
        Self::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.slab().hash(key);
        match self.slab().find_hashed(hash, key) {
            Some(i) => {
                let (key, value) = self.remove_slot(i, hash);
                drop(key); // before the answer is built: see `put_slot`
                Some(value)
            }
            None => {
                self.forget(hash);
                None
            }
        }
    }

    /// Inserts or replaces, evicting if full; see `evict_core::Cache::put`.
    #[inline(always)]
    fn put(&mut self, key: Self::Key, value: Self::Value) -> Put<Self::Key, Self::Value> {
        self.put_slot(key, value).0
    }

    /// [`put`](Self::put), also returning the stored value (`None` if rejected).
    #[inline(always)]
    #[allow(clippy::type_complexity)]
    fn put_mut(
        &mut self,
        key: Self::Key,
        value: Self::Value,
    ) -> (Put<Self::Key, Self::Value>, Option<&mut Self::Value>) {
        let (put, i) = self.put_slot(key, value);
        (
            put,
            (i != NO_SLOT).then(|| self.slab_mut().item_mut(i).value_mut()),
        )
    }

    /// What [`put`](Self::put) did, and the slot that holds the pair ([`NO_SLOT`] if it was
    /// rejected).
    #[inline(always)]
    fn put_slot(
        &mut self,
        key: Self::Key,
        value: Self::Value,
    ) -> (Put<Self::Key, Self::Value>, u32) {
        let hash = self.slab().hash(&key);
        // One lookup, unlike `get_mut`: a second path would keep more values live across
        // the probe loop (measured: 8 more instructions per put-evict), and a replacement
        // is the rarer put.
        if let Some(i) = self.slab().find_hashed(hash, &key) {
            let old = core::mem::replace(self.replaced(i), value);
            // The spare key is dropped before the answer is built: a `Drop` that panics
            // would otherwise leak the answer, never dropped (rust-lang/rust#47949).
            drop(key);
            return (Put::Replaced(old), i);
        }
        self.insert(hash, key, value)
    }

    /// The value of `key`, from `f` on a miss; one lookup either way: a hit counts one hit
    /// and tells the policy as [`get`](Self::get) does; a miss counts one miss, runs `f`
    /// once and inserts its value as [`put`](Self::put) does, reusing the hash.
    ///
    /// # Errors
    ///
    /// The error `f` returned; nothing was inserted, the miss is counted.
    fn try_get_or_insert_with<E>(
        &mut self,
        key: Self::Key,
        f: impl FnOnce() -> Result<Self::Value, E>,
    ) -> Result<Fetched<'_, Self::Key, Self::Value>, E> {
        let hash = self.slab().hash(&key);
        if let Some(i) = self.slab().find_hashed(hash, &key) {
            self.stats_mut().hit();
            return Ok(Fetched::Hit(self.hit(i)));
        }
        self.stats_mut().miss();
        self.missed(&key);
        let value = f()?;
        let (put, i) = self.insert(hash, key, value);
        let stored = (i != NO_SLOT).then(|| self.slab_mut().item_mut(i).value_mut());
        Ok(Fetched::from_put(put, stored))
    }

    /// [`try_get_or_insert_with`](Self::try_get_or_insert_with) for a value that is always
    /// there.
    fn get_or_insert_with(
        &mut self,
        key: Self::Key,
        f: impl FnOnce() -> Self::Value,
    ) -> Fetched<'_, Self::Key, Self::Value> {
        match self.try_get_or_insert_with(key, || Ok::<_, core::convert::Infallible>(f())) {
            Ok(fetched) => fetched,
            Err(never) => match never {},
        }
    }

    /// Removes every entry and yields them in iteration order; statistics and capacity stay,
    /// and so does the memory. Dropping the iterator early drops the rest.
    fn drain(&mut self) -> slab::Drain<'_, Self::Key, Self::Item> {
        self.lay_out();
        self.drained();
        self.slab_mut().drain()
    }
}

/// Entries printed as a map, for [`SlabCache::fmt_fields`]: a policy's lists in order.
///
/// ```
/// use evict_slots::engine::Entries;
///
/// let pairs = [(1, 'a'), (2, 'b')];
/// let shown = Entries(pairs.iter().map(|(k, v)| (k, v)));
/// assert_eq!(format!("{shown:?}"), "{1: 'a', 2: 'b'}");
/// ```
pub struct Entries<I>(pub I);

impl<I, K, V> fmt::Debug for Entries<I>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: fmt::Debug,
    V: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.clone()).finish()
    }
}

/// The hit of [`SlabPolicy::get_mut`] on slot `i`, which a partial index's search found:
/// out of line (see `get_mut`).
#[cold]
#[inline(never)]
fn hit_unindexed<P>(policy: &mut P, i: u32) -> &mut P::Value
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    policy.stats_mut().hit();
    policy.hit(i)
}
