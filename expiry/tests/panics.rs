//! A short put (time to live alone, no listener) cut short by a panic in user code after the
//! policy stored the new entry and before the entry was given its timer: the entry is never
//! answered past its deadline, and the next write gives it a timer again, so that the
//! cache's invariants hold and it is reclaimed as any other.

use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

use evict_core::Cache;
use evict_expiry::{Builder, ManualClock};
use evict_lru::LruCache;
use evict_s3fifo::S3FifoCache;

/// When set, dropping a `Key` marked `bomb` panics (once: the flag is cleared first).
static ARMED: AtomicBool = AtomicBool::new(false);

#[derive(Clone, Debug)]
struct Key {
    id: u32,
    bomb: bool,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        if self.bomb && ARMED.swap(false, Relaxed) {
            panic!("key {} dropped", self.id);
        }
    }
}

fn key(id: u32) -> Key {
    Key { id, bomb: false }
}

fn check<C: Cache<Key, evict_expiry::Entry<u64>>>(inner: C) {
    let clock = ManualClock::new();
    let ttl = Duration::from_secs(10);
    let mut cache = Builder::with_clock(clock.clone())
        .time_to_live(ttl)
        .build(inner);
    for id in 0..4 {
        let _ = cache.put(key(id), u64::from(id));
    }
    clock.advance(Duration::from_secs(1));
    // A replacement: the policy stores the new value, then drops the spare key it was
    // given (the one that panics), before the expiring cache gives the entry its timer.
    ARMED.store(true, Relaxed);
    let put = catch_unwind(AssertUnwindSafe(|| {
        cache.put(Key { id: 2, bomb: true }, 20)
    }));
    assert!(put.is_err(), "the key's drop panicked");
    assert!(!ARMED.load(Relaxed));
    // Alive until its deadline (at most a coarse tick early), never after it.
    assert_eq!(cache.get(&key(2)), Some(&20));
    clock.advance(ttl);
    assert_eq!(cache.get(&key(2)), None);
    // The next write mends the timers: one per entry again.
    let _ = cache.put(key(9), 9);
    cache.check_invariants();
    clock.advance(ttl);
    let _ = cache.purge_expired();
    assert!(cache.is_empty(), "{} left", cache.len());
    cache.check_invariants();
}

#[test]
fn a_put_cut_short_by_a_panic_leaves_no_entry_without_a_timer() {
    check(LruCache::new(8));
    check(S3FifoCache::new(8));
}
