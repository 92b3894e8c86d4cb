//! The streaming replay (`pipeline::replay_stream`) against the replay of the trace read
//! whole (`replay::run` on `read_trace`): identical counts on every shared trace (skipped,
//! with a notice, without `../shared`, unless on CI: `evict_harness::traces`), and on small
//! synthetic traces of every kind of key for users without the shared traces; standard
//! input through the binary, with a second pass (sizes in percent) and without.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use evict_sim::parser::{Format, ReadOptions, read_trace};
use evict_sim::pipeline::replay_stream;
use evict_sim::replay::{OPT, OPT_FILL, Outcome, RunOptions, run};
use evict_sim::size::SizeSpec;

/// `(policy, size, requests, hits)` of each outcome.
fn counts(out: &[Outcome]) -> Vec<(String, usize, u64, u64)> {
    out.iter()
        .map(|o| (o.policy.clone(), o.size, o.requests, o.hits))
        .collect()
}

/// Replays `path` both ways with `policies` at `specs` and compares every count.
fn compare(path: &Path, policies: &[&str], specs: &[SizeSpec], warmup: usize) {
    compare_as(path, None, policies, specs, warmup);
}

fn compare_as(
    path: &Path,
    format: Option<Format>,
    policies: &[&str],
    specs: &[SizeSpec],
    warmup: usize,
) {
    let policies: Vec<String> = policies.iter().map(|p| p.to_string()).collect();
    let opts = ReadOptions {
        format,
        ..ReadOptions::default()
    };
    let run_opts = RunOptions {
        warmup,
        ..RunOptions::default()
    };
    let trace = read_trace(path, &opts).unwrap_or_else(|e| panic!("{e}"));
    let sizes: Vec<usize> = specs.iter().map(|s| s.resolve(trace.unique)).collect();
    let whole = run(
        &trace.name,
        &trace.keys,
        &policies,
        &sizes,
        run_opts,
        &|_| (),
    )
    .unwrap();
    let streamed = replay_stream(
        path,
        &opts,
        &policies,
        specs,
        run_opts,
        &|_| (),
        &mut |_| (),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(streamed.requests, trace.keys.len() as u64, "{}", trace.name);
    assert_eq!(streamed.unique, trace.unique, "{}", trace.name);
    assert_eq!(
        counts(&streamed.outcomes),
        counts(&whole),
        "{}: streamed vs in memory",
        trace.name
    );
    assert!(
        streamed
            .outcomes
            .iter()
            .all(|o| o.unique_keys == trace.unique)
    );
    // The shared oracleGeneral trace: Bélády from its own next-access times, as it is read.
    let name = path.to_string_lossy();
    if name.contains("cloudPhysicsIO") && policies.iter().any(|p| p == OPT) {
        assert!(streamed.belady_streamed, "{name}");
    }
}

/// `oracleGeneral` records `(id, size, next)` at clock 7.
fn oracle(records: &[(u64, u32, i64)]) -> Vec<u8> {
    records
        .iter()
        .flat_map(|&(id, size, next)| {
            let mut r = 7u32.to_le_bytes().to_vec();
            r.extend(id.to_le_bytes());
            r.extend(size.to_le_bytes());
            r.extend(next.to_le_bytes());
            r
        })
        .collect()
}

/// Records of `keys` with correct next-access fields (`base` 0 or 1), sizes from `size`.
fn oracle_of(keys: &[u64], base: i64, size: impl Fn(usize) -> u32) -> Vec<(u64, u32, i64)> {
    let mut next = vec![-1i64; keys.len()];
    let mut seen = std::collections::HashMap::new();
    for (t, &k) in keys.iter().enumerate().rev() {
        if let Some(n) = seen.insert(k, t as i64) {
            next[t] = n + base;
        }
    }
    keys.iter()
        .enumerate()
        .map(|(t, &k)| (k, size(t), next[t]))
        .collect()
}

#[test]
fn belady_streams_from_oracle_general_times_and_falls_back_when_they_are_wrong() {
    let keys = evict_sim::workload::zipf(3_000, 0.9, 60_000, 17);
    let all = ["lru", "s3fifo", OPT_FILL, OPT];
    let specs = [percent(1), percent(10), SizeSpec::Entries(500)];
    let stream = |p: &Path| {
        replay_stream(
            p,
            &ReadOptions::default(),
            &all.map(String::from),
            &specs,
            RunOptions::default(),
            &|_| (),
            &mut |_| (),
        )
        .unwrap()
        .belady_streamed
    };
    for base in [0, 1] {
        let p = temp(
            &format!("good{base}.oracleGeneral.bin"),
            &oracle(&oracle_of(&keys, base, |_| 512)),
        );
        compare(&p, &all, &specs, 0);
        compare(&p, &all, &specs, 999);
        assert!(stream(&p), "base {base}");
    }
    // Records of size 0 that no kept record points at (the only requests of their ids)
    // leave the times usable; the fields count records of every size, as libCacheSim's do.
    let mut ids = keys.clone();
    ids.insert(100, u64::MAX);
    ids.insert(5000, u64::MAX - 1);
    let zeros = oracle_of(&ids, 1, |t| if t == 100 || t == 5000 { 0 } else { 512 });
    let p = temp("zeros.oracleGeneral.bin", &oracle(&zeros));
    compare(&p, &all, &specs, 0);
    assert!(stream(&p));
    // A kept record pointing at a record of size 0: counted from memory.
    let mut pointed = oracle_of(&keys, 1, |_| 512);
    let victim = (1..pointed.len())
        .find(|&t| keys[..t].contains(&keys[t]))
        .unwrap();
    pointed[victim].1 = 0;
    let p = temp("pointed.oracleGeneral.bin", &oracle(&pointed));
    compare(&p, &all, &specs, 0);
    assert!(!stream(&p));
    // A wrong field (one record's next access moved by one): counted from memory.
    let mut wrong = oracle_of(&keys, 1, |_| 512);
    let t = wrong.iter().position(|r| r.2 > 10).unwrap();
    wrong[t].2 += 1;
    let p = temp("wrong.oracleGeneral.bin", &oracle(&wrong));
    compare(&p, &all, &specs, 0);
    assert!(!stream(&p));
    // The same through standard input: the fallback reads the spool.
    let bytes = oracle(&wrong);
    let args = [
        "-f",
        "oracle-general",
        "-s",
        "500",
        "-p",
        "lru,opt",
        "--json",
        // Bélády is for objects of one size: count entries, not bytes.
        "--ignore-obj-size",
    ];
    let from_file = sim(&[&[p.to_str().unwrap()][..], &args].concat(), None);
    let from_stdin = sim(&[&["-"][..], &args].concat(), Some(&bytes));
    assert!(
        from_stdin.status.success(),
        "{}",
        String::from_utf8_lossy(&from_stdin.stderr)
    );
    assert_eq!(json_hits(&from_stdin.stdout), json_hits(&from_file.stdout));
    assert_eq!(json_hits(&from_file.stdout).len(), 2);
}

fn percent(p: u64) -> SizeSpec {
    SizeSpec::Percent {
        numerator: p,
        denominator: 1,
    }
}

#[test]
fn streaming_equals_in_memory_on_every_shared_trace() {
    let Some(dir) = evict_harness::traces::shared_traces() else {
        return;
    };
    let mut all: Vec<&str> = evict_sim::registry::POLICIES.to_vec();
    all.extend([OPT_FILL, OPT]);
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["lirs", "cache2k", "corda", "libcachesim"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let n = p.to_string_lossy().to_string();
            if n.ends_with(".gz") || n.ends_with(".xz") || n.ends_with(".zst") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    for f in &files {
        if f.ends_with("orm-busy.trace.xz") {
            // 5M requests: two policies and one size keep this test short at the test
            // profile's opt-level; the README's release run covers every policy.
            compare(f, &["lru", "s3fifo"], &[percent(10)], 0);
        } else {
            compare(f, &all, &[percent(1), percent(10)], 0);
        }
    }
    // Absolute sizes take one pass (no scan) on binary traces; with a warm-up.
    let web12 = dir.join("cache2k/web12.trace.xz");
    compare(
        &web12,
        &["lru", "arc", OPT],
        &[SizeSpec::Entries(100), SizeSpec::Entries(5000)],
        1000,
    );
}

mod common;

fn temp(name: &str, bytes: &[u8]) -> common::TempFile {
    common::TempFile::new("streaming", name, bytes)
}

#[test]
fn streaming_equals_in_memory_on_synthetic_traces() {
    let keys = evict_sim::workload::zipf(5_000, 0.9, 200_000, 7);
    let mut all: Vec<&str> = evict_sim::registry::POLICIES.to_vec();
    all.extend([OPT_FILL, OPT]);
    let specs = [percent(1), percent(10), SizeSpec::Entries(777)];
    // Decimal keys, 4-byte and 8-byte keys, and string keys after decimals (every key is
    // then renamed in order of first appearance, in both readers).
    let text: String = keys.iter().map(|k| format!("{k}\n")).collect();
    compare(&temp("z.txt", text.as_bytes()), &all, &specs, 0);
    let mixed: String = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if i > 1000 && k % 7 == 0 {
                format!("k{k}\n")
            } else {
                format!("{k}\n")
            }
        })
        .collect();
    compare(&temp("mixed.txt", mixed.as_bytes()), &all, &specs, 10);
    let be: Vec<u8> = keys
        .iter()
        .flat_map(|&k| (k as u32).to_be_bytes())
        .collect();
    compare_as(&temp("z.trace", &be), Some(Format::I32Be), &all, &specs, 0);
    let wide: Vec<u8> = keys
        .iter()
        .flat_map(|&k| (k.wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_be_bytes())
        .collect();
    compare_as(
        &temp("wide.bin", &wide),
        Some(Format::I64Be),
        &["lru", "sieve", OPT],
        &specs,
        0,
    );
    // Longer than the head the format is guessed from (3 MiB), compressed.
    let long: Vec<u64> = evict_sim::workload::zipf(50_000, 0.8, 1_000_000, 9);
    let le: Vec<u8> = long
        .iter()
        .flat_map(|&k| (k as u32).to_le_bytes())
        .collect();
    let zst = zstd::encode_all(&le[..], 1).unwrap();
    compare_as(
        &temp("long.bin.zst", &zst),
        Some(Format::U32Le),
        &["lru", OPT],
        &[percent(5)],
        0,
    );
}

fn json_hits(stdout: &[u8]) -> Vec<(String, u64, u64)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["policy"].as_str().unwrap().to_string(),
                v["size"].as_u64().unwrap(),
                v["hits"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn sim(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_evict-sim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_streams_with_and_without_a_second_pass() {
    let keys = evict_sim::workload::zipf(2_000, 0.9, 50_000, 3);
    let le: Vec<u8> = keys
        .iter()
        .flat_map(|&k| (k as u32).to_le_bytes())
        .collect();
    let file = temp("stdin.bin", &le);
    for sizes in ["5%,20%", "100,400"] {
        let args = ["-f", "u32le", "-s", sizes, "-p", "lru,s3fifo,opt", "--json"];
        let from_file = sim(&[&[file.to_str().unwrap()][..], &args].concat(), None);
        let from_stdin = sim(&[&["-"][..], &args].concat(), Some(&le));
        assert!(
            from_stdin.status.success(),
            "{}",
            String::from_utf8_lossy(&from_stdin.stderr)
        );
        assert_eq!(
            json_hits(&from_stdin.stdout),
            json_hits(&from_file.stdout),
            "{sizes}"
        );
        assert_eq!(json_hits(&from_file.stdout).len(), 6);
    }
    // The spool of the second pass is removed.
    let spools = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".spool"))
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("evict-sim-{}-", std::process::id()))
        })
        .count();
    assert_eq!(spools, 0);
}
