//! [`Slab`]: the entries of a cache in slots `0..len` of one dense `Vec`, found by key
//! through a [`SlotIndex`], with the hasher that feeds it; [`Item`], what a slot keeps
//! beside its key, and [`Node`], the item every policy uses (a value and the policy's
//! links); and the iterators over the slots ([`Iter`], [`IterMut`], [`IntoIter`], [`Drain`]
//! in slot order, [`Walk`] along a policy's lists).

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use crate::weight::{Column, Extra, Unweighted, Weighing};
use crate::{MAX_CAPACITY, SPARE_FLOOR, SlotIndex};

mod iter;

pub use iter::{Drain, IntoIter, Iter, IterMut, Links, Span, Walk};

/// One slot: a key, what the layer above keeps with it (a value and links), and the
/// slab's own per-slot [`Extra`] (nothing, or the slot's weight).
#[derive(Clone, Debug)]
pub(crate) struct Entry<K, T, X = ()> {
    pub(crate) key: K,
    pub(crate) item: T,
    pub(crate) extra: X,
}

/// What a slot of a [`Slab`] keeps beside its key: the cache's value, and whatever the
/// policy links or counts with it. The iterators hand out the value only.
pub trait Item {
    /// The cache's value type.
    type Value;

    /// The value.
    fn value(&self) -> &Self::Value;

    /// The value, to change.
    fn value_mut(&mut self) -> &mut Self::Value;

    /// The value, moved out.
    fn into_value(self) -> Self::Value;
}

/// A slot's value and the links (and flags, counts) a policy keeps with it: the [`Item`]
/// of every evict policy, `L` being the policy's links (`()` for none). Its [`Links`] are
/// the links'.
///
/// ```
/// use evict_slots::slab::{Item, Node};
///
/// let mut node = Node::new(1, ());
/// *node.value_mut() += 1;
/// assert_eq!(node.into_value(), 2);
/// assert_eq!(core::mem::size_of::<(u64, Node<u64, [u32; 2]>)>(), 24);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Node<V, L> {
    /// The cache's value.
    pub value: V,
    /// The policy's links.
    pub links: L,
}

impl<V, L> Node<V, L> {
    /// A node of `value` and `links`.
    #[inline(always)]
    pub const fn new(value: V, links: L) -> Self {
        Self { value, links }
    }
}

impl<V, L> Item for Node<V, L> {
    type Value = V;

    #[inline(always)]
    fn value(&self) -> &V {
        &self.value
    }

    #[inline(always)]
    fn value_mut(&mut self) -> &mut V {
        &mut self.value
    }

    #[inline(always)]
    fn into_value(self) -> V {
        self.value
    }
}

impl<V, L: Links> Links for Node<V, L> {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.links.forward()
    }

    #[inline(always)]
    fn backward(&self) -> u32 {
        self.links.backward()
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        self.links.set_forward(to);
    }
}

/// A [`Slab`]'s slots, to read by number (see [`Slab::slots`]). Methods that take a slot
/// number panic if it is not `< len`. `X` is the slab's per-slot [`Extra`].
pub struct Slots<'a, K, T, X = ()>(&'a [Entry<K, T, X>]);

// Not derived: a derive would demand `K: Clone, T: Clone`, but only a reference is copied.
impl<K, T, X> Clone for Slots<'_, K, T, X> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, T, X> Copy for Slots<'_, K, T, X> {}

impl<K: core::fmt::Debug, T: core::fmt::Debug, X> core::fmt::Debug for Slots<'_, K, T, X> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|e| (&e.key, &e.item)))
            .finish()
    }
}

impl<'a, K, T, X> Slots<'a, K, T, X> {
    /// Slots in use.
    #[inline]
    pub fn len(self) -> usize {
        self.0.len()
    }

    /// Whether no slot is in use.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// Slot `i`'s key.
    #[inline(always)]
    pub fn key(self, i: u32) -> &'a K {
        &self.0[i as usize].key
    }

    /// Slot `i`'s item.
    #[inline(always)]
    pub fn item(self, i: u32) -> &'a T {
        &self.0[i as usize].item
    }
}

/// A [`Slab::swap_remove`] planned by [`Slab::removal`]: the slot, its key's hash and the
/// hash of the key that moves into the gap (hashed before anything changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    slot: u32,
    hash: u64,
    moved_hash: u64,
}

