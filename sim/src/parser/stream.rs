//! Reading a trace as a stream of request batches: [`TraceStream`]. One reader per format
//! turns the decompressed bytes into keys, [`BATCH`] at a time into a reused buffer, holding
//! nothing but a buffer (and, for string keys, the interner: one entry per distinct key).
//! The keys, the errors (with the same line numbers and byte offsets) and the limits are
//! those of the in-memory readers of this module's parent, which the tests compare.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::path::Path;
use std::rc::Rc;

use hashbrown::HashMap;

use super::guess::guess_format_head;
use super::keys::canonical_decimal;
use super::limits::too_many;
use super::source::{self, Ctx, Origin, Spool, SpoolWriter};
use super::text::{fields, no_nul};
use super::{
    Format, MAX_REQUESTS, ReadOptions, TraceError, column_needs_csv, guess_format, max_input_bytes,
    size_column_needs_csv, truncated,
};

/// Requests per batch: 512 KiB of keys.
pub const BATCH: usize = 1 << 16;

/// The longest line a text trace may have in a stream (64 MiB): a stream without line ends
/// is an error, not a buffer that grows with the input.
pub const MAX_LINE: usize = 64 << 20;

/// How the keys of a text or CSV trace become numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    /// Every key is a canonical decimal and keeps its value; any other key is an error
    /// (the trace was scanned and had none, so it changed between the passes).
    Decimal,
    /// Every key is interned: ids 0, 1, 2, … in order of first appearance. The in-memory
    /// reader gives exactly these ids as soon as the trace holds one key that is not a
    /// canonical decimal.
    Intern,
}

/// Whether a stream reads the requests' object sizes ([`TraceStream::read_sizes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeMode {
    /// Keys only (a counting replay).
    Off,
    /// Sizes where the trace has them; a text line without a size field is noted
    /// ([`TraceStream::sizes_missing`]), not an error, and counts 0. For the first pass
    /// that decides whether a `lines` trace carries sizes.
    Probe,
    /// Every request must carry a size: a text line or CSV record without one is an error.
    On,
}

/// A trace being read as a stream of batches of keys.
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{ReadOptions, stream::{KeyMode, TraceStream}};
///
/// let dir = std::env::temp_dir().join("evict-sim-doc-stream");
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("t.txt");
/// std::fs::write(&path, "1\n2\n1\n").unwrap();
/// let mut s = TraceStream::open(&path, &ReadOptions::default(), None, false).unwrap();
/// s.set_key_mode(KeyMode::Decimal);
/// let mut keys = Vec::new();
/// assert!(s.next_batch(&mut keys).unwrap());
/// assert_eq!(keys, [1, 2, 1]);
/// assert!(!s.next_batch(&mut keys).unwrap());
/// assert_eq!(s.requests(), 3);
/// ```
pub struct TraceStream {
    name: String,
    format: Format,
    guessed: Option<String>,
    input: Option<Box<dyn BufRead>>,
    reader: Option<Box<dyn Batches>>,
    mode: KeyMode,
    ctx: Ctx,
    raw_read: Rc<Cell<u64>>,
    raw_len: Option<u64>,
    requests: u64,
    max: u64,
    origin: Origin,
    opts: ReadOptions,
    limit: Option<usize>,
    spooling: Option<(SpoolWriter, Rc<Spool>)>,
    done: bool,
    track_next: bool,
    sizes: SizeMode,
}

impl std::fmt::Debug for TraceStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceStream")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

impl TraceStream {
    /// Opens the trace at `path` (`-`: standard input), decompresses it as it is read, and
    /// guesses its format from the name and the head of the stream (at most 3 MiB) when
    /// `opts` does not name it. `limit` is the request limit (`None`: none; the input is then
    /// unlimited too, else [`INPUT_BYTES_PER_REQUEST`](super::INPUT_BYTES_PER_REQUEST) bytes
    /// per request). With `spool`, standard input is copied to a temporary file as it is
    /// read, so that [`reopen`](Self::reopen) can read it again.
    ///
    /// # Errors
    ///
    /// As [`read_trace`](super::read_trace), for what the head shows.
    pub fn open(
        path: &Path,
        opts: &ReadOptions,
        limit: Option<usize>,
        spool: bool,
    ) -> Result<TraceStream, TraceError> {
        let origin = if source::is_stdin(path) {
            Origin::Stdin
        } else {
            Origin::File(path.to_path_buf())
        };
        Self::open_origin(origin, path.display().to_string(), opts, limit, spool, None)
    }

