//! The decompression layer under every reader: gzip (`.gz`; concatenated members are one
//! stream), xz (`.xz`; concatenated streams too) and Zstandard (`.zst`, `.zstd`). The
//! compression is named by the caller, or by the file's extension, or by its first bytes (the
//! gzip magic `1f 8b`, the xz magic `fd 37 7a 58 5a 00`, the Zstandard magic `28 b5 2f fd`).
//! The whole file is decompressed into memory before a reader parses it.

use std::io::{self, Read};
use std::str::FromStr;

use super::TraceError;

/// How a trace file is compressed.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::Compression;
///
/// assert_eq!("zst".parse::<Compression>(), Ok(Compression::Zstd));
/// assert_eq!(Compression::from_extension("web07.trace.xz"), Some(Compression::Xz));
/// assert_eq!(Compression::from_extension("cs.trace"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`); concatenated members are read as one stream.
    Gzip,
    /// xz (`.xz`).
    Xz,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// The compression a file name's extension announces (`.gz`, `.xz`, `.zst`, `.zstd`).
    pub fn from_extension(name: &str) -> Option<Compression> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".gz") {
            Some(Compression::Gzip)
        } else if lower.ends_with(".xz") {
            Some(Compression::Xz)
        } else if lower.ends_with(".zst") || lower.ends_with(".zstd") {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    /// The compression announced by the first bytes of a file (its magic number), if any:
    /// gzip `1f 8b 08` (the magic and deflate, the one method gzip defines), xz
    /// `fd 37 7a 58 5a 00`, Zstandard `28 b5 2f fd`. Weak evidence for a binary trace, whose
    /// first key may be those bytes: a failure to decompress then says it was a guess.
    ///
    /// ```
    /// use evict_sim::parser::Compression;
    /// assert_eq!(Compression::from_magic(&[0x1f, 0x8b, 8, 0]), Some(Compression::Gzip));
    /// assert_eq!(Compression::from_magic(&[0x1f, 0x8b, 7, 0]), None);
    /// assert_eq!(Compression::from_magic(b"12\n"), None);
    /// ```
    pub fn from_magic(bytes: &[u8]) -> Option<Compression> {
        if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
            Some(Compression::Gzip)
        } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Compression::Xz)
        } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
}

impl FromStr for Compression {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Compression::None),
            "gz" | "gzip" => Ok(Compression::Gzip),
            "xz" => Ok(Compression::Xz),
            "zst" | "zstd" => Ok(Compression::Zstd),
            _ => Err(format!(
                "unknown compression '{s}' (known: auto, none, gz, xz, zst)"
            )),
        }
    }
}

/// Decompresses `raw` (the bytes of the file `name`) into at most `max_bytes` bytes.
///
/// # Errors
///
/// [`ErrorKind::Data`](super::ErrorKind::Data) if the compressed stream is broken or
/// truncated, if bytes that are not compressed data follow a gzip stream, or if the stream
/// expands past `max_bytes` (see [`max_input_bytes`](super::max_input_bytes)).
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{decompress, Compression};
///
/// assert_eq!(decompress(b"1\n".to_vec(), Compression::None, "t", 100).unwrap(), b"1\n");
/// assert!(decompress(b"not xz".to_vec(), Compression::Xz, "t", 100).is_err());
/// ```
pub fn decompress(
    raw: Vec<u8>,
    compression: Compression,
    name: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, TraceError> {
    let fail = |e: &io::Error| {
        TraceError::data(format!(
            "{name}: cannot decompress ({}): {}",
            compression.name(),
            describe_io(e)
        ))
    };
    let mut out = Vec::new();
    // One byte past the limit tells "exactly at the limit" from "past it".
    let limit = max_bytes.saturating_add(1) as u64;
    let result = match compression {
        Compression::None => {
            if raw.len() > max_bytes {
                return Err(too_big(name, max_bytes));
            }
            return Ok(raw);
        }
        Compression::Gzip => return gunzip(&raw, name, max_bytes, &fail),
        Compression::Xz => xz2::read::XzDecoder::new_multi_decoder(&raw[..])
            .take(limit)
            .read_to_end(&mut out),
        Compression::Zstd => zstd::stream::read::Decoder::new(&raw[..])
            .and_then(|d| d.take(limit).read_to_end(&mut out)),
    };
    result.map_err(|e| fail(&e))?;
    if out.len() > max_bytes {
        return Err(too_big(name, max_bytes));
    }
    Ok(out)
}

/// gzip members one after the other (as `gzip -d` reads them), and nothing else: bytes after
/// the last member that do not start another are named as such, not as a truncated stream.
fn gunzip(
    raw: &[u8],
    name: &str,
    max_bytes: usize,
    fail: &dyn Fn(&io::Error) -> TraceError,
) -> Result<Vec<u8>, TraceError> {
    let mut out = Vec::new();
    let mut rest = raw;
    loop {
        let room = (max_bytes - out.len()).saturating_add(1) as u64;
        // The `bufread` decoder consumes exactly its member, so `rest` is what follows it.
        let mut member = flate2::bufread::GzDecoder::new(rest);
        (&mut member)
            .take(room)
            .read_to_end(&mut out)
            .map_err(|e| fail(&e))?;
        if out.len() > max_bytes {
            return Err(too_big(name, max_bytes));
        }
        rest = member.into_inner();
        if rest.is_empty() {
            return Ok(out);
        }
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return Err(TraceError::data(format!(
                "{name}: cannot decompress (gzip): {} trailing byte(s) at byte offset {} are not gzip data",
                rest.len(),
                raw.len() - rest.len()
            )));
        }
    }
}

