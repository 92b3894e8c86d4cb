//! The cost of a cache hit through `#[evict::lru_cache]` and `#[evict::cache]`, next to the
//! same lookup done by hand (a `Mutex<LruCache>`, an unlocked `LruCache`), a bare
//! `std::collections::HashMap` lookup, and the floor of any cache shared between threads (an
//! uncontended lock and unlock with nothing inside; one bare compare-exchange), all in one run
//! so the ratios are meaningful.
//!
//! ```text
//! cargo bench -p evict-macros --bench hit
//! ```
//!
//! Compare with Python's `lru_cache` hit on the same machine:
//!
//! ```text
//! python3 -m timeit -s 'from functools import lru_cache' \
//!     -s $'@lru_cache(maxsize=128)\ndef f(n): return n' 'f(7)'
//! ```

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use evict::{Cache, LruCache};

#[evict::lru_cache(maxsize = 128)]
fn lru_identity(n: u64) -> u64 {
    n
}

#[evict::cache]
fn unbounded_identity(n: u64) -> u64 {
    n
}

fn hits(c: &mut Criterion) {
    let mut g = c.benchmark_group("hit");
    // Warm the caches: every measured call below is a hit.
    for n in 0..100 {
        lru_identity(n);
        unbounded_identity(n);
    }
    g.bench_function("#[lru_cache(maxsize = 128)] fn", |b| {
        b.iter(|| lru_identity(black_box(7)))
    });
    g.bench_function("#[cache] fn", |b| {
        b.iter(|| unbounded_identity(black_box(7)))
    });

    let locked: Mutex<LruCache<(u64,), u64>> = Mutex::new(LruCache::new(128));
    let mut unlocked: LruCache<(u64,), u64> = LruCache::new(128);
    let mut map: HashMap<u64, u64> = HashMap::new();
    for n in 0..100 {
        let _ = locked.lock().unwrap().put((n,), n);
        let _ = unlocked.put((n,), n);
        map.insert(n, n);
    }
    g.bench_function("Mutex<LruCache> by hand", |b| {
        b.iter(|| *locked.lock().unwrap().get(&(black_box(7),)).unwrap())
    });
    g.bench_function("LruCache::get, no lock", |b| {
        b.iter(|| *unlocked.get(&(black_box(7),)).unwrap())
    });
    g.bench_function("std HashMap::get (SipHash)", |b| {
        b.iter(|| *map.get(&black_box(7)).unwrap())
    });
    // The floor of any cache shared by all threads: one uncontended lock and unlock with
    // nothing inside. A hit through the attribute cannot cost less than this plus a lookup.
    let empty = Mutex::new(0u64);
    g.bench_function("Mutex lock + unlock alone", |b| {
        b.iter(|| *empty.lock().unwrap() + black_box(0))
    });
    // The cheapest possible lock: one compare-exchange to take it, a plain store to give it
    // back (a spin lock, which never parks).
    let flag = AtomicBool::new(false);
    g.bench_function("one compare_exchange + store alone", |b| {
        b.iter(|| {
            let taken = flag
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok();
            flag.store(false, Ordering::Release);
            black_box(taken)
        })
    });
    g.finish();

    // The counters prove that the measured calls were hits.
    let info = lru_identity::cache_info();
    assert_eq!(info.misses, 100);
    assert!(info.hits > 0);
}

criterion_group!(benches, hits);
criterion_main!(benches);
