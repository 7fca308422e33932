//! One real lab run in a child process: join, settle, the steady window,
//! a rumor and a crash, measured the way the peers measure theirs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gossip_lab::observe::Snapshot;
use gossip_lab::observe::model::detection_bounds;
use gossip_lab::protocol::message::{MemberEntry, PushPull};
use gossip_lab::protocol::{Body, MsgKind, Packet, State, Time};
use gossip_lab::runtime::{DASHBOARD_SNAPSHOTS, HEADLESS_SNAPSHOTS, Running, launch};
use gossip_lab::scenario::{Action, NodeRef};
use gossip_lab::wire;
use tokio::sync::watch;

use crate::cases::{Case, profile};
use crate::results::{AeSource, Crash, Detection, Health, Join, LabRun, Settle, Setup, Spread, Window};
use crate::snapshots::wait_for;
use crate::{round, secs, since};

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

/// A `/proc/self/status` field in bytes (`VmHWM`, `VmRSS`).
fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|v| v.strip_prefix(':')))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |k| k * 1024)
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

/// One real lab run; the result has the peers' field names.
pub async fn lab_case(case: &Case) -> LabRun {
    let Case::Lab { preset, n, seed, window_s, rumor, crash, role } = case.clone() else { unreachable!() };
    let config = profile(preset, n, seed);
    let proto = config.protocol.clone();
    let started = Instant::now();
    let rss_base = proc_status("VmRSS");
    let mut out = LabRun::new(preset, n, seed, role);
    out.setup = Some(Setup {
        worker_threads: 2,
        probe_interval_ms: proto.probe_interval.as_millis() as u64,
        probe_timeout_ms: proto.probe_timeout.as_millis() as u64,
        gossip_interval_ms: proto.gossip_interval.as_millis() as u64,
        pushpull_interval_ms: proto.push_pull_interval.as_millis() as u64,
        rss_baseline_bytes: rss_base,
    });
    let mut running = match launch(config, None).await {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(format!("launch: {e}"));
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
    out.join = Some(Join {
        join_converge_s: all.then(|| round(secs(snap.t.since_epoch()), 4)),
        join_90pct_s: t90.map(|t| round(secs(t.since_epoch()), 4)),
        join_full_nodes: snap.nodes.iter().filter(|r| r.status.live_members == n).count(),
    });
    if t90.is_none() {
        out.error = Some(format!("fewer than 90 % of nodes had a full view after {} s", JOIN_TIMEOUT.as_secs()));
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
    out.settle = Some(Settle { settle_s: round(settle_start.elapsed().as_secs_f64(), 1), settle_quiet: quiet });

    // 3. The steady window.
    if window_s > 0.0 {
        out.window = Some(steady_window(&running, &rx, n, window_s, &proto, rss_base).await);
    }

    // 4. A rumor from node 0.
    if rumor {
        let action = Action::Rumor { node: NodeRef::Index(0), payload: "bench".into() };
        match running.apply(&action).await {
            Ok(_) => {
                let deadline = tokio::time::Instant::now() + RUMOR_TIMEOUT;
                let (_, snap) =
                    wait_for(&mut rx, deadline, |s| s.rumors.first().is_some_and(|r| r.t100.is_some())).await;
                out.rumor = snap.rumors.first().map(|r| Spread {
                    rumor_50_s: since(r.t50, r.injected_at),
                    rumor_99_s: since(r.t99, r.injected_at),
                    rumor_100_s: since(r.t100, r.injected_at),
                    rumor_packets: r.packets,
                    rumor_delivered: r.delivered,
                    rumor_target: r.target,
                });
            }
            Err(e) => out.rumor_error = Some(e.to_string()),
        }
    }

    // 5. Crash node n/2 and wait for every other node to hold it dead.
    if crash && n > 1 {
        let victim = n / 2;
        let bounds = detection_bounds(&proto, n);
        let limit = (bounds.full * 2).max(Duration::from_secs(30));
        match running.apply(&Action::Crash { node: NodeRef::Index(victim) }).await {
            Ok(_) => {
                let deadline = tokio::time::Instant::now() + limit;
                let (_, snap) = wait_for(&mut rx, deadline, |s| {
                    s.detections.iter().any(|d| d.node == victim && (d.full.is_some() || d.aborted))
                })
                .await;
                let times = snap.detections.iter().find(|d| d.node == victim).map(|d| {
                    let first_dead = since(d.first_dead, d.crashed_at);
                    Detection {
                        first_detect_s: since(d.first_suspect, d.crashed_at).or(first_dead),
                        first_suspect_s: since(d.first_suspect, d.crashed_at),
                        first_dead_s: first_dead,
                        full_detect_s: since(d.full, d.crashed_at),
                    }
                });
                let dead = (0..snap.nodes.len())
                    .filter(|&o| o != victim && snap.views.get(o, victim) == Some(State::Dead))
                    .count();
                out.crash = Some(Crash {
                    times: times.unwrap_or_default(),
                    detected_by: dead,
                    detect_of: snap.nodes.len() - 1,
                    detect_limit_s: secs(limit),
                });
            }
            Err(e) => out.crash_error = Some(e.to_string()),
        }
    }
    finish(running, out, started).await
}

/// The steady window: CPU, traffic and memory per node per second, with
/// anti-entropy reported apart (see the module doc of `main`).
async fn steady_window(
    running: &Running,
    rx: &watch::Receiver<Arc<Snapshot>>,
    n: usize,
    window_s: f64,
    proto: &gossip_lab::protocol::Config,
    rss_base: u64,
) -> Window {
    // The lab as `gossip-lab run` runs it: the peers' harnesses take no
    // snapshots at all, and ten a second cost about as much CPU as 16
    // idle nodes' probing (BENCHMARKS.md, "Issue 13, step three").
    running.observer.set_snapshot_every(HEADLESS_SNAPSHOTS);
    let s0 = sent(running);
    let x0 = exchanges(&rx.borrow());
    let c0 = crate::usage::cpu_seconds();
    let w0 = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(window_s)).await;
    let c1 = crate::usage::cpu_seconds();
    let w = w0.elapsed().as_secs_f64();
    let s1 = sent(running);
    running.observer.set_snapshot_every(DASHBOARD_SNAPSHOTS);
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
        (pp_pkts / ex as f64, pp_bytes / ex as f64, AeSource::Measured)
    } else {
        let (p, b) = exchange_size(n, proto.packet_budget);
        (p as f64, b as f64, AeSource::Encoded)
    };
    let period = secs(proto.push_pull_period(n));
    let cpu_per_pkt = if pkts > 0.0 { cpu / pkts } else { 0.0 };
    Window {
        steady_window_s: round(w, 3),
        cpu_per_node_per_s: per(cpu),
        cpu_cores_used: round(cpu / w, 4),
        pkts_per_node_per_s: round(per(pkts), 3),
        bytes_per_node_per_s: round(per(bytes), 1),
        pushpull_pkts_in_window: pp_pkts,
        pushpull_bytes_in_window: pp_bytes,
        pushpull_exchanges_in_window: ex,
        antientropy_interval_s: period,
        antientropy_pkts: round(ae_pkts, 1),
        antientropy_bytes: round(ae_bytes, 0),
        antientropy_bytes_source: source,
        antientropy_cpu_s: cpu_per_pkt * ae_pkts,
        est_bytes_per_node_per_s_incl_ae: round(per(bytes - pp_bytes) + ae_bytes / period, 1),
        est_cpu_per_node_per_s_incl_ae: cpu_per_pkt * (per(pkts - pp_pkts) + ae_pkts / period),
        rss_bytes: proc_status("VmRSS"),
        rss_per_node_bytes: proc_status("VmRSS").saturating_sub(rss_base) / n as u64,
    }
}

/// Health counts, peak RSS, and a clean stop.
async fn finish(running: Running, mut out: LabRun, started: Instant) -> LabRun {
    let snap = running.observer.snapshots().borrow().clone();
    let mut health = Health {
        false_suspects: snap.false_suspicions,
        false_dead: snap.false_positives,
        events_dropped: snap.events_dropped,
        peak_rss_bytes: proc_status("VmHWM"),
        stop_error: None,
        wall_s: 0.0,
    };
    match running.stop().await {
        Ok(summary) => health.false_dead = summary.false_positives,
        Err(e) => health.stop_error = Some(e.to_string()),
    }
    health.wall_s = round(started.elapsed().as_secs_f64(), 2);
    out.health = Some(health);
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
