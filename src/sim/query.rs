//! Reading the cluster: views, ground truth, and how well they agree.
//!
//! The whole-cluster checks ([`Cluster::converged`], [`Cluster::agreement`])
//! are O(N²) by nature, since every node holds a row per member. They stay
//! cheap by allocating nothing per row, mapping addresses back to indices by
//! arithmetic, and skipping per-pair reachability when no fault splits the
//! network.

use std::time::Duration;

use super::addr::{mix, node_index};
use super::cluster::Cluster;
use super::command::SimError;
use super::stats::{NetStats, NodeTraffic};
use super::trace::TraceEntry;
use super::truth::Liveness;
use crate::faults::FaultPlan;
use crate::protocol::{Node, NodeAddr, RumorId, State, Time};

/// A node wrongly marked a running, reachable node as Suspect or Dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FalsePositive {
    /// When.
    pub at: Time,
    /// The node that changed its view.
    pub observer: usize,
    /// The node it accused.
    pub subject: usize,
    /// Suspect or Dead.
    pub state: State,
}

/// How far one injected rumor has spread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RumorSpread {
    /// When it was injected.
    pub injected_at: Time,
    /// When each delivery happened (the origin's own first), in order.
    pub deliveries: Vec<Time>,
}

impl RumorSpread {
    /// Time from injection until `count` nodes had it, if they have.
    pub fn time_to_reach(&self, count: usize) -> Option<Duration> {
        let at = *self.deliveries.get(count.checked_sub(1)?)?;
        Some(at - self.injected_at)
    }
}

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
    pub fn node(&self, i: usize) -> Option<&Node> {
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

    /// What `observer` should hold about `subject` by ground truth: `Some(true)`
    /// for Alive, `Some(false)` for not Alive, `None` when either is fine (a
    /// paused or leaving subject may or may not have been noticed yet).
    fn expected_alive(&self, observer: usize, subject: usize, split: bool) -> Option<bool> {
        match self.slots[subject].liveness {
            Liveness::Up => Some(observer == subject || !split || self.reachable(observer, subject)),
            Liveness::Paused | Liveness::Leaving => None,
            Liveness::Crashed | Liveness::Left => Some(false),
        }
    }

    /// True when every Up node's view matches ground truth (see
    /// [`Cluster::accuracy`] for what matching means).
    pub fn converged(&self) -> bool {
        let (split, up) = (self.plan.splits_network(), self.nodes_in(Liveness::Up).count());
        self.nodes_in(Liveness::Up).all(|o| self.matches_truth(o, split, up))
    }

    /// The fraction of Up nodes whose view matches ground truth (1.0 when
    /// no node is Up). A view matches when it holds Alive exactly the Up
    /// nodes the observer can reach (itself included) and holds every
    /// crashed, departed or unreachable node as something other than Alive.
    /// Paused and leaving nodes may be held either way. With one-way blocks
    /// this uses direct reachability only, although indirect probes may
    /// legitimately keep a one-way-blocked node alive.
    pub fn accuracy(&self) -> f64 {
        let (split, up) = (self.plan.splits_network(), self.nodes_in(Liveness::Up).count());
        let good = self.nodes_in(Liveness::Up).filter(|&o| self.matches_truth(o, split, up)).count();
        if up == 0 { 1.0 } else { good as f64 / up as f64 }
    }

    /// Whether `o`'s view matches ground truth; `split` and `up` are
    /// computed once by the caller for the whole cluster.
    fn matches_truth(&self, o: usize, split: bool, up: usize) -> bool {
        let Some(node) = self.node(o) else { return false };
        let mut hits = 0;
        for m in node.members() {
            let expected = self.index_of(m.addr).map_or(Some(false), |j| self.expected_alive(o, j, split));
            match (m.state == State::Alive, expected) {
                (true, Some(true)) => hits += 1,
                (true, Some(false)) | (false, Some(true)) => return false,
                _ => {}
            }
        }
        // Every expected node must also be known at all.
        let wanted = if split {
            (0..self.slots.len()).filter(|&j| self.expected_alive(o, j, split) == Some(true)).count()
        } else {
            up
        };
        hits == wanted
    }

    /// The fraction of Up nodes whose alive set equals the most common one
    /// (1.0 for a cluster with no Up node). Sets are compared by an
    /// order-independent 64-bit fingerprint, so nothing is sorted or stored
    /// per row.
    pub fn agreement(&self) -> f64 {
        let mut prints: Vec<u64> = self
            .nodes_in(Liveness::Up)
            .filter_map(|o| self.node(o))
            .map(|node| {
                let (sum, count) = node
                    .members()
                    .filter(|m| m.state == State::Alive)
                    .fold((0u64, 0u64), |(sum, n), m| (sum.wrapping_add(mix(addr_key(m.addr))), n + 1));
                sum ^ mix(count)
            })
            .collect();
        if prints.is_empty() {
            return 1.0;
        }
        prints.sort_unstable();
        let best = prints.chunk_by(|a, b| a == b).map(<[u64]>::len).max().unwrap_or(0);
        best as f64 / prints.len() as f64
    }

    // ----- accounting --------------------------------------------------------

    /// Network-wide packet and byte totals.
    pub fn stats(&self) -> &NetStats {
        &self.stats
    }

    /// Node `i`'s traffic, across all its lives.
    pub fn traffic(&self, i: usize) -> NodeTraffic {
        self.slots[i].traffic
    }

    /// Datagrams queued for delivery right now.
    pub fn in_flight(&self) -> usize {
        self.queue.deliveries()
    }

    /// Datagrams held for paused nodes right now.
    pub fn buffered(&self) -> usize {
        self.slots.iter().map(|s| s.backlog.len()).sum()
    }

    /// Events where a node suspected a running, reachable node.
    pub fn false_suspicions(&self) -> u64 {
        self.false_suspicions
    }

    /// Events where a node declared a running, reachable node dead.
    pub fn false_deaths(&self) -> u64 {
        self.false_deaths
    }

    /// Every false suspicion and false death, in time order (kept only
    /// when tracing is on, since lossy runs of big clusters raise many).
    pub fn false_positives(&self) -> &[FalsePositive] {
        &self.false_positives
    }

    /// How far a rumor injected through the simulator has spread.
    pub fn rumor(&self, id: RumorId) -> Option<&RumorSpread> {
        self.rumors.get(&id)
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

    /// The recorded events (empty unless tracing is on).
    pub fn trace(&self) -> &[TraceEntry] {
        self.trace.entries()
    }
}

fn addr_key(addr: NodeAddr) -> u64 {
    u64::from(addr.ip().to_bits()) << 16 | u64::from(addr.port())
}
