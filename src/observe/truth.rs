//! Ground truth: what is really going on, as only the lab knows it.
//!
//! Metrics judge each node's view against this. It records which nodes are
//! running, paused, crashed or gone, and keeps a short history of fault
//! plans, because whether a "dead" mark was a false positive depends on
//! whether the pair could talk recently, not only at that instant.

use crate::faults::{FaultPlan, NodeFault, Side};
use crate::protocol::{NodeAddr, Time};
use crate::rogue::Attack;

/// A node's real condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Liveness {
    /// Running and processing.
    Up,
    /// Running but stalled: neither reading nor ticking.
    Paused,
    /// Running, announcing a graceful leave; becomes `Left` when done.
    Leaving,
    /// Stopped without a goodbye.
    Crashed,
    /// Left the cluster gracefully.
    Left,
}

impl Liveness {
    /// A short lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Liveness::Up => "up",
            Liveness::Paused => "paused",
            Liveness::Leaving => "leaving",
            Liveness::Crashed => "crashed",
            Liveness::Left => "left",
        }
    }

    /// True while the process exists (Up, Leaving or Paused).
    pub const fn is_running(self) -> bool {
        matches!(self, Liveness::Up | Liveness::Leaving | Liveness::Paused)
    }

    /// True while the process handles packets and timers (Up or Leaving).
    pub const fn is_active(self) -> bool {
        matches!(self, Liveness::Up | Liveness::Leaving)
    }

    /// A subject whose presence in a view is correct either way: a paused
    /// node may or may not have been noticed yet, and a leaving one may or
    /// may not have been heard leaving.
    pub const fn either_way(self) -> bool {
        matches!(self, Liveness::Paused | Liveness::Leaving)
    }

    /// Whether a node in this state can be the victim of `attack` (see
    /// [`Attack::wants_crashed_victim`]).
    pub const fn can_suffer(self, attack: Attack) -> bool {
        if attack.wants_crashed_victim() { matches!(self, Liveness::Crashed) } else { self.is_running() }
    }

    /// How the network sees this process.
    pub const fn fault(self) -> NodeFault {
        match self {
            Liveness::Up | Liveness::Leaving => NodeFault::Up,
            Liveness::Paused => NodeFault::Paused,
            // A node that left has exited: nothing reaches it any more.
            Liveness::Crashed | Liveness::Left => NodeFault::Crashed,
        }
    }
}

/// How two nodes can confirm each other alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Each reaches the other: a ping and its ack.
    Direct,
    /// Only through this up helper, which reaches both (an indirect probe
    /// around a one-way block).
    Through(usize),
}

/// Node conditions plus the recent history of the network's fault plan.
#[derive(Clone, Debug)]
pub struct Truth {
    addrs: Vec<NodeAddr>,
    life: Vec<Liveness>,
    life_since: Vec<Time>,
    /// Nodes up: asked after every line of a session (is the cluster
    /// converged?), where counting `life` made each line O(N).
    up: usize,
    /// Fault plans with the time each took effect, oldest first.
    plans: Vec<(Time, FaultPlan)>,
    /// How far back history must reach.
    horizon: std::time::Duration,
}

impl Truth {
    /// Every node in `addrs` up at `t`, under `plan`, keeping `horizon` of
    /// fault history.
    pub fn new(addrs: &[NodeAddr], plan: FaultPlan, t: Time, horizon: std::time::Duration) -> Truth {
        Truth {
            addrs: addrs.to_vec(),
            life: vec![Liveness::Up; addrs.len()],
            life_since: vec![t; addrs.len()],
            up: addrs.len(),
            plans: vec![(t, plan)],
            horizon,
        }
    }

    /// Adds a node, up from `t`.
    pub fn add(&mut self, addr: NodeAddr, t: Time) -> usize {
        self.addrs.push(addr);
        self.life.push(Liveness::Up);
        self.life_since.push(t);
        self.up += 1;
        self.addrs.len() - 1
    }

    /// Number of nodes ever started.
    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    /// True with no nodes.
    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    /// A node's address.
    pub fn addr(&self, node: usize) -> NodeAddr {
        self.addrs[node]
    }

    /// Every node's address.
    pub fn addrs(&self) -> &[NodeAddr] {
        &self.addrs
    }

    /// A node's condition.
    pub fn life(&self, node: usize) -> Liveness {
        self.life[node]
    }

    /// When a node's condition last changed.
    pub fn life_since(&self, node: usize) -> Time {
        self.life_since[node]
    }

