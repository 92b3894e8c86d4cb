//! The S3-FIFO policy: where a new key goes, which entry an eviction takes (and, without
//! changing anything, which one it would take), and the `Cache` implementation.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use evict_core::{Cache, CacheInfo, Fetched, Put};

use crate::ghost::{fingerprint, ghost_capacity};
use crate::queues::{FREQ_ONE, IDX, MAIN, NIL, Node, SMALL};
use crate::{MAX_CAPACITY, S3FifoCache};

/// Spare buckets the key table keeps at least (up to the number of entries) when it is
/// rebuilt: below 65,536 entries the table is rebuilt at most half full. With fewer spares a
/// small table fills with hashbrown's tombstones within a few hundred evictions, and at 60%
/// load a miss probes further and an erase leaves a tombstone or not at random, a branch
/// that mispredicts half the time (Zipf get-or-put at 10k entries: 0.5 fewer mispredicted
/// branches per operation than with 4096). From 262,144 entries on the `len / 4` spares are
/// larger, so big caches keep their memory.
const SPARE_FLOOR: usize = 1 << 16;

impl<K, V, S> S3FifoCache<K, V, S> {
    /// Chooses exactly one entry to evict (the cache is not empty) and returns its slot and
    /// its queue (if small, its key becomes a ghost); it is left linked as that queue's
    /// tail. Entries may move between the queues on the way, as libCacheSim's
    /// `S3FIFO_evict`.
    ///
    /// This and the ghost's `take` and `push` (and the index operations under them) are
    /// `inline(always)`: with `put`, `put_mut`, `get_or_insert_with` and `pop` sharing them,
    /// LLVM no longer inlined them into `put` by itself, and the calls cost put-evict
    /// about 3%.
    #[inline(always)]
    pub(crate) fn evict(&mut self) -> (u32, usize) {
        self.has_evicted = true;
        loop {
            if self.queues[MAIN].len > self.main_target || self.queues[SMALL].len == 0 {
                // CLOCK over main: a tail read since it last came round goes back to the
                // head, one access poorer.
                loop {
                    let t = self.queues[MAIN].tail;
                    let node = &mut self.nodes[t as usize];
                    if node.next >= FREQ_ONE {
                        // The queue is a ring: moving the tail to the head is moving both
                        // ends one step.
                        node.next -= FREQ_ONE;
                        let newer = node.prev & IDX;
                        self.queues[MAIN].head = t;
                        self.queues[MAIN].tail = newer;
                    } else {
                        return (t, MAIN);
                    }
                }
            }
            while self.queues[SMALL].len > 0 {
                let t = self.queues[SMALL].tail;
                if self.nodes[t as usize].next >= 2 * FREQ_ONE {
                    // Read at least twice while on probation: promoted, frequency reset.
                    self.unlink(t);
                    self.nodes[t as usize].next &= IDX;
                    self.link_head(t, MAIN);
                } else {
                    return (t, SMALL);
                }
            }
        }
    }

    /// The slot [`evict`](Self::evict) would choose, found without moving anything.
    ///
    /// `evict` examines the main queue when it is above its target or the small queue is
    /// empty; otherwise the small queue from its oldest entry: the first one read fewer than
    /// twice is the victim, those before it move to main. Only if all of small moves does it
    /// turn to main, which then ends with the moved entries, all at frequency 0. On main,
    /// CLOCK passes over the queue from its oldest entry, taking one access from each
    /// entry it passes: the victim is the first entry, oldest first, with the lowest
    /// frequency (an entry of frequency `f` leaves on pass `f`). So: the first frequency-0
    /// entry of main, or else the small queue's oldest entry, the first moved.
    pub(crate) fn victim(&self) -> Option<u32> {
        if self.nodes.is_empty() {
            return None;
        }
        let [small, main] = self.queues;
        if main.len <= self.main_target && small.len > 0 {
            let mut at = small.tail;
            for _ in 0..small.len {
                let node = &self.nodes[at as usize];
                if node.next < 2 * FREQ_ONE {
                    return Some(at);
                }
                at = node.prev & IDX;
            }
            return Some(self.first_of_main(0).unwrap_or(small.tail));
        }
        (0..4).find_map(|f| self.first_of_main(f))
    }

    /// The oldest entry of the main queue with frequency `freq`, if any.
    fn first_of_main(&self, freq: u32) -> Option<u32> {
        let main = self.queues[MAIN];
        let mut at = main.tail;
        for _ in 0..main.len {
            let node = &self.nodes[at as usize];
            if node.next >> 30 == freq {
                return Some(at);
            }
            at = node.prev & IDX;
        }
        None
    }

