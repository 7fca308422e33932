//! What a test, a scenario timeline or a key press can do to the cluster.
//!
//! Each command is both an immediate method on [`super::Cluster`] and a
//! value that can be scheduled at a virtual time, so a timeline is just a
//! list of `(time, Command)`.

use crate::faults::{FaultError, LinkRule};
use crate::observe::Liveness;
use crate::protocol::{RumorError, RumorId};
use crate::rogue::Spec;
use crate::security::{KeyId, KeyringError};

/// One action on the cluster. Nodes are named by index.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Kill the process: its state is lost, packets to it are dropped.
    Crash(usize),
    /// Start a fresh process at the node's address (crashing it first if it
    /// runs); it joins through a live seed.
    Restart(usize),
    /// Stall the process; packets to it are buffered.
    Pause(usize),
    /// Unstall it: the backlog is handled, then its overdue timers.
    Resume(usize),
    /// Leave gracefully.
    Leave(usize),
    /// Start a new node that joins through a live seed.
    Add,
    /// Make the node join through a live seed (used for staggered starts).
    Join(usize),
    /// Partition into these groups of node indices (others form one more group).
    Partition(Vec<Vec<usize>>),
    /// Partition into the lower and the upper half of the indices.
    PartitionHalves,
    /// Drop datagrams from every node of `from` to every node of `to`.
    BlockOneWay {
        /// Blocked sources.
        from: Vec<usize>,
        /// Unreachable destinations.
        to: Vec<usize>,
    },
    /// Cut one node off from all others.
    Isolate(usize),
    /// Remove partitions, blocks, isolation and per-link rules.
    Heal,
    /// Set the rule of every link without an override.
    SetBaseline(LinkRule),
    /// Override the rule of one directed link.
    SetLink {
        /// Source node.
        from: usize,
        /// Destination node.
        to: usize,
        /// The rule.
        rule: LinkRule,
    },
    /// Inject a user rumor at a node.
    InjectRumor {
        /// Where it starts.
        node: usize,
        /// Its payload.
        payload: Vec<u8>,
    },
    /// Start a rogue attack against a node (see [`crate::rogue`]).
    Forge {
        /// The victim.
        node: usize,
        /// The attack.
        spec: Spec,
    },
    /// Install a key on every node: it opens, it does not seal yet.
    KeyInstall(KeyId),
    /// Make an installed key the primary on every node: it seals.
    KeyUse(KeyId),
    /// Remove a key from every node: it no longer opens.
    KeyRemove(KeyId),
}

/// What a successful command produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report.
    Done,
    /// [`Command::Add`] created this node index.
    Added(usize),
    /// [`Command::InjectRumor`] created this rumor.
    Rumor(RumorId),
    /// [`Command::Forge`] started the attack with this index (see
    /// [`super::Cluster::attacks`]).
    Forged(usize),
}

/// Why a command was refused. The cluster is left untouched.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimError {
    /// A cluster needs at least one node.
    #[error("a cluster needs at least one node")]
    NoNodes,
    /// The index names no node.
    #[error("no node with index {0}")]
    NoSuchNode(usize),
    /// The node is not in a state where the command makes sense.
    #[error("cannot {action} node {node}: it is {}", state.as_str())]
    WrongState {
        /// The node.
        node: usize,
        /// Its state.
        state: Liveness,
        /// The refused action.
        action: &'static str,
    },
    /// A link rule is invalid.
    #[error(transparent)]
    BadLink(#[from] FaultError),
    /// The node refused the rumor.
    #[error(transparent)]
    Rumor(#[from] RumorError),
    /// A key command on a cluster without keys (`auth = "none"`).
    #[error("the cluster has no keyring (auth is off)")]
    NoKeyring,
    /// The keyring refused the change.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
}
