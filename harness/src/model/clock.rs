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
/// - `pop` evicts exactly as that `put` would (clearing the bits it passes); `peek_victim`
///   shows the same entry without clearing anything: the first entry from the front whose
///   bit is clear, or the front if every bit is set (the hand would clear them all and come
///   back to it). A shrinking `resize` pops until the model fits.
/// - `entries` lists the queue from the front: the order the hand visits, as
///   `ClockCache::iter` does.
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
/// let _ = m.get(&3);
/// assert_eq!(m.peek_victim(), Some((&4, &'d'))); // 3 would get a second chance
/// assert_eq!(m.entries().collect::<Vec<_>>(), [(&3, &'c'), (&4, &'d')]);
/// assert_eq!(m.pop(), Some((4, 'd')));
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

    /// Evicts the front entry whose bit is clear, giving each set bit on the way a second
    /// chance (cleared, to the back).
    fn evict(&mut self) -> Option<(K, V)> {
        while let Some((k, v, bit)) = self.queue.pop_front() {
            if !bit {
                return Some((k, v));
            }
            self.queue.push_back((k, v, false));
        }
        None
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
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.index_of(key);
        self.stats.record(i.is_some());
        let (_, value, bit) = &mut self.queue[i?];
        *bit = true;
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
            // A replaced value keeps its place; a new one joins the back.
            put => {
                let i = i.unwrap_or(self.queue.len() - 1);
                (put, Some(&mut self.queue[i].1))
            }
        }
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let (k, v, _) = self
            .queue
            .iter()
            .find(|(_, _, bit)| !bit)
            .or(self.queue.front())?;
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
        Box::new(self.queue.iter().map(|(k, v, _)| (k, v)))
    }
}
