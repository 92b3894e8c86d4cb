//! The small and main queues: rings of `u32` links through one dense `Vec` of nodes, whose
//! spare link bits hold each entry's frequency and queue.

use core::hash::{BuildHasher, Hash};

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
/// In `Node::prev`, bit 30 is 0 except during [`S3FifoCache::relayout`], which marks with it
/// the entries whose slot changes.
const MOVED: u32 = 1 << 30;
/// Queue numbers, also `IN_MAIN >> 31`.
pub(crate) const SMALL: usize = 0;
pub(crate) const MAIN: usize = 1;

/// One entry. `prev` points towards the head (newer entries) of its queue, `next` towards
/// the tail (older); each queue is a ring, so the head's `prev` is the tail and the tail's
/// `next` the head.
#[derive(Clone)]
pub(crate) struct Node<K, V> {
    pub(crate) key: K,
    pub(crate) value: V,
    /// Index of the newer neighbour; bit 31: in the main queue.
    pub(crate) prev: u32,
    /// Index of the older neighbour; bits 30-31: frequency.
    pub(crate) next: u32,
}

/// One FIFO queue: a circular doubly linked list through the nodes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Queue {
    /// Newest entry, or `NIL`.
    pub(crate) head: u32,
    /// Oldest entry (the next to leave), or `NIL`.
    pub(crate) tail: u32,
    pub(crate) len: u32,
}

pub(crate) const EMPTY_QUEUE: Queue = Queue {
    head: NIL,
    tail: NIL,
    len: 0,
};

#[inline]
pub(crate) fn set_idx(link: &mut u32, i: u32) {
    *link = (*link & !IDX) | i;
}

impl<K, V, S> S3FifoCache<K, V, S> {
    #[inline]
    pub(crate) fn queue_of(&self, i: u32) -> usize {
        (self.nodes[i as usize].prev >> 31) as usize
    }

    /// Links detached slot `i` in at the head of queue `q`, keeping its frequency.
    #[inline]
    pub(crate) fn link_head(&mut self, i: u32, q: usize) {
        let Queue { head, tail, .. } = self.queues[q];
        let (newer, older) = if head == NIL { (i, i) } else { (tail, head) };
        {
            let node = &mut self.nodes[i as usize];
            node.prev = newer | ((q as u32) << 31);
            set_idx(&mut node.next, older);
        }
        if head == NIL {
            self.queues[q].tail = i;
        } else {
            set_idx(&mut self.nodes[head as usize].prev, i);
            set_idx(&mut self.nodes[tail as usize].next, i);
        }
        self.queues[q].head = i;
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
        let node = &self.nodes[i as usize];
        let (prev, next) = (node.prev & IDX, node.next & IDX);
        if queue.head == i {
            queue.head = next;
        }
        if queue.tail == i {
            queue.tail = prev;
        }
        set_idx(&mut self.nodes[prev as usize].next, next);
        set_idx(&mut self.nodes[next as usize].prev, prev);
    }

    /// Counts an access to slot `i`: frequency + 1, capped at 3. A saturated counter is not
    /// rewritten, so hot entries' cache lines stay clean.
    #[inline]
    pub(crate) fn bump(&mut self, i: u32) {
        let next = &mut self.nodes[i as usize].next;
        if *next < FREQ_MAX {
            *next += FREQ_ONE;
        }
    }

    /// Writes into the index bits of each node's `prev` its rank in iteration order (the
    /// small queue oldest first, then the main queue oldest first), which breaks the links;
    /// returns whether any rank differs from its slot.
    fn rank_slots(&mut self) -> bool {
        let mut rank = 0;
        let mut moved = false;
        for q in [SMALL, MAIN] {
            let mut at = self.queues[q].tail;
            for _ in 0..self.queues[q].len {
                let node = &mut self.nodes[at as usize];
                let newer = node.prev & IDX;
                set_idx(&mut node.prev, rank);
                moved |= at != rank;
                rank += 1;
                at = newer;
            }
        }
        moved
    }

