use super::Ghost;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// A xorshift step: the tests' pseudo-random numbers.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A fingerprint and a tag for key `k`, as a caller would derive them from a hash: distinct
/// for distinct keys below 2^20 (`fp` alone tells them apart).
fn print<const LISTS: usize>(k: u64) -> (u32, u32) {
    let h = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (k << 40);
    let fp = (h as u32 & Ghost::<LISTS>::FP_MAX).max(1);
    (fp, (h >> 32) as u32)
}

/// The ghost against one `VecDeque` of keys per list (newest at the front), op by op:
/// pushes, hits (find, list_of, remove), takes and pops of a list's oldest, with the bound
/// kept as a policy keeps it.
fn against_deques<const LISTS: usize>(
    g: &mut Ghost<LISTS>,
    max_live: usize,
    keys: u64,
    steps: u32,
) {
    let mut lists: Vec<VecDeque<u64>> = (0..LISTS).map(|_| VecDeque::new()).collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for step in 0..steps {
        let r = next(&mut x);
        let k = r % keys;
        let (fp, tag) = print::<LISTS>(k);
        let list = (r >> 40) as usize % LISTS;
        if (r >> 20).is_multiple_of(5) {
            let popped = g.pop_oldest(list);
            assert_eq!(
                popped,
                lists[list].pop_back().is_some(),
                "pop at step {step}"
            );
        } else if let Some(hit) = g.find(fp, tag) {
            let l = g.list_of(hit);
            let at = lists[l].iter().position(|&j| j == k).expect("a ghost");
            lists[l].remove(at);
            if r & 1 == 0 {
                g.remove(hit);
            } else {
                assert_eq!(g.take(fp, tag), Some(l));
            }
        } else {
            assert!(
                !lists.iter().any(|l| l.contains(&k)),
                "lost {k} at step {step}"
            );
            if g.live() == max_live {
                let drop = (0..LISTS).find(|&l| !lists[l].is_empty()).expect("a list");
                assert!(g.pop_oldest(drop));
                lists[drop].pop_back();
            }
            g.push(list, fp, tag);
            lists[list].push_front(k);
        }
        for (l, list) in lists.iter().enumerate() {
            assert_eq!(g.len(l), list.len(), "length of list {l} at step {step}");
        }
        if step.is_multiple_of(97) {
            g.check();
            for (l, list) in lists.iter().enumerate() {
                let want: Vec<u32> = list.iter().rev().map(|&k| print::<LISTS>(k).0).collect();
                assert_eq!(
                    g.fingerprints(l).collect::<Vec<_>>(),
                    want,
                    "order of list {l}"
                );
            }
        }
    }
    g.check();
}

#[test]
fn one_list_against_a_deque() {
    for max_live in [1, 2, 5, 300] {
        let mut g = Ghost::<1>::new(max_live);
        against_deques(&mut g, max_live, 1500, 20_000);
    }
}

#[test]
fn two_lists_against_deques() {
    for max_live in [1, 2, 5, 300] {
        let mut g = Ghost::<2>::new(max_live);
        against_deques(&mut g, max_live, 1500, 20_000);
    }
}

#[test]
fn four_lists_against_deques() {
    let mut g = Ghost::<4>::new(200);
    against_deques(&mut g, 200, 800, 20_000);
}

/// Layouts whose ring positions leave few or no bits for the key (ghosts of hundreds of
/// millions of fingerprints and more), kept to a few hundred ghosts: key bits match often,
/// and the ring tells them apart.
#[test]
fn narrow_layouts_against_deques() {
    for max_live in [1 << 26, 1 << 28, 1 << 29, 1 << 30, 1_400_000_000] {
        let mut g = Ghost::<2>::new(max_live);
        against_deques(&mut g, 400, 1500, 20_000);
        let mut g = Ghost::<1>::new(max_live);
        against_deques(&mut g, 400, 1500, 20_000);
    }
    assert_eq!(Ghost::<2>::tag_bits_for(1 << 30), 0);
}

