//! ARC in weight: a weighted cache's `T1`, `T2`, `B1`, `B2` and target `p` are sizes in the
//! weigher's units, as libCacheSim's `ARC.c` keeps them in bytes (see the crate docs'
//! *Capacity by weight*). The unweighted cache never comes here (`W::UNIT`).
//!
//! libCacheSim's request, for a key not cached: a ghost hit adapts `p` by the byte
//! ratio of the ghost lists and takes the ghost out (`ARC_find`); then, while the newcomer
//! does not fit, one eviction each round (`ARC_evict`): `REPLACE` if the key was a ghost,
//! else case IV, which drops `B1`'s least recent ghost and calls `REPLACE` when
//! `|T1| + |B1| + size > c` (evicting `T1`'s least recent without a ghost when `B1` is empty),
//! and otherwise drops `B2`'s least recent ghost when the four lists weigh `2c` or more
//! and calls `REPLACE`; then the newcomer enters `T2` (ghost hit) or `T1`.

use core::hash::{BuildHasher, Hash};
use evict_core::{Put, Removal, Sink};
use evict_slots::engine::NO_SLOT;
use evict_slots::weight::{Weighing, Weighs};

use crate::ArcCache;
use crate::ghost::{B1, B2};
use crate::lists::{Links, Node, T1, T2};

/// The sink of a weighted `put` that reports one pair: it keeps the first evicted pair and
/// drops the others (`evict_core::Cache::put`'s rule for a cache that evicts several).
pub(crate) struct First<K, V>(pub(crate) Option<(K, V)>);

impl<K, V> Sink<K, V> for First<K, V> {
    fn removed(&mut self, key: K, value: V, _why: Removal) {
        if self.0.is_none() {
            self.0 = Some((key, value));
        }
    }
}

impl<K, V> First<K, V> {
    /// `put`'s answer: an insertion that evicted reports the first pair it evicted.
    pub(crate) fn merge(self, put: Put<K, V>) -> Put<K, V> {
        match (put, self.0) {
            (Put::Inserted, Some((k, v))) => Put::Evicted(k, v),
            (put, _) => put,
        }
    }
}

impl<K, V, S, W: Weighing> ArcCache<K, V, S, W> {
    /// The sizes `[T1, T2, B1, B2]` in weight.
    #[inline]
    pub(crate) fn weights_w(&self) -> [u64; 4] {
        [
            self.lists.weight[T1],
            self.lists.weight[T2],
            self.wghosts.weight(B1),
            self.wghosts.weight(B2),
        ]
    }

    /// The capacity in weight units.
    #[inline]
    pub(crate) fn budget_w(&self) -> u64 {
        self.slab.budget()
    }

