//! Expiry: a reference model of expiring caches ([`ExpiryModel`]: entries with deadlines,
//! linear scans) and the conformance kit ([`check_expiry`]) that drives any expiring cache
//! with a manual clock, clock advances from nanoseconds to days mixed with operations.
//!
//! The kit does not predict *when* an expired entry is reclaimed (that is the cache's
//! business: a few per operation, or all at once on a purge) nor *which* live entry a
//! bounded policy evicts. It checks everything that must hold whatever those choices are,
//! exactly, by keeping the set of resident entries from what the cache reports:
//!
//! - every pair that leaves is reported once, with its latest value, and with
//!   [`Removal::Expired`] exactly when its deadline had passed;
//! - `len()` is the number of resident entries (reported departures subtracted), and stays
//!   within the capacity;
//! - a lookup of a resident entry whose deadline has not passed returns its value (a hit);
//!   of anything else, nothing (a miss); `info()` counts exactly these;
//! - deadlines follow the rules: time to live since the last write, time to idle since the
//!   last read or write (capped by the time to live), a put's own time to live;
//! - a clock set backwards changes nothing (the model's time never goes back);
//! - a purge leaves no expired entry; once time has passed every deadline, a bounded
//!   number of `run_pending` calls reclaims every expired entry.
//!
//! The caller adapts its cache to [`ExpiringUnderTest`] (the kit depends on no expiring
//! cache, so a third party's runs it too).

use std::fmt::Debug;

use evict_core::{CacheInfo, Put, Removal};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::{Key, Value};

/// A deadline no clock reaches.
const NEVER: u64 = u64::MAX;

/// Nanoseconds in a second.
pub const SECOND: u64 = 1_000_000_000;

/// The lifetimes a cache under test is built with, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lifetimes {
    /// Time to live since the last write.
    pub ttl: Option<u64>,
    /// Time to idle since the last read or write.
    pub tti: Option<u64>,
    /// A per-entry `Expiry` callback instead of `ttl` and `tti` (which it replaces, as
    /// Caffeine's and evict's builders do): an entry written with value `v` lives
    /// [`by_value(unit, v)`](by_value); reads leave its deadline alone.
    pub by_value: Option<u64>,
}

/// The lifetime the kit's `Expiry` callback gives an entry written with `value`, for
/// [`Lifetimes::by_value`] = `Some(unit)`: `unit × (value % 8)` nanoseconds (0: expired at
/// once), and none (never expires) when `value % 8 == 7`. A cache under test builds its
/// callback from this function.
pub fn by_value(unit: u64, value: Value) -> Option<u64> {
    let step = u64::from(value % 8);
    (step != 7).then(|| unit.saturating_mul(step))
}

/// One step of an expiry scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpiryOp {
    /// Moves the clock forwards by this many nanoseconds.
    Advance(u64),
    /// Sets the clock this many nanoseconds *back* (saturating at 0).
    Rewind(u64),
    /// `get(&key)`.
    Get(Key),
    /// `peek(&key)`.
    Peek(Key),
    /// `put(key, value)`.
    Put(Key, Value),
    /// `put_into(key, value, sink)`, collecting every pair that leaves.
    PutInto(Key, Value),
    /// A put with its own time to live (nanoseconds), into a sink.
    PutTtl(Key, Value, u64),
    /// `remove(&key)`.
    Remove(Key),
    /// `purge_expired()`.
    Purge,
    /// `run_pending()`.
    RunPending,
}

