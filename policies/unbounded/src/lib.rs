#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod iter;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use hashbrown::HashMap;
use hashbrown::hash_map::Entry;

pub use iter::{Drain, IntoIter, Iter, IterMut, Keys, Values, ValuesMut};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// map.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// A cache that never evicts, like Python's `functools.cache`.
///
/// Lookups take the key by reference to anything it borrows as (`&str` for a `String` key),
/// as `HashMap` does. Entries leave only through `remove`, `drain` and `clear`: `pop` and
/// `peek_victim` always return `None`, and `resize` returns nothing and leaves the cache
/// unbounded (`capacity()` stays `None`).
///
/// **Iteration order** ([`iter`](Self::iter), [`Cache::entries`] and every other iterator) is
/// the hash map's: arbitrary, depending on the hasher's seed and on the table's history. It is
/// the same for every iterator over an unchanged cache, and nothing else can be relied on.
///
/// Unlike the bounded caches, it implements [`FromIterator`] (there is no capacity to choose)
/// and [`Default`]. See the [crate docs](crate) for costs and an example.
#[derive(Clone)]
pub struct UnboundedCache<K, V, S = DefaultHashBuilder> {
    map: HashMap<K, V, S>,
    stats: Stats,
}

impl<K, V> UnboundedCache<K, V> {
    /// An empty cache with the default hasher.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let cache: UnboundedCache<u64, u64> = UnboundedCache::new();
    /// assert_eq!(cache.capacity(), None);
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(DefaultHashBuilder::default())
    }
}

/// An empty cache with the hasher's default, as [`UnboundedCache::new`].
impl<K, V, S: Default> Default for UnboundedCache<K, V, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K, V, S> UnboundedCache<K, V, S> {
    /// An empty cache that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_unbounded::{Cache, DefaultHashBuilder, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::with_hasher(DefaultHashBuilder::default());
    /// let _ = cache.put(1u32, "one");
    /// assert_eq!(cache.peek(&1), Some(&"one"));
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            map: HashMap::with_hasher(hasher),
            stats: Stats::default(),
        }
    }

    /// Iterates over the cached entries in the map's order (arbitrary: see the
    /// [type docs](UnboundedCache)), without counting lookups.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(1, 10);
    /// assert_eq!(cache.iter().collect::<Vec<_>>(), vec![(&1, &10)]);
    /// assert_eq!(cache.info().hits + cache.info().misses, 0); // iterating counts nothing
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            inner: self.map.iter(),
        }
    }

    /// Iterates over the cached entries with mutable values, in the map's order, without
    /// counting lookups.
    ///
    /// ```
    /// use evict_unbounded::UnboundedCache;
    ///
    /// let mut cache: UnboundedCache<&str, i32> = [("a", 1), ("b", 2)].into_iter().collect();
    /// for (_, v) in cache.iter_mut() {
    ///     *v *= 10;
    /// }
    /// assert_eq!((cache.peek("a"), cache.peek("b")), (Some(&10), Some(&20)));
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut {
            inner: self.map.iter_mut(),
        }
    }

    /// The cached keys, in the map's order.
    ///
    /// ```
    /// use evict_unbounded::UnboundedCache;
    ///
    /// let cache: UnboundedCache<u8, char> = [(1, 'a'), (2, 'b')].into_iter().collect();
    /// let mut keys: Vec<u8> = cache.keys().copied().collect();
    /// keys.sort();
    /// assert_eq!(keys, [1, 2]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys {
            inner: self.map.keys(),
        }
    }

    /// The cached values, in the map's order.
    ///
    /// ```
    /// use evict_unbounded::UnboundedCache;
    ///
    /// let cache: UnboundedCache<u8, u32> = [(1, 10), (2, 20)].into_iter().collect();
    /// assert_eq!(cache.values().sum::<u32>(), 30);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values {
            inner: self.map.values(),
        }
    }

    /// The cached values, mutable, in the map's order.
    ///
    /// ```
    /// use evict_unbounded::UnboundedCache;
    ///
    /// let mut cache: UnboundedCache<u8, u32> = [(1, 10), (2, 20)].into_iter().collect();
    /// cache.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(cache.values().sum::<u32>(), 32);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut {
            inner: self.map.values_mut(),
        }
    }

    /// Removes every entry and yields them, in the map's order. Unlike
    /// [`clear`](Cache::clear), the statistics are kept (and so is the table's memory, for
    /// the entries to come). The cache is empty from the call on, even if the iterator is
    /// dropped before the end.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = (cache.put(1, 'a'), cache.get(&1));
    /// let mut drained: Vec<(u8, char)> = cache.drain().collect();
    /// drained.sort();
    /// assert_eq!(drained, [(1, 'a')]);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=None, currsize=0)");
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        Drain {
            inner: self.map.drain(),
        }
    }
}

