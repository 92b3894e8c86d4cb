//! The slot layout: entries in the slots of an `evict_slots::Slab`, linked into three LRU
//! lists by 28-bit indices whose spare bits hold the entry's segment and its unrecorded hits;
//! the list operations; and the relayout that puts the slots in iteration order.

use evict_slots::slab::{self, Span};
use evict_slots::weight::Weighing;

use crate::WTinyLfuCache;

/// Slot indices have 28 bits; the top two bits of a node's `prev` field hold its segment,
/// the top four of its `next` field its unrecorded hits.
pub(crate) const INDEX_BITS: u32 = 28;
pub(crate) const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// Where a node's segment starts in its `prev` field.
const SEGMENT_SHIFT: u32 = 30;
/// "No slot": the end of a list.
pub(crate) const NIL: u32 = INDEX_MASK;
/// One unrecorded hit in a node's `next_hits` field.
pub(crate) const ONE_HIT: u32 = 1 << INDEX_BITS;
/// `next_hits` at or above this holds 15 unrecorded hits: as many as a counter of the
/// sketch can take.
pub(crate) const MAX_HITS: u32 = 15 << INDEX_BITS;

/// Which list an entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    /// The admission window (LRU).
    Window = 0,
    /// Main space, entries not yet hit there (or demoted from protected).
    Probation = 1,
    /// Main space, entries hit while on probation.
    Protected = 2,
}

impl Segment {
    #[cfg(test)]
    pub(crate) const ALL: [Segment; 3] = [Segment::Window, Segment::Probation, Segment::Protected];

    fn from_bits(bits: u32) -> Self {
        match bits {
            0 => Segment::Window,
            1 => Segment::Probation,
            _ => Segment::Protected,
        }
    }
}

/// One entry's links (with its value, its [`Node`]; its key is the slab's). `prev` points
/// towards the MRU end of its list, `next` towards the LRU end.
///
/// `pub` in a private module: the cache's `SlabCache` implementation names the slab's item
/// type, which a crate-private type cannot be part of (E0446); no path outside the crate
/// reaches it.
#[derive(Clone, Copy, Debug)]
#[allow(unreachable_pub)]
pub struct Links {
    /// Low 28 bits: the previous slot (or `NIL`); top 2 bits: the [`Segment`].
    pub(crate) prev_seg: u32,
    /// Low 28 bits: the next slot (or `NIL`); top 4 bits: the hits on this main-space entry
    /// not yet recorded in the sketch (at most 15). Nonzero is the entry's reference bit.
    pub(crate) next_hits: u32,
}

/// An entry's value and links.
pub(crate) type Node<V> = slab::Node<V, Links>;

impl Links {
    /// The links of an entry on no list yet.
    pub(crate) const DETACHED: Self = Self {
        prev_seg: NIL,
        next_hits: NIL,
    };

    #[inline]
    pub(crate) fn prev(&self) -> u32 {
        self.prev_seg & INDEX_MASK
    }
    #[inline]
    pub(crate) fn segment(&self) -> Segment {
        Segment::from_bits(self.prev_seg >> SEGMENT_SHIFT)
    }
    #[inline]
    pub(crate) fn set_prev(&mut self, prev: u32) {
        self.prev_seg = (self.prev_seg & !INDEX_MASK) | prev;
    }
    #[inline]
    pub(crate) fn next(&self) -> u32 {
        self.next_hits & INDEX_MASK
    }
    #[inline]
    pub(crate) fn set_next(&mut self, next: u32) {
        self.next_hits = (self.next_hits & !INDEX_MASK) | next;
    }
    /// Hit since it entered its main-space segment (or since its hits were last recorded).
    #[inline]
    pub(crate) fn referenced(&self) -> bool {
        self.next_hits > INDEX_MASK
    }
    /// The hits not yet recorded in the sketch.
    #[inline]
    pub(crate) fn hits(&self) -> u8 {
        (self.next_hits >> INDEX_BITS) as u8
    }
}

/// Iteration runs from each list's MRU end along `next`.
impl slab::Links for Links {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.next()
    }

    #[inline(always)]
    fn backward(&self) -> u32 {
        self.prev()
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        self.set_next(to);
    }
}

/// One LRU list: `first` is its most recently used entry, `last` its least (the toolkit's
/// list span, in iteration order).
pub(crate) type List = Span;

/// An empty list.
pub(crate) const EMPTY: List = Span::empty(NIL);

impl<K, V, S, W: Weighing> WTinyLfuCache<K, V, S, W> {
    #[inline]
    pub(crate) fn list(&mut self, seg: Segment) -> &mut List {
        &mut self.lists[seg as usize]
    }

    /// Detaches slot `i` from its list.
    #[inline]
    pub(crate) fn unlink(&mut self, i: u32) {
        let node = self.slab.links(i);
        let (prev, next, seg) = (node.prev(), node.next(), node.segment());
        match prev {
            NIL => self.list(seg).first = next,
            p => self.slab.links_mut(p).set_next(next),
        }
        match next {
            NIL => self.list(seg).last = prev,
            n => self.slab.links_mut(n).set_prev(prev),
        }
        self.list(seg).len -= 1;
        if !W::UNIT {
            self.weights[seg as usize] -= self.slab.weight(i);
        }
    }

    /// Links detached slot `i` in as the most recently used entry of `seg`.
    #[inline]
    pub(crate) fn push_front(&mut self, seg: Segment, i: u32) {
        let old_head = self.lists[seg as usize].first;
        {
            let node = self.slab.links_mut(i);
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | NIL;
            node.next_hits = old_head;
        }
        match old_head {
            NIL => self.list(seg).last = i,
            h => self.slab.links_mut(h).set_prev(i),
        }
        let list = self.list(seg);
        list.first = i;
        list.len += 1;
        if !W::UNIT {
            self.weights[seg as usize] += self.slab.weight(i);
        }
    }