/// What the kit needs of an expiring cache of [`Key`] → [`Value`] with a manual clock. The
/// listener the cache reports expirations to must feed [`take_reported`](Self::take_reported).
pub trait ExpiringUnderTest: Debug {
    /// Moves the cache's clock forwards by `nanos`.
    fn advance(&mut self, nanos: u64);
    /// Sets the cache's clock to `nanos` (possibly backwards).
    fn set_clock(&mut self, nanos: u64);
    /// `get`: a clone of the value, counting a hit or a miss.
    fn get(&mut self, key: Key) -> Option<Value>;
    /// `peek`: counts nothing.
    fn peek(&mut self, key: Key) -> Option<Value>;
    /// A plain `put` (what it returns; other departures go to the listener).
    fn put(&mut self, key: Key, value: Value) -> Put<Key, Value>;
    /// A put handing every departing pair to `sink` (`ttl`: its own time to live).
    fn put_into(
        &mut self,
        key: Key,
        value: Value,
        ttl: Option<u64>,
        sink: &mut Vec<(Key, Value, Removal)>,
    ) -> Put<Key, Value>;
    /// `remove`.
    fn remove(&mut self, key: Key) -> Option<Value>;
    /// `purge_expired()`, to the listener.
    fn purge_expired(&mut self);
    /// `run_pending()`, to the listener.
    fn run_pending(&mut self);
    /// Entries held (expired ones not yet reclaimed included).
    fn len(&mut self) -> usize;
    /// Whether no entry is held.
    fn is_empty(&mut self) -> bool {
        self.len() == 0
    }
    /// The capacity in entries (`None`: unbounded).
    fn capacity(&mut self) -> Option<usize>;
    /// Hits and misses.
    fn info(&mut self) -> CacheInfo;
    /// The pairs the listener received since the last call, in order.
    fn take_reported(&mut self) -> Vec<(Key, Value, Removal)>;
    /// The cache's own invariant check (panics on failure); nothing by default.
    fn check_invariants(&mut self) {}
}

/// One resident entry of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Resident {
    key: Key,
    value: Value,
    cap: u64,
    deadline: u64,
}

/// The reference model: the resident entries and their deadlines, in a `Vec` scanned
/// linearly, and the rules that set the deadlines.
#[derive(Clone, Debug, Default)]
pub struct ExpiryModel {
    lifetimes: Lifetimes,
    now: u64,
    residents: Vec<Resident>,
    hits: u64,
    misses: u64,
}

impl ExpiryModel {
    /// An empty model at time 0.
    pub fn new(mut lifetimes: Lifetimes) -> Self {
        if lifetimes.by_value.is_some() {
            // The callback replaces both.
            lifetimes.ttl = None;
            lifetimes.tti = None;
        }
        Self {
            lifetimes,
            ..Self::default()
        }
    }

    /// The model's time: the latest clock reading (a clock going back does not move it).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// An operation that records the time read `clock` (every operation through `&mut`).
    pub fn observe(&mut self, clock: u64) {
        self.now = self.now.max(clock);
    }

    /// A lookup through a shared reference read `clock`: the cache records the time only if
    /// it calls `key` expired (what must then never be undone), so the model does the same.
    pub fn observe_lookup(&mut self, clock: u64, key: Key) {
        let now = self.now.max(clock);
        if self
            .find(key)
            .is_some_and(|i| self.residents[i].deadline <= now)
        {
            self.now = now;
        }
    }

    /// A `get` through a shared reference (a concurrent cache's read lock) at `clock`: as
    /// [`get`](Self::get), with the time recorded as [`observe_lookup`](Self::observe_lookup) does.
    pub fn get_shared(&mut self, clock: u64, key: Key) -> Option<Value> {
        let recorded = self.now;
        self.now = self.now.max(clock);
        let expired = self.resident(key) && self.alive(key).is_none();
        let found = self.get(key);
        if !expired {
            // Only calling an entry expired records the time (the refresh of a hit used it).
            self.now = recorded;
        }
        found
    }

    fn find(&self, key: Key) -> Option<usize> {
        self.residents.iter().position(|r| r.key == key)
    }

    /// Entries resident (expired or not).
    pub fn len(&self) -> usize {
        self.residents.len()
    }

    /// Whether no entry is resident.
    pub fn is_empty(&self) -> bool {
        self.residents.is_empty()
    }

    /// `key`'s value if it is resident and alive now.
    pub fn alive(&self, key: Key) -> Option<Value> {
        let r = &self.residents[self.find(key)?];
        (r.deadline > self.now).then_some(r.value)
    }

