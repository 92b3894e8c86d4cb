//! Where entries go when they leave a cache on their own: evicted to make room, or expired.

use alloc::vec::Vec;

/// Why an entry left a cache without a [`remove`](crate::Cache::remove) asking for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Removal {
    /// The policy chose it to make room (for a new entry, a heavier value, or a smaller
    /// capacity).
    Evicted,
    /// Its time to live (or to idle, or its own deadline) had passed.
    Expired,
}

/// Receives the entries that leave a cache during one operation, in the order they leave.
///
/// [`Cache::put_into`](crate::Cache::put_into) takes one, so that a put that evicts several
/// entries (a weighted cache making room for a heavy value, an expiring cache reclaiming
/// what has expired) hands every pair to the caller without allocating. Implemented for
/// closures `FnMut(K, V, Removal)`, and for `Vec<(K, V)>` (which keeps the pairs and drops
/// the reason).
///
/// ```
/// use evict_core::{Removal, Sink};
///
/// let mut seen = Vec::new();
/// let mut sink = |key: u32, value: &str, why: Removal| seen.push((key, value.len(), why));
/// sink.removed(7, "seven", Removal::Evicted);
/// assert_eq!(seen, [(7, 5, Removal::Evicted)]);
///
/// let mut pairs: Vec<(u32, &str)> = Vec::new();
/// pairs.removed(8, "eight", Removal::Expired);
/// assert_eq!(pairs, [(8, "eight")]);
/// ```
pub trait Sink<K, V> {
    /// One entry that left the cache, and why.
    fn removed(&mut self, key: K, value: V, why: Removal);
}

impl<K, V, F: FnMut(K, V, Removal)> Sink<K, V> for F {
    #[inline]
    fn removed(&mut self, key: K, value: V, why: Removal) {
        self(key, value, why)
    }
}

impl<K, V> Sink<K, V> for Vec<(K, V)> {
    #[inline]
    fn removed(&mut self, key: K, value: V, _why: Removal) {
        self.push((key, value));
    }
}
