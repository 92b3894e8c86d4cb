//! The iterators of [`RandomCache`], over its dense slot array: every one lists the entries
//! in storage order (see [`RandomCache::iter`]), and every one is double-ended, as the slots
//! are a slice.

use alloc::vec;
use core::fmt;
use core::iter::FusedIterator;
use core::slice;

use crate::RandomCache;

/// The iterators' constructors: every one lists the slots in storage order.
impl<K, V, S> RandomCache<K, V, S> {
    /// Iterates over the entries in storage order (see the [type docs](RandomCache): it says
    /// nothing about what goes next), without counting lookups.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let mut pairs: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
    /// pairs.sort();
    /// assert_eq!(pairs, [(1, 10), (2, 20), (3, 30)]);
    /// assert_eq!(cache.iter().rev().count(), 3); // double-ended
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            inner: self.entries.iter(),
        }
    }

    /// Iterates over the entries with mutable values, in storage order, without counting
    /// lookups or changing what goes next.
    ///
    /// ```
    /// use evict_random::RandomCache;
    ///
    /// let mut cache = RandomCache::new(3);
    /// cache.extend([("a", 1), ("b", 2)]);
    /// for (_, v) in cache.iter_mut() {
    ///     *v *= 10;
    /// }
    /// assert_eq!((cache.peek("a"), cache.peek("b")), (Some(&10), Some(&20)));
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut {
            inner: self.entries.iter_mut(),
        }
    }

    /// The cached keys, in storage order.
    ///
    /// ```
    /// use evict_random::RandomCache;
    ///
    /// let mut cache = RandomCache::new(3);
    /// cache.extend([(1, 'a'), (2, 'b')]);
    /// let mut keys: Vec<u8> = cache.keys().copied().collect();
    /// keys.sort();
    /// assert_eq!(keys, [1, 2]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys {
            inner: self.entries.iter(),
        }
    }

    /// The cached values, in storage order.
    ///
    /// ```
    /// use evict_random::RandomCache;
    ///
    /// let mut cache = RandomCache::new(3);
    /// cache.extend([(1, 10), (2, 20)]);
    /// assert_eq!(cache.values().sum::<u32>(), 30);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values {
            inner: self.entries.iter(),
        }
    }

    /// The cached values, mutable, in storage order.
    ///
    /// ```
    /// use evict_random::RandomCache;
    ///
    /// let mut cache = RandomCache::new(3);
    /// cache.extend([(1, 10), (2, 20)]);
    /// cache.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(cache.values().sum::<u32>(), 32);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut {
            inner: self.entries.iter_mut(),
        }
    }

    /// Removes every entry and yields them, in storage order. Unlike
    /// [`clear`](crate::Cache::clear), the statistics are kept, the generator goes on from where it
    /// is (it is not restarted from the seed), and the slots keep their memory for the
    /// entries to come. The cache is empty from the call on, even if the iterator is dropped
    /// before the end.
    ///
    /// ```
    /// use evict_random::{Cache, RandomCache};
    ///
    /// let mut cache = RandomCache::new(4);
    /// let _ = (cache.put(1, 'a'), cache.put(2, 'b'), cache.get(&1));
    /// let mut drained: Vec<(u8, char)> = cache.drain().collect();
    /// drained.sort();
    /// assert_eq!(drained, [(1, 'a'), (2, 'b')]);
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=4, currsize=0)");
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        // The index first: whatever happens to the `Drain`, no slot is left to point to.
        self.table.reset();
        Drain {
            inner: self.entries.drain(..),
        }
    }
}

/// The entries by reference, in storage order: `for (k, v) in &cache`.
impl<'a, K, V, S> IntoIterator for &'a RandomCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

/// The entries with mutable values, in storage order: `for (k, v) in &mut cache`.
impl<'a, K, V, S> IntoIterator for &'a mut RandomCache<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// The entries by value, in storage order: `for (k, v) in cache`.
///
/// ```
/// use evict_random::RandomCache;
///
/// let mut cache = RandomCache::new(2);
/// cache.extend([(1, 'a')]);
/// assert_eq!(cache.into_iter().collect::<Vec<_>>(), [(1, 'a')]);
/// ```
impl<K, V, S> IntoIterator for RandomCache<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter {
            inner: self.entries.into_iter(),
        }
    }
}

