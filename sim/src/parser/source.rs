//! A trace as a stream of bytes: a file or standard input, decompressed as it is read, with
//! the input limit of `--max-requests` applied to the decompressed bytes, and the head of
//! the stream held back for the format guesser. Nothing here holds more than a buffer.
//!
//! Standard input cannot be read twice; when a run needs a second pass (a scan for the
//! distinct keys before the replay), the raw bytes of standard input are copied to a spool
//! file in the temporary folder as they are read, and the second pass reads that file. The
//! spool is removed when the trace is done.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::{Compression, STDIN, TraceError, compression};

/// Bytes of decompressed input the format guesser sees: a multiple of every record width
/// (4, 8, 24), and more than the samples it looks at (64 KiB of text, 512 KiB of keys).
pub(super) const HEAD: usize = 3 << 20;

/// An error of our own inside an `io::Error`: the stream passed the input limit, or a
/// gzip stream is followed by bytes that are not another member.
#[derive(Debug)]
enum Stop {
    TooBig,
    Trailing(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::TooBig => f.write_str("input limit"),
            Stop::Trailing(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Stop {}

/// How to name a failed read: the trace's name, its compression and whether that was
/// guessed, and the input limit.
#[derive(Clone, Debug)]
pub(super) struct Ctx {
    pub(super) name: String,
    compression: Compression,
    sniffed: bool,
    max_bytes: usize,
}

impl Ctx {
    /// The error of a failed read: the input limit, a broken compressed stream (with the
    /// hint when the compression was guessed from the first bytes), or an unreadable file.
    pub(super) fn fail(&self, e: io::Error) -> TraceError {
        let name = &self.name;
        let stop = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Stop>())
            .map(|s| matches!(s, Stop::TooBig));
        if stop == Some(true) {
            return compression::too_big(name, self.max_bytes);
        }
        if self.compression == Compression::None {
            return TraceError::usage(format!("{name}: cannot read: {e}"));
        }
        let what = match stop {
            Some(false) => e.to_string(),
            _ => compression::describe_io(&e),
        };
        let mut msg = format!(
            "{name}: cannot decompress ({}): {what}",
            self.compression.name()
        );
        if self.sniffed {
            msg.push_str(
                " (compression guessed from the first bytes; --compression none reads the file as it is)",
            );
        }
        TraceError::data(msg)
    }
}

/// The writer of a spool file, shared by the [`Tee`] and the stream that may stop it.
pub(super) type SpoolWriter = Rc<RefCell<Option<io::BufWriter<File>>>>;

/// Counts the bytes read through it (the raw input: progress, and the offset of bytes after
/// a gzip stream).
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Standard input, copied to the spool file as it is read while the spool is wanted.
struct Tee<R> {
    inner: R,
    spool: SpoolWriter,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(w) = self.spool.borrow_mut().as_mut() {
            w.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

/// Fails once more than `max` bytes have come through (the input limit).
struct Limited<R> {
    inner: R,
    left: usize,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > self.left {
            return Err(io::Error::other(Stop::TooBig));
        }
        self.left -= n;
        Ok(n)
    }
}

/// gzip members one after the other, as `gzip -d` reads them; bytes after the last member
/// that do not start another are an error naming them (as the in-memory reader does).
struct MultiGz<R: BufRead> {
    member: Option<flate2::bufread::GzDecoder<R>>,
    raw: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for MultiGz<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let mut rest = self
                .member
                .take()
                .map(|m| m.into_inner())
                .expect("a member");
            let head = rest.fill_buf()?;
            if head.is_empty() {
                return Ok(0);
            }
            if head.starts_with(&[0x1f, 0x8b]) {
                self.member = Some(flate2::bufread::GzDecoder::new(rest));
                continue;
            }
            let offset = self.raw.get() - head.len() as u64;
            let mut trailing = head.len() as u64;
            let n = head.len();
            rest.consume(n);
            trailing += io::copy(&mut rest, &mut io::sink())?;
            return Err(io::Error::other(Stop::Trailing(format!(
                "{trailing} trailing byte(s) at byte offset {offset} are not gzip data"
            ))));
        }
    }
}

/// The spool of standard input: a file in the temporary folder, removed on drop.
#[derive(Debug)]
pub(super) struct Spool {
    pub(super) path: PathBuf,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where a trace's bytes come from, again: its path, or the spool of standard input.
#[derive(Debug)]
pub(super) enum Origin {
    File(PathBuf),
    Spooled(Rc<Spool>),
    /// Standard input, not spooled: it can be read once only.
    Stdin,
}

/// The decompressed bytes of a trace, the head not yet read, the raw byte count and length.
pub(super) struct Opened {
    pub(super) input: Box<dyn BufRead>,
    pub(super) ctx: Ctx,
    pub(super) raw_read: Rc<Cell<u64>>,
    pub(super) raw_len: Option<u64>,
    /// The spool being written (standard input with `spool`), and where it is.
    pub(super) spooling: Option<(SpoolWriter, Rc<Spool>)>,
}

/// Opens `origin` (named `name` in messages), decompressing as `compression` says or, if
/// `None`, as the name's extension or the first bytes say, and limiting the decompressed
/// input to `max_bytes`. Standard input is copied to a spool file when `spool` is set.
pub(super) fn open(
    origin: &Origin,
    name: &str,
    compression: Option<Compression>,
    max_bytes: usize,
    spool: bool,
) -> Result<Opened, TraceError> {
    let cannot = |e: io::Error| TraceError::usage(format!("{name}: cannot read: {e}"));
    let raw_read = Rc::new(Cell::new(0));
    let mut spooling = None;
    let path: Option<&Path> = match origin {
        Origin::File(p) => Some(p),
        Origin::Spooled(s) => Some(&s.path),
        Origin::Stdin => None,
    };
    let (raw, raw_len): (Box<dyn Read>, Option<u64>) = match path {
        Some(path) => {
            let file = File::open(path).map_err(cannot)?;
            let meta = file.metadata().ok();
            let len = meta.as_ref().filter(|m| m.is_file()).map(|m| m.len());
            if len.is_some_and(|l| l > max_bytes as u64) {
                return Err(compression::too_big(name, max_bytes));
            }
            (Box::new(file), len)
        }
        None => {
            let stdin = io::stdin().lock();
            if spool {
                let path = std::env::temp_dir().join(format!(
                    "evict-sim-{}-{}.spool",
                    std::process::id(),
                    next_spool_id()
                ));
                let file = File::create(&path).map_err(|e| {
                    TraceError::usage(format!(
                        "{name}: cannot create the spool file {} for a second pass over standard input: {e}",
                        path.display()
                    ))
                })?;
                let writer = Rc::new(RefCell::new(Some(io::BufWriter::new(file))));
                spooling = Some((Rc::clone(&writer), Rc::new(Spool { path })));
                (
                    Box::new(Tee {
                        inner: stdin,
                        spool: writer,
                    }),
                    None,
                )
            } else {
                (Box::new(stdin), None)
            }
        }
    };
    let counted = Counted {
        inner: raw,
        count: Rc::clone(&raw_read),
    };
    // The first bytes, for the magic number, then the rest of the stream behind them.
    let mut raw = BufReader::with_capacity(1 << 16, counted);
    let told = compression.or_else(|| Compression::from_extension(name));
    let sniffed = if told.is_none() {
        let mut first = Vec::with_capacity(8);
        (&mut raw).take(6).read_to_end(&mut first).map_err(cannot)?;
        let magic = Compression::from_magic(&first);
        let rest: Box<dyn BufRead> = Box::new(io::Cursor::new(first).chain(raw));
        (magic, rest)
    } else {
        (None, Box::new(raw) as Box<dyn BufRead>)
    };
    let (magic, raw) = sniffed;
    let compression = told.or(magic).unwrap_or(Compression::None);
    let ctx = Ctx {
        name: name.to_string(),
        compression,
        sniffed: magic.is_some(),
        max_bytes,
    };
    let decoded: Box<dyn Read> = match compression {
        Compression::None => raw,
        Compression::Gzip => Box::new(MultiGz {
            member: Some(flate2::bufread::GzDecoder::new(raw)),
            raw: Rc::clone(&raw_read),
        }),
        Compression::Xz => Box::new(xz2::bufread::XzDecoder::new_multi_decoder(raw)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::with_buffer(raw).map_err(|e| ctx.fail(e))?)
        }
    };
    let input = BufReader::with_capacity(
        1 << 16,
        Limited {
            inner: decoded,
            left: max_bytes,
        },
    );
    Ok(Opened {
        input: Box::new(input),
        ctx,
        raw_read,
        raw_len,
        spooling,
    })
}

fn next_spool_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Reads the head of `input`: up to [`HEAD`] bytes, and whether that is all of it.
pub(super) fn read_head(input: &mut dyn BufRead, ctx: &Ctx) -> Result<(Vec<u8>, bool), TraceError> {
    let mut head = Vec::new();
    input
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| ctx.fail(e))?;
    let complete = head.len() < HEAD || input.fill_buf().map_err(|e| ctx.fail(e))?.is_empty();
    Ok((head, complete))
}

/// Whether `path` names standard input.
pub(super) fn is_stdin(path: &Path) -> bool {
    path == Path::new(STDIN)
}
