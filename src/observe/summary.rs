//! The end-of-run summary: what a person wants to know after a run, with
//! every measured figure next to what the configuration implies, and the
//! profile's expectations checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// One crash's detection, in seconds after the crash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectionSummary {
    /// The crashed node.
    pub node: usize,
    /// When it crashed, seconds after lab start.
    pub crashed_at_s: f64,
    /// First suspicion by anyone.
    pub first_suspect_s: Option<f64>,
    /// First death mark.
    pub first_dead_s: Option<f64>,
    /// All up nodes hold it dead.
    pub full_s: Option<f64>,
    /// It was restarted before full detection.
    pub aborted: bool,
    /// The SWIM expectation for the first suspicion.
    pub model_first_suspect_s: f64,
    /// The bound for the first death (longest suspicion timeout).
    pub model_first_dead_s: f64,
    /// The bound for full detection.
    pub model_full_s: f64,
}

/// One rumor's spread, in seconds after injection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RumorSummary {
    /// The injecting node.
    pub origin: usize,
    /// When, seconds after lab start.
    pub injected_at_s: f64,
    /// Nodes up at injection.
    pub target: usize,
    /// Nodes that delivered it.
    pub delivered: usize,
    /// 50% reached.
    pub t50_s: Option<f64>,
    /// 99% reached.
    pub t99_s: Option<f64>,
    /// 100% reached.
    pub t100_s: Option<f64>,
    /// Packets the cluster sent from injection to 100%.
    pub packets: Option<u64>,
    /// The Serf model's time to 50%.
    pub model_t50_s: f64,
    /// The Serf model's time to 99%.
    pub model_t99_s: f64,
    /// The Serf model's time to 99.99% (its "everyone").
    pub model_t100_s: f64,
}

/// Traffic over the whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficSummary {
    /// Datagrams sent per node per second.
    pub packets_per_node_per_s: f64,
    /// Bytes sent per node per second.
    pub bytes_per_node_per_s: f64,
    /// Datagrams sent in all.
    pub sent_packets: u64,
    /// Bytes sent in all.
    pub sent_bytes: u64,
    /// Datagrams sent, by message kind.
    pub sent_by_kind: BTreeMap<String, u64>,
    /// Datagrams dropped by the fault shim, by reason.
    pub dropped_by_reason: BTreeMap<String, u64>,
    /// Datagrams rejected before the protocol saw them (foreign,
    /// malformed, unauthenticated, oversized...).
    pub rejected: u64,
    /// The same, by reason (absent in summaries written before it existed).
    #[serde(default)]
    pub rejected_by_reason: BTreeMap<String, u64>,
}

/// One checked expectation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The `[expect]` field.
    pub name: String,
    /// What the profile asked for.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// Whether it held.
    pub ok: bool,
}

/// Everything a run is judged by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The profile's name.
    pub profile: String,
    /// `udp` or `sim`.
    pub driver: String,
    /// Nodes at start.
    pub nodes: usize,
    /// The seed.
    pub seed: u64,
    /// The protocol in one phrase (preset, Lifeguard on/off).
    pub protocol: String,
    /// How long the run lasted, seconds.
    pub duration_s: f64,
    /// Every up node's view matched ground truth at the end.
    pub converged: bool,
    /// Agreement at the end.
    pub agreement: f64,
    /// Accuracy at the end.
    pub accuracy: f64,
    /// When the last action (timeline step or key) happened, seconds.
    pub last_action_s: Option<f64>,
    /// Time from the last action (or the start) to full convergence.
    pub converged_after_s: Option<f64>,
    /// Each crash's detection.
    pub detections: Vec<DetectionSummary>,
    /// Healthy members marked dead.
    pub false_positives: usize,
    /// Healthy members marked suspect.
    pub false_suspicions: usize,
    /// Each rumor's spread.
    pub rumors: Vec<RumorSummary>,
    /// Traffic.
    pub traffic: TrafficSummary,
    /// Node events the observer lost (a full channel); views were resynced.
    pub events_dropped: u64,
    /// The profile's expectations, checked.
    pub expectations: Vec<Check>,
    /// True when every expectation held.
    pub passed: bool,
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |s| format!("{s:.2}s"))
}

