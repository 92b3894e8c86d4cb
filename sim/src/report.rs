//! Reports: the text table, JSON lines, CSV and SVG plots of a run's [`Outcome`]s.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::replay::{BELADY_SIZE, OPT, OPT_FILL, Outcome, PFOO_L};
use crate::size::human_bytes;

/// What a table is about: the trace's name, request and key counts, and how it was read.
#[derive(Clone, Debug, Default)]
pub struct TraceSummary {
    /// The trace's name, as in [`Outcome::trace`].
    pub name: String,
    /// Requests in the trace (warm-up included).
    pub requests: usize,
    /// Distinct keys.
    pub unique: usize,
    /// The format, or a workload's description.
    pub source: String,
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn is_opt(policy: &str) -> bool {
    policy == OPT || policy == OPT_FILL || policy == PFOO_L || policy == BELADY_SIZE
}

/// The text table of one trace: a row per policy (in the order of `outcomes`), a column per
/// size with hit ratios in percent, `*` on the best policy at each size (`opt` excluded: it is
/// the ceiling), and each policy's throughput in million requests per second.
///
/// `labels` names the size columns (e.g. `10%`); `outcomes` are this trace's results, policy
/// by policy, sizes in the order of `labels`.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{run, RunOptions};
/// use evict_sim::report::{table, TraceSummary};
///
/// let keys = [1, 2, 1, 3, 1, 2];
/// let policies = ["lru".to_string(), "opt".to_string()];
/// let out = run("t", &keys, &policies, &[2], RunOptions::default(), &|_| ()).unwrap();
/// let summary = TraceSummary { name: "t".into(), requests: 6, unique: 3, source: "test".into() };
/// let text = table(&summary, &["2".to_string()], &out);
/// assert!(text.contains("lru"), "{text}");
/// assert!(text.lines().any(|l| l.starts_with("opt")), "{text}");
/// ```
pub fn table(summary: &TraceSummary, labels: &[String], outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} requests, {} distinct keys ({})",
        summary.name,
        thousands(summary.requests),
        thousands(summary.unique),
        summary.source
    );
    grid(&mut out, labels, outcomes, thousands, |o| {
        (o.hits, o.hit_ratio)
    });
    let _ = writeln!(
        out,
        "hit ratio = hits / requests; * best policy at that size (opt excluded); \
         opt = Bélády's optimum, the ceiling"
    );
    for o in outcomes.iter().filter(|o| o.size < o.requested) {
        let _ = writeln!(
            out,
            "note: {} holds at most {} entries, so it ran at that size in the column {}",
            o.policy,
            thousands(o.size),
            thousands(o.requested)
        );
    }
    let sizes: Vec<usize> = outcomes
        .iter()
        .take(labels.len())
        .map(|o| o.requested)
        .collect();
    for (i, &s) in sizes.iter().enumerate() {
        if s >= summary.unique {
            let _ = writeln!(
                out,
                "note: size {} ({}) >= {} distinct keys: nothing is ever evicted",
                labels[i],
                thousands(s),
                thousands(summary.unique)
            );
        }
    }
    out
}

