//! The kit proves it can fail: deliberately broken caches must each be caught, by the
//! contract, by the model comparison, or both.

use evict_harness::{
    Cache, CacheInfo, Key, Op, Put, Settings, Value, check_against, check_contract, model, scenario,
};
use proptest::test_runner::{Config, TestRunner};

/// Which bug a `Broken` cache has. Each wraps a correct model and breaks one thing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bug {
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
}

/// An LRU, written plainly (most recent first), with one bug switched on.
#[derive(Debug)]
struct Broken {
    bug: Bug,
    entries: Vec<(Key, Value)>,
    capacity: usize,
    // A `Cell` so that the `PeekCounts` bug can write from `&self`.
    hits: std::cell::Cell<u64>,
    misses: u64,
}

impl Broken {
    fn new(bug: Bug, capacity: usize) -> Self {
        Self {
            bug,
            entries: Vec::new(),
            capacity,
            hits: Default::default(),
            misses: 0,
        }
    }
    fn find(&self, key: &Key) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }
}

impl Cache<Key, Value> for Broken {
    fn get(&mut self, key: &Key) -> Option<&Value> {
        match self.find(key) {
            Some(i) => {
                self.hits.set(self.hits.get() + 1);
                if self.bug != Bug::ForgetsToPromote {
                    let e = self.entries.remove(i);
                    self.entries.insert(0, e);
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
        self.entries.clear();
        if self.bug != Bug::ClearKeepsStats {
            self.hits.set(0);
            self.misses = 0;
        }
    }
}

/// Runs `check` on generated scenarios and returns the first failure's text, if any.
fn first_failure(
    check: impl Fn(usize, &[Op<Key, Value>]) -> Result<(), evict_harness::Failure>,
) -> Option<String> {
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
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

#[test]
fn a_correct_cache_passes_both_checks() {
    // The kit must not cry wolf: an LRU that skips promotion still keeps the contract, and
    // a model agrees with itself.
    assert_eq!(
        caught_by_contract(Bug::ForgetsToPromote),
        None,
        "promotion is not part of the contract"
    );
    assert_eq!(
        first_failure(|cap, ops| check_against(
            model::Lru::new,
            model::Lru::new,
            |_| {},
            cap,
            ops,
            Settings::default()
        )),
        None
    );
}

#[test]
fn lru_that_evicts_the_most_recent_entry_is_caught_by_the_model() {
    let failure = caught_by_model(Bug::EvictsMostRecent).expect("not caught");
    assert!(failure.contains("expected: Put(Evicted("), "{failure}");
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
