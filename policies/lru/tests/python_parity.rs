//! `LruCache` driven as "get; on a miss, put" must end with exactly the hits, misses and
//! currsize of CPython's `functools.lru_cache(maxsize=N)` on the same key sequence. Runs
//! `python3` if it is on the PATH; skips with a notice otherwise (CI has it).

use std::io::Write;
use std::process::{Command, Stdio};

use evict_lru::{Cache, LruCache};

const PYTHON: &str = r#"
import functools, sys
keys = [int(k) for k in sys.stdin.read().split()]
for maxsize in (0, 1, 2, 3, 7, 32, 100, 1000):
    f = functools.lru_cache(maxsize=maxsize)(lambda k: k)
    for k in keys:
        f(k)
    i = f.cache_info()
    print(maxsize, i.hits, i.misses, i.currsize)
"#;

/// A skewed, seeded key sequence with runs, scans and repeats (SplitMix64).
fn keys() -> Vec<u64> {
    let mut rng = evict_slots::SplitMix64::new(7);
    let mut next = move || rng.next_u64();
    (0..20_000)
        .map(|i| match next() % 4 {
            0 => next() % 8,      // a hot set
            1 => next() % 300,    // a warm set
            2 => i as u64 % 1200, // a scan
            _ => next() % 5000,   // mostly one-off keys
        })
        .collect()
}

#[test]
fn hits_misses_and_size_equal_cpython_lru_cache() {
    let keys = keys();
    let child = Command::new("python3")
        .args(["-c", PYTHON])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            // Skips with a notice on a user's machine; a failure on CI.
            evict_harness::traces::skip_unless_ci(format_args!("python3 is not runnable ({e})"));
            return;
        }
    };
    let text: String = keys.iter().map(|k| format!("{k}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = 0;
    for line in stdout.lines() {
        let f: Vec<u64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
        let maxsize = f[0] as usize;
        let mut cache = LruCache::new(maxsize);
        for &k in &keys {
            if cache.get(&k).is_none() {
                let _ = cache.put(k, k);
            }
        }
        let info = cache.info();
        assert_eq!(
            (info.hits, info.misses, info.currsize as u64),
            (f[1], f[2], f[3]),
            "maxsize {maxsize}: evict vs CPython (hits, misses, currsize)"
        );
        lines += 1;
    }
    assert_eq!(lines, 8, "python printed {stdout:?}");
}
