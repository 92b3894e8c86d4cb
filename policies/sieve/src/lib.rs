#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::RingPolicy;
use evict_slots::Weighing;
use evict_slots::policy::Anchors;
use evict_slots::ring::{Direction, Flagged, NIL, Ring};

evict_slots::ring_cache! {
    /// A SIEVE cache (Zhang et al., NSDI 2024): one FIFO queue with a visited bit per entry
    /// and a hand that walks from the tail towards the head, evicting unvisited entries
    /// wherever it finds them. A hit only sets the bit.
    ///
    /// Entries live in one dense `Vec` linked into the queue by `u32` indices (a circle: the
    /// tail's older neighbour is the head); a hashbrown `HashTable<u32>` maps keys to slots
    /// (an `evict_slots::Ring`). See the [crate docs](crate) for the exact rules and costs.
    ///
    /// Iteration ([`iter`](Self::iter) and the other iterators, `Debug`, `entries`) lists
    /// the entries from the newest (the head) to the oldest (the tail). The next victim is
    /// the first unvisited entry from the hand (from the tail if the hand is unset) towards
    /// the head, wrapping: [`peek_victim`](Cache::peek_victim) shows it without touching any
    /// bit, and [`pop`](Cache::pop) evicts it exactly as a `put` would, clearing the bits
    /// and moving the hand. There is no `FromIterator`: a bounded cache needs a capacity, so
    /// build one with [`new`](Self::new) and [`extend`](Extend::extend) it.
    ///
    /// # Examples
    ///
    /// ```
    /// use evict_sieve::{Cache, Put, SieveCache};
    ///
    /// let mut cache = SieveCache::new(3);
    /// for k in [1, 2, 3] {
    ///     assert_eq!(cache.put(k, k * 10), Put::Inserted);
    /// }
    /// assert_eq!(cache.get(&1), Some(&10)); // 1, the oldest, is visited
    /// // The hand starts at the tail: 1 is visited (its bit is cleared), 2 is not: 2 goes.
    /// assert_eq!(cache.put(4, 40), Put::Evicted(2, 20));
    /// // The hand stayed at 3, so 3 goes next, although 1 is older.
    /// assert_eq!(cache.put(5, 50), Put::Evicted(3, 30));
    /// ```
    pub struct SieveCache<K, V, S = DefaultHashBuilder>(Sieve);
    order = "from the newest (the head) to the oldest (the tail)";
    example_order = [3, 2, 1];
}

impl<K, V, S> SieveCache<K, V, S> {
    /// The key the next eviction starts from (the hand), or `None` if it starts from the
    /// tail. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.hand(), None);
    /// let _ = cache.put(4, ()); // evicts 1; the hand stays at the next newer entry
    /// assert_eq!(cache.hand(), Some(&2));
    /// ```
    pub fn hand(&self) -> Option<&K> {
        let hand = self.inner.anchors().hand;
        self.inner.ring().get(hand).map(|(key, _)| key)
    }

    /// Whether `key`'s entry was visited since the hand last passed it: the next sweep will
    /// spare it. `None` if `key` is not cached. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(2);
    /// let _ = cache.put("a", 1);
    /// assert_eq!(cache.is_visited(&"a"), Some(false));
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.is_visited(&"a"), Some(true));
    /// assert_eq!(cache.is_visited(&"b"), None);
    /// ```
    pub fn is_visited<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<bool>
    where
        K: Hash + Eq + Borrow<Q>,
        S: BuildHasher,
    {
        self.inner.flag(key)
    }
}

/// SIEVE's rules: the circle runs from the newest (the start, the head) to the oldest (the
/// tail, just before it), `next` pointing to the older neighbour; the flag is the visited
/// bit, which a hit sets. Newcomers go to the head. The hand is the second anchor (`NIL`:
/// at the tail).
enum Sieve {}

impl Sieve {
    /// Where a sweep starts: the hand, or the tail.
    #[inline(always)]
    fn hand_or_tail<K, V, S, W: Weighing>(ring: &Ring<K, V, S, Flagged, W>, at: &Anchors) -> u32 {
        match at.hand {
            NIL => ring.prev(at.start),
            hand => hand,
        }
    }
}

impl RingPolicy for Sieve {
    type Flags = Flagged;
    const ORDER: &'static str = "newest_first";
    const NEWEST_FIRST: bool = true;

    /// The first unvisited entry from the hand (or the tail) towards the head, wrapping;
    /// the hand's own if every bit is set.
    fn victim<K, V, S, W: Weighing>(ring: &Ring<K, V, S, Flagged, W>, at: &Anchors) -> u32 {
        ring.first_clear(Self::hand_or_tail(ring, at), Direction::Prev)
    }

