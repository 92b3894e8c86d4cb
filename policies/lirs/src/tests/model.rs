//! Reference model of LIRS (Jiang and Zhang, SIGMETRICS 2002), written from the paper with
//! `Vec`s and linear scans, for the conformance kit's op-by-op comparison.
//!
//! - sizes: `hir = max(1, ⌊0.01 · cap⌋)` resident HIR entries, `lir = cap − hir` LIR entries
//!   (libCacheSim's defaults; 0 and 0 at capacity 0);
//! - S is a recency stack of keys (resident or not), Q the resident HIR entries oldest first,
//!   the LIR set kept least recent first (its order is S's);
//! - pruning: while S's bottom is not an LIR entry, it leaves S (a non-resident key is
//!   forgotten);
//! - a hit on an LIR entry: top of S, prune. On a resident HIR entry in S: top of S, LIR;
//!   if the LIR set is over its size, its least recent entry leaves S for the newest end of
//!   Q (and S is pruned); else prune. On a resident HIR entry not in S: top of S and newest
//!   in Q;
//! - a `put` of a new key: when full, the oldest of Q leaves (its key stays in S as
//!   non-resident if it was there), or with Q empty the least recent LIR entry leaves (out of
//!   S, then prune). Then a key in S (non-resident) becomes LIR on top of S, with the demotion
//!   above if the LIR set is over its size; another key is LIR if the LIR set is not full, else
//!   resident HIR, on top of S and newest in Q; a new LIR entry that demotes nothing is
//!   followed by a prune (S may hold HIR entries older than every LIR entry after `remove`);
//! - S holds at most `2 · cap` keys: after a `put` or a hit that grew it, the keys that
//!   became non-resident first are forgotten until it fits (libCacheSim's `limitStack`).
//!
//! The rest of the API, shared with `LirsCache`: `get` misses change nothing; a `put` of a
//! cached key is a hit; `remove` of a cached key takes it out of S (pruning if it was LIR),
//! of another key forgets it if S holds it; `pop` is the eviction above, then a prune;
//! `resize` pops until the cache fits, recomputes the sizes, demotes LIR entries until
//! the LIR set fits, prunes and trims S; `entries` lists Q, then the LIR set, each oldest
//! first; `clear` forgets everything.

use alloc::boxed::Box;
use alloc::vec::Vec;
use std::collections::VecDeque;

use evict_core::{Cache, CacheInfo, Put, Stats};

/// The model. Keys compare by `==` only.
#[derive(Clone, Debug)]
pub(crate) struct Lirs<K, V> {
    capacity: usize,
    hir: usize,
    lir_size: usize,
    /// S, bottom first.
    stack: Vec<K>,
    /// Resident HIR entries, oldest first.
    q: VecDeque<K>,
    /// LIR entries, least recent first.
    lir: Vec<K>,
    /// Non-resident keys of S, in the order they became non-resident.
    ghosts: Vec<K>,
    values: Vec<(K, V)>,
    stats: Stats,
}

fn sizes(capacity: usize) -> (usize, usize) {
    if capacity == 0 {
        return (0, 0);
    }
    let hir = ((0.01 * capacity as f64) as usize).max(1);
    (hir, capacity - hir)
}

fn take<K: PartialEq>(v: &mut Vec<K>, k: &K) -> bool {
    match v.iter().position(|x| x == k) {
        Some(p) => {
            v.remove(p);
            true
        }
        None => false,
    }
}

