//! `evict-sim`: which cache policy wins on your workload, with Bélády's optimum as the
//! ceiling. A thin command line over the `evict_sim` library; see its README.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use evict_sim::mrc;
use evict_sim::parser::{self, Compression, ErrorKind, Format, MAX_REQUESTS, ReadOptions, Trace};
use evict_sim::pipeline::{self, Progress};
use evict_sim::replay::{self, Outcome, RunOptions};
use evict_sim::report::{self, TraceSummary};
use evict_sim::size::{self, SizeSpec};
use evict_sim::workload;

/// Replays cache traces through every evict policy and Bélády's optimum, and reports hit
/// ratios per cache size.
///
/// With no TRACE, runs the built-in seeded workloads and writes one SVG plot per workload
/// into --plot-dir.
///
/// A trace with object sizes (oracle-general, CSV with --size-column, lines with a size as
/// every line's second field) replays in bytes: caches sized in bytes, object and byte hit
/// ratios; --ignore-obj-size counts entries.
///
/// Exit status: 0 on success, 2 for a usage error (bad flag, unknown format or policy, size 0,
/// missing file), 1 for bad data (malformed line, truncated record, broken compression, more
/// requests than --max-requests).
#[derive(Debug, Parser)]
#[command(name = "evict-sim", version)]
struct Args {
    /// Trace files (.gz, .xz, .zst are decompressed; - is standard input). None: the built-in
    /// workloads.
    traces: Vec<PathBuf>,

    /// Trace format: auto, lines, csv, arc, i32be, u32le, i64be, oracle-general.
    #[arg(short, long, default_value = "auto", value_name = "F")]
    format: String,

    /// Compression: auto (by extension, then magic number), none, gz, xz, zst.
    #[arg(long, default_value = "auto", value_name = "C")]
    compression: String,

    /// The key column of a CSV trace (an error with any other format).
    #[arg(long, value_name = "NAME")]
    column: Option<String>,

    /// The object-size column of a CSV trace: the trace then replays in bytes (an error
    /// with any other format).
    #[arg(long, value_name = "NAME")]
    size_column: Option<String>,

    /// Count entries even if the trace carries object sizes (oracle-general, a CSV
    /// --size-column, lines with a size field): every object weighs 1.
    #[arg(long)]
    ignore_obj_size: bool,

    /// What the plot of a replay in bytes shows: object (hit ratio) or byte (byte hit
    /// ratio).
    #[arg(long, default_value = "object", value_name = "R")]
    plot_ratio: String,

    /// The most requests a trace may expand to; input is then limited to 64 bytes per
    /// request [default: no limit; with opt or opt-fill, which hold the trace in memory,
    /// available memory / 128 bytes].
    #[arg(long, value_name = "N")]
    max_requests: Option<usize>,

    /// Comma-separated policies [default: every registry policy, then opt; in bytes: every
    /// weighted policy, then belady-size (a heuristic) and pfoo-l (an upper bound)].
    #[arg(short, long, value_name = "P,...", value_delimiter = ',')]
    policies: Option<Vec<String>>,

    /// Comma-separated cache sizes: entries (1000) or percent of distinct keys, rounded down
    /// (10%) [default: 1%,5%,10%,20%]. A trace with object sizes replays in bytes: bytes
    /// (4096, 64MiB, 1GB) or percent of its distinct bytes.
    #[arg(short, long, value_name = "S,...")]
    sizes: Option<String>,

    /// Requests replayed before hits and misses are counted.
    #[arg(long, default_value_t = 0, value_name = "N")]
    warmup: usize,

    /// One JSON object per (trace, policy, size) on stdout, one per line.
    #[arg(long, conflicts_with = "csv")]
    json: bool,

    /// CSV rows per (trace, policy, size) on stdout, with a header.
    #[arg(long)]
    csv: bool,

    /// Write an SVG plot of hit ratio against size (several traces: FILE-<trace>.svg).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,

    /// Where the run without TRACE writes its plots.
    #[arg(long, default_value = "target/evict-sim", value_name = "DIR")]
    plot_dir: PathBuf,

    /// Write no plot, not even in the run without TRACE.
    #[arg(long, conflicts_with = "plot")]
    no_plot: bool,

    /// Worker threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,

    /// The answer line under each table: the smallest size at which a policy reaches this
    /// percentage of the best achievable hit ratio (an unbounded cache's).
    #[arg(long, default_value_t = 90.0, value_name = "PCT")]
    target: f64,
}

/// Why the run stopped early.
enum Failure {
    /// An error: its kind (the exit status) and its message, one line.
    Error(ErrorKind, String),
    /// Standard output was closed (`evict-sim … | head`): stop quietly with status 0, as
    /// the reader asked for no more.
    ClosedStdout,
}

impl From<parser::TraceError> for Failure {
    fn from(e: parser::TraceError) -> Self {
        Failure::Error(e.kind(), e.to_string())
    }
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Error(ErrorKind::Usage, msg.into())
}

/// A failed write of the report: a closed pipe ends the run quietly, anything else is an
/// error.
fn write_failed(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::ClosedStdout
    } else {
        Failure::Error(ErrorKind::Data, format!("cannot write the report: {e}"))
    }
}

/// One trace replayed and how to show it.
struct Done {
    name: String,
    requests: usize,
    unique: usize,
    source: String,
    specs: Vec<SizeSpec>,
    plot_name: String,
    outcomes: Vec<Outcome>,
    /// A replay in bytes: the distinct bytes.
    unique_bytes: Option<u64>,
}

