//! The policy: hits, the sketch's bookkeeping, the victim search, admission, insertion and
//! removal of slots.

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use evict_core::Put;
use evict_slots::sketch::FrequencySketch;

use crate::node::{self, INDEX_BITS, INDEX_MASK, MAX_HITS, NIL, Node, ONE_HIT, Segment};
use crate::{TABLE_FLOOR, WTinyLfuCache};

impl<K: Hash + Eq, V, S: BuildHasher> WTinyLfuCache<K, V, S> {
    #[inline]
    pub(crate) fn find<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let nodes = &self.nodes;
        self.table
            .find(hash, |i| nodes[i as usize].key.borrow() == key)
    }

    /// A `get`: finds `key`, counts a hit or a miss and records the access (see
    /// [`hit`](Self::hit) and [`get_miss`](Self::get_miss)).
    #[inline]
    pub(crate) fn lookup<Q>(&mut self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.hit(i);
                Some(i)
            }
            None => {
                self.get_miss(key);
                None
            }
        }
    }

    /// A `get` hit on slot `i`: counted, the access recorded, the climber told.
    #[inline]
    pub(crate) fn hit(&mut self, i: u32) {
        self.stats.hit();
        self.missed = None;
        self.on_hit(i);
        if self.climber.is_some() {
            self.climb(true);
        }
    }

    /// What a hit (a `get` hit or a `put` of a cached key) does to slot `i`: a window
    /// entry is recorded in the sketch and goes to the window's front; a main-space entry
    /// counts the hit in its own spare bits and the sketch counts an addition (no hashing,
    /// no sketch counters, no list work). [`record_hits`](Self::record_hits) adds the
    /// entry's count to its sketch counters when the entry is next looked at.
    #[inline]
    pub(crate) fn on_hit(&mut self, i: u32) {
        let node = &mut self.nodes[i as usize];
        if node.segment() == Segment::Window {
            self.window_hit(i);
        } else {
            // Saturates at 15 (a counter can take no more); the addition is counted now,
            // so that the sketch halves on schedule.
            // Branch-free: whether an entry is saturated is hard to predict.
            let below_max = node.next_hits < MAX_HITS;
            node.next_hits += u32::from(below_max) * ONE_HIT;
            if self.sketch.count_addition(u8::from(below_max)) {
                self.halve_hits();
            }
        }
    }

    /// A hit in the window (rare: it is 1% of the cache): recorded, and to the window's MRU
    /// end.
    #[inline(never)]
    fn window_hit(&mut self, i: u32) {
        let hash = FrequencySketch::hash(&self.nodes[i as usize].key);
        self.record(hash);
        self.move_to_front(Segment::Window, i);
    }

    /// Records one access of the key with sketch hash `hash`.
    #[inline]
    pub(crate) fn record(&mut self, hash: u64) {
        self.forget_victim_estimate_in(hash);
        let resets = self.sketch.resets();
        self.sketch.increment(hash);
        if self.sketch.resets() != resets {
            self.halve_hits();
        }
    }

    /// Halves every entry's unrecorded hits, as the sketch has just halved its counters
    /// (O(entries), as the halving of the sketch is O(capacity)).
    #[cold]
    #[inline(never)]
    fn halve_hits(&mut self) {
        self.victim_estimate.0 = NIL;
        for node in &mut self.nodes {
            let hits = node.next_hits >> INDEX_BITS;
            node.next_hits = (node.next_hits & INDEX_MASK) | ((hits >> 1) << INDEX_BITS);
        }
    }

    /// Adds slot `i`'s unrecorded hits to its sketch counters and clears them (and so its
    /// reference bit).
    pub(crate) fn record_hits(&mut self, i: u32) {
        let node = &mut self.nodes[i as usize];
        let hits = node.hits();
        if hits != 0 {
            node.next_hits &= INDEX_MASK;
            let hash = FrequencySketch::hash(&node.key);
            self.sketch.add_counted(hash, hits);
            self.forget_victim_estimate_in(hash);
        }
    }

    /// Drops the kept victim estimate if the sketch counters of `hash` share its block.
    #[inline]
    fn forget_victim_estimate_in(&mut self, hash: u64) {
        if self.sketch.block(hash) == self.victim_estimate.1 {
            self.victim_estimate.0 = NIL;
        }
    }

    /// The sketch's estimate for the victim in slot `v`, kept for the next eviction.
    #[inline]
    fn victim_frequency(&mut self, v: u32) -> u8 {
        if self.victim_estimate.0 == v {
            return self.victim_estimate.2;
        }
        let hash = FrequencySketch::hash(&self.nodes[v as usize].key);
        let estimate = self.sketch.frequency(hash);
        self.victim_estimate = (v, self.sketch.block(hash), estimate);
        estimate
    }

    /// While protected holds more than its share, takes its LRU entry: a referenced one has
    /// its hits recorded and gets a second chance at protected's MRU end, an unreferenced
    /// one is demoted to probation's MRU end (CLOCK).
    pub(crate) fn demote_protected_overflow(&mut self) {
        while self.lists[Segment::Protected as usize].len > self.max_protected {
            let d = self.lists[Segment::Protected as usize].tail;
            if self.nodes[d as usize].referenced() {
                self.record_hits(d);
                self.unlink(d);
                self.push_front(Segment::Protected, d);
            } else {
                self.move_to_front(Segment::Probation, d);
            }
        }
    }

    /// The victim: probation's LRU entry once the referenced entries at its LRU end have
    /// been promoted (each has its hits recorded and goes to protected's MRU end, demoting
    /// protected's overflow); `NIL` if probation ends up empty.
    #[inline]
    fn victim(&mut self) -> u32 {
        loop {
            let v = self.lists[Segment::Probation as usize].tail;
            if v == NIL || !self.nodes[v as usize].referenced() {
                return v;
            }
            self.record_hits(v);
            self.move_to_front(Segment::Protected, v);
            self.demote_protected_overflow();
        }
    }

    /// The slot [`pop`](crate::Cache::pop) removes: the victim after the victim search (its
    /// promotions done), else the window's LRU entry, else protected's; `NIL` when empty.
    /// [`peek_victim_slot`](Self::peek_victim_slot) finds the same slot without the search.
    pub(crate) fn pop_slot(&mut self) -> u32 {
        let v = self.victim();
        if v != NIL {
            return v;
        }
        let window = self.lists[Segment::Window as usize].tail;
        if window != NIL {
            return window;
        }
        self.lists[Segment::Protected as usize].tail
    }

    /// A `get` miss (out of line: the hit path stays small).
    #[inline(never)]
    pub(crate) fn get_miss<Q: Hash + ?Sized>(&mut self, key: &Q) {
        self.stats.miss();
        if self.capacity == 0 {
            return;
        }
        let sketch_hash = FrequencySketch::hash(key);
        self.record(sketch_hash);
        self.missed = Some(sketch_hash);
        if self.climber.is_some() {
            self.climb(false);
        }
    }

    /// Drops slot `i`'s table entry (the slot itself stays).
    fn unindex(&mut self, i: u32) {
        let hash = self.hasher.hash_one(&self.nodes[i as usize].key);
        self.table.remove(hash, i);
    }

    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    pub(crate) fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), TABLE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`).
    #[cold]
    pub(crate) fn settle_table(&mut self) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.settle(nodes.len(), TABLE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// The sketch's estimate for the key in slot `i`.
    #[inline(always)]
    fn frequency_of(&self, i: u32) -> u8 {
        self.sketch
            .frequency(FrequencySketch::hash(&self.nodes[i as usize].key))
    }

    /// Puts `key`/`value` in slot `i` (whose entry has been unlinked and unindexed) and
    /// returns the entry that was there.
    fn refill(&mut self, i: u32, hash: u64, key: K, value: V) -> (K, V) {
        if self.victim_estimate.0 == i {
            self.victim_estimate.0 = NIL;
        }
        let node = &mut self.nodes[i as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        self.index(hash, i);
        (old_key, old_value)
    }

    /// Takes slot `i` out: its list links, its table entry, and its place in the dense
    /// `Vec` (filled by the last slot, whose links and table entry are repointed).
    pub(crate) fn remove_slot(&mut self, i: u32) -> (K, V) {
        // Slots get renumbered.
        self.victim_estimate.0 = NIL;
        self.unlink(i);
        self.unindex(i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            let moved = &self.nodes[i as usize];
            let (prev, next, seg) = (moved.prev(), moved.next(), moved.segment());
            match prev {
                NIL => self.list(seg).head = i,
                p => self.nodes[p as usize].set_next(i),
            }
            match next {
                NIL => self.list(seg).tail = i,
                n => self.nodes[n as usize].set_prev(i),
            }
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }

    /// `put`: replaces the value of a cached key (a hit) or records and inserts a new one.
    /// Returns the report and the slot now holding `key` (`NIL` if rejected).
    #[inline]
    pub(crate) fn put_slot(&mut self, key: K, value: V) -> (Put<K, V>, u32) {
        if self.capacity == 0 {
            return (Put::Rejected(key, value), NIL);
        }
        let missed = self.missed.take();
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            // A hit: the key cannot be the one whose `get` just missed.
            self.on_hit(i);
            let old = core::mem::replace(&mut self.nodes[i as usize].value, value);
            return (Put::Replaced(old), i);
        }
        let sketch_hash = FrequencySketch::hash(&key);
        if missed != Some(sketch_hash) {
            self.record(sketch_hash);
        }
        self.insert(hash, sketch_hash, key, value)
    }

    /// Inserts a new key (already recorded in the sketch) and evicts at most one entry.
    /// Returns the report and the new entry's slot (`NIL` if rejected). Inlined, so that in
    /// `put`, which drops the slot, it costs nothing.
    #[inline]
    pub(crate) fn insert(
        &mut self,
        hash: u64,
        sketch_hash: u64,
        key: K,
        value: V,
    ) -> (Put<K, V>, u32) {
        let n = self.nodes.len();
        let window = self.lists[Segment::Window as usize];
        let overflow = window.len + 1 > self.max_window;
        if n < self.capacity as usize {
            // Room: the newcomer enters the window; an overflowing window hands its LRU
            // entry to probation without a contest.
            let i = n as u32;
            if n == self.nodes.capacity() {
                // Geometric growth, never past the capacity.
                let room = self.capacity as usize - n;
                self.nodes.reserve_exact(n.max(4).min(room));
            }
            self.nodes.push(Node {
                key,
                value,
                prev_seg: NIL,
                next_hits: NIL,
            });
            self.index(hash, i);
            if self.nodes.len() == self.capacity as usize {
                self.settle_table();
            }
            self.push_front(Segment::Window, i);
            let words = self.sketch.words();
            self.sketch.ensure_capacity(n + 1);
            if self.sketch.words() != words {
                self.victim_estimate.0 = NIL; // the blocks moved
            }
            if overflow {
                let candidate = self.lists[Segment::Window as usize].tail;
                self.move_to_front(Segment::Probation, candidate);
            }
            return (Put::Inserted, i);
        }
        // Full: one entry leaves. The candidate is the window's LRU entry once the newcomer
        // is in: the newcomer itself when the window is empty.
        let victim = self.victim();
        if window.len == 0 {
            // The newcomer is the candidate; with an empty probation it would be its own
            // victim (refused).
            if victim == NIL || self.sketch.frequency(sketch_hash) <= self.victim_frequency(victim)
            {
                return (Put::Rejected(key, value), NIL);
            }
            let v = victim;
            self.unlink(v);
            self.unindex(v);
            let old = self.refill(v, hash, key, value);
            // The admitted candidate went from the window to probation's MRU end.
            self.push_front(Segment::Probation, v);
            return (Put::Evicted(old.0, old.1), v);
        }
        let candidate = window.tail;
        let admit = victim != NIL && self.frequency_of(candidate) > self.victim_frequency(victim);
        let out = if admit {
            // The victim leaves; the candidate moves to probation's MRU end.
            self.move_to_front(Segment::Probation, candidate);
            victim
        } else {
            candidate
        };
        self.unlink(out);
        self.unindex(out);
        let old = self.refill(out, hash, key, value);
        self.push_front(Segment::Window, out);
        (Put::Evicted(old.0, old.1), out)
    }

    /// Adds every entry's unrecorded hits to the sketch (as `remove` does for one entry).
    pub(crate) fn record_all_hits(&mut self) {
        for i in 0..self.nodes.len() as u32 {
            self.record_hits(i);
        }
    }

    /// [`node::arrange`] with the table following the slots (renumbered, nothing hashed):
    /// afterwards slot order is iteration order, so a mutable iterator is a slice iterator.
    pub(crate) fn arrange_indexed(&mut self) {
        self.victim_estimate.0 = NIL;
        let table = &mut self.table;
        node::arrange(&mut self.nodes, &mut self.lists, |nodes| {
            table.remap(|j| nodes[j as usize].prev());
        });
    }
}