    fn open_origin(
        origin: Origin,
        name: String,
        opts: &ReadOptions,
        limit: Option<usize>,
        spool: bool,
        known: Option<(Format, Option<String>)>,
    ) -> Result<TraceStream, TraceError> {
        if let (Some(f), Some(_)) = (opts.format, &opts.column)
            && f != Format::Csv
        {
            return Err(column_needs_csv(&name, f, "given"));
        }
        if let (Some(f), Some(_)) = (opts.format, &opts.size_column)
            && f != Format::Csv
        {
            return Err(size_column_needs_csv(&name, f, "given"));
        }
        let max = limit.map_or(u64::MAX, |l| l.min(MAX_REQUESTS) as u64);
        let max_bytes = limit.map_or(usize::MAX, |l| max_input_bytes(l.min(MAX_REQUESTS)));
        let mut opened = source::open(&origin, &name, opts.compression, max_bytes, spool)?;
        let (head, complete) = source::read_head(&mut opened.input, &opened.ctx)?;
        let (format, guessed) = match (known, opts.format) {
            (Some(k), _) => k,
            (None, Some(f)) => (f, None),
            (None, None) => {
                let (f, why) = if complete {
                    guess_format(&name, &head)?
                } else {
                    guess_format_head(&name, &head)?
                };
                if f != Format::Csv && opts.column.is_some() {
                    return Err(column_needs_csv(&name, f, "guessed"));
                }
                if f != Format::Csv && opts.size_column.is_some() {
                    return Err(size_column_needs_csv(&name, f, "guessed"));
                }
                (f, Some(why))
            }
        };
        let input: Box<dyn BufRead> = Box::new(io::Cursor::new(head).chain(opened.input));
        let origin = match (origin, &opened.spooling) {
            (Origin::Stdin, Some((_, spool))) => Origin::Spooled(Rc::clone(spool)),
            (o, _) => o,
        };
        Ok(TraceStream {
            name,
            format,
            guessed,
            input: Some(input),
            reader: None,
            mode: KeyMode::Intern,
            ctx: opened.ctx,
            raw_read: opened.raw_read,
            raw_len: opened.raw_len,
            requests: 0,
            max,
            origin,
            opts: opts.clone(),
            limit,
            spooling: opened.spooling,
            done: false,
            track_next: false,
            sizes: SizeMode::Off,
        })
    }

    /// Opens the same trace again from its start, for a second pass, with its format known
    /// (standard input: from the spool written by the first pass, which must have been
    /// read to its end).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); standard input that was not spooled cannot be read again.
    pub fn reopen(self) -> Result<TraceStream, TraceError> {
        let TraceStream {
            name,
            format,
            guessed,
            origin,
            opts,
            limit,
            spooling,
            ..
        } = self;
        if let Some((writer, _)) = &spooling {
            let w = writer.borrow_mut().take();
            if let Some(mut w) = w {
                use std::io::Write;
                w.flush().map_err(|e| {
                    TraceError::usage(format!("{name}: cannot write the spool file: {e}"))
                })?;
            }
        }
        if matches!(origin, Origin::Stdin) {
            return Err(TraceError::usage(format!(
                "{name}: standard input cannot be read twice"
            )));
        }
        Self::open_origin(origin, name, &opts, limit, false, Some((format, guessed)))
    }

    /// Stops copying standard input to the spool (no second pass will be needed) and
    /// removes the spool file.
    pub fn stop_spooling(&mut self) {
        if let Some((writer, spool)) = self.spooling.take() {
            writer.borrow_mut().take();
            drop(spool);
            self.origin = Origin::Stdin;
        }
    }

    /// How text and CSV keys become numbers (default [`KeyMode::Intern`]); set before the
    /// first batch.
    pub fn set_key_mode(&mut self, mode: KeyMode) {
        self.mode = mode;
    }

    /// The trace's name in messages: its path as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The format read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Why the format was chosen, when it was guessed.
    pub fn guessed(&self) -> Option<&str> {
        self.guessed.as_deref()
    }

    /// Requests read so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Bytes of the file (or standard input) read so far, before decompression.
    pub fn raw_read(&self) -> u64 {
        self.raw_read.get()
    }

    /// The file's length, where known (not for standard input).
    pub fn raw_len(&self) -> Option<u64> {
        self.raw_len
    }

    /// Whether a text or CSV key read so far was not a canonical decimal (in
    /// [`KeyMode::Intern`]): the replay must then intern every key as well.
    pub fn saw_string(&self) -> bool {
        self.reader.as_ref().is_some_and(|r| r.saw_string())
    }

