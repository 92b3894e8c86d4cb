//! Criterion groups: every evict policy and every competitor on identical key sequences.
//!
//! `cargo bench -p evict-benches` runs them all; `-- get_hit_100k` (any substring of a
//! benchmark id) runs a subset. Warm-up and measurement times come from
//! `EVICT_BENCH_WARMUP` / `EVICT_BENCH_MEASURE` (seconds, default 1 and 2), the sample count
//! from `EVICT_BENCH_SAMPLES` (default 50).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use evict_benches::adapters::{
    BenchCache, HashMapInsertRemove, SharedCache, get_or_put, shared_get_or_put,
};
use evict_benches::workload::{key, uniform_keys};
use evict_benches::{
    CHUNK, GROUPS, Group, Hits, Kind, Meta, SEQUENCE_LEN, SharedVisitor, Visitor, Workload,
    check_exact_lru_agree, count_hits, for_each_impl, for_each_shared, seconds_from_env,
    zipf_sequence,
};

/// Key sequences, built once and shared by every implementation (and by the groups that use
/// the same universe and seed).
#[derive(Default)]
struct Sequences(HashMap<(&'static str, usize, u64), Vec<u64>>);

impl Sequences {
    fn get(&mut self, kind: &'static str, n: usize, seed: u64) -> &[u64] {
        self.0.entry((kind, n, seed)).or_insert_with(|| match kind {
            "zipf" => zipf_sequence(n, seed),
            _ => uniform_keys(n, SEQUENCE_LEN, seed),
        })
    }
}

/// The next `CHUNK` keys of `keys` from `*at`, advancing `*at` (wrapping).
#[inline]
fn next_chunk<'k>(keys: &'k [u64], at: &mut usize) -> &'k [u64] {
    let chunk = &keys[*at..*at + CHUNK];
    *at = (*at + CHUNK) % keys.len();
    chunk
}

struct Single<'g, 'c, 'k> {
    g: &'g mut BenchmarkGroup<'c, WallTime>,
    group: Group,
    keys: &'k [u64],
    hits: Vec<Hits>,
}

impl Visitor for Single<'_, '_, '_> {
    fn visit<C: BenchCache + 'static, F: Fn(usize) -> C>(&mut self, meta: Meta, make: F) {
        let cap = self.group.capacity;
        match self.group.workload {
            Workload::GetHit => {
                let mut cache = make(cap);
                for i in 0..cap as u64 {
                    cache.put(key(i), i);
                }
                let missing = (0..cap as u64)
                    .filter(|&i| cache.get(key(i)).is_none())
                    .count();
                if missing > 0 {
                    eprintln!(
                        "note: {} {}: {missing} of {cap} keys not cached after the fill",
                        self.group.id, meta.name
                    );
                }
                let keys = self.keys;
                let mut at = 0;
                self.g.bench_function(meta.name, |b| {
                    b.iter(|| {
                        let mut sum = 0u64;
                        for &k in next_chunk(keys, &mut at) {
                            if let Some(v) = cache.get(k) {
                                sum = sum.wrapping_add(v);
                            }
                        }
                        black_box(sum)
                    })
                });
            }
            Workload::PutEvict => {
                if matches!(meta.kind, Kind::Limit | Kind::Unbounded) {
                    return; // never evicts; the limit here is HashMapInsertRemove
                }
                put_evict(self.g, meta.name, make(cap), cap);
            }
            Workload::Zipf { .. } => {
                // Warm-up pass from an empty cache, outside timing; it is also the hit count.
                let mut cache = make(cap);
                let hits = count_hits(&mut cache, self.keys);
                self.hits.push(Hits {
                    meta,
                    hits,
                    lookups: self.keys.len() as u64,
                });
                let keys = self.keys;
                let mut at = 0;
                self.g.bench_function(meta.name, |b| {
                    b.iter(|| {
                        let mut hits = 0u32;
                        for &k in next_chunk(keys, &mut at) {
                            hits += u32::from(get_or_put(&mut cache, k));
                        }
                        black_box(hits)
                    })
                });
            }
            Workload::SharedZipf { .. } => unreachable!("run by Shared"),
        }
    }
}

