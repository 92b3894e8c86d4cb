//! `check_invariants`, the tests' look inside: the lists, the slots, the key index and the
//! ghost must agree after every operation.

use core::hash::{BuildHasher, Hash};

use crate::TwoQCache;
use crate::ghost::ghost_capacity;
use crate::lists::{A1IN, AM};

impl<K: Hash + Eq, V, S: BuildHasher, W: evict_slots::weight::Weighs<K, V>> TwoQCache<K, V, S, W> {
    /// Checks that the lists, the slots, the index and the ghost agree, and the sizes
    /// derived from the capacity.
    pub(crate) fn check_invariants(&self) {
        let n = self.slab.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        self.slab.check();
        assert_eq!(self.kin, self.capacity / 4, "Kin");
        let mut seen = alloc::vec![false; n];
        for list in [A1IN, AM] {
            for i in self.lists.walk(&self.slab, list) {
                assert!(!seen[i as usize], "slot {i} linked twice");
                seen[i as usize] = true;
            }
        }
        assert!(seen.iter().all(|&s| s), "the lists do not cover every slot");
        assert_eq!(self.ghost.capacity(), ghost_capacity(self.capacity));
        if n == self.capacity as usize {
            // Full: the ghost has all its memory, so evictions never allocate.
            assert!(
                self.ghost.is_reserved(),
                "full, but the ghost is not reserved"
            );
        }
        self.ghost.check();
    }
}
