//! The dashboard's picture as a pure fold of the session log: what a
//! [`Snapshot`] shows beyond the [`Session`]'s measurements (the event log,
//! each node's status, traffic, rates and health history, the active
//! suspicions), built from the lines alone.
//!
//! The live observer and a replay fold the same lines into a `Session` and
//! a `Board` (the session first, then the board) and take their snapshots
//! with [`Board::snapshot`], so the frame a replay shows at time t is the
//! frame the live dashboard showed at t: what the log has is what you see.
//! Per-node figures therefore move at metrics-record cadence.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use super::action::Mark;
use super::record::{Line, MetricsRecord, NodeChange, PlanRecord, Record, SuspicionChange};
use super::session::Session;
use super::snapshot::mark_of;
use super::snapshot::{NodeRow, Snapshot};
use super::status::NodeStatus;
use super::traffic::Traffic;
use super::truth::Liveness;
use crate::protocol::{State, SuspicionView, Time};

mod events;
mod open;

pub use events::{EVENT_LOG, EventLog};
pub use open::SHOWN as SUSPICIONS_SHOWN;
use open::{Open, Suspicions};

/// History points kept for the dashboard's charts.
pub const HISTORY: usize = 600;
/// The shortest interval between metrics records a rate is taken over.
const MIN_RATE_INTERVAL: Duration = Duration::from_millis(100);
/// Actions kept for the charts' marks: apart from the event log, which a
/// join burst's member lines flush in seconds.
pub const ACTIONS: usize = 256;
/// Health samples kept per node.
pub const HEALTH_HISTORY: usize = 120;

/// What the dashboard shows beyond the session's measurements; see the
/// module docs.
#[derive(Clone, Debug, Default)]
pub struct Board {
    events: EventLog,
    /// The latest actions, oldest first (at most [`ACTIONS`]).
    actions: VecDeque<Mark>,
    nodes: Vec<NodeBoard>,
    /// Every node's active suspicions.
    suspicions: Suspicions,
    /// The previous metrics record's time: rates are over the real
    /// interval between two records.
    last_metrics_at: Time,
}

/// One node's part of the board.
#[derive(Clone, Debug, Default)]
struct NodeBoard {
    /// Its status as of the newest metrics record.
    status: NodeStatus,
    traffic: Traffic,
    /// Datagrams received and sent per second over the last interval.
    rates: (f64, f64),
    /// Datagrams received and sent as of the last record a rate was
    /// taken at: the base of the next rate.
    counted: (u64, u64),
    /// Its recent health scores, oldest first; replaced once per metrics
    /// record and shared by every snapshot in between.
    health_history: Arc<[u32]>,
}

fn ms(v: Option<f64>) -> Option<Duration> {
    v.map(crate::duration::from_log_ms)
}

impl Board {
    /// Folds one line in, after `session` has: a node index the session
    /// does not know (a damaged or forged log) is ignored, as the session
    /// ignores it, rather than grow the board to it.
    pub fn apply(&mut self, line: &Line, session: &Session) {
        let known = session.addrs().len();
        self.events.push(line);
        if let Some(mark) = mark_of(line) {
            if self.actions.len() == ACTIONS {
                self.actions.pop_front();
            }
            self.actions.push_back(mark);
        }
        let t = line.time();
        match &line.record {
            Record::Metrics(m) => self.metrics(m, t, known),
            Record::Suspicion { observer, subject, event, confirmations, k, timeout_ms, .. } => {
                if *observer >= known {
                    return;
                }
                let (observer, subject) = (*observer, *subject);
                match event {
                    SuspicionChange::Started => {
                        let s = Open {
                            start: t,
                            timeout: ms(*timeout_ms).unwrap_or_default(),
                            confirmations: confirmations.unwrap_or(0),
                            k: k.unwrap_or(0),
                        };
                        self.suspicions.set(observer, subject, s);
                    }
                    SuspicionChange::Confirmed => {
                        if let Some(o) = self.suspicions.get(observer, subject) {
                            let s = Open {
                                confirmations: confirmations.unwrap_or(o.confirmations),
                                k: k.unwrap_or(o.k),
                                timeout: ms(*timeout_ms).unwrap_or(o.timeout),
                                ..o
                            };
                            self.suspicions.set(observer, subject, s);
                        }
                    }
                    SuspicionChange::Refuted | SuspicionChange::Expired => self.suspicions.end(observer, subject),
                }
            }
            Record::Member { observer, subject, to, .. } if *to != State::Suspect => {
                self.suspicions.end(*observer, *subject)
            }
            Record::Forget { observer, subject } => self.suspicions.end(*observer, *subject),
            Record::View { observer, members, .. } if self.suspicions.holds_any(*observer) => {
                // A set of the view's suspects first: a resync after lost
                // lines lists every member, and testing each open
                // suspicion against the list was O(members x open).
                let suspect: BTreeSet<usize> =
                    members.iter().filter(|&&(_, st)| st == State::Suspect).map(|&(m, _)| m).collect();
                self.suspicions.retain(*observer, |subject| suspect.contains(&subject));
            }
            // A process that stops or starts afresh holds no timers.
            Record::Node { node, event: NodeChange::Crashed | NodeChange::Restarted | NodeChange::Left, .. } => {
                self.suspicions.retain(*node, |_| false)
            }
            _ => {}
        }
    }

