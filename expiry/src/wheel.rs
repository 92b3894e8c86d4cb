//! A hierarchical timer wheel over a slab of nodes, one node per cached entry.
//!
//! Five levels of buckets, each bucket a circular doubly linked list threaded through the
//! slab with `u32` links, so that scheduling, rescheduling and cancelling a timer are O(1)
//! pointer changes. Level `i` has `BUCKETS[i]` buckets of `2^SHIFTS[i]` nanoseconds: about
//! 1.07 s, 1.14 min, 1.22 h, 1.63 d, and one overflow bucket for everything 6.5 days away or
//! more (the spans Caffeine chose). A node sits in the finest level whose whole range covers
//! its deadline.
//!
//! When time moves on, each level whose tick changed moves the buckets it passed over (at
//! most all of its buckets, 165 in all: a bounded amount of work however far time jumps) to
//! the *due* list in O(1) per bucket. The wheel does not judge the nodes there: the cache
//! pops them a few at a time, checks each entry's current deadline (a read may have moved
//! it), and either removes the entry or places the node again. So a time-to-idle entry read
//! a million times costs the wheel nothing; its node is moved only when its bucket comes
//! round, and the wheel never holds more than one node per entry.
//!
//! What the wheel guarantees (checked against an exact model in the tests): after
//! `advance(now)`, every node whose deadline lies in an earlier level-0 tick than `now`'s is
//! in the due list (or was popped from it since its deadline passed), and a node placed with
//! a deadline at or before the wheel's time goes straight to the due list. A node whose
//! deadline is in `now`'s own tick may wait in that tick's bucket until the tick ends;
//! [`Wheel::current_to_due`] hands that bucket over too (for an exact purge).
//!
//! Beside the buckets, one more list holds timers in *write order*: under a time to live
//! alone every entry lives as long as the others, so with a clock that does not go back
//! each write's deadline is the latest yet, and the list is sorted by deadline for free
//! (Caffeine's write-order queue for a fixed expiry). Placing a timer there is a push at the
//! tail, no bucket to compute; its head is due once the wheel's time reaches its deadline,
//! and [`Wheel::pop_due`] takes it from there after the due list. A write whose deadline
//! would break the order (a clock that went back) is placed in the buckets instead. Nodes,
//! links, cancelling and freeing are the same whatever list a node is in.
//!
//! The write-order list has no sentinel: it is a circle of nodes with an anchor at its
//! head (as the policies' rings are), so that its head moving to the tail with a new
//! deadline is one step of the anchor and writes no link. That is what an eviction of the
//! oldest write followed by a write does when the newcomer takes over the evicted entry's
//! node ([`Wheel::reuse_ordered`]): a FIFO's every eviction, an LRU's while puts outnumber
//! hits. A node taken over anywhere else keeps its place, *ahead* of its new (later)
//! deadline: a bucket's node then comes round early and is placed again, as a time-to-idle
//! node does; the write-order list's head in that state counts as due, so that nothing
//! behind it waits, and is placed again. An entry evicted again before its node comes round
//! (S3-FIFO's probation queue, whose entries leave long before the list's head reaches
//! them) costs no link at all.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The first level's bucket width, 2^30 ns = 1.07 s.
pub(crate) const FIRST_SHIFT: u32 = SHIFTS[0];
/// The shift of a level's bucket width, in nanoseconds (2^30 ns = 1.07 s).
const SHIFTS: [u32; LEVELS] = [30, 36, 42, 47, 49];
/// Buckets per level; each level's buckets span one bucket of the next level.
const BUCKETS: [u64; LEVELS] = [64, 64, 32, 4, 1];
/// Where each level's buckets start among the sentinels.
const OFFSETS: [u32; LEVELS] = [0, 64, 128, 160, 164];
const LEVELS: usize = 5;
/// The due list's sentinel, after the 165 buckets' sentinels.
const DUE: u32 = 165;
/// Sentinels (bucket heads and the due list's) come first in the index space; nodes
/// follow, so node `n` of the slab is index `n + SENTINELS`. (The write-order list has an
/// anchor instead: see the module docs.)
const SENTINELS: u32 = 166;
/// The end of the free list, and the anchor of an empty write-order list.
const NIL: u32 = u32::MAX;

/// A node index (into the wheel's index space): what an entry stores to find its timer.
pub(crate) type TimerId = u32;

