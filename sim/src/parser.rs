//! Trace readers: text, CSV, ARC `.lis`, bare integer arrays and libCacheSim's
//! `oracleGeneral`, plain or compressed.
//!
//! Every reader turns a trace into a `Vec<u64>` of keys, one per request. Decimal keys keep
//! their value; any other string key is *interned*: the first distinct string gets id 0, the
//! next id 1, and so on, so two different strings never share a key (hashing could collide).
//! Renaming keys one-to-one changes no hit count of a deterministic policy.
//!
//! Errors name the file and the line (text formats) or the byte offset (binary formats), and
//! say what was expected; see [`TraceError`].
//!
//! One reader per file: `text` ([`Format::Lines`]), `csv`, `arc`, `binary` (the bare integer
//! arrays) and `oracle` ([`Format::OracleGeneral`]); `compression` undoes `.gz`, `.xz` and
//! `.zst`, `guess` picks a format when none is given, and `keys` interns the string keys of the
//! text and CSV readers. This file holds what they share: the types, the errors, [`parse`]
//! and [`read_trace`].

mod arc;
mod binary;
mod compression;
mod csv;
mod guess;
mod keys;
mod limits;
mod oracle;
mod source;
pub mod stream;
mod text;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

pub use compression::{Compression, decompress};
pub use guess::guess_format;
pub use limits::{
    FALLBACK_MAX_REQUESTS, INPUT_BYTES_PER_REQUEST, MEMORY_BYTES_PER_REQUEST, default_max_requests,
    max_input_bytes,
};

/// The most requests a trace may hold whatever `--max-requests` says: Bélády's optimum
/// indexes requests with `u32`.
pub const MAX_REQUESTS: usize = (u32::MAX - 1) as usize;

/// The path that names standard input.
pub const STDIN: &str = "-";

/// How the keys of a trace are stored.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::Format;
///
/// let f: Format = "i32be".parse().unwrap();
/// assert_eq!(f, Format::I32Be);
/// assert_eq!(f.to_string(), "i32be");
/// assert!("nope".parse::<Format>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Text, one request per line: the first whitespace-separated field is the key. Empty
    /// lines and lines holding only `*` are skipped (LIRS traces).
    Lines,
    /// CSV with a header row; the column named by `--column` holds the key.
    Csv,
    /// The ARC authors' `.lis` text: `start_block n_blocks x y` stands for `n_blocks`
    /// requests to `start_block, start_block + 1, …`; `x` and `y` are ignored.
    Arc,
    /// Bare big-endian signed 32-bit integers (Java `readInt`), e.g. the cache2k traces.
    I32Be,
    /// Bare little-endian unsigned 32-bit integers, e.g. CloudPhysics block traces.
    U32Le,
    /// Bare big-endian signed 64-bit integers (Java `readLong`), e.g. Corda and Scarab traces.
    I64Be,
    /// libCacheSim's `oracleGeneral`: packed 24-byte little-endian records
    /// `u32 clock_time, u64 obj_id, u32 obj_size, i64 next_access_vtime`; records of size 0
    /// are skipped.
    OracleGeneral,
}

impl Format {
    /// Every format, in the order of the documentation.
    pub const ALL: [Format; 7] = [
        Format::Lines,
        Format::Csv,
        Format::Arc,
        Format::I32Be,
        Format::U32Le,
        Format::I64Be,
        Format::OracleGeneral,
    ];

    /// The name used on the command line.
    ///
    /// ```
    /// use evict_sim::parser::Format;
    /// assert_eq!(Format::OracleGeneral.name(), "oracle-general");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Format::Lines => "lines",
            Format::Csv => "csv",
            Format::Arc => "arc",
            Format::I32Be => "i32be",
            Format::U32Le => "u32le",
            Format::I64Be => "i64be",
            Format::OracleGeneral => "oracle-general",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format '{s}' (known: auto, {})", names.join(", "))
            })
    }
}

/// Whether an error is the caller's (a bad argument: exit status 2) or the data's (exit
/// status 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad argument: missing file, unknown format, missing `--column`, …
    Usage,
    /// Bad data: a malformed line, a truncated record, a broken compressed stream, …
    Data,
}

