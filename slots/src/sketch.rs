//! The frequency sketch of TinyLFU: a count-min sketch of 4-bit counters, depth 4, that
//! halves every counter after a sample of `10 × capacity` recorded accesses. W-TinyLFU
//! (`evict-wtinylfu`) decides admission with it, and so does its reference model in
//! `evict-harness`; its own tests here check it against exact counts.
//!
//! The sketch answers "about how often was this key seen lately?" in a few bytes per cache
//! entry. Its estimate is never below the true count (up to the counter limit of 15): each
//! key owns one counter in each of four rows, every access of the key increments all four,
//! and the estimate is the smallest of them, so other keys sharing a counter can only add.
//! Halving every counter once `sample_size` increments have been recorded (the *reset*)
//! makes old popularity fade away.
//!
//! Layout (the one Caffeine's `FrequencySketch` uses, written afresh): counters are packed
//! 16 to a `u64` word, words are grouped into blocks of 8 (64 bytes, one cache line), and a
//! key's four counters all live in one block, two words per row, so an increment or an
//! estimate touches one cache line. The table grows to `next_power_of_two(capacity)` words
//! (see [`FrequencySketch::ensure_capacity`]; large sketches start at 2^16 words and double
//! as the cache fills, so a cache with a huge capacity and few entries stays small)
//! (at least one block): 8 bytes per cache entry, 16 counters per entry.
//!
//! Hashing is deterministic: [`FrequencySketch::hash`] uses a fixed-seed hasher (foldhash,
//! whose output is well mixed in every bit, which the block and counter choice need), so two
//! sketches fed the same keys hold the same counters. (This trades protection against
//! adversarially chosen keys, which could inflate each other's estimates, for reproducible
//! runs.)
//!
//! ```
//! use evict_slots::sketch::FrequencySketch;
//!
//! let mut sketch = FrequencySketch::new(100);
//! let hot = FrequencySketch::hash(&"hot");
//! for _ in 0..5 {
//!     sketch.increment(hot);
//! }
//! assert!(sketch.frequency(hot) >= 5); // never an underestimate
//! assert_eq!(sketch.frequency(FrequencySketch::hash(&"never seen")), 0);
//! ```

use alloc::vec;
use alloc::vec::Vec;
use core::hash::{BuildHasher, Hash};

/// The largest value of a counter.
pub const MAX_COUNT: u8 = 15;

/// Every counter's low bit, 16 counters to a word.
const ONE_MASK: u64 = 0x1111_1111_1111_1111;
/// Every counter's three low bits: a halved word keeps these.
const RESET_MASK: u64 = 0x7777_7777_7777_7777;
/// Words per block: one 64-byte cache line.
const BLOCK_WORDS: usize = 8;
/// The seed of the fixed hasher (any constant works; this one is the fractional part of the
/// golden ratio).
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
/// The largest table a new sketch starts with (512 KiB); larger ones grow as the cache fills.
const INITIAL_WORDS: usize = 1 << 16;

/// A count-min sketch of 4-bit counters, depth 4, with periodic halving. See the
/// [module docs](self).
///
/// The table is allocated on the first [`increment`](Self::increment) (an empty sketch
/// estimates 0 for every key), so a cache that is never used costs nothing.
///
/// ```
/// use evict_slots::sketch::FrequencySketch;
///
/// let mut sketch = FrequencySketch::new(8);
/// assert_eq!(sketch.sample_size(), 80); // halving after 10 × capacity additions
/// let k = FrequencySketch::hash(&42u64);
/// for _ in 0..20 {
///     sketch.increment(k);
/// }
/// assert_eq!(sketch.frequency(k), 15); // counters saturate at 15
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FrequencySketch {
    /// 16 counters per word; empty until the first increment.
    table: Vec<u64>,
    /// Words in the table once allocated: a power of two, at least one block.
    words: usize,
    /// `words` when new or cleared.
    initial_words: usize,
    /// The most `words` grows to: `next_power_of_two(capacity)`.
    max_words: usize,
    /// Increments that changed at least one counter since the last reset (minus the
    /// halving correction, see [`reset`](Self::reset)).
    additions: u64,
    /// Resets since the sketch was made (or cleared).
    resets: u64,
    /// `additions` at which every counter is halved.
    sample_size: u64,
}

