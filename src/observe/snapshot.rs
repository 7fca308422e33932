//! What the dashboard draws: a self-contained picture of the lab, replaced
//! about ten times a second.
//!
//! Views render only from a [`Snapshot`], never from live state, so drawing
//! cannot block a node and a frozen display is just an old snapshot kept.

use std::sync::Arc;
use std::time::Duration;

use super::action::{ActionKind, Mark};
use super::metrics::{Detection, RumorSpread};
use super::record::{Line, NodeChange, PlanRecord, Record, RogueChange, RumorChange, SuspicionChange};
use super::session::HistoryPoint;
use super::status::NodeStatus;
use super::traffic::Traffic;
use super::truth::Liveness;
use super::views::Views;
use crate::protocol::SuspicionView;
use crate::protocol::{Body, Config, NodeAddr, Packet, State, Time, Update};

/// One node's row.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    /// Its index.
    pub index: usize,
    /// Its address.
    pub addr: NodeAddr,
    /// What it is really doing.
    pub life: Liveness,
    /// How the up nodes see it: [alive, suspect, dead, left, unknown].
    pub seen: [usize; 5],
    /// Members it holds alive or suspect that are no lab node.
    pub foreign: usize,
    /// Its self-reported status, as of the newest metrics record; its
    /// suspicions as of the newest suspicion lines.
    pub status: NodeStatus,
    /// Its cumulative traffic, as of the newest metrics record.
    pub traffic: Traffic,
    /// Datagrams received per second, between the last two metrics records.
    pub rate_in: f64,
    /// Datagrams sent per second, between the last two metrics records.
    pub rate_out: f64,
    /// Its health score over time, oldest first (shared between snapshots
    /// until the next sample).
    pub health_history: Arc<[u32]>,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    /// When.
    pub t: Time,
    /// The record kind ("node", "fault", "member", ...), for colour and filter.
    pub kind: &'static str,
    /// The node it is mostly about.
    pub node: Option<usize>,
    /// Human text.
    pub text: String,
}

/// What a sampled datagram was, as the Cluster view colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlightKind {
    /// A ping or a ping request.
    Probe,
    /// An ack or a nack.
    Ack,
    /// A gossip-only datagram.
    Gossip,
    /// A push-pull chunk.
    PushPull,
    /// Any datagram that piggybacks a rumor ([`Update::Rumor`]), whatever
    /// its primary message: that is how rumors travel.
    Rumor,
}

impl FlightKind {
    /// Every kind, in legend order.
    pub const ALL: [FlightKind; 5] =
        [FlightKind::Probe, FlightKind::Ack, FlightKind::Gossip, FlightKind::PushPull, FlightKind::Rumor];

    /// What `packet` is. Scans its piggybacked updates, so the runtime
    /// calls it only for the datagrams it samples.
    pub fn of(packet: &Packet) -> FlightKind {
        if packet.gossip.iter().any(|u| matches!(u, Update::Rumor(_))) {
            return FlightKind::Rumor;
        }
        match packet.body {
            Body::Ping { .. } | Body::PingReq { .. } => FlightKind::Probe,
            Body::Ack { .. } | Body::Nack { .. } => FlightKind::Ack,
            Body::Gossip | Body::Syn(_) => FlightKind::Gossip,
            Body::PushPull(_) | Body::SynAck(_) | Body::Ack2(_) => FlightKind::PushPull,
        }
    }

    /// Its legend name.
    pub fn name(self) -> &'static str {
        match self {
            FlightKind::Probe => "probe",
            FlightKind::Ack => "ack",
            FlightKind::Gossip => "gossip",
            FlightKind::PushPull => "push-pull",
            FlightKind::Rumor => "rumor",
        }
    }
}

/// How long a sampled datagram stays in the snapshots (the Cluster view
/// fades it over this time): four dashboard frames.
pub const FLIGHT_WINDOW: Duration = Duration::from_millis(400);

/// One sampled datagram between two lab nodes (`runtime::flights`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flight {
    /// The sender's index.
    pub from: usize,
    /// The receiver's index.
    pub to: usize,
    /// What it carried.
    pub kind: FlightKind,
    /// The fault plan dropped it.
    pub dropped: bool,
    /// How long before the snapshot it was sent.
    pub age: Duration,
}