    /// `key`'s value if it is resident and alive at the later of `clock` and the model's time
    /// (a shared lookup's view).
    pub fn alive_at(&self, clock: u64, key: Key) -> Option<Value> {
        let r = &self.residents[self.find(key)?];
        (r.deadline > self.now.max(clock)).then_some(r.value)
    }

    /// Whether `key` is resident (alive or expired).
    pub fn resident(&self, key: Key) -> bool {
        self.find(key).is_some()
    }

    /// A `get`: counts a hit or a miss, refreshes the idle deadline of a hit.
    pub fn get(&mut self, key: Key) -> Option<Value> {
        let found = self.alive(key);
        if found.is_some() {
            self.hits += 1;
            let now = self.now;
            let tti = self.lifetimes.tti;
            if let (Some(i), Some(tti)) = (self.find(key), tti) {
                let r = &mut self.residents[i];
                r.deadline = r.deadline.max(r.cap.min(now.saturating_add(tti)));
            }
        } else {
            self.misses += 1;
        }
        found
    }

    /// Stores `key` (which must not be resident: the cache reports what it replaced first).
    pub fn insert(&mut self, key: Key, value: Value, own_ttl: Option<u64>) {
        let now = self.now;
        let after = |d: u64| now.saturating_add(d);
        let chosen = match (own_ttl, self.lifetimes.by_value) {
            (Some(ttl), _) => Some(ttl),
            (None, Some(unit)) => by_value(unit, value),
            (None, None) => self.lifetimes.ttl,
        };
        let cap = chosen.map_or(NEVER, after);
        let deadline = self.lifetimes.tti.map_or(cap, |tti| cap.min(after(tti)));
        self.residents.push(Resident {
            key,
            value,
            cap,
            deadline,
        });
    }

    /// A pair left the cache for `why`: checks it was resident with that value and that the
    /// reason is right, and forgets it.
    ///
    /// # Errors
    ///
    /// A description of what is wrong.
    pub fn left(&mut self, key: Key, value: Value, why: Removal) -> Result<(), String> {
        let i = self
            .find(key)
            .ok_or_else(|| format!("{key} reported leaving ({why:?}) but was not cached"))?;
        let r = self.residents.remove(i);
        if r.value != value {
            return Err(format!(
                "{key} left with value {value}, but its value was {}",
                r.value
            ));
        }
        let expired = r.deadline <= self.now;
        match why {
            Removal::Expired if !expired => Err(format!(
                "{key} reported expired at {} but its deadline is {}",
                self.now, r.deadline
            )),
            Removal::Evicted if expired => Err(format!(
                "{key} reported evicted at {}, but it had expired (deadline {}): report Expired",
                self.now, r.deadline
            )),
            _ => Ok(()),
        }
    }

    /// Replaces a live resident's value (a put that returned `Replaced(old)`).
    ///
    /// # Errors
    ///
    /// If `key` was not alive with value `old`.
    pub fn replace(
        &mut self,
        key: Key,
        old: Value,
        value: Value,
        own_ttl: Option<u64>,
    ) -> Result<(), String> {
        match self.alive(key) {
            Some(v) if v == old => {
                let i = self.find(key).ok_or("vanished")?;
                self.residents.remove(i);
                self.insert(key, value, own_ttl);
                Ok(())
            }
            other => Err(format!(
                "put({key}) returned Replaced({old}) but the live value was {other:?}"
            )),
        }
    }

    /// Resident entries whose deadline has passed.
    pub fn expired(&self) -> usize {
        self.residents
            .iter()
            .filter(|r| r.deadline <= self.now)
            .count()
    }

    /// The latest deadline of any resident that ever expires (0 if none).
    pub fn last_deadline(&self) -> u64 {
        self.residents
            .iter()
            .map(|r| r.deadline)
            .filter(|&d| d != NEVER)
            .max()
            .unwrap_or(0)
    }

    /// Hits and misses counted.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }
}

/// Clock steps from nothing to days, most of them around the lifetimes in use.
pub fn advances() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0),
        1..1_000u64,
        0..2 * SECOND,
        0..120 * SECOND,
        0..3 * 3600 * SECOND,
        0..8 * 86_400 * SECOND,
    ]
}

