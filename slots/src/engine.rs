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

use evict_core::{CacheInfo, Fetched, Put, Removal, Sink, Stats};

use crate::slab::{self, Item, Slab};
use crate::weight::{Extra, Weigher, Weighing, Weighs};

/// "No slot": what [`SlabPolicy::insert`] returns for a pair it rejected.
pub const NO_SLOT: u32 = u32::MAX;

/// The [`Slab`] of a [`SlabCache`] `C`: of its key, item, hasher, weigher and per-slot
/// extra types.
pub type SlabOf<C> = Slab<
    <C as SlabCache>::Key,
    <C as SlabCache>::Item,
    <C as SlabCache>::Hasher,
    <C as SlabCache>::Weigher,
    <C as SlabCache>::Extra,
>;

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
    /// How the cache weighs its entries: [`Unweighted`](crate::weight::Unweighted) (a
    /// capacity in entries) or [`Weighted`](crate::Weighted) (see [`crate::weight`]).
    type Weigher: Weighs<Self::Key, Self::Value>;
    /// What the slab keeps in each slot beside its key and item (see [`Slab`]): `()`, or
    /// the weigher's [`Slot`](Weighing::Slot) for a policy that keeps each weight in its
    /// slot. [`slab_cache_impl!`](crate::slab_cache_impl) writes `()` unless told.
    type Extra: Extra;
    /// The entries in the policy's iteration order, by reference.
    type Iter<'a>: DoubleEndedIterator<Item = (&'a Self::Key, &'a Self::Value)>
        + ExactSizeIterator
        + core::iter::FusedIterator
        + Clone
    where
        Self: 'a;

    /// The slab of entries.
    fn slab(&self) -> &SlabOf<Self>;

    /// The slab of entries, to change items in place (a policy's links stay its own).
    fn slab_mut(&mut self) -> &mut SlabOf<Self>;

    /// The hit and miss counts.
    fn stats(&self) -> &Stats;

    /// The hit and miss counts, to count.
    fn stats_mut(&mut self) -> &mut Stats;

    /// The capacity: in entries, or for a weighted cache in weight units (its slab's
    /// [`budget`](Slab::budget), saturated to `usize`).
    fn capacity(&self) -> usize;

    /// The most entries the policy holds now: the capacity of an unweighted cache; for a
    /// weighted one, `min(capacity, MAX_CAPACITY)` or the count a policy fitted itself to
    /// (see [`SlabPolicy::weight_full`]).
    fn count_capacity(&self) -> usize;

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

    /// The total weight of the entries (`len` for an unweighted cache).
    #[inline(always)]
    fn weight(&self) -> u64 {
        self.slab().total_weight()
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
    fn iter_mut(&mut self) -> slab::IterMut<'_, Self::Key, Self::Item, Self::Extra> {
        self.lay_out();
        self.slab_mut().iter_mut()
    }

    /// Every entry in iteration order, by value (the cache is left empty).
    fn take_all(&mut self) -> slab::IntoIter<Self::Key, Self::Item, Self::Extra> {
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

    /// A weighted cache replaced the value of slot `i` in place, and its weight went from
    /// `old` to `new` (already set in the slab): a policy that keeps the weight of its lists
    /// updates it. Nothing by default; never called for an unweighted cache.
    #[inline]
    fn reweighed(&mut self, i: u32, old: u64, new: u64) {
        let _ = (i, old, new);
    }

    /// Whether the policy makes a weighted eviction in two steps, [`choose_victim`] then
    /// [`evict_chosen`] or [`replace_chosen`], so that a weighted put whose last eviction
    /// makes room puts the newcomer in the victim's slot, as an unweighted put-evict does
    /// (one index update, no slot moved). Otherwise each eviction is a [`pop`](Self::pop)
    /// and the newcomer an [`insert`](Self::insert) into the room it left.
    ///
    /// [`choose_victim`]: Self::choose_victim
    /// [`evict_chosen`]: Self::evict_chosen
    /// [`replace_chosen`]: Self::replace_chosen
    const IN_PLACE: bool = false;

    /// Chooses the entry the next eviction takes, doing what the policy does on the way
    /// (as `pop` does), and leaves it in place for [`evict_chosen`](Self::evict_chosen) or
    /// [`replace_chosen`](Self::replace_chosen). Called on a non-empty cache, only when
    /// [`IN_PLACE`](Self::IN_PLACE). By default the victim `peek_victim` shows.
    fn choose_victim(&mut self) -> u32 {
        self.victim().unwrap_or(NO_SLOT)
    }

    /// Evicts the entry [`choose_victim`](Self::choose_victim) chose, as `pop` would. By
    /// default, `pop` (which takes what `peek_victim` showed).
    fn evict_chosen(&mut self, i: u32) -> (Self::Key, Self::Value) {
        let _ = i;
        match self.pop() {
            Some(pair) => pair,
            None => unreachable!("choose_victim is called on a non-empty cache"),
        }
    }

    /// Evicts the entry [`choose_victim`](Self::choose_victim) chose and puts `key` (not
    /// cached, hashing to `hash`) in its slot, where the policy puts newcomers; returns the
    /// evicted pair and the newcomer's slot. By default, `evict_chosen` then `insert`.
    fn replace_chosen(
        &mut self,
        i: u32,
        hash: u64,
        key: Self::Key,
        value: Self::Value,
    ) -> (Self::Key, Self::Value, u32) {
        let (k, v) = self.evict_chosen(i);
        let (_, slot) = self.insert(hash, key, value);
        (k, v, slot)
    }

    /// A weighted cache is about to make room for `key` (not cached, hashing to `hash`, not
    /// rejected): called once per weighted insertion, before its first eviction (and before
    /// [`insert`](Self::insert) or [`replace_chosen`](Self::replace_chosen) places it), so
    /// that a policy whose reference meets the newcomer before evicting for it can do so
    /// (libCacheSim's S3-FIFO looks the newcomer up in its ghost before the evictions push
    /// their victims there). Nothing by default; never called for an unweighted cache.
    #[inline(always)]
    fn admitting(&mut self, hash: u64) {
        let _ = hash;
    }

    /// A weighted cache is full by weight for the first time since it was made or resized:
    /// its next insertion evicts to make room. A policy whose own sizes are counts of
    /// entries (lists, ghosts, a sketch) that a budget of bytes cannot give sets them here
    /// from the entries it holds (ARC, W-TinyLFU, LIRS, 2Q resize themselves to `len()`).
    /// Nothing by default; never called for an unweighted cache.
    #[inline]
    fn weight_full(&mut self) {}

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

    /// Sets the capacity in entries: see `evict_core::Cache::resize`. For a weighted cache
    /// this is its count capacity, `min(capacity, MAX_CAPACITY)`; [`resize_to`](Self::resize_to)
    /// sets the weight capacity and calls it.
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
        if !<Self::Weigher as Weighing>::UNIT {
            return put_weighed_first(self, key, value);
        }
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
        let (put, i) = if <Self::Weigher as Weighing>::UNIT {
            self.insert(hash, key, value)
        } else {
            let weight = self.slab().weigher().weigh(&key, &value);
            insert_weighed_first(self, hash, key, value, weight)
        };
        let stored = (i != NO_SLOT).then(|| self.slab_mut().item_mut(i).value_mut());
        Ok(Fetched::from_put(put, stored))
    }

    /// [`put`](Self::put), handing every pair that leaves the cache to `sink` in order:
    /// `evict_core::Cache::put_into`. The returned `Put` is never `Evicted`.
    fn put_into(
        &mut self,
        key: Self::Key,
        value: Self::Value,
        sink: &mut dyn Sink<Self::Key, Self::Value>,
    ) -> Put<Self::Key, Self::Value> {
        if <Self::Weigher as Weighing>::UNIT {
            return match self.put(key, value) {
                Put::Evicted(k, v) => {
                    sink.removed(k, v, Removal::Evicted);
                    Put::Inserted
                }
                other => other,
            };
        }
        put_weighed(self, key, value, &mut SinkRef(sink)).0
    }

    /// Sets the capacity, in weight units for a weighted cache: `evict_core::Cache::resize`.
    /// An unweighted cache's is its [`resize`](Self::resize). A weighted cache pops in the
    /// policy's order until its weight fits, then sets its count capacity
    /// (`min(capacity, MAX_CAPACITY)`, which may pop more) with `resize`.
    fn resize_to(&mut self, capacity: usize) -> Vec<(Self::Key, Self::Value)> {
        if <Self::Weigher as Weighing>::UNIT {
            return self.resize(capacity);
        }
        let budget = capacity as u64;
        let mut popped = Vec::new();
        while self.slab().total_weight() > budget {
            match self.pop() {
                Some(pair) => popped.push(pair),
                None => break,
            }
        }
        // The budget before the policy's own resize, which sets the policy's sizes from it;
        // they are fitted again when the cache next fills by weight.
        self.slab_mut().set_budget(budget);
        self.slab_mut().set_fitted(false);
        popped.extend(self.resize(capacity));
        popped
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
    fn drain(&mut self) -> slab::Drain<'_, Self::Key, Self::Item, Self::Extra> {
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

/// The sink of a weighted `put` that reports one pair: it keeps the first evicted pair for
/// `Put::Evicted` and drops the others (`evict_core::Cache::put`'s rule for a cache that
/// evicts several).
struct First<K, V>(Option<(K, V)>);

impl<K, V> Sink<K, V> for First<K, V> {
    fn removed(&mut self, key: K, value: V, _why: Removal) {
        if self.0.is_none() {
            self.0 = Some((key, value));
        }
    }
}

impl<K, V> First<K, V> {
    /// `put`'s answer: an insertion that evicted reports the first pair it evicted.
    fn merge(self, put: Put<K, V>) -> Put<K, V> {
        match (put, self.0) {
            (Put::Inserted, Some((k, v))) => Put::Evicted(k, v),
            (put, _) => put,
        }
    }
}

/// A `&mut dyn Sink` as a sized sink.
struct SinkRef<'a, K, V>(&'a mut dyn Sink<K, V>);

