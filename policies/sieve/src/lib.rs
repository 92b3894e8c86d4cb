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
use evict_slots::SlotIndex;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache. The eviction order never depends on hashes, so the seed changes no result.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// "No slot": the end of the queue, or a hand that starts from the tail. Links are 31 bits
/// wide; the top bit of `Node::older` is the visited bit.
const NIL: u32 = 0x7FFF_FFFF;
/// The visited bit, kept in the top bit of `Node::older`.
const VISITED: u32 = 0x8000_0000;

/// The largest capacity a `SieveCache` accepts: slots are addressed by 31-bit indices (the
/// 32nd bit of a link holds the visited bit) and `2³¹ - 1` marks the end of the queue.
/// Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = NIL as usize;

/// One entry. `newer` points towards the head (the newest entry), `older` towards the tail;
/// the visited bit rides in `older`'s top bit, so a node is the key, the value and 8 bytes.
#[derive(Clone)]
struct Node<K, V> {
    key: K,
    value: V,
    newer: u32,
    /// `older` link in the low 31 bits, visited bit on top.
    older: u32,
}

impl<K, V> Node<K, V> {
    #[inline]
    fn older(&self) -> u32 {
        self.older & !VISITED
    }

    #[inline]
    fn set_older(&mut self, older: u32) {
        self.older = (self.older & VISITED) | older;
    }

    #[inline]
    fn visited(&self) -> bool {
        self.older & VISITED != 0
    }
}

