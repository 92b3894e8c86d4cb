//! The resident lists `A1in` (a FIFO) and `Am` (an LRU list): two doubly linked lists
//! threaded through the slots of one `evict_slots::Slab` by `u32` slot indices.
//!
//! Both lists run the same way: from their oldest entry (the next to leave: `A1in`'s first
//! in, `Am`'s least recently used) to their newest. Newcomers and `Am`'s hits go to the
//! newest end.

#[cfg(test)]
use alloc::vec::Vec;
use evict_slots::weight::Weighing;

use evict_slots::Slab;
use evict_slots::slab::{self, Span};

/// "No slot": the end of a list. Indices use the low 31 bits of a link.
pub(crate) const NIL: u32 = 0x7FFF_FFFF;
/// The top bit of `Links::older` says which list a slot is on: 0 for `A1in`, 1 for `Am`.
const TAG: u32 = 0x8000_0000;

/// Resident list ids, in `Lists` and in a link's top bit.
pub(crate) const A1IN: usize = 0;
pub(crate) const AM: usize = 1;

/// Doubly linked list links by slot index; the list id rides in the top bit of `older`, so
/// a `u64 -> u64` entry is 24 bytes.
///
/// `pub` in a private module: the cache's `SlabCache` implementation names the slab's item
/// type, which a crate-private type cannot be part of (E0446); no path outside the crate
/// reaches it.
#[derive(Clone, Copy, Debug)]
#[allow(unreachable_pub)]
pub struct Links {
    /// Towards the newest end.
    pub(crate) newer: u32,
    /// Towards the oldest end, with the list id in the top bit.
    older: u32,
}

impl Links {
    /// Links of a slot on no list yet.
    pub(crate) const DETACHED: Self = Self {
        newer: NIL,
        older: NIL,
    };

    /// The list the slot is on.
    #[inline]
    pub(crate) fn list(self) -> usize {
        (self.older >> 31) as usize
    }

    /// The older neighbour.
    #[inline]
    pub(crate) fn older(self) -> u32 {
        self.older & !TAG
    }

    #[inline]
    fn set_older(&mut self, older: u32) {
        self.older = (self.older & TAG) | older;
    }
}

/// A resident entry's value and links (its key is the slab's), on `A1in` or `Am`.
pub(crate) type Node<V> = slab::Node<V, Links>;

/// Iteration runs from each list's oldest entry along `newer`.
impl slab::Links for Links {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.newer
    }

    #[inline(always)]
    fn backward(&self) -> u32 {
        self.older()
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        self.newer = to;
    }
}

/// Two doubly linked lists threaded through one slab: oldest and newest slots and lengths,
/// indexed by list id.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lists {
    pub(crate) oldest: [u32; 2],
    pub(crate) newest: [u32; 2],
    pub(crate) len: [u32; 2],
}

type Slots<K, V, S, W> = Slab<K, Node<V>, S, W>;

impl Lists {
    pub(crate) const EMPTY: Self = Self {
        oldest: [NIL; 2],
        newest: [NIL; 2],
        len: [0; 2],
    };

    /// The lists as the toolkit walks them: `A1in`, then `Am`, each from its oldest end.
    pub(crate) fn spans(&self) -> [Span; 2] {
        [A1IN, AM].map(|l| Span {
            first: self.oldest[l],
            last: self.newest[l],
            len: self.len[l],
        })
    }

    /// Detaches slot `i` from its list.
    #[inline]
    pub(crate) fn unlink<K, V, S, W: Weighing>(&mut self, slots: &mut Slots<K, V, S, W>, i: u32) {
        let links = slots.item(i).links;
        let list = links.list();
        let (newer, older) = (links.newer, links.older());
        match newer {
            NIL => self.newest[list] = older,
            n => slots.item_mut(n).links.set_older(older),
        }
        match older {
            NIL => self.oldest[list] = newer,
            o => slots.item_mut(o).links.newer = newer,
        }
        self.len[list] -= 1;
    }

    /// Links detached slot `i` in as the newest of `list`.
    #[inline]
    pub(crate) fn push_newest<K, V, S, W: Weighing>(
        &mut self,
        slots: &mut Slots<K, V, S, W>,
        i: u32,
        list: usize,
    ) {
        let old_newest = self.newest[list];
        slots.item_mut(i).links = Links {
            newer: NIL,
            older: old_newest | ((list as u32) << 31),
        };
        match old_newest {
            NIL => self.oldest[list] = i,
            n => slots.item_mut(n).links.newer = i,
        }
        self.newest[list] = i;
        self.len[list] += 1;
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
        match links.newer {
            NIL => self.newest[list] = to,
            n => slots.item_mut(n).links.set_older(to),
        }
        match links.older() {
            NIL => self.oldest[list] = to,
            o => slots.item_mut(o).links.newer = to,
        }
    }

    /// Lays the slots out in iteration order (`A1in` in slots `0..|A1in|`, `Am` after it,
    /// each from its oldest entry), the key index following without hashing (see
    /// `evict_slots::Slab::relayout`), and relinks the lists over the runs this leaves.
    pub(crate) fn lay_out<K, V, S, W: Weighing>(&mut self, slots: &mut Slots<K, V, S, W>) {
        let starts = slots.relayout(self.spans(), &mut [], |node, list, i, first, last| {
            let older = if i == first { NIL } else { i - 1 };
            let newer = if i == last { NIL } else { i + 1 };
            node.links = Links {
                newer,
                older: older | ((list as u32) << 31),
            };
        });
        for (list, start) in starts.into_iter().enumerate() {
            (self.oldest[list], self.newest[list]) = match self.len[list] {
                0 => (NIL, NIL),
                len => (start, start + len - 1),
            };
        }
    }

    /// Walks `list` from its oldest end, checking the back links; returns the slots.
    #[cfg(test)]
    pub(crate) fn walk<K, V, S, W: Weighing>(
        &self,
        slots: &Slots<K, V, S, W>,
        list: usize,
    ) -> Vec<u32> {
        let mut seen = Vec::new();
        let mut older = NIL;
        let mut at = self.oldest[list];
        while at != NIL {
            let links = slots.item(at).links;
            assert_eq!(links.older(), older, "broken older link at slot {at}");
            assert_eq!(links.list(), list, "slot {at} carries the wrong list tag");
            seen.push(at);
            assert!(seen.len() <= slots.len(), "cycle in list {list}");
            older = at;
            at = links.newer;
        }
        assert_eq!(
            self.newest[list], older,
            "newest of list {list} is not its last slot"
        );
        assert_eq!(self.len[list] as usize, seen.len(), "length of list {list}");
        seen
    }
}
