//! The public operations: lookups by borrowed key, the `Cache` implementation (with its
//! one-lookup `get_or_insert_with`, `pop`, `peek_victim` and `resize`) and `Extend`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use evict_core::{Cache, CacheInfo, Fetched, Put};
use evict_slots::SlotIndex;
use evict_slots::sketch::FrequencySketch;

use crate::node::{EMPTY, NIL};
use crate::{MAX_CAPACITY, WTinyLfuCache, sizes};

impl<K: Hash + Eq, V, S: BuildHasher> WTinyLfuCache<K, V, S> {
    /// Looks `key` up, counts one hit or one miss and records the access (see "What counts
    /// as an access" in the [type docs](WTinyLfuCache)). `key` may be any borrowed form of
    /// the key type (`&str` for `String` keys), as for `HashMap::get`: no allocation. This
    /// is [`Cache::get`], generalised.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.get("a"), Some(&1)); // a `&str`, no `String` built
    /// assert_eq!(cache.get("b"), None);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=10, currsize=1)");
    /// ```
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.lookup(key)?;
        Some(&self.nodes[i as usize].value)
    }

    /// Looks `key` up exactly as [`get`](Self::get) does (one hit or one miss, the access
    /// recorded in the sketch or, in the main space, in the entry's reference bit) and
    /// returns the value to change in place. The entry keeps its segment and its counts:
    /// no remove-and-put.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
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
        let i = self.lookup(key)?;
        Some(&mut self.nodes[i as usize].value)
    }

    /// Looks `key` up without counting it and without recording an access. `key` may be
    /// any borrowed form of the key type.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
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
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    /// Looks `key` up like [`peek`](Self::peek) (counts and records nothing) and returns
    /// the value to change in place.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
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
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        Some(&mut self.nodes[i as usize].value)
    }

    /// Whether `key` is cached; counts and records nothing.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert!(cache.contains("a"));
    /// assert!(!cache.contains("b"));
    /// ```
    #[inline]
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.peek(key).is_some()
    }

    /// Removes `key` and returns its value, if it was cached. Not a lookup: counts nothing.
    /// The sketch keeps the key's counts (the entry's unrecorded hits are passed on to it).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// let _ = cache.put(String::from("a"), 1);
    /// assert_eq!(cache.remove("a"), Some(1));
    /// assert_eq!(cache.remove("a"), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.missed = None;
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        self.record_hits(i);
        Some(self.remove_slot(i).1)
    }

    /// Checks that the lists, the slots, the table and the segment bounds agree.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        use crate::node::Segment;
        let n = self.nodes.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        assert!(self.max_window <= self.capacity);
        assert!(self.max_protected <= self.capacity - self.max_window);
        let mut seen = 0;
        for seg in Segment::ALL {
            let list = self.lists[seg as usize];
            let mut count = 0;
            let mut prev = NIL;
            let mut at = list.head;
            while at != NIL {
                let node = &self.nodes[at as usize];
                assert_eq!(node.segment(), seg, "slot {at} on the wrong list");
                assert!(
                    seg != Segment::Window || !node.referenced(),
                    "window slot {at} holds unrecorded hits"
                );
                assert_eq!(node.prev(), prev, "broken prev link at slot {at}");
                let hash = self.hasher.hash_one(&node.key);
                assert_eq!(
                    self.table.find(hash, |i| i == at),
                    Some(at),
                    "slot {at} not reachable from the table"
                );
                count += 1;
                assert!(count <= n, "cycle in list {seg:?}");
                prev = at;
                at = node.next();
            }
            assert_eq!(list.tail, prev, "tail of {seg:?} is not its last node");
            assert_eq!(list.len as usize, count, "len of {seg:?}");
            seen += count;
        }
        assert_eq!(seen, n, "lists do not cover every slot");
        let [window, probation, protected] = self.lists.map(|l| l.len);
        assert!(
            window <= self.max_window,
            "window {window} > {}",
            self.max_window
        );
        assert!(protected <= self.max_protected, "protected overflows");
        assert!(
            probation + protected <= self.capacity - self.max_window,
            "main space overflows"
        );
        if self.victim_estimate.0 != NIL {
            let hash = FrequencySketch::hash(&self.nodes[self.victim_estimate.0 as usize].key);
            assert_eq!(
                (self.victim_estimate.1, self.victim_estimate.2),
                (self.sketch.block(hash), self.sketch.frequency(hash)),
                "stale victim estimate"
            );
        }
        if let Some(climber) = &self.climber {
            climber.check();
        }
    }
}

