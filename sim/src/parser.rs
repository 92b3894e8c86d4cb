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

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::str::FromStr;

use hashbrown::HashMap;

/// The most requests a trace may hold: Bélády's optimum indexes requests with `u32`.
pub const MAX_REQUESTS: usize = (u32::MAX - 1) as usize;

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
    /// An error of `kind` with a complete one-line `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TraceError {
            kind,
            message: message.into(),
        }
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

/// What to read and how; `None` fields mean "guess".
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{Format, ReadOptions};
///
/// let opts = ReadOptions { format: Some(Format::Csv), column: Some("key".into()), ..Default::default() };
/// assert_eq!(opts.compression, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format, or `None` to guess from the name and the content.
    pub format: Option<Format>,
    /// The compression, or `None` to use the extension, then the magic number.
    pub compression: Option<Compression>,
    /// The key column of a CSV trace.
    pub column: Option<String>,
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

/// Reads, decompresses and parses the trace at `path`.
///
/// # Errors
///
/// [`ErrorKind::Usage`] if the file cannot be opened or the format cannot be guessed or a
/// CSV column is missing; [`ErrorKind::Data`] for broken compressed data, malformed content,
/// or a trace with no request.
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
    let mut raw = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut raw))
        .map_err(|e| TraceError::usage(format!("{name}: cannot read: {e}")))?;
    let compression = opts
        .compression
        .or_else(|| Compression::from_extension(&name))
        .or_else(|| Compression::from_magic(&raw))
        .unwrap_or(Compression::None);
    let data = decompress(raw, compression, &name)?;
    let (format, guessed) = match opts.format {
        Some(f) => (f, None),
        None => {
            let (f, why) = guess_format(&name, &data)?;
            (f, Some(why))
        }
    };
    let keys = parse(&data, format, opts.column.as_deref(), &name)?;
    let unique = count_unique(&keys);
    Ok(Trace {
        name,
        keys,
        unique,
        format: Some(format),
        guessed,
    })
}

/// Decompresses `raw` (the bytes of the file `name`).
///
/// # Errors
///
/// [`ErrorKind::Data`] if the compressed stream is broken or truncated.
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

/// Parses decompressed trace bytes. `column` is the key column of a CSV trace (it may be
/// omitted when the CSV has a single column); `name` is used in error messages.
///
/// # Errors
///
/// [`ErrorKind::Data`] for malformed content (with the line or byte offset) or a trace with
/// no request; [`ErrorKind::Usage`] for a missing or unknown CSV column.
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
    let keys = match format {
        Format::Lines => parse_lines(data, name)?,
        Format::Csv => parse_csv(data, column, name)?,
        Format::Arc => parse_arc(data, name)?,
        Format::I32Be => parse_ints(data, 4, format, name, |b| {
            u64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u32)
        })?,
        Format::U32Le => parse_ints(data, 4, format, name, |b| {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })?,
        Format::I64Be => parse_ints(data, 8, format, name, |b| {
            let mut a = [0; 8];
            a.copy_from_slice(b);
            i64::from_be_bytes(a) as u64
        })?,
        Format::OracleGeneral => parse_oracle(data, name)?,
    };
    if keys.is_empty() {
        return Err(TraceError::data(format!(
            "{name}: no request in the trace (read as {format})"
        )));
    }
    Ok(keys)
}

fn too_long(name: &str, at: &str) -> TraceError {
    TraceError::data(format!(
        "{name}: {at}: the trace has more than {MAX_REQUESTS} requests, the most evict-sim replays"
    ))
}

/// Maps key tokens to `u64`: canonical decimals keep their value until the first other token;
/// from then on every token (decimal or not) is interned, and the keys read so far are
/// renamed through the same interner, so no two distinct tokens ever share a key.
#[derive(Default)]
struct KeyMap {
    interner: Option<HashMap<Vec<u8>, u64>>,
}

impl KeyMap {
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
fn canonical_decimal(token: &[u8]) -> Option<u64> {
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

/// Lines of `data` with their 1-based numbers, without the terminator (`\n` or `\r\n`).
fn numbered_lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    let lines = if data.is_empty() {
        None
    } else {
        Some(body.split(|&b| b == b'\n'))
    };
    lines
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line)))
}

fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
}

fn show(token: &[u8]) -> String {
    let text = String::from_utf8_lossy(token);
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    format!("{s:?}")
}

fn no_nul(line: &[u8], n: usize, name: &str) -> Result<(), TraceError> {
    if line.contains(&0) {
        return Err(TraceError::data(format!(
            "{name}: line {n}: NUL byte in a text trace: this looks like binary data \
             (try --format i32be, u32le, i64be or oracle-general)"
        )));
    }
    Ok(())
}

fn parse_lines(data: &[u8], name: &str) -> Result<Vec<u64>, TraceError> {
    let mut keys = Vec::new();
    let mut map = KeyMap::default();
    for (n, line) in numbered_lines(data) {
        no_nul(line, n, name)?;
        let Some(token) = fields(line).next() else {
            continue;
        };
        if token == b"*" && fields(line).nth(1).is_none() {
            continue;
        }
        if keys.len() == MAX_REQUESTS {
            return Err(too_long(name, &format!("line {n}")));
        }
        let k = map.key(token, &mut keys);
        keys.push(k);
    }
    Ok(keys)
}

fn parse_arc(data: &[u8], name: &str) -> Result<Vec<u64>, TraceError> {
    let mut keys = Vec::new();
    for (n, line) in numbered_lines(data) {
        no_nul(line, n, name)?;
        let f: Vec<&[u8]> = fields(line).collect();
        if f.is_empty() {
            continue;
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
        if count > (MAX_REQUESTS - keys.len()) as u64 {
            return Err(too_long(name, &format!("line {n}")));
        }
        keys.extend(start..start + count);
    }
    Ok(keys)
}

fn parse_csv(data: &[u8], column: Option<&str>, name: &str) -> Result<Vec<u64>, TraceError> {
    let csv_error = |e: csv::Error| {
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
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(data);
    let header = reader.byte_headers().map_err(csv_error)?.clone();
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
    let mut keys = Vec::new();
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
        if keys.len() == MAX_REQUESTS {
            return Err(too_long(name, &format!("line {line}")));
        }
        let k = map.key(token, &mut keys);
        keys.push(k);
    }
    Ok(keys)
}

fn truncated(name: &str, len: usize, width: usize, format: Format) -> TraceError {
    let whole = len - len % width;
    TraceError::data(format!(
        "{name}: truncated record at byte offset {whole}: {} byte(s) left, a {format} record is {width} bytes",
        len - whole
    ))
}

fn parse_ints(
    data: &[u8],
    width: usize,
    format: Format,
    name: &str,
    decode: impl Fn(&[u8]) -> u64,
) -> Result<Vec<u64>, TraceError> {
    if !data.len().is_multiple_of(width) {
        return Err(truncated(name, data.len(), width, format));
    }
    if data.len() / width > MAX_REQUESTS {
        return Err(too_long(
            name,
            &format!("byte offset {}", MAX_REQUESTS * width),
        ));
    }
    Ok(data.chunks_exact(width).map(decode).collect())
}

fn parse_oracle(data: &[u8], name: &str) -> Result<Vec<u64>, TraceError> {
    const W: usize = 24;
    if !data.len().is_multiple_of(W) {
        return Err(truncated(name, data.len(), W, Format::OracleGeneral));
    }
    let mut keys = Vec::with_capacity(data.len() / W);
    for (i, r) in data.chunks_exact(W).enumerate() {
        let size = u32::from_le_bytes([r[12], r[13], r[14], r[15]]);
        if size == 0 {
            continue;
        }
        if keys.len() == MAX_REQUESTS {
            return Err(too_long(name, &format!("byte offset {}", i * W)));
        }
        let mut id = [0; 8];
        id.copy_from_slice(&r[4..12]);
        keys.push(u64::from_le_bytes(id));
    }
    Ok(keys)
}

/// Guesses the format of decompressed trace bytes from the file name, then the content, and
/// says why.
///
/// Names: `oracleGeneral` anywhere means [`Format::OracleGeneral`], `.lis` [`Format::Arc`],
/// `.csv` [`Format::Csv`]. Otherwise text (no control bytes but tab, CR and LF) is
/// [`Format::Lines`]; binary content is tested for `oracleGeneral` records (a plausible
/// next-access field in every sampled record), then for 8-byte keys, then read as 4-byte keys
/// in the byte order under which consecutive keys are numerically close more often.
///
/// # Errors
///
/// [`ErrorKind::Usage`] when nothing fits (e.g. binary data whose length is not a multiple
/// of 4).
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{guess_format, Format};
///
/// assert_eq!(guess_format("cs.trace.gz", b"1\n2\n").unwrap().0, Format::Lines);
/// assert_eq!(guess_format("x.lis", b"1 2 0 0\n").unwrap().0, Format::Arc);
/// assert!(guess_format("x.bin", &[0, 1, 2]).is_err());
/// ```
pub fn guess_format(name: &str, data: &[u8]) -> Result<(Format, String), TraceError> {
    let mut base = name.to_ascii_lowercase();
    for ext in [".gz", ".xz", ".zst", ".zstd"] {
        if let Some(stripped) = base.strip_suffix(ext) {
            base = stripped.to_string();
        }
    }
    if base.contains("oraclegeneral") {
        return Ok((Format::OracleGeneral, "the name says oracleGeneral".into()));
    }
    if base.ends_with(".lis") {
        return Ok((Format::Arc, "the name ends in .lis".into()));
    }
    if base.ends_with(".csv") {
        return Ok((Format::Csv, "the name ends in .csv".into()));
    }
    let sample = &data[..data.len().min(1 << 16)];
    if sample
        .iter()
        .all(|&b| b == b'\t' || b == b'\n' || b == b'\r' || (b >= 0x20 && b != 0x7f))
    {
        return Ok((Format::Lines, "the content is text".into()));
    }
    if data.len().is_multiple_of(24) && looks_oracle(data) {
        return Ok((
            Format::OracleGeneral,
            "binary, 24-byte records with valid next-access fields".into(),
        ));
    }
    if data.len().is_multiple_of(8) && looks_64_bit(data) {
        return Ok((Format::I64Be, "binary, 8-byte keys".into()));
    }
    if data.len().is_multiple_of(4) {
        let records = &data[..data.len().min(4 << 16)];
        let be = close_neighbours(records, u32::from_be_bytes);
        let le = close_neighbours(records, u32::from_le_bytes);
        return Ok(if be >= le {
            (
                Format::I32Be,
                "binary, 4-byte keys, big-endian: consecutive keys are closer so".into(),
            )
        } else {
            (
                Format::U32Le,
                "binary, 4-byte keys, little-endian: consecutive keys are closer so".into(),
            )
        });
    }
    Err(TraceError::usage(format!(
        "{name}: cannot guess the format ({} bytes of binary data, not a multiple of 4); use --format",
        data.len()
    )))
}

/// The number of distinct byte values at `offset` of each `stride`-byte record.
fn distinct_at(data: &[u8], stride: usize, offset: usize) -> usize {
    let mut seen = [false; 256];
    for r in data.chunks_exact(stride) {
        seen[r[offset] as usize] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

/// How many consecutive 4-byte keys differ by less than 2^16 when decoded with `decode`:
/// real traces revisit nearby ids (sequential blocks, fields of one object), and decoding
/// with the wrong byte order scatters them.
fn close_neighbours(data: &[u8], decode: fn([u8; 4]) -> u32) -> usize {
    let keys: Vec<u32> = data
        .chunks_exact(4)
        .map(|b| decode([b[0], b[1], b[2], b[3]]))
        .collect();
    keys.windows(2)
        .filter(|w| w[0].abs_diff(w[1]) < 1 << 16)
        .count()
}

fn looks_oracle(data: &[u8]) -> bool {
    data.chunks_exact(24).take(4096).enumerate().all(|(i, r)| {
        let mut a = [0; 8];
        a.copy_from_slice(&r[16..24]);
        let next = i64::from_le_bytes(a);
        next == -1 || next > i as i64 + 1
    })
}

/// 8-byte keys or pairs of 4-byte keys? Integers have a "high" byte that varies less than the
/// others; if that pattern repeats every 4 bytes the records are 4 bytes wide, unless the
/// bytes look random (hashes), where pairs of 4-byte keys would repeat much less often than
/// the keys themselves.
fn looks_64_bit(data: &[u8]) -> bool {
    let sample = &data[..data.len().min(8 << 16)];
    let d: Vec<usize> = (0..8).map(|o| distinct_at(sample, 8, o)).collect();
    let similar = |a: usize, b: usize| a.max(b) <= 2 * a.min(b) + 2;
    let periodic = (0..4).all(|j| similar(d[j], d[j + 4]));
    if !periodic {
        return true;
    }
    let keys32: Vec<u64> = sample
        .chunks_exact(4)
        .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
        .collect();
    let keys64: Vec<u64> = sample
        .chunks_exact(8)
        .map(|b| {
            let mut a = [0; 8];
            a.copy_from_slice(b);
            u64::from_be_bytes(a)
        })
        .collect();
    if keys64.is_empty() {
        return false;
    }
    let r32 = count_unique(&keys32) as f64 / keys32.len() as f64;
    let r64 = count_unique(&keys64) as f64 / keys64.len() as f64;
    r64 <= 1.25 * r32 + 0.01
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn err(data: &[u8], format: Format, column: Option<&str>) -> TraceError {
        parse(data, format, column, "t").unwrap_err()
    }

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
        assert!(e.to_string().contains("more than"), "{e}");
    }

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

    #[test]
    fn binary_ints() {
        let data = [0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0];
        assert_eq!(
            parse(&data, Format::I32Be, None, "t").unwrap(),
            [0xffff_fffe, 256]
        );
        assert_eq!(
            parse(&data, Format::U32Le, None, "t").unwrap(),
            [0xfeff_ffff, 0x0001_0000]
        );
        assert_eq!(
            parse(&data, Format::I64Be, None, "t").unwrap(),
            [0xffff_fffe_0000_0100]
        );
    }

    #[test]
    fn binary_truncated() {
        let e = err(&[0, 0, 0, 1, 0, 0], Format::I32Be, None);
        assert_eq!(
            e.to_string(),
            "t: truncated record at byte offset 4: 2 byte(s) left, a i32be record is 4 bytes"
        );
        let e = err(&[0; 12], Format::I64Be, None);
        assert!(e.to_string().contains("byte offset 8"), "{e}");
        let e = err(&[0; 3], Format::U32Le, None);
        assert!(e.to_string().contains("byte offset 0"), "{e}");
        assert!(
            err(&[], Format::U32Le, None)
                .to_string()
                .contains("no request")
        );
    }

    fn oracle_record(id: u64, size: u32, next: i64) -> Vec<u8> {
        let mut r = 7u32.to_le_bytes().to_vec();
        r.extend(id.to_le_bytes());
        r.extend(size.to_le_bytes());
        r.extend(next.to_le_bytes());
        r
    }

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

    #[test]
    fn guesses() {
        let be: Vec<u8> = (0..4000u32)
            .flat_map(|i| ((3u32 << 28) | ((i % 97) * 13)).to_be_bytes())
            .collect();
        assert_eq!(guess_format("x.trace", &be).unwrap().0, Format::I32Be);
        let le: Vec<u8> = (0..4001u32)
            .flat_map(|i| (i * 7 % 5000).to_le_bytes())
            .collect();
        assert_eq!(guess_format("x.bin", &le).unwrap().0, Format::U32Le);
        let mut state = 1u64;
        let hashes: Vec<u8> = (0..4000)
            .flat_map(|i| {
                if i % 3 != 0 {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                }
                state.to_be_bytes()
            })
            .collect();
        assert_eq!(guess_format("x.bin", &hashes).unwrap().0, Format::I64Be);
        let oracle: Vec<u8> = (0..100u64)
            .flat_map(|i| oracle_record(i, 512, if i < 50 { i as i64 + 60 } else { -1 }))
            .collect();
        assert_eq!(
            guess_format("x.bin", &oracle).unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(
            guess_format("a.oracleGeneral.bin.zst", b"").unwrap().0,
            Format::OracleGeneral
        );
        assert_eq!(guess_format("a.CSV", b"k\n1\n").unwrap().0, Format::Csv);
        let e = guess_format("x.bin", &[0, 1, 2, 3, 4]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
    }
}
