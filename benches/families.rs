//! Both gossip families on real sockets, side by side (issue 14): SWIM +
//! Lifeguard on memberlist's `lan` preset against phi-accrual heartbeat
//! gossip on Cassandra's (1 s heartbeats to up to 3 peers, phi 8), at
//! N = 16, 64 and 256.
//!
//! ```text
//! cargo bench --bench families                 # ~12 min
//! BENCH_QUICK=1 cargo bench --bench families   # N = 16, short windows (< 2 min), not for figures
//! GL_BENCH_N=16,64 cargo bench --bench families
//! ```
//!
//! Each (family, N) runs in its own child process, so its CPU time is its
//! own, and goes through the same steps:
//!
//! 1. join until every node holds every member alive, then 5 s to settle;
//! 2. a steady window (20 s): process CPU per node per second, datagrams
//!    and bytes sent per node per second (the shims' counters);
//! 3. node N/2 crashes: first suspicion and full detection (every up node
//!    holds it dead), from the observer's metrics;
//! 4. 10 % loss on every link for 30 s, then 10 s to recover: false
//!    suspicions and false positives it caused;
//! 5. node 3 stalls 0.7 s every 1.93 s ten times (Lifeguard's case), then
//!    10 s to recover: false suspicions and false positives again.
//!
//! Waiting out a window is the measurement itself, so the child sleeps
//! through windows; every wait for a condition polls snapshots against a
//! deadline. The section goes to `target/bench-results/families.md`.

#[path = "common/child.rs"]
mod child;
#[path = "common/record.rs"]
mod record;
#[path = "common/snapshots.rs"]
mod snapshots;
#[path = "common/usage.rs"]
mod usage;

use std::fmt::Write as _;
use std::time::Duration;

use gossip_lab::config::parse_profile;
use gossip_lab::observe::Snapshot;
use gossip_lab::runtime::{Running, launch};
use gossip_lab::scenario::{Action, NodeRef};
use serde::{Deserialize, Serialize};

use snapshots::wait_for;

const CASE_VAR: &str = "GL_BENCH_FAMILY_CASE";

/// One child's work.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Case {
    family: String,
    n: usize,
    seed: u64,
    quick: bool,
}

/// What a child measured; `None` where a step did not finish.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Figures {
    join_s: Option<f64>,
    cpu_per_node_s: Option<f64>,
    packets_per_node_s: Option<f64>,
    bytes_per_node_s: Option<f64>,
    first_suspect_s: Option<f64>,
    full_detection_s: Option<f64>,
    loss_false_suspicions: Option<usize>,
    loss_false_positives: Option<usize>,
    stall_false_suspicions: Option<usize>,
    stall_false_positives: Option<usize>,
    error: Option<String>,
}

fn profile(case: &Case) -> String {
    let protocol = match case.family.as_str() {
        "phi" => "family = \"phi\"\npreset = \"cassandra\"",
        _ => "preset = \"lan\"",
    };
    format!(
        "name = \"bench-families\"\nduration = \"2h\"\n[cluster]\nnodes = {}\nseed = {}\n[protocol]\n{protocol}\n",
        case.n, case.seed
    )
}

fn sent(snap: &Snapshot) -> (u64, u64) {
    let t = snap.traffic.sent_total();
    (t.packets, t.bytes)
}

async fn apply(running: &mut Running, action: Action) -> Result<(), String> {
    running.apply(&action).await.map(drop).map_err(|e| format!("{}: {e}", action.label()))
}

async fn measure(case: &Case, running: &mut Running, out: &mut Figures) -> Result<(), String> {
    let n = case.n;
    let secs = |s: u64| Duration::from_secs(if case.quick { s.div_ceil(4) } else { s });
    let mut rx = running.observer.snapshots();
    let (joined, snap) =
        wait_for(&mut rx, tokio::time::Instant::now() + Duration::from_secs(120), |s| s.up() == n && s.converged).await;
    if !joined {
        return Err(format!("not converged after 120 s (agreement {:.3})", snap.agreement));
    }
    out.join_s = Some(snap.t.since_epoch().as_secs_f64());
    tokio::time::sleep(secs(5)).await;

    let window = secs(20);
    let before = rx.borrow_and_update().clone();
    let cpu0 = usage::cpu_seconds();
    tokio::time::sleep(window).await;
    let cpu = usage::cpu_seconds() - cpu0;
    let after = rx.borrow_and_update().clone();
    let lab_s = (after.t - before.t).as_secs_f64().max(1e-9);
    let ((p0, b0), (p1, b1)) = (sent(&before), sent(&after));
    let per = |x: f64| Some(x / (n as f64 * lab_s));
    out.cpu_per_node_s = Some(cpu / (n as f64 * window.as_secs_f64()));
    out.packets_per_node_s = per((p1 - p0) as f64);
    out.bytes_per_node_s = per((b1 - b0) as f64);

    apply(running, Action::Crash { node: NodeRef::Index(n / 2) }).await?;
    let (done, snap) = wait_for(&mut rx, tokio::time::Instant::now() + Duration::from_secs(180), |s| {
        s.detections.first().is_some_and(|d| d.full.is_some())
    })
    .await;
    if let Some(d) = snap.detections.first() {
        out.first_suspect_s = d.first_suspect.map(|t| (t - d.crashed_at).as_secs_f64());
        out.full_detection_s = d.full.map(|t| (t - d.crashed_at).as_secs_f64());
    }
    if !done {
        return Err("the crash was not fully detected within 180 s".into());
    }
    let marks = |s: &Snapshot| (s.false_suspicions, s.false_positives);

    let (s0, f0) = marks(&rx.borrow_and_update());
    apply(running, Action::SetLoss { loss: 0.10 }).await?;
    tokio::time::sleep(secs(30)).await;
    apply(running, Action::SetLoss { loss: 0.0 }).await?;
    tokio::time::sleep(secs(10)).await;
    let (s1, f1) = marks(&rx.borrow_and_update());
    out.loss_false_suspicions = Some(s1 - s0);
    out.loss_false_positives = Some(f1 - f0);

    let stalled = NodeRef::Index(3);
    // Quick mode stalls the node fewer times: it checks that the phase
    // runs, not what it measures.
    for _ in 0..if case.quick { 3 } else { 10 } {
        apply(running, Action::Pause { node: stalled }).await?;
        tokio::time::sleep(Duration::from_millis(700)).await;
        apply(running, Action::Resume { node: stalled }).await?;
        tokio::time::sleep(Duration::from_millis(1230)).await;
    }
    tokio::time::sleep(secs(10)).await;
    let (s2, f2) = marks(&rx.borrow_and_update());
    out.stall_false_suspicions = Some(s2 - s1);
    out.stall_false_positives = Some(f2 - f1);
    Ok(())
}

