//! [`Ring`]: entries in a [`Slab`], linked into one circle by `u32` indices, each with an
//! optional flag bit; and its iterators.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use crate::slab::{self, Node, Slab, Span};
use crate::weight::{Unweighted, Weighing};

/// The entries of a [`Ring`] in circle order from a starting slot, by reference; from the
/// back, the other way round. See [`Ring::iter_from`]. `X` is the slab's per-slot extra
/// (see [`Slab`]; a ring keeps none).
pub type Iter<'a, K, V, X = ()> = slab::Walk<'a, K, Node<V, Links>, 1, X>;

/// The entries of a [`Ring`] in circle order from a starting slot, each value mutable. See
/// [`Ring::iter_mut_from`].
pub type IterMut<'a, K, V, X = ()> = slab::IterMut<'a, K, Node<V, Links>, X>;

/// The entries of a [`Ring`] in circle order from a starting slot, by value. See
/// [`Ring::into_iter_from`].
pub type IntoIter<K, V, X = ()> = slab::IntoIter<K, Node<V, Links>, X>;

/// The entries taken out of a [`Ring`], in circle order from a starting slot. See
/// [`Ring::drain_from`].
pub type Drain<'a, K, V, X = ()> = slab::Drain<'a, K, Node<V, Links>, X>;

/// "No slot": the anchor of an empty ring.
pub const NIL: u32 = u32::MAX;

/// The top bit of `prev`: the flag. Links are 31 bits wide, so a ring holds at most
/// [`MAX_CAPACITY`](crate::MAX_CAPACITY) entries.
const FLAG: u32 = 1 << 31;

/// Whether the entries of a [`Ring`] carry a flag bit: [`Flagged`] or [`Plain`].
pub trait Flags: sealed::Sealed {
    /// `true` for [`Flagged`].
    const ON: bool;
}

/// Entries with a flag bit each (CLOCK's reference bit, SIEVE's visited bit).
#[derive(Clone, Copy, Debug)]
pub enum Flagged {}

/// Entries without a flag bit (LRU, FIFO): links are written without preserving one, which
/// saves a load of every neighbour whose link changes.
#[derive(Clone, Copy, Debug)]
pub enum Plain {}

impl Flags for Flagged {
    const ON: bool = true;
}

impl Flags for Plain {
    const ON: bool = false;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Flagged {}
    impl Sealed for super::Plain {}
}

/// Which way to walk the circle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Along `next` links.
    Next,
    /// Along `prev` links.
    Prev,
}

/// A slot's 8 bytes of links and flag (with its value, the [`Node`] of a [`Ring`]'s slab).
#[derive(Debug)]
pub struct Links {
    next: u32,
    /// `prev` link in the low 31 bits, the flag on top. Atomic so that a hit under a shared
    /// lock ([`Ring::touch_shared`]) can set the flag through `&self` from many threads at
    /// once. Every path that holds `&mut` reads and writes it as a plain `u32` through
    /// [`AtomicU32::get_mut`], so single-threaded code is the same as with a `u32`; only
    /// `&self` paths (iteration, `peek_victim`) load it, `Relaxed` (a plain load on x86-64
    /// and AArch64).
    prev: AtomicU32,
}

// Not derived: `AtomicU32` is not `Clone`. A clone needs `&self` only, so it loads.
impl Clone for Links {
    #[inline]
    fn clone(&self) -> Self {
        Self {
            next: self.next,
            prev: AtomicU32::new(self.prev.load(Relaxed)),
        }
    }
}

impl Links {
    /// Links of `next` and the `prev` word (link and flag).
    #[inline(always)]
    const fn new(next: u32, prev: u32) -> Self {
        Self {
            next,
            prev: AtomicU32::new(prev),
        }
    }
}

impl slab::Links for Links {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.next
    }

    /// Without flags the top bit is never set: masking it costs nothing to check.
    #[inline(always)]
    fn backward(&self) -> u32 {
        self.prev.load(Relaxed) & !FLAG
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        self.next = to;
    }
}

