//! Reading the cluster: views, ground truth, and how well they agree.
//!
//! The whole-cluster checks ([`Cluster::converged`], [`Cluster::agreement`])
//! are O(N²) by nature, since every node holds a row per member. They stay
//! cheap by allocating nothing per row, mapping addresses back to indices by
//! arithmetic, and skipping per-pair reachability when no fault splits the
//! network.

use super::addr::node_index;
use super::cluster::Cluster;
use super::command::SimError;
use super::stats::NetStats;
use super::trace::TraceEntry;
use crate::faults::FaultPlan;
use crate::observe::{FalseMark, Liveness, Metrics, RumorSpread, Traffic};
use crate::protocol::{AnyNode, NodeAddr, RumorId, State, Time};

impl Cluster {
    // ----- nodes and ground truth -------------------------------------------

    /// Node slots, crashed and departed ones included.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Always false: a cluster has at least one node.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The address of node `i`.
    ///
    /// # Panics
    /// When `i` is out of range, like slice indexing.
    pub fn addr(&self, i: usize) -> NodeAddr {
        self.slots[i].addr
    }

    /// The index of the node at `addr`, if there is one.
    pub fn index_of(&self, addr: NodeAddr) -> Option<usize> {
        node_index(addr).filter(|&i| i < self.slots.len())
    }

    /// Node `i`'s process, unless it has crashed or left.
    pub fn node(&self, i: usize) -> Option<&AnyNode> {
        self.slots.get(i)?.node.as_ref()
    }

    /// What node `i` is really doing.
    ///
    /// # Panics
    /// When `i` is out of range.
    pub fn liveness(&self, i: usize) -> Liveness {
        self.slots[i].liveness
    }

    /// Indices of nodes in state `state`, in index order.
    pub fn nodes_in(&self, state: Liveness) -> impl Iterator<Item = usize> + '_ {
        (0..self.slots.len()).filter(move |&i| self.slots[i].liveness == state)
    }

    /// The current faults.
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// Ground truth: can `from` get a datagram to `to` (random loss aside)?
    pub fn reachable(&self, from: usize, to: usize) -> bool {
        self.plan.can_reach(self.slots[from].addr, self.slots[to].addr)
    }

    /// Datagrams waiting for paused node `i`.
    pub fn backlog_len(&self, i: usize) -> usize {
        self.slots[i].backlog.len()
    }

    // ----- views -----------------------------------------------------------

    /// What `observer` believes about `subject`: None when the observer has
    /// no process or has never heard of the subject.
    pub fn view(&self, observer: usize, subject: usize) -> Option<State> {
        let subject = self.slots.get(subject)?.addr;
        Some(self.node(observer)?.member(subject)?.state)
    }

    /// The nodes `observer` holds Alive (itself included), in index order.
    pub fn alive_set(&self, observer: usize) -> Vec<usize> {
        let Some(node) = self.node(observer) else {
            return Vec::new();
        };
        let mut set: Vec<usize> =
            node.members().filter(|m| m.state == State::Alive).filter_map(|m| self.index_of(m.addr)).collect();
        set.sort_unstable();
        set
    }

    /// The lab's measurements for this run (agreement, accuracy, detection,
    /// false positives, rumor spread), as `observe` defines them.
    ///
    /// # Panics
    /// If the cluster was built with [`SimConfig::measure`](super::SimConfig::measure) off.
    pub fn metrics(&self) -> &Metrics {
        self.metrics.as_ref().expect("this cluster was built with SimConfig::measure off")
    }

    /// True when every Up node holds Alive exactly the Up nodes it can
    /// exchange datagrams with (paused and leaving nodes either way).
    pub fn converged(&self) -> bool {
        self.metrics().converged()
    }

    /// The fraction of Up nodes whose view is exactly right.
    pub fn accuracy(&self) -> f64 {
        self.metrics().accuracy()
    }

    /// The fraction of Up nodes whose alive set is the most common one.
    pub fn agreement(&self) -> f64 {
        self.metrics().agreement()
    }

    // ----- accounting --------------------------------------------------------

    /// Network-wide packet and byte totals.
    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    /// Node `i`'s traffic, across all its lives: sent and received by
    /// kind, and what the network dropped of what it sent, by reason.
    pub fn traffic(&self, i: usize) -> &Traffic {
        &self.slots[i].traffic
    }

    /// Datagrams queued for delivery right now.
    pub fn in_flight(&self) -> usize {
        self.queue.deliveries()
    }

    /// Datagrams held for paused nodes right now.
    pub fn buffered(&self) -> usize {
        self.slots.iter().map(|s| s.backlog.len()).sum()
    }

    /// Healthy members wrongly suspected (see [`Metrics`] for the rule).
    pub fn false_suspicions(&self) -> u64 {
        self.metrics().false_suspicions().len() as u64
    }

    /// Healthy members wrongly declared dead.
    pub fn false_deaths(&self) -> u64 {
        self.metrics().false_positives().len() as u64
    }

    /// Every false death and false suspicion, in time order.
    pub fn false_marks(&self) -> Vec<FalseMark> {
        let mut all: Vec<FalseMark> =
            self.metrics().false_positives().iter().chain(self.metrics().false_suspicions()).copied().collect();
        all.sort_by_key(|m| m.t);
        all
    }

    /// How far a rumor injected through the simulator has spread.
    pub fn rumor(&self, id: RumorId) -> Option<&RumorSpread> {
        self.metrics().rumors().iter().find(|r| r.id == id)
    }

    /// Scheduled commands that were refused, with their time.
    pub fn command_failures(&self) -> &[(Time, SimError)] {
        &self.failures
    }

    // ----- trace -----------------------------------------------------------

    /// A hash of every event so far (time, node, event), kept even when
    /// tracing is off: equal seeds must give equal hashes.
    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    /// Events reported so far.
    pub fn event_count(&self) -> u64 {
        self.trace.count()
    }

    /// Hands over the events recorded since the last call (tracing on),
    /// for drivers that stream them somewhere else.
    pub fn take_trace(&mut self) -> Vec<TraceEntry> {
        self.trace.take()
    }

    /// The recorded events (empty unless tracing is on).
    pub fn trace(&self) -> &[TraceEntry] {
        self.trace.entries()
    }
}
