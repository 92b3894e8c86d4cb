//! The examples' outputs, checked: `fibonacci` prints Python's exact `cache_info()` lines,
//! and `user_records` (with small counts here; the example itself goes to 1,000,000 ids)
//! shows linear growth under `#[cache]`, a flat heap once `#[lru_cache(maxsize = 1000)]` is
//! full, and the return to the baseline after `cache_clear()`; under
//! `#[lru_cache(max_bytes = 4 << 20)]` the heap grows to the budget and stays there whatever
//! the records' sizes.

#![cfg(feature = "macros")]

#[allow(dead_code)]
#[path = "../examples/fibonacci.rs"]
mod fibonacci;

#[allow(dead_code)]
#[path = "../examples/user_records.rs"]
mod user_records;

#[test]
fn fibonacci_prints_pythons_lines() {
    let mut out = Vec::new();
    fibonacci::run(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[lines.len() - 3..],
        [
            "#[lru_cache(maxsize = 32)]: fib(30) = 832040",
            "CacheInfo(hits=28, misses=31, maxsize=32, currsize=31)",
            "CacheInfo(hits=0, misses=0, maxsize=32, currsize=0)",
        ],
        "{text}"
    );
    assert!(text.contains("x faster"), "{text}");
}

#[test]
fn user_records_heap_grows_linearly_then_stays_flat_then_returns() {
    let mut out = Vec::new();
    let report = user_records::run(&mut out, &[1_000, 10_000], 2_000, 100).unwrap();
    let text = String::from_utf8(out).unwrap();

    // #[cache]: ten times the ids, about ten times the heap (records dominate the table).
    let [(_, small), (_, large)] = report.unbounded[..] else {
        panic!("{text}")
    };
    assert!(
        small >= 1_000 * 1_000,
        "at least 1,000 bytes per record: {text}"
    );
    let ratio = large as f64 / small as f64;
    assert!(
        (9.0..=11.0).contains(&ratio),
        "linear growth, got x{ratio:.2}: {text}"
    );
    assert_eq!(
        report.unbounded_after_clear, 0,
        "cache_clear() frees everything: {text}"
    );

    // #[lru_cache(maxsize = 1000)]: grows until 1,000 ids, then not by a single byte.
    let at = |ids: u64| report.bounded.iter().find(|&&(n, _)| n == ids).unwrap().1;
    assert!(at(500) < at(1_000), "{text}");
    for &(ids, bytes) in &report.bounded {
        if ids >= 1_000 {
            assert_eq!(
                bytes,
                at(1_000),
                "flat after the cache is full (at {ids} ids): {text}"
            );
        }
    }
    assert_eq!(
        report.bounded_after_clear, 0,
        "cache_clear() frees everything: {text}"
    );
}

#[test]
fn user_records_under_a_byte_budget_stay_at_the_budget_whatever_their_sizes() {
    let mut out = Vec::new();
    let report = user_records::run_by_bytes(&mut out, 40_000, 3_000).unwrap();
    let text = String::from_utf8(out).unwrap();
    let budget = report.budget as i64;
    let most = report.small.iter().map(|c| c.2).max().unwrap();
    // The bookkeeping `max_bytes` does not count (table, links, stored weight, the slab's
    // room for the most entries held), per entry. Measured about 40-60 bytes (LRU); a
    // regression past this bound, or weights that stop counting the records, fails here.
    let bookkeeping = 64 * most as i64;

    for (phase, checkpoints) in [("short", &report.small), ("long", &report.large)] {
        // From the fourth tenth of each phase on, the cache is full: the short records fill
        // 4 MiB after about 12,000 ids, the long ones after about 400.
        let full: Vec<i64> = checkpoints[3..].iter().map(|c| c.1).collect();
        let (low, high) = (*full.iter().min().unwrap(), *full.iter().max().unwrap());
        assert!(
            low >= budget * 9 / 10,
            "{phase} records: the heap grows to the budget: {text}"
        );
        assert!(
            high <= budget + bookkeeping,
            "{phase} records: the heap stays within the budget plus the bookkeeping: {text}"
        );
        assert!(
            high - low <= budget / 50,
            "{phase} records: the heap stays flat (within 2% of the budget): {text}"
        );
    }
    // Many small records, few large ones: the budget, not a count, decides.
    let small_entries = report.small.last().unwrap().2;
    let large_entries = report.large.last().unwrap().2;
    assert!(small_entries > 10 * large_entries, "{text}");
    assert!(text.contains("unit=bytes"), "{text}");
    assert_eq!(
        report.after_clear, 0,
        "cache_clear() frees everything: {text}"
    );
}
