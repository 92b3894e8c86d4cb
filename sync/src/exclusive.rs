//! [`Exclusive`]: any [`Cache`] as a shard whose every hit takes the exclusive lock.

use evict_core::{Cache, CacheInfo, Put, Shard, Sink};

/// Makes any [`Cache<K, V>`] (a policy of your own, or a third-party one) usable as a shard of
/// a [`ConcurrentCache`](crate::ConcurrentCache): lookups take `&K` (no borrowed forms), and
/// every hit takes its shard's exclusive lock, since nothing says the policy could record it
/// through `&self`. Every `evict` policy implements [`Shard`] itself and needs no wrapper.
///
/// ```
/// use evict_sync::{ConcurrentCache, Exclusive};
/// use evict_lru::LruCache;
///
/// // Pretend `LruCache` were a third-party cache that implements only `Cache`.
/// let cache = ConcurrentCache::new(100, |capacity| Exclusive(LruCache::new(capacity)));
/// let _ = cache.put(1, "one");
/// assert_eq!(cache.get(&1), Some("one"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusive<C>(pub C);

impl<K, V, C: Cache<K, V>> Cache<K, V> for Exclusive<C> {
    fn get(&mut self, key: &K) -> Option<&V> {
        self.0.get(key)
    }
    fn peek(&self, key: &K) -> Option<&V> {
        self.0.peek(key)
    }
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        self.0.put(key, value)
    }
    fn remove(&mut self, key: &K) -> Option<V> {
        self.0.remove(key)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn capacity(&self) -> Option<usize> {
        self.0.capacity()
    }
    fn info(&self) -> CacheInfo {
        self.0.info()
    }
    fn clear(&mut self) {
        self.0.clear()
    }
    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.0.get_mut(key)
    }
    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        self.0.peek_mut(key)
    }
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        self.0.put_mut(key, value)
    }
    fn peek_victim(&self) -> Option<(&K, &V)> {
        self.0.peek_victim()
    }
    fn pop(&mut self) -> Option<(K, V)> {
        self.0.pop()
    }
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        self.0.resize(capacity)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        self.0.entries()
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn contains(&self, key: &K) -> bool {
        self.0.contains(key)
    }
    fn put_into(&mut self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V> {
        self.0.put_into(key, value, sink)
    }
    fn weight(&self) -> u64 {
        self.0.weight()
    }
}

impl<K, V, C: Cache<K, V>> Shard<K, V> for Exclusive<C> {
    fn get_borrowed(&mut self, key: &K) -> Option<&V> {
        self.0.get(key)
    }
    fn peek_borrowed(&self, key: &K) -> Option<&V> {
        self.0.peek(key)
    }
    fn remove_borrowed(&mut self, key: &K) -> Option<V> {
        self.0.remove(key)
    }
}
