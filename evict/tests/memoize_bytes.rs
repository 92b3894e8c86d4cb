//! `max_bytes = N` and `max_weight = N, weigher = f`: memos bounded by the total weight of
//! their entries, on the three forms (`lru_cache`, `memoize` with a policy, and `shards`).

#![cfg(all(
    feature = "macros",
    feature = "sync",
    feature = "s3fifo",
    feature = "sieve"
))]

use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};

use evict::{ByteSize, CacheInfo, SizeUnit};

/// The weight `max_bytes` gives the entry `(n,) -> vec![0u8; n]`.
fn blob_weight(n: usize) -> usize {
    size_of::<(usize,)>() + size_of::<Vec<u8>>() + n
}

#[evict::lru_cache(max_bytes = 4096)]
fn blob(n: usize) -> Vec<u8> {
    vec![0; n]
}

#[test]
fn an_lru_memo_keeps_its_entries_within_the_byte_budget() {
    // Sizes that vary: 100, 337, 574, ... bytes, each key new.
    let sizes: Vec<usize> = (0..40).map(|i| 100 + (i * 237) % 1500).collect();
    for &n in &sizes {
        assert_eq!(blob(n).len(), n);
    }
    let info = blob::cache_info();
    assert_eq!((info.hits, info.misses, info.maxsize), (0, 40, Some(4096)));
    // LRU keeps the most recent entries that fit, and evicts only what it must: the
    // residents are the last `currsize` sizes, their weight is at most the budget, and one
    // more would not have fit.
    let resident: usize = sizes
        .iter()
        .rev()
        .take(info.currsize)
        .map(|&n| blob_weight(n))
        .sum();
    assert!(resident <= 4096, "{resident} bytes resident");
    let one_more = blob_weight(sizes[sizes.len() - 1 - info.currsize]);
    assert!(resident + one_more > 4096, "{info}: room for one more");
    // They hit; the one before them does not.
    let last = sizes[sizes.len() - 1];
    assert_eq!(blob(last).len(), last);
    assert_eq!(blob::cache_info().hits, 1);

    let params = blob::cache_parameters();
    assert_eq!((params.maxsize, params.unit), (Some(4096), SizeUnit::Bytes));
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=4096, unit=bytes, policy=LruCache)"
    );
}

static HUGE_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::lru_cache(max_bytes = 1000)]
fn huge(n: usize) -> String {
    HUGE_RUNS.fetch_add(1, Ordering::Relaxed);
    "x".repeat(n)
}

#[test]
fn a_result_heavier_than_the_budget_is_returned_but_not_cached() {
    assert_eq!(huge(10).len(), 10);
    assert_eq!(huge(5000).len(), 5000);
    assert_eq!(huge(5000).len(), 5000);
    assert_eq!(huge(10).len(), 10); // still cached: the heavy one evicted nothing
    assert_eq!(HUGE_RUNS.load(Ordering::Relaxed), 3);
    assert_eq!(
        huge::cache_info(),
        CacheInfo {
            hits: 1,
            misses: 3,
            maxsize: Some(1000),
            currsize: 1
        }
    );
}

/// Weighs a result by its length: the budget is characters, not bytes.
#[allow(clippy::ptr_arg)] // a weigher is `fn(&Key, &Value) -> u64`, so `&String` it is
fn by_len(_key: &(u64,), value: &String) -> u64 {
    value.len() as u64
}

#[evict::lru_cache(max_weight = 10, weigher = by_len)]
fn word(n: u64) -> String {
    "w".repeat(n as usize)
}

#[test]
fn max_weight_with_a_weigher_function() {
    for n in [4, 4, 3, 3, 5] {
        assert_eq!(word(n).len(), n as usize);
    }
    // 4 + 3 fit; 5 evicts 4 (least recently used): 3 + 5 = 8 <= 10.
    let info = word::cache_info();
    assert_eq!((info.hits, info.misses, info.currsize), (2, 3, 2));
    assert_eq!(word(4).len(), 4); // evicted: 3 + 5 + 4 > 10 evicts 3 now
    assert_eq!(word(5).len(), 5);
    assert_eq!(word::cache_info().hits, 3);
    let params = word::cache_parameters();
    assert_eq!((params.maxsize, params.unit), (Some(10), SizeUnit::Weight));
    assert_eq!(
        params.to_string(),
        "CacheParameters(maxsize=10, unit=weight, policy=LruCache)"
    );
}

