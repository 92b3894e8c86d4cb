use super::*;
use alloc::vec::Vec;

use crate::DefaultHashBuilder;

const NIL: u32 = u32::MAX;

fn slab_of(n: u32) -> Slab<u32, u32, DefaultHashBuilder> {
    let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    for k in 0..n {
        slab.push(slab.hash(&k), k, k * 10, n as usize);
    }
    slab.check();
    slab
}

#[test]
fn push_stops_at_max_len_and_settles() {
    let slab = slab_of(10);
    assert_eq!(slab.slot_capacity(), 10);
    assert!(slab.index().capacity() >= 10 / 4);
}

#[test]
fn replace_and_swap_remove_keep_the_index_right() {
    let mut slab = slab_of(5);
    assert_eq!(slab.replace(2, slab.hash(&7), 7, 70), (2, 20));
    slab.check();
    assert_eq!((slab.find(&2), slab.find(&7)), (None, Some(2)));
    for victim in [0, 3, 2] {
        let key = *slab.key(victim);
        let last = slab.len() as u32 - 1;
        let (k, _, moved_from) = slab.swap_remove(victim);
        assert_eq!((k, moved_from), (key, last));
        slab.check();
    }
    assert_eq!(slab.len(), 2);
}

#[test]
fn permute_moves_slots_to_their_rank() {
    let mut slab = slab_of(6);
    // Rank of key k: 5 - k, kept in the item.
    for i in 0..6 {
        *slab.item_mut(i) = 5 - *slab.key(i);
    }
    slab.permute(|&rank| rank);
    slab.check();
    let keys: Vec<u32> = (0..6).map(|i| *slab.key(i)).collect();
    assert_eq!(keys, [5, 4, 3, 2, 1, 0]);
}

#[test]
fn shrink_gives_memory_back() {
    let mut slab = slab_of(1000);
    while slab.len() > 10 {
        let _ = slab.swap_remove(0);
    }
    let before = slab.index().allocation_size();
    slab.shrink_to(10);
    slab.check();
    assert_eq!(slab.slot_capacity(), 10);
    assert!(slab.index().allocation_size() < before);
}

/// A value and a one-way link, for the relayout and walk tests.
#[derive(Debug)]
struct OneWay(u32, u32);

impl Item for OneWay {
    type Value = u32;
    fn value(&self) -> &u32 {
        &self.0
    }
    fn value_mut(&mut self) -> &mut u32 {
        &mut self.0
    }
    fn into_value(self) -> u32 {
        self.0
    }
}

impl Links for OneWay {
    fn forward(&self) -> u32 {
        self.1
    }
    fn backward(&self) -> u32 {
        unreachable!("relayout walks forwards only")
    }
    fn set_forward(&mut self, to: u32) {
        self.1 = to;
    }
}

#[test]
fn relayout_lays_two_lists_out_and_moves_anchors() {
    // Keys 0..6 in slots 0..6; list A: 4 -> 1 -> 5, list B: 0 -> 3 -> 2.
    let nexts = [3, 5, NIL, 2, 1, NIL];
    let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    for (k, &next) in nexts.iter().enumerate() {
        slab.push(
            slab.hash(&(k as u32)),
            k as u32,
            OneWay(k as u32 * 10, next),
            6,
        );
    }
    let lists = [
        Span {
            first: 4,
            last: 5,
            len: 3,
        },
        Span {
            first: 0,
            last: 2,
            len: 3,
        },
    ];
    let mut anchors = [3, NIL];
    let mut relinked = Vec::new();
    let starts = slab.relayout(lists, &mut anchors, |node, l, i, first, last| {
        relinked.push((l, i, first, last));
        node.1 = if i == last { NIL } else { i + 1 };
    });
    assert_eq!(starts, [0, 3]);
    assert_eq!(anchors, [4, NIL]);
    slab.check();
    let keys: Vec<u32> = (0..6).map(|i| *slab.key(i)).collect();
    assert_eq!(keys, [4, 1, 5, 0, 3, 2]);
    assert_eq!(relinked.len(), 6);
    assert!(relinked.contains(&(1, 4, 3, 5)));
    // In order now: a second relayout reads only.
    let laid_out = starts.map(|first| Span {
        first,
        last: first + 2,
        len: 3,
    });
    let again = slab.relayout(laid_out, &mut [], |_, _, _, _, _| unreachable!());
    assert_eq!(again, [0, 3]);
}