/// The text table of a trace replayed in bytes: the object hit ratio (hits / requests)
/// then the byte hit ratio (bytes hit / bytes requested), a row per policy and a column
/// per cache size (in bytes), `*` on the best policy at each size (`pfoo-l`, the bound,
/// excluded). `unique_bytes` is the trace's distinct bytes.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{ByteCounts, Outcome};
/// use evict_sim::report::{table_bytes, TraceSummary};
///
/// let o = Outcome {
///     trace: "t".into(), policy: "lru".into(), size: 1 << 20, requested: 1 << 20,
///     requests: 10, hits: 4, misses: 6, hit_ratio: 0.4, seconds: 0.0, unique_keys: 5,
///     bytes: Some(ByteCounts::new(1000, 250, 4 << 20)),
/// };
/// let summary = TraceSummary { name: "t".into(), requests: 10, unique: 5, source: "csv".into() };
/// let text = table_bytes(&summary, 4 << 20, &["25%".to_string()], &[o]);
/// assert!(text.contains("object hit ratio"), "{text}");
/// assert!(text.lines().any(|l| l.starts_with("lru") && l.contains("25.00%")), "{text}");
/// ```
pub fn table_bytes(
    summary: &TraceSummary,
    unique_bytes: u64,
    labels: &[String],
    outcomes: &[Outcome],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} requests, {} distinct keys, {} distinct bytes ({}; replayed in bytes)",
        summary.name,
        thousands(summary.requests),
        thousands(summary.unique),
        human_bytes(unique_bytes),
        summary.source
    );
    let bytes = |n: usize| human_bytes(n as u64);
    let _ = writeln!(out, "object hit ratio");
    grid(&mut out, labels, outcomes, bytes, |o| (o.hits, o.hit_ratio));
    let _ = writeln!(out, "byte hit ratio");
    grid(&mut out, labels, outcomes, bytes, |o| {
        o.bytes
            .map_or((0, 0.0), |b| (b.bytes_hit, b.byte_hit_ratio))
    });
    let _ = writeln!(
        out,
        "hit ratio = hits / requests; byte hit ratio = bytes hit / bytes requested; \
         * best policy at that size ({BELADY_SIZE} and {PFOO_L} excluded)"
    );
    if outcomes.iter().any(|o| o.policy == BELADY_SIZE) {
        let _ = writeln!(
            out,
            "{BELADY_SIZE} = libCacheSim's BeladySize heuristic (knows the future; evicts the largest \
             size x time to next use of 128 sampled objects): a lower bound on the optimum, not a policy"
        );
    }
    if outcomes.iter().any(|o| o.policy == PFOO_L) {
        let _ = writeln!(
            out,
            "{PFOO_L} = an upper bound on every policy's hits and bytes hit (PFOO-L, Berger et al., \
             SIGMETRICS 2018), not a policy: with object sizes the exact optimum is NP-hard"
        );
    }
    for (i, o) in outcomes.iter().take(labels.len()).enumerate() {
        if o.requested as u64 >= unique_bytes {
            let _ = writeln!(
                out,
                "note: size {} ({}) >= {} distinct bytes: nothing is ever evicted",
                labels[i],
                human_bytes(o.requested as u64),
                human_bytes(unique_bytes)
            );
        }
    }
    out
}

/// The header rows and a row per policy of `outcomes` (cells: `value`'s ratio; `*` on
/// the largest count of `value` at each size, the bounds excluded), throughput last.
fn grid(
    out: &mut String,
    labels: &[String],
    outcomes: &[Outcome],
    show: impl Fn(usize) -> String,
    value: impl Fn(&Outcome) -> (u64, f64),
) {
    let mut policies: Vec<&str> = Vec::new();
    for o in outcomes {
        if !policies.contains(&o.policy.as_str()) {
            policies.push(&o.policy);
        }
    }
    let sizes: Vec<usize> = outcomes
        .iter()
        .take(labels.len())
        .map(|o| o.requested)
        .collect();
    let cell = |p: &str, i: usize| outcomes.iter().filter(|o| o.policy == p).nth(i);
    let best: Vec<u64> = (0..labels.len())
        .map(|i| {
            policies
                .iter()
                .filter(|p| !is_opt(p))
                .filter_map(|p| cell(p, i).map(|o| value(o).0))
                .max()
                .unwrap_or(u64::MAX)
        })
        .collect();
    let name_w = policies.iter().map(|p| p.len()).max().unwrap_or(0).max(8);
    // A percentage gets its entry count on a second header row; an entry count is shown once.
    let absolute = |i: usize| sizes.get(i).is_some_and(|s| labels[i] == s.to_string());
    let heads: Vec<String> = (0..labels.len())
        .map(|i| {
            if absolute(i) {
                show(sizes[i])
            } else {
                labels[i].clone()
            }
        })
        .collect();
    let subs: Vec<String> = (0..sizes.len())
        .map(|i| {
            if absolute(i) {
                String::new()
            } else {
                show(sizes[i])
            }
        })
        .collect();
    let col_w: Vec<usize> = heads
        .iter()
        .zip(&subs)
        .map(|(h, s)| h.len().max(s.len()).max(8) + 1)
        .collect();

    let _ = write!(out, "{:<name_w$}", "size");
    for (h, w) in heads.iter().zip(&col_w) {
        let _ = write!(out, " {h:>w$}");
    }
    let _ = writeln!(out, " {:>8}", "Mreq/s");
    if subs.iter().any(|s| !s.is_empty()) {
        let _ = write!(out, "{:<name_w$}", "");
        for (s, w) in subs.iter().zip(&col_w) {
            let _ = write!(out, " {s:>w$}");
        }
        let _ = writeln!(out);
    }
    for p in &policies {
        let _ = write!(out, "{p:<name_w$}");
        let (mut reqs, mut secs) = (0u64, 0f64);
        for (i, w) in col_w.iter().enumerate() {
            match cell(p, i) {
                Some(o) => {
                    let (count, ratio) = value(o);
                    let mark = if !is_opt(p) && count == best[i] {
                        "*"
                    } else {
                        " "
                    };
                    let pct = format!("{:.2}%{mark}", 100.0 * ratio);
                    let _ = write!(out, " {pct:>w$}");
                    reqs += o.requests;
                    secs += o.seconds;
                }
                None => {
                    let _ = write!(out, " {:>w$}", "-");
                }
            }
        }
        let mreq = if secs > 0.0 {
            reqs as f64 / secs / 1e6
        } else {
            0.0
        };
        let _ = writeln!(out, " {mreq:>8.1}");
    }
}

