//! The resident lists `T1` and `T2`: two doubly linked lists threaded through one dense slab
//! of nodes by `u32` slot indices.

#[cfg(test)]
use alloc::vec::Vec;

/// "No slot": the end of a list. Indices use the low 31 bits of a link.
pub(crate) const NIL: u32 = 0x7FFF_FFFF;
/// The top bit of `Links::next` says which list a slot is on: 0 for `T1`, 1 for `T2`.
const TAG: u32 = 0x8000_0000;

/// Resident list ids, in `Lists` and in a link's top bit.
pub(crate) const T1: usize = 0;
pub(crate) const T2: usize = 1;

/// Doubly linked list links by slot index; the list id rides in the top bit of `next`, so
/// a `u64 -> u64` entry stays 24 bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Links {
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

/// A resident entry, on `T1` or `T2`.
#[derive(Clone)]
pub(crate) struct Node<K, V> {
    pub(crate) key: K,
    pub(crate) value: V,
    pub(crate) links: Links,
}

/// Two doubly linked lists threaded through one slab: heads (most recent), tails (least
/// recent) and lengths, indexed by list id.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lists {
    pub(crate) head: [u32; 2],
    pub(crate) tail: [u32; 2],
    pub(crate) len: [u32; 2],
}

impl Lists {
    pub(crate) const EMPTY: Self = Self {
        head: [NIL; 2],
        tail: [NIL; 2],
        len: [0; 2],
    };

    /// Detaches slot `i` from its list.
    #[inline]
    pub(crate) fn unlink<K, V>(&mut self, slots: &mut [Node<K, V>], i: u32) {
        let links = slots[i as usize].links;
        let list = links.list();
        let (prev, next) = (links.prev, links.next());
        match prev {
            NIL => self.head[list] = next,
            p => slots[p as usize].links.set_next(next),
        }
        match next {
            NIL => self.tail[list] = prev,
            n => slots[n as usize].links.prev = prev,
        }
        self.len[list] -= 1;
    }

    /// Links detached slot `i` in as the most recent of `list`.
    #[inline]
    pub(crate) fn push_front<K, V>(&mut self, slots: &mut [Node<K, V>], i: u32, list: usize) {
        let old_head = self.head[list];
        slots[i as usize].links = Links {
            prev: NIL,
            next: old_head | ((list as u32) << 31),
        };
        match old_head {
            NIL => self.tail[list] = i,
            h => slots[h as usize].links.prev = i,
        }
        self.head[list] = i;
        self.len[list] += 1;
    }

    /// After a `swap_remove`, the slot that was last now lives at `to`: repoints its
    /// neighbours (or the list ends) at its new index.
    #[inline]
    pub(crate) fn relocate<K, V>(&mut self, slots: &mut [Node<K, V>], to: u32) {
        let links = slots[to as usize].links;
        let list = links.list();
        match links.prev {
            NIL => self.head[list] = to,
            p => slots[p as usize].links.set_next(to),
        }
        match links.next() {
            NIL => self.tail[list] = to,
            n => slots[n as usize].links.prev = to,
        }
    }

    /// Takes slot `i` out of its list and out of the dense `slots` (the last slot moves into
    /// its place and is repointed); returns its pair. The caller fixes any index by slot.
    #[inline]
    pub(crate) fn take<K, V>(&mut self, slots: &mut alloc::vec::Vec<Node<K, V>>, i: u32) -> (K, V) {
        self.unlink(slots, i);
        let node = slots.swap_remove(i as usize);
        if (i as usize) < slots.len() {
            self.relocate(slots, i);
        }
        (node.key, node.value)
    }

    /// Numbers the slots in iteration order (`T1` from its most recent end, then `T2`) in
    /// their `prev` links, which [`lay_out`](Self::lay_out) then rebuilds; returns whether
    /// some slot is not at its number.
    pub(crate) fn rank<K, V>(&self, slots: &mut [Node<K, V>]) -> bool {
        let mut rank = 0;
        let mut moved = false;
        for list in [T1, T2] {
            let mut at = self.head[list];
            while at != NIL {
                let links = &mut slots[at as usize].links;
                at = links.next();
                moved |= links.prev != rank;
                links.prev = rank;
                rank += 1;
            }
        }
        moved
    }

    /// After [`rank`](Self::rank): moves every slot to its number (a permutation in place,
    /// one swap per slot at most) and relinks the lists over the runs this leaves: `T1` in
    /// slots `0..|T1|`, `T2` after it, each from its most recent entry.
    pub(crate) fn lay_out<K, V>(&mut self, slots: &mut [Node<K, V>]) {
        for i in 0..slots.len() {
            loop {
                let j = slots[i].links.prev as usize;
                if j == i {
                    break;
                }
                slots.swap(i, j); // the slot from `i` is home at `j`
            }
        }
        let t1 = self.len[T1] as usize;
        let n = slots.len();
        for (i, node) in slots.iter_mut().enumerate() {
            let (list, start, end) = if i < t1 { (T1, 0, t1) } else { (T2, t1, n) };
            let prev = if i == start { NIL } else { i as u32 - 1 };
            let next = if i + 1 == end { NIL } else { i as u32 + 1 };
            node.links = Links {
                prev,
                next: next | ((list as u32) << 31),
            };
        }
        let (head_t2, tail_t2) = if n > t1 {
            (t1 as u32, n as u32 - 1)
        } else {
            (NIL, NIL)
        };
        self.head = [if t1 > 0 { 0 } else { NIL }, head_t2];
        self.tail = [if t1 > 0 { t1 as u32 - 1 } else { NIL }, tail_t2];
    }

    /// Walks `list` from the most recent end, checking the back links; returns the slots.
    #[cfg(test)]
    pub(crate) fn walk<K, V>(&self, slots: &[Node<K, V>], list: usize) -> Vec<u32> {
        let mut seen = Vec::new();
        let mut prev = NIL;
        let mut at = self.head[list];
        while at != NIL {
            let links = slots[at as usize].links;
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
