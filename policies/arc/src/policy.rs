//! The policy: the paper's cases I to IV and `REPLACE` over the resident lists and the
//! ghosts, and the operations the paper does not have (`remove`, `pop`, `resize`); as the
//! `evict_slots::SlabCache` and `SlabPolicy` primitives from which `evict_slots::slab_cache!`
//! builds the public API.

use alloc::vec::Vec;
use core::hash::{BuildHasher, Hash};
use evict_slots::weight::{Weighing, Weighs, Weighted};

use core::fmt;
use evict_core::{Fetched, Put, Removal, Sink, Stats};
use evict_slots::Slab;

use evict_slots::engine::{Entries, NO_SLOT};

use crate::ghost::{B1, B2, Ghosts};
use crate::iter::Order;
use crate::lists::{Links, Lists, NIL, Node, T1, T2};
use crate::weighted::First;
use crate::{ArcCache, DefaultHashBuilder, MAX_CAPACITY, PENDING, WeightedGhosts};

impl<K, V> ArcCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]),
    /// with `p = 0`. Capacity 0 caches nothing.
    ///
    /// Memory is allocated as entries and ghosts arrive, never more than `capacity` of each.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, Put};
    ///
    /// let mut none: ArcCache<u8, u8> = ArcCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> ArcCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// The ghosts are fingerprints of this hasher's hashes (see the crate docs), so a seeded
    /// hasher (the default) makes the rare false ghost hit differ from run to run; pass a
    /// fixed one for reproducible runs.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache, DefaultHashBuilder};
    ///
    /// let cache: ArcCache<u64, u64> = ArcCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self::from_slab(capacity, Slab::with_hasher(hasher))
    }
}

impl<K, V, F> ArcCache<K, V, DefaultHashBuilder, Weighted<F>> {
    /// An empty cache bounded by weight: `weigher` gives each entry's weight (bytes,
    /// usually) and the entries' total stays at most `capacity`. See the crate docs'
    /// *Capacity by weight* for the rules and for how the policy's own sizes follow.
    ///
    /// ```
    /// use evict_arc::{Cache, Put, ArcCache};
    ///
    /// let mut cache = ArcCache::with_weigher(100, |_: &u32, v: &Vec<u8>| v.len() as u64);
    /// for k in 0..10 {
    ///     assert!(cache.put(k, vec![0; 10]).is_kept());
    /// }
    /// let mut evicted = Vec::new();
    /// let _ = cache.put_into(10, vec![0; 30], &mut evicted);
    /// assert!(cache.weight() <= 100);
    /// assert_eq!(cache.put(11, vec![0; 101]), Put::Rejected(11, vec![0; 101]));
    /// ```
    pub fn with_weigher(capacity: u64, weigher: F) -> Self {
        Self::with_weigher_and_hasher(capacity, weigher, DefaultHashBuilder::default())
    }
}

impl<K, V, S, F> ArcCache<K, V, S, Weighted<F>> {
    /// [`with_weigher`](Self::with_weigher) with the hasher `hasher`.
    pub fn with_weigher_and_hasher(capacity: u64, weigher: F, hasher: S) -> Self {
        let count = capacity.min(MAX_CAPACITY as u64) as usize;
        Self::from_slab(
            count,
            Slab::with_weigher(
                hasher,
                evict_slots::SPARE_FLOOR,
                Weighted(weigher),
                capacity,
            ),
        )
    }
}

impl<K, V, S, W: Weighing> ArcCache<K, V, S, W> {
    /// The empty cache of `capacity` entries over `slab` (empty): every constructor's body.
    fn from_slab(capacity: usize, slab: Slab<K, Node<V>, S, W>) -> Self {
        Self {
            slab,
            lists: Lists::EMPTY,
            pending: [NIL; PENDING],
            pending_len: 0,
            ghosts: Ghosts::new(capacity.min(MAX_CAPACITY)),
            wghosts: WeightedGhosts::new(),
            p: 0.0,
            integer: false,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            stats: Stats::default(),
        }
    }

