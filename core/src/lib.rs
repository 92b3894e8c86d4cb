#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

// `alloc` only for the `Box<C>` forwarding impl, so `Box<dyn Cache<K, V>>` is a cache too.
extern crate alloc;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

mod removal;
mod shard;
mod weight;
pub use removal::{Removal, Sink};
pub use shard::Shard;
pub use weight::{Unweighted, Weigher};

/// Statistics of a cache, with the meaning of Python's `functools` `cache_info()`.
///
/// `hits` and `misses` count [`Cache::get`] calls since the cache was created or last
/// [cleared](Cache::clear); `maxsize` is the capacity (`None` for an unbounded cache) and
/// `currsize` the number of entries held now.
///
/// `Display` prints exactly what Python prints:
///
/// ```
/// use evict_core::CacheInfo;
///
/// let info = CacheInfo { hits: 28, misses: 31, maxsize: Some(32), currsize: 31 };
/// assert_eq!(info.to_string(), "CacheInfo(hits=28, misses=31, maxsize=32, currsize=31)");
///
/// let unbounded = CacheInfo { hits: 0, misses: 2, maxsize: None, currsize: 2 };
/// assert_eq!(unbounded.to_string(), "CacheInfo(hits=0, misses=2, maxsize=None, currsize=2)");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CacheInfo {
    /// `get` calls that found their key.
    pub hits: u64,
    /// `get` calls that did not find their key.
    pub misses: u64,
    /// The capacity: in entries, or for a weighted cache in the weigher's units (bytes,
    /// usually); `None` for an unbounded cache.
    pub maxsize: Option<usize>,
    /// The number of entries the cache holds now.
    pub currsize: usize,
}

impl CacheInfo {
    /// Hits divided by lookups (`hits + misses`), or `0.0` before the first lookup.
    ///
    /// ```
    /// use evict_core::CacheInfo;
    ///
    /// let info = CacheInfo { hits: 3, misses: 1, maxsize: Some(8), currsize: 1 };
    /// assert_eq!(info.hit_ratio(), 0.75);
    /// assert_eq!(CacheInfo::default().hit_ratio(), 0.0);
    /// ```
    pub fn hit_ratio(&self) -> f64 {
        let lookups = self.hits + self.misses;
        if lookups == 0 {
            0.0
        } else {
            self.hits as f64 / lookups as f64
        }
    }
}

impl fmt::Display for CacheInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CacheInfo(hits={}, misses={}, maxsize=",
            self.hits, self.misses
        )?;
        match self.maxsize {
            Some(n) => write!(f, "{n}")?,
            None => f.write_str("None")?,
        }
        write!(f, ", currsize={})", self.currsize)
    }
}

/// What a [`Cache::put`] did. Every value that leaves the cache is handed back, so nothing is
/// dropped silently.
///
/// ```
/// use evict_core::Put;
///
/// let put: Put<&str, i32> = Put::Evicted("old", 1);
/// assert!(put.is_kept());
/// assert_eq!(put.into_evicted(), Some(("old", 1)));
///
/// let rejected: Put<&str, i32> = Put::Rejected("new", 2);
/// assert!(!rejected.is_kept());
/// ```
///
/// `Put` is `#[must_use]`: an eviction is not ignored by accident. Say so with `let _ =`.
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn put_and_forget(cache: &mut dyn evict_core::Cache<u8, u8>) {
///     cache.put(1, 1); // error: unused `Put` that must be used
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "a `Put` may carry an evicted or rejected pair; ignore it with `let _ =` if that is intended"]
pub enum Put<K, V> {
    /// The key was absent and is now cached; nothing left the cache.
    Inserted,
    /// The key was present; its value was replaced and the old value is returned.
    Replaced(V),
    /// The key was absent and is now cached; to make room, this other entry left the cache.
    Evicted(K, V),
    /// The new pair was not kept and is handed back: a cache of capacity 0 keeps nothing, and
    /// an admission filter (W-TinyLFU's) may refuse a newcomer it deems less valuable than
    /// what it would have to evict.
    Rejected(K, V),
}

impl<K, V> Put<K, V> {
    /// Whether the pair passed to `put` is now in the cache (everything but
    /// [`Put::Rejected`]).
    pub fn is_kept(&self) -> bool {
        !matches!(self, Put::Rejected(..))
    }

