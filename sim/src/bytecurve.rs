//! LRU's hit and byte-hit curve in bytes, in one pass: the byte stack distances of
//! `evict-sim mrc` on a trace with object sizes.
//!
//! In an LRU cache bounded by bytes (a miss inserts the object at the top and evicts from
//! the bottom until it fits, libCacheSim's rule and evict's weighted LRU), the cached
//! objects are always the most recent ones. So a request for `x` hits in a cache of `C`
//! bytes exactly when `x`'s size plus the sizes of the distinct objects requested since
//! `x`'s previous request is at most `C`, provided none of those objects is larger than
//! `C` (such an object is never admitted, so it does not push `x` out; the formula would
//! count it). One pass records, for every repeated request, that sum (the smallest cache
//! that hits it) and the request's bytes; the hits at every size are then a binary search
//! in the sorted sums.
//!
//! Exact, request for request, at every size at or above the largest object of the trace
//! ([`ByteCurve::largest`]) when each key keeps one size (a test compares it with the
//! weighted LRU replay on every shared trace with sizes); below the largest object it is a
//! lower bound (a hit it counts is a hit). A key whose size changes is counted with the
//! size of its latest request (libCacheSim keeps the size it was inserted with, which
//! depends on the cache size): then the curve is an estimate.
//!
//! The sums come from a Fenwick tree over time slots holding the size of each key at the
//! slot of its latest request (`O(log n)` per request); slots are renumbered, in order,
//! when they run out. Memory: a table entry and two slots per distinct key, and 16 bytes
//! per repeated request (the sums and bytes, sorted at the end).

use hashbrown::HashMap;

/// The one-pass collector: feed it every request ([`access`](Self::access)), then
/// [`finish`](Self::finish).
///
/// # Examples
///
/// ```
/// use evict_sim::bytecurve::ByteStackDistances;
///
/// let mut s = ByteStackDistances::new(0);
/// for (k, size) in [(1, 100), (2, 200), (1, 100), (2, 200)] {
///     s.access(k, size);
/// }
/// let c = s.finish();
/// // Key 1's reuse needs 100 + 200 bytes; so does key 2's.
/// assert_eq!(c.hits(299), (0, 0));
/// assert_eq!(c.hits(300), (2, 300));
/// assert_eq!((c.unique, c.unique_bytes, c.largest), (2, 300, 200));
/// ```
#[derive(Debug)]
pub struct ByteStackDistances {
    /// Per key: the slot of its latest request and the size there.
    last: HashMap<u64, (usize, u64), foldhash::fast::FixedState>,
    /// Fenwick tree over the slots (sizes).
    tree: Vec<u64>,
    next: usize,
    /// (bytes needed to hit, bytes of the request) of every counted repeat.
    needs: Vec<(u64, u64)>,
    time: u64,
    warmup: u64,
    requests: u64,
    bytes_requested: u64,
    unique_bytes: u64,
    largest: u64,
}

/// The curve: hits and bytes hit at any cache size in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteCurve {
    /// Sorted by need: (bytes needed, bytes of the request).
    needs: Vec<(u64, u64)>,
    /// Prefix sums of the requests' bytes, in the same order.
    prefix: Vec<u64>,
    /// Requests counted (after the warm-up).
    pub requests: u64,
    /// Their bytes.
    pub bytes_requested: u64,
    /// Distinct keys.
    pub unique: usize,
    /// Distinct bytes: each key's size at its first request.
    pub unique_bytes: u64,
    /// The largest object size seen: at and above it the curve is exact.
    pub largest: u64,
}

impl ByteStackDistances {
    /// An empty collector; the first `warmup` requests are replayed, not counted.
    pub fn new(warmup: u64) -> Self {
        ByteStackDistances {
            last: HashMap::with_hasher(crate::registry::hasher()),
            tree: vec![0; 1024],
            next: 0,
            needs: Vec::new(),
            time: 0,
            warmup,
            requests: 0,
            bytes_requested: 0,
            unique_bytes: 0,
            largest: 0,
        }
    }

    fn add(&mut self, slot: usize, delta: u64, plus: bool) {
        let mut i = slot + 1;
        while i <= self.tree.len() {
            if plus {
                self.tree[i - 1] += delta;
            } else {
                self.tree[i - 1] -= delta;
            }
            i += i & i.wrapping_neg();
        }
    }

