#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;

use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Put};
use hashbrown::HashTable;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. The eviction order never depends on hashes, so the seed changes no result.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// "No slot": the end of the free-slot list.
const NIL: u32 = u32::MAX;

/// The largest capacity a `ClockCache` accepts: slots are addressed by `u32`, and `u32::MAX`
/// marks the end of the free list. Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = (u32::MAX - 1) as usize;

/// A cached entry and its reference bit, side by side so that a hit writes to the cache
/// line it has just read the key from.
#[derive(Clone)]
struct Entry<K, V> {
    key: K,
    value: V,
    referenced: bool,
}

/// One slot of the ring. A `remove` leaves a `Free` slot where the entry was; free slots
/// form a stack (`next` is the slot freed before this one) and are filled before the ring
/// grows. `Free` fits beside the `bool`'s spare bit patterns, so a slot is no larger than
/// an `Entry`.
#[derive(Clone)]
enum Slot<K, V> {
    Full(Entry<K, V>),
    Free { next: u32 },
}

/// A CLOCK (second-chance) cache: a ring of slots, each with a reference bit, and a hand.
/// A hit sets the bit; when the cache is full, a new key makes the hand sweep, clearing set
/// bits, until it finds a slot whose bit is clear: that entry is evicted and the newcomer
/// takes its slot, its bit clear.
///
/// The ring is one `Vec` of slots (`key`, `value` and the bit together); a hashbrown
/// `HashTable<u32>` maps keys to slots. See the [crate docs](crate) for the exact rules and
/// costs.
///
/// # Examples
///
/// ```
/// use evict_clock::{Cache, ClockCache, Put};
///
/// let mut cache = ClockCache::new(2);
/// assert_eq!(cache.put(1, "one"), Put::Inserted);
/// assert_eq!(cache.put(2, "two"), Put::Inserted);
/// assert_eq!(cache.get(&1), Some(&"one")); // sets 1's reference bit
/// // The hand clears 1's bit (a second chance) and evicts 2, whose bit is clear.
/// assert_eq!(cache.put(3, "three"), Put::Evicted(2, "two"));
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
/// ```
#[derive(Clone)]
pub struct ClockCache<K, V, S = DefaultHashBuilder> {
    /// The ring. It grows by pushes until it holds `capacity` slots and never shrinks
    /// until `clear`.
    slots: Vec<Slot<K, V>>,
    /// Key hash -> index of its (full) slot.
    table: HashTable<u32>,
    /// The slot the next sweep starts at. `0` until the ring first fills.
    hand: u32,
    /// The most recently freed slot, or `NIL`.
    free: u32,
    /// Full slots.
    len: u32,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> ClockCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]).
    /// Capacity 0 caches nothing, as Python's `lru_cache(maxsize=0)`.
    ///
    /// Memory is allocated as entries arrive, never more than `capacity` slots' worth.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache, Put};
    ///
    /// let mut none: ClockCache<u8, u8> = ClockCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> ClockCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache, DefaultHashBuilder};
    ///
    /// let cache: ClockCache<u64, u64> = ClockCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            slots: Vec::new(),
            table: HashTable::new(),
            hand: 0,
            free: NIL,
            len: 0,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            hasher,
            stats: Stats::default(),
        }
    }

    /// Iterates over the entries in the order the hand will visit them, starting at the
    /// hand, without counting lookups or changing any reference bit.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache};
    ///
    /// let mut cache = ClockCache::new(3);
    /// for k in [1, 2, 3, 4] {
    ///     let _ = cache.put(k, k * 10); // 4 replaces 1 in slot 0; the hand moves to 2
    /// }
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [2, 3, 4]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        let (behind, ahead) = self.slots.split_at(self.hand as usize);
        Iter {
            slots: ahead.iter().chain(behind.iter()),
            left: self.len as usize,
        }
    }

    /// Whether `key`'s entry would get a second chance from the hand: its reference bit is
    /// set. `None` if `key` is not cached. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_clock::{Cache, ClockCache};
    ///
    /// let mut cache = ClockCache::new(2);
    /// let _ = cache.put("a", 1);
    /// assert_eq!(cache.is_referenced(&"a"), Some(false)); // a newcomer's bit starts clear
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.is_referenced(&"a"), Some(true));
    /// assert_eq!(cache.is_referenced(&"b"), None);
    /// ```
    pub fn is_referenced(&self, key: &K) -> Option<bool>
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let i = self.find(self.hasher.hash_one(key), key)?;
        match &self.slots[i as usize] {
            Slot::Full(entry) => Some(entry.referenced),
            Slot::Free { .. } => None,
        }
    }

    /// Moves the hand to the next slot of the ring.
    #[inline]
    fn advance(&mut self) {
        self.hand += 1;
        if self.hand as usize == self.slots.len() {
            self.hand = 0;
        }
    }

    /// Checks that the ring, the free list and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.slots.len();
        assert!(n <= self.capacity as usize, "ring of {n} slots > capacity");
        assert!(
            (self.hand as usize) < n || (n == 0 && self.hand == 0),
            "hand {} outside a ring of {n}",
            self.hand
        );
        let mut full = 0;
        for (i, slot) in self.slots.iter().enumerate() {
            if let Slot::Full(entry) = slot {
                full += 1;
                let hash = self.hasher.hash_one(&entry.key);
                assert_eq!(
                    self.table.find(hash, |&j| j as usize == i).copied(),
                    Some(i as u32),
                    "slot {i} not reachable from the table"
                );
                assert_eq!(
                    self.find(hash, &entry.key),
                    Some(i as u32),
                    "key of slot {i} found elsewhere"
                );
            }
        }
        assert_eq!(full, self.len as usize, "len disagrees with the full slots");
        assert_eq!(self.table.len(), full, "table and slots disagree on len");
        let mut free = 0;
        let mut at = self.free;
        while at != NIL {
            match self.slots[at as usize] {
                Slot::Free { next } => at = next,
                Slot::Full(_) => panic!("full slot {at} on the free list"),
            }
            free += 1;
            assert!(free <= n, "cycle in the free list");
        }
        assert_eq!(free + full, n, "free list misses free slots");
    }
}