    /// The entry that left the cache to make room, if any.
    pub fn into_evicted(self) -> Option<(K, V)> {
        match self {
            Put::Evicted(k, v) => Some((k, v)),
            _ => None,
        }
    }
}

/// A key-value cache with a bounded (or unbounded) size and an eviction policy.
///
/// Every policy of `evict` implements this trait, so a program switches policy by changing
/// one type name, and a simulator can hold `Box<dyn Cache<K, V>>` chosen at run time (the
/// trait has no generic methods, so it is dyn-compatible).
///
/// The vocabulary is Python's `functools`: [`info`](Cache::info) is `cache_info()`,
/// [`clear`](Cache::clear) is `cache_clear()`, and `capacity() == None` is `maxsize=None`.
///
/// # Examples
///
/// A toy implementation (the real policies are in the `evict-*` crates): a cache of at most
/// one entry (its capacity is 0 or 1).
///
/// ```
/// use evict_core::{Cache, CacheInfo, Put, Stats};
///
/// #[derive(Debug)]
/// struct One { slot: Option<(u32, &'static str)>, capacity: usize, stats: Stats }
///
/// impl One {
///     fn new(capacity: usize) -> Self { One { slot: None, capacity: capacity.min(1), stats: Stats::default() } }
/// }
///
/// impl Cache<u32, &'static str> for One {
///     fn get(&mut self, key: &u32) -> Option<&&'static str> {
///         self.get_mut(key).map(|v| &*v)
///     }
///     fn get_mut(&mut self, key: &u32) -> Option<&mut &'static str> {
///         let hit = self.slot.as_ref().is_some_and(|(k, _)| k == key);
///         self.stats.record(hit);
///         self.slot.as_mut().filter(|_| hit).map(|(_, v)| v)
///     }
///     fn peek(&self, key: &u32) -> Option<&&'static str> {
///         self.slot.as_ref().filter(|(k, _)| k == key).map(|(_, v)| v)
///     }
///     fn peek_mut(&mut self, key: &u32) -> Option<&mut &'static str> {
///         self.slot.as_mut().filter(|(k, _)| k == key).map(|(_, v)| v)
///     }
///     fn put(&mut self, key: u32, value: &'static str) -> Put<u32, &'static str> {
///         self.put_mut(key, value).0
///     }
///     fn put_mut(&mut self, key: u32, value: &'static str)
///         -> (Put<u32, &'static str>, Option<&mut &'static str>) {
///         if self.capacity == 0 {
///             return (Put::Rejected(key, value), None);
///         }
///         let put = match self.slot.replace((key, value)) {
///             None => Put::Inserted,
///             Some((k, v)) if k == key => Put::Replaced(v),
///             Some((k, v)) => Put::Evicted(k, v),
///         };
///         (put, self.slot.as_mut().map(|(_, v)| v))
///     }
///     fn remove(&mut self, key: &u32) -> Option<&'static str> {
///         if self.slot.as_ref()?.0 == *key { self.slot.take().map(|(_, v)| v) } else { None }
///     }
///     fn peek_victim(&self) -> Option<(&u32, &&'static str)> {
///         self.slot.as_ref().map(|(k, v)| (k, v))
///     }
///     fn pop(&mut self) -> Option<(u32, &'static str)> { self.slot.take() }
///     fn resize(&mut self, capacity: usize) -> Vec<(u32, &'static str)> {
///         self.capacity = capacity.min(1);
///         if self.capacity == 0 { self.slot.take().into_iter().collect() } else { Vec::new() }
///     }
///     fn entries(&self) -> Box<dyn Iterator<Item = (&u32, &&'static str)> + '_> {
///         Box::new(self.slot.iter().map(|(k, v)| (k, v)))
///     }
///     fn len(&self) -> usize { usize::from(self.slot.is_some()) }
///     fn capacity(&self) -> Option<usize> { Some(self.capacity) }
///     fn info(&self) -> CacheInfo { self.stats.info(Some(self.capacity), self.len()) }
///     fn clear(&mut self) { self.slot = None; self.stats.reset(); }
/// }
///
/// let mut cache: Box<dyn Cache<u32, &str>> = Box::new(One::new(1));
/// assert_eq!(cache.get(&1), None);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.get(&1), Some(&"one"));
/// assert_eq!(cache.put(2, "two"), Put::Evicted(1, "one"));
/// assert_eq!(*cache.get_or_insert_with(2, || unreachable!()), "two"); // a hit
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=2, misses=1, maxsize=1, currsize=1)");
/// assert_eq!(cache.resize(0), vec![(2, "two")]);
/// assert_eq!(format!("{cache:?}"), "dyn Cache { info: CacheInfo { hits: 2, misses: 1, maxsize: Some(0), currsize: 0 }, entries: {} }");
/// ```
///
/// # Implementing `Cache`
///
/// These are the rules `evict-harness` checks, op by op, for every policy; a third-party
/// policy runs the same kit from its own tests (`evict_harness::conformance!`).
///
/// 1. **Size.** `len() <= capacity` after every operation, for a bounded cache.
///    `capacity()` changes only through [`resize`](Cache::resize). `is_empty()` is
///    `len() == 0`.
/// 2. **Statistics.** Only [`get`](Cache::get), [`get_mut`](Cache::get_mut) and
///    [`get_or_insert_with`](Cache::get_or_insert_with) (and its `try_` form) count: each
///    call adds exactly one hit (the key was cached) or one miss. Every other method counts
///    nothing. `info()` reports `hits`, `misses`, `maxsize == capacity()` and
///    `currsize == len()`.
/// 3. **Lookups return what was stored.** `get` and `peek` return the value of the latest
///    `put` of that key (or what `get_mut`/`peek_mut` changed it to), if the key is still
///    cached. In particular a `get` right after a `put` of the same key returns that value,
///    unless the `put` returned [`Put::Rejected`].
/// 4. **Reads are invisible.** `peek`, `peek_mut` (the value aside), `contains`,
///    `peek_victim`, `entries` and the policies' iterators change neither statistics nor the
///    policy's state: inserting one anywhere in a sequence of operations changes no other
///    result. `get_mut` affects the policy exactly as `get` does.
/// 5. **`put` reports exactly what left.** [`Put::Inserted`]: the key was absent, is now
///    present, and `len` grew by one. [`Put::Replaced`]: the key was present, its old value
///    is returned, `len` is unchanged, and the key is still cached. [`Put::Evicted`]: the key
///    was absent and is now present; the returned pair was cached just before, is not
///    anymore, and `len` is unchanged. [`Put::Rejected`]: the key was absent and still is,
///    the pair handed back is the one passed in, and nothing else changed. No other entry
///    ever leaves the cache during a `put` of a cache bounded by a count of entries. A
///    weighted cache (see [`Weigher`]) may have to evict several entries to make room for
///    one: [`put_into`](Cache::put_into) hands every one of them to its sink, in order;
///    plain `put` returns the first in `Put::Evicted` and drops the others (as a
///    `let _ = cache.put(..)` drops the one), so a caller who needs them all uses
///    `put_into`. A weighted cache's `len()` may then shrink on a put, and its
///    `weight() <= capacity` holds after every operation. One more weighted case: a `put`
///    that replaces a cached key with a value heavier than the whole capacity makes the key
///    leave (the old pair is reported to `put_into`'s sink as evicted) and hands the new pair
///    back as `Rejected`, so the stale value is never answered. `put_mut` and `get_or_insert_with` on a miss
///    behave exactly as `put`, and return the stored value.
/// 6. **`remove`** returns the value if the key was cached (and it no longer is); it does not
///    count as a lookup, and no other key leaves the cache.
/// 7. **Capacity 0** caches nothing: every `put` returns `Rejected`, every `get` is a miss,
///    `currsize` stays 0.
/// 8. **`clear`** empties the cache and resets `hits` and `misses` to 0, like
///    `cache_clear()`; `capacity()` is unchanged.
/// 9. **Entries leave only through `put`, `remove`, `pop`, `resize` and `clear`.** A `get`
///    never evicts. An expiring cache (`evict-expiry`) is the one exception, and says so: an
///    entry whose time has passed is never answered (its lookup is a miss), and any
///    operation may reclaim a bounded number of expired entries, each reported with
///    [`Removal::Expired`] (to `put_into`'s sink, or to the cache's listener).
/// 10. **`pop` is the next eviction.** It removes and returns exactly the pair
///     `peek_victim()` showed just before (both `None` only when the cache is empty, or for
///     a cache that never evicts), and it is the pair a `put` of a new key into the full
///     cache would have evicted.
/// 11. **`resize`** sets `capacity()` (clamped as the constructor clamps), returns exactly
///     the pairs that left, in order, each one what `pop` would have returned at that
///     point, and leaves `len() <= capacity`; growing returns nothing.
/// 12. **`entries` lists the resident pairs**, each once, `len()` of them, in the order the
///     policy documents; a policy's own `iter()` lists the same.
///
/// The [`Stats`] helper keeps the counters right for you.
pub trait Cache<K, V> {
    /// Looks `key` up, counts one hit or one miss, and lets the policy record the access
    /// (an LRU moves the entry to the front; a CLOCK sets its reference bit).
    fn get(&mut self, key: &K) -> Option<&V>;

