//! Seeded synthetic workloads: the built-in traces of `evict-sim` with no argument, also used
//! by the benches.
//!
//! Every generator is deterministic: the same arguments give the same keys on every machine
//! (a SplitMix64 stream, no platform-dependent float formatting). Keys are scrambled through
//! a bijection of `u64`, so they are spread out like hashed ids rather than small dense ranks,
//! and distinct ranks always stay distinct keys.

use crate::size::SizeSpec;

/// SplitMix64, evict's one seeded generator (from `evict-slots`, the same as random
/// eviction's and the benchmarks'): tiny, fast, enough for workloads (not for security).
///
/// # Examples
///
/// ```
/// use evict_sim::workload::SplitMix64;
///
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.next_f64() < 1.0);
/// ```
pub use evict_slots::SplitMix64;

/// SplitMix64's finaliser (`evict_slots::mix64`): a bijection of `u64` that scatters
/// neighbours.
///
/// ```
/// use evict_sim::workload::mix;
/// assert_ne!(mix(1), mix(2));
/// ```
pub use evict_slots::mix64 as mix;

/// Draws ranks `0..n` with probability proportional to `1 / (rank + 1)^alpha`, by binary
/// search in the cumulative distribution (exact, `O(log n)` per draw).
///
/// # Examples
///
/// ```
/// use evict_sim::workload::{SplitMix64, Zipf};
///
/// let zipf = Zipf::new(1000, 1.0);
/// let mut rng = SplitMix64::new(1);
/// let draws: Vec<u64> = (0..10_000).map(|_| zipf.sample(&mut rng)).collect();
/// let zeros = draws.iter().filter(|&&r| r == 0).count();
/// let last = draws.iter().filter(|&&r| r == 999).count();
/// assert!(draws.iter().all(|&r| r < 1000));
/// assert!(zeros > 100 * last.max(1) / 10, "rank 0 is by far the most frequent");
/// ```
#[derive(Clone, Debug)]
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    /// A Zipf distribution over `n >= 1` ranks with exponent `alpha >= 0`.
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    pub fn new(n: usize, alpha: f64) -> Self {
        assert!(n > 0, "a Zipf distribution needs at least one rank");
        let mut cdf = Vec::with_capacity(n);
        let mut sum = 0.0;
        for r in 0..n {
            sum += 1.0 / ((r + 1) as f64).powf(alpha);
            cdf.push(sum);
        }
        for c in &mut cdf {
            *c /= sum;
        }
        Zipf { cdf }
    }

    /// One rank.
    pub fn sample(&self, rng: &mut SplitMix64) -> u64 {
        let u = rng.next_f64();
        let r = self.cdf.partition_point(|&c| c <= u);
        r.min(self.cdf.len() - 1) as u64
    }
}

/// `requests` keys drawn from a Zipf distribution of exponent `alpha` over `keys` keys.
///
/// ```
/// let k = evict_sim::workload::zipf(100, 0.8, 500, 42);
/// assert_eq!(k.len(), 500);
/// assert_eq!(k, evict_sim::workload::zipf(100, 0.8, 500, 42));
/// ```
pub fn zipf(keys: usize, alpha: f64, requests: usize, seed: u64) -> Vec<u64> {
    let dist = Zipf::new(keys, alpha);
    let mut rng = SplitMix64::new(seed);
    (0..requests).map(|_| mix(dist.sample(&mut rng))).collect()
}

/// A Zipf stream (`alpha` over `keys` keys) interrupted, every `every` requests, by a scan of
/// `scan` keys that are each requested once and never again: scan resistance.
///
/// ```
/// let k = evict_sim::workload::zipf_with_scans(1000, 0.8, 10_000, 1000, 500, 3);
/// assert_eq!(k.len(), 10_000);
/// ```
pub fn zipf_with_scans(
    keys: usize,
    alpha: f64,
    requests: usize,
    every: usize,
    scan: usize,
    seed: u64,
) -> Vec<u64> {
    let dist = Zipf::new(keys, alpha);
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(requests);
    // Scan keys live above the Zipf ranks, so they never collide with them.
    let mut fresh = keys as u64;
    let mut since_scan = 0;
    while out.len() < requests {
        if since_scan == every {
            for _ in 0..scan.min(requests - out.len()) {
                out.push(mix(fresh));
                fresh += 1;
            }
            since_scan = 0;
        } else {
            out.push(mix(dist.sample(&mut rng)));
            since_scan += 1;
        }
    }
    out
}

