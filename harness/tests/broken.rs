//! The kit proves it can fail: deliberately broken caches must each be caught, by the
//! contract, by the model comparison, or both.

use std::cell::Cell;
use std::iter::Map;
use std::slice;

use evict_harness::{
    Cache, CacheInfo, Fetched, Key, Op, Put, Settings, Value, check_against, check_contract,
    check_double_ended, check_iteration, model, scenario,
};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Which bug a `Broken` cache has. Each wraps a correct model and breaks one thing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bug {
    /// None: a correct LRU, to show the kit does not cry wolf.
    None,
    /// Evicts the most recently used entry instead of the least.
    EvictsMostRecent,
    /// A miss is not counted.
    ForgetsMisses,
    /// A replace grows the cache past its capacity (a duplicate slot).
    GrowsOnReplace,
    /// A `get` hit does not promote the entry (an LRU that forgot to move to front).
    ForgetsToPromote,
    /// `peek` counts a hit, like a `get` would.
    PeekCounts,
    /// Evicts silently: reports `Inserted` although something left.
    HidesEviction,
    /// `clear` keeps the counters.
    ClearKeepsStats,
    /// Capacity 0 still caches one entry.
    CachesAtZero,
    /// `get_or_insert_with` counts a hit on a miss (the `contains` + `put` + `get` way).
    FetchCountsHitOnMiss,
    /// `get_or_insert_with` runs the closure on a hit too.
    FetchComputesOnHit,
    /// A shrinking `resize` drops the last entry it evicts without returning it.
    ResizeDropsSilently,
    /// `entries()` promotes the least recently used entry (a read with a side effect).
    EntriesPromotes,
    /// Iterating `&cache` promotes the least recently used entry.
    IterPromotes,
    /// `pop` removes the most recent entry, not the victim `peek_victim` shows.
    PopIsNotVictim,
    /// `peek_mut` counts a hit, like `get_mut` would.
    PeekMutCounts,
    /// A `get_mut` hit does not promote the entry.
    GetMutForgetsToPromote,
    /// `entries()` leaves out the least recently used entry.
    EntriesOmits,
    /// `drain()` removes entries only as it yields them: dropped early, it leaves the rest.
    DrainKeepsRest,
}

/// An LRU, written plainly (most recent first), with one bug switched on.
#[derive(Clone, Debug)]
struct Broken {
    bug: Bug,
    entries: Vec<(Key, Value)>,
    capacity: usize,
    // A `Cell` so that the `PeekCounts` bug can write from `&self`.
    hits: Cell<u64>,
    misses: u64,
    /// A key a read asked to promote (the `EntriesPromotes` and `IterPromotes` bugs); the
    /// next `&mut self` call does it.
    promote: Cell<Option<Key>>,
}

impl Broken {
    fn new(bug: Bug, capacity: usize) -> Self {
        Self {
            bug,
            entries: Vec::new(),
            capacity,
            hits: Default::default(),
            misses: 0,
            promote: Cell::new(None),
        }
    }
    fn find(&self, key: &Key) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }
    /// Moves entry `i` to the front.
    fn touch(&mut self, i: usize) {
        let e = self.entries.remove(i);
        self.entries.insert(0, e);
    }
    /// The side effect of a read with a bug: asks to promote the least recent entry.
    fn promote_lru(&self) {
        self.promote.set(self.entries.last().map(|(k, _)| *k));
    }
    /// Does what a read asked for; every `&mut self` method starts here.
    fn settle(&mut self) {
        if let Some(i) = self.promote.take().and_then(|k| self.find(&k)) {
            self.touch(i);
        }
    }
    fn drain(&mut self) -> Box<dyn Iterator<Item = (Key, Value)> + '_> {
        self.settle();
        if self.bug == Bug::DrainKeepsRest {
            return Box::new(std::iter::from_fn(|| {
                (!self.entries.is_empty()).then(|| self.entries.remove(0))
            }));
        }
        Box::new(self.entries.drain(..))
    }
}

fn pair(e: &(Key, Value)) -> (&Key, &Value) {
    (&e.0, &e.1)
}

fn pair_mut(e: &mut (Key, Value)) -> (&Key, &mut Value) {
    (&e.0, &mut e.1)
}

