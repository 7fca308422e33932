//! A saved session made seekable: the frame at any time, and the actions
//! on its time bar ([`Mark`]s), read from the log's lines the way the event
//! log words them.
//!
//! A frame is [`Board::snapshot`] of a [`Session`] and a [`Board`] that
//! folded every line up to its time: the code the live dashboard runs, so
//! a replayed frame is the live one. Folding an hour of lines takes
//! longer than a seek may, so the fold keeps checkpoints (copies of the
//! session and the board) every [`CHECKPOINT_EVERY`] lines: a seek starts
//! from the nearest one at or before its time, and moving forward from
//! where the replay stands folds only the gap. Pure: no I/O, no clock.

use super::action::Mark;
use super::board::Board;
use super::record::Line;
use super::session::Session;
use super::snapshot::{Snapshot, marks_of};
use super::spec::SessionSpec;
use crate::protocol::{NodeAddr, Time};

/// Lines folded between two checkpoints: a seek folds at most this many.
/// Chosen on a one-hour 64-node session (benches/replay.rs, BENCHMARKS.md
/// "Issue 11: replay seek"): 10 checkpoints of about 0.8 MiB each, seeks
/// at most 45 ms; every 2,048 lines held four times the memory for a
/// slowest seek no faster, every 32,768 nearly doubled the slowest seek.
pub const CHECKPOINT_EVERY: usize = 8192;

/// The fold at some line: the session and the board after `pos` lines.
#[derive(Clone, Debug)]
struct Fold {
    pos: usize,
    session: Session,
    board: Board,
}

impl Fold {
    fn advance(&mut self, lines: &[Line], to: usize) {
        for line in &lines[self.pos..to] {
            self.session.apply(line);
            self.board.apply(line, &self.session);
        }
        self.pos = to;
    }
}

/// A saved session, seekable; see the module docs.
#[derive(Debug)]
pub struct Recording {
    lines: Vec<Line>,
    marks: Vec<Mark>,
    /// `checkpoints[i]` holds the fold after `i * every` lines.
    checkpoints: Vec<Fold>,
    every: usize,
    /// Where the replay stands.
    current: Fold,
    end: Time,
}

impl Recording {
    /// The session of `spec` over nodes at `addrs` (at start), whose log
    /// lines after the header are `lines`, in time order. Folds them once
    /// to lay the checkpoints.
    pub fn new(spec: SessionSpec, addrs: &[NodeAddr], lines: Vec<Line>) -> Recording {
        Recording::with_checkpoints(spec, addrs, lines, CHECKPOINT_EVERY)
    }

    /// [`Recording::new`] with a checkpoint every `every` lines (at least
    /// one), for measuring the trade of memory against seek time.
    pub fn with_checkpoints(spec: SessionSpec, addrs: &[NodeAddr], lines: Vec<Line>, every: usize) -> Recording {
        let every = every.max(1);
        let start = Fold { pos: 0, session: Session::new(spec, addrs), board: Board::default() };
        let mut checkpoints = vec![start.clone()];
        let mut fold = start;
        while fold.pos + every <= lines.len() {
            fold.advance(&lines, fold.pos + every);
            checkpoints.push(fold.clone());
        }
        let current = checkpoints[0].clone();
        let end = lines.iter().map(Line::time).max().unwrap_or(Time::ZERO);
        Recording { marks: marks_of(&lines), lines, checkpoints, every, current, end }
    }

    /// The time of the last line.
    pub fn end(&self) -> Time {
        self.end
    }

    /// Every action, in order.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// The session's lines.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The session as folded up to the last frame taken.
    pub fn session(&self) -> &Session {
        &self.current.session
    }

    /// The dashboard's picture at `t`: every line at or before `t` folded.
    pub fn frame(&mut self, t: Time) -> Snapshot {
        let to = self.lines.partition_point(|l| l.time() <= t);
        let nearest = &self.checkpoints[(to / self.every).min(self.checkpoints.len() - 1)];
        // From the checkpoint unless the replay stands between it and `to`.
        if self.current.pos > to || self.current.pos < nearest.pos {
            self.current = nearest.clone();
        }
        self.current.advance(&self.lines, to);
        self.current.board.snapshot(&self.current.session, t)
    }

    /// How many checkpoints the fold keeps (the start included).
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::action::ActionKind;
    use crate::observe::record::{NodeChange, PlanRecord, Record, RumorChange};

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
        let got: Vec<(u64, ActionKind, &str)> =
            marks.iter().map(|m| (m.t.as_millis(), m.kind, m.label.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1000, ActionKind::Node, "node 3 (127.0.0.1:9003) crashed"),
                (2000, ActionKind::Fault, "partition halves"),
                (3000, ActionKind::Rumor, "rumor #1 injected at 2"),
            ]
        );
    }
}