/// Keys and their items in slots `0..len` of one dense `Vec` (no holes, no free list, no
/// `Option` per slot), a [`SlotIndex`] from key hash to slot, and the hasher, so that the
/// layers above never hash a key themselves nor pass a rehash function around.
///
/// **Panic safety.** User code runs in a key's `Hash` and `Eq` (and in `Drop`, when the
/// slab drops an entry). Every method that may call it either calls it before it changes
/// anything, so that a panic leaves the slab as it was, or, for `Drop`, leaves the slab
/// consistent first: `push`, `replace`, `replace_key_hashed` and `swap_remove` hash and
/// rebuild the index before they touch a slot, and `clear` empties the index before it
/// drops the entries. A layer above that calls them before changing its own state is then
/// unchanged by a panic too. The one trace a panic may leave is a
/// [partial](SlotIndex::is_partial) index (a rebuild cut short): lookups that miss the index
/// then look through the slots, and the next insertion rebuilds it.
///
/// A slot's key cannot change in place: it is set by [`push`](Self::push) and
/// [`replace`](Self::replace), which index it, so the index always agrees with the slots.
/// Slot numbers are `u32`; methods that take one panic if it is not `< len`, which is a bug
/// in the caller, not bad input. Lookups take any borrowed form of the key (`&str` for
/// `String` keys), as `HashMap` does.
///
/// `X` is what each slot keeps beside its key and item for the slab itself (an [`Extra`]):
/// `()` by default (not a byte), or `W::Slot` (see [`Weighing::Slot`]) for a weighted slab
/// that keeps each weight in its slot rather than in a column beside the slots. Nothing else
/// changes: [`weight`](Self::weight) and the rest read wherever the weights are.
///
/// The index keeps spare room by one rule ([`SlotIndex::reserve_one`]): a quarter of the slots,
/// or the slab's *spare floor* if that is more (at most one per slot). The floor is
/// [`SPARE_FLOOR`] unless the slab is made [`with_spare_floor`](Self::with_spare_floor).
///
/// ```
/// use evict_slots::{DefaultHashBuilder, Slab};
///
/// let mut slab: Slab<String, u32> = Slab::with_hasher(DefaultHashBuilder::default());
/// for (n, word) in ["one", "two", "three"].into_iter().enumerate() {
///     let hash = slab.hash(word);
///     slab.push(hash, word.to_string(), n as u32, 3);
/// }
/// let two = slab.find("two").unwrap();
/// assert_eq!((slab.key(two).as_str(), *slab.item(two)), ("two", 1));
/// // Removing a slot moves the last one into the gap.
/// let (key, item, moved_from) = slab.swap_remove(0);
/// assert_eq!((key.as_str(), item, moved_from), ("one", 0, 2));
/// assert_eq!(slab.find("three"), Some(0));
/// ```
#[derive(Clone, Debug)]
pub struct Slab<K, T, S = crate::DefaultHashBuilder, W: Weighing = Unweighted, X = ()> {
    entries: Vec<Entry<K, T, X>>,
    index: SlotIndex,
    hasher: S,
    /// The spare index room kept at least, up to one per slot (see [`SlotIndex::reserve_one`]).
    spare_floor: usize,
    /// The total weight and the capacity in weight units, and each slot's weight unless the
    /// slots keep theirs (`X::WEIGHT`); `()`, nothing, for an unweighted slab. Kept in step
    /// with `entries`.
    weights: W::Column,
    /// The weigher (zero-sized for an unweighted slab).
    weigher: W,
}

impl<K, T, S> Slab<K, T, S> {
    /// An empty slab that hashes keys with `hasher`; allocates nothing. Its index keeps at
    /// least [`SPARE_FLOOR`] spare buckets (up to one per slot).
    pub const fn with_hasher(hasher: S) -> Self {
        Self::with_spare_floor(hasher, SPARE_FLOOR)
    }

    /// An empty slab whose index keeps at least `spare_floor` spare buckets (up to one per
    /// slot) instead of [`SPARE_FLOOR`]: the one parameter of the spare-room rule (see
    /// [`SlotIndex::reserve_one`]). More keeps small hot tables emptier (fewer probes and
    /// tombstones per miss), less keeps them smaller.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, ()> = Slab::with_spare_floor(DefaultHashBuilder::default(), 0);
    /// for k in 0..1000 {
    ///     slab.push(slab.hash(&k), k, (), 1000);
    /// }
    /// // A quarter spare, rounded up to a power of two by the table: no floor on top.
    /// assert_eq!(slab.index().num_buckets(), 2048);
    /// ```
    pub const fn with_spare_floor(hasher: S, spare_floor: usize) -> Self {
        Self {
            entries: Vec::new(),
            index: SlotIndex::new(),
            hasher,
            spare_floor,
            weights: (),
            weigher: Unweighted,
        }
    }
}

