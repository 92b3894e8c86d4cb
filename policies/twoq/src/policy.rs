//! The policy: the paper's hit, miss and `reclaimfor` over `A1in`, `Am` and `A1out`, and
//! the operations the paper does not have (`remove`, `pop`, `resize`); as the
//! `evict_slots::SlabCache` and `SlabPolicy` primitives from which
//! `evict_slots::slab_cache!` builds the public API.

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use evict_slots::weight::{Weighing, Weighs};

use evict_core::Put;
use evict_slots::engine::{Entries, NO_SLOT};
use evict_slots::slab::Walk;

use crate::ghost::{Ghost, ghost_capacity};
use crate::lists::{A1IN, AM, Links, Lists, NIL, Node};
use crate::{MAX_CAPACITY, TwoQCache};

impl<K, V, S, W: Weighing> TwoQCache<K, V, S, W> {
    /// The slot the next eviction takes (the cache is not empty): the paper's
    /// `reclaimfor`, `A1in`'s oldest if `|A1in| > Kin`, else `Am`'s least recently used;
    /// `A1in`'s oldest also when `Am` is empty (possible only below capacity, or after a
    /// `resize`: a full cache keeps `|Am| <= capacity - Kin`).
    #[inline]
    fn victim_slot(&self) -> u32 {
        if self.lists.len[A1IN] > self.kin || self.lists.len[AM] == 0 {
            self.lists.oldest[A1IN]
        } else {
            self.lists.oldest[AM]
        }
    }

    /// The key hashing to `hash` left `A1in`: it becomes `A1out`'s newest ghost.
    #[inline(always)]
    fn ghost_push(&mut self, hash: u64) {
        if W::UNIT {
            self.ghost.push(hash);
        } else {
            self.ghost.push_weighted(hash);
        }
    }

    /// Sets the capacity and `Kin`, as the constructor does (not `A1out`'s size).
    fn set_capacity(&mut self, capacity: u32) {
        self.capacity = capacity;
        self.kin = capacity / 4;
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> TwoQCache<K, V, S, W> {
    /// Takes resident slot `i`, whose key hashes to `hash`, out: its list links, its index
    /// entry and its place in the slab (filled by the last slot, whose links are
    /// repointed). The removal is planned first: planning hashes the key that moves, the
    /// one user code on the way, so a panicking `Hash` leaves everything as it was.
    fn take_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        let removal = self.slab.removal(i, hash);
        self.lists.unlink(&mut self.slab, i);
        let (key, node, moved_from) = self.slab.swap_remove_planned(removal);
        if moved_from != i {
            self.lists.relocate(&mut self.slab, i);
        }
        (key, node.value)
    }
}

evict_slots::slab_cache_impl! {
    /// The toolkit's view of the cache: 2Q as `SlabCache` primitives.
    #[doc(hidden)]
    impl<K, V, S, W: Weighs<K, V>> SlabCache for TwoQCache<K, V, S, W> {
        item = Node<V>;
        iter = Walk<'a, K, Node<V>, 2>;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> Walk<'_, K, Node<V>, 2> {
        self.slab.walk(self.lists.spans())
    }

    /// Puts the slots in iteration order (`A1in` in slots `0..|A1in|`, `Am` after it, each
    /// from its oldest entry), renumbering the key index without hashing: for the
    /// iterators that walk slots in memory order. Changes no order and no result.
    fn lay_out(&mut self) {
        self.lists.lay_out(&mut self.slab);
    }

    /// O(1): the victim is the oldest entry of one of the two lists.
    fn victim(&self) -> Option<u32> {
        (!self.slab.is_empty()).then(|| self.victim_slot())
    }

    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        let [a1in, am] = self.lists.spans();
        f.field("kin", &self.kin)
            .field("a1in_oldest_first", &Entries(self.slab.walk([a1in])))
            .field("am_least_recent_first", &Entries(self.slab.walk([am])))
            .field("a1out", &self.ghost.len());
    }
}

/// The policy's rules as `SlabPolicy` primitives.
#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> evict_slots::SlabPolicy
    for TwoQCache<K, V, S, W>
{
    /// A weighted cache's sizes (see the crate docs' *Capacity by weight*): counts of
    /// entries, fitted to the entries it holds when it first fills by weight.
    fn weight_full(&mut self) {
        let n = self.slab.len();
        let _ = evict_slots::SlabPolicy::resize(self, n);
    }

    /// The paper's hit: in `Am`, the entry moves to the most recent end; in `A1in`, nothing
    /// ("correlated references" do not promote).
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        let links = self.slab.item(i).links;
        if links.list() == AM && links.newer != NIL {
            self.lists.unlink(&mut self.slab, i);
            self.lists.push_newest(&mut self.slab, i, AM);
        }
        &mut self.slab.item_mut(i).value
    }

