//! Fuzzing the trace readers (issue 15): every format's reader, the decompression layer and
//! the format guesser, driven with random bytes and with valid traces that are then
//! truncated, spliced, bit-flipped or given huge counts, before or after compression.
//!
//! Each case must end in a parse or in one error line: no panic (proptest reports it), no
//! abort (it would kill this test process), and memory under the stated bound: at most
//! `MAX` keys of capacity, at most `MAX * INPUT_BYTES_PER_REQUEST` bytes of input, whatever
//! counts the input claims. Valid traces, unmutated, must parse to exactly their keys.
//!
//! The streaming readers (`parser::stream`, what the replay reads) are held to the
//! in-memory ones: on every valid and mutated trace, the same keys or an error from both.
//!
//! `PROPTEST_CASES` sets the number of cases (CI: 256); a long run is
//! `PROPTEST_CASES=200000 cargo test -p evict-sim --release --test fuzz`.

use std::io::Write;

use evict_sim::parser::stream::read_all;
use evict_sim::parser::{
    Compression, Format, INPUT_BYTES_PER_REQUEST, ReadOptions, Trace, TraceError, decompress,
    guess_format, max_input_bytes, parse_limited, read_bytes,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// The request limit of every case: small, so that a claimed count past it is refused.
const MAX: usize = 1 << 12;

const COMPRESSIONS: [Compression; 4] = [
    Compression::None,
    Compression::Gzip,
    Compression::Xz,
    Compression::Zstd,
];

fn compress(data: &[u8], c: Compression) -> Vec<u8> {
    match c {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(data).unwrap();
            gz.finish().unwrap()
        }
        Compression::Xz => {
            let mut xz = xz2::write::XzEncoder::new(Vec::new(), 0);
            xz.write_all(data).unwrap();
            xz.finish().unwrap()
        }
        Compression::Zstd => zstd::encode_all(data, 1).unwrap(),
    }
}

fn extension(c: Compression) -> &'static str {
    match c {
        Compression::None => "",
        Compression::Gzip => ".gz",
        Compression::Xz => ".xz",
        Compression::Zstd => ".zst",
    }
}

/// The streaming readers agree with the in-memory ones on the file `name` holding `raw`:
/// the same keys, or an error (one line) from both.
fn stream_agrees(name: &str, raw: &[u8], opts: &ReadOptions) -> Result<(), TestCaseError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CASE: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "evict-sim-fuzz-{}-{}",
        std::process::id(),
        CASE.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, raw).unwrap();
    let streamed = read_all(&path, opts, opts.max_requests);
    let _ = std::fs::remove_dir_all(&dir);
    let whole = read_bytes(&path.display().to_string(), raw.to_vec(), opts);
    match (&whole, &streamed) {
        (Ok(t), Ok(keys)) => prop_assert_eq!(&t.keys, keys),
        (Err(_), Err(e)) => check_error(e)?,
        _ => prop_assert!(
            false,
            "in memory {:?}, streamed {:?}",
            whole.map(|t| t.keys.len()),
            streamed.map(|k| k.len())
        ),
    }
    Ok(())
}

/// An error is one non-empty line.
fn check_error(e: &TraceError) -> Result<(), TestCaseError> {
    let text = e.to_string();
    prop_assert!(!text.is_empty());
    prop_assert!(!text.contains('\n') && !text.contains('\r'), "{text:?}");
    Ok(())
}

/// A parse stays within the bound; an error is one line.
fn check_trace(r: &Result<Trace, TraceError>) -> Result<(), TestCaseError> {
    match r {
        Ok(t) => {
            prop_assert!(!t.keys.is_empty() && t.keys.len() <= MAX);
            prop_assert!(t.keys.capacity() <= MAX, "capacity {}", t.keys.capacity());
            prop_assert!(t.unique >= 1 && t.unique <= t.keys.len());
            prop_assert!(t.format.is_some());
        }
        Err(e) => check_error(e)?,
    }
    Ok(())
}

