//! Debug: windowed hit ratios of the adaptive cache and of the three pure policies on one
//! key file at one size, with the adaptive cache's switches.
//!
//!     [SEED=N] cargo run --release -p evict-adaptive --example timeline -- FILE.i64be PERCENT [WINDOW]
//!
//! `SEED` is the hasher seed (which keys the miniatures sample), as `cells`'s `seed=N`.

use evict_adaptive::{AdaptiveCache, Cache};
use std::collections::HashSet;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bytes = std::fs::read(&args[0]).expect("file");
    let keys: Vec<u64> = bytes
        .chunks_exact(8)
        .map(|c| u64::from_be_bytes(c.try_into().expect("8")))
        .collect();
    let distinct = keys.iter().collect::<HashSet<_>>().len();
    let size = distinct * args[1].parse::<usize>().expect("pct") / 100;
    let window: usize = args.get(2).map_or(10_000, |w| w.parse().expect("window"));
    let seed: u64 = std::env::var("SEED")
        .ok()
        .map_or(0x5eed_cafe, |s| s.parse().expect("SEED"));
    let h = || foldhash::fast::FixedState::with_seed(seed);
    let mut a = AdaptiveCache::with_hasher(size, h());
    let mut others: Vec<Box<dyn Cache<u64, ()>>> = vec![
        Box::new(evict_s3fifo::S3FifoCache::with_hasher(size, h())),
        Box::new(evict_wtinylfu::WTinyLfuCache::with_hasher(size, h())),
        Box::new(evict_lru::LruCache::with_hasher(size, h())),
    ];
    let mut hits = [0u64; 4];
    let mut last = a.policy();
    println!("size {size}, miniature {:?}", a.miniature());
    for (t, &k) in keys.iter().enumerate() {
        if a.get(&k).is_some() {
            hits[0] += 1;
        } else {
            let _ = a.put(k, ());
        }
        for (i, c) in others.iter_mut().enumerate() {
            if c.get(&k).is_some() {
                hits[i + 1] += 1;
            } else {
                let _ = c.put(k, ());
            }
        }
        if a.policy() != last {
            println!("t={t}: switch {last:?} -> {:?}", a.policy());
            last = a.policy();
        }
        if (t + 1) % window == 0 {
            let w = window as f64 / 100.0;
            println!(
                "t={:>8} adaptive {:6.2} s3fifo {:6.2} wtinylfu {:6.2} lru {:6.2} ({:?})",
                t + 1,
                hits[0] as f64 / w,
                hits[1] as f64 / w,
                hits[2] as f64 / w,
                hits[3] as f64 / w,
                a.policy()
            );
            hits = [0; 4];
        }
    }
}
