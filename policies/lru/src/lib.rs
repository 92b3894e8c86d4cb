#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use core::hash::{BuildHasher, Hash};

pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::Weighing;
use evict_slots::policy::Anchors;
use evict_slots::ring::{Plain, Ring};
use evict_slots::{RingPolicy, SlabCache, SlabPolicy};

evict_slots::ring_cache! {
    /// A least-recently-used cache: when full, `put` evicts the entry that was read or
    /// written longest ago. Python's `functools.lru_cache(maxsize=N)`.
    ///
    /// Entries live in one dense `Vec` linked into a recency circle by `u32` indices; a
    /// hashbrown `HashTable<u32>` maps keys to slots (an `evict_slots::Ring`). See the
    /// [crate docs](crate) for costs.
    ///
    /// Iteration ([`iter`](Self::iter) and the other iterators, `Debug`, `entries`) lists
    /// the entries from the most to the least recently used; `.rev()` from the least, which
    /// is also the order [`pop`](Cache::pop) and a shrinking [`resize`](Cache::resize) take
    /// them in. There is no `FromIterator`: a bounded cache needs a capacity, so build one
    /// with [`new`](Self::new) and [`extend`](Extend::extend) it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evict_lru::{Cache, LruCache, Put};
    ///
    /// let mut cache = LruCache::new(2);
    /// assert_eq!(cache.put(1, "one"), Put::Inserted);
    /// assert_eq!(cache.put(2, "two"), Put::Inserted);
    /// assert_eq!(cache.get(&1), Some(&"one")); // 1 is now the most recently used
    /// assert_eq!(cache.put(3, "three"), Put::Evicted(2, "two"));
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
    /// ```
    pub struct LruCache<K, V, S = DefaultHashBuilder>(Lru);
    order = "from the most to the least recently used";
    example_order = [3, 2, 1];
}

impl<K, V, S> LruCache<K, V, S> {
    /// The least recently used entry: the one the next `put` of a new key would evict
    /// (what [`peek_victim`](Cache::peek_victim) shows). Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_lru::{Cache, LruCache};
    ///
    /// let mut cache = LruCache::new(2);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// assert_eq!(cache.peek_lru(), Some((&"a", &1)));
    /// ```
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        self.inner.peek_victim()
    }

    /// Removes and returns the least recently used entry (what [`pop`](Cache::pop) does).
    /// Counts nothing.
    ///
    /// ```
    /// use evict_lru::{Cache, LruCache};
    ///
    /// let mut cache = LruCache::new(3);
    /// for k in ["a", "b", "c"] {
    ///     let _ = cache.put(k, k.len());
    /// }
    /// let _ = cache.get("a");
    /// assert_eq!(cache.pop_lru(), Some(("b", 1)));
    /// assert_eq!(cache.pop_lru(), Some(("c", 1)));
    /// ```
    pub fn pop_lru(&mut self) -> Option<(K, V)>
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        self.inner.pop()
    }
}

/// LRU's rules: the circle runs from the most recently used (the start) to the least,
/// just before it, where the circle closes. A hit moves an entry to the start, newcomers go
/// there too, and the least recently used is the victim.
enum Lru {}

impl RingPolicy for Lru {
    type Flags = Plain;
    const ORDER: &'static str = "most_recent_first";
    const NEWEST_FIRST: bool = true;
    const PROMOTE: bool = true;