/// A trace that could not be read. `Display` gives one line that names the file and, for bad
/// data, the line (text formats) or byte offset (binary formats).
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{parse, ErrorKind, Format};
///
/// let err = parse(b"1 1 0 0\n2 x 0 0\n", Format::Arc, None, "t.lis").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Data);
/// assert!(err.to_string().starts_with("t.lis: line 2:"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    kind: ErrorKind,
    message: String,
}

impl TraceError {
    /// An error of `kind` with a complete `message`, kept on one line: control characters
    /// (a newline in a file name or in a quoted CSV header, say) are shown escaped.
    ///
    /// ```
    /// use evict_sim::parser::{ErrorKind, TraceError};
    ///
    /// let e = TraceError::new(ErrorKind::Data, "a\nb.txt: no request");
    /// assert_eq!(e.to_string(), "a\\nb.txt: no request");
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        if message.chars().any(char::is_control) {
            message = message
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
        }
        TraceError { kind, message }
    }

    fn data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Data, message)
    }

    fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// Usage or data.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TraceError {}

/// What to read and how; `None` fields mean "guess" (or, for `max_requests`, the default).
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{Format, ReadOptions, default_max_requests};
///
/// let opts = ReadOptions { format: Some(Format::Csv), column: Some("key".into()), ..Default::default() };
/// assert_eq!(opts.compression, None);
/// assert_eq!(opts.max_requests(), default_max_requests());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format, or `None` to guess from the name and the content.
    pub format: Option<Format>,
    /// The compression, or `None` to use the extension, then the magic number.
    pub compression: Option<Compression>,
    /// The key column of a CSV trace; any other format refuses it.
    pub column: Option<String>,
    /// The object-size column of a CSV trace (`--size-column`); any other format refuses
    /// it. Read by the streaming replay only, when [`object_sizes`](Self::object_sizes).
    pub size_column: Option<String>,
    /// Replay in bytes when the trace carries object sizes (`oracleGeneral`, CSV with
    /// `size_column`, `lines` with a size field on every line); `false` (the default, and
    /// `--ignore-obj-size`): count entries whatever the trace carries.
    pub object_sizes: bool,
    /// The most requests a trace may expand to (`--max-requests`), which also bounds its
    /// input at [`INPUT_BYTES_PER_REQUEST`] bytes per request; `None`:
    /// [`default_max_requests`].
    pub max_requests: Option<usize>,
}

impl ReadOptions {
    /// The request limit: `max_requests`, or the default, at most [`MAX_REQUESTS`].
    pub fn max_requests(&self) -> usize {
        self.max_requests
            .unwrap_or_else(default_max_requests)
            .min(MAX_REQUESTS)
    }
}

/// A trace in memory: its keys, one per request, and how many distinct keys it has.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::Trace;
///
/// let t = Trace::from_keys("mine", vec![1, 2, 1]);
/// assert_eq!((t.keys.len(), t.unique), (3, 2));
/// ```
#[derive(Clone, Debug)]
pub struct Trace {
    /// The name shown in reports: the path as given, or a workload's name.
    pub name: String,
    /// The keys, one per request.
    pub keys: Vec<u64>,
    /// The number of distinct keys.
    pub unique: usize,
    /// The format read, if the trace came from a file.
    pub format: Option<Format>,
    /// Why this format was chosen, when it was guessed.
    pub guessed: Option<String>,
}

impl Trace {
    /// A trace made of `keys` (counts the distinct ones).
    pub fn from_keys(name: impl Into<String>, keys: Vec<u64>) -> Self {
        let unique = count_unique(&keys);
        Trace {
            name: name.into(),
            keys,
            unique,
            format: None,
            guessed: None,
        }
    }
}

/// The number of distinct keys in `keys`.
///
/// ```
/// assert_eq!(evict_sim::parser::count_unique(&[5, 5, 7]), 2);
/// ```
pub fn count_unique(keys: &[u64]) -> usize {
    let mut seen = hashbrown::HashSet::with_capacity(keys.len().min(1 << 20));
    for &k in keys {
        seen.insert(k);
    }
    seen.len()
}

