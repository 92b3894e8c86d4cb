//! Behaviour of `#[evict::cache]`, `#[evict::lru_cache]` and `#[evict::memoize]`: Python's
//! counters, the companion module, argument and return shapes, and custom policies.
//!
//! Each memoized function has one process-wide cache, and tests run in parallel threads, so
//! every test uses its own functions.

#![cfg(feature = "macros")]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use evict::{Cache, CacheInfo, CacheParameters, LruCache, Put, Stats, UnboundedCache};

#[evict::lru_cache(maxsize = 32)]
fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

#[test]
fn fibonacci_lines_match_python() {
    assert_eq!(fib(30), 832_040);
    assert_eq!(
        fib::cache_info().to_string(),
        "CacheInfo(hits=28, misses=31, maxsize=32, currsize=31)"
    );
    fib::cache_clear();
    assert_eq!(
        fib::cache_info().to_string(),
        "CacheInfo(hits=0, misses=0, maxsize=32, currsize=0)"
    );
    assert_eq!(
        fib::cache_parameters(),
        CacheParameters::new(Some(32), "LruCache")
    );
}

static SQUARE_BODY: AtomicU64 = AtomicU64::new(0);

#[evict::cache]
fn square(n: u64) -> u64 {
    SQUARE_BODY.fetch_add(1, Ordering::Relaxed);
    n * n
}

#[test]
fn cache_is_unbounded_and_uncached_skips_the_cache() {
    for n in 0..1000 {
        assert_eq!(square(n), n * n);
    }
    for n in 0..1000 {
        assert_eq!(square(n), n * n);
    }
    assert_eq!(
        square::cache_info(),
        CacheInfo {
            hits: 1000,
            misses: 1000,
            maxsize: None,
            currsize: 1000
        }
    );
    assert_eq!(SQUARE_BODY.load(Ordering::Relaxed), 1000);
    // `uncached` runs the body and touches neither the cache nor its counters.
    assert_eq!(square::uncached(7), 49);
    assert_eq!(SQUARE_BODY.load(Ordering::Relaxed), 1001);
    assert_eq!(square::cache_info().hits, 1000);
    assert_eq!(
        square::cache_parameters().to_string(),
        "CacheParameters(maxsize=None, policy=UnboundedCache)"
    );
}

static ZERO_BODY: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(maxsize = 0)]
fn zero(n: u64) -> u64 {
    ZERO_BODY.fetch_add(1, Ordering::Relaxed);
    n + 1
}

#[test]
fn maxsize_zero_counts_every_call_as_a_miss() {
    for _ in 0..3 {
        assert_eq!(zero(1), 2);
    }
    assert_eq!(ZERO_BODY.load(Ordering::Relaxed), 3);
    assert_eq!(
        zero::cache_info().to_string(),
        "CacheInfo(hits=0, misses=3, maxsize=0, currsize=0)"
    );
}

#[evict::lru_cache(maxsize = None)]
fn unbounded_lru(n: u64) -> u64 {
    n
}

#[evict::lru_cache]
fn default_lru(n: u64) -> u64 {
    n
}

#[test]
fn maxsize_none_and_default() {
    for n in 0..200 {
        unbounded_lru(n);
        default_lru(n);
    }
    assert_eq!(unbounded_lru::cache_info().currsize, 200);
    assert_eq!(unbounded_lru::cache_parameters().maxsize, None);
    // Python's default maxsize is 128.
    assert_eq!(
        default_lru::cache_info().to_string(),
        "CacheInfo(hits=0, misses=200, maxsize=128, currsize=128)"
    );
}

#[evict::cache]
fn greet(greeting: &str, name: &str, times: usize) -> String {
    format!("{greeting}, {name}{}", "!".repeat(times))
}

#[evict::cache]
fn answer() -> u32 {
    42
}

#[evict::cache]
fn sum_pair((a, b): (u32, u32), mut scale: u32) -> u32 {
    scale += 1;
    (a + b) * scale
}

#[test]
fn argument_shapes() {
    let owned = String::from("Ada");
    assert_eq!(greet("Hello", &owned, 2), "Hello, Ada!!");
    assert_eq!(greet("Hello", "Ada", 2), "Hello, Ada!!"); // same key: ("Hello", "Ada", 2) owned
    assert_eq!(greet("Hello", "Ada", 1), "Hello, Ada!");
    assert_eq!(
        greet::cache_info().to_string(),
        "CacheInfo(hits=1, misses=2, maxsize=None, currsize=2)"
    );
    assert_eq!((answer(), answer()), (42, 42));
    assert_eq!(answer::cache_info().hits, 1);
    assert_eq!(sum_pair((1, 2), 1), 6);
    assert_eq!(sum_pair((1, 2), 1), 6);
    assert_eq!(sum_pair::cache_info().hits, 1);
}

