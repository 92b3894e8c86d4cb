//! The kit for caches bounded by weight (issue 12): random weights op by op, the eviction
//! reports checked to add up, and reference models of weighted LRU and FIFO.
//!
//! [`weigher`] gives each value a weight from its low bits: 0, 1, the whole capacity, one
//! more than the capacity, or a small weight; a `put` of a cached key draws a new value, so
//! weights change on replacement. [`check_weighted`] drives a cache with [`ops`] and, after
//! every step, rebuilds the resident set from what the cache reported (`put_into`'s sink and
//! answer, `remove`, `pop`, `resize`) and checks it against the cache's own `entries()`:
//! the reports add up when both agree, pair for pair. It also checks `weight()` against the
//! weigher over the resident pairs, `weight() <= capacity` and `len() <= capacity`, the
//! statistics, that a new entry heavier than the capacity is `Rejected` and evicts nothing,
//! and that `put_into` never answers `Evicted`. [`check_weighted_against`] compares a cache
//! op by op with a model ([`Model::lru`], [`Model::fifo`]).
//!
//! A policy crate runs both from its tests:
//!
//! ```
//! use evict_harness::weighted::{self, Model, WOp};
//!
//! let ops = [WOp::Put(1, 8), WOp::Put(2, 2), WOp::Get(1), WOp::Put(3, 3), WOp::Pop];
//! // The model against itself passes, as a policy's cache against its model must.
//! weighted::check_weighted(|c| Model::lru(c, weighted::weigher(c)), |_| {}, 4, &ops).unwrap();
//! weighted::check_weighted_against(
//!     |c| Model::lru(c, weighted::weigher(c)),
//!     |c| Model::lru(c, weighted::weigher(c)),
//!     4,
//!     &ops,
//! )
//! .unwrap();
//! ```

use std::collections::BTreeMap;
use std::fmt::Debug;

use evict_core::{CacheInfo, Removal, Sink, Stats};
use proptest::prelude::*;

use crate::{Cache, Failure, Fetch, Key, Put, Value};

/// One operation of the weighted kit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WOp {
    /// `get(&key)`.
    Get(Key),
    /// `peek(&key)`.
    Peek(Key),
    /// `put_into(key, value, sink)`: every evicted pair reported.
    Put(Key, Value),
    /// Plain `put(key, value)`: the first evicted pair reported, the others dropped.
    PutPlain(Key, Value),
    /// `remove(&key)`.
    Remove(Key),
    /// `pop()`.
    Pop,
    /// `resize(capacity)`, in weight units.
    Resize(u64),
    /// `clear()`.
    Clear,
    /// `get_or_insert_with(key, || value)`.
    GetOrInsert(Key, Value),
}

/// The kit's weigher for a cache of capacity `capacity`: by `value % 8`, weight 0, 1,
/// `capacity`, `capacity + 1`, or (4 to 7) a small weight `1 + (value / 8) % (capacity / 3 + 1)`.
/// The key is ignored, so a replacement's new value has a new weight.
///
/// ```
/// let w = evict_harness::weighted::weigher(12);
/// assert_eq!([w(&0, &0), w(&0, &1), w(&0, &2), w(&0, &3)], [0, 1, 12, 13]);
/// assert!((1..=5).contains(&w(&0, &4)));
/// ```
pub fn weigher(capacity: u64) -> impl Fn(&Key, &Value) -> u64 + Clone {
    move |_: &Key, value: &Value| match value % 8 {
        0 => 0,
        1 => 1,
        2 => capacity,
        3 => capacity + 1,
        _ => 1 + u64::from(value / 8) % (capacity / 3 + 1),
    }
}

