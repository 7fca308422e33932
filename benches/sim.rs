//! How fast the deterministic simulator (`src/sim/`) runs a whole cluster.
//!
//! Issue 2 asks how long 1,000 nodes × 60 virtual seconds take on this
//! machine; this macro benchmark answers it, for the `fast` and `lan`
//! presets. Full mode also runs 3,000 nodes as a scaling point, estimates
//! 10,000 and 100,000 nodes from it (peak RSS grows with the N² membership
//! rows), and runs them only if they fit in memory and time; otherwise it
//! prints the estimate and why it skipped them. The figures in
//! BENCHMARKS.md come from here.
//!
//! ```text
//! cargo bench --bench sim              # full: a few minutes, up to ~15
//! cargo bench --bench sim -- --quick   # 1,000 nodes, fast, 20 s, 1 run
//! BENCH_QUICK=1 cargo bench --bench sim
//! just bench / just bench-quick        # the same two
//! ```
//!
//! Besides stdout, the table and JSON lines go to
//! `target/bench-results/sim.{md,jsonl}` (quick mode: `.../quick/`), from
//! which `examples/bench_report.rs` assembles BENCHMARKS.md.
//!
//! Each configuration runs in its own child process (this binary re-run with
//! `GOSSIP_BENCH_CASE` set), so its peak RSS (`VmHWM`) is its own. A child
//! builds the cluster (`Cluster::new`, timed apart), runs it with
//! `run_for`, and prints one `RESULT {json}` line. The parent takes the
//! median wall time of the runs, then prints a markdown table row and a JSON
//! line per configuration. Every run of a configuration uses the same seed,
//! so packet and event counts must agree: the runs differ only in machine
//! noise, and a disagreement is reported as a determinism bug.

#[path = "common/child.rs"]
mod child;
#[path = "common/record.rs"]
mod record;

use std::time::{Duration, Instant};

use gossip_lab::protocol::{Config, Member, NodeAddr};
use gossip_lab::sim::{Cluster, SimConfig};
use serde_json::{Value, json};

/// The preset suffix of a case that starts converged.
const CONVERGED: &str = "+converged";

/// Set in a child: the one configuration it runs, `preset:nodes:secs:seed`.
const CASE_VAR: &str = "GOSSIP_BENCH_CASE";
/// The seed of every run.
const SEED: u64 = 1;
/// The child times its run in slices of this many virtual seconds.
const SLICE_SECS: u64 = 10;
/// Do not start a configuration whose estimated peak RSS is above this.
const MEMORY_LIMIT: u64 = 20 << 30;
/// Do not start a 10,000 or 100,000-node configuration estimated to take
/// longer than this (the full mode should stay under ~15 minutes)...
const REQUIRED_TIME_LIMIT: Duration = Duration::from_secs(10 * 60);
/// ... or an optional one (fast at 10,000) longer than this.
const OPTIONAL_TIME_LIMIT: Duration = Duration::from_secs(4 * 60);
/// Kill a child after this long, or after three times its estimate when
/// that is longer.
const HARD_TIMEOUT: Duration = Duration::from_secs(12 * 60);

/// One configuration: a preset, a size and a virtual duration.
#[derive(Clone, Copy, Debug)]
struct Case {
    preset: &'static str,
    nodes: usize,
    secs: u64,
}

impl Case {
    fn protocol(self) -> Config {
        match self.preset.trim_end_matches(CONVERGED) {
            "fast" => Config::fast(),
            "lan" => Config::lan(),
            other => panic!("unknown preset {other}"),
        }
    }

    /// Cases labelled `PRESET+converged` start with every node already
    /// holding every member (`SimConfig::start_converged`): steady state
    /// at sizes where the all-at-once join storm would be the whole run.
    fn converged(self) -> bool {
        self.preset.ends_with(CONVERGED)
    }

    fn spec(self) -> String {
        format!("{}:{}:{}:{SEED}", self.preset, self.nodes, self.secs)
    }

