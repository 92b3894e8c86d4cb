//! The iterators of [`ArcCache`]: `T1` from its most to its least recently used entry, then
//! `T2` the same way.

use alloc::vec::Vec;
use core::fmt;
use core::iter::FusedIterator;

use crate::ArcCache;
use crate::lists::{NIL, Node, T1, T2};

/// Where one end of an [`Iter`] stands in the order `T1`, then `T2`, where `T2`'s true order
/// is its pending hits (the latest first) followed by the rest of its linked list.
#[derive(Clone, Copy, Debug)]
enum At {
    /// At this slot of `T1` (`NIL`: past its end).
    T1(u32),
    /// At the pending hit `pending[k - 1]` going forwards, `pending[k]` going backwards.
    Pending(usize),
    /// At this slot of `T2`'s linked list (`NIL`: past its end).
    T2(u32),
}

/// The entries of an [`ArcCache`], in its iteration order: `T1` from its most to its least
/// recently used entry, then `T2` the same way. Made by [`ArcCache::iter`] (and
/// `&cache`'s `into_iter`).
///
/// A hit on an entry already in `T2` may leave its move to `T2`'s most recent end pending
/// (see the crate docs); this iterator lists the entries as if every pending move had been
/// made, without making them (each `T2` entry then costs a look at the pending buffer, at
/// most 32 slots).
///
/// ```
/// use evict_arc::{ArcCache, Cache};
///
/// let mut cache = ArcCache::new(4);
/// for k in 1..=4 {
///     let _ = cache.put(k, k * 10);
/// }
/// let _ = cache.get(&1);
/// let _ = cache.get(&2); // 1 and 2 move to T2, 2 the most recent
/// let listed: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
/// assert_eq!(listed, [(4, 40), (3, 30), (2, 20), (1, 10)]);
/// let last = cache.iter().next_back();
/// assert_eq!(last, Some((&1, &10))); // T2's least recently used entry
/// ```
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    pending: &'a [u32],
    t2_head: u32,
    t1_tail: u32,
    front: At,
    back: At,
    remaining: usize,
}

impl<'a, K, V> Iter<'a, K, V> {
    pub(crate) fn new<S>(cache: &'a ArcCache<K, V, S>) -> Self {
        let lists = cache.lists;
        Self {
            nodes: &cache.nodes,
            pending: cache.pending(),
            t2_head: lists.head[T2],
            t1_tail: lists.tail[T1],
            front: At::T1(lists.head[T1]),
            back: At::T2(lists.tail[T2]),
            remaining: cache.nodes.len(),
        }
    }

    /// Whether pending hit `k` is the last one of its slot (earlier ones do not count).
    fn last_hit(&self, k: usize) -> bool {
        !self.pending[k + 1..].contains(&self.pending[k])
    }

    /// The next slot from the front.
    fn next_slot(&mut self) -> Option<u32> {
        if self.remaining == 0 {
            return None;
        }
        let slot = loop {
            match self.front {
                At::T1(NIL) => self.front = At::Pending(self.pending.len()),
                At::T1(i) => {
                    self.front = At::T1(self.nodes[i as usize].links.next());
                    break Some(i);
                }
                At::Pending(0) => self.front = At::T2(self.t2_head),
                At::Pending(k) => {
                    self.front = At::Pending(k - 1);
                    if self.last_hit(k - 1) {
                        break Some(self.pending[k - 1]);
                    }
                }
                At::T2(NIL) => break None,
                At::T2(i) => {
                    self.front = At::T2(self.nodes[i as usize].links.next());
                    if !self.pending.contains(&i) {
                        break Some(i);
                    }
                }
            }
        };
        if slot.is_some() {
            self.remaining -= 1;
        }
        slot
    }

