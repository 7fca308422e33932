//! The session log's records (DESIGN §6): one JSON object per line.
//!
//! Every line has `t_ms` (milliseconds since lab start, microsecond
//! precision) and `kind`. The live observer writes these records *and*
//! folds them into a [`super::session::Session`]; `gossip-lab report` folds
//! the saved ones into a fresh `Session`. One code path for both is what
//! makes a report of a saved log equal the summary printed at the end of
//! the run.
//!
//! Compatibility: `format` in the header is bumped on any change that an
//! older reader would misread. Readers ignore unknown fields and skip
//! unknown kinds, so adding either is not such a change.

use std::net::SocketAddrV4;

use serde::{Deserialize, Serialize};

pub use super::security::{KeyChange, SecurityRecord};
use super::spec::Mode;
use super::summary::Summary;
// Where records come from, re-exported so that the log's types and their
// constructors are found in one place.
pub use super::convert::{from_event, learned_record, learned_records, view_record};
use super::traffic::Traffic;
use super::truth::Liveness;
use crate::protocol::{Incarnation, NodeAddr, State, Time};

mod plan;
mod rogue;
mod status;

pub use plan::{LinkOverride, LinkRecord, OneWayRecord, PlanRecord};
pub use rogue::{RogueChange, RogueRecord};
pub use status::StatusRecord;

/// The session log format this build writes (and the newest it reads).
/// Format 2 added two codec reject reasons (`unauthenticated`,
/// `oversized`) to the `rejected` counters, which a format-1 reader cannot
/// parse; this build reads format-1 logs with those counters at zero.
///
/// Format 3 added `learned` lines (a join storm's additions coalesced,
/// see [`super::learning`]); a format-2 reader would skip them and miss
/// those members.
///
/// Format 4 writes each packet and byte counter pair as `[packets,
/// bytes]` instead of an object (see [`super::traffic::Flow`]), which a
/// format-3 reader cannot parse; this build reads both.
pub const FORMAT: u32 = 4;

/// One line of the session log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Milliseconds since lab start (fractional: microsecond precision).
    pub t_ms: f64,
    /// What happened.
    #[serde(flatten)]
    pub record: Record,
}

impl Line {
    /// A line at protocol time `t`.
    pub fn at(t: Time, record: Record) -> Line {
        Line { t_ms: t.as_micros() as f64 / 1000.0, record }
    }

    /// The line's time.
    pub fn time(&self) -> Time {
        Time::from_micros((self.t_ms * 1000.0).round().max(0.0) as u64)
    }
}

/// What a line records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// The header: always the first line.
    Session(Header),
    /// A node's real condition changed (ground truth).
    Node {
        /// The node.
        node: usize,
        /// Its address.
        addr: String,
        /// What happened to it.
        event: NodeChange,
    },
    /// The network's faults changed (ground truth).
    Fault {
        /// Human text, e.g. "partition halves".
        label: String,
        /// The action that caused it, as the timeline writes it.
        action: serde_json::Value,
        /// The complete fault plan now in force.
        plan: PlanRecord,
    },
    /// An observer's view of a subject changed.
    Member {
        /// The node whose view changed.
        observer: usize,
        /// The member it is about.
        subject: usize,
        /// Its previous state in that view (absent: newly learned).
        from: Option<State>,
        /// Its new state.
        to: State,
        /// The incarnation of the new state.
        incarnation: Incarnation,
    },
    /// Members an observer learned (had never heard of, now alive) within
    /// one coalescing window: the same as a `member` line for each, from
    /// nothing to alive, at this line's time (see [`super::learning`]).
    Learned {
        /// The node whose view grew.
        observer: usize,
        /// The members, as sorted `[first, last]` index ranges.
        members: Vec<(usize, usize)>,
    },
    /// A node dropped a lab member from its table after holding it dead
    /// or left for the reap time: its view no longer knows it at all.
    Forget {
        /// The node whose table shrank.
        observer: usize,
        /// The member it forgot.
        subject: usize,
    },
    /// An observer's view of a member that is no lab node changed (a
    /// forged or flooded entry); accuracy counts the ones held alive or
    /// suspect.
    Foreign {
        /// The node whose view changed.
        observer: usize,
        /// The member's address, as the observer has it.
        member: String,
        /// Its previous state in that view (absent: newly learned).
        from: Option<State>,
        /// Its new state (absent: forgotten).
        to: Option<State>,
    },
    /// A suspicion timer changed.
    Suspicion {
        /// The suspecting node.
        observer: usize,
        /// The suspect.
        subject: usize,
        /// Started, confirmed, refuted or expired.
        event: SuspicionChange,
        /// Independent confirmations so far.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmations: Option<u32>,
        /// Confirmations that bring the timeout to its minimum.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        k: Option<u32>,
        /// The timeout now in force, in milliseconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<f64>,
        /// The accuser or confirmer, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<usize>,
    },
    /// A node refuted an accusation by bumping its incarnation.
    Refute {
        /// The node.
        node: usize,
        /// The incarnation it was accused at.
        accused: Incarnation,
        /// Its new incarnation.
        incarnation: Incarnation,
    },
    /// A node's Lifeguard health score changed.
    Health {
        /// The node.
        node: usize,
        /// Its new score.
        score: u32,
    },
    /// A node abandoned a probe because it had stalled itself.
    Lag {
        /// The node.
        node: usize,
        /// The member it was probing.
        target: usize,
        /// How late its timer ran, in milliseconds.
        lag_ms: f64,
    },
    /// A rumor was injected or delivered.
    Rumor {
        /// Injected or delivered.
        event: RumorChange,
        /// The injecting or delivering node.
        node: usize,
        /// The rumor's origin address.
        origin: String,
        /// The origin's rumor counter.
        seq: u32,
        /// Datagrams the whole cluster had sent at this moment, so a
        /// rumor's cost can be measured exactly from the log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cluster_sent: Option<u64>,
    },
    /// The cluster's keyring changed (ground truth): key ids only, never
    /// a key.
    Key {
        /// Installed, used (made primary) or removed.
        event: KeyChange,
        /// The key's id.
        key: String,
        /// The primary key's id afterwards.
        primary: String,
        /// Every installed key's id afterwards, oldest first.
        keys: Vec<String>,
    },
    /// A node's whole view, after the observer lost some of its events.
    View {
        /// The node.
        observer: usize,
        /// Every lab member it knows, with its state.
        members: Vec<(usize, State)>,
        /// Members it holds alive or suspect that are no lab node, by
        /// address; at most [`super::foreign::FOREIGN_TRACKED`] of them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        foreign: Vec<(String, State)>,
        /// How many more such members it holds than `foreign` lists.
        #[serde(default, skip_serializing_if = "is_zero")]
        foreign_more: usize,
    },
    /// A rogue attack started or stopped (ground truth: the victim's
    /// process is untouched, so this is no node fault).
    Rogue(RogueRecord),
    /// A periodic snapshot of traffic and agreement.
    Metrics(MetricsRecord),
    /// The run's summary: always the last line.
    Summary(Box<Summary>),
}

