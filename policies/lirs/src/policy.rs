//! The policy: the paper's rules over the stack S, the HIR queue Q and the LIR list, and the
//! operations the paper does not have (`remove`, `pop`, `resize`); as the
//! `evict_slots::SlabCache` and `SlabPolicy` primitives from which
//! `evict_slots::slab_cache!` builds the public API.

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use evict_slots::weight::{Weighing, Weighs};

use evict_core::Put;
use evict_slots::Slab;
use evict_slots::engine::{Entries, NO_SLOT};
use evict_slots::slab::Walk;

use crate::links::{
    self, EMPTY_LISTS, GHOST, HIR, LIR, Links, NIL, Node, OUT, S_NIL, push_newest, unlink,
};
use crate::{LirsCache, MAX_CAPACITY, targets};

/// The stack S, as ids: a slab slot, or `g | GHOST` for ghost `g`.
impl<K, V, S, W: Weighing> LirsCache<K, V, S, W> {
    /// `(up, down)` of S entry `id`.
    #[inline]
    fn s_links(&self, id: u32) -> (u32, u32) {
        if id & GHOST != 0 {
            let g = &self.ghosts.nodes[(id & !GHOST) as usize];
            (g.up, g.down)
        } else {
            let l = self.slab.links(id);
            (l.up, l.down)
        }
    }

    #[inline]
    fn set_up(&mut self, id: u32, up: u32) {
        if id & GHOST != 0 {
            self.ghosts.nodes[(id & !GHOST) as usize].up = up;
        } else {
            self.slab.links_mut(id).up = up;
        }
    }

    #[inline]
    fn set_down(&mut self, id: u32, down: u32) {
        if id & GHOST != 0 {
            self.ghosts.nodes[(id & !GHOST) as usize].down = down;
        } else {
            self.slab.links_mut(id).down = down;
        }
    }

    /// Points `id`'s S neighbours (or the ends of S) at `id`, from the links `id` holds:
    /// after `id` took over a place in S, or moved to another slot or ghost index.
    #[inline]
    fn s_repoint(&mut self, id: u32) {
        let (up, down) = self.s_links(id);
        match up {
            S_NIL => self.top = id,
            u => self.set_down(u, id),
        }
        match down {
            S_NIL => self.bottom = id,
            d => self.set_up(d, id),
        }
    }

    /// Takes `id` out of S (a resident entry's `up` becomes `OUT`).
    #[inline]
    fn s_unlink(&mut self, id: u32) {
        let (up, down) = self.s_links(id);
        match up {
            S_NIL => self.top = down,
            u => self.set_down(u, down),
        }
        match down {
            S_NIL => self.bottom = up,
            d => self.set_up(d, up),
        }
        self.stack_len -= 1;
        if id & GHOST == 0 {
            self.slab.links_mut(id).up = OUT;
        }
    }

    /// Puts `id` (not in S) on top of S.
    #[inline]
    fn s_push_top(&mut self, id: u32) {
        self.set_up(id, S_NIL);
        self.set_down(id, self.top);
        match self.top {
            S_NIL => self.bottom = id,
            t => self.set_up(t, id),
        }
        self.top = id;
        self.stack_len += 1;
    }

    /// Moves `id` (in S) to the top of S.
    #[inline]
    fn s_to_top(&mut self, id: u32) {
        if self.top != id {
            self.s_unlink(id);
            self.s_push_top(id);
        }
    }

