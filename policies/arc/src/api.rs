//! The toolkit's view of [`ArcCache`]: ARC as `evict_slots::SlabCache` primitives (a hit,
//! an insertion, a removal, `pop`, `resize`, the layout for iteration), from which
//! `evict_slots::slab_cache!` builds the public API.

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Put;
use evict_slots::engine::Entries;

use crate::ArcCache;
use crate::ghost::{B1, B2, Ghosts};
use crate::iter::Order;
use crate::lists::{Lists, Node, T1};

evict_slots::slab_cache_impl! {
    #[doc(hidden)]
    impl<K, V, S> SlabCache for ArcCache<K, V, S> {
        item = Node<V>;
        iter = Order<'a, K, V>;
    }

    #[inline]
    fn iter(&self) -> Order<'_, K, V> {
        Order::new(self)
    }

    /// Makes the pending moves first.
    fn lay_out(&mut self) {
        self.lay_out();
    }

    fn victim(&self) -> Option<u32> {
        self.victim()
    }

    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        let t1 = self.lists.len[T1] as usize;
        let mut t2 = Order::new(self);
        if t1 > 0 {
            t2.nth(t1 - 1);
        }
        f.field("target", &self.p)
            .field("t1_most_recent_first", &Entries(Order::new(self).take(t1)))
            .field("t2_most_recent_first", &Entries(t2))
            .field("ghosts", &[self.ghosts.len(B1), self.ghosts.len(B2)]);
    }
}

/// The policy's rules as `SlabPolicy` primitives.
#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher> evict_slots::SlabPolicy for ArcCache<K, V, S> {
    /// The paper's case I: the entry moves to the most recent end of `T2`.
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        self.touch(i);
        &mut self.slab.item_mut(i).value
    }

    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        self.insert_new(hash, key, value)
    }

    /// No ghost is left and `p` does not move.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        // `take_slot` renumbers a slot: moves first.
        self.flush();
        self.take_slot(i, hash)
    }

    fn pop(&mut self) -> Option<(K, V)> {
        self.evict_next()
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.resize_to(capacity)
    }

    /// Also drops every ghost and sets `p` back to 0.
    fn clear(&mut self) {
        self.slab.clear();
        self.lists = Lists::EMPTY;
        self.pending_len = 0;
        self.ghosts = Ghosts::new(self.capacity as usize);
        self.p = 0.0;
        self.stats.reset();
    }

    /// Ghosts and `p` are kept.
    fn drained(&mut self) {
        self.lists = Lists::EMPTY;
    }
}
