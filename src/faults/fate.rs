//! The fate of one datagram ([`FaultPlan::verdict`]): the pure decision
//! that combines the plan's reachability with its link rule's random draws,
//! in the fixed order the module doc gives.

use std::time::Duration;

use rand::{Rng, RngExt};

use super::link::LinkRule;
use super::plan::FaultPlan;
use crate::protocol::NodeAddr;

/// Why a datagram was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// Random loss of the link rule.
    Loss,
    /// The endpoints are in different partition groups, or one is isolated.
    Partition,
    /// A one-way block forbids this direction.
    OneWay,
    /// The source or destination process is not running.
    NodeDown,
    /// A paused node's receive buffer was full. Never returned by
    /// [`FaultPlan::verdict`]: drivers that buffer for paused nodes report it,
    /// so that every drop is counted in one table.
    Overflow,
}

impl DropReason {
    /// Every reason, in the order of [`DropReason::index`].
    pub const ALL: [DropReason; 5] =
        [DropReason::Loss, DropReason::Partition, DropReason::OneWay, DropReason::NodeDown, DropReason::Overflow];

    /// A dense index, for counter arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// A short lowercase name for counters and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::OneWay => "one_way",
            DropReason::NodeDown => "node_down",
            DropReason::Overflow => "overflow",
        }
    }
}

/// The fate of one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Never arrives.
    Drop(DropReason),
    /// Arrives once, after this delay.
    Deliver(Duration),
    /// Arrives twice, after each of these (independently jittered) delays.
    Duplicate(Duration, Duration),
}

/// True with probability `p`. Out-of-range values are clamped rather than
/// panicking inside a driver's hot path; [`LinkRule::validate`] is where bad
/// configs get reported. Certain outcomes skip the draw.
fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    if p.is_nan() || p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        rng.random_bool(p)
    }
}

/// The extra wait of a datagram the link reorders: `reorder_gap` with
/// probability `reorder`, else none.
fn hold_back<R: Rng + ?Sized>(rule: &LinkRule, rng: &mut R) -> Duration {
    if chance(rng, rule.reorder) { rule.reorder_gap } else { Duration::ZERO }
}

impl FaultPlan {
    /// Decides the fate of one datagram from `from` to `to`, drawing any
    /// randomness from `rng` (so a seeded RNG makes the run reproducible).
    pub fn verdict<R: Rng + ?Sized>(&self, from: NodeAddr, to: NodeAddr, rng: &mut R) -> Verdict {
        if self.crashed(from) || self.crashed(to) {
            return Verdict::Drop(DropReason::NodeDown);
        }
        if self.cut(from, to) {
            return Verdict::Drop(DropReason::Partition);
        }
        if self.blocked_one_way(from, to) {
            return Verdict::Drop(DropReason::OneWay);
        }
        let rule = self.rule(from, to);
        if chance(rng, rule.loss) {
            return Verdict::Drop(DropReason::Loss);
        }
        let first = rule.draw_delay(rng);
        // The hold-back is drawn after every other draw, and not at all on
        // a link without reordering, so adding it left every seeded run
        // without it as it was.
        if chance(rng, rule.duplicate) {
            let second = rule.draw_delay(rng);
            return Verdict::Duplicate(first + hold_back(rule, rng), second + hold_back(rule, rng));
        }
        Verdict::Deliver(first + hold_back(rule, rng))
    }
}