    /// Switches the adaptation of `p` to integer arithmetic: the deltas
    /// `max(|B2| / |B1|, 1)` and `max(|B1| / |B2|, 1)` become floor divisions and `p` stays
    /// a whole number, as in Caffeine's simulator (`ArcPolicy`). The default is the paper's
    /// real arithmetic, which libCacheSim's `ARC.c` also uses. Meant to be called on a new
    /// cache; `clear` keeps the choice.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(100).integer_target();
    /// let _ = cache.put(1, 1);
    /// assert_eq!(cache.target(), 0.0);
    /// ```
    pub fn integer_target(mut self) -> Self {
        self.integer = true;
        self.p = self.p.max(0.0) as u64 as f64; // drop a fraction, if any
        self
    }

    /// The adaptive target `p` for the size of `T1`, between 0 and the capacity: it grows
    /// after a `put` of a key in the ghost list `B1` and shrinks after one in `B2`.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 1);
    /// let _ = cache.get(&1); // 1 to T2
    /// let _ = cache.put(2, 2);
    /// let _ = cache.put(3, 3); // 2 leaves T1 for the ghost list B1
    /// assert_eq!(cache.target(), 0.0);
    /// let _ = cache.put(2, 2); // a ghost hit in B1: recency deserves more room
    /// assert_eq!(cache.target(), 1.0);
    /// ```
    pub fn target(&self) -> f64 {
        self.p
    }

    /// The sizes of the four lists, `[|T1|, |T2|, |B1|, |B2|]`: resident entries seen once
    /// and seen at least twice, then ghosts evicted from each.
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::new(2);
    /// let _ = cache.put(1, 1);
    /// let _ = cache.put(2, 2);
    /// let _ = cache.get(&2);
    /// assert_eq!(cache.sizes(), [1, 1, 0, 0]);
    /// ```
    pub fn sizes(&self) -> [usize; 4] {
        if !W::UNIT {
            return [
                self.lists.len[T1] as usize,
                self.lists.len[T2] as usize,
                self.wghosts.len(B1),
                self.wghosts.len(B2),
            ];
        }
        [
            self.lists.len[T1] as usize,
            self.lists.len[T2] as usize,
            self.ghosts.len(B1),
            self.ghosts.len(B2),
        ]
    }

    /// The sizes of the four lists in weight, `[T1, T2, B1, B2]`: for a weighted cache the
    /// total weight of each list's entries or ghosts (each ghost keeps the weight its entry
    /// had), which ARC's bounds and `p` are measured in; for an unweighted cache the same as
    /// [`sizes`](Self::sizes).
    ///
    /// ```
    /// use evict_arc::{ArcCache, Cache};
    ///
    /// let mut cache = ArcCache::with_weigher(100, |_: &u32, v: &Vec<u8>| v.len() as u64);
    /// let _ = cache.put(1, vec![0; 20]);
    /// let _ = cache.put(2, vec![0; 30]);
    /// let _ = cache.get(&2); // to T2
    /// let _ = cache.put(3, vec![0; 60]); // 1 leaves T1 for B1, with its weight
    /// assert_eq!(cache.list_weights(), [60, 30, 20, 0]);
    /// assert_eq!(cache.sizes(), [1, 1, 1, 0]);
    /// ```
    pub fn list_weights(&self) -> [u64; 4] {
        if W::UNIT {
            return self.sizes().map(|n| n as u64);
        }
        [
            self.lists.weight[T1],
            self.lists.weight[T2],
            self.wghosts.weight(B1),
            self.wghosts.weight(B2),
        ]
    }

    /// Makes the pending moves, if any.
    #[inline]
    pub(crate) fn flush(&mut self) {
        if self.pending_len != 0 {
            self.apply_pending();
        }
    }

    /// Makes the pending moves to the most recent end of `T2`, oldest first.
    #[inline]
    fn apply_pending(&mut self) {
        let n = self.pending_len as usize;
        self.pending_len = 0;
        for k in 0..n {
            let i = self.pending[k];
            if self.lists.head[T2] != i {
                self.lists.move_to_front_t2(&mut self.slab, i);
            }
        }
    }