/// A strategy for one [`WOp`] over keys `0..16`; puts dominate so that caches fill and
/// evict, resizes (to `0..=max_capacity + 2`) and clears are rare.
pub fn op(max_capacity: u64) -> impl Strategy<Value = WOp> {
    let key = 0..16u8;
    prop_oneof![
        6 => key.clone().prop_map(WOp::Get),
        1 => key.clone().prop_map(WOp::Peek),
        8 => (key.clone(), any::<Value>()).prop_map(|(k, v)| WOp::Put(k, v)),
        3 => (key.clone(), any::<Value>()).prop_map(|(k, v)| WOp::PutPlain(k, v)),
        1 => key.clone().prop_map(WOp::Remove),
        1 => Just(WOp::Pop),
        2 => (key.clone(), any::<Value>()).prop_map(|(k, v)| WOp::GetOrInsert(k, v)),
        1 => (0..=max_capacity + 2).prop_map(WOp::Resize),
        1 => Just(WOp::Clear),
    ]
}

/// A capacity in `0..=max_capacity` and up to 300 ops.
pub fn ops(max_capacity: u64) -> impl Strategy<Value = (u64, Vec<WOp>)> {
    (
        0..=max_capacity,
        proptest::collection::vec(op(max_capacity), 0..300),
    )
}

/// A failure of the weighted kit: the step, the op and what went wrong.
fn fail(capacity: u64, step: usize, op: &WOp, expected: impl Debug, got: impl Debug) -> Failure {
    Failure {
        capacity: capacity as usize,
        step,
        op: format!("{op:?}"),
        expected: format!("{expected:?}"),
        got: format!("{got:?}"),
        history: String::from("(see the proptest case)"),
    }
}

/// The pairs of `cache.entries()`, by key.
fn entries<C: Cache<Key, Value>>(cache: &C) -> (BTreeMap<Key, Value>, usize) {
    let mut n = 0;
    let map = cache
        .entries()
        .map(|(k, v)| {
            n += 1;
            (*k, *v)
        })
        .collect();
    (map, n)
}

