//! The plain text format ([`Format::Lines`](super::Format::Lines)), one request per line:
//! the first whitespace-separated field is the key, any further fields are ignored; empty
//! lines and lines holding only `*` (LIRS traces) are skipped. Lines end in `\n`, `\r\n` or a
//! lone `\r` (old Mac files), as the CSV reader's do; the last one may lack it, and a UTF-8
//! byte-order mark before the first line is not part of it. Also the line splitting that the
//! ARC `.lis` reader shares.

use super::TraceError;
use super::keys::KeyMap;
use super::limits::Keys;

/// The UTF-8 byte-order mark some editors put first.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Lines of `data` with their 1-based numbers, without the terminator (`\n`, `\r\n` or `\r`)
/// and without a leading byte-order mark.
pub(super) fn numbered_lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = data.strip_prefix(BOM).unwrap_or(data);
    let mut n = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        n += 1;
        let line;
        match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(end) => {
                line = &rest[..end];
                let crlf = rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n');
                rest = &rest[end + 1 + usize::from(crlf)..];
            }
            None => {
                line = rest;
                rest = &[];
            }
        }
        Some((n, line))
    })
}

/// The non-empty fields of `line`, separated by ASCII white space.
pub(super) fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
}

/// Refuses a line holding a NUL byte: binary data read as text.
pub(super) fn no_nul(line: &[u8], n: usize, name: &str) -> Result<(), TraceError> {
    if line.contains(&0) {
        return Err(TraceError::data(format!(
            "{name}: line {n}: NUL byte in a text trace: this looks like binary data \
             (try --format i32be, u32le, i64be or oracle-general)"
        )));
    }
    Ok(())
}

/// Reads a text trace: one key per line, at most `max` of them.
pub(super) fn parse(data: &[u8], name: &str, max: usize) -> Result<Vec<u64>, TraceError> {
    let mut keys = Keys::new(max);
    let mut map = KeyMap::default();
    for (n, line) in numbered_lines(data) {
        no_nul(line, n, name)?;
        let Some(token) = fields(line).next() else {
            continue;
        };
        if token == b"*" && fields(line).nth(1).is_none() {
            continue;
        }
        map.push(token, &mut keys, name, n)?;
    }
    Ok(keys.into_vec())
}

#[cfg(test)]
mod tests {
    use crate::parser::{ErrorKind, Format, count_unique, parse, parse_err as err};

    #[test]
    fn lines_decimal_and_skips() {
        let data = b"3\n*\n\n  \n4 extra fields\r\n3\n";
        assert_eq!(parse(data, Format::Lines, None, "t").unwrap(), [3, 4, 3]);
        // No final newline.
        assert_eq!(parse(b"1\n2", Format::Lines, None, "t").unwrap(), [1, 2]);
        // `*` as a key among other fields is a key, not a marker.
        assert_eq!(
            parse(b"* a\n* a\n", Format::Lines, None, "t").unwrap(),
            [0, 0]
        );
    }

    #[test]
    fn lines_end_like_csv_records() {
        // Issue 15: CR-only endings were one line, and a byte-order mark part of the key.
        let cr = parse(b"1\r2\r\r1\r\n2", Format::Lines, None, "t").unwrap();
        assert_eq!(cr, [1, 2, 1, 2]);
        let bom = parse("\u{feff}7\n7\n".as_bytes(), Format::Lines, None, "t").unwrap();
        assert_eq!(bom, [7, 7]);
        let e = err(b"1\r2\r\x00\n", Format::Lines, None);
        assert!(e.to_string().starts_with("t: line 3: NUL byte"), "{e}");
        let arc = parse(
            "\u{feff}5 2 0 0\r6 1 0 0".as_bytes(),
            Format::Arc,
            None,
            "t",
        );
        assert_eq!(arc.unwrap(), [5, 6, 6]);
    }

    #[test]
    fn lines_strings_are_interned_without_collision() {
        // Decimals first, then a string: earlier decimals are renamed, and "07" != "7".
        let keys = parse(b"7\n9\nabc\n7\n07\nabc\n", Format::Lines, None, "t").unwrap();
        assert_eq!(keys, [0, 1, 2, 0, 3, 2]);
        assert_eq!(count_unique(&keys), 4);
    }

    #[test]
    fn lines_errors() {
        let e = err(b"1\n2\n\x00\x01\n", Format::Lines, None);
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(e.to_string().starts_with("t: line 3: NUL byte"), "{e}");
        let e = err(b"*\n\n", Format::Lines, None);
        assert!(e.to_string().contains("no request"), "{e}");
        assert!(parse(b"", Format::Lines, None, "t").is_err());
    }
}
