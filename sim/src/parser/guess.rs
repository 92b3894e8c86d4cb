//! Format detection when `--format` is not given: by the file name, then by the first bytes
//! of the decompressed content (text, `oracleGeneral` records, 8-byte or 4-byte keys and their
//! byte order).

use super::{Format, TraceError, count_unique};

/// Guesses the format of decompressed trace bytes from the file name, then the content, and
/// says why.
///
/// The name test looks at the file name only (not the folders above it), after a
/// compression extension (`.gz`, `.xz`, `.zst`, `.zstd`): `.oracleGeneral` or
/// `.oracleGeneral.bin` (libCacheSim's names) means [`Format::OracleGeneral`], `.lis`
/// [`Format::Arc`], `.csv` [`Format::Csv`]. Otherwise text (no control bytes but tab, CR and
/// LF) is [`Format::Lines`]. Binary content is [`Format::OracleGeneral`] only if every
/// record's next-access field agrees with the trace itself: it is the (0- or 1-based) index
/// of the next record with the same id, or -1 when there is none, which a random array of
/// integers never matches; else 8-byte keys, else 4-byte keys in the byte order under which
/// consecutive keys are numerically close more often.
///
/// # Errors
///
/// [`ErrorKind::Usage`](super::ErrorKind::Usage) when nothing fits or the evidence is too
/// weak to choose (binary data whose length is not a multiple of 4, or 4-byte keys that are
/// as close in either byte order); the message asks for `--format`.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{guess_format, Format};
///
/// assert_eq!(guess_format("cs.trace.gz", b"1\n2\n").unwrap().0, Format::Lines);
/// assert_eq!(guess_format("x.lis", b"1 2 0 0\n").unwrap().0, Format::Arc);
/// // Folders do not count: only the file name does.
/// assert_eq!(guess_format("t/x.lis/cs.trace", b"1\n").unwrap().0, Format::Lines);
/// assert!(guess_format("x.bin", &[0, 1, 2]).is_err());
/// ```
pub fn guess_format(name: &str, data: &[u8]) -> Result<(Format, String), TraceError> {
    guess(name, data, false)
}

/// [`guess_format`] from the head of a longer stream (whose length is a multiple of 24
/// bytes): the same tests, but a next-access field of `oracleGeneral` may point past the
/// head. The streaming reader guesses this way, so a trace is never held whole for a guess.
pub(super) fn guess_format_head(name: &str, head: &[u8]) -> Result<(Format, String), TraceError> {
    guess(name, head, true)
}

fn guess(name: &str, data: &[u8], partial: bool) -> Result<(Format, String), TraceError> {
    let file = std::path::Path::new(name)
        .file_name()
        .map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned());
    let mut base = file.to_ascii_lowercase();
    for ext in [".gz", ".xz", ".zst", ".zstd"] {
        if let Some(stripped) = base.strip_suffix(ext) {
            base = stripped.to_string();
        }
    }
    if base.ends_with(".oraclegeneral") || base.ends_with(".oraclegeneral.bin") {
        return Ok((
            Format::OracleGeneral,
            "the name ends in .oracleGeneral".into(),
        ));
    }
    if base.ends_with(".lis") {
        return Ok((Format::Arc, "the name ends in .lis".into()));
    }
    if base.ends_with(".csv") {
        return Ok((Format::Csv, "the name ends in .csv".into()));
    }
    let sample = &data[..data.len().min(1 << 16)];
    if sample
        .iter()
        .all(|&b| b == b'\t' || b == b'\n' || b == b'\r' || (b >= 0x20 && b != 0x7f))
    {
        return Ok((Format::Lines, "the content is text".into()));
    }
    if data.len().is_multiple_of(24) && next_access_agrees(data, partial) {
        return Ok((
            Format::OracleGeneral,
            "binary, 24-byte records whose every next-access field points at the next record of the same id".into(),
        ));
    }
    if data.len().is_multiple_of(8) && looks_64_bit(data) {
        return Ok((Format::I64Be, "binary, 8-byte keys".into()));
    }
    if data.len().is_multiple_of(4) {
        let records = &data[..data.len().min(4 << 16)];
        let be = close_neighbours(records, u32::from_be_bytes);
        let le = close_neighbours(records, u32::from_le_bytes);
        if be == le {
            return Err(TraceError::usage(format!(
                "{name}: cannot guess the format (binary, 4-byte keys, but neither byte order makes consecutive keys closer); use --format i32be or u32le"
            )));
        }
        return Ok(if be > le {
            (
                Format::I32Be,
                "binary, 4-byte keys, big-endian: consecutive keys are closer so".into(),
            )
        } else {
            (
                Format::U32Le,
                "binary, 4-byte keys, little-endian: consecutive keys are closer so".into(),
            )
        });
    }
    Err(TraceError::usage(format!(
        "{name}: cannot guess the format ({} bytes of binary data, not a multiple of 4); use --format",
        data.len()
    )))
}