/// A loop over `keys` distinct keys, repeated up to `requests` requests: every policy that
/// keeps recent keys (LRU, FIFO, CLOCK) misses every request once the cache is smaller than
/// the loop.
///
/// ```
/// let k = evict_sim::workload::looping(3, 7);
/// assert_eq!(k[0], k[3]);
/// assert_eq!(k.len(), 7);
/// ```
pub fn looping(keys: usize, requests: usize) -> Vec<u64> {
    (0..requests).map(|i| mix((i % keys) as u64)).collect()
}

/// A mix of popular keys (Zipf `alpha` over `keys`) and one-hit wonders: each request is, with
/// probability `wonders`, a key never seen before and never requested again.
///
/// ```
/// let k = evict_sim::workload::one_hit_wonders(1000, 1.0, 0.5, 10_000, 9);
/// assert_eq!(k.len(), 10_000);
/// ```
pub fn one_hit_wonders(
    keys: usize,
    alpha: f64,
    wonders: f64,
    requests: usize,
    seed: u64,
) -> Vec<u64> {
    let dist = Zipf::new(keys, alpha);
    let mut rng = SplitMix64::new(seed);
    let mut fresh = keys as u64;
    (0..requests)
        .map(|_| {
            if rng.next_f64() < wonders {
                fresh += 1;
                mix(fresh)
            } else {
                mix(dist.sample(&mut rng))
            }
        })
        .collect()
}

/// A built-in workload: a name, what it shows, its keys and, when the default sizes would not
/// show its point, its own default sizes.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Short name, also the SVG file name of the default run.
    pub name: &'static str,
    /// One sentence: what it tests.
    pub description: &'static str,
    /// The keys, one per request.
    pub keys: Vec<u64>,
    /// Sizes to use unless `--sizes` is given.
    pub sizes: Option<Vec<SizeSpec>>,
}

/// Requests per built-in workload.
pub const REQUESTS: usize = 1_000_000;
/// Keys of the Zipf distributions of the built-in workloads.
pub const KEYS: usize = 100_000;

/// The built-in workloads of `evict-sim` with no argument, seeded: Zipf 0.8 and 1.0 over
/// 100,000 keys, Zipf interrupted by scans, a loop slightly larger than the cache, and a mix
/// with many one-hit wonders.
///
/// # Examples
///
/// ```
/// let all = evict_sim::workload::builtin();
/// let names: Vec<_> = all.iter().map(|w| w.name).collect();
/// assert_eq!(names, ["zipf-0.8", "zipf-1.0", "zipf-scans", "loop", "one-hit-wonders"]);
/// assert!(all.iter().all(|w| w.keys.len() == evict_sim::workload::REQUESTS));
/// ```
pub fn builtin() -> Vec<Workload> {
    let fixed = |list: &str| Some(crate::size::parse_sizes(list).unwrap_or_default());
    vec![
        Workload {
            name: "zipf-0.8",
            description: "Zipf, alpha 0.8, over 100,000 keys: moderate skew",
            keys: zipf(KEYS, 0.8, REQUESTS, 0x5eed_0001),
            sizes: None,
        },
        Workload {
            name: "zipf-1.0",
            description: "Zipf, alpha 1.0, over 100,000 keys: strong skew",
            keys: zipf(KEYS, 1.0, REQUESTS, 0x5eed_0002),
            sizes: None,
        },
        Workload {
            name: "zipf-scans",
            description: "Zipf 0.8 over 100,000 keys, every 50,000 requests a scan of 20,000 \
                          one-time keys: scan resistance",
            keys: zipf_with_scans(KEYS, 0.8, REQUESTS, 50_000, 20_000, 0x5eed_0003),
            sizes: None,
        },
        Workload {
            name: "loop",
            description: "a loop over 10,000 keys, 1% to 20% larger than the cache: \
                          LRU's and FIFO's worst case",
            keys: looping(10_000, REQUESTS),
            // 10,000 keys: caches of 8,333 (loop 20% larger) up to 9,900 (1% larger).
            sizes: fixed("8333,9090,9523,9900"),
        },
        Workload {
            name: "one-hit-wonders",
            description: "Zipf 1.0 over 100,000 keys, half of the requests one-hit wonders",
            keys: one_hit_wonders(KEYS, 1.0, 0.5, REQUESTS, 0x5eed_0005),
            // Relative to the popular keys, not the ~500,000 one-hit wonders.
            sizes: fixed("1000,5000,10000,20000"),
        },
    ]
}
