//! The sans-IO SWIM + Lifeguard core.
//!
//! Everything here is deterministic given its inputs: the time comes in as an
//! argument and the randomness from a seeded RNG each node owns. That is what
//! lets one core run under two drivers, real UDP and the virtual-time
//! simulator, and lets tests drive single messages by hand.
//!
//! - [`member`]: member states and the precedence rule.
//! - [`membership`]: a node's table of members and how claims merge into it.
//! - [`probe`]: round-robin target selection and the state of one probe.
//! - [`suspicion`]: Lifeguard's dynamic suspicion timers.
//! - [`awareness`]: Lifeguard's local health score.
//! - [`broadcast`]: the piggyback queue with its retransmit limit.
//! - [`rumors`]: the bounded window of rumor ids already delivered.
//! - [`message`]: the wire types; [`size`]: what each one costs encoded.
//! - [`node`]: the state machine that ties them together.
//! - [`phi`]: the second family, heartbeat gossip with phi-accrual
//!   detection; [`any`]: one node of either family, for the drivers.

pub mod any;
pub mod awareness;
pub mod broadcast;
pub mod config;
pub mod member;
pub mod membership;
pub mod message;
pub mod node;
pub mod phi;
pub mod probe;
pub mod rumors;
pub mod size;
pub mod suspicion;
mod time;

pub use any::{AnyNode, Tuning};
pub use config::{Config, Preset};
pub use member::{Incarnation, Member, NodeAddr, State};
pub use message::{Body, MsgKind, Packet, Rumor, RumorId, Update};
pub use node::{Counters, Event, MAX_RELAYS, Node, Refused, RumorError, SuspicionView, Transmit, push_pull_room};
pub use time::Time;