/// Puts never-seen keys (`key(n)` for increasing `n`) into a cache filled with `capacity`
/// keys.
fn put_evict<C: BenchCache>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    mut cache: C,
    capacity: usize,
) {
    let mut n = 0u64;
    while n < capacity as u64 {
        cache.put(key(n), n);
        n += 1;
    }
    g.bench_function(name, |b| {
        b.iter(|| {
            for _ in 0..CHUNK {
                cache.put(key(n), n);
                n += 1;
            }
        })
    });
    black_box(cache.len());
}

struct Shared<'g, 'c, 'k> {
    g: &'g mut BenchmarkGroup<'c, WallTime>,
    capacity: usize,
    keys: [&'k [u64]; 2],
}

impl SharedVisitor for Shared<'_, '_, '_> {
    fn visit<C: SharedCache, F: Fn(usize) -> C>(&mut self, name: &'static str, make: F) {
        let cache = make(self.capacity);
        for &k in self.keys[0] {
            shared_get_or_put(&cache, k);
        }
        let keys = self.keys;
        let mut at = [0usize; 2];
        self.g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for (t, seq) in keys.iter().enumerate() {
                        let cache = &cache;
                        let mut pos = at[t];
                        s.spawn(move || {
                            let mut hits = 0u64;
                            for _ in 0..iters {
                                for &k in next_chunk(seq, &mut pos) {
                                    hits += u64::from(shared_get_or_put(cache, k));
                                }
                            }
                            black_box(hits)
                        });
                    }
                });
                let elapsed = start.elapsed();
                for a in &mut at {
                    *a = (*a + iters as usize * CHUNK) % SEQUENCE_LEN;
                }
                elapsed
            })
        });
    }
}

fn run_group(c: &mut Criterion, group: &Group, sequences: &mut Sequences) {
    let mut g = c.benchmark_group(group.id);
    g.sampling_mode(SamplingMode::Flat);
    match group.workload {
        Workload::GetHit => {
            g.throughput(Throughput::Elements(CHUNK as u64));
            let keys = sequences.get("uniform", group.capacity, group.seed);
            for_each_impl(&mut Single {
                g: &mut g,
                group: *group,
                keys,
                hits: Vec::new(),
            });
        }
        Workload::PutEvict => {
            g.throughput(Throughput::Elements(CHUNK as u64));
            put_evict(
                &mut g,
                "hashbrown",
                HashMapInsertRemove::new(group.capacity),
                group.capacity,
            );
            for_each_impl(&mut Single {
                g: &mut g,
                group: *group,
                keys: &[],
                hits: Vec::new(),
            });
        }
        Workload::Zipf { universe } => {
            g.throughput(Throughput::Elements(CHUNK as u64));
            let keys = sequences.get("zipf", universe, group.seed);
            let mut single = Single {
                g: &mut g,
                group: *group,
                keys,
                hits: Vec::new(),
            };
            for_each_impl(&mut single);
            eprintln!("hit ratios, {} (one pass from empty):", group.id);
            for h in &single.hits {
                eprintln!("  {:<20} {:.4}", h.meta.name, h.ratio());
            }
            if let Err(e) = check_exact_lru_agree(&single.hits) {
                panic!("{}: {e}", group.id);
            }
        }
        Workload::SharedZipf { universe } => {
            g.throughput(Throughput::Elements(2 * CHUNK as u64));
            let a = sequences.get("zipf", universe, group.seed).to_vec();
            let b = sequences.get("zipf", universe, group.seed + 1);
            for_each_shared(&mut Shared {
                g: &mut g,
                capacity: group.capacity,
                keys: [&a, b],
            });
        }
    }
    g.finish();
}

fn main() {
    let samples = std::env::var("EVICT_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n >= 10)
        .unwrap_or(50);
    let mut c = Criterion::default()
        .warm_up_time(seconds_from_env("EVICT_BENCH_WARMUP", 1.0))
        .measurement_time(seconds_from_env("EVICT_BENCH_MEASURE", 2.0))
        .sample_size(samples)
        .configure_from_args();
    let mut sequences = Sequences::default();
    for group in GROUPS {
        run_group(&mut c, group, &mut sequences);
    }
    c.final_summary();
}