/// Everything the dashboard shows, at one instant.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Lab time of the snapshot. The views, measurements and suspicions
    /// hold every line up to `t` (live: up to the observer's reordering
    /// window before it, `runtime::observer`); node statuses, traffic and
    /// rates are those of the newest metrics record (`observe::board`).
    pub t: Time,
    /// The profile's name.
    pub profile: String,
    /// The protocol in one phrase.
    pub protocol_label: String,
    /// The protocol configuration (SWIM's; a phi lab keeps the preset it
    /// was built from, for the member cap).
    pub config: Config,
    /// The phi family's tuning, when the lab runs phi: the views then show
    /// phi where SWIM's show suspicion timers.
    pub phi: Option<crate::protocol::phi::Config>,
    /// The seed.
    pub seed: u64,
    /// One row per node ever started.
    pub nodes: Vec<NodeRow>,
    /// Every node's view of every node. Shared with the observer's metrics
    /// until they change, so a quiet lab's snapshot does not copy N² cells.
    pub views: Arc<Views>,
    /// The active suspicions of running nodes soonest to expire, as
    /// (observer, suspicion), soonest first: at most
    /// [`SUSPICIONS_SHOWN`](super::board::SUSPICIONS_SHOWN), where a partition of thousands of nodes holds
    /// millions.
    pub suspicions: Vec<(usize, SuspicionView)>,
    /// Active suspicions, listed or not.
    pub suspicions_active: usize,
    /// Agreement now.
    pub agreement: f64,
    /// Accuracy now.
    pub accuracy: f64,
    /// Every up node's view matches ground truth.
    pub converged: bool,
    /// Recent history, oldest first.
    pub history: Vec<HistoryPoint>,
    /// Recent events, oldest first. Shared between snapshots until a new
    /// event arrives.
    pub events: Arc<Vec<EventLine>>,
    /// The latest actions, oldest first (`board::ACTIONS` of them): the
    /// charts mark them on their time axis. Kept apart from `events`,
    /// which member lines flush in seconds at scale.
    pub actions: Vec<Mark>,
    /// The fault plan in force.
    pub plan: PlanRecord,
    /// Cluster-wide traffic.
    pub traffic: Traffic,
    /// Crash detections so far.
    pub detections: Vec<Detection>,
    /// Rumors so far.
    pub rumors: Vec<RumorSpread>,
    /// False positives so far: running members held dead or left.
    pub false_positives: usize,
    /// False suspicions so far.
    pub false_suspicions: usize,
    /// Node events the observer lost.
    pub events_dropped: u64,
    /// A sample of the datagrams sent lately, newest first: filled by a
    /// live lab's observer, empty in a replay (the log has no datagrams).
    pub flights: Arc<[Flight]>,
    /// One datagram in this many was sampled into `flights` (0: none were).
    pub flight_stride: u32,
}

impl Snapshot {
    /// Nodes that are up.
    pub fn up(&self) -> usize {
        self.nodes.iter().filter(|n| n.life == Liveness::Up).count()
    }
}

/// Whether a session-log line belongs in the event log. Cheap (no
/// formatting), so an observer can keep raw lines and format only the few
/// it displays.
pub fn shows(record: &Record) -> bool {
    !matches!(
        record,
        Record::Session(_)
            | Record::Metrics(_)
            | Record::Summary(_)
            | Record::Rumor { event: RumorChange::Delivered, .. }
    )
}

