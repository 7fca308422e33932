//! The real lab: N protocol nodes on loopback UDP, each a tokio task.
//!
//! - [`lab`]: the driver; spawns nodes and carries out the engine's
//!   effects on them ([`crate::engine`] interprets the actions and keeps
//!   ground truth).
//! - [`node_task`]: one node as one task, driven by its socket and timers.
//! - [`shim`]: the real socket behind the fault model; with [`rogue`], the
//!   only socket code.
//! - [`rogue`]: the lab's rogue sender, a socket of its own that forges
//!   claims against a node and is not behind the fault model.
//! - [`pool`]: the per-core threads node tasks run on, and [`alarm`]: the
//!   one timer each of them wakes on for its nodes' deadlines.
//! - [`observer`]: folds node events and ground truth into the session log,
//!   the metrics and the dashboard's snapshot.
//! - [`flights`]: a lab-wide sample of the datagrams sent, for the
//!   dashboard's picture of the cluster.
//! - [`keys`]: the lab's keyring, and the copy each node life gets.
//! - [`clock`], [`traffic`]: the lab clock and lock-free traffic counters.

pub mod alarm;
pub mod clock;
pub mod flights;
pub mod keys;
pub mod lab;
pub mod launch;
pub mod node_task;
pub mod observer;
pub mod pool;
pub mod rogue;
pub mod shim;
pub mod traffic;

use std::sync::{Arc, Mutex};

use crate::observe::NodeStatus;
use crate::observe::record::{Line, RogueRecord};
use crate::protocol::{Event, Member, NodeAddr, RumorId, Time};

pub use lab::{Lab, LabError};
pub use launch::{DASHBOARD_SNAPSHOTS, HEADLESS_SNAPSHOTS, LaunchError, Running, launch, launch_on, launch_with};
pub use observer::{Observer, ObserverOptions};

/// What node tasks and the lab tell the observer, in one channel so the
/// order of ground-truth changes and node events is kept.
#[derive(Debug)]
pub enum LabMsg {
    /// A node's protocol event.
    Node {
        /// When.
        t: Time,
        /// The node.
        node: usize,
        /// What happened.
        event: Event,
    },
    /// Members a node learned within one coalescing window
    /// ([`crate::observe::learning`]).
    Learned {
        /// When the window's report went out.
        t: Time,
        /// The node.
        node: usize,
        /// The members, in the order learned.
        members: Vec<NodeAddr>,
    },
    /// A node's whole view, after some of its events were lost.
    Resync {
        /// When.
        t: Time,
        /// The node.
        node: usize,
        /// Its membership table.
        members: Vec<Member>,
    },
    /// A rumor was injected at a node (sent by the node task before the
    /// node's own delivery event, so metrics see them in that order).
    RumorInjected {
        /// When.
        t: Time,
        /// The node.
        node: usize,
        /// The rumor.
        id: RumorId,
    },
    /// A line the engine wrote (ground-truth changes, fault plans, key
    /// steps), in order with the nodes' events.
    Line(Line),
    /// A node was added: the handles its counters are read through (the
    /// engine's line announcing it follows).
    Handles {
        /// Its index.
        node: usize,
        /// Its address.
        addr: NodeAddr,
        /// Its traffic counters.
        traffic: Arc<traffic::AtomicTraffic>,
        /// Its status slot.
        status: Arc<Mutex<NodeStatus>>,
    },
    /// A rogue attack started or stopped.
    Rogue {
        /// When.
        t: Time,
        /// What.
        record: RogueRecord,
    },
}
