//! Issue 15's reproductions against the `evict-sim` binary, one test each: hostile or odd
//! input never aborts, never answers wrongly, and fails with one `evict-sim: error:` line and
//! the documented exit status.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evict-sim"))
}

mod common;

/// A fresh file `name` (which may hold folders) in a temporary folder of its own.
fn temp_file(test: &str, name: &str, bytes: &[u8]) -> common::TempFile {
    common::TempFile::new(&format!("hostile-{test}"), name, bytes)
}

fn temp_dir(test: &str) -> common::TempDir {
    common::TempDir::new(&format!("hostile-{test}"))
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

/// Exit status `code`, nothing on stdout, exactly one stderr line, `evict-sim: error: …`
/// containing `needle`.
#[track_caller]
fn assert_fails(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert!(o.stdout.is_empty(), "partial output: {}", stdout(o));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].starts_with("evict-sim: error: "), "{err}");
    assert!(lines[0].contains(needle), "expected {needle:?} in: {err}");
}

/// The JSON rows of a successful run: (policy, size, requests, hits).
#[track_caller]
fn json_rows(o: &Output) -> Vec<(String, u64, u64, u64)> {
    assert!(o.status.success(), "{}", stderr(o));
    stdout(o)
        .lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                r["policy"].as_str().unwrap().to_string(),
                r["size"].as_u64().unwrap(),
                r["requests"].as_u64().unwrap(),
                r["hits"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

// Item 3: a 17-byte ARC line asking for 4,000,000,000 blocks aborted with "memory allocation
// of 32000000000 bytes failed" (exit 134).
#[test]
fn a_huge_arc_count_is_a_one_line_error_naming_max_requests() {
    let t = temp_file("arc-huge", "t.lis", b"0 4000000000 0 0");
    assert_fails(&run(&[t.to_str().unwrap(), "-s", "1"]), 1, "--max-requests");
}

#[test]
fn max_requests_bounds_text_binary_and_arc_traces() {
    let lis = temp_file("max", "t.lis", b"0 50 0 0\n100 60 0 0\n");
    assert_fails(
        &run(&[lis.to_str().unwrap(), "-s", "1", "--max-requests", "100"]),
        1,
        "--max-requests 100",
    );
    let ok = run(&[
        lis.to_str().unwrap(),
        "-s",
        "1",
        "--max-requests",
        "110",
        "--json",
        "-p",
        "lru",
    ]);
    assert_eq!(json_rows(&ok)[0].2, 110);
    let text = temp_file("max", "t.txt", "1\n".repeat(101).as_bytes());
    assert_fails(
        &run(&[text.to_str().unwrap(), "-s", "1", "--max-requests", "100"]),
        1,
        "--max-requests",
    );
    let bin = temp_file("max", "t.bin", &[7u8; 4 * 101]);
    assert_fails(
        &run(&[
            bin.to_str().unwrap(),
            "-f",
            "i32be",
            "-s",
            "1",
            "--max-requests",
            "100",
        ]),
        1,
        "--max-requests",
    );
    assert_fails(
        &run(&[text.to_str().unwrap(), "--max-requests", "0"]),
        2,
        "--max-requests",
    );
}

/// `oracleGeneral` under `--max-requests`: records of size 0 are skipped and not counted
/// (before or after the limit), and the first kept record over it is the error, at its
/// byte offset (the reader's fast path for keys alone stops there and leaves it to the
/// checked one).
#[test]
fn max_requests_counts_the_kept_oracle_general_records() {
    let rec = |id: u64, size: u32| -> Vec<u8> {
        [
            &7u32.to_le_bytes()[..],
            &id.to_le_bytes(),
            &size.to_le_bytes(),
            &(-1i64).to_le_bytes(),
        ]
        .concat()
    };
    let over: Vec<u8> = (0..101).flat_map(|i| rec(i % 7, 1)).collect();
    let mut kept = Vec::new();
    for i in 0..100 {
        if i == 3 || i == 50 {
            kept.extend(rec(999, 0));
        }
        kept.extend(rec(i % 7, 1));
    }
    kept.extend(rec(5, 0));
    kept.extend(rec(6, 0));
    let mut after = kept.clone();
    after.extend(rec(1, 1));
    let args = |p: &std::path::Path| -> Vec<String> {
        [
            p.to_str().unwrap(),
            "-s",
            "2",
            "-p",
            "lru",
            "--max-requests",
            "100",
            "--ignore-obj-size",
            "--json",
        ]
        .map(String::from)
        .to_vec()
    };
    let run_on = |name: &str, bytes: &[u8]| {
        let p = temp_file("max-oracle", name, bytes);
        let a = args(&p);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_fails(
        &run_on("over.oracleGeneral", &over),
        1,
        "byte offset 2400: more than 100 requests",
    );
    let ok = run_on("kept.oracleGeneral", &kept);
    assert_eq!(json_rows(&ok)[0].2, 100);
    assert_fails(
        &run_on("after.oracleGeneral", &after),
        1,
        "byte offset 2496: more than 100 requests",
    );
}

// Item 3: nothing bounded decompression; a small stream may expand without limit.
#[test]
fn decompression_is_bounded_by_max_requests() {
    let big = vec![b'\n'; 4 << 20]; // 4 MiB of empty lines: 4 KiB compressed
    let gz = temp_file("bomb", "bomb.gz", &gzip(&big));
    assert!(std::fs::metadata(&gz).unwrap().len() < 64 << 10);
    assert_fails(
        &run(&[gz.to_str().unwrap(), "-s", "1", "--max-requests", "1000"]),
        1,
        "--max-requests",
    );
}

// Item 4: a bare little-endian u32 array whose length is a multiple of 24 bytes was read as
// oracle-general: a sixth of its requests, wrong keys, exit 0.
#[test]
fn a_u32_array_is_not_taken_for_oracle_general() {
    let words: Vec<u8> = (0..600u32)
        .flat_map(|i| (1 + i % 47).to_le_bytes())
        .collect();
    assert_eq!(words.len() % 24, 0);
    let t = temp_file("u32", "keys.bin", &words);
    let o = run(&[t.to_str().unwrap(), "-s", "10", "-p", "lru", "--json"]);
    assert!(!stderr(&o).contains("oracle-general"), "{}", stderr(&o));
    if o.status.success() {
        assert_eq!(json_rows(&o)[0].2, 600, "{}", stderr(&o));
    } else {
        assert_fails(&o, 2, "--format");
    }
}

// Item 4: "oracleGeneral" anywhere in the path made a text trace binary (2 requests, not 8).
#[test]
fn the_name_test_looks_at_the_file_name_only() {
    let t = temp_file("name", "oracleGeneral/t.txt", b"1\n2\n3\n1\n2\n3\n4\n1\n");
    let o = run(&[t.to_str().unwrap(), "-s", "2", "-p", "lru", "--json"]);
    assert_eq!(json_rows(&o)[0].2, 8, "{}", stderr(&o));
    assert!(stderr(&o).contains("format lines"), "{}", stderr(&o));
}

// Item 5: `--column` was ignored unless the format was CSV (5 requests and 0 hits, exit 0).
#[test]
fn column_with_a_non_csv_format_is_a_usage_error() {
    let t = temp_file("column", "web.txt", b"key,v\n1,a\n2,b\n1,c\n2,d\n");
    let t = t.to_str().unwrap();
    assert_fails(&run(&[t, "--column", "key", "-s", "2"]), 2, "--column");
    assert_fails(
        &run(&[t, "--column", "key", "-f", "lines", "-s", "2"]),
        2,
        "--column",
    );
    let o = run(&[
        t, "-f", "csv", "--column", "key", "-s", "2", "-p", "lru", "--json",
    ]);
    assert_eq!(json_rows(&o), [("lru".to_string(), 2, 4, 2)]);
}

// Item 6: two traces of the same file name wrote the same plot file.
#[test]
fn plots_of_traces_with_the_same_file_name_do_not_collide() {
    let a = temp_file("plots", "a/t.txt", b"1\n2\n1\n3\n");
    let b = temp_file("plots", "b/t.txt", b"5\n6\n7\n5\n");
    let out = temp_dir("plots");
    let svg = out.join("out/plot.svg");
    let o = run(&[
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-s",
        "1,2",
        "-p",
        "lru",
        "--plot",
        svg.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let written: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("evict-sim: plot written to "))
        .collect();
    assert_eq!(written.len(), 2, "{}", stderr(&o));
    assert_ne!(written[0], written[1]);
    for w in written {
        assert!(std::fs::read_to_string(w).unwrap().contains("<svg"), "{w}");
    }
}

// Item 6: the plot path was checked after the replay and the report: a good --json run then
// exited 2, and a path below a regular file said "File exists".
#[test]
fn a_bad_plot_path_fails_before_any_output() {
    let t = temp_file("badplot", "t.txt", b"1\n2\n1\n");
    let file = temp_file("badplot", "file", b"x");
    let below = file.join("sub/out.svg");
    let o = run(&[
        t.to_str().unwrap(),
        "-s",
        "1",
        "--json",
        "--plot",
        below.to_str().unwrap(),
    ]);
    assert_fails(&o, 2, "not a directory");
    assert!(!stderr(&o).contains("File exists"), "{}", stderr(&o));
    let dir = temp_dir("badplot");
    let o = run(&[
        t.to_str().unwrap(),
        "-s",
        "1",
        "--plot",
        dir.to_str().unwrap(),
    ]);
    assert_fails(&o, 2, "--plot");
}

// Item 7: a byte-order mark was part of the first key, and CR-only endings made one request.
#[test]
fn lines_strip_a_bom_and_split_cr_only_endings() {
    let bom = temp_file("text", "bom.txt", "\u{feff}7\n7\n".as_bytes());
    let o = run(&[bom.to_str().unwrap(), "-s", "1", "-p", "lru", "--json"]);
    assert_eq!(json_rows(&o), [("lru".to_string(), 1, 2, 1)]);
    let cr = temp_file("text", "cr.txt", b"1\r2\r1\r2\r");
    let o = run(&[cr.to_str().unwrap(), "-s", "2", "-p", "lru", "--json"]);
    assert_eq!(json_rows(&o), [("lru".to_string(), 2, 4, 2)]);
}

// Item 8: clap's usage errors were several lines without the prefix.
#[test]
fn clap_errors_are_one_prefixed_line_with_status_2() {
    assert_fails(&run(&["--no-such-flag"]), 2, "--no-such-flag");
    assert_fails(&run(&["--sizes"]), 2, "--sizes");
    assert_fails(&run(&["x", "--json", "--csv"]), 2, "--csv");
    assert_fails(&run(&["x", "-j", "many"]), 2, "many");
    let help = run(&["--help"]);
    assert!(help.status.success() && stdout(&help).contains("Usage"));
}

// Item 8: a closed stdout exited 1 with "cannot write the report: Broken pipe".
#[test]
fn a_closed_stdout_exits_0_quietly() {
    let t = temp_file("pipe", "t.txt", "1\n2\n3\n".repeat(20_000).as_bytes());
    let mut child = bin()
        .args([t.to_str().unwrap(), "-s", "1,2,3", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before the report is written
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("error"), "{err}");
}

// Item 8: `-` was a file name ("-: cannot read").
#[test]
fn a_dash_reads_standard_input() {
    let mut child = bin()
        .args(["-", "-s", "2", "-p", "lru", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&gzip(b"1\n2\n1\n2\n3\n"))
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(json_rows(&o), [("lru".to_string(), 2, 5, 2)]);
    assert_fails(&run(&["-", "-"]), 2, "standard input");
}

// Item 8: a gzip file with trailing garbage was reported as truncated.
#[test]
fn gzip_trailing_bytes_are_named_not_truncation() {
    let mut data = gzip(b"1\n2\n");
    data.extend_from_slice(b"garbage");
    let t = temp_file("gztail", "t.gz", &data);
    let o = run(&[t.to_str().unwrap(), "-s", "1"]);
    assert_fails(&o, 1, "trailing");
    assert!(!stderr(&o).contains("truncated"), "{}", stderr(&o));
    // Two members are one stream, as gzip(1) reads them.
    let mut two = gzip(b"1\n2\n");
    two.extend(gzip(b"1\n"));
    let t = temp_file("gztail", "two.gz", &two);
    let o = run(&[t.to_str().unwrap(), "-s", "1", "-p", "lru", "--json"]);
    assert_eq!(json_rows(&o)[0].2, 3);
}

// Item 9: `size` was the size asked for, not the capacity after the policy's clamp.
#[test]
fn json_size_is_the_capacity_used() {
    let t = temp_file("clamp", "t.txt", b"1\n2\n1\n");
    let big = "2000000000";
    let o = run(&[t.to_str().unwrap(), "-s", big, "-p", "s3fifo,lru", "--json"]);
    let rows = json_rows(&o);
    assert_eq!(rows[0].1, evict_s3fifo_max() as u64, "s3fifo is clamped");
    assert_eq!(rows[1].1, 2_000_000_000, "lru holds that many");
    // The table keeps the size asked for as the column and says what S3-FIFO held.
    let o = run(&[t.to_str().unwrap(), "-s", big, "-p", "s3fifo,lru"]);
    assert!(
        stdout(&o).contains("note: s3fifo holds at most 1,073,741,822 entries"),
        "{}",
        stdout(&o)
    );
}

/// S3-FIFO's documented maximum, `2^30 - 2` (evict-s3fifo's `MAX_CAPACITY`).
fn evict_s3fifo_max() -> usize {
    (1 << 30) - 2
}

// Item 10: S3-FIFO's hits moved from run to run (ghost fingerprints of a per-process hasher
// seed). Two processes, same trace: every count equal.
#[test]
fn two_processes_give_the_same_counts() {
    // Zipf-like: many repeats and many one-off keys, so ghosts, the sketch and collisions of
    // fingerprints all matter.
    let mut state = 7u64;
    let mut text = String::new();
    for _ in 0..60_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (state >> 33) as f64 / (1u64 << 31) as f64;
        let key = (1.0 / (r + 1e-6)) as u64;
        text.push_str(&format!("{key}\n"));
    }
    let t = temp_file("repeat", "zipf.txt", text.as_bytes());
    let args = [
        t.to_str().unwrap(),
        "-s",
        "1%,5%,20%",
        "--json",
        "-p",
        "s3fifo,arc,wtinylfu,random,lru",
    ];
    let first = json_rows(&run(&args));
    let second = json_rows(&run(&args));
    assert_eq!(first.len(), 15);
    assert_eq!(first, second);
}

// Found by tests/fuzz.rs: an uncompressed i32be trace whose first key is 0x1f8b08.. was taken
// for gzip by its magic number and reported as a truncated gzip stream.
#[test]
fn a_key_that_looks_like_a_magic_number_is_named_as_a_guess() {
    let keys: Vec<u8> = [0x1f8b_0800u32, 5, 6, 5]
        .iter()
        .flat_map(|k| k.to_be_bytes())
        .collect();
    let t = temp_file("magic", "keys.bin", &keys);
    let t = t.to_str().unwrap();
    assert_fails(
        &run(&[t, "-f", "i32be", "-s", "1"]),
        1,
        "--compression none reads the file as it is",
    );
    let o = run(&[
        t,
        "-f",
        "i32be",
        "--compression",
        "none",
        "-s",
        "2",
        "-p",
        "lru",
        "--json",
    ]);
    assert_eq!(json_rows(&o), [("lru".to_string(), 2, 4, 1)]);
}
