//! The lab's one engine: ground truth, the action interpreter, random-node
//! picking, the timeline player, the session header and the line path,
//! each written once and shared by both drivers.
//!
//! - [`interpreter`]: the one `match` over [`crate::scenario::Action`]: it
//!   resolves the node, checks the action's liveness rule, computes any new
//!   fault plan, and turns the action into a [`Plan`]: an [`Effect`] for the
//!   driver plus the ground-truth change and log records that go with it.
//! - [`driver`]: what a driver must do to carry out an [`Effect`]; the UDP
//!   runtime ([`crate::runtime::Lab`]) and the simulator (`run --sim`)
//!   implement it.
//! - [`timeline`]: the timeline player, a pure cursor each caller drives
//!   with its own clock.
//! - [`feedback`]: what a network fault did, node by node, for the
//!   status line.
//! - [`journal`]: the line path (the [`crate::observe::Session`] fold and
//!   the optional recorder), the session header and the session spec.
//!
//! The engine never moves a packet or waits on a clock: it asks the driver
//! for the time and for the effect, and records what came of it. Adding an
//! action means one new `Action` variant plus, if no existing [`Effect`]
//! fits, one new effect that both drivers carry out.

pub mod driver;
pub mod error;
pub mod feedback;
pub mod interpreter;
pub mod journal;
pub mod timeline;

use rand::SeedableRng;
use rand::rngs::SmallRng;

pub use driver::{Driver, Effect, Outcome};
pub use error::EngineError;
pub use interpreter::{Change, Plan};
pub use journal::Journal;
pub use timeline::Timeline;

use crate::faults::{FaultPlan, LinkRule};
use crate::observe::Liveness;
use crate::observe::record::{Line, Record};
use crate::protocol::NodeAddr;
use crate::scenario::Action;

/// Salt of the runtime's random-node picks (`seed ^ RUNTIME_PICKS`).
pub const RUNTIME_PICKS: u64 = 0x1AB;
/// Salt of the simulator's random-node picks (`seed ^ SIM_PICKS`). The
/// two drivers keep different salts so their logs stay what they were.
pub const SIM_PICKS: u64 = 0x51A;

/// What is really true of the lab: each node's address and condition, and
/// the network fault plan in force. Drivers read it; only the engine
/// changes it.
#[derive(Clone, Debug)]
pub struct Ground {
    nodes: Vec<(NodeAddr, Liveness)>,
    /// The network part of the fault plan (node faults are the drivers'
    /// mechanics, derived from each node's liveness).
    plan: FaultPlan,
}

impl Ground {
    /// Number of nodes (started or added; none is ever removed).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True with no node at all.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Node `i`'s address.
    pub fn addr(&self, i: usize) -> NodeAddr {
        self.nodes[i].0
    }

    /// Node `i`'s condition.
    pub fn life(&self, i: usize) -> Liveness {
        self.nodes[i].1
    }

    /// The network fault plan in force.
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// The index of the node at `addr`.
    pub fn index_of(&self, addr: NodeAddr) -> Option<usize> {
        self.nodes.iter().position(|(a, _)| *a == addr)
    }

    /// "node 3 (127.0.0.1:4003)", for feedback.
    pub fn describe(&self, i: usize) -> String {
        format!("node {i} ({})", self.addr(i))
    }
}

/// The engine: ground truth plus the one random source of node picks.
#[derive(Debug)]
pub struct Engine {
    ground: Ground,
    rng: SmallRng,
}

impl Engine {
    /// An engine over nodes at `addrs`, all up, on a network following
    /// `baseline`; random picks draw from `picks_seed`.
    pub fn new(addrs: &[NodeAddr], baseline: LinkRule, picks_seed: u64) -> Engine {
        let nodes = addrs.iter().map(|&a| (a, Liveness::Up)).collect();
        Engine { ground: Ground { nodes, plan: FaultPlan::new(baseline) }, rng: SmallRng::seed_from_u64(picks_seed) }
    }

    /// Ground truth as of the last action.
    pub fn ground(&self) -> &Ground {
        &self.ground
    }

    /// Carries out `action` through `driver`: plans it, records what must
    /// precede the effect, has the driver carry the effect out, records
    /// the outcome, and answers with a line of feedback for the status bar.
    /// On an error nothing was recorded after the failing step.
    pub async fn apply<D: Driver>(&mut self, driver: &mut D, action: &Action) -> Result<String, EngineError> {
        // A leave ends inside the driver; learn it before picking.
        for i in 0..self.ground.len() {
            if self.ground.life(i) == Liveness::Leaving && driver.has_left(i) {
                self.ground.nodes[i].1 = Liveness::Left;
            }
        }
        let plan = self.plan(action)?;
        if let Some(change) = plan.change.filter(|c| c.first) {
            self.change(driver, change).await?;
        }
        if let Some(record) = plan.first {
            driver.record(Line::at(driver.now(), record)).await.map_err(EngineError::Log)?;
        }
        let outcome = driver.carry_out(&plan.effect, &self.ground).await?;
        if let Some(change) = plan.change.filter(|c| !c.first) {
            self.change(driver, change).await?;
        }
        let mut feedback = match outcome {
            Outcome::Done => plan.feedback,
            Outcome::Added(addr) => {
                self.ground.nodes.push((addr, Liveness::Up));
                let change = Change::new(self.ground.len() - 1, crate::observe::record::NodeChange::Added);
                self.change(driver, change).await?;
                format!("added {}", self.ground.describe(change.node))
            }
            Outcome::Rumor(id) => format!("rumor #{} {}", id.seq, plan.feedback),
            Outcome::Forged(detail) => format!("{} {detail}", plan.feedback),
            Outcome::Keys { record, feedback } => {
                driver.record(Line::at(driver.now(), *record)).await.map_err(EngineError::Log)?;
                feedback
            }
        };
        if let Effect::Faults(new) = plan.effect {
            let index = |a| self.ground.index_of(a);
            let before = crate::observe::record::PlanRecord::of(&self.ground.plan, index);
            let after = crate::observe::record::PlanRecord::of(&new, index);
            feedback = feedback::fault(action, &before, &after);
            self.ground.plan = new;
            let record = Record::Fault {
                label: action.label(),
                action: serde_json::to_value(action).unwrap_or(serde_json::Value::Null),
                plan: after,
            };
            driver.record(Line::at(driver.now(), record)).await.map_err(EngineError::Log)?;
        }
        Ok(feedback)
    }

    /// Records a change of a node's real condition: ground truth, then the
    /// session-log line.
    async fn change<D: Driver>(&mut self, driver: &mut D, change: Change) -> Result<(), EngineError> {
        if let Some(life) = change.event.liveness() {
            self.ground.nodes[change.node].1 = life;
        }
        let record =
            Record::Node { node: change.node, addr: self.ground.addr(change.node).to_string(), event: change.event };
        driver.record(Line::at(driver.now(), record)).await.map_err(EngineError::Log)
    }
}

#[cfg(test)]
mod tests;
