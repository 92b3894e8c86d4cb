//! The S3-FIFO policy: where a new key goes, which entry an eviction takes (and, without
//! changing anything, which one it would take), and the `evict_slots::SlabCache`
//! primitives from which `evict_slots::slab_cache!` builds the public API.

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Put;
use evict_slots::engine::{Entries, NO_SLOT};
use evict_slots::slab::Walk;
use evict_slots::weight::{Weighing, Weighs};

use crate::ghost::{fingerprint, ghost_capacity};
use crate::queues::{EMPTY_QUEUE, FREQ_ONE, IDX, Links, MAIN, Node, SMALL, set_idx};
use crate::{MAX_CAPACITY, S3FifoCache};

impl<K, V, S, W: Weighing> S3FifoCache<K, V, S, W> {
    /// Chooses exactly one entry to evict (the cache is not empty) and returns its slot and
    /// its queue (if small, its key becomes a ghost); it is left linked as that queue's
    /// tail. Entries may move between the queues on the way, as libCacheSim's
    /// `S3FIFO_evict`.
    ///
    /// This and the ghost's `take` and `push` (and the index operations under them) are
    /// `inline(always)`: with `put`, `put_mut`, `get_or_insert_with` and `pop` sharing them,
    /// LLVM no longer inlined them into `put` by itself, and the calls cost put-evict
    /// about 3%.
    #[inline(always)]
    pub(crate) fn evict(&mut self) -> (u32, usize) {
        self.has_evicted = true;
        loop {
            if self.main_over() || self.queues[SMALL].len == 0 {
                // CLOCK over main: a tail read since it last came round goes back to the
                // head, one access poorer.
                loop {
                    let t = self.queues[MAIN].first;
                    let links = self.slab.links_mut(t);
                    if *links.next_mut() >= FREQ_ONE {
                        // The queue is a ring: moving the tail to the head is moving both
                        // ends one step.
                        *links.next_mut() -= FREQ_ONE;
                        let newer = links.prev & IDX;
                        self.queues[MAIN].last = t;
                        self.queues[MAIN].first = newer;
                    } else {
                        return (t, MAIN);
                    }
                }
            }
            while self.queues[SMALL].len > 0 {
                let t = self.queues[SMALL].first;
                if *self.slab.links_mut(t).next_mut() >= 2 * FREQ_ONE {
                    // Read at least twice while on probation: promoted, frequency reset.
                    self.unlink(t);
                    *self.slab.links_mut(t).next_mut() &= IDX;
                    self.link_head(t, MAIN);
                } else {
                    return (t, SMALL);
                }
            }
        }
    }

    /// Whether the main queue is over its target: in entries, or in weight for a weighted
    /// cache.
    #[inline(always)]
    fn main_over(&self) -> bool {
        if W::UNIT {
            self.queues[MAIN].len > self.main_target
        } else {
            self.weights[MAIN] > self.budgets[MAIN]
        }
    }

    /// The fingerprint ghost's capacity after `clear` or `resize` to `capacity` entries (0
    /// for a weighted cache, whose ghost is `wghost`).
    fn ghost_target(&self, capacity: u32) -> u32 {
        if W::UNIT { ghost_capacity(capacity) } else { 0 }
    }

    /// A weighted cache holds one entry more (slot `i`), the only way its number of
    /// entries grows: the ghost's cap follows the most entries held (at most twice that,
    /// plus 8, ghosts: entries of weight 0 would otherwise add ghosts without end), and when
    /// the cache is full by weight (no room left for another entry as heavy), the ghost takes
    /// its memory, as the unweighted one when the cache fills, rather than at the first
    /// eviction.
    #[inline]
    fn weighted_pushed(&mut self, i: u32) {
        self.wghost
            .raise_cap(self.slab.len().saturating_mul(2).saturating_add(8));
        let left = self.slab.budget().saturating_sub(self.slab.total_weight());
        if !self.has_evicted && left < self.slab.weight(i).max(1) {
            self.reserve_weighted_ghost();
        }
    }

    /// A weighted cache is full by weight (the push that fills it, or else its first
    /// eviction): the ghost takes the memory for as many ghosts as the cache holds entries
    /// (about what 9/10 of the weight holds with similar weights), so that it fills without
    /// allocating, as the unweighted ghost is reserved when the cache fills; it still grows
    /// beyond, up to its cap, if the workload's ghosts are lighter.
    #[cold]
    fn reserve_weighted_ghost(&mut self) {
        let n = self.slab.len();
        self.wghost.raise_cap(n.saturating_mul(2).saturating_add(8));
        self.wghost.reserve(n);
    }

    /// Whether the key hashing to `hash` was a ghost; it is not one any more.
    #[inline(always)]
    pub(crate) fn ghost_take(&mut self, hash: u64) -> bool {
        if W::UNIT {
            self.ghost.take(fingerprint(hash))
        } else {
            self.wghost.take(hash)
        }
    }

