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
//! then are delay, jitter (and so reordering) and duplication drawn.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use rand::{Rng, RngExt};
use thiserror::Error;

use crate::protocol::NodeAddr;

/// How one directed link treats datagrams. The default is a perfect link.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkRule {
    /// Probability in `[0, 1]` that a datagram is lost.
    pub loss: f64,
    /// Fixed one-way latency.
    pub delay: Duration,
    /// Extra latency drawn uniformly from `[0, jitter]` per datagram; unequal
    /// draws are what reorder packets.
    pub jitter: Duration,
    /// Probability in `[0, 1]` that a delivered datagram arrives twice.
    pub duplicate: f64,
}

/// Why a [`LinkRule`] was rejected.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum FaultError {
    /// A probability field is NaN or outside `[0, 1]`.
    #[error("{field} must be a probability in [0, 1], got {value}")]
    NotAProbability {
        /// The offending field's name.
        field: &'static str,
        /// Its value.
        value: f64,
    },
}

impl LinkRule {
    /// A link that loses nothing, adds no delay and never duplicates.
    pub const PERFECT: LinkRule = LinkRule { loss: 0.0, delay: Duration::ZERO, jitter: Duration::ZERO, duplicate: 0.0 };

    /// Checks that `loss` and `duplicate` are probabilities.
    pub fn validate(&self) -> Result<(), FaultError> {
        for (field, value) in [("loss", self.loss), ("duplicate", self.duplicate)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(FaultError::NotAProbability { field, value });
            }
        }
        Ok(())
    }

    /// One delivery delay: `delay` plus uniform jitter in `[0, jitter]`.
    fn draw_delay<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        if self.jitter.is_zero() {
            // No draw at all: perfect links cost no RNG work in big runs.
            return self.delay;
        }
        let max = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
        self.delay.saturating_add(Duration::from_nanos(rng.random_range(0..=max)))
    }
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

/// The process-level state of a node, as far as the network is concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NodeFault {
    /// Running normally.
    #[default]
    Up,
    /// Gone: everything to or from it is dropped.
    Crashed,
    /// Stalled (SIGSTOP-like). The network still delivers to it; the driver
    /// holds the datagrams until it resumes, as a kernel socket buffer would.
    Paused,
}

/// Datagrams from any node of `from` to any node of `to` are dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OneWayBlock {
    /// Sources whose datagrams are blocked.
    pub from: BTreeSet<NodeAddr>,
    /// Destinations they cannot reach.
    pub to: BTreeSet<NodeAddr>,
}

impl OneWayBlock {
    fn blocks(&self, from: NodeAddr, to: NodeAddr) -> bool {
        self.from.contains(&from) && self.to.contains(&to)
    }
}

/// Every fault currently applied to the network, and the decision rule.
///
/// Sets are ordered (`BTree*`) wherever a caller may iterate them, so that a
/// dashboard or a log lists faults in the same order on every run.
#[derive(Clone, Debug, Default)]
pub struct FaultPlan {
    baseline: LinkRule,
    links: BTreeMap<(NodeAddr, NodeAddr), LinkRule>,
    /// The groups as given, for display.
    groups: Vec<Vec<NodeAddr>>,
    /// Node to group index; only looked up, never iterated.
    group_of: HashMap<NodeAddr, usize>,
    one_way: Vec<OneWayBlock>,
    isolated: BTreeSet<NodeAddr>,
    /// Only nodes that are not [`NodeFault::Up`].
    nodes: BTreeMap<NodeAddr, NodeFault>,
}

impl FaultPlan {
    /// A plan where every link follows `baseline` and nothing else is wrong.
    pub fn new(baseline: LinkRule) -> FaultPlan {
        FaultPlan { baseline, ..FaultPlan::default() }
    }

    /// The rule of every link without an override.
    pub fn baseline(&self) -> &LinkRule {
        &self.baseline
    }

    /// This plan's network rules with `current`'s node faults: how a
    /// driver installs a plan the engine computed, since node faults follow
    /// each node's liveness in the driver.
    pub fn keeping_nodes_of(&self, current: &FaultPlan) -> FaultPlan {
        FaultPlan { nodes: current.nodes.clone(), ..self.clone() }
    }

