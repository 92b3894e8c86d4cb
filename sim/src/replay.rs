//! Replaying a trace: every request is a `get`, every miss a `put` (demand fill), for each
//! (policy × size), in parallel on all cores.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use evict_core::Cache;
use serde::Serialize;

use crate::opt::{Oracle, Variant};
use crate::registry::{self, UnknownPolicy};

/// Bélády's optimum, the true ceiling: a newcomer needed later than every cached key is not
/// kept (Caffeine's `opt.Clairvoyant`). Always the last row of a report.
pub const OPT: &str = "opt";
/// Bélády's optimum for demand paging: every miss inserts (libCacheSim's `Belady`).
pub const OPT_FILL: &str = "opt-fill";

/// The ceiling of a replay in bytes: PFOO-L's upper bound on every policy's hits
/// ([`crate::bound`]), not a policy. Always the last row of a report.
pub const PFOO_L: &str = "pfoo-l";

/// libCacheSim's `BeladySize` heuristic in a replay in bytes ([`crate::bound::belady_size`]):
/// a schedule that knows the future, so a lower bound on the optimum; not a policy.
pub const BELADY_SIZE: &str = "belady-size";

/// Requests replayed between two calls of the progress callback.
const CHUNK: usize = 1 << 16;

/// The default policy list: every policy of the [`registry`], then `opt`.
///
/// ```
/// let all = evict_sim::replay::default_policies();
/// assert_eq!(all.last().map(String::as_str), Some("opt"));
/// ```
pub fn default_policies() -> Vec<String> {
    registry::POLICIES
        .iter()
        .copied()
        .chain([OPT])
        .map(String::from)
        .collect()
}

/// The default policy list of a replay in bytes: every policy of the registry with a
/// weighted constructor ([`registry::SIZED_POLICIES`]), then [`BELADY_SIZE`] and
/// [`PFOO_L`].
///
/// ```
/// let all = evict_sim::replay::default_sized_policies();
/// assert_eq!(all.last().map(String::as_str), Some("pfoo-l"));
/// ```
pub fn default_sized_policies() -> Vec<String> {
    registry::SIZED_POLICIES
        .iter()
        .copied()
        .chain([BELADY_SIZE, PFOO_L])
        .map(String::from)
        .collect()
}

/// Checks the names, drops repeats and puts `opt-fill` then `opt` last (and `pfoo-l`
/// after them), keeping the order of the others.
///
/// # Errors
///
/// The first name that is neither in the registry nor `opt`/`opt-fill`.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::order_policies;
///
/// let names = ["opt", "lru", "lru"].map(String::from);
/// assert_eq!(order_policies(&names).unwrap(), ["lru", "opt"]);
/// assert!(order_policies(&["lfu?".to_string()]).is_err());
/// ```
pub fn order_policies(names: &[String]) -> Result<Vec<String>, UnknownPolicy> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if n != OPT
            && n != OPT_FILL
            && n != PFOO_L
            && n != BELADY_SIZE
            && !registry::POLICIES.contains(&n.as_str())
        {
            return Err(UnknownPolicy(n.clone()));
        }
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    let rank = |n: &String| match n.as_str() {
        PFOO_L => 4,
        BELADY_SIZE => 3,
        OPT => 2,
        OPT_FILL => 1,
        _ => 0,
    };
    out.sort_by_key(rank); // stable: the others keep their order
    Ok(out)
}

/// Replays `keys` through `cache`: `get` each key, `put` it on a miss. Returns the hits,
/// not counting the first `warmup` requests (which are replayed all the same). `progress` is
/// called with the number of requests done, now and then.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::replay;
///
/// let mut cache = evict_sim::registry::build("lru", 2).unwrap();
/// assert_eq!(replay(&mut *cache, &[1, 2, 1, 3, 2], 0, &|_| ()), 1);
/// ```
pub fn replay(
    cache: &mut dyn Cache<u64, ()>,
    keys: &[u64],
    warmup: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> u64 {
    let warmup = warmup.min(keys.len());
    let mut hits = 0u64;
    let (warm, counted) = keys.split_at(warmup);
    for chunk in warm.chunks(CHUNK) {
        for &k in chunk {
            if cache.get(&k).is_none() {
                let _ = cache.put(k, ());
            }
        }
        progress(chunk.len() as u64);
    }
    for chunk in counted.chunks(CHUNK) {
        for &k in chunk {
            if cache.get(&k).is_some() {
                hits += 1;
            } else {
                let _ = cache.put(k, ());
            }
        }
        progress(chunk.len() as u64);
    }
    hits
}

/// The result of one (trace, policy, size): the fields of `--json` and `--csv`, whose names
/// are stable.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// The trace: its path as given, or a built-in workload's name.
    pub trace: String,
    /// The policy's registry name, or `opt` / `opt-fill`.
    pub policy: String,
    /// The cache size in entries that the policy actually holds: the size asked for, or the
    /// policy's documented maximum where that is smaller (S3-FIFO holds at most 2^30 - 2).
    pub size: usize,
    /// The size asked for (not in `--json` or `--csv`): the column of the table.
    #[serde(skip)]
    pub requested: usize,
    /// Requests counted (all of them but the warm-up).
    pub requests: u64,
    /// Requests that found their key.
    pub hits: u64,
    /// `requests - hits`.
    pub misses: u64,
    /// `hits / requests`.
    pub hit_ratio: f64,
    /// Wall-clock seconds of the replay alone (reading the trace excluded; for `opt`, the
    /// shared look-ahead pass is excluded too).
    pub seconds: f64,
    /// Distinct keys of the trace: a size at or above this never evicts.
    pub unique_keys: usize,
    /// A replay in bytes: its byte counts (`size` is then in bytes); absent from the JSON
    /// of a counting replay, which stays as it was.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<ByteCounts>,
}

