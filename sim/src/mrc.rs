//! Miss-ratio curves in one pass: exact LRU hit counts at every cache size from stack
//! distances (Mattson et al., 1970).
//!
//! The stack distance of a request is the number of distinct keys requested since the
//! previous request of the same key, that key included; a first request has none. An LRU
//! cache of `c` entries hits exactly the requests of stack distance at most `c`, so one
//! histogram of distances gives the hits at every size. The distance is counted with a
//! Fenwick tree over time slots holding a 1 at each key's latest request: `O(log n)` per
//! request. Slots are renumbered (compacted) when they run out, so memory is one map entry,
//! about two tree slots and one histogram bucket per distinct key, never per request.

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
    /// Fenwick tree (1-based) over the time slots `0 .. tree.len() - 1`.
    tree: Vec<u32>,
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

impl StackDistances {
    /// An empty histogram; the first `warmup` requests are replayed but not counted.
    pub fn new(warmup: u64) -> Self {
        StackDistances {
            warmup,
            last: HashMap::with_hasher(crate::registry::hasher()),
            tree: vec![0; MIN_SLOTS + 1],
            now: 0,
            hist: vec![0],
            counted: 0,
        }
    }

    /// Takes the requests `keys`, the first of which is request number `start`.
    pub fn feed(&mut self, start: u64, keys: &[u64]) {
        for (i, &k) in keys.iter().enumerate() {
            if self.now as usize + 1 >= self.tree.len() {
                self.compact();
            }
            let now = self.now;
            let counted = start + i as u64 >= self.warmup;
            if let Some(t) = self.last.insert(k, now) {
                {
                    // Keys whose latest request came after `t`, plus `k` itself.
                    let d = (self.prefix(now) - self.prefix(t + 1)) as usize + 1;
                    self.add(t, false);
                    if counted {
                        if d >= self.hist.len() {
                            self.hist.resize(d + 1, 0);
                        }
                        self.hist[d] += 1;
                    }
                }
            }
            self.add(now, true);
            if counted {
                self.counted += 1;
            }
            self.now += 1;
        }
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

    /// Adds 1 (or removes it) at slot `t`.
    #[inline]
    fn add(&mut self, t: u32, one: bool) {
        let mut i = t as usize + 1;
        while i < self.tree.len() {
            if one {
                self.tree[i] += 1;
            } else {
                self.tree[i] -= 1;
            }
            i += i & i.wrapping_neg();
        }
    }

    /// The sum over slots `0 .. t`.
    #[inline]
    fn prefix(&self, t: u32) -> u32 {
        let mut i = t as usize;
        let mut s = 0;
        while i > 0 {
            s += self.tree[i];
            i &= i - 1;
        }
        s
    }

    /// Renumbers the keys' latest slots `0 .. n` in order (relative order is all that
    /// distances need) and makes room for at least as many new slots as keys.
    fn compact(&mut self) {
        let mut order: Vec<(u32, u64)> = self.last.iter().map(|(&k, &t)| (t, k)).collect();
        order.sort_unstable();
        let n = order.len();
        for (slot, &(_, k)) in order.iter().enumerate() {
            self.last.insert(k, slot as u32);
        }
        let slots = (2 * n).max(MIN_SLOTS);
        assert!(
            slots < u32::MAX as usize,
            "too many distinct keys for u32 slots"
        );
        self.tree.clear();
        self.tree.resize(slots + 1, 0);
        for i in 1..=n {
            self.tree[i] += 1;
            let j = i + (i & i.wrapping_neg());
            if j <= slots {
                self.tree[j] += self.tree[i];
            }
        }
        for i in n + 1..=slots {
            let j = i + (i & i.wrapping_neg());
            if j <= slots {
                self.tree[j] += self.tree[i];
            }
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
        let keys: Vec<u64> = (0..3 * MIN_SLOTS as u64).chain(0..10).collect();
        let mut s = StackDistances::new(0);
        s.feed(0, &keys);
        let h = s.finish();
        assert_eq!(h.unique, 3 * MIN_SLOTS);
        assert_eq!(h.hits(3 * MIN_SLOTS), 10);
        assert_eq!(h.hits(3 * MIN_SLOTS - 1), 0);
    }
}