    /// Moves every node to the slot [`rank_slots`](Self::rank_slots) wrote in it: one
    /// swap per misplaced node, following the permutation's cycles.
    fn permute_by_rank(&mut self) {
        for i in 0..self.nodes.len() {
            loop {
                let r = (self.nodes[i].prev & IDX) as usize;
                if r == i {
                    break;
                }
                self.nodes.swap(i, r);
            }
        }
    }

    /// Puts the nodes in iteration order, slot by slot, for [`drain`](Self::drain) and
    /// `into_iter`, which then walk the `Vec`. Leaves the links and the key table stale: the
    /// caller empties both.
    pub(crate) fn sort_for_removal(&mut self) {
        if self.rank_slots() {
            self.permute_by_rank();
        }
    }

    /// Rewrites the links of nodes laid out in iteration order: slots `0..small.len` are the
    /// small queue, oldest first, and the main queue follows. Frequencies are kept.
    fn relink_from_layout(&mut self) {
        let mut start = 0;
        for q in [SMALL, MAIN] {
            let len = self.queues[q].len;
            if len == 0 {
                continue;
            }
            let end = start + len - 1; // the head, the newest
            for p in start..=end {
                let newer = if p == end { start } else { p + 1 };
                let older = if p == start { end } else { p - 1 };
                let node = &mut self.nodes[p as usize];
                node.prev = newer | ((q as u32) << 31);
                set_idx(&mut node.next, older);
            }
            self.queues[q].tail = start;
            self.queues[q].head = end;
            start += len;
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> S3FifoCache<K, V, S> {
    /// Takes slot `i` (already unlinked) out of the table and out of the dense `Vec`,
    /// whose last slot fills the hole.
    pub(crate) fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        self.table.remove(hash, i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            // The node that was at `last` now lives at `i`: repoint its neighbours, its
            // queue's ends and its table entry.
            let q = self.queue_of(i);
            let (prev, next) = {
                let moved = &self.nodes[i as usize];
                (moved.prev & IDX, moved.next & IDX)
            };
            if prev == last {
                // Alone in its queue: it is its own neighbour.
                set_idx(&mut self.nodes[i as usize].prev, i);
                set_idx(&mut self.nodes[i as usize].next, i);
            } else {
                set_idx(&mut self.nodes[prev as usize].next, i);
                set_idx(&mut self.nodes[next as usize].prev, i);
            }
            if self.queues[q].head == last {
                self.queues[q].head = i;
            }
            if self.queues[q].tail == last {
                self.queues[q].tail = i;
            }
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }

    /// Lays the nodes out in iteration order, slot by slot, and repoints the key table and
    /// the links, so that `iter_mut` can walk the `Vec`. Nothing the policy sees changes:
    /// queues, order and frequencies are the same, only slot numbers move. O(len), and one
    /// key hash per misplaced entry (none when the layout is already in order, as after a
    /// previous `iter_mut` with no insertion since); no allocation.
    pub(crate) fn relayout(&mut self) {
        if self.rank_slots() {
            // The table entries of the misplaced nodes go to their new slots, tagged with
            // bit 31 so that no entry yet to repoint (all below 2^30) is mistaken for one
            // already done; the tag comes off once the nodes are in place.
            const TAG: u32 = 1 << 31;
            for i in 0..self.nodes.len() as u32 {
                let node = &mut self.nodes[i as usize];
                let rank = node.prev & IDX;
                if rank != i {
                    node.prev |= MOVED;
                    let hash = self.hasher.hash_one(&node.key);
                    self.table.repoint(hash, i, rank | TAG);
                }
            }
            self.permute_by_rank();
            for p in 0..self.nodes.len() as u32 {
                let node = &self.nodes[p as usize];
                if node.prev & MOVED != 0 {
                    let hash = self.hasher.hash_one(&node.key);
                    self.table.repoint(hash, p | TAG, p);
                }
            }
        }
        // The ranks replaced the links (and `relink_from_layout` clears the MOVED marks).
        self.relink_from_layout();
    }
}
