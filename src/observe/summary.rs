//! The end-of-run summary: what a person wants to know after a run, with
//! every measured figure next to what the configuration implies, and the
//! profile's expectations checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::model::PhiTheory;
use super::spec::Mode;
use crate::rogue::Attack;

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

/// One rogue attack, from its session-log lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttackSummary {
    /// How it lied.
    pub attack: Attack,
    /// The victim.
    pub victim: usize,
    /// When it started, seconds after lab start.
    pub started_at_s: f64,
    /// When it sent its last datagram (None: still running at the end).
    pub stopped_at_s: Option<f64>,
    /// Datagrams it sent.
    pub datagrams: u64,
    /// Their bytes.
    pub bytes: u64,
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

/// An expectation a record could not judge, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unjudged {
    /// The `[expect]` field.
    pub name: String,
    /// What the profile asked for.
    pub expected: String,
    /// Why the record cannot tell, e.g. the timeline step it never reached.
    pub why: String,
}

/// A scripted record that ends before the profile's duration: the run was
/// stopped (by a signal) or its log was cut short.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cut {
    /// The profile's duration, seconds; `duration_s` is where the record ends.
    pub planned_s: f64,
    /// The expectations the missing part could still have changed.
    pub unjudged: Vec<Unjudged>,
}

/// How a saved session log ends, as `gossip-lab report` found it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogState {
    /// The log has its summary line: its writer finished it.
    pub complete: bool,
    /// The `t_ms` of its last whole line, in seconds.
    pub ends_at_s: f64,
    /// The file ended in a fragment without a newline (a line cut by a
    /// kill, or still being written), which was skipped.
    pub torn_last_line: bool,
}

/// Everything a run is judged by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The profile's name.
    pub profile: String,
    /// `udp` or `sim`.
    pub driver: String,
    /// Nodes at the end: those at start, plus those added, less those
    /// that left (summaries written before adds were counted say the
    /// nodes at start).
    pub nodes: usize,
    /// Nodes at start.
    #[serde(default)]
    pub nodes_at_start: usize,
    /// Nodes added while the lab ran.
    #[serde(default)]
    pub nodes_added: usize,
    /// Nodes that left gracefully and did not come back.
    #[serde(default)]
    pub nodes_left: usize,
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
    /// Running, reachable members held dead or left (observe::metrics::false_marks).
    pub false_positives: usize,
    /// Running, reachable members held suspect.
    pub false_suspicions: usize,
    /// Each rumor's spread.
    pub rumors: Vec<RumorSummary>,
    /// Each rogue attack (absent from runs without one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attacks: Vec<AttackSummary>,
    /// Traffic.
    pub traffic: TrafficSummary,
    /// The phi family's theory (absent for SWIM sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phi_theory: Option<PhiTheory>,
    /// Node events the observer lost (a full channel); views were resynced.
    pub events_dropped: u64,
    /// The profile's expectations, checked.
    pub expectations: Vec<Check>,
    /// True when every expectation held (and, for a scripted run, the
    /// record covers the whole profile; for `report`, the log is complete).
    pub passed: bool,
    /// `scripted` (judged by the profile's expectations) or `hands-on`
    /// (judged by nothing).
    #[serde(default)]
    pub mode: Mode,
    /// Present when a scripted record ends before the profile's duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<Cut>,
    /// Present in `report`'s output: how the saved log ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogState>,
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |s| format!("{s:.2}s"))
}

impl Summary {
    /// The human-readable summary printed at the end of a headless run.
    pub fn render_text(&self) -> String {
        format!("{}{}{}", self.render_header(), self.render_measures(), self.render_verdict())
    }