    /// Looks `key` up without counting it and without telling the policy: the cache is
    /// unchanged afterwards.
    fn peek(&self, key: &K) -> Option<&V>;

    /// Inserts `key` with `value`, or replaces the value of a cached `key`. When the cache
    /// is full, the policy picks an entry to evict (or, for an admission policy, may refuse
    /// the newcomer); the returned [`Put`] says which.
    fn put(&mut self, key: K, value: V) -> Put<K, V>;

    /// Removes `key` and returns its value, if it was cached. Does not count as a lookup.
    fn remove(&mut self, key: &K) -> Option<V>;

    /// The number of entries cached now.
    fn len(&self) -> usize;

    /// The maximum number of entries (for a weighted cache, the maximum total
    /// [`weight`](Cache::weight), in the weigher's units): `None` for an unbounded cache
    /// (Python's `maxsize=None`), `Some(0)` for a cache that stores nothing.
    fn capacity(&self) -> Option<usize>;

    /// Hits, misses, capacity and current size, as Python's `cache_info()`.
    fn info(&self) -> CacheInfo;

    /// Removes every entry and resets hits and misses to 0, as Python's `cache_clear()`.
    fn clear(&mut self);

    /// Looks `key` up like [`get`](Cache::get) (one hit or one miss, and the policy records
    /// the access) and returns the value to change in place. The entry keeps its place in
    /// the policy's order beyond what a `get` does: no remove-and-put, no lost frequency.
    fn get_mut(&mut self, key: &K) -> Option<&mut V>;