    /// Replaces the baseline rule (overrides are kept).
    pub fn set_baseline(&mut self, rule: LinkRule) {
        self.baseline = rule;
    }

    /// Overrides the rule of the directed link `from -> to` only; the
    /// opposite direction keeps its own rule.
    pub fn set_link(&mut self, from: NodeAddr, to: NodeAddr, rule: LinkRule) {
        self.links.insert((from, to), rule);
    }

    /// Removes the override of `from -> to`, if any.
    pub fn clear_link(&mut self, from: NodeAddr, to: NodeAddr) {
        self.links.remove(&(from, to));
    }

    /// The rule that applies to `from -> to`: its override, or the baseline.
    pub fn rule(&self, from: NodeAddr, to: NodeAddr) -> &LinkRule {
        if self.links.is_empty() {
            return &self.baseline;
        }
        self.links.get(&(from, to)).unwrap_or(&self.baseline)
    }

    /// Splits the network: datagrams between nodes of different groups are
    /// dropped both ways. Nodes listed in no group form one implicit extra
    /// group. Replaces any earlier partition; an empty `groups` removes it.
    /// A node listed twice belongs to the last group naming it.
    pub fn partition(&mut self, groups: &[Vec<NodeAddr>]) {
        self.groups = groups.iter().filter(|g| !g.is_empty()).cloned().collect();
        self.group_of.clear();
        for (i, group) in self.groups.iter().enumerate() {
            for &addr in group {
                self.group_of.insert(addr, i);
            }
        }
    }

    /// Blocks datagrams from every node of `from` to every node of `to`; the
    /// reverse direction is untouched. Blocks accumulate until [`Self::heal`].
    pub fn block_one_way(&mut self, from: &[NodeAddr], to: &[NodeAddr]) {
        if from.is_empty() || to.is_empty() {
            return;
        }
        self.one_way.push(OneWayBlock { from: from.iter().copied().collect(), to: to.iter().copied().collect() });
    }

    /// Cuts `node` off from every other node, both ways.
    pub fn isolate(&mut self, node: NodeAddr) {
        self.isolated.insert(node);
    }

    /// Removes partitions, one-way blocks, isolation and per-link overrides.
    /// The baseline stays (it is the network's normal behaviour, not a
    /// fault), and so do node states (a crash is not a network fault).
    pub fn heal(&mut self) {
        self.links.clear();
        self.groups.clear();
        self.group_of.clear();
        self.one_way.clear();
        self.isolated.clear();
    }

    /// Records the process state of `node`.
    pub fn set_node(&mut self, node: NodeAddr, fault: NodeFault) {
        match fault {
            NodeFault::Up => self.nodes.remove(&node),
            other => self.nodes.insert(node, other),
        };
    }

    /// The process state of `node` (Up unless set otherwise).
    pub fn node(&self, node: NodeAddr) -> NodeFault {
        if self.nodes.is_empty() {
            return NodeFault::Up;
        }
        self.nodes.get(&node).copied().unwrap_or_default()
    }

    /// The current partition groups (empty when there is none).
    pub fn groups(&self) -> &[Vec<NodeAddr>] {
        &self.groups
    }

    /// The one-way blocks, in the order they were added.
    pub fn one_way_blocks(&self) -> &[OneWayBlock] {
        &self.one_way
    }

    /// Per-link overrides, ordered by `(from, to)`.
    pub fn links(&self) -> impl Iterator<Item = (NodeAddr, NodeAddr, &LinkRule)> {
        self.links.iter().map(|(&(from, to), rule)| (from, to, rule))
    }

