//! Reference model of CLOCK (second chance), in libCacheSim's formulation (`Clock.c`): a
//! FIFO queue that reinserts an entry whose reference bit is set instead of evicting it.

use std::collections::VecDeque;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// Model of CLOCK as a FIFO queue with reinsertion: a `VecDeque` of `(key, value, bit)`,
/// the oldest (the hand of the clock) at the front, searched by linear scan.
///
/// - `get` of a cached key sets its bit. `put` of a cached key replaces the value and sets
///   the bit too; nothing moves.
/// - `put` of a new key into a full model evicts first: while the front entry's bit is set,
///   the bit is cleared and the entry goes to the back (a second chance); the first front
///   entry whose bit is clear is evicted. The newcomer joins the back with its bit clear
///   (as libCacheSim's `Clock.c` sets `freq = 0` on insert).
/// - `remove` takes the entry out; the others keep their order.
///
/// A ring with a hand is the same thing: the hand is the front, and the slot just behind
/// it is the back.
///
/// ```
/// use evict_harness::model::clock::Clock;
/// use evict_harness::{Cache, Put};
///
/// let mut m = Clock::new(2);
/// let _ = m.put(1, 'a');
/// let _ = m.put(2, 'b');
/// let _ = m.get(&1); // second chance for 1
/// assert_eq!(m.put(3, 'c'), Put::Evicted(2, 'b'));
/// assert_eq!(m.put(4, 'd'), Put::Evicted(1, 'a')); // 1's bit was cleared on the way
/// ```
#[derive(Clone, Debug)]
pub struct Clock<K, V> {
    /// `(key, value, reference bit)`, oldest first.
    queue: VecDeque<(K, V, bool)>,
    capacity: usize,
    stats: Stats,
}

impl<K, V> Clock<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            capacity,
            stats: Stats::default(),
        }
    }
}

impl<K: PartialEq, V> Clock<K, V> {
    fn index_of(&self, key: &K) -> Option<usize> {
        self.queue.iter().position(|(k, _, _)| k == key)
    }
}

impl<K: PartialEq, V> Cache<K, V> for Clock<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let i = self.index_of(key);
        self.stats.record(i.is_some());
        let (_, value, bit) = &mut self.queue[i?];
        *bit = true;
        Some(value)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        let (_, value, _) = &self.queue[self.index_of(key)?];
        Some(value)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(i) = self.index_of(&key) {
            let (_, old, bit) = &mut self.queue[i];
            *bit = true;
            return Put::Replaced(std::mem::replace(old, value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let mut evicted = None;
        if self.queue.len() == self.capacity {
            loop {
                let (k, v, bit) = self.queue.pop_front().expect("a full model is not empty");
                if bit {
                    self.queue.push_back((k, v, false));
                } else {
                    evicted = Some((k, v));
                    break;
                }
            }
        }
        self.queue.push_back((key, value, false));
        match evicted {
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.index_of(key)?;
        self.queue.remove(i).map(|(_, v, _)| v)
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
        self.stats.reset();
    }
}
