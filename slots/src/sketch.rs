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

    /// [`add_counted`](Self::add_counted) of 1, as [`increment`](Self::increment) adds it
    /// (branch-free, one bounds check for the block) but counting no addition: a cache
    /// records most of its deferred or uncounted accesses one at a time (W-TinyLFU's
    /// misses and window candidates), and the general saturating add of `add_counted`,
    /// not inlined, cost it about 140 instructions a call.
    ///
    /// ```
    /// use evict_slots::sketch::FrequencySketch;
    ///
    /// let mut a = FrequencySketch::new(64);
    /// let mut b = FrequencySketch::new(64);
    /// let k = FrequencySketch::hash(&"k");
    /// for _ in 0..20 {
    ///     a.add_one(k);
    ///     b.add_counted(k, 1);
    /// }
    /// assert_eq!(a, b);
    /// assert_eq!((a.frequency(k), a.additions()), (15, 0));
    /// ```
    #[inline(always)]
    pub fn add_one(&mut self, hash: u64) {
        if self.table.is_empty() {
            self.allocate();
        }
        let (base, slots) = self.locate(hash);
        let block: &mut [u64; BLOCK_WORDS] = (&mut self.table[base..base + BLOCK_WORDS])
            .try_into()
            .expect("a block is 8 words");
        for (word, shift) in slots {
            let w = &mut block[word & 7];
            let below_max = u64::from((*w >> shift) & 15 != 15);
            *w += below_max << shift;
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
mod tests;