impl Summary {
    /// The human-readable summary printed at the end of a headless run.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "gossip-lab: profile \"{}\" — {} nodes, {}, seed {}, {:.1}s on {}",
            self.profile,
            self.nodes,
            self.protocol,
            self.seed,
            self.duration_s,
            if self.driver == "sim" { "the simulator (virtual time)" } else { "real UDP sockets" }
        );
        let _ = writeln!(w);
        let conv = match (self.converged_after_s, self.last_action_s) {
            (Some(c), Some(a)) => format!("converged {c:.2}s after the last action (at {a:.2}s)"),
            (Some(c), None) => format!("converged {c:.2}s after start"),
            (None, _) => "did not converge after the last action".to_string(),
        };
        let _ = writeln!(
            w,
            "convergence   {conv}; at the end: agreement {:.1}%, accuracy {:.1}%{}",
            self.agreement * 100.0,
            self.accuracy * 100.0,
            if self.converged { "" } else { " (NOT converged)" }
        );
        for d in &self.detections {
            let _ = writeln!(
                w,
                "crash         node {} at {:.2}s: first suspect {} (expected ~{:.2}s), first dead {} (bound {:.2}s), \
                 all dead {} (bound {:.2}s){}",
                d.node,
                d.crashed_at_s,
                secs(d.first_suspect_s),
                d.model_first_suspect_s,
                secs(d.first_dead_s),
                d.model_first_dead_s,
                secs(d.full_s),
                d.model_full_s,
                if d.aborted { " — restarted before everyone noticed" } else { "" }
            );
        }
        let _ = writeln!(
            w,
            "false marks   {} false positive(s) (healthy node declared dead), {} false suspicion(s)",
            self.false_positives, self.false_suspicions
        );
        for r in &self.rumors {
            let _ = writeln!(
                w,
                "rumor         from node {} at {:.2}s: 50% {} (model {:.2}s), 99% {} (model {:.2}s), 100% {} \
                 (model 99.99% {:.2}s), {}/{} nodes, {} packets",
                r.origin,
                r.injected_at_s,
                secs(r.t50_s),
                r.model_t50_s,
                secs(r.t99_s),
                r.model_t99_s,
                secs(r.t100_s),
                r.model_t100_s,
                r.delivered,
                r.target,
                r.packets.map_or_else(|| "—".to_string(), |p| p.to_string())
            );
        }
        let t = &self.traffic;
        let drops: Vec<String> =
            t.dropped_by_reason.iter().filter(|(_, n)| **n > 0).map(|(r, n)| format!("{r} {n}")).collect();
        let rejects: Vec<String> =
            t.rejected_by_reason.iter().filter(|(_, n)| **n > 0).map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(
            w,
            "traffic       {:.1} packets and {:.0} bytes per node per second; dropped: {}; rejected: {}",
            t.packets_per_node_per_s,
            t.bytes_per_node_per_s,
            if drops.is_empty() { "none".to_string() } else { drops.join(", ") },
            if rejects.is_empty() { t.rejected.to_string() } else { rejects.join(", ") }
        );
        if self.events_dropped > 0 {
            let _ = writeln!(
                w,
                "observer      lost {} node events to a full channel (views were resynced)",
                self.events_dropped
            );
        }
        let _ = writeln!(w);
        if self.expectations.is_empty() {
            let _ = writeln!(w, "expectations  none in this profile");
        }
        for c in &self.expectations {
            let _ = writeln!(
                w,
                "{} {:<18} expected {:<12} got {}",
                if c.ok { "PASS" } else { "FAIL" },
                c.name,
                c.expected,
                c.actual
            );
        }
        let _ =
            writeln!(w, "{}", if self.passed { "result: all expectations met" } else { "result: EXPECTATIONS FAILED" });
        out
    }
}
