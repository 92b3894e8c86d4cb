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
//! On top of the paper, the hottest keys are tracked exactly, outside the sample
//! ([`Shards`] says how and why); the sampled rest is then estimated as a ratio. With
//! [`Shards::hot_keys`]`(0)` it is the paper's SHARDS, which applies the SHARDS-adj
//! correction: the difference between the expected sampled requests (`requests × R`) and
//! the counted ones is added at the smallest distance (on a Zipf trace, whether the hottest
//! keys fall in the sample moved the fixed-rate estimate by several points without it).
//!
//! Distances are kept in buckets: exact below 64, then 128 per doubling (a size error below
//! 0.6%), so the histogram is small whatever the rates met.

use std::collections::BinaryHeap;

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

/// The salt of the sampling hash unless `--salt` says otherwise: any fixed value would do;
/// a different salt draws a different sample (the spread of the estimates over salts is
/// the sampling error, sim/README.md).
pub const DEFAULT_SALT: u64 = 0x5851_f42d_4c95_7f2d;

/// The sampling hash of `key` under `salt`, in `0 .. P`: SplitMix64's finalizer (a
/// bijective 64-bit mix in which every input bit moves every output bit) over the key
/// XOR the mixed salt.
///
/// Why not the caches' hasher, as before: foldhash over small consecutive integers (a
/// Zipf trace whose key is the rank) leaves its low bits close to a lattice, so the sample
/// took about one key in every `1 / R` consecutive ranks. That stratified sample flattered
/// the estimates on rank-keyed traces (SHARDS at 1%: 0.18-0.52 points over four salts,
/// against 0.9-1.8 on the same trace with its keys scrambled) and said nothing about
/// traces whose key values carry no order. It also tied the sample to the hash the
/// miniature caches index by; this mix shares nothing with it.
///
/// ```
/// use evict_sim::shards::{sample_hash, DEFAULT_SALT, P};
///
/// assert!(sample_hash(DEFAULT_SALT, 7) < P);
/// assert_ne!(sample_hash(DEFAULT_SALT, 7), sample_hash(1, 7));
/// ```
pub fn sample_hash(salt: u64, key: u64) -> u64 {
    mix(key ^ mix(salt)) % P
}

/// SplitMix64's output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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

/// Hot keys tracked exactly by default ([`Shards::hot_keys`]).
///
/// Why 131,072 rather than 65,536 (the default until 2026-12-06): on the 50M-request Zipf
/// trace at 1%, five salts, 65,536 left one salt at 0.108 points of mean error (0.031 to
/// 0.108), 131,072 gave 0.026 to 0.089 (the scrambled-key copy 0.029 to 0.093), for 33
/// instead of 22 MB and about 30% more CPU.
pub const HOT_KEYS: usize = 131_072;
/// A key becomes hot once its count reaches `1 / (4 × the hot keys allowed)` of the
/// requests seen (a power of two: [`hot_share`]) and at least this many requests. Every
/// request of a key not yet hot is counted: counting one in 8 (as before) left a hot
/// key's first ~64 requests to the sampled population, and which of those few heavy
/// keys fell in the sample still moved the estimate by up to 0.2 points at every size.
const HOT_MIN: u16 = 4;

/// Bits of the hot-key filter.
const FILTER: usize = 1 << 20;

/// `s` such that a key with at least `1 / 2^s` of the requests becomes hot, for at most
/// `max` hot keys: `2^s` is about four times `max`, so that keys somewhat below the share
/// a full hot set would have are still caught (the set's cap stops the rest).
fn hot_share(max: usize) -> u32 {
    (max.max(1) * 4)
        .next_power_of_two()
        .trailing_zeros()
        .min(30)
}