/// The event-log line for a session-log line, if it is worth showing.
pub fn event_line(line: &Line) -> Option<EventLine> {
    if !shows(&line.record) {
        return None;
    }
    let t = line.time();
    let (kind, node, text) = match &line.record {
        Record::Node { node, addr, event } => {
            let what = match event {
                NodeChange::Up => "started",
                NodeChange::Added => "added",
                NodeChange::Crashed => "crashed",
                NodeChange::Restarted => "restarted",
                NodeChange::Paused => "paused",
                NodeChange::Resumed => "resumed",
                NodeChange::Leaving => "is leaving",
                NodeChange::Left => "left",
                NodeChange::Joined => "joined",
            };
            ("node", Some(*node), format!("node {node} ({addr}) {what}"))
        }
        Record::Fault { label, .. } => ("fault", None, label.clone()),
        Record::Member { observer, subject, from, to, incarnation } => {
            let from = from.map_or("new".to_string(), |s| s.to_string());
            ("member", Some(*observer), format!("{observer} sees {subject}: {from} → {to} (inc {incarnation})"))
        }
        Record::Suspicion { observer, subject, event, confirmations, k, timeout_ms, .. } => {
            let text = match event {
                SuspicionChange::Started => {
                    format!("{observer} suspects {subject} (timeout {:.1}s)", timeout_ms.unwrap_or(0.0) / 1000.0)
                }
                // Logs before `k` was recorded on confirmations say C alone.
                SuspicionChange::Confirmed => format!(
                    "{observer}'s suspicion of {subject} confirmed {}{} (timeout now {:.1}s)",
                    confirmations.unwrap_or(0),
                    k.map_or_else(String::new, |k| format!("/{k}")),
                    timeout_ms.unwrap_or(0.0) / 1000.0
                ),
                SuspicionChange::Refuted => format!("{subject} refuted {observer}'s suspicion"),
                SuspicionChange::Expired => format!("{observer}'s suspicion of {subject} expired: dead"),
            };
            ("suspicion", Some(*observer), text)
        }
        Record::Refute { node, accused, incarnation } => {
            ("refute", Some(*node), format!("{node} refuted an accusation (inc {accused} → {incarnation})"))
        }
        Record::Health { node, score } => ("health", Some(*node), format!("{node} health score {score}")),
        Record::Lag { node, target, lag_ms } => (
            "lag",
            Some(*node),
            format!("{node} stalled {lag_ms:.0} ms; abandoned its probe of {target} instead of blaming it"),
        ),
        Record::Rumor { event, node, seq, .. } => match event {
            RumorChange::Injected => ("rumor", Some(*node), format!("rumor #{seq} injected at {node}")),
            RumorChange::Delivered => return None, // one per node: the rumor view shows these
        },
        Record::Learned { observer, members } => {
            let count =
                members.iter().map(|&(first, last)| last.saturating_add(1).saturating_sub(first)).sum::<usize>();
            let mut names: Vec<String> = members.iter().take(4).map(|&r| crate::scenario::run_text(r)).collect();
            if members.len() > names.len() {
                names.push("…".to_owned());
            }
            let learned = crate::scenario::plural(count, "new member");
            ("member", Some(*observer), format!("{observer} learned {learned}: {}", names.join(", ")))
        }
        Record::Forget { observer, subject } => {
            ("member", Some(*observer), format!("{observer} forgot {subject} (reaped)"))
        }
        Record::Foreign { observer, member, from, to } => {
            let name = |s: &Option<State>, none: &str| s.map_or(none.to_string(), |s| s.to_string());
            let (from, to) = (name(from, "new"), name(to, "forgotten"));
            ("member", Some(*observer), format!("{observer} sees foreign {member}: {from} → {to}"))
        }
        Record::View { observer, members, foreign, foreign_more } => {
            let foreign = foreign.len() + foreign_more;
            let text = if foreign == 0 {
                format!("{observer}'s view resynced ({})", crate::scenario::plural(members.len(), "member"))
            } else {
                format!(
                    "{observer}'s view resynced ({}, {foreign} foreign)",
                    crate::scenario::plural(members.len(), "member")
                )
            };
            ("member", Some(*observer), text)
        }
        Record::Rogue(r) => {
            let text = match r.event {
                RogueChange::Started => format!("rogue {} against node {} started", r.attack.name(), r.victim),
                RogueChange::Stopped => format!(
                    "rogue {} against node {} stopped after {}",
                    r.attack.name(),
                    r.victim,
                    crate::scenario::plural(r.datagrams as usize, "datagram")
                ),
            };
            ("rogue", Some(r.victim), text)
        }
        Record::Key { event, key, primary, keys } => {
            ("key", None, format!("key {key} {} ({} installed, primary {primary})", event.label(), keys.len()))
        }
        Record::Session(_) | Record::Metrics(_) | Record::Summary(_) => return None,
    };
    Some(EventLine { t, kind, node, text })
}

/// Every action among `lines`, in order.
pub fn marks_of(lines: &[Line]) -> Vec<Mark> {
    lines.iter().filter_map(mark_of).collect()
}

/// The action `line` records, if it is one.
pub fn mark_of(line: &Line) -> Option<Mark> {
    let kind = ActionKind::of(&line.record)?;
    let label = event_line(line)?.text;
    Some(Mark { t: line.time(), kind, label })
}