fn opts(format: Option<Format>, compression: Option<Compression>, csv: bool) -> ReadOptions {
    ReadOptions {
        format,
        compression,
        column: (csv && format.is_none_or(|f| f == Format::Csv)).then(|| "key".to_string()),
        max_requests: Some(MAX),
        ..ReadOptions::default()
    }
}

/// Every way into the readers for `raw`, the bytes of a file named `name`.
fn drive_everything(name: &str, raw: &[u8]) -> Result<(), TestCaseError> {
    for f in Format::ALL {
        match parse_limited(raw, f, Some("key"), name, MAX) {
            Ok(keys) => prop_assert!(!keys.is_empty() && keys.capacity() <= MAX),
            Err(e) => check_error(&e)?,
        }
    }
    match guess_format(name, raw) {
        Ok((_, why)) => prop_assert!(!why.contains('\n')),
        Err(e) => check_error(&e)?,
    }
    for c in COMPRESSIONS {
        match decompress(raw.to_vec(), c, name, max_input_bytes(MAX)) {
            Ok(out) => prop_assert!(out.len() <= MAX * INPUT_BYTES_PER_REQUEST),
            Err(e) => check_error(&e)?,
        }
    }
    check_trace(&read_bytes(name, raw.to_vec(), &opts(None, None, false)))?;
    check_trace(&read_bytes(name, raw.to_vec(), &opts(None, None, true)))?;
    Ok(())
}

/// A valid trace of `format` holding `keys` (made to fit the format), its expected keys and a
/// file name the guesser reads right.
fn encode(format: Format, keys: &[u64], endings: u8) -> (Vec<u8>, Vec<u64>, &'static str) {
    let eol = match endings % 3 {
        0 => "\n",
        1 => "\r\n",
        _ => "\r",
    };
    match format {
        Format::Lines => {
            let mut text = if endings >= 3 { "\u{feff}" } else { "" }.to_string();
            for k in keys {
                text.push_str(&format!("{k}{eol}"));
            }
            (text.into_bytes(), keys.to_vec(), "t.txt")
        }
        Format::Csv => {
            let mut text = format!("n,key{eol}");
            for (i, k) in keys.iter().enumerate() {
                text.push_str(&format!("{i},{k}{eol}"));
            }
            (text.into_bytes(), keys.to_vec(), "t.csv")
        }
        Format::Arc => {
            // Each key starts a run of 1 to 3 blocks.
            let mut text = String::new();
            let mut want = Vec::new();
            for k in keys {
                let (start, n) = (k >> 2, k % 3 + 1);
                text.push_str(&format!("{start} {n} 0 0{eol}"));
                want.extend(start..start + n);
            }
            (text.into_bytes(), want, "t.lis")
        }
        Format::I32Be | Format::U32Le => {
            let small: Vec<u64> = keys.iter().map(|&k| k & 0xffff_ffff).collect();
            let bytes = small
                .iter()
                .flat_map(|&k| {
                    if format == Format::I32Be {
                        (k as u32).to_be_bytes()
                    } else {
                        (k as u32).to_le_bytes()
                    }
                })
                .collect();
            (bytes, small, "t.bin")
        }
        Format::I64Be => (
            keys.iter().flat_map(|k| k.to_be_bytes()).collect(),
            keys.to_vec(),
            "t.bin",
        ),
        Format::OracleGeneral => {
            // next_access_vtime: the 1-based index of the next record of the same id, or -1.
            let mut next = vec![-1i64; keys.len()];
            let mut seen = std::collections::HashMap::new();
            for (i, k) in keys.iter().enumerate().rev() {
                if let Some(&j) = seen.get(k) {
                    next[i] = j as i64 + 1;
                }
                seen.insert(*k, i);
            }
            let mut bytes = Vec::new();
            for (k, n) in keys.iter().zip(&next) {
                bytes.extend(7u32.to_le_bytes());
                bytes.extend(k.to_le_bytes());
                bytes.extend(1u32.to_le_bytes());
                bytes.extend(n.to_le_bytes());
            }
            (bytes, keys.to_vec(), "t.oracleGeneral.bin")
        }
    }
}

