//! Miss-ratio curves in one pass: exact LRU hit counts at every cache size from stack
//! distances (Mattson et al., 1970).
//!
//! The stack distance of a request is the number of distinct keys requested since the
//! previous request of the same key, that key included; a first request has none. An LRU
//! cache of `c` entries hits exactly the requests of stack distance at most `c`, so one
//! histogram of distances gives the hits at every size. The distance is counted with a
//! Fenwick tree over time slots holding a 1 at each key's latest request: `O(log n)` per
//! request. Slots are renumbered (compacted) when they run out, so memory is one map entry,
//! at most 16 bits of slots and one histogram bucket per distinct key, never per request.

use hashbrown::HashMap;

/// The stack-distance histogram of a trace.
///
/// # Examples
///
/// ```
/// use evict_sim::mrc::StackDistances;
///
/// let mut s = StackDistances::new(0);
/// s.feed(0, &[1, 2, 1, 3, 2]);
/// let h = s.finish();
/// // 1 (distance 2: 2 then 1), 2 (distance 3: 1, 3, 2).
/// assert_eq!((h.hits(1), h.hits(2), h.hits(3)), (0, 1, 2));
/// assert_eq!((h.requests, h.unique), (5, 3));
/// ```
#[derive(Debug)]
pub struct StackDistances {
    warmup: u64,
    /// Each key's latest time slot.
    last: HashMap<u64, u32, foldhash::fast::FixedState>,
    /// One bit per time slot: set at each key's latest slot.
    bits: Vec<u64>,
    /// Fenwick tree (1-based) of the set bits per block of [`BLOCK`] slots: small enough
    /// to stay in the L1 cache with the bits (a tree over single slots was 2x slower).
    tree: Vec<u32>,
    /// The number of slots (a multiple of [`BLOCK`]).
    slots: usize,
    /// The next time slot.
    now: u32,
    /// `hist[d]`: counted requests of stack distance `d` (`hist[0]` unused).
    hist: Vec<u64>,
    counted: u64,
}

/// How many requests were counted at each stack distance: hits of LRU at every size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    /// Cumulative counts: `cumulative[d]` = counted requests of stack distance at most `d`
    /// (`cumulative[0] = 0`).
    cumulative: Vec<u64>,
    /// Requests counted (the warm-up excluded).
    pub requests: u64,
    /// Distinct keys of the trace.
    pub unique: usize,
}

impl Histogram {
    /// Hits of an LRU cache of `size` entries.
    pub fn hits(&self, size: usize) -> u64 {
        match self.cumulative.get(size) {
            Some(&h) => h,
            None => self.cumulative.last().copied().unwrap_or(0),
        }
    }
}

const MIN_SLOTS: usize = 1 << 16;
/// Keys looked up ahead of their turn ([`StackDistances::feed`]).
const AHEAD: usize = 16;
/// Slots per block of the Fenwick tree: 8 words of bits.
const BLOCK: usize = 512;

impl StackDistances {
    /// An empty histogram; the first `warmup` requests are replayed but not counted.
    pub fn new(warmup: u64) -> Self {
        StackDistances {
            warmup,
            last: HashMap::with_hasher(crate::registry::hasher()),
            bits: vec![0; MIN_SLOTS / 64],
            tree: vec![0; MIN_SLOTS / BLOCK + 1],
            slots: MIN_SLOTS,
            now: 0,
            hist: vec![0],
            counted: 0,
        }
    }

    /// Takes the requests `keys`, the first of which is request number `start`.
    pub fn feed(&mut self, start: u64, keys: &[u64]) {
        for (c, chunk) in keys.chunks(AHEAD).enumerate() {
            // With a million keys the table and the bitmap no longer fit the processor's
            // caches, and each request waits for its entry. Looking up the next few keys
            // first (independent loads, fetched in parallel) finds them cached below.
            let mut warm = 0u64;
            for k in chunk {
                if let Some(&t) = self.last.get(k) {
                    warm ^= self.bits[t as usize / 64];
                }
            }
            std::hint::black_box(warm);
            self.feed_chunk(start + (c * AHEAD) as u64, chunk);
        }
    }

    fn feed_chunk(&mut self, start: u64, keys: &[u64]) {
        // The distances first, the histogram's counts after: its increments are
        // independent of each other, so their cache misses (the histogram has a bucket
        // per distinct key) overlap instead of each waiting behind the tree's work.
        let mut found = [0usize; AHEAD];
        let mut n = 0;
        for (i, &k) in keys.iter().enumerate() {
            let counted = start + i as u64 >= self.warmup;
            if let Some(d) = self.access(k)
                && counted
            {
                found[n] = d;
                n += 1;
            }
            if counted {
                self.counted += 1;
            }
        }
        for &d in &found[..n] {
            if d >= self.hist.len() {
                self.hist.resize(d + 1, 0);
            }
            self.hist[d] += 1;
        }
    }

