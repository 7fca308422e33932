//! The REAL runtime (`src/runtime/`: one tokio task and one UDP socket per
//! node on 127.0.0.1) measured the way the peer baselines in
//! `../shared/peers` measure HashiCorp memberlist and foca, and put side by
//! side with them (issue 5).
//!
//! ```text
//! cargo bench --bench runtime                 # full: ~50 min with the peers
//! BENCH_QUICK=1 cargo bench --bench runtime   # N = 16, short windows, 1 detection run, no peers (< 1 min)
//! GL_BENCH_N=16,256 GL_BENCH_PEERS=0 cargo bench --bench runtime   # a subset
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

#[path = "common/child.rs"]
mod child;
#[path = "common/record.rs"]
mod record;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gossip_lab::config::{LabConfig, parse_profile};
use gossip_lab::observe::Snapshot;
use gossip_lab::observe::model::{detection_bounds, serf_time_to};
use gossip_lab::protocol::message::{MemberEntry, PushPull};
use gossip_lab::protocol::{Body, Config, MsgKind, Packet, State, Time};
use gossip_lab::runtime::{Running, launch};
use gossip_lab::scenario::{Action, NodeRef};
use gossip_lab::sim::{Cluster, SimConfig};
use gossip_lab::wire;
use record::{load, loads, recorded, results_dir};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::watch;

/// Set in a child: the JSON of the one [`Case`] it runs.
const CASE_VAR: &str = "GL_BENCH_CASE";
/// Give up on the join if 90 % of the nodes do not have a full view by then.
const JOIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Settle: at least this long after convergence ...
const SETTLE_MIN: Duration = Duration::from_secs(2);
/// ... at most this long ...
const SETTLE_MAX: Duration = Duration::from_secs(30);
/// ... until two consecutive 1-s packet counts are within this fraction ...
const SETTLE_TOLERANCE: f64 = 0.15;
/// ... and the average datagram is below this many bytes (the post-join
/// gossip backlog has drained): the peers' criterion.
const SETTLE_PACKET: f64 = 200.0;
/// How long a rumor may take to reach every node.
const RUMOR_TIMEOUT: Duration = Duration::from_secs(30);

// ----- configurations ---------------------------------------------------------

/// One child's work.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Case {
    /// A real lab: join, settle, an optional steady window, then optionally
    /// a rumor and a crash.
    Lab {
        preset: String,
        n: usize,
        seed: u64,
        /// Steady-window seconds; 0 skips the window.
        window_s: f64,
        rumor: bool,
        crash: bool,
        /// Which part of the bench it belongs to: scale, detect or long.
        role: String,
    },
    /// Rumor spread in the deterministic simulator.
    SimRumor { preset: String, n: usize, seed: u64 },
}

impl Case {
    fn label(&self) -> String {
        match self {
            Case::Lab { preset, n, seed, window_s, role, .. } => {
                format!("{role}: {preset} × {n} nodes, seed {seed}, window {window_s} s")
            }
            Case::SimRumor { preset, n, seed } => format!("sim rumor: {preset} × {n} nodes, seed {seed}"),
        }
    }

    /// Kill the child after this long.
    fn hard_limit(&self) -> Duration {
        match self {
            Case::Lab { window_s, .. } => Duration::from_secs(240) + Duration::from_secs_f64(*window_s),
            Case::SimRumor { .. } => Duration::from_secs(180),
        }
    }
}

fn protocol(preset: &str) -> Config {
    match preset {
        "lan" => Config::lan(),
        "fast" => Config::fast(),
        other => panic!("unknown preset {other}: use lan or fast"),
    }
}

/// The peers call memberlist's LAN config (= our `lan`) `default`.
fn peer_config(preset: &str) -> &str {
    if preset == "lan" { "default" } else { preset }
}

/// What to run, from the environment.
#[derive(Clone, Debug)]
struct Options {
    quick: bool,
    /// `GL_BENCH_N`: scale sizes (also the peers').
    sizes: Vec<usize>,
    /// `GL_BENCH_CONFIGS`: presets for the scale part (`lan,fast`).
    presets: Vec<String>,
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
        let presets: Vec<String> = env("GL_BENCH_CONFIGS")
            .unwrap_or_else(|| if quick { "lan" } else { "lan,fast" }.to_string())
            .split(',')
            .map(|s| match s.trim() {
                "default" | "lan" => "lan".to_string(),
                "fast" => "fast".to_string(),
                other => panic!("GL_BENCH_CONFIGS: unknown config {other:?}: use lan (= default) or fast"),
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
            peer_runs: num("GL_BENCH_PEER_RUNS", 3.0).max(1.0) as u64,
            long_s: num("GL_BENCH_LONG", if quick { 0.0 } else { 300.0 }),
            long_n: num("GL_BENCH_LONG_N", 1024.0) as usize,
            sim_seeds: num("GL_BENCH_SIM_SEEDS", if quick { 0.0 } else { 3.0 }) as u64,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

// ----- the child ---------------------------------------------------------------

fn main() {
    if env("GL_BENCH_REPORT_AGAIN").is_some_and(|v| v == "1") {
        return report_again(Options::from_env());
    }
    if let Some(spec) = env(CASE_VAR) {
        let case: Case = serde_json::from_str(&spec).unwrap_or_else(|e| panic!("{CASE_VAR}: {e}: {spec}"));
        let result = match case {
            Case::Lab { .. } => {
                // Two workers, as the foca peer runs: the machine has 2 cores.
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(lab_case(&case))
            }
            Case::SimRumor { .. } => sim_rumor(&case),
        };
        println!("RESULT {result}");
        return;
    }
    parent(Options::from_env());
}

/// Process CPU seconds so far (user + system), as the peers read it.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// A `/proc/self/status` field in bytes (`VmHWM`, `VmRSS`).
fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|v| v.strip_prefix(':')))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |k| k * 1024)
}

fn profile(preset: &str, n: usize, seed: u64) -> LabConfig {
    let text = format!(
        "name = \"bench-runtime\"\nduration = \"2h\"\n[cluster]\nnodes = {n}\nseed = {seed}\n\
         [protocol]\npreset = \"{preset}\"\n"
    );
    parse_profile("bench-runtime", &text).expect("bench profile is valid")
}

/// Cluster-wide datagrams and bytes sent so far: all kinds, and push-pull.
#[derive(Clone, Copy, Debug, Default)]
struct Sent {
    packets: u64,
    bytes: u64,
    pp_packets: u64,
    pp_bytes: u64,
}

