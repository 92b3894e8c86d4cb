//! [`BufferedHits`]: a policy whose hit reorders entries (LRU, ARC, W-TinyLFU), with its hits
//! taken under the shared lock and replayed later, as Caffeine does with its read buffers.

use core::mem;

use crossbeam_utils::CachePadded;
use evict_core::{Cache, CacheInfo, Put, Shard, Sink};

use crate::counters::stripe;
use crate::lock::{self, Mutex};

/// Buffers per shard: hits of different threads land in different buffers.
const BUFFERS: usize = 4;
/// Hits a buffer holds before it drops new ones until the next write replays it.
const BUFFER_LEN: usize = 64;

/// Lets a policy whose hit must reorder the shard (LRU, ARC, W-TinyLFU) serve hits under the
/// shard's *shared* lock: a hit only peeks and records its key in a small buffer, and the next
/// operation that takes the shard's exclusive lock (a `put`, a `remove`, a miss's lookup)
/// first replays the buffered hits, in order, as `get`s.
///
/// The trade, as in Caffeine: hits no longer wait for each other, but the policy sees them
/// late, and not all of them. Exactly what differs from the policy run on one thread:
/// - a hit's reordering happens at the next write to its shard instead of at once, so an
///   eviction in between may pick an entry that was just hit;
/// - when a buffer is full, or its lock is busy, the hit's reordering is dropped (the hit is
///   still counted in [`info`](crate::ConcurrentCache::info) and the value still returned):
///   a read-only stretch longer than the buffers records only its first hits per shard;
/// - the order of hits from different threads between two writes is the buffers' order, not
///   the order they happened in.
///
/// So the hit ratio is an approximation of the policy's (the benchmark in `evict-benches`
/// measures by how much); the counters stay exact.
///
/// ```
/// use evict_sync::{BufferedHits, ConcurrentCache};
/// use evict_lru::LruCache;
///
/// let cache = ConcurrentCache::builder(2).shards(1).build(|c| BufferedHits::new(LruCache::new(c)));
/// let _ = cache.put(1, "one");
/// let _ = cache.put(2, "two");
/// assert_eq!(cache.get(&1), Some("one")); // buffered: 1 is not yet the most recent
/// // The put replays the hit first, so 1 is the most recent and 2 is evicted, as in an LRU.
/// assert_eq!(cache.put(3, "three"), evict_sync::Put::Evicted(2, "two"));
/// ```
#[derive(Debug)]
pub struct BufferedHits<C, K> {
    inner: C,
    buffers: Box<[CachePadded<Mutex<Vec<K>>>]>,
    /// The replay's own buffer, kept so that replaying allocates nothing once warm.
    spare: Vec<K>,
}

impl<C, K> BufferedHits<C, K> {
    /// Wraps `inner`, a policy whose hits are to be buffered.
    pub fn new(inner: C) -> Self {
        Self {
            inner,
            buffers: (0..BUFFERS)
                .map(|_| CachePadded::new(Mutex::new(Vec::new())))
                .collect(),
            spare: Vec::new(),
        }
    }

    /// The wrapped policy, with the buffered hits not yet replayed.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// Applies the buffered hits, buffer by buffer, as `get`s of the wrapped policy.
    fn replay<V>(&mut self)
    where
        C: Cache<K, V>,
    {
        for buffer in self.buffers.iter_mut() {
            let buffer = lock::get_mut_mutex(buffer);
            if buffer.is_empty() {
                continue;
            }
            mem::swap(buffer, &mut self.spare);
            for key in self.spare.drain(..) {
                let _ = self.inner.get(&key);
            }
        }
    }
}

impl<K, V, C: Cache<K, V>> Cache<K, V> for BufferedHits<C, K> {
    fn get(&mut self, key: &K) -> Option<&V> {
        self.replay();
        self.inner.get(key)
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.inner.peek(key)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.replay();
        self.inner.put(key, value)
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        self.replay();
        self.inner.remove(key)
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn capacity(&self) -> Option<usize> {
        self.inner.capacity()
    }
    fn info(&self) -> CacheInfo {
        self.inner.info()
    }
    fn clear(&mut self) {
        for buffer in self.buffers.iter_mut() {
            lock::get_mut_mutex(buffer).clear();
        }
        self.inner.clear()
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.replay();
        self.inner.get_mut(key)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.inner.peek_mut(key)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        self.replay();
        self.inner.put_mut(key, value)
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.inner.peek_victim()
    }
    fn pop(&mut self) -> Option<(K, V)> {
        self.replay();
        self.inner.pop()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.replay();
        self.inner.resize(capacity)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        self.inner.entries()
    }
    fn put_into(&mut self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V> {
        self.replay();
        self.inner.put_into(key, value, sink)
    }
    fn weight(&self) -> u64 {
        self.inner.weight()
    }
}

impl<K, V, Q, C> Shard<K, V, Q> for BufferedHits<C, K>
where
    C: Shard<K, V, Q>,
    Q: ToOwned<Owned = K> + ?Sized,
{
    /// Hits go to the buffers instead of the exclusive lock.
    const SHARED_HIT: bool = true;

    fn get_borrowed(&mut self, key: &Q) -> Option<&V> {
        self.replay();
        self.inner.get_borrowed(key)
    }
    fn peek_borrowed(&self, key: &Q) -> Option<&V> {
        self.inner.peek_borrowed(key)
    }
    fn remove_borrowed(&mut self, key: &Q) -> Option<V> {
        self.replay();
        self.inner.remove_borrowed(key)
    }
    fn wants_maintenance(&self) -> bool {
        self.inner.wants_maintenance()
    }
    fn maintain(&mut self) {
        self.replay();
        self.inner.maintain()
    }
    fn get_shared(&self, key: &Q) -> Option<&V> {
        // What the inner shard can record through `&self` it records now (nothing for an
        // LRU; an expiring shard's time-to-idle refresh and its expired-is-a-miss check):
        // only the reordering waits in the lossy buffer.
        let value = self.inner.get_shared(key)?;
        self.buffer(key);
        Some(value)
    }
    /// The inner shard's hash: the buffers do not hash.
    fn hash_of(&self, key: &Q) -> Option<u64> {
        self.inner.hash_of(key)
    }
    fn get_shared_hashed(&self, hash: u64, key: &Q) -> Option<&V> {
        let value = self.inner.get_shared_hashed(hash, key)?;
        self.buffer(key);
        Some(value)
    }
}

impl<C, K> BufferedHits<C, K> {
    /// Queues a hit on `key` for the next replay.
    fn buffer<Q: ToOwned<Owned = K> + ?Sized>(&self, key: &Q) {
        let buffer = &self.buffers[stripe() % BUFFERS];
        // Lossy by design: a busy or full buffer drops the reordering, never blocks the hit.
        if let Some(mut keys) = lock::try_lock(buffer)
            && keys.len() < BUFFER_LEN
        {
            keys.push(key.to_owned());
        }
    }
}