fn child(spec: &str) {
    let case: Case = serde_json::from_str(spec).expect("case JSON");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let out = rt.block_on(async {
        let mut out = Figures::default();
        let config = parse_profile("bench-families", &profile(&case)).expect("bench profile is valid");
        let mut running = match launch(config, None).await {
            Ok(r) => r,
            Err(e) => return Figures { error: Some(format!("launch: {e}")), ..out },
        };
        if let Err(e) = measure(&case, &mut running, &mut out).await {
            out.error = Some(e);
        }
        let _ = running.stop().await;
        out
    });
    println!("RESULT {}", serde_json::to_string(&out).expect("figures JSON"));
}

fn cell<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

fn main() {
    if let Ok(spec) = std::env::var(CASE_VAR) {
        return child(&spec);
    }
    let quick = record::quick();
    let sizes: Vec<usize> = match std::env::var("GL_BENCH_N") {
        Ok(list) => list.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) if quick => vec![16],
        Err(_) => vec![16, 64, 256],
    };
    let mut rows = Vec::new();
    for &n in &sizes {
        for family in ["swim", "phi"] {
            let case = Case { family: family.into(), n, seed: 7, quick };
            eprintln!("families: {family} × {n} nodes …");
            let spec = serde_json::to_string(&case).expect("case JSON");
            let figures = child::run::<Figures>(CASE_VAR, &spec, Duration::from_secs(600))
                .unwrap_or_else(|e| Figures { error: Some(e), ..Figures::default() });
            eprintln!("  {figures:?}");
            rows.push((case, figures));
        }
    }
    let mut md = String::new();
    let _ = writeln!(md, "## Gossip families side by side (issue 14)\n");
    let _ = writeln!(
        md,
        "`cargo bench --bench families` ({}), {}, load {} before the run. Real sockets, one child \
         process per row. SWIM is the `lan` preset with Lifeguard; phi is `family = \"phi\"`, preset \
         `cassandra` (1 s heartbeats to 3 peers, phi 8). CPU, datagrams and bytes are per node per second over a \
         steady window after the join; detection is node N/2's crash; false suspicions (susp) and false \
         positives (dead) are those caused by 30 s of 10 % loss on every link, and by node 3 stalling 0.7 s \
         every 1.93 s ten times.\n",
        if quick { "quick mode: not for figures" } else { "full" },
        record::recorded(),
        record::loads(),
    );
    let _ = writeln!(
        md,
        "| family | N | join s | CPU s/node/s | datagrams/node/s | bytes/node/s | first suspicion s | full detection s | \
         10 % loss: susp / dead | stall: susp / dead |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (case, f) in &rows {
        let r2 = |v: Option<f64>| v.map(|v| format!("{v:.2}"));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} / {} |{}",
            case.family,
            case.n,
            cell(r2(f.join_s)),
            cell(f.cpu_per_node_s.map(|v| format!("{v:.2e}"))),
            cell(r2(f.packets_per_node_s)),
            cell(f.bytes_per_node_s.map(|v| format!("{v:.0}"))),
            cell(r2(f.first_suspect_s)),
            cell(r2(f.full_detection_s)),
            cell(f.loss_false_suspicions),
            cell(f.loss_false_positives),
            cell(f.stall_false_suspicions),
            cell(f.stall_false_positives),
            f.error.as_ref().map_or_else(String::new, |e| format!(" error: {e}")),
        );
    }
    let path = record::results_dir(quick).join("families.md");
    std::fs::write(&path, &md).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    println!("{md}");
}