#[test]
fn iterators_in_slot_order() {
    let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    for k in 0..4u32 {
        slab.push(
            slab.hash(&k),
            k,
            Node {
                value: k,
                links: (),
            },
            4,
        );
    }
    let mut it = slab.iter_mut();
    assert_eq!(it.len(), 4);
    *it.next_back().unwrap().1 = 33;
    assert_eq!(alloc::format!("{it:?}"), "[(0, 0), (1, 1), (2, 2)]");
    let owned: Vec<(u32, u32)> = slab.clone().take().rev().collect();
    assert_eq!(owned, [(3, 33), (2, 2), (1, 1), (0, 0)]);
    let mut drain = slab.drain();
    assert_eq!(drain.next(), Some((0, 0)));
    assert_eq!(alloc::format!("{drain:?}"), "[(1, 1), (2, 2), (3, 33)]");
    drop(drain);
    assert!(slab.is_empty());
    assert_eq!(slab.index().len(), 0);
}

#[test]
fn walk_follows_lists_both_ways() {
    // Slots 0..5; list A: 3 -> 0, list B empty, list C: 4 -> 2 -> 1, links both ways.
    #[derive(Debug)]
    struct Two(u32, u32, u32);
    impl Item for Two {
        type Value = u32;
        fn value(&self) -> &u32 {
            &self.0
        }
        fn value_mut(&mut self) -> &mut u32 {
            &mut self.0
        }
        fn into_value(self) -> u32 {
            self.0
        }
    }
    impl Links for Two {
        fn forward(&self) -> u32 {
            self.1
        }
        fn backward(&self) -> u32 {
            self.2
        }
        fn set_forward(&mut self, to: u32) {
            self.1 = to;
        }
    }
    let links = [(NIL, 3), (NIL, 2), (1, 4), (0, NIL), (2, NIL)];
    let mut slab = Slab::with_hasher(DefaultHashBuilder::default());
    for (k, &(next, prev)) in links.iter().enumerate() {
        let k = k as u32;
        slab.push(slab.hash(&k), k, Two(k, next, prev), 5);
    }
    let span = |first, last, len| Span { first, last, len };
    let walk = slab.walk([span(3, 0, 2), span(NIL, NIL, 0), span(4, 1, 3)]);
    assert_eq!(walk.len(), 5);
    let order: Vec<u32> = walk.clone().map(|(k, _)| *k).collect();
    assert_eq!(order, [3, 0, 4, 2, 1]);
    let back: Vec<u32> = walk.clone().rev().map(|(k, _)| *k).collect();
    assert_eq!(back, [1, 2, 4, 0, 3]);
    let mut both = walk.clone();
    assert_eq!(both.next().map(|p| *p.0), Some(3));
    assert_eq!(both.next_back().map(|p| *p.0), Some(1));
    assert_eq!(both.next().map(|p| *p.0), Some(0));
    assert_eq!(both.next().map(|p| *p.0), Some(4));
    assert_eq!(both.next_back().map(|p| *p.0), Some(2));
    assert_eq!(both.next(), None);
    assert_eq!(both.next_back(), None);
    assert_eq!(
        alloc::format!("{walk:?}"),
        "[(3, 3), (0, 0), (4, 4), (2, 2), (1, 1)]"
    );
    let empty = Slab::<u32, Two>::with_hasher(DefaultHashBuilder::default());
    assert_eq!(empty.walk([span(NIL, NIL, 0)]).count(), 0);
}

/// Keys and items that panic on demand: a hostile user's `Hash` and `Drop`, for the tests
/// that a panic in user code leaves the slab consistent.
mod touchy {
    extern crate std;