    fn parse(spec: &str) -> (Case, u64) {
        let parts: Vec<&str> = spec.split(':').collect();
        let [preset, nodes, secs, seed] = parts[..] else { panic!("{CASE_VAR}={spec}: want preset:nodes:secs:seed") };
        let preset = match preset {
            "fast" => "fast",
            "lan" => "lan",
            "fast+converged" => "fast+converged",
            "lan+converged" => "lan+converged",
            other => panic!("{CASE_VAR}: unknown preset {other}"),
        };
        let case = Case { preset, nodes: nodes.parse().expect("nodes"), secs: secs.parse().expect("secs") };
        (case, seed.parse().expect("seed"))
    }
}

/// What one child measured.
#[derive(Clone, Debug)]
struct Run {
    build_secs: f64,
    run_secs: f64,
    delivered: u64,
    sent: u64,
    events: u64,
    peak_rss: u64,
    /// Wall seconds of each `SLICE_SECS` of virtual time.
    slices: Vec<f64>,
}

fn main() {
    if let Ok(spec) = std::env::var(CASE_VAR) {
        let (case, seed) = Case::parse(&spec);
        child(case, seed);
        return;
    }
    let quick = record::quick();
    let started = (Instant::now(), record::loads());
    let mut report = Report::default();
    if quick {
        eprintln!("sim bench, quick mode: 1,000 nodes, fast preset, 20 virtual seconds, 1 run");
        report.measure(Case { preset: "fast", nodes: 1000, secs: 20 }, 1, None);
        report.print();
        report.write_section(quick, &started);
        return;
    }
    eprintln!(
        "sim bench, full mode: 1,000 nodes (3 runs each), a 3,000-node scaling point, then 10,000 and 100,000 if they fit"
    );
    let fast_1k = report.measure(Case { preset: "fast", nodes: 1000, secs: 60 }, 3, None);
    let lan_1k = report.measure(Case { preset: "lan", nodes: 1000, secs: 60 }, 3, None);
    // A size that surely fits, so the big ones are estimated from two
    // measured points before anything is risked on them.
    let lan_3k = report.measure(Case { preset: "lan", nodes: 3000, secs: 60 }, 1, None);
    let big = [
        (Case { preset: "lan", nodes: 10_000, secs: 60 }, REQUIRED_TIME_LIMIT),
        (Case { preset: "fast", nodes: 10_000, secs: 60 }, OPTIONAL_TIME_LIMIT),
        (Case { preset: "lan", nodes: 100_000, secs: 60 }, REQUIRED_TIME_LIMIT),
    ];
    let (Some(fast_1k), Some(lan_1k), Some(lan_3k)) = (fast_1k, lan_1k, lan_3k) else {
        for (case, _) in big {
            report.skip(case, "a smaller configuration failed, so there is nothing to estimate from", None, None);
        }
        report.print();
        report.write_section(quick, &started);
        return;
    };
    let scaling = Scaling::fit((1000, &lan_1k), (3000, &lan_3k));
    eprintln!(
        "scaling from lan 1,000 → 3,000: {:.0} B of peak RSS per membership row (N² rows), wall time ∝ N^{:.2}",
        scaling.per_row, scaling.exponent
    );
    // fast does the same per-row work as lan, more often.
    let fast_factor = fast_1k.total_secs() / lan_1k.total_secs();
    for (case, limit) in big {
        let factor = if case.preset == "fast" { fast_factor } else { 1.0 };
        let (secs, rss) = scaling.at(case.nodes);
        let floor = table_floor(case.nodes);
        eprintln!(
            "{} × {} nodes: the membership tables alone need at least {} ({} B × N² rows)",
            case.preset,
            thousands(case.nodes as u64),
            mib(floor),
            floor / (case.nodes as u64).pow(2)
        );
        report.maybe(case, secs * factor, rss.max(floor), limit);
    }
    // Steady state at 10,000 nodes, started converged: how fast the
    // simulator runs a cluster of that size once it has formed.
    report.measure(Case { preset: "lan+converged", nodes: 10_000, secs: 60 }, 1, None);
    let big_converged = Case { preset: "lan+converged", nodes: 100_000, secs: 60 };
    let floor = table_floor(big_converged.nodes);
    report.skip(
        big_converged,
        &format!("the membership tables alone need at least {}, more than this machine's memory", mib(floor)),
        None,
        Some(floor),
    );
    report.print();
    report.write_section(quick, &started);
}

