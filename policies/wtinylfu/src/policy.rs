//! The policy: hits, the sketch's bookkeeping, the victim search, admission, insertion and
//! removal of slots.

use core::hash::{BuildHasher, Hash};
use evict_slots::weight::Weighs;

use evict_core::Put;
use evict_slots::engine::NO_SLOT;
use evict_slots::sketch::FrequencySketch;

use crate::WTinyLfuCache;
use crate::node::{INDEX_BITS, INDEX_MASK, Links, MAX_HITS, NIL, Node, ONE_HIT, Segment};

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> WTinyLfuCache<K, V, S, W> {
    /// A `get` hit on slot `i` (counted already): the access recorded, the climber told.
    #[inline]
    pub(crate) fn get_hit(&mut self, i: u32) {
        self.missed = None;
        self.on_hit(i);
        if self.climber.is_some() {
            self.climb(true);
        }
    }

    /// What a hit (a `get` hit or a `put` of a cached key) does to slot `i`: a window
    /// entry goes to the window's front, not recorded in the sketch unless the window has
    /// grown (see [`window_hit`](Self::window_hit)); a main-space entry counts the hit in its own
    /// spare bits and towards the sketch's aging (no hashing, no sketch counters, no list
    /// work). [`record_hits`](Self::record_hits) adds the entry's count to its sketch
    /// counters when the entry is next looked at.
    #[inline]
    pub(crate) fn on_hit(&mut self, i: u32) {
        let node = self.slab.links_mut(i);
        if node.segment() == Segment::Window {
            self.window_hit(i);
        } else {
            // Saturates at 15 (a counter can take no more); the access is counted now, so
            // that the sketch halves on schedule.
            // Branch-free: whether an entry is saturated is hard to predict.
            let below_max = node.next_hits < MAX_HITS;
            node.next_hits += u32::from(below_max) * ONE_HIT;
            self.count_access();
        }
    }

    /// A hit in the window (rare: it is 1% of the cache): to the window's MRU end;
    /// recorded only if an adaptive cache has grown the window beyond that share. Reuse of
    /// a key within a 1% window, i.e. within about 1% of the cache's worth of misses of its
    /// first request, is one burst, not a sign of lasting popularity (2Q's "correlated
    /// references"), and counting it let bursty newcomers displace steadily used entries
    /// (libCacheSim's W-TinyLFU does not count window hits either). In a grown window a hit
    /// can come long after the first request, and is recorded as a main-space hit is. See
    /// the README, "Against libCacheSim".
    #[inline(never)]
    fn window_hit(&mut self, i: u32) {
        let grown = if W::UNIT {
            self.max_window > crate::sizes(self.capacity).0
        } else {
            self.max_window_w > crate::sizes_w(self.slab.budget()).0
        };
        if grown {
            let hash = FrequencySketch::hash(self.slab.key(i));
            self.record(hash);
        }
        self.move_to_front(Segment::Window, i);
    }

    /// Records one access of the key with sketch hash `hash`.
    #[inline]
    pub(crate) fn record(&mut self, hash: u64) {
        self.forget_victim_estimate_in(hash);
        self.sketch.add_one(hash);
        self.count_access();
    }

    /// Records the key of the window's candidate in slot `i` once more as it leaves the
    /// window by admission (it won or lost its contest with the main victim, or a filling
    /// cache moved it to probation), as libCacheSim's `WTinyLFU.c` does; not counted towards
    /// the halving (it is not an access). So a key that comes back after leaving the window
    /// carries two counts for each earlier pass through it against one for a hit in the main
    /// space: a key that keeps returning after eviction wins its next contest sooner. This
    /// one rule lifts the 60 cells of issue 14 from 41.48% to 41.75% and puts every cell
    /// within 0.5 points of libCacheSim (`multi2` at 10%: −0.82 → −0.14); see the README,
    /// "Against libCacheSim".
    #[inline]
    fn record_leaving(&mut self, i: u32) {
        let hash = FrequencySketch::hash(self.slab.key(i));
        self.record_leaving_hashed(hash);
    }

    /// [`record_leaving`](Self::record_leaving) for a candidate whose sketch hash is known.
    #[inline]
    fn record_leaving_hashed(&mut self, hash: u64) {
        self.forget_victim_estimate_in(hash);
        self.sketch.add_one(hash);
    }

    /// Counts one recorded access towards the sketch's aging: every `sample_size()`
    /// (`10 × capacity`) accesses, exactly, the sketch halves its counters and the entries
    /// their unrecorded hits. The cache keeps this count itself (the sketch's own one would
    /// start the next period half full, a period of about `5 × capacity`; see the README).
    #[inline]
    fn count_access(&mut self) {
        self.accesses += 1;
        if self.accesses >= self.period {
            self.age();
        }
    }

    /// Halves the sketch's counters and the entries' unrecorded hits, and starts a new
    /// period.
    #[cold]
    #[inline(never)]
    fn age(&mut self) {
        self.accesses = 0;
        self.sketch.reset();
        self.halve_hits();
    }

    /// Halves every entry's unrecorded hits, as the sketch has just halved its counters
    /// (O(entries), as the halving of the sketch is O(capacity)).
    fn halve_hits(&mut self) {
        self.victim_estimate.0 = NIL;
        for i in 0..self.slab.len() as u32 {
            let node = self.slab.links_mut(i);
            let hits = node.next_hits >> INDEX_BITS;
            node.next_hits = (node.next_hits & INDEX_MASK) | ((hits >> 1) << INDEX_BITS);
        }
    }

    /// Adds slot `i`'s unrecorded hits to its sketch counters and clears them (and so its
    /// reference bit).
    pub(crate) fn record_hits(&mut self, i: u32) {
        let node = self.slab.links_mut(i);
        let hits = node.hits();
        if hits != 0 {
            node.next_hits &= INDEX_MASK;
            let hash = FrequencySketch::hash(self.slab.key(i));
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
        let hash = FrequencySketch::hash(self.slab.key(v));
        let estimate = self.sketch.frequency(hash);
        self.victim_estimate = (v, self.sketch.block(hash), estimate);
        estimate
    }

    /// While protected holds more than its share, takes its LRU entry: a referenced one has
    /// its hits recorded and gets a second chance at protected's MRU end, an unreferenced
    /// one is demoted to probation's MRU end (CLOCK).
    ///
    /// The loop hashes keys (user code) while protected is over its share, so a `Hash`
    /// that panics would leave it there; a guard then finishes the demotion without the
    /// second chances ([`demote_protected_overflow_unrecorded`](Self::demote_protected_overflow_unrecorded)).
    pub(crate) fn demote_protected_overflow(&mut self) {
        let guard = OnDrop {
            cache: self,
            then: Self::demote_protected_overflow_unrecorded,
        };
        let cache = &mut *guard.cache;
        while cache.protected_over() {
            let d = cache.lists[Segment::Protected as usize].last;
            if cache.slab.links(d).referenced() {
                cache.record_hits(d);
                cache.unlink(d);
                cache.push_front(Segment::Protected, d);
            } else {
                cache.move_to_front(Segment::Probation, d);
            }
        }
        // On the normal path the guard finds nothing left to do.
    }

    /// [`resize`](evict_slots::SlabPolicy::resize)'s fitting of the segments to new sizes,
    /// without user code (its unwind path): the window's overflow to probation, protected's
    /// to probation, then the main space's to the window, hits unrecorded.
    pub(crate) fn fit_segments_unrecorded(&mut self) {
        while self.window_over() {
            let i = self.lists[Segment::Window as usize].last;
            self.move_to_front(Segment::Probation, i);
        }
        self.demote_protected_overflow_unrecorded();
        if W::UNIT {
            self.main_overflow_to_window_unrecorded();
        }
    }

    /// Demotes protected's LRU entries to probation's MRU end, referenced or not, while
    /// protected holds more than its share: no user code runs (their unrecorded hits stay
    /// with them, for the victim search to record, but for the one whose hashing panicked,
    /// already cleared). The unwind path of
    /// [`demote_protected_overflow`](Self::demote_protected_overflow).
    fn demote_protected_overflow_unrecorded(&mut self) {
        while self.protected_over() {
            let d = self.lists[Segment::Protected as usize].last;
            self.move_to_front(Segment::Probation, d);
        }
    }

    /// The victim: probation's LRU entry once the referenced entries at its LRU end have
    /// been promoted (each has its hits recorded and goes to protected's MRU end, demoting
    /// protected's overflow); `NIL` if probation ends up empty.
    #[inline]
    fn victim(&mut self) -> u32 {
        loop {
            let v = self.lists[Segment::Probation as usize].last;
            if v == NIL || !self.slab.links(v).referenced() {
                return v;
            }
            self.record_hits(v);
            self.move_to_front(Segment::Protected, v);
            self.demote_protected_overflow();
        }
    }

    /// A weighted cache's next eviction (see the crate docs' *Capacity by weight*): while
    /// the window holds more than its share, the window's LRU entry (the candidate) contests
    /// the main victim, and the loser leaves (the winning candidate moves to probation's
    /// MRU end), as the full unweighted cache admits; otherwise [`pop_slot`](Self::pop_slot)'s.
    pub(crate) fn weighted_victim(&mut self) -> u32 {
        let window = self.lists[Segment::Window as usize];
        if window.len == 0 || !self.window_over() {
            return self.pop_slot();
        }
        let candidate = window.last;
        let victim = self.victim();
        if victim == NIL {
            return candidate;
        }
        let candidate_hash = FrequencySketch::hash(self.slab.key(candidate));
        let admit = self.sketch.frequency(candidate_hash) > self.victim_frequency(victim);
        self.record_leaving_hashed(candidate_hash);
        if admit {
            self.move_to_front(Segment::Probation, candidate);
            victim
        } else {
            candidate
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
        let window = self.lists[Segment::Window as usize].last;
        if window != NIL {
            return window;
        }
        self.lists[Segment::Protected as usize].last
    }

    /// A `get` miss (counted already; out of line: the hit path stays small).
    #[inline(never)]
    pub(crate) fn get_miss<Q: Hash + ?Sized>(&mut self, key: &Q) {
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

    /// Puts `key`/`value` in slot `i` (whose entry has been unlinked) in place of its
    /// entry, and returns the entry that was there. Always inlined into its one caller, the
    /// eviction of `insert`.
    #[inline(always)]
    fn refill(&mut self, i: u32, hash: u64, key: K, value: V) -> (K, V) {
        if self.victim_estimate.0 == i {
            self.victim_estimate.0 = NIL;
        }
        // The slot with its old links copied in, for the caller to unlink: the slab's
        // replacement hashes the old key (and may rebuild the index), user code that must
        // run before any list changes, so that a `Hash` that panics leaves every list as it
        // was. One replacement of the whole slot rather than the key and then the value, as
        // in ARC (fewer bounds checks).
        let old_hash = self.slab.hash(self.slab.key(i));
        let links = self.slab.item(i).links;
        let (old_key, old) =
            self.slab
                .replace_hashed(i, old_hash, hash, key, Node::new(value, links));
        (old_key, old.value)
    }

    /// Takes slot `i`, whose key hashes to `hash`, out: its list links, its index entry,
    /// and its place in the slab (filled by the last slot, whose links are repointed).
    pub(crate) fn take_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        // Slots get renumbered.
        // Hashes the key that moves into the gap before anything changes.
        let removal = self.slab.removal(i, hash);
        self.victim_estimate.0 = NIL;
        self.unlink(i);
        let (key, node, moved_from) = self.slab.swap_remove_planned(removal);
        if moved_from != i {
            self.relocate(moved_from, i);
        }
        (key, node.value)
    }

    /// Inserts a new key (already recorded in the sketch) and evicts at most one entry.
    /// Returns the report and the new entry's slot ([`NO_SLOT`] if rejected).
    #[inline]
    pub(crate) fn insert_recorded(
        &mut self,
        hash: u64,
        sketch_hash: u64,
        key: K,
        value: V,
    ) -> (Put<K, V>, u32) {
        let n = self.slab.len();
        let window = self.lists[Segment::Window as usize];
        let overflow = window.len + 1 > self.max_window;
        if n < self.capacity as usize {
            // Room: the newcomer enters the window; an overflowing window hands its LRU
            // entry to probation without a contest.
            let i = self.slab.push(
                hash,
                key,
                Node::new(value, Links::DETACHED),
                self.capacity as usize,
            );
            self.push_front(Segment::Window, i);
            let words = self.sketch.words();
            let width = self.sketch_width(n + 1);
            self.sketch.ensure_capacity(width);
            if self.sketch.words() != words {
                self.victim_estimate.0 = NIL; // the blocks moved
            }
            // A weighted cache that is full by weight leaves the overflow in the window: its
            // next eviction makes the candidate contest the main victim (`weighted_victim`).
            if W::UNIT {
                if overflow {
                    let candidate = self.lists[Segment::Window as usize].last;
                    self.move_to_front(Segment::Probation, candidate);
                    // After the move: hashing runs user code, and a panic must find the
                    // window within its share.
                    self.record_leaving(candidate);
                }
            } else if !self.slab.is_fitted() {
                // In weight, as Caffeine: the window's LRU entries go to probation while
                // it holds more than its share (the newcomer too, if it alone does).
                let mut moved = 0;
                while self.window_over() {
                    let candidate = self.lists[Segment::Window as usize].last;
                    self.move_to_front(Segment::Probation, candidate);
                    moved += 1;
                }
                // Recorded once the lists are settled (hashing runs user code): the moved
                // candidates are probation's `moved` most recent entries.
                let mut c = self.lists[Segment::Probation as usize].first;
                for _ in 0..moved {
                    let next = self.slab.links(c).next();
                    self.record_leaving(c);
                    c = next;
                }
            }
            return (Put::Inserted, i);
        }
        // Full: one entry leaves. The candidate is the window's LRU entry once the newcomer
        // is in: the newcomer itself when the window is empty.
        let victim = self.victim();
        let (out, to, admitted) = if window.len == 0 {
            // The newcomer is the candidate; with an empty probation it would be its own
            // victim (refused).
            let refuse = victim == NIL
                || self.sketch.frequency(sketch_hash) <= self.victim_frequency(victim);
            // Recorded once more after its contest, as every candidate is.
            self.record_leaving_hashed(sketch_hash);
            if refuse {
                return (Put::Rejected(key, value), NO_SLOT);
            }
            // The victim leaves; the admitted newcomer goes from the window (where it would
            // have been) to probation's MRU end.
            (victim, Segment::Probation, NIL)
        } else {
            let candidate = window.last;
            let candidate_hash = FrequencySketch::hash(self.slab.key(candidate));
            let admit = victim != NIL
                && self.sketch.frequency(candidate_hash) > self.victim_frequency(victim);
            self.record_leaving_hashed(candidate_hash);
            if admit {
                // The victim leaves; the candidate moves to probation's MRU end (below).
                (victim, Segment::Window, candidate)
            } else {
                (candidate, Segment::Window, NIL)
            }
        };
        // The slot's new key first: it may run user code (`Hash`), and a panic must find the
        // lists as they were (the candidate not yet moved, the victim still linked).
        let (out_seg, out_weight) = (self.slab.links(out).segment(), self.slab.weight(out));
        let old = self.refill(out, hash, key, value);
        if admitted != NIL {
            self.move_to_front(Segment::Probation, admitted);
        }
        if !W::UNIT {
            // The slot weighs the newcomer's weight now, which `unlink` takes off the list
            // the evicted entry was on: that list is given back the difference.
            let seg = &mut self.weights[out_seg as usize];
            *seg = *seg - out_weight + self.slab.weight(out);
        }
        self.unlink(out);
        *self.slab.links_mut(out) = Links::DETACHED;
        self.push_front(to, out);
        (Put::Evicted(old.0, old.1), out)
    }

    /// Adds every entry's unrecorded hits to the sketch (as `remove` does for one entry).
    pub(crate) fn record_all_hits(&mut self) {
        for i in 0..self.slab.len() as u32 {
            self.record_hits(i);
        }
    }
}

/// Runs `then` on the cache when dropped, on the normal path and while unwinding alike:
/// `then` restores a bound that a loop running user code breaks for a while, and must do
/// nothing when the bound holds.
pub(crate) struct OnDrop<'a, K, V, S, W: evict_slots::weight::Weighing> {
    pub(crate) cache: &'a mut WTinyLfuCache<K, V, S, W>,
    pub(crate) then: fn(&mut WTinyLfuCache<K, V, S, W>),
}

impl<K, V, S, W: evict_slots::weight::Weighing> Drop for OnDrop<'_, K, V, S, W> {
    fn drop(&mut self) {
        (self.then)(self.cache);
    }
}
