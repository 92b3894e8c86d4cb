#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Put};
use hashbrown::HashMap;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// map.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// A cache that never evicts, like Python's `functools.cache`.
///
/// See the [crate docs](crate) for costs and an example.
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

impl<K, V> Default for UnboundedCache<K, V> {
    fn default() -> Self {
        Self::new()
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

    /// Iterates over the cached entries in no particular order, without counting lookups.
    ///
    /// ```
    /// use evict_unbounded::{Cache, UnboundedCache};
    ///
    /// let mut cache = UnboundedCache::new();
    /// let _ = cache.put(1, 10);
    /// assert_eq!(cache.iter().collect::<Vec<_>>(), vec![(&1, &10)]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }
}

impl<K, V, S> Cache<K, V> for UnboundedCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let found = self.map.get(key);
        self.stats.record(found.is_some());
        found
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    #[inline]
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        match self.map.insert(key, value) {
            Some(old) => Put::Replaced(old),
            None => Put::Inserted,
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key)
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
        // `HashMap::clear` keeps the allocation; a cleared memo table should give it back.
        self.map.clear();
        self.map.shrink_to_fit();
        self.stats.reset();
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
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        |_cap| UnboundedCache::new(),
        model = |_cap| model::Unbounded::new()
    );
}
