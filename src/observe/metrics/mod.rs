//! The lab's measurements (DESIGN §7), fed by either driver.
//!
//! The simulator and the UDP runtime both report node events and ground
//! truth changes here, so "agreement", "false positive" or "full detection"
//! mean exactly the same thing in a test and on real sockets.
//!
//! [`Metrics`] takes the inputs and hands each concept what it needs; each
//! concept is a struct of its own, in its own file:
//!
//! - [`convergence`]: every node's view, agreement and accuracy;
//! - [`detection`]: per crash, first suspicion, first death, full detection;
//! - [`false_marks`]: healthy members held suspect, dead or left, and when
//!   that counts as false;
//! - [`rumor_spread`]: per rumor, when 50%, 99% and 100% of the nodes up at
//!   injection had it, and the packets the cluster sent meanwhile;
//! - [`traffic`]: the cluster's datagram count that prices rumors.

pub mod convergence;
pub mod detection;
pub mod false_marks;
mod node_index;
pub mod rumor_spread;
pub mod traffic;

use std::sync::Arc;

use self::convergence::Convergence;
pub use self::detection::Detection;
use self::detection::Detections;
use self::false_marks::Marks;
pub use self::false_marks::{FalseMark, Grace, Route, Rule, Why};
pub use self::node_index::Formula;
use self::node_index::NodeIndex;
pub use self::rumor_spread::RumorSpread;
use self::rumor_spread::Rumors;
use self::traffic::ClusterTraffic;
use super::truth::{Liveness, Truth};
use super::views::{Cell, Views};
use crate::faults::FaultPlan;
use crate::protocol::{Config, Event, NodeAddr, RumorId, State, Time};

/// Running measurements over a whole lab session.
#[derive(Clone, Debug)]
pub struct Metrics {
    config: Config,
    grace: Grace,
    /// Every event looks a node up.
    index: NodeIndex,
    truth: Truth,
    convergence: Convergence,
    detections: Detections,
    marks: Marks,
    rumors: Rumors,
    traffic: ClusterTraffic,
}

impl Metrics {
    /// Measurements for nodes at `addrs`, all up at `t` under `plan`.
    pub fn new(config: &Config, addrs: &[NodeAddr], plan: FaultPlan, t: Time) -> Metrics {
        Metrics::with_formula(config, addrs, plan, t, None)
    }

    /// [`Metrics::new`] for a driver whose node addresses follow
    /// `formula` (address to index): each event's member is then found by
    /// computing, not hashing. Addresses off the formula fall back to a map.
    pub fn with_formula(
        config: &Config,
        addrs: &[NodeAddr],
        plan: FaultPlan,
        t: Time,
        formula: Option<Formula>,
    ) -> Metrics {
        let grace = Grace::for_config(config, addrs.len());
        let truth = Truth::new(addrs, plan, t, grace.dead);
        let mut convergence = Convergence::new(addrs.len());
        convergence.truth_changed(&truth);
        Metrics {
            config: config.clone(),
            grace,
            index: NodeIndex::new(addrs, formula),
            truth,
            convergence,
            detections: Detections::default(),
            marks: Marks::new(grace),
            rumors: Rumors::default(),
            traffic: ClusterTraffic::default(),
        }
    }

    // ----- inputs ----------------------------------------------------------

    /// Counts the held false marks that became certain by `t`. Every input
    /// does this first; call it on its own where time passes without input
    /// (the simulator between events, a session for every log line).
    pub fn advance(&mut self, t: Time) {
        self.marks.settle(&self.truth, t);
    }

    /// A new node at `addr`, up from `t`.
    pub fn add_node(&mut self, addr: NodeAddr, t: Time) -> usize {
        self.advance(t);
        let i = self.truth.add(addr, t);
        self.convergence.add_node();
        self.index.grew(self.truth.addrs());
        self.truth_changed();
        i
    }

    /// A node's real condition changed.
    pub fn set_liveness(&mut self, node: usize, life: Liveness, t: Time) {
        self.advance(t);
        let old = self.truth.set_life(node, life, t);
        if old == life {
            return;
        }
        self.convergence.invalidate();
        match (old, life) {
            (Liveness::Up | Liveness::Paused | Liveness::Leaving, Liveness::Crashed) => {
                // The others up now, and the victim.
                self.detections.crashed(node, t, self.truth.up_count() + 1)
            }
            (Liveness::Crashed | Liveness::Left, Liveness::Up) => {
                // A restart: fresh state, and any open detection is moot.
                self.reset_view(node, t);
                self.detections.restarted(node);
            }
            _ => {}
        }
        self.truth_changed();
        self.detections.check_full(&self.truth, self.convergence.views(), t);
    }

