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
pub mod weight;
pub mod wghost;

pub use engine::{SlabCache, SlabPolicy};
pub use policy::{RingCache, RingPolicy};
pub use ring::Ring;
pub use rng::{GOLDEN_GAMMA, SplitMix64, mix64};
pub use slab::Slab;
pub use weight::{Weighing, Weighted};

use hashbrown::HashTable;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// map.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The spare index room a [`Slab`] keeps at least, up to one bucket per slot (see
/// [`SlotIndex::reserve_one`]): a hot table of a few dozen entries would otherwise refill with
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
/// Every insertion goes through [`reserve_one`](Self::reserve_one) and
/// [`insert_reserved`](Self::insert_reserved), so that a full table is rebuilt in place
/// instead of doubled. See the [crate docs](crate).
///
/// **Panic safety.** A rebuild calls the caller's `rehash`, which hashes user keys and may
/// panic. Rebuilding aside and swapping would allocate a second table at every rebuild,
/// and hashing every key first would need memory for the hashes; instead the index is
/// *partial* while a rebuild runs ([`is_partial`](Self::is_partial)), and stays so if a
/// `rehash` panics: the slots from the panicking one on are then not indexed. A partial
/// index is consistent, only incomplete: [`find`](Self::find) may miss a slot (the caller
/// then looks at its slots, as [`Slab`] does), [`remove`](Self::remove) of an unindexed
/// slot does nothing, and the next [`reserve_one`](Self::reserve_one) rebuilds it whole.
#[derive(Clone, Debug, Default)]
pub struct SlotIndex {
    table: HashTable<u32>,
    /// Whether a rebuild started and did not finish (a `rehash` panicked): some slots are
    /// not indexed.
    partial: bool,
}

impl SlotIndex {
    /// An empty index; allocates nothing.
    pub const fn new() -> Self {
        Self {
            table: HashTable::new(),
            partial: false,
        }
    }

    /// The slot whose entry hashes to `hash` and for which `is` says yes. A
    /// [partial](Self::is_partial) index may not know it.
    #[inline]
    pub fn find(&self, hash: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        self.table.find(hash, |&j| is(j)).copied()
    }

    /// Whether a rebuild was cut short by a panicking `rehash`, leaving some slots out of
    /// the index until the next [`reserve_one`](Self::reserve_one) rebuilds it.
    #[inline]
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Indexes slot `i` under `hash` in one call, for a caller that keeps no state of its
    /// own beside the index. The array holds `len` slots `0..len`, slot `i` among them
    /// already holding its key, and `rehash(j)` is the hash of slot `j`'s key. When the table
    /// has no room left (or is [partial](Self::is_partial)) it is rebuilt from `0..len`, slot
    /// `i` included, by the rule of [`reserve_one`](Self::reserve_one); if `rehash` panics,
    /// slot `i` may be left out. [`Slab`] calls `reserve_one` before it changes anything
    /// instead, and then [`insert_reserved`](Self::insert_reserved).
    #[inline]
    pub fn insert(
        &mut self,
        hash: u64,
        i: u32,
        len: usize,
        small_floor: usize,
        rehash: impl Fn(u32) -> u64,
    ) {
        if !self.partial && self.room() != 0 {
            self.table
                .insert_unique(hash, i, |_| unreachable!("room left"));
        } else {
            self.rebuild(len, len, small_floor, rehash);
        }
    }

    /// Makes room in the index for one more slot number beside the `len` slots `0..len`,
    /// all indexed (except in a [partial](Self::is_partial) index), `rehash(j)` being the hash of slot `j`'s
    /// key. This is the one place an insertion may call `rehash`, and it changes nothing
    /// the caller can see but the room (and completes a partial index), so a caller that
    /// calls it before changing anything is unchanged if it panics.
    ///
    /// When the table has no room left (or is partial) it is rebuilt from `0..len` in
    /// place, keeping `max(len / 4, min(len, small_floor))` buckets spare beside the one
    /// more and growing only if that does not fit. Less spare room would keep some tables
    /// half the size (100,000 entries in 131,072 buckets instead of 262,144), but at that
    /// load evictions leave tombstones often enough that rebuilds cost more than the memory
    /// saves (`len / 8`: put-evict at 100,000 entries 30% slower in LRU, FIFO and CLOCK). A
    /// floor (LRU uses 4096) keeps small, hot tables from refilling with tombstones within a
    /// few dozen evictions, whose misses then probe further (the capacity-64 memoization
    /// workload: 22.5 -> 16.9 ns per op); 0 spends no memory on it.
    ///
    /// `room_for` is the array's length once the slot is in: `len + 1` for a new slot,
    /// `len` for a slot whose key is replaced (it leaves the index first, with
    /// [`remove`](Self::remove)).
    #[inline]
    pub fn reserve_one(
        &mut self,
        len: usize,
        room_for: usize,
        small_floor: usize,
        rehash: impl Fn(u32) -> u64,
    ) {
        // `|`, not `||`: both tests and one branch. The replacement in place of every
        // put-evict runs this (callgrind, put-evict at 100,000 entries: LRU 226.6 -> 222.6,
        // SIEVE 256.8 -> 243.8, CLOCK 240.8 -> 247.5 instructions; register allocation).
        if self.partial | (self.room() == 0) {
            self.rebuild(len, room_for, small_floor, rehash);
        }
    }

