//! Reference model of ARC, the Adaptive Replacement Cache (Megiddo and Modha, FAST 2003,
//! "ARC: A Self-Tuning, Low Overhead Replacement Cache"), written straight from the paper's
//! pseudocode with one `VecDeque` per list and linear scans.

use std::collections::VecDeque;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// Model of ARC: two resident LRU lists `T1` (seen once recently) and `T2` (seen at least
/// twice), two ghost lists of keys `B1` and `B2` (keys recently evicted from `T1` and `T2`),
/// and the adaptive target `p` for the size of `T1`.
///
/// Every list is a `VecDeque` with the most recently used key at the front and the least
/// recently used at the back. The code follows the paper's cases:
///
/// - **Case I**, `x` in `T1 ∪ T2`: a `get` hit, or a `put` of a cached key (which also
///   replaces the value). `x` moves to the front of `T2`.
/// - A `get` miss changes nothing but the miss count; the `put` that follows performs the
///   miss. So "get; on a miss, put" is exactly the paper's request.
/// - **Case II**, `put` of `x` in `B1`: `p = min(p + max(|B2| / |B1|, 1), c)`, `REPLACE`,
///   `x` moves to the front of `T2`.
/// - **Case III**, `put` of `x` in `B2`: `p = max(p - max(|B1| / |B2|, 1), 0)`, `REPLACE`,
///   `x` moves to the front of `T2`.
/// - **Case IV**, `put` of a key in no list: if `|L1| = c` (`L1 = T1 ∪ B1`), then if
///   `|T1| < c` drop the back of `B1` and `REPLACE`, else drop the back of `T1` (it leaves the
///   cache without a ghost and is the reported eviction); else if `|L1| + |L2| >= c`, drop
///   the back of `B2` when `|L1| + |L2| = 2c`, and `REPLACE`. Then `x` goes to the front
///   of `T1`.
/// - **`REPLACE`**: if `|T1| >= 1` and (`x` in `B2` and `|T1| = p`, or `|T1| > p`), the back
///   of `T1` moves to the front of `B1`; else the back of `T2` moves to the front of `B2`.
///   The pair that moved is what `put` reports as [`Put::Evicted`].
///
/// Arithmetic: [`new`](Self::new) adapts `p` with real numbers, as the paper writes it
/// and libCacheSim's `ARC.c` computes it (`f64` quotients, `p` a real in `[0, c]`);
/// [`integer`](Self::integer) uses floor divisions and a whole-number `p`, as Caffeine's
/// simulator `ArcPolicy` does.
///
/// Rules for operations the paper does not have (the policy `evict_arc::ArcCache` does
/// exactly the same):
///
/// - `remove` of a cached key takes it out of `T1` or `T2` and leaves no ghost; `remove` of
///   any other key (a ghost too) changes nothing. `p` is untouched.
/// - Ghosts here are keys; the policy keeps only a fingerprint of each key's hash (see its
///   crate docs), so it can take a new key for a ghost where this model does not. Its tests
///   use a hasher whose fingerprints are distinct over their whole key space, where the two
///   must agree op by op.
/// - `REPLACE` runs only when the cache is full (`|T1| + |T2| = c`). Without `remove` this is
///   always so where the paper calls it; after a `remove` the freed room is used first, so a
///   `put` never evicts while there is room. (Should `T2` be empty where `REPLACE` picks it,
///   which the invariants exclude, the back of `T1` goes instead.)
/// - `pop` is the eviction half of a `put` of a new key in no ghost list (case IV): if
///   `|L1| = c`, then if `|T1| < c` drop the back of `B1` and `REPLACE`, else the back of
///   `T1` leaves without a ghost; otherwise, drop the back of `B2` when `|B1| + |B2| >= c`
///   (on a full cache: when `|L1| + |L2| = 2c`), and `REPLACE`. `p` does not move.
///   `peek_victim` shows the pair `REPLACE` for a key not in `B2` would pick.
/// - `resize(n)` pops (with the old capacity) while more than `n` entries are cached, then
///   sets `c = n`, `p = min(p, n)`, drops the back of `B1` while `|T1| + |B1| > n`, and the
///   back of `B2` while `B2` is not empty and `|B1| + |B2| > n` or the four lists hold more
///   than `2n` keys.
/// - `entries` lists `T1` front to back, then `T2` front to back: each from its most to its
///   least recently used entry.
///
/// ```
/// use evict_harness::model::arc::AdaptiveReplacement;
/// use evict_harness::{Cache, Put};
///
/// let mut m = AdaptiveReplacement::new(2);
/// let _ = m.put(1, 'a');
/// let _ = m.get(&1); // 1 moves to T2
/// let _ = m.put(2, 'b');
/// assert_eq!(m.put(3, 'c'), Put::Evicted(2, 'b')); // |T1| > p = 0: T1 gives up 2, a ghost now
/// assert_eq!(m.sizes(), [1, 1, 1, 0]);
/// // A B1 ghost hit: p grows to 1, so T1 may keep its one entry and T2 gives up 1.
/// assert_eq!(m.put(2, 'b'), Put::Evicted(1, 'a'));
/// assert_eq!(m.target(), 1.0);
/// assert_eq!(m.sizes(), [1, 1, 0, 1]);
/// ```
#[derive(Clone, Debug)]
pub struct AdaptiveReplacement<K, V> {
    /// Resident, seen once since it last entered the cache. Front: most recent.
    t1: VecDeque<(K, V)>,
    /// Resident, seen at least twice. Front: most recent.
    t2: VecDeque<(K, V)>,
    /// Ghosts: keys evicted from `t1`. Front: most recent.
    b1: VecDeque<K>,
    /// Ghosts: keys evicted from `t2`. Front: most recent.
    b2: VecDeque<K>,
    /// The target size of `t1`, in `[0, capacity]`; a whole number when `integer`.
    p: f64,
    /// Floor-division deltas (Caffeine) instead of real ones (the paper, libCacheSim).
    integer: bool,
    capacity: usize,
    stats: Stats,
}

