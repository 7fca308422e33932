//! The lab's measurements (DESIGN §7), fed by either driver.
//!
//! The simulator and the UDP runtime both report node events and ground
//! truth changes here, so "agreement", "false positive" or "full detection"
//! mean exactly the same thing in a test and on real sockets.
//!
//! - **Agreement:** the fraction of up nodes whose alive set equals the
//!   most common alive set.
//! - **Accuracy:** the fraction of up nodes whose alive set is exactly the
//!   up nodes they can exchange datagrams with (both ways) right now.
//!   A view holding a member that is no lab node (a forged or flooded entry,
//!   see [`super::foreign`]) is not accurate either.
//! - **False positive / false suspicion:** a node holds an up, reachable
//!   member dead or left / suspect; [`super::marks`] says when that counts.
//! - **Detection:** per crash, the first suspicion, the first death and the
//!   moment every up node holds the victim dead (or never knew it).
//! - **Rumor spread:** per rumor, when 50%, 99% and 100% of the nodes up at
//!   injection had it, and the packets the cluster sent meanwhile.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde::Serialize;

use super::foreign::Foreign;
use super::marks::Marks;
pub use super::marks::{FalseMark, Grace};
pub use super::rumors::RumorSpread;
use super::rumors::Rumors;
use super::truth::{Liveness, Truth};
use super::views::{Cell, Views, subject_hash};
use crate::faults::FaultPlan;
use crate::protocol::{Config, Event, NodeAddr, RumorId, State, Time};

/// The failure detection of one crash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The crashed node.
    pub node: usize,
    /// When it crashed.
    pub crashed_at: Time,
    /// First suspicion of it by anyone.
    pub first_suspect: Option<Time>,
    /// First death mark by anyone.
    pub first_dead: Option<Time>,
    /// When every up node held it dead (or never knew it).
    pub full: Option<Time>,
    /// It came back before full detection; the record is closed.
    pub aborted: bool,
}

impl Detection {
    fn open(&self) -> bool {
        self.full.is_none() && !self.aborted
    }
}

/// Running measurements over a whole lab session.
#[derive(Clone, Debug)]
pub struct Metrics {
    config: Config,
    grace: Grace,
    /// Never iterated: a fixed fast hasher (every event looks a node up).
    index: FxHashMap<NodeAddr, usize>,
    truth: Truth,
    /// Copy-on-write: snapshots hold the same matrix until the next change.
    views: Arc<Views>,
    /// Per node: the alive set it should hold (as a set hash).
    expected: Vec<u64>,
    /// Per node: does its alive set match `expected`?
    accurate: Vec<bool>,
    /// Up nodes with `accurate` set.
    accurate_up: usize,
    /// Subjects that may be held either way (paused, leaving).
    either_way: Vec<usize>,
    expected_dirty: bool,
    /// Per node: the members it holds that are not lab nodes.
    foreign: Foreign,
    detections: Vec<Detection>,
    marks: Marks,
    rumors: Rumors,
}

impl Metrics {
    /// Measurements for nodes at `addrs`, all up at `t` under `plan`.
    pub fn new(config: &Config, addrs: &[NodeAddr], plan: FaultPlan, t: Time) -> Metrics {
        let grace = Grace::for_config(config, addrs.len());
        Metrics {
            config: config.clone(),
            grace,
            index: addrs.iter().enumerate().map(|(i, a)| (*a, i)).collect::<FxHashMap<_, _>>(),
            truth: Truth::new(addrs, plan, t, grace.dead),
            views: Arc::new(Views::new(addrs.len())),
            expected: Vec::new(),
            accurate: Vec::new(),
            accurate_up: 0,
            either_way: Vec::new(),
            expected_dirty: true,
            foreign: Foreign::new(addrs.len()),
            detections: Vec::new(),
            marks: Marks::new(grace),
            rumors: Rumors::default(),
        }
        .refreshed()
    }

    fn refreshed(mut self) -> Metrics {
        self.refresh_expected();
        self
    }

    // ----- inputs ----------------------------------------------------------

    /// Counts the held false marks that became certain by `t`. Every input
    /// does this first; call it on its own where time passes without input
    /// (the simulator between events, a session for every log line).
    pub fn advance(&mut self, t: Time) {
        self.marks.settle(t);
    }

