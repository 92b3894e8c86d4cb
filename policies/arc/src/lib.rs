#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;
#[cfg(test)]
extern crate std;

use alloc::vec::Vec;

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put};
use evict_slots::SlotIndex;

mod api;
mod ghost;
mod iter;
mod lists;
mod policy;
#[cfg(test)]
mod tests;

pub use iter::{Drain, IntoIter, Iter, IterMut, Keys, Values, ValuesMut};

use ghost::Ghosts;
use lists::{Lists, NIL, Node};

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = hashbrown::DefaultHashBuilder;

/// The largest capacity an `ArcCache` accepts: slots are addressed by 31-bit indices (the
/// 32nd bit of a link names the list), and `0x7FFF_FFFF` marks the end of a list. Larger
/// requests are clamped to this.
pub const MAX_CAPACITY: usize = (NIL - 1) as usize;

/// Hits on `T2` entries whose move to the most recent end of `T2` may wait (see
/// `ArcCache::pending`).
const PENDING: usize = 32;

/// ARC, the Adaptive Replacement Cache (Megiddo and Modha, FAST 2003): two LRU lists of
/// cached entries, `T1` (seen once recently) and `T2` (seen at least twice), two ghost
/// lists `B1` and `B2` of the keys (hashes) they recently evicted, and a target `p` for the
/// size of `T1` that a ghost hit moves: up after a hit in `B1`, down after a hit in `B2`.
///
/// See the [crate docs](crate) for the exact rules, costs and memory.
///
/// **Iteration order** ([`iter`](Self::iter), [`Cache::entries`], `for (k, v) in &cache`,
/// [`drain`](Self::drain), ...): `T1` from its most to its least recently used entry, then
/// `T2` from its most to its least recently used entry, so the last pair listed is `T2`'s
/// least recently used one. Every iterator is double-ended (`.rev()` lists `T2`'s least
/// recent first). Iterating counts nothing and changes nothing.
///
/// **Lookups by borrowed key.** [`get`](Self::get), [`get_mut`](Self::get_mut),
/// [`peek`](Self::peek), [`peek_mut`](Self::peek_mut), [`contains`](Self::contains) and
/// [`remove`](Self::remove) are inherent methods taking any `&Q` that `K` borrows as (as
/// `HashMap` does): `cache.get("a")` on `String` keys allocates nothing. The [`Cache`] trait
/// methods of the same names take `&K` and do the same.
///
/// No `FromIterator`: a bounded cache has no capacity to choose from an iterator. Make one
/// with [`new`](Self::new) and [`extend`](Extend::extend) it.
///
/// # Examples
///
/// ```
/// use evict_arc::{ArcCache, Cache, Put};
///
/// let mut cache = ArcCache::new(2);
/// assert_eq!(cache.put("a", 1), Put::Inserted);
/// assert_eq!(cache.get(&"a"), Some(&1)); // "a" is now frequent (T2)
/// assert_eq!(cache.put("b", 2), Put::Inserted);
/// assert_eq!(cache.put("c", 3), Put::Evicted("b", 2)); // T1 is over its target p = 0
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=2, currsize=2)");
/// // T1 ("c"), then T2 ("a"), each from its most recently used entry.
/// assert_eq!(cache.keys().copied().collect::<Vec<_>>(), ["c", "a"]);
/// ```
#[derive(Clone)]
pub struct ArcCache<K, V, S = DefaultHashBuilder> {
    /// Dense: slots `0..len` are all live; `remove` fills its hole with the last slot.
    nodes: Vec<Node<K, V>>,
    /// Key hash -> slot index in `nodes`.
    table: SlotIndex,
    /// `T1` and `T2`.
    lists: Lists,
    /// Slots of `T2` that were hit, oldest first, and are still to move to the most recent
    /// end of `T2` (case I), in this order: `pending[..pending_len]`. A hit only records
    /// the slot; the moves are made, in the same order, before anything that depends on
    /// `T2`'s order or on slot numbers (a `put` of a new key, `remove`, a hit on `T1`, a
    /// full buffer, `pop`, `resize` and the `&mut` iterators), so the lists are exactly
    /// those of moving at once. Batching takes the relinking (two neighbours in random
    /// places) out of the lookup's dependency chain. The `&self` readers (`iter`,
    /// `peek_victim`, `Debug`) read the order through the buffer without applying it.
    pending: [u32; PENDING],
    pending_len: u32,
    /// `B1` and `B2`.
    ghosts: Ghosts,
    /// The target size of `T1`, in `[0, capacity]`; a whole number when `integer`.
    p: f64,
    /// Floor-division deltas (Caffeine's simulator) instead of real ones (the paper,
    /// libCacheSim).
    integer: bool,
    capacity: u32,
    hasher: S,
    stats: Stats,
}