impl<K: PartialEq + Clone, V> Lirs<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        let (hir, lir_size) = sizes(capacity);
        Self {
            capacity,
            hir,
            lir_size,
            stack: Vec::new(),
            q: VecDeque::new(),
            lir: Vec::new(),
            ghosts: Vec::new(),
            values: Vec::new(),
            stats: Stats::default(),
        }
    }

    fn pos(&self, k: &K) -> Option<usize> {
        self.values.iter().position(|(x, _)| x == k)
    }

    fn raise(&mut self, k: &K) {
        take(&mut self.stack, k);
        self.stack.push(k.clone());
    }

    fn prune(&mut self) {
        while let Some(b) = self.stack.first().cloned() {
            if self.lir.contains(&b) {
                break;
            }
            self.stack.remove(0);
            take(&mut self.ghosts, &b);
        }
    }

    fn limit(&mut self) {
        while self.stack.len() > 2 * self.capacity && !self.ghosts.is_empty() {
            let g = self.ghosts.remove(0);
            take(&mut self.stack, &g);
        }
    }

    fn demote(&mut self) {
        let y = self.lir.remove(0);
        take(&mut self.stack, &y);
        self.q.push_back(y);
        self.prune();
    }

    fn hit(&mut self, k: &K) {
        if self.lir.contains(k) {
            self.raise(k);
            take(&mut self.lir, k);
            self.lir.push(k.clone());
            self.prune();
        } else if self.stack.contains(k) {
            self.raise(k);
            self.q.retain(|x| x != k);
            self.lir.push(k.clone());
            if self.lir.len() > self.lir_size {
                self.demote();
            } else {
                self.prune();
            }
        } else {
            self.stack.push(k.clone());
            self.q.retain(|x| x != k);
            self.q.push_back(k.clone());
            self.limit();
        }
    }

    fn victim(&self) -> Option<&K> {
        self.q.front().or(self.lir.first())
    }

    /// Evicts the victim; `prune_after_hir`: whether an HIR victim is followed by a prune
    /// (`pop`) or not (a `put`).
    fn evict(&mut self, prune_after_hir: bool) -> (K, V) {
        let k = self.victim().cloned().expect("not empty");
        if self.q.front() == Some(&k) {
            self.q.pop_front();
            if self.stack.contains(&k) {
                self.ghosts.push(k.clone());
            }
            if prune_after_hir {
                self.prune();
            }
        } else {
            take(&mut self.lir, &k);
            take(&mut self.stack, &k);
            self.prune();
        }
        let p = self.pos(&k).expect("resident");
        self.values.remove(p)
    }
}

impl<K: PartialEq + Clone, V> Cache<K, V> for Lirs<K, V> {
    fn get(&mut self, key: &K) -> Option<&V> {
        self.get_mut(key).map(|v| &*v)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        self.pos(key).map(|p| &self.values[p].1)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.put_mut(key, value).0
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        match self.pos(key) {
            Some(p) => {
                take(&mut self.stack, key);
                self.q.retain(|x| x != key);
                if take(&mut self.lir, key) {
                    self.prune();
                }
                Some(self.values.remove(p).1)
            }
            None => {
                if take(&mut self.ghosts, key) {
                    take(&mut self.stack, key);
                }
                None
            }
        }
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        *self = Self::new(self.capacity);
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match self.pos(key) {
            Some(_) => {
                self.stats.hit();
                self.hit(key);
                let p = self.pos(key)?;
                Some(&mut self.values[p].1)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let p = self.pos(key)?;
        Some(&mut self.values[p].1)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        if let Some(p) = self.pos(&key) {
            let old = core::mem::replace(&mut self.values[p].1, value);
            self.hit(&key);
            let p = self.pos(&key).expect("still resident");
            return (Put::Replaced(old), Some(&mut self.values[p].1));
        }
        if self.capacity == 0 {
            return (Put::Rejected(key, value), None);
        }
        let put = if self.values.len() == self.capacity {
            let (k, v) = self.evict(false);
            Put::Evicted(k, v)
        } else {
            Put::Inserted
        };
        if take(&mut self.ghosts, &key) {
            take(&mut self.stack, &key);
            self.stack.push(key.clone());
            self.lir.push(key.clone());
            if self.lir.len() > self.lir_size {
                self.demote();
            } else {
                self.prune();
            }
        } else if self.lir.len() < self.lir_size {
            self.stack.push(key.clone());
            self.lir.push(key.clone());
            self.prune();
        } else {
            self.stack.push(key.clone());
            self.q.push_back(key.clone());
        }
        self.limit();
        self.values.push((key, value));
        let last = self.values.len() - 1;
        (put, Some(&mut self.values[last].1))
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        let k = self.victim()?;
        let p = self.pos(k)?;
        Some((&self.values[p].0, &self.values[p].1))
    }

    fn pop(&mut self) -> Option<(K, V)> {
        self.victim()?;
        Some(self.evict(true))
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let mut out = Vec::new();
        while self.values.len() > capacity {
            out.extend(self.pop());
        }
        self.capacity = capacity;
        (self.hir, self.lir_size) = sizes(capacity);
        while self.lir.len() > self.lir_size {
            self.demote();
        }
        self.prune();
        self.limit();
        out
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.q.iter().chain(self.lir.iter()).map(move |k| {
            let p = self.pos(k).expect("resident");
            (&self.values[p].0, &self.values[p].1)
        }))
    }
}
