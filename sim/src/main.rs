//! `evict-sim`: which cache policy wins on your workload, with Bélády's optimum as the
//! ceiling. A thin command line over the `evict_sim` library; see its README.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use evict_sim::parser::{self, Compression, ErrorKind, Format, MAX_REQUESTS, ReadOptions, Trace};
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

    /// The most requests a trace may expand to; input is limited to 64 bytes per request
    /// [default: available memory / 128 bytes].
    #[arg(long, value_name = "N")]
    max_requests: Option<usize>,

    /// Comma-separated policies [default: every registry policy, then opt].
    #[arg(short, long, value_name = "P,...", value_delimiter = ',')]
    policies: Option<Vec<String>>,

    /// Comma-separated cache sizes: entries (1000) or percent of distinct keys, rounded down
    /// (10%) [default: 1%,5%,10%,20%].
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

/// One trace to replay and how to show it.
struct Input {
    trace: Trace,
    source: String,
    specs: Vec<SizeSpec>,
    sizes: Vec<usize>,
    plot_name: String,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => return clap_failure(&e),
    };
    match run(args) {
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
    let opts = ReadOptions {
        format,
        compression,
        column: args.column.clone(),
        max_requests: args.max_requests,
    };

    // Check every plot path, read and check everything before replaying anything: no
    // partial report, and no replay thrown away for a plot that cannot be written.
    let mut inputs = Vec::new();
    let plots;
    if args.traces.is_empty() {
        for w in workload::builtin() {
            let specs = sizes
                .clone()
                .or(w.sizes)
                .unwrap_or_else(size::default_sizes);
            inputs.push(Input {
                trace: Trace::from_keys(w.name, w.keys),
                source: w.description.to_string(),
                specs,
                sizes: Vec::new(),
                plot_name: w.name.to_string(),
            });
        }
        let names: Vec<&str> = inputs.iter().map(|i| i.plot_name.as_str()).collect();
        plots = plot_paths(&args, &names)?;
    } else {
        let names: Vec<String> = args.traces.iter().map(|p| plot_stem(p)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        plots = plot_paths(&args, &names)?;
        for path in &args.traces {
            let trace = parser::read_trace(path, &opts)?;
            let format = trace.format.map_or("?", Format::name);
            if let Some(why) = &trace.guessed {
                eprintln!("evict-sim: {}: format {format} ({why})", trace.name);
            }
            inputs.push(Input {
                source: format.to_string(),
                specs: sizes.clone().unwrap_or_else(size::default_sizes),
                sizes: Vec::new(),
                plot_name: plot_stem(path),
                trace,
            });
        }
    }
    for input in &mut inputs {
        let unique = input.trace.unique;
        for spec in &input.specs {
            let s = spec.resolve(unique);
            if s == 0 {
                return Err(usage(format!(
                    "{}: size {spec} of {unique} distinct keys rounds down to 0",
                    input.trace.name
                )));
            }
            input.sizes.push(s);
        }
        if args.warmup >= input.trace.keys.len() {
            return Err(usage(format!(
                "{}: --warmup {} leaves no request to count ({} requests)",
                input.trace.name,
                args.warmup,
                input.trace.keys.len()
            )));
        }
    }

    let total: u64 = inputs
        .iter()
        .map(|i| (i.trace.keys.len() * i.sizes.len() * policies.len()) as u64)
        .sum();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} replaying [{bar:40}] {percent}% of {human_len} requests, eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let run_opts = RunOptions {
        threads,
        warmup: args.warmup,
    };
    let mut results: Vec<Vec<Outcome>> = Vec::new();
    for input in &inputs {
        let out = replay::run(
            &input.trace.name,
            &input.trace.keys,
            &policies,
            &input.sizes,
            run_opts,
            &progress,
        )
        .map_err(|e| usage(e.to_string()))?;
        results.push(out);
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        for r in &results {
            report::write_json(&mut out, r).map_err(write_failed)?;
        }
    } else if args.csv {
        for (i, r) in results.iter().enumerate() {
            report::write_csv(&mut out, r, i == 0).map_err(write_failed)?;
        }
    } else {
        for (i, (input, r)) in inputs.iter().zip(&results).enumerate() {
            if i > 0 {
                writeln!(out).map_err(write_failed)?;
            }
            let summary = TraceSummary {
                name: input.trace.name.clone(),
                requests: input.trace.keys.len(),
                unique: input.trace.unique,
                source: input.source.clone(),
            };
            let labels: Vec<String> = input.specs.iter().map(ToString::to_string).collect();
            write!(out, "{}", report::table(&summary, &labels, r)).map_err(write_failed)?;
        }
    }
    out.flush().map_err(write_failed)?;

    for ((path, input), r) in plots.iter().zip(&inputs).zip(&results) {
        let title = format!(
            "{}: {} requests, {} distinct keys",
            input.plot_name,
            input.trace.keys.len(),
            input.trace.unique
        );
        report::plot(path, &title, r).map_err(|e| Failure::Error(ErrorKind::Data, e))?;
        if args.json || args.csv {
            eprintln!("evict-sim: plot written to {}", path.display());
        } else {
            writeln!(out, "plot: {}", path.display()).map_err(write_failed)?;
        }
    }
    Ok(())
}

/// The plot files of a run, one per input named `names` (in order), each checked before
/// anything is read or replayed: `--plot FILE` for one trace, `FILE-<name>.svg` beside it for
/// several, `<plot-dir>/<name>.svg` for the built-in workloads, none with `--no-plot`. Two
/// inputs of the same name (`a/t.txt`, `b/t.txt`) get `-2`, `-3`, … so that no plot replaces
/// another. Creates the missing folders and checks that each file can be written.
fn plot_paths(args: &Args, names: &[&str]) -> Result<Vec<PathBuf>, Failure> {
    let wanted: Vec<PathBuf> = match (&args.plot, args.no_plot, args.traces.is_empty()) {
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
            .map(|n| args.plot_dir.join(format!("{n}.svg")))
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
