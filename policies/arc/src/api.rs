//! The public face of [`ArcCache`]: lookups by borrowed key, iteration, and the [`Cache`]
//! trait.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::{Cache, CacheInfo, Fetched, Put};
use evict_slots::SlotIndex;

use crate::ArcCache;
use crate::ghost::{B1, B2, Ghosts};
use crate::iter::{Drain, IntoIter, Iter, IterMut, Keys, Values, ValuesMut};
use crate::lists::{Lists, NIL, T1};

impl<K: Hash + Eq, V, S: BuildHasher> ArcCache<K, V, S> {
    /// Looks `key` up (any borrowed form of the key, such as `&str` for `String` keys),
    /// counts one hit or one miss, and on a hit moves the entry to the most recent end of
    /// `T2` (the paper's case I). A miss changes nothing else: the `put` that follows it is
    /// the paper's miss.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache: ArcCache<String, u32> = ArcCache::new(2);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.get("a"), Some(&1)); // a `&str`: no `String` is made
    /// assert_eq!(cache.get("b"), None);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=2, currsize=1)");
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                self.touch(i);
                Some(&self.nodes[i as usize].value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    /// [`get`](Self::get), returning the value to change in place: counts a hit or a miss
    /// and moves a hit to `T2` exactly as `get` does.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache: ArcCache<String, Vec<u8>> = ArcCache::new(2);
    /// let _ = cache.put("log".to_string(), vec![1]);
    /// cache.get_mut("log").unwrap().push(2);
    /// assert_eq!(cache.peek("log"), Some(&vec![1, 2]));
    /// assert_eq!(cache.sizes(), [0, 1, 0, 0]); // the hit moved it to T2
    /// assert_eq!(cache.info().hits, 1);
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                self.touch(i);
                Some(&mut self.nodes[i as usize].value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    /// The value of `key`, without counting a lookup and without moving the entry.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache: ArcCache<String, u32> = ArcCache::new(2);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.peek("a"), Some(&1));
    /// assert_eq!(cache.sizes(), [1, 0, 0, 0]); // still in T1
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    /// [`peek`](Self::peek), returning the value to change in place: counts nothing and
    /// moves nothing.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache: ArcCache<String, u32> = ArcCache::new(2);
    /// let _ = cache.put("a".to_string(), 1);
    /// *cache.peek_mut("a").unwrap() += 1;
    /// assert_eq!(cache.peek("a"), Some(&2));
    /// assert_eq!(cache.sizes(), [1, 0, 0, 0]);
    /// ```
    #[inline]
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key)
            .map(|i| &mut self.nodes[i as usize].value)
    }

    /// Whether `key` is cached; counts nothing and changes nothing. A ghost is not cached.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache: ArcCache<String, u32> = ArcCache::new(1);
    /// let _ = cache.put("a".to_string(), 1);
    /// let _ = cache.put("b".to_string(), 2); // "a" is evicted
    /// assert!(cache.contains("b"));
    /// assert!(!cache.contains("a"));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.peek(key).is_some()
    }

    /// Removes a cached key and returns its value, without leaving a ghost (and without
    /// touching `p`); `remove` of a key that is not cached changes nothing, even if the key
    /// is a ghost. Does not count as a lookup.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache: ArcCache<String, u32> = ArcCache::new(2);
    /// let _ = cache.put("a".to_string(), 1);
    /// assert_eq!(cache.remove("a"), Some(1));
    /// assert_eq!(cache.remove("a"), None);
    /// assert_eq!(cache.sizes(), [0, 0, 0, 0]);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        // `remove_slot` renumbers a slot: moves first.
        self.flush();
        Some(self.remove_slot(i, hash).1)
    }
}