impl FrequencySketch {
    /// A sketch sized for a cache of `capacity` entries: `next_power_of_two(capacity)`
    /// words of 16 counters (at least 8 words), halved every `10 × capacity` additions
    /// (at least 10). Above 2^16 words it starts at 2^16 and grows with
    /// [`ensure_capacity`](Self::ensure_capacity).
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let sketch = FrequencySketch::new(1000);
    /// assert_eq!(sketch.words(), 1024);
    /// assert_eq!(sketch.sample_size(), 10_000);
    /// ```
    pub fn new(capacity: usize) -> Self {
        // Past 2^30 words (8 GiB of counters) more width buys nothing measurable.
        let max_words = capacity.clamp(BLOCK_WORDS, 1 << 30).next_power_of_two();
        let initial_words = max_words.min(INITIAL_WORDS);
        Self {
            table: Vec::new(),
            words: initial_words,
            initial_words,
            max_words,
            additions: 0,
            resets: 0,
            sample_size: (capacity.max(1) as u64).saturating_mul(10),
        }
    }

    /// Widens the table, by doubling, to at least `entries` words (one word, 16 counters,
    /// per cache entry), up to the size [`new`](Self::new) was given. A cache calls it as
    /// it grows. Doubling copies each block to its two possible new places, so every key
    /// keeps its estimate: estimates never drop below the true counts. Only sketches of
    /// more than 2^16 words ever grow.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let mut sketch = FrequencySketch::new(1 << 20);
    /// assert_eq!(sketch.words(), 1 << 16);
    /// let k = FrequencySketch::hash(&"k");
    /// sketch.increment(k);
    /// sketch.ensure_capacity(100_000);
    /// assert_eq!(sketch.words(), 1 << 17);
    /// assert_eq!(sketch.frequency(k), 1);
    /// ```
    pub fn ensure_capacity(&mut self, entries: usize) {
        while self.words < entries && self.words < self.max_words {
            if !self.table.is_empty() {
                // Block b moves to b or b + old block count under the wider mask; both
                // get its counters.
                self.table.extend_from_within(..);
            }
            self.words *= 2;
        }
    }

    /// Sizes the sketch for a cache of `capacity` entries as [`new`](Self::new) would, and
    /// keeps what it counted: the halving period becomes `10 × capacity` and the widest table
    /// `next_power_of_two(capacity)` words. A table wider than that is folded in half until
    /// it fits: each block merges with its twin in the other half, counter by counter,
    /// saturating at 15, so no estimate drops below the true count (up to 15). A table
    /// narrower than a new sketch would start with widens as in
    /// [`ensure_capacity`](Self::ensure_capacity). The addition count is kept: if it has
    /// reached the new period, the next addition halves every counter.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let mut sketch = FrequencySketch::new(1000);
    /// let k = FrequencySketch::hash(&"k");
    /// for _ in 0..3 {
    ///     sketch.increment(k);
    /// }
    /// sketch.resize(100);
    /// assert_eq!((sketch.words(), sketch.sample_size()), (128, 1000));
    /// assert!(sketch.frequency(k) >= 3); // counts kept
    /// sketch.resize(10_000);
    /// assert_eq!((sketch.words(), sketch.sample_size()), (16_384, 100_000));
    /// assert!(sketch.frequency(k) >= 3);
    /// ```
    pub fn resize(&mut self, capacity: usize) {
        let sized = Self::new(capacity);
        self.max_words = sized.max_words;
        self.initial_words = sized.initial_words;
        self.sample_size = sized.sample_size;
        while self.words > self.max_words {
            self.words /= 2;
            if !self.table.is_empty() {
                // Blocks b and b + half share block b under the narrower mask.
                let (low, high) = self.table.split_at_mut(self.words);
                for (w, &h) in low.iter_mut().zip(high.iter()) {
                    *w = saturating_add_counters(*w, h);
                }
                self.table.truncate(self.words);
                self.table.shrink_to_fit();
            }
        }
        self.ensure_capacity(self.initial_words);
    }

    /// The sketch hash of `item`: a fixed-seed hash, the same in every sketch and every run
    /// of the same build. Feed it to [`increment`](Self::increment) and
    /// [`frequency`](Self::frequency).
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// assert_eq!(FrequencySketch::hash(&"a"), FrequencySketch::hash(&"a"));
    /// assert_ne!(FrequencySketch::hash(&1u32), FrequencySketch::hash(&2u32));
    /// ```
    #[inline]
    pub fn hash<T: Hash + ?Sized>(item: &T) -> u64 {
        foldhash::fast::FixedState::with_seed(SEED).hash_one(item)
    }