    /// The network's fault plan changed.
    pub fn set_faults(&mut self, plan: &FaultPlan, t: Time) {
        self.advance(t);
        self.truth.set_plan(plan.clone(), t);
        self.truth_changed();
    }

    fn truth_changed(&mut self) {
        self.convergence.truth_changed(&self.truth);
        self.marks.truth_changed(&self.truth);
    }

    /// Packets sent cluster-wide since the last call (for rumor cost).
    pub fn add_packets_sent(&mut self, n: u64) {
        self.traffic.add_sent(n);
    }

    /// Packets sent cluster-wide so far, for drivers that keep the total.
    pub fn set_packets_sent(&mut self, total: u64) {
        self.traffic.set_sent(total);
    }

    /// A rumor was injected at `origin`. Call before feeding the origin's
    /// own delivery event.
    pub fn rumor_injected(&mut self, id: RumorId, origin: usize, t: Time) {
        self.advance(t);
        let nodes = (self.truth.up_count(), self.truth.len());
        let loss = self.truth.plan().baseline().loss;
        self.rumors.injected(id, origin, t, nodes, loss, self.traffic.sent());
    }

    /// Node `node` delivered rumor `id`.
    pub fn rumor_delivered(&mut self, id: RumorId, node: usize, t: Time) {
        self.advance(t);
        self.rumors.delivered(id, node, t, self.traffic.sent());
    }

    /// An event from node `observer`.
    pub fn on_event(&mut self, observer: usize, event: &Event, t: Time) {
        match event {
            Event::MemberChanged { member, from, to, .. } => match self.index.get(*member) {
                Some(subject) => self.view_changed(observer, subject, *to, t),
                None => self.foreign_changed(observer, *member, *from, Some(*to), t),
            },
            Event::MemberForgotten { member } => match self.index.get(*member) {
                Some(subject) => self.forgotten(observer, subject, t),
                None => self.foreign_changed(observer, *member, None, None, t),
            },
            Event::RumorDelivered { id, .. } => self.rumor_delivered(*id, observer, t),
            _ => {}
        }
    }

    /// `observer` now holds `subject` as `to`.
    pub fn view_changed(&mut self, observer: usize, subject: usize, to: State, t: Time) {
        self.advance(t);
        if observer >= self.truth.len() || subject >= self.truth.len() {
            return;
        }
        self.set_cell(observer, subject, Some(to), t);
        self.detections.marked(subject, to, t);
        if matches!(to, State::Dead | State::Left) {
            self.detections.check_full(&self.truth, self.convergence.views(), t);
        }
    }

    /// `observer` learned the members in `ranges` (`[first, last]` index
    /// ranges of a `learned` line): each now alive in its view. Ranges
    /// past the lab's nodes are cut, so a damaged log cannot make this
    /// loop longer than the lab.
    pub fn learned(&mut self, observer: usize, ranges: &[(usize, usize)], t: Time) {
        self.advance(t);
        let n = self.truth.len();
        if observer >= n {
            return;
        }
        for &(first, last) in ranges {
            for subject in first..=last.min(n - 1) {
                self.set_cell(observer, subject, Some(State::Alive), t);
            }
        }
    }

    /// `observer` dropped `subject` from its table (reaped after being
    /// dead or left for a while): it no longer knows it at all.
    pub fn forgotten(&mut self, observer: usize, subject: usize, t: Time) {
        self.advance(t);
        if observer >= self.truth.len() || subject >= self.truth.len() {
            return;
        }
        self.set_cell(observer, subject, None, t);
        self.detections.check_full(&self.truth, self.convergence.views(), t);
    }

    /// `observer`'s view of `member`, which is no lab node, went from
    /// `from` to `to` (`None`: not in its table).
    pub fn foreign_changed(&mut self, observer: usize, member: NodeAddr, from: Cell, to: Cell, t: Time) {
        self.advance(t);
        self.convergence.foreign_changed(&self.truth, observer, member, from, to);
    }

