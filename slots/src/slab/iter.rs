//! The iterators over a [`Slab`](super::Slab)'s slots: [`Iter`], [`IterMut`], [`IntoIter`]
//! and [`Drain`] in slot order (after a [`relayout`](super::Slab::relayout), a policy's
//! order), and [`Walk`] along a policy's lists; each yields a key with its item's value.
//! Each has the slab's per-slot extra `X` (see [`Slab`](super::Slab)) as its last type
//! parameter, `()` by default; they never read it.

use alloc::vec;
use core::fmt;
use core::iter::FusedIterator;
use core::slice;

use super::{Entry, Item};

/// The links a policy threads through its [`Item`]s, as a walk in the policy's iteration
/// order sees them: [`Walk`] follows them, [`Slab::relayout`](super::Slab::relayout) parks
/// ranks in the forward one.
pub trait Links {
    /// The slot after this one in iteration order (anything for the last of a list).
    fn forward(&self) -> u32;

    /// The slot before this one in iteration order (anything for the first of a list).
    fn backward(&self) -> u32;

    /// Overwrites the forward link, keeping whatever else the field holds (flags, counts).
    fn set_forward(&mut self, to: u32);
}

/// One list of a policy, in its iteration order: the first and the last slot, and how
/// many it holds (`first` and `last` are not read when `len` is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first slot in iteration order.
    pub first: u32,
    /// The last slot in iteration order.
    pub last: u32,
    /// The number of slots.
    pub len: u32,
}

impl Span {
    /// An empty list whose ends are both `nil`, the policy's "no slot".
    ///
    /// ```
    /// use evict_slots::slab::Span;
    ///
    /// assert_eq!(Span::empty(7), Span { first: 7, last: 7, len: 0 });
    /// ```
    #[inline(always)]
    pub const fn empty(nil: u32) -> Self {
        Self {
            first: nil,
            last: nil,
            len: 0,
        }
    }
}

/// The slots of a slab along `L` lists, one after another, each from its first slot along
/// [`Links::forward`] (from the back, from the last list's last slot along
/// [`Links::backward`]): a policy's iteration order, by reference. Double-ended, exact-size
/// and fused; `Clone` copies two positions. Each step is one link: O(1).
///
/// Made by [`Slab::walk`](super::Slab::walk); `evict_slots::ring::Iter` is one over a
/// single circle.
pub struct Walk<'a, K, T, const L: usize, X = ()> {
    slots: &'a [Entry<K, T, X>],
    lists: [Span; L],
    /// The list and slot of the next entry from the front.
    front: (usize, u32),
    /// The list and slot of the next entry from the back.
    back: (usize, u32),
    left: usize,
}

impl<'a, K, T: Links, const L: usize, X> Walk<'a, K, T, L, X> {
    /// A walk along `lists` (which must together cover slots exactly: every slot of
    /// `slots` once, as their lengths say).
    pub(crate) fn new(slots: &'a [Entry<K, T, X>], lists: [Span; L]) -> Self {
        let front = lists.iter().position(|l| l.len > 0).unwrap_or(L);
        let back = lists.iter().rposition(|l| l.len > 0).unwrap_or(0);
        let at = |l: usize, end: fn(&Span) -> u32| lists.get(l).map_or(0, end);
        Self {
            slots,
            lists,
            front: (front, at(front, |s| s.first)),
            back: (back, at(back, |s| s.last)),
            left: lists.iter().map(|l| l.len as usize).sum(),
        }
    }
}

impl<'a, K, T: Item + Links, const L: usize, X> Iterator for Walk<'a, K, T, L, X> {
    type Item = (&'a K, &'a T::Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (list, at) = self.front;
        let entry = &self.slots[at as usize];
        if at == self.lists[list].last {
            // The end of a list: the next non-empty one follows (with nothing left, the
            // position is never read).
            let mut next = list + 1;
            while next < L && self.lists[next].len == 0 {
                next += 1;
            }
            if next < L {
                self.front = (next, self.lists[next].first);
            }
        } else {
            self.front.1 = entry.item.forward();
        }
        Some((&entry.key, entry.item.value()))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, T: Item + Links, const L: usize, X> DoubleEndedIterator for Walk<'_, K, T, L, X> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (list, at) = self.back;
        let entry = &self.slots[at as usize];
        if at == self.lists[list].first {
            if let Some(prev) = (0..list).rev().find(|&l| self.lists[l].len > 0) {
                self.back = (prev, self.lists[prev].last);
            }
        } else {
            self.back.1 = entry.item.backward();
        }
        Some((&entry.key, entry.item.value()))
    }
}