impl<K, V> Sink<K, V> for SinkRef<'_, K, V> {
    #[inline]
    fn removed(&mut self, key: K, value: V, why: Removal) {
        self.0.removed(key, value, why);
    }
}

/// A weighted cache's `put` (see [`crate::weight`] for the rules): every pair that leaves
/// goes to `sink`; the answer is `Inserted`, `Replaced` or `Rejected`, with the slot of the
/// stored pair ([`NO_SLOT`] if rejected). The weigher runs first, before anything changes.
#[inline]
fn put_weighed<P>(
    p: &mut P,
    key: P::Key,
    value: P::Value,
    sink: &mut impl Sink<P::Key, P::Value>,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    let weight = p.slab().weigher().weigh(&key, &value);
    let hash = p.slab().hash(&key);
    match p.slab().find_hashed(hash, &key) {
        Some(i) => replace_weighed(p, i, hash, key, value, weight, sink),
        None => insert_weighed_as(p, hash, key, value, weight, sink),
    }
}

/// [`put_weighed`] for a plain `put`, which reports the first pair evicted and drops the
/// others ([`First`]): the same steps, but the usual put-evict (one eviction) builds its
/// answer directly rather than through a sink kept in memory.
#[inline(always)]
fn put_weighed_first<P>(p: &mut P, key: P::Key, value: P::Value) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    let weight = p.slab().weigher().weigh(&key, &value);
    let hash = p.slab().hash(&key);
    match p.slab().find_hashed(hash, &key) {
        Some(i) => {
            let mut first = First(None);
            let (put, i) = replace_weighed(p, i, hash, key, value, weight, &mut first);
            (first.merge(put), i)
        }
        None => insert_weighed_first(p, hash, key, value, weight),
    }
}

