//! The parent process: runs every case in its own child, then the peers,
//! and writes the results and the report.

use std::time::Instant;

use serde::de::DeserializeOwned;

use crate::cases::{Case, Preset, Role};
use crate::figures::{Figures, Row};
use crate::peers::{Peers, run_peers};
use crate::record::{load, loads, recorded, results_dir};
use crate::report::Report;
use crate::results::{LabRun, SimRun};
use crate::saved::{Meta, write_lines};
use crate::{CASE_VAR, Options, child, floor, write};

/// Runs this binary on `case`; its result, or `failed(error)` when the
/// child reported none, and the 1-minute load when it started.
fn run_child<T: DeserializeOwned>(case: &Case, failed: impl FnOnce(String) -> T) -> (T, String) {
    let started_load = load();
    eprintln!("  {} (load {started_load}) ...", case.label());
    let spec = serde_json::to_string(case).expect("case serializes");
    let result = child::run(CASE_VAR, &spec, case.hard_limit()).unwrap_or_else(|e| {
        eprintln!("    failed: {e}");
        failed(e)
    });
    (result, started_load)
}

/// A lab run in a child, with the load when it started.
fn run_lab(preset: Preset, n: usize, seed: u64, window_s: f64, role: Role) -> LabRun {
    let (rumor, crash) = (role != Role::Long, role != Role::Long);
    let case = Case::Lab { preset, n, seed, window_s, rumor, crash, role };
    let (mut run, started_load) = run_child(&case, |e| LabRun { error: Some(e), ..LabRun::new(preset, n, seed, role) });
    run.load1_at_start = Some(started_load);
    eprintln!("    {}", brief(&run));
    run
}

/// The progress line of a lab run: its headline figures.
fn brief(run: &LabRun) -> String {
    let f = Figures::of(run);
    let figures = [
        ("join_converge_s", f.join_converge_s),
        ("join_90pct_s", f.join_90pct_s),
        ("cpu_per_node_per_s", f.cpu_per_node_per_s),
        ("pkts_per_node_per_s", f.pkts_per_node_per_s),
        ("bytes_per_node_per_s", f.bytes_per_node_per_s),
        ("rumor_100_s", f.rumor_100_s),
        ("first_detect_s", f.first_detect_s),
        ("full_detect_s", f.full_detect_s),
        ("false_suspects", f.false_suspects),
        ("false_dead", f.false_dead),
    ];
    let mut parts: Vec<String> = figures.iter().filter_map(|(k, x)| x.map(|x| format!("{k}={x}"))).collect();
    parts.extend(run.error.as_ref().map(|e| format!("error={e:?}")));
    parts.join(" ")
}

/// The syscall floor's costs, measured in this process with nothing else
/// of the bench running.
fn measure_floor(opts: &Options) -> floor::Costs {
    let costs = floor::syscall_costs(if opts.quick { 20_000 } else { 400_000 });
    eprintln!(
        "  syscall floor, µs per datagram (size, cost): {:?}",
        costs.map(|(s, c)| (s, (c * 1e8).round() / 100.0))
    );
    costs
}

/// The whole bench, as the options say.
pub fn parent(opts: Options) {
    let out_dir = results_dir(opts.quick);
    let begun = Instant::now();
    let load_before = loads();
    let recorded = recorded();
    eprintln!("runtime bench ({}), load {load_before}: {opts:?}", if opts.quick { "quick" } else { "full" });
    let mut floor = vec![measure_floor(&opts)];

    let mut ours: Vec<Row> = Vec::new();
    let mut scale_runs: Vec<LabRun> = Vec::new();
    // 1. Scale: each configuration several times, its row the medians.
    for &preset in &opts.presets {
        for &n in &opts.sizes {
            let runs: Vec<LabRun> =
                (1..=opts.scale_runs).map(|seed| run_lab(preset, n, seed, opts.window_s, Role::Scale)).collect();
            ours.push(Row::of(&runs));
            scale_runs.extend(runs);
        }
    }
    // 2. Detection and spread.
    let mut detect: Vec<LabRun> = Vec::new();
    for &n in &opts.detect_sizes {
        for seed in 1..=opts.detect_runs {
            detect.push(run_lab(Preset::Lan, n, 100 + seed, 0.0, Role::Detect));
        }
    }
    // 4. The long run.
    let long = (opts.long_s > 0.0).then(|| run_lab(Preset::Fast, opts.long_n, 1, opts.long_s, Role::Long));
    // 5. Rumor in the simulator.
    let mut sim = Vec::new();
    for preset in [Preset::Fast, Preset::Lan] {
        for seed in 1..=opts.sim_seeds {
            let n = 1000;
            let case = Case::SimRumor { preset, n, seed };
            let (mut run, started_load) = run_child(&case, |e| SimRun {
                preset: Some(preset),
                n: Some(n),
                seed: Some(seed),
                spread: None,
                load1_at_start: None,
                error: Some(e),
            });
            run.load1_at_start = Some(started_load);
            eprintln!("    {}", serde_json::to_string(&run).expect("a result serializes"));
            sim.push(run);
        }
    }
    // 3. The peers.
    let peers = if opts.peers { run_peers(&opts, &out_dir) } else { Peers::skipped("GL_BENCH_PEERS=0 or quick mode") };
    floor.push(measure_floor(&opts));
    let load_after = loads();

    let meta = Meta {
        recorded,
        load_before,
        load_after,
        took_s: begun.elapsed().as_secs(),
        peer_notes: peers.notes.clone(),
        peers_skipped: peers.skipped.clone(),
        floor,
    };
    write(&out_dir.join("runtime-meta.json"), &serde_json::to_string_pretty(&meta).expect("meta serializes"));
    let report = Report { opts: &opts, ours: &ours, detect: &detect, long: long.as_ref(), sim: &sim, peers: &peers };
    let md = report.write(&meta, &out_dir);
    println!("{md}");
    let labs: Vec<&LabRun> = scale_runs.iter().chain(&detect).chain(long.as_ref()).collect();
    write_lines(&out_dir, &labs, &sim);
    eprintln!(
        "wrote {} and runtime.jsonl ({} s in all)",
        out_dir.join("runtime.md").display(),
        begun.elapsed().as_secs()
    );
}