    /// Whether a newcomer, hashing to `hash`, was a ghost (it is not one any more): looked
    /// up now in an unweighted cache; in a weighted one, the answer `admitting` got before
    /// the evictions made for it.
    #[inline(always)]
    fn newcomer_was_ghost(&mut self, hash: u64) -> bool {
        if W::UNIT {
            self.ghost_take(hash)
        } else {
            self.admitted_ghost
        }
    }

    /// The key hashing to `hash`, of weight `weight`, left the small queue: it becomes a
    /// ghost.
    #[inline(always)]
    pub(crate) fn ghost_push(&mut self, hash: u64, weight: u64) {
        if W::UNIT {
            self.ghost.push(fingerprint(hash));
        } else {
            self.wghost.push(hash, weight);
        }
    }

    /// The oldest entry of the main queue with frequency `freq`, if any.
    fn first_of_main(&self, freq: u32) -> Option<u32> {
        let main = self.queues[MAIN];
        let mut at = main.first;
        for _ in 0..main.len {
            let links = self.slab.links(at);
            if links.next() >> 30 == freq {
                return Some(at);
            }
            at = links.prev & IDX;
        }
        None
    }

    /// The queue a new key enters: main if it was a ghost, or if the small queue is at its
    /// target before the first eviction (libCacheSim's warm-up); else small.
    #[inline]
    fn entry_queue(&self, was_ghost: bool) -> usize {
        let small_full = if W::UNIT {
            self.queues[SMALL].len >= self.small_target
        } else {
            self.weights[SMALL] >= self.budgets[SMALL]
        };
        if was_ghost || (!self.has_evicted && small_full) {
            MAIN
        } else {
            SMALL
        }
    }

    /// Sets the capacity and the queue targets derived from it, as the constructor does.
    pub(crate) fn set_capacity(&mut self, capacity: u32) {
        self.capacity = capacity;
        self.small_target = capacity / 10;
        self.main_target = capacity - self.small_target;
        if !W::UNIT {
            let budget = self.slab.budget();
            self.budgets = [budget / 10, budget - budget / 10];
        }
    }
}

evict_slots::slab_cache_impl! {
    /// The toolkit's view of the cache: S3-FIFO as `SlabCache` primitives.
    #[doc(hidden)]
    impl<K, V, S, W: Weighs<K, V>> SlabCache for S3FifoCache<K, V, S, W> {
        item = Node<V>;
        iter = Walk<'a, K, Node<V>, 2>;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> Walk<'_, K, Node<V>, 2> {
        self.slab.walk(self.queues)
    }

    /// Lays the slots out in iteration order (the small queue oldest first, then the main
    /// queue oldest first), the key index following without hashing (see
    /// `evict_slots::Slab::relayout`), and relinks the two rings over the runs this leaves.
    /// Nothing the policy sees changes: queues, order and frequencies are the same, only
    /// slot numbers move. O(len), no allocation; nothing moves if nothing has since the
    /// last time.
    fn lay_out(&mut self) {
                let starts = self
            .slab
            .relayout(self.queues, &mut [], |node, q, i, first, last| {
                // Newer is the next slot, the ring closing from the newest to the oldest.
                let newer = if i == last { first } else { i + 1 };
                let older = if i == first { last } else { i - 1 };
                node.links.prev = newer | ((q as u32) << 31);
                set_idx(node.links.next_mut(), older);
            });
        for (queue, start) in self.queues.iter_mut().zip(starts) {
            if queue.len > 0 {
                queue.first = start;
                queue.last = start + queue.len - 1;
            }
        }
    }

    /// The slot [`evict`](Self::evict) would choose, found without moving anything.
    ///
    /// `evict` examines the main queue when it is above its target or the small queue is
    /// empty; otherwise the small queue from its oldest entry: the first one read fewer than
    /// twice is the victim, those before it move to main. Only if all of small moves does it
    /// turn to main, which then ends with the moved entries, all at frequency 0. On main,
    /// CLOCK passes over the queue from its oldest entry, taking one access from each
    /// entry it passes: the victim is the first entry, oldest first, with the lowest
    /// frequency (an entry of frequency `f` leaves on pass `f`). So: the first frequency-0
    /// entry of main, or else the small queue's oldest entry, the first moved.
    fn victim(&self) -> Option<u32> {
        if self.slab.is_empty() {
            return None;
        }
        let small = self.queues[SMALL];
        if !self.main_over() && small.len > 0 {
            let mut at = small.first;
            for _ in 0..small.len {
                let links = self.slab.links(at);
                if links.next() < 2 * FREQ_ONE {
                    return Some(at);
                }
                at = links.prev & IDX;
            }
            return Some(self.first_of_main(0).unwrap_or(small.first));
        }
        (0..4).find_map(|f| self.first_of_main(f))
    }


    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        let [small, main] = self.queues.map(|q| Entries(self.slab.walk([q])));
        f.field("small", &small)
            .field("main", &main)
            .field("ghosts", &self.ghost.len());
    }
}