    /// Sets the request limit (`None`: none), before the first batch. The input limit
    /// stays as opened.
    pub fn set_request_limit(&mut self, limit: Option<usize>) {
        self.max = limit.map_or(u64::MAX, |l| l.min(MAX_REQUESTS) as u64);
        self.limit = limit;
    }

    /// For an `oracleGeneral` trace, keeps each request's next-access time
    /// ([`next_access`](Self::next_access)) and checks that they are the trace's future;
    /// set before the first batch. Other formats have none.
    pub fn track_next_access(&mut self) {
        self.track_next = true;
    }

    /// The next-access times of the last batch, one per key: the record index of the key's
    /// next request, `u64::MAX` for none (empty unless tracked).
    pub fn next_access(&self) -> &[u64] {
        self.reader.as_ref().map_or(&[], |r| r.next_access())
    }

    /// Reads each request's object size ([`sizes`](Self::sizes)) where the format has
    /// them: `oracleGeneral`'s `obj_size`, a CSV trace's `--size-column`, the second field
    /// of a `lines` trace. Set before the first batch.
    pub fn read_sizes(&mut self, mode: SizeMode) {
        self.sizes = mode;
    }

    /// Whether the trace can carry object sizes: `oracleGeneral`, CSV with a size column,
    /// or `lines` (whose lines must then each have a size field; a pass with
    /// [`SizeMode::Probe`] tells).
    pub fn may_carry_sizes(&self) -> bool {
        match self.format {
            Format::OracleGeneral | Format::Lines => true,
            Format::Csv => self.opts.size_column.is_some(),
            _ => false,
        }
    }

    /// The object sizes of the last batch, one per key (empty unless
    /// [`read_sizes`](Self::read_sizes) was set and the format has them).
    pub fn sizes(&self) -> &[u64] {
        self.reader.as_ref().map_or(&[], |r| r.sizes())
    }

    /// In [`SizeMode::Probe`]: the first request without an object size, as a message
    /// (`"line 3 has no size field"`), if any was read so far.
    pub fn sizes_missing(&self) -> Option<&str> {
        self.reader.as_ref().and_then(|r| r.sizes_missing())
    }

    /// Why the tracked next-access times are not the trace's future (a field that points
    /// elsewhere than the key's next record, or at a record of size 0, which the readers
    /// skip), if so; known for sure at the end of the trace.
    pub fn next_access_broken(&self) -> Option<&str> {
        self.reader.as_ref().and_then(|r| r.next_access_broken())
    }

    /// Replaces `out` with the next batch of at most [`BATCH`] keys; `false` at the end of
    /// the trace (`out` empty).
    ///
    /// # Errors
    ///
    /// As [`read_trace`](super::read_trace): malformed content, broken compression, more
    /// requests or input than the limit, or no request at all (at the end).
    pub fn next_batch(&mut self, out: &mut Vec<u64>) -> Result<bool, TraceError> {
        out.clear();
        if self.done {
            return Ok(false);
        }
        if self.reader.is_none() {
            let input = self.input.take().expect("input before the first batch");
            self.reader = Some(make_reader(
                self.format,
                input,
                &self.ctx,
                self.mode,
                self.max,
                self.opts.column.as_deref(),
                (self.sizes != SizeMode::Off)
                    .then_some(self.opts.size_column.as_deref())
                    .flatten(),
            )?);
            if let Some(r) = self.reader.as_mut() {
                if self.track_next {
                    r.track_next_access();
                }
                if self.sizes != SizeMode::Off {
                    r.read_sizes(self.sizes);
                }
            }
        }
        let reader = self.reader.as_mut().expect("a reader");
        reader.fill(out)?;
        self.requests += out.len() as u64;
        if out.is_empty() {
            self.done = true;
            if self.requests == 0 {
                return Err(TraceError::data(format!(
                    "{}: no request in the trace (read as {})",
                    self.name, self.format
                )));
            }
            return Ok(false);
        }
        Ok(true)
    }
}

/// A format's reader: appends up to [`BATCH`] keys, none at the end.
trait Batches {
    fn fill(&mut self, out: &mut Vec<u64>) -> Result<(), TraceError>;
    fn saw_string(&self) -> bool {
        false
    }
    /// `oracleGeneral`: from now on, keep each request's next-access time and check them.
    fn track_next_access(&mut self) {}
    /// The next-access times of the last batch (after `track_next_access`).
    fn next_access(&self) -> &[u64] {
        &[]
    }
    /// Why the next-access times cannot stand for the trace's future, if so.
    fn next_access_broken(&self) -> Option<&str> {
        None
    }
    /// From now on, keep each request's object size where the format has one.
    fn read_sizes(&mut self, _mode: SizeMode) {}
    /// The object sizes of the last batch (after `read_sizes`).
    fn sizes(&self) -> &[u64] {
        &[]
    }
    /// [`SizeMode::Probe`]: the first request that had no size.
    fn sizes_missing(&self) -> Option<&str> {
        None
    }
}