    /// One request for `k`, not counted in the histogram: its stack distance, or `None`
    /// for the key's first request (or its first since [`remove`](Self::remove)).
    pub fn access(&mut self, k: u64) -> Option<usize> {
        if self.now as usize >= self.slots {
            self.compact();
        }
        let now = self.now;
        let mut distance = None;
        if let Some(t) = self.last.insert(k, now) {
            // Keys whose latest request came after `t`, plus `k` itself: every key's
            // latest slot is before `now`, so those after `t` are all keys but the ones at
            // or before `t`.
            distance = Some(self.last.len() - self.up_to(t) as usize + 1);
            self.add(t, false);
        }
        self.add(now, true);
        self.now += 1;
        distance
    }

    /// Forgets `k` (SHARDS drops keys from its sample): later distances do not count it.
    pub fn remove(&mut self, k: u64) {
        if let Some(t) = self.last.remove(&k) {
            self.add(t, false);
        }
    }

    /// Keys tracked.
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }

    /// The histogram.
    pub fn finish(self) -> Histogram {
        let mut cumulative = Vec::with_capacity(self.hist.len());
        let mut sum = 0;
        for (d, &n) in self.hist.iter().enumerate() {
            if d > 0 {
                sum += n;
            }
            cumulative.push(sum);
        }
        Histogram {
            cumulative,
            requests: self.counted,
            unique: self.last.len(),
        }
    }

    /// Sets (or clears) the bit of slot `t`.
    #[inline]
    fn add(&mut self, t: u32, one: bool) {
        let t = t as usize;
        let bit = 1u64 << (t % 64);
        if one {
            self.bits[t / 64] |= bit;
        } else {
            self.bits[t / 64] &= !bit;
        }
        let mut i = t / BLOCK + 1;
        while i < self.tree.len() {
            if one {
                self.tree[i] += 1;
            } else {
                self.tree[i] -= 1;
            }
            i += i & i.wrapping_neg();
        }
    }

    /// The number of set slots in `0 ..= t`.
    #[inline]
    fn up_to(&self, t: u32) -> u32 {
        let t = t as usize;
        let block = t / BLOCK;
        let mut s = 0;
        let mut i = block;
        while i > 0 {
            s += self.tree[i];
            i &= i - 1;
        }
        let word = t / 64;
        for w in &self.bits[block * (BLOCK / 64)..word] {
            s += w.count_ones();
        }
        let mask = u64::MAX >> (63 - t % 64);
        s + (self.bits[word] & mask).count_ones()
    }

    /// Renumbers the keys' latest slots `0 .. n` in order (relative order is all that
    /// distances need: a key's new slot is its rank, read off the tree) and makes room for
    /// 16 new slots per key (2 bytes of bits per key), so renumbering costs little per
    /// request.
    fn compact(&mut self) {
        let n = self.last.len();
        let mut ranks: Vec<u32> = Vec::with_capacity(n);
        for t in self.last.values() {
            ranks.push(self.up_to(*t) - 1);
        }
        for (t, r) in self.last.values_mut().zip(ranks) {
            *t = r;
        }
        let slots = (16 * n).clamp(MIN_SLOTS, 1 << 31).next_multiple_of(BLOCK);
        assert!(
            slots > n,
            "more than 2^31 distinct keys: too many for u32 slots"
        );
        self.slots = slots;
        self.bits.clear();
        self.bits.resize(slots / 64, 0);
        self.tree.clear();
        self.tree.resize(slots / BLOCK + 1, 0);
        for t in 0..n as u32 {
            self.add(t, true);
        }
        self.now = n as u32;
    }
}

/// `points` cache sizes from 1 to `unique`, spaced evenly on a log scale, without repeats:
/// the default sizes of `evict-sim mrc`.
///
/// ```
/// let s = evict_sim::mrc::log_sizes(1000, 4);
/// assert_eq!(s, [1, 10, 100, 1000]);
/// assert_eq!(evict_sim::mrc::log_sizes(3, 50), [1, 2, 3]);
/// ```
pub fn log_sizes(unique: usize, points: usize) -> Vec<usize> {
    let unique = unique.max(1);
    let mut out: Vec<usize> = (0..points.max(2))
        .map(|i| {
            let f = i as f64 / (points.max(2) - 1) as f64;
            ((unique as f64).powf(f).round() as usize).clamp(1, unique)
        })
        .collect();
    out.dedup();
    out
}

/// How a curve was computed: the `method` field of `evict-sim mrc`'s output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Exact LRU from stack distances: every request, one pass.
    Exact,
    /// SHARDS: stack distances of a hash-sampled subset of the keys, scaled
    /// ([`Shards`](crate::shards::Shards)).
    Shards,
    /// Miniature simulations of any policy
    /// ([`mini_stream`](crate::pipeline::mini_stream)).
    Mini,
}