    /// The block of `hash` (its index in 8-word units) and, per row, the word in the block
    /// (0..8) and the bit shift of its counter. The low half of the hash picks the block;
    /// each byte of the high half picks, for its row, one of the row's two words in the
    /// block (bit 0) and one of its 16 counters (bits 1-4).
    #[inline(always)]
    fn locate(&self, hash: u64) -> (usize, [(usize, u32); 4]) {
        let block = (hash as u32 as usize) & (self.words / BLOCK_WORDS - 1);
        let high = (hash >> 32) as u32;
        let slot = |row: u32| {
            let byte = high >> (row * 8);
            let word = (2 * row + (byte & 1)) as usize;
            (word, ((byte >> 1) & 15) * 4)
        };
        (block * BLOCK_WORDS, [slot(0), slot(1), slot(2), slot(3)])
    }

    /// The block (64 bytes of counters) that holds `hash`'s counters: only an
    /// [increment](Self::increment) or [addition](Self::add_counted) of a hash in the same
    /// block (or a [reset](Self::reset), or a change of width) can change its estimate, so a
    /// caller may keep an estimate while no such thing happened.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let sketch = FrequencySketch::new(1000); // 1024 words: 128 blocks
    /// assert!(sketch.block(FrequencySketch::hash(&"k")) < 128);
    /// ```
    #[inline]
    pub fn block(&self, hash: u64) -> usize {
        (hash as u32 as usize) & (self.words / BLOCK_WORDS - 1)
    }

    /// The table positions (word index, bit shift) of `hash`'s four counters.
    #[cfg(test)]
    fn slots(&self, hash: u64) -> [(usize, u32); 4] {
        let (base, slots) = self.locate(hash);
        slots.map(|(w, s)| (base + w, s))
    }

    /// The estimated number of times `hash` was [incremented](Self::increment) (halved at
    /// each reset), at most [`MAX_COUNT`]. Never below the true count (up to 15); possibly
    /// above it when other keys share its counters.
    #[inline(always)]
    pub fn frequency(&self, hash: u64) -> u8 {
        if self.table.is_empty() {
            return 0;
        }
        let (base, slots) = self.locate(hash);
        let block: &[u64; BLOCK_WORDS] = self.table[base..base + BLOCK_WORDS]
            .try_into()
            .expect("a block is 8 words");
        let count = |(word, shift): (usize, u32)| (block[word & 7] >> shift) & 15;
        let min = count(slots[0])
            .min(count(slots[1]))
            .min(count(slots[2]))
            .min(count(slots[3]));
        min as u8
    }

    /// Records one occurrence of `hash`: adds 1 to each of its four counters that is below
    /// 15. If that changed any counter it counts as an addition, and the
    /// `sample_size`-th addition halves every counter.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let mut sketch = FrequencySketch::new(8);
    /// let k = FrequencySketch::hash(&"k");
    /// sketch.increment(k);
    /// assert_eq!(sketch.additions(), 1);
    /// ```
    #[inline(always)]
    pub fn increment(&mut self, hash: u64) {
        if self.table.is_empty() {
            self.allocate();
        }
        let (base, slots) = self.locate(hash);
        let block: &mut [u64; BLOCK_WORDS] = (&mut self.table[base..base + BLOCK_WORDS])
            .try_into()
            .expect("a block is 8 words");
        let mut added = 0;
        for (word, shift) in slots {
            let w = &mut block[word & 7];
            // Branch-free: add 1 unless the counter is at 15.
            let below_max = u64::from((*w >> shift) & 15 != 15);
            *w += below_max << shift;
            added |= below_max;
        }
        if added != 0 {
            self.additions += 1;
            if self.additions >= self.sample_size {
                self.reset();
            }
        }
    }

