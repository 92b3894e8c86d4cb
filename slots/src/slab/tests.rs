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