impl<K, V, S> UnboundedCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// Looks `key` up, counts one hit or one miss, and returns the value. `key` may be any
    /// borrowed form of the key type (`&str` for `String` keys), as for `HashMap::get`: no
    /// allocation. This is [`Cache::get`], generalised.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.get("a"), Some(&1)); // a `&str`, no `String` built
    /// assert_eq!(cache.get("b"), None);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=None, currsize=1)");
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.map.get(key);
        self.stats.record(found.is_some());
        found
    }

    /// Looks `key` up like [`get`](Self::get) (one hit or one miss) and returns the value to
    /// change in place.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(String::from("hits"), 0);
    /// *cache.get_mut("hits").unwrap() += 1;
    /// assert_eq!(cache.peek("hits"), Some(&1));
    /// assert_eq!(cache.info().hits, 1);
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.map.get_mut(key);
        self.stats.record(found.is_some());
        found
    }

    /// Looks `key` up without counting it. `key` may be any borrowed form of the key type.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.peek("a"), Some(&1));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// Looks `key` up without counting it and returns the value to change in place.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(String::from("a"), 1);
    /// *cache.peek_mut("a").unwrap() = 2;
    /// assert_eq!(cache.peek("a"), Some(&2));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_mut(key)
    }

    /// Whether `key` is cached; counts nothing.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(String::from("a"), 1);
    /// assert!(cache.contains("a") && !cache.contains("b"));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// Removes `key` and returns its value, if it was cached; counts nothing.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.remove("a"), Some(1));
    /// assert_eq!(cache.remove("a"), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (key, value) = self.map.remove_entry(key)?;
        // The key is dropped before the answer is built: a `Drop` that panics would
        // otherwise leak the answer, never dropped (rust-lang/rust#47949).
        drop(key);
        Some(value)
    }
}

/// A shard of `evict-sync`'s concurrent cache. Its hit runs under the shard's shared lock:
/// a hit changes nothing but the counters, which the concurrent cache keeps itself, so
/// `get_shared` is `peek`.
///
/// ```
/// use evict_unbounded::{Cache, Shard, UnboundedCache};
///
/// let mut cache = UnboundedCache::new();
/// let _ = cache.put("apple".to_string(), 3);
/// assert!(<UnboundedCache<String, i32> as Shard<String, i32, str>>::SHARED_HIT);
/// assert_eq!(Shard::<String, i32, str>::get_shared(&cache, "apple"), Some(&3));
/// assert_eq!(Shard::<String, i32, str>::get_borrowed(&mut cache, "apple"), Some(&3));
/// assert_eq!(Shard::<String, i32, str>::remove_borrowed(&mut cache, "apple"), Some(3));
/// assert_eq!(Shard::<String, i32, str>::peek_borrowed(&cache, "apple"), None);
/// assert_eq!(cache.info().hits, 1); // get_shared counts nothing
/// ```
impl<K, V, S, Q> Shard<K, V, Q> for UnboundedCache<K, V, S>
where
    K: Hash + Eq + Borrow<Q>,
    Q: Hash + Eq + ?Sized,
    S: BuildHasher,
{
    const SHARED_HIT: bool = true;

    #[inline]
    fn get_borrowed(&mut self, key: &Q) -> Option<&V> {
        self.get(key)
    }

    #[inline]
    fn peek_borrowed(&self, key: &Q) -> Option<&V> {
        self.peek(key)
    }

    #[inline]
    fn remove_borrowed(&mut self, key: &Q) -> Option<V> {
        self.remove(key)
    }
}

