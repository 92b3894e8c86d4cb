//! CSV traces ([`Format::Csv`](super::Format::Csv)): a header row naming the columns, then
//! one request per record; the column named by `--column` holds the key (it may be omitted
//! when there is a single column). Fields may be quoted (RFC 4180), a UTF-8 byte-order mark
//! before the header is ignored, every record has as many fields as the header, and a key is
//! trimmed of white space and may not be empty.

use super::TraceError;
use super::keys::KeyMap;
use super::limits::Keys;

/// Reads a CSV trace: the keys of the column `column`, at most `max` of them.
pub(super) fn parse(
    data: &[u8],
    column: Option<&str>,
    name: &str,
    max: usize,
) -> Result<Vec<u64>, TraceError> {
    let csv_error = |e: csv::Error| describe(&e, name);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(data);
    let header = reader.byte_headers().map_err(csv_error)?.clone();
    let (index, columns) = key_column(&header, column, name)?;
    let mut keys = Keys::new(max);
    let mut map = KeyMap::default();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| p.line());
        let token = record.get(index).unwrap_or_default().trim_ascii();
        if token.is_empty() {
            return Err(TraceError::data(format!(
                "{name}: line {line}: expected a key in column '{}', found an empty field",
                columns[index]
            )));
        }
        map.push(token, &mut keys, name, line)?;
    }
    Ok(keys.into_vec())
}

/// A CSV error as one line naming the file and the line.
pub(super) fn describe(e: &csv::Error, name: &str) -> TraceError {
    let at = e
        .position()
        .map(|p| format!("line {}: ", p.line()))
        .unwrap_or_default();
    let what = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields like the header, found {len}"),
        _ => e.to_string(),
    };
    TraceError::data(format!("{name}: {at}{what}"))
}

/// The index of the key column `column` in `header` (optional with a single column), and
/// the column names.
pub(super) fn key_column(
    header: &csv::ByteRecord,
    column: Option<&str>,
    name: &str,
) -> Result<(usize, Vec<String>), TraceError> {
    if header.is_empty() {
        return Err(TraceError::data(format!(
            "{name}: line 1: expected a CSV header row, found nothing"
        )));
    }
    let columns: Vec<String> = header
        .iter()
        .map(|h| {
            // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first name.
            let h = h.strip_prefix("\u{feff}".as_bytes()).unwrap_or(h);
            String::from_utf8_lossy(h).trim().to_string()
        })
        .collect();
    let index = match column {
        Some(c) => columns.iter().position(|h| h == c).ok_or_else(|| {
            TraceError::usage(format!(
                "{name}: no column '{c}' in the CSV header (columns: {})",
                columns.join(", ")
            ))
        })?,
        None if columns.len() == 1 => 0,
        None => {
            return Err(TraceError::usage(format!(
                "{name}: --column NAME is required for a CSV trace with several columns (columns: {})",
                columns.join(", ")
            )));
        }
    };
    Ok((index, columns))
}

#[cfg(test)]
mod tests {
    use crate::parser::{ErrorKind, Format, parse, parse_err as err};

    #[test]
    fn csv_column() {
        let data = b"time,key,size\n1,10,5\n2,11,5\n3,10,5\n";
        assert_eq!(
            parse(data, Format::Csv, Some("key"), "t").unwrap(),
            [10, 11, 10]
        );
        let strings = b"key\nalpha\nbeta\nalpha\n";
        assert_eq!(parse(strings, Format::Csv, None, "t").unwrap(), [0, 1, 0]);
        let bom = "\u{feff}key,b\n5,1\n".as_bytes();
        assert_eq!(parse(bom, Format::Csv, Some("key"), "t").unwrap(), [5]);
        let quoted = b"a,key\n1,\"x,y\"\n2,\"x,y\"\n";
        assert_eq!(
            parse(quoted, Format::Csv, Some("key"), "t").unwrap(),
            [0, 0]
        );
    }

    #[test]
    fn csv_errors() {
        let data = b"time,key\n1,10\n2\n";
        let e = err(data, Format::Csv, Some("key"));
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(
            e.to_string().starts_with("t: line 3: expected 2 fields"),
            "{e}"
        );
        let e = err(data, Format::Csv, Some("nope"));
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.to_string().contains("columns: time, key"), "{e}");
        let e = err(data, Format::Csv, None);
        assert_eq!(e.kind(), ErrorKind::Usage);
        let e = err(b"a,key\n1,\n", Format::Csv, Some("key"));
        assert!(
            e.to_string().starts_with("t: line 2: expected a key"),
            "{e}"
        );
        let e = err(b"", Format::Csv, Some("key"));
        assert_eq!(e.kind(), ErrorKind::Data);
        let e = err(b"key\n", Format::Csv, Some("key"));
        assert!(e.to_string().contains("no request"), "{e}");
    }
}