/// Lifetimes from 0 to days, or none.
pub fn durations() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![
        Just(None),
        Just(Some(0)),
        (1..SECOND / 2).prop_map(Some),
        (SECOND..3 * SECOND).prop_map(Some),
        (60 * SECOND..100 * SECOND).prop_map(Some),
        (3600 * SECOND..3 * 3600 * SECOND).prop_map(Some),
        (86_400 * SECOND..4 * 86_400 * SECOND).prop_map(Some),
    ]
}

/// A cache's lifetimes: time to live, time to idle, both or neither; in one case of four,
/// an `Expiry` callback instead ([`Lifetimes::by_value`]).
pub fn lifetimes() -> impl Strategy<Value = Lifetimes> {
    let callback =
        prop_oneof![3 => Just(None), 1 => durations().prop_filter_map("a unit", |d| d.map(Some))];
    (durations(), durations(), callback).prop_map(|(ttl, tti, by_value)| Lifetimes {
        ttl,
        tti,
        by_value,
    })
}

/// Op sequences over a small key space (16 keys), with clock steps among them.
pub fn expiry_ops() -> impl Strategy<Value = Vec<ExpiryOp>> {
    let key = 0..16u8;
    proptest::collection::vec(
        prop_oneof![
            5 => advances().prop_map(ExpiryOp::Advance),
            1 => (0..10 * SECOND).prop_map(ExpiryOp::Rewind),
            6 => key.clone().prop_map(ExpiryOp::Get),
            2 => key.clone().prop_map(ExpiryOp::Peek),
            4 => (key.clone(), any::<Value>()).prop_map(|(k, v)| ExpiryOp::Put(k, v)),
            2 => (key.clone(), any::<Value>()).prop_map(|(k, v)| ExpiryOp::PutInto(k, v)),
            2 => (key.clone(), any::<Value>(), durations())
                .prop_map(|(k, v, d)| ExpiryOp::PutTtl(k, v, d.unwrap_or(0))),
            1 => key.prop_map(ExpiryOp::Remove),
            1 => Just(ExpiryOp::Purge),
            1 => Just(ExpiryOp::RunPending),
        ],
        0..120,
    )
}

/// Settings of [`check_expiry`].
#[derive(Clone, Debug)]
pub struct ExpiryConfig {
    /// Capacities to build caches with (each case picks one).
    pub capacities: Vec<usize>,
    /// proptest's cases (`PROPTEST_CASES` overrides the default).
    pub cases: u32,
    /// Whether the cache takes a put with its own time to live
    /// ([`ExpiringUnderTest::put_into`] with `Some(ttl)`); if not, those steps are plain
    /// `put_into`s.
    pub per_put_ttl: bool,
    /// Whether `get` runs through a shared reference (a concurrent cache's read lock), which
    /// records the clock only when it finds an entry expired.
    pub shared_get: bool,
    /// Whether to set the clock backwards. Each cache (each shard of a concurrent cache)
    /// remembers the latest time it acted on, so a sharded cache's shards may disagree about
    /// the time after a clock went back; the model, one cache, cannot follow that.
    pub rewinds: bool,
}

impl Default for ExpiryConfig {
    fn default() -> Self {
        Self {
            capacities: vec![0, 1, 3, 8, 32],
            cases: Config::default().cases,
            per_put_ttl: true,
            shared_get: false,
            rewinds: true,
        }
    }
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($fmt)*)));
        }
    };
}