    /// Case I: a cached entry moves to the most recent end of `T2`; from within `T2`, the
    /// move may wait in `pending`. Always inlined: it is most of a hit (measured: as a
    /// call, a `get` hit at 100,000 entries took 15-20% longer).
    #[inline(always)]
    pub(crate) fn touch(&mut self, i: u32) {
        if self.slab.item(i).links.list() == T2 {
            let n = self.pending_len as usize;
            let last = if n > 0 {
                self.pending[n - 1]
            } else {
                self.lists.head[T2]
            };
            if last == i {
                return; // already the most recent
            }
            if n == PENDING {
                self.apply_pending();
            }
            let n = self.pending_len as usize;
            self.pending[n] = i;
            self.pending_len += 1;
            return;
        }
        self.flush();
        self.lists.unlink(&mut self.slab, i);
        self.lists.push_front(&mut self.slab, i, T2);
    }

    /// The moves still pending, oldest first.
    #[inline]
    pub(crate) fn pending(&self) -> &[u32] {
        &self.pending[..self.pending_len as usize]
    }

    /// `T2`'s least recently used slot as if the pending moves were made (`NIL` if `T2` is
    /// empty), without making them.
    pub(crate) fn t2_lru(&self) -> u32 {
        let pending = self.pending();
        let mut at = self.lists.tail[T2];
        while at != NIL {
            if !pending.contains(&at) {
                return at;
            }
            at = self.slab.item(at).links.prev;
        }
        // Every slot of T2 waits to move: the least recent is the one whose last hit is the
        // oldest.
        pending
            .iter()
            .enumerate()
            .find(|&(k, i)| !pending[k + 1..].contains(i))
            .map_or(NIL, |(_, &i)| i)
    }

    /// The paper's `REPLACE(x, p)`, choosing only: the slot whose entry moves to a ghost
    /// list, given `T2`'s least recently used slot. Called only on a non-empty cache.
    #[inline]
    fn replace_victim(&self, x_in_b2: bool, t2_lru: u32) -> u32 {
        let t1 = f64::from(self.lists.len[T1]);
        // `t1 == p` can hold only when p is a whole number: exact by design, as in the paper.
        #[allow(clippy::float_cmp)]
        let tie = x_in_b2 && t1 == self.p;
        let from_t1 = t1 >= 1.0 && (tie || t1 > self.p);
        // The invariants keep T2 non-empty when T1 is not chosen on a full cache; the
        // fallback only keeps a broken invariant from corrupting anything.
        if from_t1 || self.lists.len[T2] == 0 {
            self.lists.tail[T1]
        } else {
            t2_lru
        }
    }