impl<K, V, S> ArcCache<K, V, S> {
    /// The entries in the cache's order: `T1` from its most to its least recently used
    /// entry, then `T2` the same way. Counts nothing, changes nothing, allocates nothing;
    /// double-ended.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(3);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// let _ = cache.put("c", 3);
    /// let _ = cache.get(&"a"); // "a" moves to T2
    /// let order: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(order, ["c", "b", "a"]);
    /// assert_eq!(cache.iter().rev().next(), Some((&"a", &1)));
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(self)
    }

    /// The entries in the cache's order ([`iter`](Self::iter)'s), with mutable values.
    /// First makes the pending `T2` moves and lays the slots out in that order, so that
    /// the iterator walks them in memory order (safe Rust cannot hand out `&mut`
    /// references along links): O(len) swaps in place and a pass over the key index,
    /// nothing hashed, nothing allocated, no order changed.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 1);
    /// let _ = cache.put(2, 2);
    /// for (k, v) in cache.iter_mut() {
    ///     *v += k * 100;
    /// }
    /// assert_eq!(cache.peek(&2), Some(&202));
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        self.lay_out();
        IterMut::new(&mut self.nodes)
    }

    /// The keys in the cache's order ([`iter`](Self::iter)'s).
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.put(2, 'b');
    /// assert_eq!(cache.keys().collect::<Vec<_>>(), [&2, &1]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys::new(self.iter())
    }

    /// The values in the cache's order ([`iter`](Self::iter)'s).
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.put(2, 'b');
    /// assert_eq!(cache.values().collect::<String>(), "ba");
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values::new(self.iter())
    }

    /// The values in the cache's order ([`iter`](Self::iter)'s), mutable; see
    /// [`iter_mut`](Self::iter_mut).
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 10);
    /// let _ = cache.put(2, 20);
    /// cache.values_mut().for_each(|v| *v /= 10);
    /// assert_eq!(cache.values().copied().collect::<Vec<_>>(), [2, 1]);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut::new(self.iter_mut())
    }

    /// Removes every entry and yields them in the cache's order ([`iter`](Self::iter)'s).
    /// Each entry leaves as by [`remove`](Self::remove): no ghost is made, and the ghosts,
    /// `p` and the statistics are kept (unlike [`clear`](Cache::clear)). The cache is empty
    /// as soon as this returns, however much of the `Drain` is used; it keeps the memory
    /// of its slots and key index.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.get(&1);
    /// let _ = cache.put(2, 'b');
    /// assert_eq!(cache.drain().collect::<Vec<_>>(), [(2, 'b'), (1, 'a')]);
    /// assert!(cache.is_empty());
    /// assert_eq!(cache.info().hits, 1);
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        self.lay_out();
        self.table.clear();
        self.lists = Lists::EMPTY;
        Drain::new(self.nodes.drain(..))
    }
}

