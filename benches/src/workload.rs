//! Seeded key sequences: a small PRNG, a key scrambler and a Zipf sampler.
//!
//! Everything here is deterministic and self-contained (no `rand`), so a sequence is the same
//! on every machine and with every dependency version: the published numbers stay
//! reproducible.

/// The seeded generator of every sequence: evict's one SplitMix64 (from `evict-slots`, the
/// same as random eviction's and the simulator's).
///
/// ```
/// use evict_benches::workload::SplitMix64;
///
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.next_f64() < 1.0);
/// ```
pub use evict_slots::SplitMix64;

/// A bijection on `u64` (SplitMix64's finaliser, `evict_slots::mix64`): distinct inputs give
/// distinct keys, and consecutive inputs give keys that look random to any hasher.
///
/// ```
/// use evict_benches::workload::scramble;
///
/// assert_ne!(scramble(1), scramble(2));
/// assert_ne!(scramble(0), 1);
/// ```
pub use evict_slots::mix64 as scramble;

/// The key of item number `i` in every workload: `scramble(i)`.
#[inline]
pub fn key(i: u64) -> u64 {
    scramble(i)
}

/// Samples ranks `0..n` with probability proportional to `1 / (rank + 1)^s` (rank 0 is the
/// most popular), by binary search in the precomputed cumulative distribution.
///
/// ```
/// use evict_benches::workload::{SplitMix64, Zipf};
///
/// let zipf = Zipf::new(1000, 0.99);
/// let mut rng = SplitMix64::new(1);
/// let r = zipf.sample(&mut rng);
/// assert!(r < 1000);
/// ```
#[derive(Clone, Debug)]
pub struct Zipf {
    /// `cdf[r]` = P(rank <= r); the last entry is 1.
    cdf: Vec<f64>,
}

impl Zipf {
    /// A sampler over `n` ranks with exponent `s`.
    ///
    /// # Panics
    ///
    /// If `n` is 0 or `s` is negative or not finite: benchmark set-up errors.
    pub fn new(n: usize, s: f64) -> Self {
        assert!(n > 0, "Zipf needs at least one rank");
        assert!(
            s.is_finite() && s >= 0.0,
            "Zipf exponent must be finite and >= 0"
        );
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for r in 1..=n {
            total += (r as f64).powf(-s);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        Self { cdf }
    }

    /// The number of ranks.
    pub fn len(&self) -> usize {
        self.cdf.len()
    }

    /// Always false: a sampler has at least one rank.
    pub fn is_empty(&self) -> bool {
        self.cdf.is_empty()
    }

    /// The probability of rank `r`.
    pub fn probability(&self, r: usize) -> f64 {
        match r {
            0 => self.cdf[0],
            _ => self.cdf[r] - self.cdf[r - 1],
        }
    }

    /// One rank.
    pub fn sample(&self, rng: &mut SplitMix64) -> usize {
        let u = rng.next_f64();
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

/// `len` keys whose ranks follow Zipf(`s`) over `universe` distinct keys, with a fixed
/// `seed`; rank `r` is the key [`key(r)`](key).
///
/// ```
/// use evict_benches::workload::zipf_keys;
///
/// let keys = zipf_keys(100, 0.99, 1000, 42);
/// assert_eq!(keys.len(), 1000);
/// assert_eq!(keys, zipf_keys(100, 0.99, 1000, 42));
/// ```
pub fn zipf_keys(universe: usize, s: f64, len: usize, seed: u64) -> Vec<u64> {
    let zipf = Zipf::new(universe, s);
    let mut rng = SplitMix64::new(seed);
    (0..len)
        .map(|_| key(zipf.sample(&mut rng) as u64))
        .collect()
}

/// `len` keys drawn uniformly from the `resident` keys `key(0) .. key(resident - 1)`: the
/// lookups of the get-hit workload, after those keys were put.
///
/// ```
/// use evict_benches::workload::{key, uniform_keys};
///
/// let keys = uniform_keys(10, 100, 3);
/// assert!(keys.iter().all(|k| (0..10).any(|i| key(i) == *k)));
/// ```
///
/// # Panics
///
/// If `resident` does not fit in a `u32` (a benchmark set-up error).
pub fn uniform_keys(resident: usize, len: usize, seed: u64) -> Vec<u64> {
    let resident = u32::try_from(resident).expect("at most u32::MAX resident keys");
    let mut rng = SplitMix64::new(seed);
    (0..len)
        .map(|_| key(u64::from(rng.below(resident))))
        .collect()
}
