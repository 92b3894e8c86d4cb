#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod api;
pub mod engine;
pub mod ghost;
pub mod policy;
pub mod ring;
mod rng;
pub mod sketch;
pub mod slab;
#[cfg(feature = "testing")]
pub mod testing;

pub use engine::{SlabCache, SlabPolicy};
pub use policy::{RingCache, RingPolicy};
pub use ring::Ring;
pub use rng::{GOLDEN_GAMMA, SplitMix64, mix64};
pub use slab::Slab;

use hashbrown::HashTable;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// map.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The spare index room a [`Slab`] keeps at least, up to one bucket per slot (see
/// [`SlotIndex::insert`]): a hot table of a few dozen entries would otherwise refill with
/// tombstones within a few dozen evictions, and every miss would probe further. A policy
/// whose measurements call for another floor passes it to [`Slab::with_spare_floor`].
pub const SPARE_FLOOR: usize = 4096;

/// The capacity limit of a policy whose links address slots with `index_bits` bits: the
/// all-ones index means "no slot", and one more is kept clear so that `capacity` itself
/// fits, so `2^index_bits - 2`. Every policy's `MAX_CAPACITY` is this rule; a policy that
/// keeps flags or counts in its links has fewer index bits.
///
/// ```
/// assert_eq!(evict_slots::max_capacity(31), evict_slots::MAX_CAPACITY);
/// assert_eq!(evict_slots::max_capacity(28), (1 << 28) - 2);
/// ```
pub const fn max_capacity(index_bits: u32) -> usize {
    (1 << index_bits) - 2
}

/// The largest capacity of a cache over a [`Slab`] whose links have 31 bits of slot index
/// (the 32nd holds a flag or a list tag), `2^31 - 2`: the rings (LRU, FIFO, CLOCK, SIEVE),
/// ARC and random eviction. [`Slab::push`] never reserves past it.
pub const MAX_CAPACITY: usize = max_capacity(31);

// For the macros `slab_cache!` and `ring_cache!`, which expand in the policy crates.
#[doc(hidden)]
pub mod __private {
    pub use alloc::boxed::Box;
    pub use alloc::vec::Vec;
    pub use evict_core;
}

/// A key-hash -> slot-number index over a dense array of `len` slots `0..len`.
///
/// Every insertion goes through [`insert`](Self::insert), so that a full table is rebuilt in
/// place instead of doubled. See the [crate docs](crate).
#[derive(Clone, Debug, Default)]
pub struct SlotIndex {
    table: HashTable<u32>,
}

impl SlotIndex {
    /// An empty index; allocates nothing.
    pub const fn new() -> Self {
        Self {
            table: HashTable::new(),
        }
    }

    /// The slot whose entry hashes to `hash` and for which `is` says yes.
    #[inline]
    pub fn find(&self, hash: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        self.table.find(hash, |&j| is(j)).copied()
    }

    /// Indexes slot `i` under `hash`. The array holds `len` slots `0..len`, slot `i` among
    /// them already holding its key, and `rehash(j)` is the hash of slot `j`'s key.
    ///
    /// When the table has no room left it is rebuilt from `0..len` in place, keeping
    /// `max(len / 4, min(len, small_floor))` buckets spare and growing only if that does
    /// not fit. Less spare room would keep some tables half the size (100,000 entries in
    /// 131,072 buckets instead of 262,144), but at that load evictions leave tombstones
    /// often enough that rebuilds cost more than the memory saves (`len / 8`: put-evict at
    /// 100,000 entries 30% slower in LRU, FIFO and CLOCK). A floor (LRU uses 4096) keeps small, hot tables from refilling with
    /// tombstones within a few dozen evictions, whose misses then probe further (the
    /// capacity-64 memoization workload: 22.5 -> 16.9 ns per op); 0 spends no memory on it.
    #[inline]
    pub fn insert(
        &mut self,
        hash: u64,
        i: u32,
        len: usize,
        small_floor: usize,
        rehash: impl Fn(u32) -> u64,
    ) {
        if self.table.len() < self.table.capacity() {
            self.table.insert_unique(hash, i, |&j| rehash(j));
        } else {
            self.rebuild(len, small_floor, rehash);
        }
    }

    /// Called once the array has reached its final length `len` (a cache that just became
    /// full): gives the table now the spare room a rebuild at this length keeps (see
    /// [`insert`](Self::insert)), growing it once if it has less. Later rebuilds then never
    /// grow it, so a full cache allocates nothing more, whatever its size; without this the
    /// one growth would come at the first rebuild, some evictions after the cache filled.
    pub fn settle(&mut self, len: usize, small_floor: usize, rehash: impl Fn(u32) -> u64) {
        if full_capacity(self.table.num_buckets()) < want(len, small_floor) {
            self.rebuild(len, small_floor, &rehash);
        }
    }

    #[cold]
    fn rebuild(&mut self, len: usize, small_floor: usize, rehash: impl Fn(u32) -> u64) {
        self.table.clear();
        let want = want(len, small_floor);
        if self.table.capacity() < want {
            self.table.reserve(want, |&j| rehash(j));
        }
        for j in 0..len as u32 {
            self.table.insert_unique(rehash(j), j, |&j| rehash(j));
        }
    }

    /// Forgets slot `i`, indexed under `hash`.
    ///
    /// # Panics
    ///
    /// If slot `i` is not indexed under `hash`: the caller's slots and index disagree.
    #[inline]
    pub fn remove(&mut self, hash: u64, i: u32) {
        match self.table.find_entry(hash, |&j| j == i) {
            Ok(entry) => {
                entry.remove();
            }
            Err(_) => panic!("slot {i} is not indexed under its hash"),
        }
    }

