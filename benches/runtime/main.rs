//! The REAL runtime (`src/runtime/`: one tokio task and one UDP socket per
//! node on 127.0.0.1) measured the way the peer baselines in
//! `../shared/peers` measure HashiCorp memberlist and foca, and put side by
//! side with them (issue 5).
//!
//! ```text
//! cargo bench --bench runtime                 # full: ~50 min with the peers
//! BENCH_QUICK=1 cargo bench --bench runtime   # N = 16, short windows, 1 detection run, no peers (< 1 min)
//! GL_BENCH_N=16,256 GL_BENCH_PEERS=0 cargo bench --bench runtime   # a subset
//! GL_BENCH_PEER_IMPLS=foca cargo bench --bench runtime   # foca as the only peer
//! GL_BENCH_REPORT_AGAIN=1 cargo bench --bench runtime   # runtime.md again from a full run's saved results
//! just bench / just bench-quick               # every bench; `bench` also rewrites BENCHMARKS.md
//! ```
//!
//! What it measures, each configuration in its own child process (this
//! binary re-run with `GL_BENCH_CASE` set), so CPU time and peak RSS belong
//! to one configuration only:
//!
//! 1. **Scale** (`lan` and `fast` presets, N = 16, 64, 256, 1,024, no
//!    faults): time from lab start until every node holds every member
//!    alive (`Snapshot::converged` with all nodes up), then a settle period
//!    (until traffic is quiet, as the peers do), then a steady-state window
//!    (10 s): process CPU (`getrusage(RUSAGE_SELF)`) per node per second,
//!    datagrams and bytes sent per node per second (the nodes'
//!    `AtomicTraffic` deltas), peak RSS (`VmHWM`) and RSS per node, false
//!    suspicions and deaths (observer metrics). Then one rumor and one crash,
//!    as in the peers' runs.
//! 2. **Detection and spread** (`lan`, N = 16, 64, 256, 10 runs each with
//!    different seeds): rumor spread to 50/99/100 % and the crash of node
//!    N/2: first suspicion, first death, full detection. Medians (min–max)
//!    next to `observe::model` and memberlist.
//! 3. **Peers**: `../shared/peers/{memberlist,foca}/run.sh` with the same N
//!    and `CONFIGS=default,fast`, and ratios gossip-lab / peer; then
//!    `GL_BENCH_PEER_RUNS - 1` (default 2) more `default` runs at every
//!    size, so the peers' `default` figures are medians, as ours are.
//! 4. **Long run**: 1,024 nodes, `fast`, 5 minutes, false positives.
//! 5. **Rumor in the simulator**: 1,000 nodes, time to 100 % against the
//!    Serf model's 99.99 % time.
//! 6. **The syscall floor** (issue 13), before the scale runs and after the
//!    peers, in the parent itself, as `benches/floor.rs` measures it: each
//!    scale row's CPU is also shown as a multiple of it.
//!
//! Anti-entropy (push-pull every 30 s, stretched above 32 nodes, first one
//! 1–2 intervals after start) mostly falls outside the window, so, like the
//! peers, the harness reports it apart: the bytes of one exchange (measured
//! when exchanges fell inside the window, else computed by encoding the
//! chunks exactly as the node does), amortized over the push-pull period, in
//! `est_bytes_per_node_per_s_incl_ae`; its CPU is estimated from the
//! window's CPU per datagram.
//!
//! Figures are written to `target/bench-results/runtime.{md,jsonl}` (quick
//! mode: `target/bench-results/quick/`); `examples/bench_report.rs`
//! assembles BENCHMARKS.md from every section file there. The settings can
//! be narrowed with environment variables (see [`Options::from_env`]).
//!
//! The modules follow the data: [`cases`] says what a child runs,
//! [`lab_case`] and [`sim_rumor`] run it in the child, [`results`] types
//! what it reports, [`parent`] runs the children and [`peers`] the peers,
//! [`figures`] turns runs into table rows, [`report`] writes the section,
//! and [`saved`] keeps what `GL_BENCH_REPORT_AGAIN` needs.

#[path = "../common/child.rs"]
mod child;
#[path = "../common/floor.rs"]
mod floor;
#[path = "../common/record.rs"]
mod record;
#[path = "../common/snapshots.rs"]
mod snapshots;
#[path = "../common/usage.rs"]
mod usage;

mod cases;
mod figures;
mod lab_case;
mod parent;
mod peers;
mod report;
mod results;
mod saved;
mod sim_rumor;

use std::path::Path;
use std::time::Duration;

use gossip_lab::protocol::Time;

use cases::{Case, Preset};

/// Set in a child: the JSON of the one [`Case`] it runs.
const CASE_VAR: &str = "GL_BENCH_CASE";