/// A weighted `put` of `key`, found in slot `i` (see [`put_weighed`]): the value is
/// replaced in place if its weight `weight` fits, else the key re-enters as a newcomer
/// once the policy has made room, or leaves if it alone is heavier than the capacity.
fn replace_weighed<P>(
    p: &mut P,
    i: u32,
    hash: u64,
    key: P::Key,
    value: P::Value,
    weight: u64,
    sink: &mut impl Sink<P::Key, P::Value>,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    let budget = p.slab().budget();
    if weight > budget {
        // Too heavy to keep: the key leaves rather than keep a stale value.
        let (old_key, old_value) = p.remove_slot(i, hash);
        sink.removed(old_key, old_value, Removal::Evicted);
        return (Put::Rejected(key, value), NO_SLOT);
    }
    let was = p.slab().weight(i);
    let others = p.slab().total_weight() - was;
    if weight <= budget.saturating_sub(others) {
        let old = core::mem::replace(p.replaced(i), value);
        p.slab_mut().set_weight(i, weight);
        p.reweighed(i, was, weight);
        drop(key); // before the answer is built: see `put_slot`
        return (Put::Replaced(old), i);
    }
    // Heavier, and the others must make room: the key steps out, the policy evicts others
    // until the new value fits, and the key comes back as a newcomer (never evicted to make
    // room for itself).
    let (old_key, old) = p.remove_slot(i, hash);
    drop(key);
    let (put, j) = insert_weighed_as(p, hash, old_key, value, weight, sink);
    debug_assert!(
        matches!(put, Put::Inserted),
        "a weight that fits is inserted"
    );
    (Put::Replaced(old), j)
}

