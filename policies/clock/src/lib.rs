#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::RingPolicy;
use evict_slots::Weighing;
use evict_slots::policy::Anchors;
use evict_slots::ring::{Direction, Flagged, Ring};

evict_slots::ring_cache! {
    /// A CLOCK (second-chance) cache: a ring of entries, each with a reference bit, and a
    /// hand. A hit sets the bit; when the cache is full, a new key makes the hand sweep,
    /// clearing set bits, until it finds an entry whose bit is clear: that entry is evicted
    /// and the newcomer takes its place in the ring, its bit clear, just behind the hand.
    ///
    /// Entries live in one dense `Vec`, linked into a circle by `u32` indices; a hashbrown
    /// `HashTable<u32>` maps keys to slots (an `evict_slots::Ring`). See the
    /// [crate docs](crate) for the exact rules and costs.
    ///
    /// Iteration ([`iter`](Self::iter) and the other iterators, `Debug`, `entries`) lists
    /// the entries in the order the hand will visit them, from the hand (the oldest). The
    /// next victim is the first of them whose bit is clear (or the hand's own entry if every
    /// bit is set): [`peek_victim`](Cache::peek_victim) shows it without touching any bit,
    /// and [`pop`](Cache::pop) evicts it exactly as a `put` would, clearing the bits the
    /// hand passes. There is no `FromIterator`: a bounded cache needs a capacity, so build
    /// one with [`new`](Self::new) and [`extend`](Extend::extend) it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache, Put};
    ///
    /// let mut cache = ClockCache::new(2);
    /// assert_eq!(cache.put(1, "one"), Put::Inserted);
    /// assert_eq!(cache.put(2, "two"), Put::Inserted);
    /// assert_eq!(cache.get(&1), Some(&"one")); // sets 1's reference bit
    /// // The hand clears 1's bit (a second chance) and evicts 2, whose bit is clear.
    /// assert_eq!(cache.put(3, "three"), Put::Evicted(2, "two"));
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
    /// ```
    pub struct ClockCache<K, V, S = DefaultHashBuilder>(Clock);
    order = "in the order the hand visits them, from the hand";
    example_order = [1, 2, 3];
}

impl<K, V, S> ClockCache<K, V, S> {
    /// Whether `key`'s entry would get a second chance from the hand: its reference bit is
    /// set. `None` if `key` is not cached. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache};
    ///
    /// let mut cache = ClockCache::new(2);
    /// let _ = cache.put("a", 1);
    /// assert_eq!(cache.is_referenced(&"a"), Some(false)); // a newcomer's bit starts clear
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.is_referenced(&"a"), Some(true));
    /// assert_eq!(cache.is_referenced(&"b"), None);
    /// ```
    pub fn is_referenced<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<bool>
    where
        K: Hash + Eq + Borrow<Q>,
        S: BuildHasher,
    {
        self.inner.flag(key)
    }
}

/// CLOCK's rules: the circle runs in the hand's order from the hand (the start, the
/// oldest); the flag is the reference bit, which a hit sets. Newcomers join just behind the
/// hand, their bit clear.
enum Clock {}

impl RingPolicy for Clock {
    type Flags = Flagged;
    const ORDER: &'static str = "from_hand";
    const NEWEST_FIRST: bool = false;

    /// The first entry from the hand whose bit is clear (the hand's own if every bit is
    /// set: the sweep would clear them all and come back to it).
    fn victim<K, V, S, W: Weighing>(ring: &Ring<K, V, S, Flagged, W>, at: &Anchors) -> u32 {
        ring.first_clear(at.start, Direction::Next)
    }

    /// Sweeps from the hand, clearing set bits, to the first entry whose bit is clear,
    /// and leaves the hand on it; the newcomer takes its slot and place in the ring, and the
    /// hand moves past it, which makes it the newest.
    #[inline(always)]
    fn evict<K, V, S, W: Weighing>(ring: &mut Ring<K, V, S, Flagged, W>, at: &mut Anchors) -> u32 {
        at.start = ring.sweep(at.start, Direction::Next);
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
        ClockCache::new,
        model = model::clock::Clock::new,
        validate = |c: &ClockCache<u8, u16>| c.check_invariants(),
        iteration = true,
        double_ended = true
    );

    // Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
    // the cache consistent, working, and losing no value undropped.
    // Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
    // replacement), the eviction reports rebuilt into the resident set after every op.
    evict_harness::weighted!(
        weighted,
        ClockCache::with_weigher,
        validate = |c: &ClockCache<u8, u16, DefaultHashBuilder, evict_slots::Weighted<_>>| c
            .check_invariants(),
    );