/// A SIEVE cache (Zhang et al., NSDI 2024): one FIFO queue with a visited bit per entry and
/// a hand that walks from the tail towards the head, evicting unvisited entries wherever it
/// finds them. A hit only sets the bit.
///
/// Entries live in one dense `Vec` linked into the queue by `u32` indices; a hashbrown
/// `HashTable<u32>` maps keys to slots. See the [crate docs](crate) for the exact rules and
/// costs.
///
/// # Examples
///
/// ```
/// use evict_sieve::{Cache, Put, SieveCache};
///
/// let mut cache = SieveCache::new(3);
/// for k in [1, 2, 3] {
///     assert_eq!(cache.put(k, k * 10), Put::Inserted);
/// }
/// assert_eq!(cache.get(&1), Some(&10)); // 1, the oldest, is visited
/// // The hand starts at the tail: 1 is visited (its bit is cleared), 2 is not: 2 goes.
/// assert_eq!(cache.put(4, 40), Put::Evicted(2, 20));
/// // The hand stayed at 3, so 3 goes next, although 1 is older.
/// assert_eq!(cache.put(5, 50), Put::Evicted(3, 30));
/// ```
#[derive(Clone)]
pub struct SieveCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live. `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// The newest entry, or `NIL` when empty.
    head: u32,
    /// The oldest entry, or `NIL` when empty.
    tail: u32,
    /// Where the next eviction starts; `NIL` means at the tail.
    hand: u32,
    capacity: u32,
    hasher: S,
    stats: Stats,
}

impl<K, V> SieveCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (clamped to [`MAX_CAPACITY`]).
    /// Capacity 0 caches nothing, as Python's `lru_cache(maxsize=0)`.
    ///
    /// Memory is allocated as entries arrive, never more than `capacity` entries' worth.
    ///
    /// ```
    /// use evict_sieve::{Cache, Put, SieveCache};
    ///
    /// let mut none: SieveCache<u8, u8> = SieveCache::new(0);
    /// assert_eq!(none.put(1, 1), Put::Rejected(1, 1));
    /// assert_eq!(none.get(&1), None);
    /// assert_eq!(none.info().to_string(), "CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K, V, S> SieveCache<K, V, S> {
    /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
    ///
    /// ```
    /// use evict_sieve::{Cache, DefaultHashBuilder, SieveCache};
    ///
    /// let cache: SieveCache<u64, u64> = SieveCache::with_hasher(100, DefaultHashBuilder::default());
    /// assert_eq!(cache.capacity(), Some(100));
    /// ```
    pub fn with_hasher(capacity: usize, hasher: S) -> Self {
        Self {
            nodes: Vec::new(),
            table: SlotIndex::new(),
            head: NIL,
            tail: NIL,
            hand: NIL,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            hasher,
            stats: Stats::default(),
        }
    }

    /// Iterates over the entries from the newest (the head of the queue) to the oldest (the
    /// tail), without counting lookups or changing any visited bit.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// let _ = cache.get(&1); // a hit does not move anything
    /// let keys: Vec<_> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [3, 2, 1]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            nodes: &self.nodes,
            at: self.head,
            left: self.nodes.len(),
        }
    }

    /// The key the next eviction starts from (the hand), or `None` if it starts from the
    /// tail. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(3);
    /// for k in [1, 2, 3] {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.hand(), None);
    /// let _ = cache.put(4, ()); // evicts 1; the hand stays at the next newer entry
    /// assert_eq!(cache.hand(), Some(&2));
    /// ```
    pub fn hand(&self) -> Option<&K> {
        self.nodes.get(self.hand as usize).map(|node| &node.key)
    }

    /// Whether `key`'s entry was visited since the hand last passed it: the next sweep will
    /// spare it. `None` if `key` is not cached. Counts nothing and changes nothing.
    ///
    /// ```
    /// use evict_sieve::{Cache, SieveCache};
    ///
    /// let mut cache = SieveCache::new(2);
    /// let _ = cache.put("a", 1);
    /// assert_eq!(cache.is_visited(&"a"), Some(false));
    /// let _ = cache.get(&"a");
    /// assert_eq!(cache.is_visited(&"a"), Some(true));
    /// assert_eq!(cache.is_visited(&"b"), None);
    /// ```
    pub fn is_visited(&self, key: &K) -> Option<bool>
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let i = self.find(self.hasher.hash_one(key), key)?;
        Some(self.nodes[i as usize].visited())
    }

    /// Detaches slot `i` from the queue (its visited bit is kept).
    #[inline]
    fn unlink(&mut self, i: u32) {
        let node = &self.nodes[i as usize];
        let (newer, older) = (node.newer, node.older());
        match newer {
            NIL => self.head = older,
            n => self.nodes[n as usize].set_older(older),
        }
        match older {
            NIL => self.tail = newer,
            o => self.nodes[o as usize].newer = newer,
        }
    }

    /// Links detached slot `i` in at the head, as the newest entry.
    #[inline]
    fn push_head(&mut self, i: u32) {
        let old_head = self.head;
        {
            let node = &mut self.nodes[i as usize];
            node.newer = NIL;
            node.set_older(old_head);
        }
        match old_head {
            NIL => self.tail = i,
            h => self.nodes[h as usize].newer = i,
        }
        self.head = i;
    }

    /// Checks that the queue, the hand, the slots and the table agree. For tests.
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: Hash + Eq,
        S: BuildHasher,
    {
        let n = self.nodes.len();
        assert!(n <= self.capacity as usize, "len {n} > capacity");
        assert_eq!(self.table.len(), n, "table and slots disagree on len");
        assert!(
            self.hand == NIL || (self.hand as usize) < n,
            "hand {} outside {n} slots",
            self.hand
        );
        let mut seen = 0;
        let mut newer = NIL;
        let mut at = self.head;
        while at != NIL {
            let node = &self.nodes[at as usize];
            assert_eq!(node.newer, newer, "broken newer link at slot {at}");
            let hash = self.hasher.hash_one(&node.key);
            assert_eq!(
                self.table.find(hash, |i| i == at),
                Some(at),
                "slot {at} not reachable from the table"
            );
            assert_eq!(
                self.find(hash, &node.key),
                Some(at),
                "key of slot {at} found elsewhere"
            );
            seen += 1;
            assert!(seen <= n, "cycle in the queue");
            newer = at;
            at = node.older();
        }
        assert_eq!(self.tail, newer, "tail is not the last node");
        assert_eq!(seen, n, "queue does not cover every slot");
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> SieveCache<K, V, S> {
    #[inline]
    fn find(&self, hash: u64, key: &K) -> Option<u32> {
        let nodes = &self.nodes;
        self.table.find(hash, |i| nodes[i as usize].key == *key)
    }

    /// Drops slot `i`'s table entry.
    #[inline]
    fn unindex(&mut self, hash: u64, i: u32) {
        self.table.remove(hash, i);
    }

    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), 4096, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// SIEVE's victim: from the hand (or the tail), clear visited bits moving towards the
    /// head, wrapping to the tail, and stop at the first unvisited entry. The hand is left
    /// at the entry just newer than the victim (`NIL` if the victim is the head, so the
    /// next sweep starts from the tail), as libCacheSim's `Sieve.c` does.
    #[inline]
    fn sweep(&mut self) -> u32 {
        let mut at = if self.hand == NIL {
            self.tail
        } else {
            self.hand
        };
        loop {
            let node = &mut self.nodes[at as usize];
            if node.older & VISITED == 0 {
                self.hand = node.newer;
                return at;
            }
            node.older &= !VISITED;
            at = if node.newer == NIL {
                self.tail
            } else {
                node.newer
            };
        }
    }

    /// Takes slot `i` out: its queue links, its table entry, and its place in the dense
    /// `Vec` (filled by the last slot, whose links, table entry and hand are repointed).
    fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
        if self.hand == i {
            // libCacheSim: the hand moves to the next newer entry (or back to the tail).
            self.hand = self.nodes[i as usize].newer;
        }
        self.unlink(i);
        self.unindex(hash, i);
        let last = (self.nodes.len() - 1) as u32;
        let node = self.nodes.swap_remove(i as usize);
        if i != last {
            // The node that was at `last` now lives at `i`: repoint its neighbours, its
            // table entry and the hand.
            let moved = &self.nodes[i as usize];
            let (newer, older) = (moved.newer, moved.older());
            match newer {
                NIL => self.head = i,
                n => self.nodes[n as usize].set_older(i),
            }
            match older {
                NIL => self.tail = i,
                o => self.nodes[o as usize].newer = i,
            }
            if self.hand == last {
                self.hand = i;
            }
            let moved_hash = self.hasher.hash_one(&self.nodes[i as usize].key);
            self.table.repoint(moved_hash, last, i);
        }
        (node.key, node.value)
    }
}