impl Method {
    /// The name on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Shards => "shards",
            Method::Mini => "mini",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "exact" => Ok(Method::Exact),
            "shards" => Ok(Method::Shards),
            "mini" => Ok(Method::Mini),
            _ => Err(format!("unknown method '{s}' (known: exact, shards, mini)")),
        }
    }
}

/// One point of a curve: the fields of the replay's `--json` and `--csv` (see
/// [`Outcome`](crate::replay::Outcome)), then `method` and `sample_rate` (1 for exact).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    /// The trace as given.
    pub trace: String,
    /// The policy (`lru`).
    pub policy: String,
    /// Cache size in entries.
    pub size: usize,
    /// Requests counted (the warm-up excluded).
    pub requests: u64,
    /// Hits at this size.
    pub hits: u64,
    /// `requests - hits`.
    pub misses: u64,
    /// `hits / requests`.
    pub hit_ratio: f64,
    /// Wall-clock seconds of the whole curve (one pass for every size).
    pub seconds: f64,
    /// Distinct keys of the trace.
    pub unique_keys: usize,
    /// `exact`.
    pub method: &'static str,
    /// The share of keys sampled: 1 for exact.
    pub sample_rate: f64,
    /// A curve in bytes ([`crate::bytecurve`]; `size` is then in bytes): bytes of the
    /// counted requests. Absent from the output of a curve by count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_requested: Option<u64>,
    /// A curve in bytes: bytes of the requests that hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_hit: Option<u64>,
    /// A curve in bytes: `bytes_hit / bytes_requested`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_hit_ratio: Option<f64>,
    /// A curve in bytes: the distinct bytes (each key's size at its first request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_bytes: Option<u64>,
}

impl Point {
    /// A point of a miniature simulation from the replay's outcome; Bélády's points
    /// (`opt`, `opt-fill`, replayed in full beside the miniatures) are exact, rate 1.
    pub fn mini(o: &crate::replay::Outcome, rate: f64) -> Point {
        let belady = o.policy == crate::replay::OPT || o.policy == crate::replay::OPT_FILL;
        let (method, rate) = if belady {
            (Method::Exact, 1.0)
        } else {
            (Method::Mini, rate)
        };
        Point {
            trace: o.trace.clone(),
            policy: o.policy.clone(),
            size: o.size,
            requests: o.requests,
            hits: o.hits,
            misses: o.misses,
            hit_ratio: o.hit_ratio,
            seconds: o.seconds,
            unique_keys: o.unique_keys,
            method: method.name(),
            sample_rate: rate,
            bytes_requested: None,
            bytes_hit: None,
            byte_hit_ratio: None,
            unique_bytes: None,
        }
    }

    /// The point as a replay outcome (for the table and the plot).
    pub fn outcome(&self) -> crate::replay::Outcome {
        crate::replay::Outcome {
            trace: self.trace.clone(),
            policy: self.policy.clone(),
            size: self.size,
            requested: self.size,
            requests: self.requests,
            hits: self.hits,
            misses: self.misses,
            hit_ratio: self.hit_ratio,
            seconds: self.seconds,
            unique_keys: self.unique_keys,
            bytes: match (self.bytes_requested, self.bytes_hit, self.unique_bytes) {
                (Some(r), Some(h), Some(u)) => Some(crate::replay::ByteCounts::new(r, h, u)),
                _ => None,
            },
        }
    }
}

/// The points of LRU's curve in bytes of the trace `trace` at `sizes` (bytes).
///
/// ```
/// use evict_sim::bytecurve::ByteStackDistances;
///
/// let mut s = ByteStackDistances::new(0);
/// for (k, size) in [(1, 10), (2, 30), (1, 10)] {
///     s.access(k, size);
/// }
/// let p = evict_sim::mrc::byte_points("t", &s.finish(), &[30, 40], 0.5);
/// assert_eq!((p[0].hits, p[1].hits, p[1].bytes_hit), (0, 1, Some(10)));
/// ```
pub fn byte_points(
    trace: &str,
    curve: &crate::bytecurve::ByteCurve,
    sizes: &[u64],
    seconds: f64,
) -> Vec<Point> {
    sizes
        .iter()
        .map(|&size| {
            let (hits, bytes_hit) = curve.hits(size);
            let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            Point {
                trace: trace.to_string(),
                policy: "lru".to_string(),
                size: usize::try_from(size).unwrap_or(usize::MAX),
                requests: curve.requests,
                hits,
                misses: curve.requests - hits,
                hit_ratio: ratio(hits, curve.requests),
                seconds,
                unique_keys: curve.unique,
                method: Method::Exact.name(),
                sample_rate: 1.0,
                bytes_requested: Some(curve.bytes_requested),
                bytes_hit: Some(bytes_hit),
                byte_hit_ratio: Some(ratio(bytes_hit, curve.bytes_requested)),
                unique_bytes: Some(curve.unique_bytes),
            }
        })
        .collect()
}

