//! Weighted shards: one budget across the shards, and exactly which entries are refused.

use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;
use evict_slots::SplitMix64;
use evict_sync::{ConcurrentCache, Put};

// A weigher takes `&V`, and `V` here is `Vec<u8>`.
#[allow(clippy::ptr_arg)]
fn weigh(_: &u64, v: &Vec<u8>) -> u64 {
    v.len() as u64
}

#[test]
fn total_weight_stays_within_the_budget_under_threads() {
    let cache = ConcurrentCache::builder(64 << 10)
        .shards(8)
        .build(|share| S3FifoCache::with_weigher(share as u64, weigh));
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let cache = &cache;
            s.spawn(move || {
                let mut rng = SplitMix64::new(t + 1);
                for _ in 0..5_000 {
                    let key = rng.next_u64() % 2_000;
                    let len = (rng.next_u64() % 3_000) as usize;
                    let _ = cache.put(key, vec![0; len]);
                    let _ = cache.get(&key);
                }
            });
        }
    });
    assert!(
        cache.weight() <= 64 << 10,
        "weight {} over the budget",
        cache.weight()
    );
    let summed: u64 = cache.snapshot().iter().map(|(k, v)| weigh(k, v)).sum();
    assert_eq!(
        summed,
        cache.weight(),
        "weight() is the weigher's sum over the entries"
    );
}

#[test]
fn an_entry_up_to_the_shard_capacity_is_always_kept_and_a_heavier_one_comes_back() {
    let cache = ConcurrentCache::builder(8_000)
        .shards(8)
        .build(|share| LruCache::with_weigher(share as u64, weigh));
    let share = cache.shard_capacity().expect("bounded");
    assert_eq!(share, 1_000);
    for key in 0..100 {
        assert!(cache.put(key, vec![1; share]).is_kept(), "key {key}");
    }
    // Heavier than a shard's share but within the total: refused, and handed back whole.
    match cache.put(1_000, vec![2; share + 1]) {
        Put::Rejected(key, value) => assert_eq!((key, value.len()), (1_000, share + 1)),
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(!cache.contains(&1_000));
}

#[test]
fn max_entry_weight_fits_the_shard_count_to_the_heaviest_entry() {
    let cache = ConcurrentCache::builder(8_000)
        .shards(8)
        .max_entry_weight(3_000)
        .build(|share| LruCache::with_weigher(share as u64, weigh));
    assert_eq!(cache.shards(), 2);
    assert_eq!(cache.shard_capacity(), Some(4_000));
    assert!(cache.put(7, vec![0; 3_000]).is_kept());
    // The whole budget in one shard: anything that fits the total is kept.
    let whole = ConcurrentCache::builder(8_000)
        .max_entry_weight(8_000)
        .build(|share| LruCache::with_weigher(share as u64, weigh));
    assert_eq!(whole.shards(), 1);
    assert!(whole.put(7, vec![0; 8_000]).is_kept());
    assert!(!whole.put(8, vec![0; 8_001]).is_kept());
}
