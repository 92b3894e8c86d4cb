//! The everyday tasks a new user tries first (issue 10), written the obvious way against the
//! facade, each checking that `cache_info()` stays exact. Every one of them failed to compile,
//! or gave wrong statistics, before the complete API.

#![cfg(all(
    feature = "lru",
    feature = "s3fifo",
    feature = "arc",
    feature = "unbounded",
    feature = "wtinylfu"
))]

use evict::{ArcCache, Cache, Fetched, LruCache, Put, S3FifoCache, UnboundedCache};

fn info<C: Cache<K, V> + ?Sized, K, V>(cache: &C) -> String {
    cache.info().to_string()
}

/// `String` keys looked up by `&str`: no `String` is built per lookup.
#[test]
fn borrowed_str_lookups() {
    let mut cache: LruCache<String, Vec<u8>> = LruCache::new(4);
    let _ = cache.put("alpha".to_string(), vec![1]);
    let _ = cache.put("beta".to_string(), vec![2]);
    assert_eq!(cache.get("alpha"), Some(&vec![1]));
    assert_eq!(cache.get("gamma"), None);
    assert_eq!(cache.peek("beta"), Some(&vec![2]));
    assert!(cache.contains("beta"));
    assert!(!cache.contains("gamma"));
    assert_eq!(cache.remove("beta"), Some(vec![2]));
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=1, misses=1, maxsize=4, currsize=1)"
    );
}

/// Change a value in place: `get_mut` counts and promotes like `get`, `peek_mut` does
/// neither.
#[test]
fn get_mut_and_peek_mut() {
    let mut cache = LruCache::new(2);
    let _ = cache.put("a", 1);
    let _ = cache.put("b", 2);
    *cache.get_mut("a").unwrap() += 10; // "a" becomes the most recent
    *cache.peek_mut("b").unwrap() += 20; // "b" stays the least recent
    assert_eq!(cache.get_mut("zzz"), None);
    assert_eq!(cache.put("c", 3), Put::Evicted("b", 22));
    assert_eq!(cache.peek("a"), Some(&11));
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=1, misses=1, maxsize=2, currsize=2)"
    );
}

/// `get_or_insert_with`: a miss runs the closure once, a hit not at all, and the counters
/// say one miss and one hit, as Python's `lru_cache` would.
#[test]
fn get_or_insert_with_keeps_statistics_exact() {
    let mut cache: LruCache<u64, String> = LruCache::new(2);
    let mut calls = 0;
    let mut load = |k: u64| {
        calls += 1;
        format!("value {k}")
    };
    assert_eq!(cache.get_or_insert_with(7, || load(7)).as_str(), "value 7");
    assert_eq!(cache.get_or_insert_with(7, || load(7)).as_str(), "value 7");
    assert_eq!(calls, 1);
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=1, misses=1, maxsize=2, currsize=1)"
    );
    // A full cache hands back what it evicted; nothing is lost silently.
    let _ = cache.get_or_insert_with(8, || "eight".into());
    match cache.get_or_insert_with(9, || "nine".into()) {
        Fetched::Evicted(value, k, v) => {
            assert_eq!(value.as_str(), "nine");
            assert_eq!((k, v.as_str()), (7, "value 7"));
        }
        other => panic!("expected an eviction, got {other:?}"),
    }
    // Capacity 0 keeps nothing, but the caller still gets the value.
    let mut none: LruCache<u64, String> = LruCache::new(0);
    let fetched = none.get_or_insert_with(1, || "one".into());
    assert!(!fetched.is_cached());
    assert_eq!(fetched.into_value(), "one");
    assert_eq!(
        info(&none),
        "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)"
    );
}

/// A loader that fails inserts nothing; the miss is counted, as Python counts a call that
/// raised.
#[test]
fn try_get_or_insert_with_inserts_nothing_on_error() {
    let mut cache: LruCache<&str, u32> = LruCache::new(4);
    let failed: Result<Fetched<'_, &str, u32>, String> =
        cache.try_get_or_insert_with("port", || "not a number".parse().map_err(|_| "bad".into()));
    assert_eq!(failed.unwrap_err(), "bad");
    assert!(!cache.contains("port"));
    let ok = cache.try_get_or_insert_with("port", || "8080".parse::<u32>());
    assert_eq!(*ok.unwrap(), 8080);
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=0, misses=2, maxsize=4, currsize=1)"
    );
}

/// Every way of walking a cache, in its documented order, counting nothing.
#[test]
fn iteration() {
    let mut cache = LruCache::new(3);
    for k in 1..=3 {
        let _ = cache.put(k, k * 10);
    }
    let _ = cache.get(&1);
    let mut seen = Vec::new();
    for (k, v) in &cache {
        seen.push((*k, *v));
    }
    assert_eq!(seen, [(1, 10), (3, 30), (2, 20)]); // most to least recently used
    let oldest_first: Vec<_> = cache.iter().rev().map(|(k, _)| *k).collect();
    assert_eq!(oldest_first, [2, 3, 1]);
    for (_, v) in cache.iter_mut() {
        *v += 1;
    }
    for v in &mut cache.values_mut() {
        *v += 1;
    }
    assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [1, 3, 2]);
    assert_eq!(cache.values().copied().collect::<Vec<_>>(), [12, 32, 22]);
    for (_, v) in &mut cache {
        *v -= 2;
    }
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=1, misses=0, maxsize=3, currsize=3)"
    );
    let drained: Vec<_> = cache.drain().collect();
    assert_eq!(drained, [(1, 10), (3, 30), (2, 20)]);
    assert!(cache.is_empty());
    // Statistics survive a drain (only `clear` resets them, as `cache_clear()`).
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=1, misses=0, maxsize=3, currsize=0)"
    );
    let _ = cache.put(5, 50);
    let owned: Vec<_> = cache.into_iter().collect();
    assert_eq!(owned, [(5, 50)]);
}

