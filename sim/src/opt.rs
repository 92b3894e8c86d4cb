//! Bélády's offline optimum: evict the key whose next use is farthest in the future.
//!
//! [`Oracle::new`] reads the trace once and records, for every request, when its key is
//! requested next (`O(n)` with one hash lookup per request). [`Oracle::hits`] then replays one
//! cache size in `O(log c)` per request, `c` the cache size: the cached keys sit in an indexed
//! binary max-heap ordered by next use, a hit raises its key's next use in place (sift up), a
//! miss replaces the root.
//!
//! Two variants, which give different counts on real traces:
//!
//! - [`Variant::Bypass`] (`opt`, the default): on a miss in a full cache, the newcomer is
//!   kept only if it is needed again sooner than the farthest cached key. This is the true
//!   optimum of the hit count, the ceiling of every policy including those with an admission
//!   filter (W-TinyLFU may refuse a newcomer), and what Caffeine's simulator reports as
//!   `opt.Clairvoyant`.
//! - [`Variant::DemandFill`] (`opt-fill`): every miss inserts its key (demand paging), and the
//!   victim is the farthest among the keys cached before. This is the classic MIN of demand
//!   paging and libCacheSim's `Belady`; it is the ceiling of every policy that always
//!   inserts, and never above `Bypass`.

/// "Never requested again".
const NEVER: u32 = u32::MAX;
/// "Not in the heap".
const ABSENT: u32 = u32::MAX;

/// Which Bélády to run; see the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// A newcomer needed later than every cached key is not kept (`opt`).
    Bypass,
    /// Every miss inserts its key (`opt-fill`).
    DemandFill,
}

/// The future of a trace: dense ids and next-use times, computed once and shared by every
/// cache size.
///
/// # Examples
///
/// ```
/// use evict_sim::opt::{Oracle, Variant};
///
/// // 1 2 3 1 2 3 with 2 slots: OPT keeps 1 and 2 (hit, hit), then 3 is a miss.
/// let oracle = Oracle::new(&[1, 2, 3, 1, 2, 3]);
/// assert_eq!(oracle.unique(), 3);
/// assert_eq!(oracle.hits(2, Variant::Bypass, 0, &|_| ()), 2);
/// assert_eq!(oracle.hits(3, Variant::Bypass, 0, &|_| ()), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Oracle {
    /// Dense id of each request's key, in order of first appearance.
    ids: Vec<u32>,
    /// Index of the next request of the same key, or `NEVER`.
    next: Vec<u32>,
    unique: usize,
}

impl Oracle {
    /// Reads the future of `keys`.
    ///
    /// # Panics
    ///
    /// If `keys` has more than [`MAX_REQUESTS`](crate::parser::MAX_REQUESTS) requests (the
    /// trace readers never return that many).
    pub fn new(keys: &[u64]) -> Self {
        assert!(
            keys.len() <= crate::parser::MAX_REQUESTS,
            "too many requests for u32 indices"
        );
        let mut map: hashbrown::HashMap<u64, u32> = hashbrown::HashMap::new();
        let ids: Vec<u32> = keys
            .iter()
            .map(|&k| {
                let next = map.len() as u32;
                *map.entry(k).or_insert(next)
            })
            .collect();
        let unique = map.len();
        drop(map);
        let mut seen = vec![NEVER; unique];
        let mut next = vec![NEVER; ids.len()];
        for t in (0..ids.len()).rev() {
            let id = ids[t] as usize;
            next[t] = seen[id];
            seen[id] = t as u32;
        }
        Oracle { ids, next, unique }
    }

    /// The number of distinct keys.
    pub fn unique(&self) -> usize {
        self.unique
    }

    /// The number of requests.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the trace has no request.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Hits of Bélády's optimum with `capacity` slots, not counting the first `warmup`
    /// requests. `progress` is called with the number of requests done, now and then.
    pub fn hits(
        &self,
        capacity: usize,
        variant: Variant,
        warmup: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> u64 {
        let mut heap = Heap::new(capacity.min(self.unique), self.unique);
        let mut hits = 0u64;
        const CHUNK: usize = 1 << 16;
        for (c, (ids, next)) in self
            .ids
            .chunks(CHUNK)
            .zip(self.next.chunks(CHUNK))
            .enumerate()
        {
            let base = c * CHUNK;
            for (i, (&id, &nu)) in ids.iter().zip(next).enumerate() {
                let hit = heap.access(id, nu, variant);
                if hit && base + i >= warmup {
                    hits += 1;
                }
            }
            progress(ids.len() as u64);
        }
        hits
    }
}

/// An indexed binary max-heap of `(next use, id)` with each id's position.
struct Heap {
    /// `(next use, id)`; the root has the farthest next use.
    items: Vec<(u32, u32)>,
    /// Position of each id in `items`, or `ABSENT`.
    pos: Vec<u32>,
    capacity: usize,
}

impl Heap {
    fn new(capacity: usize, ids: usize) -> Self {
        Heap {
            items: Vec::with_capacity(capacity),
            pos: vec![ABSENT; ids],
            capacity,
        }
    }

