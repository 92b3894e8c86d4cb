//! Reference model of W-TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient
//! Cache Admission Policy", ACM Transactions on Storage 2017), written the way Caffeine's
//! simulator (`WindowTinyLfuPolicy`) states it, with three `VecDeque`s and linear scans.
//! The frequency sketch is shared with the policy (`evict_wtinylfu::sketch`), which has its
//! own tests against exact counts.

use std::collections::VecDeque;
use std::hash::Hash;

use evict_core::{Cache, CacheInfo, Put, Stats};
use evict_wtinylfu::sketch::FrequencySketch;

/// Model of W-TinyLFU: a window LRU, then a main space of probation and protected queues
/// whose entries carry a reference bit (CLOCK-style).
/// In every queue the front is the least recently used entry and the back the most.
///
/// - Sizes (Caffeine's simulator): `main = floor(0.99 × capacity)`,
///   `window = capacity - main`, `protected = floor(0.8 × main)`.
/// - Every `get` (hit or miss) and every `put` records the key in the sketch, except a
///   `put` of the key whose `get` missed in the operation just before.
/// - A hit (a `get` hit, or a `put` of a cached key) moves a window entry to the window's
///   back; a probation or protected entry stays in place, its reference bit set.
/// - A new key goes to the window's back. If the window is too long (or the cache), its
///   front (the candidate) leaves the window. If the cache is then too long, a victim is
///   selected: while probation's front entry is referenced, it is promoted to protected's
///   back (bit cleared), and while protected is too long, its front entry goes to
///   protected's back with its bit cleared if referenced (a second chance), else to
///   probation's back. The victim is then probation's front entry; the candidate goes to
///   probation's back (and the victim leaves) only if its estimated frequency is greater
///   than the victim's, else the candidate leaves (so does it with no victim). If what left
///   is the new key, `put` returns `Rejected`. If the cache was not too long, the candidate
///   goes to probation's back.
/// - After a `put` that inserted without evicting, the sketch may widen to the number of
///   entries (only sketches for more than 65,536 entries do).
/// - `remove` takes the entry out of its queue; `clear` also forgets the sketch.
/// - [`WTinyLfu::adaptive`]: after each `get` made while the model is full, the hit or miss
///   is counted; every `sample` of them, the hill climber (below) moves the window's share:
///   growing takes it from protected (protected's overflow then leaves as in a victim
///   search, and the window takes main's front entries, probation's first, bits cleared,
///   until main fits); shrinking gives it to protected, and the window's front entries that
///   no longer fit go to probation's *front*.
///
/// ```
/// use evict_harness::model::wtinylfu::WTinyLfu;
/// use evict_harness::{Cache, Put};
///
/// let mut m = WTinyLfu::new(2); // window 1, probation 1, protected 0
/// let _ = m.put(1, 'a');
/// let _ = m.put(2, 'b'); // 1 moves from the window to probation
/// let _ = m.get(&2);
/// let _ = m.get(&2);
/// // 2 is the candidate now; seen 3 times against 1's once: 1 leaves.
/// assert_eq!(m.put(3, 'c'), Put::Evicted(1, 'a'));
/// ```
#[derive(Clone, Debug)]
pub struct WTinyLfu<K, V> {
    /// Entries with their reference bit (always false in the window).
    window: VecDeque<(K, V, bool)>,
    probation: VecDeque<(K, V, bool)>,
    protected: VecDeque<(K, V, bool)>,
    capacity: usize,
    max_window: usize,
    max_protected: usize,
    sketch: FrequencySketch,
    /// The key of the last operation, if that was a `get` miss.
    missed: Option<K>,
    climber: Option<Climber>,
    stats: Stats,
}

/// Caffeine's hill climber: every `sample` lookups, compare the hit ratio with the last
/// sample's; step the same way if it did not drop, else the other way. The step starts at
/// `-step_percent × capacity`, decays by 2% per sample and restarts at
/// `±step_percent × capacity` when the hit ratio moves by 0.05 or more.
#[derive(Clone, Debug)]
struct Climber {
    hits: u64,
    misses: u64,
    sample: u64,
    step_percent: f64,
    previous: f64,
    step: f64,
}