#[derive(Clone, Copy, Debug)]
struct Link {
    prev: u32,
    next: u32,
}

#[derive(Debug)]
struct Node<K> {
    /// `None` while the node is on the free list: the key is dropped as soon as its entry
    /// leaves, so a freed node holds no memory of the key's.
    key: Option<K>,
    /// The entry's exact deadline, in the clock's nanoseconds (the entry itself keeps only a
    /// coarse lower bound, to stay small). Atomic: a time-to-idle read through a shared
    /// reference pushes it back.
    deadline: AtomicU64,
}

/// The timer wheel: see the module docs.
#[derive(Debug)]
pub(crate) struct Wheel<K> {
    /// Every list link, the sentinels' first: one index space without a branch. Kept apart
    /// from the nodes' keys so that moving a timer touches only this array.
    links: Vec<Link>,
    nodes: Vec<Node<K>>,
    /// Each node's write deadline (its time-to-live cap, which a time-to-idle read may not
    /// pass), kept only by a wheel made [`with_caps`](Self::new): under a time to live alone
    /// it is the deadline itself, and the array would cost 8 bytes an entry for nothing.
    caps: Vec<u64>,
    keep_caps: bool,
    free: u32,
    live: usize,
    time: u64,
    /// The deadline last placed at the write-order list's tail (0 when it was empty): a
    /// deadline before it goes to the buckets, which keeps the list sorted.
    ordered_last: u64,
    /// The write-order list's head (the earliest deadline), `NIL` when it is empty; its
    /// tail is the head's `prev`.
    ordered: u32,
    /// Whether an entry without a timer was met (see [`lacking`](Self::lacking)).
    lacking: bool,
    /// One bit per node: set when [`reuse_ordered`](Self::reuse_ordered) left the node where
    /// it was, *ahead* of its new, later deadline. The write-order list's head in that state
    /// counts as due (and is placed again), so that nothing behind it waits. Cleared when the
    /// node is placed by its deadline; a bit left set (the head turned to the tail, a freed
    /// node) only makes a node come round early. Beside the nodes rather than in them, so
    /// that a node stays `Option<K>` and its deadline (a key with a niche, such as
    /// `Arc<str>`, keeps its `Option` free).
    ahead: Vec<u64>,
}

impl<K> Wheel<K> {
    /// An empty wheel at `time`; `keep_caps`: whether nodes keep a write deadline apart
    /// from their deadline (see [`cap`](Self::cap)).
    pub(crate) fn new(time: u64, keep_caps: bool) -> Self {
        let links = (0..SENTINELS).map(|i| Link { prev: i, next: i }).collect();
        Self {
            links,
            nodes: Vec::new(),
            caps: Vec::new(),
            keep_caps,
            free: NIL,
            live: 0,
            time,
            ordered_last: 0,
            ordered: NIL,
            lacking: false,
            ahead: Vec::new(),
        }
    }

    /// The time the wheel has advanced to.
    pub(crate) fn time(&self) -> u64 {
        self.time
    }

    /// Nodes in use.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// The slab's allocated nodes, in use or free (for the memory figures).
    #[cfg(test)]
    pub(crate) fn allocated(&self) -> usize {
        self.nodes.capacity()
    }

    #[inline]
    fn link(&self, i: u32) -> &Link {
        &self.links[i as usize]
    }

    #[inline]
    fn link_mut(&mut self, i: u32) -> &mut Link {
        &mut self.links[i as usize]
    }

    /// Takes `i` out of its list (a node out of every list links to itself, so this is
    /// harmless on it).
    #[inline]
    fn unlink(&mut self, i: u32) {
        self.detach(i);
        *self.link_mut(i) = Link { prev: i, next: i };
    }

    /// Takes `i` out of its list, leaving its own links stale: for a node being freed.
    #[inline]
    fn detach(&mut self, i: u32) {
        let Link { prev, next } = *self.link(i);
        self.link_mut(prev).next = next;
        self.link_mut(next).prev = prev;
        if i == self.ordered {
            // The write-order list's head leaves: the anchor moves on (a node alone in
            // the circle is its own next).
            self.ordered = if next == i { NIL } else { next };
        }
    }