    /// From the hand (or the tail), clear visited bits moving towards the head, wrapping
    /// to the tail (in the circle the head's newer neighbour is the tail: the wrap comes for
    /// free), and stop at the first unvisited entry. The hand is left at the entry just
    /// newer than the victim (`NIL` if the victim is the head, so the next sweep starts from
    /// the tail), as libCacheSim's `Sieve.c` does. The newcomer then takes the victim's
    /// slot and moves to the head (the tail, most often: then turning the circle one step
    /// is all it takes).
    #[inline(always)]
    fn evict<K, V, S, W: Weighing>(ring: &mut Ring<K, V, S, Flagged, W>, at: &mut Anchors) -> u32 {
        // `prev_excl`, not `prev`: through `&mut` the link word is read as a plain `u32`.
        let from = match at.hand {
            NIL => ring.prev_excl(at.start),
            hand => hand,
        };
        let victim = ring.sweep(from, Direction::Prev);
        at.hand = if victim == at.start {
            NIL
        } else {
            ring.prev_excl(victim)
        };
        victim
    }

    /// libCacheSim: a hand on the leaving entry moves to the next newer one (or back to the
    /// tail). (The ring then moves a head on it to the next older entry.)
    fn removing<K, V, S, W: Weighing>(
        ring: &mut Ring<K, V, S, Flagged, W>,
        at: &mut Anchors,
        i: u32,
    ) {
        if at.hand == i {
            at.hand = if i == at.start {
                NIL
            } else {
                ring.prev_excl(i)
            };
        }
    }

    fn fmt_fields<K: fmt::Debug, V, S, W: Weighing>(
        ring: &Ring<K, V, S, Flagged, W>,
        at: &Anchors,
        f: &mut fmt::DebugStruct<'_, '_>,
    ) {
        f.field("hand", &ring.get(at.hand).map(|(key, _)| key));
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
        SieveCache::new,
        model = model::sieve::Sieve::new,
        validate = |c: &SieveCache<u8, u16>| c.check_invariants(),
        iteration = true,
        double_ended = true
    );

    // Panic safety (issue 15): a panicking Hash, Eq, Clone or Drop of a key or value leaves
    // the cache consistent, working, and losing no value undropped.
    // Capacity by weight (issue 12): random weights (0, 1, the capacity, above it, changing on
    // replacement), the eviction reports rebuilt into the resident set after every op.
    evict_harness::weighted!(
        weighted,
        SieveCache::with_weigher,
        validate = |c: &SieveCache<u8, u16, DefaultHashBuilder, evict_slots::Weighted<_>>| c
            .check_invariants(),
    );

    evict_harness::hostile!(
        hostile,
        SieveCache::new,
        validate = |c: &SieveCache<_, _>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &SieveCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    /// Queue, oldest first: A B C D E F G H; A, B and G visited. The eviction for I clears
    /// A and B and evicts C; the hand stays at D, so the eviction for J takes D at once,
    /// although A and B are older.
    #[test]
    fn worked_example() {
        let mut c = SieveCache::new(8);
        for k in ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] {
            assert_eq!(c.put(k, ()), Put::Inserted);
        }
        for k in ['A', 'B', 'G'] {
            assert_eq!(c.get(&k), Some(&()));
        }
        assert_eq!(c.put('I', ()), Put::Evicted('C', ()));
        assert_eq!(c.is_visited(&'A'), Some(false));
        assert_eq!(c.is_visited(&'B'), Some(false));
        assert_eq!(c.hand(), Some(&'D'));
        assert_eq!(c.put('J', ()), Put::Evicted('D', ()));
        assert_eq!(c.hand(), Some(&'E'));
        assert_eq!(keys(&c), ['J', 'I', 'H', 'G', 'F', 'E', 'B', 'A']);
        c.check_invariants();
    }

    #[test]
    fn hand_wraps_from_head_to_tail() {
        let mut c = SieveCache::new(3);
        for k in [1, 2, 3] {
            let _ = c.put(k, k);
        }
        for k in [1, 2, 3] {
            let _ = c.get(&k);
        }
        // Every bit set: one full turn clears them all, the tail (1) goes, the hand moves
        // to 2.
        assert_eq!(c.put(4, 4), Put::Evicted(1, 1));
        assert_eq!(c.hand(), Some(&2));
        let _ = c.get(&2);
        let _ = c.get(&3);
        // From 2: 2 and 3 are visited, then 4 (the head, unvisited) is evicted and the
        // hand, past the head, goes back to the tail.
        assert_eq!(c.put(5, 5), Put::Evicted(4, 4));
        assert_eq!(c.hand(), None);
        c.check_invariants();
    }