static PARSE_BODY: AtomicU64 = AtomicU64::new(0);

#[evict::cache(errors = false)]
fn parse(text: &str) -> Result<u32, String> {
    PARSE_BODY.fetch_add(1, Ordering::Relaxed);
    text.parse().map_err(|e| format!("{text:?}: {e}"))
}

#[evict::lru_cache(maxsize = 4, errors = false)]
fn find(n: u32) -> Option<u32> {
    n.is_multiple_of(2).then_some(n / 2)
}

#[evict::cache]
fn parse_cached_errors(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| text.to_owned())
}

#[test]
fn errors_false_does_not_store_failures() {
    assert_eq!(parse("12"), Ok(12));
    assert_eq!(parse("12"), Ok(12));
    assert!(parse("x").is_err());
    assert!(parse("x").is_err());
    assert_eq!(PARSE_BODY.load(Ordering::Relaxed), 3);
    assert_eq!(
        parse::cache_info().to_string(),
        "CacheInfo(hits=1, misses=3, maxsize=None, currsize=1)"
    );
    assert_eq!(
        (find(4), find(4), find(3), find(3)),
        (Some(2), Some(2), None, None)
    );
    assert_eq!(find::cache_info().currsize, 1);
    // The default stores errors too, as Python stores whatever the function returns.
    assert!(parse_cached_errors("x").is_err());
    assert!(parse_cached_errors("x").is_err());
    assert_eq!(parse_cached_errors::cache_info().hits, 1);
}

#[evict::memoize(policy = evict::LruCache, maxsize = 2)]
fn lru_policy(n: u64) -> u64 {
    n * 10
}

#[evict::memoize(policy = UnboundedCache, maxsize = None)]
fn unbounded_policy(n: u64) -> u64 {
    n * 10
}

/// A policy written by a user: keeps the most recent entry only (`new(capacity)` ignores
/// the capacity beyond 0 and 1).
#[derive(Debug)]
struct LastOne<K, V> {
    capacity: usize,
    slot: Option<(K, V)>,
    stats: Stats,
}

impl<K, V> LastOne<K, V> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.min(1),
            slot: None,
            stats: Stats::default(),
        }
    }
}

impl<K: PartialEq, V> Cache<K, V> for LastOne<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let found = self.slot.as_ref().filter(|(k, _)| k == key).map(|(_, v)| v);
        self.stats.record(found.is_some());
        found
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.slot.as_ref().filter(|(k, _)| k == key).map(|(_, v)| v)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        match self.slot.replace((key, value)) {
            None => Put::Inserted,
            Some((k, v)) => Put::Evicted(k, v),
        }
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        if self.peek(key).is_some() {
            self.slot.take().map(|(_, v)| v)
        } else {
            None
        }
    }
    fn len(&self) -> usize {
        usize::from(self.slot.is_some())
    }
    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }
    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }
    fn clear(&mut self) {
        self.slot = None;
        self.stats.reset();
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let hit = self.slot.as_ref().is_some_and(|(k, _)| k == key);
        self.stats.record(hit);
        self.slot.as_mut().filter(|_| hit).map(|(_, v)| v)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.slot.as_mut().filter(|(k, _)| k == key).map(|(_, v)| v)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let put = self.put(key, value);
        let stored = if put.is_kept() {
            self.slot.as_mut().map(|(_, v)| v)
        } else {
            None
        };
        (put, stored)
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.slot.as_ref().map(|(k, v)| (k, v))
    }
    fn pop(&mut self) -> Option<(K, V)> {
        self.slot.take()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.capacity = capacity.min(1);
        if self.capacity == 0 {
            self.slot.take().into_iter().collect()
        } else {
            Vec::new()
        }
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.slot.iter().map(|(k, v)| (k, v)))
    }
}

#[evict::memoize(policy = LastOne, maxsize = 1)]
fn last_one(n: u64) -> Arc<Vec<u64>> {
    Arc::new(vec![n; 3])
}