impl<K, V, S> Cache<K, V> for WTinyLfuCache<K, V, S>
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

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.put_slot(key, value).0
    }

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

    /// Drops every entry, gives the memory back (entries, table and sketch), forgets all
    /// frequencies, resets the counters and, for an adaptive cache, the window size.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.lists = [EMPTY; 3];
        self.sketch.clear();
        self.missed = None;
        self.victim_estimate.0 = NIL;
        let (max_window, max_protected) = sizes(self.capacity);
        self.max_window = max_window;
        self.max_protected = max_protected;
        if let Some(climber) = &mut self.climber {
            *climber = climber.restarted(self.capacity);
        }
        self.stats.reset();
    }

    #[inline]
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::get_mut(self, key)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        Self::peek_mut(self, key)
    }

    fn contains(&self, key: &K) -> bool {
        Self::contains(self, key)
    }

    /// Exactly [`put`](Cache::put), and the value now stored under `key` (`None` when the
    /// admission filter rejected the pair, which is then in the `Put`).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, Put, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// let (put, value) = cache.put_mut("a", vec![1]);
    /// assert_eq!(put, Put::Inserted);
    /// value.unwrap().push(2);
    /// assert_eq!(cache.peek("a"), Some(&vec![1, 2]));
    /// ```
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let (put, i) = self.put_slot(key, value);
        let value = (i != NIL).then(|| &mut self.nodes[i as usize].value);
        (put, value)
    }

    /// The entry [`pop`](Cache::pop) would remove; changes nothing (see `pop`).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10); // window 1
    /// for k in 0..4 {
    ///     let _ = cache.put(k, ());
    /// }
    /// let _ = cache.get(&0); // probation's LRU entry is referenced: it would be promoted
    /// assert_eq!(cache.peek_victim(), Some((&1, &())));
    /// assert_eq!(cache.pop(), Some((1, ())));
    /// ```
    fn peek_victim(&self) -> Option<(&K, &V)> {
        match self.peek_victim_slot() {
            NIL => None,
            i => {
                let node = &self.nodes[i as usize];
                Some((&node.key, &node.value))
            }
        }
    }

    /// Evicts the main space's victim, as the next eviction would find it but without the
    /// admission contest (there is no candidate): probation's LRU entry once the victim
    /// search has promoted the referenced entries at its LRU end (and protected's overflow
    /// has been demoted or given its second chances), exactly as in a `put`. If probation
    /// has no entry left, the window's LRU entry leaves, else protected's. The sketch keeps
    /// the entry's counts. Counts no lookup.
    ///
    /// So `pop` is what a `put` of a new key into the full cache evicts when the admission
    /// filter prefers the candidate (or when the window is empty and the newcomer wins);
    /// when the filter keeps the victim instead, such a `put` evicts the candidate, the
    /// window's LRU entry.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10); // window 1, probation 2, protected 7
    /// for k in 0..10 {
    ///     let _ = cache.put(k, k);
    /// }
    /// // 9 is in the window, 8 (MRU) .. 0 (LRU) on probation.
    /// assert_eq!(cache.pop(), Some((0, 0)));
    /// let _ = cache.get(&1); // 1 would now be promoted: 2 is next
    /// assert_eq!(cache.pop(), Some((2, 2)));
    /// assert_eq!(cache.len(), 8);
    /// ```
    fn pop(&mut self) -> Option<(K, V)> {
        match self.pop_slot() {
            NIL => None,
            i => {
                self.record_hits(i);
                Some(self.remove_slot(i))
            }
        }
    }

    /// Sets the capacity (clamped to [`MAX_CAPACITY`]) and returns the entries it evicted.
    ///
    /// Shrinking first [`pop`](Cache::pop)s until the entries fit (in `pop`'s order, at the
    /// old sizes); then the window and protected shares are recomputed for the new capacity
    /// as [`new`](WTinyLfuCache::new) computes them, and the entries are moved to fit them:
    /// the window's LRU entries that no longer fit go to probation's MRU end (as when the
    /// window overflows), protected's overflow is demoted (or gets its second chance) as
    /// usual, and a main space over its share hands its LRU entries to the window (hits
    /// recorded, as the adaptive window does when it grows). Nothing else leaves.
    ///
    /// What is kept: the statistics, and the frequencies: the sketch takes the width and
    /// halving period a new cache of that capacity would have and keeps its counts (see
    /// `FrequencySketch::resize`). An adaptive cache's window goes back to 1% and its hill
    /// climber starts again, as in a new cache. Shrinking gives back the memory of the
    /// entries that left (entry slots and table shrink to the new size).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 0..10 {
    ///     let _ = cache.put(k, k);
    /// }
    /// assert_eq!(cache.resize(7), [(0, 0), (1, 1), (2, 2)]); // probation's LRU end first
    /// assert_eq!((cache.len(), cache.capacity()), (7, Some(7)));
    /// assert!(cache.resize(1000).is_empty());
    /// assert_eq!(cache.window_capacity(), 10);
    /// ```
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let mut popped = Vec::new();
        while self.nodes.len() > capacity as usize {
            let i = self.pop_slot();
            self.record_hits(i);
            popped.push(self.remove_slot(i));
        }
        let shrunk = capacity < self.capacity;
        self.capacity = capacity;
        (self.max_window, self.max_protected) = sizes(capacity);
        while self.lists[0].len > self.max_window {
            let i = self.lists[0].tail;
            self.move_to_front(crate::node::Segment::Probation, i);
        }
        self.demote_protected_overflow();
        self.main_overflow_to_window();
        self.sketch.resize(capacity as usize);
        self.sketch.ensure_capacity(self.nodes.len());
        self.victim_estimate.0 = NIL;
        if let Some(climber) = &mut self.climber {
            *climber = climber.restarted(capacity);
        }
        if shrunk {
            // Give back the memory of the entries that left.
            self.nodes.shrink_to(capacity as usize);
            let nodes = &self.nodes;
            let hasher = &self.hasher;
            self.table.shrink_to(nodes.len(), crate::TABLE_FLOOR, |j| {
                hasher.hash_one(&nodes[j as usize].key)
            });
        }
        if !self.nodes.is_empty() && self.nodes.len() == capacity as usize {
            self.settle_table();
        }
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }

    /// One lookup on a hit (counted and recorded as a [`get`](Cache::get) hit); on a miss,
    /// counts and records the miss as `get` does, runs `f` once and inserts as
    /// [`put`](Cache::put) does right after that `get` (the access is recorded once). The
    /// admission filter may refuse the new pair (only when the window has no room):
    /// [`Fetched::Rejected`] hands it back, nothing is lost.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// assert_eq!(*cache.get_or_insert_with("a", || 1), 1); // a miss: computed
    /// assert!(cache.get_or_insert_with("a", || unreachable!()).is_hit());
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=10, currsize=1)");
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
    /// an `Err` inserts nothing; the miss stays counted and recorded, as after a `get` miss
    /// (so a `put` of the key right after records no second access).
    ///
    /// # Errors
    ///
    /// The error `f` returned.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::<&str, u32>::new(10);
    /// assert_eq!(cache.try_get_or_insert_with("a", || "x".parse::<u32>()).map(|_| ()).is_err(), true);
    /// assert!(!cache.contains("a"));
    /// assert_eq!(*cache.try_get_or_insert_with("a", || "7".parse::<u32>()).unwrap(), 7);
    /// assert_eq!(cache.info().misses, 2);
    /// ```
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        F: FnOnce() -> Result<V, E>,
    {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.hit(i);
            return Ok(Fetched::Hit(&mut self.nodes[i as usize].value));
        }
        // The miss, as `get` counts and records it.
        self.get_miss(&key);
        let value = f()?;
        if self.capacity == 0 {
            return Ok(Fetched::Rejected(key, value));
        }
        // The `put` right after the miss: the access is already recorded.
        self.missed = None;
        let sketch_hash = FrequencySketch::hash(&key);
        Ok(match self.insert(hash, sketch_hash, key, value) {
            (Put::Rejected(k, v), _) => Fetched::Rejected(k, v),
            (Put::Evicted(k, v), i) => Fetched::Evicted(&mut self.nodes[i as usize].value, k, v),
            (_, i) => Fetched::Inserted(&mut self.nodes[i as usize].value),
        })
    }
}

/// Puts each pair in turn. What a `put` evicts (or the admission filter refuses) is
/// dropped: call [`put`](Cache::put) to keep it.
///
/// ```
/// use evict_wtinylfu::{Cache, WTinyLfuCache};
///
/// let mut cache = WTinyLfuCache::new(10);
/// cache.extend([(1, 'a'), (2, 'b')]);
/// assert_eq!(cache.len(), 2);
/// ```
impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for WTinyLfuCache<K, V, S> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            let _ = self.put(k, v);
        }
    }
}