    /// Counts `n` (0 or 1) additions without changing a counter: the first half of an
    /// increment that a cache defers (it counts a hit in the entry and passes the count on
    /// later with [`add_counted`](Self::add_counted)). Counting at the time of the access
    /// keeps the halving on schedule. Returns whether this triggered a
    /// [reset](Self::reset), so that the cache can halve the counts it holds too.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let mut a = FrequencySketch::new(64);
    /// let mut b = FrequencySketch::new(64);
    /// let k = FrequencySketch::hash(&"k");
    /// for _ in 0..3 {
    ///     a.increment(k);
    ///     assert!(!b.count_addition(1));
    /// }
    /// b.add_counted(k, 3);
    /// assert_eq!(a, b);
    /// ```
    #[inline]
    pub fn count_addition(&mut self, n: u8) -> bool {
        self.additions += u64::from(n);
        if self.additions >= self.sample_size {
            self.reset();
            return true;
        }
        false
    }

    /// The second half of deferred increments: adds `count` to each of `hash`'s four
    /// counters (each saturating at 15) and counts no addition (see
    /// [`count_addition`](Self::count_addition)).
    pub fn add_counted(&mut self, hash: u64, count: u8) {
        if count == 0 {
            return;
        }
        if self.table.is_empty() {
            self.allocate();
        }
        let (base, slots) = self.locate(hash);
        let count = u64::from(count.min(MAX_COUNT));
        for (word, shift) in slots {
            let w = &mut self.table[base + (word & 7)];
            let c = (*w >> shift) & 15;
            *w += ((c + count).min(15) - c) << shift;
        }
    }

    /// Allocates the table (on the first increment, and the first after a `clear`).
    #[cold]
    #[inline(never)]
    fn allocate(&mut self) {
        self.table = vec![0; self.words];
    }

    /// Halves every counter (the aging step), which [`increment`](Self::increment) does on
    /// its own once `additions()` reaches `sample_size()`. The addition count is halved
    /// too, after subtracting a quarter of the number of odd counters: halving truncates
    /// each odd counter by one half, and every key owns four counters.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let mut sketch = FrequencySketch::new(64);
    /// let k = FrequencySketch::hash(&7);
    /// for _ in 0..9 {
    ///     sketch.increment(k);
    /// }
    /// let before = sketch.frequency(k);
    /// sketch.reset();
    /// assert_eq!(sketch.frequency(k), before / 2);
    /// ```
    #[cold]
    pub fn reset(&mut self) {
        let mut odd = 0u64;
        for w in &mut self.table {
            odd += u64::from((*w & ONE_MASK).count_ones());
            *w = (*w >> 1) & RESET_MASK;
        }
        self.additions = self.additions.saturating_sub(odd / 4) / 2;
        self.resets += 1;
    }

    /// Forgets everything and gives the table's memory back (it is allocated again on the
    /// next increment).
    pub fn clear(&mut self) {
        self.table = Vec::new();
        self.words = self.initial_words;
        self.additions = 0;
        self.resets = 0;
    }

    /// Additions (increments that changed a counter) since the last reset, corrected as
    /// [`reset`](Self::reset) says.
    pub fn additions(&self) -> u64 {
        self.additions
    }

    /// The number of resets (halvings) since the sketch was made or cleared. A cache that
    /// keeps counts of its own (hits not yet [added](Self::add_counted)) halves them when
    /// this moves.
    pub fn resets(&self) -> u64 {
        self.resets
    }

    /// The number of additions that triggers a reset: `10 × capacity`.
    pub fn sample_size(&self) -> u64 {
        self.sample_size
    }

    /// The number of 64-bit words of counters (16 counters each) once allocated (now: it
    /// grows with [`ensure_capacity`](Self::ensure_capacity)).
    pub fn words(&self) -> usize {
        self.words
    }

    /// Bytes of heap the sketch holds now: `8 × words()` once allocated, else 0.
    pub fn heap_bytes(&self) -> usize {
        self.table.capacity() * 8
    }
}

/// Adds the 16 counters of `b` to those of `a`, each sum capped at 15.
fn saturating_add_counters(a: u64, b: u64) -> u64 {
    (0..16).fold(0, |sum, i| {
        let shift = i * 4;
        let c = ((a >> shift) & 15) + ((b >> shift) & 15);
        sum | (c.min(15) << shift)
    })
}

