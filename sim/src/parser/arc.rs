//! The ARC authors' `.lis` text format ([`Format::Arc`](super::Format::Arc)): one run of
//! requests per line, `start_block n_blocks x y` (four whitespace-separated fields, the first
//! two unsigned decimals), stands for `n_blocks` requests to `start_block`, `start_block + 1`,
//! …, `start_block + n_blocks - 1`; `x` and `y` are ignored, empty lines skipped.

use super::TraceError;
use super::keys::canonical_decimal;
use super::limits::Keys;
use super::text::{fields, no_nul, numbered_lines};

/// Reads an ARC `.lis` trace, expanding each run into its requests, at most `max` in all:
/// `n_blocks` comes from the input, so it is checked before anything is allocated.
pub(super) fn parse(data: &[u8], name: &str, max: usize) -> Result<Vec<u64>, TraceError> {
    let mut keys = Keys::new(max);
    for (n, line) in numbered_lines(data) {
        if let Some((start, count)) = parse_line(line, name, n)? {
            keys.push_run(start, count, name, || format!("line {n}"))?;
        }
    }
    Ok(keys.into_vec())
}

/// One line `n` of an ARC trace: its run `(start_block, n_blocks)`, or `None` for an empty
/// line. Shared by the in-memory and the streaming reader.
pub(super) fn parse_line(
    line: &[u8],
    name: &str,
    n: usize,
) -> Result<Option<(u64, u64)>, TraceError> {
    no_nul(line, n, name)?;
    let f: Vec<&[u8]> = fields(line).collect();
    if f.is_empty() {
        return Ok(None);
    }
    if f.len() != 4 {
        return Err(TraceError::data(format!(
            "{name}: line {n}: expected 4 fields `start_block n_blocks x y`, found {}",
            f.len()
        )));
    }
    let number = |i: usize, what: &str| {
        canonical_decimal(f[i]).ok_or_else(|| {
            TraceError::data(format!(
                "{name}: line {n}: expected {what} (an unsigned decimal integer), found {}",
                show(f[i])
            ))
        })
    };
    let start = number(0, "start_block")?;
    let count = number(1, "n_blocks")?;
    if start.checked_add(count).is_none() {
        return Err(TraceError::data(format!(
            "{name}: line {n}: start_block + n_blocks overflows 64 bits"
        )));
    }
    Ok(Some((start, count)))
}

/// A token for an error message: quoted, and cut after 40 characters.
fn show(token: &[u8]) -> String {
    let text = String::from_utf8_lossy(token);
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use crate::parser::{Format, parse, parse_err as err};

    #[test]
    fn arc_expands_runs() {
        let data = b"100 2 0 1\n\n5 1 7 2\n0 0 0 3\n";
        assert_eq!(parse(data, Format::Arc, None, "t").unwrap(), [100, 101, 5]);
    }

    #[test]
    fn arc_errors() {
        let e = err(b"1 2 3\n", Format::Arc, None);
        assert!(
            e.to_string().starts_with("t: line 1: expected 4 fields"),
            "{e}"
        );
        let e = err(b"1 1 0 0\n-5 2 0 0\n", Format::Arc, None);
        assert!(
            e.to_string().starts_with("t: line 2: expected start_block"),
            "{e}"
        );
        let e = err(b"1 two 0 0\n", Format::Arc, None);
        assert!(e.to_string().contains("expected n_blocks"), "{e}");
        let e = err(b"18446744073709551615 2 0 0\n", Format::Arc, None);
        assert!(e.to_string().contains("overflows"), "{e}");
        let e = err(b"0 99999999999 0 0\n", Format::Arc, None);
        assert!(e.to_string().contains("--max-requests"), "{e}");
        // Issue 15: 4e9 blocks fit u32 indices but not memory; refused, not allocated.
        let e = err(b"0 4000000000 0 0", Format::Arc, None);
        assert!(e.to_string().starts_with("t: line 1: more than "), "{e}");
    }
}
