//! The small and main queues: rings of `u32` links through the slots of an
//! `evict_slots::Slab`, whose spare link bits hold each entry's frequency and queue.

use evict_slots::slab::{self, Span};

use crate::S3FifoCache;

/// Low 30 bits of a link: a slot index. The high bits carry the entry's flags.
pub(crate) const IDX: u32 = (1 << 30) - 1;
/// "No slot": both ends of an empty queue.
pub(crate) const NIL: u32 = IDX;
/// In `Node::next`, bits 30 and 31 hold the frequency (0 to 3).
pub(crate) const FREQ_ONE: u32 = 1 << 30;
/// Frequency 3, the cap.
pub(crate) const FREQ_MAX: u32 = 3 << 30;
/// In `Node::prev`, bit 31 says the entry is in the main queue (else in the small one):
/// `prev >> 31` is the queue's number.
#[cfg(test)]
pub(crate) const IN_MAIN: u32 = 1 << 31;
/// Queue numbers, also `IN_MAIN >> 31`.
pub(crate) const SMALL: usize = 0;
pub(crate) const MAIN: usize = 1;

/// One entry's links (with its value, its [`Node`]; its key is the slab's). `prev` points
/// towards the head (newer entries) of its queue, `next` towards the tail (older); each
/// queue is a ring, so the head's `prev` is the tail and the tail's `next` the head.
///
/// `pub` in a private module: the cache's `SlabCache` implementation names the slab's item
/// type, which a crate-private type cannot be part of (E0446); no path outside the crate
/// reaches it.
#[derive(Clone, Copy, Debug)]
#[allow(unreachable_pub)]
pub struct Links {
    /// Index of the newer neighbour; bit 31: in the main queue.
    pub(crate) prev: u32,
    /// Index of the older neighbour; bits 30-31: frequency.
    pub(crate) next: u32,
}

/// An entry's value and links.
pub(crate) type Node<V> = slab::Node<V, Links>;

/// Iteration runs from each queue's oldest entry to its newest, along `prev`.
impl slab::Links for Links {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.prev & IDX
    }

    #[inline(always)]
    fn backward(&self) -> u32 {
        self.next & IDX
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        set_idx(&mut self.prev, to);
    }
}

/// One FIFO queue, a circular doubly linked list through the nodes, as the toolkit's list
/// span in iteration order: `first` is the queue's tail (its oldest entry, the next to
/// leave), `last` its head (the newest).
pub(crate) type Queue = Span;

/// An empty queue.
pub(crate) const EMPTY_QUEUE: Queue = Span::empty(NIL);

#[inline]
pub(crate) fn set_idx(link: &mut u32, i: u32) {
    *link = (*link & !IDX) | i;
}

impl<K, V, S> S3FifoCache<K, V, S> {
    #[inline]
    pub(crate) fn queue_of(&self, i: u32) -> usize {
        (self.slab.links(i).prev >> 31) as usize
    }

    /// Links detached slot `i` in at the head of queue `q`, keeping its frequency.
    #[inline]
    pub(crate) fn link_head(&mut self, i: u32, q: usize) {
        let (head, tail) = (self.queues[q].last, self.queues[q].first);
        let (newer, older) = if head == NIL { (i, i) } else { (tail, head) };
        {
            let links = self.slab.links_mut(i);
            links.prev = newer | ((q as u32) << 31);
            set_idx(&mut links.next, older);
        }
        if head == NIL {
            self.queues[q].first = i;
        } else {
            set_idx(&mut self.slab.links_mut(head).prev, i);
            set_idx(&mut self.slab.links_mut(tail).next, i);
        }
        self.queues[q].last = i;
        self.queues[q].len += 1;
    }

    /// Detaches slot `i` from its queue.
    #[inline]
    pub(crate) fn unlink(&mut self, i: u32) {
        let q = self.queue_of(i);
        let queue = &mut self.queues[q];
        queue.len -= 1;
        if queue.len == 0 {
            *queue = EMPTY_QUEUE;
            return;
        }
        let links = &self.slab.item(i).links;
        let (prev, next) = (links.prev & IDX, links.next & IDX);
        if queue.last == i {
            queue.last = next;
        }
        if queue.first == i {
            queue.first = prev;
        }
        set_idx(&mut self.slab.links_mut(prev).next, next);
        set_idx(&mut self.slab.links_mut(next).prev, prev);
    }

    /// Counts an access to slot `i`, frequency + 1 (capped at 3), and returns its value: one
    /// index for both. A saturated counter is not rewritten, so hot entries' cache lines
    /// stay clean.
    #[inline(always)]
    pub(crate) fn bump(&mut self, i: u32) -> &mut V {
        let node = self.slab.item_mut(i);
        if node.links.next < FREQ_MAX {
            node.links.next += FREQ_ONE;
        }
        &mut node.value
    }

    /// After the slab moved its last slot from `from` into slot `to` (the entry left
    /// linked): its neighbours and its queue's ends point to `to`.
    pub(crate) fn relocate(&mut self, from: u32, to: u32) {
        let q = self.queue_of(to);
        let moved = self.slab.links(to);
        let (prev, next) = (moved.prev & IDX, moved.next & IDX);
        if prev == from {
            // Alone in its queue: it is its own neighbour.
            let links = self.slab.links_mut(to);
            set_idx(&mut links.prev, to);
            set_idx(&mut links.next, to);
        } else {
            set_idx(&mut self.slab.links_mut(prev).next, to);
            set_idx(&mut self.slab.links_mut(next).prev, to);
        }
        let queue = &mut self.queues[q];
        if queue.last == from {
            queue.last = to;
        }
        if queue.first == from {
            queue.first = to;
        }
    }
}