    #[test]
    fn a_hit_moves_nothing_and_replace_sets_the_bit() {
        let mut c = SieveCache::new(2);
        let _ = c.put(1, 10);
        let _ = c.put(2, 20);
        assert_eq!(c.put(1, 11), Put::Replaced(10));
        assert_eq!(keys(&c), [2, 1]);
        assert_eq!(c.is_visited(&1), Some(true));
        assert_eq!(c.put(3, 30), Put::Evicted(2, 20));
        assert_eq!(keys(&c), [3, 1]);
    }

    #[test]
    fn remove_under_the_hand_moves_it_towards_the_head() {
        let mut c = SieveCache::new(4);
        for k in [1, 2, 3, 4, 5] {
            let _ = c.put(k, k); // 5 evicts 1; the hand is at 2
        }
        assert_eq!(c.hand(), Some(&2));
        assert_eq!(c.remove(&2), Some(2));
        assert_eq!(c.hand(), Some(&3));
        assert_eq!(c.remove(&5), Some(5)); // the slot of 5 (slot 0) is refilled by the last
        c.check_invariants();
        assert_eq!(c.hand(), Some(&3));
        assert_eq!(keys(&c), [4, 3]);
        assert_eq!(c.remove(&4), Some(4));
        assert_eq!(c.remove(&3), Some(3));
        assert_eq!(c.hand(), None);
        c.check_invariants();
    }

    #[test]
    fn peek_does_not_visit() {
        let mut c = SieveCache::new(2);
        let _ = c.put(1, 1);
        let _ = c.put(2, 2);
        assert_eq!(c.peek(&1), Some(&1));
        assert_eq!(c.is_visited(&1), Some(false));
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    }

    /// SIEVE's point: new entries that are not asked for again leave before the popular
    /// ones, whatever their age. Five hot keys read every round stay cached while two new
    /// one-hit wonders arrive per round (FIFO would push each hot key out every few rounds).
    #[test]
    fn one_hit_wonders_do_not_flush_the_hot_set() {
        let mut c = SieveCache::new(10);
        let mut evicted_hot = 0;
        for round in 0..100u32 {
            for k in 0..5u32 {
                if c.get(&k).is_none() {
                    let _ = c.put(k, ());
                }
            }
            for j in 0..2u32 {
                if let Put::Evicted(k, ()) = c.put(1000 + round * 2 + j, ()) {
                    evicted_hot += u32::from(k < 5);
                }
            }
        }
        assert_eq!(evicted_hot, 0);
        assert_eq!(c.info().misses, 5); // the first round only
        c.check_invariants();
    }

    /// Evictions in a full cache must not grow the table: it keeps the allocation it had
    /// once full, however many entries come and go (100 entries would leave too little of
    /// a 128-bucket table free: the put that fills the cache grows it once).
    #[test]
    fn churn_does_not_grow_the_table() {
        evict_slots::testing::ring_churn_allocates_nothing::<Sieve>(&[80, 100, 1000], 200_000);
    }

    #[test]
    fn pop_takes_the_victim_a_put_would_and_moves_the_hand_alike() {
        let mut c = SieveCache::new(5);
        for k in 1..=5u32 {
            let _ = c.put(k, k);
        }
        for k in [1, 2, 4] {
            let _ = c.get(&k);
        }
        let mut by_put = c.clone();
        assert_eq!(c.peek_victim(), Some((&3, &3)));
        assert_eq!(c.is_visited(&1), Some(true)); // peeking cleared nothing
        assert_eq!(c.pop(), Some((3, 3)));
        assert_eq!(by_put.put(9, 9), Put::Evicted(3, 3));
        assert_eq!(c.hand(), by_put.hand());
        assert_eq!(c.hand(), Some(&4));
        assert_eq!(
            (c.is_visited(&1), c.is_visited(&2)),
            (Some(false), Some(false))
        );
        // From the hand: 4 is visited (spared), then 5, the head, goes; the hand wraps.
        assert_eq!(c.pop(), Some((5, 5)));
        assert_eq!(c.hand(), None);
        assert_eq!(keys(&c), [4, 2, 1]);
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        evict_slots::testing::ring_huge_capacity_is_clamped::<Sieve>();
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
            check_get_shared(&SieveCache::new(capacity), &ShardOp::decode(&raw), |c, k| c.get_shared(k));
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
            SieveCache::new(64),
            &plan,
            |c, k| c.get_shared(k),
            |c: &SieveCache<u64, u64>| c.check_invariants(),
        );
        // The hand clears every even key's bit and takes the odd ones, oldest first.
        let odds: Vec<u64> = (1..64).step_by(2).collect();
        assert_eq!(evicted, odds);
    }

    /// A shard of `evict-sync` moves between threads and is shared by them.
    #[test]
    fn is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<SieveCache<alloc::string::String, Vec<u8>>>();
    }
}
