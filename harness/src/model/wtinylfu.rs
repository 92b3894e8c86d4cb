//! Reference model of W-TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient
//! Cache Admission Policy", ACM Transactions on Storage 2017), written the way Caffeine's
//! simulator (`WindowTinyLfuPolicy`) states it, with three `VecDeque`s and linear scans.
//!
//! The frequency sketch is the toolkit's (`evict_slots::sketch`), the one the policy uses,
//! tested on its own there against exact counts. An exact count cannot stand in for it: the
//! policy's decisions depend on the sketch's estimates, collisions included (a few keys per
//! counter in the small sketches the kit's capacities give), so a model counting exactly
//! would disagree with a correct policy. So the model uses the sketch and also keeps exact
//! counts of its own, aged the same way, and checks at every admission decision that the
//! sketch never estimates a key below its exact count: a sketch that loses counts fails the
//! model comparison, not only the sketch's tests.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use evict_core::{Cache, CacheInfo, Put, Stats};
use evict_slots::sketch::FrequencySketch;

/// Model of W-TinyLFU: a window LRU, then a main space of probation and protected queues
/// whose entries count their hits (CLOCK-style: nonzero is the reference bit).
/// In every queue the front is the least recently used entry and the back the most.
///
/// - Sizes (Caffeine's simulator): `main = floor(0.99 × capacity)`,
///   `window = capacity - main`, `protected = floor(0.8 × main)`.
/// - Every `get` miss and every `put` of a new key records the key in the sketch, except a
///   `put` of the key whose `get` missed in the operation just before.
/// - A hit (a `get` hit, or a `put` of a cached key) on a window entry moves it to the
///   window's back, and records it only if the window is longer than `new`'s share (an
///   adaptive model that grew it); a probation or protected entry stays in place and
///   counts the hit, up to 15. The count goes to the entry's sketch counters at once
///   whenever the rules below say "hits recorded", and is then 0.
/// - Aging: recorded accesses (misses and new keys recorded as above, and every probation
///   or protected hit, counted or saturated) are counted; at `10 × capacity` the sketch
///   halves its counters, every entry's count is halved, and
///   the count starts again from 0.
/// - A new key goes to the window's back. If the window is too long (or the cache), its
///   front (the candidate) leaves the window. If the cache is then too long, a victim is
///   selected: while probation's front entry has hits, they are recorded and it is promoted
///   to protected's back, and while protected is too long, its front entry goes to
///   protected's back with its hits recorded if it has any (a second chance), else to
///   probation's back. The victim is then probation's front entry; the candidate goes to
///   probation's back (and the victim leaves) only if its estimated frequency is greater
///   than the victim's, else the candidate leaves (so does it with no victim). If what left
///   is the new key, `put` returns `Rejected`. If the cache was not too long, the candidate
///   goes to probation's back. Either way the candidate's key is recorded once more as it
///   leaves the window (after the comparison; not counted as an access).
/// - After a `put` that inserted without evicting, the sketch may widen to the number of
///   entries (only sketches for more than 65,536 entries do).
/// - `remove` records the entry's hits and takes it out of its queue; `clear` also forgets
///   the sketch.
/// - `pop` runs the victim search above, then takes probation's front entry, else the
///   window's, else protected's, hits recorded; `peek_victim` is what `pop` would take (a
///   copy of the model without values pops). `get_mut`, `peek_mut`, `put_mut` are `get`,
///   `peek`, `put`; `get_or_insert_with` is the trait's provided one (`get`, then `put`).
/// - `resize(n)` pops while longer than `n`, then takes the sizes `new(n)` gives; the
///   window's front entries that no longer fit go to probation's back, protected's
///   overflow leaves as in a victim search, and while main is longer than its share its
///   front entries (probation's first) go to the window's back, hits recorded. The sketch
///   is [resized](FrequencySketch::resize) (counts kept) and widened to the number of
///   entries; an adaptive model's climber starts again as a new one would.
/// - `entries` lists the window, probation and protected, each from back (most recent) to
///   front.
/// - [`WTinyLfu::adaptive`]: after each `get` made while the model is full, the hit or miss
///   is counted; every `sample` of them, the hill climber (below) moves the window's share:
///   growing takes it from protected (protected's overflow then leaves as in a victim
///   search, and the window takes main's front entries, probation's first, hits recorded,
///   until main fits); shrinking gives it to protected, and the window's front entries that
///   no longer fit go to probation's *front*.
///
/// ```
/// use evict_harness::model::wtinylfu::WTinyLfu;
/// use evict_harness::{Cache, Put};
///
/// let mut m = WTinyLfu::new(2); // window 1, probation 1, protected 0
/// let _ = m.put(1, 'a');
/// let _ = m.get(&2);
/// let _ = m.get(&2);
/// let _ = m.get(&2); // 2 seen three times
/// let _ = m.put(2, 'b'); // the access of the miss before; 1 moves to probation
/// // (and is recorded once more as it leaves the window: 2 counts)
/// let _ = m.get(&2); // a window hit: not recorded
/// // 2 is the candidate now; three counts against 1's two: 1 leaves.
/// assert_eq!(m.put(3, 'c'), Put::Evicted(1, 'a'));
/// ```
#[derive(Clone, Debug)]
pub struct WTinyLfu<K, V> {
    /// Entries with their unrecorded hits (0 to 15; always 0 in the window).
    window: VecDeque<(K, V, u8)>,
    probation: VecDeque<(K, V, u8)>,
    protected: VecDeque<(K, V, u8)>,
    capacity: usize,
    max_window: usize,
    max_protected: usize,
    sketch: FrequencySketch,
    /// The width `clear` gives the sketch (words, before rounding up to a power of two).
    sketch_words: usize,
    /// The fewest words `resize` sizes the sketch for (the cache's `with_sketch_floor`).
    sketch_floor: usize,
    /// Accesses recorded since the sketch last halved.
    accesses: u64,
    /// Every key's exact count, recorded and aged as the sketch's counters are: the
    /// sketch's estimate must never be below it.
    exact: HashMap<K, u8>,
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
    /// Whether `sample` is `10 × capacity` (and follows a resize).
    scaled: bool,
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
            scaled: false,
            step_percent,
            previous: 0.0,
            step: -step_percent * capacity as f64,
        }
    }

    /// The climber a new model of `capacity` would have, with these settings.
    fn restarted(&self, capacity: usize) -> Self {
        let sample = if self.scaled {
            10 * capacity.max(1) as u64
        } else {
            self.sample
        };
        Self {
            scaled: self.scaled,
            ..Self::new(sample, self.step_percent, capacity)
        }
    }
}