    #[inline(always)]
    fn victim<K, V, S, W: Weighing>(ring: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 {
        ring.prev(at.start)
    }

    /// The victim, read through `&mut` (a plain load of the link word, which `victim`
    /// must load atomically through `&self`).
    #[inline(always)]
    fn evict<K, V, S, W: Weighing>(ring: &mut Ring<K, V, S, Plain, W>, at: &mut Anchors) -> u32 {
        ring.prev_excl(at.start)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        LruCache::new,
        model = model::Lru::new,
        validate = |c: &LruCache<u8, u16>| c.check_invariants(),
        iteration = true,
        double_ended = true
    );

    // Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
    // the cache consistent, working, and losing no value undropped.
    // Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
    // replacement), the eviction reports rebuilt into the resident set after every op.
    evict_harness::weighted!(
        weighted,
        LruCache::with_weigher,
        model = evict_harness::weighted::Model::lru,
        validate = |c: &LruCache<u8, u16, DefaultHashBuilder, evict_slots::Weighted<_>>| c
            .check_invariants(),
    );

    // Panic safety of the weighted paths (issue 12): a constant weigher makes the weighted cache
    // hold what the unweighted one holds, so the hostile kit's rules apply unchanged.
    evict_harness::hostile!(
        hostile_weighted,
        |cap: usize| {
            LruCache::with_weigher(
                cap as u64,
                |_: &evict_harness::hostile::Key, _: &evict_harness::hostile::Value| 1,
            )
        },
        validate =
            |c: &LruCache<_, _, DefaultHashBuilder, evict_slots::Weighted<_>>| c.check_invariants()
    );

    evict_harness::hostile!(
        hostile,
        LruCache::new,
        validate = |c: &LruCache<_, _>| c.check_invariants()
    );

    #[test]
    fn remove_keeps_slots_dense_and_order_intact() {
        let mut c = LruCache::new(4);
        for k in 0..4u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.remove(&0), Some(0)); // slot 0 refilled by the last slot
        c.check_invariants();
        let order: alloc::vec::Vec<_> = c.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, [3, 2, 1]);
        assert_eq!(c.put(9, 9), Put::Inserted);
        assert_eq!(c.put(10, 10), Put::Evicted(1, 1));
        c.check_invariants();
    }

    #[test]
    fn table_does_not_grow_under_churn() {
        // Tombstones left by evictions must not make a full cache grow its table: the put
        // that fills the cache gives the table its final spare room, and from then on the
        // sizes stay put.
        for capacity in [50usize, 80, 100, 1000] {
            let mut c = LruCache::new(capacity);
            let mut m = model::Lru::new(capacity);
            for k in 0..capacity as u64 {
                let _ = c.put(k, k);
                let _ = m.put(k, k);
            }
            // `HashTable::capacity` counts spare room net of tombstones; the allocation is
            // what must not grow.
            let sizes = (
                c.inner.ring().slot_capacity(),
                c.inner.ring().index().allocation_size(),
            );
            for k in capacity as u64..200_000 {
                // Mostly new keys (evictions), some hits, as a real workload mixes them.
                let key = if k % 7 == 0 { k - 3 } else { k };
                let hit = c.get(&key).copied();
                assert_eq!(hit, m.get(&key).copied(), "capacity {capacity}");
                if hit.is_none() {
                    assert_eq!(c.put(key, key), m.put(key, key), "capacity {capacity}");
                }
                if k % 50_000 == 0 {
                    c.check_invariants();
                }
            }
            c.check_invariants();
            assert_eq!(
                (
                    c.inner.ring().slot_capacity(),
                    c.inner.ring().index().allocation_size()
                ),
                sizes
            );
            let ours: alloc::vec::Vec<_> = c.iter().map(|(k, _)| *k).collect();
            assert_eq!(ours.len(), capacity);
            assert!(ours.iter().all(|k| m.peek(k).is_some()));
        }
    }

    #[test]
    fn get_mut_promotes_and_shrinking_pops_the_least_recent_first() {
        let mut c = LruCache::new(4);
        for k in 1..=4u32 {
            let _ = c.put(k, k);
        }
        *c.get_mut(&1).unwrap() += 10; // 1 is now the most recent, as after a get
        let _ = c.get(&3);
        assert_eq!(c.peek_lru(), Some((&2, &2)));
        assert_eq!(c.resize(2), [(2, 2), (4, 4)]);
        assert_eq!(c.pop_lru(), Some((1, 11)));
        assert_eq!((c.info().hits, c.len()), (2, 1));
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        evict_slots::testing::ring_huge_capacity_is_clamped::<Lru>();
    }
}