/// The entries of a cache whose policy is an order of its entries: a [`Slab`] (slots
/// `0..len` of a dense `Vec`, a key index and the hasher) whose slots are linked into one
/// circle by `u32` indices. With [`Flagged`] each entry also has a flag bit (CLOCK's
/// reference bit, SIEVE's visited bit), kept in the top bit of its `prev` link, so an entry
/// is its key, its value and 8 bytes.
///
/// The policy keeps its own anchors into the circle (LRU's head, CLOCK's hand, …) and moves
/// them: a circle makes "the slot after the last" the first one, so turning the circle by one
/// step (a FIFO eviction, an LRU eviction) writes no link. Methods that take a slot number
/// panic if it is not `< len`: that is a bug in the policy, not bad input.
///
/// ```
/// use evict_slots::ring::{Ring, NIL};
///
/// let mut ring: Ring<String, u64> = Ring::default();
/// let mut head = NIL;
/// for (n, k) in ["a", "b", "c"].into_iter().enumerate() {
///     let hash = ring.hash(k);
///     ring.push_back(&mut head, hash, k.to_string(), n as u64, 10);
/// }
/// let keys: Vec<&str> = ring.iter_from(head).map(|(k, _)| k.as_str()).collect();
/// assert_eq!(keys, ["a", "b", "c"]);
/// let b = ring.find("b").unwrap(); // a `&str` finds a `String` key
/// ring.move_to_front(&mut head, b);
/// let keys: Vec<&str> = ring.iter_from(head).rev().map(|(k, _)| k.as_str()).collect();
/// assert_eq!(keys, ["c", "a", "b"]);
/// ```
pub struct Ring<K, V, S = crate::DefaultHashBuilder, F = Plain, W: Weighing = Unweighted> {
    /// The entries (the field [`RingCache`](crate::RingCache)'s view of the ring reads).
    pub(crate) slab: Slab<K, Node<V, Links>, S, W>,
    flags: core::marker::PhantomData<F>,
}

// Not derived: a derive would demand `F: Clone` of the marker.
impl<K: Clone, V: Clone, S: Clone, F, W: Weighing + Clone> Clone for Ring<K, V, S, F, W> {
    fn clone(&self) -> Self {
        Self {
            slab: self.slab.clone(),
            flags: core::marker::PhantomData,
        }
    }
}

impl<K, V, S: Default, F: Flags> Default for Ring<K, V, S, F> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K, V, S, F: Flags> Ring<K, V, S, F> {
    /// An empty ring that hashes keys with `hasher`; allocates nothing.
    pub const fn with_hasher(hasher: S) -> Self {
        Self {
            slab: Slab::with_hasher(hasher),
            flags: core::marker::PhantomData,
        }
    }
}

impl<K, V, S, F: Flags, W: Weighing> Ring<K, V, S, F, W> {
    /// An empty ring whose entries are weighed by `weigher`, of capacity `budget` in weight
    /// units (see [`Slab::with_weigher`]); allocates nothing.
    pub fn with_weigher(hasher: S, weigher: W, budget: u64) -> Self {
        Self {
            slab: Slab::with_weigher(hasher, crate::SPARE_FLOOR, weigher, budget),
            flags: core::marker::PhantomData,
        }
    }

    /// Entries held.
    #[inline]
    pub fn len(&self) -> usize {
        self.slab.len()
    }

