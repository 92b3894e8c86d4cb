//! Reference model of SIEVE (Zhang, Yang, Yue, Vigfusson and Rashmi, "SIEVE is Simpler than
//! LRU: an Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI 2024).

use std::collections::VecDeque;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// Model of SIEVE: one FIFO queue (a `VecDeque`, the tail, oldest, at index 0 and the head,
/// newest, at the back), a visited bit per entry and a hand (an index, or `None` for "start
/// from the tail"), with linear scans. Written from the paper's Figure 1 pseudocode; where
/// the paper leaves a detail open, it does what libCacheSim's `Sieve.c` does.
///
/// - `get` of a cached key sets its visited bit and moves nothing. `put` of a cached key
///   replaces the value and sets the bit too.
/// - `put` of a new key into a full model evicts first: starting at the hand (at the tail
///   if it is `None`), a visited entry has its bit cleared and the hand moves one step
///   towards the head, from the head wrapping to the tail; the first unvisited entry is
///   evicted, and the hand stays at the position after it (the entry that was newer than
///   the victim), or `None` if the victim was the head. The newcomer then joins the head
///   with its bit clear.
/// - `remove` of the entry under the hand moves the hand on to the next newer entry
///   (`None` if it was the head), as libCacheSim does.
/// - `pop` evicts exactly as that `put` would (clearing the bits it passes and moving the
///   hand); `peek_victim` shows the same entry without clearing anything: the first
///   unvisited entry from the hand towards the head, wrapping, or the hand's own entry if
///   every bit is set. A shrinking `resize` pops until the model fits.
/// - `entries` lists from the head (newest) to the tail (oldest), as `SieveCache::iter`
///   does.
///
/// ```
/// use evict_harness::model::sieve::Sieve;
/// use evict_harness::{Cache, Put};
///
/// let mut m = Sieve::new(3);
/// let _ = m.put(1, 'a');
/// let _ = m.put(2, 'b');
/// let _ = m.put(3, 'c');
/// let _ = m.get(&1);
/// assert_eq!(m.put(4, 'd'), Put::Evicted(2, 'b')); // 1 was visited: its bit is cleared
/// assert_eq!(m.put(5, 'e'), Put::Evicted(3, 'c')); // the hand stayed after 2
/// assert_eq!(m.put(6, 'f'), Put::Evicted(4, 'd')); // new entries leave quickly...
/// assert_eq!(m.peek(&1), Some(&'a')); // ...while 1 stays behind the hand
/// assert_eq!(m.entries().collect::<Vec<_>>(), [(&6, &'f'), (&5, &'e'), (&1, &'a')]);
/// assert_eq!(m.peek_victim(), Some((&5, &'e')));
/// assert_eq!(m.pop(), Some((5, 'e')));
/// ```
#[derive(Clone, Debug)]
pub struct Sieve<K, V> {
    /// `(key, value, visited)`, oldest first.
    queue: VecDeque<(K, V, bool)>,
    /// Index in `queue` where the next eviction starts; `None`: at the tail (index 0).
    hand: Option<usize>,
    capacity: usize,
    stats: Stats,
}

impl<K, V> Sieve<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            hand: None,
            capacity,
            stats: Stats::default(),
        }
    }

    /// Removes the entry at index `i` and repoints the hand: if it was on `i`, it moves to
    /// the next newer entry, which now sits at index `i` (`None` if there is none); if it
    /// was newer than `i`, the entry it points at moved down by one.
    fn take(&mut self, i: usize) -> (K, V, bool) {
        let entry = self.queue.remove(i).expect("index in range");
        self.hand = match self.hand {
            Some(h) if h == i => (i < self.queue.len()).then_some(i),
            Some(h) if h > i => Some(h - 1),
            other => other,
        };
        entry
    }
}

impl<K: PartialEq, V> Sieve<K, V> {
    fn index_of(&self, key: &K) -> Option<usize> {
        self.queue.iter().position(|(k, _, _)| k == key)
    }
}

impl<K, V> Sieve<K, V> {
    /// SIEVE's eviction: from the hand (the tail if `None`), clear visited bits moving
    /// towards the head, wrapping to the tail, and evict the first unvisited entry; the hand
    /// stays where the victim was.
    fn evict(&mut self) -> Option<(K, V)> {
        if self.queue.is_empty() {
            return None;
        }
        let mut i = self.hand.unwrap_or(0);
        while self.queue[i].2 {
            self.queue[i].2 = false;
            i = (i + 1) % self.queue.len();
        }
        self.hand = Some(i);
        let (k, v, _) = self.take(i);
        Some((k, v))
    }
}

impl<K: PartialEq, V> Cache<K, V> for Sieve<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let i = self.index_of(key);
        self.stats.record(i.is_some());
        let (_, value, visited) = &mut self.queue[i?];
        *visited = true;
        Some(value)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        let (_, value, _) = &self.queue[self.index_of(key)?];
        Some(value)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(i) = self.index_of(&key) {
            let (_, old, visited) = &mut self.queue[i];
            *visited = true;
            return Put::Replaced(std::mem::replace(old, value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let evicted = if self.queue.len() == self.capacity {
            self.evict()
        } else {
            None
        };
        self.queue.push_back((key, value, false));
        match evicted {
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.index_of(key)?;
        Some(self.take(i).1)
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.queue.len())
    }

    fn clear(&mut self) {
        self.queue.clear();
        self.hand = None;
        self.stats.reset();
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.index_of(key);
        self.stats.record(i.is_some());
        let (_, value, visited) = &mut self.queue[i?];
        *visited = true;
        Some(value)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.index_of(key)?;
        Some(&mut self.queue[i].1)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let i = self.index_of(&key);
        match self.put(key, value) {
            put @ Put::Rejected(..) => (put, None),
            // A replaced value keeps its place; a new one is the head, at the back.
            put => {
                let i = i.unwrap_or(self.queue.len() - 1);
                (put, Some(&mut self.queue[i].1))
            }
        }
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let n = self.queue.len();
        let start = self.hand.unwrap_or(0);
        let i = (0..n)
            .map(|step| (start + step) % n)
            .find(|&i| !self.queue[i].2)
            .unwrap_or(start);
        let (k, v, _) = self.queue.get(i)?;
        Some((k, v))
    }

    fn pop(&mut self) -> Option<(K, V)> {
        self.evict()
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.capacity = capacity;
        let mut evicted = Vec::new();
        while self.queue.len() > capacity {
            evicted.extend(self.pop());
        }
        evicted
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.queue.iter().rev().map(|(k, v, _)| (k, v)))
    }
}