    /// A new node at `addr`, up from `t`.
    pub fn add_node(&mut self, addr: NodeAddr, t: Time) -> usize {
        self.advance(t);
        let i = self.truth.add(addr, t);
        Arc::make_mut(&mut self.views).add_node();
        self.foreign.add_node();
        self.index.insert(addr, i);
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
        self.expected_dirty = true;
        match (old, life) {
            (Liveness::Up | Liveness::Paused | Liveness::Leaving, Liveness::Crashed) => {
                self.detections.push(Detection {
                    node,
                    crashed_at: t,
                    first_suspect: None,
                    first_dead: None,
                    full: None,
                    aborted: false,
                })
            }
            (Liveness::Crashed | Liveness::Left, Liveness::Up) => {
                // A restart: fresh state, and any open detection is moot.
                self.reset_view(node, t);
                for d in self.detections.iter_mut().filter(|d| d.node == node && d.open()) {
                    d.aborted = true;
                }
            }
            _ => {}
        }
        self.truth_changed();
        self.check_full_detection(t);
    }

    /// The network's fault plan changed.
    pub fn set_faults(&mut self, plan: &FaultPlan, t: Time) {
        self.advance(t);
        self.truth.set_plan(plan.clone(), t);
        self.truth_changed();
    }

    fn truth_changed(&mut self) {
        self.expected_dirty = true;
        self.refresh_expected();
        self.marks.truth_changed(&self.truth);
    }

    /// Packets sent cluster-wide since the last call (for rumor cost).
    pub fn add_packets_sent(&mut self, n: u64) {
        self.rumors.add_packets_sent(n);
    }

    /// Packets sent cluster-wide so far, for drivers that keep the total.
    pub fn set_packets_sent(&mut self, total: u64) {
        self.rumors.set_packets_sent(total);
    }

    /// A rumor was injected at `origin`. Call before feeding the origin's
    /// own delivery event.
    pub fn rumor_injected(&mut self, id: RumorId, origin: usize, t: Time) {
        self.advance(t);
        self.rumors.injected(id, origin, t, self.truth.up().count(), self.truth.len());
    }

    /// Node `node` delivered rumor `id`.
    pub fn rumor_delivered(&mut self, id: RumorId, node: usize, t: Time) {
        self.advance(t);
        self.rumors.delivered(id, node, t);
    }

    /// An event from node `observer`.
    pub fn on_event(&mut self, observer: usize, event: &Event, t: Time) {
        match event {
            Event::MemberChanged { member, from, to, .. } => match self.index.get(member) {
                Some(&subject) => self.view_changed(observer, subject, *to, t),
                None => self.foreign_changed(observer, *member, *from, Some(*to), t),
            },
            Event::MemberForgotten { member } => match self.index.get(member) {
                Some(&subject) => self.forgotten(observer, subject, t),
                None => self.foreign_changed(observer, *member, None, None, t),
            },
            Event::RumorDelivered { id, .. } => self.rumor_delivered(*id, observer, t),
            _ => {}
        }
    }

    /// `observer` now holds `subject` as `to`.
    pub fn view_changed(&mut self, observer: usize, subject: usize, to: State, t: Time) {
        self.advance(t);
        if observer >= self.views.len() || subject >= self.views.len() {
            return;
        }
        self.set_cell(observer, subject, Some(to), t);
        match to {
            State::Suspect => {
                if let Some(d) = self.open_detection(subject) {
                    d.first_suspect.get_or_insert(t);
                }
            }
            State::Dead | State::Left => {
                if let Some(d) = self.open_detection(subject) {
                    d.first_dead.get_or_insert(t);
                }
                self.check_full_detection(t);
            }
            State::Alive => {}
        }
    }

    /// `observer` dropped `subject` from its table (reaped after being
    /// dead or left for a while): it no longer knows it at all.
    pub fn forgotten(&mut self, observer: usize, subject: usize, t: Time) {
        self.advance(t);
        if observer >= self.views.len() || subject >= self.views.len() {
            return;
        }
        self.set_cell(observer, subject, None, t);
        self.check_full_detection(t);
    }

    /// `observer`'s view of `member`, which is no lab node, went from
    /// `from` to `to` (`None`: not in its table).
    pub fn foreign_changed(&mut self, observer: usize, member: NodeAddr, from: Cell, to: Cell, t: Time) {
        self.advance(t);
        if self.foreign.changed(observer, member, from, to) {
            self.recheck(observer);
        }
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
        let n = self.views.len();
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
        self.foreign.reset(observer);
        for (member, state) in foreign {
            self.foreign.changed(observer, member, None, Some(state));
        }
        self.foreign.add_untracked(observer, foreign_more);
        self.recheck(observer);
        self.check_full_detection(t);
    }

