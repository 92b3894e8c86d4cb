//! Checks that every policy built on the toolkit must pass, written once for the policy
//! crates' tests (feature `testing`): each runs the caches a `make` closure builds (a policy
//! crate's type, or a [`RingCache`] with the crate's [`RingPolicy`]).

extern crate std;

use alloc::vec::Vec;
use core::fmt::Debug;
use core::hash::BuildHasher;

use evict_core::{Cache, Put, Shard};

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
/// #     fn victim<K, V, S, W: evict_slots::Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 { at.start }
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
/// #     fn victim<K, V, S, W: evict_slots::Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 { at.start }
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
/// #     fn victim<K, V, S, W: evict_slots::Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 { at.start }
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
/// #     fn victim<K, V, S, W: evict_slots::Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 { at.start }
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

/// One step of [`check_get_shared`]'s op sequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardOp {
    /// A lookup: `Cache::get` on one cache, the hit through `&self` on the other.
    Get(u8),
    /// `Cache::put`.
    Put(u8, u16),
    /// `Cache::remove`.
    Remove(u8),
    /// `Cache::pop`.
    Pop,
}

impl ShardOp {
    /// Ops from raw triples (a proptest strategy's `(u8, u8, u16)`): mostly lookups and
    /// puts over 16 keys, so that caches fill, hit and evict.
    ///
    /// ```
    /// use evict_slots::testing::ShardOp;
    ///
    /// assert_eq!(ShardOp::decode(&[(0, 17, 5), (5, 3, 9)]), [ShardOp::Get(1), ShardOp::Put(3, 9)]);
    /// ```
    pub fn decode(raw: &[(u8, u8, u16)]) -> Vec<ShardOp> {
        raw.iter()
            .map(|&(kind, key, value)| {
                let key = key % 16;
                match kind % 10 {
                    0..=3 => ShardOp::Get(key),
                    4..=7 => ShardOp::Put(key, value),
                    8 => ShardOp::Remove(key),
                    _ => ShardOp::Pop,
                }
            })
            .collect()
    }
}

/// Runs `ops` on two clones of `fresh`, the lookups of one through `Cache::get`, of the
/// other through `shared_hit` (the policy's `Shard::get_shared`), and asserts that the two
/// stay the same cache: the same answer to every op (`Put` reports, removals, pops), the
/// same entries in the same order after every step, the same `peek_victim`; and that the
/// hits and misses the `get` side counted are those counted by hand on the other side
/// (where `get_shared` counts nothing). That is `SHARED_HIT`'s promise: a hit through
/// `&self` records exactly what `get` records.
///
/// # Panics
///
/// When the two differ, naming the step and the op.
///
/// ```
/// use evict_core::Shard;
/// use evict_slots::policy::Anchors;
/// use evict_slots::ring::{Direction, Flagged, Ring};
/// use evict_slots::testing::{check_get_shared, ShardOp};
/// use evict_slots::RingPolicy;
/// # pub use evict_core::Cache;
///
/// enum Clock {}
/// impl RingPolicy for Clock {
///     type Flags = Flagged;
///     const ORDER: &'static str = "from_hand";
///     const NEWEST_FIRST: bool = false;
///     fn victim<K, V, S, W: evict_slots::Weighing>(ring: &Ring<K, V, S, Flagged, W>, at: &Anchors) -> u32 {
///         ring.first_clear(at.start, Direction::Next)
///     }
///     fn evict<K, V, S, W: evict_slots::Weighing>(ring: &mut Ring<K, V, S, Flagged, W>, at: &mut Anchors) -> u32 {
///         at.start = ring.sweep(at.start, Direction::Next);
///         at.start
///     }
/// }
///
/// evict_slots::ring_cache! {
///     /// A CLOCK cache.
///     pub struct ClockCache<K, V, S = DefaultHashBuilder>(Clock);
///     order = "from the hand";
///     example_order = [1, 2, 3];
/// }
///
/// let fresh = ClockCache::new(2);
/// let ops = [ShardOp::Put(1, 1), ShardOp::Put(2, 2), ShardOp::Get(1), ShardOp::Put(3, 3)];
/// check_get_shared(&fresh, &ops, |c, k| c.get_shared(k));
/// // A "hit" that forgets to set the reference bit: 3 then evicts 1, not 2.
/// let forgetful = std::panic::catch_unwind(|| check_get_shared(&fresh, &ops, |c, k| c.peek(k)));
/// assert!(forgetful.is_err());
/// ```
#[track_caller]
pub fn check_get_shared<C>(
    fresh: &C,
    ops: &[ShardOp],
    shared_hit: impl for<'c> Fn(&'c C, &u8) -> Option<&'c u16>,
) where
    C: Clone + Cache<u8, u16>,
{
    let mut by_get = fresh.clone();
    let mut by_shared = fresh.clone();
    let (mut hits, mut misses) = (0u64, 0u64);
    for (step, &op) in ops.iter().enumerate() {
        let at = || std::format!("step {step}, {op:?}");
        match op {
            ShardOp::Get(k) => {
                let got = by_get.get(&k).copied();
                let shared = shared_hit(&by_shared, &k).copied();
                match shared {
                    Some(_) => hits += 1,
                    None => misses += 1,
                }
                assert_eq!(
                    got,
                    shared,
                    "{}: get and the shared hit answer differently",
                    at()
                );
            }
            ShardOp::Put(k, v) => {
                assert_eq!(
                    by_get.put(k, v),
                    by_shared.put(k, v),
                    "{}: put reports differ",
                    at()
                );
            }
            ShardOp::Remove(k) => {
                assert_eq!(
                    by_get.remove(&k),
                    by_shared.remove(&k),
                    "{}: remove differs",
                    at()
                );
            }
            ShardOp::Pop => {
                assert_eq!(by_get.pop(), by_shared.pop(), "{}: pop differs", at());
            }
        }
        let order = |c: &C| c.entries().map(|(k, v)| (*k, *v)).collect::<Vec<_>>();
        assert_eq!(
            order(&by_get),
            order(&by_shared),
            "{}: entries differ",
            at()
        );
        assert_eq!(
            by_get.peek_victim(),
            by_shared.peek_victim(),
            "{}: peek_victim differs",
            at()
        );
    }
    let (got, shared) = (by_get.info(), by_shared.info());
    assert_eq!(
        (got.hits, got.misses),
        (hits, misses),
        "get counted other hits and misses"
    );
    assert_eq!(
        (shared.hits, shared.misses),
        (0, 0),
        "the shared hits were counted"
    );
}