/// Reads, decompresses and parses the trace at `path` (`-`: standard input).
///
/// # Errors
///
/// [`ErrorKind::Usage`] if the file cannot be opened, the format cannot be guessed, a CSV
/// column is missing or `--column` is given for another format; [`ErrorKind::Data`] for
/// broken compressed data, malformed content, a trace with no request, or one past the
/// request limit ([`ReadOptions::max_requests`]).
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{read_trace, ErrorKind, ReadOptions};
///
/// let err = read_trace("no/such/file".as_ref(), &ReadOptions::default()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Usage);
/// ```
pub fn read_trace(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let name = path.display().to_string();
    let max_bytes = max_input_bytes(opts.max_requests());
    let cannot = |e: std::io::Error| TraceError::usage(format!("{name}: cannot read: {e}"));
    let raw = if name == STDIN {
        read_limited(std::io::stdin().lock(), &name, max_bytes, cannot)?
    } else {
        let file = File::open(path).map_err(cannot)?;
        let len = file.metadata().map_or(0, |m| m.len());
        if len > max_bytes as u64 {
            return Err(compression::too_big(&name, max_bytes));
        }
        read_limited(file, &name, max_bytes, cannot)?
    };
    read_bytes(&name, raw, opts)
}

/// Reads at most `max_bytes` bytes (else the `--max-requests` error); growth goes through
/// `try_reserve` inside `read_to_end`, so a refused allocation is an error, not an abort.
fn read_limited(
    from: impl Read,
    name: &str,
    max_bytes: usize,
    cannot: impl Fn(std::io::Error) -> TraceError,
) -> Result<Vec<u8>, TraceError> {
    let mut raw = Vec::new();
    from.take(max_bytes.saturating_add(1) as u64)
        .read_to_end(&mut raw)
        .map_err(cannot)?;
    if raw.len() > max_bytes {
        return Err(compression::too_big(name, max_bytes));
    }
    Ok(raw)
}

/// Decompresses, guesses the format of (when `opts` does not name it) and parses the bytes
/// `raw` of the trace `name`: [`read_trace`] after the reading.
///
/// # Errors
///
/// As [`read_trace`], but for opening the file.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{read_bytes, Format, ReadOptions};
///
/// let t = read_bytes("t.txt", b"1\n2\n1\n".to_vec(), &ReadOptions::default()).unwrap();
/// assert_eq!((t.keys.len(), t.unique, t.format), (3, 2, Some(Format::Lines)));
/// let opts = ReadOptions { column: Some("key".into()), ..Default::default() };
/// assert!(read_bytes("t.txt", b"1\n".to_vec(), &opts).is_err()); // --column needs CSV
/// ```
pub fn read_bytes(name: &str, raw: Vec<u8>, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let max_requests = opts.max_requests();
    if let (Some(f), Some(_)) = (opts.format, &opts.column)
        && f != Format::Csv
    {
        return Err(column_needs_csv(name, f, "given"));
    }
    let told = opts
        .compression
        .or_else(|| Compression::from_extension(name));
    let sniffed = told
        .is_none()
        .then(|| Compression::from_magic(&raw))
        .flatten();
    let compression = told.or(sniffed).unwrap_or(Compression::None);
    let data = decompress(raw, compression, name, max_input_bytes(max_requests)).map_err(|e| {
        // The first bytes of an uncompressed binary trace can look like a magic number.
        if sniffed.is_some() && !e.to_string().contains("--max-requests") {
            TraceError::new(
                e.kind(),
                format!("{e} (compression guessed from the first bytes; --compression none reads the file as it is)"),
            )
        } else {
            e
        }
    })?;
    let (format, guessed) = match opts.format {
        Some(f) => (f, None),
        None => {
            let (f, why) = guess_format(name, &data)?;
            if f != Format::Csv && opts.column.is_some() {
                return Err(column_needs_csv(name, f, "guessed"));
            }
            (f, Some(why))
        }
    };
    let keys = parse_limited(&data, format, opts.column.as_deref(), name, max_requests)?;
    let unique = count_unique(&keys);
    Ok(Trace {
        name: name.to_string(),
        keys,
        unique,
        format: Some(format),
        guessed,
    })
}