    evict_harness::hostile!(
        hostile,
        ClockCache::new,
        validate = |c: &ClockCache<_, _>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &ClockCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn second_chance_then_eviction_in_ring_order() {
        let mut c = ClockCache::new(3);
        for k in [1, 2, 3] {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        assert_eq!(c.get(&1), Some(&1));
        assert_eq!(c.get(&2), Some(&2));
        // The hand clears 1 and 2, evicts 3; 4 takes 3's place and the hand moves past it,
        // back to 1.
        assert_eq!(c.put(4, 4), Put::Evicted(3, 3));
        assert_eq!(keys(&c), [1, 2, 4]);
        assert_eq!(c.is_referenced(&1), Some(false));
        assert_eq!(c.is_referenced(&4), Some(false));
        // Nobody has a bit now: plain FIFO order from the hand.
        assert_eq!(c.put(5, 5), Put::Evicted(1, 1));
        assert_eq!(c.put(6, 6), Put::Evicted(2, 2));
        assert_eq!(c.put(7, 7), Put::Evicted(4, 4));
        c.check_invariants();
    }

    #[test]
    fn all_bits_set_means_one_full_turn() {
        let mut c = ClockCache::new(4);
        for k in 0..4 {
            let _ = c.put(k, k);
            let _ = c.get(&k);
        }
        // Every bit set: the hand clears all four and evicts where it started.
        assert_eq!(c.put(9, 9), Put::Evicted(0, 0));
        assert!(c.iter().all(|(k, _)| c.is_referenced(k) == Some(false)));
        c.check_invariants();
    }

    #[test]
    fn replace_sets_the_bit_and_moves_nothing() {
        let mut c = ClockCache::new(2);
        let _ = c.put(1, 10);
        let _ = c.put(2, 20);
        assert_eq!(c.put(1, 11), Put::Replaced(10));
        assert_eq!(keys(&c), [1, 2]);
        assert_eq!(c.is_referenced(&1), Some(true));
        assert_eq!(c.put(3, 30), Put::Evicted(2, 20));
        assert_eq!(c.peek(&1), Some(&11));
    }

    #[test]
    fn remove_keeps_the_order_of_the_others() {
        let mut c = ClockCache::new(4);
        for k in [1, 2, 3, 4, 5] {
            let _ = c.put(k, k); // 5 takes 1's place; from the hand: 2 3 4 5
        }
        assert_eq!(keys(&c), [2, 3, 4, 5]);
        assert_eq!(c.remove(&3), Some(3));
        c.check_invariants();
        assert_eq!(keys(&c), [2, 4, 5]);
        assert_eq!(c.remove(&2), Some(2)); // under the hand: the hand moves on to 4
        c.check_invariants();
        assert_eq!(keys(&c), [4, 5]);
        assert_eq!(c.put(6, 6), Put::Inserted); // the newest: just behind the hand
        assert_eq!(keys(&c), [4, 5, 6]);
        assert_eq!(c.remove(&5), Some(5));
        assert_eq!(c.remove(&6), Some(6));
        assert_eq!(c.remove(&4), Some(4));
        assert!(c.is_empty());
        c.check_invariants();
        assert_eq!(c.put(7, 7), Put::Inserted);
        assert_eq!(keys(&c), [7]);
        c.check_invariants();
    }

    #[test]
    fn peek_does_not_set_the_bit() {
        let mut c = ClockCache::new(2);
        let _ = c.put(1, 1);
        let _ = c.put(2, 2);
        assert_eq!(c.peek(&1), Some(&1));
        assert_eq!(c.is_referenced(&1), Some(false));
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    }

    /// Evictions in a full cache must not grow the table: it keeps the allocation it had
    /// once full, however many entries come and go (100 entries would leave too little of
    /// a 128-bucket table free: the put that fills the cache grows it once).
    #[test]
    fn churn_does_not_grow_the_table() {
        evict_slots::testing::ring_churn_allocates_nothing::<Clock>(&[80, 100, 1000], 200_000);
    }

    #[test]
    fn pop_sweeps_like_an_eviction_and_peek_victim_clears_nothing() {
        let mut c = ClockCache::new(4);
        for k in [1, 2, 3, 4] {
            let _ = c.put(k, k);
        }
        for k in [1, 2] {
            let _ = c.get(&k);
        }
        assert_eq!(c.peek_victim(), Some((&3, &3)));
        assert_eq!(c.is_referenced(&1), Some(true)); // peeking cleared nothing
        assert_eq!(c.pop(), Some((3, 3)));
        // The hand cleared 1 and 2 on its way to 3 and now stands past it, on 4.
        assert_eq!(
            (c.is_referenced(&1), c.is_referenced(&2)),
            (Some(false), Some(false))
        );
        assert_eq!(keys(&c), [4, 1, 2]);
        let _ = c.get(&4);
        assert_eq!(c.resize(1), [(1, 1), (2, 2)]); // 4 gets its second chance
        assert_eq!(c.is_referenced(&4), Some(false));
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        evict_slots::testing::ring_huge_capacity_is_clamped::<Clock>();
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
            check_get_shared(&ClockCache::new(capacity), &ShardOp::decode(&raw), |c, k| c.get_shared(k));
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
            ClockCache::new(64),
            &plan,
            |c, k| c.get_shared(k),
            |c: &ClockCache<u64, u64>| c.check_invariants(),
        );
        // The hand clears every even key's bit and takes the odd ones, oldest first.
        let odds: Vec<u64> = (1..64).step_by(2).collect();
        assert_eq!(evicted, odds);
    }

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<ClockCache<alloc::string::String, Vec<u8>>>();
    }
}