impl<K, T: Item + Links, const L: usize, X> ExactSizeIterator for Walk<'_, K, T, L, X> {}

impl<K, T: Item + Links, const L: usize, X> FusedIterator for Walk<'_, K, T, L, X> {}

// Not derived: a derive would demand `K: Clone, T: Clone`, but only references are copied.
impl<K, T, const L: usize, X> Clone for Walk<'_, K, T, L, X> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, T: Item<Value: fmt::Debug> + Links, const L: usize, X> fmt::Debug
    for Walk<'_, K, T, L, X>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// A slot's key and value.
#[inline(always)]
fn pair<K, T: Item, X>(entry: &Entry<K, T, X>) -> (&K, &T::Value) {
    (&entry.key, entry.item.value())
}

/// Stamps out an iterator over a `Vec` or slice iterator of slots that maps each slot to
/// an item: `Iterator`, `DoubleEndedIterator`, `ExactSizeIterator`, `FusedIterator`, a
/// `remaining` view and a `Debug` that lists what is left.
macro_rules! slot_iter {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime,)? K, T, X>($inner:ty) -> $item:ty, |$entry:ident| $map:expr
    ) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, T, X = ()> {
            inner: $inner,
        }

        impl<$($lt,)? K, T, X> $name<$($lt,)? K, T, X> {
            pub(super) fn new(inner: $inner) -> Self {
                Self { inner }
            }

            /// The slots not yielded yet, by reference, in order.
            pub fn remaining(&self) -> Iter<'_, K, T, X> {
                Iter::new(self.inner.as_slice().iter())
            }
        }

        impl<$($lt,)? K, T: Item, X> Iterator for $name<$($lt,)? K, T, X> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map(|$entry| $map)
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? K, T: Item, X> DoubleEndedIterator for $name<$($lt,)? K, T, X> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map(|$entry| $map)
            }
        }

        impl<$($lt,)? K, T: Item, X> ExactSizeIterator for $name<$($lt,)? K, T, X> {}

        impl<$($lt,)? K, T: Item, X> FusedIterator for $name<$($lt,)? K, T, X> {}

        impl<$($lt,)? K: fmt::Debug, T: Item<Value: fmt::Debug>, X> fmt::Debug
            for $name<$($lt,)? K, T, X>
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.remaining()).finish()
            }
        }
    };
}

slot_iter! {
    /// The slots of a [`Slab`](super::Slab) in slot order, by reference: see
    /// [`Slab::iter`](super::Slab::iter).
    Iter<'a, K, T, X>(slice::Iter<'a, Entry<K, T, X>>) -> (&'a K, &'a T::Value), |entry| pair(entry)
}

slot_iter! {
    /// The slots of a [`Slab`](super::Slab) in slot order, each value mutable: see
    /// [`Slab::iter_mut`](super::Slab::iter_mut).
    IterMut<'a, K, T, X>(slice::IterMut<'a, Entry<K, T, X>>) -> (&'a K, &'a mut T::Value),
        |entry| (&entry.key, entry.item.value_mut())
}

slot_iter! {
    /// The slots taken out of a [`Slab`](super::Slab), in slot order, by value: see
    /// [`Slab::take`](super::Slab::take).
    IntoIter<K, T, X>(vec::IntoIter<Entry<K, T, X>>) -> (K, T::Value),
        |entry| (entry.key, entry.item.into_value())
}

slot_iter! {
    /// The slots drained from a [`Slab`](super::Slab), in slot order, by value: see
    /// [`Slab::drain`](super::Slab::drain).
    Drain<'a, K, T, X>(vec::Drain<'a, Entry<K, T, X>>) -> (K, T::Value),
        |entry| (entry.key, entry.item.into_value())
}

// Not derived: a derive would demand `K: Clone, T: Clone`, but only references are copied.
impl<K, T, X> Clone for Iter<'_, K, T, X> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}