#[test]
fn memoize_with_any_policy() {
    for n in [1, 2, 1, 3, 2] {
        assert_eq!(lru_policy(n), n * 10);
        assert_eq!(unbounded_policy(n), n * 10);
    }
    // LRU of 2: 1 miss, 2 miss, 1 hit, 3 miss (evicts 2), 2 miss.
    assert_eq!(
        lru_policy::cache_info().to_string(),
        "CacheInfo(hits=1, misses=4, maxsize=2, currsize=2)"
    );
    assert_eq!(lru_policy::cache_parameters().policy, "evict::LruCache");
    assert_eq!(
        unbounded_policy::cache_info().to_string(),
        "CacheInfo(hits=2, misses=3, maxsize=None, currsize=3)"
    );
    let a = last_one(5);
    let b = last_one(5);
    assert!(Arc::ptr_eq(&a, &b), "a hit returns a clone of the same Arc");
    let _ = last_one(6);
    assert_eq!(
        last_one::cache_info().to_string(),
        "CacheInfo(hits=1, misses=2, maxsize=1, currsize=1)"
    );
    assert_eq!(
        last_one::cache_parameters(),
        CacheParameters::new(Some(1), "LastOne")
    );
}

#[derive(Debug, Clone, PartialEq)]
struct Grid;

impl Grid {
    /// Paths through a `w` x `h` grid, moving right or down.
    #[evict::lru_cache(maxsize = 64, associated)]
    fn paths(w: u64, h: u64) -> u64 {
        if w == 0 || h == 0 {
            1
        } else {
            Self::paths(w - 1, h) + Self::paths(w, h - 1)
        }
    }
    /// Generic and associated at once: one cache per instantiation.
    #[evict::cache(associated)]
    fn twice<T>(x: T) -> T
    where
        T: Clone + std::hash::Hash + Eq + Send + 'static + std::ops::Add<Output = T>,
    {
        x.clone() + x
    }
}

#[test]
fn associated_functions() {
    assert_eq!(Grid::paths(16, 16), 601_080_390);
    let info = Grid::paths_cache_info();
    assert_eq!(
        info.misses,
        17 * 17 - 1,
        "each (w, h) but (0, 0) computed once"
    );
    assert_eq!(
        info.hits + info.misses,
        1 + 2 * (16 * 16),
        "one call plus two per inner cell"
    );
    assert_eq!(Grid::paths_uncached(2, 2), 6);
    assert_eq!(Grid::paths_cache_parameters().maxsize, Some(64));
    Grid::paths_cache_clear();
    assert_eq!(Grid::paths_cache_info().currsize, 0);
    assert_eq!(
        (Grid::twice(2u8), Grid::twice(2u8), Grid::twice(5u64)),
        (4, 4, 10)
    );
    assert_eq!(Grid::twice_uncached(3i32), 6);
    assert_eq!(
        Grid::twice_cache_info().to_string(),
        "CacheInfo(hits=1, misses=2, maxsize=None, currsize=2)"
    );
}

const SMALL: usize = 3;

#[evict::lru_cache(maxsize = SMALL)]
fn py_lru3(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        py_lru3(n - 1) + py_lru3(n - 2)
    }
}

#[evict::lru_cache(maxsize = 0)]
fn py_lru0(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        py_lru0(n - 1) + py_lru0(n - 2)
    }
}

#[evict::lru_cache(maxsize = None)]
fn py_none(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        py_none(n - 1) + py_none(n - 2)
    }
}

#[evict::cache]
fn py_cache(a: u64, b: &str) -> u64 {
    if a == 0 {
        b.len() as u64
    } else {
        py_cache(a - 1, b) + py_cache(a / 2, "x")
    }
}

const PY_SEQ: [u64; 12] = [5, 1, 7, 5, 2, 9, 3, 5, 0, 7, 12, 4];