    /// The slot [`pop_w`](Self::pop_w) takes, the pending moves taken into account; `None`
    /// if the cache is empty.
    pub(crate) fn victim_w(&self) -> Option<u32> {
        if self.slab.is_empty() {
            return None;
        }
        let c = self.budget_w();
        let [t1, _, b1, _] = self.weights_w();
        if t1.saturating_add(b1) > c && self.wghosts.len(B1) == 0 && self.lists.len[T1] > 0 {
            return Some(self.lists.tail[T1]);
        }
        let t1 = t1 as f64;
        let from_t1 = self.lists.len[T1] > 0 && t1 > self.p;
        Some(if from_t1 || self.lists.len[T2] == 0 {
            self.lists.tail[T1]
        } else {
            self.t2_lru()
        })
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> ArcCache<K, V, S, W> {
    /// `max(a / b, 1)` for sizes in weight (`b` taken as at least 1: a list of weight-0
    /// ghosts counts as weighing 1), in this cache's arithmetic, as libCacheSim computes
    /// its delta from the ghost lists' bytes.
    fn delta_w(&self, a: u64, b: u64) -> f64 {
        let b = b.max(1);
        if self.integer {
            (a / b).max(1) as f64
        } else {
            (a as f64 / b as f64).max(1.0)
        }
    }

    /// `REPLACE` in weight: `T1`'s least recent entry when `T1` is not empty and weighs
    /// more than `p` (or exactly `p` and the key came from `B2`), or when `T2` is empty;
    /// else `T2`'s least recent. The pending moves must have been made.
    fn replace_victim_w(&self, x_in_b2: bool) -> u32 {
        let t1 = self.lists.weight[T1] as f64;
        #[allow(clippy::float_cmp)]
        let tie = x_in_b2 && t1 == self.p;
        let from_t1 = self.lists.len[T1] > 0 && (tie || t1 > self.p);
        if from_t1 || self.lists.len[T2] == 0 {
            self.lists.tail[T1]
        } else {
            self.lists.tail[T2]
        }
    }

    /// Case IV's choice for a newcomer of weight `incoming`, without changing anything:
    /// the slot that leaves, whether it leaves a ghost, and which ghost list loses its
    /// least recent ghost first (if any). The pending moves must have been made.
    fn case_iv_w(&self, incoming: u64) -> (u32, bool, Option<usize>) {
        let c = self.budget_w();
        let [t1, t2, b1, b2] = self.weights_w();
        if t1.saturating_add(b1).saturating_add(incoming) > c {
            if self.wghosts.len(B1) > 0 {
                (self.replace_victim_w(false), true, Some(B1))
            } else if self.lists.len[T1] > 0 {
                // T1 is (nearly) the whole cache: its least recent leaves without a ghost.
                (self.lists.tail[T1], false, None)
            } else {
                (self.replace_victim_w(false), true, None)
            }
        } else {
            let all = t1.saturating_add(t2).saturating_add(b1).saturating_add(b2);
            let drop = (all >= c.saturating_mul(2) && self.wghosts.len(B2) > 0).then_some(B2);
            (self.replace_victim_w(false), true, drop)
        }
    }

    /// Evicts slot `v` (moving its key to the ghost list of its list if `to_ghost`) and
    /// returns the pair.
    fn evict_w(&mut self, v: u32, to_ghost: bool) -> (K, V) {
        let hash = self.slab.hash(self.slab.key(v));
        let from = self.slab.item(v).links.list();
        let weight = self.slab.weight(v);
        // The ghost after the slot is out: taking it hashes the key that moves into the gap,
        // and a `Hash` that panics there must not leave the resident key a ghost too.
        let pair = self.take_slot(v, hash);
        if to_ghost {
            // T1's victim goes to B1, T2's to B2: the list ids match.
            self.wghosts.push(hash, weight, from);
        }
        pair
    }

    /// One eviction of the weighted miss path: `REPLACE` after a ghost hit (`Some(in_b2)`),
    /// else case IV for a newcomer of weight `incoming`.
    fn evict_one_w(&mut self, ghost: Option<bool>, incoming: u64) -> (K, V) {
        let (v, to_ghost) = match ghost {
            Some(in_b2) => (self.replace_victim_w(in_b2), true),
            None => {
                let (v, to_ghost, drop) = self.case_iv_w(incoming);
                if let Some(list) = drop {
                    self.wghosts.pop_oldest(list);
                }
                (v, to_ghost)
            }
        };
        self.evict_w(v, to_ghost)
    }

    /// A weighted cache's `put` (the rules of `evict_slots::weight`): every pair that leaves
    /// goes to `sink`; returns `Inserted`, `Replaced` or `Rejected` and the stored pair's
    /// slot ([`NO_SLOT`] if rejected). The weigher runs first, before anything changes.
    pub(crate) fn put_w(
        &mut self,
        key: K,
        value: V,
        sink: &mut dyn Sink<K, V>,
    ) -> (Put<K, V>, u32) {
        let weight = self.slab.weigher().weigh(&key, &value);
        let hash = self.slab.hash(&key);
        let Some(i) = self.slab.find_hashed(hash, &key) else {
            return self.insert_w(hash, key, value, weight, sink);
        };
        let budget = self.budget_w();
        if weight > budget {
            // Too heavy to keep: the key leaves rather than keep a stale value.
            self.flush();
            let (old_key, old_value) = self.take_slot(i, hash);
            sink.removed(old_key, old_value, Removal::Evicted);
            return (Put::Rejected(key, value), NO_SLOT);
        }
        let was = self.slab.weight(i);
        let others = self.slab.total_weight() - was;
        if weight <= budget - others {
            // Case I, then the new weight (the list's weight follows).
            self.touch(i);
            self.flush();
            let list = self.slab.item(i).links.list();
            let old = core::mem::replace(&mut self.slab.item_mut(i).value, value);
            self.slab.set_weight(i, weight);
            self.lists.weight[list] = self.lists.weight[list] - was + weight;
            drop(key); // before the answer is built: a `Drop` that panics would leak it
            return (Put::Replaced(old), i);
        }
        // Heavier, and the others must make room: the key steps out (no ghost), the policy
        // evicts others until the new value fits, and the key comes back as a newcomer.
        self.flush();
        let (old_key, old) = self.take_slot(i, hash);
        drop(key);
        let (_, j) = self.insert_w(hash, old_key, value, weight, sink);
        (Put::Replaced(old), j)
    }

    /// Inserts `key` (not cached, hashing to `hash`) of weight `weight` as libCacheSim's
    /// `ARC_get` does for a miss (see the module docs); every evicted pair goes to `sink`.
    pub(crate) fn insert_w(
        &mut self,
        hash: u64,
        key: K,
        value: V,
        weight: u64,
        sink: &mut dyn Sink<K, V>,
    ) -> (Put<K, V>, u32) {
        let budget = self.budget_w();
        if weight > budget || self.capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        // What follows looks at T2's order and renumbers slots: moves first.
        self.flush();
        let ghost = match self.wghosts.find(hash) {
            Some(hit) => {
                let in_b2 = self.wghosts.list_of(hit) == B2;
                let (b1, b2) = (self.wghosts.weight(B1), self.wghosts.weight(B2));
                if in_b2 {
                    // Case III: p = max(p - max(B1 / B2, 1), 0), sizes in weight.
                    self.p = (self.p - self.delta_w(b1, b2)).max(0.0);
                } else {
                    // Case II: p = min(p + max(B2 / B1, 1), c).
                    self.p = (self.p + self.delta_w(b2, b1)).min(budget as f64);
                }
                self.wghosts.remove(hit);
                Some(in_b2)
            }
            None => None,
        };
        let count = self.capacity as usize;
        while !self.slab.is_empty()
            && (self.slab.total_weight() > budget - weight || self.slab.len() >= count)
        {
            let (k, v) = self.evict_one_w(ghost, weight);
            sink.removed(k, v, Removal::Evicted);
        }
        self.slab.set_pending_weight(weight);
        let i = self
            .slab
            .push(hash, key, Node::new(value, Links::DETACHED), count);
        self.lists
            .push_front(&mut self.slab, i, if ghost.is_some() { T2 } else { T1 });
        // At most twice the most entries held, plus 8, ghosts (see the crate docs).
        self.wghosts
            .raise_cap(self.slab.len().saturating_mul(2).saturating_add(8));
        (Put::Inserted, i)
    }

    /// `pop` of a weighted cache: case IV's eviction for a newcomer of weight 0.
    pub(crate) fn pop_w(&mut self) -> Option<(K, V)> {
        if self.slab.is_empty() {
            return None;
        }
        self.flush();
        Some(self.evict_one_w(None, 0))
    }

    /// `resize` of a weighted cache, after the engine has popped until the entries' weight
    /// fits the new budget and set it: the count capacity becomes `capacity` (clamped), `p`
    /// is clamped to the budget and the ghost lists trimmed to its bounds (`B1`'s least recent
    /// while `T1 + B1` weighs more than the budget, `B2`'s while the four lists weigh more
    /// than twice it).
    pub(crate) fn resize_w(&mut self, capacity: usize) -> alloc::vec::Vec<(K, V)> {
        let c = capacity.min(crate::MAX_CAPACITY);
        let mut evicted = alloc::vec::Vec::new();
        while self.slab.len() > c {
            match self.pop_w() {
                Some(pair) => evicted.push(pair),
                None => break,
            }
        }
        let old = self.capacity as usize;
        self.capacity = c as u32;
        let budget = self.budget_w();
        self.p = self.p.min(budget as f64);
        loop {
            let [t1, _, b1, _] = self.weights_w();
            if t1.saturating_add(b1) <= budget || !self.wghosts.pop_oldest(B1) {
                break;
            }
        }
        loop {
            let all = self
                .weights_w()
                .iter()
                .fold(0u64, |a, &w| a.saturating_add(w));
            if all <= budget.saturating_mul(2) || !self.wghosts.pop_oldest(B2) {
                break;
            }
        }
        if c < old {
            self.slab.shrink_to(c);
        }
        evicted
    }
}
