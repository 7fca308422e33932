//! A node's self-reported state, for the dashboard's node table and detail.
//!
//! Events say what changed; a status says where a node stands now (health
//! score, queue depth, its own suspicion timers). Both drivers build it the
//! same way from an [`AnyNode`].

use serde::Serialize;

use crate::protocol::{AnyNode, Counters, Incarnation, SuspicionView, Time};

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
    /// Its active suspicions.
    #[serde(skip)]
    pub suspicions: Vec<SuspicionView>,
    /// Its protocol counters.
    #[serde(skip)]
    pub counters: Counters,
    /// Has it heard back from a seed?
    pub joined: bool,
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
            suspicions: node.suspicions().collect(),
            counters: node.counters().clone(),
            joined: node.is_joined(),
        }
    }
}