/// `evict-sim mrc`: hit-ratio curves at many sizes in one pass.
///
/// --method exact: exact LRU hit counts at every size from stack distances (one pass,
/// O(log n) per request); shards: LRU's curve from a sample of the keys; mini: miniature
/// simulations of any registry policy. Output: the replay's fields plus method and
/// sample_rate.
#[derive(Debug, Parser)]
#[command(name = "evict-sim mrc", version)]
struct MrcArgs {
    /// Trace files (.gz, .xz, .zst are decompressed; - is standard input).
    #[arg(required = true)]
    traces: Vec<PathBuf>,

    /// How: exact (LRU, from stack distances), shards (LRU, from a sample of the keys;
    /// --rate or --samples) or mini (miniature simulations of any policy; --rate).
    #[arg(long, default_value = "exact", value_name = "M")]
    method: String,

    /// shards and mini: sample this share of the keys, 0 < R <= 1 [default: 0.01 for
    /// shards; 0.1 for mini].
    #[arg(long, value_name = "R", conflicts_with = "samples")]
    rate: Option<f64>,

    /// shards: at most N sampled keys (fixed size, constant memory).
    #[arg(long, value_name = "N")]
    samples: Option<usize>,

    /// shards and mini: the salt of the sampling hash (any 64-bit number); another salt
    /// draws another sample [default: a fixed constant, so runs repeat].
    #[arg(long, value_name = "N")]
    salt: Option<u64>,

    /// mini: a miniature cache holds at least N entries, its rate raised as needed (up to
    /// 1, the full replay) [default: 1000].
    #[arg(long, value_name = "N")]
    min_entries: Option<usize>,

    /// mini: LRU as a control variate: exact (each policy's miniature corrected, size by
    /// size, by an LRU miniature's error against LRU's exact curve, both made in the same
    /// pass; the exact curve's memory grows with the distinct keys) or none (the raw
    /// miniatures, memory bounded by the caches) [default: exact].
    #[arg(long, value_name = "C")]
    control: Option<String>,

    /// shards: track at most N of the hottest keys exactly (found by a count-min sketch;
    /// 0: the paper's SHARDS) [default: 131072].
    #[arg(long, value_name = "N")]
    hot_keys: Option<usize>,

    /// Comma-separated policies: lru (the only one of exact and shards); mini: any of the
    /// registry, and opt or opt-fill (replayed in full) [default: every registry policy].
    #[arg(short, long, value_name = "P,...", value_delimiter = ',')]
    policies: Option<Vec<String>>,

    /// Comma-separated sizes: entries (1000) or percent of distinct keys (10%)
    /// [default: --points sizes spaced evenly on a log scale, 1 to the distinct keys].
    #[arg(short, long, value_name = "S,...")]
    sizes: Option<String>,

    /// How many log-spaced sizes without --sizes.
    #[arg(long, default_value_t = 50, value_name = "N")]
    points: usize,

    /// The object-size column of a CSV trace: with --method exact, LRU's curve in bytes.
    #[arg(long, value_name = "NAME")]
    size_column: Option<String>,

    /// Count entries even if the trace carries object sizes (exact curves of
    /// oracle-general traces and CSV traces with --size-column are in bytes otherwise;
    /// shards and mini always count entries).
    #[arg(long)]
    ignore_obj_size: bool,

    /// What the plot of a curve in bytes shows: object (hit ratio) or byte (byte hit ratio).
    #[arg(long, default_value = "object", value_name = "R")]
    plot_ratio: String,

    /// Trace format: auto, lines, csv, arc, i32be, u32le, i64be, oracle-general.
    #[arg(short, long, default_value = "auto", value_name = "F")]
    format: String,

    /// Compression: auto (by extension, then magic number), none, gz, xz, zst.
    #[arg(long, default_value = "auto", value_name = "C")]
    compression: String,

    /// The key column of a CSV trace (an error with any other format).
    #[arg(long, value_name = "NAME")]
    column: Option<String>,

    /// The most requests a trace may expand to; input is then limited to 64 bytes per
    /// request [default: no limit].
    #[arg(long, value_name = "N")]
    max_requests: Option<usize>,

    /// Requests replayed before hits and misses are counted.
    #[arg(long, default_value_t = 0, value_name = "N")]
    warmup: usize,

    /// One JSON object per (trace, size), one per line.
    #[arg(long, conflicts_with = "csv")]
    json: bool,

    /// CSV rows per (trace, size), with a header.
    #[arg(long)]
    csv: bool,

    /// Write an SVG plot of hit ratio against size (several traces: FILE-<trace>.svg).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// `evict-sim analyze`: what a trace is made of, in one pass, output of bounded size.
///
/// Requests, distinct keys, compulsory miss ratio, one- and two-hit wonders, the top 1% of
/// keys' share, a Zipf α fit with R², the LRU stack-distance histogram (powers of two) and
/// the working set's growth (at most 128 points).
#[derive(Debug, Parser)]
#[command(name = "evict-sim analyze", version)]
struct AnalyzeArgs {
    /// Trace files (.gz, .xz, .zst are decompressed; - is standard input).
    #[arg(required = true)]
    traces: Vec<PathBuf>,

    /// Trace format: auto, lines, csv, arc, i32be, u32le, i64be, oracle-general.
    #[arg(short, long, default_value = "auto", value_name = "F")]
    format: String,