    /// Records that the entry indexed under `hash` moved from slot `from` to slot `to`
    /// (a dense array filling a hole with its last slot).
    #[inline]
    pub fn repoint(&mut self, hash: u64, from: u32, to: u32) {
        if let Some(slot) = self.table.find_mut(hash, |&j| j == from) {
            *slot = to;
        }
    }

    /// Forgets every slot and gives the memory back.
    pub fn reset(&mut self) {
        self.table = HashTable::new();
    }

    /// Forgets every slot and keeps the memory.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Renumbers every indexed slot `j` to `f(j)` (a permutation of the slots), without
    /// hashing anything: the slots moved, their keys did not.
    ///
    /// ```
    /// use evict_slots::SlotIndex;
    ///
    /// let hash = |k: u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    /// let mut keys = vec![10u64, 20];
    /// let mut index = SlotIndex::new();
    /// for (j, &k) in keys.iter().enumerate() {
    ///     index.insert(hash(k), j as u32, keys.len(), 0, |s| hash(keys[s as usize]));
    /// }
    /// keys.swap(0, 1);
    /// index.remap(|j| 1 - j);
    /// assert_eq!(index.find(hash(10), |j| keys[j as usize] == 10), Some(1));
    /// ```
    pub fn remap(&mut self, mut f: impl FnMut(u32) -> u32) {
        for j in self.table.iter_mut() {
            *j = f(*j);
        }
    }

    /// Shrinks the table to what a rebuild at `len` slots keeps (see
    /// [`insert`](Self::insert)): the memory of a table that grew for more slots than the
    /// array will hold again goes back.
    pub fn shrink_to(&mut self, len: usize, small_floor: usize, rehash: impl Fn(u32) -> u64) {
        self.table.shrink_to(want(len, small_floor), |&j| rehash(j));
    }

    /// Slots indexed.
    #[inline]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no slot is indexed.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// How many more slots fit before the next rebuild (hashbrown's `capacity`: the
    /// room left net of tombstones, plus `len`).
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The buckets of the table.
    pub fn num_buckets(&self) -> usize {
        self.table.num_buckets()
    }

    /// Bytes allocated by the table.
    pub fn allocation_size(&self) -> usize {
        self.table.allocation_size()
    }
}

/// The room a table of `len` slots is given at a rebuild: `len` and a quarter spare, or
/// `small_floor` spare if that is more (and at most `len` spare).
fn want(len: usize, small_floor: usize) -> usize {
    len + (len / 4).max(len.min(small_floor))
}

/// The most entries hashbrown lets a table of `buckets` buckets hold (7/8 of them; one fewer
/// than the buckets below 8), tombstones aside.
fn full_capacity(buckets: usize) -> usize {
    if buckets < 8 {
        buckets.saturating_sub(1)
    } else {
        buckets / 8 * 7
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// SplitMix64's finaliser: well-spread hashes, as a real hasher gives.
    fn hash(k: u64) -> u64 {
        crate::mix64(k.wrapping_add(crate::GOLDEN_GAMMA))
    }

    #[test]
    fn churn_rebuilds_in_place_instead_of_doubling() {
        // A full "cache" of 1000 slots that replaces one key per step, as an eviction does.
        let mut keys: Vec<u64> = (0..1000).collect();
        let mut index = SlotIndex::new();
        for j in 0..keys.len() {
            index.insert(hash(keys[j]), j as u32, j + 1, 0, |s| {
                hash(keys[s as usize])
            });
        }
        let size = index.allocation_size();
        for step in 0..1_000_000u64 {
            let slot = (step * 7919 % 1000) as u32;
            index.remove(hash(keys[slot as usize]), slot);
            keys[slot as usize] = 1000 + step;
            index.insert(hash(keys[slot as usize]), slot, 1000, 0, |s| {
                hash(keys[s as usize])
            });
        }
        assert_eq!(index.allocation_size(), size);
        assert_eq!(index.len(), 1000);
        for (j, &k) in keys.iter().enumerate() {
            assert_eq!(
                index.find(hash(k), |s| keys[s as usize] == k),
                Some(j as u32)
            );
        }
    }

    #[test]
    fn settled_table_never_grows_under_churn() {
        // Sizes at which the table sized during the fill has less than a quarter spare: the
        // one growth happens at `settle`, not later.
        for n in [50usize, 900, 3000, 50_000] {
            let mut keys: Vec<u64> = (0..n as u64).collect();
            let mut index = SlotIndex::new();
            for j in 0..n {
                index.insert(hash(keys[j]), j as u32, j + 1, 0, |s| {
                    hash(keys[s as usize])
                });
            }
            index.settle(n, 0, |s| hash(keys[s as usize]));
            assert!(full_capacity(index.num_buckets()) >= n + n / 4, "n {n}");
            let size = index.allocation_size();
            for step in 0..20 * n as u64 {
                let slot = (step * 7919 % n as u64) as u32;
                index.remove(hash(keys[slot as usize]), slot);
                keys[slot as usize] = n as u64 + step;
                index.insert(hash(keys[slot as usize]), slot, n, 0, |s| {
                    hash(keys[s as usize])
                });
            }
            assert_eq!(index.allocation_size(), size, "n {n}");
        }
    }

    #[test]
    fn repoint_and_reset() {
        let keys = [5u64, 6];
        let mut index = SlotIndex::new();
        index.insert(hash(6), 0, 1, 0, |_| hash(6));
        index.repoint(hash(6), 0, 1);
        assert_eq!(index.find(hash(6), |s| keys[s as usize] == 6), Some(1));
        index.reset();
        assert_eq!((index.len(), index.allocation_size()), (0, 0));
    }
}
