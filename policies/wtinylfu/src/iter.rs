//! Iteration: window, probation, protected, each from the most to the least recently used
//! entry (main-space entries in the order of their lists: a main-space hit marks an entry and
//! does not move it). Iterating counts nothing and changes no policy state.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;

use alloc::vec;

use crate::WTinyLfuCache;
use crate::node::{self, EMPTY, List, NIL, Node};

impl<K, V, S> WTinyLfuCache<K, V, S> {
    /// Iterates over the entries without counting or changing anything: the window from
    /// most to least recently used, then probation, then protected (each in its list's
    /// order, MRU end first). Double-ended: `.rev()` starts at protected's LRU end.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 0..3 {
    ///     let _ = cache.put(k, ());
    /// }
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [2, 1, 0]); // window 1 entry, the rest went to probation
    /// assert_eq!(cache.iter().rev().next(), Some((&0, &())));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0); // iterating counts nothing
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            nodes: &self.nodes,
            lists: self.lists,
            front: (0, self.lists[0].head),
            back: (2, self.lists[2].tail),
            left: self.nodes.len(),
        }
    }

    /// The keys, in [`iter`](Self::iter)'s order.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in ["a", "b", "c"] {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.keys().copied().collect::<Vec<_>>(), ["c", "b", "a"]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys { inner: self.iter() }
    }

    /// The values, in [`iter`](Self::iter)'s order.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 1..=3 {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// assert_eq!(cache.values().sum::<i32>(), 60);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values { inner: self.iter() }
    }

    /// Consumes the cache and yields its entries in [`iter`](Self::iter)'s order (also
    /// `for (k, v) in cache`).
    fn into_entries(mut self) -> IntoIter<K, V> {
        node::arrange(&mut self.nodes, &mut self.lists, |_| {});
        IntoIter {
            inner: core::mem::take(&mut self.nodes).into_iter(),
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> WTinyLfuCache<K, V, S> {
    /// Iterates over the entries with mutable values, in [`iter`](Self::iter)'s order,
    /// without counting or changing anything in the policy.
    ///
    /// It first lays the entries out in memory in that order (O(len): the entries are
    /// swapped into place and the table's slot numbers remapped, nothing is hashed or
    /// allocated; nothing moves if no entry has moved since the last time), so that the
    /// iterator is a plain slice iterator.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 0..3 {
    ///     let _ = cache.put(k, k);
    /// }
    /// for (k, v) in cache.iter_mut() {
    ///     *v += 100 * k;
    /// }
    /// assert_eq!(cache.peek(&2), Some(&202));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        self.arrange_indexed();
        IterMut {
            inner: self.nodes.iter_mut(),
        }
    }

    /// The values, mutable, in [`iter`](Self::iter)'s order (see
    /// [`iter_mut`](Self::iter_mut)).
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 1..=3 {
    ///     let _ = cache.put(k, k);
    /// }
    /// cache.values_mut().for_each(|v| *v *= 2);
    /// assert_eq!(cache.values().sum::<i32>(), 12);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut {
            inner: self.iter_mut(),
        }
    }

    /// Removes every entry and yields them in [`iter`](Self::iter)'s order. Unlike
    /// [`clear`](crate::Cache::clear), the statistics, the frequency sketch (with the hits
    /// the entries had not passed on yet, as [`remove`](Self::remove) does) and an adaptive
    /// cache's window size are kept, and so is the memory (entry slots and table). The cache is
    /// empty from the call on, even if the iterator is dropped before the end.
    ///
    /// ```
    /// use evict_wtinylfu::{Cache, WTinyLfuCache};
    ///
    /// let mut cache = WTinyLfuCache::new(10);
    /// for k in 0..3 {
    ///     let _ = cache.put(k, k);
    /// }
    /// let _ = cache.get(&1);
    /// assert_eq!(cache.drain().collect::<Vec<_>>(), [(2, 2), (1, 1), (0, 0)]);
    /// assert!(cache.is_empty());
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=10, currsize=0)");
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        self.record_all_hits();
        self.missed = None;
        self.victim_estimate.0 = NIL;
        self.table.clear();
        node::arrange(&mut self.nodes, &mut self.lists, |_| {});
        self.lists = [EMPTY; 3];
        Drain {
            inner: self.nodes.drain(..),
        }
    }
}

