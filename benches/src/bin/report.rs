//! Prints the README's benchmark tables from one `cargo bench -p evict-benches` run: ns per
//! operation (criterion's median) and the ratio to bare hashbrown in the same group, the hit
//! ratios of the Zipf workloads, bytes per entry, and allocations per put-evict.
//!
//! Usage: `cargo run --release -p evict-benches --bin report [--criterion-dir DIR]
//! [--entries N] [--no-memory]`. `DIR` defaults to `$CARGO_TARGET_DIR/criterion`, else the
//! workspace's `target/criterion`.
#![forbid(unsafe_code)]

#[path = "shared/meter.rs"]
mod meter;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evict_benches::memory::{MemoryRow, measure_all};
use evict_benches::{
    GROUPS, Group, Hits, Kind, Workload, check_exact_lru_agree, hits_of_all, impl_names,
    shared_names, zipf_sequence,
};

struct Args {
    criterion_dir: PathBuf,
    entries: usize,
    memory: bool,
}

fn parse_args() -> Result<Args, String> {
    let default_dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("criterion"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion"),
    };
    let mut args = Args {
        criterion_dir: default_dir,
        entries: 1_000_000,
        memory: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--criterion-dir" => {
                args.criterion_dir = it.next().ok_or("--criterion-dir needs a value")?.into();
            }
            "--entries" => {
                let v = it.next().ok_or("--entries needs a value")?;
                args.entries =
                    v.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(|| {
                        format!("--entries must be a positive integer, got {v:?}")
                    })?;
            }
            "--no-memory" => args.memory = false,
            "-h" | "--help" => {
                return Err(
                    "usage: report [--criterion-dir DIR] [--entries N] [--no-memory]".into(),
                );
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

/// Criterion's median for one benchmark, in ns per operation (the iteration time divided by
/// the elements per iteration), or `None` if that benchmark has no result.
fn ns_per_op(dir: &Path, group: &str, name: &str) -> Result<Option<f64>, String> {
    let base = dir.join(group).join(name).join("new");
    let estimates = base.join("estimates.json");
    let Ok(text) = std::fs::read_to_string(&estimates) else {
        return Ok(None);
    };
    let parse = |path: &Path, text: &str| -> Result<serde_json::Value, String> {
        serde_json::from_str(text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let est = parse(&estimates, &text)?;
    let median = est["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median.point_estimate", estimates.display()))?;
    let bench_path = base.join("benchmark.json");
    let bench_text = std::fs::read_to_string(&bench_path)
        .map_err(|e| format!("{}: {e}", bench_path.display()))?;
    let bench = parse(&bench_path, &bench_text)?;
    let elements = bench["throughput"]["Elements"].as_f64().unwrap_or(1.0);
    Ok(Some(median / elements))
}

fn cell(ns: Option<f64>, limit: Option<f64>, is_limit: bool) -> String {
    match (ns, limit) {
        (None, _) => "–".into(),
        (Some(ns), _) if is_limit => format!("{ns:.1}"),
        (Some(ns), Some(l)) => format!("{ns:.1} ({:.2}×)", ns / l),
        (Some(ns), None) => format!("{ns:.1}"),
    }
}

fn speed_table(dir: &Path) -> Result<String, String> {
    let groups: Vec<&Group> = GROUPS
        .iter()
        .filter(|g| !matches!(g.workload, Workload::SharedZipf { .. }))
        .collect();
    let mut out = String::from("| implementation |");
    for g in &groups {
        write!(out, " {} |", g.title).expect("write to String");
    }
    out += "\n|---|";
    out += &"---|".repeat(groups.len());
    out += "\n";
    let limits: Vec<Option<f64>> = groups
        .iter()
        .map(|g| ns_per_op(dir, g.id, "hashbrown"))
        .collect::<Result<_, _>>()?;
    let mut found = 0;
    for meta in impl_names() {
        write!(out, "| {} |", meta.name).expect("write to String");
        for (g, limit) in groups.iter().zip(&limits) {
            let ns = ns_per_op(dir, g.id, meta.name)?;
            found += usize::from(ns.is_some());
            write!(out, " {} |", cell(ns, *limit, meta.kind == Kind::Limit))
                .expect("write to String");
        }
        out += "\n";
    }
    if found == 0 {
        return Err(format!(
            "no criterion results under {}: run `cargo bench -p evict-benches` first",
            dir.display()
        ));
    }
    Ok(out)
}

fn shared_table(dir: &Path) -> Result<String, String> {
    let mut out = String::new();
    for g in GROUPS
        .iter()
        .filter(|g| matches!(g.workload, Workload::SharedZipf { .. }))
    {
        writeln!(
            out,
            "| implementation | {} (ns per operation, both threads together) |\n|---|---|",
            g.title
        )
        .expect("write to String");
        for name in shared_names() {
            let ns = ns_per_op(dir, g.id, name)?;
            writeln!(out, "| {name} | {} |", cell(ns, None, false)).expect("write to String");
        }
    }
    Ok(out)
}

fn hit_table() -> Result<String, String> {
    let zipf: Vec<&Group> = GROUPS
        .iter()
        .filter(|g| matches!(g.workload, Workload::Zipf { .. }))
        .collect();
    let mut columns: Vec<Vec<Hits>> = Vec::new();
    for g in &zipf {
        let Workload::Zipf { universe } = g.workload else {
            unreachable!("filtered above")
        };
        let hits = hits_of_all(&zipf_sequence(universe, g.seed), g.capacity);
        check_exact_lru_agree(&hits).map_err(|e| format!("{}: {e}", g.id))?;
        columns.push(hits);
    }
    let mut out = String::from("| implementation |");
    for g in &zipf {
        write!(out, " {} |", g.title).expect("write to String");
    }
    out += "\n|---|";
    out += &"---|".repeat(zipf.len());
    out += "\n";
    for (row, meta) in impl_names().iter().enumerate() {
        write!(out, "| {} |", meta.name).expect("write to String");
        for col in &columns {
            let h = &col[row];
            let note = if meta.kind == Kind::Limit || meta.kind == Kind::Unbounded {
                " (no eviction)"
            } else {
                ""
            };
            write!(out, " {:.2}%{note} |", 100.0 * h.ratio()).expect("write to String");
        }
        out += "\n";
    }
    Ok(out)
}

/// Cores and CPU model of this machine (Linux `/proc/cpuinfo`; "unknown model" elsewhere).
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown model".into());
    format!("{cores} cores, {model}")
}

/// The issues' headline targets, from the same run.
fn targets(dir: &Path, memory: &[MemoryRow]) -> Result<String, String> {
    let mut out = String::from("### Targets\n\n");
    let limit = ns_per_op(dir, "get_hit_100k", "hashbrown")?;
    for meta in impl_names().into_iter().filter(|m| m.evict) {
        let target = match meta.name {
            "evict-lru" => " (target ≤ 2×, stretch ≤ 1.5×)",
            "evict-clock" | "evict-sieve" | "evict-s3fifo" => " (target ≤ 1.2×)",
            _ => "",
        };
        if let (Some(l), Some(e)) = (limit, ns_per_op(dir, "get_hit_100k", meta.name)?) {
            writeln!(
                out,
                "- {} get-hit at 100,000 entries: {e:.1} ns vs bare hashbrown {l:.1} ns = {:.2}×{target}",
                meta.name,
                e / l
            )
            .expect("write to String");
        }
    }
    // Each evict policy against the competitors of its family, group by group.
    let groups: Vec<&Group> = GROUPS
        .iter()
        .filter(|g| !matches!(g.workload, Workload::SharedZipf { .. }))
        .collect();
    for meta in impl_names()
        .into_iter()
        .filter(|m| m.evict && m.kind != Kind::Unbounded)
    {
        let rivals: &[&str] = if meta.kind == Kind::ExactLru {
            &["lru", "schnellru", "hashlink"]
        } else {
            &["quick_cache-unsync", "quick_cache-sync"]
        };
        let mut lost = Vec::new();
        let mut compared = 0;
        for g in &groups {
            let Some(ours) = ns_per_op(dir, g.id, meta.name)? else {
                continue;
            };
            let mut best: Option<(f64, &str)> = None;
            for &r in rivals {
                if let Some(t) = ns_per_op(dir, g.id, r)?
                    && best.is_none_or(|(b, _)| t < b)
                {
                    best = Some((t, r));
                }
            }
            if let Some((t, r)) = best {
                compared += 1;
                if ours >= t {
                    lost.push(format!("{} ({ours:.1} vs {r} {t:.1})", g.title));
                }
            }
        }
        writeln!(
            out,
            "- {} vs {}: faster in {} of {compared} groups{}",
            meta.name,
            rivals.join("/"),
            compared - lost.len(),
            if lost.is_empty() {
                String::new()
            } else {
                format!("; slower in {}", lost.join(", "))
            }
        )
        .expect("write to String");
    }
    if let Some(r) = memory.iter().find(|r| r.meta.name == "evict-lru") {
        writeln!(
            out,
            "- evict-lru bytes per entry at {} entries: {:.1} (target ≤ 40, stretch ≤ 36); peak during the fill {:.1}",
            r.len, r.bytes_per_entry, r.peak_per_entry
        )
        .expect("write to String");
    }
    let evict_rows = memory
        .iter()
        .filter(|r| r.meta.evict && r.meta.kind != Kind::Unbounded);
    if let Some(worst) = evict_rows.clone().max_by(|a, b| {
        let key = |r: &MemoryRow| r.bytes_per_entry.max(r.steady_per_entry.unwrap_or(0.0));
        key(a).total_cmp(&key(b))
    }) {
        writeln!(
            out,
            "- largest bounded evict policy: {} at {:.1} bytes/entry after the fill, {:.1} after the put-evicts (target: none above 48)",
            worst.meta.name,
            worst.bytes_per_entry,
            worst.steady_per_entry.unwrap_or(f64::NAN)
        )
        .expect("write to String");
    }
    let allocating: Vec<String> = evict_rows
        .filter(|r| r.allocs_put_evict != Some(0))
        .map(|r| format!("{} ({:?})", r.meta.name, r.allocs_put_evict))
        .collect();
    if !memory.is_empty() {
        writeln!(
            out,
            "- evict policies that allocated during 1M put-evicts on a full cache after 2M put-evicts (ghost lists full too): {} (target: none)",
            if allocating.is_empty() { "none".to_string() } else { allocating.join(", ") }
        )
        .expect("write to String");
    }
    Ok(out)
}

fn memory_table(rows: &[MemoryRow], entries: usize) -> String {
    evict_benches::memory::markdown(rows, entries)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
    let result = (|| -> Result<(), String> {
        println!("Machine: {}\n", machine());
        println!(
            "### Speed: ns per operation, criterion median (ratio to bare hashbrown in the same group)\n"
        );
        println!("{}", speed_table(&args.criterion_dir)?);
        println!(
            "In the put-evict columns the hashbrown row is one `remove` plus one `insert` per operation \
             (the least work of any bounded hash cache); unbounded caches never evict and are left out.\n"
        );
        println!("### Two threads sharing one cache\n");
        println!("{}", shared_table(&args.criterion_dir)?);
        println!(
            "### Hit ratio of \"get; on a miss, put\" (one pass of {} keys from an empty cache)\n",
            evict_benches::SEQUENCE_LEN
        );
        println!("{}", hit_table()?);
        let rows = if args.memory {
            println!("### Memory: u64 -> u64, capacity {}\n", args.entries);
            let rows = measure_all(&meter::Counter, args.entries);
            println!("{}", memory_table(&rows, args.entries));
            rows
        } else {
            Vec::new()
        };
        println!("{}", targets(&args.criterion_dir, &rows)?);
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("report: {e}");
            ExitCode::FAILURE
        }
    }
}