/// The answer under a table: the smallest size of the run at which some policy reaches
/// `share` (e.g. 0.9) of the best achievable hit ratio, which policy wins there, and
/// Bélády's ceiling beside it. The best achievable is what an unbounded cache gets: every
/// request but the first of each key hits, `(requests - unique) / requests`. `labels`
/// name the sizes as in [`table`]; `None` when there is no request.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{run, RunOptions};
/// use evict_sim::report::answer;
///
/// let keys = [1, 2, 1, 2, 3, 1, 2, 3];
/// let policies = ["lru".to_string(), "opt".to_string()];
/// let out = run("t", &keys, &policies, &[1, 3], RunOptions::default(), &|_| ()).unwrap();
/// let line = answer(&out, &["1".into(), "3".into()], 8, 3, 0.9).unwrap();
/// assert!(line.starts_with("answer: 3 entries: lru 62.50%"), "{line}");
/// ```
pub fn answer(
    outcomes: &[Outcome],
    labels: &[String],
    requests: usize,
    unique: usize,
    share: f64,
) -> Option<String> {
    answer_in(outcomes, labels, requests, unique, share, false)
}

/// [`answer`] for a replay in bytes: the sizes in bytes, the object hit ratio against the
/// same best achievable (an unbounded cache holds every object), and `belady-size` and
/// `pfoo-l` beside the winner, which bracket the optimum.
///
/// ```
/// use evict_sim::replay::{ByteCounts, Outcome};
///
/// let o = Outcome {
///     trace: "t".into(), policy: "lru".into(), size: 2048, requested: 2048,
///     requests: 10, hits: 5, misses: 5, hit_ratio: 0.5, seconds: 0.0, unique_keys: 4,
///     bytes: Some(ByteCounts::new(1000, 250, 4096)),
/// };
/// let line = evict_sim::report::answer_bytes(&[o], &["50%".into()], 10, 4, 0.8).unwrap();
/// assert!(line.starts_with("answer: 50% (2.000 KiB): lru 50.00%"), "{line}");
/// ```
pub fn answer_bytes(
    outcomes: &[Outcome],
    labels: &[String],
    requests: usize,
    unique: usize,
    share: f64,
) -> Option<String> {
    answer_in(outcomes, labels, requests, unique, share, true)
}

