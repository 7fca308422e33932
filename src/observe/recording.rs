//! A saved session made seekable: the actions on its time bar ([`Mark`]s),
//! read from the log's lines the way the event log words them.
//!
//! A replay shows the time bar and jumps between actions; both need the
//! same list, so it is derived once here from the lines, not by the UI.

use super::record::{Line, Record, RumorChange};
use super::snapshot::event_line;
use crate::protocol::Time;

/// One action on the time bar: when, what kind, and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// When it happened.
    pub t: Time,
    /// What kind of action it is.
    pub kind: MarkKind,
    /// Its label, as the event log says it.
    pub label: String,
}

/// What kind of action a mark is (the time bar colours by it; next/previous jumps use it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// A node was crashed, paused, resumed, restarted, added or made to leave.
    Node,
    /// The network's faults changed.
    Fault,
    /// A rumor was injected.
    Rumor,
    /// The keyring changed.
    Key,
    /// A rogue attack started or stopped.
    Rogue,
}

/// Every action among `lines`, in order.
pub fn marks_of(lines: &[Line]) -> Vec<Mark> {
    lines.iter().filter_map(mark_of).collect()
}

fn mark_of(line: &Line) -> Option<Mark> {
    let kind = match &line.record {
        Record::Node { event, .. } if event.is_action() => MarkKind::Node,
        Record::Fault { label, .. } => {
            return Some(Mark { t: line.time(), kind: MarkKind::Fault, label: label.clone() });
        }
        Record::Rumor { event: RumorChange::Injected, .. } => MarkKind::Rumor,
        Record::Key { .. } => MarkKind::Key,
        Record::Rogue(_) => MarkKind::Rogue,
        _ => return None,
    };
    let label = event_line(line)?.text;
    Some(Mark { t: line.time(), kind, label })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::record::{NodeChange, PlanRecord, RumorChange};

    fn node(t: u64, event: NodeChange) -> Line {
        Line::at(Time::from_millis(t), Record::Node { node: 3, addr: "127.0.0.1:9003".into(), event })
    }

    #[test]
    fn marks_are_the_action_lines_in_order_labelled_like_the_event_log() {
        let lines = vec![
            node(0, NodeChange::Up),
            node(10, NodeChange::Joined),
            node(1000, NodeChange::Crashed),
            Line::at(
                Time::from_millis(2000),
                Record::Fault {
                    label: "partition halves".into(),
                    action: serde_json::Value::Null,
                    plan: PlanRecord::default(),
                },
            ),
            Line::at(Time::from_millis(2500), Record::Health { node: 1, score: 2 }),
            Line::at(
                Time::from_millis(3000),
                Record::Rumor {
                    event: RumorChange::Injected,
                    node: 2,
                    origin: "127.0.0.1:9002".into(),
                    seq: 1,
                    cluster_sent: None,
                },
            ),
            Line::at(
                Time::from_millis(3100),
                Record::Rumor {
                    event: RumorChange::Delivered,
                    node: 4,
                    origin: "127.0.0.1:9002".into(),
                    seq: 1,
                    cluster_sent: None,
                },
            ),
            node(4000, NodeChange::Left),
        ];
        let marks = marks_of(&lines);
        let got: Vec<(u64, MarkKind, &str)> =
            marks.iter().map(|m| (m.t.as_millis(), m.kind, m.label.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1000, MarkKind::Node, "node 3 (127.0.0.1:9003) crashed"),
                (2000, MarkKind::Fault, "partition halves"),
                (3000, MarkKind::Rumor, "rumor #1 injected at 2"),
            ]
        );
    }
}
