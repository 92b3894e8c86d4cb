//! The ceiling of a replay in bytes: PFOO-L, an upper bound on the hits of every policy
//! when objects differ in size (Berger, Beckmann and Harchol-Balter, "Practical Bounds on
//! Optimal Caching with Variable Object Sizes", SIGMETRICS 2018, section 5).
//!
//! Bélády's rule (evict the key needed farthest in the future) is optimal only when every
//! object has the same size; with sizes, the offline optimum is NP-hard. PFOO-L is no
//! policy and no schedule: it bounds what any would get. A hit on a request at time `t`
//! whose previous request was at `p` needs the object cached throughout `p..t`, which
//! takes `size × (t - p)` of the cache's space-time; a cache of `C` bytes over a trace of
//! `N` requests has `C × (N - 1)` of it (its contents after each request but the last).
//! Keeping only that total (not the bound at every moment) leaves a fractional knapsack,
//! solved greedily: the object-hit bound takes the reuses in increasing order of their
//! cost `size × (t - p)`; the byte-hit bound in decreasing order of bytes per cost (for an
//! object of constant size, the shortest reuses first). Both are upper bounds on every
//! policy's counts, OPT's included, so `bound ≥ OPT ≥ any policy`; the gap to OPT is what
//! the relaxation gives away (the paper measured PFOO-L within a few percent of its exact
//! flow bound on CDN and storage traces).
//!
//! Sizes as the replay has them: an object larger than the cache is never admitted, so
//! its reuses count for nothing; an object whose size changes keeps, in the cache, the
//! size of the request that inserted it (libCacheSim's rule), so a reuse is charged the
//! smallest size the key has had up to its previous request, which is at most what any
//! cache pays for it.
//!
//! Memory: one reuse (24 bytes) per request that repeats a key, and one entry per
//! distinct key.

use hashbrown::HashMap;

/// One reuse: the request at `t` whose key was requested before, at `p`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reuse {
    /// The smallest size the key had up to `p`: the least the cache holds for it.
    size: u64,
    /// `t - p`.
    span: u64,
    /// The bytes of the request at `t` (what a hit counts).
    bytes: u64,
}

impl Reuse {
    fn cost(&self) -> u128 {
        u128::from(self.size) * u128::from(self.span)
    }
}

/// Collects the reuses of a trace request by request; [`bounds`](Self::bounds) then gives
/// the bound at each cache size.
///
/// # Examples
///
/// ```
/// use evict_sim::bound::Pfool;
///
/// // Keys 1 (100 bytes) and 2 (10 bytes), alternating.
/// let mut p = Pfool::new(0);
/// for (k, s) in [(1, 100), (2, 10), (1, 100), (2, 10), (1, 100), (2, 10)] {
///     p.access(k, s);
/// }
/// let b = p.bounds(&[100, 110, 50]);
/// // 100 bytes cannot hold both keys, so no policy hits more than 2 of the 4 reuses; the
/// // bound keeps only the total space-time (5 slots x 100 = 500), where all four fit
/// // (2 x 20 + 2 x 200 = 440): a bound, not a schedule.
/// assert_eq!(b[0].hits, 4);
/// // At 110 bytes every reuse fits: 4 hits, 220 bytes.
/// assert_eq!((b[1].hits, b[1].bytes_hit), (4, 220));
/// // At 50 bytes key 1 never fits: key 2's two reuses at most.
/// assert_eq!((b[2].hits, b[2].bytes_hit), (2, 20));
/// ```
#[derive(Debug)]
pub struct Pfool {
    /// Per key: the time of its latest request and the smallest size it has had.
    last: HashMap<u64, (u64, u64), foldhash::fast::FixedState>,
    reuses: Vec<Reuse>,
    time: u64,
    warmup: u64,
}

/// The bound at one cache size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The cache size in bytes.
    pub capacity: u64,
    /// At most this many requests (after the warm-up) hit, whatever the policy.
    pub hits: u64,
    /// At most this many bytes hit, whatever the policy.
    pub bytes_hit: u64,
}