impl<'a> IntoIterator for &'a Broken {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Map<slice::Iter<'a, (Key, Value)>, fn(&'a (Key, Value)) -> Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        if self.bug == Bug::IterPromotes {
            self.promote_lru();
        }
        self.entries.iter().map(pair as _)
    }
}

impl<'a> IntoIterator for &'a mut Broken {
    type Item = (&'a Key, &'a mut Value);
    type IntoIter = Map<slice::IterMut<'a, (Key, Value)>, fn(&'a mut (Key, Value)) -> Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        self.settle();
        self.entries.iter_mut().map(pair_mut as _)
    }
}

impl IntoIterator for Broken {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;
    fn into_iter(mut self) -> Self::IntoIter {
        self.settle();
        self.entries.into_iter()
    }
}

impl Cache<Key, Value> for Broken {
    fn get(&mut self, key: &Key) -> Option<&Value> {
        self.settle();
        match self.find(key) {
            Some(i) => {
                self.hits.set(self.hits.get() + 1);
                if self.bug != Bug::ForgetsToPromote {
                    self.touch(i);
                    return Some(&self.entries[0].1);
                }
                Some(&self.entries[i].1)
            }
            None => {
                if self.bug != Bug::ForgetsMisses {
                    self.misses += 1;
                }
                None
            }
        }
    }
    fn peek(&self, key: &Key) -> Option<&Value> {
        let found = self.find(key).map(|i| &self.entries[i].1);
        if self.bug == Bug::PeekCounts && found.is_some() {
            self.hits.set(self.hits.get() + 1);
        }
        found
    }
    fn put(&mut self, key: Key, value: Value) -> Put<Key, Value> {
        self.settle();
        if let Some(i) = self.find(&key) {
            if self.bug == Bug::GrowsOnReplace {
                let old = self.entries[i].1;
                self.entries.insert(0, (key, value));
                self.entries.remove(i + 1);
                self.entries.push((key, value)); // a stale duplicate slot
                return Put::Replaced(old);
            }
            let (_, old) = self.entries.remove(i);
            self.entries.insert(0, (key, value));
            return Put::Replaced(old);
        }
        let capacity = if self.bug == Bug::CachesAtZero {
            self.capacity.max(1)
        } else {
            self.capacity
        };
        if capacity == 0 {
            return Put::Rejected(key, value);
        }
        let evicted = if self.entries.len() >= capacity {
            if self.bug == Bug::EvictsMostRecent {
                Some(self.entries.remove(0))
            } else {
                self.entries.pop()
            }
        } else {
            None
        };
        self.entries.insert(0, (key, value));
        match evicted {
            Some(_) if self.bug == Bug::HidesEviction => Put::Inserted,
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }
    fn remove(&mut self, key: &Key) -> Option<Value> {
        self.settle();
        let i = self.find(key)?;
        let v = self.entries.remove(i).1;
        // Remove stale duplicates too, so only the intended bug shows.
        self.entries.retain(|(k, _)| k != key);
        Some(v)
    }
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }
    fn info(&self) -> CacheInfo {
        CacheInfo {
            hits: self.hits.get(),
            misses: self.misses,
            maxsize: Some(self.capacity),
            currsize: self.len(),
        }
    }
    fn clear(&mut self) {
        self.settle();
        self.entries.clear();
        if self.bug != Bug::ClearKeepsStats {
            self.hits.set(0);
            self.misses = 0;
        }
    }
    fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
        self.settle();
        let Some(i) = self.find(key) else {
            self.misses += 1;
            return None;
        };
        self.hits.set(self.hits.get() + 1);
        if self.bug == Bug::GetMutForgetsToPromote {
            return Some(&mut self.entries[i].1);
        }
        self.touch(i);
        Some(&mut self.entries[0].1)
    }
    fn peek_mut(&mut self, key: &Key) -> Option<&mut Value> {
        self.settle();
        let i = self.find(key)?;
        if self.bug == Bug::PeekMutCounts {
            self.hits.set(self.hits.get() + 1);
        }
        Some(&mut self.entries[i].1)
    }
    fn put_mut(&mut self, key: Key, value: Value) -> (Put<Key, Value>, Option<&mut Value>) {
        match self.put(key, value) {
            put @ Put::Rejected(..) => (put, None),
            put => {
                let i = self.find(&key).expect("a kept pair is cached");
                (put, Some(&mut self.entries[i].1))
            }
        }
    }
    fn peek_victim(&self) -> Option<(&Key, &Value)> {
        self.entries.last().map(pair)
    }
    fn pop(&mut self) -> Option<(Key, Value)> {
        self.settle();
        if self.bug == Bug::PopIsNotVictim && !self.entries.is_empty() {
            return Some(self.entries.remove(0));
        }
        self.entries.pop()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(Key, Value)> {
        self.settle();
        self.capacity = capacity;
        let mut evicted = Vec::new();
        while self.entries.len() > capacity {
            evicted.extend(self.entries.pop());
        }
        if self.bug == Bug::ResizeDropsSilently {
            evicted.pop();
        }
        evicted
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&Key, &Value)> + '_> {
        if self.bug == Bug::EntriesPromotes {
            self.promote_lru();
        }
        let shown = match self.bug {
            Bug::EntriesOmits => self.entries.len().saturating_sub(1),
            _ => self.entries.len(),
        };
        Box::new(self.entries[..shown].iter().map(pair))
    }
    fn try_get_or_insert_with<E, F>(&mut self, key: Key, f: F) -> Result<Fetched<'_, Key, Value>, E>
    where
        Self: Sized,
        F: FnOnce() -> Result<Value, E>,
    {
        self.settle();
        if let Some(i) = self.find(&key) {
            if self.bug == Bug::FetchComputesOnHit {
                let _ = f();
            }
            self.hits.set(self.hits.get() + 1);
            self.touch(i);
            return Ok(Fetched::Hit(&mut self.entries[0].1));
        }
        if self.bug == Bug::FetchCountsHitOnMiss {
            self.hits.set(self.hits.get() + 1);
        } else {
            self.misses += 1;
        }
        let value = f()?;
        Ok(match self.put_mut(key, value) {
            (Put::Rejected(k, v), _) => Fetched::Rejected(k, v),
            (Put::Evicted(k, v), Some(stored)) => Fetched::Evicted(stored, k, v),
            (_, stored) => Fetched::Inserted(stored.expect("a kept pair is cached")),
        })
    }
}

