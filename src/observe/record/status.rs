//! The part of a node's self-report that the dashboard's Node view shows
//! and no event line carries: its table size, whether it has joined, and
//! its protocol counters. Logged in each metrics record, so a replay shows
//! what the live dashboard showed (the dashboard reads only the log).

use serde::{Deserialize, Serialize};

use crate::observe::status::{NodeStatus, PhiMark};
use crate::protocol::Counters;

/// A node's table size, join state and counters, as of a metrics record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    /// Rows in its membership table (self included).
    pub members: usize,
    /// Alive + suspect members (self included).
    pub live_members: usize,
    /// Has it heard back from a seed?
    pub joined: bool,
    /// Probes started.
    pub probes: u64,
    /// Probes that ended without an ack.
    pub probe_failures: u64,
    /// Probes that needed helpers.
    pub indirect_probes: u64,
    /// Probes abandoned because the node itself lagged.
    pub probes_lagged: u64,
    /// Suspicions started.
    pub suspicions: u64,
    /// Times it refuted an accusation.
    pub refutations: u64,
    /// Push-pull exchanges it started.
    pub push_pulls: u64,
    /// A phi node's highest phis (absent for SWIM, and in logs written
    /// before the phi family).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phis: Vec<PhiMark>,
}

impl StatusRecord {
    /// The record of `status`.
    pub fn of(status: &NodeStatus) -> StatusRecord {
        let c = &status.counters;
        StatusRecord {
            members: status.members,
            live_members: status.live_members,
            joined: status.joined,
            probes: c.probes,
            probe_failures: c.probe_failures,
            indirect_probes: c.indirect_probes,
            probes_lagged: c.probes_lagged,
            suspicions: c.suspicions,
            refutations: c.refutations,
            push_pulls: c.push_pulls,
            phis: status.phis.clone(),
        }
    }

    /// The counters it holds, the others zero.
    pub fn counters(&self) -> Counters {
        Counters {
            probes: self.probes,
            probe_failures: self.probe_failures,
            indirect_probes: self.indirect_probes,
            probes_lagged: self.probes_lagged,
            suspicions: self.suspicions,
            refutations: self.refutations,
            push_pulls: self.push_pulls,
            ..Counters::default()
        }
    }
}