impl<K, V> WTinyLfu<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        let (max_window, max_protected) = sizes(capacity);
        Self {
            window: VecDeque::new(),
            probation: VecDeque::new(),
            protected: VecDeque::new(),
            capacity,
            max_window,
            max_protected,
            sketch: FrequencySketch::new(capacity.max(MIN_SKETCH_WORDS)),
            sketch_words: capacity.max(MIN_SKETCH_WORDS),
            sketch_floor: MIN_SKETCH_WORDS,
            accesses: 0,
            exact: HashMap::new(),
            missed: None,
            climber: None,
            stats: Stats::default(),
        }
    }

    /// A model whose sketch is `words` wide (rounded up to a power of two) instead of
    /// `max(capacity, 1,024)`, also after `clear` (`resize` goes back to the usual width):
    /// the miniature W-TinyLFU of `evict-adaptive`, whose sketch follows its sampling rate.
    pub fn with_sketch_words(capacity: usize, words: usize) -> Self {
        Self {
            sketch: FrequencySketch::new(words),
            sketch_words: words,
            ..Self::new(capacity)
        }
    }

    /// The model with a sketch sized for at least `words` words instead of 1,024, now and
    /// after every `resize`, as the cache's `with_sketch_floor` (the W-TinyLFU that
    /// `evict-adaptive` runs, whose small caches must be small in bytes).
    pub fn with_sketch_floor(mut self, words: usize) -> Self {
        self.sketch_floor = words;
        self.sketch_words = self.capacity.max(words);
        self.sketch.resize(self.sketch_words);
        self
    }

    /// An adaptive model: Caffeine's climber, a sample of `10 × capacity` lookups and a step
    /// of 6.25% of the capacity.
    pub fn adaptive(capacity: usize) -> Self {
        let mut m = Self::adaptive_tuned(capacity, 10 * capacity.max(1) as u64, 0.0625);
        if let Some(c) = &mut m.climber {
            c.scaled = true;
        }
        m
    }

    /// An adaptive model with a sample of `sample` lookups and a step of `step_percent` of
    /// the capacity.
    pub fn adaptive_tuned(capacity: usize, sample: u64, step_percent: f64) -> Self {
        let mut m = Self::new(capacity);
        m.climber = Some(Climber::new(sample, step_percent, capacity));
        m
    }
}

/// The smallest sketch: it is sized for `max(capacity, 1,024)` entries (the cache's
/// `MIN_SKETCH_WORDS`; its halving period stays `10 × capacity`).
const MIN_SKETCH_WORDS: usize = 1024;

