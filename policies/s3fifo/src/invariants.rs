//! `check_invariants`, the tests' look inside: the queues, the slots, the key table and the
//! ghost must agree after every operation.

use core::hash::{BuildHasher, Hash};

use evict_slots::slab::Span;

use crate::S3FifoCache;
use crate::ghost::ghost_capacity;
use crate::queues::{IDX, IN_MAIN, MAIN, NIL, SMALL};

impl<K: Hash + Eq, V, S: BuildHasher, W: evict_slots::weight::Weighs<K, V>>
    S3FifoCache<K, V, S, W>
{
    /// Checks that the queues, the slots, the table and the ghost agree.
    pub(crate) fn check_invariants(&self) {
        let n = self.slab.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        self.slab.check();
        assert_eq!(self.small_target, self.capacity / 10);
        assert_eq!(self.main_target, self.capacity - self.small_target);
        let mut seen = alloc::vec![false; n];
        for q in [SMALL, MAIN] {
            let Span { first, last, len } = self.queues[q];
            let (head, tail) = (last, first);
            if len == 0 {
                assert_eq!((head, tail), (NIL, NIL), "empty queue {q} with ends");
                continue;
            }
            let mut prev = tail;
            let mut at = head;
            for _ in 0..len {
                assert!(!seen[at as usize], "slot {at} linked twice");
                seen[at as usize] = true;
                let links = self.slab.links(at);
                assert_eq!(links.prev & IDX, prev, "broken prev link at slot {at}");
                assert_eq!(self.queue_of(at), q, "slot {at} has the wrong queue bit");
                assert_eq!(links.prev & !IDX & !IN_MAIN, 0, "stray bits in prev");
                prev = at;
                at = links.next() & IDX;
            }
            assert_eq!(tail, prev, "tail of queue {q} is not its last node");
            assert_eq!(at, head, "queue {q} is not a ring of its length");
        }
        assert!(
            seen.iter().all(|&s| s),
            "the queues do not cover every slot"
        );
        if !W::UNIT {
            for q in [SMALL, MAIN] {
                let Span { first, len, .. } = self.queues[q];
                let mut at = first;
                let mut sum = 0;
                for _ in 0..len {
                    sum += self.slab.weight(at);
                    at = self.slab.links(at).prev & IDX;
                }
                assert_eq!(sum, self.weights[q], "queue {q}'s weight");
            }
            let budget = self.slab.budget();
            assert_eq!(self.budgets, [budget / 10, budget - budget / 10]);
            // The weighted ghost: its lists and weights agree, within 9/10 of the budget.
            self.wghost.check();
            assert!(
                self.wghost.weight() <= crate::ghost::ghost_weight(budget),
                "weighted ghost over 9/10 of the budget"
            );
            assert_eq!(
                self.ghost.len(),
                0,
                "a weighted cache made a fingerprint ghost"
            );
        } else {
            assert_eq!(self.ghost.capacity(), ghost_capacity(self.capacity));
        }
        if W::UNIT && n == self.capacity as usize {
            // Full: the ghost has all its memory, so evictions never allocate.
            assert!(
                self.ghost.is_reserved(),
                "full, but the ghost is not reserved"
            );
        }
        self.ghost.check();
    }

    /// Checks that [`victim`](Self::victim), the read-only simulation, finds the entry that
    /// [`evict`](Self::evict) on a copy of the cache takes.
    pub(crate) fn check_victim(&self)
    where
        K: Clone,
        V: Clone,
        S: Clone,
        W: Clone,
    {
        let found = evict_slots::SlabCache::victim(self);
        let mut copy = self.clone();
        let evicted = (!copy.slab.is_empty()).then(|| copy.evict().0);
        assert_eq!(found, evicted, "peek_victim disagrees with the eviction");
    }
}
