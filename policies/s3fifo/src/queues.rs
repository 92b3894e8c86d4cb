//! The small and main queues: rings of `u32` links through the slots of an
//! `evict_slots::Slab`, whose spare link bits hold each entry's frequency and queue.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use evict_slots::Weighing;
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
#[derive(Debug)]
#[allow(unreachable_pub)]
pub struct Links {
    /// Index of the newer neighbour; bit 31: in the main queue.
    pub(crate) prev: u32,
    /// Index of the older neighbour; bits 30-31: frequency. Atomic so that a hit under a
    /// shared lock ([`S3FifoCache::bump_shared`]) can count through `&self` from many
    /// threads at once; every path holding `&mut` reads and writes it as a plain `u32`
    /// ([`next_mut`](Self::next_mut), `AtomicU32::get_mut`), so single-threaded code is the
    /// same as with a `u32`, and `&self` paths load it `Relaxed` ([`next`](Self::next)).
    next: AtomicU32,
}

// Not derived: `AtomicU32` is not `Clone`. A clone needs `&self` only, so it loads.
impl Clone for Links {
    #[inline]
    fn clone(&self) -> Self {
        Self::new(self.prev, self.next())
    }
}

impl Links {
    /// Links of the words `prev` and `next`.
    #[inline(always)]
    pub(crate) const fn new(prev: u32, next: u32) -> Self {
        Self {
            prev,
            next: AtomicU32::new(next),
        }
    }

    /// The `next` word (older link and frequency), through `&self`: an atomic load.
    #[inline(always)]
    pub(crate) fn next(&self) -> u32 {
        self.next.load(Relaxed)
    }

    /// The `next` word, through `&mut`: a plain `u32`.
    #[inline(always)]
    pub(crate) fn next_mut(&mut self) -> &mut u32 {
        self.next.get_mut()
    }
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
        self.next() & IDX
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

impl<K, V, S, W: Weighing> S3FifoCache<K, V, S, W> {
    #[inline]
    pub(crate) fn queue_of(&self, i: u32) -> usize {
        (self.slab.links(i).prev >> 31) as usize
    }

    /// Links detached slot `i` in at the head of queue `q`, keeping its frequency.
    #[inline(always)]
    pub(crate) fn link_head(&mut self, i: u32, q: usize) {
        let (head, tail) = (self.queues[q].last, self.queues[q].first);
        let (newer, older) = if head == NIL { (i, i) } else { (tail, head) };
        {
            let links = self.slab.links_mut(i);
            links.prev = newer | ((q as u32) << 31);
            set_idx(links.next_mut(), older);
        }
        if head == NIL {
            self.queues[q].first = i;
        } else {
            set_idx(&mut self.slab.links_mut(head).prev, i);
            set_idx(self.slab.links_mut(tail).next_mut(), i);
        }
        self.queues[q].last = i;
        self.queues[q].len += 1;
        if !W::UNIT {
            self.weights[q] += self.slab.weight(i);
        }
    }

    /// Detaches slot `i` from its queue.
    #[inline(always)]
    pub(crate) fn unlink(&mut self, i: u32) {
        let q = self.queue_of(i);
        if !W::UNIT {
            self.weights[q] -= self.slab.weight(i);
        }
        let queue = &mut self.queues[q];
        queue.len -= 1;
        if queue.len == 0 {
            *queue = EMPTY_QUEUE;
            return;
        }
        let links = self.slab.links_mut(i);
        let (prev, next) = (links.prev & IDX, *links.next_mut() & IDX);
        if queue.last == i {
            queue.last = next;
        }
        if queue.first == i {
            queue.first = prev;
        }
        set_idx(self.slab.links_mut(prev).next_mut(), next);
        set_idx(&mut self.slab.links_mut(next).prev, prev);
    }

    /// Counts an access to slot `i`, frequency + 1 (capped at 3), and returns its value: one
    /// index for both. A saturated counter is not rewritten, so hot entries' cache lines
    /// stay clean.
    #[inline(always)]
    pub(crate) fn bump(&mut self, i: u32) -> &mut V {
        let node = self.slab.item_mut(i);
        let next = node.links.next_mut();
        if *next < FREQ_MAX {
            *next += FREQ_ONE;
        }
        &mut node.value
    }

    /// [`bump`](Self::bump) through `&self`, safe from many threads at once: frequency + 1,
    /// capped at 3, and as `bump` no write once saturated.
    ///
    /// Exact, not lossy: the increment is a compare-and-swap loop (`fetch_update`), and
    /// while callers share `&self` (a shard's read lock) only other such increments change
    /// the word, so each retry means another hit was counted and the loop ends after at most
    /// three of them (the cap). A plain `fetch_add` could carry past the cap out of the
    /// word. `Relaxed` is enough: nothing but these counters changes under a shared lock,
    /// the counter is read only under `&mut` (after the lock's acquire), and the link bits
    /// in the same word are never rewritten (the value written is the value read plus
    /// `FREQ_ONE`, which carries into the frequency bits only).
    #[inline(always)]
    pub(crate) fn bump_shared(&self, i: u32) -> &V {
        let node = self.slab.item(i);
        let _ = node.links.next.fetch_update(Relaxed, Relaxed, |next| {
            (next < FREQ_MAX).then(|| next + FREQ_ONE)
        });
        &node.value
    }

    /// After the slab moved its last slot from `from` into slot `to` (the entry left
    /// linked): its neighbours and its queue's ends point to `to`.
    pub(crate) fn relocate(&mut self, from: u32, to: u32) {
        let q = self.queue_of(to);
        let moved = self.slab.links_mut(to);
        let (prev, next) = (moved.prev & IDX, *moved.next_mut() & IDX);
        if prev == from {
            // Alone in its queue: it is its own neighbour.
            let links = self.slab.links_mut(to);
            set_idx(&mut links.prev, to);
            set_idx(links.next_mut(), to);
        } else {
            set_idx(self.slab.links_mut(prev).next_mut(), to);
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
