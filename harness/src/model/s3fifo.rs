//! Reference model of S3-FIFO (Yang et al., SOSP 2023, "FIFO queues are all you need for
//! cache eviction"), written from the paper's pseudocode with `VecDeque`s and linear scans.
//! Where the paper leaves a detail open it follows the authors' reference implementation,
//! libCacheSim's `S3FIFO.c` (default parameters `small-size-ratio=0.10`,
//! `ghost-size-ratio=0.90`, `move-to-main-threshold=2`):
//!
//! - sizes: small target `⌊cap/10⌋`, main target `cap − ⌊cap/10⌋`, ghost `⌊9·cap/10⌋` keys
//!   (no ghost when that is 0);
//! - a new key goes to main if the ghost holds it (and the ghost forgets it), to main if no
//!   eviction has happened yet and the small queue is already at its target, else to small;
//!   its frequency starts at 0;
//! - an eviction evicts from main when main is above its target or small is empty, else from
//!   small: small's tail moves to main's head with frequency 0 if its frequency is at least 2
//!   (the move never evicts from main by itself: main may overflow until the next eviction),
//!   otherwise it leaves the cache and its key enters the ghost; this repeats until one entry
//!   has left, switching to main if small runs empty;
//! - main evicts CLOCK-style: while its tail has frequency > 0, the tail moves to the head
//!   with its frequency decreased by one; the first tail with frequency 0 leaves;
//! - the ghost is a FIFO of at most that many keys: a new key pushes out the oldest; a key
//!   already there stays where it is.
//!
//! The choices of `evict`'s API, shared with `evict_s3fifo::S3FifoCache`: a `get` hit or a
//! `put` of a cached key adds one to its frequency (saturating at 3); a `get` miss changes
//! nothing; the ghost is consulted by `put` of a new key; `remove` of a cached key takes it
//! out without a ghost entry, and `remove` of any other key forgets its ghost entry;
//! `clear` forgets everything, as a new cache.
//!
//! And for the rest of the API: `get_mut` is a `get`, `peek_mut` a `peek`; `pop` is the
//! eviction a `put` of a new key into the full cache would make (the key of a victim from
//! the small queue enters the ghost); `peek_victim` runs that eviction on a copy of the
//! keys and frequencies; `resize` pops until the cache fits, then sets the capacity and
//! recomputes the three sizes as `new` does (the ghost keeping its newest keys); `entries`
//! lists the small queue oldest first, then the main queue oldest first.

use std::collections::VecDeque;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// An entry of the small or main queue.
#[derive(Clone, Debug)]
struct Entry<K, V> {
    key: K,
    value: V,
    /// Accesses since insertion (or since moving to main), capped at 3.
    freq: u8,
}

/// Model of S3-FIFO: a small FIFO, a main FIFO with CLOCK-style reinsertion and a ghost FIFO
/// of keys recently evicted from the small queue. Each `VecDeque` holds its oldest entry
/// (the tail in the paper's words) at the front and its newest (the head) at the back.
///
/// ```
/// use evict_harness::model::s3fifo::S3Fifo;
/// use evict_harness::{Cache, Put};
///
/// // Capacity 20: small target 2, main target 18, ghost 18.
/// let mut m = S3Fifo::new(20);
/// for k in 0..20 {
///     let _ = m.put(k, k);
/// }
/// // The first eviction takes the small queue's oldest entry, 0, which was never read.
/// assert_eq!(m.put(20, 20), Put::Evicted(0, 0));
/// // 0 is now a ghost: putting it again sends it straight to the main queue.
/// let _ = m.put(0, 0);
/// assert!(m.main_keys().contains(&&0));
/// ```
#[derive(Clone, Debug)]
pub struct S3Fifo<K, V> {
    small: VecDeque<Entry<K, V>>,
    main: VecDeque<Entry<K, V>>,
    ghost: VecDeque<K>,
    capacity: usize,
    small_target: usize,
    main_target: usize,
    ghost_capacity: usize,
    /// Whether any eviction has happened since creation or the last `clear`.
    has_evicted: bool,
    stats: Stats,
}

impl<K, V> S3Fifo<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        let mut model = Self {
            small: VecDeque::new(),
            main: VecDeque::new(),
            ghost: VecDeque::new(),
            capacity: 0,
            small_target: 0,
            main_target: 0,
            ghost_capacity: 0,
            has_evicted: false,
            stats: Stats::default(),
        };
        model.set_capacity(capacity);
        model
    }

    /// The capacity and the three sizes derived from it.
    fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        self.small_target = capacity / 10;
        self.main_target = capacity - self.small_target;
        self.ghost_capacity = capacity * 9 / 10;
    }

    /// The keys of the main queue, oldest first.
    pub fn main_keys(&self) -> Vec<&K> {
        self.main.iter().map(|e| &e.key).collect()
    }

    /// The keys of the small queue, oldest first.
    pub fn small_keys(&self) -> Vec<&K> {
        self.small.iter().map(|e| &e.key).collect()
    }

    /// The ghost keys, oldest first.
    pub fn ghost_keys(&self) -> Vec<&K> {
        self.ghost.iter().collect()
    }
}