    /// `max(a / b, 1)`, the paper's delta, in this cache's arithmetic (`b >= 1`).
    #[inline]
    fn delta(&self, a: usize, b: usize) -> f64 {
        if self.integer {
            (a / b).max(1) as f64
        } else {
            (a as f64 / b as f64).max(1.0)
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> ArcCache<K, V, S, W> {
    /// Takes resident slot `i`, whose key hashes to `hash`, out: its list links, its index
    /// entry and its place in the slab (filled by the last slot, whose links are
    /// repointed). The pending moves must have been made (slots are renumbered).
    pub(crate) fn take_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        // Hashes the key that moves into the gap before anything changes.
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
    #[doc(hidden)]
    impl<K, V, S, W: Weighs<K, V>> SlabCache for ArcCache<K, V, S, W> {
        item = Node<V>;
        iter = Order<'a, K, V>;
        weigher = W;
    }

    #[inline]
    fn iter(&self) -> Order<'_, K, V> {
        Order::new(self)
    }

    /// Makes the pending moves and puts the slots in iteration order (`T1` in slots
    /// `0..|T1|`, `T2` after it, each from its most recent entry), renumbering the key
    /// index without hashing: for the iterators that walk slots in memory order. Changes no
    /// order and no result; nothing else refers to slot numbers.
    fn lay_out(&mut self) {
        self.flush();
        self.lists.lay_out(&mut self.slab);
    }

    /// The slot `pop` would evict: `REPLACE` for a key not in `B2` (when `T1` holds the
    /// whole cache, that is `T1`'s least recent entry too, as case IV evicts it), with the
    /// pending moves taken into account. `None` if the cache is empty.
    fn victim(&self) -> Option<u32> {
        if !W::UNIT {
            return self.victim_w();
        }
        if self.slab.is_empty() {
            None
        } else {
            Some(self.replace_victim(false, self.t2_lru()))
        }
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
            .field("ghosts", &{
                let [_, _, b1, b2] = self.sizes();
                [b1, b2]
            });
    }
}

/// The policy's rules as `SlabPolicy` primitives.
#[doc(hidden)]
impl<K: Hash + Eq, V, S: BuildHasher, W: Weighs<K, V>> evict_slots::SlabPolicy
    for ArcCache<K, V, S, W>
{
    /// A weighted cache's `put`: ARC in weight (`crate::weighted`), which needs to know
    /// whether the newcomer is a ghost before it evicts anything (the toolkit's weighted
    /// `put` evicts first and inserts after). The unweighted body is the toolkit's.
    #[inline(always)]
    fn put_slot(&mut self, key: K, value: V) -> (Put<K, V>, u32) {
        if !W::UNIT {
            let mut first = First(None);
            let (put, i) = self.put_w(key, value, &mut first);
            return (first.merge(put), i);
        }
        let hash = self.slab.hash(&key);
        if let Some(i) = self.slab.find_hashed(hash, &key) {
            let old = core::mem::replace(evict_slots::SlabPolicy::replaced(self, i), value);
            // The spare key is dropped before the answer is built: a `Drop` that panics
            // would otherwise leak the answer, never dropped (rust-lang/rust#47949).
            drop(key);
            return (Put::Replaced(old), i);
        }
        evict_slots::SlabPolicy::insert(self, hash, key, value)
    }

    /// The toolkit's `put_into`, with a weighted cache's `put` as in
    /// [`put_slot`](Self::put_slot).
    fn put_into(&mut self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V> {
        if !W::UNIT {
            return self.put_w(key, value, sink).0;
        }
        match evict_slots::SlabPolicy::put(self, key, value) {
            Put::Evicted(k, v) => {
                sink.removed(k, v, Removal::Evicted);
                Put::Inserted
            }
            other => other,
        }
    }

    /// The toolkit's `try_get_or_insert_with`, with a weighted cache's insertion as in
    /// [`put_slot`](Self::put_slot).
    fn try_get_or_insert_with<E>(
        &mut self,
        key: K,
        f: impl FnOnce() -> Result<V, E>,
    ) -> Result<Fetched<'_, K, V>, E> {
        let hash = self.slab.hash(&key);
        if let Some(i) = self.slab.find_hashed(hash, &key) {
            self.stats.hit();
            return Ok(Fetched::Hit(evict_slots::SlabPolicy::hit(self, i)));
        }
        self.stats.miss();
        let value = f()?;
        let (put, i) = if W::UNIT {
            evict_slots::SlabPolicy::insert(self, hash, key, value)
        } else {
            let weight = self.slab.weigher().weigh(&key, &value);
            let mut first = First(None);
            let (put, i) = self.insert_w(hash, key, value, weight, &mut first);
            (first.merge(put), i)
        };
        let stored = (i != NO_SLOT).then(|| &mut self.slab.item_mut(i).value);
        Ok(Fetched::from_put(put, stored))
    }

    /// The paper's case I: the entry moves to the most recent end of `T2`.
    #[inline(always)]
    fn hit(&mut self, i: u32) -> &mut V {
        self.touch(i);
        &mut self.slab.item_mut(i).value
    }

    /// The paper's miss for a key that is not cached, hashed to `hash`: case II (its hash
    /// is in `B1`), III (in `B2`) or IV (in no list), with the adaptation of `p` and
    /// `REPLACE` there. Returns what `put` reports and the slot of the new entry
    /// ([`NO_SLOT`] if rejected).
    #[inline(always)]
    fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        if !W::UNIT {
            // Not reached through `put` (see `put_slot`); kept exact for any other caller.
            let weight = self.slab.weigher().weigh(&key, &value);
            let mut first = First(None);
            let (put, i) = self.insert_w(hash, key, value, weight, &mut first);
            return (first.merge(put), i);
        }
        if self.capacity == 0 {
            return (Put::Rejected(key, value), NO_SLOT);
        }
        // What follows looks at T2's order and reuses slots: moves first.
        self.flush();
        let c = self.capacity as usize;
        let full = self.slab.len() == c;
        let (b1, b2) = (self.ghosts.len(B1), self.ghosts.len(B2));
        // The resident slot that leaves (if any), and whether it leaves a ghost.
        let mut victim = None;
        let list = match self.ghosts.find(hash) {
            Some(hit) => {
                let in_b2 = self.ghosts.list_of(hit) == B2;
                if in_b2 {
                    // Case III: p = max(p - max(|B1| / |B2|, 1), 0).
                    self.p = (self.p - self.delta(b1, b2)).max(0.0);
                } else {
                    // Case II: p = min(p + max(|B2| / |B1|, 1), c).
                    self.p = (self.p + self.delta(b2, b1)).min(c as f64);
                }
                // x leaves its ghost list first; REPLACE does not look at the ghosts, so
                // the order does not matter, and there are never more than c ghosts.
                self.ghosts.remove(hit);
                if full {
                    victim = Some((self.replace_victim(in_b2, self.lists.tail[T2]), true));
                }
                T2
            }
            None => {
                // Case IV.
                let t1 = self.lists.len[T1] as usize;
                let l1 = t1 + b1;
                let l2 = self.lists.len[T2] as usize + b2;
                if l1 == c {
                    if t1 < c {
                        self.ghosts.pop_lru(B1);
                        if full {
                            victim = Some((self.replace_victim(false, self.lists.tail[T2]), true));
                        }
                    } else {
                        // T1 is the whole cache: its LRU leaves without a ghost.
                        victim = Some((self.lists.tail[T1], false));
                    }
                } else if l1 + l2 >= c {
                    if l1 + l2 == 2 * c {
                        self.ghosts.pop_lru(B2);
                    }
                    if full {
                        victim = Some((self.replace_victim(false, self.lists.tail[T2]), true));
                    }
                }
                T1
            }
        };

        let Some((v, to_ghost)) = victim else {
            // Room left: a new slot (the push that fills the slab gives the index its final
            // room; the ghosts take theirs then too).
            let i = self
                .slab
                .push(hash, key, Node::new(value, Links::DETACHED), c);
            self.lists.push_front(&mut self.slab, i, list);
            if self.slab.len() == c {
                self.ghosts.reserve_max();
            }
            return (Put::Inserted, i);
        };

        // Full: the victim's slot is reused in place for the new entry.
        let victim_hash = self.slab.hash(self.slab.key(v));
        // The slot first, its old links copied in for `unlink` to read: the slab's
        // replacement may rebuild the index, user code (`Hash`) that must run before the
        // lists and the ghosts change. One replacement of the whole slot rather than the key
        // and then the value: fewer bounds checks (callgrind, put-evict at 100,000 entries:
        // 445.1 -> 433.3 instructions).
        let links = self.slab.item(v).links;
        let (old_key, old) =
            self.slab
                .replace_hashed(v, victim_hash, hash, key, Node::new(value, links));
        if to_ghost {
            // T1's victim goes to B1, T2's to B2: the list ids match.
            let from = self.slab.item(v).links.list();
            self.ghosts.push(victim_hash, from);
        }
        // The victim is the least recent end of T1 or T2 (`REPLACE` and case IV take a
        // tail, the pending moves made).
        self.lists.recycle_tail(&mut self.slab, v, list);
        (Put::Evicted(old_key, old.value), v)
    }

    /// No ghost is left and `p` does not move.
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        // `take_slot` renumbers a slot: moves first.
        self.flush();
        self.take_slot(i, hash)
    }