/// The SHARDS estimate of LRU's curve, fed batch by batch.
///
/// On top of the paper's sampling, the hottest keys are tracked exactly. Why: a sampled
/// key stands for `1 / R` keys in every other sampled request's distance, so on a skewed
/// trace the estimate at small sizes hangs on which of the few hundred hottest keys fell
/// in the sample (Zipf 0.9 over 1M keys, 50M requests, 1%: 0.5 to 4 points of mean
/// error from one salt to the next, up to 18 points at 0.1% of the keys when the hottest
/// key was sampled). A count-min sketch counts the requests of the keys not yet hot
/// (two rows of `2^(s + 1)` 16-bit counters, `2^s` about four times the hot keys allowed:
/// 4 MiB for the default [`HOT_KEYS`]); a key whose count reaches `1 / 2^s` of the
/// requests seen (and 4) becomes hot, for good, while the set has room. From then on
/// its requests are counted exactly (weight 1, not `1 / R`) and it counts 1, not `1 / R`,
/// in the distances of the others. Before, its requests were part of the sampled
/// population, so every request is estimated once (a Horvitz-Thompson estimate: weight
/// 1 / probability of being tracked). SHARDS-adj applies to the sampled part. At a fixed
/// rate, a hot key's distance counts the sampled population's keys in between with a
/// control variate, the window's requests (`others_between`).
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
/// assert!((c.hit_ratio(50) - exact.finish().hits(50) as f64 / 100_000.0).abs() < 1e-9);
/// ```
#[derive(Debug)]
pub struct Shards {
    sampling: Sampling,
    threshold: u64,
    stack: Stack,
    /// Fixed size: the sampled keys by hash, largest first.
    heap: BinaryHeap<(u64, u64)>,
    warmup: u64,
    seen: u64,
    /// Counted requests of keys not hot at the time.
    requests: u64,
    /// Counted requests of hot keys.
    hot_requests: u64,
    /// Counts per bucket, in units of `1 / scale`.
    buckets: Vec<f64>,
    /// Hot keys' counted requests per bucket.
    hot_buckets: Vec<f64>,
    sampled: f64,
    /// The product of the rescalings so far (fixed size).
    scale: f64,
    /// `mix(salt)`, once.
    mixed_salt: u64,
    /// At most this many hot keys (0: plain SHARDS).
    hot_max: usize,
    hot_len: usize,
    /// One bit per hash value's top 16 bits: set for every hot key (a quick "not hot").
    hot_filter: Vec<u64>,
    /// `1 / 2^hot_share` of the requests makes a key hot ([`hot_share`]).
    hot_share: u32,
    /// Count-min sketch of the requests of keys not hot, two rows of `2^(hot_share + 1)`
    /// counters: twice as many counters per row as keys at the threshold share could
    /// exist, so that the noise a counter collects from the others stays below the
    /// threshold (with as many counters as such keys, the average load equalled it).
    sketch: Vec<u16>,
    /// The sampled population's requests so far, all and sampled (after each request).
    window: Counters,
    /// Over the sampled keys not hot: the sum of their request counts and of their
    /// squares ([`others_between`](Self::others_between)).
    moments: [f64; 2],
    /// Whether the window's requests correct the hot keys' distances (fixed rate with hot
    /// keys; the paper's estimate otherwise).
    control: bool,
}

/// A SHARDS curve: hit ratio at any size.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Cumulative weight of the sampled requests per bucket.
    cumulative: Vec<f64>,
    /// Cumulative hot requests per bucket.
    hot: Vec<f64>,
    /// The sampled part's denominator: the sampled requests (with hot keys), or the
    /// expected number (plain SHARDS, with SHARDS-adj).
    total: f64,
    /// Weight added at every size (SHARDS-adj).
    adjust: f64,
    /// Requests of keys not hot at the time (the sampled population).
    others: u64,
    /// The final sampling rate.
    pub rate: f64,
    /// Requests counted (all of them, sampled or not; the warm-up excluded).
    pub requests: u64,
    /// The distinct keys, estimated: sampled keys / rate, plus the hot keys.
    pub unique: usize,
}

