//! Every bounded evict policy allocates nothing once full: after its ghost lists (ARC, 2Q, LIRS,
//! S3-FIFO) have filled too, a run of put-evicts makes no allocation at all. Counted with the
//! same counting allocator as the memory binary, at a size that keeps the test fast.

#[path = "../src/bin/shared/meter.rs"]
mod meter;

use evict_benches::memory::measure_all;

#[test]
fn full_evict_policies_do_not_allocate() {
    let rows = measure_all(&meter::Counter, 200_000);
    let mut checked = 0;
    for r in rows.iter().filter(|r| r.meta.evict) {
        let Some(allocs) = r.allocs_put_evict else {
            continue; // unbounded: never evicts
        };
        assert_eq!(
            allocs, 0,
            "{} allocated {allocs} times over 200,000 put-evicts when full",
            r.meta.name
        );
        checked += 1;
    }
    // Ten policies, the adaptive one, and the weighted LRU, S3-FIFO and W-TinyLFU (issue 12:
    // no allocation per put once full, with weights).
    assert_eq!(checked, 14, "every bounded evict policy is checked");
}
