//! What a phi node shows the dashboard: each subject's phi with its fit
//! and trend, and the heartbeat table with versions.

use std::time::Duration;

use super::Node;
use super::detector::{ms, phi_of};
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
    /// convicted) whose phi is at least `floor`, at `now`.
    ///
    /// Phi at the fitted mean is log10 2 and rises with the silence, so
    /// with a `floor` above that a subject heard from within the mean is
    /// passed over without computing phi: the dashboard asks at every
    /// status of every node, and nearly every subject is on time.
    pub fn phis(&self, now: Time, floor: f64) -> impl Iterator<Item = PhiView> + '_ {
        let back = ms(now.saturating_since(Time::ZERO).min(self.config.heartbeat_interval));
        let skip_on_time = floor > std::f64::consts::LOG10_2;
        self.members.iter().skip(1).filter(|m| !m.state.is_gone()).filter_map(move |m| {
            let d = &self.peers.get(&m.addr)?.detector;
            let (mean, sd) = d.fit(&self.config);
            let silence = d.silence_ms(now).unwrap_or(0.0);
            if skip_on_time && silence <= mean {
                return None;
            }
            let phi = phi_of(silence, mean, sd);
            Some(PhiView {
                subject: m.addr,
                phi,
                threshold: self.config.phi_convict,
                trend: phi - phi_of((silence - back).max(0.0), mean, sd),
                mean: Duration::from_secs_f64(mean / 1000.0),
                std_dev: Duration::from_secs_f64(sd / 1000.0),
            })
            .filter(|v| v.phi >= floor)
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