    /// The paper's miss for a key that is not cached, hashed to `hash`: in `A1out`, the key
    /// leaves it and enters `Am`; else it enters `A1in`. On a full cache `reclaimfor`
    /// frees a slot first (an `A1in` victim's key becomes the newest ghost), and the new
    /// entry reuses it in place.
    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        let c = self.capacity as usize;
        if c == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        // Out of A1out before an eviction pushes into it, as libCacheSim's `TwoQ_find`
        // does: a full A1out then does not lose its oldest ghost for nothing.
        let list = if self.ghost.take(hash) { AM } else { A1IN };
        if self.slab.len() < c {
            // Room left: a new slot (the push that fills the slab gives the index its final
            // room; the ghost takes its memory then too).
            let i = self
                .slab
                .push(hash, key, Node::new(value, Links::DETACHED), c);
            self.lists.push_newest(&mut self.slab, i, list);
            if self.slab.len() == c {
                self.ghost.reserve();
            }
            return (Put::Inserted, i);
        }
        // The newcomer takes the victim's slot, and its place in the victim's list until
        // it moves: the slab calls user code (the victim's `Hash`, perhaps a rehash of the
        // index), and if that panics, the lists and the ghost are as before.
        let v = self.victim_slot();
        let links = self.slab.item(v).links;
        let victim_hash = self.slab.hash(self.slab.key(v));
        let (old_key, old) =
            self.slab
                .replace_hashed(v, victim_hash, hash, key, Node::new(value, links));
        self.lists.unlink(&mut self.slab, v);
        self.lists.push_newest(&mut self.slab, v, list);
        if links.list() == A1IN {
            self.ghost_push(victim_hash);
        }
        (Put::Evicted(old_key, old.value), v)
    }

    /// No ghost is left.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        self.take_slot(i, hash)
    }

    /// A key that is not cached is forgotten by `A1out` too (libCacheSim's `TwoQ_remove`):
    /// a later `put` starts it in `A1in`.
    #[inline]
    fn forget(&mut self, hash: u64) {
        let _ = self.ghost.take(hash);
    }

    /// The eviction of a `put` of a new key into the full cache, without the insertion.
    fn pop(&mut self) -> Option<(K, V)> {
        if self.slab.is_empty() {
            return None;
        }
        let v = self.victim_slot();
        let from = self.slab.item(v).links.list();
        let hash = self.slab.hash(self.slab.key(v));
        let pair = self.take_slot(v, hash);
        if from == A1IN {
            self.ghost_push(hash);
        }
        Some(pair)
    }

    /// Pops as `pop` does (with the old sizes) until the entries fit, then sets the
    /// capacity, `Kin` and `A1out`'s size (it keeps its newest ghosts). In that order so
    /// that a key's `Hash` panicking in a pop leaves a consistent cache of the old capacity.
    /// Shrinking gives back the memory the larger capacity held.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let c = capacity.min(MAX_CAPACITY) as u32;
        let old = self.capacity;
        if c == old {
            return Vec::new();
        }
        let mut popped = Vec::with_capacity(self.slab.len().saturating_sub(c as usize));
        while self.slab.len() > c as usize {
            popped.extend(evict_slots::SlabPolicy::pop(self));
        }
        self.set_capacity(c);
        if W::UNIT {
            self.ghost.set_capacity(ghost_capacity(c));
        } else {
            self.ghost.set_capacity_weighted(ghost_capacity(c));
        }
        if c < old {
            self.slab.shrink_to(c as usize);
        }
        if c > 0 && self.slab.len() == c as usize {
            // Full now without a `put` to fill it: the ghost and the index get what a fill
            // gives them (the ghost first: settling the index may rehash keys, user code).
            self.ghost.reserve();
            self.slab.settle(c as usize);
        }
        popped
    }

    /// Also forgets `A1out`. The policy's state goes first: a value's `Drop` may panic
    /// while the slab drops them, and the slab is left empty even then, so the lists must
    /// already say so.
    fn clear(&mut self) {
        self.lists = Lists::EMPTY;
        self.ghost = Ghost::new(ghost_capacity(self.capacity));
        self.stats.reset();
        self.slab.clear();
    }

    /// `A1out` is kept, as a `remove` of each key would keep it.
    fn drained(&mut self) {
        self.lists = Lists::EMPTY;
    }
}
