//! Which session-log lines are actions, and of which kind: the one
//! classification the replay's time bar, the story `report` tells, the
//! plot's sampling and the convergence clock all read, so they can never
//! disagree on what counts as something a person or a timeline did.

use serde::Serialize;

use super::record::{Record, RumorChange};
use crate::protocol::Time;

/// What kind of action a line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A change to a node's process by a person or the timeline: crash,
    /// restart, pause, resume, leave, add (not a node's own join or the
    /// end of its leave).
    Node,
    /// A change to the network: partition, isolation, loss, delay, heal...
    Fault,
    /// A rumor injected.
    Rumor,
    /// A key rotation step.
    Key,
    /// A rogue attack started or stopped.
    Rogue,
}

impl ActionKind {
    /// The kind of action `record` is, if it is one.
    pub fn of(record: &Record) -> Option<ActionKind> {
        Some(match record {
            Record::Node { event, .. } if event.is_action() => ActionKind::Node,
            Record::Fault { .. } => ActionKind::Fault,
            Record::Rumor { event: RumorChange::Injected, .. } => ActionKind::Rumor,
            Record::Key { .. } => ActionKind::Key,
            Record::Rogue(_) => ActionKind::Rogue,
            _ => return None,
        })
    }

    /// Whether it disturbs the cluster, so that convergence is measured
    /// again from its time: every kind but a rumor. A key rotation counts
    /// (one that lost members would show), and so does a rogue attack's
    /// start and end (no process changed, but views may have).
    pub fn disturbs(self) -> bool {
        self != ActionKind::Rumor
    }

    /// Whether the replay's next/previous jumps stop at it: faults and
    /// node events.
    pub fn is_jump(self) -> bool {
        matches!(self, ActionKind::Fault | ActionKind::Node)
    }
}

/// Whether `record` is an action that disturbs the cluster
/// ([`ActionKind::disturbs`]).
pub fn disturbs(record: &Record) -> bool {
    ActionKind::of(record).is_some_and(ActionKind::disturbs)
}

/// One action on the time bar: when, what kind, and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// When it happened.
    pub t: Time,
    /// What kind of action it is.
    pub kind: ActionKind,
    /// Its label, as the event log says it.
    pub label: String,
}
