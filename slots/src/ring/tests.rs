use alloc::vec::Vec;

use super::*;
use crate::DefaultHashBuilder;

type R<F> = Ring<u32, u32, DefaultHashBuilder, F>;

fn keys<F: Flags>(ring: &R<F>, from: u32) -> Vec<u32> {
    ring.iter_from(from).map(|(k, _)| *k).collect()
}

/// A ring of keys `0..n` in slot order, anchored at slot 0.
fn ring_of<F: Flags>(n: u32) -> R<F> {
    let mut ring = Ring::default();
    let mut head = NIL;
    for k in 0..n {
        ring.push_back(&mut head, ring.hash(&k), k, k, n as usize);
    }
    ring.check(0);
    ring
}

#[test]
fn links_flags_and_iteration() {
    let mut ring = ring_of::<Flagged>(4);
    assert_eq!(keys(&ring, 0), [0, 1, 2, 3]);
    assert_eq!(keys(&ring, 2), [2, 3, 0, 1]);
    let back: Vec<u32> = ring.iter_from(0).rev().map(|(k, _)| *k).collect();
    assert_eq!(back, [3, 2, 1, 0]);
    ring.set_flag(1);
    assert!(ring.flag(1) && !ring.flag(2));
    // Moving a flagged slot keeps its flag, and the links stay clean of it.
    assert_eq!(ring.unlink(1), 2);
    ring.link_before(0, 1);
    ring.check(0);
    assert_eq!(keys(&ring, 0), [0, 2, 3, 1]);
    let back: Vec<u32> = ring.iter_from(0).rev().map(|(k, _)| *k).collect();
    assert_eq!(back, [1, 3, 2, 0]);
    assert!(ring.take_flag(1));
    assert!(!ring.take_flag(1));
    // move_before, flag kept.
    ring.set_flag(3);
    ring.move_before(0, 3);
    ring.check(3);
    assert_eq!(keys(&ring, 3), [3, 0, 2, 1]);
    assert!(ring.flag(3));
}

#[test]
fn without_flags_links_are_plain() {
    let mut ring = ring_of::<Plain>(3);
    assert!(!ring.flag(1) && !ring.take_flag(1));
    ring.move_before(0, 2);
    ring.check(2);
    assert_eq!(keys(&ring, 2), [2, 0, 1]);
}

#[test]
fn move_to_front_and_push_front() {
    let mut ring = ring_of::<Plain>(4);
    let mut head = 0;
    ring.move_to_front(&mut head, 3); // just before the head: a turn of the circle
    assert_eq!((head, keys(&ring, head)), (3, [3, 0, 1, 2].into()));
    ring.move_to_front(&mut head, 1);
    assert_eq!(keys(&ring, head), [1, 3, 0, 2]);
    ring.move_to_front(&mut head, 1);
    assert_eq!(keys(&ring, head), [1, 3, 0, 2]);
    ring.push_front(&mut head, ring.hash(&9), 9, 9, 5);
    assert_eq!(keys(&ring, head), [9, 1, 3, 0, 2]);
    ring.check(head);
}

#[test]
fn sweep_clears_what_first_clear_only_reads() {
    let mut ring = ring_of::<Flagged>(4);
    for i in [0, 1, 3] {
        ring.set_flag(i);
    }
    assert_eq!(ring.first_clear(0, Direction::Next), 2);
    assert_eq!(ring.first_clear(0, Direction::Prev), 2);
    assert_eq!(ring.first_clear(3, Direction::Prev), 2);
    assert!(ring.flag(0) && ring.flag(1) && ring.flag(3));
    assert_eq!(ring.sweep(3, Direction::Next), 2);
    assert!(!ring.flag(3) && !ring.flag(0) && !ring.flag(1));
    // Every flag set: one turn, back to the start.
    for i in 0..4 {
        ring.set_flag(i);
    }
    assert_eq!(ring.first_clear(1, Direction::Next), 1);
    assert!(ring.flag(1));
    assert_eq!(ring.sweep(1, Direction::Prev), 1);
    assert!((0..4).all(|i| !ring.flag(i)));
}

#[test]
fn replace_keeps_the_place_and_clears_the_flag() {
    let mut ring = ring_of::<Flagged>(3);
    ring.set_flag(1);
    assert_eq!(ring.replace(1, ring.hash(&7), 7, 70), (1, 1));
    ring.check(0);
    assert_eq!(keys(&ring, 0), [0, 7, 2]);
    assert!(!ring.flag(1));
    assert_eq!(ring.find(&1), None);
    assert_eq!(ring.find(&7), Some(1));
}

