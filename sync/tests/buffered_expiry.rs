//! `BufferedHits` over an expiring shard: a hit answered under the shared lock still refreshes
//! the entry's time to idle (the expiring shard records it through `&self`), and an expired
//! entry is a miss; only the policy's reordering waits in the lossy buffer.

use std::time::Duration;

use evict_expiry::{ExpiringCache, ManualClock};
use evict_lru::LruCache;
use evict_sync::{BufferedHits, ConcurrentCache};

#[test]
fn shared_hits_through_buffered_hits_refresh_time_to_idle() {
    let clock = ManualClock::new();
    let cache = ConcurrentCache::builder(100).shards(1).build(|capacity| {
        BufferedHits::new(
            ExpiringCache::builder()
                .time_to_idle(Duration::from_secs(5))
                .clock(clock.clone())
                .build(LruCache::new(capacity)),
        )
    });
    let _ = cache.put(1u32, "one");
    // Read every 2 s for 20 s: each read is within 5 s of the last, so the entry stays.
    for _ in 0..10 {
        clock.advance(Duration::from_secs(2));
        assert_eq!(
            cache.get(&1),
            Some("one"),
            "time to idle not refreshed by a shared hit"
        );
    }
    // Then left idle for 5 s: expired, a miss.
    clock.advance(Duration::from_secs(5));
    assert_eq!(cache.get(&1), None);
    let info = cache.info();
    assert_eq!((info.hits, info.misses), (10, 1));
}