impl<K, V, S> Cache<K, V> for ArcCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    /// A hit is the paper's case I (the entry moves to the most recent end of `T2`); a miss
    /// only counts, and changes nothing else: the `put` that follows it is the paper's miss.
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        Self::get(self, key)
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        Self::peek(self, key)
    }

    /// A cached key gets the new value and counts as an access (case I). A new key is the
    /// paper's miss: case II (its hash is in `B1`), III (in `B2`) or IV (in no list), with
    /// the adaptation of `p` and `REPLACE` there; it returns [`Put::Evicted`] with the entry
    /// that left the cache, if one did.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.put_slot(key, value).0
    }

    /// Removes a cached key without leaving a ghost (and without touching `p`); `remove` of
    /// a key that is not cached changes nothing, even if the key is a ghost.
    fn remove(&mut self, key: &K) -> Option<V> {
        Self::remove(self, key)
    }

    #[inline]
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.nodes.len())
    }

    /// Drops every entry and ghost, sets `p` back to 0, gives the memory back (as Python's
    /// `cache_clear()` does) and resets the counters.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.lists = Lists::EMPTY;
        self.pending_len = 0;
        self.ghosts = Ghosts::new(self.capacity as usize);
        self.p = 0.0;
        self.stats.reset();
    }

    fn contains(&self, key: &K) -> bool {
        Self::contains(self, key)
    }

    /// Counts and moves the entry exactly as [`get`](Cache::get) does.
    #[inline]
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::get_mut(self, key)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::peek_mut(self, key)
    }

    /// Exactly [`put`](Cache::put) (ghost hits adapt `p` the same way), and the stored
    /// value.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, Put};
    ///
    /// let mut cache = ArcCache::new(1);
    /// let (put, value) = cache.put_mut("a", vec![1]);
    /// assert_eq!(put, Put::Inserted);
    /// value.unwrap().push(2);
    /// assert_eq!(cache.peek(&"a"), Some(&vec![1, 2]));
    /// ```
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let (put, i) = self.put_slot(key, value);
        let value = if i == NIL {
            None
        } else {
            Some(&mut self.nodes[i as usize].value)
        };
        (put, value)
    }

    /// The entry `pop` would evict: the victim of the paper's `REPLACE` for a new key not
    /// in `B2` (`T1`'s least recently used entry if `|T1| > p`, else `T2`'s), as the `put`
    /// of a new key would pick it.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, Put};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.get(&1); // 1 to T2
    /// let _ = cache.put(2, 'b'); // T1 = [2], p = 0
    /// assert_eq!(cache.peek_victim(), Some((&2, &'b')));
    /// assert_eq!(cache.put(3, 'c'), Put::Evicted(2, 'b'));
    /// ```
    fn peek_victim(&self) -> Option<(&K, &V)> {
        let node = &self.nodes[self.victim()? as usize];
        Some((&node.key, &node.value))
    }

    /// Evicts what the `put` of a new key (not a ghost) would: case IV's ghost drop (`B1`'s
    /// least recent ghost when `|T1| + |B1| = c`, else `B2`'s when the ghosts number `c`),
    /// then `REPLACE`, whose victim becomes a ghost (or, when `T1` is the whole cache,
    /// `T1`'s least recent entry leaves without one, as in case IV). So a `pop` then a
    /// `put` of a new key do exactly what that `put` alone does. `p` does not move; counts
    /// nothing.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.get(&1); // 1 to T2
    /// let _ = cache.put(2, 'b');
    /// assert_eq!(cache.pop(), Some((2, 'b'))); // T1's LRU, now a ghost in B1
    /// assert_eq!(cache.sizes(), [0, 1, 1, 0]);
    /// assert_eq!(cache.pop(), Some((1, 'a')));
    /// assert_eq!(cache.pop(), None);
    /// ```
    fn pop(&mut self) -> Option<(K, V)> {
        self.evict_next()
    }

    /// Changes the capacity (clamped to [`MAX_CAPACITY`](crate::MAX_CAPACITY)). Shrinking pops (as
    /// [`pop`](Cache::pop), with the old capacity's ghost rules) until the entries fit and
    /// returns the popped pairs in order. Then the new capacity's bounds hold as after
    /// [`new`](ArcCache::new): `p` is clamped to it (the adaptive state is otherwise kept),
    /// the ghost lists are trimmed to `|T1| + |B1| <= c`, at most `c` ghosts and `2c` keys
    /// in all (dropping their least recent ghosts, `B1`'s for the first bound, `B2`'s for
    /// the others), and the ghost directory takes the new capacity's size. Shrinking gives
    /// back the memory the larger capacity held. Statistics are kept.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(3);
    /// for k in 1..=3 {
    ///     let _ = cache.put(k, k);
    /// }
    /// assert_eq!(cache.resize(1), [(1, 1), (2, 2)]); // T1's least recent first
    /// assert_eq!(cache.capacity(), Some(1));
    /// assert_eq!(cache.sizes(), [1, 0, 0, 0]); // |T1| + |B1| <= 1: B1 trimmed
    /// assert!(cache.resize(10).is_empty());
    /// ```
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.resize_to(capacity)
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }

    /// One lookup: a hit counts one hit and moves the entry as [`get`](Cache::get) does; a
    /// miss counts one miss, runs `f` once and inserts its value as [`put`](Cache::put)
    /// does, reusing the hash (a key that is a ghost adapts `p` and enters `T2`).
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, Fetched};
    ///
    /// let mut cache = ArcCache::new(1);
    /// assert_eq!(*cache.get_or_insert_with("a", || 1), 1); // a miss: computed
    /// assert!(cache.get_or_insert_with("a", || unreachable!()).is_hit());
    /// match cache.get_or_insert_with("b", || 2) {
    ///     Fetched::Evicted(value, old_key, old_value) => assert_eq!((*value, old_key, old_value), (2, "a", 1)),
    ///     other => panic!("{other:?}"),
    /// }
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=2, maxsize=1, currsize=1)");
    /// ```
    fn get_or_insert_with<F>(&mut self, key: K, f: F) -> Fetched<'_, K, V>
    where
        F: FnOnce() -> V,
    {
        match self.try_get_or_insert_with(key, || Ok::<V, core::convert::Infallible>(f())) {
            Ok(fetched) => fetched,
            Err(never) => match never {},
        }
    }

    /// [`get_or_insert_with`](Cache::get_or_insert_with) for a computation that can fail:
    /// an `Err` inserts nothing (the miss stays counted, and a ghost stays a ghost).
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let failed = cache.try_get_or_insert_with("a", || "a".parse::<u32>());
    /// assert!(failed.is_err());
    /// let parsed = cache.try_get_or_insert_with("1", || "1".parse::<u32>());
    /// assert_eq!(*parsed.unwrap(), 1);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=0, misses=2, maxsize=2, currsize=1)");
    /// ```
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        F: FnOnce() -> Result<V, E>,
    {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.stats.hit();
            self.touch(i);
            return Ok(Fetched::Hit(&mut self.nodes[i as usize].value));
        }
        self.stats.miss();
        let value = f()?;
        let (put, i) = self.insert_new(hash, key, value);
        Ok(match put {
            Put::Rejected(k, v) => Fetched::Rejected(k, v),
            Put::Evicted(k, v) => Fetched::Evicted(&mut self.nodes[i as usize].value, k, v),
            // `insert_new` never replaces: the key was not cached.
            Put::Inserted | Put::Replaced(_) => {
                Fetched::Inserted(&mut self.nodes[i as usize].value)
            }
        })
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for ArcCache<K, V, S> {
    /// `put`s every pair in turn. What a `put` evicts is dropped: call
    /// [`put`](Cache::put) in a loop to keep the evicted pairs.
    ///
    /// ```
    /// use evict_arc::ArcCache;
    ///
    /// let mut cache = ArcCache::new(2);
    /// cache.extend([(1, 'a'), (2, 'b'), (3, 'c')]);
    /// assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [3, 2]);
    /// ```
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            let _ = self.put(k, v);
        }
    }
}

