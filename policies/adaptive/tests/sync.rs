//! The adaptive cache as the shard of `evict-sync`'s concurrent cache: each shard chooses its
//! own policy from its own requests.

use evict_adaptive::AdaptiveCache;
use evict_sync::ConcurrentCache;

#[test]
fn shards_of_a_concurrent_cache() {
    let cache = ConcurrentCache::new(2_000, AdaptiveCache::new);
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let cache = &cache;
            s.spawn(move || {
                for i in 0..20_000u64 {
                    // A loop per thread over 3,000 keys, shared by all threads.
                    let k = (i * 7 + t) % 3_000;
                    assert_eq!(cache.get_or_insert_with(k, || k * 10), k * 10);
                }
            });
        }
    });
    let info = cache.info();
    assert_eq!(info.hits + info.misses, 80_000);
    assert!(info.currsize <= 2_000, "{info}");
    assert!(info.hits > 0, "{info}");
}
