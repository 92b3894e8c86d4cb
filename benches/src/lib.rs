//! Benchmarks of evict's policies against the crates users would otherwise pick.
//!
//! This crate is not published. It holds what the criterion benches (`benches/caches.rs`),
//! the memory binary (`src/bin/memory.rs`) and the table printer (`src/bin/report.rs`) share:
//! the seeded [`workload`]s, one [`adapters`] type per implementation, the list of
//! every implementation ([`for_each_impl`], [`for_each_shared`]), the benchmark groups
//! ([`GROUPS`]), hit counting and the memory measurement ([`memory`]), and the thread-safe
//! caches and runner of the multi-threaded throughput binary ([`concurrent`]).
//!
//! Every implementation runs the same code on the same keys: the criterion groups differ
//! only in which adapter they are given.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod adapters;
pub mod concurrent;
pub mod memory;
pub mod workload;

use std::sync::Mutex;

use adapters::{
    BenchCache, Evict, HashMapLimit, Hashlink, Locked, LruCrate, Moka, MokaWeighted, QuickSync,
    QuickUnsync, QuickWeighted, Schnellru, SharedCache, get_or_put,
};

/// The Zipf exponent of every skewed workload.
pub const ZIPF_S: f64 = 0.99;

/// Operations per timed iteration: criterion's "iteration" is this many cache operations,
/// taken in order from the workload's key sequence (wrapping around at its end).
pub const CHUNK: usize = 8192;

/// Length of the precomputed key sequence of each single-threaded workload (a multiple of
/// [`CHUNK`]).
pub const SEQUENCE_LEN: usize = 1 << 21;

/// What kind of implementation a row is, for grouping and checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A bare hash map: no eviction, the speed limit.
    Limit,
    /// Never evicts (evict-unbounded, Python's `functools.cache`).
    Unbounded,
    /// Exact least-recently-used: all of these must report identical hit counts.
    ExactLru,
    /// Any other policy.
    Other,
}

/// An implementation's name and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Its name in the benchmark ids and the tables (no spaces or slashes).
    pub name: &'static str,
    /// What kind of implementation it is.
    pub kind: Kind,
    /// Whether it is one of evict's policies (the others are the competitors and the limit).
    pub evict: bool,
}

const fn meta(name: &'static str, kind: Kind, evict: bool) -> Meta {
    Meta { name, kind, evict }
}

/// Receives every single-threaded implementation, each with a constructor taking the
/// capacity in entries (ignored by the unbounded ones).
pub trait Visitor {
    /// Called once per implementation, in table order.
    fn visit<C: BenchCache + 'static, F: Fn(usize) -> C>(&mut self, meta: Meta, make: F);
}

/// Calls `visitor` for every implementation: the hashbrown limit, every evict policy, then
/// the competitors.
pub fn for_each_impl<V: Visitor>(visitor: &mut V) {
    use Kind::{ExactLru, Limit, Other, Unbounded};
    visitor.visit(meta("hashbrown", Limit, false), |_| HashMapLimit::default());
    visitor.visit(meta("evict-unbounded", Unbounded, true), |_| {
        Evict(evict_unbounded::UnboundedCache::new())
    });
    visitor.visit(meta("evict-lru", ExactLru, true), |cap| {
        Evict(evict_lru::LruCache::new(cap))
    });
    visitor.visit(meta("evict-fifo", Other, true), |cap| {
        Evict(evict_fifo::FifoCache::new(cap))
    });
    visitor.visit(meta("evict-random", Other, true), |cap| {
        Evict(evict_random::RandomCache::with_seed(cap, 0x5EED))
    });
    visitor.visit(meta("evict-clock", Other, true), |cap| {
        Evict(evict_clock::ClockCache::new(cap))
    });
    visitor.visit(meta("evict-sieve", Other, true), |cap| {
        Evict(evict_sieve::SieveCache::new(cap))
    });
    visitor.visit(meta("evict-s3fifo", Other, true), |cap| {
        Evict(evict_s3fifo::S3FifoCache::new(cap))
    });
    visitor.visit(meta("evict-arc", Other, true), |cap| {
        Evict(evict_arc::ArcCache::new(cap))
    });
    visitor.visit(meta("evict-wtinylfu", Other, true), |cap| {
        Evict(evict_wtinylfu::WTinyLfuCache::new(cap))
    });
    visitor.visit(meta("evict-lirs", Other, true), |cap| {
        Evict(evict_lirs::LirsCache::new(cap))
    });
    visitor.visit(meta("evict-twoq", Other, true), |cap| {
        Evict(evict_twoq::TwoQCache::new(cap))
    });
    visitor.visit(meta("evict-adaptive", Other, true), |cap| {
        Evict(evict_adaptive::AdaptiveCache::new(cap))
    });
    // Capacity by weight (issue 12), with a constant weigher (every entry weighs 1): the
    // same entries as the unweighted rows, so the difference is what weighing costs.
    visitor.visit(meta("evict-lru-weighted", Other, true), |cap| {
        Evict(evict_lru::LruCache::with_weigher(
            cap as u64,
            |_: &u64, _: &u64| 1,
        ))
    });
    visitor.visit(meta("evict-s3fifo-weighted", Other, true), |cap| {
        Evict(evict_s3fifo::S3FifoCache::with_weigher(
            cap as u64,
            |_: &u64, _: &u64| 1,
        ))
    });
    visitor.visit(meta("evict-wtinylfu-weighted", Other, true), |cap| {
        Evict(evict_wtinylfu::WTinyLfuCache::with_weigher(
            cap as u64,
            |_: &u64, _: &u64| 1,
        ))
    });
    visitor.visit(meta("lru", ExactLru, false), LruCrate::new);
    visitor.visit(meta("schnellru", ExactLru, false), Schnellru::new);
    visitor.visit(meta("hashlink", ExactLru, false), Hashlink::new);
    visitor.visit(meta("quick_cache-unsync", Other, false), QuickUnsync::new);
    visitor.visit(meta("quick_cache-sync", Other, false), QuickSync::new);
    visitor.visit(meta("moka-sync", Other, false), Moka::new);
    visitor.visit(
        meta("quick_cache-weighted", Other, false),
        QuickWeighted::new,
    );
    visitor.visit(meta("moka-weighted", Other, false), MokaWeighted::new);
}