    /// Looks `key` up like [`peek`](Cache::peek) (counts nothing, tells the policy nothing)
    /// and returns the value to change in place.
    fn peek_mut(&mut self, key: &K) -> Option<&mut V>;

    /// Does exactly what [`put`](Cache::put) does and also returns the value now stored
    /// under `key`, to read or change in place; `None` when the pair was
    /// [`Rejected`](Put::Rejected) (it is then in the returned `Put`). The building block of
    /// [`get_or_insert_with`](Cache::get_or_insert_with) for any cache, `Box<dyn Cache>`
    /// included.
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>);

    /// The entry the policy would evict next, if it had to make room now: what
    /// [`pop`](Cache::pop) would remove. Counts nothing and changes nothing. `None` when the
    /// cache is empty, and always for a cache that never evicts.
    fn peek_victim(&self) -> Option<(&K, &V)>;

    /// Evicts and returns the entry the policy would evict next, as a `put` of a new key into
    /// a full cache would (a policy with ghost lists remembers the key there, as after any
    /// eviction). Counts nothing. `None` when the cache is empty, and always for a cache that
    /// never evicts.
    fn pop(&mut self) -> Option<(K, V)>;

    /// Changes the capacity to `capacity` (in entries, or in weight units for a weighted
    /// cache; clamped to the policy's largest, as in its constructor). Shrinking evicts in the policy's own order, as [`pop`](Cache::pop)
    /// would, until the cache fits, and returns every evicted pair in the order they left;
    /// growing evicts nothing. 0 makes a cache that caches nothing. Statistics are kept.
    /// A cache that never evicts has no capacity to change: it returns nothing and stays
    /// unbounded.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)>;

    /// Every entry, in the policy's documented order (each policy's docs say which: an LRU
    /// lists from the most to the least recently used), without counting lookups or
    /// changing the policy's state. For `Box<dyn Cache>`; a concrete policy's `iter()`
    /// returns the same entries in the same order without allocating.
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_>;

    /// The value of `key`, computed by `f` and inserted on a miss. A hit counts one hit
    /// and records the access as a [`get`](Cache::get) does; a miss counts one miss, runs
    /// `f` once, and [`put`](Cache::put)s the result. Nothing is lost: the returned
    /// [`Fetched`] holds a reference to the cached value, the pair evicted to make room if
    /// any, or, when the policy does not keep the pair (capacity 0, an admission filter),
    /// the pair itself.
    ///
    /// The provided body looks a hit up twice (`contains`, then `get_mut`) so that it works
    /// for every cache, `Box<dyn Cache>` included; the `evict` policies override it with one
    /// lookup.
    fn get_or_insert_with<F>(&mut self, key: K, f: F) -> Fetched<'_, K, V>
    where
        Self: Sized,
        F: FnOnce() -> V,
    {
        match self.try_get_or_insert_with(key, || Ok::<V, core::convert::Infallible>(f())) {
            Ok(fetched) => fetched,
            Err(never) => match never {},
        }
    }

    /// [`get_or_insert_with`](Cache::get_or_insert_with) for a computation that can fail:
    /// on a miss, an `Err` from `f` is returned and nothing is inserted (the miss is still
    /// counted, as Python counts a call that raised).
    ///
    /// # Errors
    ///
    /// The error `f` returned.
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        Self: Sized,
        F: FnOnce() -> Result<V, E>,
    {
        if self.contains(&key) {
            let value = self.get_mut(&key);
            return Ok(Fetched::Hit(
                value.expect("contains(key) but get_mut(key) is None: a broken Cache"),
            ));
        }
        // Counts the miss through `get`, which every implementation counts right.
        let _ = self.get(&key);
        let value = f()?;
        let (put, stored) = self.put_mut(key, value);
        Ok(Fetched::from_put(put, stored))
    }

    /// Does what [`put`](Cache::put) does, and hands every pair that leaves the cache during
    /// the put to `sink`, in the order they leave, with the reason ([`Removal`]). The
    /// returned [`Put`] is then `Inserted`, `Replaced` or `Rejected`, never `Evicted`: the
    /// evicted pairs went to the sink.
    ///
    /// This is how a caller receives *every* evicted pair from a cache that can evict more
    /// than one entry in a put (a weighted cache making room for a heavy value; an expiring
    /// cache reclaiming expired entries as it goes), without an allocation per put. For a
    /// cache that evicts at most one entry per put, the provided body (through `put`) is
    /// exact.
    ///
    /// ```
    /// use evict_core::{Cache, Put, Removal};
    /// # fn demo(cache: &mut dyn Cache<u32, &'static str>) {
    /// let mut evicted = Vec::new();
    /// let put = cache.put_into(1, "one", &mut |k, v, why: Removal| evicted.push((k, v, why)));
    /// assert!(!matches!(put, Put::Evicted(..))); // evicted pairs are in `evicted`
    /// # }
    /// # let _ = demo;
    /// ```
    fn put_into(&mut self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V> {
        match self.put(key, value) {
            Put::Evicted(k, v) => {
                sink.removed(k, v, Removal::Evicted);
                Put::Inserted
            }
            other => other,
        }
    }

    /// The total weight of the cached entries, in the units of the cache's
    /// [`Weigher`] (and of its `capacity()`); for a cache bounded by a count of entries,
    /// every entry weighs 1 and this is `len()`.
    fn weight(&self) -> u64 {
        self.len() as u64
    }

    /// Whether the cache holds no entry.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `key` is cached; like [`peek`](Cache::peek), counts nothing and changes
    /// nothing.
    fn contains(&self, key: &K) -> bool {
        self.peek(key).is_some()
    }
}

