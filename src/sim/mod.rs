//! A deterministic, virtual-time driver for a whole cluster.
//!
//! The simulator runs N [`crate::protocol::AnyNode`]s (of either gossip
//! family) in one thread over an
//! in-memory network that applies a [`crate::faults::FaultPlan`] to every
//! datagram. Time is virtual: the driver jumps from one queued event to the
//! next, so a minute of cluster life takes as long as its work does, and
//! the same seed always gives the same run, byte for byte. It is how the
//! tests check protocol properties and how large headless runs are made.
//!
//! - [`cluster`]: the [`Cluster`] itself: nodes, the event loop, delivery.
//! - [`control`]: commands (crash, pause, partition, rumor...), immediate
//!   or scheduled.
//! - [`query`]: views, and the `observe` metrics judged against ground truth.
//! - [`command`]: the [`Command`] values and their errors.
//! - [`rogue`]: forged datagrams from a rogue that is not a member.
//! - `inject`: any packet from any address ([`Cluster::inject_packet`]), for
//!   property tests.
//! - [`invariants`]: the rules every node keeps whatever it is fed, as
//!   checks the fuzz target and the property tests share.
//! - `queue`: the global event queue (time, then insertion order).
//! - [`stats`]: packet and byte accounting.
//! - [`trace`]: recorded events and the running trace hash.
//! - [`addr`]: node addresses and seeds.

use std::time::Duration;

use crate::faults::LinkRule;
use crate::protocol::{Config, Tuning, phi};
use crate::security::KeyId;

pub mod addr;
mod attack;
pub mod cluster;
pub mod command;
pub mod control;
mod inject;
pub mod invariants;
pub mod query;
mod queue;
pub mod rogue;
pub mod stats;
#[cfg(test)]
mod tests;
pub mod trace;

pub use crate::observe::Liveness;
pub use addr::{ROGUE_ADDR, node_addr, node_index};
pub use attack::AttackReport;
pub use cluster::Cluster;
pub use command::{Command, Outcome, SimError};
pub use stats::{ByKind, NetStats, Tally};
pub use trace::TraceEntry;

/// How a simulated cluster is built.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// Nodes at start; node 0 is the seed the others join through.
    pub nodes: usize,
    /// Drives every random choice: node seeds and the network's draws.
    pub seed: u64,
    /// The protocol config every node runs (SWIM's, unless `phi` is set).
    pub protocol: Config,
    /// Run the phi-accrual heartbeat family with this tuning instead of
    /// SWIM.
    pub phi: Option<phi::Config>,
    /// The rule of every link at start.
    pub baseline: LinkRule,
    /// Joins are spread evenly over this window (zero: everyone joins at t=0).
    pub join_window: Duration,
    /// Start as a converged cluster: every node already holds every other
    /// as Alive (as from a static member list) instead of joining node 0.
    /// For measuring steady state at sizes where a join storm of N nodes
    /// at once (O(N² log N) update transmissions) would dominate the run.
    pub start_converged: bool,
    /// Keep every event in memory (the trace hash is kept regardless).
    pub trace: bool,
    /// Encode and decode every datagram, to exercise the codec (slower).
    pub wire_roundtrip: bool,
    /// Bytes of datagrams a paused node can hold before new ones are
    /// dropped, like a kernel socket receive buffer.
    pub pause_buffer: usize,
    /// How often `run_until_pred` checks its predicate in virtual time
    /// (zero: after every event).
    pub check_every: Duration,
    /// The id of the key every node starts with, or `None` for plain
    /// datagrams (`auth = "none"`). The simulator models sealing by key id:
    /// a datagram carries its sender's primary key id, and a node accepts
    /// it only if that key is installed in its own keyring (else it is
    /// counted `unauthenticated`). Byte counts include the seal's overhead,
    /// and the protocol's packet budget is lowered by it, as on sockets.
    pub key: Option<KeyId>,
    /// Whether the cluster judges its own run ([`Cluster::metrics`] and
    /// the queries built on it). The tests and benches ask the cluster;
    /// `run --sim` turns it off, because its session folds the log into the
    /// one `Metrics` the run reports, and a second would be work for nothing.
    pub measure: bool,
}

impl SimConfig {
    /// The family and tuning every node is built with.
    pub fn tuning(&self) -> Tuning {
        match &self.phi {
            Some(c) => Tuning::Phi(c.clone()),
            None => Tuning::Swim(self.protocol.clone()),
        }
    }

    /// `nodes` nodes with the default protocol config, a perfect network,
    /// simultaneous joins, tracing off and a 2 MiB pause buffer.
    pub fn new(nodes: usize, seed: u64) -> SimConfig {
        SimConfig {
            nodes,
            seed,
            protocol: Config::default(),
            phi: None,
            baseline: LinkRule::PERFECT,
            join_window: Duration::ZERO,
            start_converged: false,
            trace: false,
            wire_roundtrip: false,
            pause_buffer: 2 << 20,
            check_every: Duration::ZERO,
            key: None,
            measure: true,
        }
    }
}