/// Runs the same functions and call sequence under CPython's `functools` and compares the
/// four `cache_info()` lines. Skipped (with a notice) without `python3`, unless on CI
/// (`evict_harness::traces::on_ci`).
#[test]
fn counters_agree_with_cpython() {
    let mut rust = Vec::new();
    for &n in &PY_SEQ {
        py_lru3(n);
        py_lru0(n.min(10));
        py_none(n);
        py_cache(n, if n.is_multiple_of(2) { "ab" } else { "abc" });
    }
    rust.push(py_lru3::cache_info().to_string());
    rust.push(py_lru0::cache_info().to_string());
    rust.push(py_none::cache_info().to_string());
    rust.push(py_cache::cache_info().to_string());

    let script = format!(
        r#"
from functools import cache, lru_cache
@lru_cache(maxsize=3)
def py_lru3(n): return n if n < 2 else py_lru3(n - 1) + py_lru3(n - 2)
@lru_cache(maxsize=0)
def py_lru0(n): return n if n < 2 else py_lru0(n - 1) + py_lru0(n - 2)
@lru_cache(maxsize=None)
def py_none(n): return n if n < 2 else py_none(n - 1) + py_none(n - 2)
@cache
def py_cache(a, b): return len(b) if a == 0 else py_cache(a - 1, b) + py_cache(a // 2, "x")
for n in {seq:?}:
    py_lru3(n); py_lru0(min(n, 10)); py_none(n); py_cache(n, "ab" if n % 2 == 0 else "abc")
for f in (py_lru3, py_lru0, py_none, py_cache):
    print(f.cache_info())
"#,
        seq = PY_SEQ
    );
    let output = match Command::new("python3").arg("-c").arg(&script).output() {
        Ok(output) => output,
        Err(err) => {
            evict_harness::traces::skip_unless_ci(format_args!(
                "python3 is not runnable ({err}): no CPython comparison"
            ));
            return;
        }
    };
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let python: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(rust, python);
}

#[test]
fn lru_cache_type_is_the_one_the_macro_uses() {
    // The facade's `LruCache` is what `#[lru_cache]` builds: the same counters by hand.
    let mut cache: LruCache<(u64,), u64> = LruCache::new(32);
    fn fib_by_hand(cache: &mut LruCache<(u64,), u64>, n: u64) -> u64 {
        if let Some(&v) = cache.get(&(n,)) {
            return v;
        }
        let v = if n < 2 {
            n
        } else {
            fib_by_hand(cache, n - 1) + fib_by_hand(cache, n - 2)
        };
        if cache.peek(&(n,)).is_none() {
            let _ = cache.put((n,), v);
        }
        v
    }
    assert_eq!(fib_by_hand(&mut cache, 30), 832_040);
    assert_eq!(
        cache.info().to_string(),
        "CacheInfo(hits=28, misses=31, maxsize=32, currsize=31)"
    );
}

#[test]
fn inside_a_function_body() {
    // Block-scoped items (as in every doctest): the companion module names none of the
    // types around it, so imports local to this function are fine.
    use std::collections::BTreeSet;

    #[evict::lru_cache(maxsize = 4)]
    fn letters(word: &str, skip: char) -> BTreeSet<char> {
        word.chars().filter(|&c| c != skip).collect()
    }

    assert_eq!(letters("banana", 'x').len(), 3);
    assert_eq!(letters("banana", 'x').len(), 3);
    assert_eq!(letters::uncached("banana", 'a').len(), 2);
    assert_eq!(
        letters::cache_info().to_string(),
        "CacheInfo(hits=1, misses=1, maxsize=4, currsize=1)"
    );
    assert_eq!(greet::uncached("Hi", "Bo", 0), "Hi, Bo");
}

mod reexport {
    pub(crate) use evict as memo;
}

#[evict::cache(crate = "crate::reexport::memo")]
fn through_a_reexport(n: u32) -> u32 {
    n + 1
}

#[test]
fn crate_option_names_a_reexport() {
    assert_eq!((through_a_reexport(1), through_a_reexport(1)), (2, 2));
    assert_eq!(through_a_reexport::cache_info().hits, 1);
}

static LARGEST_BODY: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(maxsize = 8)]
fn largest<T: Ord + Clone + std::hash::Hash + Send + 'static>(items: Vec<T>) -> Option<T> {
    LARGEST_BODY.fetch_add(1, Ordering::Relaxed);
    items.into_iter().max()
}

#[test]
fn generic_functions_get_one_cache_per_type() {
    assert_eq!(largest(vec![3, 9, 4]), Some(9));
    assert_eq!(largest(vec![3, 9, 4]), Some(9));
    assert_eq!(largest(vec!["b", "a"]), Some("b"));
    assert_eq!(largest(vec!["b", "a"]), Some("b"));
    assert_eq!(largest::<u8>(vec![]), None);
    assert_eq!(LARGEST_BODY.load(Ordering::Relaxed), 3);
    // Three instantiations (i32, &str, u8), each with its own cache of 8; the counters add up.
    assert_eq!(
        largest::cache_info().to_string(),
        "CacheInfo(hits=2, misses=3, maxsize=8, currsize=3)"
    );
    assert_eq!(largest::uncached(vec!['x', 'y']), Some('y'));
    largest::cache_clear();
    assert_eq!(largest::cache_info().currsize, 0);
    assert_eq!(largest(vec![1, 2]), Some(2));
    assert_eq!(largest::cache_info().misses, 1);
}