macro_rules! forward_cache {
    () => {
        fn get(&mut self, key: &K) -> Option<&V> {
            (**self).get(key)
        }
        fn peek(&self, key: &K) -> Option<&V> {
            (**self).peek(key)
        }
        fn put(&mut self, key: K, value: V) -> Put<K, V> {
            (**self).put(key, value)
        }
        fn remove(&mut self, key: &K) -> Option<V> {
            (**self).remove(key)
        }
        fn len(&self) -> usize {
            (**self).len()
        }
        fn capacity(&self) -> Option<usize> {
            (**self).capacity()
        }
        fn info(&self) -> CacheInfo {
            (**self).info()
        }
        fn clear(&mut self) {
            (**self).clear()
        }
        fn is_empty(&self) -> bool {
            (**self).is_empty()
        }
        fn contains(&self, key: &K) -> bool {
            (**self).contains(key)
        }
        fn get_mut(&mut self, key: &K) -> Option<&mut V> {
            (**self).get_mut(key)
        }
        fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
            (**self).peek_mut(key)
        }
        fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
            (**self).put_mut(key, value)
        }
        fn peek_victim(&self) -> Option<(&K, &V)> {
            (**self).peek_victim()
        }
        fn pop(&mut self) -> Option<(K, V)> {
            (**self).pop()
        }
        fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
            (**self).resize(capacity)
        }
        fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
            (**self).entries()
        }
        fn put_into(&mut self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V> {
            (**self).put_into(key, value, sink)
        }
        fn weight(&self) -> u64 {
            (**self).weight()
        }
    };
}

