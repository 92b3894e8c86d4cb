//! SHARDS (Waldspurger et al., "Efficient MRC Construction with SHARDS", FAST 2015): the
//! LRU curve from the stack distances of a sample of the keys.
//!
//! A key is in the sample when its hash, modulo `P` = 2^24, is below a threshold `T`; the
//! rate is `R = T / P`. A sampled request's stack distance among sampled keys counts the
//! key and `d - 1` other sampled keys, which stand for `(d - 1) / R` keys of the whole
//! trace (scaling all of `d` by `1 / R` instead made every immediate re-reference a miss
//! below `1 / R` entries: 14 points off at 0.1% of the keys in a test). Two modes:
//!
//! - **fixed rate** (`--rate R`): `T` stays; memory grows with the sampled keys (`R` times
//!   the distinct keys).
//! - **fixed size** (`--samples N`): at most `N` sampled keys. When one more would be kept,
//!   the keys with the largest hash leave the sample, `T` drops to that hash, and the counts
//!   so far are scaled by `T_new / T_old`, so memory is constant.
//!
//! Both apply the SHARDS-adj correction: the difference between the expected sampled
//! requests (`requests × R`) and the counted ones is added at the smallest distance (on a
//! Zipf trace, whether the hottest keys fall in the sample moved the fixed-rate estimate by
//! several points without it).
//!
//! Distances are kept in buckets: exact below 64, then 128 per doubling (a size error below
//! 0.6%), so the histogram is small whatever the rates met.

use std::collections::BinaryHeap;
use std::hash::BuildHasher;

use crate::mrc::StackDistances;

/// The modulus of the sampling hash.
pub const P: u64 = 1 << 24;

/// How keys are sampled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampling {
    /// A fixed share of the keys (0 < rate <= 1).
    Rate(f64),
    /// At most this many keys, the rate lowered as needed (SHARDS-adj applied).
    Size(usize),
}

/// The sampling hash of `key`, in `0 .. P`: the registry's hasher over the key mixed with
/// a constant. The caches hash keys with the same hasher; the mix makes the sample's hash
/// bits independent of the caches' (also for miniature simulations).
pub fn sample_hash(hasher: &foldhash::fast::FixedState, key: u64) -> u64 {
    hasher.hash_one(key ^ 0x5851_f42d_4c95_7f2d) % P
}

/// The threshold of a rate: keys whose [`sample_hash`] is below it are sampled.
///
/// # Panics
///
/// If `rate` is not in `(0, 1]`.
pub fn threshold(rate: f64) -> u64 {
    assert!(rate > 0.0 && rate <= 1.0, "rate {rate} not in (0, 1]");
    ((rate * P as f64).round() as u64).max(1)
}

const EXACT: usize = 64;
const PER_DOUBLING: f64 = 128.0;

fn bucket(distance: f64) -> usize {
    if distance < EXACT as f64 {
        distance as usize
    } else {
        EXACT + ((distance / EXACT as f64).log2() * PER_DOUBLING) as usize
    }
}

/// The smallest distance of bucket `b`.
fn floor_of(b: usize) -> f64 {
    if b < EXACT {
        b as f64
    } else {
        EXACT as f64 * ((b - EXACT) as f64 / PER_DOUBLING).exp2()
    }
}

/// The SHARDS estimate of LRU's curve, fed batch by batch.
///
/// # Examples
///
/// ```
/// use evict_sim::shards::{Sampling, Shards};
///
/// let keys = evict_sim::workload::zipf(1_000, 0.9, 100_000, 1);
/// let mut s = Shards::new(Sampling::Rate(1.0), 0);
/// s.feed(0, &keys);
/// let c = s.finish();
/// // At rate 1 it is the exact curve (up to the buckets above 64).
/// let mut exact = evict_sim::mrc::StackDistances::new(0);
/// exact.feed(0, &keys);
/// assert_eq!(c.hit_ratio(50), exact.finish().hits(50) as f64 / 100_000.0);
/// ```
#[derive(Debug)]
pub struct Shards {
    sampling: Sampling,
    threshold: u64,
    stack: StackDistances,
    /// Fixed size: the sampled keys by hash, largest first.
    heap: BinaryHeap<(u64, u64)>,
    warmup: u64,
    seen: u64,
    requests: u64,
    /// Counts per bucket, in units of `1 / scale`.
    buckets: Vec<f64>,
    sampled: f64,
    /// The product of the rescalings so far (fixed size).
    scale: f64,
    hasher: foldhash::fast::FixedState,
}