impl<K, T, S, W: Weighing, X: Extra> Slab<K, T, S, W, X> {
    /// An empty slab whose entries are weighed by `weigher`, of capacity `budget` in
    /// weight units (see [`crate::weight`]), with index spare floor `spare_floor` (see
    /// [`with_spare_floor`](Slab::with_spare_floor)); allocates nothing.
    ///
    /// ```
    /// use evict_slots::weight::Weighted;
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let by_len = Weighted(|_: &u32, v: &String| v.len() as u64);
    /// let mut slab: Slab<u32, String, _, _> =
    ///     Slab::with_weigher(DefaultHashBuilder::default(), 0, by_len, 100);
    /// let i = slab.push(slab.hash(&1), 1, "four".to_string(), 10);
    /// slab.set_weight(i, 4);
    /// assert_eq!((slab.weight(i), slab.total_weight(), slab.budget()), (4, 4, 100));
    /// ```
    pub fn with_weigher(hasher: S, spare_floor: usize, weigher: W, budget: u64) -> Self {
        Self {
            entries: Vec::new(),
            index: SlotIndex::new(),
            hasher,
            spare_floor,
            weights: W::Column::with_budget(budget),
            weigher,
        }
    }

    /// The weigher.
    #[inline(always)]
    pub fn weigher(&self) -> &W {
        &self.weigher
    }

    /// Slot `i`'s weight (1 in an unweighted slab).
    #[inline(always)]
    pub fn weight(&self, i: u32) -> u64 {
        if X::WEIGHT && !W::UNIT {
            self.entries[i as usize].extra.weight()
        } else {
            self.weights.get(i)
        }
    }

    /// Sets slot `i`'s weight (a new slot has the [pending](Self::set_pending_weight)
    /// weight until set); the total follows. Does nothing in an unweighted slab.
    #[inline(always)]
    pub fn set_weight(&mut self, i: u32, weight: u64) {
        if W::UNIT {
            return;
        }
        if X::WEIGHT {
            let extra = &mut self.entries[i as usize].extra;
            let old = extra.weight();
            extra.set_weight(weight);
            self.weights.sub(old);
            self.weights.add(weight);
        } else {
            self.weights.set(i, weight);
        }
    }

    /// Sets the weight the next [`push`](Self::push) or replacement
    /// ([`replace`](Self::replace), [`replace_key_hashed`](Self::replace_key_hashed)) gives
    /// its slot: the engine sets it to the newcomer's weight before a policy inserts, so
    /// that the policy can read it (`weight(i)`) as soon as the slot is the newcomer's.
    #[inline(always)]
    pub fn set_pending_weight(&mut self, weight: u64) {
        self.weights.set_pending(weight);
    }

    /// The weight the next push or replacement gives its slot (see
    /// [`set_pending_weight`](Self::set_pending_weight)); 1 in an unweighted slab.
    #[inline(always)]
    pub fn pending_weight(&self) -> u64 {
        self.weights.pending()
    }

    /// The total weight of the slots: `len` in an unweighted slab.
    #[inline(always)]
    pub fn total_weight(&self) -> u64 {
        if W::UNIT {
            self.entries.len() as u64
        } else {
            self.weights.total()
        }
    }

    /// The capacity in weight units of a weighted slab (0 in an unweighted one, whose
    /// capacity is its policy's count).
    #[inline(always)]
    pub fn budget(&self) -> u64 {
        self.weights.budget()
    }

    /// Sets the capacity in weight units of a weighted slab (see [`budget`](Self::budget)).
    #[inline]
    pub fn set_budget(&mut self, budget: u64) {
        self.weights.set_budget(budget);
    }

    /// Whether a weighted slab has been full by weight since it was made or resized (its
    /// policy's `SlabPolicy::weight_full` then ran); always `true` for an unweighted one.
    #[inline]
    pub fn is_fitted(&self) -> bool {
        self.weights.fitted()
    }

    /// Sets [`is_fitted`](Self::is_fitted).
    #[inline]
    pub fn set_fitted(&mut self, fitted: bool) {
        self.weights.set_fitted(fitted);
    }

    /// Slots in use.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no slot is in use.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The hasher.
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Slot `i`'s key.
    #[inline(always)]
    pub fn key(&self, i: u32) -> &K {
        &self.entries[i as usize].key
    }

    /// Slot `i`'s item.
    #[inline(always)]
    pub fn item(&self, i: u32) -> &T {
        &self.entries[i as usize].item
    }

    /// Slot `i`'s item, to change (the key stays as it is).
    #[inline(always)]
    pub fn item_mut(&mut self, i: u32) -> &mut T {
        &mut self.entries[i as usize].item
    }

    /// Slot `i`'s key and item, or `None` if there is no slot `i`.
    #[inline]
    pub fn get(&self, i: u32) -> Option<(&K, &T)> {
        self.entries.get(i as usize).map(|e| (&e.key, &e.item))
    }

    /// Slots allocated (for tests of "no allocation once full").
    pub fn slot_capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// The index (for tests of its size).
    pub fn index(&self) -> &SlotIndex {
        &self.index
    }