    /// A restarted node knows only itself.
    fn reset_view(&mut self, observer: usize, t: Time) {
        for subject in 0..self.views.len() {
            let cell = (subject == observer).then_some(State::Alive);
            self.set_cell(observer, subject, cell, t);
        }
        self.foreign.reset(observer);
        self.recheck(observer);
    }

    /// The one place a view cell changes: the matrix, the held marks and
    /// the observer's accuracy move together.
    fn set_cell(&mut self, observer: usize, subject: usize, cell: Cell, t: Time) {
        let old = self.views.get(observer, subject);
        if old == cell {
            return;
        }
        Arc::make_mut(&mut self.views).set(observer, subject, cell);
        self.marks.changed(&self.truth, observer, subject, old, cell, t);
        self.recheck(observer);
    }

    fn open_detection(&mut self, node: usize) -> Option<&mut Detection> {
        self.detections.iter_mut().rev().find(|d| d.node == node && d.open())
    }

    fn check_full_detection(&mut self, t: Time) {
        if !self.detections.iter().any(Detection::open) {
            return;
        }
        let up: Vec<usize> = self.truth.up().collect();
        for d in self.detections.iter_mut().filter(|d| d.open()) {
            let all = up
                .iter()
                .filter(|&&o| o != d.node)
                .all(|&o| matches!(self.views.get(o, d.node), None | Some(State::Dead) | Some(State::Left)));
            if all && d.first_dead.is_some() {
                d.full = Some(t);
            }
        }
    }

    // ----- outputs -----------------------------------------------------------

    /// The reconstructed views (for the dashboard).
    pub fn views(&self) -> &Arc<Views> {
        &self.views
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
        self.index.get(&addr).copied()
    }

    /// Fraction of up nodes whose alive set is the most common one.
    pub fn agreement(&self) -> f64 {
        let mut counts: HashMap<u64, usize> = HashMap::new();
        let mut n = 0;
        for o in self.truth.up() {
            *counts.entry(self.views.alive_hash(o)).or_default() += 1;
            n += 1;
        }
        let best = counts.values().copied().max().unwrap_or(0);
        if n == 0 { 1.0 } else { best as f64 / n as f64 }
    }

    /// Recomputes what every node should hold, after the truth changed.
    /// O(N) on an unsplit network (everyone should hold every up node),
    /// O(N²) reachability checks otherwise.
    fn refresh_expected(&mut self) {
        if !self.expected_dirty {
            return;
        }
        let n = self.truth.len();
        let up: Vec<usize> = self.truth.up().collect();
        self.either_way = (0..n).filter(|&i| self.truth.life(i).either_way()).collect();
        self.expected = vec![0; n];
        if self.truth.plan().splits_network() {
            for &o in &up {
                self.expected[o] =
                    up.iter().filter(|&&s| self.truth.reachable(o, s)).fold(0, |h, &s| h ^ subject_hash(s));
            }
        } else {
            let all = up.iter().fold(0, |h, &s| h ^ subject_hash(s));
            for &o in &up {
                self.expected[o] = all;
            }
        }
        self.accurate = (0..n).map(|o| self.matches(o)).collect();
        self.accurate_up = up.iter().filter(|&&o| self.accurate[o]).count();
        self.expected_dirty = false;
    }

    /// `o`'s alive set, ignoring subjects that may be held either way,
    /// equals what it should hold, and it holds no foreign member.
    fn matches(&self, o: usize) -> bool {
        let ignored = self
            .either_way
            .iter()
            .filter(|&&s| self.views.get(o, s) == Some(State::Alive))
            .fold(0, |h, &s| h ^ subject_hash(s));
        self.views.alive_hash(o) ^ ignored == self.expected[o] && self.foreign.count(o) == 0
    }

    /// Updates one node's accuracy after its view changed: O(1) (plus the
    /// few paused or leaving nodes), so convergence can be checked after
    /// every event.
    fn recheck(&mut self, o: usize) {
        if self.expected_dirty || o >= self.accurate.len() {
            return; // the next refresh recomputes everyone
        }
        let now = self.matches(o);
        if now != self.accurate[o] {
            self.accurate[o] = now;
            if self.truth.life(o) == Liveness::Up {
                if now { self.accurate_up += 1 } else { self.accurate_up -= 1 }
            }
        }
    }

    /// Fraction of up nodes whose alive set is exactly the up nodes they
    /// can talk to (paused and leaving nodes may be held either way).
    pub fn accuracy(&self) -> f64 {
        let n = self.truth.up().count();
        if n == 0 { 1.0 } else { self.accurate_up as f64 / n as f64 }
    }

