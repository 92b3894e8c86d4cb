//! Reference models: each policy written the obvious way, with a `Vec` or `VecDeque` and
//! linear scans, so that it can be checked by reading. They are slow (O(capacity) per
//! operation) and meant only for tests: the kit runs a policy and its model side by side and
//! compares every answer.
//!
//! Every model implements [`Cache`], every method of it (the provided
//! `get_or_insert_with` too, whose default body is already the obvious code), keeps its
//! statistics with [`Stats`], and follows the rules of `Cache`'s "Implementing `Cache`"
//! section. A model's [`entries`](Cache::entries) lists in the order the policy documents
//! for its iterators, since [`check_against`](crate::check_against) compares the order.

use std::collections::VecDeque;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// Position of `key` in a slice of pairs, by linear scan.
fn position<K: PartialEq, V>(entries: impl IntoIterator<Item = (K, V)>, key: K) -> Option<usize> {
    entries.into_iter().position(|(k, _)| k == key)
}

/// Model of a cache that never evicts (`functools.cache`): a `Vec` of pairs, in insertion
/// order.
///
/// It has no capacity (`capacity()` is `None`), so `peek_victim` and `pop` always return
/// `None` and `resize` changes nothing and returns no pair, as `Cache` documents for a cache
/// that never evicts. `entries` lists in insertion order; since an unbounded cache has no
/// eviction order to follow (the real one iterates in hash order),
/// [`check_against`](crate::check_against) compares the entries of a model whose
/// `capacity()` is `None` as a set.
///
/// ```
/// use evict_harness::model::Unbounded;
/// use evict_harness::Cache;
///
/// let mut m = Unbounded::new();
/// let _ = m.put(1, 'a');
/// assert_eq!(m.get(&1), Some(&'a'));
/// assert_eq!(m.capacity(), None);
/// assert_eq!((m.pop(), m.resize(0)), (None, vec![]));
/// assert_eq!(m.capacity(), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Unbounded<K, V> {
    entries: Vec<(K, V)>,
    stats: Stats,
}

impl<K, V> Unbounded<K, V> {
    /// An empty model.
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
            stats: Stats::default(),
        }
    }
}

impl<K: PartialEq, V> Cache<K, V> for Unbounded<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key);
        self.stats.record(i.is_some());
        i.map(|i| &self.entries[i].1)
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        match position(self.entries.iter().map(|(k, v)| (k, v)), &key) {
            Some(i) => {
                let old = std::mem::replace(&mut self.entries[i].1, value);
                // The spare key is dropped before the answer is built: a `Drop` that
                // panics would otherwise leak the answer (rust-lang/rust#47949).
                drop(key);
                Put::Replaced(old)
            }
            None => {
                self.entries.push((key, value));
                Put::Inserted
            }
        }
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key)?;
        let (key, value) = self.entries.remove(i);
        drop(key); // before the answer is built: see `put`
        Some(value)
    }
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn capacity(&self) -> Option<usize> {
        None
    }
    fn info(&self) -> CacheInfo {
        self.stats.info(None, self.entries.len())
    }
    fn clear(&mut self) {
        // Counters first: a value's `Drop` may panic while the entries go.
        self.stats.reset();
        self.entries.clear();
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key);
        self.stats.record(i.is_some());
        Some(&mut self.entries[i?].1)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key)?;
        Some(&mut self.entries[i].1)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), &key);
        let put = self.put(key, value);
        // A replaced value keeps its place; a new one is pushed last.
        let i = i.unwrap_or(self.entries.len() - 1);
        (put, Some(&mut self.entries[i].1))
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        None
    }
    fn pop(&mut self) -> Option<(K, V)> {
        None
    }
    fn resize(&mut self, _capacity: usize) -> Vec<(K, V)> {
        Vec::new()
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

/// Model of least-recently-used eviction: a `Vec` ordered from the most recently used
/// (index 0) to the least (the last element, the next victim).
///
/// A `get` or `get_mut` hit or a `put` of any key moves that key to index 0; a `put` of a
/// new key into a full model evicts the last element, which is also what `peek_victim`
/// shows, `pop` removes and a shrinking `resize` removes first. `entries` lists index 0
/// first: from the most to the least recently used, as `LruCache::iter` does.
///
/// ```
/// use evict_harness::model::Lru;
/// use evict_harness::{Cache, Put};
///
/// let mut m = Lru::new(2);
/// let _ = m.put(1, 'a');
/// let _ = m.put(2, 'b');
/// let _ = m.get(&1);
/// assert_eq!(m.put(3, 'c'), Put::Evicted(2, 'b'));
/// assert_eq!(m.entries().collect::<Vec<_>>(), [(&3, &'c'), (&1, &'a')]);
/// assert_eq!(m.peek_victim(), Some((&1, &'a')));
/// assert_eq!(m.resize(1), [(1, 'a')]);
/// ```
#[derive(Clone, Debug)]
pub struct Lru<K, V> {
    /// Most recently used first.
    entries: Vec<(K, V)>,
    capacity: usize,
    stats: Stats,
}

impl<K, V> Lru<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Vec::new(),
            capacity,
            stats: Stats::default(),
        }
    }
}