    /// Replaces `observer`'s whole view (after lost events): lab members
    /// by index, then the foreign members it holds alive or suspect, and
    /// how many more of those it holds than are listed.
    pub fn set_view(
        &mut self,
        observer: usize,
        cells: impl IntoIterator<Item = (usize, State)>,
        foreign: impl IntoIterator<Item = (NodeAddr, State)>,
        foreign_more: usize,
        t: Time,
    ) {
        self.advance(t);
        let n = self.truth.len();
        if observer >= n {
            return;
        }
        let mut row: Vec<Cell> = vec![None; n];
        row[observer] = Some(State::Alive);
        for (subject, state) in cells {
            if let Some(cell) = row.get_mut(subject) {
                *cell = Some(state);
            }
        }
        // Cell by cell, so that a mark the resync confirms is still the
        // same held mark.
        for (subject, cell) in row.into_iter().enumerate() {
            self.set_cell(observer, subject, cell, t);
        }
        self.convergence.set_foreign(&self.truth, observer, foreign, foreign_more);
        self.detections.check_full(&self.truth, self.convergence.views(), t);
    }

    /// A restarted node knows only itself.
    fn reset_view(&mut self, observer: usize, t: Time) {
        for subject in 0..self.truth.len() {
            let cell = (subject == observer).then_some(State::Alive);
            self.set_cell(observer, subject, cell, t);
        }
        self.convergence.set_foreign(&self.truth, observer, [], 0);
    }

    /// The one place a view cell changes: the matrix, the observer's
    /// accuracy and the held marks move together.
    fn set_cell(&mut self, observer: usize, subject: usize, cell: Cell, t: Time) {
        if let Some(old) = self.convergence.set(&self.truth, observer, subject, cell) {
            self.marks.changed(&self.truth, observer, subject, old, cell, t);
        }
    }

    // ----- outputs -----------------------------------------------------------

    /// The reconstructed views (for the dashboard).
    pub fn views(&self) -> &Arc<Views> {
        self.convergence.views()
    }

    /// The ground truth.
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// The grace windows in use.
    pub fn grace(&self) -> Grace {
        self.grace
    }

    /// The protocol configuration the metrics judge by.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Node index of an address.
    pub fn node_of(&self, addr: NodeAddr) -> Option<usize> {
        self.index.get(addr)
    }

    /// Fraction of up nodes whose alive set is the most common one.
    pub fn agreement(&self) -> f64 {
        self.convergence.agreement(&self.truth)
    }

    /// Fraction of up nodes whose alive set is exactly the up nodes they
    /// can talk to (paused and leaving nodes may be held either way).
    pub fn accuracy(&self) -> f64 {
        self.convergence.accuracy(&self.truth)
    }

    /// Is node `o` up, with its alive set exactly right?
    pub fn accurate(&self, o: usize) -> bool {
        self.convergence.accurate(&self.truth, o)
    }

    /// Every up node holds exactly the right alive set.
    pub fn converged(&self) -> bool {
        self.convergence.converged(&self.truth)
    }

    /// Crash detections so far.
    pub fn detections(&self) -> &[Detection] {
        self.detections.all()
    }

    /// Healthy members held dead or left (see [`false_marks`]).
    pub fn false_positives(&self) -> &[FalseMark] {
        self.marks.false_positives()
    }

    /// Healthy members held suspect (see [`false_marks`]).
    pub fn false_suspicions(&self) -> &[FalseMark] {
        self.marks.false_suspicions()
    }

    /// How many members that are no lab node `observer` holds alive or
    /// suspect.
    pub fn foreign_count(&self, observer: usize) -> usize {
        self.convergence.foreign_count(observer)
    }

    /// Some of `observer`'s foreign members, for display.
    pub fn foreign_sample(&self, observer: usize, max: usize) -> Vec<NodeAddr> {
        self.convergence.foreign_sample(observer, max)
    }

    /// Rumors so far.
    pub fn rumors(&self) -> &[RumorSpread] {
        self.rumors.all()
    }

    /// Packets sent cluster-wide so far (as reported).
    pub fn packets_sent(&self) -> u64 {
        self.traffic.sent()
    }
}

#[cfg(test)]
mod tests;