impl<K, V, C: Cache<K, V> + ?Sized> Cache<K, V> for &mut C {
    forward_cache!();
}

impl<K, V, C: Cache<K, V> + ?Sized> Cache<K, V> for Box<C> {
    forward_cache!();
}

/// What [`Cache::get_or_insert_with`] found or did. Nothing is lost: a value the cache
/// did not keep is handed back, and so is the pair evicted to make room.
///
/// `Deref`s to the value either way, so the common case reads like a plain reference:
///
/// ```
/// use evict_core::{Cache, Fetched};
/// # use evict_core::{CacheInfo, Put, Stats};
/// # #[derive(Default)] struct One { slot: Option<(u32, String)>, stats: Stats }
/// # impl Cache<u32, String> for One {
/// #     fn get(&mut self, k: &u32) -> Option<&String> { self.get_mut(k).map(|v| &*v) }
/// #     fn get_mut(&mut self, k: &u32) -> Option<&mut String> {
/// #         let hit = self.slot.as_ref().is_some_and(|(s, _)| s == k);
/// #         self.stats.record(hit);
/// #         if hit { self.slot.as_mut().map(|(_, v)| v) } else { None }
/// #     }
/// #     fn peek(&self, k: &u32) -> Option<&String> { self.slot.as_ref().filter(|(s, _)| s == k).map(|(_, v)| v) }
/// #     fn peek_mut(&mut self, k: &u32) -> Option<&mut String> { self.slot.as_mut().filter(|(s, _)| s == k).map(|(_, v)| v) }
/// #     fn put(&mut self, k: u32, v: String) -> Put<u32, String> { self.put_mut(k, v).0 }
/// #     fn put_mut(&mut self, k: u32, v: String) -> (Put<u32, String>, Option<&mut String>) {
/// #         let put = match self.slot.take() { None => Put::Inserted, Some((o, ov)) if o == k => Put::Replaced(ov), Some((o, ov)) => Put::Evicted(o, ov) };
/// #         self.slot = Some((k, v));
/// #         (put, self.slot.as_mut().map(|(_, v)| v))
/// #     }
/// #     fn remove(&mut self, k: &u32) -> Option<String> { if self.peek(k).is_some() { self.slot.take().map(|(_, v)| v) } else { None } }
/// #     fn len(&self) -> usize { usize::from(self.slot.is_some()) }
/// #     fn capacity(&self) -> Option<usize> { Some(1) }
/// #     fn info(&self) -> CacheInfo { self.stats.info(Some(1), self.len()) }
/// #     fn clear(&mut self) { self.slot = None; self.stats.reset(); }
/// #     fn peek_victim(&self) -> Option<(&u32, &String)> { self.slot.as_ref().map(|(k, v)| (k, v)) }
/// #     fn pop(&mut self) -> Option<(u32, String)> { self.slot.take() }
/// #     fn resize(&mut self, _: usize) -> Vec<(u32, String)> { Vec::new() }
/// #     fn entries(&self) -> Box<dyn Iterator<Item = (&u32, &String)> + '_> { Box::new(self.slot.iter().map(|(k, v)| (k, v))) }
/// # }
/// let mut cache = One::default(); // a cache of one entry
/// assert_eq!(cache.get_or_insert_with(1, || "one".to_string()).len(), 3); // a miss: computed
/// assert!(cache.get_or_insert_with(1, || unreachable!()).is_hit()); // a hit: not computed
/// match cache.get_or_insert_with(2, || "two".to_string()) {
///     Fetched::Evicted(value, old_key, old_value) => {
///         assert_eq!((value.as_str(), old_key, old_value.as_str()), ("two", 1, "one"));
///     }
///     other => panic!("expected an eviction, got {other:?}"),
/// }
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=2, maxsize=1, currsize=1)");
/// ```
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a `Fetched` may carry an evicted or rejected pair"]
pub enum Fetched<'a, K, V> {
    /// The key was cached: its value, as [`Cache::get_mut`] returns it.
    Hit(&'a mut V),
    /// A miss: the computed value is now cached, and nothing left the cache.
    Inserted(&'a mut V),
    /// A miss: the computed value (first) is now cached; to make room, the pair that
    /// follows left the cache.
    Evicted(&'a mut V, K, V),
    /// A miss: the policy did not keep the computed pair (capacity 0, or an admission filter
    /// refused it); here it is, key and value.
    Rejected(K, V),
}

impl<'a, K, V> Fetched<'a, K, V> {
    /// The `Fetched` of a miss, from what inserting the computed pair did: the `put` report
    /// and the stored value (`None` when rejected), as [`Cache::put_mut`] returns them. For
    /// implementers' own `get_or_insert_with`.
    ///
    /// ```
    /// use evict_core::{Fetched, Put};
    ///
    /// let mut stored = 7;
    /// assert_eq!(Fetched::from_put(Put::<u8, i32>::Inserted, Some(&mut stored)), Fetched::Inserted(&mut 7));
    /// assert_eq!(Fetched::<u8, i32>::from_put(Put::Rejected(1, 2), None), Fetched::Rejected(1, 2));
    /// ```
    pub fn from_put(put: Put<K, V>, value: Option<&'a mut V>) -> Self {
        match (put, value) {
            (Put::Rejected(k, v), _) => Fetched::Rejected(k, v),
            (Put::Evicted(k, v), Some(value)) => Fetched::Evicted(value, k, v),
            (_, Some(value)) => Fetched::Inserted(value),
            // `put_mut` kept the pair but gave no reference to it: a broken implementation.
            // `Replaced` cannot happen on a miss; neither is reachable with a correct cache.
            (put, None) => unreachable!(
                "put_mut kept the pair but returned no value ({})",
                match put {
                    Put::Inserted => "Inserted",
                    Put::Replaced(_) => "Replaced",
                    Put::Evicted(..) => "Evicted",
                    Put::Rejected(..) => "Rejected",
                }
            ),
        }
    }

    /// Whether the key was cached (no computation ran).
    pub fn is_hit(&self) -> bool {
        matches!(self, Fetched::Hit(_))
    }

    /// Whether the value is in the cache now (everything but [`Fetched::Rejected`]).
    pub fn is_cached(&self) -> bool {
        !matches!(self, Fetched::Rejected(..))
    }

    /// The value, whether cached or handed back.
    pub fn value(&self) -> &V {
        match self {
            Fetched::Hit(v) | Fetched::Inserted(v) | Fetched::Evicted(v, ..) => v,
            Fetched::Rejected(_, v) => v,
        }
    }

    /// The value, to change: in the cache, or the one handed back.
    pub fn value_mut(&mut self) -> &mut V {
        match self {
            Fetched::Hit(v) | Fetched::Inserted(v) | Fetched::Evicted(v, ..) => v,
            Fetched::Rejected(_, v) => v,
        }
    }

    /// The value as an owned `V`: cloned from the cache, or moved out of a rejected pair.
    pub fn into_value(self) -> V
    where
        V: Clone,
    {
        match self {
            Fetched::Hit(v) | Fetched::Inserted(v) | Fetched::Evicted(v, ..) => v.clone(),
            Fetched::Rejected(_, v) => v,
        }
    }

    /// The pair that left the cache to make room, if any.
    pub fn into_evicted(self) -> Option<(K, V)> {
        match self {
            Fetched::Evicted(_, k, v) => Some((k, v)),
            _ => None,
        }
    }
}

impl<K, V> core::ops::Deref for Fetched<'_, K, V> {
    type Target = V;

    fn deref(&self) -> &V {
        self.value()
    }
}

impl<K, V> core::ops::DerefMut for Fetched<'_, K, V> {
    fn deref_mut(&mut self) -> &mut V {
        self.value_mut()
    }
}

