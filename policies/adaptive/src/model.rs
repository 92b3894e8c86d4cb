//! The reference model: the same adaptation rule over the conformance kit's reference models
//! (`Vec`/`VecDeque` caches with linear scans) instead of the real policies, written out
//! again without the crate's types, so that the kit can compare every answer op by op.

use alloc::boxed::Box;
use alloc::vec::Vec;

use core::hash::{BuildHasher, Hash};

use evict_core::{Cache, CacheInfo, Put, Stats};
use evict_harness::model::Lru;
use evict_harness::model::s3fifo::S3Fifo;
use evict_harness::model::wtinylfu::WTinyLfu;

use crate::mini::MAX_MINI;
use crate::shadow::{
    DECAY, EPOCH_FACTOR, EPOCH_MIN, MARGIN_PERMILLE, MAX_HOLD, MAX_SHIFT, MIN_SHADOW, tag,
};

/// One of the three models, by policy: 0 S3-FIFO, 1 W-TinyLFU, 2 LRU.
#[derive(Clone, Debug)]
enum Any<K, V> {
    S3Fifo(S3Fifo<K, V>),
    WTinyLfu(WTinyLfu<K, V>),
    Lru(Lru<K, V>),
}

impl<K: Hash + Eq + Clone, V> Any<K, V> {
    fn new(which: usize, capacity: usize) -> Self {
        match which {
            0 => Any::S3Fifo(S3Fifo::new(capacity)),
            // As the adaptive cache's: one sketch word per entry, no 1,024-word floor.
            1 => Any::WTinyLfu(WTinyLfu::new(capacity).with_sketch_floor(0)),
            _ => Any::Lru(Lru::new(capacity)),
        }
    }

    fn which(&self) -> usize {
        match self {
            Any::S3Fifo(_) => 0,
            Any::WTinyLfu(_) => 1,
            Any::Lru(_) => 2,
        }
    }

    fn cache(&mut self) -> &mut dyn Cache<K, V> {
        match self {
            Any::S3Fifo(c) => c,
            Any::WTinyLfu(c) => c,
            Any::Lru(c) => c,
        }
    }

    fn view(&self) -> &dyn Cache<K, V> {
        match self {
            Any::S3Fifo(c) => c,
            Any::WTinyLfu(c) => c,
            Any::Lru(c) => c,
        }
    }
}

/// A miniature's key: the 32-bit tag of a sampled key's hash. Unsampled (`compact`, below
/// 768 entries) the miniatures store the tag's top 16 bits and keep its low 6 in their
/// index, so two tags are the same key when those 22 bits are equal; and their W-TinyLFU's
/// sketch counts the top 16 bits: so this key hashes as that `u32` does.
#[derive(Clone, Copy, Debug)]
struct MiniKey {
    tag: u32,
    compact: bool,
}

impl PartialEq for MiniKey {
    fn eq(&self, other: &Self) -> bool {
        let mask = if self.compact { 0xFFFF_003F } else { u32::MAX };
        self.tag & mask == other.tag & mask
    }
}

impl Eq for MiniKey {}

impl Hash for MiniKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        let mask = if self.compact { 0xFFFF_0000 } else { u32::MAX };
        (self.tag & mask).hash(state);
    }
}

