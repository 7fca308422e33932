//! The driver interface: how a driver carries out each [`Effect`] the
//! engine plans.
//!
//! It is a trait with async methods. The UDP runtime really waits (a crash
//! waits for the node's task to end, a rumor for the node to assign its
//! id, a key change for every node to take it); the simulator implements
//! the same methods with futures that are ready at once, and polls them
//! once. The alternative, a sans-IO "plan, carry out, record" split with
//! no trait, would make each driver repeat the sequence of those three
//! steps and the order of records around the effect, which is exactly the
//! rule that must live once ([`super::Engine::apply`] holds it).

use std::future::Future;
use std::io;

use super::{EngineError, Ground};
use crate::faults::FaultPlan;
use crate::observe::record::{Line, Record};
use crate::protocol::{NodeAddr, RumorId, Time};
use crate::rogue::Spec;
use crate::scenario::Action;

/// What a driver must do for an action. Node indices are resolved and
/// their liveness checked by the engine.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Kill node `i` abruptly; done when it can send nothing more.
    Crash(usize),
    /// Start node `i` again on its address with fresh state.
    Restart(usize),
    /// Stall node `i`.
    Pause(usize),
    /// Let paused node `i` run again.
    Resume(usize),
    /// Have node `i` leave gracefully.
    Leave(usize),
    /// Start a new node with the next index.
    Add,
    /// Inject a rumor at node `i`. The driver writes the injection line
    /// itself: it must precede the origin's own delivery, which only the
    /// driver can order.
    Rumor(usize, String),
    /// Launch a rogue attack against node `i`.
    Forge(usize, Spec),
    /// A key rotation step (`key_install`, `key_use` or `key_remove`) on
    /// every node. Key material is the driver's: real keys on sockets, ids
    /// from the seed in the simulator.
    Keys(Action),
    /// Install this network fault plan, keeping the driver's node faults.
    Faults(FaultPlan),
}

/// What came of an effect, for the engine to record.
#[derive(Debug)]
pub enum Outcome {
    /// Done; nothing more to tell.
    Done,
    /// A node was added at this address.
    Added(NodeAddr),
    /// The rumor was injected with this id.
    Rumor(RumorId),
    /// The attack was launched; how, for the feedback line ("from ...:
    /// 12 datagrams").
    Forged(String),
    /// The keyring changed: the session-log record and the feedback line.
    Keys {
        /// The record (key ids only; boxed: it is large and rare).
        record: Box<Record>,
        /// What to tell the person.
        feedback: String,
    },
}

/// A driver of the lab: the code that really moves packets.
pub trait Driver {
    /// Now, on the driver's clock; every record is stamped with it.
    fn now(&self) -> Time;

    /// True once node `i`'s process has exited after a graceful leave.
    fn has_left(&self, i: usize) -> bool;

    /// Carries out `effect`; `ground` is the truth before it.
    fn carry_out(
        &mut self,
        effect: &Effect,
        ground: &Ground,
    ) -> impl Future<Output = Result<Outcome, EngineError>> + Send;

    /// Writes `line` into the session (log and fold), in order with the
    /// nodes' own events.
    fn record(&mut self, line: Line) -> impl Future<Output = io::Result<()>> + Send;
}