    /// Whether the ring holds no entry.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slab.is_empty()
    }

    /// Slot `i`'s key.
    #[inline(always)]
    pub fn key(&self, i: u32) -> &K {
        self.slab.key(i)
    }

    /// Slot `i`'s value.
    #[inline(always)]
    pub fn value(&self, i: u32) -> &V {
        &self.slab.item(i).value
    }

    /// Slot `i`'s value, to change it.
    #[inline(always)]
    pub fn value_mut(&mut self, i: u32) -> &mut V {
        &mut self.slab.item_mut(i).value
    }

    /// Slot `i`'s key and value, or `None` if there is no slot `i` (`NIL` included).
    #[inline(always)]
    pub fn get(&self, i: u32) -> Option<(&K, &V)> {
        self.slab.get(i).map(|(k, l)| (k, &l.value))
    }

    /// The slot after `i` in the circle.
    #[inline(always)]
    pub fn next(&self, i: u32) -> u32 {
        self.slab.item(i).links.next
    }

    /// Slot `i`'s `prev` word (link and flag), through `&self`: an atomic load.
    #[inline(always)]
    fn prev_word(&self, i: u32) -> u32 {
        self.slab.item(i).links.prev.load(Relaxed)
    }

    /// Slot `i`'s `prev` word (link and flag), through `&mut`: a plain `u32`.
    #[inline(always)]
    fn prev_word_mut(&mut self, i: u32) -> &mut u32 {
        self.slab.item_mut(i).links.prev.get_mut()
    }

    /// The slot before `i` in the circle. Through `&self`, this loads the word the flag
    /// shares atomically (`Relaxed`); code holding `&mut` calls
    /// [`prev_excl`](Self::prev_excl), a plain load.
    #[inline(always)]
    pub fn prev(&self, i: u32) -> u32 {
        let prev = self.prev_word(i);
        if F::ON { prev & !FLAG } else { prev }
    }

    /// [`prev`](Self::prev) through `&mut`: no other thread can touch the flag, so the word
    /// is read as a plain `u32`.
    #[inline(always)]
    pub fn prev_excl(&mut self, i: u32) -> u32 {
        let prev = *self.prev_word_mut(i);
        if F::ON { prev & !FLAG } else { prev }
    }

    /// The slot after `i` going `dir`.
    #[inline(always)]
    pub fn step(&self, i: u32, dir: Direction) -> u32 {
        match dir {
            Direction::Next => self.next(i),
            Direction::Prev => self.prev(i),
        }
    }

    /// [`step`](Self::step) through `&mut` (see [`prev_excl`](Self::prev_excl)).
    #[inline(always)]
    pub fn step_excl(&mut self, i: u32, dir: Direction) -> u32 {
        match dir {
            Direction::Next => self.next(i),
            Direction::Prev => self.prev_excl(i),
        }
    }

    /// Slot `i`'s flag (always clear without [`Flagged`]).
    #[inline(always)]
    pub fn flag(&self, i: u32) -> bool {
        F::ON && self.prev_word(i) & FLAG != 0
    }

    /// Sets slot `i`'s flag. Writes only when it changes, so that a hot entry's cache line
    /// stays clean and hits cost no write-back traffic.
    ///
    /// # Panics
    ///
    /// Without [`Flagged`]: there is no flag to set.
    #[inline(always)]
    pub fn set_flag(&mut self, i: u32) {
        assert!(F::ON, "a Ring without flags has no flags");
        let prev = self.prev_word_mut(i);
        if *prev & FLAG == 0 {
            *prev |= FLAG;
        }
    }

    /// Slot `i`'s value, to change, after setting its flag (with [`Flagged`]; only the
    /// value without): a hit in one index. Writes the flag only when it changes.
    #[inline(always)]
    pub fn touch(&mut self, i: u32) -> &mut V {
        let node = self.slab.item_mut(i);
        let prev = node.links.prev.get_mut();
        if F::ON && *prev & FLAG == 0 {
            *prev |= FLAG;
        }
        &mut node.value
    }

    /// [`touch`](Self::touch) through `&self`, safe from many threads at once: sets slot
    /// `i`'s flag (with [`Flagged`]; nothing without) and returns its value. As `touch`,
    /// it writes only when the flag is clear, so a hot entry's cache line is only read.
    ///
    /// `Relaxed` is enough: while callers share `&self` (a shard's read lock), nothing but
    /// flags changes, and setting a flag is idempotent, so neither the order of two hits nor
    /// any other memory depends on it; the `fetch_or` touches only the flag bit, so a link
    /// stored in the same word is never torn. Whatever later takes `&mut` (a writer
    /// acquiring the lock) sees every flag set before the lock was released, through the
    /// lock's own acquire and release.
    ///
    /// ```
    /// use evict_slots::DefaultHashBuilder;
    /// use evict_slots::ring::{Flagged, Ring, NIL};
    ///
    /// let mut ring: Ring<u32, char, DefaultHashBuilder, Flagged> = Ring::default();
    /// let mut hand = NIL;
    /// ring.push_back(&mut hand, ring.hash(&7), 7, 'a', 1);
    /// let shared = &ring;
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert_eq!(shared.touch_shared(0), &'a'));
    ///     s.spawn(|| assert_eq!(shared.touch_shared(0), &'a'));
    /// });
    /// assert!(ring.flag(0));
    /// ```
    #[inline(always)]
    pub fn touch_shared(&self, i: u32) -> &V {
        let node = self.slab.item(i);
        if F::ON && node.links.prev.load(Relaxed) & FLAG == 0 {
            node.links.prev.fetch_or(FLAG, Relaxed);
        }
        &node.value
    }

    /// Clears slot `i`'s flag and says whether it was set.
    #[inline(always)]
    pub fn take_flag(&mut self, i: u32) -> bool {
        let prev = self.prev_word_mut(i);
        let was = F::ON && *prev & FLAG != 0;
        if was {
            *prev &= !FLAG;
        }
        was
    }

    /// From slot `at` going `dir`, the first slot whose flag is clear, clearing the set
    /// flags on the way: a CLOCK or SIEVE hand's sweep. After one turn every flag is clear,
    /// so it stops at `at` at the latest.
    ///
    /// ```
    /// use evict_slots::DefaultHashBuilder;
    /// use evict_slots::ring::{Direction, Flagged, Ring, NIL};
    ///
    /// let mut ring: Ring<u32, (), DefaultHashBuilder, Flagged> = Ring::default();
    /// let mut hand = NIL;
    /// for k in 0..4 {
    ///     ring.push_back(&mut hand, ring.hash(&k), k, (), 4); // slot k
    /// }
    /// ring.set_flag(0);
    /// ring.set_flag(1);
    /// assert_eq!(ring.first_clear(hand, Direction::Next), 2); // reads only
    /// assert!(ring.flag(0) && ring.flag(1));
    /// assert_eq!(ring.sweep(hand, Direction::Next), 2); // clears 0 and 1 on the way
    /// assert!(!ring.flag(0) && !ring.flag(1));
    /// ```
    #[inline(always)]
    pub fn sweep(&mut self, mut at: u32, dir: Direction) -> u32 {
        while self.take_flag(at) {
            at = self.step_excl(at, dir);
        }
        at
    }

    /// The slot [`sweep`](Self::sweep) would stop at, changing nothing: the first slot from
    /// `at` going `dir` whose flag is clear, or `at` if every flag is set (see the example
    /// of [`sweep`](Self::sweep)).
    pub fn first_clear(&self, at: u32, dir: Direction) -> u32 {
        let mut i = at;
        for _ in 0..self.len() {
            if !self.flag(i) {
                return i;
            }
            i = self.step(i, dir);
        }
        at
    }

    #[inline(always)]
    fn set_next(&mut self, i: u32, next: u32) {
        self.slab.item_mut(i).links.next = next;
    }

    #[inline(always)]
    fn set_prev(&mut self, i: u32, prev: u32) {
        let word = self.prev_word_mut(i);
        *word = if F::ON { (*word & FLAG) | prev } else { prev };
    }

    /// Links detached slot `i` in just before slot `at`, or, if `at` is `NIL`, makes it a
    /// circle of its own. Its flag is kept.
    #[inline]
    pub fn link_before(&mut self, at: u32, i: u32) {
        if at == NIL {
            self.set_next(i, i);
            self.set_prev(i, i);
            return;
        }
        self.splice_before(at, i);
    }

    /// Links slot `i` in between slot `at` and the slot before it (`i`'s own links are
    /// overwritten).
    #[inline(always)]
    fn splice_before(&mut self, at: u32, i: u32) {
        let before = self.prev_excl(at);
        self.set_next(i, at);
        self.set_prev(i, before);
        self.set_next(before, i);
        self.set_prev(at, i);
    }

    /// Moves slot `i` to just before slot `at` (`i != at`, both in the circle), without the
    /// checks for an empty or one-entry ring. Its flag is kept.
    #[inline(always)]
    pub fn move_before(&mut self, at: u32, i: u32) {
        let (prev, next) = (self.prev_excl(i), self.next(i));
        self.set_next(prev, next);
        self.set_prev(next, prev);
        self.splice_before(at, i);
    }

    /// Makes slot `i` the one at `anchor` (LRU's "make it the most recent"; SIEVE's
    /// "newcomers go to the head"): nothing to write when it already is; when it is just
    /// before the anchor, turning the circle one step (moving the anchor back onto it) is
    /// all it takes.
    #[inline(always)]
    pub fn move_to_front(&mut self, anchor: &mut u32, i: u32) {
        let head = *anchor;
        if head == i {
            return;
        }
        if self.prev_excl(head) != i {
            self.move_before(head, i);
        }
        *anchor = i;
    }

    /// Detaches slot `i` from the circle (its flag is kept) and returns the slot that
    /// followed it, or `NIL` if it was the only one.
    #[inline]
    pub fn unlink(&mut self, i: u32) -> u32 {
        let next = self.next(i);
        if next == i {
            return NIL;
        }
        let prev = self.prev_excl(i);
        self.set_next(prev, next);
        self.set_prev(next, prev);
        next
    }

    /// Iterates over all entries along `next`, starting at slot `start` (an empty iterator
    /// if the ring is empty); from the other end, along `prev` from the slot before
    /// `start`.
    pub fn iter_from(&self, start: u32) -> Iter<'_, K, V> {
        self.slab.walk([self.circle(start)])
    }

    /// The circle from slot `start` as one list (empty if the ring is).
    fn circle(&self, start: u32) -> Span {
        match self.slab.get(start) {
            Some(_) => Span {
                first: start,
                last: self.prev(start),
                len: self.len() as u32,
            },
            None => Span {
                first: NIL,
                last: NIL,
                len: 0,
            },
        }
    }

    /// Renumbers the slots so that slot `r` is the `r`-th from `start` along `next` (and
    /// `start` slot 0), and repoints `anchors` (each a slot or `NIL`) and the index: the
    /// circle, its flags and every key's place in it stay as they were. Nothing is hashed
    /// and nothing allocated; a ring already in that order is only read.
    ///
    /// Afterwards the slots in `Vec` order are the circle from `start`, which is how
    /// [`iter_mut_from`](Self::iter_mut_from), [`into_iter_from`](Self::into_iter_from) and
    /// [`drain_from`](Self::drain_from) walk it without `unsafe`.
    ///
    /// ```
    /// use evict_slots::ring::{Ring, NIL};
    ///
    /// let mut ring: Ring<u32, u32> = Ring::default();
    /// let mut head = NIL;
    /// for k in 0..4 {
    ///     ring.push_front(&mut head, ring.hash(&k), k, k, 4); // 3 2 1 0 from the head
    /// }
    /// let mut anchors = [head, ring.find(&1).unwrap()];
    /// ring.relayout(head, &mut anchors);
    /// assert_eq!(anchors, [0, 2]);
    /// let slots: Vec<u32> = (0..4).map(|i| *ring.key(i)).collect();
    /// assert_eq!(slots, [3, 2, 1, 0]);
    /// assert_eq!(ring.find(&3), Some(0));
    /// ```
    pub fn relayout(&mut self, start: u32, anchors: &mut [u32]) {
        let circle = self.circle(start);
        self.slab
            .relayout([circle], anchors, |node, _, i, first, last| {
                let links = &mut node.links;
                links.next = if i == last { first } else { i + 1 };
                let prev = if i == first { last } else { i - 1 };
                let word = links.prev.get_mut();
                *word = if F::ON { (*word & FLAG) | prev } else { prev };
            });
    }

    /// The entries in circle order from `start`, each value mutable; see
    /// [`relayout`](Self::relayout), which it does first (repointing `anchors`).
    ///
    /// ```
    /// use evict_slots::ring::{Ring, NIL};
    ///
    /// let mut ring: Ring<u32, u32> = Ring::default();
    /// let mut anchors = [NIL];
    /// for k in 0..3 {
    ///     ring.push_back(&mut anchors[0], ring.hash(&k), k, k, 3);
    /// }
    /// for (k, v) in ring.iter_mut_from(anchors[0], &mut anchors) {
    ///     *v = k * 10;
    /// }
    /// let owned: Vec<(u32, u32)> = ring.clone().into_iter_from(anchors[0]).rev().collect();
    /// assert_eq!(owned, [(2, 20), (1, 10), (0, 0)]);
    /// let first: Vec<u32> = ring.drain_from(anchors[0], &mut anchors).take(1).map(|(k, _)| k).collect();
    /// assert_eq!((first, anchors, ring.len()), (vec![0], [NIL], 0));
    /// ```
    pub fn iter_mut_from(&mut self, start: u32, anchors: &mut [u32]) -> IterMut<'_, K, V> {
        self.relayout(start, anchors);
        self.slab.iter_mut()
    }

    /// Every entry in circle order from `start`, by value (see the example of
    /// [`iter_mut_from`](Self::iter_mut_from)).
    pub fn into_iter_from(mut self, start: u32) -> IntoIter<K, V> {
        self.relayout(start, &mut []);
        self.slab.take()
    }

    /// Removes every entry and yields them in circle order from `start`; `anchors` are set
    /// to `NIL`. The memory is kept. Dropping the iterator early drops the rest: the ring is
    /// empty either way. See the example of [`iter_mut_from`](Self::iter_mut_from).
    pub fn drain_from(&mut self, start: u32, anchors: &mut [u32]) -> Drain<'_, K, V> {
        self.relayout(start, &mut []);
        anchors.fill(NIL);
        self.slab.drain()
    }

    /// Drops every entry and gives the memory back.
    pub fn clear(&mut self) {
        self.slab.clear();
    }

    /// The `Vec`'s allocated slots (for tests of "no allocation once full").
    pub fn slot_capacity(&self) -> usize {
        self.slab.slot_capacity()
    }

    /// The index (for tests of its size).
    pub fn index(&self) -> &crate::SlotIndex {
        self.slab.index()
    }
}