/// The usual put of a new key into a cache full by weight, where one eviction makes room
/// (every put-evict of a cache whose entries weigh alike), inline: it does what the general
/// path [`insert_weighed_rest`] does in that case, in the same order. On that path it
/// returns `done` (the newcomer took the slot of the pair `(k, v)` evicted for it); when one
/// eviction was not enough, `evicted` (the pair evicted so far; [`evict_and_insert`] is
/// what is left to do); otherwise it is `rest` ([`insert_weighed_rest`]'s case). The
/// general path alone (out of line, its sink and answer in memory) cost a weighted LRU
/// put-evict 81 instructions more than an unweighted one (callgrind, 100,000 entries,
/// constant weigher). A macro rather than a function: an answer handed back through an enum
/// went through memory, 3 instructions more per put-evict (weighted LRU 253.8 against
/// 250.8).
macro_rules! in_victim {
    (
        $p:ident, $hash:ident, $key:ident, $value:ident, $weight:ident,
        done($k:ident, $v:ident, $slot:ident) => $done:expr,
        evicted($ek:ident, $ev:ident) => $evicted:expr,
        rest => $rest:expr $(,)?
    ) => {{
        let budget = $p.slab().budget();
        if P::IN_PLACE && $weight <= budget {
            let room = budget - $weight;
            let total = $p.slab().total_weight();
            // Full by weight and fitted already: the general path's first steps
            // (`weight_full`, the un-fitting, which needs `total <= room`) would do nothing,
            // and its eviction loop starts here. A positive total means a slot to evict.
            if total > room && $p.slab().is_fitted() {
                $p.slab_mut().set_pending_weight($weight);
                $p.admitting($hash);
                let victim = $p.choose_victim();
                if total - $p.slab().weight(victim) <= room {
                    let ($k, $v, $slot) = $p.replace_chosen(victim, $hash, $key, $value);
                    return $done;
                }
                let ($ek, $ev) = $p.evict_chosen(victim);
                return $evicted;
            }
        }
        $rest
    }};
}

/// [`insert_weighed_as`] for a plain `put` ([`First`]; see [`put_weighed_first`]).
#[inline(always)]
fn insert_weighed_first<P>(
    p: &mut P,
    hash: u64,
    key: P::Key,
    value: P::Value,
    weight: u64,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    in_victim!(
        p, hash, key, value, weight,
        done(k, v, slot) => (Put::Evicted(k, v), slot),
        evicted(k, v) => insert_rest_first(p, hash, key, value, weight, Some((k, v))),
        rest => insert_rest_first(p, hash, key, value, weight, None),
    )
}

/// The rest of [`insert_weighed_first`], out of line: its sink lives here.
#[inline(never)]
fn insert_rest_first<P>(
    p: &mut P,
    hash: u64,
    key: P::Key,
    value: P::Value,
    weight: u64,
    evicted: Option<(P::Key, P::Value)>,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    let placed = evicted.is_some();
    let mut first = First(evicted);
    let (put, i) = if placed {
        evict_and_insert(p, hash, key, value, weight, &mut first)
    } else {
        insert_weighed_rest(p, hash, key, value, weight, &mut first)
    };
    (first.merge(put), i)
}

/// Inserts `key` (not cached, hashing to `hash`) of weight `weight`: rejected if heavier
/// than the capacity, else the policy evicts ([`SlabPolicy::pop`]) until it fits, then
/// inserts it (evicting one more itself if the count capacity is reached). Every pair that
/// leaves goes to `sink`.
#[inline]
fn insert_weighed_as<P>(
    p: &mut P,
    hash: u64,
    key: P::Key,
    value: P::Value,
    weight: u64,
    sink: &mut impl Sink<P::Key, P::Value>,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    in_victim!(
        p, hash, key, value, weight,
        done(k, v, slot) => {
            sink.removed(k, v, Removal::Evicted);
            (Put::Inserted, slot)
        },
        evicted(k, v) => {
            sink.removed(k, v, Removal::Evicted);
            evict_and_insert(p, hash, key, value, weight, sink)
        },
        rest => insert_weighed_rest(p, hash, key, value, weight, sink),
    )
}