impl Climber {
    fn new(sample: u64, step_percent: f64, capacity: usize) -> Self {
        Self {
            hits: 0,
            misses: 0,
            sample: sample.max(1),
            step_percent,
            previous: 0.0,
            step: -step_percent * capacity as f64,
        }
    }
}

impl<K, V> WTinyLfu<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        let main = (capacity as f64 * 0.99) as usize;
        Self {
            window: VecDeque::new(),
            probation: VecDeque::new(),
            protected: VecDeque::new(),
            capacity,
            max_window: capacity - main,
            max_protected: (main as f64 * 0.8) as usize,
            sketch: FrequencySketch::new(capacity),
            missed: None,
            climber: None,
            stats: Stats::default(),
        }
    }

    /// An adaptive model: Caffeine's climber, a sample of `10 × capacity` lookups and a step
    /// of 6.25% of the capacity.
    pub fn adaptive(capacity: usize) -> Self {
        Self::adaptive_tuned(capacity, 10 * capacity.max(1) as u64, 0.0625)
    }

    /// An adaptive model with a sample of `sample` lookups and a step of `step_percent` of
    /// the capacity.
    pub fn adaptive_tuned(capacity: usize, sample: u64, step_percent: f64) -> Self {
        let mut m = Self::new(capacity);
        m.climber = Some(Climber::new(sample, step_percent, capacity));
        m
    }
}

impl<K: Hash + Eq + Clone, V> WTinyLfu<K, V> {
    fn record(&mut self, key: &K) {
        self.sketch.increment(FrequencySketch::hash(key));
    }

    fn frequency(&self, key: &K) -> u8 {
        self.sketch.frequency(FrequencySketch::hash(key))
    }

    /// Which queue holds `key` (0 window, 1 probation, 2 protected) and where.
    fn find(&self, key: &K) -> Option<(usize, usize)> {
        [&self.window, &self.probation, &self.protected]
            .iter()
            .enumerate()
            .find_map(|(q, queue)| queue.iter().position(|(k, ..)| k == key).map(|i| (q, i)))
    }

    /// A hit on the entry at `at`: a window entry goes to the window's back; a probation or
    /// protected entry stays where it is, its reference bit set.
    fn hit(&mut self, (queue, i): (usize, usize)) {
        match queue {
            0 => {
                let e = self.window.remove(i).unwrap();
                self.window.push_back(e);
            }
            1 => self.probation[i].2 = true,
            _ => self.protected[i].2 = true,
        }
    }

    /// While protected is too long, its front entry leaves: to protected's back with its bit
    /// cleared if the bit was set (a second chance), else to probation's back.
    fn demote_overflow(&mut self) {
        while self.protected.len() > self.max_protected {
            let (k, v, referenced) = self.protected.pop_front().unwrap();
            if referenced {
                self.protected.push_back((k, v, false));
            } else {
                self.probation.push_back((k, v, false));
            }
        }
    }

    /// Promotes probation's front entries while their bit is set (each to protected's back,
    /// bit cleared, then [`demote_overflow`](Self::demote_overflow)); the victim is then
    /// probation's front entry, if any.
    fn select_victim(&mut self) {
        while self.probation.front().is_some_and(|e| e.2) {
            let (k, v, _) = self.probation.pop_front().unwrap();
            self.protected.push_back((k, v, false));
            self.demote_overflow();
        }
    }

