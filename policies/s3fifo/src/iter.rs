//! Iteration, in one order everywhere: the small queue from its oldest entry to its newest,
//! then the main queue from its oldest entry to its newest (`rev()` for the opposite).
//! Borrowing iterators walk the queues' links; `iter_mut`, `drain` and `into_iter` first lay
//! the slots out in that order and then walk the `Vec`.

use alloc::vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::slice;

use crate::S3FifoCache;
use crate::queues::{EMPTY_QUEUE, IDX, MAIN, Node, Queue, SMALL};

impl<K, V, S> S3FifoCache<K, V, S> {
    /// The entries, in the cache's iteration order: the small queue from its oldest entry
    /// (the next one an eviction examines) to its newest, then the main queue from its
    /// oldest to its newest. Counts nothing and changes nothing. `rev()` lists main's newest
    /// first.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(20); // the first 2 keys fill the small queue
    /// for k in 0..5 {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let pairs: Vec<(u32, u32)> = cache.iter().map(|(&k, &v)| (k, v)).collect();
    /// assert_eq!(pairs, [(0, 0), (1, 10), (2, 20), (3, 30), (4, 40)]);
    /// assert_eq!(cache.iter().rev().next(), Some((&4, &40)));
    /// assert_eq!(cache.info().hits + cache.info().misses, 0);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        let [small, main] = self.queues;
        let (front_q, front) = if small.len > 0 {
            (SMALL, small.tail)
        } else {
            (MAIN, main.tail)
        };
        let (back_q, back) = if main.len > 0 {
            (MAIN, main.head)
        } else {
            (SMALL, small.head)
        };
        Iter {
            nodes: &self.nodes,
            queues: self.queues,
            front,
            front_q,
            back,
            back_q,
            left: self.nodes.len(),
        }
    }

    /// The keys, in [iteration order](Self::iter).
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// assert_eq!(cache.keys().copied().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys { inner: self.iter() }
    }

    /// The values, in [iteration order](Self::iter).
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// assert_eq!(cache.values().sum::<i32>(), 3);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values { inner: self.iter() }
    }

    /// Removes every entry and yields the pairs in [iteration order](Self::iter). Unlike
    /// [`clear`](evict_core::Cache::clear), the statistics are kept, and so are the ghost
    /// (as a [`remove`](Self::remove) of each key would: no key becomes a ghost) and the
    /// memory of the slots; the cache is empty even if the `Drain` is dropped early. O(len)
    /// to lay the slots out in order, then O(1) per pair.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// let _ = cache.put(1, "one");
    /// let _ = cache.put(2, "two");
    /// let _ = cache.get(&1);
    /// assert_eq!(cache.drain().collect::<Vec<_>>(), [(1, "one"), (2, "two")]);
    /// assert!(cache.is_empty());
    /// assert_eq!(cache.info().hits, 1);
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        self.sort_for_removal();
        self.table.reset();
        self.queues = [EMPTY_QUEUE; 2];
        Drain {
            inner: self.nodes.drain(..),
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> S3FifoCache<K, V, S> {
    /// The entries in [iteration order](Self::iter), with the values mutable. Counts
    /// nothing and changes no policy state; it first lays the slots out in iteration order
    /// (O(len), one key hash per entry that moves, none if the layout is already in order;
    /// no allocation), then walks them.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// for k in 0..3 {
    ///     let _ = cache.put(k, k);
    /// }
    /// for (_, v) in cache.iter_mut() {
    ///     *v *= 100;
    /// }
    /// assert_eq!(cache.peek(&2), Some(&200));
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        self.relayout();
        IterMut {
            inner: self.nodes.iter_mut(),
        }
    }

    /// The values in [iteration order](Self::iter), mutable; see
    /// [`iter_mut`](Self::iter_mut).
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// let _ = cache.put("a", 1);
    /// cache.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(cache.peek("a"), Some(&2));
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut {
            inner: self.iter_mut(),
        }
    }
}

