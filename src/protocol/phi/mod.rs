//! STUB (lead's integration placeholder; replaced by the phi branch).
#![allow(missing_docs, unused_variables)]
use std::time::Duration;

use super::{Counters, Event, Member, NodeAddr, Packet, RumorError, RumorId, State, SuspicionView, Time, Transmit};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub heartbeat_interval: Duration,
    pub fanout: usize,
    pub phi_convict: f64,
    pub window: usize,
    pub min_std_dev: Duration,
    pub acceptable_pause: Duration,
    pub first_heartbeat_estimate: Duration,
    pub remove_after: Duration,
    pub packet_budget: usize,
    pub max_members: usize,
    pub join_retry: Duration,
    pub leave_timeout: Duration,
}
impl Config {
    pub fn cassandra() -> Config {
        Config {
            heartbeat_interval: Duration::from_secs(1),
            fanout: 3,
            phi_convict: 8.0,
            window: 1000,
            min_std_dev: Duration::from_millis(100),
            acceptable_pause: Duration::from_millis(0),
            first_heartbeat_estimate: Duration::from_secs(1),
            remove_after: Duration::from_secs(30),
            packet_budget: 1400,
            max_members: 65536,
            join_retry: Duration::from_secs(1),
            leave_timeout: Duration::from_secs(5),
        }
    }
    pub fn fast() -> Config {
        Config::cassandra()
    }
}
#[derive(Clone, Debug, PartialEq)]
pub struct PhiView {
    pub subject: NodeAddr,
    pub phi: f64,
    pub threshold: f64,
    pub trend: f64,
    pub mean: Duration,
    pub std_dev: Duration,
}
#[derive(Clone, Debug, PartialEq)]
pub struct HeartbeatView {
    pub subject: NodeAddr,
    pub generation: u64,
    pub heartbeat: u64,
    pub max_version: u64,
    pub state: State,
}
#[derive(Debug)]
pub struct Node {
    config: Config,
    members: Vec<Member>,
    counters: Counters,
}
impl Node {
    pub fn new(addr: NodeAddr, config: Config, seed: u64, now: Time) -> Node {
        todo!()
    }
    pub fn addr(&self) -> NodeAddr {
        todo!()
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn generation(&self) -> u64 {
        todo!()
    }
    pub fn members(&self) -> impl ExactSizeIterator<Item = &Member> {
        self.members.iter()
    }
    pub fn member(&self, addr: NodeAddr) -> Option<&Member> {
        todo!()
    }
    pub fn live_members(&self) -> usize {
        todo!()
    }
    pub fn suspicions(&self) -> impl Iterator<Item = SuspicionView> + '_ {
        std::iter::empty()
    }
    pub fn phis(&self, now: Time) -> impl Iterator<Item = PhiView> + '_ {
        std::iter::empty()
    }
    pub fn heartbeats(&self) -> impl Iterator<Item = HeartbeatView> + '_ {
        std::iter::empty()
    }
    pub fn counters(&self) -> &Counters {
        &self.counters
    }
    pub fn rumors_remembered(&self) -> usize {
        todo!()
    }
    pub fn is_joined(&self) -> bool {
        todo!()
    }
    pub fn has_left(&self) -> bool {
        todo!()
    }
    pub fn poll_timeout(&mut self) -> Option<Time> {
        todo!()
    }
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        todo!()
    }
    pub fn poll_event(&mut self) -> Option<Event> {
        todo!()
    }
    pub fn handle_packet(&mut self, from: NodeAddr, packet: Packet, now: Time) {
        todo!()
    }
    pub fn handle_timeout(&mut self, now: Time) {
        todo!()
    }
    pub fn join(&mut self, seeds: &[NodeAddr], now: Time) {
        todo!()
    }
    pub fn preload(&mut self, members: &[NodeAddr], now: Time) {
        todo!()
    }
    pub fn leave(&mut self, now: Time) {
        todo!()
    }
    pub fn broadcast_rumor(&mut self, payload: Vec<u8>, now: Time) -> Result<RumorId, RumorError> {
        todo!()
    }
}
pub mod theory {
    use super::Config;
    use std::time::Duration;
    pub fn expected_conviction(cfg: &Config, interval: Duration, jitter: Duration) -> Duration {
        todo!()
    }
}