/// A cache that lists its entries backwards and is otherwise `M`.
#[derive(Clone, Debug)]
struct Reversed<M>(M);

impl<M: Cache<Key, Value>> Cache<Key, Value> for Reversed<M> {
    fn get(&mut self, key: &Key) -> Option<&Value> {
        self.0.get(key)
    }
    fn peek(&self, key: &Key) -> Option<&Value> {
        self.0.peek(key)
    }
    fn put(&mut self, key: Key, value: Value) -> Put<Key, Value> {
        self.0.put(key, value)
    }
    fn remove(&mut self, key: &Key) -> Option<Value> {
        self.0.remove(key)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn capacity(&self) -> Option<usize> {
        self.0.capacity()
    }
    fn info(&self) -> CacheInfo {
        self.0.info()
    }
    fn clear(&mut self) {
        self.0.clear()
    }
    fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
        self.0.get_mut(key)
    }
    fn peek_mut(&mut self, key: &Key) -> Option<&mut Value> {
        self.0.peek_mut(key)
    }
    fn put_mut(&mut self, key: Key, value: Value) -> (Put<Key, Value>, Option<&mut Value>) {
        self.0.put_mut(key, value)
    }
    fn peek_victim(&self) -> Option<(&Key, &Value)> {
        self.0.peek_victim()
    }
    fn pop(&mut self) -> Option<(Key, Value)> {
        self.0.pop()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(Key, Value)> {
        self.0.resize(capacity)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&Key, &Value)> + '_> {
        Box::new(self.0.entries().collect::<Vec<_>>().into_iter().rev())
    }
}

// The macro, every test switched on, on the correct LRU: what a policy crate writes.
evict_harness::conformance!(
    macro_on_a_correct_lru,
    |cap| Broken::new(Bug::None, cap),
    model = model::Lru::new,
    validate = |c: &Broken| assert!(c.len() <= c.capacity),
    settings = Settings::default(),
    iteration = true,
    double_ended = true,
);