/// Iterator over a [`WTinyLfuCache`]'s entries: window, probation, protected, each most
/// recently used first; double-ended. See [`WTinyLfuCache::iter`].
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    lists: [List; 3],
    /// The next list (0 window, 1 probation, 2 protected) and slot from the front.
    front: (usize, u32),
    /// The next list and slot from the back.
    back: (usize, u32),
    /// Entries not yet yielded from either end.
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        // `left > 0`: an entry lies ahead, so a later list has one.
        while self.front.1 == NIL {
            self.front.0 += 1;
            self.front.1 = self.lists[self.front.0].head;
        }
        let node = &self.nodes[self.front.1 as usize];
        self.front.1 = node.next();
        self.left -= 1;
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        while self.back.1 == NIL {
            self.back.0 -= 1;
            self.back.1 = self.lists[self.back.0].tail;
        }
        let node = &self.nodes[self.back.1 as usize];
        self.back.1 = node.prev();
        self.left -= 1;
        Some((&node.key, &node.value))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Iterator over a [`WTinyLfuCache`]'s entries with mutable values, in
/// [`iter`](WTinyLfuCache::iter)'s order. See [`WTinyLfuCache::iter_mut`].
pub struct IterMut<'a, K, V> {
    inner: core::slice::IterMut<'a, Node<K, V>>,
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|n| (&n.key, &mut n.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|n| (&n.key, &mut n.value))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.inner.as_slice().iter().map(|n| (&n.key, &n.value));
        f.debug_list().entries(entries).finish()
    }
}

/// Owning iterator over a [`WTinyLfuCache`]'s entries, in [`iter`](WTinyLfuCache::iter)'s
/// order: `for (k, v) in cache`.
pub struct IntoIter<K, V> {
    inner: vec::IntoIter<Node<K, V>>,
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|n| (n.key, n.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IntoIter<K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|n| (n.key, n.value))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.inner.as_slice().iter().map(|n| (&n.key, &n.value));
        f.debug_list().entries(entries).finish()
    }
}

/// Draining iterator over a [`WTinyLfuCache`]'s entries, in
/// [`iter`](WTinyLfuCache::iter)'s order. See [`WTinyLfuCache::drain`].
pub struct Drain<'a, K, V> {
    inner: vec::Drain<'a, Node<K, V>>,
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|n| (n.key, n.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Drain<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|n| (n.key, n.value))
    }
}

impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.inner.as_slice().iter().map(|n| (&n.key, &n.value));
        f.debug_list().entries(entries).finish()
    }
}

/// Iterator over a [`WTinyLfuCache`]'s keys, in [`iter`](WTinyLfuCache::iter)'s order.
pub struct Keys<'a, K, V> {
    inner: Iter<'a, K, V>,
}

/// Iterator over a [`WTinyLfuCache`]'s values, in [`iter`](WTinyLfuCache::iter)'s order.
pub struct Values<'a, K, V> {
    inner: Iter<'a, K, V>,
}

/// Iterator over a [`WTinyLfuCache`]'s values, mutable, in
/// [`iter`](WTinyLfuCache::iter)'s order.
pub struct ValuesMut<'a, K, V> {
    inner: IterMut<'a, K, V>,
}

/// The `Iterator` impls of an iterator that yields one part of another's items.
macro_rules! projection {
    ($name:ident, $item:ty, |$k:pat_param, $v:pat_param| $out:expr) => {
        impl<'a, K, V> Iterator for $name<'a, K, V> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|($k, $v)| $out)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<'a, K, V> DoubleEndedIterator for $name<'a, K, V> {
            fn next_back(&mut self) -> Option<$item> {
                self.inner.next_back().map(|($k, $v)| $out)
            }
        }

        impl<K, V> ExactSizeIterator for $name<'_, K, V> {}
        impl<K, V> FusedIterator for $name<'_, K, V> {}
    };
}

projection!(Keys, &'a K, |k, _| k);
projection!(Values, &'a V, |_, v| v);
projection!(ValuesMut, &'a mut V, |_, v| v);

impl<K, V> Clone for Keys<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V> Clone for Values<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K: fmt::Debug, V> fmt::Debug for Keys<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V: fmt::Debug> fmt::Debug for Values<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<K, V: fmt::Debug> fmt::Debug for ValuesMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.inner.inner.as_slice().iter().map(|n| &n.value);
        f.debug_list().entries(values).finish()
    }
}

impl<'a, K, V, S> IntoIterator for &'a WTinyLfuCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K: Hash + Eq, V, S: BuildHasher> IntoIterator for &'a mut WTinyLfuCache<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// The entries in [`iter`](WTinyLfuCache::iter)'s order.
///
/// ```
/// use evict_wtinylfu::{Cache, WTinyLfuCache};
///
/// let mut cache = WTinyLfuCache::new(10);
/// for k in 0..3 {
///     let _ = cache.put(k, k.to_string());
/// }
/// let owned: Vec<(i32, String)> = cache.into_iter().collect();
/// assert_eq!(owned[0], (2, "2".to_string()));
/// ```
impl<K, V, S> IntoIterator for WTinyLfuCache<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        self.into_entries()
    }
}