/// What to run, from the environment.
#[derive(Clone, Debug)]
pub struct Options {
    quick: bool,
    /// `GL_BENCH_N`: scale sizes (also the peers').
    sizes: Vec<usize>,
    /// `GL_BENCH_CONFIGS`: presets for the scale part (`lan,fast`).
    presets: Vec<Preset>,
    /// `GL_BENCH_WINDOW`: steady-window seconds.
    window_s: f64,
    /// `GL_BENCH_SCALE_RUNS`: runs (seeds 1, 2, …) per scale
    /// configuration; the table shows the median of each figure.
    scale_runs: u64,
    /// `GL_BENCH_DETECT_N`: sizes for the detection runs.
    detect_sizes: Vec<usize>,
    /// `GL_BENCH_DETECT_RUNS`: runs per detection size.
    detect_runs: u64,
    /// `GL_BENCH_PEERS=0` skips the peers.
    peers: bool,
    /// `GL_BENCH_PEER_IMPLS`: which peers run (`memberlist,foca`).
    peer_impls: Vec<String>,
    /// `GL_BENCH_PEER_RUNS`: runs of each peer with the `default` config
    /// at every size, the first being its scale run; its figures are the
    /// medians. A single crash's detection time varies by a second or more
    /// between runs, and CPU by 10-30 %, so one run is no figure to hold
    /// our medians against.
    peer_runs: u64,
    /// `GL_BENCH_LONG`: seconds of the 1,024-node fast run (0 skips it).
    long_s: f64,
    /// `GL_BENCH_LONG_N`: its size.
    long_n: usize,
    /// `GL_BENCH_SIM_SEEDS`: seeds per preset for the simulated rumor (0 skips).
    sim_seeds: u64,
}

impl Options {
    fn from_env() -> Options {
        let quick = record::quick();
        let list = |name: &str, default: &str| -> Vec<usize> {
            env(name)
                .unwrap_or_else(|| default.to_string())
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().parse().unwrap_or_else(|_| panic!("{name}: {s:?} is not a number")))
                .collect()
        };
        let num = |name: &str, default: f64| -> f64 {
            env(name).map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name}: {v:?} is not a number")))
        };
        let presets: Vec<Preset> = env("GL_BENCH_CONFIGS")
            .unwrap_or_else(|| if quick { "lan" } else { "lan,fast" }.to_string())
            .split(',')
            .map(|s| {
                Preset::parse(s.trim()).unwrap_or_else(|| {
                    panic!("GL_BENCH_CONFIGS: unknown config {:?}: use lan (= default) or fast", s.trim())
                })
            })
            .collect();
        Options {
            quick,
            sizes: list("GL_BENCH_N", if quick { "16" } else { "16,64,256,1024" }),
            presets,
            window_s: num("GL_BENCH_WINDOW", if quick { 3.0 } else { 10.0 }),
            scale_runs: num("GL_BENCH_SCALE_RUNS", if quick { 1.0 } else { 3.0 }).max(1.0) as u64,
            detect_sizes: list("GL_BENCH_DETECT_N", if quick { "16" } else { "16,64,256" }),
            detect_runs: num("GL_BENCH_DETECT_RUNS", if quick { 1.0 } else { 10.0 }) as u64,
            peers: env("GL_BENCH_PEERS").map_or(!quick, |v| v != "0"),
            peer_impls: env("GL_BENCH_PEER_IMPLS")
                .unwrap_or_else(|| peers::IMPLS.join(","))
                .split(',')
                .map(|s| match s.trim() {
                    imp if peers::IMPLS.contains(&imp) => imp.to_string(),
                    other => {
                        panic!("GL_BENCH_PEER_IMPLS: unknown peer {other:?}: use one or more of {:?}", peers::IMPLS)
                    }
                })
                .collect(),
            peer_runs: num("GL_BENCH_PEER_RUNS", 3.0).max(1.0) as u64,
            long_s: num("GL_BENCH_LONG", if quick { 0.0 } else { 300.0 }),
            long_n: num("GL_BENCH_LONG_N", 1024.0) as usize,
            sim_seeds: num("GL_BENCH_SIM_SEEDS", if quick { 0.0 } else { 3.0 }) as u64,
        }
    }
}

/// A set, non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn main() {
    if env("GL_BENCH_REPORT_AGAIN").is_some_and(|v| v == "1") {
        return saved::report_again(Options::from_env());
    }
    if let Some(spec) = env(CASE_VAR) {
        let case: Case = serde_json::from_str(&spec).unwrap_or_else(|e| panic!("{CASE_VAR}: {e}: {spec}"));
        // The child's whole output is this one line; the parent reads it
        // back as the same type.
        let result = match case {
            Case::Lab { .. } => {
                // Two workers, as the foca peer runs: the machine has 2 cores.
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                serde_json::to_string(&rt.block_on(lab_case::lab_case(&case)))
            }
            Case::SimRumor { .. } => serde_json::to_string(&sim_rumor::sim_rumor(&case)),
        };
        println!("RESULT {}", result.expect("a result serializes"));
        return;
    }
    parent::parent(Options::from_env());
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Seconds from `t0` to `t`, if `t` happened.
fn since(t: Option<Time>, t0: Time) -> Option<f64> {
    t.map(|t| secs(t.saturating_since(t0)))
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

/// Writes `text` to `path`, or panics saying which file.
fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