/// The policy's rules as `SlabPolicy` primitives.
#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> evict_slots::SlabPolicy
    for S3FifoCache<K, V, S, W>
{
    /// Frequency + 1 (up to 3); nothing moves.
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        self.bump(i)
    }

    /// The hit only counts, so through `&self` it is the same count done atomically.
    const SHARED_HIT: bool = true;

    #[inline(always)]
    fn hit_shared(&self, i: u32) {
        let _ = self.bump_shared(i);
    }

    /// Inserts `key`, of hash `hash`, which is not cached; returns what `put` returns and
    /// the slot now holding `key` ([`NO_SLOT`] if rejected).
    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        if self.capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        let was_ghost = self.newcomer_was_ghost(hash);
        self.insert_known(hash, key, value, was_ghost)
    }

    /// libCacheSim's `S3FIFO_get` looks a missed key up in the ghost before the evictions
    /// that make room for it push their victims there: a weighted insertion does it here,
    /// before its first eviction, and its `insert` or `replace_chosen` uses the answer.
    #[inline(always)]
    fn admitting(&mut self, hash: u64) {
        if !W::UNIT {
            self.admitted_ghost = self.ghost_take(hash);
        }
    }

    /// The slot's queue weighs the difference.
    fn reweighed(&mut self, i: u32, old: u64, new: u64) {
        let q = self.queue_of(i);
        self.weights[q] = self.weights[q] - old + new;
    }

    /// Takes slot `i`, whose key hashes to `hash`, out of its queue and out of the slab
    /// (whose last slot fills the hole). No ghost is left.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        // Hashes the key that moves into the gap before anything changes.
        let removal = self.slab.removal(i, hash);
        self.unlink(i);
        let (key, node, moved_from) = self.slab.swap_remove_planned(removal);
        if moved_from != i {
            self.relocate(moved_from, i);
        }
        (key, node.value)
    }

    /// A key not cached is forgotten by the ghost too (as libCacheSim's `S3FIFO_remove`),
    /// so that a later `put` starts it on probation in the small queue.
    fn forget(&mut self, hash: u64) {
        self.ghost_take(hash);
    }

    /// Evicts one entry as a `put` of a new key into the full cache would, ghost included.
    fn pop(&mut self) -> Option<(K, V)> {
        if self.slab.is_empty() {
            return None;
        }
        let (victim, _) = self.evict();
        Some(evict_slots::SlabPolicy::evict_chosen(self, victim))
    }

    /// A weighted cache's first eviction since it was made or resized: its ghost takes its
    /// memory now if it has not yet (see `weighted_pushed`).
    fn weight_full(&mut self) {
        self.reserve_weighted_ghost();
    }

    /// A weighted eviction is `evict`'s choice, then the victim's removal or reuse.
    const IN_PLACE: bool = true;

    #[inline(always)]
    fn choose_victim(&mut self) -> u32 {
        self.evict().0
    }

    /// As `pop` takes it: a victim from the small queue leaves a ghost.
    #[inline]
    fn evict_chosen(&mut self, victim: u32) -> (K, V) {
        let hash = self.slab.hash(self.slab.key(victim));
        if self.queue_of(victim) == SMALL {
            let weight = self.slab.weight(victim);
            self.ghost_push(hash, weight);
        }
        evict_slots::SlabPolicy::remove_slot(self, victim, hash)
    }

    /// What `evict_chosen` then `insert` do, the newcomer reusing the victim's slot: the
    /// victim's ghost first, then the newcomer's ghost lookup (libCacheSim's order: evictions
    /// before the insertion).
    #[inline(always)]
    fn replace_chosen(&mut self, victim: u32, hash: u64, key: K, value: V) -> (K, V, u32) {
        let from = self.queue_of(victim);
        let (old_key, old_value) = self.reuse_slot(victim, from, hash, key, value, None);
        (old_key, old_value, victim)
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let shrinking = capacity < self.capacity;
        // Each pair leaves as `pop` would take it at that point: the first is what
        // `peek_victim` shows now, under the targets in force now.
        let mut popped = Vec::with_capacity(self.slab.len().saturating_sub(capacity as usize));
        while self.slab.len() > capacity as usize {
            popped.extend(evict_slots::SlabPolicy::pop(self));
        }
        self.set_capacity(capacity);
        self.ghost.set_capacity(self.ghost_target(capacity));
        if !W::UNIT {
            // The weighted ghost to its new weight: its oldest leave first.
            self.wghost.set_budget(self.slab.budget());
        }
        if shrinking {
            // The memory of the larger capacity goes back.
            self.slab.shrink_to(capacity as usize);
        }
        if capacity > 0 && self.slab.len() == capacity as usize {
            // Full now (without a `put` to fill it): the index and the ghost get what a
            // fill gives them. The ghost first: settling rehashes every key, and a `Hash`
            // that panics there must not leave a full cache with an unreserved ghost.
            self.ghost.reserve();
            self.slab.settle(capacity as usize);
        }
        popped
    }

    /// Also forgets the ghost, and the warm-up starts again: the cache is as new.
    fn clear(&mut self) {
        self.queues = [EMPTY_QUEUE; 2];
        self.weights = [0; 2];
        self.has_evicted = false;
        self.ghost = crate::ghost::Ghost::new(self.ghost_target(self.capacity));
        self.wghost.clear();
        self.stats.reset();
        // The slab last: a value's `Drop` may panic while it empties, and everything
        // else must be reset by then (the slab itself forgets its slots first).
        self.slab.clear();
    }

    /// The ghost is kept, as a `remove` of each key would keep it.
    fn drained(&mut self) {
        self.queues = [EMPTY_QUEUE; 2];
        self.weights = [0; 2];
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> S3FifoCache<K, V, S, W> {
    /// Inserts `key`, of hash `hash`, which is not cached and whose ghost lookup said
    /// `was_ghost` (the ghost forgot it then); evicts one entry if the cache is full (by
    /// count). Returns what `put` returns and the slot now holding `key`.
    #[inline(always)]
    fn insert_known(&mut self, hash: u64, key: K, value: V, was_ghost: bool) -> (Put<K, V>, u32) {
        let capacity = self.capacity as usize;
        if self.slab.len() < capacity {
            // The push that fills the slab gives the index its final room; the ghost takes
            // its memory then too, so that evictions never allocate.
            let node = Node {
                value,
                links: Links::new(IDX, IDX),
            };
            let i = self.slab.push(hash, key, node, capacity);
            let q = self.entry_queue(was_ghost);
            self.link_head(i, q);
            if self.slab.len() == capacity {
                self.ghost.reserve();
            }
            if !W::UNIT {
                self.weighted_pushed(i);
            }
            return (Put::Inserted, i);
        }
        // Full: evict one entry and reuse its slot in place.
        let (victim, from) = self.evict();
        let (old_key, old_value) = self.reuse_slot(victim, from, hash, key, value, Some(was_ghost));
        (Put::Evicted(old_key, old_value), victim)
    }

    /// Evicts slot `victim` (`evict` chose it, from queue `from`; a small-queue victim's key
    /// becomes a ghost) and puts `key`, hashing to `hash`, in its slot, at frequency 0, in
    /// main if it was a ghost, else in small (`evict` ran, so `has_evicted` is set: what
    /// `entry_queue` says then, without its warm-up test). Whether it was a ghost is
    /// `was_ghost`, or, if `None`, asked after the victim's ghost push (`replace_chosen`:
    /// a weighted cache's answer was taken before, by `admitting`; reading it here rather
    /// than first measured 2 instructions fewer per weighted put-evict). Returns the
    /// evicted pair.
    #[inline(always)]
    fn reuse_slot(
        &mut self,
        victim: u32,
        from: usize,
        hash: u64,
        key: K,
        value: V,
        was_ghost: Option<bool>,
    ) -> (K, V) {
        let victim_hash = self.slab.hash(self.slab.key(victim));
        let old_weight = self.slab.weight(victim);
        if from == SMALL {
            self.ghost_push(victim_hash, old_weight);
        }
        let was_ghost = match was_ghost {
            Some(was) => was,
            None => self.newcomer_was_ghost(hash),
        };
        let old_key = self.slab.replace_key_hashed(victim, victim_hash, hash, key);
        if !W::UNIT {
            // The slot, still in its queue, weighs the newcomer's weight now.
            self.weights[from] = self.weights[from] - old_weight + self.slab.pending_weight();
        }
        // The new entry keeps the victim's slot and links, at frequency 0.
        let node = self.slab.item_mut(victim);
        let old_value = core::mem::replace(&mut node.value, value);
        *node.links.next_mut() &= IDX;
        let newer = node.links.prev & IDX;
        let q = if was_ghost { MAIN } else { SMALL };
        if q == from {
            // The new entry takes the victim's slot at the head of the same queue: in a
            // ring, moving the tail to the head is moving both ends one step.
            self.queues[q].last = victim;
            self.queues[q].first = newer;
        } else {
            self.unlink(victim);
            self.link_head(victim, q);
        }
        (old_key, old_value)
    }
}