/// A reserved ghost under churn within its bound never allocates again, and compacts its
/// ring in place.
#[test]
fn reserved_ghost_never_allocates() {
    for max_live in [1usize, 10, 1000] {
        let mut g = Ghost::<2>::new(max_live);
        g.reserve();
        assert!(g.is_reserved());
        let sizes = g.allocated();
        assert_eq!(sizes, g.bounds());
        let mut x = 7u64;
        for step in 0..50_000u64 {
            let r = next(&mut x);
            let (fp, tag) = print::<2>(step);
            if r.is_multiple_of(3) {
                // A hit on some ghost: leaves a hole in the middle of the ring.
                let (fp, tag) = print::<2>(step.saturating_sub(r % (max_live as u64 + 1)));
                let _ = g.take(fp, tag);
            }
            if g.live() == max_live {
                let list = if g.len(0) > 0 && r & 4 == 0 { 0 } else { 1 };
                let list = if g.len(list) > 0 { list } else { 1 - list };
                g.pop_oldest(list);
            }
            g.push((r >> 50) as usize & 1, fp, tag);
        }
        g.check();
        assert_eq!(g.allocated(), sizes, "max_live {max_live}");
        assert!(
            max_live < 10 || g.compactions() > 0,
            "max_live {max_live}: no compaction"
        );
    }
}

/// A ghost that is not reserved grows as ghosts arrive, not to its bounds.
#[test]
fn unreserved_ghost_grows_as_needed() {
    let mut g = Ghost::<1>::new(1 << 30);
    assert_eq!(g.allocated(), (0, 0));
    for k in 0..100 {
        let (fp, tag) = print::<1>(k);
        g.push(0, fp, tag);
    }
    let (ring, table) = g.allocated();
    assert!(ring <= 256 && table <= 300, "{ring}, {table}");
    g.check();
}

/// Two ghosts with the same fingerprint and tag: a lookup finds the older, and popping
/// leaves the newer.
#[test]
fn a_shared_fingerprint_finds_the_older_ghost() {
    let mut g = Ghost::<2>::new(100);
    g.push(1, 5, 0xF000_0000);
    g.push(0, 6, 0);
    g.push(0, 5, 0xF000_0000);
    let hit = g.find(5, 0xF000_0000).expect("a ghost");
    assert_eq!(g.list_of(hit), 1);
    assert_eq!(g.take(5, 0xF000_0000), Some(1));
    assert_eq!(g.take(5, 0xF000_0000), Some(0));
    g.check();
}

/// `resized` keeps every ghost, in order, on its list, with its fingerprint and tag,
/// whatever the layout change: growing (wider positions, shorter tags), shrinking (the wider
/// layout kept) and back.
#[test]
fn resized_keeps_order_fingerprints_and_tags() {
    let mut g = Ghost::<2>::new(600);
    let mut lists: [VecDeque<u64>; 2] = [VecDeque::new(), VecDeque::new()];
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for (round, &cap) in [600, 5000, 1 << 24, 450, 1 << 30, 400, 700]
        .iter()
        .enumerate()
    {
        for _ in 0..3000 {
            let r = next(&mut x);
            let k = r % 2000;
            let (fp, tag) = print::<2>(k);
            let list = (r >> 40) as usize & 1;
            if let Some(l) = g.take(fp, tag) {
                let at = lists[l].iter().position(|&j| j == k).expect("a ghost");
                lists[l].remove(at);
            } else {
                if g.live() == 400 {
                    let drop = usize::from(lists[0].is_empty());
                    g.pop_oldest(drop);
                    lists[drop].pop_back();
                }
                g.push(list, fp, tag);
                lists[list].push_front(k);
            }
        }
        let before = g.tag_bits();
        g = g.resized(cap);
        assert!(g.tag_bits() <= before, "round {round}: tags widened");
        assert_eq!(g.tag_bits(), before.min(Ghost::<2>::tag_bits_for(cap)));
        g.check();
        for (l, list) in lists.iter().enumerate() {
            let want: Vec<u32> = list.iter().rev().map(|&k| print::<2>(k).0).collect();
            assert_eq!(g.fingerprints(l).collect::<Vec<_>>(), want, "round {round}");
            for &k in list {
                let (fp, tag) = print::<2>(k);
                let hit = g.find(fp, tag).expect("a ghost lost by resized");
                assert_eq!(g.list_of(hit), l);
            }
        }
    }
}