macro_rules! debug_dyn_cache {
    ($($bounds:tt)*) => {
        /// Lists the entries in the policy's order (through [`Cache::entries`]) and the
        /// statistics, so that a `Box<dyn Cache>` can be printed.
        impl<'c, K: fmt::Debug, V: fmt::Debug> fmt::Debug for dyn Cache<K, V> $($bounds)* + 'c {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                struct Entries<'a, 'c, K, V>(&'a (dyn Cache<K, V> $($bounds)* + 'c));
                impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, '_, K, V> {
                    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.debug_map().entries(self.0.entries()).finish()
                    }
                }
                f.debug_struct("dyn Cache")
                    .field("info", &self.info())
                    .field("entries", &Entries(self))
                    .finish()
            }
        }
    };
}

debug_dyn_cache!();
debug_dyn_cache!(+ Send);
debug_dyn_cache!(+ Send + Sync);

/// Hit and miss counters for implementers of [`Cache`]: record every `get` with
/// [`record`](Stats::record), reset them in `clear`, build `info()` from them.
///
/// ```
/// use evict_core::Stats;
///
/// let mut stats = Stats::default();
/// stats.record(true);
/// stats.record(false);
/// assert_eq!(stats.info(Some(4), 1).to_string(), "CacheInfo(hits=1, misses=1, maxsize=4, currsize=1)");
/// stats.reset();
/// assert_eq!((stats.hits(), stats.misses()), (0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    hits: u64,
    misses: u64,
}