    /// `pop`: the eviction half of a `put` of a new key (case IV), without the insertion.
    /// When `|T1| + |B1| = c`, `B1`'s least recent ghost is dropped and `REPLACE` moves its
    /// victim to a ghost list, or, when `T1` is the whole cache, `T1`'s least recent entry
    /// leaves without a ghost; otherwise, when the ghosts number `c` (on a full cache: when
    /// the four lists hold `2c` keys), `B2`'s least recent ghost is dropped, and `REPLACE`
    /// moves its victim to a ghost list. So a `pop` followed by the `put` of a new key does
    /// exactly what that `put` alone would have done, and the bounds `|T1| + |B1| <= c` and
    /// `|B1| + |B2| <= c` hold on a cache below capacity too. `p` does not move.
    fn pop(&mut self) -> Option<(K, V)> {
        if !W::UNIT {
            return self.pop_w();
        }
        if self.slab.is_empty() {
            return None;
        }
        self.flush();
        let c = self.capacity as usize;
        let t1 = self.lists.len[T1] as usize;
        let (b1, b2) = (self.ghosts.len(B1), self.ghosts.len(B2));
        let (v, to_ghost) = if t1 + b1 == c {
            if t1 < c {
                self.ghosts.pop_lru(B1);
                (self.replace_victim(false, self.lists.tail[T2]), true)
            } else {
                (self.lists.tail[T1], false)
            }
        } else {
            if b1 + b2 >= c {
                self.ghosts.pop_lru(B2);
            }
            (self.replace_victim(false, self.lists.tail[T2]), true)
        };
        let hash = self.slab.hash(self.slab.key(v));
        let from = self.slab.item(v).links.list();
        // The ghost after the slot is out: taking it hashes the key that moves into the gap,
        // and a `Hash` that panics there must not leave the resident key a ghost too.
        let pair = self.take_slot(v, hash);
        if to_ghost {
            self.ghosts.push(hash, from);
        }
        Some(pair)
    }

