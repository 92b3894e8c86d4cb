//! `evict-sim analyze`: its figures on a small trace worked out by hand, sums that must
//! hold on a larger one, and its errors (one line, the replay's statuses).

use std::process::Command;

fn sim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_evict-sim"))
        .args(args)
        .output()
        .unwrap()
}

mod common;

fn temp(name: &str, bytes: &[u8]) -> common::TempFile {
    common::TempFile::new("analyze", name, bytes)
}

fn analyze(path: &std::path::Path) -> serde_json::Value {
    let o = sim(&["analyze", path.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_small_trace_by_hand() {
    // a b a c a b d: a 3 times, b twice, c and d once.
    let a = analyze(&temp("t.txt", b"a\nb\na\nc\na\nb\nd\n"));
    assert_eq!(a["requests"], 7);
    assert_eq!(a["unique_keys"], 4);
    assert_eq!(a["one_hit_wonders"], 2);
    assert_eq!(a["two_hit_wonders"], 1);
    assert_eq!(a["max_key_requests"], 3);
    assert_eq!(a["compulsory_misses"], 4);
    // Top 1% of 4 keys is the busiest one: 3 of 7 requests.
    assert!((a["top_1pct_share"].as_f64().unwrap() - 3.0 / 7.0).abs() < 1e-12);
    // Stack distances: a at 2 (b between), a at 2 (c), b at 3 (a, c... a): (2, 2, 3).
    let stack: Vec<(u64, u64)> = a["stack_distances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_u64().unwrap(), p[1].as_u64().unwrap()))
        .collect();
    assert_eq!(stack[..3], [(1, 0), (2, 2), (4, 1)]);
    let ws = a["working_set"].as_array().unwrap();
    assert_eq!(ws.last().unwrap(), &serde_json::json!([7, 4]));
}

#[test]
fn sums_hold_on_a_larger_trace() {
    let keys = evict_sim::workload::zipf(20_000, 0.9, 300_000, 8);
    let bytes: Vec<u8> = keys
        .iter()
        .flat_map(|&k| (k as u32).to_le_bytes())
        .collect();
    let p = temp("z.bin", &bytes);
    let o = sim(&["analyze", p.to_str().unwrap(), "-f", "u32le", "--json"]);
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let stack: u64 = a["stack_distances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .sum();
    assert_eq!(
        stack + a["compulsory_misses"].as_u64().unwrap(),
        keys.len() as u64
    );
    let unique = evict_sim::parser::count_unique(&keys) as u64;
    assert_eq!(a["unique_keys"], unique);
    let alpha = a["zipf_alpha"].as_f64().unwrap();
    assert!((0.5..1.3).contains(&alpha), "{alpha}");
    assert!(a["working_set"].as_array().unwrap().len() <= 129);
}

#[test]
fn errors_are_one_line() {
    let p = temp("bad.txt", b"1\n2\n");
    for (args, code) in [
        (vec!["analyze", "no/such/file"], 2),
        (vec!["analyze", p.to_str().unwrap(), "-f", "i64be"], 1),
        (vec!["analyze", p.to_str().unwrap(), "--nope"], 2),
    ] {
        let o = sim(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(o.stdout.is_empty());
    }
}

/// Issue 20: every hostile input the replay rejects is the same one-line error, with the
/// same exit status, from `mrc` and `analyze`.
#[test]
fn hostile_inputs_fail_alike_in_all_three_commands() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &vec![b'\n'; 1 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    let mut tail = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"1\n2\n").unwrap();
        gz.finish().unwrap()
    };
    tail.extend(b"garbage");
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "huge.lis",
            b"0 4000000000 0 0".to_vec(),
            vec!["--max-requests", "1000"],
        ),
        ("bomb.gz", bomb, vec!["--max-requests", "1000"]),
        ("tail.gz", tail, vec![]),
        ("nul.txt", b"1\n2\n\x00\x01\n".to_vec(), vec!["-f", "lines"]),
        ("trunc.bin", vec![0, 0, 0, 1, 0, 0], vec!["-f", "i32be"]),
        ("empty.txt", b"*\n\n".to_vec(), vec![]),
        ("bad.csv", b"a,key\n1,\n".to_vec(), vec!["--column", "key"]),
        (
            "col.txt",
            b"1\n".to_vec(),
            vec!["-f", "lines", "--column", "key"],
        ),
    ];
    for (name, bytes, extra) in &cases {
        let p = temp(name, bytes);
        let p = p.to_str().unwrap();
        let mut seen = Vec::new();
        for cmd in [None, Some("mrc"), Some("analyze")] {
            let mut args: Vec<&str> = cmd.into_iter().collect();
            args.push(p);
            args.extend(extra);
            let o = sim(&args);
            let err = String::from_utf8_lossy(&o.stderr).to_string();
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(o.stdout.is_empty(), "{args:?}");
            seen.push((o.status.code(), err));
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "{name}: {seen:?}");
        assert_ne!(seen[0].0, Some(0), "{name}");
    }
}

/// `--plot FILE.svg`: LRU's hit ratio at the histogram's sizes, one curve; a plot path that
/// is a directory is refused before the trace is read.
#[test]
fn plot_is_written() {
    let p = temp("plot.txt", b"a\nb\na\nc\na\nb\nd\n");
    let svg = p.with_file_name("plot.svg");
    let o = sim(&[
        "analyze",
        p.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("lru"), "{text}");
    let dir = p.parent().unwrap().to_str().unwrap();
    let o = sim(&["analyze", p.to_str().unwrap(), "--plot", dir]);
    assert_eq!(o.status.code(), Some(2));
}