fn make_reader(
    format: Format,
    input: Box<dyn BufRead>,
    ctx: &Ctx,
    mode: KeyMode,
    max: u64,
    column: Option<&str>,
    size_column: Option<&str>,
) -> Result<Box<dyn Batches>, TraceError> {
    let ctx = ctx.clone();
    Ok(match format {
        Format::I32Be => Box::new(Records::new(input, ctx, max, 4, format)),
        Format::U32Le => Box::new(Records::new(input, ctx, max, 4, format)),
        Format::I64Be => Box::new(Records::new(input, ctx, max, 8, format)),
        Format::OracleGeneral => Box::new(Records::new(input, ctx, max, 24, format)),
        Format::Lines => Box::new(Lines {
            lines: LineReader::new(input, ctx),
            keys: TokenKeys::new(mode),
            max,
            count: 0,
            sizes: None,
            missing: None,
        }),
        Format::Arc => Box::new(ArcRuns {
            lines: LineReader::new(input, ctx),
            max,
            count: 0,
            run: None,
        }),
        Format::Csv => Box::new(CsvKeys::new(input, ctx, mode, max, column, size_column)?),
    })
}

/// Fixed-width binary records: the bare integer arrays and `oracleGeneral`.
struct Records {
    input: Box<dyn BufRead>,
    /// A record split across two reads of the input.
    split: Vec<u8>,
    dec: Decoder,
}

/// The next-access times of an `oracleGeneral` stream and their check, as the format
/// guesser checks them: each field must be the index of the key's next record (one base, 0
/// or 1, for the whole trace) or -1 if there is none. Bélády may use them in place of its
/// own look-ahead only if they pass, and if no field of a kept record points at a record of
/// size 0 (the readers skip those, so the future would differ).
#[derive(Default)]
struct NextAccess {
    times: Vec<u64>,
    /// Per key: the field of its latest record, and whether that record was kept (size > 0).
    pending: HashMap<u64, (i64, bool)>,
    base: Option<i64>,
    broken: Option<String>,
}

impl NextAccess {
    fn record(&mut self, index: u64, id: u64, size: u32, next: i64, name: &str) {
        let i = index as i64;
        if self.broken.is_none() && next != -1 && next <= i {
            self.broken = Some(format!(
                "{name}: record {index}: next access {next} is not after the record"
            ));
        }
        if let Some((claimed, kept)) = self.pending.insert(id, (next, size > 0))
            && self.broken.is_none()
        {
            let b = *self.base.get_or_insert(claimed - i);
            if claimed == -1 || claimed - i != b || !(0..=1).contains(&b) {
                self.broken = Some(format!(
                    "{name}: record {index}: id {id} comes again here, not where its previous record's next-access field points ({claimed})"
                ));
            } else if kept && size == 0 {
                self.broken = Some(format!(
                    "{name}: record {index}: a next-access field points at this record of size 0, which is skipped"
                ));
            }
        }
        if size > 0 {
            self.times
                .push(if next == -1 { u64::MAX } else { next as u64 });
        }
    }

    fn finish(&mut self, name: &str) {
        if self.broken.is_none()
            && let Some((id, (next, _))) =
                self.pending.iter().find(|(_, (n, kept))| *n != -1 && *kept)
        {
            self.broken = Some(format!(
                "{name}: id {id}: its last record's next-access field ({next}) points past the end"
            ));
        }
        self.pending = HashMap::new();
    }
}

/// The decoding state of [`Records`], apart from the input it borrows from.
struct Decoder {
    ctx: Ctx,
    max: u64,
    width: usize,
    format: Format,
    /// Records read so far (`oracleGeneral`: of any size).
    records: u64,
    count: u64,
    /// `oracleGeneral` with next-access times tracked.
    next: Option<NextAccess>,
    /// `oracleGeneral` with object sizes read: the last batch's.
    sizes: Option<Vec<u64>>,
}

impl Records {
    fn new(input: Box<dyn BufRead>, ctx: Ctx, max: u64, width: usize, format: Format) -> Self {
        Records {
            input,
            split: Vec::new(),
            dec: Decoder {
                ctx,
                max,
                width,
                format,
                records: 0,
                count: 0,
                next: None,
                sizes: None,
            },
        }
    }
}

