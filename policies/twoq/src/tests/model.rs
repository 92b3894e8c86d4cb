//! Reference model of 2Q (Johnson and Shasha, "2Q: A Low Overhead High Performance Buffer
//! Management Replacement Algorithm", VLDB 1994, the "full version"), written from the
//! paper's pseudocode with `VecDeque`s and linear scans, with libCacheSim's `TwoQ.c` where
//! the paper leaves a number open:
//!
//! - sizes: `Kin = ⌊cap/4⌋`, `Kout = ⌊cap/2⌋` (libCacheSim's `Ain-size-ratio=0.25`,
//!   `Aout-size-ratio=0.5`; the paper recommends 25% and 50%);
//! - a hit in `Am` moves the entry to `Am`'s most recent end; a hit in `A1in` does nothing;
//! - a miss on a key in `A1out` takes it out of `A1out` and puts it at `Am`'s most recent
//!   end; any other miss puts the key at `A1in`'s newest end;
//! - when the cache is full, `reclaimfor` first: if `|A1in| > Kin`, `A1in`'s oldest leaves
//!   and its key becomes `A1out`'s newest (`A1out` dropping its oldest when it holds `Kout`;
//!   no ghost at all when `Kout` is 0); else `Am`'s least recently used leaves. The ghost is
//!   looked up before the eviction pushes a ghost (libCacheSim's order).
//!
//! The choices of `evict`'s API, shared with `TwoQCache`: `put` of a cached key is a hit
//! that replaces the value; a `get` miss changes nothing (the `put` that follows is the
//! miss); `remove` of a cached key leaves no ghost, `remove` of any other key forgets its
//! ghost; `pop` is the eviction a `put` of a new key into the full cache makes, taking
//! `A1in`'s oldest also when `Am` is empty; `resize` pops (with the old sizes) until the
//! entries fit, then sets the capacity and the two sizes and trims `A1out` to its newest
//! `Kout` keys; `entries`
//! lists `A1in` oldest first, then `Am` least recently used first; `clear` forgets
//! everything, `drain` keeps `A1out`.

use std::boxed::Box;
use std::collections::VecDeque;
use std::vec::Vec;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// The model: `A1in` and `Am` as `VecDeque`s of pairs, oldest (least recent) at the front,
/// and `A1out` as a `VecDeque` of keys, oldest at the front.
#[derive(Clone, Debug)]
pub(crate) struct TwoQ<K, V> {
    a1in: VecDeque<(K, V)>,
    am: VecDeque<(K, V)>,
    a1out: VecDeque<K>,
    capacity: usize,
    kin: usize,
    kout: usize,
    stats: Stats,
}

impl<K, V> TwoQ<K, V> {
    /// An empty model of at most `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            a1in: VecDeque::new(),
            am: VecDeque::new(),
            a1out: VecDeque::new(),
            capacity,
            kin: capacity / 4,
            kout: capacity / 2,
            stats: Stats::default(),
        }
    }

    /// `(|A1in|, |Am|, |A1out|)`.
    pub(crate) fn sizes(&self) -> (usize, usize, usize) {
        (self.a1in.len(), self.am.len(), self.a1out.len())
    }
}

impl<K: PartialEq + Clone, V> TwoQ<K, V> {
    /// The key the next eviction takes, if any.
    fn victim_key(&self) -> Option<&K> {
        if self.a1in.len() > self.kin || self.am.is_empty() {
            self.a1in.front().map(|(k, _)| k)
        } else {
            self.am.front().map(|(k, _)| k)
        }
    }

    /// `reclaimfor`: one entry leaves (the cache is not empty).
    fn evict(&mut self) -> (K, V) {
        if self.a1in.len() > self.kin || self.am.is_empty() {
            let (k, v) = self.a1in.pop_front().expect("A1in is not empty");
            if self.kout > 0 {
                if self.a1out.len() == self.kout {
                    self.a1out.pop_front();
                }
                self.a1out.push_back(k.clone());
            }
            (k, v)
        } else {
            self.am.pop_front().expect("Am is not empty")
        }
    }

    /// The paper's hit on a cached key; its value.
    fn touch(&mut self, key: &K) -> Option<&mut V> {
        if let Some(i) = self.a1in.iter().position(|(k, _)| k == key) {
            return Some(&mut self.a1in[i].1);
        }
        let i = self.am.iter().position(|(k, _)| k == key)?;
        let entry = self.am.remove(i).expect("found");
        self.am.push_back(entry);
        self.am.back_mut().map(|(_, v)| v)
    }

    /// Forgets `key`'s ghost; whether there was one.
    fn forget(&mut self, key: &K) -> bool {
        match self.a1out.iter().position(|k| k == key) {
            Some(i) => {
                self.a1out.remove(i);
                true
            }
            None => false,
        }
    }

    fn find_mut(&mut self, key: &K) -> Option<&mut V> {
        self.a1in
            .iter_mut()
            .chain(self.am.iter_mut())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

impl<K: PartialEq + Clone, V> Cache<K, V> for TwoQ<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        self.get_mut(key).map(|v| &*v)
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let hit = self.peek(key).is_some();
        self.stats.record(hit);
        self.touch(key)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        self.entries().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find_mut(key)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if let Some(v) = self.touch(&key) {
            return Put::Replaced(std::mem::replace(v, value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let was_ghost = self.forget(&key);
        let evicted = (self.len() == self.capacity).then(|| self.evict());
        if was_ghost {
            self.am.push_back((key, value));
        } else {
            self.a1in.push_back((key, value));
        }
        match evicted {
            Some((k, v)) => Put::Evicted(k, v),
            None => Put::Inserted,
        }
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let k = key.clone();
        let put = self.put(key, value);
        if let Put::Rejected(..) = put {
            return (put, None);
        }
        (put, self.find_mut(&k))
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        if let Some(i) = self.a1in.iter().position(|(k, _)| k == key) {
            return self.a1in.remove(i).map(|(_, v)| v);
        }
        if let Some(i) = self.am.iter().position(|(k, _)| k == key) {
            return self.am.remove(i).map(|(_, v)| v);
        }
        self.forget(key);
        None
    }

    fn len(&self) -> usize {
        self.a1in.len() + self.am.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        self.a1in.clear();
        self.am.clear();
        self.a1out.clear();
        self.stats.reset();
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let key = self.victim_key()?;
        self.entries().find(|(k, _)| *k == key)
    }

    fn pop(&mut self) -> Option<(K, V)> {
        (self.len() > 0).then(|| self.evict())
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let mut popped = Vec::new();
        while self.len() > capacity {
            popped.push(self.evict());
        }
        self.capacity = capacity;
        self.kin = capacity / 4;
        self.kout = capacity / 2;
        while self.a1out.len() > self.kout {
            self.a1out.pop_front();
        }
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.a1in.iter().chain(self.am.iter()).map(|(k, v)| (k, v)))
    }
}
