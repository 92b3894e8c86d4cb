//! How many times a hit hashes its key: once when the shards take the cache's hasher
//! (`ConcurrentCache::new(n, Policy::with_hasher)`, `Builder::build_hashed`), twice when each
//! shard keeps a hasher of its own (`ConcurrentCache::new(n, Policy::new)`). Counted by a key
//! whose `Hash` counts its calls on the calling thread.

use evict_harness::hash_count::{HashCounted as Counted, hashes};
use evict_sync::{ConcurrentCache, Shard};

/// Hashes per hit through `get`, `get_with` and `get_or_insert_with`, after one put of
/// every key (which settles each shard's check of its hasher). (`peek` and `contains` hash
/// twice either way: `Shard` has no lookup by hash that leaves the policy untouched.)
fn hashes_per_hit<C>(cache: &ConcurrentCache<Counted, u64, C>) -> [u32; 3]
where
    C: Shard<Counted, u64>,
{
    for k in 0..64 {
        let _ = cache.put(Counted(k), k);
    }
    let k = Counted(17);
    [
        hashes(|| assert_eq!(cache.get(&k), Some(17))),
        hashes(|| assert_eq!(cache.get_with(&k, |v| *v), Some(17))),
        hashes(|| assert_eq!(cache.get_or_insert_with(k.clone(), || 0), 17)),
    ]
}

#[test]
fn a_hit_hashes_its_key_once_when_the_shards_take_the_cache_hasher() {
    let once = [1, 1, 1];
    let s3fifo = ConcurrentCache::new(1000, evict_s3fifo::S3FifoCache::with_hasher);
    assert_eq!(hashes_per_hit(&s3fifo), once, "S3-FIFO");
    let sieve = ConcurrentCache::new(1000, evict_sieve::SieveCache::with_hasher);
    assert_eq!(hashes_per_hit(&sieve), once, "SIEVE");
    let clock = ConcurrentCache::new(1000, evict_clock::ClockCache::with_hasher);
    assert_eq!(hashes_per_hit(&clock), once, "CLOCK");
    let fifo = ConcurrentCache::new(1000, evict_fifo::FifoCache::with_hasher);
    assert_eq!(hashes_per_hit(&fifo), once, "FIFO");
    let built = ConcurrentCache::builder(1000)
        .shards(8)
        .build_hashed(evict_s3fifo::S3FifoCache::with_hasher);
    assert_eq!(hashes_per_hit(&built), once, "S3-FIFO, build_hashed");
    assert_eq!(built.shards_hashing_once(), 8);
}

/// The cost the docs state for a constructor that keeps its own hasher (and so what
/// `with_hasher` saves).
#[test]
fn a_hit_hashes_its_key_twice_when_each_shard_keeps_its_own_hasher() {
    let s3fifo = ConcurrentCache::new(1000, evict_s3fifo::S3FifoCache::new);
    assert_eq!(hashes_per_hit(&s3fifo), [2, 2, 2]);
    assert_eq!(s3fifo.shards_hashing_once(), 0);
}
