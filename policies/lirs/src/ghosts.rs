//! The non-resident HIR entries of the stack S: their 64-bit key hashes, their S links and
//! their place in the order they became non-resident (libCacheSim's `LRU_nh`, from which the
//! oldest goes first when S outgrows its bound), in one dense `Vec` with a key index.

use alloc::vec::Vec;

use evict_slots::SlotIndex;

use crate::links::S_NIL;

/// "No ghost" at the ends of the non-resident order.
pub(crate) const G_NIL: u32 = u32::MAX;

/// A non-resident entry: 24 bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ghost {
    /// The key's hash under the cache's hasher: a key is taken for this ghost when its
    /// hash is equal (see the crate docs).
    pub(crate) hash: u64,
    /// S links, as a resident entry's `up` and `down`.
    pub(crate) up: u32,
    pub(crate) down: u32,
    /// The ghost that became non-resident just before and just after this one.
    older: u32,
    newer: u32,
}

/// The ghosts, at most `bound` of them (the caller keeps that bound): the `Vec` grows
/// geometrically up to `usual` (what a full cache needs at most), and only beyond it up to
/// `bound` (reached only after removals leave S with few LIR entries).
#[derive(Clone, Debug)]
pub(crate) struct Ghosts {
    pub(crate) nodes: Vec<Ghost>,
    index: SlotIndex,
    oldest: u32,
    newest: u32,
    usual: usize,
    bound: usize,
}

/// The spare index room kept at least (the toolkit's rule, `evict_slots::SlotIndex`).
const SPARE_FLOOR: usize = 256;

impl Ghosts {
    pub(crate) const fn new(usual: usize, bound: usize) -> Self {
        Self {
            nodes: Vec::new(),
            index: SlotIndex::new(),
            oldest: G_NIL,
            newest: G_NIL,
            usual,
            bound,
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The oldest ghost (the first to go when S is too long), if any.
    #[inline]
    pub(crate) fn oldest(&self) -> Option<u32> {
        (self.oldest != G_NIL).then_some(self.oldest)
    }

    #[inline]
    pub(crate) fn find(&self, hash: u64) -> Option<u32> {
        let nodes = &self.nodes;
        self.index.find(hash, |g| nodes[g as usize].hash == hash)
    }

    /// Adds a ghost for `hash` (not a ghost yet), the newest, linked nowhere in S yet;
    /// returns its index.
    pub(crate) fn push(&mut self, hash: u64) -> u32 {
        let g = self.nodes.len();
        if g == self.nodes.capacity() {
            let limit = if g < self.usual {
                self.usual
            } else {
                self.bound
            };
            let room = limit.saturating_sub(g);
            self.nodes.reserve_exact(g.max(4).min(room).max(1));
        }
        self.nodes.push(Ghost {
            hash,
            up: S_NIL,
            down: S_NIL,
            older: self.newest,
            newer: G_NIL,
        });
        let g = g as u32;
        match self.newest {
            G_NIL => self.oldest = g,
            n => self.nodes[n as usize].newer = g,
        }
        self.newest = g;
        let nodes = &self.nodes;
        self.index.insert(hash, g, nodes.len(), SPARE_FLOOR, |j| {
            nodes[j as usize].hash
        });
        g
    }

    /// Takes ghost `g` out (the caller has unlinked it from S). The last ghost moves into
    /// its place: returns the old index of the one that moved (`g` itself if none did),
    /// whose S neighbours the caller repoints.
    pub(crate) fn remove(&mut self, g: u32) -> u32 {
        let Ghost {
            hash, older, newer, ..
        } = self.nodes[g as usize];
        match older {
            G_NIL => self.oldest = newer,
            o => self.nodes[o as usize].newer = newer,
        }
        match newer {
            G_NIL => self.newest = older,
            n => self.nodes[n as usize].older = older,
        }
        self.index.remove(hash, g);
        let last = (self.nodes.len() - 1) as u32;
        self.nodes.swap_remove(g as usize);
        if g != last {
            let moved = self.nodes[g as usize];
            self.index.repoint(moved.hash, last, g);
            match moved.older {
                G_NIL => self.oldest = g,
                o => self.nodes[o as usize].newer = g,
            }
            match moved.newer {
                G_NIL => self.newest = g,
                n => self.nodes[n as usize].older = g,
            }
        }
        last
    }

    /// The heap bytes held: the ghosts' `Vec` and their index. For tests.
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * core::mem::size_of::<Ghost>() + self.index.allocation_size()
    }

    /// Forgets every ghost, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.index.clear();
        self.oldest = G_NIL;
        self.newest = G_NIL;
    }

    /// A new bound (after `resize`); gives back memory beyond it.
    pub(crate) fn set_bound(&mut self, usual: usize, bound: usize) {
        (self.usual, self.bound) = (usual, bound);
        if self.nodes.capacity() > bound {
            self.nodes.shrink_to(bound.max(self.nodes.len()));
            let nodes = &self.nodes;
            self.index
                .shrink_to(nodes.len(), SPARE_FLOOR, |j| nodes[j as usize].hash);
        }
    }

    /// The ghosts from the oldest to the newest. For tests.
    #[cfg(test)]
    pub(crate) fn order(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = self.oldest;
        while at != G_NIL {
            out.push(at);
            assert!(out.len() <= self.nodes.len(), "cycle in the ghost order");
            at = self.nodes[at as usize].newer;
        }
        assert_eq!(out.len(), self.nodes.len(), "ghosts off the order");
        for &g in &out {
            let h = self.nodes[g as usize].hash;
            assert_eq!(self.find(h), Some(g), "ghost {g} not indexed");
        }
        out
    }
}