    /// The sum over slots `0..=slot`.
    fn prefix(&self, slot: usize) -> u64 {
        let mut i = slot + 1;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i - 1];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// Gives every live key a new slot, in the order of their latest requests, in a tree
    /// with room for as many again.
    fn renumber(&mut self) {
        let mut live: Vec<(usize, u64)> = self.last.iter().map(|(&k, &(s, _))| (s, k)).collect();
        live.sort_unstable();
        self.tree = vec![0; (2 * live.len()).max(1024)];
        for (i, &(_, k)) in live.iter().enumerate() {
            if let Some(entry) = self.last.get_mut(&k) {
                entry.0 = i;
                let size = entry.1;
                self.add(i, size, true);
            }
        }
        self.next = live.len();
    }

    /// The next request: `key`, `size` bytes.
    pub fn access(&mut self, key: u64, size: u64) {
        let counted = self.time >= self.warmup;
        self.time += 1;
        if counted {
            self.requests += 1;
            self.bytes_requested += size;
        }
        self.largest = self.largest.max(size);
        if self.next == self.tree.len() {
            self.renumber();
        }
        let total = self.prefix(self.tree.len() - 1);
        let t = self.next;
        self.next += 1;
        match self.last.insert(key, (t, size)) {
            Some((slot, old)) => {
                // The distinct objects requested since: everything after `slot`.
                let above = total - self.prefix(slot);
                if counted {
                    self.needs.push((above.saturating_add(old), size));
                }
                self.add(slot, old, false);
            }
            None => self.unique_bytes += size,
        }
        self.add(t, size, true);
    }

    /// The curve.
    pub fn finish(self) -> ByteCurve {
        let mut needs = self.needs;
        needs.sort_unstable();
        let mut sum = 0u64;
        let prefix = needs
            .iter()
            .map(|&(_, b)| {
                sum += b;
                sum
            })
            .collect();
        ByteCurve {
            needs,
            prefix,
            requests: self.requests,
            bytes_requested: self.bytes_requested,
            unique: self.last.len(),
            unique_bytes: self.unique_bytes,
            largest: self.largest,
        }
    }
}

impl ByteCurve {
    /// Hits and bytes hit of an LRU cache of `bytes` bytes.
    pub fn hits(&self, bytes: u64) -> (u64, u64) {
        let n = self.needs.partition_point(|&(need, _)| need <= bytes);
        let b = if n == 0 { 0 } else { self.prefix[n - 1] };
        (n as u64, b)
    }

    /// `points` cache sizes spaced evenly on a log scale from the largest object (where
    /// the curve becomes exact) to the distinct bytes.
    pub fn log_sizes(&self, points: usize) -> Vec<u64> {
        let lo = self.largest.max(1) as f64;
        let hi = (self.unique_bytes.max(self.largest).max(1)) as f64;
        let n = points.max(2);
        let mut out: Vec<u64> = (0..n)
            .map(|i| {
                let f = i as f64 / (n - 1) as f64;
                (lo * (hi / lo).powf(f)).round() as u64
            })
            .collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weighted LRU of the registry, replayed.
    fn replay(trace: &[(u64, u64)], bytes: u64) -> (u64, u64) {
        let mut c = crate::registry::build_sized("lru", bytes).unwrap();
        let (mut hits, mut b) = (0, 0);
        for &(k, s) in trace {
            if c.get(&k).is_some() {
                hits += 1;
                b += s;
            } else {
                let _ = c.put(k, s);
            }
        }
        (hits, b)
    }

    #[test]
    fn equals_the_weighted_lru_at_and_above_the_largest_object() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        for round in 0..20 {
            let keys = 10 + round * 7;
            let sizes: Vec<u64> = (0..keys).map(|_| 1 + next() % 50).collect();
            // Skewed: small keys more often. Enough requests to renumber the slots.
            let trace: Vec<(u64, u64)> = (0..3000)
                .map(|_| {
                    let k = (next() % keys).min(next() % keys);
                    (k, sizes[k as usize])
                })
                .collect();
            let mut s = ByteStackDistances::new(0);
            for &(k, size) in &trace {
                s.access(k, size);
            }
            let curve = s.finish();
            for c in [50, 60, 77, 100, 150, 300, 1000, 5000] {
                assert_eq!(curve.hits(c), replay(&trace, c), "round {round} at {c}");
            }
            // Below the largest object: a lower bound.
            for c in [1, 10, 30, 49] {
                let (h, b) = curve.hits(c);
                let (rh, rb) = replay(&trace, c);
                assert!(h <= rh && b <= rb, "round {round} at {c}");
            }
        }
    }
}
