//! What a session is about before any record arrives: the run's
//! configuration, whether a script or a person drives it, and what the
//! script was meant to cover.
//!
//! Its own module because both the fold (`session`) and the judgement
//! (`verdict`) need it, and the record format (`record`) and the summary
//! name the mode: each depends on this, none on another for it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::model::{DetectionBounds, detection_bounds, phi_detection_bounds};
use crate::faults::LinkRule;
use crate::protocol::{Config, phi};
use crate::scenario::{Expect, Step};

/// What a session needs to know beyond its records.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSpec {
    /// The profile's name.
    pub profile: String,
    /// `udp` or `sim`.
    pub driver: String,
    /// The seed.
    pub seed: u64,
    /// The protocol configuration every node runs.
    pub protocol: Config,
    /// The phi family's tuning, when the lab runs it instead of SWIM.
    pub phi: Option<phi::Config>,
    /// A one-phrase description of it ("fast preset, Lifeguard on").
    pub protocol_label: String,
    /// The baseline network at start.
    pub network: LinkRule,
    /// What the run must show.
    pub expect: Expect,
    /// Scripted (the expectations judge it) or hands-on (nothing does).
    pub mode: Mode,
    /// The timeline and duration a scripted run was meant to cover.
    pub script: Script,
}

impl SessionSpec {
    /// Peers contacted per gossip round and the round's length: what the
    /// Serf model of rumor spread is fed, for either family.
    pub fn gossip_rate(&self) -> (usize, Duration) {
        match &self.phi {
            Some(c) => (c.fanout, c.heartbeat_interval),
            None => (self.protocol.gossip_nodes, self.protocol.gossip_interval),
        }
    }

    /// The phi family's theory on this session's tuning: conviction time
    /// and false-conviction rate on the baseline network, and at `worst`
    /// (the harshest link the run had); `None` for SWIM.
    pub fn phi_theory(&self, worst: LinkRule) -> Option<super::model::PhiTheory> {
        use crate::protocol::phi::theory::{expected_conviction, false_conviction_rate};
        let c = self.phi.as_ref()?;
        let base = &self.network;
        Some(super::model::PhiTheory {
            phi_convict: c.phi_convict,
            conviction_s: expected_conviction(c, c.heartbeat_interval, base.jitter).as_secs_f64(),
            false_convictions_per_s: false_conviction_rate(c, base.jitter, base.loss),
            worst_loss: worst.loss,
            worst_jitter_ms: worst.jitter.as_secs_f64() * 1000.0,
            worst_false_convictions_per_s: false_conviction_rate(c, worst.jitter, worst.loss),
        })
    }

    /// The detection bounds for a crash in a cluster of `n`, by the
    /// session's family.
    pub fn detection_bounds(&self, n: usize) -> DetectionBounds {
        match &self.phi {
            Some(c) => phi_detection_bounds(c, n, self.network.jitter),
            None => detection_bounds(&self.protocol, n),
        }
    }
}

/// Whether a session ran a profile's script or a person's hands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `gossip-lab run`: the timeline plays out and the expectations judge it.
    #[default]
    Scripted,
    /// The dashboard: whatever the user did; expectations judge nothing.
    HandsOn,
}

/// What a scripted run was meant to cover.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    /// The profile's duration: a record that reaches it is whole.
    pub duration: Duration,
    /// The timeline, expanded, in time order.
    pub steps: Vec<Step>,
}