impl<K, V, S> Cache<K, V> for UnboundedCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        Self::get(self, key)
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        Self::peek(self, key)
    }

    #[inline]
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        // Not `HashMap::insert`, which drops the spare key after the answer is built (see
        // `remove`): `entry` drops it before anything changes.
        match self.map.entry(key) {
            Entry::Occupied(mut entry) => Put::Replaced(entry.insert(value)),
            Entry::Vacant(entry) => {
                entry.insert(value);
                Put::Inserted
            }
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        Self::remove(self, key)
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn capacity(&self) -> Option<usize> {
        None
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(None, self.map.len())
    }

    /// Drops every entry, releases the table's memory (Python's `cache_clear()` does too),
    /// and resets the counters.
    fn clear(&mut self) {
        self.stats.reset();
        // Each pair dropped here, not by `HashMap::clear`, which stops at a `Drop` that
        // panics and leaks the rest: here the drain drops them as the panic unwinds.
        for pair in self.map.drain() {
            drop(pair);
        }
        // `HashMap::clear` keeps the allocation; a cleared memo table should give it back.
        self.map.shrink_to_fit();
    }

    fn contains(&self, key: &K) -> bool {
        Self::contains(self, key)
    }

    #[inline]
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::get_mut(self, key)
    }

    #[inline]
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::peek_mut(self, key)
    }

    /// Inserts or replaces, as [`put`](Cache::put) (never `Evicted` or `Rejected`), and
    /// returns the stored value.
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        match self.map.entry(key) {
            Entry::Occupied(mut entry) => {
                let old = entry.insert(value);
                (Put::Replaced(old), Some(entry.into_mut()))
            }
            Entry::Vacant(entry) => (Put::Inserted, Some(entry.insert(value))),
        }
    }

    /// Always `None`: this cache never evicts.
    fn peek_victim(&self) -> Option<(&K, &V)> {
        None
    }

    /// Always `None`: this cache never evicts (use [`remove`](Cache::remove) or
    /// [`UnboundedCache::drain`] to take entries out).
    fn pop(&mut self) -> Option<(K, V)> {
        None
    }

    /// Returns nothing and changes nothing: the cache stays unbounded (`capacity()` is still
    /// `None`), as there is no bound to change.
    fn resize(&mut self, _capacity: usize) -> Vec<(K, V)> {
        Vec::new()
    }

    /// The entries in the map's (arbitrary) order, as [`UnboundedCache::iter`].
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }

    /// One hash and one probe either way (hashbrown's entry API): a hit counts one hit; a
    /// miss counts one miss, runs `f`, and inserts in the slot the probe found (never
    /// `Evicted` or `Rejected`). An `Err` from `f` inserts nothing (the miss stays counted).
    /// The trait's provided [`get_or_insert_with`](Cache::get_or_insert_with) comes here
    /// too, with a closure that cannot fail.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// assert_eq!(*cache.get_or_insert_with("a", || 1), 1); // a miss: computed
    /// assert!(cache.get_or_insert_with("a", || unreachable!()).is_hit());
    /// assert!(cache.try_get_or_insert_with("b", || "x".parse::<u32>()).is_err());
    /// assert!(!cache.contains("b"));
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=2, maxsize=None, currsize=1)");
    /// ```
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        F: FnOnce() -> Result<V, E>,
    {
        match self.map.entry(key) {
            Entry::Occupied(entry) => {
                self.stats.hit();
                Ok(Fetched::Hit(entry.into_mut()))
            }
            Entry::Vacant(entry) => {
                self.stats.miss();
                Ok(Fetched::Inserted(entry.insert(f()?)))
            }
        }
    }
}

/// Each pair is [`put`](Cache::put) in turn (a later pair replaces an earlier one of the
/// same key). Nothing is ever evicted or rejected, so nothing is lost.
///
/// ```
/// use evict_unbounded::{Cache, UnboundedCache};
///
/// let mut cache = UnboundedCache::new();
/// cache.extend([(1, 'a'), (2, 'b'), (1, 'c')]);
/// assert_eq!((cache.len(), cache.peek(&1)), (2, Some(&'c')));
/// ```
impl<K, V, S> Extend<(K, V)> for UnboundedCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            let _ = self.put(key, value);
        }
    }
}