impl<K, V, S> Cache<K, V> for SieveCache<K, V, S>
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
                let node = &mut self.nodes[i as usize];
                // Write only when the bit changes: a hot entry's cache line stays clean, so
                // hits cost no write-back traffic.
                if node.older & VISITED == 0 {
                    node.older |= VISITED;
                }
                Some(&node.value)
            }
            None => {
                self.stats.miss();
                None
            }
        }
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        let hash = self.hasher.hash_one(key);
        self.find(hash, key).map(|i| &self.nodes[i as usize].value)
    }

    /// Inserts or replaces. Replacing the value of a cached key counts as a request for it:
    /// it sets the visited bit, as a hit does, and moves nothing. A new key goes to the head
    /// with its bit clear, after the hand has evicted an entry if the cache was full.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            let node = &mut self.nodes[i as usize];
            node.older |= VISITED;
            return Put::Replaced(core::mem::replace(&mut node.value, value));
        }
        if self.capacity == 0 {
            return Put::Rejected(key, value);
        }
        if self.nodes.len() < self.capacity as usize {
            let i = self.nodes.len() as u32;
            if self.nodes.len() == self.nodes.capacity() {
                // Grow geometrically but never past the capacity: a full cache holds exactly
                // `capacity` slots and never allocates again.
                let room = self.capacity as usize - self.nodes.len();
                self.nodes.reserve_exact(self.nodes.len().max(4).min(room));
            }
            self.nodes.push(Node {
                key,
                value,
                newer: NIL,
                older: NIL,
            });
            self.push_head(i);
            self.index(hash, i);
            return Put::Inserted;
        }
        // Full: evict the hand's victim and reuse its slot in place.
        let victim = self.sweep();
        self.unlink(victim);
        let victim_hash = self.hasher.hash_one(&self.nodes[victim as usize].key);
        self.unindex(victim_hash, victim);
        let node = &mut self.nodes[victim as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        node.older = NIL; // and the visited bit clear (it was, or it would not be the victim)
        self.push_head(victim);
        // The table never grows here: one entry left and one comes back.
        self.index(hash, victim);
        Put::Evicted(old_key, old_value)
    }

    /// Removes `key`. If the hand was on it, the hand moves to the next newer entry (to the
    /// tail if it was the head), as in libCacheSim; nothing else changes.
    fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let i = self.find(hash, key)?;
        Some(self.remove_slot(i, hash).1)
    }

    #[inline]
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn capacity(&self) -> Option<usize> {
        Some(self.capacity as usize)
    }

    fn info(&self) -> CacheInfo {
        self.stats
            .info(Some(self.capacity as usize), self.nodes.len())
    }

    /// Drops every entry, gives the memory back (as Python's `cache_clear()` does), sends
    /// the hand back to the tail and resets the counters.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table = SlotIndex::new();
        self.head = NIL;
        self.tail = NIL;
        self.hand = NIL;
        self.stats.reset();
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for SieveCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Entries<'a, K, V>(Iter<'a, K, V>);
        impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entries<'_, K, V> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.clone()).finish()
            }
        }
        f.debug_struct("SieveCache")
            .field("capacity", &self.capacity)
            .field("newest_first", &Entries(self.iter()))
            .field("hand", &self.hand())
            .field("stats", &self.stats)
            .finish()
    }
}