    /// Places node `i` (in no list) at the write-order list's tail: just before its head.
    #[inline(always)]
    fn push_ordered(&mut self, i: u32) {
        let head = self.ordered;
        if head == NIL {
            *self.link_mut(i) = Link { prev: i, next: i };
            self.ordered = i;
        } else {
            self.push_back(head, i);
        }
    }

    #[inline]
    fn push_back(&mut self, head: u32, i: u32) {
        let tail = self.link(head).prev;
        *self.link_mut(i) = Link {
            prev: tail,
            next: head,
        };
        self.link_mut(tail).next = i;
        self.link_mut(head).prev = i;
    }

    fn push_front(&mut self, head: u32, i: u32) {
        let first = self.link(head).next;
        *self.link_mut(i) = Link {
            prev: head,
            next: first,
        };
        self.link_mut(first).prev = i;
        self.link_mut(head).next = i;
    }

    /// Moves every node of list `from` to the end of list `to`, in O(1).
    fn splice(&mut self, from: u32, to: u32) {
        let Link {
            prev: last,
            next: first,
        } = *self.link(from);
        if first == from {
            return;
        }
        *self.link_mut(from) = Link {
            prev: from,
            next: from,
        };
        let tail = self.link(to).prev;
        self.link_mut(tail).next = first;
        self.link_mut(first).prev = tail;
        self.link_mut(last).next = to;
        self.link_mut(to).prev = last;
    }

    /// The bucket (or the due list) a deadline belongs in at the wheel's time.
    #[inline]
    fn bucket(&self, deadline: u64) -> u32 {
        if deadline <= self.time {
            return DUE;
        }
        let delta = deadline - self.time;
        // The levels' loop written out: a placement is on every write's path.
        let level = if delta < 1 << SHIFTS[1] {
            0
        } else if delta < 1 << SHIFTS[2] {
            1
        } else if delta < 1 << SHIFTS[3] {
            2
        } else if delta < 1 << SHIFTS[4] {
            3
        } else {
            return OFFSETS[LEVELS - 1];
        };
        OFFSETS[level] + ((deadline >> SHIFTS[level]) & (BUCKETS[level] - 1)) as u32
    }

    /// A new node for `key`, with write deadline `cap`, scheduled at `deadline`.
    ///
    /// # Panics
    ///
    /// If the wheel already holds `u32::MAX - 166` nodes (no cache gets near that).
    #[inline]
    pub(crate) fn insert(&mut self, key: K, cap: u64, deadline: u64) -> TimerId {
        let id = self.take_node::<true>(key, cap, deadline);
        let bucket = self.bucket(deadline);
        self.push_back(bucket, id);
        id
    }

    /// A new node for `key` scheduled at `deadline`, with no write deadline of its own
    /// (a time to live alone): at the write-order list's tail if `deadline` is not before
    /// the deadline placed there last, in the buckets otherwise.
    ///
    /// # Panics
    ///
    /// As [`insert`](Self::insert).
    #[inline(always)]
    pub(crate) fn insert_ordered(&mut self, key: K, deadline: u64) -> TimerId {
        // A time to live alone: no write deadline apart from the deadline (no caps kept).
        let id = self.take_node::<false>(key, deadline, deadline);
        if deadline >= self.ordered_last {
            self.ordered_last = deadline;
            self.push_ordered(id);
        } else {
            let bucket = self.bucket(deadline);
            self.push_back(bucket, id);
        }
        id
    }