fn sent(running: &Running) -> Sent {
    let mut s = Sent::default();
    for slot in running.lab.slots() {
        let t = slot.traffic.snapshot();
        let total = t.sent_total();
        let pp = t.sent[MsgKind::PushPull.index()];
        s.packets += total.packets;
        s.bytes += total.bytes;
        s.pp_packets += pp.packets;
        s.pp_bytes += pp.bytes;
    }
    s
}

/// Push-pull exchanges started so far (joins included), from the nodes'
/// published status (at most 100 ms old).
fn exchanges(snap: &Snapshot) -> u64 {
    snap.nodes.iter().map(|r| r.status.counters.push_pulls).sum()
}

/// Waits, without sleeping, until `pred` holds for a snapshot or `deadline`
/// passes; the last snapshot seen either way.
async fn wait_for(
    rx: &mut watch::Receiver<Arc<Snapshot>>,
    deadline: tokio::time::Instant,
    mut pred: impl FnMut(&Snapshot) -> bool,
) -> (bool, Arc<Snapshot>) {
    loop {
        let snap = rx.borrow_and_update().clone();
        if pred(&snap) {
            return (true, snap);
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            _ => return (false, snap),
        }
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn since(t: Option<Time>, t0: Time) -> Option<f64> {
    t.map(|t| secs(t.saturating_since(t0)))
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

/// One real lab run; the result has the peers' field names.
async fn lab_case(case: &Case) -> Value {
    let Case::Lab { preset, n, seed, window_s, rumor, crash, role } = case.clone() else { unreachable!() };
    let config = profile(&preset, n, seed);
    let proto = config.protocol.clone();
    let started = Instant::now();
    let rss_base = proc_status("VmRSS");
    let mut out = json!({
        "impl": "gossip-lab",
        "n": n,
        "config": peer_config(&preset),
        "preset": preset,
        "role": role,
        "seed": seed,
        "worker_threads": 2,
        "probe_interval_ms": proto.probe_interval.as_millis() as u64,
        "probe_timeout_ms": proto.probe_timeout.as_millis() as u64,
        "gossip_interval_ms": proto.gossip_interval.as_millis() as u64,
        "pushpull_interval_ms": proto.push_pull_interval.as_millis() as u64,
        "rss_baseline_bytes": rss_base,
    });
    let mut running = match launch(config, None).await {
        Ok(r) => r,
        Err(e) => {
            out["error"] = json!(format!("launch: {e}"));
            return out;
        }
    };
    let mut rx = running.observer.snapshots();

    // 1. Join: every node holds every member alive.
    let deadline = tokio::time::Instant::now() + JOIN_TIMEOUT;
    let mut t90: Option<Time> = None;
    let (all, snap) = wait_for(&mut rx, deadline, |s| {
        let full = s.nodes.iter().filter(|r| r.status.live_members == n).count();
        if t90.is_none() && s.nodes.len() == n && full * 10 >= n * 9 {
            t90 = Some(s.t);
        }
        s.nodes.len() == n && s.up() == n && s.converged
    })
    .await;
    // The status behind `live_members` is republished every 100 ms and may
    // lag the observer's views: a converged cluster is past 90 % too.
    if all {
        t90 = t90.or(Some(snap.t));
    }
    out["join_converge_s"] = json!(all.then(|| round(secs(snap.t.since_epoch()), 4)));
    out["join_90pct_s"] = json!(t90.map(|t| round(secs(t.since_epoch()), 4)));
    out["join_full_nodes"] = json!(snap.nodes.iter().filter(|r| r.status.live_members == n).count());
    if t90.is_none() {
        out["error"] = json!(format!("fewer than 90 % of nodes had a full view after {} s", JOIN_TIMEOUT.as_secs()));
        return finish(running, out, started).await;
    }

    // 2. Settle: until the post-join backlog has drained.
    let settle_start = Instant::now();
    let mut prev = sent(&running);
    let mut prev_rate: Option<f64> = None;
    let mut quiet = false;
    while settle_start.elapsed() < SETTLE_MAX {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = sent(&running);
        let pkts = (now.packets - prev.packets) as f64;
        let avg = if pkts > 0.0 { (now.bytes - prev.bytes) as f64 / pkts } else { 0.0 };
        prev = now;
        if let Some(p) = prev_rate
            && settle_start.elapsed() >= SETTLE_MIN
            && (pkts - p).abs() <= SETTLE_TOLERANCE * pkts.max(p)
            && avg < SETTLE_PACKET
        {
            quiet = true;
            break;
        }
        prev_rate = Some(pkts);
    }
    out["settle_s"] = json!(round(settle_start.elapsed().as_secs_f64(), 1));
    out["settle_quiet"] = json!(quiet);

    // 3. The steady window.
    if window_s > 0.0 {
        let s0 = sent(&running);
        let x0 = exchanges(&rx.borrow());
        let c0 = cpu_seconds();
        let w0 = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(window_s)).await;
        let c1 = cpu_seconds();
        let w = w0.elapsed().as_secs_f64();
        let s1 = sent(&running);
        // The status is republished every 100 ms: let it catch up.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let x1 = exchanges(&rx.borrow());
        let per = |x: f64| x / (n as f64 * w);
        let cpu = c1 - c0;
        let pkts = (s1.packets - s0.packets) as f64;
        let bytes = (s1.bytes - s0.bytes) as f64;
        let pp_pkts = (s1.pp_packets - s0.pp_packets) as f64;
        let pp_bytes = (s1.pp_bytes - s0.pp_bytes) as f64;
        let ex = x1.saturating_sub(x0);
        // Anti-entropy: one exchange's bytes (both directions), measured
        // when exchanges fell inside the window, else computed.
        let (ae_pkts, ae_bytes, source) = if ex > 0 && pp_bytes > 0.0 {
            (pp_pkts / ex as f64, pp_bytes / ex as f64, "measured")
        } else {
            let (p, b) = exchange_size(n, proto.packet_budget);
            (p as f64, b as f64, "encoded")
        };
        let period = secs(proto.push_pull_period(n));
        let cpu_per_pkt = if pkts > 0.0 { cpu / pkts } else { 0.0 };
        out["steady_window_s"] = json!(round(w, 3));
        out["cpu_per_node_per_s"] = json!(per(cpu));
        out["cpu_cores_used"] = json!(round(cpu / w, 4));
        out["pkts_per_node_per_s"] = json!(round(per(pkts), 3));
        out["bytes_per_node_per_s"] = json!(round(per(bytes), 1));
        out["pushpull_pkts_in_window"] = json!(pp_pkts);
        out["pushpull_bytes_in_window"] = json!(pp_bytes);
        out["pushpull_exchanges_in_window"] = json!(ex);
        out["antientropy_interval_s"] = json!(period);
        out["antientropy_pkts"] = json!(round(ae_pkts, 1));
        out["antientropy_bytes"] = json!(round(ae_bytes, 0));
        out["antientropy_bytes_source"] = json!(source);
        out["antientropy_cpu_s"] = json!(cpu_per_pkt * ae_pkts);
        out["est_bytes_per_node_per_s_incl_ae"] = json!(round(per(bytes - pp_bytes) + ae_bytes / period, 1));
        out["est_cpu_per_node_per_s_incl_ae"] = json!(cpu_per_pkt * (per(pkts - pp_pkts) + ae_pkts / period));
        out["rss_bytes"] = json!(proc_status("VmRSS"));
        out["rss_per_node_bytes"] = json!(proc_status("VmRSS").saturating_sub(rss_base) / n as u64);
    }

    // 4. A rumor from node 0.
    if rumor {
        let action = Action::Rumor { node: NodeRef::Index(0), payload: "bench".into() };
        match running.lab.apply(&action).await {
            Ok(_) => {
                let deadline = tokio::time::Instant::now() + RUMOR_TIMEOUT;
                let (_, snap) =
                    wait_for(&mut rx, deadline, |s| s.rumors.first().is_some_and(|r| r.t100.is_some())).await;
                if let Some(r) = snap.rumors.first() {
                    out["rumor_50_s"] = json!(since(r.t50, r.injected_at));
                    out["rumor_99_s"] = json!(since(r.t99, r.injected_at));
                    out["rumor_100_s"] = json!(since(r.t100, r.injected_at));
                    out["rumor_packets"] = json!(r.packets);
                    out["rumor_delivered"] = json!(r.delivered);
                    out["rumor_target"] = json!(r.target);
                }
            }
            Err(e) => out["rumor_error"] = json!(e.to_string()),
        }
    }

    // 5. Crash node n/2 and wait for every other node to hold it dead.
    if crash && n > 1 {
        let victim = n / 2;
        let bounds = detection_bounds(&proto, n);
        let limit = (bounds.full * 2).max(Duration::from_secs(30));
        match running.lab.apply(&Action::Crash { node: NodeRef::Index(victim) }).await {
            Ok(_) => {
                let deadline = tokio::time::Instant::now() + limit;
                let (_, snap) = wait_for(&mut rx, deadline, |s| {
                    s.detections.iter().any(|d| d.node == victim && (d.full.is_some() || d.aborted))
                })
                .await;
                if let Some(d) = snap.detections.iter().find(|d| d.node == victim) {
                    let first_dead = since(d.first_dead, d.crashed_at);
                    out["first_detect_s"] = json!(since(d.first_suspect, d.crashed_at).or(first_dead));
                    out["first_suspect_s"] = json!(since(d.first_suspect, d.crashed_at));
                    out["first_dead_s"] = json!(first_dead);
                    out["full_detect_s"] = json!(since(d.full, d.crashed_at));
                }
                let knew = snap.nodes.len() - 1;
                let dead = (0..snap.nodes.len())
                    .filter(|&o| o != victim && snap.views.get(o, victim) == Some(State::Dead))
                    .count();
                out["detected_by"] = json!(dead);
                out["detect_of"] = json!(knew);
                out["detect_limit_s"] = json!(secs(limit));
            }
            Err(e) => out["crash_error"] = json!(e.to_string()),
        }
    }
    finish(running, out, started).await
}

/// Health counts, peak RSS, and a clean stop.
async fn finish(running: Running, mut out: Value, started: Instant) -> Value {
    let snap = running.observer.snapshots().borrow().clone();
    out["false_suspects"] = json!(snap.false_suspicions);
    out["false_dead"] = json!(snap.false_positives);
    out["events_dropped"] = json!(snap.events_dropped);
    out["peak_rss_bytes"] = json!(proc_status("VmHWM"));
    match running.stop().await {
        Ok(summary) => {
            out["false_dead"] = json!(summary.false_positives);
        }
        Err(e) => out["stop_error"] = json!(e.to_string()),
    }
    out["wall_s"] = json!(round(started.elapsed().as_secs_f64(), 2));
    out
}

/// Datagrams and bytes of one push-pull exchange at `n` members (both
/// directions), encoded the way `Node::send_push_pull` chunks the state.
fn exchange_size(n: usize, budget: usize) -> (usize, usize) {
    let worst = MemberEntry {
        addr: std::net::SocketAddrV4::new(std::net::Ipv4Addr::BROADCAST, u16::MAX),
        incarnation: gossip_lab::protocol::Incarnation::MAX,
        state: State::Left,
    };
    let entry_len = wire::encoded_len(&worst);
    let per_chunk = (gossip_lab::protocol::push_pull_room(budget) / entry_len).max(1);
    let entries: Vec<MemberEntry> = (0..n)
        .map(|i| MemberEntry {
            addr: std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 40_000 + (i % 20_000) as u16),
            incarnation: 0,
            state: State::Alive,
        })
        .collect();
    let chunks = entries.len().div_ceil(per_chunk);
    let mut bytes = 0;
    for (i, slice) in entries.chunks(per_chunk).enumerate() {
        let body = Body::PushPull(PushPull {
            reply: false,
            join: false,
            chunk: i as u16,
            chunks: chunks as u16,
            members: slice.to_vec(),
            pad: vec![],
            rumors: vec![],
        });
        bytes += wire::datagram_len(&Packet { body, gossip: Vec::new() });
    }
    (2 * chunks, 2 * bytes)
}

/// Rumor spread among `n` simulated nodes after they converged.
fn sim_rumor(case: &Case) -> Value {
    let Case::SimRumor { preset, n, seed } = case.clone() else { unreachable!() };
    let proto = protocol(&preset);
    let model = secs(serf_time_to(0.9999, n, proto.gossip_nodes, proto.gossip_interval, 0.0));
    let mut c = Cluster::new(SimConfig { protocol: proto, ..SimConfig::new(n, seed) }).expect("valid sim config");
    let start = c.now();
    let limit = start + Duration::from_secs(120);
    let Some(_) = c.run_until_pred(limit, Cluster::converged) else {
        return json!({"preset": preset, "n": n, "seed": seed, "error": "not converged in 120 virtual s"});
    };
    c.run_for(Duration::from_secs(5));
    let id = c.inject_rumor(n / 2, b"bench".to_vec()).expect("rumor injected");
    c.run_for(Duration::from_secs(30));
    let r = c.rumor(id).expect("rumor recorded");
    json!({
        "preset": preset,
        "n": n,
        "seed": seed,
        "rumor_50_s": since(r.t50, r.injected_at),
        "rumor_99_s": since(r.t99, r.injected_at),
        "rumor_100_s": since(r.t100, r.injected_at),
        "delivered": r.delivered,
        "target": r.target,
        "packets": r.packets,
        "serf_9999_s": model,
    })
}

// ----- the parent ----------------------------------------------------------------

/// Runs this binary on `case`; its RESULT plus the load when it started.
fn run_child(case: &Case) -> Value {
    let started_load = load();
    eprintln!("  {} (load {started_load}) ...", case.label());
    let spec = serde_json::to_string(case).expect("case serializes");
    let result = child::run(CASE_VAR, &spec, case.hard_limit());
    let mut v = result.unwrap_or_else(|e| {
        eprintln!("    failed: {e}");
        json!({ "error": e })
    });
    v["load1_at_start"] = json!(started_load);
    if let Case::Lab { preset, n, seed, role, .. } = case {
        for (k, x) in [("preset", json!(preset)), ("n", json!(n)), ("seed", json!(seed)), ("role", json!(role))] {
            if v.get(k).is_none() {
                v[k] = x;
            }
        }
        if v.get("impl").is_none() {
            v["impl"] = json!("gossip-lab");
            v["config"] = json!(peer_config(preset));
        }
        eprintln!("    {}", brief(&v));
    }
    v
}

fn brief(v: &Value) -> String {
    let keys = [
        "join_converge_s",
        "join_90pct_s",
        "cpu_per_node_per_s",
        "pkts_per_node_per_s",
        "bytes_per_node_per_s",
        "rumor_100_s",
        "first_detect_s",
        "full_detect_s",
        "false_suspects",
        "false_dead",
        "error",
    ];
    keys.iter()
        .filter_map(|k| v.get(*k).filter(|x| !x.is_null()).map(|x| format!("{k}={x}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parent(opts: Options) {
    let out_dir = results_dir(opts.quick);
    std::fs::create_dir_all(&out_dir).expect("create the results directory");
    let begun = Instant::now();
    let load_before = loads();
    let recorded = recorded();
    eprintln!("runtime bench ({}), load {load_before}: {opts:?}", if opts.quick { "quick" } else { "full" });

    let mut ours: Vec<Value> = Vec::new();
    let mut scale_runs: Vec<Value> = Vec::new();
    // 1. Scale: each configuration several times, its row the medians.
    for preset in &opts.presets {
        for &n in &opts.sizes {
            let runs: Vec<Value> = (1..=opts.scale_runs)
                .map(|seed| {
                    run_child(&Case::Lab {
                        preset: preset.clone(),
                        n,
                        seed,
                        window_s: opts.window_s,
                        rumor: true,
                        crash: true,
                        role: "scale".into(),
                    })
                })
                .collect();
            ours.push(median_row(&runs));
            scale_runs.extend(runs);
        }
    }
    // 2. Detection and spread.
    let mut detect: Vec<Value> = Vec::new();
    for &n in &opts.detect_sizes {
        for seed in 1..=opts.detect_runs {
            let case = Case::Lab {
                preset: "lan".into(),
                n,
                seed: 100 + seed,
                window_s: 0.0,
                rumor: true,
                crash: true,
                role: "detect".into(),
            };
            detect.push(run_child(&case));
        }
    }
    // 4. The long run.
    let mut long = None;
    if opts.long_s > 0.0 {
        let case = Case::Lab {
            preset: "fast".into(),
            n: opts.long_n,
            seed: 1,
            window_s: opts.long_s,
            rumor: false,
            crash: false,
            role: "long".into(),
        };
        long = Some(run_child(&case));
    }
    // 5. Rumor in the simulator.
    let mut sim = Vec::new();
    for preset in ["fast", "lan"] {
        for seed in 1..=opts.sim_seeds {
            let case = Case::SimRumor { preset: preset.into(), n: 1000, seed };
            let v = run_child(&case);
            eprintln!("    {v}");
            sim.push(v);
        }
    }
    // 3. The peers.
    let peers = if opts.peers { run_peers(&opts, &out_dir) } else { Peers::skipped("GL_BENCH_PEERS=0 or quick mode") };
    let load_after = loads();

    let meta = Meta {
        recorded,
        load_before,
        load_after,
        took_s: begun.elapsed().as_secs(),
        peer_notes: peers.notes.clone(),
        peers_skipped: peers.skipped.clone(),
    };
    write(&out_dir.join("runtime-meta.json"), &serde_json::to_string_pretty(&meta).expect("meta serializes"));
    let report = Report { opts: &opts, ours: &ours, detect: &detect, long: long.as_ref(), sim: &sim, peers: &peers };
    let md = report.write(&meta, &out_dir);
    println!("{md}");
    let mut jsonl = String::new();
    for v in scale_runs.iter().chain(&detect).chain(long.as_ref()) {
        jsonl.push_str(&v.to_string());
        jsonl.push('\n');
    }
    for v in &sim {
        jsonl.push_str(&json!({"impl": "gossip-lab-sim", "result": v}).to_string());
        jsonl.push('\n');
    }
    write(&out_dir.join("runtime.jsonl"), &jsonl);
    eprintln!(
        "wrote {} and runtime.jsonl ({} s in all)",
        out_dir.join("runtime.md").display(),
        begun.elapsed().as_secs()
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

// ----- the peers ------------------------------------------------------------------

struct Peers {
    /// Why they were not run, if they were not.
    skipped: Option<String>,
    /// The scale run: one line per (implementation, config, N).
    lines: Vec<Value>,
    /// Further `default` runs at every size.
    repeats: Vec<Value>,
    /// Per implementation: wall seconds, load before, or the failure.
    notes: Vec<String>,
}

impl Peers {
    fn skipped(why: &str) -> Peers {
        eprintln!("peers skipped: {why}");
        Peers { skipped: Some(why.into()), lines: Vec::new(), repeats: Vec::new(), notes: Vec::new() }
    }

    /// Every run of `imp` at (`config`, `n`): the scale run, plus the
    /// repeats for `default`.
    fn runs<'a>(&'a self, imp: &'a str, config: &'a str, n: usize) -> impl Iterator<Item = &'a Value> {
        self.lines.iter().chain(&self.repeats).filter(move |v| v["impl"] == imp && v["config"] == config && v["n"] == n)
    }

    /// `imp`'s figures for (`config`, `n`): the medians over its runs there.
    fn find(&self, imp: &str, config: &str, n: usize) -> Option<Value> {
        let runs: Vec<Value> = self.runs(imp, config, n).cloned().collect();
        (!runs.is_empty()).then(|| median_row(&runs))
    }

    /// The median of `key` over every `default` run of `imp` at `n`, and
    /// how many runs had it.
    fn detect_median(&self, imp: &str, n: usize, key: &str) -> Option<(f64, usize)> {
        stats(self.runs(imp, "default", n).map(|v| get(Some(v), key))).map(|(m, _, _, k)| (m, k))
    }
}

fn run_peers(opts: &Options, out_dir: &Path) -> Peers {
    let dir = env("GL_BENCH_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers"));
    if !dir.join("memberlist/run.sh").exists() || !dir.join("foca/run.sh").exists() {
        return Peers::skipped(&format!(
            "{} has no memberlist/run.sh and foca/run.sh (a clone without ../shared): no comparison",
            dir.display()
        ));
    }
    // The scale sizes, plus the detection sizes for the detection table.
    let mut all: Vec<usize> = opts.sizes.iter().chain(&opts.detect_sizes).copied().collect();
    all.sort_unstable();
    all.dedup();
    let sizes = all.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let configs = opts.presets.iter().map(|p| peer_config(p)).collect::<Vec<_>>().join(",");
    let mut peers = Peers { skipped: None, lines: Vec::new(), repeats: Vec::new(), notes: Vec::new() };
    for imp in ["memberlist", "foca"] {
        let script = dir.join(imp).join("run.sh");
        if let Some(lines) = run_peer(&script, imp, &sizes, &configs, &out_dir.join(imp), &mut peers.notes) {
            peers.lines.extend(lines);
        }
        for k in 2..=opts.peer_runs {
            let tag = format!("{imp}-run-{k}");
            if let Some(lines) = run_peer(&script, &tag, &sizes, "default", &out_dir.join(&tag), &mut peers.notes) {
                peers.repeats.extend(lines);
            }
        }
    }
    peers
}

/// One run of a peer's script: its JSON lines (also written to
/// `{out}.jsonl`, its progress to `{out}.log`), with a note of how it went.
fn run_peer(
    script: &Path,
    tag: &str,
    sizes: &str,
    configs: &str,
    out: &Path,
    notes: &mut Vec<String>,
) -> Option<Vec<Value>> {
    let l = load();
    eprintln!("  peer {tag}: N={sizes} CONFIGS={configs} (load {l}; its progress goes to {}.log) ...", out.display());
    let log = std::fs::File::create(out.with_extension("log")).expect("peer log");
    let start = Instant::now();
    let output = Command::new(script)
        .env("N", sizes)
        .env("CONFIGS", configs)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .output();
    let wall = start.elapsed().as_secs();
    match output {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout).to_string();
            write(&out.with_extension("jsonl"), &text);
            let lines: Vec<Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
            eprintln!("    {} lines in {wall} s ({})", lines.len(), o.status);
            notes.push(format!(
                "{tag} (N = {sizes}, {configs}): {} runs in {wall} s, load {l} at start, exit {}",
                lines.len(),
                o.status.code().map_or("signal".into(), |c| c.to_string())
            ));
            Some(lines)
        }
        Err(e) => {
            notes.push(format!("{tag}: could not run: {e}"));
            None
        }
    }
}

// ----- the report ------------------------------------------------------------------

struct Report<'a> {
    opts: &'a Options,
    ours: &'a [Value],
    detect: &'a [Value],
    long: Option<&'a Value>,
    sim: &'a [Value],
    peers: &'a Peers,
}