impl Batches for Records {
    fn track_next_access(&mut self) {
        if self.dec.format == Format::OracleGeneral {
            self.dec.next = Some(NextAccess::default());
        }
    }

    fn next_access(&self) -> &[u64] {
        self.dec.next.as_ref().map_or(&[], |n| &n.times)
    }

    fn next_access_broken(&self) -> Option<&str> {
        self.dec.next.as_ref().and_then(|n| n.broken.as_deref())
    }

    fn read_sizes(&mut self, _mode: SizeMode) {
        if self.dec.format == Format::OracleGeneral {
            self.dec.sizes = Some(Vec::new());
        }
    }

    fn sizes(&self) -> &[u64] {
        self.dec.sizes.as_deref().unwrap_or(&[])
    }

    fn fill(&mut self, out: &mut Vec<u64>) -> Result<(), TraceError> {
        if let Some(n) = &mut self.dec.next {
            n.times.clear();
        }
        if let Some(s) = &mut self.dec.sizes {
            s.clear();
        }
        let w = self.dec.width;
        loop {
            // Whole records straight from the input's buffer.
            let available = self.input.fill_buf().map_err(|e| self.dec.ctx.fail(e))?;
            if available.is_empty() {
                if !self.split.is_empty() {
                    let len = self.dec.records as usize * w + self.split.len();
                    return Err(truncated(&self.dec.ctx.name, len, w, self.dec.format));
                }
                if out.is_empty()
                    && let Some(n) = &mut self.dec.next
                {
                    n.finish(&self.dec.ctx.name);
                }
                return Ok(());
            }
            let mut used = 0;
            if !self.split.is_empty() {
                let take = (w - self.split.len()).min(available.len());
                self.split.extend_from_slice(&available[..take]);
                used = take;
                if self.split.len() == w {
                    self.dec.record(&self.split, out)?;
                    self.split.clear();
                }
            }
            if self.dec.format == Format::OracleGeneral
                && self.dec.next.is_none()
                && self.dec.sizes.is_none()
            {
                used += self.dec.plain_oracle(&available[used..], out);
            }
            while out.len() < BATCH && available.len() - used >= w {
                self.dec.record(&available[used..used + w], out)?;
                used += w;
            }
            if out.len() < BATCH && available.len() - used < w {
                self.split.extend_from_slice(&available[used..]);
                used = available.len();
            }
            self.input.consume(used);
            if out.len() >= BATCH {
                return Ok(());
            }
        }
    }
}

impl Decoder {
    /// `oracleGeneral` records read for their keys alone (no next-access times, no
    /// sizes kept): as [`record`](Self::record) does them, without its per-record
    /// checks of the format and the options. Stops at a full batch, at the end of whole
    /// records, or before a kept record over the request limit (which `record` then
    /// reports). Returns the bytes used. Why: `record` took 13% of an ARC command on
    /// orm-busy.
    fn plain_oracle(&mut self, bytes: &[u8], out: &mut Vec<u64>) -> usize {
        let mut used = 0;
        for r in bytes.chunks_exact(24) {
            if out.len() >= BATCH {
                break;
            }
            let size = u32::from_le_bytes([r[12], r[13], r[14], r[15]]);
            if size != 0 {
                if self.count >= self.max {
                    break;
                }
                self.count += 1;
                let mut id = [0; 8];
                id.copy_from_slice(&r[4..12]);
                out.push(u64::from_le_bytes(id));
            }
            self.records += 1;
            used += 24;
        }
        used
    }

    #[inline]
    fn record(&mut self, r: &[u8], out: &mut Vec<u64>) -> Result<(), TraceError> {
        let key = match self.format {
            Format::I32Be => u64::from(i32::from_be_bytes([r[0], r[1], r[2], r[3]]) as u32),
            Format::U32Le => u64::from(u32::from_le_bytes([r[0], r[1], r[2], r[3]])),
            Format::I64Be => {
                let mut a = [0; 8];
                a.copy_from_slice(r);
                i64::from_be_bytes(a) as u64
            }
            _ => {
                let size = u32::from_le_bytes([r[12], r[13], r[14], r[15]]);
                let at = self.records;
                self.records += 1;
                if let Some(n) = &mut self.next {
                    let mut id = [0; 8];
                    id.copy_from_slice(&r[4..12]);
                    let mut next = [0; 8];
                    next.copy_from_slice(&r[16..24]);
                    let (id, next) = (u64::from_le_bytes(id), i64::from_le_bytes(next));
                    if size > 0 && self.count >= self.max {
                        // The limit's error below; no time for a request not kept.
                    } else {
                        n.record(at, id, size, next, &self.ctx.name);
                    }
                }
                if size == 0 {
                    return Ok(());
                }
                if self.count >= self.max {
                    let at = format!("byte offset {}", at * 24);
                    return Err(too_many(&self.ctx.name, &at, self.max as usize));
                }
                self.count += 1;
                let mut id = [0; 8];
                id.copy_from_slice(&r[4..12]);
                out.push(u64::from_le_bytes(id));
                if let Some(s) = &mut self.sizes {
                    s.push(u64::from(size));
                }
                return Ok(());
            }
        };
        self.records += 1;
        if self.count >= self.max {
            // As the in-memory reader, which sees the length first: the offset of the limit.
            let at = format!("byte offset {}", self.max.saturating_mul(self.width as u64));
            return Err(too_many(&self.ctx.name, &at, self.max as usize));
        }
        self.count += 1;
        out.push(key);
        Ok(())
    }
}