    /// The next slot from the back.
    fn next_slot_back(&mut self) -> Option<u32> {
        if self.remaining == 0 {
            return None;
        }
        let slot = loop {
            match self.back {
                At::T2(NIL) => self.back = At::Pending(0),
                At::T2(i) => {
                    self.back = At::T2(self.nodes[i as usize].links.prev);
                    if !self.pending.contains(&i) {
                        break Some(i);
                    }
                }
                At::Pending(k) if k == self.pending.len() => self.back = At::T1(self.t1_tail),
                At::Pending(k) => {
                    self.back = At::Pending(k + 1);
                    if self.last_hit(k) {
                        break Some(self.pending[k]);
                    }
                }
                At::T1(NIL) => break None,
                At::T1(i) => {
                    self.back = At::T1(self.nodes[i as usize].links.prev);
                    break Some(i);
                }
            }
        };
        if slot.is_some() {
            self.remaining -= 1;
        }
        slot
    }

    fn pair(&self, i: u32) -> (&'a K, &'a V) {
        let node = &self.nodes[i as usize];
        (&node.key, &node.value)
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.next_slot().map(|i| self.pair(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.next_slot_back().map(|i| self.pair(i))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

// Not derived: a derive would ask `K: Clone, V: Clone`.
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

/// The entries of an [`ArcCache`] with mutable values, in its iteration order (`T1` from its
/// most to its least recently used entry, then `T2`). Made by [`ArcCache::iter_mut`] (and
/// `&mut cache`'s `into_iter`), which first makes the pending `T2` moves and lays the slots
/// out in that order (see [`ArcCache::iter_mut`]).
///
/// ```
/// use evict_arc::{ArcCache, Cache};
///
/// let mut cache = ArcCache::new(3);
/// let _ = cache.put("a", 1);
/// let _ = cache.put("b", 2);
/// for (_, v) in cache.iter_mut() {
///     *v *= 10;
/// }
/// assert_eq!(cache.peek("a"), Some(&10));
/// assert_eq!(cache.iter_mut().rev().next(), Some((&"a", &mut 10)));
/// ```
pub struct IterMut<'a, K, V> {
    /// The slots, laid out in iteration order.
    slots: core::slice::IterMut<'a, Node<K, V>>,
}

impl<'a, K, V> IterMut<'a, K, V> {
    /// Over `slots` laid out in iteration order.
    pub(crate) fn new(slots: &'a mut [Node<K, V>]) -> Self {
        Self {
            slots: slots.iter_mut(),
        }
    }
}

/// A slot's pair, the value mutable.
fn pair_mut<K, V>(node: &mut Node<K, V>) -> (&K, &mut V) {
    (&node.key, &mut node.value)
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.slots.next().map(pair_mut)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.slots.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.slots.next_back().map(pair_mut)
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

/// The pairs of slots laid out in iteration order, for `Debug`.
fn pairs<K, V>(slots: &[Node<K, V>]) -> impl Iterator<Item = (&K, &V)> {
    slots.iter().map(|node| (&node.key, &node.value))
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
    /// Lists the entries not handed out yet, in order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(pairs(self.slots.as_slice()))
            .finish()
    }
}

/// The entries of an [`ArcCache`] moved out, in its iteration order (`T1` from its most to
/// its least recently used entry, then `T2`). Made by [`ArcCache::drain`], which empties
/// the cache at once: dropping the `Drain` before its end drops the entries left.
///
/// ```
/// use evict_arc::{ArcCache, Cache};
///
/// let mut cache = ArcCache::new(3);
/// let _ = cache.put(1, 'a');
/// let _ = cache.put(2, 'b');
/// let mut drain = cache.drain();
/// assert_eq!(drain.next_back(), Some((1, 'a')));
/// drop(drain);
/// assert!(cache.is_empty());
/// ```
pub struct Drain<'a, K, V> {
    /// The slots, laid out in iteration order.
    slots: alloc::vec::Drain<'a, Node<K, V>>,
}

impl<'a, K, V> Drain<'a, K, V> {
    /// Over `slots` laid out in iteration order.
    pub(crate) fn new(slots: alloc::vec::Drain<'a, Node<K, V>>) -> Self {
        Self { slots }
    }
}

/// The entries of an [`ArcCache`] by value, in its iteration order (`T1` from its most to
/// its least recently used entry, then `T2`). Made by the cache's `into_iter`.
///
/// ```
/// use evict_arc::{ArcCache, Cache};
///
/// let mut cache = ArcCache::new(3);
/// let _ = cache.put(1, 'a');
/// let _ = cache.put(2, 'b');
/// let _ = cache.get(&1); // 1 to T2
/// let pairs: Vec<(u32, char)> = cache.into_iter().collect();
/// assert_eq!(pairs, [(2, 'b'), (1, 'a')]);
/// ```
pub struct IntoIter<K, V> {
    /// The slots, laid out in iteration order.
    slots: alloc::vec::IntoIter<Node<K, V>>,
}

impl<K, V> IntoIter<K, V> {
    /// Over `slots` laid out in iteration order.
    pub(crate) fn new(slots: Vec<Node<K, V>>) -> Self {
        Self {
            slots: slots.into_iter(),
        }
    }
}

/// A slot's pair, moved out.
fn pair_owned<K, V>(node: Node<K, V>) -> (K, V) {
    (node.key, node.value)
}

macro_rules! owning_iterator {
    ($name:ident $(<$a:lifetime>)?) => {
        impl<K, V> Iterator for $name<$($a,)? K, V> {
            type Item = (K, V);

            fn next(&mut self) -> Option<(K, V)> {
                self.slots.next().map(pair_owned)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.slots.size_hint()
            }
        }

        impl<K, V> DoubleEndedIterator for $name<$($a,)? K, V> {
            fn next_back(&mut self) -> Option<(K, V)> {
                self.slots.next_back().map(pair_owned)
            }
        }

        impl<K, V> ExactSizeIterator for $name<$($a,)? K, V> {}
        impl<K, V> FusedIterator for $name<$($a,)? K, V> {}

        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for $name<$($a,)? K, V> {
            /// Lists the entries left, in order.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(pairs(self.slots.as_slice())).finish()
            }
        }
    };
}

owning_iterator!(Drain<'_>);
owning_iterator!(IntoIter);

macro_rules! projection {
    ($(#[$doc:meta])* $name:ident, $inner:ident, $item:ty, |$k:ident, $v:ident| $get:expr) => {
        $(#[$doc])*
        pub struct $name<'a, K, V> {
            inner: $inner<'a, K, V>,
        }

        impl<'a, K, V> $name<'a, K, V> {
            pub(crate) fn new(inner: $inner<'a, K, V>) -> Self {
                Self { inner }
            }
        }

        impl<'a, K, V> Iterator for $name<'a, K, V> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|($k, $v)| $get)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<'a, K, V> DoubleEndedIterator for $name<'a, K, V> {
            fn next_back(&mut self) -> Option<$item> {
                self.inner.next_back().map(|($k, $v)| $get)
            }
        }

        impl<K, V> ExactSizeIterator for $name<'_, K, V> {}
        impl<K, V> FusedIterator for $name<'_, K, V> {}
    };
}

projection!(
    /// The keys of an [`ArcCache`], in its iteration order (`T1` from its most to its least
    /// recently used entry, then `T2`). Made by [`ArcCache::keys`].
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(3);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.put(2, 'b');
    /// assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [2, 1]);
    /// ```
    Keys, Iter, &'a K, |k, _v| k
);
projection!(
    /// The values of an [`ArcCache`], in its iteration order (`T1` from its most to its
    /// least recently used entry, then `T2`). Made by [`ArcCache::values`].
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(3);
    /// let _ = cache.put(1, 'a');
    /// let _ = cache.put(2, 'b');
    /// assert_eq!(cache.values().rev().collect::<String>(), "ab");
    /// ```
    Values, Iter, &'a V, |_k, v| v
);
projection!(
    /// The values of an [`ArcCache`], mutable, in its iteration order (`T1` from its most to
    /// its least recently used entry, then `T2`). Made by [`ArcCache::values_mut`].
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(3);
    /// let _ = cache.put(1, 10);
    /// cache.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(cache.peek(&1), Some(&11));
    /// ```
    ValuesMut, IterMut, &'a mut V, |_k, v| v
);

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
        f.debug_list()
            .entries(pairs(self.inner.slots.as_slice()).map(|(_, v)| v))
            .finish()
    }
}