/// How a valid trace is damaged.
#[derive(Clone, Debug)]
enum Mutation {
    /// Cut at this fraction (per mille) of the length.
    Truncate(u16),
    /// Insert these bytes at this fraction of the length.
    Splice(u16, Vec<u8>),
    /// Flip these bits (positions modulo the length).
    Flip(Vec<usize>),
    /// Put a huge count (or key) at the front: an ARC run, a text or CSV line, a binary key.
    Huge(u64),
    /// Repeat the whole input this many times (concatenated streams, longer traces).
    Repeat(u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..=1000u16).prop_map(Mutation::Truncate),
        (0..=1000u16, prop::collection::vec(any::<u8>(), 1..32))
            .prop_map(|(at, b)| Mutation::Splice(at, b)),
        prop::collection::vec(any::<usize>(), 1..8).prop_map(Mutation::Flip),
        prop_oneof![
            Just(4_000_000_000u64),
            Just(u64::MAX),
            Just(u64::from(u32::MAX)),
            Just(MAX as u64 + 1),
            any::<u64>(),
        ]
        .prop_map(Mutation::Huge),
        (2..6u8).prop_map(Mutation::Repeat),
    ]
}

fn mutate(data: &[u8], m: &Mutation, format: Format) -> Vec<u8> {
    let at = |per_mille: u16| data.len() * usize::from(per_mille) / 1000;
    match m {
        Mutation::Truncate(p) => data[..at(*p)].to_vec(),
        Mutation::Splice(p, bytes) => {
            let mut out = data.to_vec();
            let i = at(*p);
            out.splice(i..i, bytes.iter().copied());
            out
        }
        Mutation::Flip(bits) => {
            let mut out = data.to_vec();
            if !out.is_empty() {
                for &b in bits {
                    let i = b / 8 % out.len();
                    out[i] ^= 1 << (b % 8);
                }
            }
            out
        }
        Mutation::Huge(n) => {
            let mut front = match format {
                Format::Arc => format!("0 {n} 0 0\n").into_bytes(),
                Format::Lines => format!("{n}\n").into_bytes(),
                Format::I64Be => n.to_be_bytes().to_vec(),
                Format::OracleGeneral => {
                    let mut r = 7u32.to_le_bytes().to_vec();
                    r.extend(n.to_le_bytes());
                    r.extend(u32::MAX.to_le_bytes());
                    r.extend((*n as i64).to_le_bytes());
                    r
                }
                Format::I32Be | Format::U32Le => (*n as u32).to_be_bytes().to_vec(),
                Format::Csv => {
                    // After the header: a row whose key is huge.
                    let header_end = data.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
                    let mut out = data[..header_end].to_vec();
                    out.extend(format!("0,{n}\n").into_bytes());
                    out.extend(&data[header_end..]);
                    return out;
                }
            };
            front.extend(data);
            front
        }
        Mutation::Repeat(k) => data.repeat(usize::from(*k)),
    }
}

fn format() -> impl Strategy<Value = Format> {
    prop::sample::select(Format::ALL.to_vec())
}

fn compression() -> impl Strategy<Value = Compression> {
    prop::sample::select(COMPRESSIONS.to_vec())
}

/// Keys from a small space (repeats, so guessing and Bélády have something to see) or any
/// 64-bit value.
fn keys() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        prop::collection::vec(0..64u64, 1..200),
        prop::collection::vec(any::<u64>(), 1..50),
    ]
}

