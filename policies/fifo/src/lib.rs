#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::Weighing;
use evict_slots::policy::Anchors;
use evict_slots::ring::{Plain, Ring};
use evict_slots::{RingPolicy, SlabCache};

evict_slots::ring_cache! {
    /// A first-in-first-out cache: when full, `put` of a new key evicts the entry that was
    /// inserted longest ago. Lookups do not change the order, and replacing the value of a
    /// cached key keeps its place.
    ///
    /// Entries live in one dense `Vec`, linked into a circle in insertion order by `u32`
    /// indices; a hashbrown `HashTable<u32>` maps keys to slots (an `evict_slots::Ring`).
    /// See the [crate docs](crate) for costs.
    ///
    /// Iteration ([`iter`](Self::iter) and the other iterators, `Debug`, `entries`) lists
    /// the entries from the oldest insertion (the next victim) to the newest, which is also
    /// the order [`pop`](Cache::pop) and a shrinking [`resize`](Cache::resize) take them in.
    /// There is no `FromIterator`: a bounded cache needs a capacity, so build one with
    /// [`new`](Self::new) and [`extend`](Extend::extend) it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evict_fifo::{Cache, FifoCache, Put};
    ///
    /// let mut cache = FifoCache::new(2);
    /// assert_eq!(cache.put(1, "one"), Put::Inserted);
    /// assert_eq!(cache.put(2, "two"), Put::Inserted);
    /// assert_eq!(cache.get(&1), Some(&"one")); // a hit does not save 1
    /// assert_eq!(cache.put(3, "three"), Put::Evicted(1, "one"));
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
    /// ```
    pub struct FifoCache<K, V, S = DefaultHashBuilder>(Fifo);
    order = "from the oldest insertion to the newest";
    example_order = [1, 2, 3];
}

impl<K, V, S> FifoCache<K, V, S> {
    /// The oldest entry: the one the next `put` of a new key into a full cache would evict
    /// (what [`peek_victim`](Cache::peek_victim) shows). Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_fifo::{Cache, FifoCache};
    ///
    /// let mut cache = FifoCache::new(2);
    /// let _ = cache.put("a", 1);
    /// let _ = cache.put("b", 2);
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.peek_oldest(), Some((&"a", &1)));
    /// ```
    pub fn peek_oldest(&self) -> Option<(&K, &V)> {
        self.inner.peek_victim()
    }
}

/// FIFO's rules: the circle runs from the oldest insertion (the start, the victim) to the
/// newest, just before it. Newcomers go last; hits change nothing.
enum Fifo {}

impl RingPolicy for Fifo {
    type Flags = Plain;
    const ORDER: &'static str = "oldest_first";
    const NEWEST_FIRST: bool = false;

    #[inline(always)]
    fn victim<K, V, S, W: Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 {
        at.start
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::vec::Vec;
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        FifoCache::new,
        model = model::Fifo::new,
        validate = |c: &FifoCache<u8, u16>| c.check_invariants(),
        iteration = true,
        double_ended = true
    );

    // Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
    // the cache consistent, working, and losing no value undropped.
    // Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
    // replacement), the eviction reports rebuilt into the resident set after every op.
    evict_harness::weighted!(
        weighted,
        FifoCache::with_weigher,
        model = evict_harness::weighted::Model::fifo,
        validate = |c: &FifoCache<u8, u16, DefaultHashBuilder, evict_slots::Weighted<_>>| c
            .check_invariants(),
    );

