//! The resident lists `T1` and `T2`: two doubly linked lists threaded through the slots of
//! one `evict_slots::Slab` by `u32` slot indices.

#[cfg(test)]
use alloc::vec::Vec;
use evict_slots::weight::Weighing;

use evict_slots::Slab;
use evict_slots::slab::{self, Span};

/// "No slot": the end of a list. Indices use the low 31 bits of a link.
pub(crate) const NIL: u32 = 0x7FFF_FFFF;
/// The top bit of `Links::next` says which list a slot is on: 0 for `T1`, 1 for `T2`.
const TAG: u32 = 0x8000_0000;

/// Resident list ids, in `Lists` and in a link's top bit.
pub(crate) const T1: usize = 0;
pub(crate) const T2: usize = 1;

/// Doubly linked list links by slot index; the list id rides in the top bit of `next`, so
/// a `u64 -> u64` entry stays 24 bytes.
///
/// `pub` in a private module: the cache's `SlabCache` implementation names the slab's item
/// type, which a crate-private type cannot be part of (E0446); no path outside the crate
/// reaches it.
#[derive(Clone, Copy, Debug)]
#[allow(unreachable_pub)]
pub struct Links {
    /// Towards the most recently used end.
    pub(crate) prev: u32,
    /// Towards the least recently used end, with the list id in the top bit.
    next: u32,
}

impl Links {
    /// Links of a slot on no list yet.
    pub(crate) const DETACHED: Self = Self {
        prev: NIL,
        next: NIL,
    };

    #[inline]
    pub(crate) fn list(self) -> usize {
        (self.next >> 31) as usize
    }

    #[inline]
    pub(crate) fn next(self) -> u32 {
        self.next & !TAG
    }

    #[inline]
    fn set_next(&mut self, next: u32) {
        self.next = (self.next & TAG) | next;
    }
}

/// A resident entry's value and links (its key is the slab's), on `T1` or `T2`.
pub(crate) type Node<V> = slab::Node<V, Links>;

/// Iteration runs from each list's most recent end along `next`.
impl slab::Links for Links {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.next()
    }

    #[inline(always)]
    fn backward(&self) -> u32 {
        self.prev
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        self.set_next(to);
    }
}

/// Two doubly linked lists threaded through one slab: heads (most recent), tails (least
/// recent) and lengths, indexed by list id.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lists {
    pub(crate) head: [u32; 2],
    pub(crate) tail: [u32; 2],
    pub(crate) len: [u32; 2],
    /// The total weight of each list's entries: kept by a weighted cache only (0 in an
    /// unweighted one, whose sizes are the lengths).
    pub(crate) weight: [u64; 2],
}

type Slots<K, V, S, W> = Slab<K, Node<V>, S, W>;

impl Lists {
    pub(crate) const EMPTY: Self = Self {
        head: [NIL; 2],
        tail: [NIL; 2],
        len: [0; 2],
        weight: [0; 2],
    };

    /// The lists as the toolkit walks them: `T1`, then `T2`, each from its most recent end.
    pub(crate) fn spans(&self) -> [Span; 2] {
        [T1, T2].map(|l| Span {
            first: self.head[l],
            last: self.tail[l],
            len: self.len[l],
        })
    }

    /// Detaches slot `i` from its list.
    #[inline]
    pub(crate) fn unlink<K, V, S, W: Weighing>(&mut self, slots: &mut Slots<K, V, S, W>, i: u32) {
        let links = slots.item(i).links;
        let list = links.list();
        let (prev, next) = (links.prev, links.next());
        match prev {
            NIL => self.head[list] = next,
            p => slots.item_mut(p).links.set_next(next),
        }
        match next {
            NIL => self.tail[list] = prev,
            n => slots.item_mut(n).links.prev = prev,
        }
        self.len[list] -= 1;
        if !W::UNIT {
            self.weight[list] -= slots.weight(i);
        }
    }

    /// Links detached slot `i` in as the most recent of `list`.
    #[inline]
    pub(crate) fn push_front<K, V, S, W: Weighing>(
        &mut self,
        slots: &mut Slots<K, V, S, W>,
        i: u32,
        list: usize,
    ) {
        let old_head = self.head[list];
        slots.item_mut(i).links = Links {
            prev: NIL,
            next: old_head | ((list as u32) << 31),
        };
        match old_head {
            NIL => self.tail[list] = i,
            h => slots.item_mut(h).links.prev = i,
        }
        self.head[list] = i;
        self.len[list] += 1;
        if !W::UNIT {
            self.weight[list] += slots.weight(i);
        }
    }

