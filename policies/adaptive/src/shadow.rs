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

/// The miniature caches of the two policies not running, the sampling rule and the scores.
#[derive(Clone, Debug)]
pub(crate) struct Shadows {
    /// The miniatures of the policies that are not running (`None` for the running one,
    /// whose hits on the sampled `get`s are the real cache's, see [`Shadows::record`]).
    s3fifo: Option<mini::S3Fifo>,
    wtinylfu: Option<mini::WTinyLfu>,
    lru: Option<mini::Lru>,
    /// The cache's capacity (a miniature made at a switch is sized from it).
    capacity: usize,
    /// A key is sampled when the top `shift` bits of its hash are zero (all keys for 0).
    shift: u32,
    /// Sampled `get`s per decision.
    epoch: u64,
    /// Sampled `get`s so far in this epoch.
    seen: u64,
    /// Hits of each policy in this epoch, in [`POLICIES`] order: the miniatures', and the
    /// real cache's for the running policy.
    hits: [u64; 3],
    /// Decayed hits of each policy over the past epochs (since the last switch).
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
    /// Shadows for a cache of `capacity` entries running `running`: the other two
    /// policies' miniatures, each of `capacity >> shift` entries.
    pub(crate) fn new(capacity: usize, running: Policy) -> Self {
        let shift = shift_for(capacity);
        let size = capacity >> shift;
        let mut shadows = Self {
            s3fifo: None,
            wtinylfu: None,
            lru: None,
            capacity,
            shift,
            epoch: (EPOCH_FACTOR * size as u64).max(EPOCH_MIN),
            seen: 0,
            hits: [0; 3],
            score: [0; 3],
            requests: 0,
            hold: 1,
            since: 0,
        };
        // Unsampled, the running policy's hits are the real cache's, and only the other
        // two policies have miniatures (the memory bound has no room for a third, README,
        // "Memory"); sampled, the real cache's hits are those of all keys, and the running
        // policy has its miniature too.
        for p in POLICIES {
            if p != running || shift > 0 {
                shadows.make(p);
            }
        }
        shadows
    }

    /// An empty miniature of `policy`.
    fn make(&mut self, policy: Policy) {
        let size = self.capacity >> self.shift;
        // Unsampled miniatures (below 768 entries) store 16 bits of each tag (`mini::Tags`):
        // the memory bound has no room for 32 there.
        let compact = self.shift == 0;
        match policy {
            Policy::S3Fifo => self.s3fifo = Some(mini::S3Fifo::new(size, compact)),
            Policy::WTinyLfu => {
                let words = mini::sketch_words(self.capacity, self.shift);
                self.wtinylfu = Some(mini::WTinyLfu::with_sketch(size, compact, words));
            }
            Policy::Lru => self.lru = Some(mini::Lru::new(size, compact)),
        }
    }

    /// Drops the miniature of `policy`.
    fn drop_mini(&mut self, policy: Policy) {
        match policy {
            Policy::S3Fifo => self.s3fifo = None,
            Policy::WTinyLfu => self.wtinylfu = None,
            Policy::Lru => self.lru = None,
        }
    }

    /// Whether every miniature is full (before that, every policy has hit the same keys).
    fn full(&self) -> bool {
        self.s3fifo.as_ref().is_none_or(mini::S3Fifo::is_full)
            && self.wtinylfu.as_ref().is_none_or(mini::WTinyLfu::is_full)
            && self.lru.as_ref().is_none_or(mini::Lru::is_full)
    }

    /// Whether the key of hash `hash` is one the shadows see.
    #[inline]
    pub(crate) fn sampled(&self, hash: u64) -> bool {
        self.shift == 0 || hash >> (64 - self.shift) == 0
    }

    /// A sampled `get` of the key of hash `hash` while `current` runs, fed to each
    /// miniature as "get; on a miss, put" (the running policy's hit, where it has no
    /// miniature, is the real cache's, given by [`Shadows::record`] after this). At the end
    /// of an epoch, returns the policy the cache must switch to, if it must (unsampled,
    /// the miniatures are then those of the other two policies, and the scores start
    /// again).
    pub(crate) fn access(&mut self, hash: u64, current: Policy) -> Option<Policy> {
        let tag = tag(hash);
        if let Some(m) = &mut self.s3fifo {
            self.hits[0] += u64::from(m.access(tag));
        }
        if let Some(m) = &mut self.wtinylfu {
            self.hits[1] += u64::from(m.access(tag));
        }
        if let Some(m) = &mut self.lru {
            self.hits[2] += u64::from(m.access(tag));
        }
        self.seen += 1;
        if self.seen < self.epoch {
            return None;
        }
        self.seen = 0;
        let choice = self.decide(current);
        if let Some(next) = choice
            && self.shift == 0
        {
            self.drop_mini(next);
            self.make(current);
            self.hits = [0; 3];
            self.score = [0; 3];
            self.requests = 0;
        }
        choice
    }

    /// Whether the running policy is scored by the real cache's answers (unsampled caches:
    /// it has no miniature).
    #[inline]
    pub(crate) fn scores_real_cache(&self) -> bool {
        self.shift == 0
    }

    /// Counts the real cache's answer to a sampled `get` as a hit or miss of the running
    /// policy `running` (see [`Shadows::scores_real_cache`]).
    #[inline]
    pub(crate) fn record(&mut self, running: Policy, hit: bool) {
        self.hits[index(running)] += u64::from(hit);
    }

    /// The end of an epoch: the scores fade and take the epoch's hits, and the policy to
    /// switch to from `current`, if another leads it by the margin.
    fn decide(&mut self, current: Policy) -> Option<Policy> {
        if !self.full() {
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

    /// Forgets every key and score (for `clear`), for a cache that runs `running` again.
    pub(crate) fn reset(&mut self, running: Policy) {
        *self = Self::new(self.capacity, running);
    }

    /// The decayed scores, in [`POLICIES`] order (for the tests against the model).
    #[cfg(test)]
    pub(crate) fn scores(&self) -> [u64; 3] {
        self.score
    }

    /// The sampling shift (the rate is `2^-shift`) and each shadow's capacity.
    pub(crate) fn shape(&self) -> (u32, usize) {
        (self.shift, (self.capacity >> self.shift).min(MAX_MINI))
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