impl<K: PartialEq, V> Cache<K, V> for Lru<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key);
        self.stats.record(i.is_some());
        let entry = self.entries.remove(i?);
        self.entries.insert(0, entry);
        Some(&self.entries[0].1)
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(i) = position(self.entries.iter().map(|(k, v)| (k, v)), &key) {
            let (k, old) = self.entries.remove(i);
            self.entries.insert(0, (k, value));
            drop(key); // before the answer is built: see `Unbounded::put`
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let evicted = if self.entries.len() == self.capacity {
            self.entries.pop()
        } else {
            None
        };
        self.entries.insert(0, (key, value));
        match evicted {
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key)?;
        let (key, value) = self.entries.remove(i);
        drop(key); // before the answer is built: see `Unbounded::put`
        Some(value)
    }
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }
    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.entries.len())
    }
    fn clear(&mut self) {
        // Counters first: a value's `Drop` may panic while the entries go.
        self.stats.reset();
        self.entries.clear();
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key);
        self.stats.record(i.is_some());
        let entry = self.entries.remove(i?);
        self.entries.insert(0, entry);
        Some(&mut self.entries[0].1)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = position(self.entries.iter().map(|(k, v)| (k, v)), key)?;
        Some(&mut self.entries[i].1)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        // A kept pair, new or replaced, is now the most recent: index 0.
        match self.put(key, value) {
            put @ Put::Rejected(..) => (put, None),
            put => (put, Some(&mut self.entries[0].1)),
        }
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }
    fn pop(&mut self) -> Option<(K, V)> {
        self.entries.pop()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.capacity = capacity;
        let mut evicted = Vec::new();
        while self.entries.len() > capacity {
            evicted.extend(self.pop());
        }
        evicted
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

/// Model of first-in-first-out eviction: a `VecDeque` in insertion order, oldest at the
/// front. A hit does not reorder; replacing a value keeps the key's place; a `put` of a new
/// key into a full model evicts the front, which is also what `peek_victim` shows, `pop`
/// removes and a shrinking `resize` removes first. `entries` lists the front first: oldest
/// first, as `FifoCache::iter` does.
///
/// ```
/// use evict_harness::model::Fifo;
/// use evict_harness::{Cache, Put};
///
/// let mut m = Fifo::new(2);
/// let _ = m.put(1, 'a');
/// let _ = m.put(2, 'b');
/// let _ = m.get(&1); // no effect on the order
/// assert_eq!(m.put(3, 'c'), Put::Evicted(1, 'a'));
/// assert_eq!(m.entries().collect::<Vec<_>>(), [(&2, &'b'), (&3, &'c')]);
/// assert_eq!(m.pop(), Some((2, 'b')));
/// ```
#[derive(Clone, Debug)]
pub struct Fifo<K, V> {
    /// Oldest insertion at the front.
    queue: VecDeque<(K, V)>,
    capacity: usize,
    stats: Stats,
}

impl<K, V> Fifo<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            capacity,
            stats: Stats::default(),
        }
    }
}

impl<K: PartialEq, V> Cache<K, V> for Fifo<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let found = self.queue.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        self.stats.record(found.is_some());
        found
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.queue.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(i) = position(self.queue.iter().map(|(k, v)| (k, v)), &key) {
            let old = std::mem::replace(&mut self.queue[i].1, value);
            drop(key); // before the answer is built: see `Unbounded::put`
            return Put::Replaced(old);
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let evicted = if self.queue.len() == self.capacity {
            self.queue.pop_front()
        } else {
            None
        };
        self.queue.push_back((key, value));
        match evicted {
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        let i = position(self.queue.iter().map(|(k, v)| (k, v)), key)?;
        let (key, value) = self.queue.remove(i)?;
        drop(key); // before the answer is built: see `Unbounded::put`
        Some(value)
    }
    fn len(&self) -> usize {
        self.queue.len()
    }
    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }
    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.queue.len())
    }
    fn clear(&mut self) {
        // Counters first: a value's `Drop` may panic while the entries go.
        self.stats.reset();
        self.queue.clear();
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = position(self.queue.iter().map(|(k, v)| (k, v)), key);
        self.stats.record(i.is_some());
        Some(&mut self.queue[i?].1)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = position(self.queue.iter().map(|(k, v)| (k, v)), key)?;
        Some(&mut self.queue[i].1)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let i = position(self.queue.iter().map(|(k, v)| (k, v)), &key);
        match self.put(key, value) {
            put @ Put::Rejected(..) => (put, None),
            // A replaced value keeps its place; a new one joins the back.
            put => {
                let i = i.unwrap_or(self.queue.len() - 1);
                (put, Some(&mut self.queue[i].1))
            }
        }
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.queue.front().map(|(k, v)| (k, v))
    }
    fn pop(&mut self) -> Option<(K, V)> {
        self.queue.pop_front()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.capacity = capacity;
        let mut evicted = Vec::new();
        while self.queue.len() > capacity {
            evicted.extend(self.pop());
        }
        evicted
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.queue.iter().map(|(k, v)| (k, v)))
    }
}

// One file per policy written from its paper; each is `model::<policy>::<Model>`.
pub mod arc;
pub mod clock;
pub mod s3fifo;
pub mod sieve;
pub mod wtinylfu;