    /// Moves slot `i` of `T2`, which is not `T2`'s head, to `T2`'s most recent end: what
    /// `unlink` then `push_front(.., T2)` do, fused. Knowing the list and that `i` has a
    /// predecessor skips the list id's extraction, a branch on each end and the length's
    /// decrement and increment (callgrind, at 100,000 `u64` entries: the pending moves of
    /// a hit 45.6 -> 36.7 instructions each).
    #[inline(always)]
    pub(crate) fn move_to_front_t2<K, V, S, W: Weighing>(
        &mut self,
        slots: &mut Slots<K, V, S, W>,
        i: u32,
    ) {
        debug_assert!(self.head[T2] != i && slots.item(i).links.list() == T2);
        let links = slots.item(i).links;
        let (prev, next) = (links.prev, links.next());
        // Not the head, so it has a predecessor in T2.
        slots.item_mut(prev).links.set_next(next);
        match next {
            NIL => self.tail[T2] = prev,
            n => slots.item_mut(n).links.prev = prev,
        }
        let old_head = self.head[T2];
        slots.item_mut(i).links = Links {
            prev: NIL,
            next: old_head | TAG,
        };
        // T2 holds `i` and at least one other slot: its head is a slot.
        slots.item_mut(old_head).links.prev = i;
        self.head[T2] = i;
    }

    /// Moves slot `v`, the least recent end of its list, to the most recent end of `list`
    /// (a full cache's `put`, whose victim's slot takes the newcomer): what `unlink`, a
    /// detach and `push_front` do, fused. A tail has no successor, so the successor's
    /// branch and the detach go (callgrind, put-evict at 100,000 `u64` entries: 389.8 ->
    /// 377.8 instructions).
    #[inline(always)]
    pub(crate) fn recycle_tail<K, V, S, W: Weighing>(
        &mut self,
        slots: &mut Slots<K, V, S, W>,
        v: u32,
        list: usize,
    ) {
        let links = slots.item(v).links;
        let from = links.list();
        debug_assert!(links.next() == NIL && self.tail[from] == v);
        let prev = links.prev;
        match prev {
            NIL => self.head[from] = NIL,
            p => slots.item_mut(p).links.set_next(NIL),
        }
        self.tail[from] = prev;
        self.len[from] -= 1;
        if !W::UNIT {
            self.weight[from] -= slots.weight(v);
        }
        self.push_front(slots, v, list);
    }

    /// After the slab moved its last slot into slot `to`: repoints its neighbours (or the
    /// list ends) at its new index.
    #[inline]
    pub(crate) fn relocate<K, V, S, W: Weighing>(
        &mut self,
        slots: &mut Slots<K, V, S, W>,
        to: u32,
    ) {
        let links = slots.item(to).links;
        let list = links.list();
        match links.prev {
            NIL => self.head[list] = to,
            p => slots.item_mut(p).links.set_next(to),
        }
        match links.next() {
            NIL => self.tail[list] = to,
            n => slots.item_mut(n).links.prev = to,
        }
    }

    /// Lays the slots out in iteration order (`T1` in slots `0..|T1|`, `T2` after it, each
    /// from its most recent entry), the key index following without hashing (see
    /// `evict_slots::Slab::relayout`), and relinks the lists over the runs this leaves.
    pub(crate) fn lay_out<K, V, S, W: Weighing>(&mut self, slots: &mut Slots<K, V, S, W>) {
        let starts = slots.relayout(self.spans(), &mut [], |node, list, i, first, last| {
            let prev = if i == first { NIL } else { i - 1 };
            let next = if i == last { NIL } else { i + 1 };
            node.links = Links {
                prev,
                next: next | ((list as u32) << 31),
            };
        });
        for (list, start) in starts.into_iter().enumerate() {
            (self.head[list], self.tail[list]) = match self.len[list] {
                0 => (NIL, NIL),
                len => (start, start + len - 1),
            };
        }
    }

    /// Walks `list` from the most recent end, checking the back links; returns the slots.
    #[cfg(test)]
    pub(crate) fn walk<K, V, S, W: Weighing>(
        &self,
        slots: &Slots<K, V, S, W>,
        list: usize,
    ) -> Vec<u32> {
        let mut seen = Vec::new();
        let mut prev = NIL;
        let mut at = self.head[list];
        while at != NIL {
            let links = slots.item(at).links;
            assert_eq!(links.prev, prev, "broken prev link at slot {at}");
            assert_eq!(links.list(), list, "slot {at} carries the wrong list tag");
            seen.push(at);
            assert!(seen.len() <= slots.len(), "cycle in list {list}");
            prev = at;
            at = links.next();
        }
        assert_eq!(
            self.tail[list], prev,
            "tail of list {list} is not its last slot"
        );
        assert_eq!(self.len[list] as usize, seen.len(), "length of list {list}");
        seen
    }
}
