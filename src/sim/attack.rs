//! What the simulator keeps of each rogue attack: what it was launched
//! against and what it has sent. Apart from `rogue.rs`, which carries the
//! attacks out on the cluster, so the cluster can hold them without the two
//! naming each other.

use crate::protocol::{Incarnation, Time};
use crate::rogue::{Peer, Spec};

/// One attack's state: what it was launched against, and what it has sent.
#[derive(Clone, Debug)]
pub(crate) struct AttackRun {
    pub(crate) report: AttackReport,
    /// The lab as the rogue saw it at the start; every round targets these.
    pub(crate) peers: Vec<Peer>,
    pub(crate) victim_incarnation: Incarnation,
    pub(crate) rounds: u32,
}

/// What an attack did, for drivers and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttackReport {
    /// The attack and its parameters.
    pub spec: Spec,
    /// The victim.
    pub victim: usize,
    /// When it started.
    pub started: Time,
    /// When it sent its last round (None: still running).
    pub stopped: Option<Time>,
    /// Datagrams injected so far.
    pub datagrams: u64,
    /// Their bytes.
    pub bytes: u64,
}
