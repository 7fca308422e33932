//! The pure fault model: what the network does to each datagram.
//!
//! The lab breaks its network on purpose, and it does so in two drivers: the
//! real UDP runtime and the virtual-time simulator. Both must agree on what
//! "10% loss" or "partition into halves" means, or a profile would mean one
//! thing on sockets and another in tests. So the decision lives here, once,
//! as a pure function of the current [`FaultPlan`] and a caller-supplied RNG:
//! no I/O, no clock, no global randomness. The driver asks
//! [`FaultPlan::verdict`] about every datagram and carries the answer out.
//!
//! A verdict is decided in a fixed order, so counters say *why* a packet
//! died: a crashed endpoint ([`DropReason::NodeDown`]) before a partition or
//! isolation ([`DropReason::Partition`]) before a one-way block
//! ([`DropReason::OneWay`]) before random loss ([`DropReason::Loss`]). Only
//! then are delay and jitter (unequal draws reorder datagrams), duplication,
//! and last a reordering hold-back drawn.
//!
//! The model is split by concern: `link` is how one link treats a
//! datagram and what makes a rule valid, `plan` is the set of faults in
//! force and who can reach whom, and `fate` is the per-datagram decision
//! that combines them.

mod fate;
mod link;
mod plan;

pub use fate::{DropReason, Verdict};
pub use link::{FaultError, LinkRule};
pub use plan::{FaultPlan, NodeFault, OneWayBlock, Side};

#[cfg(test)]
mod tests;