    evict_harness::hostile!(
        hostile,
        FifoCache::new,
        validate = |c: &FifoCache<_, _>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &FifoCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn evicts_in_insertion_order_whatever_the_hits() {
        let mut c = FifoCache::new(3);
        for k in 0..3u32 {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        for _ in 0..5 {
            assert_eq!(c.get(&0), Some(&0));
        }
        assert_eq!(c.put(0, 100), Put::Replaced(0)); // keeps its place
        assert_eq!(c.put(3, 3), Put::Evicted(0, 100));
        assert_eq!(c.put(4, 4), Put::Evicted(1, 1));
        assert_eq!(keys(&c), [2, 3, 4]);
        c.check_invariants();
    }

    #[test]
    fn remove_keeps_slots_dense_and_order_intact() {
        let mut c = FifoCache::new(4);
        for k in 0..4u32 {
            let _ = c.put(k, k);
        }
        assert_eq!(c.remove(&0), Some(0)); // the oldest; slot 0 refilled by the last slot
        c.check_invariants();
        assert_eq!(keys(&c), [1, 2, 3]);
        assert_eq!(c.remove(&2), Some(2)); // from the middle
        c.check_invariants();
        assert_eq!(keys(&c), [1, 3]);
        assert_eq!(c.put(9, 9), Put::Inserted);
        assert_eq!(c.put(10, 10), Put::Inserted);
        assert_eq!(c.put(11, 11), Put::Evicted(1, 1));
        assert_eq!(keys(&c), [3, 9, 10, 11]);
        c.check_invariants();
        for k in [9, 3, 11, 10] {
            assert_eq!(c.remove(&k), Some(k));
            c.check_invariants();
        }
        assert!(c.is_empty());
        assert_eq!(c.peek_oldest(), None);
    }

    /// The put that fills the cache gives the table its final spare room (hashbrown alone
    /// would double it under churn, as 80 > 112 / 2 in a 128-bucket table): from then on
    /// evictions and remove-and-put keep every allocation as it was when the cache filled,
    /// at sizes below and above the 4096-bucket floor.
    #[test]
    fn full_cache_does_not_allocate_again() {
        evict_slots::testing::ring_churn_allocates_nothing::<Fifo>(&[80, 100, 5000], 200_000);
    }

    #[test]
    fn matches_the_textbook_fifo_on_a_long_get_or_put_run() {
        // "get; on a miss, put" over a skewed key stream, against the model, with capacities
        // and a key space far beyond the property tests' (80 entries also rebuild their
        // 128-bucket table in place many times over).
        for cap in [50, 80] {
            get_or_put_run(cap);
        }
    }

    fn get_or_put_run(cap: usize) {
        let mut c = FifoCache::new(cap);
        let mut m = model::Fifo::new(cap);
        let mut x: u64 = 12345;
        for step in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) % 1000;
            let key = (r * r) / 2000; // skewed towards small keys, 0..500
            let hit = c.get(&key).copied();
            assert_eq!(hit, m.get(&key).copied(), "step {step}, key {key}");
            if hit.is_none() {
                assert_eq!(c.put(key, step), m.put(key, step), "step {step}");
            }
            if step % 1000 == 0 {
                c.check_invariants();
            }
        }
        assert_eq!(c.info(), m.info());
        assert!(c.info().hits > 0 && c.info().misses > 0);
        c.check_invariants();
    }

    #[test]
    fn clear_releases_memory_and_resets() {
        let mut c = FifoCache::new(8);
        for k in 0..20u32 {
            let _ = c.put(k, k);
            let _ = c.get(&k);
        }
        c.clear();
        assert_eq!(
            (
                c.inner.ring().slot_capacity(),
                c.inner.ring().index().capacity(),
                c.inner.anchors().start
            ),
            (0, 0, evict_slots::ring::NIL)
        );
        assert_eq!(
            c.info(),
            CacheInfo {
                hits: 0,
                misses: 0,
                maxsize: Some(8),
                currsize: 0
            }
        );
        assert_eq!(c.put(1, 1), Put::Inserted);
        c.check_invariants();
    }

    #[test]
    fn debug_lists_oldest_first() {
        let mut c = FifoCache::new(2);
        let _ = c.put(1, 'a');
        let _ = c.put(2, 'b');
        let _ = c.put(3, 'c');
        let text = std::format!("{c:?}");
        assert!(text.contains("oldest_first: {2: 'b', 3: 'c'}"), "{text}");
    }

    #[test]
    fn shrinking_pops_the_oldest_first_whatever_the_hits() {
        let mut c = FifoCache::new(4);
        c.extend((1..=4u32).map(|k| (k, k)));
        *c.get_mut(&1).unwrap() += 10;
        assert_eq!(c.resize(1), [(1, 11), (2, 2), (3, 3)]);
        assert_eq!(keys(&c), [4]);
        assert_eq!(c.put(5, 5), Put::Evicted(4, 4));
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        evict_slots::testing::ring_huge_capacity_is_clamped::<Fifo>();
    }
}

/// `Shard`: a hit through `&self` records what `get` records, from one thread and from
/// many at once.
#[cfg(test)]
mod shard_tests {
    extern crate std;
    use super::*;
    use alloc::vec::Vec;
    use evict_slots::testing::{
        ShardOp, SharedHits, check_get_shared, check_shared_hits_from_threads,
    };
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn get_shared_records_what_get_records(
            capacity in 0usize..12,
            raw in proptest::collection::vec(any::<(u8, u8, u16)>(), 0..160),
        ) {
            check_get_shared(&FifoCache::new(capacity), &ShardOp::decode(&raw), |c, k| c.get_shared(k));
        }
    }

    #[test]
    fn get_shared_from_two_threads_marks_as_get_does() {
        let evens: Vec<u64> = (0..64).step_by(2).collect();
        let plan = SharedHits {
            keys: 64,
            hit: &evens,
            threads: 2,
            rounds: 3,
            evictions: 32,
        };
        let evicted = check_shared_hits_from_threads(
            FifoCache::new(64),
            &plan,
            |c, k| c.get_shared(k),
            |c: &FifoCache<u64, u64>| c.check_invariants(),
        );
        // Hits change nothing: the oldest leave first.
        assert_eq!(evicted, (0..32).collect::<Vec<u64>>());
    }

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<FifoCache<alloc::string::String, Vec<u8>>>();
    }
}
