//! [`Slab`]: the entries of a cache in slots `0..len` of one dense `Vec`, found by key
//! through a [`SlotIndex`], with the hasher that feeds it.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use crate::{SPARE_FLOOR, SlotIndex};

/// One slot: a key and what the layer above keeps with it (a value and links).
#[derive(Clone, Debug)]
pub(crate) struct Entry<K, T> {
    pub(crate) key: K,
    pub(crate) item: T,
}

/// Keys and their items in slots `0..len` of one dense `Vec` (no holes, no free list, no
/// `Option` per slot), a [`SlotIndex`] from key hash to slot, and the hasher, so that the
/// layers above never hash a key themselves nor pass a rehash function around.
///
/// A slot's key cannot change in place: it is set by [`push`](Self::push) and
/// [`replace`](Self::replace), which index it, so the index always agrees with the slots.
/// Slot numbers are `u32`; methods that take one panic if it is not `< len`, which is a bug
/// in the caller, not bad input. Lookups take any borrowed form of the key (`&str` for
/// `String` keys), as `HashMap` does.
///
/// ```
/// use evict_slots::{DefaultHashBuilder, Slab};
///
/// let mut slab: Slab<String, u32> = Slab::with_hasher(DefaultHashBuilder::default());
/// for (n, word) in ["one", "two", "three"].into_iter().enumerate() {
///     let hash = slab.hash(word);
///     slab.push(hash, word.to_string(), n as u32, 3);
/// }
/// let two = slab.find("two").unwrap();
/// assert_eq!((slab.key(two).as_str(), *slab.item(two)), ("two", 1));
/// // Removing a slot moves the last one into the gap.
/// let (key, item, moved_from) = slab.swap_remove(0);
/// assert_eq!((key.as_str(), item, moved_from), ("one", 0, 2));
/// assert_eq!(slab.find("three"), Some(0));
/// ```
#[derive(Clone, Debug)]
pub struct Slab<K, T, S = crate::DefaultHashBuilder> {
    entries: Vec<Entry<K, T>>,
    index: SlotIndex,
    hasher: S,
}

impl<K, T, S> Slab<K, T, S> {
    /// An empty slab that hashes keys with `hasher`; allocates nothing.
    pub const fn with_hasher(hasher: S) -> Self {
        Self {
            entries: Vec::new(),
            index: SlotIndex::new(),
            hasher,
        }
    }

    /// Slots in use.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no slot is in use.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The hasher.
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Slot `i`'s key.
    #[inline(always)]
    pub fn key(&self, i: u32) -> &K {
        &self.entries[i as usize].key
    }

    /// Slot `i`'s item.
    #[inline(always)]
    pub fn item(&self, i: u32) -> &T {
        &self.entries[i as usize].item
    }

    /// Slot `i`'s item, to change (the key stays as it is).
    #[inline(always)]
    pub fn item_mut(&mut self, i: u32) -> &mut T {
        &mut self.entries[i as usize].item
    }

    /// Slot `i`'s key and item, or `None` if there is no slot `i`.
    #[inline]
    pub fn get(&self, i: u32) -> Option<(&K, &T)> {
        self.entries.get(i as usize).map(|e| (&e.key, &e.item))
    }

    /// Slots allocated (for tests of "no allocation once full").
    pub fn slot_capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// The index (for tests of its size).
    pub fn index(&self) -> &SlotIndex {
        &self.index
    }

    /// Drops every slot and gives the memory back.
    pub fn clear(&mut self) {
        self.entries = Vec::new();
        self.index.reset();
    }

    pub(crate) fn entries(&self) -> &[Entry<K, T>] {
        &self.entries
    }

    pub(crate) fn entries_mut(&mut self) -> &mut [Entry<K, T>] {
        &mut self.entries
    }

    /// The slots, taken out; the index is emptied (its memory kept).
    pub(crate) fn take_entries(&mut self) -> Vec<Entry<K, T>> {
        self.index.clear();
        core::mem::take(&mut self.entries)
    }