/// Lines of a text stream, numbered from 1, without their ends (`\n`, `\r\n` or a lone
/// `\r`) and without a leading UTF-8 byte-order mark: the in-memory `numbered_lines`.
struct LineReader {
    input: Box<dyn BufRead>,
    ctx: Ctx,
    line: Vec<u8>,
    number: usize,
    /// The last line ended in `\r`: a `\n` right after it belongs to that end.
    after_cr: bool,
}

impl LineReader {
    fn new(input: Box<dyn BufRead>, ctx: Ctx) -> Self {
        LineReader {
            input,
            ctx,
            line: Vec::new(),
            number: 0,
            after_cr: false,
        }
    }

    /// The next line (in `self.line`) and its number, or `None` at the end.
    fn next_line(&mut self) -> Result<Option<usize>, TraceError> {
        self.line.clear();
        let mut any = false;
        loop {
            let buf = self.input.fill_buf().map_err(|e| self.ctx.fail(e))?;
            if buf.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            let mut start = 0;
            if self.after_cr {
                self.after_cr = false;
                if buf[0] == b'\n' {
                    start = 1;
                }
            }
            match buf[start..].iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(p) => {
                    let end = start + p;
                    self.line.extend_from_slice(&buf[start..end]);
                    self.after_cr = buf[end] == b'\r';
                    self.input.consume(end + 1);
                    break;
                }
                None => {
                    self.line.extend_from_slice(&buf[start..]);
                    any |= buf.len() > start;
                    let n = buf.len();
                    self.input.consume(n);
                    if self.line.len() > MAX_LINE {
                        return Err(TraceError::data(format!(
                            "{}: line {}: longer than {MAX_LINE} bytes (is this a text trace?)",
                            self.ctx.name,
                            self.number + 1
                        )));
                    }
                }
            }
        }
        self.number += 1;
        if self.number == 1 && self.line.starts_with(b"\xef\xbb\xbf") {
            self.line.drain(..3);
        }
        Ok(Some(self.number))
    }
}

/// Text keys as numbers: canonical decimals, or interned ids ([`KeyMode`]).
struct TokenKeys {
    mode: KeyMode,
    interner: HashMap<Vec<u8>, u64>,
    saw_string: bool,
}

impl TokenKeys {
    fn new(mode: KeyMode) -> Self {
        TokenKeys {
            mode,
            interner: HashMap::new(),
            saw_string: false,
        }
    }

    fn key(
        &mut self,
        token: &[u8],
        name: &str,
        line: impl std::fmt::Display,
    ) -> Result<u64, TraceError> {
        match self.mode {
            KeyMode::Decimal => canonical_decimal(token).ok_or_else(|| {
                TraceError::data(format!(
                    "{name}: line {line}: a key that is not a decimal, where the first pass over the trace found none: the trace changed while it was read"
                ))
            }),
            KeyMode::Intern => {
                if let Some(&id) = self.interner.get(token) {
                    return Ok(id);
                }
                self.saw_string |= canonical_decimal(token).is_none();
                let id = self.interner.len() as u64;
                self.interner.insert(token.to_vec(), id);
                Ok(id)
            }
        }
    }
}

/// [`Format::Lines`].
struct Lines {
    lines: LineReader,
    keys: TokenKeys,
    max: u64,
    count: u64,
    /// With sizes read: the mode and the last batch's sizes (the second field).
    sizes: Option<(SizeMode, Vec<u64>)>,
    /// [`SizeMode::Probe`]: the first line without a size.
    missing: Option<String>,
}