    /// Node `i`'s part, made on first use; None past the `known` nodes.
    fn node(&mut self, i: usize, known: usize) -> Option<&mut NodeBoard> {
        if i >= known {
            return None;
        }
        if i >= self.nodes.len() {
            self.nodes.resize_with(i + 1, NodeBoard::default);
        }
        Some(&mut self.nodes[i])
    }

    fn metrics(&mut self, m: &MetricsRecord, t: Time, known: usize) {
        // A record right after another (the last one a run takes as it
        // ends) spans too little time to give a rate: the rates stay those
        // of the last full interval, measured from the same base next time.
        let dt = (t - self.last_metrics_at).as_secs_f64();
        let rate = dt >= MIN_RATE_INTERVAL.as_secs_f64();
        if rate {
            self.last_metrics_at = t;
        }
        for n in &m.nodes {
            let Some(b) = self.node(n.node, known) else { continue };
            if rate {
                let now = (n.traffic.received_total().packets, n.traffic.sent_total().packets);
                let was = b.counted;
                b.rates = (now.0.saturating_sub(was.0) as f64 / dt, now.1.saturating_sub(was.1) as f64 / dt);
                b.counted = now;
            }
            b.traffic = n.traffic.clone();
            let h = &b.health_history;
            let keep = h.len().min(HEALTH_HISTORY - 1);
            b.health_history = h[h.len() - keep..].iter().copied().chain([n.health]).collect();
            let shown = n.status.clone().unwrap_or_default();
            b.status = NodeStatus {
                at: t,
                health: n.health,
                incarnation: n.incarnation,
                queue: n.queue,
                members: shown.members,
                live_members: shown.live_members,
                counters: shown.counters(),
                joined: shown.joined,
                phis: shown.phis.clone(),
                // Live only: the live observer adds the nodes' own.
                heartbeats: Default::default(),
            };
        }
    }

    /// The dashboard's picture at `t` of `session` (which has folded the
    /// same lines as this board).
    pub fn snapshot(&self, session: &Session, t: Time) -> Snapshot {
        let m = session.metrics();
        let (truth, views) = (m.truth(), m.views());
        let addrs = session.addrs();
        let spec = session.spec();
        let config = &spec.protocol;
        let n = addrs.len();
        let (min, max) = (config.suspicion_min(n), config.suspicion_max(n));
        // "How the up nodes see it": every observer but the node itself and
        // the few that are not up (crashed, paused, gone).
        let not_up: Vec<usize> = (0..truth.len()).filter(|&o| truth.life(o) != Liveness::Up).collect();
        let idle = NodeBoard::default();
        let nodes: Vec<NodeRow> = (0..n.min(truth.len()))
            .map(|i| {
                let b = self.nodes.get(i).unwrap_or(&idle);
                NodeRow {
                    index: i,
                    addr: addrs[i],
                    life: truth.life(i),
                    seen: views.counts_excluding(i, not_up.iter().copied().filter(|&o| o != i).chain([i])),
                    foreign: m.foreign_count(i),
                    status: b.status.clone(),
                    traffic: b.traffic.clone(),
                    rate_in: b.rates.0,
                    rate_out: b.rates.1,
                    health_history: b.health_history.clone(),
                }
            })
            .collect();
        let suspicions = self
            .suspicions
            .soonest(|observer| observer < n && truth.life(observer).is_running())
            .into_iter()
            .filter_map(|(observer, subject, o)| {
                let view = SuspicionView {
                    member: *addrs.get(subject)?,
                    // Not in the log; nothing shows it.
                    incarnation: 0,
                    start: o.start,
                    deadline: o.start + o.timeout,
                    timeout: o.timeout,
                    confirmations: o.confirmations,
                    k: o.k,
                    min,
                    max,
                };
                Some((observer, view))
            })
            .collect();
        let traffic = nodes.iter().fold(Traffic::default(), |mut acc, r| {
            acc.merge(&r.traffic);
            acc
        });
        let history = session.history();
        Snapshot {
            t,
            profile: spec.profile.clone(),
            protocol_label: spec.protocol_label.clone(),
            config: config.clone(),
            phi: spec.phi.clone(),
            seed: spec.seed,
            nodes,
            views: views.clone(),
            suspicions,
            suspicions_active: self.suspicions.len(),
            agreement: m.agreement(),
            accuracy: m.accuracy(),
            converged: m.converged(),
            history: history[history.len().saturating_sub(HISTORY)..].to_vec(),
            events: self.events.lines(),
            actions: self.actions.iter().cloned().collect(),
            plan: PlanRecord::of(truth.plan(), |a| session.index_of(a)),
            traffic,
            detections: m.detections().to_vec(),
            rumors: m.rumors().to_vec(),
            false_positives: m.false_positives().len(),
            false_suspicions: m.false_suspicions().len(),
            events_dropped: session.latest().map_or(0, |r| r.events_dropped),
            // A log has no datagrams: a live observer adds its sample.
            flights: Arc::default(),
            flight_stride: 0,
        }
    }
}

#[cfg(test)]
#[path = "board/tests.rs"]
mod tests;
