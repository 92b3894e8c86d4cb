//! The `evict-sim` binary: exit statuses, one-line errors, and the JSON, CSV, table and SVG
//! outputs on small traces written here.

mod common;

use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evict-sim"))
}

/// A fresh file in a per-test temporary folder.
fn temp_file(test: &str, name: &str, bytes: &[u8]) -> common::TempFile {
    common::TempFile::new(&format!("cli-{test}"), name, bytes)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exit status `code`, nothing on stdout, one error line on stderr containing `needle`.
fn assert_fails(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert!(o.stdout.is_empty(), "partial output: {}", stdout(o));
    assert!(!err.contains("panicked"), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains(needle), "expected {needle:?} in: {err}");
}

const CLASSIC: &[u8] = b"1\n2\n3\n4\n1\n2\n5\n1\n2\n3\n4\n5\n";

#[test]
fn json_has_stable_fields_and_exact_counts() {
    let t = temp_file("json", "classic.txt", CLASSIC);
    let o = run(&[
        t.to_str().unwrap(),
        "--policies",
        "lru,fifo,opt",
        "--sizes",
        "3,4",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(String, u64, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["policy"].as_str().unwrap().to_string(),
                r["size"].as_u64().unwrap(),
                r["hits"].as_u64().unwrap(),
                r["misses"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("lru", 3, 2, 10),
        ("lru", 4, 4, 8),
        ("fifo", 3, 3, 9),
        ("fifo", 4, 2, 10),
        ("opt", 3, 5, 7),
        ("opt", 4, 6, 6),
    ];
    let want: Vec<(String, u64, u64, u64)> = want
        .iter()
        .map(|&(p, s, h, m)| (p.to_string(), s, h, m))
        .collect();
    assert_eq!(got, want);
    for r in &rows {
        assert_eq!(r["trace"].as_str(), t.to_str());
        assert_eq!(r["requests"], 12);
        assert_eq!(r["unique_keys"], 5);
        let ratio = r["hits"].as_f64().unwrap() / 12.0;
        assert!((r["hit_ratio"].as_f64().unwrap() - ratio).abs() < 1e-12);
        assert!(r["seconds"].as_f64().unwrap() >= 0.0);
    }
    assert!(
        stderr(&o).contains("format lines"),
        "the guess is said: {}",
        stderr(&o)
    );
}

#[test]
fn csv_has_a_header_and_a_row_per_run() {
    let t = temp_file("csv", "classic.txt", CLASSIC);
    let o = run(&[t.to_str().unwrap(), "-p", "lru,opt", "-s", "3", "--csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "trace,policy,size,requests,hits,misses,hit_ratio,seconds,unique_keys"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains(",lru,3,12,2,10,"), "{}", lines[1]);
    assert!(lines[2].contains(",opt,3,12,5,7,"), "{}", lines[2]);
}

#[test]
fn table_marks_the_best_and_ends_with_opt() {
    let t = temp_file("table", "classic.txt", CLASSIC);
    let o = run(&[t.to_str().unwrap(), "-p", "opt,fifo,lru", "-s", "3,4,5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| ["lru", "fifo", "opt"].iter().any(|p| l.starts_with(p)))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[2].starts_with("opt"), "opt is the last row: {text}");
    assert!(
        rows[0].starts_with("fifo") && rows[0].contains("25.00%*"),
        "fifo best at 3: {text}"
    );
    assert!(
        rows[1].starts_with("lru") && rows[1].contains("33.33%*"),
        "lru best at 4: {text}"
    );
    assert!(text.contains("Mreq/s"), "{text}");
    assert!(
        text.contains("nothing is ever evicted"),
        "size 5 >= 5 keys is noted: {text}"
    );
}

#[test]
fn plot_writes_an_svg() {
    let t = temp_file("plot", "classic.txt", CLASSIC);
    let svg = t.with_file_name("out.svg");
    let o = run(&[
        t.to_str().unwrap(),
        "-p",
        "lru,opt",
        "-s",
        "2,3,4",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("<svg") && text.contains("stroke-dasharray")
            || text.matches("<line").count() > 3,
        "{text}"
    );
    assert!(stdout(&o).contains("plot: "), "says where: {}", stdout(&o));
}

#[test]
fn builtin_workloads_run_without_a_trace_and_write_one_svg_each() {
    let dir = common::TempDir::new("cli-builtin");
    let o = run(&[
        "-p",
        "lru,opt",
        "-s",
        "1000",
        "--plot-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for w in [
        "zipf-0.8",
        "zipf-1.0",
        "zipf-scans",
        "loop",
        "one-hit-wonders",
    ] {
        assert!(
            text.contains(&format!("{w}: 1,000,000 requests")),
            "{w}: {text}"
        );
        assert!(dir.join(format!("{w}.svg")).is_file(), "{w}.svg");
    }
}

#[test]
fn usage_errors_exit_2() {
    let t = temp_file("usage", "classic.txt", CLASSIC);
    let t = t.to_str().unwrap();
    assert_fails(&run(&["/no/such/trace"]), 2, "/no/such/trace");
    assert_fails(
        &run(&[t, "-s", "3", "--policies", "lru,belady2"]),
        2,
        "unknown policy 'belady2'",
    );
    assert_fails(
        &run(&[t, "--format", "parquet"]),
        2,
        "unknown format 'parquet'",
    );
    assert_fails(
        &run(&[t, "--compression", "bz2"]),
        2,
        "unknown compression 'bz2'",
    );
    assert_fails(&run(&[t, "--sizes", "3,0"]), 2, "size 0");
    assert_fails(&run(&[t, "--sizes", "1%"]), 2, "rounds down to 0");
    assert_fails(&run(&[t, "--sizes", "lots"]), 2, "invalid size 'lots'");
    assert_fails(&run(&[t, "-s", "3", "--warmup", "12"]), 2, "--warmup");
    assert_fails(&run(&[t, "-s", "3", "--threads", "0"]), 2, "--threads");
    let o = run(&[t, "--json", "--csv"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let csv = temp_file("usage", "t.csv", b"a,b\n1,2\n");
    assert_fails(
        &run(&[csv.to_str().unwrap(), "--column", "key"]),
        2,
        "no column 'key'",
    );
}

#[test]
fn bad_data_exits_1_with_the_place() {
    let arc = temp_file("data", "t.lis", b"1 2 0 0\n3 x 0 0\n");
    assert_fails(
        &run(&[arc.to_str().unwrap(), "-s", "1"]),
        1,
        "t.lis: line 2: expected n_blocks",
    );
    let bin = temp_file("data", "t.bin", &[0, 0, 0, 1, 0, 0, 0, 2, 9]);
    assert_fails(
        &run(&[bin.to_str().unwrap(), "-f", "i32be", "-s", "1"]),
        1,
        "byte offset 8",
    );
    let gz = temp_file("data", "t.gz", &[0x1f, 0x8b, 8, 0, 0, 0]);
    assert_fails(
        &run(&[gz.to_str().unwrap(), "-s", "1"]),
        1,
        "cannot decompress (gzip)",
    );
    let bin_as_text = temp_file("data", "t.txt", &[b'1', b'\n', 0, 0, b'\n']);
    assert_fails(
        &run(&[bin_as_text.to_str().unwrap(), "-f", "lines", "-s", "1"]),
        1,
        "line 2: NUL byte",
    );
    let empty = temp_file("data", "empty.txt", b"");
    assert_fails(&run(&[empty.to_str().unwrap(), "-s", "1"]), 1, "no request");
}

/// Issue 20: the table ends with an answer: the smallest size of the run that reaches
/// `--target` percent (default 90) of an unbounded cache's hit ratio, its best policy, and
/// Bélády beside it; JSON and CSV stay as they are.
#[test]
fn the_table_ends_with_an_answer() {
    let dir = common::TempDir::new("answer");
    let path = dir.join("t.txt");
    // 1 2 3 4 repeated: an unbounded cache hits all but 4 of 400 requests (99%).
    let text: String = (0..400).map(|i| format!("{}\n", i % 4)).collect();
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_evict-sim");
    let run = |extra: &[&str]| {
        let o = std::process::Command::new(bin)
            .args([p, "-p", "lru,fifo,opt"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let text = run(&["-s", "2,3,4"]);
    let answer = text.lines().last().unwrap();
    assert!(
        answer.starts_with("answer: 4 entries: lru 99.00% is the smallest size"),
        "{text}"
    );
    assert!(answer.ends_with("; opt 99.00%"), "{answer}");
    // A target that no size reaches (opt gets 49% at 2 entries, the policies 0%).
    let low = run(&["-s", "2", "--target", "10"]);
    assert!(
        low.contains("answer: no size of this run reaches 10%"),
        "{low}"
    );
    assert!(!run(&["-s", "2,3,4", "--json"]).contains("answer:"));
    let o = std::process::Command::new(bin)
        .args([p, "--target", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