/// The first line of a session log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The log format version ([`FORMAT`]).
    pub format: u32,
    /// The gossip-lab version that wrote it.
    pub version: String,
    /// `"udp"` (real sockets) or `"sim"` (the simulator).
    pub driver: String,
    /// `"scripted"` (`run`: the profile's expectations judge it) or
    /// `"hands-on"` (the dashboard: nothing is judged). Logs written
    /// before this field are read as scripted, as they were judged then.
    #[serde(default)]
    pub mode: Mode,
    /// The profile, fully resolved (every field, timeline expanded).
    pub profile: serde_json::Value,
    /// The seed of the run.
    pub seed: u64,
    /// Nodes at start.
    pub nodes: usize,
    /// Their addresses, by index.
    pub addrs: Vec<String>,
    /// How datagrams were authenticated (absent in logs written before
    /// sealing existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<SecurityRecord>,
}

/// What happened to a node's process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeChange {
    /// Started with the lab.
    Up,
    /// Added while the lab ran.
    Added,
    /// Killed without a goodbye.
    Crashed,
    /// Started again at the same address with fresh state.
    Restarted,
    /// Stalled.
    Paused,
    /// Resumed after a stall.
    Resumed,
    /// Started a graceful leave.
    Leaving,
    /// Finished leaving; the process ended.
    Left,
    /// Heard back from a seed.
    Joined,
}

impl NodeChange {
    /// The ground-truth condition after this change, if it changes it.
    pub fn liveness(self) -> Option<Liveness> {
        match self {
            NodeChange::Up | NodeChange::Added | NodeChange::Restarted | NodeChange::Resumed => Some(Liveness::Up),
            NodeChange::Crashed => Some(Liveness::Crashed),
            NodeChange::Paused => Some(Liveness::Paused),
            NodeChange::Leaving => Some(Liveness::Leaving),
            NodeChange::Left => Some(Liveness::Left),
            NodeChange::Joined => None,
        }
    }

    /// Whether a person or the timeline caused it (as opposed to the node).
    pub fn is_action(self) -> bool {
        !matches!(self, NodeChange::Up | NodeChange::Left | NodeChange::Joined)
    }
}

/// What happened to a suspicion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspicionChange {
    /// A suspicion began.
    Started,
    /// An independent node confirmed it.
    Confirmed,
    /// The suspect refuted it.
    Refuted,
    /// It ran out: the suspect was declared dead.
    Expired,
}

/// Injected or delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RumorChange {
    /// Injected at `node`.
    Injected,
    /// Delivered at `node`.
    Delivered,
}

/// A periodic snapshot of the cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsRecord {
    /// Fraction of up nodes whose alive set is the most common one.
    pub agreement: f64,
    /// Fraction of up nodes whose view matches ground truth.
    pub accuracy: f64,
    /// Node events the observer lost to a full channel so far.
    #[serde(default)]
    pub events_dropped: u64,
    /// Per node.
    pub nodes: Vec<NodeMetrics>,
}

/// One node in a [`MetricsRecord`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeMetrics {
    /// The node.
    pub node: usize,
    /// Its health score.
    pub health: u32,
    /// Its incarnation.
    pub incarnation: Incarnation,
    /// Its piggyback queue depth.
    #[serde(default)]
    pub queue: usize,
    /// Members it holds alive or suspect that are no lab node (absent: 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub foreign: usize,
    /// Claims and messages it refused, by reason, cumulative (absent: none):
    /// how a forgery shows from outside a cluster without a key.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub refused: std::collections::BTreeMap<String, u64>,
    /// Its cumulative traffic counters.
    pub traffic: Traffic,
    /// Its table size, join state and protocol counters (absent in logs
    /// written before the dashboard read only the log: zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusRecord>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Parses an address written in a log.
pub fn parse_addr(s: &str) -> Option<NodeAddr> {
    s.parse::<SocketAddrV4>().ok()
}