    /// Is node `o` up, with its alive set exactly right?
    pub fn accurate(&self, o: usize) -> bool {
        self.truth.life(o) == Liveness::Up && self.accurate[o]
    }

    /// Every up node holds exactly the right alive set.
    pub fn converged(&self) -> bool {
        self.accurate_up == self.truth.up().count()
    }

    /// Crash detections so far.
    pub fn detections(&self) -> &[Detection] {
        &self.detections
    }

    /// Healthy members held dead or left (see [`super::marks`]).
    pub fn false_positives(&self) -> &[FalseMark] {
        self.marks.false_positives()
    }

    /// Healthy members held suspect (see [`super::marks`]).
    pub fn false_suspicions(&self) -> &[FalseMark] {
        self.marks.false_suspicions()
    }

    /// How many members that are no lab node `observer` holds alive or
    /// suspect.
    pub fn foreign_count(&self, observer: usize) -> usize {
        self.foreign.count(observer)
    }

    /// Some of `observer`'s foreign members, for display.
    pub fn foreign_sample(&self, observer: usize, max: usize) -> Vec<NodeAddr> {
        self.foreign.sample(observer, max)
    }

    /// Rumors so far.
    pub fn rumors(&self) -> &[RumorSpread] {
        self.rumors.all()
    }

