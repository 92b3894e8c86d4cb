//! The toolkit's view of the cache: W-TinyLFU as `evict_slots::SlabCache` primitives (a hit,
//! a miss, an insertion, a removal, `pop`, `resize`, the layout for iteration), from which
//! `evict_slots::slab_cache!` builds the public API; and the invariants the tests check.

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use evict_slots::weight::Weighs;

use evict_core::Put;
use evict_slots::engine::{Entries, NO_SLOT};
use evict_slots::sketch::FrequencySketch;
use evict_slots::slab::Walk;

use crate::node::{EMPTY, NIL, Node, Segment};
use crate::{MAX_CAPACITY, WTinyLfuCache, sizes, sizes_w};

evict_slots::slab_cache_impl! {
    #[doc(hidden)]
    impl<K, V, S, W: Weighs<K, V>> SlabCache for WTinyLfuCache<K, V, S, W> {
        item = Node<V>;
        iter = Walk<'a, K, Node<V>, 3>;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> Walk<'_, K, Node<V>, 3> {
        self.slab.walk(self.lists)
    }

    fn lay_out(&mut self) {
        self.arrange();
    }

    fn victim(&self) -> Option<u32> {
        match self.peek_victim_slot() {
            NIL => None,
            i => Some(i),
        }
    }

    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        f.field("max_window", &self.max_window)
            .field("max_protected", &self.max_protected)
            .field("adaptive", &self.climber.is_some())
            .field(
                "window_probation_protected",
                &Entries(evict_slots::SlabCache::iter(self)),
            );
    }
}