    /// The adaptive model's step after a `get`.
    fn climb(&mut self, hit: bool) {
        if self.len() < self.capacity {
            return;
        }
        let capacity = self.capacity as f64;
        let Some(c) = &mut self.climber else {
            return;
        };
        if hit {
            c.hits += 1;
        } else {
            c.misses += 1;
        }
        let lookups = c.hits + c.misses;
        if lookups < c.sample {
            return;
        }
        let ratio = c.hits as f64 / lookups as f64;
        let change = ratio - c.previous;
        let amount = if change >= 0.0 { c.step } else { -c.step };
        c.step = if change.abs() >= 0.05 {
            let size = c.step_percent * capacity;
            if amount >= 0.0 { size } else { -size }
        } else {
            0.98 * amount
        };
        c.previous = ratio;
        c.hits = 0;
        c.misses = 0;
        let amount = amount as i64;
        if amount > 0 {
            let steps = (amount as usize).min(self.max_protected);
            self.max_window += steps;
            self.max_protected -= steps;
            self.demote_overflow();
            while self.probation.len() + self.protected.len() > self.capacity - self.max_window {
                let (k, v, _) = match self.probation.pop_front() {
                    Some(e) => e,
                    None => self.protected.pop_front().unwrap(),
                };
                self.window.push_back((k, v, false));
            }
        } else if amount < 0 {
            let steps = (amount.unsigned_abs() as usize).min(self.max_window);
            self.max_window -= steps;
            self.max_protected += steps;
            while self.window.len() > self.max_window {
                let e = self.window.pop_front().unwrap();
                self.probation.push_front(e);
            }
        }
    }

    fn entry_mut(&mut self, (queue, i): (usize, usize)) -> &mut (K, V, bool) {
        match queue {
            0 => &mut self.window[i],
            1 => &mut self.probation[i],
            _ => &mut self.protected[i],
        }
    }
}

impl<K: Hash + Eq + Clone, V> Cache<K, V> for WTinyLfu<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        if self.capacity == 0 {
            self.stats.miss();
            return None;
        }
        self.record(key);
        match self.find(key) {
            Some(at) => {
                self.stats.hit();
                self.missed = None;
                self.hit(at);
                self.climb(true);
                let at = self.find(key).unwrap();
                Some(&self.entry_mut(at).1)
            }
            None => {
                self.stats.miss();
                self.missed = Some(key.clone());
                self.climb(false);
                None
            }
        }
    }

    fn peek(&self, key: &K) -> Option<&V> {
        let (queue, i) = self.find(key)?;
        let q = [&self.window, &self.probation, &self.protected][queue];
        Some(&q[i].1)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        if self.missed.take().as_ref() != Some(&key) {
            self.record(&key);
        }
        if let Some(at) = self.find(&key) {
            self.hit(at);
            let at = self.find(&key).unwrap();
            return Put::Replaced(std::mem::replace(&mut self.entry_mut(at).1, value));
        }
        let new_key = key.clone();
        self.window.push_back((key, value, false));
        if self.window.len() > self.max_window || self.len() > self.capacity {
            let candidate = self.window.pop_front().unwrap();
            if self.len() + 1 > self.capacity {
                self.select_victim();
                let admit = self
                    .probation
                    .front()
                    .is_some_and(|victim| self.frequency(&candidate.0) > self.frequency(&victim.0));
                let (k, v, _) = if admit {
                    let victim = self.probation.pop_front().unwrap();
                    self.probation.push_back(candidate);
                    victim
                } else {
                    candidate
                };
                return if k == new_key {
                    Put::Rejected(k, v)
                } else {
                    Put::Evicted(k, v)
                };
            }
            self.probation.push_back(candidate);
        }
        self.sketch.ensure_capacity(self.len());
        Put::Inserted
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        self.missed = None;
        let (queue, i) = self.find(key)?;
        let q = match queue {
            0 => &mut self.window,
            1 => &mut self.probation,
            _ => &mut self.protected,
        };
        q.remove(i).map(|(_, v, _)| v)
    }

    fn len(&self) -> usize {
        self.window.len() + self.probation.len() + self.protected.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        self.window.clear();
        self.probation.clear();
        self.protected.clear();
        self.sketch = FrequencySketch::new(self.capacity);
        self.missed = None;
        let fresh = Self::new(self.capacity);
        self.max_window = fresh.max_window;
        self.max_protected = fresh.max_protected;
        if let Some(c) = &mut self.climber {
            *c = Climber::new(c.sample, c.step_percent, self.capacity);
        }
        self.stats.reset();
    }
}