    /// Bytes of heap memory held: the slots allocated and the index.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u64, u64> = Slab::with_hasher(DefaultHashBuilder::default());
    /// assert_eq!(slab.heap_bytes(), 0);
    /// slab.push(slab.hash(&1), 1, 10, 1);
    /// assert_eq!(slab.heap_bytes(), 16 + slab.index().allocation_size());
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * core::mem::size_of::<Entry<K, T, X>>()
            + self.index.allocation_size()
            + self.weights.heap_bytes()
    }

    /// Drops every slot and gives the memory back. The index forgets the slots before any
    /// is dropped, so a `Drop` that panics leaves an empty, consistent slab (the other
    /// entries are still dropped as the panic unwinds, and their memory freed).
    pub fn clear(&mut self) {
        self.index.reset();
        self.weights.clear(true);
        drop(core::mem::take(&mut self.entries));
    }

    /// The slots in slot order, each key with its item's value.
    ///
    /// ```
    /// use evict_slots::slab::Node;
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    /// for k in [7u32, 8] {
    ///     slab.push(slab.hash(&k), k, Node { value: k * 10, links: () }, 2);
    /// }
    /// let pairs: Vec<(u32, u32)> = slab.iter().map(|(k, v)| (*k, *v)).collect();
    /// assert_eq!(pairs, [(7, 70), (8, 80)]);
    /// for (_, v) in slab.iter_mut() {
    ///     *v += 1;
    /// }
    /// assert_eq!(slab.iter().rev().next(), Some((&8, &81)));
    /// ```
    #[inline]
    pub fn iter(&self) -> Iter<'_, K, T, X> {
        Iter::new(self.entries.iter())
    }

    /// The slots in slot order, each key with its item's value to change (see the example
    /// of [`iter`](Self::iter)).
    #[inline]
    pub fn iter_mut(&mut self) -> IterMut<'_, K, T, X> {
        IterMut::new(self.entries.iter_mut())
    }

    /// The slots, to read by number: a copyable view without the hasher, for a policy's
    /// own iterators (which cannot name the slab's hasher type).
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u8, char> = Slab::with_hasher(DefaultHashBuilder::default());
    /// slab.push(slab.hash(&7), 7, 'x', 1);
    /// let slots = slab.slots();
    /// assert_eq!((slots.len(), slots.key(0), slots.item(0)), (1, &7, &'x'));
    /// ```
    #[inline]
    pub fn slots(&self) -> Slots<'_, K, T, X> {
        Slots(&self.entries)
    }

    /// The slots along `lists`, one list after another, each from its first slot along
    /// [`Links::forward`]: a policy's iteration order, by reference (see [`Walk`]). The lists
    /// must cover every slot once.
    ///
    /// ```
    /// use evict_slots::slab::{Item, Links, Span};
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// /// A value and its neighbours in a two-way list.
    /// struct Node(char, u32, u32);
    /// impl Item for Node {
    ///     type Value = char;
    ///     fn value(&self) -> &char { &self.0 }
    ///     fn value_mut(&mut self) -> &mut char { &mut self.0 }
    ///     fn into_value(self) -> char { self.0 }
    /// }
    /// impl Links for Node {
    ///     fn forward(&self) -> u32 { self.1 }
    ///     fn backward(&self) -> u32 { self.2 }
    ///     fn set_forward(&mut self, to: u32) { self.1 = to }
    /// }
    ///
    /// // The list runs 1 -> 0 -> 2.
    /// let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    /// for (k, node) in [Node('a', 2, 1), Node('b', 0, 9), Node('c', 9, 0)].into_iter().enumerate() {
    ///     slab.push(slab.hash(&k), k, node, 3);
    /// }
    /// let walk = slab.walk([Span { first: 1, last: 2, len: 3 }]);
    /// assert_eq!(walk.clone().map(|(_, c)| *c).collect::<String>(), "bac");
    /// assert_eq!(walk.rev().map(|(_, c)| *c).collect::<String>(), "cab");
    /// ```
    #[inline]
    pub fn walk<const L: usize>(&self, lists: [Span; L]) -> Walk<'_, K, T, L, X>
    where
        T: Links,
    {
        Walk::new(&self.entries, lists)
    }

    /// Removes every slot and yields them in slot order. The index is emptied first and
    /// keeps its memory, and so do the slots, so dropping the drain early still leaves an
    /// empty, consistent slab that fills again without allocating.
    ///
    /// ```
    /// use evict_slots::slab::Node;
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    /// for k in [1u32, 2, 3] {
    ///     slab.push(slab.hash(&k), k, Node { value: (), links: () }, 3);
    /// }
    /// assert_eq!(slab.drain().take(1).map(|(k, _)| k).collect::<Vec<_>>(), [1]);
    /// assert!(slab.is_empty() && slab.find(&2).is_none());
    /// assert_eq!(slab.slot_capacity(), 3);
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, T, X> {
        self.index.clear();
        self.weights.clear(false);
        Drain::new(self.entries.drain(..))
    }

    /// Takes every slot out, in slot order; the slab is left empty, its index keeping its
    /// memory (the slots' memory goes with the iterator).
    ///
    /// ```
    /// use evict_slots::slab::Node;
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    /// slab.push(slab.hash(&1u8), 1u8, Node { value: 'a', links: () }, 1);
    /// assert_eq!(slab.take().collect::<Vec<_>>(), [(1, 'a')]);
    /// assert!(slab.is_empty());
    /// ```
    pub fn take(&mut self) -> IntoIter<K, T, X> {
        self.index.clear();
        self.weights.clear(false);
        IntoIter::new(core::mem::take(&mut self.entries).into_iter())
    }

    /// Lays the slots out in the order of a walk along `lists` (each list from its first
    /// slot along [`Links::forward`], the lists one after another): afterwards list `l`
    /// holds the consecutive slots from the `l`-th returned number on, in its order. The
    /// index is renumbered without hashing anything, and each slot in `anchors` (a slot, or
    /// anything `>= len` for none) follows its entry. Then `relink(item, l, i, first, last)`
    /// is called for each slot `i` of list `l`, which now runs from slot `first` to slot
    /// `last`, to rewrite its links (and nothing else of the policy changes). Nothing is
    /// allocated; a slab already in that order is only read, and `relink` is not called.
    ///
    /// Afterwards the slots in `Vec` order are the walk, which is how an iterator hands out
    /// `&mut` values along a policy's order without `unsafe` ([`iter_mut`](Self::iter_mut),
    /// [`drain`](Self::drain), [`take`](Self::take)). The walk must cover every slot once.
    ///
    /// ```
    /// use evict_slots::slab::{Item, Links, Span};
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// /// A value and the next slot of a one-way list.
    /// struct Node(char, u32);
    /// impl Item for Node {
    ///     type Value = char;
    ///     fn value(&self) -> &char { &self.0 }
    ///     fn value_mut(&mut self) -> &mut char { &mut self.0 }
    ///     fn into_value(self) -> char { self.0 }
    /// }
    /// impl Links for Node {
    ///     fn forward(&self) -> u32 { self.1 }
    ///     fn backward(&self) -> u32 { unimplemented!("one-way") }
    ///     fn set_forward(&mut self, to: u32) { self.1 = to }
    /// }
    ///
    /// // Slots 0, 1, 2 hold 'a', 'b', 'c'; the list runs 2 -> 0 -> 1.
    /// let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    /// for (k, (c, next)) in [('a', 1), ('b', u32::MAX), ('c', 0)].into_iter().enumerate() {
    ///     slab.push(slab.hash(&k), k, Node(c, next), 3);
    /// }
    /// let mut anchors = [1];
    /// let list = [Span { first: 2, last: 1, len: 3 }];
    /// let starts = slab.relayout(list, &mut anchors, |node, _, i, _, last| {
    ///     node.1 = if i == last { u32::MAX } else { i + 1 };
    /// });
    /// assert_eq!(starts, [0]);
    /// let values: String = slab.iter().map(|(_, c)| *c).collect();
    /// assert_eq!(values, "cab");
    /// assert_eq!((anchors, slab.find(&2)), ([2], Some(0)));
    /// ```
    pub fn relayout<const L: usize>(
        &mut self,
        lists: [Span; L],
        anchors: &mut [u32],
        mut relink: impl FnMut(&mut T, usize, u32, u32, u32),
    ) -> [u32; L]
    where
        T: Links,
    {
        let mut starts = [0u32; L];
        let mut next_start = 0;
        for (start, list) in starts.iter_mut().zip(&lists) {
            *start = next_start;
            next_start += list.len;
        }
        let mut rank = 0u32;
        let in_order = lists.iter().all(|list| {
            let mut at = list.first;
            (0..list.len).all(|_| {
                let here = at == rank;
                at = self.item(at).forward();
                rank += 1;
                here
            })
        });
        if in_order {
            return starts;
        }
        // Each slot's rank goes into its forward link: the links follow from the ranks.
        let mut rank = 0u32;
        for list in &lists {
            let mut at = list.first;
            for _ in 0..list.len {
                let item = self.item_mut(at);
                at = item.forward();
                item.set_forward(rank);
                rank += 1;
            }
        }
        let len = self.entries.len();
        for anchor in anchors.iter_mut().filter(|a| (**a as usize) < len) {
            *anchor = self.item(*anchor).forward();
        }
        self.permute(T::forward);
        for (l, (&first, list)) in starts.iter().zip(&lists).enumerate() {
            let last = (first + list.len).wrapping_sub(1);
            for i in first..first + list.len {
                relink(&mut self.entries[i as usize].item, l, i, first, last);
            }
        }
        starts
    }

    /// Puts slot `i` at position `rank[i]`, where `rank` is a permutation of `0..len`
    /// that `rank_of` reads from each slot (the caller stored it there), and repoints the
    /// index without hashing anything. After it, `rank_of` of slot `i` is `i`.
    fn permute(&mut self, rank_of: impl Fn(&T) -> u32) {
        let entries = &self.entries;
        self.index.remap(|j| rank_of(&entries[j as usize].item));
        for i in 0..self.entries.len() {
            loop {
                let r = rank_of(&self.entries[i].item) as usize;
                if r == i {
                    break;
                }
                self.entries.swap(i, r);
                if !X::WEIGHT {
                    self.weights.swap(i, r);
                }
            }
        }
    }
}