/// Runs the expiry kit on caches built by `make(capacity, lifetimes)`: random lifetimes,
/// capacities and op sequences (see the [module docs](self) for what is checked).
///
/// # Panics
///
/// With the failing case (the op sequence, the step, expected and got) if the cache breaks
/// a rule.
#[track_caller]
pub fn check_expiry<C: ExpiringUnderTest>(
    make: impl Fn(usize, Lifetimes) -> C,
    cfg: &ExpiryConfig,
) {
    let mut runner = TestRunner::new(Config {
        cases: cfg.cases,
        failure_persistence: None,
        ..Config::default()
    });
    let capacities = cfg.capacities.clone();
    let per_put_ttl = cfg.per_put_ttl;
    let shared_get = cfg.shared_get;
    let rewinds = cfg.rewinds;
    let strategy = (
        proptest::sample::select(capacities),
        lifetimes(),
        expiry_ops(),
    );
    let result = runner.run(&strategy, |(capacity, lifetimes, ops)| {
        let ops: Vec<ExpiryOp> = ops
            .into_iter()
            .map(|op| match op {
                ExpiryOp::PutTtl(k, v, _) if !per_put_ttl => ExpiryOp::PutInto(k, v),
                ExpiryOp::Rewind(_) if !rewinds => ExpiryOp::Advance(0),
                op => op,
            })
            .collect();
        run_expiry(&make, capacity, lifetimes, &ops, shared_get)
    });
    if let Err(e) = result {
        panic!("expiry kit failed: {e}");
    }
}