    /// One request for `id`, whose next use is `nu`; returns whether it was a hit.
    #[inline]
    fn access(&mut self, id: u32, nu: u32, variant: Variant) -> bool {
        let p = self.pos[id as usize];
        if p != ABSENT {
            // Its old next use was now, the smallest in the heap: it only moves up.
            self.items[p as usize].0 = nu;
            self.sift_up(p as usize);
            return true;
        }
        if self.items.len() < self.capacity {
            self.items.push((nu, id));
            let at = self.items.len() - 1;
            self.pos[id as usize] = at as u32;
            self.sift_up(at);
        } else if self.capacity > 0 && (variant == Variant::DemandFill || nu < self.items[0].0) {
            let (_, victim) = self.items[0];
            self.pos[victim as usize] = ABSENT;
            self.items[0] = (nu, id);
            self.pos[id as usize] = 0;
            self.sift_down(0);
        }
        false
    }

    #[inline]
    fn sift_up(&mut self, mut at: usize) {
        let item = self.items[at];
        while at > 0 {
            let parent = (at - 1) / 2;
            let above = self.items[parent];
            if above.0 >= item.0 {
                break;
            }
            self.items[at] = above;
            self.pos[above.1 as usize] = at as u32;
            at = parent;
        }
        self.items[at] = item;
        self.pos[item.1 as usize] = at as u32;
    }

    #[inline]
    fn sift_down(&mut self, mut at: usize) {
        let item = self.items[at];
        let len = self.items.len();
        loop {
            let left = 2 * at + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.items[right].0 > self.items[left].0 {
                right
            } else {
                left
            };
            let below = self.items[child];
            if below.0 <= item.0 {
                break;
            }
            self.items[at] = below;
            self.pos[below.1 as usize] = at as u32;
            at = child;
        }
        self.items[at] = item;
        self.pos[item.1 as usize] = at as u32;
    }
}

/// Bélády from a stream that carries each request's next-access time (libCacheSim's
/// `oracleGeneral`): the same indexed max-heap as [`Oracle::hits`], with positions found by
/// key in a map of the cached keys, so nothing is held per request. Given the times
/// `Oracle` computes (or any strictly increasing renumbering of them, such as the records'
/// own indices), the hits are the same.
///
/// # Examples
///
/// ```
/// use evict_sim::opt::{StreamingBelady, Variant};
///
/// // 1 2 3 1 2 3 with 2 slots: next uses 3, 4, 5, never, never, never.
/// let mut b = StreamingBelady::new(2, Variant::Bypass);
/// let keys = [1, 2, 3, 1, 2, 3];
/// let next = [3, 4, 5, u64::MAX, u64::MAX, u64::MAX];
/// let hits = keys.iter().zip(&next).filter(|&(&k, &n)| b.access(k, n)).count();
/// assert_eq!(hits, 2);
/// ```
#[derive(Debug)]
pub struct StreamingBelady {
    /// `(next use, key)`; the root has the farthest next use.
    items: Vec<(u64, u64)>,
    pos: hashbrown::HashMap<u64, u32, foldhash::fast::FixedState>,
    capacity: usize,
    variant: Variant,
}

impl StreamingBelady {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize, variant: Variant) -> Self {
        StreamingBelady {
            items: Vec::new(),
            pos: hashbrown::HashMap::with_hasher(crate::registry::hasher()),
            capacity,
            variant,
        }
    }

    /// One request for `key`, next requested at `next` (`u64::MAX`: never); whether it hit.
    #[inline]
    pub fn access(&mut self, key: u64, next: u64) -> bool {
        if let Some(&p) = self.pos.get(&key) {
            self.items[p as usize].0 = next;
            self.sift_up(p as usize);
            return true;
        }
        if self.items.len() < self.capacity {
            self.items.push((next, key));
            let at = self.items.len() - 1;
            self.pos.insert(key, at as u32);
            self.sift_up(at);
        } else if self.capacity > 0
            && (self.variant == Variant::DemandFill || next < self.items[0].0)
        {
            let (_, victim) = self.items[0];
            self.pos.remove(&victim);
            self.items[0] = (next, key);
            self.pos.insert(key, 0);
            self.sift_down(0);
        }
        false
    }

