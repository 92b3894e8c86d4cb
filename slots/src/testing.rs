//! Checks that every ring policy must pass, written once for the policy crates' tests
//! (feature `testing`): each runs a [`RingCache`] with the crate's [`RingPolicy`].

use crate::{DefaultHashBuilder, MAX_CAPACITY, RingCache, RingPolicy, SlabCache};
use evict_core::Put;

type Cache<P> = RingCache<u64, u64, DefaultHashBuilder, P>;

/// A cache asked for `usize::MAX` entries holds at most [`MAX_CAPACITY`] and allocates nothing
/// up front.
///
/// ```
/// # use evict_slots::policy::Anchors;
/// # use evict_slots::ring::{Plain, Ring};
/// # enum Fifo {}
/// # impl evict_slots::RingPolicy for Fifo {
/// #     type Flags = Plain;
/// #     const ORDER: &'static str = "oldest_first";
/// #     const NEWEST_FIRST: bool = false;
/// #     fn victim<K, V, S>(_: &Ring<K, V, S, Plain>, at: &Anchors) -> u32 { at.start }
/// # }
/// evict_slots::testing::huge_capacity_is_clamped::<Fifo>();
/// ```
pub fn huge_capacity_is_clamped<P: RingPolicy>() {
    let c = Cache::<P>::with_hasher(usize::MAX, DefaultHashBuilder::default());
    assert_eq!(c.capacity(), MAX_CAPACITY);
    assert_eq!(c.ring().slot_capacity(), 0);
    assert_eq!(c.ring().index().allocation_size(), 0);
}

/// For each of `capacities`: fills a cache, then puts new keys up to key `until`, each
/// evicting one entry, with a hit on the previous key every third step. The slots and the
/// index keep the allocations they had the moment the cache filled (the put that fills it
/// gives the index its final spare room, and tombstones never make it grow), and the
/// invariants hold.
///
/// ```
/// # use evict_slots::policy::Anchors;
/// # use evict_slots::ring::{Plain, Ring};
/// # enum Fifo {}
/// # impl evict_slots::RingPolicy for Fifo {
/// #     type Flags = Plain;
/// #     const ORDER: &'static str = "oldest_first";
/// #     const NEWEST_FIRST: bool = false;
/// #     fn victim<K, V, S>(_: &Ring<K, V, S, Plain>, at: &Anchors) -> u32 { at.start }
/// # }
/// evict_slots::testing::churn_allocates_nothing::<Fifo>(&[80, 100], 20_000);
/// ```
pub fn churn_allocates_nothing<P: RingPolicy>(capacities: &[usize], until: u64) {
    for &capacity in capacities {
        let mut c = Cache::<P>::with_hasher(capacity, DefaultHashBuilder::default());
        for k in 0..capacity as u64 {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        let filled = (c.ring().slot_capacity(), c.ring().index().allocation_size());
        assert_eq!(filled.0, capacity);
        for k in capacity as u64..until {
            if k % 3 == 0 {
                let _ = c.get(&(k - 1));
            }
            assert!(
                matches!(c.put(k, k), Put::Evicted(..)),
                "capacity {capacity}"
            );
        }
        c.check();
        let now = (c.ring().slot_capacity(), c.ring().index().allocation_size());
        assert_eq!(now, filled, "capacity {capacity}");
    }
}