/// Implements `Iterator` (with `size_hint`), `DoubleEndedIterator`, `ExactSizeIterator` and
/// `FusedIterator` for a wrapper whose field `inner` iterates over the slots, mapping each
/// slot with `$map`.
macro_rules! slot_iterator {
    ($name:ident<$($lt:lifetime,)? $($p:ident),*>, $item:ty, $map:expr) => {
        impl<$($lt,)? $($p),*> Iterator for $name<$($lt,)? $($p),*> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map($map)
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? $($p),*> DoubleEndedIterator for $name<$($lt,)? $($p),*> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map($map)
            }
        }

        impl<$($lt,)? $($p),*> ExactSizeIterator for $name<$($lt,)? $($p),*> {
            #[inline]
            fn len(&self) -> usize {
                self.inner.len()
            }
        }

        impl<$($lt,)? $($p),*> FusedIterator for $name<$($lt,)? $($p),*> {}
    };
}

/// `Clone` without `K: Clone, V: Clone` (only references are copied), which a derive would
/// demand.
macro_rules! clone_by_reference {
    ($name:ident) => {
        impl<K, V> Clone for $name<'_, K, V> {
            fn clone(&self) -> Self {
                Self {
                    inner: self.inner.clone(),
                }
            }
        }
    };
}

/// Prints the remaining items as a list (each slot mapped by `$show`), with the bounds given.
macro_rules! debug_as_list {
    ($name:ident<$($lt:lifetime,)? K $(: $kb:path)?, V $(: $vb:path)?>, $show:expr) => {
        impl<$($lt,)? K $(: $kb)?, V $(: $vb)?> fmt::Debug for $name<$($lt,)? K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.inner.as_slice().iter().map($show))
                    .finish()
            }
        }
    };
}

/// A slot as a pair of references.
fn pair<K, V>((k, v): &(K, V)) -> (&K, &V) {
    (k, v)
}

/// A slot's key.
fn key<K, V>((k, _): &(K, V)) -> &K {
    k
}

/// A slot's value.
fn value<K, V>((_, v): &(K, V)) -> &V {
    v
}

/// The entries of a [`RandomCache`], by reference, in storage order: see
/// [`RandomCache::iter`].
pub struct Iter<'a, K, V> {
    pub(crate) inner: slice::Iter<'a, (K, V)>,
}

slot_iterator!(Iter<'a, K, V>, (&'a K, &'a V), pair);
clone_by_reference!(Iter);
debug_as_list!(Iter<'a, K: fmt::Debug, V: fmt::Debug>, pair);

/// The entries of a [`RandomCache`], values mutable, in storage order: see
/// [`RandomCache::iter_mut`].
pub struct IterMut<'a, K, V> {
    pub(crate) inner: slice::IterMut<'a, (K, V)>,
}

slot_iterator!(IterMut<'a, K, V>, (&'a K, &'a mut V), |(k, v): &'a mut (
    K,
    V
)| (&*k, v));
debug_as_list!(IterMut<'a, K: fmt::Debug, V: fmt::Debug>, pair);

/// The entries of a [`RandomCache`], by value, in storage order: what `for (k, v) in cache`
/// iterates over.
pub struct IntoIter<K, V> {
    pub(crate) inner: vec::IntoIter<(K, V)>,
}

slot_iterator!(IntoIter<K, V>, (K, V), |slot| slot);
debug_as_list!(IntoIter<K: fmt::Debug, V: fmt::Debug>, pair);

/// The entries removed by [`RandomCache::drain`], by value, in storage order. The cache is
/// empty from the call on, even if this is dropped early.
pub struct Drain<'a, K, V> {
    pub(crate) inner: vec::Drain<'a, (K, V)>,
}

slot_iterator!(Drain<'a, K, V>, (K, V), |slot| slot);
debug_as_list!(Drain<'a, K: fmt::Debug, V: fmt::Debug>, pair);

/// The keys of a [`RandomCache`], in storage order: see [`RandomCache::keys`].
pub struct Keys<'a, K, V> {
    pub(crate) inner: slice::Iter<'a, (K, V)>,
}

slot_iterator!(Keys<'a, K, V>, &'a K, |(k, _): &'a (K, V)| k);
clone_by_reference!(Keys);
debug_as_list!(Keys<'a, K: fmt::Debug, V>, key);

/// The values of a [`RandomCache`], in storage order: see [`RandomCache::values`].
pub struct Values<'a, K, V> {
    pub(crate) inner: slice::Iter<'a, (K, V)>,
}

slot_iterator!(Values<'a, K, V>, &'a V, |(_, v): &'a (K, V)| v);
clone_by_reference!(Values);
debug_as_list!(Values<'a, K, V: fmt::Debug>, value);

/// The values of a [`RandomCache`], mutable, in storage order: see
/// [`RandomCache::values_mut`].
pub struct ValuesMut<'a, K, V> {
    pub(crate) inner: slice::IterMut<'a, (K, V)>,
}

slot_iterator!(ValuesMut<'a, K, V>, &'a mut V, |(_, v): &'a mut (K, V)| v);
debug_as_list!(ValuesMut<'a, K, V: fmt::Debug>, value);
