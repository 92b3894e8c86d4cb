//! Checks that every policy built on the toolkit must pass, written once for the policy
//! crates' tests (feature `testing`): each runs the caches a `make` closure builds (a policy
//! crate's type, or a [`RingCache`] with the crate's [`RingPolicy`]).

use core::hash::BuildHasher;

use evict_core::Put;

use crate::{DefaultHashBuilder, MAX_CAPACITY, RingCache, RingPolicy, SlabCache, SlabPolicy};

type Ring<P> = RingCache<u64, u64, DefaultHashBuilder, P>;

/// The allocations of a cache: its slots and its key index.
fn allocations<C: SlabCache>(c: &C) -> (usize, usize) {
    let slab = c.slab();
    (slab.slot_capacity(), slab.index().allocation_size())
}

/// A cache that `make` builds for `usize::MAX` entries holds at most `max` and allocates
/// nothing up front.
///
/// ```
/// use evict_slots::{DefaultHashBuilder, RingCache, MAX_CAPACITY};
/// # use evict_slots::policy::Anchors;
/// # use evict_slots::ring::{Plain, Ring};
/// # enum Fifo {}
/// # impl evict_slots::RingPolicy for Fifo {
/// #     type Flags = Plain;
/// #     const ORDER: &'static str = "oldest_first";
/// #     const NEWEST_FIRST: bool = false;
/// #     fn victim<K, V, S>(_: &Ring<K, V, S, Plain>, at: &Anchors) -> u32 { at.start }
/// # }
///
/// let make = |cap| RingCache::<u64, u64, _, Fifo>::with_hasher(cap, DefaultHashBuilder::default());
/// evict_slots::testing::huge_capacity_is_clamped(make, MAX_CAPACITY);
/// ```
pub fn huge_capacity_is_clamped<C: SlabCache>(make: impl Fn(usize) -> C, max: usize) {
    let c = make(usize::MAX);
    assert_eq!(c.capacity(), max);
    assert_eq!(allocations(&c), (0, 0));
}

/// For each of `capacities`: a cache from `make`, filled with keys `0..capacity`, then
/// `ops` lookups and puts of mostly new keys (every seventh a recent one, a `get` of the
/// previous key every third step, and now and then a `remove` of the newest key and a
/// `put` of it back: the not-full path at full size). Its slots and its key index keep the
/// allocations they had the moment the cache filled (the put that fills it gives the index
/// its final spare room, and tombstones never make it grow). `check` runs at the end (the
/// policy's invariants).
///
/// ```
/// use evict_slots::{DefaultHashBuilder, RingCache};
/// # use evict_slots::policy::Anchors;
/// # use evict_slots::ring::{Plain, Ring};
/// # enum Fifo {}
/// # impl evict_slots::RingPolicy for Fifo {
/// #     type Flags = Plain;
/// #     const ORDER: &'static str = "oldest_first";
/// #     const NEWEST_FIRST: bool = false;
/// #     fn victim<K, V, S>(_: &Ring<K, V, S, Plain>, at: &Anchors) -> u32 { at.start }
/// # }
///
/// let make = |cap| RingCache::<u64, u64, _, Fifo>::with_hasher(cap, DefaultHashBuilder::default());
/// evict_slots::testing::churn_allocates_nothing(make, &[80, 100], 20_000, RingCache::check);
/// ```
pub fn churn_allocates_nothing<C>(
    make: impl Fn(usize) -> C,
    capacities: &[usize],
    ops: u64,
    check: impl Fn(&C),
) where
    C: SlabPolicy<Key = u64, Value = u64>,
    C::Hasher: BuildHasher,
{
    for &capacity in capacities {
        let mut c = make(capacity);
        for k in 0..capacity as u64 {
            assert_eq!(c.put(k, k), Put::Inserted, "capacity {capacity}");
        }
        let filled = allocations(&c);
        assert_eq!(filled.0, capacity, "capacity {capacity}");
        for (step, newest) in (0..ops).zip(capacity as u64..) {
            let key = if step % 7 == 0 { newest - 3 } else { newest };
            if step % 3 == 0 {
                let _ = c.get(&(newest - 1));
            }
            if c.get(&key).is_none() {
                let _ = c.put(key, key);
            }
            if step % 1000 == 999 && c.remove(&key).is_some() {
                assert_eq!(c.put(key, key), Put::Inserted, "capacity {capacity}");
            }
        }
        check(&c);
        assert_eq!(allocations(&c), filled, "capacity {capacity}");
    }
}

/// [`huge_capacity_is_clamped`] for a ring policy: its cache holds at most
/// [`MAX_CAPACITY`].
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
/// evict_slots::testing::ring_huge_capacity_is_clamped::<Fifo>();
/// ```
pub fn ring_huge_capacity_is_clamped<P: RingPolicy>() {
    huge_capacity_is_clamped(ring::<P>, MAX_CAPACITY);
}

/// [`churn_allocates_nothing`] for a ring policy, checking the ring's invariants.
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
/// evict_slots::testing::ring_churn_allocates_nothing::<Fifo>(&[80, 100], 20_000);
/// ```
pub fn ring_churn_allocates_nothing<P: RingPolicy>(capacities: &[usize], ops: u64) {
    churn_allocates_nothing(ring::<P>, capacities, ops, Ring::check);
}

/// A ring cache of `capacity` with the default hasher.
fn ring<P: RingPolicy>(capacity: usize) -> Ring<P> {
    RingCache::with_hasher(capacity, DefaultHashBuilder::default())
}