proptest! {
    // Failures are kept beside this file (tests/fuzz.proptest-regressions) and replayed first.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_parse_or_fail_in_one_line(
        data in prop::collection::vec(any::<u8>(), 0..1024),
        text in prop::collection::vec(prop::sample::select(b"0123456789 \t\r\n*,\"key".to_vec()), 0..512),
        magic in prop::sample::select(vec![&b""[..], &[0x1f, 0x8b, 8, 0], &[0xfd, b'7', b'z', b'X', b'Z', 0], &[0x28, 0xb5, 0x2f, 0xfd]]),
        name in prop::sample::select(vec!["t", "t.txt", "t.csv", "t.lis", "t.oracleGeneral.bin", "t.gz", "t.xz", "t.zst", "-"]),
    ) {
        drive_everything(name, &data)?;
        drive_everything(name, &text)?;
        let mut headed = magic.to_vec();
        headed.extend(&data);
        drive_everything(name, &headed)?;
    }

    #[test]
    fn valid_traces_parse_exactly(
        format in format(),
        keys in keys(),
        endings in 0..6u8,
        c in compression(),
    ) {
        let (plain, want, name) = encode(format, &keys, endings);
        let raw = compress(&plain, c);
        let name = format!("{name}{}", extension(c));
        stream_agrees(&name, &raw, &opts(Some(format), Some(c), true))?;
        stream_agrees(&name, &raw, &opts(None, None, format == Format::Csv))?;
        let t = read_bytes(&name, raw.clone(), &opts(Some(format), Some(c), true));
        prop_assert_eq!(t.map(|t| t.keys).map_err(|e| e.to_string()), Ok(want.clone()));
        // Compression by extension, else by magic number: an uncompressed binary trace whose
        // first key looks like a magic number is refused, saying it was a guess.
        match read_bytes(&name, raw.clone(), &opts(Some(format), None, true)) {
            Ok(t) => prop_assert_eq!(&t.keys, &want),
            Err(e) => {
                prop_assert!(c == Compression::None && Compression::from_magic(&raw).is_some());
                prop_assert!(e.to_string().contains("--compression none"), "{}", e);
            }
        }
        // Guessed (binary byte orders may be guessed wrong: then a parse all the same).
        let guessed = read_bytes(&name, raw, &opts(None, Some(c), format == Format::Csv));
        check_trace(&guessed)?;
        if !matches!(format, Format::I32Be | Format::U32Le | Format::I64Be) {
            prop_assert_eq!(guessed.map(|t| t.keys).map_err(|e| e.to_string()), Ok(want));
        }
    }

    #[test]
    fn mutated_traces_parse_or_fail_in_one_line(
        format in format(),
        keys in keys(),
        endings in 0..6u8,
        c in compression(),
        m in mutation(),
        after_compression in any::<bool>(),
        give_format in any::<bool>(),
    ) {
        let (plain, _, name) = encode(format, &keys, endings);
        let raw = if after_compression {
            mutate(&compress(&plain, c), &m, format)
        } else {
            compress(&mutate(&plain, &m, format), c)
        };
        let name = format!("{name}{}", extension(c));
        let given = give_format.then_some(format);
        stream_agrees(&name, &raw, &opts(given, None, format == Format::Csv))?;
        check_trace(&read_bytes(&name, raw.clone(), &opts(given, None, format == Format::Csv)))?;
        check_trace(&read_bytes(&name, raw.clone(), &opts(given, Some(c), format == Format::Csv)))?;
        if let Ok(data) = decompress(raw, c, &name, max_input_bytes(MAX)) {
            drive_everything(&name, &data)?;
        }
    }
}

/// A count far past the limit is refused before it is allocated, in every reader that
/// reads counts or lengths, and a compressed stream is cut at the input bound.
#[test]
fn huge_counts_and_bombs_are_refused_without_allocating() {
    let e = parse_limited(b"0 18446744073709551614 0 0\n", Format::Arc, None, "t", MAX);
    assert!(e.unwrap_err().to_string().contains("--max-requests"));
    let big = vec![0u8; max_input_bytes(MAX) + 1];
    for c in COMPRESSIONS {
        let raw = compress(&big, c);
        let e = decompress(raw, c, "t", max_input_bytes(MAX)).unwrap_err();
        assert!(e.to_string().contains("--max-requests"), "{c:?}: {e}");
    }
    let keys = vec![0u8; 4 * (MAX + 1)];
    let e = parse_limited(&keys, Format::U32Le, None, "t", MAX).unwrap_err();
    assert!(e.to_string().contains("--max-requests"), "{e}");
}
