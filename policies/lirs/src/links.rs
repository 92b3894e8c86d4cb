//! A resident entry's links, the two resident lists (Q and the LIR list) threaded through
//! the slab, and the ids of the stack S, which holds resident entries and non-resident
//! (ghost) entries alike.

use evict_slots::Slab;
use evict_slots::slab::{self, Span};
use evict_slots::weight::Weighing;

/// "No slot" at the end of a resident list (31-bit list links).
pub(crate) const NIL: u32 = 0x7FFF_FFFF;
/// The top bit of `Links::next`: which resident list the slot is on.
const TAG: u32 = 0x8000_0000;

/// The resident list of resident HIR entries, oldest (the next victim) first.
pub(crate) const HIR: usize = 0;
/// The resident list of LIR entries, least recently used first: the stack order of the LIR
/// entries, kept apart so that they can be walked without the stack's other entries.
pub(crate) const LIR: usize = 1;

/// The end of the stack S, in S ids.
pub(crate) const S_NIL: u32 = u32::MAX;
/// `Links::up` of a resident entry that is not in S.
pub(crate) const OUT: u32 = u32::MAX - 1;
/// The bit of an S id that marks a ghost (non-resident) entry: `g | GHOST` is ghost `g`,
/// an id without it is a slab slot.
pub(crate) const GHOST: u32 = 0x8000_0000;

/// A resident entry's links: `prev`/`next` on its resident list (towards its oldest and
/// newest end; the list id in `next`'s top bit) and `up`/`down` in S (towards its top and
/// its bottom; `up == OUT` when the entry is not in S). 16 bytes.
///
/// `pub` in a private module: the cache's `SlabCache` implementation names the slab's item
/// type, which a crate-private type cannot be part of (E0446).
#[derive(Clone, Copy, Debug)]
#[allow(unreachable_pub)]
pub struct Links {
    pub(crate) prev: u32,
    next: u32,
    pub(crate) up: u32,
    pub(crate) down: u32,
}

impl Links {
    /// On no list and not in S.
    pub(crate) const DETACHED: Self = Self {
        prev: NIL,
        next: NIL,
        up: OUT,
        down: OUT,
    };

    #[inline]
    pub(crate) fn list(self) -> usize {
        (self.next >> 31) as usize
    }

    #[inline]
    pub(crate) fn next(self) -> u32 {
        self.next & !TAG
    }

    #[inline]
    pub(crate) fn set_next(&mut self, next: u32) {
        self.next = (self.next & TAG) | next;
    }

    #[inline]
    pub(crate) fn in_stack(self) -> bool {
        self.up != OUT
    }
}

/// A resident entry's value and links (its key is the slab's).
pub(crate) type Node<V> = slab::Node<V, Links>;

/// Iteration runs along each resident list from its oldest end.
impl slab::Links for Links {
    #[inline(always)]
    fn forward(&self) -> u32 {
        self.next()
    }

    #[inline(always)]
    fn backward(&self) -> u32 {
        self.prev
    }

    #[inline(always)]
    fn set_forward(&mut self, to: u32) {
        self.set_next(to);
    }
}

type Slots<K, V, S, W> = Slab<K, Node<V>, S, W>;

/// The two resident lists, as the toolkit's spans (`first` the oldest, `last` the newest).
pub(crate) const EMPTY_LISTS: [Span; 2] = [Span {
    first: NIL,
    last: NIL,
    len: 0,
}; 2];

/// Detaches slot `i` from its resident list.
#[inline]
pub(crate) fn unlink<K, V, S, W: Weighing>(
    lists: &mut [Span; 2],
    slots: &mut Slots<K, V, S, W>,
    i: u32,
) {
    let links = slots.item(i).links;
    let list = links.list();
    let (prev, next) = (links.prev, links.next());
    match prev {
        NIL => lists[list].first = next,
        p => slots.item_mut(p).links.set_next(next),
    }
    match next {
        NIL => lists[list].last = prev,
        n => slots.item_mut(n).links.prev = prev,
    }
    lists[list].len -= 1;
}

/// Links detached slot `i` in as the newest of `list`.
#[inline]
pub(crate) fn push_newest<K, V, S, W: Weighing>(
    lists: &mut [Span; 2],
    slots: &mut Slots<K, V, S, W>,
    i: u32,
    list: usize,
) {
    let old = lists[list].last;
    let links = &mut slots.item_mut(i).links;
    links.prev = old;
    links.next = NIL | ((list as u32) << 31);
    match old {
        NIL => lists[list].first = i,
        o => slots.item_mut(o).links.set_next(i),
    }
    lists[list].last = i;
    lists[list].len += 1;
}

/// After the slab moved its last slot into slot `to`: repoints its list neighbours (or the
/// list ends) at its new index.
#[inline]
pub(crate) fn relocate<K, V, S, W: Weighing>(
    lists: &mut [Span; 2],
    slots: &mut Slots<K, V, S, W>,
    to: u32,
) {
    let links = slots.item(to).links;
    let list = links.list();
    match links.prev {
        NIL => lists[list].first = to,
        p => slots.item_mut(p).links.set_next(to),
    }
    match links.next() {
        NIL => lists[list].last = to,
        n => slots.item_mut(n).links.prev = to,
    }
}

/// Rewrites slot `i`'s list links for a list laid out in slots `first..=last`.
#[inline]
pub(crate) fn relink(links: &mut Links, list: usize, i: u32, first: u32, last: u32) {
    links.prev = if i == first { NIL } else { i - 1 };
    links.next = (if i == last { NIL } else { i + 1 }) | ((list as u32) << 31);
}