    /// Hands node `id`, in use, to a new entry `key` scheduled at `deadline` (a time to
    /// live alone, as [`insert_ordered`](Self::insert_ordered)), instead of freeing it and
    /// taking another: the entry it served has just left its policy, and the new one takes
    /// its place. Returns the deadline the node had; or gives `key` back if `id` is no node
    /// in use.
    ///
    /// A node heading the write-order list (the oldest write) becomes its tail by one step
    /// of the anchor. Any other, given a later deadline, stays where it is, marked
    /// [ahead](Self::ahead) of its deadline, and is placed by it when it comes round; given
    /// an earlier one, it is placed in the buckets now.
    #[inline(always)]
    pub(crate) fn reuse_ordered(&mut self, id: TimerId, key: K, deadline: u64) -> Result<u64, K> {
        let n = id.wrapping_sub(SENTINELS) as usize;
        let Some(node) = self.nodes.get_mut(n) else {
            return Err(key);
        };
        let Some(held) = node.key.as_mut() else {
            return Err(key);
        };
        let old_key = core::mem::replace(held, key);
        let old = core::mem::replace(node.deadline.get_mut(), deadline);
        if id == self.ordered && deadline >= self.ordered_last {
            // The head, whose deadline is now the latest: the circle turns by one. (A mark
            // ahead left on it only makes it come round early.)
            self.ordered_last = deadline;
            self.ordered = self.link(id).next;
        } else if deadline >= old {
            // Anywhere else, a node whose deadline moves later stays where it is, ahead of
            // its deadline: in a bucket or the due list it comes round early and is placed
            // again (as a time-to-idle read's later deadline), and in the write-order list
            // (placed there by a deadline no later than the old one) it is taken as due
            // when it reaches the head. An entry evicted before then (a FIFO's probation
            // queue, an LRU's entry read since its write) moves no link.
            if let Some(word) = self.ahead.get_mut(n / 64) {
                *word |= 1 << (n % 64);
            }
        } else {
            // An earlier deadline (a clock that went back, a shorter lifetime): placed by
            // it, in the buckets.
            self.schedule(id, deadline);
        }
        // Last, once the node is in its place: a `Drop` that panics leaves a sound wheel.
        drop(old_key);
        Ok(old)
    }

    /// A node out of every list, holding `key`, `cap` (if `CAP` and the wheel keeps caps)
    /// and `deadline`.
    #[inline(always)]
    fn take_node<const CAP: bool>(&mut self, key: K, cap: u64, deadline: u64) -> TimerId {
        let id = self.free;
        let n = id.wrapping_sub(SENTINELS) as usize;
        // The free list (`NIL` at its end, which is no node) runs through the free nodes'
        // deadline words: taking one touches only that node.
        let id = if let Some(node) = self.nodes.get_mut(n) {
            self.free = *node.deadline.get_mut() as u32;
            node.key = Some(key);
            *node.deadline.get_mut() = deadline;
            if CAP && self.keep_caps {
                self.caps[n] = cap;
            }
            id
        } else {
            self.grow(key, cap, deadline)
        };
        self.live += 1;
        id
    }