/// A cache holding the pairs (a later pair replaces an earlier one of the same key), with
/// statistics at 0: an unbounded cache has no capacity to choose, so it can be collected.
///
/// ```
/// use evict_unbounded::{Cache, UnboundedCache};
///
/// let cache: UnboundedCache<u8, char> = [(1, 'a'), (2, 'b')].into_iter().collect();
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=0, misses=0, maxsize=None, currsize=2)");
/// ```
impl<K, V, S> FromIterator<(K, V)> for UnboundedCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut cache = Self::default();
        cache.extend(iter);
        cache
    }
}

/// The entries by reference, in the map's order: `for (k, v) in &cache`.
impl<'a, K, V, S> IntoIterator for &'a UnboundedCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

/// The entries with mutable values, in the map's order: `for (k, v) in &mut cache`.
impl<'a, K, V, S> IntoIterator for &'a mut UnboundedCache<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// The entries by value, in the map's order: `for (k, v) in cache`.
///
/// ```
/// use evict_unbounded::UnboundedCache;
///
/// let cache: UnboundedCache<u8, char> = [(1, 'a')].into_iter().collect();
/// assert_eq!(cache.into_iter().collect::<Vec<_>>(), [(1, 'a')]);
/// ```
impl<K, V, S> IntoIterator for UnboundedCache<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter {
            inner: self.map.into_iter(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for UnboundedCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V, S>(&'a HashMap<K, V, S>);
        impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for Entries<'_, K, V, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.iter()).finish()
            }
        }
        f.debug_struct("UnboundedCache")
            .field("entries", &Entries(&self.map))
            .field("stats", &self.stats)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec;
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        |_cap| UnboundedCache::new(),
        model = |_cap| model::Unbounded::new(),
        iteration = true
    );

    // Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
    // the cache consistent, working, and losing no value undropped.
    evict_harness::hostile!(hostile, |_cap| UnboundedCache::new());

    fn sorted<K: Ord + Clone, V: Clone>(it: impl Iterator<Item = (K, V)>) -> Vec<(K, V)> {
        let mut v: Vec<(K, V)> = it.collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn borrowed_lookups_count_like_the_trait() {
        let mut c: UnboundedCache<String, u32> = UnboundedCache::new();
        let _ = c.put("a".to_string(), 1);
        assert_eq!(c.get("a"), Some(&1));
        assert_eq!(c.get("z"), None);
        *c.get_mut("a").unwrap() += 1;
        assert_eq!(c.get_mut("z"), None);
        assert_eq!(c.peek("a"), Some(&2));
        *c.peek_mut("a").unwrap() += 1;
        assert!(c.contains("a") && !c.contains("z"));
        assert_eq!(c.remove("z"), None);
        assert_eq!(
            c.info(),
            CacheInfo {
                hits: 2,
                misses: 2,
                maxsize: None,
                currsize: 1
            }
        );
        // Through the trait, as `Box<dyn Cache>` sees it.
        let dynamic: &mut dyn Cache<String, u32> = &mut c;
        assert_eq!(dynamic.get_mut(&"a".to_string()).copied(), Some(3));
        assert_eq!(dynamic.remove(&"a".to_string()), Some(3));
        assert_eq!(dynamic.info().hits, 3);
    }

    #[test]
    fn get_or_insert_with_counts_one_lookup() {
        let mut c = UnboundedCache::new();
        let mut runs = 0;
        assert_eq!(
            *c.get_or_insert_with(1u8, || {
                runs += 1;
                10u32
            }),
            10
        );
        let mut hit = c.get_or_insert_with(1, || unreachable!());
        assert!(hit.is_hit());
        *hit += 1;
        assert_eq!(runs, 1);
        assert_eq!(c.peek(&1), Some(&11));
        let err: Result<Fetched<'_, u8, u32>, &str> = c.try_get_or_insert_with(2, || Err("no"));
        assert_eq!(err.unwrap_err(), "no");
        assert!(!c.contains(&2));
        let ok: Result<_, ()> = c.try_get_or_insert_with(2, || Ok(20));
        assert!(matches!(ok, Ok(Fetched::Inserted(&mut 20))));
        let ok: Result<_, ()> = c.try_get_or_insert_with(2, || unreachable!());
        assert!(matches!(ok, Ok(Fetched::Hit(&mut 20))));
        assert_eq!(
            c.info(),
            CacheInfo {
                hits: 2,
                misses: 3,
                maxsize: None,
                currsize: 2
            }
        );
    }

    #[test]
    fn put_mut_returns_the_stored_value() {
        let mut c = UnboundedCache::new();
        let (put, v) = c.put_mut('a', 1);
        assert_eq!(put, Put::Inserted);
        *v.unwrap() += 1;
        let (put, v) = c.put_mut('a', 5);
        assert_eq!(put, Put::Replaced(2));
        assert_eq!(v.copied(), Some(5));
        assert_eq!(c.info().hits + c.info().misses, 0);
    }

    #[test]
    fn never_evicts_pop_resize_and_victim() {
        let mut c: UnboundedCache<u32, u32> = (0..100).map(|k| (k, k)).collect();
        assert_eq!(c.peek_victim(), None);
        assert_eq!(c.pop(), None);
        assert_eq!(c.resize(3), vec![]);
        assert_eq!(c.resize(0), vec![]);
        assert_eq!((c.len(), c.capacity()), (100, None));
        assert_eq!(c.put(1000, 0), Put::Inserted);
    }

    #[test]
    fn iterators_agree_and_count_nothing() {
        let mut c: UnboundedCache<u32, u32> = UnboundedCache::new();
        c.extend((0..50).map(|k| (k, k * 2)));
        let _ = c.get(&3);
        let info = c.info();
        let order: Vec<(u32, u32)> = c.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(order.len(), 50);
        assert_eq!(c.iter().len(), 50);
        let entries: Vec<(u32, u32)> = c.entries().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(entries, order);
        let keys: Vec<u32> = c.keys().copied().collect();
        let values: Vec<u32> = c.values().copied().collect();
        assert_eq!(keys, order.iter().map(|p| p.0).collect::<Vec<_>>());
        assert_eq!(values, order.iter().map(|p| p.1).collect::<Vec<_>>());
        let by_ref: Vec<(u32, u32)> = (&c).into_iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(by_ref, order);
        for (k, v) in &mut c {
            *v += k;
        }
        c.values_mut().for_each(|v| *v += 1);
        for (k, v) in c.iter_mut() {
            *v -= k;
        }
        assert_eq!(c.info(), info);
        assert_eq!(
            sorted(c.clone().into_iter()),
            (0..50).map(|k| (k, k * 2 + 1)).collect::<Vec<_>>()
        );
        let mut it = c.iter();
        let _ = it.next();
        let copy = it.clone();
        assert_eq!(copy.count(), 49);
        assert!(!std::format!("{:?} {:?}", c.keys(), c.values()).is_empty());
    }

    #[test]
    fn drain_keeps_statistics_and_empties_even_when_dropped_early() {
        let mut c: UnboundedCache<u32, u32> = (0..10).map(|k| (k, k)).collect();
        let _ = c.get(&1);
        assert_eq!(
            sorted(c.drain()),
            (0..10).map(|k| (k, k)).collect::<Vec<_>>()
        );
        assert_eq!(
            c.info().to_string(),
            "CacheInfo(hits=1, misses=0, maxsize=None, currsize=0)"
        );
        c.extend((0..10).map(|k| (k, k)));
        let mut drain = c.drain();
        assert_eq!(drain.len(), 10);
        let _ = drain.next();
        drop(drain);
        assert!(c.is_empty());
    }

    #[test]
    fn debug_lists_entries() {
        let c: UnboundedCache<u8, u8> = [(1, 2)].into_iter().collect();
        assert_eq!(
            std::format!("{c:?}"),
            "UnboundedCache { entries: {1: 2}, stats: Stats { hits: 0, misses: 0 } }"
        );
        let boxed: alloc::boxed::Box<dyn Cache<u8, u8>> = alloc::boxed::Box::new(c);
        assert!(std::format!("{boxed:?}").contains("1: 2"));
    }
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
            raw in proptest::collection::vec(any::<(u8, u8, u16)>(), 0..160),
        ) {
            check_get_shared(&UnboundedCache::new(), &ShardOp::decode(&raw), |c, k| c.get_shared(k));
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
            evictions: 0,
        };
        let evicted = check_shared_hits_from_threads(
            UnboundedCache::new(),
            &plan,
            |c, k| c.get_shared(k),
            |_: &UnboundedCache<u64, u64>| {},
        );
        assert!(evicted.is_empty());
    }

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<UnboundedCache<alloc::string::String, Vec<u8>>>();
    }
}