    /// Links detached slot `i` in as the least recently used entry of `seg`.
    pub(crate) fn push_back(&mut self, seg: Segment, i: u32) {
        let old_tail = self.lists[seg as usize].last;
        {
            let node = self.slab.links_mut(i);
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | old_tail;
            node.next_hits = NIL;
        }
        match old_tail {
            NIL => self.list(seg).first = i,
            t => self.slab.links_mut(t).set_next(i),
        }
        let list = self.list(seg);
        list.last = i;
        list.len += 1;
        if !W::UNIT {
            self.weights[seg as usize] += self.slab.weight(i);
        }
    }

    /// The size of `seg`: its length, or for a weighted cache its weight.
    #[inline(always)]
    pub(crate) fn seg_size(&self, seg: Segment) -> u64 {
        if W::UNIT {
            u64::from(self.lists[seg as usize].len)
        } else {
            self.weights[seg as usize]
        }
    }

    /// Whether the window holds more than its share (in weight for a weighted cache).
    #[inline(always)]
    pub(crate) fn window_over(&self) -> bool {
        if W::UNIT {
            self.lists[Segment::Window as usize].len > self.max_window
        } else {
            self.weights[Segment::Window as usize] > self.max_window_w
        }
    }

    /// Whether protected holds more than its share (in weight for a weighted cache).
    #[inline(always)]
    pub(crate) fn protected_over(&self) -> bool {
        if W::UNIT {
            self.lists[Segment::Protected as usize].len > self.max_protected
        } else {
            self.weights[Segment::Protected as usize] > self.max_protected_w
        }
    }

    /// Moves slot `i` to the MRU end of `seg` (from wherever it is).
    #[inline]
    pub(crate) fn move_to_front(&mut self, seg: Segment, i: u32) {
        let list = self.lists[seg as usize];
        if list.first == i && self.slab.links(i).segment() == seg {
            return;
        }
        self.unlink(i);
        self.push_front(seg, i);
    }

    /// After the slab moved its last slot from `from` into slot `to`: the moved entry's
    /// neighbours (or its list's ends) point to `to`.
    pub(crate) fn relocate(&mut self, from: u32, to: u32) {
        let moved = self.slab.links(to);
        let (prev, next, seg) = (moved.prev(), moved.next(), moved.segment());
        debug_assert!(prev != from && next != from);
        match prev {
            NIL => self.list(seg).first = to,
            p => self.slab.links_mut(p).set_next(to),
        }
        match next {
            NIL => self.list(seg).last = to,
            n => self.slab.links_mut(n).set_prev(to),
        }
    }

    /// Renumbers the slots so that slot order is iteration order (window, probation,
    /// protected, each MRU first) and relinks them, the key index following (nothing
    /// hashed). Segments and unrecorded hits are kept: the policy's state is the same, only
    /// the memory layout changes. O(len), no allocation; nothing moves if nothing has moved
    /// since the last time.
    pub(crate) fn arrange(&mut self) {
        self.victim_estimate.0 = NIL;
        let spans = self.lists;
        let starts = self
            .slab
            .relayout(spans, &mut [], |node, seg, i, first, last| {
                let prev = if i == first { NIL } else { i - 1 };
                node.links.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | prev;
                node.links.set_next(if i == last { NIL } else { i + 1 });
            });
        for (list, start) in self.lists.iter_mut().zip(starts) {
            (list.first, list.last) = if list.len == 0 {
                (NIL, NIL)
            } else {
                (start, start + list.len - 1)
            };
        }
    }

    /// The slot [`pop`](crate::Cache::pop) removes, found without changing anything: what
    /// `pop_slot` finds after its victim search, worked out from the reference bits (see
    /// `WTinyLfuCache::victim`). `NIL` when the cache is empty.
    ///
    /// The victim search takes probation's LRU entry, promoting referenced ones to
    /// protected first. So the victim is probation's first unreferenced entry from the LRU
    /// end, if any. If all `k` of them are referenced, all are promoted, and protected
    /// overflows (and demotes) only if its `len + k` exceeds its share; the first entry it
    /// demotes, to probation's MRU end, becomes the victim once the promotions are done: the
    /// first unreferenced protected entry from the LRU end (the referenced ones go round
    /// with their hits recorded), or, if all are referenced, the first entry promoted
    /// (probation's LRU entry), which has its hits recorded by then. With no victim, `pop`
    /// takes the window's LRU entry, else protected's LRU entry after the promotions: the
    /// current one, or the first promoted if protected was empty.
    pub(crate) fn peek_victim_slot(&self) -> u32 {
        let [window, probation, protected] = self.lists;
        let first_unreferenced = |mut at: u32| {
            while at != NIL {
                let node = self.slab.links(at);
                if !node.referenced() {
                    return at;
                }
                at = node.prev();
            }
            NIL
        };
        let v = first_unreferenced(probation.last);
        if v != NIL {
            return v;
        }
        let limit = if W::UNIT {
            u64::from(self.max_protected)
        } else {
            self.max_protected_w
        };
        if probation.len > 0
            && self.seg_size(Segment::Protected) + self.seg_size(Segment::Probation) > limit
        {
            let d = first_unreferenced(protected.last);
            return if d != NIL { d } else { probation.last };
        }
        if window.last != NIL {
            window.last
        } else if protected.last != NIL {
            protected.last
        } else {
            probation.last
        }
    }
}
