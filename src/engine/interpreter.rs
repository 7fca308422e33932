//! The one interpreter of [`Action`]s: every action's target, liveness rule
//! and fault-plan arithmetic, written once for both drivers.
//!
//! [`Engine::plan`] is pure apart from the random pick: it reads ground
//! truth and returns a [`Plan`], which [`Engine::apply`] then carries out
//! through a driver. Nothing here knows whether nodes are tasks on sockets
//! or entries in a simulator.

use rand::seq::IndexedRandom;

use super::{Effect, Engine, EngineError};
use crate::faults::LinkRule;
use crate::observe::Liveness;
use crate::observe::record::{NodeChange, Record, RogueChange, RogueRecord};
use crate::protocol::NodeAddr;
use crate::rogue::Spec;
use crate::scenario::{Action, NodeRef};

/// A change of one node's real condition that an action makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// The node.
    pub node: usize,
    /// What happens to it (and so its new liveness).
    pub event: NodeChange,
    /// Recorded before the effect is carried out, so that the node's own
    /// events after it (a resumed node's, a leaving node's announcement)
    /// are judged against the new condition.
    pub first: bool,
}

impl Change {
    /// A change recorded once the effect is done.
    pub fn new(node: usize, event: NodeChange) -> Change {
        Change { node, event, first: false }
    }

    /// A change recorded before the effect.
    fn first(node: usize, event: NodeChange) -> Change {
        Change { node, event, first: true }
    }
}

/// What an action comes to: the driver's effect and the bookkeeping around it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// What the driver must do.
    pub effect: Effect,
    /// The ground-truth change, if the action makes one.
    pub change: Option<Change>,
    /// A log record that must precede the effect (a rogue attack's start,
    /// before anything it sends can arrive).
    pub first: Option<Record>,
    /// Feedback for the status line (completed by the outcome for rumors
    /// and attacks).
    pub feedback: String,
}

impl Plan {
    fn new(effect: Effect, change: Option<Change>, feedback: String) -> Plan {
        Plan { effect, change, first: None, feedback }
    }
}

/// Conditions a node can be restarted from.
fn stopped(l: Liveness) -> bool {
    matches!(l, Liveness::Crashed | Liveness::Leaving | Liveness::Left)
}

fn up(l: Liveness) -> bool {
    l == Liveness::Up
}

