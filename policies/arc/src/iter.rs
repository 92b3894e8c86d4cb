//! The borrowing iterator of [`ArcCache`]: `T1` from its most to its least recently used
//! entry, then `T2` the same way, read through the pending `T2` moves. The other iterators
//! lay the slots out in that order first and are the toolkit's (`evict_slots::slab`).

use core::fmt;
use core::iter::FusedIterator;
use evict_slots::weight::Weighing;

use evict_slots::slab::Slots;

use crate::ArcCache;
use crate::lists::{NIL, Node, T1, T2};

/// Where one end of an [`Order`] stands in the order `T1`, then `T2`, where `T2`'s true order
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
/// recently used entry, then `T2` the same way; what [`ArcCache::iter`]'s `Iter` walks.
///
/// A hit on an entry already in `T2` may leave its move to `T2`'s most recent end pending
/// (see the crate docs); this iterator lists the entries as if every pending move had been
/// made, without making them (each `T2` entry then costs a look at the pending buffer, at
/// most 32 slots).
///
/// `pub` in a private module: the cache's `SlabCache` implementation names it as its
/// iterator type, which a crate-private type cannot be (E0446).
#[allow(unreachable_pub)]
pub struct Order<'a, K, V> {
    slots: Slots<'a, K, Node<V>>,
    pending: &'a [u32],
    t2_head: u32,
    t1_tail: u32,
    front: At,
    back: At,
    remaining: usize,
}

impl<'a, K, V> Order<'a, K, V> {
    pub(crate) fn new<S, W: Weighing>(cache: &'a ArcCache<K, V, S, W>) -> Self {
        let lists = cache.lists;
        let slots = cache.slab.slots();
        Self {
            slots,
            pending: cache.pending(),
            t2_head: lists.head[T2],
            t1_tail: lists.tail[T1],
            front: At::T1(lists.head[T1]),
            back: At::T2(lists.tail[T2]),
            remaining: slots.len(),
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
                    self.front = At::T1(self.slots.item(i).links.next());
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
                    self.front = At::T2(self.slots.item(i).links.next());
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
                    self.back = At::T2(self.slots.item(i).links.prev);
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
                    self.back = At::T1(self.slots.item(i).links.prev);
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
        (self.slots.key(i), &self.slots.item(i).value)
    }
}

impl<'a, K, V> Iterator for Order<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.next_slot().map(|i| self.pair(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> DoubleEndedIterator for Order<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.next_slot_back().map(|i| self.pair(i))
    }
}

impl<K, V> ExactSizeIterator for Order<'_, K, V> {}
impl<K, V> FusedIterator for Order<'_, K, V> {}

// Not derived: a derive would ask `K: Clone, V: Clone`.
impl<K, V> Clone for Order<'_, K, V> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Order<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}