/// [`insert_weighed_as`] in general, out of line: rejects a pair heavier than the capacity,
/// fits the policy's counts when the cache first fills by weight (or un-fits them), then
/// [`evict_and_insert`].
#[inline(never)]
fn insert_weighed_rest<P>(
    p: &mut P,
    hash: u64,
    key: P::Key,
    value: P::Value,
    weight: u64,
    sink: &mut impl Sink<P::Key, P::Value>,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    let budget = p.slab().budget();
    if weight > budget {
        return (Put::Rejected(key, value), NO_SLOT);
    }
    // `weight <= budget`, so the room needed never underflows.
    if p.slab().total_weight() > budget - weight && !p.slab().is_fitted() {
        p.slab_mut().set_fitted(true);
        p.weight_full();
    }
    let count = p.count_capacity();
    if (count as u64) < budget
        && p.slab().len() >= count
        && p.slab().total_weight() <= budget - weight
    {
        // Full by count while the weight fits: a count the policy fitted (`weight_full`)
        // when its entries were heavier is too small now. Unfit it (the count capacity back
        // to `min(capacity, MAX_CAPACITY)`, evicting nothing), so that the next fill by
        // weight fits it again to the entries then held. (A policy that fits nothing has
        // the count `min(capacity, MAX_CAPACITY)`: only a budget above `MAX_CAPACITY` comes
        // here, and its resize changes nothing.)
        let popped = p.resize(usize::try_from(budget).unwrap_or(usize::MAX));
        debug_assert!(popped.is_empty(), "growing evicts nothing");
        if p.count_capacity() > count {
            p.slab_mut().set_fitted(false);
        }
    }
    p.slab_mut().set_pending_weight(weight);
    p.admitting(hash);
    evict_and_insert(p, hash, key, value, weight, sink)
}

/// The end of [`insert_weighed_rest`] (and of [`insert_weighed_as`]'s inline path when one
/// eviction was not enough): the policy evicts until `key`, of weight `weight` (at most the
/// capacity, and already the slab's pending weight), fits, then inserts it.
#[inline(never)]
fn evict_and_insert<P>(
    p: &mut P,
    hash: u64,
    key: P::Key,
    value: P::Value,
    weight: u64,
    sink: &mut impl Sink<P::Key, P::Value>,
) -> (Put<P::Key, P::Value>, u32)
where
    P: SlabPolicy + ?Sized,
    P::Key: Hash + Eq,
    P::Hasher: BuildHasher,
{
    let room = p.slab().budget() - weight;
    if P::IN_PLACE {
        // The evictions `pop` would make, the last one replaced in place by the newcomer
        // (no slot moves, one index update), as an unweighted put-evict does.
        while p.slab().total_weight() > room && !p.slab().is_empty() {
            let victim = p.choose_victim();
            if p.slab().total_weight() - p.slab().weight(victim) <= room {
                let (k, v, slot) = p.replace_chosen(victim, hash, key, value);
                sink.removed(k, v, Removal::Evicted);
                return (Put::Inserted, slot);
            }
            let (k, v) = p.evict_chosen(victim);
            sink.removed(k, v, Removal::Evicted);
        }
    } else {
        while p.slab().total_weight() > room {
            match p.pop() {
                Some((k, v)) => sink.removed(k, v, Removal::Evicted),
                None => break,
            }
        }
    }
    let (put, i) = p.insert(hash, key, value);
    if i != NO_SLOT {
        // Already so if the policy pushed or replaced a slot for it (the pending weight);
        // this covers a policy that moved the pair after.
        p.slab_mut().set_weight(i, weight);
    }
    match put {
        Put::Evicted(k, v) => {
            // The count capacity was reached (entries of weight 0), or an admission
            // filter refused the newcomer itself: either way the pair left.
            sink.removed(k, v, Removal::Evicted);
            (Put::Inserted, i)
        }
        other => (other, i),
    }
}