fn answer_in(
    outcomes: &[Outcome],
    labels: &[String],
    requests: usize,
    unique: usize,
    share: f64,
    bytes: bool,
) -> Option<String> {
    if requests == 0 {
        return None;
    }
    let best = requests.saturating_sub(unique) as f64 / requests as f64;
    let goal = share * best;
    let mut policies: Vec<&str> = Vec::new();
    for o in outcomes {
        if !policies.contains(&o.policy.as_str()) {
            policies.push(&o.policy);
        }
    }
    let cell = |p: &str, i: usize| outcomes.iter().filter(|o| o.policy == p).nth(i);
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    // Sizes in increasing order of entries, as given.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| cell(policies[0], i).map_or(usize::MAX, |o| o.requested));
    let target = format!(
        "{:.0}% of the best achievable {} (an unbounded cache: every request but each key's first hits)",
        100.0 * share,
        pct(best)
    );
    for i in order {
        // The first of the policies with the most hits, in table order.
        let mut winner: Option<&Outcome> = None;
        for o in policies
            .iter()
            .filter(|p| !is_opt(p))
            .filter_map(|p| cell(p, i))
        {
            if winner.is_none_or(|w| o.hits > w.hits) {
                winner = Some(o);
            }
        }
        let Some(w) = winner else { continue };
        if w.hit_ratio >= goal {
            let size = if bytes {
                let b = human_bytes(w.requested as u64);
                if labels[i] == w.requested.to_string() {
                    b
                } else {
                    format!("{} ({b})", labels[i])
                }
            } else if labels[i] == w.requested.to_string() {
                format!("{} entries", thousands(w.requested))
            } else {
                format!("{} ({} entries)", labels[i], thousands(w.requested))
            };
            let ceiling = policies
                .iter()
                .filter(|p| is_opt(p))
                .filter_map(|p| cell(p, i).map(|o| format!("; {p} {}", pct(o.hit_ratio))))
                .collect::<String>();
            return Some(format!(
                "answer: {size}: {} {} is the smallest size of this run to reach {target}{ceiling}",
                w.policy,
                pct(w.hit_ratio)
            ));
        }
    }
    Some(format!(
        "answer: no size of this run reaches {target}: try larger sizes"
    ))
}

/// Writes one JSON object per line for each outcome (JSON Lines), with the fields of
/// [`Outcome`].
///
/// # Errors
///
/// Any error of `w`.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{run, RunOptions};
///
/// let out = run("t", &[1, 1], &["lru".to_string()], &[1], RunOptions::default(), &|_| ()).unwrap();
/// let mut buf = Vec::new();
/// evict_sim::report::write_json(&mut buf, &out).unwrap();
/// let text = String::from_utf8(buf).unwrap();
/// assert!(text.starts_with(r#"{"trace":"t","policy":"lru","size":1,"requests":2,"hits":1,"misses":1,"hit_ratio":0.5,"#), "{text}");
/// ```
pub fn write_json(mut w: impl io::Write, outcomes: &[Outcome]) -> io::Result<()> {
    for o in outcomes {
        serde_json::to_writer(&mut w, o)?;
        writeln!(w)?;
    }
    Ok(())
}

/// Writes the outcomes as CSV rows, with a header row first if `header`.
///
/// # Errors
///
/// Any error of `w`.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{run, RunOptions};
///
/// let out = run("t", &[1, 1], &["lru".to_string()], &[1], RunOptions::default(), &|_| ()).unwrap();
/// let mut buf = Vec::new();
/// evict_sim::report::write_csv(&mut buf, &out, true).unwrap();
/// let text = String::from_utf8(buf).unwrap();
/// assert!(text.starts_with("trace,policy,size,requests,hits,misses,hit_ratio,seconds,unique_keys\nt,lru,1,2,1,1,0.5,"), "{text}");
/// ```
pub fn write_csv(w: impl io::Write, outcomes: &[Outcome], header: bool) -> io::Result<()> {
    let bytes = outcomes.iter().any(|o| o.bytes.is_some());
    write_csv_columns(w, outcomes, header, bytes)
}