/// The names of all single-threaded implementations, in table order.
pub fn impl_names() -> Vec<Meta> {
    struct Names(Vec<Meta>);
    impl Visitor for Names {
        fn visit<C: BenchCache + 'static, F: Fn(usize) -> C>(&mut self, meta: Meta, _: F) {
            self.0.push(meta);
        }
    }
    let mut names = Names(Vec::new());
    for_each_impl(&mut names);
    names.0
}

/// Receives every thread-safe implementation.
pub trait SharedVisitor {
    /// Called once per implementation.
    fn visit<C: SharedCache, F: Fn(usize) -> C>(&mut self, name: &'static str, make: F);
}

/// Calls `visitor` for every thread-safe implementation: evict's LRU behind a `Mutex`,
/// `quick_cache::sync` and `moka::sync`.
pub fn for_each_shared<V: SharedVisitor>(visitor: &mut V) {
    visitor.visit("evict-lru-mutex", |cap| {
        Locked(Mutex::new(evict_lru::LruCache::new(cap)))
    });
    visitor.visit("quick_cache-sync", QuickSync::new);
    visitor.visit("moka-sync", Moka::new);
}

/// The names of the thread-safe implementations, in table order.
pub fn shared_names() -> Vec<&'static str> {
    struct Names(Vec<&'static str>);
    impl SharedVisitor for Names {
        fn visit<C: SharedCache, F: Fn(usize) -> C>(&mut self, name: &'static str, _: F) {
            self.0.push(name);
        }
    }
    let mut names = Names(Vec::new());
    for_each_shared(&mut names);
    names.0
}

/// What a benchmark group does per operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `get` of a key known to be cached: the cache is filled with `capacity` keys, then
    /// looked up uniformly at random.
    GetHit,
    /// `put` of a key never seen before into a full cache: the miss path, one eviction per
    /// operation. Unbounded caches are left out; the limit is [`adapters::HashMapInsertRemove`].
    PutEvict,
    /// "get; on a miss, put" with keys drawn from Zipf([`ZIPF_S`]) over `universe` keys.
    Zipf {
        /// The number of distinct keys.
        universe: usize,
    },
    /// [`Workload::Zipf`] from two threads at once on one shared cache, each thread with its
    /// own key sequence.
    SharedZipf {
        /// The number of distinct keys.
        universe: usize,
    },
}

/// One criterion group: a workload at one capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    /// The criterion group id (a directory name under `target/criterion`).
    pub id: &'static str,
    /// A short column title for the tables.
    pub title: &'static str,
    /// What each operation does.
    pub workload: Workload,
    /// The cache capacity in entries.
    pub capacity: usize,
    /// The seed of the group's key sequence.
    pub seed: u64,
}

