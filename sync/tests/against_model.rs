//! With one shard, the concurrent cache answers exactly as the policy's reference model
//! (from the conformance kit, `evict_harness::model`), op by op: every answer, the counters,
//! and the entries in the policy's order. So the shard wrapper, the shared-lock hits and the
//! counting add nothing and lose nothing. (With more shards each shard is its own policy, and
//! the stress tests check what still holds.)

use evict_core::Cache;
use evict_harness::model;
use evict_sync::{ConcurrentCache, DefaultHashBuilder, Shard};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Get(u8),
    Peek(u8),
    Contains(u8),
    Put(u8, u16),
    Remove(u8),
    Load(u8, u16),
    Clear,
}

fn op(keys: u8) -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..keys).prop_map(Op::Get),
        1 => (0..keys).prop_map(Op::Peek),
        1 => (0..keys).prop_map(Op::Contains),
        6 => (0..keys, any::<u16>()).prop_map(|(k, v)| Op::Put(k, v)),
        1 => (0..keys).prop_map(Op::Remove),
        3 => (0..keys, any::<u16>()).prop_map(|(k, v)| Op::Load(k, v)),
        1 => Just(Op::Clear),
    ]
}

fn run<C, M>(
    make: impl Fn(usize) -> C,
    model: impl Fn(usize) -> M,
    capacity: usize,
    ops: &[Op],
    order: Order,
) -> Result<(), TestCaseError>
where
    C: Shard<u8, u16>,
    M: Cache<u8, u16>,
{
    let cache = ConcurrentCache::builder(capacity).shards(1).build(&make);
    against_model(cache, model(capacity), ops, order).map(drop)
}

/// [`run`] with the shard built by `build_hashed` (its hits take the hash the cache
/// computed): the same answers, and after the first put the shard is found to hash as the
/// cache does if `same` (`make` used the hasher it was given), or not.
fn run_hashed<C, M>(
    make: impl Fn(usize, DefaultHashBuilder) -> C,
    model: impl Fn(usize) -> M,
    capacity: usize,
    ops: &[Op],
    same: bool,
) -> Result<(), TestCaseError>
where
    C: Shard<u8, u16>,
    M: Cache<u8, u16>,
{
    let cache = ConcurrentCache::builder(capacity)
        .shards(1)
        .build_hashed(&make);
    let cache = against_model(cache, model(capacity), ops, Order::Always)?;
    // Puts and loads (a load that hits found a put before it) check the shard.
    let put = ops
        .iter()
        .any(|op| matches!(op, Op::Put(..) | Op::Load(..)));
    prop_assert_eq!(cache.shards_hashing_once(), usize::from(put && same));
    Ok(())
}

fn against_model<C, M>(
    cache: ConcurrentCache<u8, u16, C>,
    mut m: M,
    ops: &[Op],
    order: Order,
) -> Result<ConcurrentCache<u8, u16, C>, TestCaseError>
where
    C: Shard<u8, u16>,
    M: Cache<u8, u16>,
{
    for (i, op) in ops.iter().enumerate() {
        let at = format!("op {i}: {op:?}");
        match *op {
            Op::Get(k) => prop_assert_eq!(cache.get(&k), m.get(&k).copied(), "{}", at),
            Op::Peek(k) => prop_assert_eq!(cache.peek(&k), m.peek(&k).copied(), "{}", at),
            Op::Contains(k) => prop_assert_eq!(cache.contains(&k), m.contains(&k), "{}", at),
            Op::Put(k, v) => prop_assert_eq!(cache.put(k, v), m.put(k, v), "{}", at),
            Op::Remove(k) => prop_assert_eq!(cache.remove(&k), m.remove(&k), "{}", at),
            Op::Load(k, v) => {
                let expected = *m.get_or_insert_with(k, || v);
                prop_assert_eq!(cache.get_or_insert_with(k, || v), expected, "{}", at);
            }
            Op::Clear => {
                cache.clear();
                m.clear();
            }
        }
        prop_assert_eq!(cache.info(), m.info(), "{}", at);
        if order == Order::AfterWrites && !matches!(op, Op::Put(..) | Op::Remove(_) | Op::Clear) {
            continue;
        }
        let mut got = cache.snapshot();
        let mut want: Vec<(u8, u16)> = m.entries().map(|(k, v)| (*k, *v)).collect();
        if order == Order::Set {
            got.sort_unstable();
            want.sort_unstable();
        }
        prop_assert_eq!(got, want, "{}", at);
    }
    Ok(cache)
}