    /// A hit on LIR entry `i` (whose links are `links`) below the top of S: it moves to the
    /// top of S and to the newest end of the LIR list, and S is pruned if it was the bottom.
    /// The same moves as `s_to_top`, `unlink`, `push_newest` and `prune` make on this path,
    /// written out for it because it is the commonest hit (every entry of a warm cache but
    /// the 1% HIR share is LIR): `i` is known resident and below the top, so it has an S
    /// neighbour above, the top is another entry, S keeps its length, and `i`'s four links
    /// are written once. Behaviour is unchanged (the libCacheSim pins and the kit check it).
    #[inline]
    fn lir_hit(&mut self, i: u32, links: Links) {
        let (up, down) = (links.up, links.down);
        self.set_down(up, down);
        let was_bottom = down == S_NIL;
        if was_bottom {
            self.bottom = up;
        } else {
            self.set_up(down, up);
        }
        let top = self.top;
        self.set_up(top, i);
        self.top = i;
        let newest = self.lists[LIR].last;
        let prev = if newest == i {
            links.prev
        } else {
            // Out of the LIR list (another entry is its newest, so `i` has a `next`), and in
            // again after `newest`.
            let next = links.next();
            match links.prev {
                NIL => self.lists[LIR].first = next,
                p => self.slab.links_mut(p).set_next(next),
            }
            self.slab.links_mut(next).prev = links.prev;
            self.slab.links_mut(newest).set_next(i);
            self.lists[LIR].last = i;
            newest
        };
        let l = self.slab.links_mut(i);
        (l.up, l.down, l.prev) = (S_NIL, top, prev);
        l.set_next(NIL);
        if was_bottom {
            self.prune();
        }
    }

    /// Whether S entry `id` is a resident LIR entry.
    #[inline]
    fn is_lir(&self, id: u32) -> bool {
        id & GHOST == 0 && self.slab.links(id).list() == LIR
    }

    /// Forgets ghost `g`: out of S and out of the ghosts (the last ghost moves to `g`).
    fn drop_ghost(&mut self, g: u32) {
        self.s_unlink(g | GHOST);
        let moved = self.ghosts.remove(g);
        if moved != g {
            self.s_repoint(g | GHOST);
        }
    }

    /// Stack pruning: the HIR entries (resident or not) at the bottom of S leave it, until
    /// an LIR entry is at the bottom (or S is empty). Non-resident ones are forgotten.
    fn prune(&mut self) {
        while self.bottom != S_NIL && !self.is_lir(self.bottom) {
            let b = self.bottom;
            if b & GHOST != 0 {
                self.drop_ghost(b & !GHOST);
            } else {
                self.s_unlink(b);
            }
        }
    }

    /// S's bound (libCacheSim's `limitStack`): while S holds more than `2 · capacity`
    /// entries, the non-resident entry that became non-resident first is forgotten.
    #[inline]
    fn limit_stack(&mut self) {
        while self.stack_len > 2 * self.capacity {
            match self.ghosts.oldest() {
                Some(g) => self.drop_ghost(g),
                None => break,
            }
        }
    }

    /// The least recently used LIR entry (the bottom of S) becomes HIR: it leaves S and
    /// goes to the newest end of Q; then S is pruned.
    fn demote_lir(&mut self) {
        let y = self.lists[LIR].first;
        self.s_unlink(y);
        unlink(&mut self.lists, &mut self.slab, y);
        push_newest(&mut self.lists, &mut self.slab, y, HIR);
        self.prune();
    }

    /// Slot `i` leaves the cache by eviction: out of its list; if it is in S, a ghost
    /// (remembering `hash`) takes its place there.
    fn evict_slot(&mut self, i: u32, hash: u64) {
        unlink(&mut self.lists, &mut self.slab, i);
        let links = self.slab.links(i);
        if links.in_stack() {
            let g = self.ghosts.push(hash);
            let node = &mut self.ghosts.nodes[g as usize];
            (node.up, node.down) = (links.up, links.down);
            self.s_repoint(g | GHOST);
            self.slab.links_mut(i).up = OUT;
        }
    }

    /// Slot `i`, unlinked from everything, is to be removed from the slab, and the last
    /// slot moves into it: repoints the moved slot's neighbours, by its links.
    fn relocated(&mut self, to: u32) {
        links::relocate(&mut self.lists, &mut self.slab, to);
        if self.slab.links(to).in_stack() {
            self.s_repoint(to);
        }
    }

    /// Unlinks resident slot `i` from its list and from S (no ghost).
    fn detach(&mut self, i: u32) {
        unlink(&mut self.lists, &mut self.slab, i);
        if self.slab.links(i).in_stack() {
            self.s_unlink(i);
        }
    }

    /// The slot `pop` takes: the oldest resident HIR entry, or the least recent LIR entry.
    #[inline]
    fn victim_slot(&self) -> Option<u32> {
        [HIR, LIR]
            .into_iter()
            .map(|l| self.lists[l].first)
            .find(|&i| i != NIL)
    }