/// Drives the cache `make(capacity)` through `ops` (see the [module docs](self)): the
/// resident set rebuilt from the cache's reports must equal its entries after every step,
/// its weight the weigher's sum over them, within the capacity.
///
/// # Errors
///
/// The first step at which a rule fails, with what was expected and what the cache did.
pub fn check_weighted<C>(
    make: impl Fn(u64) -> C,
    validate: impl Fn(&C),
    capacity: u64,
    ops: &[WOp],
) -> Result<(), Failure>
where
    C: Cache<Key, Value> + Debug,
{
    let mut cache = make(capacity);
    let weigh = weigher(capacity);
    let mut cap = capacity;
    let mut resident: BTreeMap<Key, Value> = BTreeMap::new();
    let (mut hits, mut misses) = (0u64, 0u64);
    for (step, op) in ops.iter().enumerate() {
        let f = |expected: &dyn Debug, got: &dyn Debug| fail(capacity, step, op, expected, got);
        match *op {
            WOp::Get(k) | WOp::Peek(k) => {
                let got = if matches!(op, WOp::Get(_)) {
                    cache.get(&k).copied()
                } else {
                    cache.peek(&k).copied()
                };
                if got != resident.get(&k).copied() {
                    return Err(f(&resident.get(&k), &got));
                }
                if matches!(op, WOp::Get(_)) {
                    if got.is_some() {
                        hits += 1;
                    } else {
                        misses += 1;
                    }
                }
            }
            WOp::Put(k, v) => {
                let was = resident.get(&k).copied();
                let held: u64 = resident.iter().map(|(k, v)| weigh(k, v)).sum();
                let mut sink: Vec<(Key, Value)> = Vec::new();
                let put = cache.put_into(k, v, &mut sink);
                let mut refused = false;
                for &(k2, v2) in &sink {
                    if (k2, v2) == (k, v) && matches!(put, Put::Inserted) && !refused {
                        refused = true; // an admission filter refused the newcomer
                    } else if resident.remove(&k2) != Some(v2) {
                        return Err(f(&"evicted pairs that were resident", &(k2, v2)));
                    }
                }
                let heavy = weigh(&k, &v) > cap;
                match put {
                    Put::Evicted(..) => return Err(f(&"never Evicted from put_into", &put)),
                    Put::Inserted if was.is_some() || heavy => {
                        return Err(f(&"Replaced or Rejected", &put));
                    }
                    Put::Inserted => {
                        if !refused {
                            resident.insert(k, v);
                        }
                    }
                    Put::Replaced(old) => {
                        if was != Some(old) || heavy {
                            return Err(f(&was, &put));
                        }
                        resident.insert(k, v);
                    }
                    Put::Rejected(k2, v2) => {
                        if (k2, v2) != (k, v) {
                            return Err(f(&(k, v), &(k2, v2)));
                        }
                        if resident.contains_key(&k) {
                            return Err(f(&"a rejected key's old pair reported", &sink));
                        }
                        if was.is_none() && !sink.is_empty() {
                            return Err(f(&"a rejected newcomer evicts nothing", &sink));
                        }
                    }
                }
                if heavy && !matches!(put, Put::Rejected(..)) {
                    return Err(f(&"Rejected: heavier than the capacity", &put));
                }
                // A weighted cache evicts only to make room: a newcomer that fits beside the
                // resident entries, in a cache holding fewer than `capacity` of them, is
                // inserted and evicts nothing (a count fitted to heavier entries must not
                // shrink the cache).
                let fits = held + weigh(&k, &v) <= cap && (resident.len() as u64) < cap;
                if was.is_none() && (!sink.is_empty() || !matches!(put, Put::Inserted)) && fits {
                    return Err(f(&"Inserted, nothing evicted: it fits", &(&put, &sink)));
                }
            }
            WOp::PutPlain(k, v) | WOp::GetOrInsert(k, v) => {
                let was = resident.get(&k).copied();
                let hit = matches!(op, WOp::GetOrInsert(..)) && was.is_some();
                let put = if let WOp::GetOrInsert(..) = op {
                    let mut calls = 0;
                    let fetched = Fetch::from(cache.get_or_insert_with(k, || {
                        calls += 1;
                        v
                    }));
                    if calls != usize::from(!hit) {
                        return Err(f(&usize::from(!hit), &calls));
                    }
                    if hit {
                        hits += 1;
                    } else {
                        misses += 1;
                    }
                    match fetched {
                        Fetch::Hit(got) if Some(got) == was => None,
                        Fetch::Inserted(got) | Fetch::Evicted(got, ..) if got != v => {
                            return Err(f(&v, &got));
                        }
                        Fetch::Inserted(_) if !hit => Some(Put::Inserted),
                        Fetch::Evicted(_, k2, v2) if !hit => Some(Put::Evicted(k2, v2)),
                        Fetch::Rejected(k2, v2) if !hit => Some(Put::Rejected(k2, v2)),
                        other => return Err(f(&was, &other)),
                    }
                } else {
                    Some(cache.put(k, v))
                };
                let (after, _) = entries(&cache);
                // Every pair now cached was before (same value), or is the new one.
                for (k2, v2) in &after {
                    if *k2 != k && resident.get(k2) != Some(v2) {
                        return Err(f(&"no pair appears but the one put", &(k2, v2)));
                    }
                    if *k2 == k && !hit && *v2 != v {
                        return Err(f(&v, &v2));
                    }
                }
                match put {
                    Some(Put::Evicted(k2, v2)) => {
                        let newcomer = (k2, v2) == (k, v);
                        if (!newcomer && resident.get(&k2) != Some(&v2)) || after.contains_key(&k2)
                        {
                            return Err(f(&"the evicted pair was resident, and left", &(k2, v2)));
                        }
                    }
                    Some(Put::Replaced(old)) if was != Some(old) => return Err(f(&was, &old)),
                    Some(Put::Rejected(..)) if after.contains_key(&k) => {
                        return Err(f(&"a rejected key is absent", &after));
                    }
                    Some(Put::Inserted) if was.is_some() => return Err(f(&was, &put)),
                    _ => {}
                }
                if weigh(&k, &v) > cap && !hit && after.contains_key(&k) {
                    return Err(f(&"heavier than the capacity: not cached", &after));
                }
                resident = after;
            }
            WOp::Remove(k) => {
                let got = cache.remove(&k);
                let want = resident.remove(&k);
                if got != want {
                    return Err(f(&want, &got));
                }
            }
            WOp::Pop => match cache.pop() {
                Some((k, v)) if resident.remove(&k) != Some(v) => {
                    return Err(f(&"a resident pair", &(k, v)));
                }
                None if !resident.is_empty() => return Err(f(&"a pair", &"None")),
                _ => {}
            },
            WOp::Resize(n) => {
                let popped = cache.resize(n as usize);
                cap = n;
                for (k, v) in popped {
                    if resident.remove(&k) != Some(v) {
                        return Err(f(&"popped pairs that were resident", &(k, v)));
                    }
                }
            }
            WOp::Clear => {
                cache.clear();
                resident.clear();
                (hits, misses) = (0, 0);
            }
        }
        let f = |expected: &dyn Debug, got: &dyn Debug| fail(capacity, step, op, expected, got);
        let (got, listed) = entries(&cache);
        if got != resident || listed != resident.len() {
            return Err(f(&resident, &got));
        }
        let weight: u64 = resident.iter().map(|(k, v)| weigh(k, v)).sum();
        if cache.weight() != weight || weight > cap {
            return Err(f(&(weight, "<=", cap), &cache.weight()));
        }
        if cache.len() != resident.len() || resident.len() as u64 > cap {
            return Err(f(&resident.len(), &cache.len()));
        }
        let info = CacheInfo {
            hits,
            misses,
            maxsize: Some(cap as usize),
            currsize: resident.len(),
        };
        if cache.info() != info || cache.capacity() != Some(cap as usize) {
            return Err(f(&info, &cache.info()));
        }
        validate(&cache);
    }
    Ok(())
}