/// The window and protected sizes of a capacity: `main = floor(0.99 × capacity)`,
/// `window = capacity - main`, `protected = floor(0.8 × main)`.
fn sizes(capacity: usize) -> (usize, usize) {
    let main = (capacity as f64 * 0.99) as usize;
    (capacity - main, (main as f64 * 0.8) as usize)
}

impl<K: Hash + Eq + Clone, V> WTinyLfu<K, V> {
    fn record(&mut self, key: &K) {
        self.sketch.add_counted(FrequencySketch::hash(key), 1);
        let count = self.exact.entry(key.clone()).or_insert(0);
        *count = (*count + 1).min(15);
        self.count_access();
    }

    /// Records the candidate's key once more as it leaves the window (after its contest, or
    /// to probation while the model is not full), without counting an access.
    fn record_leaving(&mut self, key: &K) {
        self.sketch.add_counted(FrequencySketch::hash(key), 1);
        let count = self.exact.entry(key.clone()).or_insert(0);
        *count = (*count + 1).min(15);
    }

    /// Counts one recorded access; at `10 × capacity` halves the sketch, every
    /// entry's counted hits and every exact count, and starts counting again.
    fn count_access(&mut self) {
        self.accesses += 1;
        if self.accesses >= 10 * self.capacity.max(1) as u64 {
            self.accesses = 0;
            self.sketch.reset();
            for queue in [&mut self.window, &mut self.probation, &mut self.protected] {
                for e in queue.iter_mut() {
                    e.2 /= 2;
                }
            }
            for count in self.exact.values_mut() {
                *count /= 2;
            }
        }
    }

    /// The sketch's estimate for `key`, checked against the exact count.
    fn frequency(&self, key: &K) -> u8 {
        let estimate = self.sketch.frequency(FrequencySketch::hash(key));
        let exact = self.exact.get(key).copied().unwrap_or(0);
        assert!(
            estimate >= exact,
            "the frequency sketch estimates a key at {estimate}, below its exact count {exact}"
        );
        estimate
    }

    /// Which queue holds `key` (0 window, 1 probation, 2 protected) and where.
    fn find(&self, key: &K) -> Option<(usize, usize)> {
        [&self.window, &self.probation, &self.protected]
            .iter()
            .enumerate()
            .find_map(|(q, queue)| queue.iter().position(|(k, ..)| k == key).map(|i| (q, i)))
    }

    /// A hit on the entry at `at`: a window entry goes to the window's back, recorded only
    /// if the window has grown beyond `new`'s share; a probation or protected entry stays
    /// where it is and counts the hit (up to 15), and the access counts towards aging.
    fn hit(&mut self, (queue, i): (usize, usize)) {
        match queue {
            0 => {
                let e = self.window.remove(i).unwrap();
                if self.max_window > sizes(self.capacity).0 {
                    self.record(&e.0);
                }
                self.window.push_back(e);
            }
            1 | 2 => {
                let queue = if queue == 1 {
                    &mut self.probation
                } else {
                    &mut self.protected
                };
                queue[i].2 = (queue[i].2 + 1).min(15);
                self.count_access();
            }
            _ => unreachable!(),
        }
    }

    /// Adds an entry's counted hits to its sketch counters (at once) and returns it
    /// without them.
    fn record_hits(&mut self, (k, v, hits): (K, V, u8)) -> (K, V, u8) {
        self.sketch.add_counted(FrequencySketch::hash(&k), hits);
        if hits > 0 {
            let count = self.exact.entry(k.clone()).or_insert(0);
            *count = (*count + hits).min(15);
        }
        (k, v, 0)
    }

    /// While protected is too long, its front entry leaves: to protected's back with its
    /// hits recorded if it has any (a second chance), else to probation's back.
    fn demote_overflow(&mut self) {
        while self.protected.len() > self.max_protected {
            let e = self.protected.pop_front().unwrap();
            if e.2 > 0 {
                let e = self.record_hits(e);
                self.protected.push_back(e);
            } else {
                self.probation.push_back(e);
            }
        }
    }

