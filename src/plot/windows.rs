//! The fault windows of a session: when the network or a node was broken
//! on purpose, and what the break was called. Every chart shades the same
//! windows, so they are worked out once, here, from the log's ground-truth
//! lines (`fault`, `node`, `rogue`).
//!
//! A `fault` line carries the whole plan in force, not the change, so a
//! window is an *aspect* of the plan (the partition, one isolated node,
//! the baseline loss...) that differs from how the session started: it
//! opens on the line that brings it, named by that line's label, and
//! closes on the line that takes it away or changes it.

use std::collections::BTreeMap;

use crate::faults::LinkRule;
use crate::observe::record::{LinkRecord, NodeChange, PlanRecord, RogueChange};
use crate::observe::{Line, Record};

/// What broke, for the window's colour and legend entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Partition groups or one-way blocks.
    Partition,
    /// A node cut off from everyone.
    Isolation,
    /// The baseline loss differs from the session's start.
    Loss,
    /// Baseline delay, jitter, duplication or reordering, or a per-link
    /// rule, differs from the session's start.
    Network,
    /// A node crashed (until it restarted).
    Crash,
    /// A node stalled (until it resumed).
    Pause,
    /// A rogue attack ran.
    Rogue,
}

impl Kind {
    /// Every kind, in legend order.
    pub const ALL: [Kind; 7] =
        [Kind::Partition, Kind::Isolation, Kind::Loss, Kind::Network, Kind::Crash, Kind::Pause, Kind::Rogue];

    /// The legend's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Partition => "partition",
            Kind::Isolation => "isolation",
            Kind::Loss => "loss",
            Kind::Network => "delay/link",
            Kind::Crash => "crashed",
            Kind::Pause => "paused",
            Kind::Rogue => "rogue attack",
        }
    }
}

/// One fault window, in seconds since the session's start.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// What broke.
    pub kind: Kind,
    /// What the session called it ("partition halves", "crash node 5").
    pub label: String,
    /// When it began.
    pub start: f64,
    /// When it ended; the session's end for one never undone.
    pub end: f64,
}

/// An open window: what it is, and the plan value it stands for.
#[derive(Debug)]
struct Open {
    kind: Kind,
    label: String,
    start: f64,
    value: String,
}

/// Builds the windows line by line (fed in log order), then closes the
/// ones still open at the session's end.
#[derive(Debug)]
pub struct WindowTracker {
    start_link: LinkRecord,
    open: BTreeMap<String, Open>,
    done: Vec<Window>,
}

impl WindowTracker {
    /// A tracker for a session whose network started as `baseline`.
    pub fn new(baseline: &LinkRule) -> WindowTracker {
        WindowTracker { start_link: baseline.into(), open: BTreeMap::new(), done: Vec::new() }
    }

    /// Takes one line in.
    pub fn apply(&mut self, line: &Line) {
        let t = line.time().since_epoch().as_secs_f64();
        match &line.record {
            Record::Fault { label, plan, .. } => {
                let now = self.aspects(plan);
                let gone: Vec<String> = self
                    .open
                    .iter()
                    .filter(|(k, o)| now.get(*k).is_none_or(|n| n.1 != o.value))
                    .map(|(k, _)| k.clone())
                    .collect();
                for key in gone {
                    self.close(&key, t);
                }
                for (key, (kind, value)) in now {
                    self.open.entry(key).or_insert_with(|| Open { kind, label: label.clone(), start: t, value });
                }
            }
            Record::Node { node, event, .. } => match event {
                NodeChange::Crashed => {
                    self.close(&format!("pause {node}"), t);
                    self.begin(format!("crash {node}"), Kind::Crash, format!("crash node {node}"), t);
                }
                NodeChange::Paused => self.begin(format!("pause {node}"), Kind::Pause, format!("pause node {node}"), t),
                NodeChange::Resumed => self.close(&format!("pause {node}"), t),
                NodeChange::Restarted => self.close(&format!("crash {node}"), t),
                _ => {}
            },
            Record::Rogue(r) => {
                let key = format!("rogue {} {}", r.attack.name(), r.victim);
                match r.event {
                    RogueChange::Started => {
                        let label = format!("rogue {} on node {}", r.attack.name(), r.victim);
                        self.begin(key, Kind::Rogue, label, t);
                    }
                    RogueChange::Stopped => self.close(&key, t),
                }
            }
            _ => {}
        }
    }