/// Compares `make(capacity)` with `model(capacity)` op by op: every answer (the pairs
/// `put_into` reports included, in order) and the entries in order after every step.
///
/// # Errors
///
/// The first step at which they differ.
pub fn check_weighted_against<C, M>(
    make: impl Fn(u64) -> C,
    model: impl Fn(u64) -> M,
    capacity: u64,
    ops: &[WOp],
) -> Result<(), Failure>
where
    C: Cache<Key, Value> + Debug,
    M: Cache<Key, Value> + Debug,
{
    let (mut cache, mut m) = (make(capacity), model(capacity));
    for (step, op) in ops.iter().enumerate() {
        let (got, want) = (answer(&mut cache, op), answer(&mut m, op));
        if got != want {
            return Err(fail(capacity, step, op, want, got));
        }
        let listed = |c: &dyn Cache<Key, Value>| -> Vec<(Key, Value)> {
            c.entries().map(|(k, v)| (*k, *v)).collect()
        };
        if listed(&cache) != listed(&m) || cache.info() != m.info() {
            return Err(fail(
                capacity,
                step,
                op,
                (listed(&m), m.info()),
                (listed(&cache), cache.info()),
            ));
        }
    }
    Ok(())
}

/// What one [`WOp`] answered, for [`check_weighted_against`].
fn answer<C: Cache<Key, Value>>(cache: &mut C, op: &WOp) -> String {
    match *op {
        WOp::Get(k) => format!("{:?}", cache.get(&k)),
        WOp::Peek(k) => format!("{:?}", cache.peek(&k)),
        WOp::Put(k, v) => {
            let mut sink: Vec<(Key, Value)> = Vec::new();
            let put = cache.put_into(k, v, &mut sink);
            format!("{put:?} {sink:?}")
        }
        WOp::PutPlain(k, v) => format!("{:?}", cache.put(k, v)),
        WOp::Remove(k) => format!("{:?}", cache.remove(&k)),
        WOp::Pop => format!("{:?}", cache.pop()),
        WOp::Resize(n) => format!("{:?}", cache.resize(n as usize)),
        WOp::Clear => {
            cache.clear();
            String::new()
        }
        WOp::GetOrInsert(k, v) => format!("{:?}", Fetch::from(cache.get_or_insert_with(k, || v))),
    }
}