/// The key of a slot the table points to: always a full one.
#[inline]
fn key_of<K, V>(slot: &Slot<K, V>) -> &K {
    match slot {
        Slot::Full(entry) => &entry.key,
        Slot::Free { .. } => unreachable!("the table points only at full slots"),
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> ClockCache<K, V, S> {
    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let slots = &self.slots;
        self.table
            .find(hash, |&i| match &slots[i as usize] {
                Slot::Full(entry) => entry.key == *key,
                Slot::Free { .. } => false,
            })
            .copied()
    }

    /// Points `hash` at slot `i` in the table (the key is known to be absent).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let slots = &self.slots;
        let hasher = &self.hasher;
        self.table
            .insert_unique(hash, i, |&j| hasher.hash_one(key_of(&slots[j as usize])));
    }

    /// Drops slot `i`'s table entry.
    #[inline]
    fn unindex(&mut self, hash: u64, i: u32) {
        match self.table.find_entry(hash, |&j| j == i) {
            Ok(entry) => {
                entry.remove();
            }
            Err(_) => unreachable!("every full slot has a table entry"),
        }
    }

    /// The full ring's victim: sweeps from the hand, clearing set bits, and stops at the
    /// first slot whose bit is clear (after at most one turn, all bits are clear). Leaves
    /// the hand on the victim.
    #[inline]
    fn sweep(&mut self) -> u32 {
        loop {
            match &mut self.slots[self.hand as usize] {
                Slot::Full(entry) if entry.referenced => entry.referenced = false,
                Slot::Full(_) => return self.hand,
                Slot::Free { .. } => unreachable!("a full ring has no free slot"),
            }
            self.advance();
        }
    }
}

impl<K, V, S> Cache<K, V> for ClockCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        match self.find(hash, key) {
            Some(i) => {
                self.stats.hit();
                match &mut self.slots[i as usize] {
                    Slot::Full(entry) => {
                        // Write only when the bit changes: a hot entry's cache line stays
                        // clean, so hits cost no write-back traffic.
                        if !entry.referenced {
                            entry.referenced = true;
                        }
                        Some(&entry.value)
                    }
                    Slot::Free { .. } => None,
                }
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let i = self.find(self.hasher.hash_one(key), key)?;
        match &self.slots[i as usize] {
            Slot::Full(entry) => Some(&entry.value),
            Slot::Free { .. } => None,
        }
    }

