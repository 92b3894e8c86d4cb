//! Capacity by weight: what an entry costs, for caches bounded by bytes (or any other unit)
//! rather than by a count of entries.

/// How much an entry costs against a weighted cache's capacity.
///
/// A weighted cache's `capacity()` and [`Cache::weight`](crate::Cache::weight) are in the
/// weigher's units (bytes, usually); `len()` stays the number of entries and
/// [`CacheInfo`](crate::CacheInfo) keeps Python's meaning (`currsize` counts entries,
/// `maxsize` is the capacity in weight units).
///
/// A weigher is called once when an entry is stored (and again when its value is replaced);
/// the cache remembers the weight it returned, so it must not change while the entry is
/// cached (a weigher that reads a `Cell` may, but the cache keeps using the stored weight).
/// Weights are `u64` and every sum is checked: a weight above the capacity makes the put
/// `Rejected`, and no sum can overflow.
///
/// Closures implement it, so `|_key: &u64, value: &Vec<u8>| value.len() as u64` is a weigher.
///
/// ```
/// use evict_core::{Unweighted, Weigher};
///
/// fn total<W: Weigher<u32, String>>(weigher: &W, entries: &[(u32, String)]) -> u64 {
///     entries.iter().map(|(k, v)| weigher.weigh(k, v)).sum()
/// }
///
/// let entries = [(1, "one".to_string()), (3, "three".to_string())];
/// assert_eq!(total(&|_: &u32, v: &String| v.len() as u64, &entries), 8);
/// assert_eq!(total(&Unweighted, &entries), 2); // one per entry: a count of entries
/// ```
pub trait Weigher<K, V> {
    /// The weight of the entry `key` → `value`.
    fn weigh(&self, key: &K, value: &V) -> u64;
}

impl<K, V, F: Fn(&K, &V) -> u64> Weigher<K, V> for F {
    #[inline]
    fn weigh(&self, key: &K, value: &V) -> u64 {
        self(key, value)
    }
}

/// The weigher of a cache bounded by its number of entries: every entry weighs 1.
///
/// The default of every policy; a weighted cache built with it behaves exactly as the
/// unweighted one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Unweighted;

impl<K, V> Weigher<K, V> for Unweighted {
    #[inline]
    fn weigh(&self, _key: &K, _value: &V) -> u64 {
        1
    }
}