/// The links of a slab of [`Node`]s, the accessors every linked policy uses.
impl<K, V, L, S, W: Weighing, X: Extra> Slab<K, Node<V, L>, S, W, X> {
    /// Slot `i`'s links.
    #[inline(always)]
    pub fn links(&self, i: u32) -> &L {
        &self.item(i).links
    }

    /// Slot `i`'s links, to change.
    #[inline(always)]
    pub fn links_mut(&mut self, i: u32) -> &mut L {
        &mut self.item_mut(i).links
    }
}

impl<K: Hash + Eq, T, S: BuildHasher, W: Weighing, X: Extra> Slab<K, T, S, W, X> {
    /// The hash of `key` (any borrowed form of the slab's key type hashes alike).
    #[inline(always)]
    pub fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The slot of `key`, whose hash is `hash`.
    ///
    /// Hot paths that go on to use the slot (a hit) call [`find_indexed`](Self::find_indexed)
    /// and, only when it misses, [`find_unindexed`](Self::find_unindexed), each followed by
    /// its own copy of the hit: the compiler then knows on the hot path that the slot is in
    /// bounds (the index's own comparison checked it) and drops the checks that the slot's
    /// uses would repeat. One `Option` merging both lookups, as this one does, loses that.
    #[inline(always)]
    pub fn find_hashed<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        match self.find_indexed(hash, key) {
            Some(i) => Some(i),
            None => self.find_unindexed(key),
        }
    }

    /// The slot of `key`, whose hash is `hash`, if the index holds it: every cached key
    /// unless the index is [partial](SlotIndex::is_partial); then
    /// [`find_unindexed`](Self::find_unindexed) must be asked too when this misses (see
    /// [`find_hashed`](Self::find_hashed), which does both).
    #[inline(always)]
    pub fn find_indexed<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let entries = &self.entries;
        self.index
            .find(hash, |i| entries[i as usize].key.borrow() == key)
    }

    /// The slot of `key` after [`find_indexed`](Self::find_indexed) missed it: `None` at
    /// once (one flag test) unless the index is partial (a rebuild cut short by a panicking
    /// `Hash`), which may leave cached keys out; then a search through the slots.
    #[inline(always)]
    pub fn find_unindexed<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        if self.index.is_partial() {
            core::hint::cold_path();
            self.scan(key)
        } else {
            None
        }
    }

    /// The search through the slots of [`find_unindexed`](Self::find_unindexed). Inline
    /// (callers keep it off their hot paths): a call would take the key's address, which
    /// makes callers store the key in memory before every lookup.
    #[inline(always)]
    fn scan<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let i = self.entries.iter().position(|e| e.key.borrow() == key)?;
        Some(i as u32)
    }

    /// The slot of `key`.
    #[inline(always)]
    pub fn find<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_hashed(self.hash(key), key)
    }

    /// Adds `key` (hashing to `hash`, not in the slab yet) with `item` in a new slot `len`,
    /// and returns the slot.
    ///
    /// The `Vec` grows geometrically but never beyond `max_len` slots, so a full cache holds
    /// exactly its capacity, and the push that reaches `max_len` gives the index its final
    /// spare room ([`SlotIndex::settle`]): from then on the slab never allocates again.
    ///
    /// The index is rebuilt or settled, hashing the other keys, before the slot is added:
    /// if a `Hash` panics there, the slab is unchanged (see the type's panic safety).
    #[inline]
    pub fn push(&mut self, hash: u64, key: K, item: T, max_len: usize) -> u32 {
        let len = self.entries.len();
        {
            let (entries, hasher, floor) = (&self.entries, &self.hasher, self.spare_floor);
            let rehash = |j: u32| hasher.hash_one(&entries[j as usize].key);
            if len + 1 == max_len {
                self.index.settle_before(len, max_len, floor, rehash);
            }
            self.index.reserve_one(len, len + 1, floor, rehash);
        }
        if len == self.entries.capacity() {
            let room = max_len.min(MAX_CAPACITY).saturating_sub(len);
            self.entries.reserve_exact(len.max(4).min(room).max(1));
        }
        let weight = self.weights.pending();
        if X::WEIGHT {
            self.weights.add(weight);
        } else {
            self.weights.push(self.entries.capacity());
        }
        self.entries.push(Entry {
            key,
            item,
            extra: X::new(weight),
        });
        self.index.insert_reserved(hash, len as u32);
        len as u32
    }

    /// Gives the index now the spare room it keeps at `len` slots, growing it once if it
    /// has less (see [`SlotIndex::settle`]); [`push`](Self::push) does it when the slab
    /// reaches its `max_len`. A cache that becomes full without a push (a `resize` down to
    /// its length) calls it.
    #[cold]
    pub fn settle(&mut self, len: usize) {
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.settle(len, self.spare_floor, |j| {
            hasher.hash_one(&entries[j as usize].key)
        });
    }

    /// Puts `key` (hashing to `hash`, not in the slab yet) and `item` in slot `i` in place
    /// of its pair, and returns the old pair.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, char> = Slab::with_hasher(DefaultHashBuilder::default());
    /// for (k, c) in [(1, 'a'), (2, 'b')] {
    ///     slab.push(slab.hash(&k), k, c, 2);
    /// }
    /// assert_eq!(slab.replace(0, slab.hash(&3), 3, 'c'), (1, 'a'));
    /// assert_eq!((slab.find(&1), slab.find(&3)), (None, Some(0)));
    /// ```
    #[inline(always)]
    pub fn replace(&mut self, i: u32, hash: u64, key: K, item: T) -> (K, T) {
        let old_hash = self.hasher.hash_one(&self.entries[i as usize].key);
        self.replace_hashed(i, old_hash, hash, key, item)
    }

    /// [`replace`](Self::replace) of slot `i`, whose key hashes to `old_hash` (for a policy
    /// that hashed it already, to remember it as a ghost).
    #[inline(always)]
    pub fn replace_hashed(&mut self, i: u32, old_hash: u64, hash: u64, key: K, item: T) -> (K, T) {
        self.reserve_one();
        self.index.remove(old_hash, i);
        let entry = &mut self.entries[i as usize];
        let old_key = core::mem::replace(&mut entry.key, key);
        let old_item = core::mem::replace(&mut entry.item, item);
        self.index.insert_reserved(hash, i);
        if !W::UNIT {
            self.set_weight(i, self.weights.pending());
        }
        (old_key, old_item)
    }

    /// Puts `key` (not in the slab yet, hashing to `hash`) in slot `i` in place of its key,
    /// which hashes to `old_hash`, and returns the old key; the item stays, for the caller
    /// to update in place (a policy that keeps the victim's links for the newcomer).
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, char> = Slab::with_hasher(DefaultHashBuilder::default());
    /// slab.push(slab.hash(&1), 1, 'a', 1);
    /// let (old_hash, hash) = (slab.hash(&1), slab.hash(&2));
    /// assert_eq!(slab.replace_key_hashed(0, old_hash, hash, 2), 1);
    /// *slab.item_mut(0) = 'b';
    /// assert_eq!((slab.find(&1), slab.find(&2)), (None, Some(0)));
    /// ```
    #[inline(always)]
    pub fn replace_key_hashed(&mut self, i: u32, old_hash: u64, hash: u64, key: K) -> K {
        self.reserve_one();
        self.index.remove(old_hash, i);
        let old_key = core::mem::replace(&mut self.entries[i as usize].key, key);
        self.index.insert_reserved(hash, i);
        if !W::UNIT {
            self.set_weight(i, self.weights.pending());
        }
        old_key
    }

    /// Takes slot `i` out and returns its pair; the last slot moves into its place (the
    /// old `len - 1`, returned as `moved_from`: whoever pointed to it must now point to
    /// `i`; if `i` was the last slot, nothing moved and `moved_from == i`).
    pub fn swap_remove(&mut self, i: u32) -> (K, T, u32) {
        let hash = self.hasher.hash_one(&self.entries[i as usize].key);
        self.swap_remove_hashed(i, hash)
    }

    /// [`swap_remove`](Self::swap_remove) of slot `i`, whose key hashes to `hash`.
    pub fn swap_remove_hashed(&mut self, i: u32, hash: u64) -> (K, T, u32) {
        let removal = self.removal(i, hash);
        self.swap_remove_planned(removal)
    }

    /// The plan of a [`swap_remove`](Self::swap_remove) of slot `i`, whose key hashes to
    /// `hash`: it hashes the key that will move into the gap, the one user code the removal
    /// runs, and changes nothing. A layer above that has links to rewrite makes the plan,
    /// then rewrites, then carries the plan out ([`swap_remove_planned`](Self::swap_remove_planned),
    /// which calls no user code), so that a panicking `Hash` leaves it all as it was.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, ()> = Slab::with_hasher(DefaultHashBuilder::default());
    /// for k in 0..3 {
    ///     slab.push(slab.hash(&k), k, (), 3);
    /// }
    /// let plan = slab.removal(0, slab.hash(&0));
    /// // ... unlink slot 0 from the policy's lists ...
    /// assert_eq!(slab.swap_remove_planned(plan), (0, (), 2));
    /// assert_eq!(slab.find(&2), Some(0));
    /// ```
    #[inline]
    pub fn removal(&self, i: u32, hash: u64) -> Removal {
        let last = (self.entries.len() - 1) as u32;
        let moved_hash = if i == last {
            0
        } else {
            self.hasher.hash_one(&self.entries[last as usize].key)
        };
        Removal {
            slot: i,
            hash,
            moved_hash,
        }
    }

    /// Carries out a [`removal`](Self::removal) planned since the last change to the slab:
    /// takes the slot out and returns its pair, the last slot moving into its place (see
    /// [`swap_remove`](Self::swap_remove)). Runs no user code but the pair's drop, which is
    /// the caller's.
    #[inline]
    pub fn swap_remove_planned(&mut self, removal: Removal) -> (K, T, u32) {
        let Removal {
            slot: i,
            hash,
            moved_hash,
        } = removal;
        self.index.remove(hash, i);
        let last = (self.entries.len() - 1) as u32;
        let entry = self.entries.swap_remove(i as usize);
        if X::WEIGHT {
            self.weights.sub(entry.extra.weight());
        } else {
            self.weights.swap_remove(i);
        }
        if i != last {
            self.index.repoint(moved_hash, last, i);
        }
        (entry.key, entry.item, last)
    }

    /// Keeps at most `max_len` slots' worth of memory (the slab must hold no more), and the
    /// index the spare room a rebuild at that length keeps: what a slab that grew to
    /// `max_len` would hold.
    ///
    /// ```
    /// use evict_slots::{DefaultHashBuilder, Slab};
    ///
    /// let mut slab: Slab<u32, ()> = Slab::with_hasher(DefaultHashBuilder::default());
    /// for k in 0..1000 {
    ///     slab.push(slab.hash(&k), k, (), 1000);
    /// }
    /// while slab.len() > 10 {
    ///     let _ = slab.swap_remove(0);
    /// }
    /// slab.shrink_to(10);
    /// assert_eq!(slab.slot_capacity(), 10);
    /// ```
    pub fn shrink_to(&mut self, max_len: usize) {
        self.entries.shrink_to(max_len);
        self.weights.shrink_to(max_len);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index.shrink_to(max_len, self.spare_floor, |j| {
            hasher.hash_one(&entries[j as usize].key)
        });
    }

    /// Room in the index for the one slot a replacement reindexes (the rebuild, if one is
    /// due, runs before the replacement changes anything).
    #[inline(always)]
    fn reserve_one(&mut self) {
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.index
            .reserve_one(entries.len(), entries.len(), self.spare_floor, |j| {
                hasher.hash_one(&entries[j as usize].key)
            });
    }

    /// Checks that every key is found at its own slot and that the index holds nothing
    /// else (every slot once, under its key's hash; a [partial](SlotIndex::is_partial)
    /// index may leave slots out, which lookups then find by looking through the slots).
    /// Panics with what is wrong. For tests.
    pub fn check(&self) {
        let n = self.entries.len();
        if !W::UNIT {
            let total: u64 = (0..n as u32).map(|i| self.weight(i)).sum();
            assert_eq!(
                total,
                self.weights.total(),
                "weights and their total disagree"
            );
            assert!(
                total <= self.budget(),
                "weight {total} > capacity {}",
                self.budget()
            );
        }
        if self.index.is_partial() {
            assert!(self.index.len() <= n, "index longer than the slots");
        } else {
            assert_eq!(self.index.len(), n, "index and slots disagree on len");
        }
        let mut seen = alloc::vec![false; n];
        for j in self.index.slots() {
            assert!((j as usize) < n, "index holds slot {j} of {n}");
            assert!(!seen[j as usize], "index holds slot {j} twice");
            seen[j as usize] = true;
            let hash = self.hash(&self.entries[j as usize].key);
            assert!(
                self.index.find(hash, |s| s == j).is_some(),
                "slot {j} is indexed under another hash"
            );
        }
        for (i, entry) in self.entries.iter().enumerate() {
            assert_eq!(
                self.find(&entry.key),
                Some(i as u32),
                "slot {i} is not found by its key"
            );
        }
    }
}

#[cfg(test)]
mod tests;
