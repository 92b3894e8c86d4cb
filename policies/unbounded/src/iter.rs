//! The iterators of [`UnboundedCache`]: thin wrappers over hashbrown's, so that the names a
//! user sees are this crate's. They list the entries in the hash map's order, which is
//! arbitrary (it depends on the hasher's seed and the table's history) and is the same for
//! every iterator of one unchanged cache.

use core::fmt;
use core::iter::FusedIterator;

use hashbrown::hash_map;

#[cfg(doc)]
use crate::UnboundedCache;

/// Forwards `Iterator` (with `size_hint` and `len`), `ExactSizeIterator` and `FusedIterator`
/// to the wrapped hashbrown iterator in field `inner`.
macro_rules! forward_iterator {
    ($name:ident<$($lt:lifetime,)? $($p:ident),*>, $item:ty) => {
        impl<$($lt,)? $($p),*> Iterator for $name<$($lt,)? $($p),*> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next()
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
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

/// The entries of an [`UnboundedCache`], by reference, in the map's (arbitrary) order: see
/// [`UnboundedCache::iter`].
pub struct Iter<'a, K, V> {
    pub(crate) inner: hash_map::Iter<'a, K, V>,
}

forward_iterator!(Iter<'a, K, V>, (&'a K, &'a V));

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The entries of an [`UnboundedCache`], values mutable, in the map's (arbitrary) order: see
/// [`UnboundedCache::iter_mut`].
pub struct IterMut<'a, K, V> {
    pub(crate) inner: hash_map::IterMut<'a, K, V>,
}

forward_iterator!(IterMut<'a, K, V>, (&'a K, &'a mut V));

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The entries of an [`UnboundedCache`], by value, in the map's (arbitrary) order: what
/// `for (k, v) in cache` iterates over.
pub struct IntoIter<K, V> {
    pub(crate) inner: hash_map::IntoIter<K, V>,
}

forward_iterator!(IntoIter<K, V>, (K, V));

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The entries removed by [`UnboundedCache::drain`], by value, in the map's (arbitrary)
/// order. The cache is empty from the call on, even if this is dropped early.
pub struct Drain<'a, K, V> {
    pub(crate) inner: hash_map::Drain<'a, K, V>,
}

forward_iterator!(Drain<'a, K, V>, (K, V));

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The keys of an [`UnboundedCache`], in the map's (arbitrary) order: see
/// [`UnboundedCache::keys`].
pub struct Keys<'a, K, V> {
    pub(crate) inner: hash_map::Keys<'a, K, V>,
}

forward_iterator!(Keys<'a, K, V>, &'a K);

impl<K, V> Clone for Keys<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K: fmt::Debug, V> fmt::Debug for Keys<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The values of an [`UnboundedCache`], in the map's (arbitrary) order: see
/// [`UnboundedCache::values`].
pub struct Values<'a, K, V> {
    pub(crate) inner: hash_map::Values<'a, K, V>,
}

forward_iterator!(Values<'a, K, V>, &'a V);

impl<K, V> Clone for Values<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V: fmt::Debug> fmt::Debug for Values<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The values of an [`UnboundedCache`], mutable, in the map's (arbitrary) order: see
/// [`UnboundedCache::values_mut`].
pub struct ValuesMut<'a, K, V> {
    pub(crate) inner: hash_map::ValuesMut<'a, K, V>,
}

forward_iterator!(ValuesMut<'a, K, V>, &'a mut V);

impl<K, V: fmt::Debug> fmt::Debug for ValuesMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