    /// Packets sent cluster-wide so far (as reported).
    pub fn packets_sent(&self) -> u64 {
        self.rumors.packets_sent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::LinkRule;
    use crate::observe::testkit::{changed, fake, mesh, moved};
    use std::time::Duration;

    /// Three nodes that all know each other at t = 0.
    fn full_mesh() -> (Metrics, Vec<NodeAddr>) {
        mesh(3)
    }

    #[test]
    fn agreement_and_accuracy() {
        let (mut m, a) = full_mesh();
        assert_eq!(m.agreement(), 1.0);
        assert!(m.converged());
        m.set_liveness(2, Liveness::Crashed, Time::from_secs(1));
        assert_eq!(m.accuracy(), 0.0, "both survivors still hold the crashed node alive");
        assert_eq!(m.agreement(), 1.0, "but they agree with each other");
        m.on_event(0, &changed(a[2], State::Dead), Time::from_secs(2));
        assert_eq!(m.accuracy(), 0.5);
        assert_eq!(m.agreement(), 0.5);
        m.on_event(1, &changed(a[2], State::Dead), Time::from_secs(3));
        assert!(m.converged());
    }

    #[test]
    fn detection_records_first_suspect_dead_and_full() {
        let (mut m, a) = full_mesh();
        m.set_liveness(2, Liveness::Crashed, Time::from_secs(10));
        m.on_event(0, &changed(a[2], State::Suspect), Time::from_secs(11));
        m.on_event(0, &changed(a[2], State::Dead), Time::from_secs(12));
        assert_eq!(m.detections()[0].full, None, "node 1 still holds it alive");
        m.on_event(1, &changed(a[2], State::Dead), Time::from_secs(13));
        let d = &m.detections()[0];
        assert_eq!(d.first_suspect, Some(Time::from_secs(11)));
        assert_eq!(d.first_dead, Some(Time::from_secs(12)));
        assert_eq!(d.full, Some(Time::from_secs(13)));
        assert!(m.false_positives().is_empty(), "marking a crashed node dead is no false positive");
    }

    #[test]
    fn marking_a_healthy_member_dead_is_a_false_positive_after_the_grace_window() {
        let (mut m, a) = full_mesh();
        let late = Time::ZERO + m.grace().dead + Duration::from_secs(1);
        m.on_event(0, &changed(a[1], State::Suspect), late);
        m.on_event(0, &changed(a[1], State::Dead), late);
        assert_eq!(m.false_suspicions().len(), 1);
        assert_eq!(m.false_positives().len(), 1);
        assert_eq!(m.false_positives()[0].subject, 1);
    }

    #[test]
    fn marks_that_echo_a_recent_fault_are_not_false() {
        let (mut m, a) = full_mesh();
        let t0 = Time::from_secs(100);
        // Node 1 was partitioned away and healed just now.
        let mut plan = FaultPlan::new(LinkRule::default());
        plan.isolate(a[1]);
        m.set_faults(&plan, t0);
        plan.heal();
        m.set_faults(&plan, t0 + Duration::from_secs(5));
        m.on_event(0, &changed(a[1], State::Dead), t0 + Duration::from_secs(6));
        assert!(m.false_positives().is_empty());
        // A paused member is not healthy either.
        m.set_liveness(2, Liveness::Paused, t0 + Duration::from_secs(7));
        m.on_event(0, &changed(a[2], State::Suspect), t0 + Duration::from_secs(8));
        assert!(m.false_suspicions().is_empty());
    }

    #[test]
    fn rumor_spread_milestones_and_cost() {
        let (mut m, a) = full_mesh();
        let id = RumorId { origin: a[0], seq: 0 };
        m.rumor_injected(id, 0, Time::from_secs(1));
        let deliver = Event::RumorDelivered { id, payload: vec![] };
        m.on_event(0, &deliver, Time::from_secs(1));
        m.add_packets_sent(10);
        m.on_event(1, &deliver, Time::from_secs(2));
        m.on_event(1, &deliver, Time::from_secs(2)); // duplicates do not count
        let r = &m.rumors()[0];
        assert_eq!((r.delivered, r.t50, r.t100), (2, Some(Time::from_secs(2)), None));
        m.add_packets_sent(5);
        m.on_event(2, &deliver, Time::from_secs(3));
        let r = &m.rumors()[0];
        assert_eq!((r.t99, r.t100, r.packets), (Some(Time::from_secs(3)), Some(Time::from_secs(3)), Some(15)));
        assert_eq!(r.deliveries(), [Time::from_secs(1), Time::from_secs(2), Time::from_secs(3)]);
    }

    #[test]
    fn a_restart_aborts_the_open_detection_and_resets_the_view() {
        let (mut m, _) = full_mesh();
        m.set_liveness(2, Liveness::Crashed, Time::from_secs(1));
        m.set_liveness(2, Liveness::Up, Time::from_secs(2));
        assert!(m.detections()[0].aborted);
        assert_eq!(m.views().alive_count(2), 1, "a restarted node knows only itself");
    }

    #[test]
    fn a_foreign_member_held_alive_lowers_accuracy_until_it_is_gone() {
        let (mut m, _) = full_mesh();
        let t = Time::from_secs;
        m.on_event(0, &changed(fake(1), State::Alive), t(1));
        assert_eq!(m.foreign_count(0), 1);
        assert!(!m.accurate(0), "node 0 holds a member that is no lab node");
        assert!((m.accuracy() - 2.0 / 3.0).abs() < 1e-9, "accuracy {}", m.accuracy());
        assert!(!m.converged());
        m.on_event(0, &moved(fake(1), State::Alive, State::Suspect), t(2));
        assert!(!m.converged(), "a suspect is still held");
        m.on_event(0, &moved(fake(1), State::Suspect, State::Dead), t(3));
        assert!(m.converged(), "held dead, it is out of the view");
        m.on_event(0, &Event::MemberForgotten { member: fake(1) }, t(4));
        assert!(m.converged());
        // Reaped straight from the table, it is gone just the same.
        m.on_event(1, &changed(fake(2), State::Alive), t(5));
        assert!(!m.converged());
        m.on_event(1, &Event::MemberForgotten { member: fake(2) }, t(6));
        assert_eq!(m.foreign_count(1), 0);
        assert!(m.converged());
    }

    #[test]
    fn a_resync_carries_foreign_members() {
        let (mut m, _) = full_mesh();
        let all = [(0, State::Alive), (1, State::Alive), (2, State::Alive)];
        m.set_view(2, all, [(fake(1), State::Suspect)], 4, Time::from_secs(1));
        assert_eq!(m.foreign_count(2), 5, "one listed, four more counted");
        assert!(!m.converged());
        m.set_view(2, all, [], 0, Time::from_secs(2));
        assert!(m.converged());
    }

    #[test]
    fn forgetting_a_crashed_node_is_accurate_but_forgetting_a_running_one_is_not() {
        let (mut m, a) = full_mesh();
        let t = Time::from_secs;
        m.set_liveness(2, Liveness::Crashed, t(1));
        m.on_event(0, &changed(a[2], State::Dead), t(2));
        m.on_event(1, &changed(a[2], State::Dead), t(2));
        assert!(m.converged());
        m.on_event(0, &Event::MemberForgotten { member: a[2] }, t(3));
        assert_eq!(m.views().get(0, 2), None, "reaped: unknown again");
        assert!(m.converged(), "a forgotten crashed node is rightly absent");
        m.on_event(1, &Event::MemberForgotten { member: a[0] }, t(4));
        assert_eq!(m.views().get(1, 0), None);
        assert!(!m.accurate(1), "node 1's view lacks running node 0");
        assert!(m.accurate(0));
    }
}
