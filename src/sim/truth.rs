//! Ground truth: what each simulated process is really doing.
//!
//! Metrics judge a node's view against this, never against another node's
//! view. Reachability comes from the [`crate::faults::FaultPlan`]; this is
//! the other half, the life of each process.

use crate::faults::NodeFault;

/// The real state of one simulated node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Liveness {
    /// Running and handling packets and timers.
    Up,
    /// Running, but announcing a graceful leave; it becomes [`Liveness::Left`]
    /// when the node reports `LeaveComplete`.
    Leaving,
    /// Stalled: neither packets nor timers are handled; packets queue up.
    Paused,
    /// Gone without a word; its state is dropped.
    Crashed,
    /// Gone after a graceful leave; its state is dropped.
    Left,
}

impl Liveness {
    /// True while the process exists (Up, Leaving or Paused).
    pub const fn is_running(self) -> bool {
        matches!(self, Liveness::Up | Liveness::Leaving | Liveness::Paused)
    }

    /// True while the process handles packets and timers (Up or Leaving).
    pub const fn is_active(self) -> bool {
        matches!(self, Liveness::Up | Liveness::Leaving)
    }

    /// How the network sees this process.
    pub const fn fault(self) -> NodeFault {
        match self {
            Liveness::Up | Liveness::Leaving => NodeFault::Up,
            Liveness::Paused => NodeFault::Paused,
            // A node that left has exited: nothing reaches it any more.
            Liveness::Crashed | Liveness::Left => NodeFault::Crashed,
        }
    }

    /// A short lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Liveness::Up => "up",
            Liveness::Leaving => "leaving",
            Liveness::Paused => "paused",
            Liveness::Crashed => "crashed",
            Liveness::Left => "left",
        }
    }
}