/// Runs `check` on generated scenarios and returns the first failure's text, if any.
fn first_failure(
    check: impl Fn(usize, &[Op<Key, Value>]) -> Result<(), evict_harness::Failure>,
) -> Option<String> {
    // A fixed seed: the tests below check which rule reports a bug, and a bug can show
    // through more than one rule (an `entries` that promotes also changes the next `pop`),
    // so the first failing scenario must not change from run to run.
    let config = Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(&scenario(Settings::default()), |(cap, ops)| {
        check(cap, &ops).map_err(|f| proptest::test_runner::TestCaseError::fail(f.to_string()))
    });
    result.err().map(|e| e.to_string())
}

fn caught_by_contract(bug: Bug) -> Option<String> {
    first_failure(|cap, ops| {
        check_contract(
            |c| Broken::new(bug, c),
            |_| {},
            cap,
            ops,
            Settings::default(),
        )
    })
}

fn caught_by_model(bug: Bug) -> Option<String> {
    first_failure(|cap, ops| {
        check_against(
            |c| Broken::new(bug, c),
            model::Lru::new,
            |_| {},
            cap,
            ops,
            Settings::default(),
        )
    })
}

fn caught_by_iteration(bug: Bug) -> Option<String> {
    first_failure(|cap, ops| {
        check_iteration(
            |c| Broken::new(bug, c),
            |c, n| c.drain().take(n).collect(),
            cap,
            ops,
        )
    })
}

/// Every check on a model against itself and, when `broken` is given, against `Broken`.
fn model_passes<M: Cache<Key, Value>>(model: impl Fn(usize) -> M + Copy) -> Option<String> {
    first_failure(|cap, ops| check_contract(model, |_| {}, cap, ops, Settings::default())).or_else(
        || {
            first_failure(|cap, ops| {
                check_against(model, model, |_| {}, cap, ops, Settings::default())
            })
        },
    )
}

#[test]
fn a_correct_cache_passes_every_check() {
    // The kit must not cry wolf: a correct LRU passes everything, an LRU that skips
    // promotion still keeps the contract, and each model agrees with itself.
    assert_eq!(caught_by_contract(Bug::None), None);
    assert_eq!(caught_by_model(Bug::None), None);
    assert_eq!(caught_by_iteration(Bug::None), None);
    assert_eq!(
        first_failure(|cap, ops| check_double_ended(
            |c| Broken::new(Bug::None, c),
            |c, n| c.drain().take(n).collect(),
            cap,
            ops,
        )),
        None
    );
    for bug in [Bug::ForgetsToPromote, Bug::GetMutForgetsToPromote] {
        assert_eq!(
            caught_by_contract(bug),
            None,
            "promotion is not part of the contract"
        );
    }
    assert_eq!(model_passes(model::Lru::new), None);
    assert_eq!(model_passes(model::Fifo::new), None);
    assert_eq!(model_passes(|_| model::Unbounded::new()), None);
}

#[test]
fn entries_order_is_compared_except_without_a_capacity() {
    fn reversed<M: Cache<Key, Value> + Clone>(make: impl Fn(usize) -> M + Copy) -> Option<String> {
        first_failure(move |cap, ops| {
            check_against(
                |c| Reversed(make(c)),
                make,
                |_| {},
                cap,
                ops,
                Settings::default(),
            )
        })
    }
    let failure = reversed(model::Lru::new).expect("a reversed LRU is not caught");
    assert!(
        failure.contains("Entries") || failure.contains("entries()"),
        "{failure}"
    );
    assert_eq!(reversed(|_| model::Unbounded::new()), None);
    let contract = first_failure(|cap, ops| {
        check_contract(
            |_| Reversed(model::Unbounded::new()),
            |_| {},
            cap,
            ops,
            Settings::default(),
        )
    });
    assert_eq!(contract, None);
}

#[test]
fn lru_that_evicts_the_most_recent_entry_is_caught_by_the_model() {
    let failure = caught_by_model(Bug::EvictsMostRecent).expect("not caught");
    assert!(failure.contains("Evicted("), "{failure}");
}

#[test]
fn lru_that_forgets_to_promote_is_caught_by_the_model() {
    assert!(caught_by_model(Bug::ForgetsToPromote).is_some());
}

#[test]
fn miscounted_miss_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::ForgetsMisses).expect("not caught");
    assert!(failure.contains("misses"), "{failure}");
    assert!(caught_by_model(Bug::ForgetsMisses).is_some());
}

#[test]
fn growing_past_capacity_on_replace_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::GrowsOnReplace).expect("not caught");
    assert!(failure.contains("len()"), "{failure}");
}