#[test]
fn remove_moves_the_last_slot_in_and_fixes_anchors() {
    for n in 1..6u32 {
        for victim in 0..n {
            let mut ring = ring_of::<Flagged>(n);
            ring.set_flag(n - 1);
            let mut anchors = [0, n - 1];
            assert_eq!(ring.remove(victim, &mut anchors), (victim, victim));
            let want: Vec<u32> = (0..n).filter(|&k| k != victim).collect();
            if n == 1 {
                assert_eq!(anchors, [NIL, NIL]);
                ring.check(NIL);
                continue;
            }
            ring.check(anchors[0]);
            assert_eq!(keys(&ring, anchors[0]), want, "n {n}, victim {victim}");
            // The second anchor follows key n - 1, or its successor if that was removed.
            let second = if victim == n - 1 { 0 } else { n - 1 };
            assert_eq!(*ring.key(anchors[1]), second, "n {n}, victim {victim}");
            assert_eq!(ring.flag(anchors[1]), victim != n - 1);
        }
    }
}

#[test]
fn relayout_puts_the_slots_in_circle_order() {
    let mut ring = ring_of::<Flagged>(6);
    let mut head = 0;
    for i in [4, 1, 5] {
        ring.move_to_front(&mut head, i);
    }
    ring.set_flag(4);
    let order = keys(&ring, head);
    assert_eq!(order, [5, 1, 4, 0, 2, 3]);
    let mut anchors = [head, ring.find(&2).unwrap(), NIL];
    ring.relayout(head, &mut anchors);
    ring.check(0);
    assert_eq!(anchors, [0, 4, NIL]);
    let slots: Vec<u32> = (0..6).map(|i| *ring.key(i)).collect();
    assert_eq!(slots, order);
    assert_eq!(keys(&ring, 0), order);
    assert!(ring.flag(ring.find(&4).unwrap()));
    assert_eq!((0..6).filter(|&i| ring.flag(i)).count(), 1);
    // Already in order: nothing moves.
    ring.relayout(0, &mut anchors);
    assert_eq!(anchors, [0, 4, NIL]);
    ring.check(0);
}

#[test]
fn iterators_go_both_ways_in_circle_order() {
    let mut ring = ring_of::<Plain>(5);
    let mut head = 0;
    ring.move_to_front(&mut head, 2);
    let order = keys(&ring, head);
    assert_eq!(order, [2, 0, 1, 3, 4]);
    let mut it = ring.iter_from(head);
    assert_eq!(it.len(), 5);
    assert_eq!(it.next_back().map(|(k, _)| *k), Some(4));
    assert_eq!(it.next().map(|(k, _)| *k), Some(2));
    assert_eq!(it.len(), 3);
    let rest: Vec<u32> = it.map(|(k, _)| *k).collect();
    assert_eq!(rest, [0, 1, 3]);

    let mut anchors = [head];
    for (k, v) in ring.iter_mut_from(head, &mut anchors) {
        *v = k * 100;
    }
    head = anchors[0];
    ring.check(head);
    let pairs: Vec<(u32, u32)> = ring.iter_from(head).map(|(k, v)| (*k, *v)).collect();
    assert_eq!(pairs, [(2, 200), (0, 0), (1, 100), (3, 300), (4, 400)]);
    let back: Vec<u32> = ring
        .iter_mut_from(head, &mut anchors)
        .rev()
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(back, [4, 3, 1, 0, 2]);

    let mut drained = ring.clone();
    let first: Vec<u32> = drained
        .drain_from(head, &mut anchors)
        .take(2)
        .map(|(k, _)| k)
        .collect();
    assert_eq!((first, anchors), (alloc::vec![2, 0], [NIL]));
    assert!(drained.is_empty());
    drained.check(NIL);
    assert!(drained.slot_capacity() >= 5);

    let owned: Vec<u32> = ring.into_iter_from(head).rev().map(|(k, _)| k).collect();
    assert_eq!(owned, [4, 3, 1, 0, 2]);
}

#[test]
fn an_empty_ring_iterates_nothing() {
    let mut ring = R::<Plain>::default();
    assert_eq!(ring.iter_from(NIL).next_back(), None);
    assert_eq!(ring.iter_mut_from(NIL, &mut [NIL]).next(), None);
    assert_eq!(ring.drain_from(NIL, &mut []).next(), None);
    assert_eq!(ring.into_iter_from(NIL).next(), None);
}

#[test]
fn a_node_is_key_value_and_two_links() {
    use crate::slab::{Entry, Node};
    assert_eq!(core::mem::size_of::<Entry<u64, Node<u64, Links>>>(), 24);
    assert_eq!(core::mem::size_of::<Entry<u64, Node<(), Links>>>(), 16);
}

#[test]
fn growth_stops_at_max_len() {
    let mut ring = ring_of::<Plain>(10);
    assert_eq!(ring.slot_capacity(), 10);
    ring.clear();
    assert_eq!((ring.len(), ring.slot_capacity()), (0, 0));
}
