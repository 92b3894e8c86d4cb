//! Format detection when `--format` is not given: by the file name, then by the first bytes
//! of the decompressed content (text, `oracleGeneral` records, 8-byte or 4-byte keys and their
//! byte order).

use super::{Format, TraceError, count_unique};

/// Guesses the format of decompressed trace bytes from the file name, then the content, and
/// says why.
///
/// Names: `oracleGeneral` anywhere means [`Format::OracleGeneral`], `.lis` [`Format::Arc`],
/// `.csv` [`Format::Csv`]. Otherwise text (no control bytes but tab, CR and LF) is
/// [`Format::Lines`]; binary content is tested for `oracleGeneral` records (a plausible
/// next-access field in every sampled record), then for 8-byte keys, then read as 4-byte keys
/// in the byte order under which consecutive keys are numerically close more often.
///
/// # Errors
///
/// [`ErrorKind::Usage`](super::ErrorKind::Usage) when nothing fits (e.g. binary data whose
/// length is not a multiple of 4).
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{guess_format, Format};
///
/// assert_eq!(guess_format("cs.trace.gz", b"1\n2\n").unwrap().0, Format::Lines);
/// assert_eq!(guess_format("x.lis", b"1 2 0 0\n").unwrap().0, Format::Arc);
/// assert!(guess_format("x.bin", &[0, 1, 2]).is_err());
/// ```
pub fn guess_format(name: &str, data: &[u8]) -> Result<(Format, String), TraceError> {
    let mut base = name.to_ascii_lowercase();
    for ext in [".gz", ".xz", ".zst", ".zstd"] {
        if let Some(stripped) = base.strip_suffix(ext) {
            base = stripped.to_string();
        }
    }
    if base.contains("oraclegeneral") {
        return Ok((Format::OracleGeneral, "the name says oracleGeneral".into()));
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
    if data.len().is_multiple_of(24) && looks_oracle(data) {
        return Ok((
            Format::OracleGeneral,
            "binary, 24-byte records with valid next-access fields".into(),
        ));
    }
    if data.len().is_multiple_of(8) && looks_64_bit(data) {
        return Ok((Format::I64Be, "binary, 8-byte keys".into()));
    }
    if data.len().is_multiple_of(4) {
        let records = &data[..data.len().min(4 << 16)];
        let be = close_neighbours(records, u32::from_be_bytes);
        let le = close_neighbours(records, u32::from_le_bytes);
        return Ok(if be >= le {
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

fn looks_oracle(data: &[u8]) -> bool {
    data.chunks_exact(24).take(4096).enumerate().all(|(i, r)| {
        let mut a = [0; 8];
        a.copy_from_slice(&r[16..24]);
        let next = i64::from_le_bytes(a);
        next == -1 || next > i as i64 + 1
    })
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
            .flat_map(|i| oracle_record(i, 512, if i < 50 { i as i64 + 60 } else { -1 }))
            .collect();
        assert_eq!(
            guess_format("x.bin", &oracle).unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(
            guess_format("a.oracleGeneral.bin.zst", b"").unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(guess_format("a.CSV", b"k\n1\n").unwrap().0, Format::Csv);
        let e = guess_format("x.bin", &[0, 1, 2, 3, 4]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
    }
}