/// Peak RSS and wall time as functions of N, fitted on two measured sizes:
/// RSS grows with the N² membership rows, time with the power of N the two
/// points show.
struct Scaling {
    n: f64,
    rss: f64,
    secs: f64,
    per_row: f64,
    exponent: f64,
}

impl Scaling {
    fn fit((n1, r1): (usize, &Run), (n2, r2): (usize, &Run)) -> Scaling {
        let (n1, n2) = (n1 as f64, n2 as f64);
        let per_row = (r2.peak_rss as f64 - r1.peak_rss as f64) / (n2 * n2 - n1 * n1);
        let exponent = (r2.total_secs() / r1.total_secs()).ln() / (n2 / n1).ln();
        Scaling { n: n2, rss: r2.peak_rss as f64, secs: r2.total_secs(), per_row, exponent }
    }

    /// Estimated (wall seconds, peak RSS bytes) at `nodes`.
    fn at(&self, nodes: usize) -> (f64, u64) {
        let n = nodes as f64;
        let rss = self.rss + self.per_row * (n * n - self.n * self.n);
        (self.secs * (n / self.n).powf(self.exponent), rss.max(0.0) as u64)
    }
}

/// The least the N membership tables of N rows can take: one `Member` per
/// row, plus its hash-index entry (address, position, control byte).
fn table_floor(nodes: usize) -> u64 {
    let row = size_of::<Member>() + size_of::<NodeAddr>() + size_of::<usize>() + 1;
    (nodes as u64).pow(2) * row as u64
}

// ----- the child: one configuration, one run ---------------------------------

fn child(case: Case, seed: u64) {
    let config =
        SimConfig { protocol: case.protocol(), start_converged: case.converged(), ..SimConfig::new(case.nodes, seed) };
    let start = Instant::now();
    let mut cluster = Cluster::new(config).expect("valid sim config");
    let build = start.elapsed();
    // Run in slices of 10 virtual seconds (the same run as one `run_for`:
    // `run_until` picks up where it stopped) to see when the work happens.
    let mut slices = Vec::new();
    let start = Instant::now();
    let mut left = case.secs;
    while left > 0 {
        let slice = left.min(SLICE_SECS);
        let t = Instant::now();
        cluster.run_for(Duration::from_secs(slice));
        slices.push(t.elapsed().as_secs_f64());
        left -= slice;
    }
    let run = start.elapsed();
    let stats = cluster.stats();
    let result = json!({
        "build_secs": build.as_secs_f64(),
        "run_secs": run.as_secs_f64(),
        "delivered": stats.delivered.total.packets,
        "sent": stats.sent.total.packets,
        "events": cluster.event_count(),
        "peak_rss_bytes": peak_rss(),
        "slice_secs": slices,
    });
    println!("RESULT {result}");
}

impl Run {
    fn total_secs(&self) -> f64 {
        self.build_secs + self.run_secs
    }
}

/// This process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kib.map_or(0, |k| k * 1024)
}

// ----- the parent: run children, collect, print ------------------------------

/// Rows for the table and the JSON lines, in the order they were measured.
#[derive(Default)]
struct Report {
    rows: Vec<String>,
    lines: Vec<Value>,
}