/// How the entries are compared with the model's after each operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    /// In the policy's order, after every operation.
    Always,
    /// As sets (an unbounded cache has no order).
    Set,
    /// In order, after each `put`, `remove` and `clear` (`BufferedHits` replays the buffered
    /// hits under the exclusive lock; in between, the policy has not seen them yet).
    AfterWrites,
}

macro_rules! hashed {
    ($name:ident, $make:expr, $model:expr) => {
        hashed!($name, $make, $model, true);
    };
    ($name:ident, $make:expr, $model:expr, $same:expr) => {
        proptest! {
            #[test]
            fn $name(capacity in 0usize..24, ops in prop::collection::vec(op(40), 0..300)) {
                run_hashed($make, $model, capacity, &ops, $same)?;
            }
        }
    };
}

macro_rules! against {
    ($name:ident, $make:expr, $model:expr) => {
        against!($name, $make, $model, Order::Always);
    };
    ($name:ident, $make:expr, $model:expr, $ordered:expr) => {
        proptest! {
            #[test]
            fn $name(capacity in 0usize..24, ops in prop::collection::vec(op(40), 0..300)) {
                run($make, $model, capacity, &ops, $ordered)?;
            }
        }
    };
}

against!(lru, evict_lru::LruCache::new, model::Lru::new);
against!(fifo, evict_fifo::FifoCache::new, model::Fifo::new);
against!(
    clock,
    evict_clock::ClockCache::new,
    model::clock::Clock::new
);
against!(
    sieve,
    evict_sieve::SieveCache::new,
    model::sieve::Sieve::new
);
against!(
    s3fifo,
    evict_s3fifo::S3FifoCache::new,
    model::s3fifo::S3Fifo::new
);
against!(
    arc,
    evict_arc::ArcCache::new,
    model::arc::AdaptiveReplacement::new
);
against!(
    wtinylfu,
    evict_wtinylfu::WTinyLfuCache::new,
    model::wtinylfu::WTinyLfu::new
);
against!(
    unbounded,
    |_| evict_unbounded::UnboundedCache::new(),
    |_| model::Unbounded::new(),
    Order::Set
);
// One thread, fewer hits between two writes than a buffer holds: buffering changes when the
// policy sees a hit, not what it does with it. (`ops` up to 300 with gets a third of them;
// a run of 64 gets without a write is vanishingly rare at these odds.)
against!(
    buffered_lru,
    |c| evict_sync::BufferedHits::new(evict_lru::LruCache::new(c)),
    model::Lru::new,
    Order::AfterWrites
);
against!(
    buffered_arc,
    |c| evict_sync::BufferedHits::new(evict_arc::ArcCache::new(c)),
    model::arc::AdaptiveReplacement::new,
    Order::AfterWrites
);
hashed!(
    clock_hashed,
    evict_clock::ClockCache::with_hasher,
    model::clock::Clock::new
);
hashed!(
    sieve_hashed,
    evict_sieve::SieveCache::with_hasher,
    model::sieve::Sieve::new
);
hashed!(
    s3fifo_hashed,
    evict_s3fifo::S3FifoCache::with_hasher,
    model::s3fifo::S3Fifo::new
);
hashed!(
    fifo_hashed,
    evict_fifo::FifoCache::with_hasher,
    model::Fifo::new
);
// A `make` that ignores the hasher it is given: the shard hashes with its own, the first
// put finds it out, and every answer is still the model's.
hashed!(
    s3fifo_own_hasher,
    |c, _| evict_s3fifo::S3FifoCache::new(c),
    model::s3fifo::S3Fifo::new,
    false
);
// Random has no model: the same seed single-threaded is its reference.
against!(
    random,
    |c| evict_random::RandomCache::with_seed(c, 7),
    |c| evict_random::RandomCache::with_seed(c, 7)
);

/// A shard replaced through `shards_mut` by one with another hasher: its hits still find what
/// is put after (the shard is checked again at its next put), and it is not counted as
/// hashing once.
#[test]
fn a_replaced_shard_is_checked_again() {
    let mut cache = ConcurrentCache::builder(8)
        .shards(1)
        .build_hashed(evict_sieve::SieveCache::<u8, u16, _>::with_hasher);
    let _ = cache.put(1, 10);
    assert_eq!(cache.shards_hashing_once(), 1);
    for shard in cache.shards_mut() {
        *shard = evict_sieve::SieveCache::with_hasher(8, DefaultHashBuilder::default());
    }
    assert_eq!(cache.shards_hashing_once(), 0);
    let _ = cache.put(2, 20);
    assert_eq!(cache.shards_hashing_once(), 0);
    assert_eq!(cache.get(&2), Some(20));
    assert_eq!(cache.get(&1), None);
}