/// The byte counts of a replay in bytes: the fields `--json` and `--csv` add.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ByteCounts {
    /// Bytes of the counted requests (each request's object size).
    pub bytes_requested: u64,
    /// Bytes of the requests that hit.
    pub bytes_hit: u64,
    /// `bytes_hit / bytes_requested`.
    pub byte_hit_ratio: f64,
    /// Distinct bytes of the trace: each distinct key's size at its first request
    /// (libCacheSim's working-set size), the base of sizes in percent.
    pub unique_bytes: u64,
}

impl ByteCounts {
    /// The counts, with the ratio computed (0 for no byte).
    pub fn new(bytes_requested: u64, bytes_hit: u64, unique_bytes: u64) -> Self {
        ByteCounts {
            bytes_requested,
            bytes_hit,
            byte_hit_ratio: if bytes_requested == 0 {
                0.0
            } else {
                bytes_hit as f64 / bytes_requested as f64
            },
            unique_bytes,
        }
    }
}

/// How to run: threads, warm-up, and the settings of the sampled methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Requests replayed before counting starts.
    pub warmup: usize,
    /// The salt of the sampling hash of SHARDS and miniature simulations
    /// ([`sample_hash`](crate::shards::sample_hash)); the replay ignores it.
    pub salt: u64,
    /// SHARDS: at most this many hot keys tracked exactly
    /// ([`Shards::hot_keys`](crate::shards::Shards::hot_keys)); the others ignore it.
    pub hot_keys: usize,
    /// Miniature simulations: the fewest entries of a miniature cache
    /// ([`mini_rate`](crate::pipeline::mini_rate)).
    pub mini_min_entries: usize,
    /// Miniature simulations: LRU as a control variate. Each policy's miniature is
    /// corrected at each size by the error of an LRU miniature of the same sample
    /// against LRU's exact curve, both made in the same pass
    /// ([`mini_stream`](crate::pipeline::mini_stream)).
    pub mini_control: bool,
}

impl Default for RunOptions {
    /// All cores, no warm-up, miniatures with LRU's control.
    fn default() -> Self {
        RunOptions {
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            warmup: 0,
            salt: crate::shards::DEFAULT_SALT,
            hot_keys: crate::shards::HOT_KEYS,
            mini_min_entries: crate::pipeline::MINI_MIN_ENTRIES,
            mini_control: true,
        }
    }
}

/// Replays `keys` for every policy of `policies` at every size of `sizes`, in parallel on
/// `opts.threads` threads; the trace is shared, never copied. Results come policy by policy
/// in the order given, sizes in the order given. `trace` names the results; `progress` gets
/// the requests done, from every thread.
///
/// # Errors
///
/// [`UnknownPolicy`] before anything runs, if a name is unknown.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{run, RunOptions};
///
/// let keys = [1, 2, 3, 1, 2, 3, 1];
/// let policies = ["lru".to_string(), "opt".to_string()];
/// let out = run("t", &keys, &policies, &[2, 3], RunOptions::default(), &|_| ()).unwrap();
/// let hits: Vec<u64> = out.iter().map(|o| o.hits).collect();
/// assert_eq!(hits, [0, 4, 3, 4]); // lru@2, lru@3, opt@2, opt@3
/// ```
pub fn run(
    trace: &str,
    keys: &[u64],
    policies: &[String],
    sizes: &[usize],
    opts: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Outcome>, UnknownPolicy> {
    for p in policies {
        if p != OPT && p != OPT_FILL {
            registry::build(p, 1)?;
        }
    }
    let needs_oracle = policies.iter().any(|p| p == OPT || p == OPT_FILL);
    let oracle = needs_oracle.then(|| Oracle::new(keys));
    let unique = match &oracle {
        Some(o) => o.unique(),
        None => crate::parser::count_unique(keys),
    };
    let jobs: Vec<(usize, usize)> = (0..policies.len())
        .flat_map(|p| (0..sizes.len()).map(move |s| (p, s)))
        .collect();
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; jobs.len()]);
    let next = AtomicUsize::new(0);
    let requests = keys.len().saturating_sub(opts.warmup) as u64;
    let work = || {
        loop {
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(p, s)) = jobs.get(j) else { break };
            let (policy, size) = (&policies[p], sizes[s]);
            let start = Instant::now();
            // Bélády's optimum holds any number of entries; a policy says what it holds.
            let (hits, held) = match (policy.as_str(), &oracle) {
                (OPT, Some(o)) => (o.hits(size, Variant::Bypass, opts.warmup, progress), size),
                (OPT_FILL, Some(o)) => (
                    o.hits(size, Variant::DemandFill, opts.warmup, progress),
                    size,
                ),
                _ => match registry::build(policy, size) {
                    Ok(mut cache) => {
                        let held = cache.capacity().unwrap_or(size);
                        (replay(&mut *cache, keys, opts.warmup, progress), held)
                    }
                    Err(_) => unreachable!("names were checked above"),
                },
            };
            let seconds = start.elapsed().as_secs_f64();
            let outcome = Outcome {
                trace: trace.to_string(),
                policy: policy.clone(),
                size: held,
                requested: size,
                requests,
                hits,
                misses: requests - hits,
                hit_ratio: if requests == 0 {
                    0.0
                } else {
                    hits as f64 / requests as f64
                },
                seconds,
                unique_keys: unique,
                bytes: None,
            };
            if let Ok(mut r) = results.lock() {
                r[j] = Some(outcome);
            }
        }
    };
    let threads = opts.threads.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(results.into_iter().flatten().collect())
}