impl Engine {
    /// Turns `action` into a [`Plan`] over the current ground truth. An
    /// error leaves everything as it was (a random pick's draw aside).
    pub fn plan(&mut self, action: &Action) -> Result<Plan, EngineError> {
        let g = &self.ground;
        Ok(match action {
            Action::Crash { node } => {
                let i = self.resolve(*node, Liveness::is_running, "crash")?;
                self.process(Effect::Crash(i), Change::new(i, NodeChange::Crashed), "crashed {}")
            }
            Action::Restart { node } => {
                let i = self.resolve(*node, stopped, "restart")?;
                self.process(Effect::Restart(i), Change::new(i, NodeChange::Restarted), "restarted {} with fresh state")
            }
            Action::Pause { node } => {
                let i = self.resolve(*node, up, "pause")?;
                self.process(Effect::Pause(i), Change::new(i, NodeChange::Paused), "paused {}")
            }
            Action::Resume { node } => {
                let i = self.resolve(*node, |l| l == Liveness::Paused, "resume")?;
                self.process(Effect::Resume(i), Change::first(i, NodeChange::Resumed), "resumed {}")
            }
            Action::Leave { node } => {
                let i = self.resolve(*node, up, "leave")?;
                self.process(Effect::Leave(i), Change::first(i, NodeChange::Leaving), "{} is leaving gracefully")
            }
            Action::Add => Plan::new(Effect::Add, None, String::new()),
            Action::Rumor { node, payload } => {
                let i = self.resolve(*node, up, "inject a rumor at")?;
                let text = format!("injected at {}", self.ground.describe(i));
                Plan::new(Effect::Rumor(i, payload.clone()), None, text)
            }
            Action::Rogue { attack, node, count, duration } => {
                let i = self.resolve(*node, |l| l.can_suffer(*attack), attack.verb())?;
                let spec = Spec::new(*attack, *count, *duration);
                let text = format!("rogue {} against {}", spec.label(), self.ground.describe(i));
                let first = Record::Rogue(RogueRecord::of(RogueChange::Started, &spec, i, 0, 0));
                Plan { first: Some(first), ..Plan::new(Effect::Forge(i, spec), None, text) }
            }
            Action::KeyInstall | Action::KeyUse { .. } | Action::KeyRemove { .. } => {
                Plan::new(Effect::Keys(action.clone()), None, String::new())
            }
            Action::Isolate { node } => {
                let i = self.resolve(*node, Liveness::is_running, "isolate")?;
                let mut plan = self.ground.plan.clone();
                plan.isolate(self.ground.addr(i));
                Plan::new(Effect::Faults(plan), None, action.label())
            }
            Action::Partition { groups, one_way } => {
                let groups = groups.resolve(g.len());
                let addrs: Vec<Vec<NodeAddr>> =
                    groups.iter().map(|g| g.iter().map(|&i| self.addr(i)).collect()).collect::<Result<_, _>>()?;
                let mut plan = self.ground.plan.clone();
                if *one_way {
                    let rest: Vec<NodeAddr> = addrs[1..].iter().flatten().copied().collect();
                    plan.block_one_way(&addrs[0], &rest);
                } else {
                    plan.partition(&addrs);
                }
                Plan::new(Effect::Faults(plan), None, action.label())
            }
            Action::Heal => {
                let mut plan = g.plan.clone();
                plan.heal();
                Plan::new(Effect::Faults(plan), None, action.label())
            }
            Action::SetLoss { loss } => self.baseline(action, LinkRule { loss: *loss, ..*g.plan.baseline() })?,
            Action::SetDelay { delay, jitter } => {
                self.baseline(action, LinkRule { delay: *delay, jitter: *jitter, ..*g.plan.baseline() })?
            }
            Action::SetDuplicate { probability } => {
                self.baseline(action, LinkRule { duplicate: *probability, ..*g.plan.baseline() })?
            }
            Action::SetReorder { probability, delay } => {
                self.baseline(action, LinkRule { reorder: *probability, reorder_gap: *delay, ..*g.plan.baseline() })?
            }
            Action::SetLink { from, to, loss, delay, jitter } => {
                let rule = LinkRule { loss: *loss, delay: *delay, jitter: *jitter, ..LinkRule::PERFECT };
                rule.validate()?;
                let mut plan = g.plan.clone();
                plan.set_link(self.addr(*from)?, self.addr(*to)?, rule);
                Plan::new(Effect::Faults(plan), None, action.label())
            }
        })
    }

    /// A plan that changes a node's process: `text` with `{}` standing
    /// for the node's description.
    fn process(&self, effect: Effect, change: Change, text: &str) -> Plan {
        Plan::new(effect, Some(change), text.replacen("{}", &self.ground.describe(change.node), 1))
    }

    /// A plan that replaces the baseline rule.
    fn baseline(&self, action: &Action, rule: LinkRule) -> Result<Plan, EngineError> {
        rule.validate()?;
        let mut plan = self.ground.plan.clone();
        plan.set_baseline(rule);
        Ok(Plan::new(Effect::Faults(plan), None, action.label()))
    }

    fn addr(&self, i: usize) -> Result<NodeAddr, EngineError> {
        (i < self.ground.len()).then(|| self.ground.addr(i)).ok_or(EngineError::NoSuchNode(i))
    }

    /// The node an action names: an index is checked against the action's
    /// rule; `random` draws among the nodes the rule allows.
    fn resolve(
        &mut self,
        node: NodeRef,
        ok: impl Fn(Liveness) -> bool,
        action: &'static str,
    ) -> Result<usize, EngineError> {
        let g = &self.ground;
        match node {
            NodeRef::Random => {
                let candidates: Vec<usize> = (0..g.len()).filter(|&i| ok(g.life(i))).collect();
                candidates.choose(&mut self.rng).copied().ok_or(EngineError::NoCandidate(action))
            }
            NodeRef::Index(i) if i >= g.len() => Err(EngineError::NoSuchNode(i)),
            NodeRef::Index(i) if !ok(g.life(i)) => {
                Err(EngineError::WrongState { node: i, state: g.life(i).as_str(), action })
            }
            NodeRef::Index(i) => Ok(i),
        }
    }
}
