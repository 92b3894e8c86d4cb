//! The miniature simulations: one LRU, one S3-FIFO and one W-TinyLFU cache of key tags
//! (`mini.rs`), fed the sampled `get`s, and the rule that turns their hits into a choice.

use crate::Policy;
use crate::mini::{self, MAX_MINI};

/// Each shadow holds at least this many entries (or the whole capacity, if smaller) before
/// sampling thins the keys: below it a miniature's hit ratio is too noisy to rank policies
/// that differ by a point (1,024 and 2,048 measured no better on the shared traces; 353
/// entries, `sprite` at 10% sampled at 1/2, put it 0.14 to 0.27 points under LRU with three
/// of four hasher seeds; 384 passed with all six seeds tried). It decides the smallest
/// capacity at which the miniatures are sampled, 768, which is where the memory bound holds
/// from (README, "Memory").
pub(crate) const MIN_SHADOW: usize = 384;

/// The sampling rate is at least `2^-MAX_SHIFT`.
pub(crate) const MAX_SHIFT: u32 = 6;

/// A decision is taken every `max(EPOCH_MIN, EPOCH_FACTOR × shadow capacity)` sampled `get`s:
/// about the time a cache takes to turn its content over once.
pub(crate) const EPOCH_FACTOR: u64 = 1;
/// See [`EPOCH_FACTOR`].
pub(crate) const EPOCH_MIN: u64 = 64;

/// Scores fade by `1 / DECAY` per epoch, so a decision weighs about the last `DECAY`
/// epochs: long enough that W-TinyLFU's lead from lasting popularity is seen, short enough
/// to follow a workload's phases.
pub(crate) const DECAY: u64 = 32;

/// The challenger must lead the running policy by this many thousandths of the (decayed)
/// sampled requests: a switch throws away what the running policy has learnt (W-TinyLFU's
/// sketch, S3-FIFO's ghost), which a miniature's lead does not show. On the shared traces
/// 10 to 15 gave the same result; 5 and below let `sprite` and `cloudPhysics` flap.
pub(crate) const MARGIN_PERMILLE: u64 = 12;

/// The longest wait between two switches, in epochs.
pub(crate) const MAX_HOLD: u64 = 16;

/// The policies in the order of the score arrays.
pub(crate) const POLICIES: [Policy; 3] = [Policy::S3Fifo, Policy::WTinyLfu, Policy::Lru];

/// The tag a miniature keeps for the key of hash `hash`: 32 bits of a mix of it (with a
/// constant of its own, so that the tag is independent of the sampling bits, and spread
/// even if the cache's hasher is weak).
#[inline]
pub(crate) fn tag(hash: u64) -> u32 {
    (evict_slots::mix64(hash ^ 0x6a09_e667_f3bc_c909) >> 32) as u32
}

/// The miniature caches, the sampling rule and the scores.
#[derive(Clone, Debug)]
pub(crate) struct Shadows {
    s3fifo: mini::S3Fifo,
    wtinylfu: mini::WTinyLfu,
    lru: mini::Lru,
    /// A key is sampled when the top `shift` bits of its hash are zero (all keys for 0).
    shift: u32,
    /// Sampled `get`s per decision.
    epoch: u64,
    /// Sampled `get`s so far in this epoch.
    seen: u64,
    /// Hits of each shadow in this epoch, in [`POLICIES`] order.
    hits: [u64; 3],
    /// Decayed hits of each shadow over the past epochs.
    score: [u64; 3],
    /// Decayed sampled `get`s over the past epochs (the scores' denominator).
    requests: u64,
    /// Epochs to wait before the next switch may happen: doubles at every switch (up to
    /// [`MAX_HOLD`]), so that policies that take turns in the lead cannot make the cache
    /// flap, each switch throwing away what the running policy has learnt.
    hold: u64,
    /// Epochs since the last switch (or since the scores started).
    since: u64,
}

