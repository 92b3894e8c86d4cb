//! What hashing a key once instead of twice would save a hit, isolated from the policies:
//! 32 padded shards, each a `hashbrown::HashTable` behind a `parking_lot` read lock, the
//! shard picked from one hash; then the table probed with (a) that same hash, or (b) a second
//! hash by the shard's own hasher, computed after the lock is taken, as `ConcurrentCache`
//! does today (the shard's hasher lives inside the lock). One thread, gets that all hit;
//! rounds alternate the two and the best of each is reported (other processes only slow a
//! round down).
//!
//! ```text
//! cargo run --release -p evict-sync --example hash_once -- [ROUNDS]
//! ```

use std::hint::black_box;
use std::time::Instant;

use core::hash::BuildHasher;
use crossbeam_utils::CachePadded;
use evict_slots::mix64;
use evict_sync::DefaultHashBuilder;
use hashbrown::HashTable;
use parking_lot::RwLock;

struct Shard {
    hasher: DefaultHashBuilder,
    table: HashTable<(u64, u64)>,
}

struct Sharded {
    hasher: DefaultHashBuilder,
    shards: Vec<CachePadded<RwLock<CachePadded<Shard>>>>,
}

impl Sharded {
    fn new(keys: &[u64], same_hasher: bool) -> Self {
        let hasher = DefaultHashBuilder::default();
        let mut shards: Vec<_> = (0..32)
            .map(|_| {
                CachePadded::new(RwLock::new(CachePadded::new(Shard {
                    hasher: if same_hasher {
                        hasher.clone()
                    } else {
                        DefaultHashBuilder::default()
                    },
                    table: HashTable::new(),
                })))
            })
            .collect();
        for &k in keys {
            let h = hasher.hash_one(k);
            let Shard { hasher, table } = &mut **shards[index(h)].get_mut();
            let hs = hasher.hash_one(k);
            table.insert_unique(hs, (k, k), |e| hasher.hash_one(e.0));
        }
        Sharded { hasher, shards }
    }

    /// (a): the shard's table was built with the cache's hasher; probe with the one hash.
    #[inline(never)]
    fn get_once(&self, k: u64) -> Option<u64> {
        let h = self.hasher.hash_one(k);
        let shard = self.shards[index(h)].read();
        shard.table.find(h, |e| e.0 == k).map(|e| e.1)
    }

    /// (b): hash again with the shard's own hasher, under the lock.
    #[inline(never)]
    fn get_twice(&self, k: u64) -> Option<u64> {
        let h = self.hasher.hash_one(k);
        let shard = self.shards[index(h)].read();
        let hs = shard.hasher.hash_one(k);
        shard.table.find(hs, |e| e.0 == k).map(|e| e.1)
    }
}

/// `ConcurrentCache`'s shard choice for 32 shards.
fn index(h: u64) -> usize {
    h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(5) as usize & 31
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(9, |r| r.parse().expect("rounds"));
    let keys: Vec<u64> = (0..90_000).map(mix64).collect();
    let once = Sharded::new(&keys, true);
    let twice = Sharded::new(&keys, false);
    const N: usize = 4_000_000;
    for (name, stream) in [
        ("hot", vec![keys[0]; 1 << 16]),
        (
            "spread",
            (0..1u64 << 16)
                .map(|i| keys[(mix64(i) % 90_000) as usize])
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut best = [f64::MAX; 2];
        for _ in 0..rounds {
            for (v, b) in best.iter_mut().enumerate() {
                let t = Instant::now();
                let mut sum = 0u64;
                for i in 0..N {
                    let k = stream[i & (stream.len() - 1)];
                    let got = if v == 0 {
                        once.get_once(k)
                    } else {
                        twice.get_twice(k)
                    };
                    sum = sum.wrapping_add(got.unwrap_or(0));
                }
                black_box(sum);
                *b = b.min(t.elapsed().as_secs_f64() * 1e9 / N as f64);
            }
        }
        println!(
            "{name:6}: hash once {:.2} ns/get, twice {:.2} ns/get (best of {rounds}); twice/once {:.3}",
            best[0],
            best[1],
            best[1] / best[0]
        );
    }
}