    /// Promotes probation's front entries while they have hits (each has them recorded and
    /// goes to protected's back, then [`demote_overflow`](Self::demote_overflow)); the
    /// victim is then probation's front entry, if any.
    fn select_victim(&mut self) {
        while self.probation.front().is_some_and(|e| e.2 > 0) {
            let e = self.probation.pop_front().unwrap();
            let e = self.record_hits(e);
            self.protected.push_back(e);
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
                let e = match self.probation.pop_front() {
                    Some(e) => e,
                    None => self.protected.pop_front().unwrap(),
                };
                let e = self.record_hits(e);
                self.window.push_back(e);
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

    fn entry_mut(&mut self, (queue, i): (usize, usize)) -> &mut (K, V, u8) {
        match queue {
            0 => &mut self.window[i],
            1 => &mut self.probation[i],
            _ => &mut self.protected[i],
        }
    }

    /// The key `pop` would take: a copy of the model without values pops.
    fn victim_key(&self) -> Option<K> {
        let keys =
            |q: &VecDeque<(K, V, u8)>| q.iter().map(|(k, _, h)| (k.clone(), (), *h)).collect();
        let mut copy = WTinyLfu::<K, ()> {
            window: keys(&self.window),
            probation: keys(&self.probation),
            protected: keys(&self.protected),
            capacity: self.capacity,
            max_window: self.max_window,
            max_protected: self.max_protected,
            sketch: self.sketch.clone(),
            sketch_words: self.sketch_words,
            sketch_floor: self.sketch_floor,
            accesses: self.accesses,
            exact: self.exact.clone(),
            missed: None,
            climber: None,
            stats: Stats::default(),
        };
        copy.pop().map(|(k, ())| k)
    }
}

impl<K: Hash + Eq + Clone, V> Cache<K, V> for WTinyLfu<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        if self.capacity == 0 {
            self.stats.miss();
            return None;
        }
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
                self.record(key);
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
        let missed = self.missed.take();
        if let Some(at) = self.find(&key) {
            self.hit(at);
            let at = self.find(&key).unwrap();
            return Put::Replaced(std::mem::replace(&mut self.entry_mut(at).1, value));
        }
        if missed.as_ref() != Some(&key) {
            self.record(&key);
        }
        let new_key = key.clone();
        self.window.push_back((key, value, 0));
        if self.window.len() > self.max_window || self.len() > self.capacity {
            let candidate = self.window.pop_front().unwrap();
            if self.len() + 1 > self.capacity {
                self.select_victim();
                let admit = self
                    .probation
                    .front()
                    .is_some_and(|victim| self.frequency(&candidate.0) > self.frequency(&victim.0));
                self.record_leaving(&candidate.0);
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
            self.record_leaving(&candidate.0);
            self.probation.push_back(candidate);
        }
        self.sketch
            .ensure_capacity(self.len().max(self.sketch_floor));
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
        let e = q.remove(i).unwrap();
        Some(self.record_hits(e).1)
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
        self.sketch = FrequencySketch::new(self.sketch_words);
        self.accesses = 0;
        self.exact.clear();
        self.missed = None;
        (self.max_window, self.max_protected) = sizes(self.capacity);
        if let Some(c) = &mut self.climber {
            *c = c.restarted(self.capacity);
        }
        self.stats.reset();
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.get(key)?;
        let at = self.find(key)?;
        Some(&mut self.entry_mut(at).1)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let at = self.find(key)?;
        Some(&mut self.entry_mut(at).1)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let k = key.clone();
        let put = self.put(key, value);
        let at = self.find(&k);
        (put, at.map(|at| &mut self.entry_mut(at).1))
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let key = self.victim_key()?;
        let (queue, i) = self.find(&key)?;
        let (k, v, _) = &[&self.window, &self.probation, &self.protected][queue][i];
        Some((k, v))
    }

    fn pop(&mut self) -> Option<(K, V)> {
        self.select_victim();
        let e = match self.probation.pop_front() {
            Some(e) => e,
            None => match self.window.pop_front() {
                Some(e) => e,
                None => self.protected.pop_front()?,
            },
        };
        let (k, v, _) = self.record_hits(e);
        Some((k, v))
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let mut popped = Vec::new();
        while self.len() > capacity {
            popped.push(self.pop().unwrap());
        }
        self.capacity = capacity;
        (self.max_window, self.max_protected) = sizes(capacity);
        while self.window.len() > self.max_window {
            let e = self.window.pop_front().unwrap();
            self.probation.push_back(e);
        }
        self.demote_overflow();
        while self.probation.len() + self.protected.len() > capacity - self.max_window {
            let e = match self.probation.pop_front() {
                Some(e) => e,
                None => self.protected.pop_front().unwrap(),
            };
            let e = self.record_hits(e);
            self.window.push_back(e);
        }
        self.sketch_words = capacity.max(self.sketch_floor);
        self.sketch.resize(self.sketch_words);
        self.sketch
            .ensure_capacity(self.len().max(self.sketch_floor));
        if let Some(c) = &mut self.climber {
            *c = c.restarted(capacity);
        }
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        let queues = [&self.window, &self.probation, &self.protected];
        Box::new(
            queues
                .into_iter()
                .flat_map(|q| q.iter().rev().map(|(k, v, _)| (k, v))),
        )
    }
}