/// The policy's rules as `SlabPolicy` primitives.
#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> evict_slots::SlabPolicy
    for WTinyLfuCache<K, V, S, W>
{
    /// A weighted cache's segments are in weight (see the crate docs' *Capacity by
    /// weight*); its sketch is sized in entries: when it first fills by weight, the sketch
    /// takes the width and halving period of the number of entries it then holds.
    fn weight_full(&mut self) {
        let n = self.slab.len().max(1);
        let width = self.sketch_width(n);
        self.sketch.resize(width);
        let width = self.sketch_width(self.slab.len());
        self.sketch.ensure_capacity(width);
        self.period = crate::period(n);
        self.victim_estimate.0 = NIL;
    }

    /// The segment's weight follows; protected's overflow (if the new weight makes one) is
    /// demoted.
    fn reweighed(&mut self, i: u32, old: u64, new: u64) {
        let seg = self.slab.links(i).segment() as usize;
        self.weights[seg] = self.weights[seg] - old + new;
        self.demote_protected_overflow();
    }

    /// The access recorded (in the sketch, or for a main-space entry in its own bits) and
    /// the climber told.
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        self.get_hit(i);
        &mut self.slab.item_mut(i).value
    }

    /// The access recorded in the sketch, and remembered, so that a `put` of the key right
    /// after does not record it again.
    #[inline(always)]
    fn missed<Q: Hash + ?Sized>(&mut self, key: &Q) {
        self.get_miss(key);
    }

    /// As a hit, but without telling the climber (a `put` is not a lookup).
    #[inline(always)]
    fn replaced(&mut self, i: u32) -> &mut V {
        // A hit: the key cannot be the one whose `get` just missed.
        self.missed = None;
        self.on_hit(i);
        &mut self.slab.item_mut(i).value
    }

    /// Inserts a new key (not recorded in the sketch yet, unless by the `get` that just
    /// missed it) and evicts at most one entry. Returns the report and the new entry's slot
    /// ([`NO_SLOT`] if rejected). Inlined, so that in `put`, which drops the slot, it costs
    /// nothing.
    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        if self.capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        // The access is recorded once: not again if the `get` just before missed this key.
        let missed = self.missed.take();
        let sketch_hash = FrequencySketch::hash(&key);
        if missed != Some(sketch_hash) {
            self.record(sketch_hash);
        }
        self.insert_recorded(hash, sketch_hash, key, value)
    }

    /// The entry's unrecorded hits go to the sketch first.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        self.missed = None;
        self.record_hits(i);
        self.take_slot(i, hash)
    }

    fn forget(&mut self, _hash: u64) {
        self.missed = None;
    }

    /// A weighted eviction contests the window's overflow against the main victim
    /// (`weighted_victim`), then removes the loser.
    const IN_PLACE: bool = true;

    fn choose_victim(&mut self) -> u32 {
        self.weighted_victim()
    }

    fn evict_chosen(&mut self, i: u32) -> (K, V) {
        self.record_hits(i);
        let hash = self.slab.hash(self.slab.key(i));
        self.take_slot(i, hash)
    }

    fn pop(&mut self) -> Option<(K, V)> {
        let slot = if W::UNIT {
            self.pop_slot()
        } else {
            self.weighted_victim()
        };
        match slot {
            NIL => None,
            i => {
                self.record_hits(i);
                let hash = self.slab.hash(self.slab.key(i));
                Some(self.take_slot(i, hash))
            }
        }
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        if !W::UNIT {
            return self.resize_weighted(capacity);
        }
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let mut popped = Vec::new();
        while self.slab.len() > capacity as usize {
            popped.extend(evict_slots::SlabPolicy::pop(self));
        }
        let shrunk = capacity < self.capacity;
        self.capacity = capacity;
        (self.max_window, self.max_protected) = sizes(capacity);
        // The segments fitted to the new sizes. Demotion and the main space's overflow hash
        // keys (user code); if a `Hash` panics, the guard fits the segments without it.
        let guard = crate::policy::OnDrop {
            cache: self,
            then: Self::fit_segments_unrecorded,
        };
        let cache = &mut *guard.cache;
        while cache.lists[0].len > cache.max_window {
            let i = cache.lists[0].last;
            cache.move_to_front(Segment::Probation, i);
        }
        cache.demote_protected_overflow();
        cache.main_overflow_to_window();
        drop(guard);
        let width = self.sketch_width(capacity as usize);
        self.sketch.resize(width);
        let width = self.sketch_width(self.slab.len());
        self.sketch.ensure_capacity(width);
        self.period = crate::period(capacity as usize);
        self.victim_estimate.0 = NIL;
        if let Some(climber) = &mut self.climber {
            *climber = climber.restarted(capacity);
        }
        if shrunk {
            // Give back the memory of the entries that left.
            self.slab.shrink_to(capacity as usize);
        }
        if !self.slab.is_empty() && self.slab.len() == capacity as usize {
            self.slab.settle(capacity as usize);
        }
        popped
    }

    /// Also forgets all frequencies and, for an adaptive cache, the window size.
    fn clear(&mut self) {
        self.lists = [EMPTY; 3];
        self.sketch.clear();
        self.accesses = 0;
        self.missed = None;
        self.victim_estimate.0 = NIL;
        (self.max_window, self.max_protected) = sizes(self.capacity);
        (self.max_window_w, self.max_protected_w) = sizes_w(self.slab.budget());
        self.weights = [0; 3];
        if let Some(climber) = &mut self.climber {
            *climber = climber.restarted(self.capacity);
        }
        self.stats.reset();
        // The slab last: a value's `Drop` may panic while it empties, and everything
        // else must be reset by then (the slab itself forgets its slots first).
        self.slab.clear();
    }

    /// The hits the entries had not passed on yet go to the sketch, as `remove` does.
    fn drained(&mut self) {
        self.record_all_hits();
        self.missed = None;
        self.victim_estimate.0 = NIL;
        self.lists = [EMPTY; 3];
        self.weights = [0; 3];
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> WTinyLfuCache<K, V, S, W> {
    /// `resize` of a weighted cache, after the toolkit has popped until the entries' weight
    /// fits the new budget and set it: the count bound becomes `capacity` (clamped, popping
    /// if it holds more), the window and protected shares follow the budget, and the
    /// segments are fitted to them (the window's overflow to probation, protected's
    /// overflow demoted). The sketch takes the count's size until the cache next fills by
    /// weight (`weight_full`).
    fn resize_weighted(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let mut popped = Vec::new();
        while self.slab.len() > capacity as usize {
            popped.extend(evict_slots::SlabPolicy::pop(self));
        }
        let shrunk = capacity < self.capacity;
        self.capacity = capacity;
        (self.max_window, self.max_protected) = sizes(capacity);
        (self.max_window_w, self.max_protected_w) = sizes_w(self.slab.budget());
        let guard = crate::policy::OnDrop {
            cache: self,
            then: Self::fit_segments_unrecorded,
        };
        let cache = &mut *guard.cache;
        while cache.window_over() {
            let i = cache.lists[0].last;
            cache.move_to_front(Segment::Probation, i);
        }
        cache.demote_protected_overflow();
        drop(guard);
        let width = self.sketch_width(capacity as usize);
        self.sketch.resize(width);
        let width = self.sketch_width(self.slab.len());
        self.sketch.ensure_capacity(width);
        self.period = crate::period(capacity as usize);
        self.victim_estimate.0 = NIL;
        if shrunk {
            self.slab.shrink_to(capacity as usize);
        }
        popped
    }

    /// Checks that the lists, the slots, the index and the segment bounds agree.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        use evict_slots::sketch::FrequencySketch;
        let n = self.slab.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        self.slab.check();
        assert!(self.max_window <= self.capacity);
        assert!(self.max_protected <= self.capacity - self.max_window);
        let mut seen = 0;
        for seg in Segment::ALL {
            let list = self.lists[seg as usize];
            let mut count = 0;
            let mut prev = NIL;
            let mut at = list.first;
            while at != NIL {
                let node = self.slab.links(at);
                assert_eq!(node.segment(), seg, "slot {at} on the wrong list");
                assert!(
                    seg != Segment::Window || !node.referenced(),
                    "window slot {at} holds unrecorded hits"
                );
                assert_eq!(node.prev(), prev, "broken prev link at slot {at}");
                count += 1;
                assert!(count <= n, "cycle in list {seg:?}");
                prev = at;
                at = node.next();
            }
            assert_eq!(list.last, prev, "tail of {seg:?} is not its last node");
            assert_eq!(list.len as usize, count, "len of {seg:?}");
            seen += count;
        }
        assert_eq!(seen, n, "lists do not cover every slot");
        let [window, probation, protected] = self.lists.map(|l| l.len);
        // A weighted cache's window overflows until its next eviction contests it.
        assert!(
            !W::UNIT || window <= self.max_window,
            "window {window} > {}",
            self.max_window
        );
        if W::UNIT {
            assert!(protected <= self.max_protected, "protected overflows");
            assert!(
                probation + protected <= self.capacity - self.max_window,
                "main space overflows"
            );
        } else {
            // In weight: each segment weighs what its entries do; protected stays within
            // its share (the window may overflow until its next contest, and the main space
            // is bounded by the total alone, as in Caffeine).
            for seg in Segment::ALL {
                let mut w = 0;
                let mut at = self.lists[seg as usize].first;
                while at != NIL {
                    w += self.slab.weight(at);
                    at = self.slab.links(at).next();
                }
                assert_eq!(self.weights[seg as usize], w, "weight of {seg:?}");
            }
            assert!(
                self.weights[Segment::Protected as usize] <= self.max_protected_w,
                "protected overflows its weight"
            );
            assert_eq!(
                (self.max_window_w, self.max_protected_w),
                sizes_w(self.slab.budget()),
                "segment shares"
            );
        }
        if self.victim_estimate.0 != NIL {
            let hash = FrequencySketch::hash(self.slab.key(self.victim_estimate.0));
            assert_eq!(
                (self.victim_estimate.1, self.victim_estimate.2),
                (self.sketch.block(hash), self.sketch.frequency(hash)),
                "stale victim estimate"
            );
        }
        if let Some(climber) = &self.climber {
            climber.check();
        }
    }
}