    /// What ran, and how its record ends, then a blank line.
    pub fn render_header(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "gossip-lab: profile \"{}\" — {}, {}, seed {}, {:.1}s on {}",
            self.profile,
            self.node_counts(),
            self.protocol,
            self.seed,
            self.duration_s,
            if self.driver == "sim" { "the simulator (virtual time)" } else { "real UDP sockets" }
        );
        if let Some(c) = &self.cut {
            let _ = writeln!(
                w,
                "stopped early the record ends at {:.2}s of the profile's {:.2}s (stopped by a signal, or cut short)",
                self.duration_s, c.planned_s
            );
        }
        if let Some(log) = &self.log {
            if !log.complete {
                let _ = writeln!(
                    w,
                    "log           INCOMPLETE: no summary line; it ends at {:.2}s (its writer was killed or failed)",
                    log.ends_at_s
                );
            }
            if log.torn_last_line {
                let _ = writeln!(w, "log           its last line was cut mid-line (no newline) and is skipped");
            }
        }
        let _ = writeln!(w);
        out
    }

    /// The measurements: convergence, detections, false marks, rumors,
    /// attacks, traffic, each beside what the configuration implies.
    pub fn render_measures(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
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
            "false marks   {} false positive(s) (running node held dead or left), {} false suspicion(s)",
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
        for a in &self.attacks {
            let _ = writeln!(
                w,
                "rogue         {} on node {} at {:.2}s: {}, {}{}",
                a.attack.name(),
                a.victim,
                a.started_at_s,
                crate::scenario::plural(a.datagrams as usize, "datagram"),
                crate::scenario::plural(a.bytes as usize, "byte"),
                if a.stopped_at_s.is_none() { " (still sending at the end)" } else { "" }
            );
        }
        if let Some(p) = &self.phi_theory {
            let _ = writeln!(
                w,
                "theory        φ {:.1} convicts {:.2}s into a silence; false convictions {:.1e}/s a pair on the \
                 baseline network, {:.1e}/s at its worst ({:.0}% loss, {:.0} ms jitter)",
                p.phi_convict,
                p.conviction_s,
                p.false_convictions_per_s,
                p.worst_false_convictions_per_s,
                p.worst_loss * 100.0,
                p.worst_jitter_ms
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
        out
    }

    /// The expectations, checked (or why none are), and the result line.
    pub fn render_verdict(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let unjudged = self.cut.as_ref().map_or(&[][..], |c| &c.unjudged[..]);
        if self.mode == Mode::HandsOn {
            let _ = writeln!(w, "expectations  not judged: a hands-on session (the dashboard); only `run` is judged");
        } else if self.expectations.is_empty() && unjudged.is_empty() {
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
        for u in unjudged {
            let _ = writeln!(w, "?    {:<18} expected {:<12} not judged: {}", u.name, u.expected, u.why);
        }
        let _ = writeln!(w, "result: {}", self.result());
        out
    }

    /// "16 nodes", or "16 nodes at start; 17 at the end (1 added, 0 left)"
    /// once the cluster changed size.
    pub fn node_counts(&self) -> String {
        if self.nodes_added == 0 && self.nodes_left == 0 {
            return crate::scenario::plural(self.nodes, "node");
        }
        format!(
            "{} at start; {} at the end ({} added, {} left)",
            crate::scenario::plural(self.nodes_at_start, "node"),
            self.nodes,
            self.nodes_added,
            self.nodes_left
        )
    }

    /// The verdict in a few words, as the last line of the text summary.
    pub fn result(&self) -> String {
        let cut_log = self.log.as_ref().is_some_and(|l| !l.complete);
        let failed = self.expectations.iter().any(|c| !c.ok);
        let unjudged = self.cut.as_ref().map_or(0, |c| c.unjudged.len());
        if self.mode == Mode::HandsOn {
            let what = if cut_log { "INCOMPLETE LOG" } else { "nothing judged" };
            return format!("{what} (a hands-on session judges nothing)");
        }
        let mut verdict = String::from(if failed {
            "EXPECTATIONS FAILED"
        } else if cut_log {
            "INCOMPLETE LOG"
        } else if self.cut.is_some() {
            "STOPPED EARLY"
        } else if self.passed {
            "all expectations met"
        } else {
            "EXPECTATIONS FAILED"
        });
        if failed && cut_log {
            verdict.push_str(", and the log is incomplete");
        }
        if unjudged > 0 {
            let _ = write!(verdict, "; {unjudged} expectation(s) not judged");
        }
        verdict
    }
}
