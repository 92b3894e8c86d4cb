#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

// `alloc` only for the `Box<C>` forwarding impl, so `Box<dyn Cache<K, V>>` is a cache too.
extern crate alloc;

use alloc::boxed::Box;
use core::fmt;

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
    /// The capacity in entries; `None` for an unbounded cache.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
/// one entry.
///
/// ```
/// use evict_core::{Cache, CacheInfo, Put, Stats};
///
/// #[derive(Debug, Default)]
/// struct One { slot: Option<(u32, &'static str)>, stats: Stats }
///
/// impl Cache<u32, &'static str> for One {
///     fn get(&mut self, key: &u32) -> Option<&&'static str> {
///         let found = self.slot.as_ref().filter(|(k, _)| k == key).map(|(_, v)| v);
///         self.stats.record(found.is_some());
///         found
///     }
///     fn peek(&self, key: &u32) -> Option<&&'static str> {
///         self.slot.as_ref().filter(|(k, _)| k == key).map(|(_, v)| v)
///     }
///     fn put(&mut self, key: u32, value: &'static str) -> Put<u32, &'static str> {
///         match self.slot.replace((key, value)) {
///             None => Put::Inserted,
///             Some((k, v)) if k == key => Put::Replaced(v),
///             Some((k, v)) => Put::Evicted(k, v),
///         }
///     }
///     fn remove(&mut self, key: &u32) -> Option<&'static str> {
///         if self.slot.as_ref()?.0 == *key { self.slot.take().map(|(_, v)| v) } else { None }
///     }
///     fn len(&self) -> usize { usize::from(self.slot.is_some()) }
///     fn capacity(&self) -> Option<usize> { Some(1) }
///     fn info(&self) -> CacheInfo { self.stats.info(Some(1), self.len()) }
///     fn clear(&mut self) { self.slot = None; self.stats.reset(); }
/// }
///
/// let mut cache: Box<dyn Cache<u32, &str>> = Box::new(One::default());
/// assert_eq!(cache.get(&1), None);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.get(&1), Some(&"one"));
/// assert_eq!(cache.put(2, "two"), Put::Evicted(1, "one"));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=1, currsize=1)");
/// ```
///
/// # Implementing `Cache`
///
/// These are the rules `evict-harness` checks, op by op, for every policy; a third-party
/// policy runs the same kit from its own tests (`evict_harness::conformance!`).
///
/// 1. **Size.** `len() <= capacity` after every operation, for a bounded cache.
///    `capacity()` never changes. `is_empty()` is `len() == 0`.
/// 2. **Statistics.** Only [`get`](Cache::get) counts: each call adds exactly one hit (it
///    returned `Some`) or one miss (`None`). `peek`, `put`, `remove`, `len` and `info` count
///    nothing. `info()` reports `hits`, `misses`, `maxsize == capacity()` and
///    `currsize == len()`.
/// 3. **Lookups return what was stored.** `get` and `peek` return the value of the latest
///    `put` of that key, if the key is still cached. In particular a `get` right after a
///    `put` of the same key returns that value, unless the `put` returned
///    [`Put::Rejected`].
/// 4. **`peek` is invisible.** It changes neither statistics nor the policy's state: inserting
///    a `peek` anywhere in a sequence of operations changes no other result.
/// 5. **`put` reports exactly what left.** [`Put::Inserted`]: the key was absent, is now
///    present, and `len` grew by one. [`Put::Replaced`]: the key was present, its old value
///    is returned, `len` is unchanged, and the key is still cached. [`Put::Evicted`]: the key
///    was absent and is now present; the returned pair was cached just before, is not
///    anymore, and `len` is unchanged. [`Put::Rejected`]: the key was absent and still is,
///    the pair handed back is the one passed in, and nothing else changed. No other entry
///    ever leaves the cache during a `put`.
/// 6. **`remove`** returns the value if the key was cached (and it no longer is); it does not
///    count as a lookup, and no other key leaves the cache.
/// 7. **Capacity 0** caches nothing: every `put` returns `Rejected`, every `get` is a miss,
///    `currsize` stays 0.
/// 8. **`clear`** empties the cache and resets `hits` and `misses` to 0, like
///    `cache_clear()`; `capacity()` is unchanged.
/// 9. **Entries leave only through `put`, `remove` and `clear`.** A `get` never evicts.
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

    /// The maximum number of entries: `None` for an unbounded cache (Python's
    /// `maxsize=None`), `Some(0)` for a cache that stores nothing.
    fn capacity(&self) -> Option<usize>;

    /// Hits, misses, capacity and current size, as Python's `cache_info()`.
    fn info(&self) -> CacheInfo;

    /// Removes every entry and resets hits and misses to 0, as Python's `cache_clear()`.
    fn clear(&mut self);

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
    };
}

impl<K, V, C: Cache<K, V> + ?Sized> Cache<K, V> for &mut C {
    forward_cache!();
}

impl<K, V, C: Cache<K, V> + ?Sized> Cache<K, V> for Box<C> {
    forward_cache!();
}

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