    use core::cell::Cell;
    use core::hash::{Hash, Hasher};

    std::thread_local! {
        /// The key whose next `hash` panics (once), if any.
        static HASH_TRAP: Cell<Option<u32>> = const { Cell::new(None) };
        /// Whether the next `Drop` of a [`Loud`] panics (once).
        static DROP_TRAP: Cell<bool> = const { Cell::new(false) };
        /// `Loud` values dropped on this thread.
        static DROPS: Cell<usize> = const { Cell::new(0) };
    }

    /// A key whose `Hash` panics once when armed for it.
    #[derive(Debug, PartialEq, Eq)]
    pub(super) struct Key(pub(super) u32);

    impl Hash for Key {
        fn hash<H: Hasher>(&self, state: &mut H) {
            if HASH_TRAP.get() == Some(self.0) {
                HASH_TRAP.set(None);
                panic!("hash of key {} panics", self.0);
            }
            self.0.hash(state);
        }
    }

    /// Arms a panic at the next hash of key `k`.
    pub(super) fn arm_hash(k: u32) {
        HASH_TRAP.set(Some(k));
    }

    /// Disarms the hash panic, if it has not fired.
    pub(super) fn disarm_hash() {
        HASH_TRAP.set(None);
    }

    /// Whether the armed hash panic has not fired.
    pub(super) fn hash_armed() -> bool {
        HASH_TRAP.get().is_some()
    }

    /// A value whose `Drop` panics once when armed, and counts drops.
    #[derive(Debug)]
    pub(super) struct Loud;

    impl Drop for Loud {
        fn drop(&mut self) {
            DROPS.set(DROPS.get() + 1);
            if DROP_TRAP.get() {
                DROP_TRAP.set(false);
                panic!("drop panics");
            }
        }
    }

    /// Arms a panic at the next drop of a `Loud`.
    pub(super) fn arm_drop() {
        DROP_TRAP.set(true);
    }

    /// `Loud` values dropped on this thread so far.
    pub(super) fn drops() -> usize {
        DROPS.get()
    }

    /// Runs `f`, catching a panic.
    pub(super) fn catch<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
    }

    /// Runs `f`, which must panic.
    pub(super) fn panics(f: impl FnOnce()) {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        assert!(caught.is_err(), "expected a panic");
    }
}

use touchy::{Key, Loud};

/// A slab of keys `0..n` filled towards `max_len`.
fn touchy_slab(n: u32, max_len: usize, floor: usize) -> Slab<Key, u32, DefaultHashBuilder> {
    let mut slab = Slab::with_spare_floor(DefaultHashBuilder::default(), floor);
    for k in 0..n {
        slab.push(slab.hash(&Key(k)), Key(k), k, max_len);
    }
    slab
}

/// The index agrees with the slots, and every key of `keys` is found at a slot holding it, and the index agrees.
fn all_found(slab: &Slab<Key, u32, DefaultHashBuilder>, keys: impl IntoIterator<Item = u32>) {
    slab.check();
    for k in keys {
        let i = slab.find(&Key(k)).unwrap_or_else(|| panic!("key {k} lost"));
        assert_eq!(slab.key(i), &Key(k));
    }
}

#[test]
fn a_hash_panic_in_the_rebuild_of_the_filling_push_loses_no_key() {
    // The reproduction at the slab: the push that fills the slab (7 -> 8 of 8)
    // settles the index, rehashing every key; the key in slot 3 panics.
    let mut slab = touchy_slab(7, 8, SPARE_FLOOR);
    touchy::arm_hash(3);
    touchy::panics(|| {
        slab.push(slab.hash(&Key(7)), Key(7), 7, 8);
    });
    assert!(!touchy::hash_armed(), "the rebuild did not hash key 3");
    // The push did not happen, and every key is still found.
    assert_eq!(slab.len(), 7);
    all_found(&slab, 0..7);
    // Later pushes work and repair the index.
    slab.push(slab.hash(&Key(7)), Key(7), 7, 8);
    all_found(&slab, 0..8);
    assert!(!slab.index().is_partial());
    assert_eq!(slab.index().len(), 8);
}