    /// Inserts or replaces. Replacing the value of a cached key counts as a use: it sets the
    /// reference bit, as a hit does. A new key goes into the most recently freed slot (left
    /// by `remove`), else into a new slot while the ring is shorter than the capacity, else
    /// into the slot of the entry the hand evicts; its bit starts clear.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            return match &mut self.slots[i as usize] {
                Slot::Full(entry) => {
                    entry.referenced = true;
                    Put::Replaced(core::mem::replace(&mut entry.value, value))
                }
                Slot::Free { .. } => unreachable!("the table points only at full slots"),
            };
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        let fresh = Entry {
            key,
            value,
            referenced: false,
        };
        if self.free != NIL {
            let i = self.free;
            match core::mem::replace(&mut self.slots[i as usize], Slot::Full(fresh)) {
                Slot::Free { next } => self.free = next,
                Slot::Full(_) => unreachable!("the free list holds only free slots"),
            }
            self.len += 1;
            self.index(hash, i);
            return Put::Inserted;
        }
        if self.slots.len() < self.capacity as usize {
            let i = self.slots.len() as u32;
            if self.slots.len() == self.slots.capacity() {
                // Grow geometrically but never past the capacity: a full ring holds exactly
                // `capacity` slots and never allocates again.
                let room = self.capacity as usize - self.slots.len();
                self.slots.reserve_exact(self.slots.len().max(4).min(room));
            }
            self.slots.push(Slot::Full(fresh));
            self.len += 1;
            self.index(hash, i);
            return Put::Inserted;
        }
        // Full: no free slot, the ring is `capacity` long.
        let victim = self.sweep();
        let old = match core::mem::replace(&mut self.slots[victim as usize], Slot::Full(fresh)) {
            Slot::Full(entry) => entry,
            Slot::Free { .. } => unreachable!("the sweep stops on a full slot"),
        };
        let old_hash = self.hasher.hash_one(&old.key);
        self.unindex(old_hash, victim);
        // The table never grows here: one entry left and one comes back.
        self.index(hash, victim);
        self.advance();
        Put::Evicted(old.key, old.value)
    }

    /// Removes `key`; its slot becomes free (the hand and every other entry stay where they
    /// are) and the next new key fills it.
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        self.unindex(hash, i);
        let freed = core::mem::replace(&mut self.slots[i as usize], Slot::Free { next: self.free });
        self.free = i;
        self.len -= 1;
        match freed {
            Slot::Full(entry) => Some(entry.value),
            Slot::Free { .. } => unreachable!("the table points only at full slots"),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.len as usize
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.len as usize)
    }

    /// Drops every entry, gives the memory back (as Python's `cache_clear()` does), puts
    /// the hand back at the start and resets the counters.
    fn clear(&mut self) {
        self.slots = Vec::new();
        self.table = HashTable::new();
        self.hand = 0;
        self.free = NIL;
        self.len = 0;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for ClockCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("ClockCache")
            .field("capacity", &self.capacity)
            .field("from_hand", &Entries(self.iter()))
            .field("stats", &self.stats)
            .finish()
    }
}

/// The slots from the hand to the end of the ring, then from the start to the hand.
type RingOrder<'a, K, V> =
    core::iter::Chain<core::slice::Iter<'a, Slot<K, V>>, core::slice::Iter<'a, Slot<K, V>>>;

/// Iterator over a [`ClockCache`]'s entries in the hand's order. See [`ClockCache::iter`].
pub struct Iter<'a, K, V> {
    slots: RingOrder<'a, K, V>,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        for slot in self.slots.by_ref() {
            if let Slot::Full(entry) = slot {
                self.left -= 1;
                return Some((&entry.key, &entry.value));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            slots: self.slots.clone(),
            left: self.left,
        }
    }
}