/// The number of distinct byte values at `offset` of each `stride`-byte record.
fn distinct_at(data: &[u8], stride: usize, offset: usize) -> usize {
    let mut seen = [false; 256];
    for r in data.chunks_exact(stride) {
        seen[r[offset] as usize] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

/// How many consecutive 4-byte keys differ by less than 2^16 when decoded with `decode`:
/// real traces revisit nearby ids (sequential blocks, fields of one object), and decoding
/// with the wrong byte order scatters them.
fn close_neighbours(data: &[u8], decode: fn([u8; 4]) -> u32) -> usize {
    let keys: Vec<u32> = data
        .chunks_exact(4)
        .map(|b| decode([b[0], b[1], b[2], b[3]]))
        .collect();
    keys.windows(2)
        .filter(|w| w[0].abs_diff(w[1]) < 1 << 16)
        .count()
}

/// Whether `data` is `oracleGeneral` records by their own evidence, in one pass: each
/// record's `next_access_vtime` must be exactly where its id comes next (one base, 0 or 1,
/// for the whole trace, taken from the first repeat) or -1 if it never does. Records of size
/// 0 count as records here, as they do in libCacheSim's virtual time.
///
/// With `partial`, `data` is the head of a longer trace: a next-access field may point past
/// its end.
fn next_access_agrees(data: &[u8], partial: bool) -> bool {
    if data.is_empty() {
        return false;
    }
    // id -> the next-access field of its latest record.
    let mut pending: hashbrown::HashMap<u64, i64> = hashbrown::HashMap::new();
    let mut base: Option<i64> = None;
    for (i, r) in data.chunks_exact(24).enumerate() {
        let i = i as i64;
        let mut id = [0; 8];
        id.copy_from_slice(&r[4..12]);
        let mut next = [0; 8];
        next.copy_from_slice(&r[16..24]);
        let next = i64::from_le_bytes(next);
        if next != -1 && next <= i {
            return false;
        }
        if let Some(claimed) = pending.insert(u64::from_le_bytes(id), next) {
            let b = *base.get_or_insert(claimed - i);
            if claimed - i != b || !(0..=1).contains(&b) {
                return false;
            }
        }
    }
    let n = (data.len() / 24) as i64;
    // A field `next` names the record `next - base`: past the head if that is `n` or more
    // (with the base not yet known, 0 is the lenient choice).
    let past = n + base.unwrap_or(0);
    pending
        .values()
        .all(|&next| next == -1 || (partial && next >= past))
}

/// 8-byte keys or pairs of 4-byte keys? Integers have a "high" byte that varies less than the
/// others; if that pattern repeats every 4 bytes the records are 4 bytes wide, unless the
/// bytes look random (hashes), where pairs of 4-byte keys would repeat much less often than
/// the keys themselves.
fn looks_64_bit(data: &[u8]) -> bool {
    let sample = &data[..data.len().min(8 << 16)];
    let d: Vec<usize> = (0..8).map(|o| distinct_at(sample, 8, o)).collect();
    let similar = |a: usize, b: usize| a.max(b) <= 2 * a.min(b) + 2;
    let periodic = (0..4).all(|j| similar(d[j], d[j + 4]));
    if !periodic {
        return true;
    }
    let keys32: Vec<u64> = sample
        .chunks_exact(4)
        .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
        .collect();
    let keys64: Vec<u64> = sample
        .chunks_exact(8)
        .map(|b| {
            let mut a = [0; 8];
            a.copy_from_slice(b);
            u64::from_be_bytes(a)
        })
        .collect();
    if keys64.is_empty() {
        return false;
    }
    let r32 = count_unique(&keys32) as f64 / keys32.len() as f64;
    let r64 = count_unique(&keys64) as f64 / keys64.len() as f64;
    r64 <= 1.25 * r32 + 0.01
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::ErrorKind;
    use crate::parser::oracle::record as oracle_record;

    #[test]
    fn guesses() {
        let be: Vec<u8> = (0..4000u32)
            .flat_map(|i| ((3u32 << 28) | ((i % 97) * 13)).to_be_bytes())
            .collect();
        assert_eq!(guess_format("x.trace", &be).unwrap().0, Format::I32Be);
        let le: Vec<u8> = (0..4001u32)
            .flat_map(|i| (i * 7 % 5000).to_le_bytes())
            .collect();
        assert_eq!(guess_format("x.bin", &le).unwrap().0, Format::U32Le);
        let mut state = 1u64;
        let hashes: Vec<u8> = (0..4000)
            .flat_map(|i| {
                if i % 3 != 0 {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                }
                state.to_be_bytes()
            })
            .collect();
        assert_eq!(guess_format("x.bin", &hashes).unwrap().0, Format::I64Be);
        let oracle: Vec<u8> = (0..100u64)
            .flat_map(|i| oracle_record(i % 50, 512, if i < 50 { i as i64 + 51 } else { -1 }))
            .collect();
        assert_eq!(
            guess_format("x.bin", &oracle).unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(
            guess_format("a.oracleGeneral.bin.zst", b"").unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(
            guess_format("a.oracleGeneral.zst", b"").unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(guess_format("a.CSV", b"k\n1\n").unwrap().0, Format::Csv);
        let e = guess_format("x.bin", &[0, 1, 2, 3, 4]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
    }

    #[test]
    fn oracle_general_needs_exact_next_access_fields() {
        // 1-based virtual times, as in libCacheSim's samples: id 5 at 0 and 2, id 6 at 1.
        let good = [
            oracle_record(5, 1, 3),
            oracle_record(6, 1, -1),
            oracle_record(5, 1, -1),
        ];
        assert!(next_access_agrees(&good.concat(), false));
        let zero_based = [
            oracle_record(5, 1, 2),
            oracle_record(6, 1, -1),
            oracle_record(5, 1, -1),
        ];
        assert!(next_access_agrees(&zero_based.concat(), false));
        // A plausible but wrong field (id 5 comes next at 2, not 4), a key seen again whose
        // earlier record said never, and a record that says "later" with no later record.
        let wrong = [
            oracle_record(5, 1, 4),
            oracle_record(6, 1, -1),
            oracle_record(5, 1, -1),
        ];
        assert!(!next_access_agrees(&wrong.concat(), false));
        let never = [oracle_record(5, 1, -1), oracle_record(5, 1, -1)];
        assert!(!next_access_agrees(&never.concat(), false));
        let dangling = [oracle_record(5, 1, 9), oracle_record(6, 1, -1)];
        assert!(!next_access_agrees(&dangling.concat(), false));
        // Issue 15: little-endian u32 keys, 600 of them (a multiple of 24 bytes), passed the
        // old sampled test ("every next-access field valid") and lost five requests in six.
        let words: Vec<u8> = (0..600u32)
            .flat_map(|i| (1 + i % 47).to_le_bytes())
            .collect();
        assert!(!next_access_agrees(&words, false));
        assert_eq!(guess_format("keys.bin", &words).unwrap().0, Format::U32Le);
        // A name in the folders above says nothing.
        assert_eq!(
            guess_format("x/oracleGeneral/t.txt", b"1\n2\n").unwrap().0,
            Format::Lines
        );
        assert_eq!(
            guess_format("x.csv/t.bin", &words).unwrap().0,
            Format::U32Le
        );
    }

    #[test]
    fn four_byte_keys_without_a_closer_byte_order_are_refused() {
        let e = guess_format("one.bin", &[1, 2, 3, 4]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.to_string().contains("--format"), "{e}");
    }
}