impl Stats {
    /// Counts one lookup: a hit if `hit`, a miss otherwise.
    #[inline]
    pub fn record(&mut self, hit: bool) {
        // Branch-free: a lookup is a hit or a miss, never both.
        self.hits += u64::from(hit);
        self.misses += u64::from(!hit);
    }

    /// Counts one hit.
    #[inline]
    pub fn hit(&mut self) {
        self.hits += 1;
    }

    /// Counts one miss.
    #[inline]
    pub fn miss(&mut self) {
        self.misses += 1;
    }

    /// Sets both counters to 0.
    #[inline]
    pub fn reset(&mut self) {
        *self = Stats::default();
    }

    /// Hits counted since the last reset.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Misses counted since the last reset.
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// A [`CacheInfo`] of these counters with the given capacity and size.
    pub fn info(&self, maxsize: Option<usize>, currsize: usize) -> CacheInfo {
        CacheInfo {
            hits: self.hits,
            misses: self.misses,
            maxsize,
            currsize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_matches_python() {
        let info = CacheInfo {
            hits: 0,
            misses: 0,
            maxsize: Some(0),
            currsize: 0,
        };
        assert_eq!(
            info.to_string(),
            "CacheInfo(hits=0, misses=0, maxsize=0, currsize=0)"
        );
        let big = CacheInfo {
            hits: u64::MAX,
            misses: 1,
            maxsize: None,
            currsize: 7,
        };
        assert_eq!(
            big.to_string(),
            "CacheInfo(hits=18446744073709551615, misses=1, maxsize=None, currsize=7)"
        );
    }

    #[test]
    fn put_helpers() {
        assert!(Put::<u8, u8>::Inserted.is_kept());
        assert!(Put::<u8, u8>::Replaced(1).is_kept());
        assert_eq!(Put::<u8, u8>::Replaced(1).into_evicted(), None);
        assert_eq!(Put::<u8, u8>::Rejected(1, 2).into_evicted(), None);
    }
}