/// The entries of an [`S3FifoCache`] by reference, in its iteration order: the small queue
/// oldest first, then the main queue oldest first. Made by [`S3FifoCache::iter`] and
/// `&cache` in a `for` loop.
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    queues: [Queue; 2],
    /// The next slot from the front, in queue `front_q`.
    front: u32,
    front_q: usize,
    /// The next slot from the back, in queue `back_q`.
    back: u32,
    back_q: usize,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let at = self.front;
        let node = &self.nodes[at as usize];
        if at == self.queues[self.front_q].head {
            // The small queue's newest: main follows (with nothing left, this reads the
            // ends of an empty queue but never follows them).
            self.front_q = MAIN;
            self.front = self.queues[MAIN].tail;
        } else {
            self.front = node.prev & IDX;
        }
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let at = self.back;
        let node = &self.nodes[at as usize];
        if at == self.queues[self.back_q].tail {
            self.back_q = SMALL;
            self.back = self.queues[SMALL].head;
        } else {
            self.back = node.next & IDX;
        }
        Some((&node.key, &node.value))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

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

/// The entries of an [`S3FifoCache`] with mutable values, in its iteration order. Made by
/// [`S3FifoCache::iter_mut`] and `&mut cache` in a `for` loop.
pub struct IterMut<'a, K, V> {
    inner: slice::IterMut<'a, Node<K, V>>,
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|n| (&n.key, &mut n.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|n| (&n.key, &mut n.value))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        pairs(f, self.inner.as_slice())
    }
}

/// The entries taken out of an [`S3FifoCache`] by [`S3FifoCache::drain`], in its iteration
/// order. Dropping it early drops the rest: the cache is empty either way.
pub struct Drain<'a, K, V> {
    inner: vec::Drain<'a, Node<K, V>>,
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|n| (n.key, n.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Drain<'_, K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|n| (n.key, n.value))
    }
}

impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        pairs(f, self.inner.as_slice())
    }
}

/// The entries of an [`S3FifoCache`] by value, in its iteration order: the cache consumed
/// by a `for` loop (`IntoIterator`).
pub struct IntoIter<K, V> {
    inner: vec::IntoIter<Node<K, V>>,
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|n| (n.key, n.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IntoIter<K, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|n| (n.key, n.value))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        pairs(f, self.inner.as_slice())
    }
}

/// Prints nodes as a list of `(key, value)` pairs.
fn pairs<K: fmt::Debug, V: fmt::Debug>(
    f: &mut fmt::Formatter<'_>,
    nodes: &[Node<K, V>],
) -> fmt::Result {
    f.debug_list()
        .entries(nodes.iter().map(|n| (&n.key, &n.value)))
        .finish()
}

/// Generates a wrapper iterator over one of the pair iterators that yields one side.
macro_rules! one_side {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime)?>, $inner:ident, $item:ty, $pick:tt) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            inner: $inner<$($lt,)? K, V>,
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map(|p| p.$pick)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map(|p| p.$pick)
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}

    };
}

one_side!(
    /// The keys of an [`S3FifoCache`], in its iteration order ([`S3FifoCache::keys`]).
    Keys<'a>, Iter, &'a K, 0
);
one_side!(
    /// The values of an [`S3FifoCache`], in its iteration order ([`S3FifoCache::values`]).
    Values<'a>, Iter, &'a V, 1
);
one_side!(
    /// The values of an [`S3FifoCache`], mutable, in its iteration order
    /// ([`S3FifoCache::values_mut`]).
    ValuesMut<'a>, IterMut, &'a mut V, 1
);

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
        f.debug_list()
            .entries(self.inner.inner.as_slice().iter().map(|n| &n.value))
            .finish()
    }
}

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

impl<'a, K, V, S> IntoIterator for &'a S3FifoCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K: Hash + Eq, V, S: BuildHasher> IntoIterator for &'a mut S3FifoCache<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// The cache's entries by value, in its iteration order.
///
/// ```
/// use evict_s3fifo::{Cache, S3FifoCache};
///
/// let mut cache = S3FifoCache::new(10);
/// let _ = cache.put("a", 1);
/// let _ = cache.put("b", 2);
/// let pairs: Vec<(&str, i32)> = cache.into_iter().collect();
/// assert_eq!(pairs, [("a", 1), ("b", 2)]);
/// ```
impl<K, V, S> IntoIterator for S3FifoCache<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(mut self) -> IntoIter<K, V> {
        self.sort_for_removal();
        IntoIter {
            inner: core::mem::take(&mut self.nodes).into_iter(),
        }
    }
}
