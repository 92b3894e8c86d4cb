//! A hit on a concurrent memo (`shards = ...`) whose policy's hits share the shard's lock
//! hashes the call's key once: the shards are built with the memo's hasher
//! (`__private::ShardOf`). Counted by a key whose `Hash` counts its calls on this thread.

#![cfg(all(
    feature = "macros",
    feature = "sync",
    feature = "s3fifo",
    feature = "sieve"
))]

use evict_harness::hash_count::{HashCounted as Counted, hashes};

#[evict::memoize(policy = evict::S3FifoCache, maxsize = 1000, shards = 4)]
fn double_s3fifo(k: Counted) -> u64 {
    k.0 * 2
}

#[evict::memoize(policy = evict::SieveCache, maxsize = 1000, shards = 4, single_flight = true)]
fn double_sieve(k: Counted) -> u64 {
    k.0 * 2
}

/// LRU's hit takes the shard's exclusive lock, and the shard hashes the key itself.
#[evict::lru_cache(maxsize = 1000, shards = 4)]
fn double_lru(k: Counted) -> u64 {
    k.0 * 2
}

#[test]
fn a_concurrent_memo_hit_hashes_its_key_once() {
    assert_eq!(double_s3fifo(Counted(21)), 42);
    assert_eq!(hashes(|| assert_eq!(double_s3fifo(Counted(21)), 42)), 1);
    assert_eq!(double_s3fifo::cache_info().hits, 1);

    assert_eq!(double_sieve(Counted(21)), 42);
    assert_eq!(hashes(|| assert_eq!(double_sieve(Counted(21)), 42)), 1);

    assert_eq!(double_lru(Counted(21)), 42);
    assert_eq!(hashes(|| assert_eq!(double_lru(Counted(21)), 42)), 2);
}
