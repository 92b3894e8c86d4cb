//! `evict-sim analyze`: what a trace is made of, in one streamed pass and an output of
//! bounded size whatever the trace's length: requests, distinct keys, the compulsory miss
//! ratio, one- and two-hit wonders, the share of the most popular 1% of keys, a Zipf α
//! fitted to the rank-frequency curve (with its R²), the LRU stack-distance histogram
//! (powers of two) and the growth of the working set (distinct keys seen by request `t`, at
//! most [`MAX_POINTS`] points).
//!
//! Memory: a request count per distinct key (and the stack-distance table, one entry per
//! distinct key); nothing per request.

use hashbrown::HashMap;
use serde::Serialize;

use crate::mrc::Histogram;

/// The most points of the working-set curve: when full, every other point is dropped and
/// the spacing doubles, so the points kept are exact.
pub const MAX_POINTS: usize = 128;

/// Counts per key and the working set's growth, fed batch by batch.
///
/// # Examples
///
/// ```
/// use evict_sim::analyze::Counts;
///
/// let mut c = Counts::default();
/// c.feed(&[1, 2, 1, 3, 1, 2]);
/// let (freq, growth) = c.finish();
/// assert_eq!(freq, [3, 2, 1]);
/// assert_eq!(growth.last(), Some(&(6, 3)));
/// ```
#[derive(Debug, Default)]
pub struct Counts {
    freq: HashMap<u64, u64, foldhash::fast::FixedState>,
    seen: u64,
    step: u64,
    growth: Vec<(u64, u64)>,
}

impl Counts {
    /// Takes the next requests.
    pub fn feed(&mut self, keys: &[u64]) {
        if self.step == 0 {
            self.step = 1024;
        }
        for &k in keys {
            *self.freq.entry(k).or_insert(0) += 1;
            self.seen += 1;
            if self.seen.is_multiple_of(self.step) {
                self.growth.push((self.seen, self.freq.len() as u64));
                if self.growth.len() >= MAX_POINTS {
                    // Keep the points at multiples of the doubled step.
                    let step = 2 * self.step;
                    self.growth.retain(|&(t, _)| t.is_multiple_of(step));
                    self.step = step;
                }
            }
        }
    }

    /// The request count of every key, largest first, and the working set's growth
    /// `(requests, distinct keys)`, ending at the last request.
    pub fn finish(mut self) -> (Vec<u64>, Vec<(u64, u64)>) {
        if self.growth.last().map(|p| p.0) != Some(self.seen) {
            self.growth.push((self.seen, self.freq.len() as u64));
        }
        let mut freq: Vec<u64> = self.freq.into_values().collect();
        freq.sort_unstable_by(|a, b| b.cmp(a));
        (freq, self.growth)
    }
}

/// What `evict-sim analyze` reports about one trace (`--json`: these field names).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// The trace as given.
    pub trace: String,
    /// Its format.
    pub format: String,
    /// Requests.
    pub requests: u64,
    /// Distinct keys.
    pub unique_keys: u64,
    /// Distinct keys / requests: the miss ratio of an unbounded cache.
    pub compulsory_miss_ratio: f64,
    /// Keys requested exactly once.
    pub one_hit_wonders: u64,
    /// Keys requested exactly twice.
    pub two_hit_wonders: u64,
    /// Share of the requests that go to the most requested 1% of the keys (at least one).
    pub top_1pct_share: f64,
    /// The requests of the most requested key.
    pub max_key_requests: u64,
    /// Zipf α: minus the slope of a least-squares line through (ln rank, ln requests)
    /// over every key.
    pub zipf_alpha: f64,
    /// R² of that line.
    pub zipf_r2: f64,
    /// LRU stack distances: `[upper, requests]` with distance in `(upper / 2, upper]`
    /// (hits of LRU with `upper` entries, less those with `upper / 2`); first requests are
    /// in `compulsory_misses`.
    pub stack_distances: Vec<(u64, u64)>,
    /// First requests of their key.
    pub compulsory_misses: u64,
    /// `[requests, distinct keys so far]`: the working set's growth.
    pub working_set: Vec<(u64, u64)>,
}

/// The analysis of a trace from its key counts (largest first), its working-set growth and
/// its stack-distance histogram.
pub fn analysis(
    trace: &str,
    format: &str,
    freq: &[u64],
    growth: Vec<(u64, u64)>,
    hist: &Histogram,
) -> Analysis {
    let requests: u64 = freq.iter().sum();
    let unique = freq.len() as u64;
    let top = freq.len().div_ceil(100).max(1).min(freq.len());
    let top_requests: u64 = freq[..top].iter().sum();
    let (alpha, r2) = zipf_fit(freq);
    let mut stack = Vec::new();
    let mut upper = 1u64;
    let mut below = 0;
    while (upper as usize) < 2 * hist.unique.max(1) {
        let at = hist.hits(upper as usize);
        stack.push((upper, at - below));
        below = at;
        upper *= 2;
    }
    Analysis {
        trace: trace.to_string(),
        format: format.to_string(),
        requests,
        unique_keys: unique,
        compulsory_miss_ratio: if requests == 0 {
            0.0
        } else {
            unique as f64 / requests as f64
        },
        one_hit_wonders: freq.iter().filter(|&&f| f == 1).count() as u64,
        two_hit_wonders: freq.iter().filter(|&&f| f == 2).count() as u64,
        top_1pct_share: if requests == 0 {
            0.0
        } else {
            top_requests as f64 / requests as f64
        },
        max_key_requests: freq.first().copied().unwrap_or(0),
        zipf_alpha: alpha,
        zipf_r2: r2,
        stack_distances: stack,
        compulsory_misses: unique,
        working_set: growth,
    }
}

/// Least squares of `ln f` on `ln rank` (ranks from 1): `(-slope, R²)`.
///
/// ```
/// // f = 1000 / rank: α = 1 exactly.
/// let f: Vec<u64> = (1..=1000u64).map(|r| 1_000_000 / r).collect();
/// let (alpha, r2) = evict_sim::analyze::zipf_fit(&f);
/// assert!((alpha - 1.0).abs() < 0.01 && r2 > 0.99, "{alpha} {r2}");
/// ```
pub fn zipf_fit(freq: &[u64]) -> (f64, f64) {
    let n = freq.len() as f64;
    if freq.len() < 2 {
        return (0.0, 0.0);
    }
    let (mut sx, mut sy, mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &f) in freq.iter().enumerate() {
        let x = ((i + 1) as f64).ln();
        let y = (f.max(1) as f64).ln();
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
    }
    let cov = sxy - sx * sy / n;
    let vx = sxx - sx * sx / n;
    let vy = syy - sy * sy / n;
    if vx <= 0.0 {
        return (0.0, 0.0);
    }
    let slope = cov / vx;
    let r2 = if vy <= 0.0 {
        1.0
    } else {
        cov * cov / (vx * vy)
    };
    (-slope, r2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_set_points_stay_exact_and_bounded() {
        let mut c = Counts::default();
        let keys: Vec<u64> = (0..1_000_000u64).map(|i| i % 70_000).collect();
        for chunk in keys.chunks(4096) {
            c.feed(chunk);
        }
        let (freq, growth) = c.finish();
        assert!(growth.len() <= MAX_POINTS + 1, "{}", growth.len());
        for &(t, d) in &growth {
            assert_eq!(d, t.min(70_000), "at {t}");
        }
        assert_eq!(freq.len(), 70_000);
        assert_eq!(growth.last(), Some(&(1_000_000, 70_000)));
    }
}
