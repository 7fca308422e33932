//! The faults in force ([`FaultPlan`]): link rules, partitions, one-way
//! blocks, isolation and node states, and the reachability they imply. The
//! ground truth that membership views are judged against is asked here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::link::LinkRule;
use crate::protocol::NodeAddr;

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

/// Which part of a split network a node is in; see [`FaultPlan::side`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// In this partition group (`None`: listed in no group).
    Group(Option<usize>),
    /// Isolated: cut off from every other node.
    Alone(NodeAddr),
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

    /// `node`'s side of the network, when sides say all there is to
    /// reachability: with no one-way block in force, two distinct nodes can
    /// talk both ways exactly when both have a side and it is the same one
    /// ([`Self::cut`] between nodes on different sides, nothing else between
    /// running ones). `None` when one-way blocks are in force (ask
    /// [`Self::can_reach`] pair by pair), and `Some(None)` for a crashed node,
    /// which reaches no one. Judging views against a partition of N nodes
    /// then costs O(N), where asking every pair took a second at 4,096.
    pub fn side(&self, node: NodeAddr) -> Option<Option<Side>> {
        if !self.one_way.is_empty() {
            return None;
        }
        if self.crashed(node) {
            return Some(None);
        }
        Some(Some(if self.isolated.contains(&node) {
            Side::Alone(node)
        } else {
            // Unlisted nodes share the implicit group `None`.
            Side::Group(self.group_of.get(&node).copied())
        }))
    }

    pub(super) fn crashed(&self, node: NodeAddr) -> bool {
        self.node(node) == NodeFault::Crashed
    }

    /// Partition or isolation between two distinct nodes.
    pub(super) fn cut(&self, from: NodeAddr, to: NodeAddr) -> bool {
        if from == to {
            return false;
        }
        if !self.isolated.is_empty() && (self.isolated.contains(&from) || self.isolated.contains(&to)) {
            return true;
        }
        // Unlisted nodes share the implicit group `None`.
        !self.groups.is_empty() && self.group_of.get(&from) != self.group_of.get(&to)
    }

    pub(super) fn blocked_one_way(&self, from: NodeAddr, to: NodeAddr) -> bool {
        from != to && self.one_way.iter().any(|b| b.blocks(from, to))
    }

    /// Whether `from` can get a datagram to `to` at all, ignoring random
    /// loss: only crashes, partitions, isolation and one-way blocks count.
    /// This is the ground truth that membership views are judged against.
    /// A paused node is reachable: its datagrams wait for it.
    pub fn can_reach(&self, from: NodeAddr, to: NodeAddr) -> bool {
        !self.crashed(from) && !self.crashed(to) && !self.cut(from, to) && !self.blocked_one_way(from, to)
    }
}