/// Shows the sizes and the addition count, not the (possibly megabytes of) counters.
impl core::fmt::Debug for FrequencySketch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FrequencySketch")
            .field("words", &self.words)
            .field("allocated", &!self.table.is_empty())
            .field("additions", &self.additions)
            .field("sample_size", &self.sample_size)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::collections::HashSet;

    /// A deterministic stream of (key, true count) with counts 1..=15.
    fn stream(keys: u64) -> Vec<(u64, u8)> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        (0..keys)
            .map(|k| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (k, (x % 15) as u8 + 1)
            })
            .collect()
    }

    #[test]
    fn never_underestimates_and_overestimates_within_the_count_min_bound() {
        let capacity = 1024;
        let mut sketch = FrequencySketch::new(capacity);
        let items = stream(800);
        let total: u64 = items.iter().map(|&(_, c)| u64::from(c)).sum();
        assert!(
            total < sketch.sample_size(),
            "the stream must not trigger a reset"
        );
        // Interleave the increments so that no key's counters are filled in one go.
        for round in 1..=15u8 {
            for &(k, c) in &items {
                if c >= round {
                    sketch.increment(FrequencySketch::hash(&k));
                }
            }
        }
        // Count-min bound: each row has `words * 16 / 4` counters (two words per row per
        // block); a row's overestimate has mean <= total / width, so by Markov it exceeds
        // e * total / width with probability <= 1/e, and all four rows do with <= e^-4
        // (1.8%). Allow 5% of the keys to exceed it, and none to go below the truth.
        let width = (sketch.words() * 16 / 4) as f64;
        let bound = core::f64::consts::E * total as f64 / width;
        let mut over_bound = 0;
        let mut exact = 0;
        for &(k, c) in &items {
            let est = sketch.frequency(FrequencySketch::hash(&k));
            assert!(est >= c, "key {k}: estimate {est} below the true count {c}");
            let over = f64::from(est - c);
            if over > bound {
                over_bound += 1;
            }
            if est == c {
                exact += 1;
            }
        }
        assert!(
            over_bound * 20 <= items.len(),
            "{over_bound} of {} keys overestimated by more than {bound:.2}",
            items.len()
        );
        // And most keys are exact at this load (one key per 1.3 words).
        assert!(
            exact * 10 >= items.len() * 8,
            "only {exact} exact estimates"
        );
    }

    #[test]
    fn unseen_keys_mostly_estimate_zero() {
        let mut sketch = FrequencySketch::new(512);
        for k in 0..256u64 {
            sketch.increment(FrequencySketch::hash(&k));
        }
        let nonzero = (10_000..11_000u64)
            .filter(|k| sketch.frequency(FrequencySketch::hash(k)) > 0)
            .count();
        // A fresh key is nonzero only if all four of its counters are shared: rare.
        assert!(nonzero < 50, "{nonzero} of 1000 unseen keys look seen");
    }

    #[test]
    fn counters_saturate_at_fifteen_and_stop_counting_additions() {
        let mut sketch = FrequencySketch::new(64);
        let k = FrequencySketch::hash(&"k");
        for _ in 0..40 {
            sketch.increment(k);
        }
        assert_eq!(sketch.frequency(k), MAX_COUNT);
        // Only the increments that changed a counter count.
        assert_eq!(sketch.additions(), 15);
    }

    #[test]
    fn reset_halves_every_count_after_the_sample() {
        let capacity = 32;
        let mut sketch = FrequencySketch::new(capacity);
        assert_eq!(sketch.sample_size(), 320);
        let hot: Vec<u64> = (0..4u64)
            .map(|k| FrequencySketch::hash(&(k + 1000)))
            .collect();
        for _ in 0..13 {
            for &h in &hot {
                sketch.increment(h);
            }
        }
        let before: Vec<u8> = hot.iter().map(|&h| sketch.frequency(h)).collect();
        assert!(before.iter().all(|&f| f >= 13));
        // Fill up to one addition short of the sample with other keys, checking no reset yet.
        let mut k = 0u64;
        while sketch.additions() < sketch.sample_size() - 1 {
            sketch.increment(FrequencySketch::hash(&k));
            k += 1;
        }
        let at_brink: Vec<u8> = hot.iter().map(|&h| sketch.frequency(h)).collect();
        assert!(at_brink.iter().zip(&before).all(|(a, b)| a >= b));
        let table_before = sketch.table.clone();
        // The next addition triggers the reset: every counter is halved.
        let mut next = k;
        loop {
            let h = FrequencySketch::hash(&next);
            let mut probe = sketch.clone();
            probe.increment(h);
            if probe.additions() < sketch.additions() {
                sketch = probe;
                // Each word halved, except the counters the last increment touched first.
                let touched: HashSet<usize> = sketch.slots(h).iter().map(|s| s.0).collect();
                for (i, (&old, &new)) in table_before.iter().zip(&sketch.table).enumerate() {
                    if !touched.contains(&i) {
                        assert_eq!(new, (old >> 1) & RESET_MASK, "word {i} not halved");
                    }
                }
                break;
            }
            next += 1;
        }
        for (i, &h) in hot.iter().enumerate() {
            assert_eq!(
                sketch.frequency(h),
                at_brink[i] / 2,
                "hot key {i} not halved"
            );
        }
        assert!(sketch.additions() < sketch.sample_size() / 2 + 1);
    }

    #[test]
    fn reset_corrects_additions_for_truncated_odd_counters() {
        let mut sketch = FrequencySketch::new(64);
        let k = FrequencySketch::hash(&1u8);
        for _ in 0..3 {
            sketch.increment(k);
        }
        // Four counters at 3 (odd): halving loses 4 half-counts, one key's worth.
        assert_eq!(sketch.additions(), 3);
        sketch.reset();
        assert_eq!(sketch.frequency(k), 1);
        assert_eq!(sketch.additions(), (3 - 1) / 2);
    }

    #[test]
    fn the_four_counters_of_a_key_are_distinct_and_in_one_block() {
        let sketch = FrequencySketch::new(4096);
        for k in 0..1000u64 {
            let slots = sketch.slots(FrequencySketch::hash(&k));
            let words: HashSet<usize> = slots.iter().map(|s| s.0).collect();
            assert_eq!(words.len(), 4, "two rows share a word");
            let blocks: HashSet<usize> = slots.iter().map(|s| s.0 / BLOCK_WORDS).collect();
            assert_eq!(blocks.len(), 1);
        }
    }

    #[test]
    fn small_key_spaces_hash_without_collisions() {
        // The cache remembers the last missed key by its sketch hash; the conformance tests'
        // u8 keys must not collide.
        let hashes: HashSet<u64> = (0..=255u8).map(|k| FrequencySketch::hash(&k)).collect();
        assert_eq!(hashes.len(), 256);
    }

    #[test]
    fn growing_keeps_every_estimate_and_the_bound() {
        let mut sketch = FrequencySketch::new(1 << 18);
        assert_eq!(sketch.words(), 1 << 16);
        let items = stream(50_000);
        let mut truth = std::collections::HashMap::new();
        for (i, &(k, c)) in items.iter().enumerate() {
            for _ in 0..c.min(3) {
                sketch.increment(FrequencySketch::hash(&k));
            }
            *truth.entry(k).or_insert(0u8) += c.min(3);
            if i % 10_000 == 0 {
                let before: Vec<u8> = (0..=i as u64)
                    .map(|k| sketch.frequency(FrequencySketch::hash(&k)))
                    .collect();
                sketch.ensure_capacity(sketch.words() + 1);
                for (k, &b) in before.iter().enumerate() {
                    let h = FrequencySketch::hash(&(k as u64));
                    assert_eq!(sketch.frequency(h), b, "key {k} changed on growth");
                }
            }
        }
        assert_eq!(sketch.words(), 1 << 18);
        sketch.ensure_capacity(usize::MAX);
        assert_eq!(sketch.words(), 1 << 18, "grew past its capacity");
        for (k, &c) in &truth {
            assert!(sketch.frequency(FrequencySketch::hash(k)) >= c);
        }
        sketch.clear();
        assert_eq!(sketch.words(), 1 << 16);
    }

    #[test]
    fn resize_keeps_every_count_when_narrowing_and_widening() {
        let mut sketch = FrequencySketch::new(4096);
        let items = stream(2000);
        for &(k, c) in &items {
            for _ in 0..c {
                sketch.increment(FrequencySketch::hash(&k));
            }
        }
        assert_eq!(sketch.resets(), 0);
        // Narrowing folds 4096 words into 256: many more shared counters, none below the
        // truth.
        sketch.resize(200);
        assert_eq!(
            (sketch.words(), sketch.sample_size(), sketch.heap_bytes()),
            (256, 2000, 256 * 8)
        );
        for &(k, c) in &items {
            assert!(sketch.frequency(FrequencySketch::hash(&k)) >= c, "key {k}");
        }
        // Widening copies each block to both its places: every estimate unchanged.
        let before: Vec<u8> = items
            .iter()
            .map(|&(k, _)| sketch.frequency(FrequencySketch::hash(&k)))
            .collect();
        sketch.resize(3000);
        assert_eq!((sketch.words(), sketch.sample_size()), (4096, 30_000));
        for (&(k, _), &b) in items.iter().zip(&before) {
            assert_eq!(sketch.frequency(FrequencySketch::hash(&k)), b, "key {k}");
        }
        // A resize to the same size changes nothing.
        let same = sketch.clone();
        sketch.resize(3000);
        assert_eq!(sketch, same);
    }

    #[test]
    fn resize_sizes_like_new_and_keeps_the_addition_count() {
        for (from, to) in [
            (0, 100),
            (100, 0),
            (1 << 20, 1000),
            (1000, 1 << 20),
            (64, 64),
        ] {
            let mut sketch = FrequencySketch::new(from);
            sketch.increment(FrequencySketch::hash(&1u8));
            sketch.resize(to);
            let fresh = FrequencySketch::new(to);
            assert_eq!(
                (sketch.words(), sketch.sample_size(), sketch.additions()),
                (fresh.words(), fresh.sample_size(), 1),
                "{from} -> {to}"
            );
            assert_eq!(sketch.frequency(FrequencySketch::hash(&1u8)), 1);
            sketch.clear();
            assert_eq!(sketch.words(), fresh.words());
        }
        // Unallocated: only the sizes change.
        let mut sketch = FrequencySketch::new(1 << 20);
        sketch.resize(10);
        assert_eq!((sketch.words(), sketch.heap_bytes()), (16, 0));
    }

    #[test]
    fn counters_add_with_saturation() {
        let a = 0xF0F0_0000_0000_1234u64;
        let b = 0x1F21_0000_0000_4321u64;
        assert_eq!(saturating_add_counters(a, b), 0xFFF1_0000_0000_5555);
        assert_eq!(saturating_add_counters(u64::MAX, u64::MAX), u64::MAX);
        assert_eq!(saturating_add_counters(0, 0), 0);
    }

    #[test]
    fn never_below_exact_counts_through_resets_deferred_counts_and_resizes() {
        // A caller that counts some hits itself, as W-TinyLFU does (count_addition now,
        // add_counted later, its own counts halved when the sketch halves), against exact
        // counts kept the same way: the estimate never falls below the exact count.
        let keys = 64u64;
        let mut sketch = FrequencySketch::new(16); // halves every 160 additions
        let mut exact = [0u8; 64];
        let mut pending = [0u8; 64];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for step in 0..200_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = (x % keys) as usize;
            let h = FrequencySketch::hash(&(k as u64));
            let resets = sketch.resets();
            match (x >> 32) % 8 {
                0..=3 => {
                    sketch.increment(h);
                    exact[k] = (exact[k] + 1).min(MAX_COUNT);
                }
                4 | 5 => {
                    let n = u8::from(pending[k] < MAX_COUNT);
                    pending[k] += n;
                    sketch.count_addition(n);
                }
                6 => {
                    sketch.add_counted(h, pending[k]);
                    exact[k] = (exact[k] + pending[k]).min(MAX_COUNT);
                    pending[k] = 0;
                }
                _ if step % 1000 == 7 => {
                    sketch.resize([8, 16, 40, 100][(x >> 40) as usize % 4]);
                }
                _ => {}
            }
            if sketch.resets() != resets {
                // `increment` adds before it halves; the exact counts did the same.
                exact.iter_mut().for_each(|c| *c /= 2);
                pending.iter_mut().for_each(|c| *c /= 2);
            }
            for (k, &c) in exact.iter().enumerate() {
                let est = sketch.frequency(FrequencySketch::hash(&(k as u64)));
                assert!(est >= c, "step {step}: key {k} estimated {est} < {c}");
            }
        }
        assert!(sketch.resets() > 100);
    }

    #[test]
    fn clear_forgets_and_releases() {
        let mut sketch = FrequencySketch::new(100);
        let k = FrequencySketch::hash(&"x");
        sketch.increment(k);
        assert!(sketch.heap_bytes() >= 128 * 8);
        sketch.clear();
        assert_eq!(sketch.heap_bytes(), 0);
        assert_eq!(sketch.frequency(k), 0);
        assert_eq!(sketch.additions(), 0);
    }
}
