//! `evict-sim`: which cache policy wins on your workload, with Bélády's optimum as the
//! ceiling. A thin command line over the `evict_sim` library; see its README.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use evict_sim::parser::{self, Compression, ErrorKind, Format, ReadOptions, Trace};
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
/// missing file), 1 for bad data (malformed line, truncated record, broken compression).
#[derive(Debug, Parser)]
#[command(name = "evict-sim", version)]
struct Args {
    /// Trace files (.gz, .xz, .zst are decompressed). None: the built-in workloads.
    traces: Vec<PathBuf>,

    /// Trace format: auto, lines, csv, arc, i32be, u32le, i64be, oracle-general.
    #[arg(short, long, default_value = "auto", value_name = "F")]
    format: String,

    /// Compression: auto (by extension, then magic number), none, gz, xz, zst.
    #[arg(long, default_value = "auto", value_name = "C")]
    compression: String,

    /// The key column of a CSV trace.
    #[arg(long, value_name = "NAME")]
    column: Option<String>,

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

/// A failure: the message (one line) and the exit status.
struct Failure(ErrorKind, String);

impl From<parser::TraceError> for Failure {
    fn from(e: parser::TraceError) -> Self {
        Failure(e.kind(), e.to_string())
    }
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure(ErrorKind::Usage, msg.into())
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
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(kind, msg)) => {
            eprintln!("evict-sim: error: {msg}");
            ExitCode::from(match kind {
                ErrorKind::Usage => 2,
                ErrorKind::Data => 1,
            })
        }
    }
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
    let opts = ReadOptions {
        format,
        compression,
        column: args.column.clone(),
    };

    // Read and check everything before replaying anything: no partial report.
    let mut inputs = Vec::new();
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
    } else {
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
    let io_fail =
        |e: std::io::Error| Failure(ErrorKind::Data, format!("cannot write the report: {e}"));
    if args.json {
        for r in &results {
            report::write_json(&mut out, r).map_err(io_fail)?;
        }
    } else if args.csv {
        for (i, r) in results.iter().enumerate() {
            report::write_csv(&mut out, r, i == 0).map_err(io_fail)?;
        }
    } else {
        for (i, (input, r)) in inputs.iter().zip(&results).enumerate() {
            if i > 0 {
                writeln!(out).map_err(io_fail)?;
            }
            let summary = TraceSummary {
                name: input.trace.name.clone(),
                requests: input.trace.keys.len(),
                unique: input.trace.unique,
                source: input.source.clone(),
            };
            let labels: Vec<String> = input.specs.iter().map(ToString::to_string).collect();
            write!(out, "{}", report::table(&summary, &labels, r)).map_err(io_fail)?;
        }
    }
    out.flush().map_err(io_fail)?;

    let plots: Vec<PathBuf> = match (&args.plot, args.no_plot, args.traces.is_empty()) {
        (Some(file), _, _) if inputs.len() == 1 => vec![file.clone()],
        (Some(file), _, _) => inputs
            .iter()
            .map(|i| {
                let stem = file
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
                file.with_file_name(format!("{stem}-{}.svg", i.plot_name))
            })
            .collect(),
        (None, false, true) => inputs
            .iter()
            .map(|i| args.plot_dir.join(format!("{}.svg", i.plot_name)))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(dir) = plots
        .first()
        .and_then(|p| p.parent())
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            usage(format!(
                "{}: cannot create the plot directory: {e}",
                dir.display()
            ))
        })?;
    }
    for ((path, input), r) in plots.iter().zip(&inputs).zip(&results) {
        let title = format!(
            "{}: {} requests, {} distinct keys",
            input.plot_name,
            input.trace.keys.len(),
            input.trace.unique
        );
        report::plot(path, &title, r).map_err(|e| Failure(ErrorKind::Usage, e))?;
        if args.json || args.csv {
            eprintln!("evict-sim: plot written to {}", path.display());
        } else {
            writeln!(out, "plot: {}", path.display()).map_err(io_fail)?;
        }
    }
    Ok(())
}

/// A file-name-safe name for a trace's plot: its file name, other characters as `-`.
fn plot_stem(path: &Path) -> String {
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