impl<K: PartialEq + Clone, V> S3Fifo<K, V> {
    fn find_mut(&mut self, key: &K) -> Option<&mut Entry<K, V>> {
        self.small
            .iter_mut()
            .chain(self.main.iter_mut())
            .find(|e| e.key == *key)
    }

    /// Adds `key` to the ghost; the oldest ghost goes if full. A key leaving the cache is
    /// never a ghost already: a `put` of a ghost's key takes it out of the ghost.
    fn remember(&mut self, key: K) {
        debug_assert!(!self.ghost.contains(&key), "a cached key was a ghost");
        if self.ghost_capacity == 0 {
            return;
        }
        if self.ghost.len() == self.ghost_capacity {
            self.ghost.pop_front();
        }
        self.ghost.push_back(key);
    }

    /// Forgets `key`'s ghost entry; whether there was one.
    fn forget(&mut self, key: &K) -> bool {
        match self.ghost.iter().position(|k| k == key) {
            Some(i) => {
                self.ghost.remove(i);
                true
            }
            None => false,
        }
    }

    /// The key [`evict`](Self::evict) would take: the same steps on a copy of the keys and
    /// frequencies.
    fn victim_key(&self) -> Option<K> {
        let copy = |q: &VecDeque<Entry<K, V>>| -> VecDeque<Entry<K, ()>> {
            q.iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    value: (),
                    freq: e.freq,
                })
                .collect()
        };
        let mut shadow = S3Fifo {
            small: copy(&self.small),
            main: copy(&self.main),
            ghost: VecDeque::new(),
            capacity: self.capacity,
            small_target: self.small_target,
            main_target: self.main_target,
            ghost_capacity: 0,
            has_evicted: self.has_evicted,
            stats: Stats::default(),
        };
        (shadow.len() > 0).then(|| shadow.evict().key)
    }

    /// Evicts exactly one entry (the cache is not empty) and returns it.
    fn evict(&mut self) -> Entry<K, V> {
        self.has_evicted = true;
        loop {
            if self.main.len() > self.main_target || self.small.is_empty() {
                loop {
                    let mut tail = self.main.pop_front().expect("main is not empty");
                    if tail.freq > 0 {
                        tail.freq -= 1;
                        self.main.push_back(tail);
                    } else {
                        return tail;
                    }
                }
            }
            while let Some(mut tail) = self.small.pop_front() {
                if tail.freq >= 2 {
                    tail.freq = 0;
                    self.main.push_back(tail);
                } else {
                    self.remember(tail.key.clone());
                    return tail;
                }
            }
        }
    }
}