    fn place(&mut self, at: usize, item: (u64, u64)) {
        self.items[at] = item;
        if let Some(p) = self.pos.get_mut(&item.1) {
            *p = at as u32;
        }
    }

    fn sift_up(&mut self, mut at: usize) {
        let item = self.items[at];
        while at > 0 {
            let parent = (at - 1) / 2;
            let above = self.items[parent];
            if above.0 >= item.0 {
                break;
            }
            self.place(at, above);
            at = parent;
        }
        self.place(at, item);
    }

    fn sift_down(&mut self, mut at: usize) {
        let item = self.items[at];
        let len = self.items.len();
        loop {
            let left = 2 * at + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.items[right].0 > self.items[left].0 {
                right
            } else {
                left
            };
            let below = self.items[child];
            if below.0 <= item.0 {
                break;
            }
            self.place(at, below);
            at = child;
        }
        self.place(at, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Textbook Bélády by brute force: scan the future for every candidate.
    fn brute(keys: &[u64], cap: usize, variant: Variant) -> u64 {
        let mut cache: Vec<u64> = Vec::new();
        let mut hits = 0;
        let next_use = |k: u64, t: usize| {
            keys[t + 1..]
                .iter()
                .position(|&x| x == k)
                .map_or(usize::MAX, |p| p + t + 1)
        };
        for (t, &k) in keys.iter().enumerate() {
            if cache.contains(&k) {
                hits += 1;
                continue;
            }
            if cache.len() < cap {
                cache.push(k);
                continue;
            }
            if cap == 0 {
                continue;
            }
            let (vi, far) = cache
                .iter()
                .enumerate()
                .map(|(i, &c)| (i, next_use(c, t)))
                .max_by_key(|&(_, n)| n)
                .unwrap();
            if variant == Variant::Bypass && next_use(k, t) >= far {
                continue;
            }
            cache[vi] = k;
        }
        hits
    }

    #[test]
    fn matches_brute_force() {
        let mut rng = crate::workload::SplitMix64::new(11);
        for round in 0..200 {
            let n = 1 + round % 60;
            let universe = 1 + (rng.next_u64() % 12);
            let keys: Vec<u64> = (0..n).map(|_| rng.next_u64() % universe).collect();
            let oracle = Oracle::new(&keys);
            for cap in 0..8 {
                for v in [Variant::Bypass, Variant::DemandFill] {
                    assert_eq!(
                        oracle.hits(cap, v, 0, &|_| ()),
                        brute(&keys, cap, v),
                        "{keys:?} cap {cap} {v:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn streaming_equals_the_oracle() {
        let mut rng = crate::workload::SplitMix64::new(3);
        for round in 0..100 {
            let n = 1 + round * 7;
            let universe = 1 + (rng.next_u64() % 40);
            let keys: Vec<u64> = (0..n).map(|_| rng.next_u64() % universe).collect();
            let oracle = Oracle::new(&keys);
            for cap in [0, 1, 2, 5, 13, 50] {
                for v in [Variant::Bypass, Variant::DemandFill] {
                    let mut b = StreamingBelady::new(cap, v);
                    // The records' indices, 1-based, as libCacheSim writes them.
                    let hits = (0..keys.len())
                        .filter(|&t| {
                            let nu = oracle.next[t];
                            let nu = if nu == NEVER {
                                u64::MAX
                            } else {
                                u64::from(nu) + 1
                            };
                            b.access(keys[t], nu)
                        })
                        .count() as u64;
                    assert_eq!(
                        hits,
                        oracle.hits(cap, v, 0, &|_| ()),
                        "{keys:?} {cap} {v:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn bypass_beats_demand_fill_here() {
        // One slot, A B A: keeping A (bypassing B) is one hit; demand fill gets none.
        let oracle = Oracle::new(&[1, 2, 1]);
        assert_eq!(oracle.hits(1, Variant::Bypass, 0, &|_| ()), 1);
        assert_eq!(oracle.hits(1, Variant::DemandFill, 0, &|_| ()), 0);
    }

    #[test]
    fn warmup_is_not_counted() {
        let oracle = Oracle::new(&[1, 1, 1, 1]);
        assert_eq!(oracle.hits(1, Variant::Bypass, 0, &|_| ()), 3);
        assert_eq!(oracle.hits(1, Variant::Bypass, 2, &|_| ()), 2);
    }
}