/// The error of `--size-column` with a format other than CSV.
fn size_column_needs_csv(name: &str, format: Format, how: &str) -> TraceError {
    TraceError::usage(format!(
        "{name}: --size-column applies to CSV traces only, and the format {how} is {format} (oracle-general carries its sizes; a lines trace takes them from its second field)"
    ))
}

/// The error of `--column` with a format other than CSV, which would silently ignore it.
fn column_needs_csv(name: &str, format: Format, how: &str) -> TraceError {
    TraceError::usage(format!(
        "{name}: --column applies to CSV traces only, and the format {how} is {format} (add --format csv if it is CSV)"
    ))
}

/// Parses decompressed trace bytes, at most [`default_max_requests`] requests. `column` is
/// the key column of a CSV trace (it may be omitted when the CSV has a single column); `name`
/// is used in error messages.
///
/// # Errors
///
/// [`ErrorKind::Data`] for malformed content (with the line or byte offset), a trace with no
/// request or more than the limit; [`ErrorKind::Usage`] for a missing or unknown CSV column.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{parse, Format};
///
/// assert_eq!(parse(b"7\n*\n\n9\n7\n", Format::Lines, None, "t").unwrap(), [7, 9, 7]);
/// // Strings are interned: ids in order of first appearance.
/// assert_eq!(parse(b"a\nb\na\n", Format::Lines, None, "t").unwrap(), [0, 1, 0]);
/// assert_eq!(parse(b"10 3 0 1\n", Format::Arc, None, "t").unwrap(), [10, 11, 12]);
/// assert_eq!(parse(&[0, 0, 0, 5], Format::I32Be, None, "t").unwrap(), [5]);
/// ```
pub fn parse(
    data: &[u8],
    format: Format,
    column: Option<&str>,
    name: &str,
) -> Result<Vec<u64>, TraceError> {
    parse_limited(data, format, column, name, default_max_requests())
}

/// [`parse`] with a request limit of `max_requests` (at most [`MAX_REQUESTS`]): a count read
/// from the input (an ARC run, the length of a binary trace) past it is an error before any
/// memory is taken for it, and memory is reserved with `try_reserve`, so a refused
/// allocation is an error too. The keys' capacity never exceeds the limit.
///
/// # Errors
///
/// As [`parse`].
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{parse_limited, Format};
///
/// assert_eq!(parse_limited(b"10 3 0 1\n", Format::Arc, None, "t", 3).unwrap(), [10, 11, 12]);
/// let err = parse_limited(b"0 4000000000 0 0\n", Format::Arc, None, "t", 3).unwrap_err();
/// assert!(err.to_string().contains("--max-requests 3"), "{err}");
/// ```
pub fn parse_limited(
    data: &[u8],
    format: Format,
    column: Option<&str>,
    name: &str,
    max_requests: usize,
) -> Result<Vec<u64>, TraceError> {
    let max = max_requests.min(MAX_REQUESTS);
    let keys = match format {
        Format::Lines => text::parse(data, name, max)?,
        Format::Csv => csv::parse(data, column, name, max)?,
        Format::Arc => arc::parse(data, name, max)?,
        Format::I32Be => binary::parse_i32be(data, name, max)?,
        Format::U32Le => binary::parse_u32le(data, name, max)?,
        Format::I64Be => binary::parse_i64be(data, name, max)?,
        Format::OracleGeneral => oracle::parse(data, name, max)?,
    };
    if keys.is_empty() {
        return Err(TraceError::data(format!(
            "{name}: no request in the trace (read as {format})"
        )));
    }
    Ok(keys)
}

/// The error of a binary trace whose `len` bytes are not whole `width`-byte records.
fn truncated(name: &str, len: usize, width: usize, format: Format) -> TraceError {
    let whole = len - len % width;
    TraceError::data(format!(
        "{name}: truncated record at byte offset {whole}: {} byte(s) left, a {format} record is {width} bytes",
        len - whole
    ))
}

/// The error of a test that expects `parse` to fail.
#[cfg(test)]
fn parse_err(data: &[u8], format: Format, column: Option<&str>) -> TraceError {
    parse(data, format, column, "t").unwrap_err()
}
