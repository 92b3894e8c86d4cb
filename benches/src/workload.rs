//! Seeded key sequences: a small PRNG, a key scrambler and a Zipf sampler.
//!
//! Everything here is deterministic and self-contained (no `rand`), so a sequence is the same
//! on every machine and with every dependency version: the published numbers stay
//! reproducible.

/// A SplitMix64 generator: tiny, fast, and good enough for benchmark inputs.
///
/// ```
/// use evict_benches::workload::SplitMix64;
///
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.next_f64() < 1.0);
/// ```
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        scramble(self.state)
    }

    /// A uniform float in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform index in `0..n` (`n > 0`), by the multiply-shift method.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// A bijection on `u64` (SplitMix64's finaliser): distinct inputs give distinct keys, and
/// consecutive inputs give keys that look random to any hasher.
///
/// ```
/// use evict_benches::workload::scramble;
///
/// assert_ne!(scramble(1), scramble(2));
/// assert_ne!(scramble(0), 1);
/// ```
#[inline]
pub fn scramble(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

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
pub fn uniform_keys(resident: usize, len: usize, seed: u64) -> Vec<u64> {
    let mut rng = SplitMix64::new(seed);
    (0..len).map(|_| key(rng.below(resident) as u64)).collect()
}