/// The adaptive cache, modelled.
#[derive(Debug)]
pub(crate) struct Adaptive<K, V, S> {
    inner: Any<K, V>,
    /// The miniature models, in the order 0 S3-FIFO, 1 W-TinyLFU, 2 LRU: all three when
    /// sampled, else those of the two policies not running (the running one's hits are
    /// the real cache's).
    shadows: [Option<Any<MiniKey, ()>>; 3],
    shift: u32,
    epoch: u64,
    seen: u64,
    hits: [u64; 3],
    score: [u64; 3],
    requests: u64,
    hold: u64,
    since: u64,
    capacity: usize,
    hasher: S,
    stats: Stats,
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher> Adaptive<K, V, S> {
    pub(crate) fn new(capacity: usize, hasher: S) -> Self {
        let mut m = Self {
            inner: Any::new(0, capacity),
            shadows: [None, None, None],
            shift: 0,
            epoch: 0,
            seen: 0,
            hits: [0; 3],
            score: [0; 3],
            requests: 0,
            hold: 1,
            since: 0,
            capacity,
            hasher,
            stats: Stats::default(),
        };
        m.fresh_shadows();
        m
    }

    /// The decayed scores of the shadows, in the order 0 S3-FIFO, 1 W-TinyLFU, 2 LRU.
    pub(crate) fn scores(&self) -> [u64; 3] {
        self.score
    }

    /// Empty shadows and scores for the capacity.
    fn fresh_shadows(&mut self) {
        let mut shift = 0;
        while shift < MAX_SHIFT && self.capacity >> (shift + 1) >= MIN_SHADOW {
            shift += 1;
        }
        while self.capacity >> shift > MAX_MINI {
            shift += 1;
        }
        self.shift = shift;
        let running = self.inner.which();
        for i in 0..3 {
            self.shadows[i] = (shift > 0 || i != running).then(|| self.mini(i));
        }
        let size = self.capacity >> shift;
        self.epoch = (EPOCH_FACTOR * size as u64).max(EPOCH_MIN);
        self.seen = 0;
        self.hits = [0; 3];
        self.score = [0; 3];
        self.requests = 0;
        self.hold = 1;
        self.since = 0;
    }

    /// An empty miniature of policy `i`: `capacity >> shift` entries; W-TinyLFU's sketch
    /// as `mini::sketch_words` sizes it.
    fn mini(&self, i: usize) -> Any<MiniKey, ()> {
        let size = self.capacity >> self.shift;
        match i {
            1 => Any::WTinyLfu(WTinyLfu::with_sketch_words(
                size,
                crate::mini::sketch_words(self.capacity, self.shift),
            )),
            _ => Any::new(i, size),
        }
    }

    /// Feeds a sampled `get` to the miniatures (and may switch); whether it was sampled.
    fn observe(&mut self, key: &K) -> bool {
        // At capacity 1 there is nothing to choose (the three policies agree).
        if self.capacity < 2 {
            return false;
        }
        // The shadows' keys are 32-bit tags of the real keys' hashes.
        let hash = self.hasher.hash_one(key);
        if self.shift != 0 && hash >> (64 - self.shift) != 0 {
            return false;
        }
        let tag = MiniKey {
            tag: tag(hash),
            compact: self.shift == 0,
        };
        for (i, shadow) in self.shadows.iter_mut().enumerate() {
            let Some(shadow) = shadow else { continue };
            let c = shadow.cache();
            if c.get(&tag).is_some() {
                self.hits[i] += 1;
            } else {
                let _ = c.put(tag, ());
            }
        }
        self.seen += 1;
        if self.seen < self.epoch {
            return true;
        }
        self.seen = 0;
        // Scores start when every miniature is full.
        if self.shadows.iter().flatten().any(|m| {
            let v = m.view();
            v.len() < v.capacity().unwrap_or(0)
        }) {
            self.hits = [0; 3];
            return true;
        }
        self.since += 1;
        self.requests = self.requests - self.requests / DECAY + self.epoch;
        for i in 0..3 {
            self.score[i] = self.score[i] - self.score[i] / DECAY + self.hits[i];
            self.hits[i] = 0;
        }
        let now = self.inner.which();
        let mut best = now;
        for i in 0..3 {
            if self.score[i] > self.score[best] {
                best = i;
            }
        }
        if best != now
            && self.since >= self.hold
            && (self.score[best] - self.score[now]) * 1000 > self.requests * MARGIN_PERMILLE
        {
            self.since = 0;
            self.hold = (2 * self.hold).min(MAX_HOLD);
            // Moved in batches of an eighth of the capacity, each the pairs a shrinking
            // `resize` of the old cache pops, in its order.
            let mut old = core::mem::replace(&mut self.inner, Any::new(best, self.capacity));
            let chunk = (self.capacity / 8).max(1);
            while !old.view().is_empty() {
                let len = old.view().len();
                for (k, v) in old.cache().resize(len.saturating_sub(chunk)) {
                    let _ = self.inner.cache().put(k, v);
                }
            }
            if self.shift == 0 {
                // The new policy's hits are the real cache's now; the old one gets an
                // empty miniature, and the scores start again.
                self.shadows[best] = None;
                self.shadows[now] = Some(self.mini(now));
                self.hits = [0; 3];
                self.score = [0; 3];
                self.requests = 0;
            }
        }
        true
    }

    /// The real cache's answer to a sampled `get`, for the running policy's score when it
    /// has no miniature.
    fn record(&mut self, sampled: bool, hit: bool) {
        if sampled && self.shift == 0 {
            self.hits[self.inner.which()] += u64::from(hit);
        }
    }
}

impl<K: Hash + Eq + Clone, V, S: BuildHasher> Cache<K, V> for Adaptive<K, V, S> {
    fn get(&mut self, key: &K) -> Option<&V> {
        let sampled = self.observe(key);
        let found = self.inner.cache().get(key);
        let hit = found.is_some();
        self.record(sampled, hit);
        let found = self.inner.view().peek(key);
        if found.is_some() {
            self.stats.hit();
        } else {
            self.stats.miss();
        }
        found
    }

    fn peek(&self, key: &K) -> Option<&V> {
        self.inner.view().peek(key)
    }

    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.inner.cache().put(key, value)
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        self.inner.cache().remove(key)
    }

    fn len(&self) -> usize {
        self.inner.view().len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity)
    }

    fn info(&self) -> CacheInfo {
        self.stats.info(Some(self.capacity), self.len())
    }

    fn clear(&mut self) {
        self.stats.reset();
        self.inner = Any::new(0, self.capacity);
        self.fresh_shadows();
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let sampled = self.observe(key);
        let hit = self.inner.cache().get_mut(key).is_some();
        self.record(sampled, hit);
        let found = self.inner.cache().peek_mut(key);
        if found.is_some() {
            self.stats.hit();
        } else {
            self.stats.miss();
        }
        found
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.inner.cache().peek_mut(key)
    }

    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        self.inner.cache().put_mut(key, value)
    }

    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.inner.view().peek_victim()
    }

    fn pop(&mut self) -> Option<(K, V)> {
        self.inner.cache().pop()
    }

    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let popped = self.inner.cache().resize(capacity);
        self.capacity = capacity;
        self.fresh_shadows();
        popped
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        self.inner.view().entries()
    }
}