impl<K: PartialEq + Clone, V> Cache<K, V> for S3Fifo<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let hit = self.peek(key).is_some();
        self.stats.record(hit);
        let entry = self.find_mut(key)?;
        entry.freq = (entry.freq + 1).min(3);
        Some(&entry.value)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        self.small
            .iter()
            .chain(self.main.iter())
            .find(|e| e.key == *key)
            .map(|e| &e.value)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(entry) = self.find_mut(&key) {
            entry.freq = (entry.freq + 1).min(3);
            return Put::Replaced(std::mem::replace(&mut entry.value, value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let was_ghost = self.forget(&key);
        let evicted = if self.small.len() + self.main.len() == self.capacity {
            Some(self.evict())
        } else {
            None
        };
        let entry = Entry {
            key,
            value,
            freq: 0,
        };
        if was_ghost || (!self.has_evicted && self.small.len() >= self.small_target) {
            self.main.push_back(entry);
        } else {
            self.small.push_back(entry);
        }
        match evicted {
            Some(e) => Put::Evicted(e.key, e.value),
            None => Put::Inserted,
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        if let Some(i) = self.small.iter().position(|e| e.key == *key) {
            return self.small.remove(i).map(|e| e.value);
        }
        if let Some(i) = self.main.iter().position(|e| e.key == *key) {
            return self.main.remove(i).map(|e| e.value);
        }
        self.forget(key);
        None
    }

    fn len(&self) -> usize {
        self.small.len() + self.main.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        self.small.clear();
        self.main.clear();
        self.ghost.clear();
        self.has_evicted = false;
        self.stats.reset();
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let hit = self.peek(key).is_some();
        self.stats.record(hit);
        let entry = self.find_mut(key)?;
        entry.freq = (entry.freq + 1).min(3);
        Some(&mut entry.value)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find_mut(key).map(|e| &mut e.value)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let k = key.clone();
        let put = self.put(key, value);
        if let Put::Rejected(..) = put {
            return (put, None);
        }
        (put, self.find_mut(&k).map(|e| &mut e.value))
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let key = self.victim_key()?;
        self.small
            .iter()
            .chain(self.main.iter())
            .find(|e| e.key == key)
            .map(|e| (&e.key, &e.value))
    }

    fn pop(&mut self) -> Option<(K, V)> {
        if self.len() == 0 {
            return None;
        }
        let e = self.evict();
        Some((e.key, e.value))
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let mut popped = Vec::new();
        while self.len() > capacity {
            popped.extend(self.pop());
        }
        self.set_capacity(capacity);
        while self.ghost.len() > self.ghost_capacity {
            self.ghost.pop_front();
        }
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(
            self.small
                .iter()
                .chain(self.main.iter())
                .map(|e| (&e.key, &e.value)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_libcachesim() {
        let m: S3Fifo<u8, u8> = S3Fifo::new(25);
        assert_eq!(
            (m.small_target, m.main_target, m.ghost_capacity),
            (2, 23, 22)
        );
        let tiny: S3Fifo<u8, u8> = S3Fifo::new(1);
        assert_eq!(
            (tiny.small_target, tiny.main_target, tiny.ghost_capacity),
            (0, 1, 0)
        );
    }

    #[test]
    fn warm_up_fills_small_then_main() {
        let mut m = S3Fifo::new(20);
        for k in 0..20u8 {
            assert_eq!(m.put(k, k), Put::Inserted);
        }
        assert_eq!(m.small_keys(), [&0, &1]);
        assert_eq!(m.main_keys().len(), 18);
    }

    #[test]
    fn frequent_small_entry_moves_to_main() {
        let mut m = S3Fifo::new(20);
        for k in 0..20u8 {
            let _ = m.put(k, k);
        }
        let _ = m.get(&0);
        let _ = m.get(&0);
        // 0 (freq 2) moves to main, 1 (freq 0) is the victim and becomes a ghost.
        assert_eq!(m.put(20, 20), Put::Evicted(1, 1));
        assert_eq!(m.main_keys().last(), Some(&&0));
        assert_eq!(m.ghost_keys(), [&1]);
        assert_eq!(m.small_keys(), [&20]);
    }

    #[test]
    fn main_reinserts_while_frequency_is_positive() {
        let mut m = S3Fifo::new(3);
        // Capacity 3: small target 0, so the warm-up fills main.
        for k in 0..3u8 {
            let _ = m.put(k, k);
        }
        let _ = m.get(&0);
        // Small is empty: main evicts; 0 has freq 1, goes round once, 1 leaves.
        assert_eq!(m.put(3, 3), Put::Evicted(1, 1));
        assert_eq!(m.main_keys(), [&2, &0]);
        assert_eq!(m.small_keys(), [&3]);
    }

    #[test]
    fn pop_is_the_next_eviction_and_peek_victim_shows_it() {
        let mut m = S3Fifo::new(20);
        for k in 0..20u8 {
            let _ = m.put(k, k);
        }
        let _ = m.get(&0);
        let _ = m.get(&0);
        // 0 (read twice) would move to main; 1 is the victim and becomes a ghost.
        assert_eq!(m.peek_victim(), Some((&1, &1)));
        assert_eq!(m.small_keys(), [&0, &1]); // peeking moved nothing
        assert_eq!(m.pop(), Some((1, 1)));
        assert_eq!(m.ghost_keys(), [&1]);
        assert_eq!(m.main_keys().last(), Some(&&0));
        assert_eq!(m.len(), 19);
    }

    #[test]
    fn resize_pops_then_recomputes_the_sizes() {
        let mut m = S3Fifo::new(20);
        for k in 0..20u8 {
            let _ = m.put(k, k);
        }
        let popped = m.resize(5);
        // Small first (0 and 1 become ghosts), then main's oldest.
        assert_eq!(popped.len(), 15);
        assert_eq!(popped[..3], [(0, 0), (1, 1), (2, 2)]);
        assert_eq!((m.small_target, m.main_target, m.ghost_capacity), (0, 5, 4));
        assert_eq!(m.ghost_keys(), [&0, &1]);
        let keys: Vec<u8> = m.entries().map(|(&k, _)| k).collect();
        assert_eq!(keys, [15, 16, 17, 18, 19]);
        assert!(m.resize(0).len() == 5 && m.is_empty());
        assert!(m.ghost_keys().is_empty());
    }
}
