//! `check_invariants`: the lists, the slab, the tables and ARC's bounds agree.

use alloc::vec::Vec;
use core::hash::{BuildHasher, Hash};

use crate::ArcCache;
use crate::lists::{T1, T2};

impl<K, V, S, W: evict_slots::weight::Weighs<K, V>> ArcCache<K, V, S, W> {
    /// The slots of `list`, most recent first, pending moves included: the obvious
    /// (allocating) reading of the order that `Iter` reads in place.
    pub(crate) fn list_order(&self, list: usize) -> Vec<u32> {
        let pending = self.pending();
        let mut order = Vec::new();
        if list == T2 {
            for &i in pending.iter().rev() {
                if !order.contains(&i) {
                    order.push(i);
                }
            }
        }
        let mut at = self.lists.head[list];
        while let Some((_, node)) = self.slab.get(at) {
            if list == T1 || !pending.contains(&at) {
                order.push(at);
            }
            at = node.links.next();
        }
        order
    }

    /// Checks that the lists, the slab and the tables agree, that every iterator lists the
    /// order `list_order` reads, and ARC's size bounds.
    pub(crate) fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let c = self.capacity as usize;
        let n = self.slab.len();
        assert!(n <= c, "len {n} > capacity {c}");
        self.slab.check();
        let mut resident = 0;
        for list in [T1, T2] {
            for at in self.lists.walk(&self.slab, list) {
                let hash = self.slab.hash(self.slab.key(at));
                // A key is never resident and a ghost at once (short of a fingerprint
                // collision between two keys, which the tests' hashers exclude).
                assert!(
                    self.ghosts.find(hash).is_none(),
                    "resident slot {at} is also a ghost"
                );
                resident += 1;
            }
        }
        assert_eq!(resident, n, "T1 and T2 do not cover every slot");
        for &i in self.pending() {
            assert!((i as usize) < n, "pending slot {i} out of range");
            assert_eq!(
                self.slab.item(i).links.list(),
                T2,
                "pending slot {i} not in T2"
            );
        }

        // Iteration: forwards, backwards and from both ends at once, against the plain
        // reading of the lists.
        let mut order = self.list_order(T1);
        order.extend(self.list_order(T2));
        assert_eq!(order.len(), n, "list_order misses slots");
        let key = |i: &u32| self.slab.key(*i) as *const K;
        let want: Vec<*const K> = order.iter().map(key).collect();
        let forward: Vec<*const K> = self.iter().map(|(k, _)| k as *const K).collect();
        assert_eq!(forward, want, "iter() order");
        let mut backward: Vec<*const K> = self.iter().rev().map(|(k, _)| k as *const K).collect();
        backward.reverse();
        assert_eq!(backward, want, "iter().rev() order");
        let mut it = self.iter();
        let (mut front, mut back) = (Vec::new(), Vec::new());
        for step in 0.. {
            assert_eq!(
                it.len(),
                n - front.len() - back.len(),
                "ExactSizeIterator::len"
            );
            let next = if step % 3 == 1 {
                it.next_back().map(|(k, _)| back.push(k as *const K))
            } else {
                it.next().map(|(k, _)| front.push(k as *const K))
            };
            if next.is_none() {
                break;
            }
        }
        assert!(it.next().is_none() && it.next_back().is_none(), "not fused");
        back.reverse();
        front.extend(back);
        assert_eq!(front, want, "iter() from both ends");
        if let Some(victim) = evict_slots::SlabCache::victim(self) {
            assert!((victim as usize) < n, "victim out of range");
        } else {
            assert_eq!(n, 0, "no victim in a non-empty cache");
        }

        self.ghosts.check();
        if !W::UNIT {
            // In weight (libCacheSim's bounds are not invariants there: a ghost hit's
            // evictions drop no ghost): the lists' weights are their entries' and the
            // ghosts' own, p is within the budget, the ghosts within their cap.
            self.wghosts.check();
            assert_eq!(
                self.ghosts.live(),
                0,
                "a weighted cache made a fingerprint ghost"
            );
            for list in [T1, T2] {
                let w: u64 = self
                    .lists
                    .walk(&self.slab, list)
                    .iter()
                    .map(|&i| self.slab.weight(i))
                    .sum();
                assert_eq!(self.lists.weight[list], w, "weight of list {list}");
            }
            for list in [T1, T2] {
                for at in self.lists.walk(&self.slab, list) {
                    let hash = self.slab.hash(self.slab.key(at));
                    assert!(
                        self.wghosts.find(hash).is_none(),
                        "resident slot {at} is also a weighted ghost"
                    );
                }
            }
            let budget = self.slab.budget() as f64;
            assert!(
                (0.0..=budget).contains(&self.p),
                "p = {} not in [0, {budget}]",
                self.p
            );
            // (`check` above bounds the ghosts of weight 0 by the cap; ghosts of positive
            // weight are bounded by the policy's weight rules only, as libCacheSim's.)
            return;
        }

        let [t1, t2, b1, b2] = self.sizes();
        assert!(t1 + b1 <= c, "|T1| + |B1| = {} > c = {c}", t1 + b1);
        assert!(t1 + t2 + b1 + b2 <= 2 * c, "more than 2c pages tracked");
        assert!(b1 + b2 <= c, "more than c ghosts");
        assert!(
            (0.0..=c as f64).contains(&self.p),
            "p = {} not in [0, {c}]",
            self.p
        );
        if self.integer {
            assert_eq!(self.p, self.p as u64 as f64, "integer p has a fraction");
        }
    }
}