    /// A node at the end of the slab (none was free).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, key: K, cap: u64, deadline: u64) -> TimerId {
        let id = u32::try_from(self.links.len())
            .ok()
            .filter(|&id| id != NIL)
            .expect("timer wheel: more than u32::MAX nodes");
        self.links.push(Link { prev: id, next: id });
        self.nodes.push(Node {
            key: Some(key),
            deadline: AtomicU64::new(deadline),
        });
        if self.nodes.len() > self.ahead.len() * 64 {
            self.ahead.push(0);
        }
        if self.keep_caps {
            self.caps.push(cap);
        }
        id
    }

    /// Places node `id` for `deadline` (it may be linked anywhere, or nowhere). Its
    /// recorded deadline is not changed: see [`set_deadline`](Self::set_deadline).
    pub(crate) fn schedule(&mut self, id: TimerId, deadline: u64) {
        if !self.placing(id) {
            return;
        }
        self.unlink(id);
        let bucket = self.bucket(deadline);
        self.push_back(bucket, id);
    }

    /// Puts node `id` first in the due list: its entry was found expired and is to be
    /// reclaimed by the next maintenance.
    pub(crate) fn make_due(&mut self, id: TimerId) {
        if !self.placing(id) {
            return;
        }
        self.unlink(id);
        self.push_front(DUE, id);
    }

    /// Before node `id` is placed by its deadline: whether it is a node in use (it is then
    /// no longer [ahead](Self::ahead) of its deadline). An entry whose timer is no node (a
    /// short put cut short by a panic in user code) is recorded as [`lacking`](Self::lacking)
    /// one instead.
    fn placing(&mut self, id: TimerId) -> bool {
        let n = id.wrapping_sub(SENTINELS) as usize;
        if self.nodes.get(n).is_some_and(|node| node.key.is_some()) {
            self.placed(n);
            true
        } else {
            self.lacking = true;
            false
        }
    }

    /// Node `n` (of the slab) is no longer ahead of its deadline.
    #[inline]
    fn placed(&mut self, n: usize) {
        if let Some(word) = self.ahead.get_mut(n / 64) {
            *word &= !(1 << (n % 64));
        }
    }

    /// Whether node `n` (of the slab) is marked ahead of its deadline.
    #[inline]
    fn is_ahead(&self, n: usize) -> bool {
        self.ahead
            .get(n / 64)
            .is_some_and(|word| word & (1 << (n % 64)) != 0)
    }

    /// Whether an entry was found without a timer (see [`placing`](Self::placing)): the
    /// cache then gives every such entry one.
    pub(crate) fn lacking(&self) -> bool {
        self.lacking
    }

    /// Clears [`lacking`](Self::lacking).
    pub(crate) fn mended(&mut self) {
        self.lacking = false;
    }

    /// Frees node `id` and returns its key and deadline. Returns the slab's memory once no
    /// node is left, so that a cache whose entries all expired holds no timer memory.
    #[inline]
    pub(crate) fn remove(&mut self, id: TimerId) -> Option<(K, u64)> {
        // A free node is in no list, and its links are stale: only a node in use is
        // unlinked (and a free node is never linked again before `take_node` places it).
        let node = self.nodes.get_mut((id.wrapping_sub(SENTINELS)) as usize)?;
        let key = node.key.take()?;
        let deadline = core::mem::replace(node.deadline.get_mut(), u64::from(self.free));
        self.detach(id);
        self.free = id;
        self.live -= 1;
        if self.live == 0 {
            self.release();
        }
        Some((key, deadline))
    }

    #[cold]
    fn release(&mut self) {
        // Every list is empty: keep the sentinels, give the nodes' memory back.
        self.links.truncate(SENTINELS as usize);
        self.links.shrink_to_fit();
        self.nodes = Vec::new();
        self.caps = Vec::new();
        self.free = NIL;
        self.ordered_last = 0;
        self.ordered = NIL;
        self.ahead = Vec::new();
    }

    pub(crate) fn key(&self, id: TimerId) -> Option<&K> {
        self.nodes
            .get((id.checked_sub(SENTINELS)?) as usize)?
            .key
            .as_ref()
    }

    /// Node `id`'s deadline (0 for an index that is no node).
    #[inline]
    pub(crate) fn deadline(&self, id: TimerId) -> u64 {
        // No node: an entry whose short put was cut short by a panic before it got its
        // timer. It has expired once its coarse deadline has passed (0 is before any time).
        self.nodes
            .get((id.wrapping_sub(SENTINELS)) as usize)
            .map_or(0, |n| n.deadline.load(Relaxed))
    }

    /// Records `deadline` as node `id`'s (through `&self`: a read under a shared lock).
    #[inline]
    pub(crate) fn set_deadline(&self, id: TimerId, deadline: u64) {
        if let Some(node) = self.nodes.get((id.wrapping_sub(SENTINELS)) as usize) {
            node.deadline.store(deadline, Relaxed);
        }
    }

    /// Pushes node `id`'s deadline back to `deadline` if that is later (concurrent
    /// time-to-idle readers keep the latest).
    #[inline]
    pub(crate) fn raise_deadline(&self, id: TimerId, deadline: u64) {
        if let Some(node) = self.nodes.get((id.wrapping_sub(SENTINELS)) as usize) {
            node.deadline.fetch_max(deadline, Relaxed);
        }
    }

    /// Node `id`'s write deadline: the cap passed to [`insert`](Self::insert) by a wheel
    /// that keeps caps, its deadline otherwise (`u64::MAX` for an index that is no node).
    pub(crate) fn cap(&self, id: TimerId) -> u64 {
        if self.keep_caps {
            self.caps
                .get((id.wrapping_sub(SENTINELS)) as usize)
                .copied()
                .unwrap_or(u64::MAX)
        } else {
            self.deadline(id)
        }
    }

    /// Moves the wheel's time to `now` (never backwards) and the buckets that time passed
    /// over to the due list: at most 165 O(1) splices, however far time moved.
    pub(crate) fn advance(&mut self, now: u64) {
        if now <= self.time {
            return;
        }
        let prev = self.time;
        self.time = now;
        for level in 0..LEVELS {
            let (from, to) = (prev >> SHIFTS[level], now >> SHIFTS[level]);
            if from == to {
                // A coarser level ticks only when this one does.
                break;
            }
            // The bucket of the tick we leave is included: nodes placed in it while its tick
            // was current have deadlines within that tick. Nodes placed a whole round ahead
            // share its index and come back early; they are placed again, no harm done.
            let steps = (to - from).saturating_add(1).min(BUCKETS[level]);
            for step in 0..steps {
                let bucket = OFFSETS[level] + ((from + step) & (BUCKETS[level] - 1)) as u32;
                self.splice(bucket, DUE);
            }
        }
    }

    /// Moves the bucket of the current level-0 tick to the due list: with
    /// [`advance`](Self::advance), every node whose deadline is at or before the wheel's time
    /// is then due.
    pub(crate) fn current_to_due(&mut self) {
        let bucket = OFFSETS[0] + ((self.time >> SHIFTS[0]) & (BUCKETS[0] - 1)) as u32;
        self.splice(bucket, DUE);
    }

    /// Whether a node waits in the due list, or heads the write-order list with a deadline
    /// the wheel's time has reached.
    #[inline]
    pub(crate) fn has_due(&self) -> bool {
        self.links[DUE as usize].next != DUE || self.ordered_due().is_some()
    }

    /// The write-order list's head, if the wheel's time has reached its deadline.
    #[inline]
    fn ordered_due(&self) -> Option<TimerId> {
        let n = self.ordered.wrapping_sub(SENTINELS) as usize;
        let node = self.nodes.get(n)?;
        // A head ahead of its deadline is taken too, to be placed again: the nodes behind
        // it may be due.
        (node.deadline.load(Relaxed) <= self.time || self.is_ahead(n)).then_some(self.ordered)
    }

    /// Takes the first node out of the due list, or else the write-order list's head if its
    /// deadline has come; the caller then frees it ([`remove`](Self::remove)) or places it
    /// again ([`schedule`](Self::schedule)).
    pub(crate) fn pop_due(&mut self) -> Option<TimerId> {
        let first = self.links[DUE as usize].next;
        let first = if first == DUE {
            self.ordered_due()?
        } else {
            first
        };
        self.unlink(first);
        // Out of its place: the caller frees it or places it by its deadline.
        self.placed(first.wrapping_sub(SENTINELS) as usize);
        Some(first)
    }

    /// Node slots allocated (in use or free): the bound of [`slot`](Self::slot).
    pub(crate) fn slots(&self) -> usize {
        self.nodes.len()
    }

    /// The slot of node `id` (`None` for an index that is no node).
    pub(crate) fn slot(&self, id: TimerId) -> Option<usize> {
        let slot = id.checked_sub(SENTINELS)? as usize;
        (slot < self.nodes.len()).then_some(slot)
    }

    /// Frees every node in use whose slot `keep` refuses.
    pub(crate) fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let mut slot = 0;
        // `remove` gives the slab back when the last node goes: re-read its length.
        while slot < self.nodes.len() {
            if self.nodes[slot].key.is_some() && !keep(slot) {
                drop(self.remove(slot as u32 + SENTINELS));
            }
            slot += 1;
        }
    }

    /// Frees every node and its key; the time stays.
    pub(crate) fn clear(&mut self) {
        for (i, head) in self.links[..SENTINELS as usize].iter_mut().enumerate() {
            *head = Link {
                prev: i as u32,
                next: i as u32,
            };
        }
        self.live = 0;
        self.release();
    }

    /// Checks the lists: every live node is in exactly one list, every list is a consistent
    /// circle, free nodes hold no key.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn check(&self) {
        let mut seen = alloc::vec![false; self.nodes.len()];
        for head in 0..SENTINELS {
            let mut i = head;
            loop {
                let next = self.link(i).next;
                assert_eq!(self.link(next).prev, i, "broken back link at {next}");
                if next == head {
                    break;
                }
                let n = (next - SENTINELS) as usize;
                assert!(!seen[n], "node {next} in two lists");
                assert!(self.nodes[n].key.is_some(), "free node {next} in a list");
                seen[n] = true;
                i = next;
            }
        }
        // The write-order list: a consistent circle from its anchor, sorted by deadline,
        // none past the last placed there.
        let mut last = 0;
        if self.ordered != NIL {
            let mut i = self.ordered;
            loop {
                let n = (i - SENTINELS) as usize;
                assert!(!seen[n], "node {i} in two lists");
                assert!(self.nodes[n].key.is_some(), "free node {i} in a list");
                seen[n] = true;
                // Nodes ahead of their deadlines aside, sorted by deadline.
                if !self.is_ahead(n) {
                    let deadline = self.deadline(i);
                    assert!(deadline >= last, "write-order list out of order at {i}");
                    last = deadline;
                }
                let next = self.link(i).next;
                assert_eq!(self.link(next).prev, i, "broken back link at {next}");
                if next == self.ordered {
                    break;
                }
                i = next;
            }
        }
        assert!(
            last <= self.ordered_last,
            "write-order tail past its last deadline"
        );
        let linked = seen.iter().filter(|&&s| s).count();
        let keyed = self.nodes.iter().filter(|n| n.key.is_some()).count();
        assert_eq!(keyed, self.live, "live count");
        // A node popped from the due list and not yet placed is keyed but unlinked; the
        // cache never leaves one so between operations.
        assert_eq!(linked, self.live, "every live node is in a list");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use proptest::prelude::*;

    /// Drains the due list as the cache does: a node whose deadline has passed is freed and
    /// reported, the others are placed again.
    fn drain(
        wheel: &mut Wheel<u32>,
        model: &mut BTreeMap<u32, (TimerId, u64)>,
        now: u64,
    ) -> Vec<u32> {
        let mut fired = Vec::new();
        while let Some(id) = wheel.pop_due() {
            let key = *wheel.key(id).expect("a due node has a key");
            let deadline = model[&key].1;
            if deadline <= now {
                assert_eq!(wheel.remove(id), Some((key, deadline)));
                model.remove(&key);
                fired.push(key);
            } else {
                wheel.schedule(id, deadline);
            }
        }
        fired
    }

    #[derive(Clone, Debug)]
    enum Step {
        Insert(u64),
        /// A write-order insertion: a fixed lifetime (so mostly in order) plus a jitter
        /// that sometimes puts it before the last one (it then goes to the buckets).
        InsertOrdered(u64),
        Reschedule(usize, u64),
        /// A node handed from one key to a new one at a write-order deadline (with jitter,
        /// as `InsertOrdered`), as a put whose newcomer takes the evicted entry's node.
        Reuse(usize, u64),
        Cancel(usize),
        Advance(u64),
        Purge,
    }

    /// Durations from nothing to weeks, most of them short, so that every level is used.
    fn span() -> impl Strategy<Value = u64> {
        prop_oneof![
            0..4_000_000_000u64,
            0..(1u64 << 37),
            0..(1u64 << 43),
            0..(1u64 << 48),
            0..(1u64 << 52),
            Just(u64::MAX / 2),
        ]
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        proptest::collection::vec(
            prop_oneof![
                4 => span().prop_map(Step::Insert),
                4 => (0..(1u64 << 31)).prop_map(Step::InsertOrdered),
                2 => (any::<usize>(), span()).prop_map(|(i, d)| Step::Reschedule(i, d)),
                3 => (any::<usize>(), 0..(1u64 << 31)).prop_map(|(i, j)| Step::Reuse(i, j)),
                1 => any::<usize>().prop_map(Step::Cancel),
                4 => span().prop_map(Step::Advance),
                1 => Just(Step::Purge),
            ],
            0..200,
        )
    }

    proptest! {
        /// The wheel against an exact model (a map of deadlines) over horizons of weeks with
        /// coarse steps: nothing fires before its deadline, everything whose deadline is in an
        /// earlier second-bucket fires by the next advance, and a purge fires exactly what is
        /// due.
        #[test]
        fn wheel_fires_exactly_what_is_due(
            start in 0u64..(1 << 50),
            ttl in span(),
            steps in steps(),
        ) {
            let mut wheel = Wheel::new(start, false);
            let mut model: BTreeMap<u32, (TimerId, u64)> = BTreeMap::new();
            let mut now = start;
            let mut next_key = 0u32;
            for step in steps {
                match step {
                    Step::Insert(d) => {
                        let deadline = now.saturating_add(d);
                        let id = wheel.insert(next_key, u64::MAX, deadline);
                        model.insert(next_key, (id, deadline));
                        next_key += 1;
                    }
                    Step::InsertOrdered(jitter) => {
                        let deadline = now.saturating_add(ttl).saturating_sub(jitter);
                        let id = wheel.insert_ordered(next_key, deadline);
                        model.insert(next_key, (id, deadline));
                        next_key += 1;
                    }
                    Step::Reschedule(i, d) if !model.is_empty() => {
                        let key = *model.keys().nth(i % model.len()).unwrap();
                        let deadline = now.saturating_add(d);
                        let entry = model.get_mut(&key).unwrap();
                        entry.1 = deadline;
                        wheel.set_deadline(entry.0, deadline);
                        wheel.schedule(entry.0, deadline);
                    }
                    Step::Reuse(i, jitter) if !model.is_empty() => {
                        // Mostly the oldest (the write-order head), as a FIFO evicts.
                        let key = if i % 2 == 0 {
                            *model.iter().min_by_key(|(k, (_, d))| (*d, **k)).unwrap().0
                        } else {
                            *model.keys().nth(i % model.len()).unwrap()
                        };
                        let (id, deadline) = model.remove(&key).unwrap();
                        let new = now.saturating_add(ttl).saturating_sub(jitter);
                        prop_assert_eq!(wheel.reuse_ordered(id, next_key, new), Ok(deadline));
                        prop_assert_eq!(wheel.key(id), Some(&next_key));
                        model.insert(next_key, (id, new));
                        next_key += 1;
                    }
                    Step::Cancel(i) if !model.is_empty() => {
                        let key = *model.keys().nth(i % model.len()).unwrap();
                        let (id, deadline) = model.remove(&key).unwrap();
                        prop_assert_eq!(wheel.deadline(id), deadline);
                        prop_assert_eq!(wheel.remove(id), Some((key, deadline)));
                    }
                    Step::Advance(d) => {
                        now = now.saturating_add(d);
                        wheel.advance(now);
                        let before = model.clone();
                        let fired = drain(&mut wheel, &mut model, now);
                        for key in &fired {
                            prop_assert!(before[key].1 <= now, "fired early");
                        }
                        // Everything due in an earlier level-0 tick has fired.
                        for (key, &(_, deadline)) in &model {
                            prop_assert!(
                                deadline >> 30 >= now >> 30,
                                "key {} due at {} still waits at {}", key, deadline, now
                            );
                        }
                    }
                    Step::Purge => {
                        wheel.current_to_due();
                        drain(&mut wheel, &mut model, now);
                        for (&key, &(_, deadline)) in &model {
                            prop_assert!(deadline > now, "key {} due at {} survives a purge at {}", key, deadline, now);
                        }
                    }
                    _ => {}
                }
                wheel.check();
                prop_assert_eq!(wheel.live(), model.len());
            }
            // Far in the future everything has fired, in a bounded number of advances.
            let end = u64::MAX;
            wheel.advance(end);
            drain(&mut wheel, &mut model, end);
            wheel.current_to_due();
            drain(&mut wheel, &mut model, end);
            prop_assert!(model.is_empty(), "{} never fired", model.len());
            prop_assert_eq!(wheel.allocated(), 0, "an empty wheel holds no nodes");
        }
    }

    #[test]
    fn time_never_goes_back() {
        let mut wheel = Wheel::new(100, false);
        wheel.advance(50);
        assert_eq!(wheel.time(), 100);
        let id = wheel.insert(1u8, u64::MAX, 80);
        // A deadline already past goes straight to the due list.
        assert_eq!(wheel.pop_due(), Some(id));
    }

    #[test]
    fn the_write_order_list_is_due_exactly_at_its_head_deadline() {
        let mut wheel = Wheel::new(0, false);
        let a = wheel.insert_ordered(1u8, 100);
        let b = wheel.insert_ordered(2, 100);
        let c = wheel.insert_ordered(3, 250);
        // Before `c`'s deadline: goes to the buckets, the list stays sorted.
        let d = wheel.insert_ordered(4, 200);
        wheel.check();
        wheel.advance(99);
        assert_eq!(wheel.pop_due(), None);
        wheel.advance(100);
        assert_eq!(wheel.pop_due(), Some(a));
        assert_eq!(wheel.pop_due(), Some(b));
        assert_eq!(wheel.pop_due(), None);
        assert_eq!(wheel.remove(a), Some((1, 100)));
        assert_eq!(wheel.remove(b), Some((2, 100)));
        wheel.advance(250);
        // `d` waits in its bucket for the tick to end (or a purge); `c` heads the list.
        assert_eq!(wheel.pop_due(), Some(c));
        wheel.current_to_due();
        assert_eq!(wheel.pop_due(), Some(d));
    }
}
