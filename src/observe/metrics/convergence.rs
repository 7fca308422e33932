//! Convergence: how far every node's membership view is from the truth.
//!
//! - **Agreement:** the fraction of up nodes whose alive set equals the
//!   most common alive set.
//! - **Accuracy:** the fraction of up nodes whose alive set is exactly the
//!   up nodes they can exchange datagrams with (both ways) right now.
//!   A view holding a member that is no lab node (a forged or flooded entry,
//!   see [`crate::observe::foreign`]) is not accurate either.
//!
//! Accuracy is kept per node and updated in O(1) as a view cell changes,
//! so "converged" can be asked after every event of a large cluster.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::faults::Side;
use crate::observe::foreign::Foreign;
use crate::observe::truth::{Liveness, Truth};
use crate::observe::views::{Cell, Views, subject_hash};
use crate::protocol::{NodeAddr, State};

/// Every node's view, and whether it is what the truth says it should be.
#[derive(Clone, Debug)]
pub struct Convergence {
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
    /// The truth changed since `expected` was computed.
    dirty: bool,
    /// Per node: the members it holds that are not lab nodes.
    foreign: Foreign,
}

impl Convergence {
    /// `n` nodes that know nothing yet; [`Convergence::truth_changed`]
    /// sets what they should know.
    pub fn new(n: usize) -> Convergence {
        Convergence {
            views: Arc::new(Views::new(n)),
            expected: Vec::new(),
            accurate: Vec::new(),
            accurate_up: 0,
            either_way: Vec::new(),
            dirty: true,
            foreign: Foreign::new(n),
        }
    }

    /// One more node, knowing nothing.
    pub fn add_node(&mut self) {
        Arc::make_mut(&mut self.views).add_node();
        self.foreign.add_node();
    }

    /// What every node should hold is stale: per-node rechecks wait for
    /// the next [`Convergence::truth_changed`], which redoes them all.
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// The truth changed: recompute what every node should hold.
    pub fn truth_changed(&mut self, truth: &Truth) {
        self.dirty = true;
        self.refresh(truth);
    }

    /// Sets one view cell; the old cell if it changed.
    pub fn set(&mut self, truth: &Truth, observer: usize, subject: usize, cell: Cell) -> Option<Cell> {
        let old = self.views.get(observer, subject);
        if old == cell {
            return None;
        }
        Arc::make_mut(&mut self.views).set(observer, subject, cell);
        self.recheck(truth, observer);
        Some(old)
    }

    /// `observer`'s view of `member`, which is no lab node, went from
    /// `from` to `to`.
    pub fn foreign_changed(&mut self, truth: &Truth, observer: usize, member: NodeAddr, from: Cell, to: Cell) {
        if self.foreign.changed(observer, member, from, to) {
            self.recheck(truth, observer);
        }
    }

    /// Replaces `observer`'s foreign members: those listed, plus `more`
    /// counted but not listed.
    pub fn set_foreign(
        &mut self,
        truth: &Truth,
        observer: usize,
        listed: impl IntoIterator<Item = (NodeAddr, State)>,
        more: usize,
    ) {
        self.foreign.reset(observer);
        for (member, state) in listed {
            self.foreign.changed(observer, member, None, Some(state));
        }
        self.foreign.add_untracked(observer, more);
        self.recheck(truth, observer);
    }

    /// Recomputes what every node should hold, after the truth changed.
    /// O(N) on an unsplit network (everyone should hold every up node),
    /// O(N²) reachability checks otherwise.
    fn refresh(&mut self, truth: &Truth) {
        if !self.dirty {
            return;
        }
        let n = truth.len();
        let up: Vec<usize> = truth.up().collect();
        self.either_way = (0..n).filter(|&i| truth.life(i).either_way()).collect();
        self.expected = vec![0; n];
        if truth.plan().splits_network() {
            if let Some(sides) = truth.sides() {
                // Each side's up nodes are what each of them should hold.
                let mut held: BTreeMap<Side, u64> = BTreeMap::new();
                for &s in &up {
                    if let Some(side) = sides[s] {
                        *held.entry(side).or_default() ^= subject_hash(s);
                    }
                }
                for &o in &up {
                    self.expected[o] = sides[o].map_or(subject_hash(o), |side| held[&side]);
                }
            } else {
                for &o in &up {
                    self.expected[o] =
                        up.iter().filter(|&&s| truth.reachable(o, s)).fold(0, |h, &s| h ^ subject_hash(s));
                }
            }
        } else {
            let all = up.iter().fold(0, |h, &s| h ^ subject_hash(s));
            for &o in &up {
                self.expected[o] = all;
            }
        }
        self.accurate = (0..n).map(|o| self.matches(o)).collect();
        self.accurate_up = up.iter().filter(|&&o| self.accurate[o]).count();
        self.dirty = false;
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
    fn recheck(&mut self, truth: &Truth, o: usize) {
        if self.dirty || o >= self.accurate.len() {
            return; // the next refresh recomputes everyone
        }
        let now = self.matches(o);
        if now != self.accurate[o] {
            self.accurate[o] = now;
            if truth.life(o) == Liveness::Up {
                if now { self.accurate_up += 1 } else { self.accurate_up -= 1 }
            }
        }
    }

    /// The views.
    pub fn views(&self) -> &Arc<Views> {
        &self.views
    }

    /// Fraction of up nodes whose alive set is the most common one.
    pub fn agreement(&self, truth: &Truth) -> f64 {
        let mut counts: HashMap<u64, usize> = HashMap::new();
        let mut n = 0;
        for o in truth.up() {
            *counts.entry(self.views.alive_hash(o)).or_default() += 1;
            n += 1;
        }
        let best = counts.values().copied().max().unwrap_or(0);
        if n == 0 { 1.0 } else { best as f64 / n as f64 }
    }

    /// Fraction of up nodes whose alive set is exactly the up nodes they
    /// can talk to (paused and leaving nodes may be held either way).
    pub fn accuracy(&self, truth: &Truth) -> f64 {
        let n = truth.up_count();
        if n == 0 { 1.0 } else { self.accurate_up as f64 / n as f64 }
    }

    /// Is node `o` up, with its alive set exactly right?
    pub fn accurate(&self, truth: &Truth, o: usize) -> bool {
        truth.life(o) == Liveness::Up && self.accurate[o]
    }

    /// Every up node holds exactly the right alive set.
    pub fn converged(&self, truth: &Truth) -> bool {
        self.accurate_up == truth.up_count()
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
}