/// The error of a stream that expands past the input limit.
pub(super) fn too_big(name: &str, max_bytes: usize) -> TraceError {
    let requests = max_bytes / super::INPUT_BYTES_PER_REQUEST;
    TraceError::data(format!(
        "{name}: more than {max_bytes} bytes of trace data, {} per request of --max-requests {requests}; raise it if there is memory for more",
        super::INPUT_BYTES_PER_REQUEST
    ))
}

pub(super) fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "the compressed stream is truncated".to_string(),
        io::ErrorKind::OutOfMemory => {
            "not enough memory for the decompressed data (lower --max-requests, or free memory)"
                .to_string()
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::ErrorKind;
    use std::io::Write;

    #[test]
    fn compression_round_trips_and_errors() {
        let text = b"1\n2\n1\n".to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            decompress(gz.clone(), Compression::Gzip, "t", 100).unwrap(),
            text
        );
        let e = decompress(gz[..gz.len() - 6].to_vec(), Compression::Gzip, "t", 100).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(
            e.to_string().starts_with("t: cannot decompress (gzip)"),
            "{e}"
        );

        let mut xz = xz2::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(&text).unwrap();
        let xz = xz.finish().unwrap();
        assert_eq!(
            decompress(xz.clone(), Compression::Xz, "t", 100).unwrap(),
            text
        );
        assert!(decompress(xz[..xz.len() / 2].to_vec(), Compression::Xz, "t", 100).is_err());

        let zst = zstd::encode_all(&text[..], 3).unwrap();
        assert_eq!(Compression::from_magic(&zst), Some(Compression::Zstd));
        assert_eq!(
            decompress(zst.clone(), Compression::Zstd, "t", 100).unwrap(),
            text
        );
        assert!(decompress(zst[..zst.len() - 2].to_vec(), Compression::Zstd, "t", 100).is_err());

        // The limit: exactly `max_bytes` is fine, one more is not, in every format.
        for (c, data) in [
            (Compression::Gzip, gz),
            (Compression::Xz, xz),
            (Compression::Zstd, zst),
            (Compression::None, text.clone()),
        ] {
            assert_eq!(decompress(data.clone(), c, "t", 6).unwrap(), text);
            let e = decompress(data, c, "t", 5).unwrap_err();
            assert!(e.to_string().contains("--max-requests"), "{c:?}: {e}");
        }
    }

    #[test]
    fn gzip_members_and_trailing_bytes() {
        let member = |t: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(t).unwrap();
            gz.finish().unwrap()
        };
        let mut two = member(b"1\n");
        two.extend(member(b"2\n"));
        assert_eq!(
            decompress(two.clone(), Compression::Gzip, "t", 100).unwrap(),
            b"1\n2\n"
        );
        let whole = two.len();
        two.extend(b"junk");
        let e = decompress(two, Compression::Gzip, "t", 100).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "t: cannot decompress (gzip): 4 trailing byte(s) at byte offset {whole} are not gzip data"
            )
        );
        // A second member cut short is truncation.
        let mut cut = member(b"1\n");
        cut.extend(&member(b"2\n")[..12]);
        let e = decompress(cut, Compression::Gzip, "t", 100).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