    /// Drains every slot; the index is emptied first (its memory kept), so dropping the
    /// drain early still leaves an empty, consistent slab.
    pub(crate) fn drain(&mut self) -> alloc::vec::Drain<'_, Entry<K, T>> {
        self.index.clear();
        self.entries.drain(..)
    }

    /// Puts slot `i` at position `rank[i]`, where `rank` is a permutation of `0..len`
    /// that `rank_of` reads from each slot (the caller stored it there), and repoints the
    /// index without hashing anything. After it, `rank_of` of slot `i` is `i`.
    pub(crate) fn permute(&mut self, rank_of: impl Fn(&T) -> u32) {
        let entries = &self.entries;
        self.index.remap(|j| rank_of(&entries[j as usize].item));
        for i in 0..self.entries.len() {
            loop {
                let r = rank_of(&self.entries[i].item) as usize;
                if r == i {
                    break;
                }
                self.entries.swap(i, r);
            }
        }
    }
}

impl<K: Hash + Eq, T, S: BuildHasher> Slab<K, T, S> {
    /// The hash of `key` (any borrowed form of the slab's key type hashes alike).
    #[inline(always)]
    pub fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The slot of `key`, whose hash is `hash`.
    #[inline(always)]
    pub fn find_hashed<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let entries = &self.entries;
        self.index
            .find(hash, |i| entries[i as usize].key.borrow() == key)
    }

    /// The slot of `key`.
    #[inline(always)]
    pub fn find<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_hashed(self.hash(key), key)
    }

    /// Adds `key` (hashing to `hash`, not in the slab yet) with `item` in a new slot `len`,
    /// and returns the slot.
    ///
    /// The `Vec` grows geometrically but never beyond `max_len` slots, so a full cache holds
    /// exactly its capacity, and the push that reaches `max_len` gives the index its final
    /// spare room ([`SlotIndex::settle`]): from then on the slab never allocates again.
    #[inline]
    pub fn push(&mut self, hash: u64, key: K, item: T, max_len: usize) -> u32 {
        let len = self.entries.len();
        if len == self.entries.capacity() {
            let room = max_len.min(crate::ring::MAX_LEN).saturating_sub(len);
            self.entries.reserve_exact(len.max(4).min(room).max(1));
        }
        self.entries.push(Entry { key, item });
        self.reindex(hash, len as u32);
        if self.entries.len() == max_len {
            let (entries, hasher) = (&self.entries, &self.hasher);
            self.index.settle(max_len, SPARE_FLOOR, |j| {
                hasher.hash_one(&entries[j as usize].key)
            });
        }
        len as u32
    }

    /// Puts `key` (hashing to `hash`, not in the slab yet) and `item` in slot `i` in place
    /// of its pair, and returns the old pair.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, char> = Slab::with_hasher(DefaultHashBuilder::default());
    /// for (k, c) in [(1, 'a'), (2, 'b')] {
    ///     slab.push(slab.hash(&k), k, c, 2);
    /// }
    /// assert_eq!(slab.replace(0, slab.hash(&3), 3, 'c'), (1, 'a'));
    /// assert_eq!((slab.find(&1), slab.find(&3)), (None, Some(0)));
    /// ```
    #[inline(always)]
    pub fn replace(&mut self, i: u32, hash: u64, key: K, item: T) -> (K, T) {
        let old_hash = self.hasher.hash_one(&self.entries[i as usize].key);
        self.index.remove(old_hash, i);
        let entry = &mut self.entries[i as usize];
        let old_key = core::mem::replace(&mut entry.key, key);
        let old_item = core::mem::replace(&mut entry.item, item);
        self.reindex(hash, i);
        (old_key, old_item)
    }

    /// Takes slot `i` out and returns its pair; the last slot moves into its place (the
    /// old `len - 1`, returned as `moved_from`: whoever pointed to it must now point to
    /// `i`; if `i` was the last slot, nothing moved and `moved_from == i`).
    pub fn swap_remove(&mut self, i: u32) -> (K, T, u32) {
        let hash = self.hasher.hash_one(&self.entries[i as usize].key);
        self.swap_remove_hashed(i, hash)
    }

    /// [`swap_remove`](Self::swap_remove) of slot `i`, whose key hashes to `hash`.
    pub fn swap_remove_hashed(&mut self, i: u32, hash: u64) -> (K, T, u32) {
        self.index.remove(hash, i);
        let last = (self.entries.len() - 1) as u32;
        let entry = self.entries.swap_remove(i as usize);
        if i != last {
            let moved_hash = self.hasher.hash_one(&self.entries[i as usize].key);
            self.index.repoint(moved_hash, last, i);
        }
        (entry.key, entry.item, last)
    }

    /// Keeps at most `max_len` slots' worth of memory (the slab must hold no more), and the
    /// index the spare room a rebuild at that length keeps: what a slab that grew to
    /// `max_len` would hold.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, ()> = Slab::with_hasher(DefaultHashBuilder::default());
    /// for k in 0..1000 {
    ///     slab.push(slab.hash(&k), k, (), 1000);
    /// }
    /// while slab.len() > 10 {
    ///     let _ = slab.swap_remove(0);
    /// }
    /// slab.shrink_to(10);
    /// assert_eq!(slab.slot_capacity(), 10);
    /// ```
    pub fn shrink_to(&mut self, max_len: usize) {
        self.entries.shrink_to(max_len);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.shrink_to(max_len, SPARE_FLOOR, |j| {
            hasher.hash_one(&entries[j as usize].key)
        });
    }

    #[inline(always)]
    fn reindex(&mut self, hash: u64, i: u32) {
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.insert(hash, i, entries.len(), SPARE_FLOOR, |j| {
            hasher.hash_one(&entries[j as usize].key)
        });
    }

    /// Checks that every key is found at its own slot and that the index holds nothing
    /// else. Panics with what is wrong. For tests.
    pub fn check(&self) {
        let n = self.entries.len();
        assert_eq!(self.index.len(), n, "index and slots disagree on len");
        for (i, entry) in self.entries.iter().enumerate() {
            assert_eq!(
                self.find(&entry.key),
                Some(i as u32),
                "slot {i} is not found by its key"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DefaultHashBuilder;

    fn slab_of(n: u32) -> Slab<u32, u32, DefaultHashBuilder> {
        let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
        for k in 0..n {
            slab.push(slab.hash(&k), k, k * 10, n as usize);
        }
        slab.check();
        slab
    }

    #[test]
    fn push_stops_at_max_len_and_settles() {
        let slab = slab_of(10);
        assert_eq!(slab.slot_capacity(), 10);
        assert!(slab.index().capacity() >= 10 / 4);
    }

    #[test]
    fn replace_and_swap_remove_keep_the_index_right() {
        let mut slab = slab_of(5);
        assert_eq!(slab.replace(2, slab.hash(&7), 7, 70), (2, 20));
        slab.check();
        assert_eq!((slab.find(&2), slab.find(&7)), (None, Some(2)));
        for victim in [0, 3, 2] {
            let key = *slab.key(victim);
            let last = slab.len() as u32 - 1;
            let (k, _, moved_from) = slab.swap_remove(victim);
            assert_eq!((k, moved_from), (key, last));
            slab.check();
        }
        assert_eq!(slab.len(), 2);
    }

    #[test]
    fn permute_moves_slots_to_their_rank() {
        let mut slab = slab_of(6);
        // Rank of key k: 5 - k, kept in the item.
        for i in 0..6 {
            *slab.item_mut(i) = 5 - *slab.key(i);
        }
        slab.permute(|&rank| rank);
        slab.check();
        let keys: Vec<u32> = (0..6).map(|i| *slab.key(i)).collect();
        assert_eq!(keys, [5, 4, 3, 2, 1, 0]);
    }

    #[test]
    fn shrink_gives_memory_back() {
        let mut slab = slab_of(1000);
        while slab.len() > 10 {
            let _ = slab.swap_remove(0);
        }
        let before = slab.index().allocation_size();
        slab.shrink_to(10);
        slab.check();
        assert_eq!(slab.slot_capacity(), 10);
        assert!(slab.index().allocation_size() < before);
    }
}