impl Report {
    /// Runs `case` `runs` times and records the median; None if a run failed.
    fn measure(&mut self, case: Case, runs: usize, estimate: Option<f64>) -> Option<Run> {
        let mut all = Vec::new();
        for i in 1..=runs {
            eprintln!("  {} × {} nodes × {} s, run {i}/{runs} ...", case.preset, case.nodes, case.secs);
            match run_child(case, estimate) {
                Ok(run) => {
                    eprintln!(
                        "    build {:.2} s, run {:.2} s, peak RSS {}",
                        run.build_secs,
                        run.run_secs,
                        mib(run.peak_rss)
                    );
                    all.push(run);
                }
                Err(why) => {
                    eprintln!("    failed: {why}");
                    self.skip(case, &format!("failed: {why}"), None, None);
                    return None;
                }
            }
        }
        let deterministic = all.iter().all(|r| (r.delivered, r.events) == (all[0].delivered, all[0].events));
        if !deterministic {
            eprintln!("    DETERMINISM BUG: same seed, different packet or event counts: {all:?}");
        }
        let mut by_time = all.clone();
        by_time.sort_by(|a, b| a.run_secs.total_cmp(&b.run_secs));
        let median = by_time[by_time.len() / 2].clone();
        let speed = case.secs as f64 / median.run_secs;
        let realtime = speed >= 1.0;
        // The join storm (every node learning every other) starts the run;
        // the last slice shows the steady state once it is over.
        let first = median.slices.first().copied().unwrap_or(0.0);
        let first_share = 100.0 * first / median.run_secs;
        let last = median.slices.last().copied().unwrap_or(0.0);
        let steady =
            if median.slices.len() < 2 { "–".to_string() } else { format!("{:.0}×", SLICE_SECS as f64 / last) };
        self.rows.push(format!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.1}× | {} | {:.0} % | {} | {} | {} | {:.0} |",
            case.preset,
            thousands(case.nodes as u64),
            case.secs,
            runs,
            median.build_secs,
            median.run_secs,
            speed,
            if realtime { "yes" } else { "**no**" },
            first_share,
            steady,
            thousands(median.delivered),
            thousands(median.events),
            median.peak_rss as f64 / f64::from(1 << 20),
        ));
        self.lines.push(json!({
            "bench": "sim",
            "preset": case.preset,
            "nodes": case.nodes,
            "virtual_secs": case.secs,
            "seed": SEED,
            "runs": runs,
            "build_secs": median.build_secs,
            "run_secs_median": median.run_secs,
            "run_secs_all": all.iter().map(|r| r.run_secs).collect::<Vec<_>>(),
            "virtual_per_wall": speed,
            "realtime": realtime,
            "packets_sent": median.sent,
            "packets_delivered": median.delivered,
            "events": median.events,
            "peak_rss_bytes": median.peak_rss,
            "slice_virtual_secs": SLICE_SECS,
            "slice_wall_secs": median.slices,
            "deterministic": deterministic,
        }));
        Some(median)
    }

    /// Runs `case` once if its estimates fit the limits, or records why not.
    fn maybe(&mut self, case: Case, secs: f64, rss: u64, time_limit: Duration) {
        let name = format!("{} × {} nodes", case.preset, thousands(case.nodes as u64));
        eprintln!("{name}: estimated ~{secs:.0} s and ~{} peak RSS", mib(rss));
        let mut over = Vec::new();
        if rss > MEMORY_LIMIT {
            over.push(format!("estimated peak RSS {} > {} limit", mib(rss), mib(MEMORY_LIMIT)));
        }
        if secs > time_limit.as_secs_f64() {
            over.push(format!("estimated {secs:.0} s > {} s limit", time_limit.as_secs()));
        }
        if over.is_empty() {
            self.measure(case, 1, Some(secs));
        } else {
            self.skip(case, &over.join("; "), Some(secs), Some(rss));
        }
    }

    fn skip(&mut self, case: Case, why: &str, secs: Option<f64>, rss: Option<u64>) {
        eprintln!("  skipped {} × {} nodes: {why}", case.preset, case.nodes);
        self.rows.push(format!(
            "| {} | {} | {} | 0 | skipped: {why} | | | | | | | | |",
            case.preset,
            thousands(case.nodes as u64),
            case.secs
        ));
        self.lines.push(json!({
            "bench": "sim",
            "preset": case.preset,
            "nodes": case.nodes,
            "virtual_secs": case.secs,
            "skipped": why,
            "estimated_secs": secs,
            "estimated_peak_rss_bytes": rss,
        }));
    }

    fn print(&self) {
        println!();
        println!(
            "| preset | nodes | virtual s | runs | build (s) | run (s, median) | virtual s / wall s | ≥ 1× real time \
             | share of wall in first {SLICE_SECS} virtual s | virtual s / wall s in the last {SLICE_SECS} \
             | packets delivered | events | peak RSS (MiB) |"
        );
        println!("|---|--:|--:|--:|--:|--:|--:|:-:|--:|--:|--:|--:|--:|");
        for row in &self.rows {
            println!("{row}");
        }
        println!();
        for line in &self.lines {
            println!("{line}");
        }
    }
}