/// Every benchmark group, in table order.
pub const GROUPS: &[Group] = &[
    Group {
        id: "get_hit_1k",
        title: "get-hit 1k",
        workload: Workload::GetHit,
        capacity: 1_000,
        seed: 11,
    },
    Group {
        id: "get_hit_100k",
        title: "get-hit 100k",
        workload: Workload::GetHit,
        capacity: 100_000,
        seed: 12,
    },
    Group {
        id: "put_evict_1k",
        title: "put-evict 1k",
        workload: Workload::PutEvict,
        capacity: 1_000,
        seed: 0,
    },
    Group {
        id: "put_evict_100k",
        title: "put-evict 100k",
        workload: Workload::PutEvict,
        capacity: 100_000,
        seed: 0,
    },
    Group {
        id: "zipf_1m_keys_cap_10k",
        title: "Zipf 1M keys, cap 10k",
        workload: Workload::Zipf {
            universe: 1_000_000,
        },
        capacity: 10_000,
        seed: 21,
    },
    Group {
        id: "zipf_1m_keys_cap_100k",
        title: "Zipf 1M keys, cap 100k",
        workload: Workload::Zipf {
            universe: 1_000_000,
        },
        capacity: 100_000,
        seed: 21,
    },
    Group {
        id: "zipf_1k_keys_cap_64",
        title: "Zipf 1k keys, cap 64",
        workload: Workload::Zipf { universe: 1_000 },
        capacity: 64,
        seed: 23,
    },
    Group {
        id: "shared_2_threads_zipf_1m_keys_cap_100k",
        title: "2 threads, Zipf 1M keys, cap 100k",
        workload: Workload::SharedZipf {
            universe: 1_000_000,
        },
        capacity: 100_000,
        seed: 31,
    },
];

/// The key sequence of a Zipf group ([`SEQUENCE_LEN`] keys; thread `t` of a shared group uses
/// seed `seed + t`).
pub fn zipf_sequence(universe: usize, seed: u64) -> Vec<u64> {
    workload::zipf_keys(universe, ZIPF_S, SEQUENCE_LEN, seed)
}

/// Runs "get; on a miss, put" over `keys` on `cache` and returns the number of hits.
pub fn count_hits<C: BenchCache + ?Sized>(cache: &mut C, keys: &[u64]) -> u64 {
    keys.iter().map(|&k| u64::from(get_or_put(cache, k))).sum()
}

/// One implementation's hits on one key sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hits {
    /// Which implementation.
    pub meta: Meta,
    /// Hits of "get; on a miss, put" over the whole sequence, from an empty cache.
    pub hits: u64,
    /// Lookups (the sequence length).
    pub lookups: u64,
}

impl Hits {
    /// `hits / lookups`.
    pub fn ratio(&self) -> f64 {
        if self.lookups == 0 {
            0.0
        } else {
            self.hits as f64 / self.lookups as f64
        }
    }
}

/// Every implementation's hits on `keys` with a cache of `capacity`, each from an empty
/// cache.
pub fn hits_of_all(keys: &[u64], capacity: usize) -> Vec<Hits> {
    struct Count<'a> {
        keys: &'a [u64],
        capacity: usize,
        out: Vec<Hits>,
    }
    impl Visitor for Count<'_> {
        fn visit<C: BenchCache + 'static, F: Fn(usize) -> C>(&mut self, meta: Meta, make: F) {
            let mut cache = make(self.capacity);
            let hits = count_hits(&mut cache, self.keys);
            self.out.push(Hits {
                meta,
                hits,
                lookups: self.keys.len() as u64,
            });
        }
    }
    let mut count = Count {
        keys,
        capacity,
        out: Vec::new(),
    };
    for_each_impl(&mut count);
    count.out
}

/// Checks that every exact-LRU implementation reported the same hit count; the error names
/// each count.
///
/// ```
/// use evict_benches::{check_exact_lru_agree, hits_of_all, workload::zipf_keys};
///
/// let keys = zipf_keys(500, 0.99, 5_000, 1);
/// check_exact_lru_agree(&hits_of_all(&keys, 50)).unwrap();
/// ```
pub fn check_exact_lru_agree(hits: &[Hits]) -> Result<u64, String> {
    let lru: Vec<&Hits> = hits
        .iter()
        .filter(|h| h.meta.kind == Kind::ExactLru)
        .collect();
    let Some(first) = lru.first() else {
        return Err("no exact-LRU implementation".into());
    };
    if lru.iter().all(|h| h.hits == first.hits) {
        Ok(first.hits)
    } else {
        let list: Vec<String> = lru
            .iter()
            .map(|h| format!("{}={}", h.meta.name, h.hits))
            .collect();
        Err(format!(
            "exact-LRU implementations disagree on hits: {}",
            list.join(", ")
        ))
    }
}

/// Reads a duration in seconds from the environment variable `name`, or `default`.
///
/// Used for criterion's warm-up (`EVICT_BENCH_WARMUP`, default 1 s) and measurement
/// (`EVICT_BENCH_MEASURE`, default 2 s) times.
pub fn seconds_from_env(name: &str, default: f64) -> std::time::Duration {
    let secs = std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(default);
    std::time::Duration::from_secs_f64(secs)
}