    /// Compression: auto (by extension, then magic number), none, gz, xz, zst.
    #[arg(long, default_value = "auto", value_name = "C")]
    compression: String,

    /// The key column of a CSV trace (an error with any other format).
    #[arg(long, value_name = "NAME")]
    column: Option<String>,

    /// The most requests a trace may expand to [default: no limit].
    #[arg(long, value_name = "N")]
    max_requests: Option<usize>,

    /// One JSON object per trace, one per line.
    #[arg(long)]
    json: bool,

    /// Write an SVG plot of LRU's hit ratio at the stack-distance histogram's sizes
    /// (powers of two, log scale) (several traces: FILE-<trace>.svg).
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
}

fn main() -> ExitCode {
    let first = std::env::args_os().nth(1);
    let result = if first.as_deref().is_some_and(|a| a == "mrc") {
        match MrcArgs::try_parse_from(std::env::args_os().skip(1)) {
            Ok(args) => run_mrc(args),
            Err(e) => return clap_failure(&e),
        }
    } else if first.as_deref().is_some_and(|a| a == "analyze") {
        match AnalyzeArgs::try_parse_from(std::env::args_os().skip(1)) {
            Ok(args) => run_analyze(args),
            Err(e) => return clap_failure(&e),
        }
    } else {
        match Args::try_parse() {
            Ok(args) => run(args),
            Err(e) => return clap_failure(&e),
        }
    };
    match result {
        Ok(()) | Err(Failure::ClosedStdout) => ExitCode::SUCCESS,
        Err(Failure::Error(kind, msg)) => {
            eprintln!("evict-sim: error: {msg}");
            ExitCode::from(match kind {
                ErrorKind::Usage => 2,
                ErrorKind::Data => 1,
            })
        }
    }
}

/// `--help` and `--version` as clap prints them; any other command-line error as one line
/// in the documented form (clap's first line, without its own `error: `), status 2.
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as Clap;
    if matches!(e.kind(), Clap::DisplayHelp | Clap::DisplayVersion) {
        // Writes to stdout; a closed stdout is no error here either.
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!("evict-sim: error: {first} (see --help)");
    ExitCode::from(2)
}

fn run(args: Args) -> Result<(), Failure> {
    let policies = match &args.policies {
        Some(p) => p.iter().map(|s| s.trim().to_string()).collect(),
        None => replay::default_policies(),
    };
    let policies = replay::order_policies(&policies).map_err(|e| usage(e.to_string()))?;
    let format = match args.format.as_str() {
        "auto" => None,
        f => Some(f.parse::<Format>().map_err(usage)?),
    };
    let compression = match args.compression.as_str() {
        "auto" => None,
        c => Some(c.parse::<Compression>().map_err(usage)?),
    };
    let sizes = args
        .sizes
        .as_deref()
        .map(size::parse_sizes)
        .transpose()
        .map_err(usage)?;
    if !(args.target > 0.0 && args.target <= 100.0) {
        return Err(usage(format!(
            "--target {}: expected a percentage above 0, at most 100",
            args.target
        )));
    }
    let threads = match args.threads {
        Some(0) => return Err(usage("--threads must be at least 1")),
        Some(n) => n,
        None => RunOptions::default().threads,
    };
    if let Some(n) = args.max_requests
        && !(1..=MAX_REQUESTS).contains(&n)
    {
        return Err(usage(format!(
            "--max-requests {n}: expected 1 to {MAX_REQUESTS}"
        )));
    }
    if let (Some(f), Some(_)) = (format, &args.column)
        && f != Format::Csv
    {
        return Err(usage(format!(
            "--column applies to CSV traces only, not --format {f}"
        )));
    }
    let stdin = Path::new(parser::STDIN);
    if args.traces.iter().filter(|p| *p == stdin).count() > 1 {
        return Err(usage(
            "standard input (-) can be read once only, and is named twice",
        ));
    }
    if let (Some(f), Some(_)) = (format, &args.size_column)
        && f != Format::Csv
    {
        return Err(usage(format!(
            "--size-column applies to CSV traces only, not --format {f}"
        )));
    }
    if args.ignore_obj_size && args.size_column.is_some() {
        return Err(usage(
            "--size-column and --ignore-obj-size: the sizes would be read and ignored; give one",
        ));
    }
    let byte_plot = match args.plot_ratio.as_str() {
        "object" => false,
        "byte" => true,
        r => {
            return Err(usage(format!("--plot-ratio {r}: expected object or byte")));
        }
    };
    let opts = ReadOptions {
        format,
        compression,
        column: args.column.clone(),
        max_requests: args.max_requests,
        size_column: args.size_column.clone(),
        object_sizes: !args.ignore_obj_size,
    };

    // Check every plot path before anything is read: no replay thrown away for a plot that
    // cannot be written. Traces are replayed as they are read (streams); nothing is printed
    // on stdout before every trace is done, so a failure never leaves a partial report.
    let run_opts = RunOptions {
        threads,
        warmup: args.warmup,
        ..RunOptions::default()
    };
    let bar = std::io::stderr()
        .is_terminal()
        .then(indicatif::ProgressBar::hidden);
    if let Some(b) = &bar {
        b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let progress = |p: Progress| {
        let Some(b) = &bar else { return };
        match p {
            Progress::Pass { what, total } => {
                let template = match (what, total) {
                    ("Bélády" | "replaying workload", _) => {
                        "{spinner} {msg} [{bar:40}] {percent}% of {human_len} requests, eta {eta}"
                    }
                    (_, Some(_)) => {
                        "{spinner} {msg} [{bar:40}] {bytes} of {total_bytes}, eta {eta}"
                    }
                    (_, None) => "{spinner} {msg} {bytes} read, {bytes_per_sec}",
                };
                if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                    b.set_style(style.progress_chars("=> "));
                }
                b.set_message(what);
                b.reset();
                b.set_length(total.unwrap_or(0));
            }
            Progress::Read(n) => b.set_position(n),
            Progress::Requests(n) => b.inc(n),
        }
    };
    let mut done: Vec<Done> = Vec::new();
    let plots;
    if args.traces.is_empty() {
        let mut inputs = Vec::new();
        for w in workload::builtin() {
            let specs = sizes
                .clone()
                .or(w.sizes)
                .unwrap_or_else(size::default_sizes);
            inputs.push((Trace::from_keys(w.name, w.keys), w.description, specs));
        }
        let names: Vec<&str> = inputs.iter().map(|i| i.0.name.as_str()).collect();
        plots = plot_paths(&args, &names)?;
        for (trace, description, specs) in inputs {
            let unique = trace.unique;
            let mut entries = Vec::new();
            if let Some(spec) = specs.iter().find(|s| s.is_bytes()) {
                return Err(usage(format!(
                    "{}: size {spec} is in bytes, but the built-in workloads carry no object sizes; give entries (1000) or a percentage of the distinct keys (10%)",
                    trace.name
                )));
            }
            for spec in &specs {
                match spec.resolve(unique) {
                    0 => {
                        return Err(usage(format!(
                            "{}: size {spec} of {unique} distinct keys rounds down to 0",
                            trace.name
                        )));
                    }
                    s => entries.push(s),
                }
            }
            if args.warmup >= trace.keys.len() {
                return Err(usage(format!(
                    "{}: --warmup {} leaves no request to count ({} requests)",
                    trace.name,
                    args.warmup,
                    trace.keys.len()
                )));
            }
            progress(Progress::Pass {
                what: "replaying workload",
                total: Some((trace.keys.len() * entries.len() * policies.len()) as u64),
            });
            let inc = |n: u64| progress(Progress::Requests(n));
            let outcomes = replay::run(
                &trace.name,
                &trace.keys,
                &policies,
                &entries,
                run_opts,
                &inc,
            )
            .map_err(|e| usage(e.to_string()))?;
            done.push(Done {
                requests: trace.keys.len(),
                unique,
                source: description.to_string(),
                plot_name: trace.name.clone(),
                name: trace.name,
                specs,
                outcomes,
                unique_bytes: None,
            });
        }
    } else {
        let names: Vec<String> = args.traces.iter().map(|p| plot_stem(p)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        plots = plot_paths(&args, &names)?;
        let specs = sizes.clone().unwrap_or_else(size::default_sizes);
        for path in &args.traces {
            // The guess is said once the trace is read: an error stays the one line on stderr.
            let mut guessed = None;
            let mut say = |s: &parser::stream::TraceStream| {
                guessed = s
                    .guessed()
                    .map(|why| format!("evict-sim: {}: format {} ({why})", s.name(), s.format()));
            };
            let r = pipeline::replay_stream(
                path, &opts, &policies, &specs, run_opts, &progress, &mut say,
            )?;
            if let Some(line) = guessed {
                match &bar {
                    Some(b) => b.suspend(|| eprintln!("{line}")),
                    None => eprintln!("{line}"),
                }
            }
            done.push(Done {
                name: path.display().to_string(),
                requests: usize::try_from(r.requests).unwrap_or(usize::MAX),
                unique: r.unique,
                source: r.format.to_string(),
                specs: specs.clone(),
                plot_name: plot_stem(path),
                outcomes: r.outcomes,
                unique_bytes: r.unique_bytes,
            });
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        for d in &done {
            report::write_json(&mut out, &d.outcomes).map_err(write_failed)?;
        }
    } else if args.csv {
        let bytes = done.iter().any(|d| d.unique_bytes.is_some());
        for (i, d) in done.iter().enumerate() {
            report::write_csv_columns(&mut out, &d.outcomes, i == 0, bytes)
                .map_err(write_failed)?;
        }
    } else {
        for (i, d) in done.iter().enumerate() {
            if i > 0 {
                writeln!(out).map_err(write_failed)?;
            }
            let summary = TraceSummary {
                name: d.name.clone(),
                requests: d.requests,
                unique: d.unique,
                source: d.source.clone(),
            };
            let labels: Vec<String> = d.specs.iter().map(ToString::to_string).collect();
            if let Some(unique_bytes) = d.unique_bytes {
                write!(
                    out,
                    "{}",
                    report::table_bytes(&summary, unique_bytes, &labels, &d.outcomes)
                )
                .map_err(write_failed)?;
                if args.warmup == 0
                    && let Some(line) = report::answer_bytes(
                        &d.outcomes,
                        &labels,
                        d.requests,
                        d.unique,
                        args.target / 100.0,
                    )
                {
                    writeln!(out, "{line}").map_err(write_failed)?;
                }
                continue;
            }
            write!(out, "{}", report::table(&summary, &labels, &d.outcomes))
                .map_err(write_failed)?;
            // With a warm-up the unbounded cache's hits are not known: no answer then.
            if args.warmup == 0
                && let Some(line) = report::answer(
                    &d.outcomes,
                    &labels,
                    d.requests,
                    d.unique,
                    args.target / 100.0,
                )
            {
                writeln!(out, "{line}").map_err(write_failed)?;
            }
        }
    }
    out.flush().map_err(write_failed)?;

    for (path, d) in plots.iter().zip(&done) {
        let title = format!(
            "{}: {} requests, {} distinct keys",
            d.plot_name, d.requests, d.unique
        );
        if d.unique_bytes.is_some() {
            report::plot_bytes(path, &title, &d.outcomes, byte_plot)
        } else {
            report::plot(path, &title, &d.outcomes)
        }
        .map_err(|e| Failure::Error(ErrorKind::Data, e))?;
        if args.json || args.csv {
            eprintln!("evict-sim: plot written to {}", path.display());
        } else {
            writeln!(out, "plot: {}", path.display()).map_err(write_failed)?;
        }
    }
    Ok(())
}

/// The read options of `mrc` and `analyze`, checked as the replay checks them.
fn read_options(
    format: &str,
    compression: &str,
    column: &Option<String>,
    max_requests: Option<usize>,
    traces: &[PathBuf],
) -> Result<ReadOptions, Failure> {
    let format = match format {
        "auto" => None,
        f => Some(f.parse::<Format>().map_err(usage)?),
    };
    let compression = match compression {
        "auto" => None,
        c => Some(c.parse::<Compression>().map_err(usage)?),
    };
    if let Some(n) = max_requests
        && !(1..=MAX_REQUESTS).contains(&n)
    {
        return Err(usage(format!(
            "--max-requests {n}: expected 1 to {MAX_REQUESTS}"
        )));
    }
    if let (Some(f), Some(_)) = (format, column)
        && f != Format::Csv
    {
        return Err(usage(format!(
            "--column applies to CSV traces only, not --format {f}"
        )));
    }
    let stdin = Path::new(parser::STDIN);
    if traces.iter().filter(|p| *p == stdin).count() > 1 {
        return Err(usage(
            "standard input (-) can be read once only, and is named twice",
        ));
    }
    Ok(ReadOptions {
        format,
        compression,
        column: column.clone(),
        max_requests,
        ..ReadOptions::default()
    })
}

/// `evict-sim analyze`: each trace's analysis, then the report.
fn run_analyze(args: AnalyzeArgs) -> Result<(), Failure> {
    let opts = read_options(
        &args.format,
        &args.compression,
        &args.column,
        args.max_requests,
        &args.traces,
    )?;
    // Plot paths are checked before anything is read, as the replay does.
    let names: Vec<String> = args.traces.iter().map(|p| plot_stem(p)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let plots = plot_files(&args.plot, true, false, Path::new("."), &names)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {bytes} of {total_bytes}, eta {eta}",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b
    });
    let progress = |p: Progress| {
        let Some(b) = &bar else { return };
        match p {
            Progress::Pass { what, total } => {
                b.set_message(what);
                b.reset();
                b.set_length(total.unwrap_or(0));
            }
            Progress::Read(n) => b.set_position(n),
            Progress::Requests(n) => b.inc(n),
        }
    };
    let mut all = Vec::new();
    for path in &args.traces {
        let mut guessed = None;
        let mut say = |s: &parser::stream::TraceStream| {
            guessed = s
                .guessed()
                .map(|why| format!("evict-sim: {}: format {} ({why})", s.name(), s.format()));
        };
        let a = pipeline::analyze_stream(path, &opts, RunOptions::default(), &progress, &mut say)?;
        if let Some(line) = guessed {
            match &bar {
                Some(b) => b.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
        all.push(a);
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (i, a) in all.iter().enumerate() {
        if args.json {
            serde_json::to_writer(&mut out, a).map_err(|e| write_failed(e.into()))?;
            writeln!(out).map_err(write_failed)?;
            continue;
        }
        if i > 0 {
            writeln!(out).map_err(write_failed)?;
        }
        let pct = |x: f64| format!("{:.2}%", 100.0 * x);
        let keys = a.unique_keys.max(1) as f64;
        let text = format!(
            "{} ({})\n\
             requests               {}\n\
             distinct keys          {}\n\
             compulsory miss ratio  {}\n\
             one-hit wonders        {} ({} of keys)\n\
             two-hit wonders        {} ({} of keys)\n\
             top 1% of keys         {} of requests (busiest key: {} requests)\n\
             Zipf alpha             {:.3} (R^2 {:.3}, least squares on log rank / log requests)\n\
             LRU stack distance     (at most N: requests)\n",
            a.trace,
            a.format,
            a.requests,
            a.unique_keys,
            pct(a.compulsory_miss_ratio),
            a.one_hit_wonders,
            pct(a.one_hit_wonders as f64 / keys),
            a.two_hit_wonders,
            pct(a.two_hit_wonders as f64 / keys),
            pct(a.top_1pct_share),
            a.max_key_requests,
            a.zipf_alpha,
            a.zipf_r2,
        );
        write!(out, "{text}").map_err(write_failed)?;
        for (upper, n) in &a.stack_distances {
            writeln!(out, "  <= {upper:>12}  {n}").map_err(write_failed)?;
        }
        writeln!(out, "  first requests   {}", a.compulsory_misses).map_err(write_failed)?;
        writeln!(
            out,
            "working set            (requests: distinct keys so far)"
        )
        .map_err(write_failed)?;
        let step = a.working_set.len().div_ceil(8).max(1);
        for (j, (t, d)) in a.working_set.iter().enumerate() {
            if j % step == 0 || j + 1 == a.working_set.len() {
                writeln!(out, "  {t:>14}  {d}").map_err(write_failed)?;
            }
        }
    }
    out.flush().map_err(write_failed)?;
    for (plot, (path, a)) in plots.iter().zip(args.traces.iter().zip(&all)) {
        // LRU's hits at N entries are the requests of stack distance at most N: the
        // histogram's buckets summed up to N.
        let mut hits = 0;
        let outcomes: Vec<Outcome> = a
            .stack_distances
            .iter()
            .map(|&(upper, n)| {
                hits += n;
                let size = usize::try_from(upper).unwrap_or(usize::MAX);
                Outcome {
                    trace: a.trace.clone(),
                    policy: "lru".to_string(),
                    size,
                    requested: size,
                    requests: a.requests,
                    hits,
                    misses: a.requests - hits,
                    hit_ratio: if a.requests == 0 {
                        0.0
                    } else {
                        hits as f64 / a.requests as f64
                    },
                    seconds: 0.0,
                    unique_keys: usize::try_from(a.unique_keys).unwrap_or(usize::MAX),
                    bytes: None,
                }
            })
            .collect();
        let title = format!(
            "{}: {} requests, {} distinct keys, LRU (stack distances)",
            plot_stem(path),
            a.requests,
            a.unique_keys
        );
        report::plot_curves(plot, &title, &outcomes)
            .map_err(|e| Failure::Error(ErrorKind::Data, e))?;
        eprintln!("evict-sim: plot written to {}", plot.display());
    }
    Ok(())
}

/// `evict-sim mrc`: the curve of each trace, then the report, as the replay does.
fn run_mrc(args: MrcArgs) -> Result<(), Failure> {
    let method: mrc::Method = args.method.parse().map_err(usage)?;
    if method == mrc::Method::Exact && args.salt.is_some() {
        return Err(usage("--salt needs --method shards or mini"));
    }
    if method != mrc::Method::Shards && args.hot_keys.is_some() {
        return Err(usage("--hot-keys needs --method shards"));
    }
    if method != mrc::Method::Mini && args.min_entries.is_some() {
        return Err(usage("--min-entries needs --method mini"));
    }
    let mini_control = match args.control.as_deref() {
        Some(_) if method != mrc::Method::Mini => {
            return Err(usage("--control needs --method mini"));
        }
        None | Some("exact") => true,
        Some("none") => false,
        Some(other) => {
            return Err(usage(format!("--control {other}: expected exact or none")));
        }
    };
    let sampling = match (method, args.rate, args.samples) {
        (mrc::Method::Mini, _, Some(_)) => return Err(usage("--samples needs --method shards")),
        (mrc::Method::Mini, ..) => None,
        (mrc::Method::Exact, None, None) => None,
        (mrc::Method::Exact, ..) => {
            return Err(usage("--rate and --samples need --method shards"));
        }
        (mrc::Method::Shards, _, Some(0)) => return Err(usage("--samples must be at least 1")),
        (mrc::Method::Shards, _, Some(n)) => Some(evict_sim::shards::Sampling::Size(n)),
        (mrc::Method::Shards, r, None) => {
            let r = r.unwrap_or(0.01);
            if !(r > 0.0 && r <= 1.0) {
                return Err(usage(format!(
                    "--rate {r}: expected more than 0, at most 1"
                )));
            }
            Some(evict_sim::shards::Sampling::Rate(r))
        }
    };
    let mini_rate = args.rate.unwrap_or(0.1);
    if method == mrc::Method::Mini && !(mini_rate > 0.0 && mini_rate <= 1.0) {
        return Err(usage(format!(
            "--rate {mini_rate}: expected more than 0, at most 1"
        )));
    }
    let policies: Vec<String> = match &args.policies {
        Some(p) => p.iter().map(|s| s.trim().to_string()).collect(),
        None if method == mrc::Method::Mini => evict_sim::registry::POLICIES
            .iter()
            .map(|p| p.to_string())
            .collect(),
        None => vec!["lru".to_string()],
    };
    let policies = if method == mrc::Method::Mini {
        evict_sim::replay::order_policies(&policies).map_err(|e| usage(e.to_string()))?
    } else {
        policies
    };
    if let Some(p) = &args.policies
        && method != mrc::Method::Mini
        && let Some(other) = p.iter().map(|s| s.trim()).find(|s| *s != "lru")
    {
        return Err(usage(format!(
            "--method {}: policy '{other}' is not available (only lru)",
            method.name()
        )));
    }
    let format = match args.format.as_str() {
        "auto" => None,
        f => Some(f.parse::<Format>().map_err(usage)?),
    };
    let compression = match args.compression.as_str() {
        "auto" => None,
        c => Some(c.parse::<Compression>().map_err(usage)?),
    };
    let sizes = args
        .sizes
        .as_deref()
        .map(size::parse_sizes)
        .transpose()
        .map_err(usage)?
        .unwrap_or_default();
    if args.points < 2 {
        return Err(usage("--points must be at least 2"));
    }
    if let Some(n) = args.max_requests
        && !(1..=MAX_REQUESTS).contains(&n)
    {
        return Err(usage(format!(
            "--max-requests {n}: expected 1 to {MAX_REQUESTS}"
        )));
    }
    if let (Some(f), Some(_)) = (format, &args.column)
        && f != Format::Csv
    {
        return Err(usage(format!(
            "--column applies to CSV traces only, not --format {f}"
        )));
    }
    let stdin = Path::new(parser::STDIN);
    if args.traces.iter().filter(|p| *p == stdin).count() > 1 {
        return Err(usage(
            "standard input (-) can be read once only, and is named twice",
        ));
    }
    if let (Some(f), Some(_)) = (format, &args.size_column)
        && f != Format::Csv
    {
        return Err(usage(format!(
            "--size-column applies to CSV traces only, not --format {f}"
        )));
    }
    if args.size_column.is_some() && (args.ignore_obj_size || method != mrc::Method::Exact) {
        return Err(usage(
            "--size-column makes a curve in bytes: it needs --method exact and no --ignore-obj-size",
        ));
    }
    let byte_plot = match args.plot_ratio.as_str() {
        "object" => false,
        "byte" => true,
        r => {
            return Err(usage(format!("--plot-ratio {r}: expected object or byte")));
        }
    };
    let opts = ReadOptions {
        format,
        compression,
        column: args.column.clone(),
        max_requests: args.max_requests,
        size_column: args.size_column.clone(),
        object_sizes: !args.ignore_obj_size && method == mrc::Method::Exact,
    };
    let names: Vec<String> = args.traces.iter().map(|p| plot_stem(p)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let plots = plot_files(&args.plot, true, false, Path::new("."), &names)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {bytes} of {total_bytes}, eta {eta}",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b
    });
    let progress = |p: Progress| {
        let Some(b) = &bar else { return };
        match p {
            Progress::Pass { what, total } => {
                b.set_message(what);
                b.reset();
                b.set_length(total.unwrap_or(0));
            }
            Progress::Read(n) => b.set_position(n),
            Progress::Requests(n) => b.inc(n),
        }
    };
    let run_opts = RunOptions {
        threads: 1,
        warmup: args.warmup,
        salt: args.salt.unwrap_or(evict_sim::shards::DEFAULT_SALT),
        hot_keys: args.hot_keys.unwrap_or(evict_sim::shards::HOT_KEYS),
        mini_min_entries: args
            .min_entries
            .unwrap_or(evict_sim::pipeline::MINI_MIN_ENTRIES),
        mini_control,
    };
    let mut curves = Vec::new();
    for path in &args.traces {
        let mut guessed = None;
        let mut say = |s: &parser::stream::TraceStream| {
            guessed = s
                .guessed()
                .map(|why| format!("evict-sim: {}: format {} ({why})", s.name(), s.format()));
        };
        let (points, requests, format) = if method == mrc::Method::Mini {
            // Sizes before the pass: the replay's default sizes when none are given.
            let specs = if sizes.is_empty() {
                size::default_sizes()
            } else {
                sizes.clone()
            };
            let r = pipeline::mini_stream(
                path,
                &opts,
                &policies,
                &specs,
                mini_rate,
                // The caches spread over every core; warm-up and salt as asked.
                RunOptions {
                    threads: RunOptions::default().threads,
                    ..run_opts
                },
                &progress,
                &mut say,
            )?;
            let points = r
                .outcomes
                .iter()
                .map(|o| {
                    let rate = pipeline::mini_rate(mini_rate, o.size, run_opts.mini_min_entries);
                    mrc::Point::mini(o, rate)
                })
                .collect();
            (points, r.requests, r.format)
        } else {
            pipeline::mrc_stream(
                path,
                &opts,
                sampling,
                &sizes,
                args.points,
                run_opts,
                &progress,
                &mut say,
            )?
        };
        if let Some(line) = guessed {
            match &bar {
                Some(b) => b.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
        curves.push((path, points, requests, format));
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        for (_, points, ..) in &curves {
            for p in points {
                serde_json::to_writer(&mut out, p)
                    .map_err(|e| write_failed(std::io::Error::from(e)))?;
                writeln!(out).map_err(write_failed)?;
            }
        }
    } else if args.csv {
        let mut w = csv::Writer::from_writer(&mut out);
        for (_, points, ..) in &curves {
            for p in points {
                w.serialize(p)
                    .map_err(|e| write_failed(std::io::Error::other(e)))?;
            }
        }
        w.flush().map_err(write_failed)?;
    } else {
        for (i, (path, points, requests, format)) in curves.iter().enumerate() {
            if i > 0 {
                writeln!(out).map_err(write_failed)?;
            }
            let unique = points.first().map_or(0, |p| p.unique_keys);
            let in_bytes = points.first().and_then(|p| p.unique_bytes);
            writeln!(
                out,
                "{}: {requests} requests, {unique} distinct keys{}{} ({format}); {}{} ({:.2} s)",
                path.display(),
                in_bytes.map_or(String::new(), |b| format!(", {b} distinct bytes, in bytes")),
                if sampling.is_some() {
                    " (estimated)"
                } else {
                    ""
                },
                method.name(),
                points
                    .first()
                    .filter(|_| sampling.is_some())
                    .map_or(String::new(), |p| format!(" at rate {:.6}", p.sample_rate)),
                points.first().map_or(0.0, |p| p.seconds),
            )
            .map_err(write_failed)?;
            if in_bytes.is_some() {
                writeln!(
                    out,
                    "{:<9} {:>14} {:>12} {:>9} {:>16} {:>14}",
                    "policy", "size (bytes)", "hits", "hit ratio", "bytes hit", "byte hit ratio"
                )
                .map_err(write_failed)?;
                for p in points {
                    writeln!(
                        out,
                        "{:<9} {:>14} {:>12} {:>8.2}% {:>16} {:>13.2}%",
                        p.policy,
                        p.size,
                        p.hits,
                        100.0 * p.hit_ratio,
                        p.bytes_hit.unwrap_or(0),
                        100.0 * p.byte_hit_ratio.unwrap_or(0.0)
                    )
                    .map_err(write_failed)?;
                }
                continue;
            }
            writeln!(
                out,
                "{:<9} {:>12} {:>14} {:>9}",
                "policy", "size", "hits", "hit ratio"
            )
            .map_err(write_failed)?;
            for p in points {
                writeln!(
                    out,
                    "{:<9} {:>12} {:>14} {:>8.2}%",
                    p.policy,
                    p.size,
                    p.hits,
                    100.0 * p.hit_ratio
                )
                .map_err(write_failed)?;
            }
        }
    }
    out.flush().map_err(write_failed)?;
    for (plot, (path, points, requests, _)) in plots.iter().zip(&curves) {
        let outcomes: Vec<Outcome> = points.iter().map(mrc::Point::outcome).collect();
        let unique = points.first().map_or(0, |p| p.unique_keys);
        let what = match method {
            mrc::Method::Mini => format!("miniature simulations at {mini_rate}"),
            m => format!("LRU ({})", m.name()),
        };
        let title = format!(
            "{}: {requests} requests, {unique} distinct keys, {what}",
            plot_stem(path)
        );
        if points.first().is_some_and(|p| p.unique_bytes.is_some()) {
            report::plot_curves_bytes(plot, &title, &outcomes, byte_plot)
        } else {
            report::plot_curves(plot, &title, &outcomes)
        }
        .map_err(|e| Failure::Error(ErrorKind::Data, e))?;
        eprintln!("evict-sim: plot written to {}", plot.display());
    }
    Ok(())
}

/// The plot files of a run, one per input named `names` (in order), each checked before
/// anything is read or replayed: `--plot FILE` for one trace, `FILE-<name>.svg` beside it for
/// several, `<plot-dir>/<name>.svg` for the built-in workloads, none with `--no-plot`. Two
/// inputs of the same name (`a/t.txt`, `b/t.txt`) get `-2`, `-3`, … so that no plot replaces
/// another. Creates the missing folders and checks that each file can be written.
fn plot_paths(args: &Args, names: &[&str]) -> Result<Vec<PathBuf>, Failure> {
    plot_files(
        &args.plot,
        args.no_plot,
        args.traces.is_empty(),
        &args.plot_dir,
        names,
    )
}

/// [`plot_paths`] from its parts (also for `evict-sim mrc`, which has no workloads).
fn plot_files(
    plot: &Option<PathBuf>,
    no_plot: bool,
    workloads: bool,
    plot_dir: &Path,
    names: &[&str],
) -> Result<Vec<PathBuf>, Failure> {
    let wanted: Vec<PathBuf> = match (plot, no_plot, workloads) {
        (Some(file), _, _) if names.len() == 1 => vec![file.clone()],
        (Some(file), _, _) => {
            let stem = file
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            names
                .iter()
                .map(|n| file.with_file_name(format!("{stem}-{n}.svg")))
                .collect()
        }
        (None, false, true) => names
            .iter()
            .map(|n| plot_dir.join(format!("{n}.svg")))
            .collect(),
        _ => return Ok(Vec::new()),
    };
    let mut paths: Vec<PathBuf> = Vec::with_capacity(wanted.len());
    for path in wanted {
        let mut unique = path.clone();
        let mut n = 2;
        while paths.contains(&unique) {
            let stem = path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            unique = path.with_file_name(format!("{stem}-{n}.svg"));
            n += 1;
        }
        check_plot_path(&unique)?;
        paths.push(unique);
    }
    Ok(paths)
}

/// Makes sure a plot can be written at `path`: its folder exists or is created (a regular
/// file in the way is named as such), `path` is no folder, and a file can be created there.
fn check_plot_path(path: &Path) -> Result<(), Failure> {
    let shown = path.display();
    if path.is_dir() {
        return Err(usage(format!(
            "--plot {shown}: is a directory; give a file name such as {}",
            path.join("hit-ratio.svg").display()
        )));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Some(blocker) = dir
        .ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.exists())
        .filter(|a| !a.is_dir())
    {
        return Err(usage(format!(
            "--plot {shown}: {} is not a directory",
            blocker.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        usage(format!(
            "--plot {shown}: cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| usage(format!("--plot {shown}: cannot write: {e}")))?;
    if !existed {
        // Only a probe: the plot is written after the replay. Failing to remove it is
        // harmless (the plot overwrites it).
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// A file-name-safe name for a trace's plot: its file name (`stdin` for `-`), other
/// characters as `-`.
fn plot_stem(path: &Path) -> String {
    if path == Path::new(parser::STDIN) {
        return "stdin".to_string();
    }
    let name = path
        .file_name()
        .map_or_else(|| "trace".to_string(), |n| n.to_string_lossy().into_owned());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