/// S3-FIFO, ARC and a `Box<dyn Cache>` list their entries too.
#[test]
fn every_policy_lists_its_entries() {
    let mut s3: S3FifoCache<u32, u32> = S3FifoCache::new(10);
    let mut arc: ArcCache<u32, u32> = ArcCache::new(10);
    for k in 0..5 {
        let _ = s3.put(k, k);
        let _ = arc.put(k, k);
    }
    let mut keys: Vec<_> = s3.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    assert_eq!(keys, [0, 1, 2, 3, 4]);
    let mut keys: Vec<_> = arc.keys().copied().collect();
    keys.sort_unstable();
    assert_eq!(keys, [0, 1, 2, 3, 4]);

    let mut boxed: Box<dyn Cache<u32, u32>> = Box::new(LruCache::new(2));
    let _ = boxed.put(1, 1);
    let _ = boxed.put(2, 2);
    let listed: Vec<_> = boxed.entries().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(listed, [(2, 2), (1, 1)]);
}

/// Capacity is no longer fixed forever: `resize` hands back what it evicts, in the policy's
/// order; `pop` / `pop_lru` evict one entry on demand; `peek_victim` shows it first.
#[test]
fn resize_and_pop() {
    let mut cache = LruCache::new(4);
    for k in 1..=4 {
        let _ = cache.put(k, k);
    }
    assert_eq!(cache.peek_victim(), Some((&1, &1)));
    assert_eq!(cache.pop_lru(), Some((1, 1)));
    assert_eq!(cache.pop(), Some((2, 2)));
    assert_eq!(cache.resize(1), vec![(3, 3)]);
    assert_eq!(cache.capacity(), Some(1));
    assert_eq!(cache.resize(8), vec![]);
    assert_eq!(cache.capacity(), Some(8));
    assert_eq!(cache.resize(0), vec![(4, 4)]);
    assert_eq!(cache.put(9, 9), Put::Rejected(9, 9));
    assert_eq!(
        info(&cache),
        "CacheInfo(hits=0, misses=0, maxsize=0, currsize=0)"
    );
    // A cache that never evicts has nothing to pop and no capacity to change.
    let mut unbounded = UnboundedCache::new();
    let _ = unbounded.put(1, 1);
    assert_eq!(unbounded.pop(), None);
    assert!(unbounded.resize(0).is_empty());
    assert_eq!(unbounded.capacity(), None);
    assert_eq!(unbounded.len(), 1);
}

/// A thread-shareable trait object is a cache, and prints its entries.
#[test]
fn boxed_send_sync_cache_is_usable_and_debug() {
    fn make(policy: &str) -> Box<dyn Cache<String, u32> + Send + Sync> {
        match policy {
            "arc" => Box::new(ArcCache::new(8)),
            _ => Box::new(LruCache::new(8)),
        }
    }
    let mut cache = make("lru");
    let _ = cache.put("a".into(), 1);
    assert_eq!(cache.get(&"a".to_string()), Some(&1));
    let value = cache.get_or_insert_with("b".into(), || 2);
    assert_eq!(*value, 2);
    let printed = format!("{cache:?}");
    assert!(printed.contains("\"a\": 1"), "{printed}");
    assert!(printed.contains("hits: 1"), "{printed}");
    let handle = std::thread::spawn(move || cache.len());
    assert_eq!(handle.join().unwrap(), 2);
    let arc = make("arc");
    assert_eq!(arc.capacity(), Some(8));
}

/// Every public type a user may need to name is reachable through the facade.
#[test]
fn facade_names_the_types() {
    fn first_key(iter: evict::lru::Iter<'_, u8, u8>) -> Option<u8> {
        iter.map(|(k, _)| *k).next()
    }
    let mut cache: LruCache<u8, u8, evict::DefaultHashBuilder> =
        LruCache::with_hasher(2, evict::DefaultHashBuilder::default());
    let _ = cache.put(1, 1);
    assert_eq!(first_key(cache.iter()), Some(1));
    let _: evict::s3fifo::Iter<'_, u8, u8>;
    let _: evict::arc::Iter<'_, u8, u8>;
    let _: evict::wtinylfu::Iter<'_, u8, u8>;
    let _: evict::unbounded::Iter<'_, u8, u8>;
}

/// `Extend` puts every pair (evicting as `put` does); an unbounded cache can be collected.
#[test]
fn extend_and_collect() {
    let mut cache = LruCache::new(2);
    cache.extend([(1, 1), (2, 2), (3, 3)]);
    assert_eq!(cache.keys().copied().collect::<Vec<_>>(), [3, 2]);
    let unbounded: UnboundedCache<u32, u32> = (0..5).map(|k| (k, k)).collect();
    assert_eq!(unbounded.len(), 5);
    assert_eq!(
        info(&unbounded),
        "CacheInfo(hits=0, misses=0, maxsize=None, currsize=5)"
    );
}
