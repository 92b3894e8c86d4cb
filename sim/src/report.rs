//! Reports: the text table, JSON lines, CSV and SVG plots of a run's [`Outcome`]s.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::replay::{OPT, OPT_FILL, Outcome};

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
    policy == OPT || policy == OPT_FILL
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
                .filter_map(|p| cell(p, i).map(|o| o.hits))
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
                thousands(sizes[i])
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
                thousands(sizes[i])
            }
        })
        .collect();
    let col_w: Vec<usize> = heads
        .iter()
        .zip(&subs)
        .map(|(h, s)| h.len().max(s.len()).max(8) + 1)
        .collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} requests, {} distinct keys ({})",
        summary.name,
        thousands(summary.requests),
        thousands(summary.unique),
        summary.source
    );
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
                    let mark = if !is_opt(p) && o.hits == best[i] {
                        "*"
                    } else {
                        " "
                    };
                    let pct = format!("{:.2}%{mark}", 100.0 * o.hit_ratio);
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
            let size = if labels[i] == w.requested.to_string() {
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
    let mut writer = csv::WriterBuilder::new().has_headers(header).from_writer(w);
    for o in outcomes {
        writer.serialize(o).map_err(io::Error::other)?;
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
    draw(path, title, outcomes, false)
}

/// As [`plot`], the cache size on a logarithmic axis: the miss-ratio curves of
/// `evict-sim mrc`, every policy's curve on one chart (Bélády's dashed, when given).
///
/// # Errors
///
/// As [`plot`].
pub fn plot_curves(path: &Path, title: &str, outcomes: &[Outcome]) -> Result<(), String> {
    draw(path, title, outcomes, true)
}

fn draw(path: &Path, title: &str, outcomes: &[Outcome], log_x: bool) -> Result<(), String> {
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
            .x_desc("cache size (entries, log scale)")
            .y_desc("hit ratio")
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
            .x_desc("cache size (entries)")
            .y_desc("hit ratio")
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