/// A SHARDS curve: hit ratio at any size.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Cumulative weight of the sampled requests per bucket.
    cumulative: Vec<f64>,
    /// The denominator: sampled requests (fixed rate) or the expected number (fixed size).
    total: f64,
    /// Weight added at every size (SHARDS-adj).
    adjust: f64,
    /// The final sampling rate.
    pub rate: f64,
    /// Requests counted (all of them, sampled or not; the warm-up excluded).
    pub requests: u64,
    /// The distinct keys, estimated: sampled keys / rate.
    pub unique: usize,
}

impl Curve {
    /// The estimated hit ratio of LRU with `size` entries.
    pub fn hit_ratio(&self, size: usize) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        // The buckets whose smallest distance fits: a prefix.
        let mut lo = 0;
        let mut hi = self.cumulative.len();
        while lo < hi {
            let mid = (lo + hi) / 2;
            if floor_of(mid) <= size as f64 {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let hits = if lo == 0 {
            0.0
        } else {
            self.cumulative[lo - 1]
        };
        ((hits + self.adjust) / self.total).clamp(0.0, 1.0)
    }
}

impl Shards {
    /// An empty estimate; the first `warmup` requests are replayed but not counted.
    ///
    /// # Panics
    ///
    /// If the rate is not in `(0, 1]` or the size is 0 (the command line checks both).
    pub fn new(sampling: Sampling, warmup: u64) -> Self {
        let threshold = match sampling {
            Sampling::Rate(r) => threshold(r),
            Sampling::Size(n) => {
                assert!(n > 0, "a sample of 0 keys");
                P
            }
        };
        Shards {
            sampling,
            threshold,
            stack: StackDistances::new(0),
            heap: BinaryHeap::new(),
            warmup,
            seen: 0,
            requests: 0,
            buckets: Vec::new(),
            sampled: 0.0,
            scale: 1.0,
            hasher: crate::registry::hasher(),
        }
    }

    /// Takes the requests `keys`, the first of which is request number `start`.
    pub fn feed(&mut self, start: u64, keys: &[u64]) {
        for (i, &k) in keys.iter().enumerate() {
            let counted = start + i as u64 >= self.warmup;
            self.requests += u64::from(counted);
            let h = sample_hash(&self.hasher, k);
            if h >= self.threshold {
                continue;
            }
            let rate = self.threshold as f64 / P as f64;
            let unit = 1.0 / self.scale;
            match self.stack.access(k) {
                Some(d) => {
                    if counted {
                        // `d` counts the key itself and `d - 1` other sampled keys, which
                        // stand for `(d - 1) / rate` keys of the whole trace.
                        let b = bucket(1.0 + (d - 1) as f64 / rate);
                        if b >= self.buckets.len() {
                            self.buckets.resize(b + 1, 0.0);
                        }
                        self.buckets[b] += unit;
                    }
                }
                None => {
                    if let Sampling::Size(max) = self.sampling {
                        self.heap.push((h, k));
                        if self.stack.len() > max {
                            self.shrink();
                        }
                    }
                }
            }
            if counted {
                self.sampled += unit;
            }
        }
        self.seen += keys.len() as u64;
    }

    /// Fixed size: drops the keys of the largest hash and lowers the threshold to it.
    fn shrink(&mut self) {
        let Some(&(top, _)) = self.heap.peek() else {
            return;
        };
        while let Some(&(h, k)) = self.heap.peek() {
            if h < top {
                break;
            }
            self.heap.pop();
            self.stack.remove(k);
        }
        let old = self.threshold;
        self.threshold = top;
        self.scale *= top as f64 / old as f64;
    }

    /// The curve.
    pub fn finish(self) -> Curve {
        let rate = self.threshold as f64 / P as f64;
        let mut cumulative = Vec::with_capacity(self.buckets.len());
        let mut sum = 0.0;
        for (b, w) in self.buckets.iter().enumerate() {
            if b > 0 {
                sum += w * self.scale;
            }
            cumulative.push(sum);
        }
        let sampled = self.sampled * self.scale;
        // SHARDS-adj: a hot key in or out of the sample moves the sampled share of the
        // requests far from the rate; the difference is put at the smallest distance.
        let expected = self.requests as f64 * rate;
        let (total, adjust) = (expected, expected - sampled);
        Curve {
            cumulative,
            total,
            adjust,
            rate,
            requests: self.requests,
            unique: (self.stack.len() as f64 / rate).round() as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotone_and_tight() {
        let mut last = 0;
        for d in 1..100_000 {
            let b = bucket(d as f64);
            assert!(b >= last);
            assert!(floor_of(b) <= d as f64 + 1e-9, "{d}");
            assert!(d as f64 <= floor_of(b) * 1.006 + 1.0, "{d}");
            last = b;
        }
    }
}