    /// Isolated nodes, in address order.
    pub fn isolated(&self) -> impl Iterator<Item = NodeAddr> + '_ {
        self.isolated.iter().copied()
    }

    /// Nodes that are not Up, in address order.
    pub fn node_faults(&self) -> impl Iterator<Item = (NodeAddr, NodeFault)> + '_ {
        self.nodes.iter().map(|(&addr, &f)| (addr, f))
    }

    /// True when some partition, one-way block or isolation is in force,
    /// i.e. when reachability may differ between pairs of Up nodes. Lets
    /// callers skip per-pair [`Self::can_reach`] checks on a whole network.
    pub fn splits_network(&self) -> bool {
        !self.groups.is_empty() || !self.one_way.is_empty() || !self.isolated.is_empty()
    }

    fn crashed(&self, node: NodeAddr) -> bool {
        self.node(node) == NodeFault::Crashed
    }

    /// Partition or isolation between two distinct nodes.
    fn cut(&self, from: NodeAddr, to: NodeAddr) -> bool {
        if from == to {
            return false;
        }
        if !self.isolated.is_empty() && (self.isolated.contains(&from) || self.isolated.contains(&to)) {
            return true;
        }
        // Unlisted nodes share the implicit group `None`.
        !self.groups.is_empty() && self.group_of.get(&from) != self.group_of.get(&to)
    }

    fn blocked_one_way(&self, from: NodeAddr, to: NodeAddr) -> bool {
        from != to && self.one_way.iter().any(|b| b.blocks(from, to))
    }

    /// Whether `from` can get a datagram to `to` at all, ignoring random
    /// loss: only crashes, partitions, isolation and one-way blocks count.
    /// This is the ground truth that membership views are judged against.
    /// A paused node is reachable: its datagrams wait for it.
    pub fn can_reach(&self, from: NodeAddr, to: NodeAddr) -> bool {
        !self.crashed(from) && !self.crashed(to) && !self.cut(from, to) && !self.blocked_one_way(from, to)
    }

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
        if chance(rng, rule.duplicate) {
            return Verdict::Duplicate(first, rule.draw_delay(rng));
        }
        Verdict::Deliver(first)
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    use super::*;

    fn a(i: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, 10_000 + i)
    }

    fn rng() -> SmallRng {
        SmallRng::seed_from_u64(7)
    }

    fn drops(plan: &FaultPlan, from: NodeAddr, to: NodeAddr) -> Option<DropReason> {
        match plan.verdict(from, to, &mut rng()) {
            Verdict::Drop(r) => Some(r),
            _ => None,
        }
    }

    #[test]
    fn default_plan_delivers_immediately() {
        let plan = FaultPlan::new(LinkRule::default());
        assert_eq!(LinkRule::default(), LinkRule::PERFECT);
        assert_eq!(plan.verdict(a(0), a(1), &mut rng()), Verdict::Deliver(Duration::ZERO));
        assert!(plan.can_reach(a(0), a(1)));
        assert!(!plan.splits_network());
    }

    #[test]
    fn validate_rejects_non_probabilities() {
        assert!(LinkRule { loss: 1.0, duplicate: 0.0, ..LinkRule::PERFECT }.validate().is_ok());
        let bad = LinkRule { loss: 1.5, ..LinkRule::PERFECT };
        assert_eq!(bad.validate(), Err(FaultError::NotAProbability { field: "loss", value: 1.5 }));
        let bad = LinkRule { duplicate: -0.1, ..LinkRule::PERFECT };
        assert!(matches!(bad.validate(), Err(FaultError::NotAProbability { field: "duplicate", .. })));
        assert!(LinkRule { loss: f64::NAN, ..LinkRule::PERFECT }.validate().is_err());
    }

    #[test]
    fn loss_rate_is_statistically_right() {
        let plan = FaultPlan::new(LinkRule { loss: 0.2, ..LinkRule::PERFECT });
        let mut rng = rng();
        let n = 10_000;
        let lost = (0..n).filter(|_| plan.verdict(a(0), a(1), &mut rng) == Verdict::Drop(DropReason::Loss)).count();
        // Binomial(10k, 0.2): sd = 40, so ±200 is five sigma.
        assert!((1800..=2200).contains(&lost), "lost {lost} of {n}");
    }

    #[test]
    fn certain_loss_and_certain_delivery() {
        let plan = FaultPlan::new(LinkRule { loss: 1.0, ..LinkRule::PERFECT });
        assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::Loss));
        // Out-of-range values are clamped, not a panic.
        let plan = FaultPlan::new(LinkRule { loss: -3.0, duplicate: 7.0, ..LinkRule::PERFECT });
        assert!(matches!(plan.verdict(a(0), a(1), &mut rng()), Verdict::Duplicate(..)));
    }

    #[test]
    fn delay_plus_jitter_stays_in_bounds_and_reorders() {
        let delay = Duration::from_millis(5);
        let jitter = Duration::from_millis(3);
        let plan = FaultPlan::new(LinkRule { delay, jitter, ..LinkRule::PERFECT });
        let mut rng = rng();
        let (mut lo, mut hi) = (Duration::MAX, Duration::ZERO);
        let mut previous = Duration::ZERO;
        let mut reordered = 0;
        for _ in 0..10_000 {
            let Verdict::Deliver(d) = plan.verdict(a(0), a(1), &mut rng) else { panic!("perfect link dropped") };
            assert!(d >= delay && d <= delay + jitter, "{d:?}");
            (lo, hi) = (lo.min(d), hi.max(d));
            // Sent 1 ms apart: a later packet overtakes when its delay is > 1 ms shorter.
            reordered += usize::from(d + Duration::from_millis(1) < previous);
            previous = d;
        }
        // The draws cover the range.
        assert!(lo < delay + Duration::from_micros(100) && hi > delay + jitter - Duration::from_micros(100));
        assert!(reordered > 0);
    }

    #[test]
    fn duplicate_rate_and_independent_delays() {
        let jitter = Duration::from_millis(10);
        let plan = FaultPlan::new(LinkRule { duplicate: 0.3, jitter, ..LinkRule::PERFECT });
        let mut rng = rng();
        let (mut dups, mut differ) = (0, 0);
        for _ in 0..10_000 {
            match plan.verdict(a(0), a(1), &mut rng) {
                Verdict::Duplicate(d1, d2) => {
                    assert!(d1 <= jitter && d2 <= jitter);
                    dups += 1;
                    differ += usize::from(d1 != d2);
                }
                Verdict::Deliver(_) => {}
                Verdict::Drop(r) => panic!("dropped: {r:?}"),
            }
        }
        // Binomial(10k, 0.3): sd ≈ 46.
        assert!((2770..=3230).contains(&dups), "{dups} duplicates");
        assert!(differ > dups * 9 / 10);
    }

    #[test]
    fn per_link_rule_replaces_baseline_in_one_direction() {
        let mut plan = FaultPlan::new(LinkRule { delay: Duration::from_millis(1), ..LinkRule::PERFECT });
        plan.set_link(a(0), a(1), LinkRule { loss: 1.0, ..LinkRule::PERFECT });
        assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::Loss));
        assert_eq!(plan.verdict(a(1), a(0), &mut rng()), Verdict::Deliver(Duration::from_millis(1)));
        assert_eq!(plan.verdict(a(0), a(2), &mut rng()), Verdict::Deliver(Duration::from_millis(1)));
        // Random loss is not a reachability fault.
        assert!(plan.can_reach(a(0), a(1)));
        assert_eq!(plan.links().count(), 1);
        plan.clear_link(a(0), a(1));
        assert_eq!(drops(&plan, a(0), a(1)), None);
    }

    #[test]
    fn partition_groups_and_implicit_group() {
        let mut plan = FaultPlan::default();
        plan.partition(&[vec![a(0), a(1)], vec![a(2)]]);
        assert!(plan.splits_network());
        assert_eq!(drops(&plan, a(0), a(1)), None);
        assert_eq!(drops(&plan, a(0), a(2)), Some(DropReason::Partition));
        assert_eq!(drops(&plan, a(2), a(0)), Some(DropReason::Partition));
        // a(3) and a(4) are in no group: together, apart from everyone listed.
        assert_eq!(drops(&plan, a(3), a(4)), None);
        assert_eq!(drops(&plan, a(3), a(2)), Some(DropReason::Partition));
        assert_eq!(drops(&plan, a(1), a(4)), Some(DropReason::Partition));
        assert!(!plan.can_reach(a(1), a(2)) && plan.can_reach(a(1), a(0)));
        assert_eq!(plan.groups().len(), 2);
        // A new partition replaces the old one.
        plan.partition(&[vec![a(0), a(2)]]);
        assert!(plan.can_reach(a(0), a(2)));
        assert!(!plan.can_reach(a(0), a(1)));
        plan.partition(&[]);
        assert!(!plan.splits_network() && plan.can_reach(a(0), a(1)));
    }

    #[test]
    fn one_way_block_is_asymmetric() {
        let mut plan = FaultPlan::default();
        plan.block_one_way(&[a(0), a(1)], &[a(2)]);
        assert_eq!(drops(&plan, a(0), a(2)), Some(DropReason::OneWay));
        assert_eq!(drops(&plan, a(1), a(2)), Some(DropReason::OneWay));
        assert_eq!(drops(&plan, a(2), a(0)), None);
        assert_eq!(drops(&plan, a(0), a(1)), None);
        assert!(!plan.can_reach(a(0), a(2)) && plan.can_reach(a(2), a(0)));
        assert_eq!(plan.one_way_blocks().len(), 1);
    }

    #[test]
    fn isolate_cuts_both_ways() {
        let mut plan = FaultPlan::default();
        plan.isolate(a(3));
        for other in [a(0), a(1)] {
            assert_eq!(drops(&plan, a(3), other), Some(DropReason::Partition));
            assert_eq!(drops(&plan, other, a(3)), Some(DropReason::Partition));
        }
        assert_eq!(drops(&plan, a(0), a(1)), None);
        assert_eq!(plan.isolated().collect::<Vec<_>>(), [a(3)]);
    }

    #[test]
    fn heal_clears_network_faults_but_keeps_baseline_and_crashes() {
        let base = LinkRule { delay: Duration::from_millis(2), ..LinkRule::PERFECT };
        let mut plan = FaultPlan::new(base);
        plan.partition(&[vec![a(0)], vec![a(1)]]);
        plan.block_one_way(&[a(2)], &[a(0)]);
        plan.isolate(a(4));
        plan.set_link(a(0), a(1), LinkRule { loss: 1.0, ..LinkRule::PERFECT });
        plan.set_node(a(5), NodeFault::Crashed);
        plan.heal();
        assert!(!plan.splits_network());
        assert_eq!(plan.links().count(), 0);
        assert_eq!(plan.baseline(), &base);
        for (from, to) in [(a(0), a(1)), (a(2), a(0)), (a(4), a(0))] {
            assert_eq!(plan.verdict(from, to, &mut rng()), Verdict::Deliver(Duration::from_millis(2)));
        }
        assert_eq!(plan.node(a(5)), NodeFault::Crashed);
    }

    #[test]
    fn crashed_endpoint_drops_first_and_paused_still_delivers() {
        let mut plan = FaultPlan::new(LinkRule { loss: 1.0, ..LinkRule::PERFECT });
        plan.isolate(a(1));
        plan.set_node(a(1), NodeFault::Crashed);
        // Crash outranks isolation and loss, whichever end it is on.
        assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::NodeDown));
        assert_eq!(drops(&plan, a(1), a(0)), Some(DropReason::NodeDown));
        assert!(!plan.can_reach(a(0), a(1)));
        plan.set_baseline(LinkRule::PERFECT);
        plan.set_node(a(2), NodeFault::Paused);
        assert_eq!(plan.verdict(a(0), a(2), &mut rng()), Verdict::Deliver(Duration::ZERO));
        assert!(plan.can_reach(a(0), a(2)));
        plan.set_node(a(1), NodeFault::Up);
        assert_eq!(plan.node(a(1)), NodeFault::Up);
        assert_eq!(plan.node_faults().collect::<Vec<_>>(), [(a(2), NodeFault::Paused)]);
    }

    #[test]
    fn order_partition_before_one_way_before_loss() {
        let mut plan = FaultPlan::new(LinkRule { loss: 1.0, ..LinkRule::PERFECT });
        plan.block_one_way(&[a(0)], &[a(1)]);
        assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::OneWay));
        plan.partition(&[vec![a(0)]]);
        assert_eq!(drops(&plan, a(0), a(1)), Some(DropReason::Partition));
    }

    #[test]
    fn same_seed_same_verdicts() {
        let plan = FaultPlan::new(LinkRule {
            loss: 0.3,
            jitter: Duration::from_millis(4),
            duplicate: 0.2,
            ..LinkRule::PERFECT
        });
        let run = |seed| {
            let mut rng = SmallRng::seed_from_u64(seed);
            (0..200).map(|_| plan.verdict(a(0), a(1), &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn drop_reason_names_and_indices() {
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
        assert_eq!(DropReason::OneWay.as_str(), "one_way");
        assert_eq!(DropReason::NodeDown.as_str(), "node_down");
    }
}