    /// The queue a new key enters: main if it was a ghost, or if the small queue is at its
    /// target before the first eviction (libCacheSim's warm-up); else small.
    #[inline]
    fn entry_queue(&self, was_ghost: bool) -> usize {
        if was_ghost || (!self.has_evicted && self.queues[SMALL].len >= self.small_target) {
            MAIN
        } else {
            SMALL
        }
    }

    /// Sets the capacity and the queue targets derived from it, as the constructor does.
    pub(crate) fn set_capacity(&mut self, capacity: u32) {
        self.capacity = capacity;
        self.small_target = capacity / 10;
        self.main_target = capacity - self.small_target;
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> S3FifoCache<K, V, S> {
    /// Indexes slot `i` under `hash`; when tombstones use up the table's room it is
    /// rebuilt in place rather than doubled (see `evict_slots::SlotIndex::insert`).
    #[inline]
    fn index(&mut self, hash: u64, i: u32) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.insert(hash, i, nodes.len(), SPARE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
    }

    /// Indexes every slot again in a new table; `resize` gives the memory of a table sized
    /// for a larger cache back this way.
    pub(crate) fn reindex_all(&mut self) {
        self.table.reset();
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        for (j, node) in nodes.iter().enumerate() {
            // The table indexes slots `0..=j` so far: a rebuild must not see the others.
            self.table.insert(
                hasher.hash_one(&node.key),
                j as u32,
                j + 1,
                SPARE_FLOOR,
                |s| hasher.hash_one(&nodes[s as usize].key),
            );
        }
    }

    /// The cache just became full: the table gets its final spare room now, so that it
    /// never grows again (see `evict_slots::SlotIndex::settle`), and the ghost its memory,
    /// so that evictions never allocate.
    #[cold]
    pub(crate) fn on_full(&mut self) {
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table.settle(nodes.len(), SPARE_FLOOR, |j| {
            hasher.hash_one(&nodes[j as usize].key)
        });
        self.ghost.reserve();
    }

    #[inline]
    pub(crate) fn find<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let nodes = &self.nodes;
        self.table
            .find(hash, |i| nodes[i as usize].key.borrow() == key)
    }

    /// `put`, also returning the slot now holding `key` (`NIL` if rejected).
    #[inline(always)]
    pub(crate) fn put_slot(&mut self, key: K, value: V) -> (Put<K, V>, u32) {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.bump(i);
            let old = core::mem::replace(&mut self.nodes[i as usize].value, value);
            return (Put::Replaced(old), i);
        }
        self.insert_new(hash, key, value)
    }