/// Reference model of a weighted LRU or FIFO cache: the simplest code for the rules of
/// `evict_slots::weight`. Entries in a `Vec`, the next victim first; a newcomer evicts from
/// the front until its weight fits, then one more if the cache holds `capacity` entries
/// (weight 0 takes a slot).
pub struct Model<W> {
    /// Entries with their weights, the next victim first.
    entries: Vec<(Key, Value, u64)>,
    capacity: u64,
    /// LRU: a hit moves the entry to the back (and `entries()` lists the back first).
    lru: bool,
    weigher: W,
    stats: Stats,
}

impl<W> Debug for Model<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(if self.lru {
            "WeightedLru"
        } else {
            "WeightedFifo"
        })
        .field("capacity", &self.capacity)
        .field("entries", &self.entries)
        .finish()
    }
}

impl<W: Fn(&Key, &Value) -> u64> Model<W> {
    /// A weighted LRU of capacity `capacity` (in `weigher`'s units).
    pub fn lru(capacity: u64, weigher: W) -> Self {
        Self {
            entries: Vec::new(),
            capacity,
            lru: true,
            weigher,
            stats: Stats::default(),
        }
    }

    /// A weighted FIFO of capacity `capacity` (in `weigher`'s units).
    pub fn fifo(capacity: u64, weigher: W) -> Self {
        Self {
            lru: false,
            ..Self::lru(capacity, weigher)
        }
    }

    fn total(&self) -> u64 {
        self.entries.iter().map(|e| e.2).sum()
    }

    fn position(&self, key: &Key) -> Option<usize> {
        self.entries.iter().position(|e| e.0 == *key)
    }

    /// Evicts from the front until `weight` more fits, then one more if the count is full.
    fn make_room(&mut self, weight: u64, sink: &mut dyn Sink<Key, Value>) {
        while self.total() + weight > self.capacity {
            let (k, v, _) = self.entries.remove(0);
            sink.removed(k, v, Removal::Evicted);
        }
        if self.entries.len() as u64 >= self.capacity && !self.entries.is_empty() {
            let (k, v, _) = self.entries.remove(0);
            sink.removed(k, v, Removal::Evicted);
        }
    }
}

impl<W: Fn(&Key, &Value) -> u64> Cache<Key, Value> for Model<W> {
    fn get(&mut self, key: &Key) -> Option<&Value> {
        self.get_mut(key).map(|v| &*v)
    }

    fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
        match self.position(key) {
            Some(i) => {
                self.stats.hit();
                if self.lru {
                    let e = self.entries.remove(i);
                    self.entries.push(e);
                    self.entries.last_mut().map(|e| &mut e.1)
                } else {
                    Some(&mut self.entries[i].1)
                }
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    fn peek(&self, key: &Key) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    fn peek_mut(&mut self, key: &Key) -> Option<&mut Value> {
        let i = self.position(key)?;
        Some(&mut self.entries[i].1)
    }

    fn put_mut(&mut self, key: Key, value: Value) -> (Put<Key, Value>, Option<&mut Value>) {
        let put = self.put(key, value);
        let stored = match self.position(&key) {
            Some(i) if !matches!(put, Put::Rejected(..)) => Some(&mut self.entries[i].1),
            _ => None,
        };
        (put, stored)
    }

    fn put(&mut self, key: Key, value: Value) -> Put<Key, Value> {
        let mut first: Vec<(Key, Value)> = Vec::new();
        match self.put_into(key, value, &mut first) {
            Put::Inserted if !first.is_empty() => {
                let (k, v) = first.swap_remove(0);
                Put::Evicted(k, v)
            }
            other => other,
        }
    }

    fn put_into(
        &mut self,
        key: Key,
        value: Value,
        sink: &mut dyn Sink<Key, Value>,
    ) -> Put<Key, Value> {
        let weight = (self.weigher)(&key, &value);
        if let Some(i) = self.position(&key) {
            if weight > self.capacity {
                let (k, v, _) = self.entries.remove(i);
                sink.removed(k, v, Removal::Evicted);
                return Put::Rejected(key, value);
            }
            if self.total() - self.entries[i].2 + weight <= self.capacity {
                let old = std::mem::replace(&mut self.entries[i].1, value);
                self.entries[i].2 = weight;
                if self.lru {
                    let e = self.entries.remove(i);
                    self.entries.push(e);
                }
                return Put::Replaced(old);
            }
            let (k, old, _) = self.entries.remove(i);
            self.make_room(weight, sink);
            self.entries.push((k, value, weight));
            return Put::Replaced(old);
        }
        if weight > self.capacity || self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        self.make_room(weight, sink);
        self.entries.push((key, value, weight));
        Put::Inserted
    }

    fn remove(&mut self, key: &Key) -> Option<Value> {
        self.position(key).map(|i| self.entries.remove(i).1)
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn weight(&self) -> u64 {
        self.total()
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.entries.len())
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.stats.reset();
    }

    fn peek_victim(&self) -> Option<(&Key, &Value)> {
        self.entries.first().map(|e| (&e.0, &e.1))
    }

    fn pop(&mut self) -> Option<(Key, Value)> {
        (!self.entries.is_empty()).then(|| {
            let (k, v, _) = self.entries.remove(0);
            (k, v)
        })
    }

    fn resize(&mut self, capacity: usize) -> Vec<(Key, Value)> {
        let mut popped = Vec::new();
        while self.total() > capacity as u64 || self.entries.len() > capacity {
            let (k, v, _) = self.entries.remove(0);
            popped.push((k, v));
        }
        self.capacity = capacity as u64;
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&Key, &Value)> + '_> {
        let it = self.entries.iter().map(|e| (&e.0, &e.1));
        if self.lru {
            Box::new(it.rev())
        } else {
            Box::new(it)
        }
    }
}

/// Stamps the weighted kit's tests into a policy crate's test module: `reports_add_up`
/// ([`check_weighted`]) and, with `model = …`, `against_model` ([`check_weighted_against`]).
/// `$make` builds the weighted cache from a capacity and a weigher
/// (`|cap, w| LruCache::with_weigher(cap, w)`).
#[macro_export]
macro_rules! weighted {
    ($name:ident, $make:expr $(, model = $model:expr)? $(, validate = $validate:expr)? $(,)?) => {
        #[cfg(test)]
        #[allow(unused_imports, unreachable_pub)]
        mod $name {
            use super::*;
            use $crate::__proptest::prelude::*;

            $crate::__proptest::proptest! {
                #[test]
                fn reports_add_up((capacity, ops) in $crate::weighted::ops(24)) {
                    let validate = $crate::__validator!($($validate)?);
                    let make = |c: u64| ($make)(c, $crate::weighted::weigher(c));
                    if let Err(failure) =
                        $crate::weighted::check_weighted(make, validate, capacity, &ops)
                    {
                        return Err($crate::__fail(failure));
                    }
                }

                $(
                #[test]
                fn against_model((capacity, ops) in $crate::weighted::ops(24)) {
                    let make = |c: u64| ($make)(c, $crate::weighted::weigher(c));
                    let model = |c: u64| ($model)(c, $crate::weighted::weigher(c));
                    if let Err(failure) =
                        $crate::weighted::check_weighted_against(make, model, capacity, &ops)
                    {
                        return Err($crate::__fail(failure));
                    }
                }
                )?
            }
        }
    };
}

/// The capacity of [`check_no_allocation_when_warm`]'s cache: about 2,000 entries of its
/// weights (1 to 64, 32.5 on average).
pub const NO_ALLOCATION_CAPACITY: u64 = 65_000;

/// The weigher of [`check_no_allocation_when_warm`]'s cache: an entry weighs its value.
pub fn value_weigher(_: &u64, weight: &u64) -> u64 {
    *weight
}

/// SplitMix64, [`check_no_allocation_when_warm`]'s key stream.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A weighted cache in its steady state allocates nothing per request (issue 12), with
/// weights that vary from entry to entry: once its entries and structures (lists, ghosts
/// with their weights, tables, sketch) have reached their high-water marks, a long run of
/// "get; on a miss, put" allocates nothing.
///
/// `cache` is empty, of capacity [`NO_ALLOCATION_CAPACITY`], weighing entries with
/// [`value_weigher`]. The workload is fixed: 20,000 keys weighing 1 to 64 (a key always the
/// same), a hot tenth of them getting half the requests. `measure(f)` runs `f` and returns
/// the allocations made meanwhile: the test's counting allocator (e.g.
/// `allocation_counter::measure(f).count_total`; the kit holds no global allocator).
/// `in_use` is called after the warm-up, to check that the policy's parts (both queues,
/// both ghost lists, ...) are in use, so that the zero means something.
///
/// # Panics
///
/// If the counter counts nothing while the cache grows, if anything is allocated in the
/// 200,000 requests measured after 401,000 of warm-up, or if the weight exceeds the capacity.
pub fn check_no_allocation_when_warm<C: Cache<u64, u64>>(
    cache: &mut C,
    measure: impl Fn(&mut dyn FnMut()) -> u64,
    in_use: impl FnOnce(&C),
) {
    let mut state = 7;
    let mut request = |cache: &mut C| {
        let r = splitmix(&mut state);
        let key = if r & 1 == 0 { r % 2_000 } else { r % 20_000 };
        if cache.get(&key).is_none() {
            let _ = cache.put(key, 1 + key % 64);
        }
    };
    // The counter sees the cache grow (so that the zero below means something).
    let growing = measure(&mut || {
        for _ in 0..1_000 {
            request(cache);
        }
    });
    assert!(growing > 0, "the allocation counter counts nothing");
    for _ in 0..400_000 {
        request(cache);
    }
    in_use(cache);
    let allocs = measure(&mut || {
        for _ in 0..200_000 {
            request(cache);
        }
    });
    assert_eq!(
        allocs, 0,
        "{allocs} allocations in 200,000 requests of a full cache"
    );
    assert!(cache.weight() <= NO_ALLOCATION_CAPACITY);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kit's weigher, boxed so that the broken cache's type can be named.
    type Boxed = Box<dyn Fn(&Key, &Value) -> u64>;

    /// A weighted LRU with one bug, to prove the kit sees it.
    #[derive(Debug)]
    struct Broken {
        inner: Model<Boxed>,
        bug: Bug,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Bug {
        /// `put_into` hands the sink only the first evicted pair.
        DropsEvictions,
        /// `weight()` reports the number of entries.
        CountsEntries,
        /// A newcomer heavier than the capacity evicts everything before it is refused.
        HeavyEvicts,
    }

    impl Broken {
        fn new(capacity: u64, bug: Bug) -> Self {
            Self {
                inner: Model::lru(capacity, Box::new(weigher(capacity))),
                bug,
            }
        }
    }

    impl Cache<Key, Value> for Broken {
        fn get(&mut self, key: &Key) -> Option<&Value> {
            self.inner.get(key)
        }
        fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
            self.inner.get_mut(key)
        }
        fn peek(&self, key: &Key) -> Option<&Value> {
            self.inner.peek(key)
        }
        fn peek_mut(&mut self, key: &Key) -> Option<&mut Value> {
            self.inner.peek_mut(key)
        }
        fn put(&mut self, key: Key, value: Value) -> Put<Key, Value> {
            self.inner.put(key, value)
        }
        fn put_mut(&mut self, key: Key, value: Value) -> (Put<Key, Value>, Option<&mut Value>) {
            self.inner.put_mut(key, value)
        }
        fn put_into(
            &mut self,
            key: Key,
            value: Value,
            sink: &mut dyn Sink<Key, Value>,
        ) -> Put<Key, Value> {
            match self.bug {
                Bug::DropsEvictions => match self.inner.put(key, value) {
                    Put::Evicted(k, v) => {
                        sink.removed(k, v, Removal::Evicted);
                        Put::Inserted
                    }
                    other => other,
                },
                Bug::HeavyEvicts if (self.inner.weigher)(&key, &value) > self.inner.capacity => {
                    while let Some((k, v)) = self.inner.pop() {
                        sink.removed(k, v, Removal::Evicted);
                    }
                    Put::Rejected(key, value)
                }
                _ => self.inner.put_into(key, value, sink),
            }
        }
        fn remove(&mut self, key: &Key) -> Option<Value> {
            self.inner.remove(key)
        }
        fn len(&self) -> usize {
            self.inner.len()
        }
        fn capacity(&self) -> Option<usize> {
            self.inner.capacity()
        }
        fn weight(&self) -> u64 {
            if self.bug == Bug::CountsEntries {
                self.inner.len() as u64
            } else {
                self.inner.weight()
            }
        }
        fn info(&self) -> CacheInfo {
            self.inner.info()
        }
        fn clear(&mut self) {
            self.inner.clear();
        }
        fn peek_victim(&self) -> Option<(&Key, &Value)> {
            self.inner.peek_victim()
        }
        fn pop(&mut self) -> Option<(Key, Value)> {
            self.inner.pop()
        }
        fn resize(&mut self, capacity: usize) -> Vec<(Key, Value)> {
            self.inner.resize(capacity)
        }
        fn entries(&self) -> Box<dyn Iterator<Item = (&Key, &Value)> + '_> {
            self.inner.entries()
        }
    }

