//! How much a trace may ask for: the request limit (`--max-requests`), its default tied to
//! the memory available, the byte limit on the input it implies, and a key buffer that grows
//! with `try_reserve` so that a count read from the input never becomes an allocation abort.

use std::sync::OnceLock;

use super::{MAX_REQUESTS, TraceError};

/// Bytes of memory the default request limit sets aside per request: 8 for the key, 8 for
/// Bélády's look-ahead (next use and key id, `u32` each), up to
/// [`INPUT_BYTES_PER_REQUEST`] for the decompressed input held while parsing, and the rest
/// for the interner of string keys and the caches.
pub const MEMORY_BYTES_PER_REQUEST: usize = 128;

/// Bytes of input (the file as read, and again once decompressed) allowed per request of
/// the limit: more than any binary record (24 bytes) and than the lines of the shared text
/// traces, so a trace that fits the request limit fits this one too unless its lines are
/// long.
pub const INPUT_BYTES_PER_REQUEST: usize = 64;

/// The request limit where the available memory cannot be read: 2^25 requests (a 4 GiB
/// budget at [`MEMORY_BYTES_PER_REQUEST`]).
pub const FALLBACK_MAX_REQUESTS: usize = 1 << 25;

/// The default of `--max-requests`: the memory available (`MemAvailable` of
/// `/proc/meminfo`) divided by [`MEMORY_BYTES_PER_REQUEST`], at most
/// [`MAX_REQUESTS`](super::MAX_REQUESTS), and [`FALLBACK_MAX_REQUESTS`] where that file
/// cannot be read. Read once per process.
///
/// ```
/// let n = evict_sim::parser::default_max_requests();
/// assert!(n >= 1 && n <= evict_sim::parser::MAX_REQUESTS);
/// ```
pub fn default_max_requests() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| mem_available(&text))
            .map_or(FALLBACK_MAX_REQUESTS, |bytes| {
                usize::try_from(bytes / MEMORY_BYTES_PER_REQUEST as u64)
                    .unwrap_or(usize::MAX)
                    .clamp(1, MAX_REQUESTS)
            })
    })
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

/// The most input bytes (as read, and decompressed) a trace of at most `max_requests`
/// requests may have: [`INPUT_BYTES_PER_REQUEST`] per request.
pub fn max_input_bytes(max_requests: usize) -> usize {
    max_requests.saturating_mul(INPUT_BYTES_PER_REQUEST)
}

/// The error of a trace with more requests than the limit; `at` is where it is found.
pub(super) fn too_many(name: &str, at: &str, max: usize) -> TraceError {
    TraceError::data(format!(
        "{name}: {at}: more than {max} requests (--max-requests {max}; raise it if there is memory for more)"
    ))
}

/// The error of an allocation refused by the system (`try_reserve` failed).
pub(super) fn out_of_memory(name: &str, at: &str, what: &str) -> TraceError {
    TraceError::data(format!(
        "{name}: {at}: not enough memory for {what} (lower --max-requests, or free memory)"
    ))
}

/// The keys of a trace being read: never more than `max` of them, and every growth through
/// `try_reserve`, so a huge count is an error rather than an abort.
pub(super) struct Keys {
    keys: Vec<u64>,
    max: usize,
}

impl Keys {
    /// An empty buffer for at most `max` keys (at most [`MAX_REQUESTS`]).
    pub(super) fn new(max: usize) -> Self {
        Keys {
            keys: Vec::new(),
            max: max.min(MAX_REQUESTS),
        }
    }

    /// The keys read so far.
    pub(super) fn as_mut_slice(&mut self) -> &mut [u64] {
        &mut self.keys
    }

    /// Makes room for `additional` more keys. `at` places an error (a line or byte offset).
    pub(super) fn reserve(
        &mut self,
        additional: u64,
        name: &str,
        at: impl FnOnce() -> String,
    ) -> Result<(), TraceError> {
        let room = (self.max - self.keys.len()) as u64;
        if additional > room {
            return Err(too_many(name, &at(), self.max));
        }
        let free = self.keys.capacity() - self.keys.len();
        // `additional <= room <= usize::MAX`, so the cast is exact.
        let additional = additional as usize;
        if additional > free {
            // Amortised growth, as `Vec::push` does, but never past the limit.
            let grow = additional
                .max(self.keys.capacity())
                .max(64)
                .min(room as usize);
            self.keys.try_reserve_exact(grow).map_err(|_| {
                out_of_memory(name, &at(), &format!("{} requests", self.keys.len() + grow))
            })?;
        }
        Ok(())
    }

    /// Appends one key.
    pub(super) fn push(
        &mut self,
        key: u64,
        name: &str,
        at: impl FnOnce() -> String,
    ) -> Result<(), TraceError> {
        // The capacity never passes the limit, so a full buffer at the limit fails here.
        if self.keys.len() == self.keys.capacity() {
            self.reserve(1, name, at)?;
        }
        self.keys.push(key);
        Ok(())
    }

    /// Appends the keys `start .. start + count` (the caller checked that this does not
    /// overflow).
    pub(super) fn push_run(
        &mut self,
        start: u64,
        count: u64,
        name: &str,
        at: impl FnOnce() -> String,
    ) -> Result<(), TraceError> {
        self.reserve(count, name, at)?;
        self.keys.extend(start..start + count);
        Ok(())
    }

    /// The keys.
    pub(super) fn into_vec(self) -> Vec<u64> {
        self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_is_read_in_bytes() {
        let text = "MemTotal:       24000000 kB\nMemAvailable:   2000 kB\n";
        assert_eq!(mem_available(text), Some(2000 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn keys_stop_at_the_limit() {
        let mut k = Keys::new(3);
        for i in 0..3 {
            k.push(i, "t", || "line 1".into()).unwrap();
        }
        let e = k.push(9, "t", || "line 4".into()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t: line 4: more than 3 requests (--max-requests 3; raise it if there is memory for more)"
        );
        let mut k = Keys::new(10);
        assert!(k.push_run(0, 11, "t", || "line 1".into()).is_err());
        k.push_run(5, 10, "t", || "line 1".into()).unwrap();
        assert!(k.push(1, "t", || "line 2".into()).is_err());
        assert_eq!(k.into_vec(), (5..15).collect::<Vec<u64>>());
    }

    #[test]
    fn capacity_never_passes_the_limit() {
        let mut k = Keys::new(100);
        for i in 0..100 {
            k.push(i, "t", String::new).unwrap();
            assert!(k.keys.capacity() <= 100);
        }
    }
}
