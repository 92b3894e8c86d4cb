//! libCacheSim's `oracleGeneral` binary format ([`Format::OracleGeneral`]): packed 24-byte
//! little-endian records `u32 clock_time, u64 obj_id, u32 obj_size, i64 next_access_vtime`
//! (`next_access_vtime` is -1 when the object is never requested again), no header. The key
//! is `obj_id`; records of size 0 are skipped.

use super::limits::Keys;
use super::{Format, TraceError, truncated};

/// Reads an `oracleGeneral` trace: the `obj_id` of every record of non-zero size.
/// At most `max` of them.
pub(super) fn parse(data: &[u8], name: &str, max: usize) -> Result<Vec<u64>, TraceError> {
    const W: usize = 24;
    if !data.len().is_multiple_of(W) {
        return Err(truncated(name, data.len(), W, Format::OracleGeneral));
    }
    let mut keys = Keys::new(max);
    for (i, r) in data.chunks_exact(W).enumerate() {
        let size = u32::from_le_bytes([r[12], r[13], r[14], r[15]]);
        if size == 0 {
            continue;
        }
        let mut id = [0; 8];
        id.copy_from_slice(&r[4..12]);
        keys.push(u64::from_le_bytes(id), name, || {
            format!("byte offset {}", i * W)
        })?;
    }
    Ok(keys.into_vec())
}

/// One `oracleGeneral` record, for tests (the clock time is 7).
#[cfg(test)]
pub(super) fn record(id: u64, size: u32, next: i64) -> Vec<u8> {
    let mut r = 7u32.to_le_bytes().to_vec();
    r.extend(id.to_le_bytes());
    r.extend(size.to_le_bytes());
    r.extend(next.to_le_bytes());
    r
}

#[cfg(test)]
mod tests {
    use super::record as oracle_record;
    use crate::parser::{Format, parse, parse_err as err};

    #[test]
    fn oracle_general() {
        let mut data = oracle_record(42, 512, 3);
        data.extend(oracle_record(9, 0, -1)); // size 0: skipped
        data.extend(oracle_record(42, 512, -1));
        assert_eq!(
            parse(&data, Format::OracleGeneral, None, "t").unwrap(),
            [42, 42]
        );
        data.extend([1, 2, 3]);
        let e = err(&data, Format::OracleGeneral, None);
        assert!(
            e.to_string().contains("byte offset 72: 3 byte(s) left"),
            "{e}"
        );
        let only_empty = oracle_record(1, 0, -1);
        assert!(
            err(&only_empty, Format::OracleGeneral, None)
                .to_string()
                .contains("no request")
        );
    }
}