/// The tag takes part in the match: a fingerprint with another tag (in the bits the table
/// keeps) is not a ghost.
#[test]
fn tags_take_part_in_the_match() {
    let mut g = Ghost::<1>::new(1000);
    g.push(0, 0xDEAD_BEEF, 0x8000_0000);
    assert!(g.find(0xDEAD_BEEF, 0x8000_0000).is_some());
    assert!(g.find(0xDEAD_BEEF, 0x0000_0000).is_none());
    // Bits below the kept tag bits do not matter.
    assert!(g.find(0xDEAD_BEEF, 0x8000_0001).is_some());
    assert!(g.find(0xDEAD_BEEE, 0x8000_0000).is_none());
}

/// Payloads travel with their fingerprints: through takes, pops, compactions (holes from
/// early takes), growth, `reserve_room`, `raise_max_live` (in place and rebuilt) and
/// `resized`, checked against a deque of `(key, payload)` pairs.
#[test]
fn payloads_follow_their_fingerprints() {
    let mut g = Ghost::<1, u64>::new(8);
    let mut fifo: VecDeque<(u64, u64)> = VecDeque::new();
    let mut x = 0x1234_5678_9ABC_DEF1u64;
    for (round, &max_live) in [8usize, 9, 300, 5000, 5000, 70_000].iter().enumerate() {
        g.raise_max_live(max_live);
        assert!(g.max_live() >= max_live);
        if round == 3 {
            g.reserve_room(2000);
        }
        for step in 0..20_000u64 {
            let r = next(&mut x);
            let k = r % 3000;
            let (fp, tag) = print::<1>(k);
            if (r >> 20).is_multiple_of(4) {
                assert_eq!(g.pop_oldest_with(0), fifo.pop_front().map(|(_, w)| w));
            } else if let Some(at) = fifo.iter().position(|&(j, _)| j == k) {
                let (_, w) = fifo.remove(at).expect("a ghost");
                if r & 1 == 0 {
                    let hit = g.find(fp, tag).expect("a ghost");
                    assert_eq!(g.payload(hit), w, "round {round} step {step}");
                    g.remove(hit);
                } else {
                    assert_eq!(g.take_with(fp, tag), Some((0, w)));
                }
            } else {
                assert!(g.find(fp, tag).is_none());
                if g.live() == max_live {
                    assert_eq!(g.pop_oldest_with(0), fifo.pop_front().map(|(_, w)| w));
                }
                let w = r >> 33;
                g.push_with(0, fp, tag, w);
                fifo.push_back((k, w));
            }
        }
        g.check();
        let want: Vec<(u32, u64)> = fifo.iter().map(|&(k, w)| (print::<1>(k).0, w)).collect();
        assert_eq!(g.entries(0).collect::<Vec<_>>(), want, "round {round}");
    }
    assert!(g.compactions() > 0, "no compaction");
    let h = g.resized(100_000);
    h.check();
    assert!(h.entries(0).eq(g.entries(0)));
}

/// A growth limit lets a full ghost grow, by doubling, up to the limit (including a limit
/// that a doubling overshoots, and growth that rebuilds the layout), and only then forget
/// its oldest ghost.
#[test]
fn growth_limit_grows_then_evicts() {
    for (start, limit) in [(8usize, 954usize), (600, 954), (100, 100_000), (8, 20)] {
        let mut g = Ghost::<1, u64>::new(start);
        g.set_growth_limit(limit);
        let mut popped = 0u64;
        for k in 0..(limit as u64 + 50) {
            let (fp, tag) = print::<1>(k);
            g.push_evicting_with(0, fp, tag, k, |w| {
                assert_eq!(w, popped, "the oldest leaves first");
                popped += 1;
            });
        }
        assert_eq!(g.live(), limit, "start {start}, limit {limit}");
        assert_eq!(popped, 50);
        g.check();
    }
}