/// The prefix sum of `cumulative` over the buckets whose smallest distance fits `size`.
fn fits(cumulative: &[f64], size: usize) -> f64 {
    let mut lo = 0;
    let mut hi = cumulative.len();
    while lo < hi {
        let mid = (lo + hi) / 2;
        if floor_of(mid) <= size as f64 {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if lo == 0 { 0.0 } else { cumulative[lo - 1] }
}

impl Curve {
    /// The estimated hit ratio of LRU with `size` entries.
    pub fn hit_ratio(&self, size: usize) -> f64 {
        if self.requests == 0 {
            return 0.0;
        }
        let others = if self.total > 0.0 {
            ((fits(&self.cumulative, size) + self.adjust) / self.total).clamp(0.0, 1.0)
                * self.others as f64
        } else {
            0.0
        };
        ((others + fits(&self.hot, size)) / self.requests as f64).clamp(0.0, 1.0)
    }
}

fn add(buckets: &mut Vec<f64>, b: usize, w: f64) {
    if b >= buckets.len() {
        buckets.resize(b + 1, 0.0);
    }
    buckets[b] += w;
}

impl Shards {
    /// An empty estimate; the first `warmup` requests are replayed but not counted.
    ///
    /// # Panics
    ///
    /// If the rate is not in `(0, 1]` or the size is 0 (the command line checks both).
    pub fn new(sampling: Sampling, warmup: u64) -> Self {
        Shards::with_salt(sampling, warmup, DEFAULT_SALT)
    }

    /// As [`new`](Self::new), sampling with [`sample_hash`] under `salt`.
    ///
    /// # Panics
    ///
    /// As [`new`](Self::new).
    pub fn with_salt(sampling: Sampling, warmup: u64, salt: u64) -> Self {
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
            stack: Stack::default(),
            heap: BinaryHeap::new(),
            warmup,
            seen: 0,
            requests: 0,
            hot_requests: 0,
            buckets: Vec::new(),
            hot_buckets: Vec::new(),
            sampled: 0.0,
            scale: 1.0,
            mixed_salt: mix(salt),
            hot_max: HOT_KEYS,
            hot_share: hot_share(HOT_KEYS),
            hot_len: 0,
            hot_filter: vec![0; FILTER / 64],
            sketch: Vec::new(),
            window: Counters::default(),
            moments: [0.0; 2],
            control: matches!(sampling, Sampling::Rate(_)),
        }
    }

    /// Tracks at most `max` hot keys exactly (default [`HOT_KEYS`]; 0 is the paper's
    /// SHARDS). Memory: a table entry and two slots per hot key, and the sketch.
    #[must_use]
    pub fn hot_keys(mut self, max: usize) -> Self {
        self.hot_max = max;
        self.hot_share = hot_share(max);
        self.control = max > 0 && matches!(self.sampling, Sampling::Rate(_));
        self
    }

    /// Whether `k`, of hash `z`, is hot.
    #[inline]
    fn is_hot(&self, z: u64, k: u64) -> bool {
        let f = (z >> 44) as usize;
        self.hot_len > 0 && self.hot_filter[f / 64] & (1 << (f % 64)) != 0 && self.stack.is_hot(k)
    }

    /// Counts a request of `k` (hash `z`, not hot) in the sketch; whether `k` is now hot.
    #[inline]
    fn count(&mut self, z: u64) -> bool {
        let row = 1usize << (self.hot_share + 1);
        if self.sketch.is_empty() {
            self.sketch = vec![0; 2 * row];
        }
        // Rows indexed by bits the sample (the low 24) does not use: z's upper bits, and
        // a multiplicative remix of z for the second row.
        let a = (z >> 24) as usize & (row - 1);
        let b = row
            + ((z.rotate_left(17).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & (row - 1));
        // Conservative update: only the smaller counter(s) grow. 16 bits suffice: a key
        // is hot long before 65,535 requests unless the trace has more than
        // 2^(16 + hot_share) requests; the threshold is capped there, so a saturated
        // counter says "hot".
        let m = self.sketch[a].min(self.sketch[b]).saturating_add(1);
        self.sketch[a] = self.sketch[a].max(m);
        self.sketch[b] = self.sketch[b].max(m);
        u64::from(m) >= (self.seen >> self.hot_share).clamp(u64::from(HOT_MIN), u64::from(u16::MAX))
    }

    /// Takes the requests `keys`, the first of which is request number `start`.
    pub fn feed(&mut self, start: u64, keys: &[u64]) {
        for (i, &k) in keys.iter().enumerate() {
            let counted = start + i as u64 >= self.warmup;
            let z = mix(k ^ self.mixed_salt);
            let h = z % P;
            let mut hot = self.is_hot(z, k);
            // A key promoted by this request joins the hot class now (its slot is taken
            // as hot), but this request is still measured as one of the sampled
            // population: a key not sampled before was not tracked, so its distance is
            // unknown, and counting the request as a hot miss made every promotion a
            // false miss (65,536 of them: 3 points at large sizes on a 2M-request trace).
            let mut promoted = false;
            if !hot && self.hot_len < self.hot_max && self.count(z) {
                hot = true;
                promoted = true;
                self.hot_len += 1;
                let f = (z >> 44) as usize;
                self.hot_filter[f / 64] |= 1 << (f % 64);
            }
            self.seen += 1;
            let sampled_key = h < self.threshold;
            let measured_hot = hot && !promoted;
            let before = self.window;
            if !measured_hot {
                self.window.all += 1;
                self.window.sampled += u64::from(sampled_key);
            }
            if !hot && !sampled_key {
                self.requests += u64::from(counted);
                continue;
            }
            let rate = self.threshold as f64 / P as f64;
            let unit = 1.0 / self.scale;
            match self.stack.access(k, hot, self.window) {
                Some(w) => {
                    if counted && (measured_hot || sampled_key) {
                        // The key itself, the hot keys requested since (each itself) and
                        // the other keys, estimated from the sampled ones.
                        let others = if measured_hot {
                            self.others_between(w, before, rate)
                        } else {
                            f64::from(w.sampled) / rate
                        };
                        let d = 1.0 + f64::from(w.hot) + others;
                        if measured_hot {
                            add(&mut self.hot_buckets, bucket(d), 1.0);
                        } else {
                            add(&mut self.buckets, bucket(d), unit);
                        }
                    }
                    if w.previous.t & HOT == 0 && w.previous.count > 0 {
                        // The key's requests so far while sampled and not hot (the
                        // control variate's coefficient): one more, or none once hot.
                        let c = f64::from(w.previous.count);
                        if hot {
                            self.moments[0] -= c;
                            self.moments[1] -= c * c;
                        } else {
                            self.moments[0] += 1.0;
                            self.moments[1] += 2.0 * c + 1.0;
                        }
                    } else if !hot {
                        self.moments[0] += 1.0;
                        self.moments[1] += 1.0;
                    }
                }
                None => {
                    if !hot {
                        self.moments[0] += 1.0;
                        self.moments[1] += 1.0;
                    }
                    if let (Sampling::Size(_), false) = (self.sampling, hot) {
                        self.heap.push((h, k));
                    }
                }
            }
            if let Sampling::Size(max) = self.sampling {
                while self.stack.sampled_len() > max && !self.heap.is_empty() {
                    self.shrink();
                }
            }
            if counted {
                if measured_hot {
                    self.hot_requests += 1;
                } else {
                    self.requests += 1;
                    if sampled_key {
                        self.sampled += unit;
                    }
                }
            }
        }
    }

    /// The keys of the sampled population requested between a hot key's previous request
    /// (`w`) and this one (the counters `now` just before it), at sampling rate `rate`.
    ///
    /// The paper's estimate is the sampled keys seen, `w.sampled`, over the rate. Its
    /// error hangs on how many keys the salt happened to sample among those requested in
    /// the window: at 1% of 1M keys about 1% of relative error, which moved the Zipf curve
    /// of the README by a near-constant 0.1 points at every size, small ones included. At
    /// a fixed rate, the window's requests are known exactly (`L`) and as sampled (`S`);
    /// `L - S / rate` has expectation 0 and moves with the estimate's error, so it is added
    /// as a control variate with the coefficient that minimises the variance for
    /// independent requests: `beta = 1 / (1 + L q)`, `q` the population's
    /// `sum(lambda^2) / sum(lambda)` (request rates per request, from the sampled keys'
    /// counts). A short window, whose keys are nearly all distinct, gets `beta` close to 1
    /// and so nearly `L` itself; a window long enough for the popular keys to repeat gets
    /// the paper's estimate. Only hot keys' requests take it (their windows are short):
    /// on the sampled keys' own, long windows it made the large sizes worse (on the 50M
    /// trace, 5 salts: up to 0.45 points at 50% against 0.12 without).
    fn others_between(&self, w: Window, now: Counters, rate: f64) -> f64 {
        let sampled = f64::from(w.sampled);
        let paper = sampled / rate;
        if !self.control {
            return paper;
        }
        let all = (now.all - w.previous.at.all) as f64;
        let seen = (now.sampled - w.previous.at.sampled) as f64;
        let [m1, m2] = self.moments;
        // E[c^2] = n lambda + (n lambda)^2 for a key of rate lambda seen n times: the
        // squares' excess over the counts estimates sum((n lambda)^2).
        let q = if m1 > 0.0 && now.all > 0 {
            (m2 - m1).max(0.0) / (m1 * now.all as f64)
        } else {
            0.0
        };
        let beta = 1.0 / (1.0 + all * q);
        (paper + beta * (all - seen / rate)).clamp(sampled, all.max(sampled))
    }

    /// Fixed size: drops the sampled keys of the largest hash and lowers the threshold
    /// to it. Hot keys stay.
    fn shrink(&mut self) {
        let Some(&(top, _)) = self.heap.peek() else {
            return;
        };
        while let Some(&(h, k)) = self.heap.peek() {
            if h < top {
                break;
            }
            self.heap.pop();
            self.stack.remove_sampled(k);
        }
        let old = self.threshold;
        self.threshold = top;
        self.scale *= top as f64 / old as f64;
    }

    /// The curve.
    pub fn finish(self) -> Curve {
        let rate = self.threshold as f64 / P as f64;
        let cumulate = |buckets: &[f64], scale: f64| {
            let mut out = Vec::with_capacity(buckets.len());
            let mut sum = 0.0;
            for (b, w) in buckets.iter().enumerate() {
                if b > 0 {
                    sum += w * scale;
                }
                out.push(sum);
            }
            out
        };
        let sampled = self.sampled * self.scale;
        // Plain SHARDS applies SHARDS-adj: a hot key in or out of the sample moves the
        // sampled share of the requests far from the rate; the difference is put at the
        // smallest distance. With the hot keys counted exactly, the sample's count is off
        // because of keys of every popularity (mostly cold ones, which miss), so the
        // sampled part is its own ratio: hits / sampled requests. Measured on the 50M
        // Zipf trace at 1%, five salts, 16,384 hot keys found on one request in 8: with
        // adj 0.32-0.89 points of mean error, as a ratio 0.07-0.41 (sim/README.md has the
        // figures of the present defaults).
        let expected = self.requests as f64 * rate;
        let (total, adjust) = if self.hot_max == 0 {
            (expected, expected - sampled)
        } else {
            (sampled, 0.0)
        };
        Curve {
            cumulative: cumulate(&self.buckets, self.scale),
            hot: cumulate(&self.hot_buckets, 1.0),
            total,
            adjust,
            others: self.requests,
            rate,
            requests: self.requests + self.hot_requests,
            unique: (self.stack.sampled_len() as f64 / rate).round() as usize + self.hot_len,
        }
    }
}

/// Stack distances over two classes of keys on one time axis: sampled keys and hot keys.
/// Each tracked key's latest request holds its time slot, counted in its class's half of
/// one Fenwick tree (both counts of a node side by side: one walk reads both); a
/// request's distance is read as the number of each class's slots after its key's
/// previous one. Slots are renumbered (in order) when they run out.
#[derive(Debug, Default)]
struct Stack {
    /// Each tracked key's latest request.
    last: hashbrown::HashMap<u64, Seen, foldhash::fast::FixedState>,
    /// Fenwick tree (1-based) of `[sampled, hot]` slot counts.
    tree: Vec<[u32; 2]>,
    totals: [u32; 2],
    now: u32,
}

/// A tracked key's latest request.
#[derive(Clone, Copy, Debug)]
struct Seen {
    /// Its slot, with [`HOT`] set for a hot key.
    t: u32,
    /// The key's requests so far while not hot.
    count: u32,
    /// [`Counters`] just after that request.
    at: Counters,
}

/// Running counts of the requests of keys not hot at the time (the sampled population):
/// all of them, and those of sampled keys. Their differences between a key's two
/// requests are the window's requests, exactly and as sampled ([`Shards`]' control
/// variate).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counters {
    all: u64,
    sampled: u64,
}

/// What a key's request found since its previous one.
#[derive(Clone, Copy, Debug)]
struct Window {
    /// Sampled keys requested since (each once).
    sampled: u32,
    /// Hot keys requested since.
    hot: u32,
    /// The key's previous request.
    previous: Seen,
}

const HOT: u32 = 1 << 31;

/// The class of a slot word: 0 sampled, 1 hot.
fn class(t: u32) -> usize {
    (t >> 31) as usize
}

impl Stack {
    fn is_hot(&self, k: u64) -> bool {
        self.last.get(&k).is_some_and(|s| s.t & HOT != 0)
    }

    fn sampled_len(&self) -> usize {
        self.totals[0] as usize
    }

    /// A request of `k`, of the hot class or not, `at` the counters just after it: the
    /// sampled and hot keys requested since its previous request, and that request
    /// (`None` for its first).
    fn access(&mut self, k: u64, hot: bool, at: Counters) -> Option<Window> {
        if self.now as usize + 1 >= self.tree.len() {
            self.compact();
        }
        let now = self.now;
        self.now += 1;
        let t = now | if hot { HOT } else { 0 };
        let seen = Seen { t, count: 0, at };
        let (old, entry) = match self.last.entry(k) {
            hashbrown::hash_map::Entry::Occupied(mut e) => {
                let old = *e.get();
                *e.get_mut() = seen;
                (Some(old), e.into_mut())
            }
            hashbrown::hash_map::Entry::Vacant(e) => (None, e.insert(seen)),
        };
        entry.count = old.map_or(0, |o| o.count) + u32::from(!hot);
        let window = old.map(|old| {
            let up_to = prefix(&self.tree, old.t & !HOT);
            let window = Window {
                sampled: self.totals[0] - up_to[0],
                hot: self.totals[1] - up_to[1],
                previous: old,
            };
            self.update(old.t, u32::MAX);
            window
        });
        self.update(t, 1);
        window
    }

    /// Forgets a sampled key (fixed size); hot keys stay.
    fn remove_sampled(&mut self, k: u64) {
        if let Some(&s) = self.last.get(&k)
            && s.t & HOT == 0
        {
            self.last.remove(&k);
            self.update(s.t, u32::MAX);
        }
    }

    /// Adds `delta` (wrapping: `u32::MAX` is -1) at the slot word `t`, in its class.
    fn update(&mut self, t: u32, delta: u32) {
        let c = class(t);
        self.totals[c] = self.totals[c].wrapping_add(delta);
        let mut i = (t & !HOT) as usize + 1;
        while i < self.tree.len() {
            self.tree[i][c] = self.tree[i][c].wrapping_add(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// Renumbers the tracked keys' slots `0 .. n` in order and makes room for `3 n` more.
    fn compact(&mut self) {
        let mut order: Vec<(u32, u64)> = self.last.iter().map(|(&k, s)| (s.t & !HOT, k)).collect();
        order.sort_unstable();
        let n = order.len();
        let slots = (4 * n).max(1024);
        assert!(slots < HOT as usize, "too many sampled keys for u32 slots");
        self.tree.clear();
        self.tree.resize(slots + 1, [0; 2]);
        for (i, &(_, k)) in order.iter().enumerate() {
            let s = self.last.get_mut(&k).expect("a tracked key");
            s.t = i as u32 | (s.t & HOT);
            self.tree[i + 1][class(s.t)] += 1;
        }
        // The Fenwick tree built in place in linear time.
        for i in 1..self.tree.len() {
            let j = i + (i & i.wrapping_neg());
            if j < self.tree.len() {
                let [a, b] = self.tree[i];
                self.tree[j][0] += a;
                self.tree[j][1] += b;
            }
        }
        self.now = n as u32;
    }
}

/// Both classes' counts over slots `0 ..= t`.
fn prefix(tree: &[[u32; 2]], t: u32) -> [u32; 2] {
    let mut i = t as usize + 1;
    let mut s = [0u32; 2];
    while i > 0 {
        s[0] = s[0].wrapping_add(tree[i][0]);
        s[1] = s[1].wrapping_add(tree[i][1]);
        i &= i - 1;
    }
    s
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