/// The sampling shift for `capacity`: the largest `s <= MAX_SHIFT` that leaves each shadow
/// at least [`MIN_SHADOW`] entries (0 for smaller caches: every key is sampled).
pub(crate) fn shift_for(capacity: usize) -> u32 {
    let mut shift = 0;
    while shift < MAX_SHIFT && capacity >> (shift + 1) >= MIN_SHADOW {
        shift += 1;
    }
    // Beyond 64 × MAX_MINI entries the rate goes on falling: a miniature's slot numbers have
    // 14 bits (and 16,383 sampled entries rank policies as well as more).
    while capacity >> shift > MAX_MINI {
        shift += 1;
    }
    shift
}

impl Shadows {
    /// Shadows for a cache of `capacity` entries: each of `capacity >> shift` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        let shift = shift_for(capacity);
        let size = capacity >> shift;
        // Unsampled miniatures run on every `get` and are over the memory bound anyway
        // (README, "Memory"): their indexes get room for speed.
        let roomy = shift == 0;
        Self {
            s3fifo: mini::S3Fifo::new(size, roomy),
            wtinylfu: mini::WTinyLfu::with_sketch(size, roomy, mini::sketch_words(capacity, shift)),
            lru: mini::Lru::new(size, roomy),
            shift,
            epoch: (EPOCH_FACTOR * size as u64).max(EPOCH_MIN),
            seen: 0,
            hits: [0; 3],
            score: [0; 3],
            requests: 0,
            hold: 1,
            since: 0,
        }
    }

    /// Whether the key of hash `hash` is one the shadows see.
    #[inline]
    pub(crate) fn sampled(&self, hash: u64) -> bool {
        self.shift == 0 || hash >> (64 - self.shift) == 0
    }

    /// A sampled `get` of the key of hash `hash`, fed to each shadow as "get; on a miss,
    /// put". At the end of an epoch, returns the policy the cache should switch to from
    /// the one running now (`current`), if it should; else `None`.
    pub(crate) fn access(&mut self, hash: u64, current: Policy) -> Option<Policy> {
        let tag = tag(hash);
        self.hits[0] += u64::from(self.s3fifo.access(tag));
        self.hits[1] += u64::from(self.wtinylfu.access(tag));
        self.hits[2] += u64::from(self.lru.access(tag));
        self.seen += 1;
        if self.seen < self.epoch {
            return None;
        }
        self.seen = 0;
        if !self.lru.is_full() {
            // Not full yet: every policy has hit the same keys, and nothing tells them apart.
            self.hits = [0; 3];
            return None;
        }
        self.since += 1;
        self.requests = self.requests - self.requests / DECAY + self.epoch;
        for (score, hits) in self.score.iter_mut().zip(&mut self.hits) {
            *score = *score - *score / DECAY + *hits;
            *hits = 0;
        }
        let now = index(current);
        let mut best = now;
        for i in 0..3 {
            if self.score[i] > self.score[best] {
                best = i;
            }
        }
        let lead = self.score[best] - self.score[now];
        if best != now && self.since >= self.hold && lead * 1000 > self.requests * MARGIN_PERMILLE {
            self.since = 0;
            self.hold = (2 * self.hold).min(MAX_HOLD);
            return Some(POLICIES[best]);
        }
        None
    }

    /// Forgets every key and score (for `clear`).
    pub(crate) fn reset(&mut self) {
        self.s3fifo.clear();
        self.wtinylfu.clear();
        self.lru.clear();
        self.seen = 0;
        self.hits = [0; 3];
        self.score = [0; 3];
        self.requests = 0;
        self.hold = 1;
        self.since = 0;
    }

    /// The decayed scores, in [`POLICIES`] order (for the tests against the model).
    #[cfg(test)]
    pub(crate) fn scores(&self) -> [u64; 3] {
        self.score
    }

    /// The sampling shift (the rate is `2^-shift`) and each shadow's capacity.
    pub(crate) fn shape(&self) -> (u32, usize) {
        (self.shift, self.lru.capacity())
    }
}

/// The position of `policy` in [`POLICIES`].
fn index(policy: Policy) -> usize {
    match policy {
        Policy::S3Fifo => 0,
        Policy::WTinyLfu => 1,
        Policy::Lru => 2,
    }
}