/// The points of an exact LRU curve of the trace `trace` at `sizes`, from its histogram.
///
/// ```
/// use evict_sim::mrc::{StackDistances, points};
///
/// let mut s = StackDistances::new(0);
/// s.feed(0, &[1, 2, 1, 2]);
/// let p = points("t", &evict_sim::mrc::Estimate::Exact(s.finish()), &[1, 2], 0.5);
/// assert_eq!((p[0].hits, p[1].hits, p[1].method), (0, 2, "exact"));
/// ```
pub fn points(trace: &str, curve: &Estimate, sizes: &[usize], seconds: f64) -> Vec<Point> {
    let s = Summary::of(curve);
    sizes
        .iter()
        .map(|&size| {
            let (hits, method, rate) = match curve {
                Estimate::Exact(h) => (h.hits(size), Method::Exact, 1.0),
                Estimate::Shards(c) => {
                    let ratio = c.hit_ratio(size);
                    let hits = (ratio * c.requests as f64).round() as u64;
                    (hits.min(c.requests), Method::Shards, c.rate)
                }
            };
            Point {
                trace: trace.to_string(),
                policy: "lru".to_string(),
                size,
                requests: s.requests,
                hits,
                misses: s.requests - hits,
                hit_ratio: if s.requests == 0 {
                    0.0
                } else {
                    hits as f64 / s.requests as f64
                },
                seconds,
                unique_keys: s.unique,
                method: method.name(),
                sample_rate: rate,
                bytes_requested: None,
                bytes_hit: None,
                byte_hit_ratio: None,
                unique_bytes: None,
            }
        })
        .collect()
}

/// A curve: exact, or a SHARDS estimate.
#[derive(Clone, Debug)]
pub enum Estimate {
    /// From every request's stack distance.
    Exact(Histogram),
    /// From a sample of the keys.
    Shards(crate::shards::Curve),
}

/// Requests and distinct keys of a curve (estimated for SHARDS: sampled keys / rate).
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// Requests counted.
    pub requests: u64,
    /// Distinct keys.
    pub unique: usize,
}

impl Summary {
    /// The summary of `curve`.
    pub fn of(curve: &Estimate) -> Summary {
        match curve {
            Estimate::Exact(h) => Summary {
                requests: h.requests,
                unique: h.unique,
            },
            Estimate::Shards(c) => Summary {
                requests: c.requests,
                unique: c.unique,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LRU by a move-to-front list.
    fn naive(keys: &[u64], size: usize, warmup: usize) -> u64 {
        let mut list: Vec<u64> = Vec::new();
        let mut hits = 0;
        for (i, &k) in keys.iter().enumerate() {
            if let Some(p) = list.iter().position(|&x| x == k) {
                list.remove(p);
                if i >= warmup {
                    hits += 1;
                }
            } else if list.len() == size {
                list.pop();
            }
            list.insert(0, k);
        }
        hits
    }

    #[test]
    fn equals_naive_lru_through_compactions() {
        let mut rng = crate::workload::SplitMix64::new(5);
        // Few keys, many requests: the slots are compacted hundreds of times.
        let keys: Vec<u64> = (0..200_000).map(|_| rng.next_u64() % 300).collect();
        for warmup in [0, 1000] {
            let mut s = StackDistances::new(warmup as u64);
            for (c, chunk) in keys.chunks(777).enumerate() {
                s.feed((c * 777) as u64, chunk);
            }
            let h = s.finish();
            assert_eq!(h.requests, (keys.len() - warmup) as u64);
            for size in [1, 2, 7, 50, 150, 299, 300, 1000] {
                assert_eq!(h.hits(size), naive(&keys, size, warmup), "size {size}");
            }
        }
    }

    #[test]
    fn many_keys_grow_the_slots() {
        // A key count that is no multiple of a block, then enough requests to compact twice.
        let n = 70_001u64;
        let keys: Vec<u64> = (0..n)
            .chain(0..10)
            .chain((0..3 * 16 * n).map(|i| i % 5))
            .collect();
        let mut s = StackDistances::new(0);
        s.feed(0, &keys);
        let h = s.finish();
        assert_eq!(h.unique, n as usize);
        let repeats = keys.len() as u64 - n;
        assert_eq!(h.hits(n as usize), repeats);
        // Every repeat of 0..10 is at distance n; the loop over 0..5 hits at 5.
        assert_eq!(h.hits(n as usize - 1), repeats - 10);
        assert_eq!(h.hits(5), repeats - 15);
    }
}
