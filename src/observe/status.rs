//! A node's self-reported state, for the dashboard's node table and detail.
//!
//! Events say what changed; a status says where a node stands now (health
//! score, queue depth, counters). Both drivers build it the same way from
//! an [`AnyNode`]. Its suspicion timers are not part of it: the
//! dashboard's come from the session log's suspicion lines (see
//! `observe::board`), and in a partition of thousands of nodes a node
//! holds thousands of them, which copying ten times a second cost a
//! tenth of the lab's CPU.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::protocol::phi::HeartbeatView;
use crate::protocol::{AnyNode, Counters, Incarnation, NodeAddr, Time};

/// The most phi values a status keeps: the highest, for the phi view.
pub const PHI_SHOWN: usize = 8;
/// Phi below this is a subject heard from on time: not worth a row.
pub const PHI_FLOOR: f64 = 1.0;
/// The most heartbeat-table rows a status keeps (self first), so a status
/// stays bounded at any cluster size.
pub const HEARTBEAT_ROWS: usize = 256;

/// One observer's phi for one subject, in hundredths, so statuses and
/// metrics records stay comparable and their logs stay short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhiMark {
    /// The subject.
    pub subject: NodeAddr,
    /// Phi × 100.
    pub phi_centi: u32,
    /// Phi's change over the last heartbeat interval × 100.
    pub trend_centi: i32,
}

impl PhiMark {
    /// Phi.
    pub fn phi(&self) -> f64 {
        f64::from(self.phi_centi) / 100.0
    }

    /// Phi's change over the last heartbeat interval.
    pub fn trend(&self) -> f64 {
        f64::from(self.trend_centi) / 100.0
    }
}

/// The highest phis `node` holds at `now` (at least [`PHI_FLOOR`], at most
/// [`PHI_SHOWN`]), highest first; none for a SWIM node.
fn top_phis(node: &AnyNode, now: Time) -> Vec<PhiMark> {
    let Some(n) = node.as_phi() else { return Vec::new() };
    let mut marks: Vec<PhiMark> = n
        .phis(now, PHI_FLOOR)
        .map(|p| PhiMark {
            subject: p.subject,
            phi_centi: (p.phi * 100.0).round() as u32,
            trend_centi: (p.trend * 100.0).round() as i32,
        })
        .collect();
    marks.sort_by(|a, b| b.phi_centi.cmp(&a.phi_centi).then(a.subject.cmp(&b.subject)));
    marks.truncate(PHI_SHOWN);
    marks
}

/// One node's current state as it sees itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeStatus {
    /// When this status was taken.
    pub at: Time,
    /// Lifeguard local health score (0 is healthy).
    pub health: u32,
    /// The node's own incarnation.
    pub incarnation: Incarnation,
    /// Updates waiting to be piggybacked.
    pub queue: usize,
    /// Rows in its membership table (self included).
    pub members: usize,
    /// Alive + suspect members (self included).
    pub live_members: usize,
    /// Its protocol counters.
    #[serde(skip)]
    pub counters: Counters,
    /// Has it heard back from a seed?
    pub joined: bool,
    /// A phi node's highest phis (the highest, at least `PHI_FLOOR`, at most `PHI_SHOWN`); logged.
    pub phis: Vec<PhiMark>,
    /// A phi node's heartbeat table, self first, at most
    /// [`HEARTBEAT_ROWS`]; live only (N rows a node is too much to log),
    /// shared so a snapshot copies a pointer.
    #[serde(skip)]
    pub heartbeats: Arc<[HeartbeatView]>,
}

impl NodeStatus {
    /// The status of `node` at `now`.
    pub fn of(node: &AnyNode, now: Time) -> NodeStatus {
        NodeStatus {
            at: now,
            health: node.health_score(),
            incarnation: node.incarnation(),
            queue: node.broadcast_queue_len(),
            members: node.members().len(),
            live_members: node.live_members(),
            counters: node.counters().clone(),
            joined: node.is_joined(),
            phis: top_phis(node, now),
            heartbeats: node.as_phi().map_or_else(Arc::default, |n| n.heartbeats().take(HEARTBEAT_ROWS).collect()),
        }
    }
}