    /// Inserts `key`, of hash `hash`, which is not cached; returns what `put` returns and
    /// the slot now holding `key` (`NIL` if rejected).
    #[inline(always)]
    fn insert_new(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
        if self.capacity == 0 {
            return (Put::Rejected(key, value), NIL);
        }
        let was_ghost = self.ghost.take(fingerprint(hash));
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
                prev: NIL,
                next: NIL,
            });
            let q = self.entry_queue(was_ghost);
            self.link_head(i, q);
            self.index(hash, i);
            if self.nodes.len() == self.capacity as usize {
                self.on_full();
            }
            return (Put::Inserted, i);
        }
        // Full: evict one entry and reuse its slot in place.
        let (victim, from) = self.evict();
        let victim_hash = self.hasher.hash_one(&self.nodes[victim as usize].key);
        if from == SMALL {
            self.ghost.push(fingerprint(victim_hash));
        }
        self.table.remove(victim_hash, victim);
        let node = &mut self.nodes[victim as usize];
        let old_key = core::mem::replace(&mut node.key, key);
        let old_value = core::mem::replace(&mut node.value, value);
        // `has_evicted` is set now: only a ghost goes to main.
        let q = if was_ghost { MAIN } else { SMALL };
        if q == from {
            // The new entry takes the victim's slot at the head of the same queue: in a
            // ring, moving the tail to the head is moving both ends one step.
            node.next &= IDX; // frequency 0
            let newer = node.prev & IDX;
            self.queues[q].head = victim;
            self.queues[q].tail = newer;
        } else {
            self.unlink(victim);
            self.nodes[victim as usize].next = NIL; // frequency 0
            self.link_head(victim, q);
        }
        self.index(hash, victim);
        (Put::Evicted(old_key, old_value), victim)
    }

    /// Evicts one entry as a `put` of a new key into the full cache would, ghost included.
    pub(crate) fn pop_entry(&mut self) -> Option<(K, V)> {
        if self.nodes.is_empty() {
            return None;
        }
        let (victim, from) = self.evict();
        let hash = self.hasher.hash_one(&self.nodes[victim as usize].key);
        if from == SMALL {
            self.ghost.push(fingerprint(hash));
        }
        self.unlink(victim);
        Some(self.remove_slot(victim, hash))
    }

    /// [`Cache::resize`]: see its documentation in the `Cache` implementation.
    pub(crate) fn resize_to(&mut self, capacity: usize) -> Vec<(K, V)> {
        let capacity = capacity.min(MAX_CAPACITY) as u32;
        let shrinking = capacity < self.capacity;
        // Each pair leaves as `pop` would take it at that point: the first is what
        // `peek_victim` shows now, under the targets in force now.
        let mut popped = Vec::with_capacity(self.nodes.len().saturating_sub(capacity as usize));
        while self.nodes.len() > capacity as usize {
            popped.extend(self.pop_entry());
        }
        self.set_capacity(capacity);
        self.ghost.set_capacity(ghost_capacity(capacity));
        if shrinking {
            // Memory sized for a cache at least twice as large goes back.
            let len = capacity as usize;
            if self.nodes.capacity() > 2 * len.max(4) {
                self.nodes.shrink_to(len);
            }
            if self.table.capacity() > 2 * (len + (len / 4).max(len.min(SPARE_FLOOR))).max(4) {
                self.reindex_all();
            }
        }
        if capacity > 0 && self.nodes.len() == capacity as usize {
            // Full now (without a `put` to fill it): the ghost and table get what a fill
            // gives them.
            self.on_full();
        }
        popped
    }

    /// One lookup for [`get_or_insert_with`](Cache::get_or_insert_with) and its `try_`
    /// form: a hit is counted and touched like a `get`; a miss is counted, `f` runs once,
    /// and its value is inserted under the hash already computed.
    #[inline]
    fn fetch<E>(
        &mut self,
        key: K,
        f: impl FnOnce() -> Result<V, E>,
    ) -> Result<Fetched<'_, K, V>, E> {
        let hash = self.hasher.hash_one(&key);
        if let Some(i) = self.find(hash, &key) {
            self.stats.hit();
            self.bump(i);
            return Ok(Fetched::Hit(&mut self.nodes[i as usize].value));
        }
        self.stats.miss();
        let value = f()?;
        Ok(match self.insert_new(hash, key, value) {
            (Put::Rejected(k, v), _) => Fetched::Rejected(k, v),
            (Put::Evicted(k, v), i) => Fetched::Evicted(&mut self.nodes[i as usize].value, k, v),
            (_, i) => Fetched::Inserted(&mut self.nodes[i as usize].value),
        })
    }
}

