//! Bare integer arrays: the file is nothing but keys, one fixed-width integer per request,
//! with no header, separator or padding. [`Format::I32Be`]: big-endian signed 32-bit (Java
//! `readInt`, the cache2k traces), read as the unsigned 32 bits; [`Format::U32Le`]:
//! little-endian unsigned 32-bit (CloudPhysics block traces); [`Format::I64Be`]: big-endian
//! signed 64-bit (Java `readLong`, Corda and Scarab traces), read as the unsigned 64 bits.

use super::limits::Keys;
use super::{Format, TraceError, truncated};

/// Reads big-endian signed 32-bit keys.
pub(super) fn parse_i32be(data: &[u8], name: &str, max: usize) -> Result<Vec<u64>, TraceError> {
    parse_ints(data, max, 4, Format::I32Be, name, |b| {
        u64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u32)
    })
}

/// Reads little-endian unsigned 32-bit keys.
pub(super) fn parse_u32le(data: &[u8], name: &str, max: usize) -> Result<Vec<u64>, TraceError> {
    parse_ints(data, max, 4, Format::U32Le, name, |b| {
        u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    })
}

/// Reads big-endian signed 64-bit keys.
pub(super) fn parse_i64be(data: &[u8], name: &str, max: usize) -> Result<Vec<u64>, TraceError> {
    parse_ints(data, max, 8, Format::I64Be, name, |b| {
        let mut a = [0; 8];
        a.copy_from_slice(b);
        i64::from_be_bytes(a) as u64
    })
}

/// Reads `width`-byte records, each decoded into a key by `decode`.
fn parse_ints(
    data: &[u8],
    max: usize,
    width: usize,
    format: Format,
    name: &str,
    decode: impl Fn(&[u8]) -> u64,
) -> Result<Vec<u64>, TraceError> {
    if !data.len().is_multiple_of(width) {
        return Err(truncated(name, data.len(), width, format));
    }
    let mut keys = Keys::new(max);
    keys.reserve((data.len() / width) as u64, name, || {
        format!("byte offset {}", max.saturating_mul(width))
    })?;
    let mut keys = keys.into_vec();
    keys.extend(data.chunks_exact(width).map(decode));
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use crate::parser::{Format, parse, parse_err as err};

    #[test]
    fn binary_ints() {
        let data = [0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0];
        assert_eq!(
            parse(&data, Format::I32Be, None, "t").unwrap(),
            [0xffff_fffe, 256]
        );
        assert_eq!(
            parse(&data, Format::U32Le, None, "t").unwrap(),
            [0xfeff_ffff, 0x0001_0000]
        );
        assert_eq!(
            parse(&data, Format::I64Be, None, "t").unwrap(),
            [0xffff_fffe_0000_0100]
        );
    }

    #[test]
    fn binary_truncated() {
        let e = err(&[0, 0, 0, 1, 0, 0], Format::I32Be, None);
        assert_eq!(
            e.to_string(),
            "t: truncated record at byte offset 4: 2 byte(s) left, a i32be record is 4 bytes"
        );
        let e = err(&[0; 12], Format::I64Be, None);
        assert!(e.to_string().contains("byte offset 8"), "{e}");
        let e = err(&[0; 3], Format::U32Le, None);
        assert!(e.to_string().contains("byte offset 0"), "{e}");
        assert!(
            err(&[], Format::U32Le, None)
                .to_string()
                .contains("no request")
        );
    }
}