    /// Checks every link, count and bound against the others. Panics with what is wrong.
    /// For tests.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        use alloc::vec;
        self.slab.check();
        let n = self.slab.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        let (h, l) = targets(self.capacity);
        assert_eq!((self.hir_target, self.lir_target), (h, l));
        assert!(self.lists[LIR].len <= self.lir_target, "LIR set too large");
        let mut seen = vec![false; n];
        for list in [HIR, LIR] {
            let span = self.lists[list];
            let (mut at, mut prev, mut count) = (span.first, NIL, 0);
            while at != NIL {
                assert!(!seen[at as usize], "slot {at} twice");
                seen[at as usize] = true;
                let links = self.slab.links(at);
                assert_eq!(links.list(), list, "slot {at} tagged wrong");
                assert_eq!(links.prev, prev, "prev of {at}");
                if list == LIR {
                    assert!(links.in_stack(), "LIR slot {at} not in S");
                }
                prev = at;
                at = links.next();
                count += 1;
            }
            assert_eq!(span.last, prev, "last of list {list}");
            assert_eq!(span.len, count, "len of list {list}");
        }
        assert!(seen.iter().all(|&s| s), "a slot on no list");
        // S: from the top, back links right, every ghost in it, LIR order as the LIR list.
        let (mut at, mut up, mut count, mut ghosts, mut in_s) = (self.top, S_NIL, 0, 0, 0);
        let mut lirs = Vec::new();
        while at != S_NIL {
            let (u, d) = self.s_links(at);
            assert_eq!(u, up, "up of S entry {at:#x}");
            if at & GHOST != 0 {
                ghosts += 1;
            } else {
                in_s += 1;
                if self.is_lir(at) {
                    lirs.push(at);
                }
            }
            up = at;
            at = d;
            count += 1;
            assert!(count <= self.stack_len, "S longer than its count");
        }
        assert_eq!(self.bottom, up, "bottom of S");
        assert_eq!(count, self.stack_len, "S length");
        assert_eq!(ghosts, self.ghosts.len(), "ghosts outside S");
        assert_eq!(
            in_s,
            (0..n as u32)
                .filter(|&i| self.slab.links(i).in_stack())
                .count(),
            "S membership flags"
        );
        lirs.reverse();
        let mut want = Vec::new();
        let mut at = self.lists[LIR].first;
        while at != NIL {
            want.push(at);
            at = self.slab.links(at).next();
        }
        assert_eq!(lirs, want, "LIR list order is not S's");
        assert!(
            self.bottom == S_NIL || self.is_lir(self.bottom) || self.lists[LIR].len == 0,
            "S not pruned"
        );
        assert!(self.stack_len <= 2 * self.capacity, "S above its bound");
        assert!(self.ghosts.len() <= 2 * self.capacity as usize);
        let order = self.ghosts.order();
        assert_eq!(order.len(), self.ghosts.len());
    }
}