impl Batches for Lines {
    fn fill(&mut self, out: &mut Vec<u64>) -> Result<(), TraceError> {
        if let Some((_, s)) = &mut self.sizes {
            s.clear();
        }
        while out.len() < BATCH {
            let Some(n) = self.lines.next_line()? else {
                return Ok(());
            };
            let name = &self.lines.ctx.name;
            let line = &self.lines.line;
            no_nul(line, n, name)?;
            let Some(token) = fields(line).next() else {
                continue;
            };
            if token == b"*" && fields(line).nth(1).is_none() {
                continue;
            }
            let k = self.keys.key(token, name, n)?;
            if self.count >= self.max {
                return Err(too_many(name, &format!("line {n}"), self.max as usize));
            }
            if let Some((mode, sizes)) = &mut self.sizes {
                let field = fields(line).nth(1);
                match field.and_then(object_size) {
                    Some(size) => sizes.push(size),
                    None if *mode == SizeMode::Probe => {
                        self.missing.get_or_insert_with(|| match field {
                            None => format!("line {n} has no size field"),
                            Some(f) => format!(
                                "line {n}'s second field '{}' is no object size",
                                String::from_utf8_lossy(f)
                            ),
                        });
                        sizes.push(0);
                    }
                    None => return Err(bad_size(name, &format!("line {n}"), field, None)),
                }
            }
            self.count += 1;
            out.push(k);
        }
        Ok(())
    }

    fn saw_string(&self) -> bool {
        self.keys.saw_string
    }

    fn read_sizes(&mut self, mode: SizeMode) {
        self.sizes = Some((mode, Vec::new()));
    }

    fn sizes(&self) -> &[u64] {
        self.sizes.as_ref().map_or(&[], |(_, s)| s)
    }

    fn sizes_missing(&self) -> Option<&str> {
        self.missing.as_deref()
    }
}

/// The largest object size a text or CSV trace may give: `oracleGeneral`'s `u32` field's
/// largest. Why a bound: the byte counts are `u64` sums over at most
/// [`MAX_REQUESTS`] requests, which cannot overflow below it.
pub const MAX_OBJECT_SIZE: u64 = u32::MAX as u64;

/// An object size: a decimal integer from 1 to [`MAX_OBJECT_SIZE`].
fn object_size(field: &[u8]) -> Option<u64> {
    canonical_decimal(field).filter(|&s| (1..=MAX_OBJECT_SIZE).contains(&s))
}

/// The error of a request whose object size is missing or not a positive integer.
fn bad_size(name: &str, at: &str, field: Option<&[u8]>, column: Option<&str>) -> TraceError {
    let place = column.map_or("as the second field".to_string(), |c| {
        format!("in column '{c}'")
    });
    let found = match field {
        None | Some(b"") => "nothing".to_string(),
        Some(f) => format!("'{}'", String::from_utf8_lossy(f)),
    };
    TraceError::data(format!(
        "{name}: {at}: expected an object size (a whole number of bytes from 1 to {MAX_OBJECT_SIZE}) {place}, found {found} (--ignore-obj-size replays by count)"
    ))
}

/// [`Format::Arc`]: runs of consecutive keys, expanded a batch at a time.
struct ArcRuns {
    lines: LineReader,
    max: u64,
    count: u64,
    /// The rest of the current run: next key and how many are left.
    run: Option<(u64, u64)>,
}

impl Batches for ArcRuns {
    fn fill(&mut self, out: &mut Vec<u64>) -> Result<(), TraceError> {
        loop {
            if let Some((next, left)) = self.run {
                let take = left.min((BATCH - out.len()) as u64);
                out.extend(next..next + take);
                self.run = (left > take).then_some((next + take, left - take));
                if out.len() >= BATCH {
                    return Ok(());
                }
            }
            let Some(n) = self.lines.next_line()? else {
                return Ok(());
            };
            let name = &self.lines.ctx.name;
            let (start, count) =
                super::arc::parse_line(&self.lines.line, name, n)?.unwrap_or((0, 0));
            if count > self.max - self.count {
                return Err(too_many(name, &format!("line {n}"), self.max as usize));
            }
            self.count += count;
            if count > 0 {
                self.run = Some((start, count));
            }
        }
    }
}

/// [`Format::Csv`]: the key column of every record.
struct CsvKeys {
    reader: csv::Reader<Box<dyn BufRead>>,
    ctx: Ctx,
    index: usize,
    column: String,
    keys: TokenKeys,
    record: csv::ByteRecord,
    max: u64,
    count: u64,
    /// `--size-column`: its index and name, and the last batch's sizes once read.
    size_column: Option<(usize, String)>,
    sizes: Option<Vec<u64>>,
}