/// The plan of [`check_shared_hits_from_threads`].
#[derive(Clone, Copy, Debug)]
pub struct SharedHits<'a> {
    /// The keys `0..keys` fill the cache first (its capacity must be at least this).
    pub keys: u64,
    /// The keys every thread hits, in this order.
    pub hit: &'a [u64],
    /// Threads hitting at once.
    pub threads: usize,
    /// How many times each thread hits every key of `hit`.
    pub rounds: usize,
    /// New keys put afterwards (one eviction each in a full cache).
    pub evictions: u64,
}

/// Hits from many threads at once through `&self`: fills `cache` with the keys
/// `0..plan.keys`, then `plan.threads` threads call `shared_hit` on each key of `plan.hit`
/// (`plan.rounds` times over) on one shared `&cache`, while a twin (a clone taken before)
/// takes the same hits through `Cache::get` on this thread. Then it checks the cache with
/// `check` (the policy's invariants), asserts that the two hold the same entries in the
/// same order with the same `peek_victim`, and puts `plan.evictions` new keys into both,
/// asserting the same `Put` for each: the marks set from many threads at once imply
/// exactly the evictions that the same hits through `get` imply. Returns the keys `cache`
/// evicted, in order, for the policy's own expectations.
///
/// # Panics
///
/// When the two differ, or `check` panics.
#[track_caller]
pub fn check_shared_hits_from_threads<C>(
    mut cache: C,
    plan: &SharedHits<'_>,
    shared_hit: impl for<'c> Fn(&'c C, &u64) -> Option<&'c u64> + Sync,
    check: impl Fn(&C),
) -> Vec<u64>
where
    C: Clone + Cache<u64, u64> + Shard<u64, u64> + Sync,
{
    assert!(C::SHARED_HIT, "the policy does not claim shared hits");
    for k in 0..plan.keys {
        assert_eq!(cache.put(k, k), Put::Inserted);
    }
    let mut twin = cache.clone();
    let shared = &cache;
    let shared_hit = &shared_hit;
    std::thread::scope(|s| {
        for _ in 0..plan.threads {
            s.spawn(move || {
                for _ in 0..plan.rounds {
                    for k in plan.hit {
                        assert_eq!(shared_hit(shared, k), Some(k), "key {k} not found");
                    }
                }
            });
        }
    });
    for _ in 0..plan.threads * plan.rounds {
        for k in plan.hit {
            assert_eq!(twin.get(k), Some(k));
        }
    }
    check(&cache);
    let order = |c: &C| c.entries().map(|(k, v)| (*k, *v)).collect::<Vec<_>>();
    assert_eq!(
        order(&cache),
        order(&twin),
        "entries differ after the shared hits"
    );
    assert_eq!(
        cache.peek_victim(),
        twin.peek_victim(),
        "peek_victim differs"
    );
    let mut evicted = Vec::new();
    for k in plan.keys..plan.keys + plan.evictions {
        let put = cache.put(k, k);
        assert_eq!(put, twin.put(k, k), "put {k}: evictions differ");
        if let Put::Evicted(old, _) = put {
            evicted.push(old);
        }
    }
    check(&cache);
    evicted
}