#[test]
fn silent_eviction_is_caught_by_the_contract() {
    assert!(caught_by_contract(Bug::HidesEviction).is_some());
}

#[test]
fn clear_that_keeps_statistics_is_caught_by_the_contract() {
    assert!(caught_by_contract(Bug::ClearKeepsStats).is_some());
}

#[test]
fn caching_at_capacity_zero_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::CachesAtZero).expect("not caught");
    assert!(failure.contains("capacity 0"), "{failure}");
}

#[test]
fn peek_with_a_side_effect_is_caught_by_the_contract() {
    // Caught as soon as the counters disagree with the gets actually made.
    let failure = caught_by_contract(Bug::PeekCounts).expect("not caught");
    assert!(failure.contains("hits"), "{failure}");
}

#[test]
fn failure_names_step_op_expected_and_got() {
    let ops = [Op::Put(1, 10), Op::Put(2, 20), Op::Get(1), Op::Put(3, 30)];
    let failure = check_against(
        |c| Broken::new(Bug::EvictsMostRecent, c),
        model::Lru::new,
        |_| {},
        2,
        &ops,
        Settings::default(),
    )
    .unwrap_err();
    assert_eq!(failure.step, 3);
    assert_eq!(failure.op, "Put(3, 30)");
    assert_eq!(failure.expected, "Put(Evicted(2, 20))");
    assert_eq!(failure.got, "Put(Evicted(1, 10))");
    let text = failure.to_string();
    assert!(text.starts_with("capacity 2, step 3: Put(3, 30)"), "{text}");
}

#[test]
fn get_or_insert_with_that_counts_a_hit_on_a_miss_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::FetchCountsHitOnMiss).expect("not caught");
    assert!(failure.contains("hits"), "{failure}");
    assert!(caught_by_model(Bug::FetchCountsHitOnMiss).is_some());
}

#[test]
fn get_or_insert_with_that_computes_on_a_hit_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::FetchComputesOnHit).expect("not caught");
    assert!(failure.contains("closure calls on a hit"), "{failure}");
    assert!(caught_by_model(Bug::FetchComputesOnHit).is_some());
}

#[test]
fn resize_that_drops_an_entry_silently_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::ResizeDropsSilently).expect("not caught");
    assert!(failure.contains("Resize("), "{failure}");
    assert!(caught_by_model(Bug::ResizeDropsSilently).is_some());
}

#[test]
fn entries_that_promote_are_caught_by_the_contract_and_the_model() {
    // The twin, never read, answers differently once the promotion shows.
    let failure = caught_by_contract(Bug::EntriesPromotes).expect("not caught");
    assert!(failure.contains("reads are invisible"), "{failure}");
    assert!(caught_by_model(Bug::EntriesPromotes).is_some());
}

#[test]
fn an_iterator_that_promotes_is_caught_by_the_iteration_check() {
    // Caught by the twin (never iterated) or by the next iteration, whichever sees the
    // promotion first.
    let failure = caught_by_iteration(Bug::IterPromotes).expect("not caught");
    assert!(failure.contains("iter"), "{failure}");
}

#[test]
fn a_drain_that_leaves_entries_when_dropped_is_caught_by_the_iteration_check() {
    let failure = caught_by_iteration(Bug::DrainKeepsRest).expect("not caught");
    assert!(failure.contains("drain()"), "{failure}");
}

#[test]
fn pop_of_another_entry_than_peek_victim_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::PopIsNotVictim).expect("not caught");
    assert!(failure.contains("peek_victim() showed"), "{failure}");
    assert!(caught_by_model(Bug::PopIsNotVictim).is_some());
}

#[test]
fn peek_mut_that_counts_is_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::PeekMutCounts).expect("not caught");
    assert!(failure.contains("hits"), "{failure}");
}

#[test]
fn get_mut_that_forgets_to_promote_is_caught_by_the_model() {
    let failure = caught_by_model(Bug::GetMutForgetsToPromote).expect("not caught");
    assert!(failure.contains("GetMut"), "{failure}");
}

#[test]
fn entries_that_omit_an_entry_are_caught_by_the_contract() {
    let failure = caught_by_contract(Bug::EntriesOmits).expect("not caught");
    assert!(
        failure.contains("the resident pairs, each once"),
        "{failure}"
    );
    assert!(caught_by_model(Bug::EntriesOmits).is_some());
}
