//! Reference model of CLOCK (second chance): a ring of slots, each with a reference bit,
//! and a hand.

use evict_core::{Cache, CacheInfo, Put, Stats};

/// Model of CLOCK: a `Vec` ring of slots (`None` once `remove` freed it), a hand index and
/// a stack of freed slots, all searched by linear scan.
///
/// - `get` of a cached key sets its bit. `put` of a cached key replaces the value and sets
///   the bit too.
/// - `put` of a new key: if some slot was freed by `remove`, the most recently freed one
///   takes the newcomer; else, while the ring is shorter than the capacity, a new slot is
///   appended; else the hand sweeps: a set bit is cleared and the hand moves on (wrapping
///   around), and the first slot whose bit is clear is evicted, the newcomer takes that
///   slot, and the hand moves to the next slot. A newcomer's bit starts clear (as in
///   libCacheSim's `Clock.c`).
/// - `remove` empties the slot; nothing else moves.
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
/// assert_eq!(m.put(4, 'd'), Put::Evicted(1, 'a')); // 1's bit was cleared by the sweep
/// ```
#[derive(Clone, Debug)]
pub struct Clock<K, V> {
    /// The ring: `(key, value, reference bit)`, or `None` for a slot freed by `remove`.
    ring: Vec<Option<(K, V, bool)>>,
    /// The slot the next sweep looks at first.
    hand: usize,
    /// Freed slots, the most recently freed last.
    freed: Vec<usize>,
    capacity: usize,
    stats: Stats,
}

impl<K, V> Clock<K, V> {
    /// An empty model of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            ring: Vec::new(),
            hand: 0,
            freed: Vec::new(),
            capacity,
            stats: Stats::default(),
        }
    }
}

impl<K: PartialEq, V> Clock<K, V> {
    fn slot_of(&self, key: &K) -> Option<usize> {
        self.ring
            .iter()
            .position(|slot| matches!(slot, Some((k, _, _)) if k == key))
    }
}

impl<K: PartialEq, V> Cache<K, V> for Clock<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let i = self.slot_of(key);
        self.stats.record(i.is_some());
        let (_, value, bit) = self.ring[i?].as_mut()?;
        *bit = true;
        Some(value)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        let (_, value, _) = self.ring[self.slot_of(key)?].as_ref()?;
        Some(value)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(i) = self.slot_of(&key) {
            let (_, old, bit) = self.ring[i].as_mut().expect("slot_of finds full slots");
            *bit = true;
            return Put::Replaced(std::mem::replace(old, value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        if let Some(i) = self.freed.pop() {
            self.ring[i] = Some((key, value, false));
            return Put::Inserted;
        }
        if self.ring.len() < self.capacity {
            self.ring.push(Some((key, value, false)));
            return Put::Inserted;
        }
        loop {
            let (_, _, bit) = self.ring[self.hand]
                .as_mut()
                .expect("a full ring has no hole");
            if *bit {
                *bit = false;
                self.hand = (self.hand + 1) % self.ring.len();
            } else {
                break;
            }
        }
        let (old_key, old_value, _) = self.ring[self.hand]
            .replace((key, value, false))
            .expect("the hand stopped on a full slot");
        self.hand = (self.hand + 1) % self.ring.len();
        Put::Evicted(old_key, old_value)
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.slot_of(key)?;
        let (_, value, _) = self.ring[i].take()?;
        self.freed.push(i);
        Some(value)
    }

    fn len(&self) -> usize {
        self.ring.iter().filter(|slot| slot.is_some()).count()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        self.ring.clear();
        self.freed.clear();
        self.hand = 0;
        self.stats.reset();
    }
}