/// A number for a table cell: "–" when absent.
fn cell(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_f64).map_or("–".into(), fmt_num)
}

fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else if x.abs() >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

fn mib(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_f64).map_or("–".into(), |b| format!("{:.0}", b / f64::from(1 << 20)))
}

fn kib(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_f64).map_or("–".into(), |b| format!("{:.0}", b / 1024.0))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "–".into(),
    }
}

fn get(v: Option<&Value>, key: &str) -> Option<f64> {
    v.and_then(|v| v.get(key)).and_then(Value::as_f64)
}

/// Median, min and max of the values present.
fn stats(values: impl IntoIterator<Item = Option<f64>>) -> Option<(f64, f64, f64, usize)> {
    let mut v: Vec<f64> = values.into_iter().flatten().collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    Some((m, v[0], v[v.len() - 1], v.len()))
}

/// What a run records besides its JSON lines, so that its report can be
/// written again from the saved results (`GL_BENCH_REPORT_AGAIN=1`) after
/// a change to the report alone, without measuring for another hour.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    recorded: String,
    load_before: String,
    load_after: String,
    took_s: u64,
    peer_notes: Vec<String>,
    peers_skipped: Option<String>,
}

/// Writes `runtime.md` again from a full run's saved files: its
/// `runtime.jsonl`, `runtime-meta.json` and the peers' JSON lines.
fn report_again(opts: Options) {
    let dir = results_dir(false);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let meta: Meta = serde_json::from_str(&read("runtime-meta.json")).expect("runtime-meta.json");
    let (mut groups, mut detect, mut long, mut sim) = (Vec::<Vec<Value>>::new(), Vec::new(), None, Vec::new());
    for line in read("runtime.jsonl").lines() {
        let v: Value = serde_json::from_str(line).expect("runtime.jsonl line");
        if v["impl"] == "gossip-lab-sim" {
            sim.push(v["result"].clone());
            continue;
        }
        match v["role"].as_str() {
            Some("scale") => match groups.last_mut() {
                Some(g) if g[0]["preset"] == v["preset"] && g[0]["n"] == v["n"] => g.push(v),
                _ => groups.push(vec![v]),
            },
            Some("detect") => detect.push(v),
            Some("long") => long = Some(v),
            _ => {}
        }
    }
    let ours: Vec<Value> = groups.iter().map(|g| median_row(g)).collect();
    let lines = |name: &str| -> Vec<Value> {
        std::fs::read_to_string(dir.join(name))
            .map(|t| t.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
            .unwrap_or_default()
    };
    let mut peers = Peers {
        skipped: meta.peers_skipped.clone(),
        lines: Vec::new(),
        repeats: Vec::new(),
        notes: meta.peer_notes.clone(),
    };
    for imp in ["memberlist", "foca"] {
        peers.lines.extend(lines(&format!("{imp}.jsonl")));
        for k in 2..=opts.peer_runs {
            peers.repeats.extend(lines(&format!("{imp}-run-{k}.jsonl")));
        }
    }
    let report = Report { opts: &opts, ours: &ours, detect: &detect, long: long.as_ref(), sim: &sim, peers: &peers };
    report.write(&meta, &dir);
    eprintln!("wrote {} again from the saved results", dir.join("runtime.md").display());
}

/// One row for several runs of a configuration: the first run's fields,
/// each number replaced by its median over the runs that have it, and
/// `runs`. A run's error is kept, with how many runs failed.
fn median_row(runs: &[Value]) -> Value {
    let mut row = runs.first().cloned().unwrap_or_else(|| json!({}));
    if let Some(fields) = row.as_object_mut() {
        for (key, value) in fields.iter_mut() {
            // Fields every run agrees on (n, config, intervals) keep their
            // exact value and type; the seed is the first run's.
            let agreed = runs.iter().all(|r| r[key.as_str()] == *value);
            if value.is_number()
                && !agreed
                && key != "seed"
                && let Some((m, ..)) = stats(runs.iter().map(|r| r[key.as_str()].as_f64()))
            {
                *value = json!(m);
            }
        }
        fields.insert("runs".into(), json!(runs.len()));
        let failed: Vec<&str> = runs.iter().filter_map(|r| r["error"].as_str()).collect();
        if let Some(first) = failed.first() {
            fields.insert("error".into(), json!(format!("{} of {} runs: {first}", failed.len(), runs.len())));
        }
    }
    row
}

impl Report<'_> {
    /// The section as `runtime.md` in `dir`; returns it.
    fn write(&self, meta: &Meta, dir: &Path) -> String {
        let md = self.markdown(&meta.load_before, &meta.load_after, Duration::from_secs(meta.took_s)).replacen(
            "## Real runtime\n\n",
            &format!("## Real runtime\n\nRecorded {}.\n\n", meta.recorded),
            1,
        );
        write(&dir.join("runtime.md"), &md);
        md
    }

    fn markdown(&self, load_before: &str, load_after: &str, took: Duration) -> String {
        let mut s = String::new();
        let o = self.opts;
        s.push_str("## Real runtime\n\n");
        s.push_str(&format!(
            "`benches/runtime.rs` ({} mode): the real lab (one tokio task and one UDP socket per node on \
             127.0.0.1, a 2-worker tokio runtime, the observer running as it does under the dashboard), \
             each configuration in its own child process. Sizes {:?}, presets {:?}, steady window {} s, \
             {} run(s) per scale configuration (seeds 1, 2, …; each figure in the scale table is the median \
             over them, and the load shown is the first run's), detection sizes {:?} × {} runs. Load average (1, 5, 15 min) {load_before} before and \
             {load_after} after; the whole bench took {} s. Every row also shows the 1-minute load when \
             its child started.\n\n",
            if o.quick { "quick" } else { "full" },
            o.sizes,
            o.presets,
            o.window_s,
            o.scale_runs,
            o.detect_sizes,
            o.detect_runs,
            took.as_secs()
        ));
        s.push_str(
            "Method (the peers' own, see ../shared/peers/README.md): join = lab start → every node holds \
             every member alive (`Snapshot::converged`, checked every 100 ms); 90 % = the time 90 % of \
             the nodes report a full member list; settle until two 1-s packet counts agree within 15 % \
             with datagrams < 200 B (2–30 s); CPU = `getrusage(RUSAGE_SELF)` user+sys over the window ÷ \
             (N × window), which includes the tokio runtime, the observer (metrics, 10 snapshots/s) \
             and the harness; packets and bytes = the nodes' send counters. Anti-entropy \
             (push-pull) rarely falls in the window; \"incl. AE\" adds one exchange per node per \
             push-pull period (bytes measured in the window when exchanges happened, else computed \
             by encoding the chunks; CPU estimated as the window's CPU per datagram × datagrams per \
             exchange). Then a rumor from node 0 and the crash of node N/2.\n\n",
        );

        s.push_str("### Steady state at scale (no faults)\n\n");
        s.push_str(
            "| preset | N | load | join 90% s | join all s | settle s | CPU s/node/s | CPU incl. AE (est.) | \
             pkts/node/s | B/node/s | B/node/s incl. AE | AE B/exchange | peak RSS MiB | RSS KiB/node | \
             false suspects | false dead | rumor 100% s | 1st suspect s | all dead s | error |\n",
        );
        s.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for v in self.ours {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                v["preset"].as_str().unwrap_or("?"),
                v["n"],
                v["load1_at_start"].as_str().unwrap_or("?"),
                cell(v, "join_90pct_s"),
                cell(v, "join_converge_s"),
                cell(v, "settle_s"),
                cell(v, "cpu_per_node_per_s"),
                cell(v, "est_cpu_per_node_per_s_incl_ae"),
                cell(v, "pkts_per_node_per_s"),
                cell(v, "bytes_per_node_per_s"),
                cell(v, "est_bytes_per_node_per_s_incl_ae"),
                cell(v, "antientropy_bytes"),
                mib(v, "peak_rss_bytes"),
                kib(v, "rss_per_node_bytes"),
                cell(v, "false_suspects"),
                cell(v, "false_dead"),
                cell(v, "rumor_100_s"),
                cell(v, "first_detect_s"),
                cell(v, "full_detect_s"),
                v.get("error").and_then(Value::as_str).unwrap_or(""),
            ));
        }
        s.push('\n');

        s.push_str("### Side by side with memberlist and foca\n\n");
        if let Some(why) = &self.peers.skipped {
            s.push_str(&format!("Peers not run: {why}.\n\n"));
        } else {
            for note in &self.peers.notes {
                s.push_str(&format!("- {note}\n"));
            }
            s.push_str(
                "\nRaw lines: `target/bench-results/{memberlist,foca}.jsonl`, and the further `default` runs in \
                 `{memberlist,foca}-run-K.jsonl`. Each peer figure is the median over that peer's runs at the \
                 (config, N), as each of ours is over our runs. Ratios are gossip-lab ÷ peer \
                 (below 1: gossip-lab uses less / is faster). \"–\": the run produced no figure (see \
                 the peers' README: a run that never reaches 90 % join reports nothing).\n\n",
            );
            let metrics = [
                ("CPU s/node/s", "cpu_per_node_per_s"),
                ("CPU s/node/s incl. AE", "est_cpu_per_node_per_s_incl_ae"),
                ("pkts/node/s", "pkts_per_node_per_s"),
                ("B/node/s", "bytes_per_node_per_s"),
                ("B/node/s incl. AE", "est_bytes_per_node_per_s_incl_ae"),
                ("join 90% s", "join_90pct_s"),
                ("join all s", "join_converge_s"),
                ("1st suspect s", "first_detect_s"),
                ("1st dead s", "first_dead_s"),
                ("all dead s", "full_detect_s"),
            ];
            s.push_str(
                "| config | N | metric | gossip-lab | memberlist | foca | ÷ memberlist | ÷ foca |\n|---|--:|---|--:|--:|--:|--:|--:|\n",
            );
            for v in self.ours {
                let config = v["config"].as_str().unwrap_or("?");
                let n = v["n"].as_u64().unwrap_or(0) as usize;
                let ml = self.peers.find("memberlist", config, n);
                let fo = self.peers.find("foca", config, n);
                for (label, key) in metrics {
                    let ours = get(Some(v), key);
                    let (m, f) = (get(ml.as_ref(), key), get(fo.as_ref(), key));
                    let show = |x: Option<f64>| x.map_or("–".into(), fmt_num);
                    s.push_str(&format!(
                        "| {config} | {n} | {label} | {} | {} | {} | {} | {} |\n",
                        show(ours),
                        show(m),
                        show(f),
                        ratio(ours, m),
                        ratio(ours, f)
                    ));
                }
            }
            s.push('\n');
        }

        s.push_str(&self.detection_section());
        if let Some(v) = self.long {
            s.push_str(&format!(
                "### Long run\n\n{} nodes, `fast`, held {} s after settling (load {} at start): CPU \
                 {} s/node/s, {} pkts/node/s, {} B/node/s, false suspicions {}, false deaths {}, peak RSS \
                 {} MiB, join {} s (90 %: {} s).{}\n\n",
                v["n"],
                cell(v, "steady_window_s"),
                v["load1_at_start"].as_str().unwrap_or("?"),
                cell(v, "cpu_per_node_per_s"),
                cell(v, "pkts_per_node_per_s"),
                cell(v, "bytes_per_node_per_s"),
                cell(v, "false_suspects"),
                cell(v, "false_dead"),
                mib(v, "peak_rss_bytes"),
                cell(v, "join_converge_s"),
                cell(v, "join_90pct_s"),
                v.get("error").and_then(Value::as_str).map(|e| format!(" Error: {e}.")).unwrap_or_default(),
            ));
        }
        if !self.sim.is_empty() {
            s.push_str(
                "### Rumor spread to 1,000 nodes (simulator)\n\n`gossip_lab::sim`, perfect network, rumor \
                 injected at node 500 five virtual seconds after convergence. Serf model: \
                 `observe::model::serf_time_to(0.9999, …)`.\n\n\
                 | preset | seed | 50 % s | 99 % s | 100 % s | Serf 99.99 % s | 100 % ÷ model | ≤ 1.2× |\n\
                 |---|--:|--:|--:|--:|--:|--:|:-:|\n",
            );
            for v in self.sim {
                let (t, m) = (get(Some(v), "rumor_100_s"), get(Some(v), "serf_9999_s"));
                let ok = matches!((t, m), (Some(t), Some(m)) if t <= 1.2 * m);
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    v["preset"].as_str().unwrap_or("?"),
                    v["seed"],
                    cell(v, "rumor_50_s"),
                    cell(v, "rumor_99_s"),
                    cell(v, "rumor_100_s"),
                    cell(v, "serf_9999_s"),
                    ratio(t, m),
                    if ok { "yes" } else { "**no**" }
                ));
            }
            s.push('\n');
        }
        s.push_str(&self.targets());
        s
    }

    fn detection_section(&self) -> String {
        let mut s = String::from("### Detection and spread (`lan`, crash of node N/2)\n\n");
        if self.detect.is_empty() {
            return s + "Not run.\n\n";
        }
        s.push_str(
            "Each run: a fresh lab (seed 101, 102, …), join, settle, a rumor from node 0, then the crash. \
             Times from the crash (or the injection). Model: `observe::model::detection_bounds`. For \
             first suspicion, the SWIM paper's expectation. For first dead and all dead, two figures: \
             *confirmed* uses the shortest suspicion timeout, as when Lifeguard's confirmations arrive in \
             time, and *ceiling* the longest, as when none arrive; all dead adds the Serf 99.99 % spread. \
             Rumor: `serf_time_to(0.5 / 0.99 / 0.9999)`. memberlist: the median of its `default` runs at \
             that N in this bench, with their count (first suspect = its `first_detect_s`).\n\n\
             | N | metric | runs | median | min | max | model: confirmed / ceiling | memberlist (runs) |\n\
             |--:|---|--:|--:|--:|--:|--:|--:|\n",
        );
        let mut sizes: Vec<usize> = self.detect.iter().filter_map(|v| v["n"].as_u64()).map(|n| n as usize).collect();
        sizes.dedup();
        for n in sizes {
            let runs: Vec<&Value> = self.detect.iter().filter(|v| v["n"] == n).collect();
            let c = Config::lan();
            let b = detection_bounds(&c, n);
            let serf = |f| secs(serf_time_to(f, n, c.gossip_nodes, c.gossip_interval, 0.0));
            let min_timeout = secs(c.suspicion_min(n));
            let confirmed_dead = fmt_num(secs(b.first_suspect) + min_timeout);
            let rows: [(&str, &str, String, &str); 6] = [
                ("first suspicion", "first_suspect_s", fmt_num(secs(b.first_suspect)), "first_detect_s"),
                (
                    "first dead",
                    "first_dead_s",
                    format!("{confirmed_dead} / {}", fmt_num(secs(b.first_dead))),
                    "first_dead_s",
                ),
                (
                    "all dead",
                    "full_detect_s",
                    format!("{} / {}", fmt_num(secs(b.full_confirmed)), fmt_num(secs(b.full))),
                    "full_detect_s",
                ),
                ("rumor 50 %", "rumor_50_s", fmt_num(serf(0.5)), ""),
                ("rumor 99 %", "rumor_99_s", fmt_num(serf(0.99)), ""),
                ("rumor 100 %", "rumor_100_s", fmt_num(serf(0.9999)), ""),
            ];
            for (label, key, model, ml_key) in rows {
                let st = stats(runs.iter().map(|v| get(Some(v), key)));
                let (med, min, max, k) = st.map_or(("–".into(), "–".into(), "–".into(), 0), |(m, lo, hi, k)| {
                    (fmt_num(m), fmt_num(lo), fmt_num(hi), k)
                });
                let mlv = match self.peers.detect_median("memberlist", n, ml_key) {
                    Some((m, runs)) if !ml_key.is_empty() => format!("{} ({runs})", fmt_num(m)),
                    _ => "–".into(),
                };
                s.push_str(&format!(
                    "| {n} | {label} | {k}/{} | {med} | {min} | {max} | {model} | {mlv} |\n",
                    runs.len()
                ));
            }
            let fp: u64 = runs.iter().filter_map(|v| v["false_dead"].as_u64()).sum();
            let fs: u64 = runs.iter().filter_map(|v| v["false_suspects"].as_u64()).sum();
            let loads: Vec<&str> = runs.iter().filter_map(|v| v["load1_at_start"].as_str()).collect();
            s.push_str(&format!(
                "| {n} | false suspicions / deaths (all runs) | | {fs} / {fp} | | | 0 | |\n| {n} | load at start of each run | | {} | | | | |\n",
                loads.join(" ")
            ));
        }
        s.push('\n');
        s
    }

    /// Issue 5's targets, each with what this run measured.
    fn targets(&self) -> String {
        let mut s = String::from("### Targets (issue 5)\n\n| target | measured | met? |\n|---|---|:-:|\n");
        let verdict = |ok: Option<bool>| match ok {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        // CPU ≤ foca's at N = 256 and 1,024, lan.
        for n in [256, 1024] {
            let ours = self.ours.iter().find(|v| v["preset"] == "lan" && v["n"] == n);
            let fo = self.peers.find("foca", "default", n);
            let (a, b) = (get(ours, "cpu_per_node_per_s"), get(fo.as_ref(), "cpu_per_node_per_s"));
            let ok = a.zip(b).map(|(a, b)| a <= b);
            s.push_str(&format!(
                "| CPU/node/s ≤ foca's, lan, N = {n} | gossip-lab {} vs foca {} (ratio {}) | {} |\n",
                a.map_or("–".into(), fmt_num),
                b.map_or("–".into(), fmt_num),
                ratio(a, b),
                verdict(ok)
            ));
        }
        // Full detection ≤ memberlist's and within 10 % of the bound. The
        // bound held to is the confirmed one (the shortest suspicion
        // timeout), the stricter of the two the config implies.
        let mut sizes: Vec<usize> = self.detect.iter().filter_map(|v| v["n"].as_u64()).map(|n| n as usize).collect();
        sizes.dedup();
        for n in sizes {
            let med = stats(self.detect.iter().filter(|v| v["n"] == n).map(|v| get(Some(v), "full_detect_s")));
            let ml = self.peers.detect_median("memberlist", n, "full_detect_s");
            let bound = secs(detection_bounds(&Config::lan(), n).full_confirmed);
            let ok = med.map(|(m, ..)| m <= bound * 1.1 && ml.is_none_or(|(ml, _)| m <= ml));
            s.push_str(&format!(
                "| full detection ≤ memberlist's and ≤ 1.1 × the confirmed bound, lan, N = {n} | median {} s \
                 (max {}) vs memberlist {} s (median of {} runs), bound {} s | {} |\n",
                med.map_or("–".into(), |m| fmt_num(m.0)),
                med.map_or("–".into(), |m| fmt_num(m.2)),
                ml.map_or("–".into(), |m| fmt_num(m.0)),
                ml.map_or(0, |m| m.1),
                fmt_num(bound),
                verdict(ok)
            ));
        }
        // 1,024 fast for 5 minutes with 0 false positives.
        let long = self.long;
        let ok = long.map(|v| {
            v.get("error").is_none()
                && v["false_dead"].as_u64() == Some(0)
                && get(Some(v), "steady_window_s").is_some_and(|w| w >= 300.0)
        });
        s.push_str(&format!(
            "| 1,024 nodes, fast, 5 min, 0 false positives | {} | {} |\n",
            long.map_or("not run".into(), |v| format!(
                "held {} s, false deaths {}, false suspicions {}{}",
                cell(v, "steady_window_s"),
                cell(v, "false_dead"),
                cell(v, "false_suspects"),
                v.get("error").and_then(Value::as_str).map(|e| format!(", error: {e}")).unwrap_or_default()
            )),
            verdict(ok)
        ));
        // Join of 1,024 lan within 10 s.
        let j = self.ours.iter().find(|v| v["preset"] == "lan" && v["n"] == 1024);
        let jt = get(j, "join_converge_s");
        s.push_str(&format!(
            "| join: 1,024 nodes, lan, full member list everywhere within 10 s | {} | {} |\n",
            j.map_or("not run".into(), |v| format!(
                "all: {} s, 90 %: {} s",
                cell(v, "join_converge_s"),
                cell(v, "join_90pct_s")
            )),
            verdict(j.map(|_| jt.is_some_and(|t| t <= 10.0)))
        ));
        // Rumor to 1,000 nodes within 1.2 × the Serf 99.99 % time.
        let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for v in self.sim {
            let ok = matches!(
                (get(Some(v), "rumor_100_s"), get(Some(v), "serf_9999_s")),
                (Some(t), Some(m)) if t <= 1.2 * m
            );
            let e = by.entry(v["preset"].as_str().unwrap_or("?")).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
        }
        for (preset, (ok, all)) in by {
            s.push_str(&format!(
                "| rumor to 100 % of 1,000 nodes ≤ 1.2 × Serf 99.99 %, {preset} (simulator) | {ok} of {all} seeds | {} |\n",
                verdict(Some(ok == all))
            ));
        }
        s.push('\n');
        s
    }
}