impl<'a, K, V, S> IntoIterator for &'a ArcCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V, S> IntoIterator for &'a mut ArcCache<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

impl<K, V, S> IntoIterator for ArcCache<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    /// The entries by value, in the cache's order ([`iter`](ArcCache::iter)'s).
    fn into_iter(mut self) -> IntoIter<K, V> {
        self.flush();
        // No index to renumber: it goes with the cache.
        self.lists.rank(&mut self.nodes);
        self.lists.lay_out(&mut self.nodes);
        IntoIter::new(core::mem::take(&mut self.nodes))
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for ArcCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// The first `.1` pairs of an iterator, as a map.
        struct Entries<'a, K, V>(Iter<'a, K, V>, usize);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone().take(self.1)).finish()
            }
        }
        let t1 = self.lists.len[T1] as usize;
        let mut t2 = self.iter();
        if t1 > 0 {
            t2.nth(t1 - 1);
        }
        f.debug_struct("ArcCache")
            .field("capacity", &self.capacity)
            .field("target", &self.p)
            .field("t1_most_recent_first", &Entries(self.iter(), t1))
            .field("t2_most_recent_first", &Entries(t2, usize::MAX))
            .field("ghosts", &[self.ghosts.len(B1), self.ghosts.len(B2)])
            .field("stats", &self.stats)
            .finish()
    }
}
