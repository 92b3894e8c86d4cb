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

    /// The compression announced by the first bytes of a file (its magic number), if any.
    ///
    /// ```
    /// use evict_sim::parser::Compression;
    /// assert_eq!(Compression::from_magic(&[0x1f, 0x8b, 8, 0]), Some(Compression::Gzip));
    /// assert_eq!(Compression::from_magic(b"12\n"), None);
    /// ```
    pub fn from_magic(bytes: &[u8]) -> Option<Compression> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Compression::Xz)
        } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
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

/// Decompresses `raw` (the bytes of the file `name`).
///
/// # Errors
///
/// [`ErrorKind::Data`](super::ErrorKind::Data) if the compressed stream is broken or truncated.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{decompress, Compression};
///
/// assert_eq!(decompress(b"1\n".to_vec(), Compression::None, "t").unwrap(), b"1\n");
/// assert!(decompress(b"not xz".to_vec(), Compression::Xz, "t").is_err());
/// ```
pub fn decompress(
    raw: Vec<u8>,
    compression: Compression,
    name: &str,
) -> Result<Vec<u8>, TraceError> {
    let mut out = Vec::new();
    let result = match compression {
        Compression::None => return Ok(raw),
        Compression::Gzip => flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out),
        Compression::Xz => xz2::read::XzDecoder::new_multi_decoder(&raw[..]).read_to_end(&mut out),
        Compression::Zstd => {
            zstd::stream::read::Decoder::new(&raw[..]).and_then(|mut d| d.read_to_end(&mut out))
        }
    };
    match result {
        Ok(_) => Ok(out),
        Err(e) => Err(TraceError::data(format!(
            "{name}: cannot decompress ({}): {}",
            compression.name(),
            describe_io(&e)
        ))),
    }
}

fn describe_io(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        "the compressed stream is truncated".to_string()
    } else {
        e.to_string()
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
            decompress(gz.clone(), Compression::Gzip, "t").unwrap(),
            text
        );
        let e = decompress(gz[..gz.len() - 6].to_vec(), Compression::Gzip, "t").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(
            e.to_string().starts_with("t: cannot decompress (gzip)"),
            "{e}"
        );

        let mut xz = xz2::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(&text).unwrap();
        let xz = xz.finish().unwrap();
        assert_eq!(decompress(xz.clone(), Compression::Xz, "t").unwrap(), text);
        assert!(decompress(xz[..xz.len() / 2].to_vec(), Compression::Xz, "t").is_err());

        let zst = zstd::encode_all(&text[..], 3).unwrap();
        assert_eq!(Compression::from_magic(&zst), Some(Compression::Zstd));
        assert_eq!(
            decompress(zst.clone(), Compression::Zstd, "t").unwrap(),
            text
        );
        assert!(decompress(zst[..zst.len() - 2].to_vec(), Compression::Zstd, "t").is_err());
    }
}