    /// How many more slot numbers fit before the table must grow or be rebuilt: hashbrown's
    /// `growth_left`. Written as a wrapping difference because hashbrown's `capacity()` is
    /// `items + growth_left`: the compiler can fold this to one load, where
    /// `len() >= capacity()` (an add that may not wrap) loads and adds both (callgrind: LRU
    /// put-evict at 100,000 entries 229.6 -> 226.6 instructions).
    #[inline(always)]
    fn room(&self) -> usize {
        self.table.capacity().wrapping_sub(self.table.len())
    }

    /// Indexes slot `i` under `hash`, in the room [`reserve_one`](Self::reserve_one) made
    /// (or a [`remove`](Self::remove) left since): calls no user code.
    ///
    /// # Panics
    ///
    /// If there is no room: a bug in the caller.
    #[inline]
    pub fn insert_reserved(&mut self, hash: u64, i: u32) {
        debug_assert!(!self.partial && self.room() != 0);
        self.table
            .insert_unique(hash, i, |_| unreachable!("room reserved"));
    }

    /// Called once the array has reached its final length `len` (a cache that just became
    /// full): gives the table now the spare room a rebuild at this length keeps (see
    /// [`reserve_one`](Self::reserve_one)), growing it once if it has less. Later rebuilds
    /// then never grow it, so a full cache allocates nothing more, whatever its size;
    /// without this the one growth would come at the first rebuild, some evictions after
    /// the cache filled. If `rehash` panics, the index is left [partial](Self::is_partial).
    pub fn settle(&mut self, len: usize, small_floor: usize, rehash: impl Fn(u32) -> u64) {
        self.settle_before(len, len, small_floor, rehash);
    }

    /// [`settle`](Self::settle) for an array of `len` slots that is about to reach its final
    /// length `final_len` (the push that fills a slab settles before it adds its slot, so
    /// that a panicking `rehash` leaves that slot out).
    pub fn settle_before(
        &mut self,
        len: usize,
        final_len: usize,
        small_floor: usize,
        rehash: impl Fn(u32) -> u64,
    ) {
        if self.partial || full_capacity(self.table.num_buckets()) < want(final_len, small_floor) {
            self.rebuild(len, final_len, small_floor, &rehash);
        }
    }

    /// Indexes slots `0..len` afresh, with the room a table of `room_for` slots keeps.
    #[cold]
    fn rebuild(
        &mut self,
        len: usize,
        room_for: usize,
        small_floor: usize,
        rehash: impl Fn(u32) -> u64,
    ) {
        // Partial until every slot is back in: a `rehash` that panics leaves it so, the
        // slots before it indexed, and `find`'s callers look for the others.
        self.partial = true;
        self.table.clear();
        let want = want(room_for, small_floor);
        if self.table.capacity() < want {
            // Empty: the table grows without calling `rehash`.
            self.table.reserve(want, |_| unreachable!("empty table"));
        }
        for j in 0..len as u32 {
            self.table
                .insert_unique(rehash(j), j, |_| unreachable!("room reserved"));
        }
        self.partial = false;
    }

    /// Forgets slot `i`, indexed under `hash`.
    ///
    /// # Panics
    ///
    /// If slot `i` is not indexed under `hash` in a complete index: the caller's slots and
    /// index disagree. (In a [partial](Self::is_partial) one it may not be indexed at all.)
    #[inline]
    pub fn remove(&mut self, hash: u64, i: u32) {
        match self.table.find_entry(hash, |&j| j == i) {
            Ok(entry) => {
                entry.remove();
            }
            Err(_) => assert!(self.partial, "slot {i} is not indexed under its hash"),
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
        self.partial = false;
    }

    /// Forgets every slot and keeps the memory.
    pub fn clear(&mut self) {
        self.table.clear();
        self.partial = false;
    }

    /// The slot numbers indexed, in table order (for checks).
    pub fn slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.table.iter().copied()
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
    /// [`reserve_one`](Self::reserve_one)): the memory of a table that grew for more slots
    /// than the array will hold again goes back. If `rehash` panics the table stays as it
    /// was (hashbrown moves the entries into the new table only once every hash is known).
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