impl<K, V> AdaptiveReplacement<K, V> {
    /// An empty model of at most `capacity` resident entries (`p = 0`), with real
    /// arithmetic for `p`.
    pub fn new(capacity: usize) -> Self {
        Self {
            t1: VecDeque::new(),
            t2: VecDeque::new(),
            b1: VecDeque::new(),
            b2: VecDeque::new(),
            p: 0.0,
            integer: false,
            capacity,
            stats: Stats::default(),
        }
    }

    /// An empty model whose deltas are floor divisions, so that `p` is a whole number.
    pub fn integer(capacity: usize) -> Self {
        Self {
            integer: true,
            ..Self::new(capacity)
        }
    }

    /// The adaptive target `p` for the size of `T1`.
    pub fn target(&self) -> f64 {
        self.p
    }

    /// `max(a / b, 1)`, the paper's delta, in this model's arithmetic.
    fn delta(&self, a: usize, b: usize) -> f64 {
        if self.integer {
            (a / b).max(1) as f64
        } else {
            (a as f64 / b as f64).max(1.0)
        }
    }

    /// `[|T1|, |T2|, |B1|, |B2|]`.
    pub fn sizes(&self) -> [usize; 4] {
        [self.t1.len(), self.t2.len(), self.b1.len(), self.b2.len()]
    }
}

impl<K: PartialEq + Clone, V> AdaptiveReplacement<K, V> {
    /// Case I for a cached key: moves it to the front of `T2` and returns its position there
    /// (always 0); `None` if the key is not cached.
    fn hit(&mut self, key: &K) -> Option<usize> {
        let entry = if let Some(i) = self.t1.iter().position(|(k, _)| k == key) {
            self.t1.remove(i)
        } else if let Some(i) = self.t2.iter().position(|(k, _)| k == key) {
            self.t2.remove(i)
        } else {
            None
        }?;
        self.t2.push_front(entry);
        Some(0)
    }

    /// The paper's `REPLACE(x, p)`: one resident entry moves to a ghost list; returns it.
    fn replace(&mut self, x_in_b2: bool) -> (K, V) {
        let t1 = self.t1.len() as f64;
        let from_t1 = t1 >= 1.0 && ((x_in_b2 && t1 == self.p) || t1 > self.p);
        if from_t1 || self.t2.is_empty() {
            let (k, v) = self.t1.pop_back().expect("REPLACE runs on a full cache");
            self.b1.push_front(k.clone());
            (k, v)
        } else {
            let (k, v) = self.t2.pop_back().expect("checked non-empty");
            self.b2.push_front(k.clone());
            (k, v)
        }
    }
}