impl<K, V> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("left", &self.left).finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use alloc::collections::VecDeque;
    use alloc::vec;
    use evict_harness::model;
    use proptest::prelude::*;

    evict_harness::conformance!(
        conformance,
        ClockCache::new,
        model = model::clock::Clock::new,
        validate = |c: &ClockCache<u8, u16>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &ClockCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn second_chance_then_eviction_in_ring_order() {
        let mut c = ClockCache::new(3);
        for k in [1, 2, 3] {
            assert_eq!(c.put(k, k), Put::Inserted);
        }
        assert_eq!(c.get(&1), Some(&1));
        assert_eq!(c.get(&2), Some(&2));
        // The hand clears 1 and 2, evicts 3; 4 takes slot 2 and the hand wraps to slot 0.
        assert_eq!(c.put(4, 4), Put::Evicted(3, 3));
        assert_eq!(keys(&c), [1, 2, 4]);
        assert_eq!(c.is_referenced(&1), Some(false));
        assert_eq!(c.is_referenced(&4), Some(false));
        // Nobody has a bit now: plain FIFO order from the hand.
        assert_eq!(c.put(5, 5), Put::Evicted(1, 1));
        assert_eq!(c.put(6, 6), Put::Evicted(2, 2));
        assert_eq!(c.put(7, 7), Put::Evicted(4, 4));
        c.check_invariants();
    }

    #[test]
    fn all_bits_set_means_one_full_turn() {
        let mut c = ClockCache::new(4);
        for k in 0..4 {
            let _ = c.put(k, k);
            let _ = c.get(&k);
        }
        // Every bit set: the hand clears all four and evicts where it started.
        assert_eq!(c.put(9, 9), Put::Evicted(0, 0));
        assert!(c.iter().all(|(k, _)| c.is_referenced(k) == Some(false)));
        c.check_invariants();
    }

    #[test]
    fn replace_sets_the_bit_and_keeps_the_slot() {
        let mut c = ClockCache::new(2);
        let _ = c.put(1, 10);
        let _ = c.put(2, 20);
        assert_eq!(c.put(1, 11), Put::Replaced(10));
        assert_eq!(c.is_referenced(&1), Some(true));
        assert_eq!(c.put(3, 30), Put::Evicted(2, 20));
        assert_eq!(c.peek(&1), Some(&11));
    }

    #[test]
    fn remove_frees_the_slot_for_the_next_newcomer() {
        let mut c = ClockCache::new(3);
        for k in [1, 2, 3, 4] {
            let _ = c.put(k, k); // ring: [4, 2, 3], hand at slot 1 (key 2)
        }
        assert_eq!(c.remove(&3), Some(3));
        c.check_invariants();
        assert_eq!(keys(&c), [2, 4]);
        assert_eq!(c.put(5, 5), Put::Inserted); // into 3's slot, behind 2
        assert_eq!(keys(&c), [2, 5, 4]);
        assert_eq!(c.put(6, 6), Put::Evicted(2, 2));
        c.check_invariants();
    }

    #[test]
    fn peek_does_not_set_the_bit() {
        let mut c = ClockCache::new(2);
        let _ = c.put(1, 1);
        let _ = c.put(2, 2);
        assert_eq!(c.peek(&1), Some(&1));
        assert_eq!(c.is_referenced(&1), Some(false));
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: ClockCache<u64, u64> = ClockCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.slots.capacity(), 0);
    }

    #[test]
    fn a_slot_is_no_larger_than_key_value_and_a_bool() {
        assert_eq!(core::mem::size_of::<Slot<u64, u64>>(), 24);
    }

    /// libCacheSim's formulation (Clock.c): a FIFO queue, newcomers at the head with a clear
    /// bit, a hit sets the bit, and eviction looks at the tail: a set bit is cleared and the
    /// entry moves to the head; the first clear one leaves. Written independently of the
    /// ring, it must evict the same keys for any request stream ("get; on a miss, put").
    fn fifo_reinsertion(capacity: usize, requests: &[u8]) -> (u64, Vec<(usize, u8)>) {
        let mut queue: VecDeque<(u8, bool)> = VecDeque::new(); // front = head (newest)
        let mut hits = 0;
        let mut evicted = vec![];
        for (t, &k) in requests.iter().enumerate() {
            if let Some(e) = queue.iter_mut().find(|(key, _)| *key == k) {
                e.1 = true;
                hits += 1;
                continue;
            }
            if queue.len() == capacity {
                loop {
                    let (key, bit) = queue.pop_back().unwrap();
                    if bit {
                        queue.push_front((key, false));
                    } else {
                        evicted.push((t, key));
                        break;
                    }
                }
            }
            queue.push_front((k, false));
        }
        (hits, evicted)
    }

    proptest! {
        #[test]
        fn same_as_libcachesim_fifo_reinsertion(
            capacity in 1usize..10,
            requests in proptest::collection::vec(0u8..20, 0..300),
        ) {
            let mut c = ClockCache::new(capacity);
            let mut evicted = vec![];
            for (t, &k) in requests.iter().enumerate() {
                if c.get(&k).is_none()
                    && let Put::Evicted(old, _) = c.put(k, ())
                {
                    evicted.push((t, old));
                }
            }
            let (hits, expected) = fifo_reinsertion(capacity, &requests);
            prop_assert_eq!(c.info().hits, hits);
            prop_assert_eq!(evicted, expected);
        }
    }
}
