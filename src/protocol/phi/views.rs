//! What a phi node shows the dashboard: each subject's phi with its fit
//! and trend, and the heartbeat table with versions.

use std::time::Duration;

use super::Node;
use crate::protocol::{NodeAddr, State, Time};

/// One observer's phi for one subject.
#[derive(Clone, Debug, PartialEq)]
pub struct PhiView {
    /// The subject.
    pub subject: NodeAddr,
    /// Phi now.
    pub phi: f64,
    /// The conviction threshold.
    pub threshold: f64,
    /// Phi now minus phi one heartbeat interval ago at the same fit:
    /// rising while the subject is silent, falling back to 0 on news.
    pub trend: f64,
    /// The fitted mean inter-arrival, the acceptable pause included.
    pub mean: Duration,
    /// The fitted standard deviation, floored.
    pub std_dev: Duration,
}

/// One row of a node's heartbeat table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatView {
    /// The node the row is about.
    pub subject: NodeAddr,
    /// Its generation.
    pub generation: u64,
    /// The highest heartbeat we learned.
    pub heartbeat: u64,
    /// The highest version of its state we hold.
    pub max_version: u64,
    /// Our view of it.
    pub state: State,
}

impl Node {
    /// Phi of every subject we judge (not ourselves, not the departed or
    /// convicted), at `now`.
    pub fn phis(&self, now: Time) -> impl Iterator<Item = PhiView> + '_ {
        let back = now.saturating_since(Time::ZERO).min(self.config.heartbeat_interval);
        let before = Time::ZERO + now.saturating_since(Time::ZERO) - back;
        self.members.iter().skip(1).filter(|m| !m.state.is_gone()).filter_map(move |m| {
            let d = &self.peers.get(&m.addr)?.detector;
            let (mean, sd) = d.fit(&self.config);
            let phi = d.phi(&self.config, now);
            Some(PhiView {
                subject: m.addr,
                phi,
                threshold: self.config.phi_convict,
                trend: phi - d.phi(&self.config, before),
                mean: Duration::from_secs_f64(mean / 1000.0),
                std_dev: Duration::from_secs_f64(sd / 1000.0),
            })
        })
    }

    /// The heartbeat table, self first.
    pub fn heartbeats(&self) -> impl Iterator<Item = HeartbeatView> + '_ {
        self.members.iter().filter_map(|m| {
            let p = self.peers.get(&m.addr)?;
            Some(HeartbeatView {
                subject: m.addr,
                generation: p.generation,
                heartbeat: p.heartbeat,
                max_version: p.max_version,
                state: m.state,
            })
        })
    }
}
