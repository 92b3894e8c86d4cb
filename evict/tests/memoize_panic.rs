//! A body that panics for one argument: the panic reaches the caller, the call counts as the
//! miss it was (Python counts the miss before calling, and an exception does not undo it),
//! nothing is stored for that argument, every other argument still caches, and no later call
//! panics on a poisoned lock.

#![cfg(feature = "macros")]

use std::panic;

#[evict::lru_cache(maxsize = 8)]
fn fragile(n: u64) -> u64 {
    assert!(n != 13, "unlucky argument");
    if n == 0 { 0 } else { n + fragile(n - 1) }
}

#[test]
fn a_panicking_body_leaves_the_cache_consistent() {
    assert_eq!(fragile(3), 6); // misses 3, 2, 1, 0
    assert_eq!(fragile(3), 6); // hit
    let before = fragile::cache_info();
    assert_eq!(
        before.to_string(),
        "CacheInfo(hits=1, misses=4, maxsize=8, currsize=4)"
    );

    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let direct = panic::catch_unwind(|| fragile(13));
    // 15 -> 14 -> 13 panics in a nested call: 15 and 14 are left uncomputed too.
    let nested = panic::catch_unwind(|| fragile(15));
    panic::set_hook(quiet);
    assert!(direct.is_err() && nested.is_err());

    let after = fragile::cache_info();
    assert_eq!(after.misses, before.misses + 1 + 3, "13, then 15, 14, 13");
    assert_eq!(after.hits, before.hits);
    assert_eq!(
        after.currsize, before.currsize,
        "nothing stored for the failed calls"
    );

    // Later calls work, cache, and count as before.
    assert_eq!(fragile(3), 6);
    assert_eq!(fragile(5), 15); // misses 5, 4; hit 3
    assert_eq!(fragile(5), 15);
    assert_eq!(
        fragile::cache_info().to_string(),
        format!(
            "CacheInfo(hits={}, misses={}, maxsize=8, currsize=6)",
            after.hits + 3,
            after.misses + 2
        )
    );
    fragile::cache_clear();
    assert_eq!(
        fragile::cache_info().to_string(),
        "CacheInfo(hits=0, misses=0, maxsize=8, currsize=0)"
    );
}

/// A key whose `Hash` panics while the cache's lock is held poisons the mutex; the memo
/// recovers it instead of panicking on every later call.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Touchy(u32);

impl std::hash::Hash for Touchy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        assert!(self.0 != 666, "hash of the beast");
        self.0.hash(state);
    }
}

#[evict::cache]
fn touchy(key: Touchy) -> u32 {
    key.0 * 2
}

#[test]
fn a_poisoned_lock_is_recovered() {
    assert_eq!(touchy(Touchy(1)), 2);
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let poisoned = panic::catch_unwind(|| touchy(Touchy(666)));
    panic::set_hook(quiet);
    assert!(poisoned.is_err());
    assert_eq!(touchy(Touchy(1)), 2);
    assert_eq!(touchy(Touchy(2)), 4);
    assert_eq!(
        touchy::cache_info().to_string(),
        "CacheInfo(hits=1, misses=2, maxsize=None, currsize=2)"
    );
}

/// A key whose `Hash` panics once, on demand (issue 15's reproduction, through the macro).
#[derive(Clone, Debug, PartialEq, Eq)]
struct OnceTouchy(u64);

static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl std::hash::Hash for OnceTouchy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if self.0 == 3 && ARMED.swap(false, std::sync::atomic::Ordering::SeqCst) {
            panic!("Hash of OnceTouchy(3)");
        }
        self.0.hash(state);
    }
}

#[evict::lru_cache(maxsize = 8)]
fn square(k: OnceTouchy) -> u64 {
    k.0 * k.0
}

#[test]
fn a_hash_panic_while_the_cache_rebuilds_leaves_every_other_key_working() {
    for k in 0..7 {
        assert_eq!(square(OnceTouchy(k)), k * k);
    }
    // The 8th key fills the cache, and filling rebuilds the key index, which hashes the
    // cached key 3 again: that hash panics. (Before issue 15's fix the index kept only part
    // of the entries and the next calls panicked with "slot N is not indexed".)
    ARMED.store(true, std::sync::atomic::Ordering::SeqCst);
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let filling = panic::catch_unwind(|| square(OnceTouchy(7)));
    panic::set_hook(quiet);
    let armed_left = ARMED.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        filling.is_err() && !armed_left,
        "the filling call rehashed key 3, and that hash panicked"
    );
    for round in 0..3 {
        for k in 0..20 {
            assert_eq!(square(OnceTouchy(k)), k * k, "round {round}, key {k}");
        }
    }
    let info = square::cache_info();
    assert!(info.currsize <= 8, "{info}");
}
