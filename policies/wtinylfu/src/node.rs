//! The slot layout: entries in one dense `Vec`, linked into three LRU lists by 28-bit
//! indices whose spare bits hold the entry's segment and its unrecorded hits; the list
//! operations; and the relayout that puts the slots in iteration order.

use core::fmt;

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
    pub(crate) const ALL: [Segment; 3] = [Segment::Window, Segment::Probation, Segment::Protected];

    fn from_bits(bits: u32) -> Self {
        match bits {
            0 => Segment::Window,
            1 => Segment::Probation,
            _ => Segment::Protected,
        }
    }
}

/// One entry. `prev` points towards the MRU end of its list, `next` towards the LRU end.
#[derive(Clone)]
pub(crate) struct Node<K, V> {
    pub(crate) key: K,
    pub(crate) value: V,
    /// Low 28 bits: the previous slot (or `NIL`); top 2 bits: the [`Segment`].
    pub(crate) prev_seg: u32,
    /// Low 28 bits: the next slot (or `NIL`); top 4 bits: the hits on this main-space entry
    /// not yet recorded in the sketch (at most 15). Nonzero is the entry's reference bit.
    pub(crate) next_hits: u32,
}

impl<K, V> Node<K, V> {
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

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Node<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?} ({:?})", self.key, self.value, self.segment())
    }
}

/// Ends and length of one LRU list: `head` is the most recently used, `tail` the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct List {
    pub(crate) head: u32,
    pub(crate) tail: u32,
    pub(crate) len: u32,
}

pub(crate) const EMPTY: List = List {
    head: NIL,
    tail: NIL,
    len: 0,
};

impl<K, V, S> WTinyLfuCache<K, V, S> {
    #[inline]
    pub(crate) fn list(&mut self, seg: Segment) -> &mut List {
        &mut self.lists[seg as usize]
    }

    /// Detaches slot `i` from its list.
    #[inline]
    pub(crate) fn unlink(&mut self, i: u32) {
        let node = &self.nodes[i as usize];
        let (prev, next, seg) = (node.prev(), node.next(), node.segment());
        match prev {
            NIL => self.list(seg).head = next,
            p => self.nodes[p as usize].set_next(next),
        }
        match next {
            NIL => self.list(seg).tail = prev,
            n => self.nodes[n as usize].set_prev(prev),
        }
        self.list(seg).len -= 1;
    }

    /// Links detached slot `i` in as the most recently used entry of `seg`.
    #[inline]
    pub(crate) fn push_front(&mut self, seg: Segment, i: u32) {
        let old_head = self.lists[seg as usize].head;
        {
            let node = &mut self.nodes[i as usize];
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | NIL;
            node.next_hits = old_head;
        }
        match old_head {
            NIL => self.list(seg).tail = i,
            h => self.nodes[h as usize].set_prev(i),
        }
        let list = self.list(seg);
        list.head = i;
        list.len += 1;
    }

    /// Links detached slot `i` in as the least recently used entry of `seg`.
    pub(crate) fn push_back(&mut self, seg: Segment, i: u32) {
        let old_tail = self.lists[seg as usize].tail;
        {
            let node = &mut self.nodes[i as usize];
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | old_tail;
            node.next_hits = NIL;
        }
        match old_tail {
            NIL => self.list(seg).head = i,
            t => self.nodes[t as usize].set_next(i),
        }
        let list = self.list(seg);
        list.tail = i;
        list.len += 1;
    }

    /// Moves slot `i` to the MRU end of `seg` (from wherever it is).
    #[inline]
    pub(crate) fn move_to_front(&mut self, seg: Segment, i: u32) {
        let list = self.lists[seg as usize];
        if list.head == i && self.nodes[i as usize].segment() == seg {
            return;
        }
        self.unlink(i);
        self.push_front(seg, i);
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
                let node = &self.nodes[at as usize];
                if !node.referenced() {
                    return at;
                }
                at = node.prev();
            }
            NIL
        };
        let v = first_unreferenced(probation.tail);
        if v != NIL {
            return v;
        }
        if probation.len > 0 && protected.len + probation.len > self.max_protected {
            let d = first_unreferenced(protected.tail);
            return if d != NIL { d } else { probation.tail };
        }
        if window.tail != NIL {
            window.tail
        } else if protected.tail != NIL {
            protected.tail
        } else {
            probation.tail
        }
    }
}

/// Renumbers the slots so that slot order is iteration order (window, probation, protected,
/// each MRU first) and relinks them. If any entry is to move, `renumber(slots)` is called
/// once before the moves, when `slots[j].prev()` is the new number of slot `j`, so that the
/// caller can remap its table. Segments and unrecorded hits are kept: the policy's state is
/// the same, only the memory layout changes. O(len), no allocation.
pub(crate) fn arrange<K, V>(
    nodes: &mut [Node<K, V>],
    lists: &mut [List; 3],
    renumber: impl FnOnce(&[Node<K, V>]),
) {
    // Each slot's rank in iteration order goes into its `prev` index bits (the links are
    // rebuilt below from the ranks).
    let mut rank = 0u32;
    let mut moved = false;
    for list in lists.iter() {
        let mut at = list.head;
        while at != NIL {
            let node = &mut nodes[at as usize];
            let next = node.next();
            node.set_prev(rank);
            moved |= rank != at;
            rank += 1;
            at = next;
        }
    }
    if moved {
        renumber(nodes);
        // Cycle by cycle: each swap puts one entry in its final slot.
        for i in 0..nodes.len() {
            loop {
                let to = nodes[i].prev() as usize;
                if to == i {
                    break;
                }
                nodes.swap(i, to);
            }
        }
    }
    // Every list is now a run of consecutive slots.
    let mut start = 0u32;
    for (seg, list) in Segment::ALL.into_iter().zip(lists.iter_mut()) {
        let end = start + list.len;
        for i in start..end {
            let prev = if i == start { NIL } else { i - 1 };
            let node = &mut nodes[i as usize];
            node.prev_seg = ((seg as u32) << SEGMENT_SHIFT) | prev;
            node.set_next(if i + 1 == end { NIL } else { i + 1 });
        }
        (list.head, list.tail) = if start == end {
            (NIL, NIL)
        } else {
            (start, end - 1)
        };
        start = end;
    }
}