/// One scenario of the kit: builds a cache and checks every step of `ops`.
///
/// # Errors
///
/// The first broken rule, naming the step and the op.
pub fn run_expiry<C: ExpiringUnderTest>(
    make: &impl Fn(usize, Lifetimes) -> C,
    capacity: usize,
    lifetimes: Lifetimes,
    ops: &[ExpiryOp],
    shared_get: bool,
) -> Result<(), TestCaseError> {
    let mut cache = make(capacity, lifetimes);
    let mut model = ExpiryModel::new(lifetimes);
    let mut clock = 0u64;
    for (step, op) in ops.iter().enumerate() {
        let at = |e: String| TestCaseError::fail(format!("step {step} ({op:?}): {e}"));
        let mut sunk = Vec::new();
        let mut put = None;
        let mut own_ttl = None;
        match *op {
            ExpiryOp::Advance(d) => {
                clock = clock.saturating_add(d);
                cache.advance(d);
            }
            ExpiryOp::Rewind(d) => {
                clock = clock.saturating_sub(d);
                cache.set_clock(clock);
            }
            ExpiryOp::Get(k) => {
                let got = cache.get(k);
                let want = if shared_get {
                    model.get_shared(clock, k)
                } else {
                    model.observe(clock);
                    model.get(k)
                };
                if shared_get {
                    // A shared hit that found maintenance due has the cache run it (and
                    // record the time) under the exclusive lock: what it reclaimed was
                    // reclaimed at `clock`.
                    let heard = cache.take_reported();
                    if !heard.is_empty() {
                        model.observe(clock);
                    }
                    for (k, v, why) in heard {
                        model.left(k, v, why).map_err(at)?;
                    }
                }
                absorb(&mut cache, &mut model, &[]).map_err(at)?;
                ensure!(
                    got == want,
                    "step {step} ({op:?}): get({k}) = {got:?}, model says {want:?}"
                );
            }
            ExpiryOp::Peek(k) => {
                let got = cache.peek(k);
                model.observe_lookup(clock, k);
                let want = model.alive_at(clock, k);
                absorb(&mut cache, &mut model, &[]).map_err(at)?;
                ensure!(
                    got == want,
                    "step {step} ({op:?}): peek({k}) = {got:?}, model says {want:?}"
                );
            }
            ExpiryOp::Put(k, v) => {
                model.observe(clock);
                put = Some((k, v, cache.put(k, v)));
            }
            ExpiryOp::PutInto(k, v) => {
                model.observe(clock);
                put = Some((k, v, cache.put_into(k, v, None, &mut sunk)));
            }
            ExpiryOp::PutTtl(k, v, ttl) => {
                model.observe(clock);
                own_ttl = Some(ttl);
                put = Some((k, v, cache.put_into(k, v, Some(ttl), &mut sunk)));
            }
            ExpiryOp::Remove(k) => {
                model.observe(clock);
                let got = cache.remove(k);
                absorb(&mut cache, &mut model, &[]).map_err(at)?;
                let want = model.alive(k);
                ensure!(
                    got == want,
                    "step {step} ({op:?}): remove({k}) = {got:?}, model says {want:?}"
                );
                if let Some(v) = got {
                    model.left(k, v, Removal::Evicted).map_err(at)?;
                }
                ensure!(
                    !model.resident(k),
                    "step {step} ({op:?}): {k} was expired and removed but never reported"
                );
            }
            ExpiryOp::Purge => {
                model.observe(clock);
                cache.purge_expired();
                absorb(&mut cache, &mut model, &[]).map_err(at)?;
                ensure!(
                    model.expired() == 0,
                    "step {step} ({op:?}): {} expired entries survive a purge",
                    model.expired()
                );
            }
            ExpiryOp::RunPending => {
                model.observe(clock);
                cache.run_pending();
                absorb(&mut cache, &mut model, &[]).map_err(at)?;
            }
        }
        if let Some((k, v, put)) = put {
            absorb(&mut cache, &mut model, &sunk).map_err(at)?;
            match put {
                Put::Inserted => {
                    ensure!(
                        !model.resident(k),
                        "step {step} ({op:?}): Inserted, but {k} was cached (and not reported leaving)"
                    );
                    model.insert(k, v, own_ttl);
                }
                Put::Replaced(old) => model.replace(k, old, v, own_ttl).map_err(at)?,
                Put::Evicted(ek, ev) => {
                    ensure!(ek != k, "step {step} ({op:?}): evicted the key it inserted");
                    model.left(ek, ev, Removal::Evicted).map_err(at)?;
                    ensure!(
                        !model.resident(k),
                        "step {step} ({op:?}): Evicted, but {k} was cached"
                    );
                    model.insert(k, v, own_ttl);
                }
                Put::Rejected(rk, rv) => {
                    ensure!(
                        (rk, rv) == (k, v),
                        "step {step} ({op:?}): rejected another pair"
                    );
                    ensure!(
                        !model.resident(k),
                        "step {step} ({op:?}): Rejected, but {k} is still cached"
                    );
                }
            }
        }
        let len = cache.len();
        ensure!(
            len == model.len(),
            "step {step} ({op:?}): len() = {len}, but {} entries are resident",
            model.len()
        );
        if let Some(cap) = cache.capacity() {
            ensure!(
                len <= cap,
                "step {step} ({op:?}): len {len} over capacity {cap}"
            );
        }
        let info = cache.info();
        let (hits, misses) = model.counts();
        ensure!(
            (info.hits, info.misses, info.currsize) == (hits, misses, len),
            "step {step} ({op:?}): info {info:?}, model counts hits {hits}, misses {misses}"
        );
        cache.check_invariants();
    }
    // Past every deadline, run_pending alone (no lookups) reclaims everything expired in a
    // bounded number of calls: the resident count bounds it, as each call reclaims at least one.
    let end = model.last_deadline().saturating_add(2 * SECOND).max(clock);
    cache.advance(end - clock);
    model.observe(end);
    let expired = model.expired();
    for _ in 0..=expired + 1 {
        cache.run_pending();
        absorb(&mut cache, &mut model, &[])
            .map_err(|e| TestCaseError::fail(format!("final run_pending: {e}")))?;
    }
    ensure!(
        model.expired() == 0,
        "{} of {expired} expired entries still cached after {} run_pending calls past every deadline",
        model.expired(),
        expired + 2
    );
    let len = cache.len();
    ensure!(
        len == model.len(),
        "at the end: len() = {len}, {} resident",
        model.len()
    );
    Ok(())
}

/// Applies the departures reported by the listener and by a put's sink to the model.
fn absorb<C: ExpiringUnderTest>(
    cache: &mut C,
    model: &mut ExpiryModel,
    sunk: &[(Key, Value, Removal)],
) -> Result<(), String> {
    for (k, v, why) in cache
        .take_reported()
        .into_iter()
        .chain(sunk.iter().copied())
    {
        model.left(k, v, why)?;
    }
    Ok(())
}