#[test]
fn a_hash_panic_in_the_rebuild_of_a_replace_changes_nothing() {
    // A full slab under churn rebuilds its index once tombstones have used its spare room;
    // before each replacement a key that only a rebuild hashes (the next slot's) is armed.
    // No spare floor, so that rebuilds come sooner.
    const N: u32 = 1000;
    let mut slab = touchy_slab(N, N as usize, 0);
    let mut panicked = 0;
    for (step, next) in (0..100_000u32).zip(N..) {
        let victim = step * 7919 % N;
        let old = slab.key(victim).0;
        touchy::arm_hash(slab.key((victim + 1) % N).0);
        let hash = slab.hash(&Key(next));
        match touchy::catch(|| slab.replace(victim, hash, Key(next), next)) {
            Ok((key, _)) => assert_eq!(key, Key(old)),
            Err(_) => {
                panicked += 1;
                // Nothing changed: the old key is still in its slot, and every key found.
                assert_eq!(slab.key(victim), &Key(old));
                all_found(&slab, (0..N).map(|i| slab.key(i).0));
                assert!(slab.find(&Key(next)).is_none());
                // The same replacement, unarmed, works.
                assert_eq!(slab.replace(victim, hash, Key(next), next).0, Key(old));
            }
        }
        touchy::disarm_hash();
    }
    all_found(&slab, (0..N).map(|i| slab.key(i).0));
    assert!(panicked > 0, "no rebuild hashed the armed key");
}

#[test]
fn swap_remove_hashes_the_moved_key_before_changing_anything() {
    let mut slab = touchy_slab(8, 8, SPARE_FLOOR);
    touchy::arm_hash(7); // the last slot's key, which moves into the gap
    touchy::panics(|| {
        let _ = slab.swap_remove(0);
    });
    assert_eq!(slab.len(), 8);
    all_found(&slab, 0..8);
    assert_eq!(slab.swap_remove(0).0, Key(0));
    all_found(&slab, 1..8);
}

#[test]
fn a_drop_panic_in_clear_leaves_an_empty_slab_and_drops_every_value() {
    let mut slab: Slab<u32, Loud, DefaultHashBuilder> =
        Slab::with_hasher(DefaultHashBuilder::default());
    for k in 0..8 {
        slab.push(slab.hash(&k), k, Loud, 8);
    }
    let before = touchy::drops();
    touchy::arm_drop();
    touchy::panics(|| slab.clear());
    assert_eq!(touchy::drops() - before, 8, "a value was not dropped");
    assert!(slab.is_empty());
    slab.check();
    for k in 0..8 {
        assert_eq!(slab.find(&k), None);
    }
    slab.push(slab.hash(&1), 1, Loud, 8);
    slab.check();
    assert_eq!(slab.find(&1), Some(0));
}