impl CsvKeys {
    fn new(
        input: Box<dyn BufRead>,
        ctx: Ctx,
        mode: KeyMode,
        max: u64,
        column: Option<&str>,
        size_column: Option<&str>,
    ) -> Result<Self, TraceError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(input);
        let header = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(csv_error(e, &ctx)),
        };
        let (index, columns) = super::csv::key_column(&header, column, &ctx.name)?;
        let size_column = match size_column {
            None => None,
            Some(c) => match columns.iter().position(|h| h == c) {
                Some(i) => Some((i, c.to_string())),
                None => {
                    return Err(TraceError::usage(format!(
                        "{}: --size-column: no column '{c}' in the CSV header (columns: {})",
                        ctx.name,
                        columns.join(", ")
                    )));
                }
            },
        };
        Ok(CsvKeys {
            reader,
            index,
            column: columns[index].clone(),
            ctx,
            keys: TokenKeys::new(mode),
            record: csv::ByteRecord::new(),
            max,
            count: 0,
            size_column,
            sizes: None,
        })
    }
}

fn csv_error(e: csv::Error, ctx: &Ctx) -> TraceError {
    if !matches!(e.kind(), csv::ErrorKind::Io(_)) {
        return super::csv::describe(&e, &ctx.name);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ctx.fail(io),
        _ => unreachable!("checked above"),
    }
}

impl Batches for CsvKeys {
    fn fill(&mut self, out: &mut Vec<u64>) -> Result<(), TraceError> {
        if let Some(s) = &mut self.sizes {
            s.clear();
        }
        while out.len() < BATCH {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_error(e, &self.ctx))?;
            if !more {
                return Ok(());
            }
            let name = &self.ctx.name;
            let line = self.record.position().map_or(0, |p| p.line());
            let token = self.record.get(self.index).unwrap_or_default().trim_ascii();
            if token.is_empty() {
                return Err(TraceError::data(format!(
                    "{name}: line {line}: expected a key in column '{}', found an empty field",
                    self.column
                )));
            }
            let k = self.keys.key(token, name, line)?;
            if self.count >= self.max {
                return Err(too_many(name, &format!("line {line}"), self.max as usize));
            }
            if let (Some(sizes), Some((i, column))) = (&mut self.sizes, &self.size_column) {
                let field = self.record.get(*i).map(<[u8]>::trim_ascii);
                match field.and_then(object_size) {
                    Some(size) => sizes.push(size),
                    None => {
                        return Err(bad_size(name, &format!("line {line}"), field, Some(column)));
                    }
                }
            }
            self.count += 1;
            out.push(k);
        }
        Ok(())
    }

    fn saw_string(&self) -> bool {
        self.keys.saw_string
    }

    fn read_sizes(&mut self, _mode: SizeMode) {
        if self.size_column.is_some() {
            self.sizes = Some(Vec::new());
        }
    }

    fn sizes(&self) -> &[u64] {
        self.sizes.as_deref().unwrap_or(&[])
    }
}

/// Reads the whole trace at `path` through the streaming readers: the keys the replay of a
/// stream sees, in order (a text or CSV trace takes two passes, as in the replay: the first
/// learns whether any key is a string). For tests and small traces: it holds every key.
///
/// # Errors
///
/// As [`TraceStream::open`] and [`TraceStream::next_batch`].
///
/// # Examples
///
/// ```
/// use evict_sim::parser::{ReadOptions, stream::read_all};
///
/// let path = std::env::temp_dir().join("evict-sim-doc-read-all.txt");
/// std::fs::write(&path, "7\nx\n7\n").unwrap();
/// // A string key: every key is interned, as `read_trace` does.
/// assert_eq!(read_all(&path, &ReadOptions::default(), None).unwrap(), [0, 1, 0]);
/// ```
pub fn read_all(
    path: &Path,
    opts: &ReadOptions,
    limit: Option<usize>,
) -> Result<Vec<u64>, TraceError> {
    let mut stream = TraceStream::open(path, opts, limit, source::is_stdin(path))?;
    let mut batch = Vec::new();
    if matches!(stream.format(), Format::Lines | Format::Csv) {
        while stream.next_batch(&mut batch)? {}
        let mode = if stream.saw_string() {
            KeyMode::Intern
        } else {
            KeyMode::Decimal
        };
        stream = stream.reopen()?;
        stream.set_key_mode(mode);
    }
    let mut keys = Vec::new();
    while stream.next_batch(&mut batch)? {
        keys.extend_from_slice(&batch);
    }
    Ok(keys)
}
