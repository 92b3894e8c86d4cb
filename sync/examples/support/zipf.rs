//! The Zipf key sampler the examples share (included with `#[path]`: not an example itself).

use evict_slots::SplitMix64;

/// Zipf(s) ranks `0..n` by inverse CDF.
pub(crate) struct Zipf(Vec<f64>);

impl Zipf {
    /// Ranks `0..n` with exponent `s`.
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = (0..n)
            .map(|r| {
                acc += 1.0 / ((r + 1) as f64).powf(s);
                acc
            })
            .collect();
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf(cdf)
    }

    /// One rank.
    pub(crate) fn sample(&self, rng: &mut SplitMix64) -> u64 {
        let u = rng.next_f64();
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1) as u64
    }
}
