//! The shared real traces, their reader, and the "skip unless CI" rule, for tests that need
//! something from outside the repository.
//!
//! Some tests replay the real cache traces in `shared/data/traces` (a folder beside the
//! workspace, not part of it: its README gives each file's origin, licence and exact format)
//! or compare with `python3`. A user's clone may lack them; CI always has them. Every such
//! test follows one rule:
//!
//! - where what it needs is missing, it prints a one-line notice on stderr and passes
//!   (skips): [`skip_unless_ci`];
//! - on CI ([`on_ci`]: the `CI` environment variable is set to anything but `""` or
//!   `"false"`), that is a failure instead, since a test that skips there checks nothing.
//!
//! [`shared_traces`] applies the rule to the traces folder. It looks for `shared/data/traces`
//! next to the workspace this crate was built in, or, when [`TRACES_ENV`] (`EVICT_TRACES`) is
//! set and not empty, in the folder it names: point it at a missing path to see the skip.
//!
//! With the `traces` feature (it adds the `flate2` dependency), `lirs` and `read_lirs`
//! read the LIRS traces (`lirs/*.trace.gz`: gzip text, one decimal key per line) as `u64`
//! keys. The other formats there (cache2k's xz, libCacheSim's zst, Corda's binary gzip) are
//! read only by the simulator's own parser (`evict_sim::parser`), which its tests check
//! against the same files; a second copy of that parser here would only be a second thing to
//! keep right.
//!
//! ```
//! use evict_harness::traces;
//!
//! // A test that replays a real trace starts like this (here: a doctest's `main`).
//! let Some(dir) = traces::shared_traces() else { return };
//! assert!(dir.join("lirs").is_dir());
//! ```

use std::env;
use std::ffi::OsStr;
use std::fmt::Display;
use std::path::{Path, PathBuf};

/// The environment variable that overrides where [`shared_traces`] looks: a folder laid out
/// as `shared/data/traces` (`lirs/`, `cache2k/`, ...). Empty counts as unset.
pub const TRACES_ENV: &str = "EVICT_TRACES";

/// Whether a value of the `CI` environment variable means "this is CI": set, and neither
/// `""` nor `"false"`. [`on_ci`] applies it to the real variable.
///
/// CI services set `CI=true`; `CI=false` or an empty `CI` is how a local shell says "not CI".
///
/// # Examples
///
/// ```
/// use std::ffi::OsStr;
/// use evict_harness::traces::is_ci;
///
/// assert!(is_ci(Some(OsStr::new("true"))));
/// assert!(is_ci(Some(OsStr::new("1"))));
/// assert!(!is_ci(Some(OsStr::new("false"))));
/// assert!(!is_ci(Some(OsStr::new(""))));
/// assert!(!is_ci(None));
/// ```
pub fn is_ci(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "false")
}

/// Whether this run is on CI, by the `CI` environment variable (see [`is_ci`]). On CI the
/// shared traces and `python3` must be present, and a test may not skip for want of them.
///
/// # Examples
///
/// ```
/// use evict_harness::traces::{is_ci, on_ci};
///
/// assert_eq!(on_ci(), is_ci(std::env::var_os("CI").as_deref()));
/// ```
pub fn on_ci() -> bool {
    is_ci(env::var_os("CI").as_deref())
}

/// The rule for a test that cannot run because `missing` is absent (the traces, `python3`):
/// prints `notice: {missing}; skipped` on stderr, and the caller returns; on CI, panics
/// instead.
///
/// # Panics
///
/// On CI ([`on_ci`]), with `missing` in the message (at the caller's location).
///
/// # Examples
///
/// ```
/// use std::process::Command;
/// use evict_harness::traces::skip_unless_ci;
///
/// let output = match Command::new("python3").arg("-c").arg("print(6 * 7)").output() {
///     Ok(output) => output,
///     Err(err) => {
///         skip_unless_ci(format_args!("python3 is not runnable ({err})"));
///         return;
///     }
/// };
/// assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "42");
/// ```
#[track_caller]
pub fn skip_unless_ci(missing: impl Display) {
    assert!(
        !on_ci(),
        "{missing}: required on CI (CI is set; see evict_harness::traces)"
    );
    eprintln!("notice: {missing}; skipped (on CI this is a failure)");
}

/// Where [`shared_traces`] looks: `$EVICT_TRACES` if set and not empty, else
/// `shared/data/traces` beside the workspace this crate was built in. Checks nothing.
///
/// # Examples
///
/// ```
/// use evict_harness::traces::traces_path;
///
/// let dir = traces_path(); // where the folder would be: it may not exist
/// assert!(dir.ends_with("shared/data/traces") || std::env::var_os("EVICT_TRACES").is_some());
/// ```
pub fn traces_path() -> PathBuf {
    match env::var_os(TRACES_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        // This crate's folder is `<workspace>/harness`; `shared` sits beside `<workspace>`.
        // Built from a registry, the path leads nowhere and the tests skip.
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .unwrap_or(Path::new(".."))
            .join("shared/data/traces"),
    }
}

/// The shared traces folder ([`traces_path`]) if it exists; otherwise a one-line notice on
/// stderr and `None` ([`skip_unless_ci`]), so that a test skips with `let Some(dir) =
/// shared_traces() else { return };`.
///
/// # Panics
///
/// On CI ([`on_ci`]) when the folder is missing.
///
/// # Examples
///
/// ```
/// use evict_harness::traces::shared_traces;
///
/// let Some(dir) = shared_traces() else { return }; // absent: skipped with a notice
/// assert!(dir.join("lirs/cs.trace.gz").is_file());
/// ```
#[track_caller]
pub fn shared_traces() -> Option<PathBuf> {
    let dir = traces_path();
    if dir.is_dir() {
        return Some(dir);
    }
    skip_unless_ci(format_args!(
        "no shared traces at {} (set {TRACES_ENV} to use another folder)",
        dir.display()
    ));
    None
}