/// A weighted slab whose weights are in its slots (`X = u64`) and one whose weights are in
/// the column (`X = ()`) agree on every slot's weight and the total, through pushes,
/// re-weighing, replacements, removals from the middle, a relayout (slots permuted), a
/// drain and pushes after it; and the in-slot one keeps no column.
#[test]
fn weights_in_the_slots_agree_with_the_column() {
    use crate::weight::Weighted;

    type Weigh = Weighted<fn(&u32, &OneWay) -> u64>;
    fn no_weigh(_: &u32, _: &OneWay) -> u64 {
        0
    }
    let mut column: Slab<u32, OneWay, DefaultHashBuilder, Weigh> =
        Slab::with_weigher(DefaultHashBuilder::default(), 0, Weighted(no_weigh), 1000);
    let mut in_slot: Slab<u32, OneWay, DefaultHashBuilder, Weigh, u64> =
        Slab::with_weigher(DefaultHashBuilder::default(), 0, Weighted(no_weigh), 1000);
    let agree = |c: &Slab<u32, OneWay, DefaultHashBuilder, Weigh>,
                 s: &Slab<u32, OneWay, DefaultHashBuilder, Weigh, u64>| {
        c.check();
        s.check();
        assert_eq!(c.len(), s.len());
        assert_eq!(c.total_weight(), s.total_weight());
        for i in 0..c.len() as u32 {
            assert_eq!(c.key(i), s.key(i));
            assert_eq!(c.weight(i), s.weight(i), "slot {i}");
        }
    };
    // Keys 0..8 of weights 1, 2, 4, ..., pushed with their pending weight; a chain 0 -> 1
    // -> ... -> 7 in reverse slot order for the relayout below.
    for k in 0..8u32 {
        column.set_pending_weight(1 << k);
        in_slot.set_pending_weight(1 << k);
        let next = if k == 0 { NIL } else { k - 1 };
        column.push(column.hash(&k), k, OneWay(k, next), 8);
        in_slot.push(in_slot.hash(&k), k, OneWay(k, next), 8);
    }
    agree(&column, &in_slot);
    assert_eq!(in_slot.total_weight(), 255);
    for (i, w) in [(3, 100), (0, 0), (7, 5)] {
        column.set_weight(i, w);
        in_slot.set_weight(i, w);
    }
    agree(&column, &in_slot);
    // A replacement takes the pending weight.
    column.set_pending_weight(9);
    in_slot.set_pending_weight(9);
    let _ = column.replace(2, column.hash(&20), 20, OneWay(20, 1));
    let _ = in_slot.replace(2, in_slot.hash(&20), 20, OneWay(20, 1));
    agree(&column, &in_slot);
    // Removals from the middle: the last slot moves into the gap with its weight.
    for i in [1, 4] {
        let (kc, _, _) = column.swap_remove(i);
        let (ks, _, _) = in_slot.swap_remove(i);
        assert_eq!(kc, ks);
        agree(&column, &in_slot);
    }
    // A relayout permutes the slots: the weights follow their keys.
    let weights: Vec<(u32, u64)> = (0..in_slot.len() as u32)
        .map(|i| (*in_slot.key(i), in_slot.weight(i)))
        .collect();
    let n = in_slot.len() as u32;
    for i in 0..n {
        let next = if i == 0 { NIL } else { i - 1 };
        column.item_mut(i).1 = next;
        in_slot.item_mut(i).1 = next;
    }
    let list = [Span {
        first: n - 1,
        last: 0,
        len: n,
    }];
    let relink = |node: &mut OneWay, _: usize, i: u32, _: u32, last: u32| {
        node.1 = if i == last { NIL } else { i + 1 };
    };
    column.relayout(list, &mut [], relink);
    in_slot.relayout(list, &mut [], relink);
    agree(&column, &in_slot);
    for (k, w) in weights {
        let i = in_slot.find(&k).unwrap();
        assert_eq!(in_slot.weight(i), w, "key {k}");
    }
    // The column holds 8 bytes per slot; the in-slot slab holds them in its slots instead.
    let slot = core::mem::size_of::<Entry<u32, OneWay>>();
    let slot_w = core::mem::size_of::<Entry<u32, OneWay, u64>>();
    assert!(slot_w >= slot + 8);
    let index = in_slot.index().allocation_size();
    assert_eq!(
        in_slot.heap_bytes(),
        in_slot.slot_capacity() * slot_w + index
    );
    assert_eq!(
        column.heap_bytes(),
        column.slot_capacity() * (slot + 8) + column.index().allocation_size()
    );
    // Emptied and refilled: the totals start again from 0.
    assert_eq!(column.drain().count(), in_slot.drain().count());
    agree(&column, &in_slot);
    assert_eq!(in_slot.total_weight(), 0);
    column.set_pending_weight(3);
    in_slot.set_pending_weight(3);
    column.push(column.hash(&1), 1, OneWay(1, NIL), 8);
    in_slot.push(in_slot.hash(&1), 1, OneWay(1, NIL), 8);
    agree(&column, &in_slot);
    assert_eq!(in_slot.total_weight(), 3);
}