    /// Every window, in order of start; those still open end at `end`.
    pub fn finish(mut self, end: f64) -> Vec<Window> {
        let keys: Vec<String> = self.open.keys().cloned().collect();
        for key in keys {
            self.close(&key, end);
        }
        self.done.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.kind.cmp(&b.kind)));
        self.done
    }

    fn begin(&mut self, key: String, kind: Kind, label: String, t: f64) {
        self.open.entry(key).or_insert(Open { kind, label, start: t, value: String::new() });
    }

    fn close(&mut self, key: &str, t: f64) {
        if let Some(o) = self.open.remove(key) {
            self.done.push(Window { kind: o.kind, label: o.label, start: o.start, end: t.max(o.start) });
        }
    }

    /// The plan's aspects that differ from a clean start, by key, with
    /// their kind and a value that changes when the aspect does.
    fn aspects(&self, plan: &PlanRecord) -> BTreeMap<String, (Kind, String)> {
        let mut out = BTreeMap::new();
        if !plan.groups.is_empty() || !plan.one_way.is_empty() {
            out.insert("partition".into(), (Kind::Partition, format!("{:?} {:?}", plan.groups, plan.one_way)));
        }
        for node in &plan.isolated {
            out.insert(format!("isolate {node}"), (Kind::Isolation, String::new()));
        }
        let (b, s) = (&plan.baseline, &self.start_link);
        if b.loss != s.loss {
            out.insert("loss".into(), (Kind::Loss, b.loss.to_string()));
        }
        let shape = |l: &LinkRecord| {
            format!("{} {} {} {} {}", l.delay_ms, l.jitter_ms, l.duplicate, l.reorder, l.reorder_gap_ms)
        };
        if shape(b) != shape(s) || !plan.links.is_empty() {
            out.insert("network".into(), (Kind::Network, format!("{} {:?}", shape(b), plan.links)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::record::{LinkOverride, RogueRecord};
    use crate::protocol::Time;
    use crate::rogue::Attack;

    fn at(s: f64, record: Record) -> Line {
        Line::at(Time::from_micros((s * 1e6) as u64), record)
    }

    fn fault(s: f64, label: &str, plan: PlanRecord) -> Line {
        at(s, Record::Fault { label: label.into(), action: serde_json::Value::Null, plan })
    }

    fn node(s: f64, node: usize, event: NodeChange) -> Line {
        at(s, Record::Node { node, addr: String::new(), event })
    }

    #[test]
    fn each_aspect_of_the_plan_is_a_window_named_by_the_line_that_brought_it() {
        let mut w = WindowTracker::new(&LinkRule::default());
        let split = PlanRecord { groups: vec![vec![0, 1], vec![2, 3]], ..PlanRecord::default() };
        w.apply(&fault(5.0, "partition halves", split.clone()));
        let lossy = PlanRecord { baseline: LinkRecord { loss: 0.1, ..LinkRecord::default() }, ..split };
        w.apply(&fault(8.0, "loss 10%", lossy.clone()));
        // Healing drops the partition; the loss stays until set back.
        let healed = PlanRecord { groups: vec![], ..lossy };
        w.apply(&fault(12.0, "heal", healed));
        let link = PlanRecord {
            isolated: vec![3],
            links: vec![LinkOverride { from: 0, to: 1, rule: LinkRecord::default() }],
            ..PlanRecord::default()
        };
        w.apply(&fault(15.0, "isolate node 3", link));
        w.apply(&fault(18.0, "heal", PlanRecord::default()));
        let windows = w.finish(20.0);
        let got: Vec<(Kind, &str, f64, f64)> =
            windows.iter().map(|w| (w.kind, w.label.as_str(), w.start, w.end)).collect();
        assert_eq!(
            got,
            [
                (Kind::Partition, "partition halves", 5.0, 12.0),
                (Kind::Loss, "loss 10%", 8.0, 15.0),
                (Kind::Isolation, "isolate node 3", 15.0, 18.0),
                (Kind::Network, "isolate node 3", 15.0, 18.0),
            ]
        );
    }

    #[test]
    fn a_changed_loss_opens_a_new_window_and_the_start_baseline_is_none() {
        let start = LinkRule { loss: 0.02, ..LinkRule::default() };
        let mut w = WindowTracker::new(&start);
        let plan =
            |loss| PlanRecord { baseline: LinkRecord { loss, ..LinkRecord::default() }, ..PlanRecord::default() };
        w.apply(&fault(1.0, "loss 2%", plan(0.02)));
        w.apply(&fault(2.0, "loss 5%", plan(0.05)));
        w.apply(&fault(3.0, "loss 20%", plan(0.2)));
        let got: Vec<(String, f64, f64)> = w.finish(9.0).into_iter().map(|w| (w.label, w.start, w.end)).collect();
        assert_eq!(got, [("loss 5%".to_string(), 2.0, 3.0), ("loss 20%".to_string(), 3.0, 9.0)]);
    }

    #[test]
    fn crashes_pauses_and_attacks_last_until_undone_or_the_end() {
        let mut w = WindowTracker::new(&LinkRule::default());
        w.apply(&node(1.0, 2, NodeChange::Paused));
        w.apply(&node(2.0, 2, NodeChange::Resumed));
        w.apply(&node(3.0, 4, NodeChange::Crashed));
        w.apply(&node(6.0, 4, NodeChange::Restarted));
        w.apply(&node(7.0, 5, NodeChange::Crashed));
        let rogue = |s, event| {
            let r = RogueRecord {
                event,
                attack: Attack::Death,
                victim: 1,
                count: None,
                for_ms: None,
                datagrams: 0,
                bytes: 0,
            };
            at(s, Record::Rogue(r))
        };
        w.apply(&rogue(8.0, RogueChange::Started));
        w.apply(&rogue(8.5, RogueChange::Stopped));
        let got: Vec<(Kind, String, f64, f64)> =
            w.finish(10.0).into_iter().map(|w| (w.kind, w.label, w.start, w.end)).collect();
        let k = |kind, l: &str, a, b| (kind, l.to_string(), a, b);
        assert_eq!(
            got,
            [
                k(Kind::Pause, "pause node 2", 1.0, 2.0),
                k(Kind::Crash, "crash node 4", 3.0, 6.0),
                k(Kind::Crash, "crash node 5", 7.0, 10.0),
                k(Kind::Rogue, "rogue death on node 1", 8.0, 8.5),
            ]
        );
    }
}