impl Pfool {
    /// An empty collector; requests before the first `warmup` are replayed but no hit of
    /// theirs counts.
    pub fn new(warmup: u64) -> Self {
        Pfool {
            last: HashMap::with_hasher(crate::registry::hasher()),
            reuses: Vec::new(),
            time: 0,
            warmup,
        }
    }

    /// The next request: `key`, of `size` bytes.
    pub fn access(&mut self, key: u64, size: u64) {
        let t = self.time;
        self.time += 1;
        match self.last.get_mut(&key) {
            Some((p, smallest)) => {
                if t >= self.warmup {
                    self.reuses.push(Reuse {
                        size: *smallest,
                        span: t - *p,
                        bytes: size,
                    });
                }
                *p = t;
                *smallest = (*smallest).min(size);
            }
            None => {
                self.last.insert(key, (t, size));
            }
        }
    }

    /// The bounds at each of `capacities` (bytes), in their order.
    pub fn bounds(mut self, capacities: &[u64]) -> Vec<Bound> {
        self.last = HashMap::default();
        let slots = u128::from(self.time.saturating_sub(1));
        let mut by_cost = self.reuses.clone();
        by_cost.sort_unstable_by_key(Reuse::cost);
        // Bytes per cost, largest first: a before b when a.bytes / a.cost > b.bytes / b.cost.
        let mut by_density = self.reuses;
        by_density.sort_unstable_by(|a, b| {
            (u128::from(b.bytes) * a.cost()).cmp(&(u128::from(a.bytes) * b.cost()))
        });
        capacities
            .iter()
            .map(|&capacity| {
                let budget = u128::from(capacity) * slots;
                // Object hits: whole reuses, cheapest first (a fraction of the next one
                // would add less than one hit, and hits are whole).
                let mut left = budget;
                let mut hits = 0u64;
                for r in by_cost.iter().filter(|r| r.size <= capacity) {
                    if r.cost() > left {
                        break;
                    }
                    left -= r.cost();
                    hits += 1;
                }
                // Byte hits: densest first, the last one in part (rounded down).
                let mut left = budget;
                let mut bytes = 0u128;
                for r in by_density.iter().filter(|r| r.size <= capacity) {
                    let cost = r.cost();
                    if cost <= left {
                        left -= cost;
                        bytes += u128::from(r.bytes);
                    } else {
                        bytes += u128::from(r.bytes) * left / cost;
                        break;
                    }
                }
                Bound {
                    capacity,
                    hits,
                    bytes_hit: u64::try_from(bytes).unwrap_or(u64::MAX),
                }
            })
            .collect()
    }
}

/// The next request of each request's key: its index, `u64::MAX` for none (one backward
/// pass).
///
/// ```
/// assert_eq!(evict_sim::bound::next_uses(&[1, 2, 1]), [2, u64::MAX, u64::MAX]);
/// ```
pub fn next_uses(keys: &[u64]) -> Vec<u64> {
    let mut seen: HashMap<u64, u64, foldhash::fast::FixedState> =
        HashMap::with_hasher(crate::registry::hasher());
    let mut next = vec![u64::MAX; keys.len()];
    for (i, &k) in keys.iter().enumerate().rev() {
        if let Some(n) = seen.insert(k, i as u64) {
            next[i] = n;
        }
    }
    next
}

/// How many cached objects [`belady_size`] samples at each eviction (libCacheSim's
/// `n-sample` default).
pub const SAMPLES: usize = 128;

/// The seed of [`belady_size`]'s sampling, so that runs repeat.
pub const SAMPLE_SEED: u64 = 0x5eed_b1ad;