/// [`write_csv`], with the byte columns (`bytes_requested`, `bytes_hit`,
/// `byte_hit_ratio`, `unique_bytes`; empty for a replay by count) if `bytes`: a run whose
/// traces replay some in bytes, some by count, writes them all with the same columns.
///
/// # Errors
///
/// Any error of `w`.
pub fn write_csv_columns(
    w: impl io::Write,
    outcomes: &[Outcome],
    header: bool,
    bytes: bool,
) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        trace: &'a str,
        policy: &'a str,
        size: usize,
        requests: u64,
        hits: u64,
        misses: u64,
        hit_ratio: f64,
        seconds: f64,
        unique_keys: usize,
    }
    // The csv crate writes no flattened struct: the fields once more.
    #[derive(serde::Serialize)]
    struct ByteRow<'a> {
        trace: &'a str,
        policy: &'a str,
        size: usize,
        requests: u64,
        hits: u64,
        misses: u64,
        hit_ratio: f64,
        seconds: f64,
        unique_keys: usize,
        bytes_requested: Option<u64>,
        bytes_hit: Option<u64>,
        byte_hit_ratio: Option<f64>,
        unique_bytes: Option<u64>,
    }
    let mut writer = csv::WriterBuilder::new().has_headers(header).from_writer(w);
    for o in outcomes {
        let row = Row {
            trace: &o.trace,
            policy: &o.policy,
            size: o.size,
            requests: o.requests,
            hits: o.hits,
            misses: o.misses,
            hit_ratio: o.hit_ratio,
            seconds: o.seconds,
            unique_keys: o.unique_keys,
        };
        if bytes {
            let b = o.bytes;
            writer.serialize(ByteRow {
                trace: row.trace,
                policy: row.policy,
                size: row.size,
                requests: row.requests,
                hits: row.hits,
                misses: row.misses,
                hit_ratio: row.hit_ratio,
                seconds: row.seconds,
                unique_keys: row.unique_keys,
                bytes_requested: b.map(|b| b.bytes_requested),
                bytes_hit: b.map(|b| b.bytes_hit),
                byte_hit_ratio: b.map(|b| b.byte_hit_ratio),
                unique_bytes: b.map(|b| b.unique_bytes),
            })
        } else {
            writer.serialize(row)
        }
        .map_err(io::Error::other)?;
    }
    writer.flush()
}

/// Draws hit ratio against cache size, one curve per policy, `opt` dashed, as an SVG file.
///
/// # Errors
///
/// A message if the file cannot be written.
///
/// # Examples
///
/// ```
/// use evict_sim::replay::{run, RunOptions};
///
/// let keys: Vec<u64> = (0..1000).map(|i| i % 37 + i % 11).collect();
/// let policies = ["lru".to_string(), "opt".to_string()];
/// let out = run("t", &keys, &policies, &[5, 10, 20], RunOptions::default(), &|_| ()).unwrap();
/// let path = std::env::temp_dir().join("evict-sim-doc-plot.svg");
/// evict_sim::report::plot(&path, "t", &out).unwrap();
/// assert!(std::fs::read_to_string(&path).unwrap().contains("<svg"));
/// ```
pub fn plot(path: &Path, title: &str, outcomes: &[Outcome]) -> Result<(), String> {
    draw(
        path,
        title,
        outcomes,
        false,
        "cache size (entries)",
        "hit ratio",
    )
}

/// As [`plot`], for a replay in bytes: the cache size in bytes, and the object hit ratio
/// or (`byte_ratio`) the byte hit ratio.
///
/// # Errors
///
/// As [`plot`].
pub fn plot_bytes(
    path: &Path,
    title: &str,
    outcomes: &[Outcome],
    byte_ratio: bool,
) -> Result<(), String> {
    draw_bytes(path, title, outcomes, byte_ratio, false)
}

/// As [`plot`], the cache size on a logarithmic axis: the miss-ratio curves of
/// `evict-sim mrc`, every policy's curve on one chart (Bélády's dashed, when given).
///
/// # Errors
///
/// As [`plot`].
pub fn plot_curves(path: &Path, title: &str, outcomes: &[Outcome]) -> Result<(), String> {
    draw(
        path,
        title,
        outcomes,
        true,
        "cache size (entries, log scale)",
        "hit ratio",
    )
}