/// Iterator over a [`SieveCache`]'s entries, newest first. See [`SieveCache::iter`].
#[derive(Debug)]
pub struct Iter<'a, K, V> {
    nodes: &'a [Node<K, V>],
    at: u32,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        let node = self.nodes.get(self.at as usize)?;
        self.at = node.older();
        self.left -= 1;
        Some((&node.key, &node.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

// Not derived: a derive would demand `K: Clone, V: Clone`, but only references are copied.
impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self { ..*self }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Node<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.key, self.value)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use evict_harness::model;

    evict_harness::conformance!(
        conformance,
        SieveCache::new,
        model = model::sieve::Sieve::new,
        validate = |c: &SieveCache<u8, u16>| c.check_invariants()
    );

    fn keys<K: Copy, V, S>(c: &SieveCache<K, V, S>) -> Vec<K> {
        c.iter().map(|(k, _)| *k).collect()
    }

    /// Queue, oldest first: A B C D E F G H; A, B and G visited. The eviction for I clears
    /// A and B and evicts C; the hand stays at D, so the eviction for J takes D at once,
    /// although A and B are older.
    #[test]
    fn worked_example() {
        let mut c = SieveCache::new(8);
        for k in ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] {
            assert_eq!(c.put(k, ()), Put::Inserted);
        }
        for k in ['A', 'B', 'G'] {
            assert_eq!(c.get(&k), Some(&()));
        }
        assert_eq!(c.put('I', ()), Put::Evicted('C', ()));
        assert_eq!(c.is_visited(&'A'), Some(false));
        assert_eq!(c.is_visited(&'B'), Some(false));
        assert_eq!(c.hand(), Some(&'D'));
        assert_eq!(c.put('J', ()), Put::Evicted('D', ()));
        assert_eq!(c.hand(), Some(&'E'));
        assert_eq!(keys(&c), ['J', 'I', 'H', 'G', 'F', 'E', 'B', 'A']);
        c.check_invariants();
    }

    #[test]
    fn hand_wraps_from_head_to_tail() {
        let mut c = SieveCache::new(3);
        for k in [1, 2, 3] {
            let _ = c.put(k, k);
        }
        for k in [1, 2, 3] {
            let _ = c.get(&k);
        }
        // Every bit set: one full turn clears them all, the tail (1) goes, the hand moves
        // to 2.
        assert_eq!(c.put(4, 4), Put::Evicted(1, 1));
        assert_eq!(c.hand(), Some(&2));
        let _ = c.get(&2);
        let _ = c.get(&3);
        // From 2: 2 and 3 are visited, then 4 (the head, unvisited) is evicted and the
        // hand, past the head, goes back to the tail.
        assert_eq!(c.put(5, 5), Put::Evicted(4, 4));
        assert_eq!(c.hand(), None);
        c.check_invariants();
    }

    #[test]
    fn a_hit_moves_nothing_and_replace_sets_the_bit() {
        let mut c = SieveCache::new(2);
        let _ = c.put(1, 10);
        let _ = c.put(2, 20);
        assert_eq!(c.put(1, 11), Put::Replaced(10));
        assert_eq!(keys(&c), [2, 1]);
        assert_eq!(c.is_visited(&1), Some(true));
        assert_eq!(c.put(3, 30), Put::Evicted(2, 20));
        assert_eq!(keys(&c), [3, 1]);
    }

    #[test]
    fn remove_under_the_hand_moves_it_towards_the_head() {
        let mut c = SieveCache::new(4);
        for k in [1, 2, 3, 4, 5] {
            let _ = c.put(k, k); // 5 evicts 1; the hand is at 2
        }
        assert_eq!(c.hand(), Some(&2));
        assert_eq!(c.remove(&2), Some(2));
        assert_eq!(c.hand(), Some(&3));
        assert_eq!(c.remove(&5), Some(5)); // the slot of 5 (slot 0) is refilled by the last
        c.check_invariants();
        assert_eq!(c.hand(), Some(&3));
        assert_eq!(keys(&c), [4, 3]);
        assert_eq!(c.remove(&4), Some(4));
        assert_eq!(c.remove(&3), Some(3));
        assert_eq!(c.hand(), None);
        c.check_invariants();
    }

    #[test]
    fn peek_does_not_visit() {
        let mut c = SieveCache::new(2);
        let _ = c.put(1, 1);
        let _ = c.put(2, 2);
        assert_eq!(c.peek(&1), Some(&1));
        assert_eq!(c.is_visited(&1), Some(false));
        assert_eq!(c.put(3, 3), Put::Evicted(1, 1));
    }

    /// SIEVE's point: new entries that are not asked for again leave before the popular
    /// ones, whatever their age. Five hot keys read every round stay cached while two new
    /// one-hit wonders arrive per round (FIFO would push each hot key out every few rounds).
    #[test]
    fn one_hit_wonders_do_not_flush_the_hot_set() {
        let mut c = SieveCache::new(10);
        let mut evicted_hot = 0;
        for round in 0..100u32 {
            for k in 0..5u32 {
                if c.get(&k).is_none() {
                    let _ = c.put(k, ());
                }
            }
            for j in 0..2u32 {
                if let Put::Evicted(k, ()) = c.put(1000 + round * 2 + j, ()) {
                    evicted_hot += u32::from(k < 5);
                }
            }
        }
        assert_eq!(evicted_hot, 0);
        assert_eq!(c.info().misses, 5); // the first round only
        c.check_invariants();
    }

    #[test]
    fn huge_capacity_is_clamped_not_allocated() {
        let c: SieveCache<u64, u64> = SieveCache::new(usize::MAX);
        assert_eq!(c.capacity(), Some(MAX_CAPACITY));
        assert_eq!(c.nodes.capacity(), 0);
    }

    #[test]
    fn a_node_is_key_value_and_two_links() {
        assert_eq!(core::mem::size_of::<Node<u64, u64>>(), 24);
    }

    /// Evictions in a full cache must not grow the table: it keeps the allocation it had
    /// once full, however many entries come and go.
    #[test]
    fn churn_does_not_grow_the_table() {
        for cap in [80usize, 1000] {
            let mut c = SieveCache::new(cap);
            for k in 0..cap as u64 {
                let _ = c.put(k, k);
            }
            let filled = c.table.allocation_size();
            for k in cap as u64..200_000 {
                if k % 3 == 0 {
                    let _ = c.get(&(k - 1));
                }
                assert!(matches!(c.put(k, k), Put::Evicted(..)));
            }
            c.check_invariants();
            assert_eq!(c.table.allocation_size(), filled, "capacity {cap}");
            assert_eq!(c.nodes.capacity(), cap);
        }
        // 100 entries would leave fewer than 100 / 4 of a 128-bucket table's 112 usable
        // buckets free: the table doubles once, then stays put.
        let mut c = SieveCache::new(100);
        let mut sizes = Vec::new();
        for k in 0..400_000u64 {
            let _ = c.put(k, k);
            if k % 50_000 == 49_999 {
                sizes.push(c.table.allocation_size());
            }
        }
        assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");
        c.check_invariants();
    }
}