/// The trait's lookups forward to the inherent ones, which take any borrowed form of the
/// key; the trait's documentation states the contract, the methods below add what is
/// particular to S3-FIFO.
impl<K, V, S> Cache<K, V> for S3FifoCache<K, V, S>
where
    K: Hash + Eq,
    S: BuildHasher,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        S3FifoCache::get(self, key)
    }

    #[inline]
    fn peek(&self, key: &K) -> Option<&V> {
        S3FifoCache::peek(self, key)
    }

    /// Inserts or replaces. Replacing counts as an access (frequency + 1) and keeps the
    /// entry's place. A new key goes to the main queue if the ghost remembers it (the ghost
    /// forgets it then), else to the small queue; when the cache is full exactly one entry
    /// leaves and is returned.
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.put_slot(key, value).0
    }

    /// Removes a cached key without leaving a ghost; for a key not cached, forgets its
    /// ghost entry (as libCacheSim's `S3FIFO_remove`), so a later `put` starts it on
    /// probation in the small queue.
    fn remove(&mut self, key: &K) -> Option<V> {
        S3FifoCache::remove(self, key)
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

    /// Drops every entry and the ghost, gives the memory back (as Python's `cache_clear()`
    /// does) and resets the counters: the cache is as new.
    fn clear(&mut self) {
        self.nodes = Vec::new();
        self.table.reset();
        self.queues = [crate::queues::EMPTY_QUEUE; 2];
        self.ghost = crate::ghost::Ghost::new(ghost_capacity(self.capacity));
        self.has_evicted = false;
        self.stats.reset();
    }

    fn contains(&self, key: &K) -> bool {
        S3FifoCache::contains(self, key)
    }

    #[inline]
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        S3FifoCache::get_mut(self, key)
    }

    #[inline]
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        S3FifoCache::peek_mut(self, key)
    }

    /// Exactly [`put`](Cache::put), and the value now stored under `key`.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, Put, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// let (put, value) = cache.put_mut("a", 1);
    /// assert_eq!(put, Put::Inserted);
    /// *value.unwrap() += 10;
    /// assert_eq!(cache.peek("a"), Some(&11));
    /// ```
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        match self.put_slot(key, value) {
            (put @ Put::Rejected(..), _) => (put, None),
            (put, i) => (put, Some(&mut self.nodes[i as usize].value)),
        }
    }

    /// The entry [`pop`](Cache::pop) would evict, found by simulating the eviction scan
    /// without moving anything: O(small queue + main queue) in the worst case.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10); // small target 1
    /// for k in 0..10 {
    ///     let _ = cache.put(k, ());
    /// }
    /// assert_eq!(cache.peek_victim(), Some((&0, &()))); // the small queue's only entry
    /// let _ = cache.get(&0);
    /// let _ = cache.get(&0); // read twice: it would move to main, and 1 leave instead
    /// assert_eq!(cache.peek_victim(), Some((&1, &())));
    /// assert_eq!(cache.pop(), Some((1, ())));
    /// ```
    fn peek_victim(&self) -> Option<(&K, &V)> {
        let node = &self.nodes[self.victim()? as usize];
        Some((&node.key, &node.value))
    }

    /// Evicts exactly what a `put` of a new key into the full cache would evict next,
    /// moving small-queue entries read twice to main and giving main's entries their
    /// second chances on the way; a victim taken from the small queue is remembered by the
    /// ghost. Counts nothing. O(1) amortised.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// for k in 0..10 {
    ///     let _ = cache.put(k, k * 10);
    /// }
    /// assert_eq!(cache.pop(), Some((0, 0))); // the small queue's oldest, never read
    /// assert_eq!(cache.ghost_len(), 1); // remembered
    /// assert_eq!(cache.len(), 9);
    /// ```
    fn pop(&mut self) -> Option<(K, V)> {
        self.pop_entry()
    }

    /// Sets the capacity (clamped to [`MAX_CAPACITY`]): if the cache holds more, first pops
    /// as [`pop`](Cache::pop) would until it fits (the first pair is what
    /// [`peek_victim`](Cache::peek_victim) showed) and returns the popped pairs in order;
    /// then recomputes what the constructor derives from the capacity: the small queue's
    /// target `⌊capacity / 10⌋`, main's, and the ghost's size `⌊9 · capacity / 10⌋` (it
    /// keeps its newest fingerprints). Frequencies, queue membership and the end of the
    /// warm-up are kept; statistics too. Shrinking gives memory back (the slots, the ghost,
    /// and a key table sized for the new capacity); growing allocates nothing until entries
    /// arrive, and the ghost takes the memory of its new size when the cache fills.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(20);
    /// for k in 0..20 {
    ///     let _ = cache.put(k, ());
    /// }
    /// let _ = cache.get(&2); // the main queue's oldest entry
    /// let evicted = cache.resize(5);
    /// assert_eq!(evicted.len(), 15);
    /// // The small queue's two entries, then main's oldest, but 2, which was read, gets a
    /// // second chance.
    /// assert_eq!(evicted[..3], [(0, ()), (1, ()), (3, ())]);
    /// assert_eq!((cache.len(), cache.capacity()), (5, Some(5)));
    /// assert!(cache.contains(&2));
    /// assert!(cache.resize(100).is_empty()); // growing evicts nothing
    /// ```
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.resize_to(capacity)
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }

    /// One hash and one table probe on a hit (counted, and the entry's frequency + 1, as a
    /// `get`); on a miss, one miss, `f` once, and the insertion reuses the hash.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// assert_eq!(*cache.get_or_insert_with("a".to_string(), || 1), 1); // miss: inserted
    /// assert_eq!(*cache.get_or_insert_with("a".to_string(), || 2), 1); // hit
    /// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=10, currsize=1)");
    /// ```
    fn get_or_insert_with<F>(&mut self, key: K, f: F) -> Fetched<'_, K, V>
    where
        Self: Sized,
        F: FnOnce() -> V,
    {
        match self.fetch(key, || Ok::<V, core::convert::Infallible>(f())) {
            Ok(fetched) => fetched,
            Err(never) => match never {},
        }
    }

    /// As [`get_or_insert_with`](Cache::get_or_insert_with); an `Err` from `f` inserts
    /// nothing and changes nothing but the miss count.
    ///
    /// ```
    /// use evict_s3fifo::{Cache, S3FifoCache};
    ///
    /// let mut cache = S3FifoCache::new(10);
    /// let failed = cache.try_get_or_insert_with(1, || Err::<u32, _>("no"));
    /// assert_eq!(failed.unwrap_err(), "no");
    /// assert!(cache.is_empty());
    /// let fetched = cache.try_get_or_insert_with(1, || Ok::<_, &str>(7)).unwrap();
    /// assert_eq!(*fetched, 7);
    /// assert_eq!(cache.info().misses, 2);
    /// ```
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        Self: Sized,
        F: FnOnce() -> Result<V, E>,
    {
        self.fetch(key, f)
    }
}