/// As [`plot_curves`], for LRU's curve in bytes: the cache size in bytes (log scale),
/// the object hit ratio or (`byte_ratio`) the byte hit ratio.
///
/// # Errors
///
/// As [`plot`].
pub fn plot_curves_bytes(
    path: &Path,
    title: &str,
    outcomes: &[Outcome],
    byte_ratio: bool,
) -> Result<(), String> {
    draw_bytes(path, title, outcomes, byte_ratio, true)
}

/// [`plot_bytes`] and [`plot_curves_bytes`]: the chosen ratio on the y axis.
fn draw_bytes(
    path: &Path,
    title: &str,
    outcomes: &[Outcome],
    byte_ratio: bool,
    log_x: bool,
) -> Result<(), String> {
    let shown: Vec<Outcome> = outcomes
        .iter()
        .map(|o| {
            let mut o = o.clone();
            if byte_ratio {
                o.hit_ratio = o.bytes.map_or(0.0, |b| b.byte_hit_ratio);
            }
            o
        })
        .collect();
    let y = if byte_ratio {
        "byte hit ratio"
    } else {
        "object hit ratio"
    };
    let x = if log_x {
        "cache size (bytes, log scale)"
    } else {
        "cache size (bytes)"
    };
    draw(path, title, &shown, log_x, x, y)
}

fn draw(
    path: &Path,
    title: &str,
    outcomes: &[Outcome],
    log_x: bool,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("{}: cannot write the plot: {e}", path.display());
    let max_size = outcomes.iter().map(|o| o.size).max().unwrap_or(1) as f64;
    let min_size = outcomes.iter().map(|o| o.size).min().unwrap_or(0) as f64;
    let max_ratio = outcomes.iter().map(|o| o.hit_ratio).fold(0.0, f64::max);
    let y_top = ((max_ratio * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60);
    if log_x {
        // A decade's margin on neither side: the sizes start at 1 entry or more.
        let lo = min_size.max(1.0) / 1.1;
        let hi = max_size.max(lo * 2.0) * 1.1;
        let mut chart = builder
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..y_top)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|x| thousands(x.max(0.0).round() as usize))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()
            .map_err(|e| fail(&e))?;
        series(&mut chart, outcomes, &fail)?;
    } else {
        let x_pad = ((max_size - min_size) * 0.03).max(1.0);
        let mut chart = builder
            .build_cartesian_2d((min_size - x_pad)..(max_size + x_pad), 0.0..y_top)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|x| thousands(x.max(0.0).round() as usize))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()
            .map_err(|e| fail(&e))?;
        series(&mut chart, outcomes, &fail)?;
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

/// One line per policy (Bélády's dashed and black), dots at the sizes, and the legend.
fn series<'a, X>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, RangedCoordf64>>,
    outcomes: &[Outcome],
    fail: &dyn Fn(&dyn std::fmt::Display) -> String,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
{
    let mut policies: Vec<&str> = Vec::new();
    for o in outcomes {
        if !policies.contains(&o.policy.as_str()) {
            policies.push(&o.policy);
        }
    }
    for (i, p) in policies.iter().enumerate() {
        let points: Vec<(f64, f64)> = outcomes
            .iter()
            .filter(|o| o.policy == *p)
            .map(|o| (o.size as f64, o.hit_ratio))
            .collect();
        let color: RGBAColor = if *p == OPT {
            BLACK.to_rgba()
        } else {
            Palette99::pick(i).to_rgba()
        };
        let style = color.stroke_width(2);
        let drawn = if is_opt(p) {
            chart.draw_series(DashedLineSeries::new(points.clone(), 8, 5, style))
        } else {
            chart.draw_series(LineSeries::new(points.clone(), style))
        };
        drawn
            .map_err(|e| fail(&e))?
            .label(p.to_string())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 3, color.filled())),
            )
            .map_err(|e| fail(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    Ok(())
}