evict_slots::slab_cache_impl! {
    /// The toolkit's view of the cache: LIRS as `SlabCache` primitives.
    #[doc(hidden)]
    impl<K, V, S, W: Weighs<K, V>> SlabCache for LirsCache<K, V, S, W> {
        item = Node<V>;
        iter = Walk<'a, K, Node<V>, 2>;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> Walk<'_, K, Node<V>, 2> {
        self.slab.walk(self.lists)
    }

    /// Lays the slots out in iteration order (Q oldest first, then the LIR list least
    /// recent first), the key index following without hashing (see
    /// `evict_slots::Slab::relayout`). The stack's links name slots too: each slot's new
    /// number (its rank in that order) is first written in its `prev` link, which the
    /// relayout does not read, and every S link to a slot is translated through it; the
    /// relayout then rewrites the list links. O(len + ghosts), no allocation; nothing moves
    /// if the slots are in order already.
    fn lay_out(&mut self) {
        let mut rank = 0u32;
        let mut in_order = true;
        for list in [HIR, LIR] {
            let mut at = self.lists[list].first;
            while at != NIL {
                in_order &= at == rank;
                rank += 1;
                at = self.slab.links(at).next();
            }
        }
        if in_order {
            return;
        }
        let mut rank = 0u32;
        for list in [HIR, LIR] {
            let mut at = self.lists[list].first;
            while at != NIL {
                let links = self.slab.links_mut(at);
                links.prev = rank;
                rank += 1;
                at = links.next();
            }
        }
        // A slot's new number, read from its `prev` link; other ids stay.
        fn new_id<K, V, S, W: Weighing>(slab: &Slab<K, Node<V>, S, W>, id: u32) -> u32 {
            if id == S_NIL || id == OUT || id & GHOST != 0 {
                id
            } else {
                slab.links(id).prev
            }
        }
        let (top, bottom) = (new_id(&self.slab, self.top), new_id(&self.slab, self.bottom));
        for g in self.ghosts.nodes.iter_mut() {
            (g.up, g.down) = (new_id(&self.slab, g.up), new_id(&self.slab, g.down));
        }
        for i in 0..self.slab.len() as u32 {
            let Links { up, down, .. } = *self.slab.links(i);
            let (up, down) = (new_id(&self.slab, up), new_id(&self.slab, down));
            let links = self.slab.links_mut(i);
            (links.up, links.down) = (up, down);
        }
        (self.top, self.bottom) = (top, bottom);
        let starts = self
            .slab
            .relayout(self.lists, &mut [], |node, list, i, first, last| {
                links::relink(&mut node.links, list, i, first, last);
            });
        for (span, start) in self.lists.iter_mut().zip(starts) {
            if span.len > 0 {
                span.first = start;
                span.last = start + span.len - 1;
            }
        }
    }

    fn victim(&self) -> Option<u32> {
        self.victim_slot()
    }

    fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>)
    where
        K: fmt::Debug,
        V: fmt::Debug,
    {
        f.field("hir_then_lir", &Entries(self.iter()));
        f.field("hir_target", &self.hir_target);
        f.field("stack_len", &self.stack_len);
        f.field("non_resident", &self.ghosts.len());
    }
}