/// The keys of the shared LIRS trace `lirs/{file}` (for example `"cpp.trace.gz"`), in
/// request order, read by [`read_lirs`]; `None`, with a notice, where the shared traces are
/// absent ([`shared_traces`]). Needs the `traces` feature.
///
/// # Panics
///
/// On CI when the traces folder is missing; anywhere when the folder is there but the file
/// cannot be read or is not a LIRS trace (the message names the file and line).
///
/// # Examples
///
/// ```
/// use evict_harness::traces::lirs;
///
/// let Some(keys) = lirs("cs.trace.gz") else { return };
/// // The README's counts: its two `*` lines are not requests.
/// assert_eq!(keys.len(), 6_781);
/// assert_eq!(keys.iter().collect::<std::collections::HashSet<_>>().len(), 1_409);
/// ```
#[cfg(feature = "traces")]
#[track_caller]
pub fn lirs(file: &str) -> Option<Vec<u64>> {
    let path = shared_traces()?.join("lirs").join(file);
    match read_lirs(&path) {
        Ok(keys) => Some(keys),
        Err(e) => panic!("{e}"),
    }
}

/// Reads a LIRS trace: gzip-compressed text, one unsigned decimal key per line (`\n` or
/// `\r\n`), in request order. Empty lines and lines holding only `*` (the LIRS simulator's
/// breakpoints) are not requests and are skipped, as Caffeine's `LirsTraceReader` does.
/// Needs the `traces` feature.
///
/// # Errors
///
/// An I/O or gzip error, or `InvalidData` for a line that is not a key; the message names
/// the file, and the line (1-based) for a bad key.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use evict_harness::traces::read_lirs;
///
/// let path = std::env::temp_dir().join(format!("read_lirs-doc-{}.gz", std::process::id()));
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
/// gz.write_all(b"7\n*\n\n12\r\nx\n")?;
/// std::fs::write(&path, gz.finish()?)?;
///
/// let err = read_lirs(&path).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
/// assert!(err.to_string().ends_with(r#"line 5: "x" is not a key (invalid digit found in string)"#));
///
/// std::fs::write(&path, {
///     let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
///     gz.write_all(b"7\n*\n\n12\r\n")?;
///     gz.finish()?
/// })?;
/// assert_eq!(read_lirs(&path)?, [7, 12]);
/// std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "traces")]
pub fn read_lirs(path: &Path) -> std::io::Result<Vec<u64>> {
    use std::io::{BufRead, BufReader, Error, ErrorKind};

    let named = |e: Error| Error::new(e.kind(), format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(named)?;
    let mut reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut keys = Vec::new();
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(named)? == 0 {
            return Ok(keys);
        }
        number += 1;
        let text = line.trim();
        if text.is_empty() || text == "*" {
            continue;
        }
        let key = text.parse().map_err(|e| {
            named(Error::new(
                ErrorKind::InvalidData,
                format!("line {number}: {text:?} is not a key ({e})"),
            ))
        })?;
        keys.push(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_is_any_value_but_empty_or_false() {
        for (value, ci) in [
            (None, false),
            (Some(""), false),
            (Some("false"), false),
            (Some("true"), true),
            (Some("1"), true),
            (Some("yes"), true),
            (Some("0"), true),
        ] {
            assert_eq!(is_ci(value.map(OsStr::new)), ci, "CI={value:?}");
        }
    }

    #[test]
    fn the_default_path_is_beside_the_workspace() {
        if env::var_os(TRACES_ENV).is_some_and(|v| !v.is_empty()) {
            return;
        }
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        assert_eq!(
            traces_path(),
            workspace.parent().unwrap().join("shared/data/traces")
        );
    }

    /// Every LIRS trace reads with the request and distinct-key counts of the traces' README.
    #[cfg(feature = "traces")]
    #[test]
    fn every_lirs_trace_has_the_readme_counts() {
        const README: [(&str, usize, usize); 10] = [
            ("cs.trace.gz", 6_781, 1_409),
            ("cpp.trace.gz", 9_047, 1_223),
            ("gli.trace.gz", 6_015, 2_529),
            ("ps.trace.gz", 10_448, 3_083),
            ("sprite.trace.gz", 133_996, 7_075),
            ("multi1.trace.gz", 15_858, 2_606),
            ("multi2.trace.gz", 26_311, 5_684),
            ("multi3.trace.gz", 30_241, 7_454),
            ("2_pools.trace.gz", 100_000, 9_939),
            ("loop.trace.gz", 505_500, 1_011),
        ];
        for (file, requests, unique) in README {
            let Some(keys) = lirs(file) else { return };
            assert_eq!(keys.len(), requests, "{file}: requests");
            let distinct: std::collections::HashSet<_> = keys.iter().collect();
            assert_eq!(distinct.len(), unique, "{file}: distinct keys");
            assert!(keys.iter().all(|&k| k < 10_000), "{file}: key range");
        }
    }

    #[cfg(feature = "traces")]
    #[test]
    fn a_missing_file_in_the_folder_names_itself() {
        let path = Path::new("/nonexistent/evict-harness/lirs/none.trace.gz");
        let err = read_lirs(path).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        assert!(
            err.to_string().starts_with(&*path.to_string_lossy()),
            "{err}"
        );
    }
}
