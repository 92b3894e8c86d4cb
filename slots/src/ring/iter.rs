//! The iterators of a [`Ring`](super::Ring): [`Iter`] walks the links; [`IterMut`],
//! [`IntoIter`] and [`Drain`] walk the slots after a
//! [`relayout`](super::Ring::relayout) has put them in circle order.

use alloc::vec;
use core::fmt;
use core::iter::FusedIterator;
use core::slice;

use super::{FLAG, Node};

/// The entries of a [`Ring`](super::Ring) in circle order from a starting slot, by
/// reference; from the back, the other way round. See
/// [`Ring::iter_from`](super::Ring::iter_from).
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    front: u32,
    back: u32,
    left: usize,
}

impl<'a, K, V> Iter<'a, K, V> {
    pub(super) fn new(nodes: &'a [Node<K, V>], start: u32) -> Self {
        let back = match nodes.get(start as usize) {
            Some(node) => node.item.prev & !FLAG,
            None => start,
        };
        Self {
            nodes,
            front: start,
            back,
            left: nodes.len(),
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let node = &self.nodes[self.front as usize];
        self.front = node.item.next;
        self.left -= 1;
        Some((&node.key, &node.item.value))
    }

    #[inline]
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
        let node = &self.nodes[self.back as usize];
        // Without flags the top bit is never set: masking it costs nothing to check.
        self.back = node.item.prev & !FLAG;
        self.left -= 1;
        Some((&node.key, &node.item.value))
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

/// Stamps out an iterator over a `Vec` iterator of nodes (in circle order) that maps each
/// node to an item: `Iterator`, `DoubleEndedIterator`, `ExactSizeIterator`,
/// `FusedIterator` and a `Debug` that lists what is left.
macro_rules! slot_iter {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime,)? K, V>($inner:ty) -> $item:ty, |$node:ident| $map:expr
    ) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            inner: $inner,
        }

        impl<$($lt,)? K, V> $name<$($lt,)? K, V> {
            pub(super) fn new(inner: $inner) -> Self {
                Self { inner }
            }

            /// The entries not yielded yet, by reference, in order.
            pub fn remaining(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
                let left = self.inner.as_slice().iter();
                left.map(|node| (&node.key, &node.item.value))
            }
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map(|$node| $map)
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map(|$node| $map)
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}

        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}

        impl<$($lt,)? K: fmt::Debug, V: fmt::Debug> fmt::Debug for $name<$($lt,)? K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.remaining()).finish()
            }
        }
    };
}

slot_iter! {
    /// The entries of a [`Ring`](super::Ring) in circle order from a starting slot, each
    /// value mutable. See [`Ring::iter_mut_from`](super::Ring::iter_mut_from).
    IterMut<'a, K, V>(slice::IterMut<'a, Node<K, V>>) -> (&'a K, &'a mut V),
        |node| (&node.key, &mut node.item.value)
}

slot_iter! {
    /// The entries of a [`Ring`](super::Ring) in circle order from a starting slot, by
    /// value. See [`Ring::into_iter_from`](super::Ring::into_iter_from).
    IntoIter<K, V>(vec::IntoIter<Node<K, V>>) -> (K, V), |node| (node.key, node.item.value)
}

slot_iter! {
    /// The entries taken out of a [`Ring`](super::Ring), in circle order from a starting
    /// slot. See [`Ring::drain_from`](super::Ring::drain_from).
    Drain<'a, K, V>(vec::Drain<'a, Node<K, V>>) -> (K, V), |node| (node.key, node.item.value)
}