    /// Records a change of condition; returns the previous one.
    pub fn set_life(&mut self, node: usize, life: Liveness, t: Time) -> Liveness {
        let old = self.life[node];
        if old != life {
            self.life[node] = life;
            self.life_since[node] = t;
            self.up = self.up + usize::from(life == Liveness::Up) - usize::from(old == Liveness::Up);
        }
        old
    }

    /// How many nodes are up (`up().count()`, kept as they change).
    pub fn up_count(&self) -> usize {
        self.up
    }

    /// Nodes that are up.
    pub fn up(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.life.len()).filter(|&i| self.life[i] == Liveness::Up)
    }

    /// The fault plan in force.
    pub fn plan(&self) -> &FaultPlan {
        &self.plans.last().expect("history is never empty").1
    }

    /// Records a new fault plan from `t`, forgetting plans that ended
    /// before the horizon.
    pub fn set_plan(&mut self, plan: FaultPlan, t: Time) {
        self.plans.push((t, plan));
        let cutoff = t - self.horizon;
        // Keep the newest plan that started at or before the cutoff: it was
        // in force at the start of the window.
        let keep_from = self.plans.iter().rposition(|(start, _)| *start <= cutoff).unwrap_or(0);
        self.plans.drain(..keep_from);
    }

    /// Can `a` and `b` confirm each other alive under `plan`, and how? SWIM
    /// needs a round trip: directly (a ping one way, its ack the other), or
    /// through an up helper that can do both legs (an indirect probe).
    /// Helpers only matter under one-way blocks: a symmetric cut that
    /// separates a and b separates any helper from one of them too.
    fn route_in(&self, plan: &FaultPlan, a: usize, b: usize) -> Option<Route> {
        let (x, y) = (self.addrs[a], self.addrs[b]);
        let both = |p: NodeAddr, q: NodeAddr| plan.can_reach(p, q) && plan.can_reach(q, p);
        if a == b || both(x, y) {
            return Some(Route::Direct);
        }
        if plan.one_way_blocks().is_empty() {
            return None;
        }
        (0..self.addrs.len())
            .find(|&h| {
                h != a && h != b && self.life[h] == Liveness::Up && both(x, self.addrs[h]) && both(self.addrs[h], y)
            })
            .map(Route::Through)
    }

    fn mutual(&self, plan: &FaultPlan, a: usize, b: usize) -> bool {
        self.route_in(plan, a, b).is_some()
    }

    /// How `a` and `b` can talk both ways now, if they can.
    pub fn route(&self, a: usize, b: usize) -> Option<Route> {
        self.route_in(self.plan(), a, b)
    }

    /// Can `a` and `b` talk both ways now?
    pub fn reachable(&self, a: usize, b: usize) -> bool {
        self.mutual(self.plan(), a, b)
    }

    /// Every node's side of the network now, when sides decide
    /// [`Self::reachable`] (no one-way block): distinct `a` and `b` are
    /// reachable exactly when `sides[a] == sides[b]` and neither is `None`.
    pub fn sides(&self) -> Option<Vec<Option<Side>>> {
        self.addrs.iter().map(|&a| self.plan().side(a)).collect()
    }

    /// Could `a` and `b` talk both ways throughout `[t − window, t]`?
    pub fn reachable_throughout(&self, a: usize, b: usize, t: Time, window: std::time::Duration) -> bool {
        let from = t - window;
        let mut plans = self.plans.iter().rev();
        for (start, plan) in plans.by_ref() {
            if !self.mutual(plan, a, b) {
                return false;
            }
            if *start <= from {
                return true;
            }
        }
        true
    }

    /// When the oldest fault plan kept took effect: what the network was
    /// like before it is forgotten (it lies at least a horizon back).
    pub fn history_from(&self) -> Time {
        self.plans.first().expect("history is never empty").0
    }

    /// Since when `a` and `b` have been able to talk both ways without a
    /// break, or `None` if they cannot now. When the break lies beyond the
    /// kept history, the oldest kept plan's start: at least a horizon ago,
    /// which is all any window needs.
    pub fn reachable_since(&self, a: usize, b: usize) -> Option<Time> {
        let mut since = None;
        for (start, plan) in self.plans.iter().rev() {
            if !self.mutual(plan, a, b) {
                break;
            }
            since = Some(*start);
        }
        since
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::LinkRule;
    use std::net::{Ipv4Addr, SocketAddrV4};
    use std::time::Duration;

    fn addrs(n: u16) -> Vec<NodeAddr> {
        (0..n).map(|i| SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9000 + i)).collect()
    }

    #[test]
    fn victims_must_be_running_except_for_the_mask() {
        assert!(Liveness::Up.can_suffer(Attack::Death) && Liveness::Paused.can_suffer(Attack::Death));
        assert!(!Liveness::Crashed.can_suffer(Attack::Death));
        assert!(Liveness::Crashed.can_suffer(Attack::AckMask) && !Liveness::Up.can_suffer(Attack::AckMask));
    }

    #[test]
    fn reachability_history_covers_the_window() {
        let a = addrs(4);
        let mut t = Truth::new(&a, FaultPlan::new(LinkRule::default()), Time::ZERO, Duration::from_secs(10));
        let mut split = t.plan().clone();
        split.partition(&[vec![a[0], a[1]], vec![a[2], a[3]]]);
        t.set_plan(split, Time::from_secs(5));
        assert!(!t.reachable(0, 2));
        assert!(t.reachable(0, 1));
        let mut healed = t.plan().clone();
        healed.heal();
        t.set_plan(healed, Time::from_secs(8));
        assert!(t.reachable(0, 2));
        // At t = 12 s the 10 s window still includes the partition...
        assert!(!t.reachable_throughout(0, 2, Time::from_secs(12), Duration::from_secs(10)));
        // ...but the same side was never cut off.
        assert!(t.reachable_throughout(0, 1, Time::from_secs(12), Duration::from_secs(10)));
        // Long after the heal, the window is clean again.
        assert!(t.reachable_throughout(0, 2, Time::from_secs(30), Duration::from_secs(10)));
        // The current stretch of reachability began at the heal for the cut
        // pair, and at the start of history for the pair never cut.
        assert_eq!(t.reachable_since(0, 2), Some(Time::from_secs(8)));
        assert_eq!(t.reachable_since(0, 1), Some(Time::ZERO));
        let mut split = t.plan().clone();
        split.partition(&[vec![a[0], a[1]], vec![a[2], a[3]]]);
        t.set_plan(split, Time::from_secs(9));
        assert_eq!(t.reachable_since(0, 2), None);
    }

    #[test]
    fn the_up_count_follows_every_change_of_condition() {
        let mut t = Truth::new(&addrs(3), FaultPlan::new(LinkRule::default()), Time::ZERO, Duration::from_secs(1));
        let steps = [(0, Liveness::Crashed), (0, Liveness::Crashed), (1, Liveness::Paused), (0, Liveness::Up)];
        for (i, (node, life)) in steps.into_iter().enumerate() {
            t.set_life(node, life, Time::from_secs(i as u64));
            assert_eq!(t.up_count(), t.up().count(), "after step {i}");
        }
        t.add(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9100), Time::from_secs(9));
        assert_eq!((t.up_count(), t.up().count()), (3, 3));
    }

    #[test]
    fn sides_decide_reachability_exactly_when_no_link_is_one_way() {
        let a = addrs(7);
        let mut plan = FaultPlan::new(LinkRule::default());
        // Groups that leave node 6 out (the implicit group), an isolated
        // node inside a group, a crashed node.
        plan.partition(&[vec![a[0], a[1], a[2]], vec![a[3], a[4]]]);
        plan.isolate(a[1]);
        plan.set_node(a[4], NodeFault::Crashed);
        let mut t = Truth::new(&a, plan.clone(), Time::ZERO, Duration::from_secs(1));
        let sides = t.sides().expect("no one-way block");
        for x in 0..a.len() {
            for y in (0..a.len()).filter(|&y| y != x) {
                let same = sides[x].is_some() && sides[x] == sides[y];
                assert_eq!(same, t.reachable(x, y), "{x} and {y}: {sides:?}");
            }
        }
        assert!(t.reachable(0, 2) && !t.reachable(0, 1) && !t.reachable(3, 4) && t.reachable(5, 6));
        plan.block_one_way(&[a[5]], &[a[6]]);
        t.set_plan(plan, Time::from_secs(1));
        assert_eq!(t.sides(), None, "a one-way block is asked pair by pair");
    }

    #[test]
    fn history_is_pruned_to_the_horizon() {
        let a = addrs(2);
        let mut t = Truth::new(&a, FaultPlan::new(LinkRule::default()), Time::ZERO, Duration::from_secs(1));
        for s in 1..100 {
            t.set_plan(t.plan().clone(), Time::from_secs(s));
        }
        assert!(t.plans.len() <= 3, "kept {} plans", t.plans.len());
    }
}