    /// `resize`: pops (with the old capacity's rules) until the entries fit, then takes the
    /// new capacity's bounds: `p` clamped to it, the ghost lists trimmed to
    /// `|T1| + |B1| <= c` (dropping `B1`'s least recent ghosts) and to at most `c` ghosts and
    /// `2c` keys in all (dropping `B2`'s), the ghost directory rebuilt for `c`. Shrinking
    /// gives back the memory the larger capacity held.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        if !W::UNIT {
            return self.resize_w(capacity);
        }
        let c = capacity.min(MAX_CAPACITY);
        let old = self.capacity as usize;
        if c == old {
            return Vec::new();
        }
        let mut evicted = Vec::with_capacity(self.slab.len().saturating_sub(c));
        while self.slab.len() > c {
            match evict_slots::SlabPolicy::pop(self) {
                Some(pair) => evicted.push(pair),
                None => break,
            }
        }
        self.capacity = c as u32;
        self.p = self.p.min(c as f64);
        let [t1, t2, ..] = self.sizes();
        while t1 + self.ghosts.len(B1) > c {
            self.ghosts.pop_lru(B1);
        }
        while self.ghosts.len(B2) > 0
            && (self.ghosts.live() > c || t1 + t2 + self.ghosts.live() > 2 * c)
        {
            self.ghosts.pop_lru(B2);
        }
        self.ghosts = self.ghosts.resized(c);
        if c < old {
            // Give back the memory of the larger capacity.
            self.slab.shrink_to(c);
        }
        if c > 0 && self.slab.len() == c {
            self.slab.settle(c);
            self.ghosts.reserve_max();
        }
        evicted
    }

    /// Also drops every ghost and sets `p` back to 0.
    fn clear(&mut self) {
        self.lists = Lists::EMPTY;
        self.pending_len = 0;
        self.ghosts = Ghosts::new(self.capacity as usize);
        self.wghosts.clear();
        self.p = 0.0;
        self.stats.reset();
        // The slab last: a value's `Drop` may panic while it empties, and everything
        // else must be reset by then (the slab itself forgets its slots first).
        self.slab.clear();
    }

    /// Ghosts and `p` are kept.
    fn drained(&mut self) {
        self.lists = Lists::EMPTY;
    }
}