impl<K: PartialEq + Clone, V> Cache<K, V> for AdaptiveReplacement<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let found = self.hit(key);
        self.stats.record(found.is_some());
        found.map(|i| &self.t2[i].1)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        self.t1
            .iter()
            .chain(self.t2.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(i) = self.hit(&key) {
            return Put::Replaced(std::mem::replace(&mut self.t2[i].1, value));
        }
        let c = self.capacity;
        if c == 0 {
            return Put::Rejected(key, value);
        }
        let full = self.t1.len() + self.t2.len() == c;
        let mut evicted = None;
        if let Some(i) = self.b1.iter().position(|k| *k == key) {
            // Case II: a hit in B1. Adapt with the sizes as they are, x still in B1.
            let delta = self.delta(self.b2.len(), self.b1.len());
            self.p = (self.p + delta).min(c as f64);
            // x leaves B1 before REPLACE rather than after: REPLACE does not look at B1,
            // so the result is the same, and the index `i` stays valid.
            self.b1.remove(i);
            if full {
                evicted = Some(self.replace(false));
            }
            self.t2.push_front((key, value));
        } else if let Some(i) = self.b2.iter().position(|k| *k == key) {
            // Case III: a hit in B2.
            let delta = self.delta(self.b1.len(), self.b2.len());
            self.p = (self.p - delta).max(0.0);
            self.b2.remove(i);
            if full {
                evicted = Some(self.replace(true));
            }
            self.t2.push_front((key, value));
        } else {
            // Case IV: a miss in the cache and in the ghosts.
            let l1 = self.t1.len() + self.b1.len();
            let l2 = self.t2.len() + self.b2.len();
            if l1 == c {
                if self.t1.len() < c {
                    self.b1.pop_back();
                    if full {
                        evicted = Some(self.replace(false));
                    }
                } else {
                    // T1 holds the whole cache: its LRU leaves, without a ghost.
                    evicted = self.t1.pop_back();
                }
            } else if l1 + l2 >= c {
                if l1 + l2 == 2 * c {
                    self.b2.pop_back();
                }
                if full {
                    evicted = Some(self.replace(false));
                }
            }
            self.t1.push_front((key, value));
        }
        match evicted {
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        if let Some(i) = self.t1.iter().position(|(k, _)| k == key) {
            return self.t1.remove(i).map(|(_, v)| v);
        }
        let i = self.t2.iter().position(|(k, _)| k == key)?;
        self.t2.remove(i).map(|(_, v)| v)
    }

    fn len(&self) -> usize {
        self.t1.len() + self.t2.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        self.t1.clear();
        self.t2.clear();
        self.b1.clear();
        self.b2.clear();
        self.p = 0.0;
        self.stats.reset();
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let found = self.hit(key);
        self.stats.record(found.is_some());
        found.map(|i| &mut self.t2[i].1)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.t1
            .iter_mut()
            .chain(self.t2.iter_mut())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let put = self.put(key.clone(), value);
        let stored = if put.is_kept() {
            self.peek_mut(&key)
        } else {
            None
        };
        (put, stored)
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let t1 = self.t1.len() as f64;
        let (k, v) = if (t1 >= 1.0 && t1 > self.p) || self.t2.is_empty() {
            self.t1.back()?
        } else {
            self.t2.back()?
        };
        Some((k, v))
    }

    fn pop(&mut self) -> Option<(K, V)> {
        if self.len() == 0 {
            return None;
        }
        let c = self.capacity;
        if self.t1.len() + self.b1.len() == c {
            if self.t1.len() < c {
                self.b1.pop_back();
                Some(self.replace(false))
            } else {
                self.t1.pop_back()
            }
        } else {
            if self.b1.len() + self.b2.len() >= c {
                self.b2.pop_back();
            }
            Some(self.replace(false))
        }
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let mut popped = Vec::new();
        while self.len() > capacity {
            popped.extend(self.pop());
        }
        self.capacity = capacity;
        self.p = self.p.min(capacity as f64);
        while self.t1.len() + self.b1.len() > capacity {
            self.b1.pop_back();
        }
        while !self.b2.is_empty()
            && (self.b1.len() + self.b2.len() > capacity
                || self.len() + self.b1.len() + self.b2.len() > 2 * capacity)
        {
            self.b2.pop_back();
        }
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.t1.iter().chain(self.t2.iter()).map(|(k, v)| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs "get; on a miss, put" and returns the hits.
    fn demand<C: Cache<u32, u32>>(cache: &mut C, keys: &[u32]) -> u64 {
        for &k in keys {
            if cache.get(&k).is_none() {
                let _ = cache.put(k, k);
            }
        }
        cache.info().hits
    }

    #[test]
    fn paper_walkthrough() {
        let mut m = AdaptiveReplacement::new(4);
        for k in [1, 2] {
            assert_eq!(m.put(k, k), Put::Inserted);
        }
        let _ = m.get(&1); // both to T2
        let _ = m.get(&2);
        for k in [3, 4] {
            assert_eq!(m.put(k, k), Put::Inserted);
        }
        assert_eq!(m.sizes(), [2, 2, 0, 0]);
        // Case IV(B): |T1| = 2 > p = 0, so T1's LRU (3) goes to B1.
        assert_eq!(m.put(5, 5), Put::Evicted(3, 3));
        assert_eq!(m.sizes(), [2, 2, 1, 0]);
        // Case II: B1 hit, delta = max(0 / 1, 1) = 1; then |T1| = 2 > p = 1: 4 goes to B1.
        assert_eq!(m.put(3, 3), Put::Evicted(4, 4));
        assert_eq!(m.target(), 1.0);
        assert_eq!(m.sizes(), [1, 3, 1, 0]);
        // Case IV(B): |T1| = 1 = p and 6 is not in B2, so T2's LRU (1) goes to B2.
        assert_eq!(m.put(6, 6), Put::Evicted(1, 1));
        assert_eq!(m.sizes(), [2, 2, 1, 1]);
        // Case III: B2 hit, delta = max(1 / 1, 1) = 1, p = 0; |T1| = 2 > 0: 5 goes to B1.
        assert_eq!(m.put(1, 1), Put::Evicted(5, 5));
        assert_eq!(m.target(), 0.0);
        assert_eq!(m.sizes(), [1, 3, 2, 0]);
    }

    #[test]
    fn real_and_integer_deltas() {
        // Nothing resident, so no REPLACE: only p moves.
        let mut real = AdaptiveReplacement::<u32, u32>::new(8);
        real.b1 = VecDeque::from([3, 4]);
        real.b2 = VecDeque::from([1, 2, 5]);
        let mut int = AdaptiveReplacement::integer(8);
        int.b1 = real.b1.clone();
        int.b2 = real.b2.clone();
        // B1 hit with |B1| = 2, |B2| = 3: p += max(3 / 2, 1).
        let _ = real.put(3, 3);
        let _ = int.put(3, 3);
        assert_eq!((real.target(), int.target()), (1.5, 1.0));
        // B2 hit with |B1| = 1, |B2| = 3: p -= max(1 / 3, 1) = 1.
        let _ = real.put(1, 1);
        let _ = int.put(1, 1);
        assert_eq!((real.target(), int.target()), (0.5, 0.0));
        // B2 hit with |B1| = 3, |B2| = 2: p -= 1.5, clamped at 0.
        real.b1 = VecDeque::from([4, 6, 7]);
        let _ = real.put(2, 2);
        assert_eq!(real.target(), 0.0);
        assert_eq!(real.sizes(), [0, 3, 3, 1]);
    }

    #[test]
    fn t1_full_drops_its_lru_without_ghost() {
        let mut m = AdaptiveReplacement::new(2);
        let _ = (m.put(1, 1), m.put(2, 2));
        assert_eq!(m.put(3, 3), Put::Evicted(1, 1));
        assert_eq!(m.sizes(), [2, 0, 0, 0]);
    }

    #[test]
    fn scan_keeps_the_frequent_keys() {
        let mut seq = vec![1, 2, 1, 2];
        seq.extend(100..130);
        seq.extend([1, 2]);
        let arc = demand(&mut AdaptiveReplacement::new(4), &seq);
        let lru = demand(&mut crate::model::Lru::new(4), &seq);
        assert_eq!((arc, lru), (4, 2));
    }
}
