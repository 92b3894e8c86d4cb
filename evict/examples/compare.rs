//! Every policy compiled into the facade, on the same skewed workload: "get; on a miss, put",
//! as a memoized function would be driven. Prints each policy's `CacheInfo`.
//!
//! ```sh
//! cargo run --release -p evict --example compare --features full
//! ```

use evict::Cache;

/// A log-uniform key stream (about Zipf with exponent 1) over `keys` keys, from a fixed
/// seed, so every policy sees the same requests (evict's SplitMix64 generator).
fn workload(requests: usize, keys: u64, seed: u64) -> Vec<u64> {
    let mut rng = evict_slots::SplitMix64::new(seed);
    (0..requests)
        .map(|_| ((keys as f64).powf(rng.next_f64()) as u64).saturating_sub(1))
        .collect()
}

/// A policy's registry name and a cache of it, chosen at run time through the trait.
type Named = (&'static str, Box<dyn Cache<u64, u64>>);

// Each push is behind its own feature, so `vec![...]` cannot express the list.
#[allow(clippy::vec_init_then_push)]
fn policies(capacity: usize) -> Vec<Named> {
    let mut all: Vec<Named> = Vec::new();
    #[cfg(feature = "unbounded")]
    all.push(("unbounded", Box::new(evict::UnboundedCache::new())));
    #[cfg(feature = "lru")]
    all.push(("lru", Box::new(evict::LruCache::new(capacity))));
    #[cfg(feature = "fifo")]
    all.push(("fifo", Box::new(evict::FifoCache::new(capacity))));
    #[cfg(feature = "random")]
    all.push((
        "random",
        Box::new(evict::RandomCache::with_seed(capacity, 1)),
    ));
    #[cfg(feature = "clock")]
    all.push(("clock", Box::new(evict::ClockCache::new(capacity))));
    #[cfg(feature = "sieve")]
    all.push(("sieve", Box::new(evict::SieveCache::new(capacity))));
    #[cfg(feature = "s3fifo")]
    all.push(("s3fifo", Box::new(evict::S3FifoCache::new(capacity))));
    #[cfg(feature = "arc")]
    all.push(("arc", Box::new(evict::ArcCache::new(capacity))));
    #[cfg(feature = "wtinylfu")]
    all.push(("wtinylfu", Box::new(evict::WTinyLfuCache::new(capacity))));
    let _ = capacity;
    all
}

fn main() {
    let (requests, keys, capacity) = (1_000_000, 100_000, 1_000);
    let trace = workload(requests, keys, 42);
    println!("{requests} requests over {keys} keys (log-uniform), capacity {capacity}\n");
    let all = policies(capacity);
    if all.is_empty() {
        println!("no policy compiled in: enable a feature, e.g. --features full");
        return;
    }
    for (name, mut cache) in all {
        for &key in &trace {
            if cache.get(&key).is_none() {
                let _ = cache.put(key, key);
            }
        }
        let info = cache.info();
        println!(
            "{name:>10}  {info}  hit ratio {:.2}%",
            100.0 * info.hit_ratio()
        );
    }
}
