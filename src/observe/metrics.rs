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
//! - **False positive / false suspicion:** a node marks an up, reachable
//!   member dead / suspect, when that member has been up, and the pair able to
//!   talk, for a whole grace window before the mark. The window absorbs marks
//!   that are late echoes of a real fault (a suspicion raised during a
//!   partition that expires just after the heal), while a stalled *observer*
//!   that wakes up and accuses healthy peers is counted: that is the false
//!   positive Lifeguard exists to prevent.
//! - **Detection:** per crash, the first suspicion, the first death and the
//!   moment every up node holds the victim dead (or never knew it).
//! - **Rumor spread:** per rumor, when 50%, 99% and 100% of the nodes up at
//!   injection had it, and the packets the cluster sent meanwhile.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use std::time::Duration;

use serde::Serialize;

pub use super::rumors::RumorSpread;
use super::rumors::Rumors;
use super::truth::{Liveness, Truth};
use super::views::{Views, subject_hash};
use crate::faults::FaultPlan;
use crate::protocol::{Config, Event, NodeAddr, RumorId, State, Time};

/// How long after a disturbance marks are not counted as false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Grace {
    /// For suspicions: the longest probe period (interval × awareness max).
    pub suspect: Duration,
    /// For deaths: the above plus the longest suspicion timeout.
    pub dead: Duration,
}

impl Grace {
    /// The windows `config` implies at cluster size `n`.
    pub fn for_config(config: &Config, n: usize) -> Grace {
        let period = config.probe_interval * config.awareness_max_multiplier.max(1);
        Grace { suspect: period, dead: period + config.suspicion_max(n) }
    }
}

/// One mark of a healthy member as suspect or dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FalseMark {
    /// When it happened.
    pub t: Time,
    /// The node that made the mark.
    pub observer: usize,
    /// The healthy member it marked.
    pub subject: usize,
    /// Suspect or Dead.
    pub state: State,
}

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
    detections: Vec<Detection>,
    false_dead: Vec<FalseMark>,
    false_suspect: Vec<FalseMark>,
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
            detections: Vec::new(),
            false_dead: Vec::new(),
            false_suspect: Vec::new(),
            rumors: Rumors::default(),
        }
        .refreshed()
    }

    fn refreshed(mut self) -> Metrics {
        self.refresh_expected();
        self
    }

    // ----- inputs ----------------------------------------------------------

    /// A new node at `addr`, up from `t`.
    pub fn add_node(&mut self, addr: NodeAddr, t: Time) -> usize {
        let i = self.truth.add(addr, t);
        Arc::make_mut(&mut self.views).add_node();
        self.index.insert(addr, i);
        self.expected_dirty = true;
        self.refresh_expected();
        i
    }

    /// A node's real condition changed.
    pub fn set_liveness(&mut self, node: usize, life: Liveness, t: Time) {
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
                Arc::make_mut(&mut self.views).reset(node);
                self.recheck(node);
                for d in self.detections.iter_mut().filter(|d| d.node == node && d.open()) {
                    d.aborted = true;
                }
            }
            _ => {}
        }
        self.refresh_expected();
        self.check_full_detection(t);
    }

    /// The network's fault plan changed.
    pub fn set_faults(&mut self, plan: &FaultPlan, t: Time) {
        self.truth.set_plan(plan.clone(), t);
        self.expected_dirty = true;
        self.refresh_expected();
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
        self.rumors.injected(id, origin, t, self.truth.up().count(), self.truth.len());
    }

    /// Node `node` delivered rumor `id`.
    pub fn rumor_delivered(&mut self, id: RumorId, node: usize, t: Time) {
        self.rumors.delivered(id, node, t);
    }

    /// An event from node `observer`.
    pub fn on_event(&mut self, observer: usize, event: &Event, t: Time) {
        match event {
            Event::MemberChanged { member, to, .. } => {
                if let Some(&subject) = self.index.get(member) {
                    self.view_changed(observer, subject, *to, t);
                }
            }
            Event::RumorDelivered { id, .. } => self.rumor_delivered(*id, observer, t),
            _ => {}
        }
    }

    /// `observer` now holds `subject` as `to`.
    pub fn view_changed(&mut self, observer: usize, subject: usize, to: State, t: Time) {
        if observer >= self.views.len() || subject >= self.views.len() {
            return;
        }
        Arc::make_mut(&mut self.views).set(observer, subject, Some(to));
        self.recheck(observer);
        match to {
            State::Suspect => {
                self.judge_mark(observer, subject, State::Suspect, t);
                if let Some(d) = self.open_detection(subject) {
                    d.first_suspect.get_or_insert(t);
                }
            }
            State::Dead | State::Left => {
                if to == State::Dead {
                    self.judge_mark(observer, subject, State::Dead, t);
                }
                if let Some(d) = self.open_detection(subject) {
                    d.first_dead.get_or_insert(t);
                }
                self.check_full_detection(t);
            }
            State::Alive => {}
        }
    }

    fn open_detection(&mut self, node: usize) -> Option<&mut Detection> {
        self.detections.iter_mut().rev().find(|d| d.node == node && d.open())
    }

    fn judge_mark(&mut self, observer: usize, subject: usize, state: State, t: Time) {
        let window = if state == State::Dead { self.grace.dead } else { self.grace.suspect };
        let healthy = self.truth.life(subject) == Liveness::Up
            && t - self.truth.life_since(subject) >= window
            && self.truth.reachable_throughout(observer, subject, t, window);
        if healthy {
            let mark = FalseMark { t, observer, subject, state };
            if state == State::Dead { self.false_dead.push(mark) } else { self.false_suspect.push(mark) }
        }
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

    /// Replaces `observer`'s whole view (after lost events); subjects by index.
    pub fn set_view(&mut self, observer: usize, cells: impl IntoIterator<Item = (usize, State)>) {
        if observer >= self.views.len() {
            return;
        }
        let views = Arc::make_mut(&mut self.views);
        views.reset(observer);
        for (subject, state) in cells {
            if subject < views.len() {
                views.set(observer, subject, Some(state));
            }
        }
        self.recheck(observer);
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
    /// equals what it should hold.
    fn matches(&self, o: usize) -> bool {
        let ignored = self
            .either_way
            .iter()
            .filter(|&&s| self.views.get(o, s) == Some(State::Alive))
            .fold(0, |h, &s| h ^ subject_hash(s));
        self.views.alive_hash(o) ^ ignored == self.expected[o]
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

    /// Healthy members marked dead.
    pub fn false_positives(&self) -> &[FalseMark] {
        &self.false_dead
    }

    /// Healthy members marked suspect.
    pub fn false_suspicions(&self) -> &[FalseMark] {
        &self.false_suspect
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
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn addrs(n: u16) -> Vec<NodeAddr> {
        (0..n).map(|i| SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9000 + i)).collect()
    }

    fn changed(member: NodeAddr, to: State) -> Event {
        Event::MemberChanged { member, from: None, to, incarnation: 0 }
    }

    /// Three nodes that all know each other at t = 0.
    fn full_mesh() -> (Metrics, Vec<NodeAddr>) {
        let a = addrs(3);
        let mut m = Metrics::new(&Config::fast(), &a, FaultPlan::new(LinkRule::default()), Time::ZERO);
        for o in 0..3 {
            for &subject in &a {
                m.on_event(o, &changed(subject, State::Alive), Time::ZERO);
            }
        }
        (m, a)
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
}