/// A non-capturing closure with its argument types inferred from the memo's key and value.
#[evict::memoize(policy = evict::S3FifoCache, max_weight = 3, weigher = |_, _| 1)]
fn unit_weight(n: u64) -> u64 {
    n
}

#[test]
fn max_weight_with_a_closure_on_a_chosen_policy() {
    for n in 0..10 {
        assert_eq!(unit_weight(n), n);
    }
    let info = unit_weight::cache_info();
    assert_eq!((info.misses, info.maxsize, info.currsize), (10, Some(3), 3));
    assert_eq!(unit_weight::cache_parameters().policy, "evict::S3FifoCache");
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    name: String,
    tags: Vec<String>,
}

impl ByteSize for Record {
    fn heap_bytes(&self) -> usize {
        self.name.heap_bytes() + self.tags.heap_bytes()
    }
}

#[evict::memoize(policy = evict::SieveCache, max_bytes = 64 << 10)]
fn record(id: u32, name: &str) -> Record {
    Record {
        name: format!("{name}{id}"),
        tags: vec![String::from("tag"); (id % 7) as usize],
    }
}

#[test]
fn max_bytes_counts_a_type_of_yours_through_byte_size() {
    let mut weights = Vec::new();
    for id in 0..2000 {
        let r = record(id, "user");
        let key = (id, String::from("user"));
        weights.push(evict::byte_weight(&key, &r));
    }
    let info = record::cache_info();
    assert_eq!(info.maxsize, Some(64 << 10));
    // Every entry weighs at least the lightest: the count is bounded by the budget.
    let lightest = *weights.iter().min().unwrap();
    assert!(info.currsize as u64 * lightest <= 64 << 10, "{info}");
    assert!(info.currsize > 100, "{info}");
}

static SHARDED_RUNS: AtomicU64 = AtomicU64::new(0);

#[evict::memoize(policy = evict::S3FifoCache, max_bytes = 1 << 16, shards = 4)]
fn sharded_blob(n: usize) -> Vec<u8> {
    SHARDED_RUNS.fetch_add(1, Ordering::Relaxed);
    vec![1; 100 + n % 400]
}

#[test]
fn sharded_byte_budget_is_split_over_the_shards() {
    std::thread::scope(|s| {
        for t in 0..2 {
            s.spawn(move || {
                for n in 0..2000 {
                    let n = n * 2 + t;
                    assert_eq!(sharded_blob(n).len(), 100 + n % 400);
                }
            });
        }
    });
    let info = sharded_blob::cache_info();
    assert_eq!(info.misses, 4000);
    assert_eq!(info.maxsize, Some(1 << 16));
    // Each entry weighs at least 8 + 24 + 100 bytes: at most 65536 / 132 of them.
    assert!(info.currsize <= (1 << 16) / 132, "{info}");
    assert!(info.currsize >= 50, "{info}");
    let params = sharded_blob::cache_parameters();
    assert_eq!((params.shards, params.unit), (Some(4), SizeUnit::Bytes));
    // A new key, then a hit on it.
    let _ = sharded_blob(10_000);
    let _ = sharded_blob(10_000);
    assert_eq!(SHARDED_RUNS.load(Ordering::Relaxed), 4001);
    assert_eq!(sharded_blob::cache_info().hits, 1);
}

/// A generic function: one weighted cache per instantiation.
#[evict::lru_cache(max_bytes = 256)]
fn generic_bytes<T: Clone + std::hash::Hash + Eq + Send + ByteSize + 'static>(x: T) -> T {
    x
}

#[test]
fn generic_functions_with_a_byte_budget() {
    for i in 0..100u64 {
        assert_eq!(generic_bytes(i), i);
    }
    // (u64,) -> u64 weighs 16 bytes: 16 of them fit in 256.
    assert_eq!(generic_bytes::cache_info().currsize, 16);
    assert_eq!(generic_bytes(String::from("a")), "a");
    assert_eq!(generic_bytes::cache_info().currsize, 17);
}
