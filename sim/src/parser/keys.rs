//! Keys from text tokens, shared by the text and CSV readers: a canonical decimal (no sign, no
//! leading zero, fits a `u64`) keeps its value; any other token is interned (ids 0, 1, 2, … in
//! order of first appearance), and so are all tokens from the first non-decimal one on.

use std::fmt;

use hashbrown::HashMap;

use super::TraceError;
use super::limits::Keys;

/// Maps key tokens to `u64`: canonical decimals keep their value until the first other token;
/// from then on every token (decimal or not) is interned, and the keys read so far are
/// renamed through the same interner, so no two distinct tokens ever share a key.
#[derive(Default)]
pub(super) struct KeyMap {
    interner: Option<HashMap<Vec<u8>, u64>>,
}

impl KeyMap {
    /// Appends the key of `token` to `keys` (the keys read so far), or fails if the trace would
    /// hold more than their limit; `name` and `line` place the error.
    pub(super) fn push(
        &mut self,
        token: &[u8],
        keys: &mut Keys,
        name: &str,
        line: impl fmt::Display,
    ) -> Result<(), TraceError> {
        let k = self.key(token, keys.as_mut_slice());
        keys.push(k, name, || format!("line {line}"))
    }

    fn key(&mut self, token: &[u8], keys: &mut [u64]) -> u64 {
        if self.interner.is_none() {
            if let Some(v) = canonical_decimal(token) {
                return v;
            }
            let mut map = HashMap::new();
            for k in keys.iter_mut() {
                let text = k.to_string().into_bytes();
                let next = map.len() as u64;
                *k = *map.entry(text).or_insert(next);
            }
            self.interner = Some(map);
        }
        let map = self.interner.get_or_insert_with(HashMap::new);
        if let Some(&id) = map.get(token) {
            return id;
        }
        let id = map.len() as u64;
        map.insert(token.to_vec(), id);
        id
    }
}

/// The value of a decimal without sign or leading zeros that fits a `u64`.
pub(super) fn canonical_decimal(token: &[u8]) -> Option<u64> {
    if token.is_empty() || token.len() > 20 || !token.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if token.len() > 1 && token[0] == b'0' {
        return None;
    }
    token.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}