/// Hits and bytes hit of libCacheSim's `BeladySize` rule, a heuristic for caching objects
/// of mixed sizes with knowledge of the future: to make room, evict, among [`SAMPLES`]
/// cached objects drawn at random (all of them when no more are cached), the one with the
/// largest `size × (next request - now)`; an object never requested again is not
/// admitted, and is dropped at its last hit. It is a schedule, so its counts are a
/// *lower* bound on the optimum's (and [`Pfool`]'s are an upper one). One difference from
/// libCacheSim's code: there, `cache_get_base` evicts for a missed object before
/// `BeladySize_insert` refuses it for having no future; here nothing is evicted for an
/// object that is not admitted. `next` is [`next_uses`] of `keys`; the first `warmup`
/// requests count no hit.
///
/// # Examples
///
/// ```
/// use evict_sim::bound::{belady_size, next_uses};
///
/// let keys = [1, 2, 3, 1, 2, 3];
/// let sizes = [10, 10, 20, 10, 10, 20];
/// // 20 bytes. Keeping 1 and 2 (and not admitting 3) would hit twice; the rule, at 3's
/// // miss, scores 1 at 10 x 1 and 2 at 10 x 2, evicts both for 3, and hits once: a
/// // heuristic, not the optimum.
/// assert_eq!(belady_size(&keys, &sizes, &next_uses(&keys), 20, 0), (1, 20));
/// ```
pub fn belady_size(
    keys: &[u64],
    sizes: &[u64],
    next: &[u64],
    capacity: u64,
    warmup: usize,
) -> (u64, u64) {
    // The cached keys (for sampling) and, per key, its place there, size and next use.
    let mut cached: Vec<u64> = Vec::new();
    let mut at: HashMap<u64, (usize, u64, u64), foldhash::fast::FixedState> =
        HashMap::with_hasher(crate::registry::hasher());
    let mut used = 0u64;
    let mut rng = evict_slots::SplitMix64::new(SAMPLE_SEED);
    let (mut hits, mut bytes) = (0u64, 0u64);
    let remove = |key: u64,
                  cached: &mut Vec<u64>,
                  at: &mut HashMap<u64, (usize, u64, u64), foldhash::fast::FixedState>|
     -> u64 {
        let Some((i, size, _)) = at.remove(&key) else {
            return 0;
        };
        cached.swap_remove(i);
        if let Some(&moved) = cached.get(i)
            && let Some(e) = at.get_mut(&moved)
        {
            e.0 = i;
        }
        size
    };
    for (t, ((&k, &s), &n)) in keys.iter().zip(sizes).zip(next).enumerate() {
        if at.contains_key(&k) {
            if t >= warmup {
                hits += 1;
                bytes += s;
            }
            if n == u64::MAX {
                used -= remove(k, &mut cached, &mut at);
            } else if let Some(e) = at.get_mut(&k) {
                e.2 = n;
            }
            continue;
        }
        if n == u64::MAX || s > capacity {
            continue;
        }
        while used + s > capacity {
            let score = |key: &u64| {
                let (_, size, next) = at[key];
                u128::from(size) * u128::from(next - t as u64)
            };
            let victim = if cached.len() <= SAMPLES {
                *cached
                    .iter()
                    .max_by_key(|k| score(k))
                    .expect("full, so not empty")
            } else {
                (0..SAMPLES)
                    .map(|_| cached[(rng.next_u64() % cached.len() as u64) as usize])
                    .max_by_key(score)
                    .expect("samples")
            };
            used -= remove(victim, &mut cached, &mut at);
        }
        at.insert(k, (cached.len(), s, n));
        cached.push(k);
        used += s;
    }
    (hits, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every schedule of a tiny trace (keep or drop each object after each request,
    /// within the capacity at every moment, fetching on demand only): the most hits and
    /// the most bytes hit any policy can get. Exponential; for traces of a few requests.
    fn brute(trace: &[(u64, u64)], capacity: u64) -> (u64, u64) {
        let keys: Vec<u64> = {
            let mut k: Vec<u64> = trace.iter().map(|r| r.0).collect();
            k.sort_unstable();
            k.dedup();
            k
        };
        // The cache after a request: a bit set over `keys`, with each cached key's size.
        fn go(
            trace: &[(u64, u64)],
            keys: &[u64],
            capacity: u64,
            i: usize,
            held: &[Option<u64>],
        ) -> (u64, u64) {
            if i == trace.len() {
                return (0, 0);
            }
            let (k, s) = trace[i];
            let at = keys.iter().position(|&x| x == k).unwrap_or(0);
            let hit = held[at].is_some();
            let mut now = held.to_vec();
            if now[at].is_none() {
                now[at] = Some(s);
            }
            let (h0, b0) = if hit { (1, s) } else { (0, 0) };
            let mut best = (0, 0);
            // Keep any subset of what is held now that fits.
            let n = keys.len();
            for mask in 0u32..(1 << n) {
                let kept: Vec<Option<u64>> = (0..n)
                    .map(|j| if mask & (1 << j) != 0 { now[j] } else { None })
                    .collect();
                if (0..n).any(|j| mask & (1 << j) != 0 && now[j].is_none()) {
                    continue;
                }
                if kept.iter().flatten().sum::<u64>() > capacity {
                    continue;
                }
                let (h, b) = go(trace, keys, capacity, i + 1, &kept);
                best = (best.0.max(h), best.1.max(b));
            }
            (h0 + best.0, b0 + best.1)
        }
        go(trace, &keys, capacity, 0, &vec![None; keys.len()])
    }

    #[test]
    fn the_bound_is_at_least_every_schedule_and_belady_size_at_most() {
        let mut state = 0x1234_5678_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        for _ in 0..200 {
            let sizes = [
                1 + next() % 7,
                1 + next() % 7,
                1 + next() % 7,
                1 + next() % 7,
            ];
            let n = 4 + (next() % 6) as usize;
            let trace: Vec<(u64, u64)> = (0..n)
                .map(|_| {
                    let k = next() % 4;
                    (k, sizes[k as usize])
                })
                .collect();
            for capacity in [1, 3, 6, 9, 14, 30] {
                let mut p = Pfool::new(0);
                for &(k, s) in &trace {
                    p.access(k, s);
                }
                let b = p.bounds(&[capacity])[0];
                let (hits, bytes) = brute(&trace, capacity);
                assert!(
                    b.hits >= hits,
                    "{trace:?} at {capacity}: {b:?} < {hits} hits"
                );
                assert!(
                    b.bytes_hit >= bytes,
                    "{trace:?} at {capacity}: {b:?} < {bytes} bytes"
                );
                // BeladySize is a schedule: never above the best one.
                let keys: Vec<u64> = trace.iter().map(|r| r.0).collect();
                let sizes: Vec<u64> = trace.iter().map(|r| r.1).collect();
                let (h, by) = belady_size(&keys, &sizes, &next_uses(&keys), capacity, 0);
                assert!(
                    h <= hits,
                    "{trace:?} at {capacity}: belady-size {h} > {hits}"
                );
                assert!(
                    by <= bytes,
                    "{trace:?} at {capacity}: belady-size {by} > {bytes}"
                );
            }
        }
    }

    #[test]
    fn room_for_everything_hits_every_reuse_and_objects_too_large_never() {
        let trace = [(1, 5), (2, 50), (1, 5), (2, 50), (1, 5)];
        let mut p = Pfool::new(0);
        for (k, s) in trace {
            p.access(k, s);
        }
        let b = p.bounds(&[55, 49]);
        assert_eq!((b[0].hits, b[0].bytes_hit), (3, 60));
        // At 49 bytes the 50-byte object never fits: only key 1's two reuses.
        assert_eq!((b[1].hits, b[1].bytes_hit), (2, 10));
    }

    #[test]
    fn the_warm_up_counts_no_hit() {
        let mut p = Pfool::new(3);
        for (k, s) in [(1, 1), (1, 1), (1, 1), (1, 1)] {
            p.access(k, s);
        }
        assert_eq!(p.bounds(&[1])[0].hits, 1);
    }
}