impl<K: Hash + Eq, V, S: BuildHasher, F: Flags, W: Weighing> Ring<K, V, S, F, W> {
    /// The hash of `key` (any borrowed form of the key type hashes alike).
    #[inline(always)]
    pub fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.slab.hash(key)
    }

    /// The slot of `key`.
    #[inline(always)]
    pub fn find<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.slab.find(key)
    }

    /// The slot of `key`, whose hash is `hash`.
    #[inline(always)]
    pub fn find_hashed<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.slab.find_hashed(hash, key)
    }

    /// Adds `key` (hashing to `hash`, not yet in the ring) in a new slot, linked in just
    /// before slot `at` (or as a circle of its own if `at` is `NIL`), and returns the slot.
    /// Its flag is clear. The slots grow up to `max_len` (see [`Slab::push`]).
    #[inline]
    pub fn insert_before(&mut self, at: u32, hash: u64, key: K, value: V, max_len: usize) -> u32 {
        let links = Links::new(NIL, 0);
        let i = self.slab.push(hash, key, Node { value, links }, max_len);
        self.link_before(at, i);
        i
    }

    /// Adds `key` just before `anchor` and makes it the anchor: the new first entry of an
    /// order listed from the anchor (LRU's and SIEVE's newest).
    #[inline]
    pub fn push_front(&mut self, anchor: &mut u32, hash: u64, key: K, value: V, max_len: usize) {
        *anchor = self.insert_before(*anchor, hash, key, value, max_len);
    }

    /// Adds `key` just before `anchor`, the anchor staying (becoming the new slot if the
    /// ring was empty), and returns the slot: the new last entry of an order listed from
    /// the anchor (FIFO's and CLOCK's newest).
    #[inline]
    pub fn push_back(
        &mut self,
        anchor: &mut u32,
        hash: u64,
        key: K,
        value: V,
        max_len: usize,
    ) -> u32 {
        let i = self.insert_before(*anchor, hash, key, value, max_len);
        if *anchor == NIL {
            *anchor = i;
        }
        i
    }

    /// Puts `key` and `value` (hashing to `hash`, key not yet in the ring) in slot `i` in
    /// place of its pair, and returns the old pair. The links stay; the flag is cleared.
    #[inline(always)]
    pub fn replace(&mut self, i: u32, hash: u64, key: K, value: V) -> (K, V) {
        let old = &mut self.slab.item_mut(i).links;
        let prev = *old.prev.get_mut();
        let links = Links::new(old.next, if F::ON { prev & !FLAG } else { prev });
        let (old_key, old) = self.slab.replace(i, hash, key, Node { value, links });
        (old_key, old.value)
    }

    /// Takes slot `i` out of the ring and returns its pair: it is unlinked, then the last
    /// slot moves into its place. `anchors` are the caller's pointers into the circle (a
    /// head, a hand): one on `i` moves on to the slot after it (`NIL` if none is left), one
    /// on the moved slot follows it.
    ///
    /// ```
    /// use evict_slots::ring::{Ring, NIL};
    ///
    /// let mut ring: Ring<u32, u32> = Ring::default();
    /// let mut anchors = [NIL];
    /// for k in 0..3 {
    ///     ring.push_back(&mut anchors[0], ring.hash(&k), k, k * 10, 3); // slot k
    /// }
    /// assert_eq!(ring.remove(0, &mut anchors), (0, 0)); // the anchor moves on to 1
    /// assert_eq!(ring.key(anchors[0]), &1);
    /// assert_eq!(ring.find(&2), Some(0)); // the last slot filled the gap
    /// let keys: Vec<u32> = ring.iter_from(anchors[0]).map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [1, 2]);
    /// ```
    pub fn remove(&mut self, i: u32, anchors: &mut [u32]) -> (K, V) {
        let hash = self.slab.hash(self.slab.key(i));
        self.remove_hashed(i, hash, anchors)
    }

    /// [`remove`](Self::remove) of slot `i`, whose key hashes to `hash`.
    pub fn remove_hashed(&mut self, i: u32, hash: u64, anchors: &mut [u32]) -> (K, V) {
        // The key that moves into the gap is hashed before anything changes: a `Hash` that
        // panics leaves the ring as it was.
        let removal = self.slab.removal(i, hash);
        let next = self.unlink(i);
        for anchor in anchors.iter_mut().filter(|a| **a == i) {
            *anchor = next;
        }
        let (key, node, moved_from) = self.slab.swap_remove_planned(removal);
        if moved_from != i {
            // The last slot is in slot `i` now, with its links: its neighbours must follow.
            let (mprev, mnext) = (self.prev_excl(i), self.next(i));
            if mnext == moved_from {
                // It is alone: a circle of one.
                self.set_next(i, i);
                self.set_prev(i, i);
            } else {
                self.set_next(mprev, i);
                self.set_prev(mnext, i);
            }
            for anchor in anchors.iter_mut().filter(|a| **a == moved_from) {
                *anchor = i;
            }
        }
        (key, node.value)
    }

    /// Keeps at most `max_len` entries' worth of memory (see [`Slab::shrink_to`]).
    pub fn shrink_to(&mut self, max_len: usize) {
        self.slab.shrink_to(max_len);
    }

    /// Checks that the circle through `anchor` covers every slot once, that its links agree
    /// both ways, and that every key is found at its own slot. Panics with what is wrong.
    /// For tests.
    pub fn check(&self, anchor: u32) {
        self.slab.check();
        let n = self.len();
        if n == 0 {
            assert_eq!(anchor, NIL, "an empty ring has an anchor");
            return;
        }
        assert!((anchor as usize) < n, "anchor {anchor} outside {n} slots");
        let mut seen = alloc::vec![false; n];
        let mut at = anchor;
        for step in 0..n {
            assert!(!seen[at as usize], "slot {at} visited twice");
            seen[at as usize] = true;
            let next = self.next(at);
            assert!((next as usize) < n, "next of slot {at} outside {n} slots");
            assert_eq!(self.prev(next), at, "broken prev link after slot {at}");
            assert_eq!(
                next == anchor,
                step == n - 1,
                "the circle closes at the wrong place (slot {at}, step {step})"
            );
            at = next;
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, F, W: Weighing> fmt::Debug for Ring<K, V, S, F, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.slab.iter()).finish()
    }
}

#[cfg(test)]
mod tests;