#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> evict_slots::SlabPolicy
    for LirsCache<K, V, S, W>
{
    /// A weighted cache's sizes (see the crate docs' *Capacity by weight*): counts of
    /// entries, fitted to the entries it holds when it first fills by weight.
    fn weight_full(&mut self) {
        let n = self.slab.len();
        let _ = evict_slots::SlabPolicy::resize(self, n);
    }

    /// The paper's cases for a hit: an LIR entry goes to the top of S (pruning if it was
    /// the bottom); a resident HIR entry in S becomes LIR on top of S and the least recent
    /// LIR entry becomes HIR; a resident HIR entry not in S goes to the top of S and the
    /// newest end of Q, and stays HIR.
    fn hit(&mut self, i: u32) -> &mut V {
        let links = *self.slab.links(i);
        if links.list() == LIR {
            // On top of S, an LIR entry is also the newest of the LIR list: nothing moves.
            if self.top != i {
                self.lir_hit(i, links);
            }
        } else if links.in_stack() {
            self.s_to_top(i);
            unlink(&mut self.lists, &mut self.slab, i);
            push_newest(&mut self.lists, &mut self.slab, i, LIR);
            if self.lists[LIR].len > self.lir_target {
                self.demote_lir();
            } else {
                self.prune();
            }
        } else {
            self.s_push_top(i);
            unlink(&mut self.lists, &mut self.slab, i);
            push_newest(&mut self.lists, &mut self.slab, i, HIR);
            self.limit_stack();
        }
        &mut self.slab.item_mut(i).value
    }

    /// A miss: when full, the oldest resident HIR entry leaves (non-resident if in S). A
    /// key S remembers as non-resident becomes LIR on top of S (the least recent LIR entry
    /// becoming HIR if the LIR set is full); another key becomes LIR while the LIR set is
    /// not full, else resident HIR on top of S and at the newest end of Q.
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        let capacity = self.capacity as usize;
        if capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        let (put, i) = if self.slab.len() < capacity {
            let node = Node::new(value, Links::DETACHED);
            (Put::Inserted, self.slab.push(hash, key, node, capacity))
        } else {
            let Some(victim) = self.victim_slot() else {
                unreachable!("a full cache of capacity >= 1 holds an entry")
            };
            // The victim's hash (user code) and the replacement (which may rebuild the
            // index) come before any change to the policy's state.
            let victim_hash = self.slab.hash(self.slab.key(victim));
            let links = *self.slab.links(victim);
            let node = Node::new(value, links);
            let (old_key, old) = self
                .slab
                .replace_hashed(victim, victim_hash, hash, key, node);
            if links.list() == LIR {
                // No HIR entry (only after `resize`): the least recent LIR entry leaves.
                self.detach(victim);
                self.prune();
            } else {
                self.evict_slot(victim, victim_hash);
            }
            (Put::Evicted(old_key, old.value), victim)
        };
        self.slab.item_mut(i).links = Links::DETACHED;
        // Looked up after the eviction, which may add a ghost (the victim's) and prune some.
        if let Some(g) = self.ghosts.find(hash) {
            self.drop_ghost(g);
            self.s_push_top(i);
            push_newest(&mut self.lists, &mut self.slab, i, LIR);
            if self.lists[LIR].len > self.lir_target {
                self.demote_lir();
            } else {
                self.prune();
            }
        } else if self.lists[LIR].len < self.lir_target {
            // The LIR set is not full (warm-up, or after `remove`): S may hold HIR entries
            // older than every LIR entry, which the new LIR entry's arrival prunes.
            self.s_push_top(i);
            push_newest(&mut self.lists, &mut self.slab, i, LIR);
            self.prune();
        } else {
            self.s_push_top(i);
            push_newest(&mut self.lists, &mut self.slab, i, HIR);
        }
        self.limit_stack();
        (put, i)
    }

    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        let plan = self.slab.removal(i, hash);
        let was_lir = self.slab.links(i).list() == LIR;
        self.detach(i);
        let (key, node, moved_from) = self.slab.swap_remove_planned(plan);
        if moved_from != i {
            self.relocated(i);
        }
        if was_lir {
            self.prune();
        }
        (key, node.value)
    }

    /// A key not cached: its non-resident entry, if any, is forgotten.
    fn forget(&mut self, hash: u64) {
        if let Some(g) = self.ghosts.find(hash) {
            self.drop_ghost(g);
        }
    }

    fn pop(&mut self) -> Option<(K, V)> {
        let i = self.victim_slot()?;
        let hash = self.slab.hash(self.slab.key(i));
        let plan = self.slab.removal(i, hash);
        if self.slab.links(i).list() == LIR {
            self.detach(i);
        } else {
            self.evict_slot(i, hash);
        }
        let (key, node, moved_from) = self.slab.swap_remove_planned(plan);
        if moved_from != i {
            self.relocated(i);
        }
        self.prune();
        Some((key, node.value))
    }

    /// Pops until the cache fits, then recomputes the HIR share and demotes the least recent
    /// LIR entries until the LIR set fits; S is trimmed to its new bound.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY);
        let mut evicted = Vec::new();
        while self.slab.len() > capacity {
            evicted.extend(evict_slots::SlabPolicy::pop(self));
        }
        let shrinking = capacity < self.capacity as usize;
        self.capacity = capacity as u32;
        (self.hir_target, self.lir_target) = targets(self.capacity);
        while self.lists[LIR].len > self.lir_target {
            self.demote_lir();
        }
        // The bottom of S may be HIR while the LIR set is empty (capacity 1 has none).
        self.prune();
        self.limit_stack();
        let (hir, _) = targets(self.capacity);
        let usual = (self.capacity + hir + 1).min(2 * self.capacity) as usize;
        self.ghosts.set_bound(usual, 2 * capacity);
        if shrinking {
            self.slab.shrink_to(capacity);
        }
        evicted
    }

    /// The policy's state and the counters are reset before the slab drops the entries: a
    /// `Drop` that panics then leaves an empty, consistent cache.
    fn clear(&mut self) {
        self.drained();
        self.ghosts = crate::ghosts_for(self.capacity);
        self.stats.reset();
        self.slab.clear();
    }

    fn drained(&mut self) {
        self.lists = EMPTY_LISTS;
        self.top = S_NIL;
        self.bottom = S_NIL;
        self.stack_len = 0;
        self.ghosts.clear();
    }
}