    /// Whether the kit finds the bug within 256 fixed-seed cases.
    fn caught(bug: Bug) -> bool {
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
        let mut runner = TestRunner::new_with_rng(Config::with_cases(256), rng);
        runner
            .run(&ops(24), |(capacity, ops)| {
                check_weighted(|c| Broken::new(c, bug), |_| {}, capacity, &ops)
                    .map_err(crate::__fail)
            })
            .is_err()
    }

    #[test]
    fn the_kit_catches_broken_weighted_caches() {
        for bug in [Bug::DropsEvictions, Bug::CountsEntries, Bug::HeavyEvicts] {
            assert!(caught(bug), "{bug:?} went unnoticed");
        }
        // And the model comparison tells an LRU from a FIFO.
        let ops = [WOp::Put(1, 9), WOp::Put(2, 9), WOp::Get(1), WOp::Put(3, 9)];
        let lru = |c| Model::lru(c, weigher(c));
        let fifo = |c| Model::fifo(c, weigher(c));
        assert!(check_weighted_against(lru, fifo, 2, &ops).is_err());
    }

    #[test]
    fn the_models_pass_the_kit() {
        use proptest::test_runner::{Config, TestRunner};
        let mut runner = TestRunner::new(Config::with_cases(64));
        runner
            .run(&ops(24), |(capacity, ops)| {
                check_weighted(|c| Model::fifo(c, weigher(c)), |_| {}, capacity, &ops)
                    .and_then(|()| {
                        check_weighted(|c| Model::lru(c, weigher(c)), |_| {}, capacity, &ops)
                    })
                    .map_err(crate::__fail)
            })
            .unwrap();
    }
}
