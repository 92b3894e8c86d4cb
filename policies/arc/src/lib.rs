#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![doc = include_str!("../README.md")]

extern crate alloc;
#[cfg(test)]
extern crate std;

use evict_core::Stats;
pub use evict_core::{self, Cache, CacheInfo, Fetched, Put, Shard};
use evict_slots::Slab;
use evict_slots::weight::{Unweighted, Weighing};

mod ghost;
mod iter;
mod lists;
mod policy;
#[cfg(test)]
mod tests;
mod weighted;

use ghost::Ghosts;
use lists::{Lists, Node};
/// `B1` and `B2` of a weighted cache: the toolkit's ghost lists in weight.
type WeightedGhosts = evict_slots::wghost::WeightedGhost<2>;

/// The hasher used when none is given: hashbrown's default (foldhash), fast and seeded per
/// cache.
pub type DefaultHashBuilder = evict_slots::DefaultHashBuilder;

/// The largest capacity an `ArcCache` accepts, `2^31 - 2` (the toolkit's limit): slots are
/// addressed by 31-bit indices (the 32nd bit of a link names the list), and `0x7FFF_FFFF`
/// marks the end of a list. Larger requests are clamped to this.
pub const MAX_CAPACITY: usize = evict_slots::MAX_CAPACITY;

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
/// recent first). Iterating counts nothing and changes nothing. A hit on an entry already in
/// `T2` may leave its move pending (see the crate docs): [`iter`](Self::iter) reads the
/// order through the pending moves without making them; `iter_mut`, `drain` and
/// `into_iter` make them, then lay the slots out in that order (O(len), nothing hashed or
/// allocated).
///
/// ```
/// use evict_arc::{ArcCache, Cache};
///
/// let mut cache = ArcCache::new(4);
/// for k in 1..=4 {
///     let _ = cache.put(k, k * 10);
/// }
/// let _ = cache.get(&1);
/// let _ = cache.get(&2); // 1 and 2 move to T2, 2 the most recent
/// let listed: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
/// assert_eq!(listed, [(4, 40), (3, 30), (2, 20), (1, 10)]);
/// assert_eq!(cache.iter().next_back(), Some((&1, &10))); // T2's least recently used
/// assert_eq!(cache.iter_mut().map(|(k, _)| *k).collect::<Vec<_>>(), [4, 3, 2, 1]);
/// ```
///
/// **Lookups by borrowed key.** [`get`](Self::get), [`get_mut`](Self::get_mut),
/// [`peek`](Self::peek), [`peek_mut`](Self::peek_mut), [`contains`](Self::contains) and
/// [`remove`](Self::remove) are inherent methods taking any `&Q` that `K` borrows as (as
/// `HashMap` does): `cache.get("a")` on `String` keys allocates nothing. The [`Cache`] trait
/// methods of the same names take `&K` and do the same.
///
/// **What each operation does.** A hit ([`get`](Self::get), [`get_mut`](Self::get_mut), a
/// `get_or_insert_with` hit, a [`put`](Cache::put) of a cached key) is the paper's case I:
/// the entry moves to the most recent end of `T2`. A lookup miss only counts: the `put`
/// that follows it is the paper's miss, case II (the key's hash is in `B1`), III (in `B2`)
/// or IV (in no list), with the adaptation of `p` and `REPLACE` there; it returns
/// [`Put::Evicted`] with the entry that left the cache, if one did (`put_mut` and
/// `get_or_insert_with` do the same, so a key that is a ghost adapts `p` and enters `T2`;
/// a failed `try_get_or_insert_with` leaves a ghost a ghost). [`remove`](Self::remove)
/// takes a cached key out without leaving a ghost and without touching `p`; `remove` of a
/// key that is not cached changes nothing, even if the key is a ghost.
/// [`drain`](Self::drain) removes every entry that way, keeping the ghosts, `p` and the
/// statistics; [`clear`](Cache::clear) drops every entry and ghost and sets `p` back to 0.
///
/// [`pop`](Cache::pop) evicts what the `put` of a new key (not a ghost) would: case IV's
/// ghost drop (`B1`'s least recent ghost when `|T1| + |B1| = c`, else `B2`'s when the
/// ghosts number `c`), then `REPLACE`, whose victim becomes a ghost (or, when `T1` is the
/// whole cache, `T1`'s least recent entry leaves without one, as in case IV); so a `pop`
/// then a `put` of a new key do exactly what that `put` alone does, and `p` does not move.
/// [`peek_victim`](Cache::peek_victim) shows that victim (`T1`'s least recently used entry
/// if `|T1| > p`, else `T2`'s). [`resize`](Cache::resize) pops (with the old capacity's
/// ghost rules) until the entries fit; then the new capacity's bounds hold as after
/// [`new`](Self::new): `p` is clamped to it (the adaptive state is otherwise kept), the
/// ghost lists are trimmed to `|T1| + |B1| <= c`, at most `c` ghosts and `2c` keys in all
/// (dropping their least recent ghosts, `B1`'s for the first bound, `B2`'s for the others),
/// and the ghost directory takes the new capacity's size. Shrinking gives back the memory
/// the larger capacity held.
///
/// ```
/// use evict_arc::{ArcCache, Cache, Put};
///
/// let mut cache = ArcCache::new(2);
/// let _ = cache.put(1, 'a');
/// let _ = cache.get(&1); // 1 to T2
/// let _ = cache.put(2, 'b'); // T1 = [2], p = 0
/// assert_eq!(cache.peek_victim(), Some((&2, &'b')));
/// assert_eq!(cache.pop(), Some((2, 'b'))); // T1's LRU, now a ghost in B1
/// assert_eq!(cache.sizes(), [0, 1, 1, 0]);
/// assert_eq!(cache.put(2, 'b'), Put::Inserted); // a ghost hit in B1: p grows, 2 enters T2
/// assert_eq!((cache.target(), cache.sizes()), (1.0, [0, 2, 0, 0]));
/// assert_eq!(cache.remove(&2), Some('b')); // no ghost left
/// assert_eq!(cache.sizes(), [0, 1, 0, 0]);
/// ```
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
pub struct ArcCache<K, V, S = DefaultHashBuilder, W: Weighing = Unweighted> {
    /// The resident entries of `T1` and `T2` with their links, the key index and the hasher
    /// (an `evict_slots::Slab`: dense, `remove` moves the last slot into the hole).
    slab: Slab<K, Node<V>, S, W>,
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
    /// `B1` and `B2` of an unweighted cache (fingerprints; empty in a weighted one).
    ghosts: Ghosts,
    /// `B1` and `B2` of a weighted cache, each ghost with its weight (empty in an
    /// unweighted one, and allocating nothing).
    wghosts: WeightedGhosts,
    /// The target size of `T1`, in `[0, capacity]` (in weight units for a weighted cache);
    /// a whole number when `integer`.
    p: f64,
    /// Floor-division deltas (Caffeine's simulator) instead of real ones (the paper,
    /// libCacheSim).
    integer: bool,
    capacity: u32,
    stats: Stats,
}

evict_slots::slab_cache! {
    cache = ArcCache;
    weigher = W;
    item = Node<V>;
    iter = iter::Order<'a, K, V>;
    order = "in `T1` from its most to its least recently used entry, then in `T2` the same \
        way";
    example_order = [3, 2, 1];
    example_pops = [(1, 10), (2, 20)];
}