impl Report {
    /// Writes the table (as printed) into `target/bench-results/sim.md` and
    /// the JSON lines into `sim.jsonl` (quick mode: under `quick/`), for
    /// `examples/bench_report.rs` to assemble into BENCHMARKS.md.
    fn write_section(&self, quick: bool, (started, load_before): &(Instant, String)) {
        let dir = record::results_dir(quick);
        let mut md = format!(
            "### Results\n\nRecorded {} (when written). `cargo bench --bench sim`{}: load average (1, 5, 15 min) {load_before} before and {} \
             after; the whole run took {:.0} s. The JSON lines are in `target/bench-results/{}sim.jsonl`.\n\n",
            record::recorded(),
            if quick { " in quick mode" } else { "" },
            record::loads(),
            started.elapsed().as_secs_f64(),
            if quick { "quick/" } else { "" }
        );
        md.push_str(&format!(
            "| preset | nodes | virtual s | runs | build (s) | run (s, median) | virtual s / wall s | ≥ 1× real time \
             | share of wall in first {SLICE_SECS} virtual s | virtual s / wall s in the last {SLICE_SECS} \
             | packets delivered | events | peak RSS (MiB) |\n|---|--:|--:|--:|--:|--:|--:|:-:|--:|--:|--:|--:|--:|\n"
        ));
        for row in &self.rows {
            md.push_str(row);
            md.push('\n');
        }
        let jsonl: String = self.lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.join("sim.md"), md).expect("write sim.md");
        std::fs::write(dir.join("sim.jsonl"), jsonl).expect("write sim.jsonl");
    }
}

/// Runs this binary on `case` and parses its `RESULT` line.
fn run_child(case: Case, estimate: Option<f64>) -> Result<Run, String> {
    let limit = estimate.map_or(HARD_TIMEOUT, |s| HARD_TIMEOUT.max(Duration::from_secs_f64(3.0 * s)));
    let v: Value = child::run(CASE_VAR, &case.spec(), limit)?;
    let f = |k: &str| v[k].as_f64().ok_or(format!("RESULT has no {k}"));
    let u = |k: &str| v[k].as_u64().ok_or(format!("RESULT has no {k}"));
    Ok(Run {
        build_secs: f("build_secs")?,
        run_secs: f("run_secs")?,
        delivered: u("delivered")?,
        sent: u("sent")?,
        events: u("events")?,
        peak_rss: u("peak_rss_bytes")?,
        slices: v["slice_secs"]
            .as_array()
            .ok_or("RESULT has no slice_secs")?
            .iter()
            .map(|x| x.as_f64().ok_or("slice_secs holds a non-number"))
            .collect::<Result<_, _>>()?,
    })
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / f64::from(1 << 30))
    } else {
        format!("{:.0} MiB", bytes as f64 / f64::from(1 << 20))
    }
}

/// 12345 → "12,345".
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
