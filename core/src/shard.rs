//! [`Shard`]: what a concurrent cache needs of a policy beyond [`Cache`].

use crate::Cache;

/// A cache that can serve as one shard of a concurrent cache (`evict-sync`): lookups by a
/// borrowed key `&Q`, and, for a policy whose hit only marks its entry, a hit recorded
/// through `&self`, so that hits can run under a shared (read) lock.
///
/// `Q` is the borrowed form of the key that lookups accept (`K: Borrow<Q>`, and `Q` hashes
/// and compares as `K` does, as for `HashMap`). Every `evict` policy implements
/// `Shard<K, V, Q>` for every `Q` with `K: Borrow<Q>` (so a `String`-keyed cache answers
/// `&str`); a cache with `&K` lookups only implements `Shard<K, V>` (`Q = K`).
///
/// The concurrent cache keeps its own hit and miss counters, so none of these methods needs
/// to count; [`get_borrowed`](Shard::get_borrowed) may (it is the policy's `get`).
///
/// # Implementing
///
/// - [`SHARED_HIT`](Shard::SHARED_HIT) is `true` only if [`get_shared`](Shard::get_shared)
///   leaves the policy in exactly the state that [`Cache::get`] would (apart from the
///   counters) and is safe to call from many threads at once through `&self`: the mark a
///   hit sets (CLOCK's and SIEVE's reference bit, S3-FIFO's small counter) is stored
///   atomically, and a hit moves nothing (FIFO and random do nothing on a hit at all).
///   Policies whose hit reorders entries (LRU, ARC, W-TinyLFU) leave it `false`; the
///   concurrent cache then takes the shard's exclusive lock and calls
///   [`get_borrowed`](Shard::get_borrowed).
/// - The provided [`get_shared`](Shard::get_shared) is [`peek_borrowed`](Shard::peek_borrowed):
///   right exactly for a policy whose hit changes nothing.
///
/// ```
/// use evict_core::{Cache, Shard};
///
/// // Any `Cache` with `&K` lookups can be a shard whose hits take the exclusive lock:
/// fn hit<K, V, C: Shard<K, V>>(shard: &mut C, key: &K) -> bool {
///     if C::SHARED_HIT { shard.get_shared(key).is_some() } else { shard.get_borrowed(key).is_some() }
/// }
/// # let _ = hit::<u8, u8, Never>;
/// # #[derive(Debug)] struct Never;
/// # impl Cache<u8, u8> for Never {
/// #     fn get(&mut self, _: &u8) -> Option<&u8> { None }
/// #     fn peek(&self, _: &u8) -> Option<&u8> { None }
/// #     fn put(&mut self, k: u8, v: u8) -> evict_core::Put<u8, u8> { evict_core::Put::Rejected(k, v) }
/// #     fn remove(&mut self, _: &u8) -> Option<u8> { None }
/// #     fn len(&self) -> usize { 0 }
/// #     fn capacity(&self) -> Option<usize> { Some(0) }
/// #     fn info(&self) -> evict_core::CacheInfo { evict_core::Stats::default().info(Some(0), 0) }
/// #     fn clear(&mut self) {}
/// #     fn get_mut(&mut self, _: &u8) -> Option<&mut u8> { None }
/// #     fn peek_mut(&mut self, _: &u8) -> Option<&mut u8> { None }
/// #     fn put_mut(&mut self, k: u8, v: u8) -> (evict_core::Put<u8, u8>, Option<&mut u8>) { (evict_core::Put::Rejected(k, v), None) }
/// #     fn peek_victim(&self) -> Option<(&u8, &u8)> { None }
/// #     fn pop(&mut self) -> Option<(u8, u8)> { None }
/// #     fn resize(&mut self, _: usize) -> Vec<(u8, u8)> { Vec::new() }
/// #     fn entries(&self) -> Box<dyn Iterator<Item = (&u8, &u8)> + '_> { Box::new(core::iter::empty()) }
/// # }
/// # impl Shard<u8, u8> for Never {
/// #     fn get_borrowed(&mut self, k: &u8) -> Option<&u8> { self.get(k) }
/// #     fn peek_borrowed(&self, k: &u8) -> Option<&u8> { self.peek(k) }
/// #     fn remove_borrowed(&mut self, k: &u8) -> Option<u8> { self.remove(k) }
/// # }
/// ```
pub trait Shard<K, V, Q: ?Sized = K>: Cache<K, V> {
    /// Whether [`get_shared`](Shard::get_shared) records a hit exactly as
    /// [`Cache::get`] does, safely from many threads through `&self`. `false` unless the
    /// policy says otherwise.
    const SHARED_HIT: bool = false;

    /// [`Cache::get`] by a borrowed key: looks `key` up and lets the policy record the
    /// access (it may count a hit or miss in the cache's own statistics).
    fn get_borrowed(&mut self, key: &Q) -> Option<&V>;

    /// [`Cache::peek`] by a borrowed key: counts nothing and changes nothing.
    fn peek_borrowed(&self, key: &Q) -> Option<&V>;

    /// [`Cache::remove`] by a borrowed key.
    fn remove_borrowed(&mut self, key: &Q) -> Option<V>;

    /// A hit through `&self`: looks `key` up and, if it is cached, records the access as
    /// [`Cache::get`] would (through atomics), without counting it. Called only when
    /// [`SHARED_HIT`](Shard::SHARED_HIT) is `true`; the provided body records nothing, right
    /// for a policy whose hit changes nothing.
    fn get_shared(&self, key: &Q) -> Option<&V> {
        self.peek_borrowed(key)
    }

    /// The hash the shard's own table gives `key`, if the shard can take lookups by a hash
    /// computed outside it ([`get_shared_hashed`](Shard::get_shared_hashed)); `None` (the
    /// default) if not. A concurrent cache that builds its shards with its own hasher calls it
    /// to check that the hash it computed for choosing the shard is the one the shard uses, so
    /// that a hit hashes the key once.
    fn hash_of(&self, key: &Q) -> Option<u64> {
        let _ = key;
        None
    }

    /// [`get_shared`](Shard::get_shared) with the key's hash already computed. `hash` must be
    /// what [`hash_of`](Shard::hash_of) returns for `key`; with any other value the lookup
    /// may miss a cached key (never a wrong value, a panic or a broken cache). The provided
    /// body ignores `hash`.
    fn get_shared_hashed(&self, hash: u64, key: &Q) -> Option<&V> {
        let _ = hash;
        self.get_shared(key)
    }

    /// Whether the shard has deferred work that [`maintain`](Shard::maintain) would do (an
    /// expiring cache with expired entries to reclaim). Called through `&self` after a hit
    /// under the shared lock, so it must be cheap; `false` by default.
    fn wants_maintenance(&self) -> bool {
        false
    }

    /// Does the deferred work [`wants_maintenance`](Shard::wants_maintenance) reported, a
    /// bounded amount of it. The concurrent cache calls it when it can take the shard's
    /// exclusive lock without waiting, so that a read-only workload also gets it done.
    /// Counts nothing and must not change what a lookup of a live entry returns. Nothing by
    /// default.
    fn maintain(&mut self) {}
}
