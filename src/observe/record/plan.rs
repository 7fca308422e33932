//! The fault plan as the log writes it: nodes by index, durations in
//! milliseconds, so a report or replay rebuilds the exact plan in force.

use serde::{Deserialize, Serialize};

use crate::faults::{FaultPlan, LinkRule};
use crate::protocol::NodeAddr;

/// A link rule in the log (durations in milliseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// Loss probability.
    pub loss: f64,
    /// Fixed delay, ms.
    pub delay_ms: f64,
    /// Jitter, ms.
    pub jitter_ms: f64,
    /// Duplication probability.
    pub duplicate: f64,
    /// Reordering probability; left out of the line when zero, as logs
    /// written before reordering existed have it.
    #[serde(default, skip_serializing_if = "no_rate")]
    pub reorder: f64,
    /// How long a reordered datagram is held back, ms; left out when zero.
    #[serde(default, skip_serializing_if = "no_rate")]
    pub reorder_gap_ms: f64,
}

fn no_rate(v: &f64) -> bool {
    *v == 0.0
}

impl From<&LinkRule> for LinkRecord {
    fn from(r: &LinkRule) -> LinkRecord {
        LinkRecord {
            loss: r.loss,
            delay_ms: r.delay.as_secs_f64() * 1000.0,
            jitter_ms: r.jitter.as_secs_f64() * 1000.0,
            duplicate: r.duplicate,
            reorder: r.reorder,
            reorder_gap_ms: r.reorder_gap.as_secs_f64() * 1000.0,
        }
    }
}

impl From<&LinkRecord> for LinkRule {
    fn from(r: &LinkRecord) -> LinkRule {
        let ms = crate::duration::from_log_ms;
        LinkRule {
            loss: r.loss,
            delay: ms(r.delay_ms),
            jitter: ms(r.jitter_ms),
            duplicate: r.duplicate,
            reorder: r.reorder,
            reorder_gap: ms(r.reorder_gap_ms),
        }
    }
}

/// A one-way block in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneWayRecord {
    /// Senders that are blocked.
    pub from: Vec<usize>,
    /// Receivers they cannot reach.
    pub to: Vec<usize>,
}

/// A per-link override in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkOverride {
    /// Sender.
    pub from: usize,
    /// Receiver.
    pub to: usize,
    /// The rule for that direction.
    pub rule: LinkRecord,
}

/// A whole fault plan, by node index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The rule of every link without an override.
    pub baseline: LinkRecord,
    /// Partition groups (empty: no partition).
    #[serde(default)]
    pub groups: Vec<Vec<usize>>,
    /// One-way blocks.
    #[serde(default)]
    pub one_way: Vec<OneWayRecord>,
    /// Isolated nodes.
    #[serde(default)]
    pub isolated: Vec<usize>,
    /// Per-link overrides.
    #[serde(default)]
    pub links: Vec<LinkOverride>,
}

impl PlanRecord {
    /// The record of `plan`, naming nodes by their index in `addrs`.
    pub fn of(plan: &FaultPlan, index: impl Fn(NodeAddr) -> Option<usize>) -> PlanRecord {
        let ids = |set: &mut dyn Iterator<Item = NodeAddr>| -> Vec<usize> { set.filter_map(&index).collect() };
        PlanRecord {
            baseline: plan.baseline().into(),
            groups: plan.groups().iter().map(|g| ids(&mut g.iter().copied())).collect(),
            one_way: plan
                .one_way_blocks()
                .iter()
                .map(|b| OneWayRecord { from: ids(&mut b.from.iter().copied()), to: ids(&mut b.to.iter().copied()) })
                .collect(),
            isolated: ids(&mut plan.isolated()),
            links: plan
                .links()
                .filter_map(|(f, t, r)| Some(LinkOverride { from: index(f)?, to: index(t)?, rule: r.into() }))
                .collect(),
        }
    }

    /// The fault plan this record describes, for nodes at `addrs`.
    pub fn to_plan(&self, addrs: &[NodeAddr]) -> FaultPlan {
        let addr = |i: &usize| addrs.get(*i).copied();
        let mut plan = FaultPlan::new((&self.baseline).into());
        if !self.groups.is_empty() {
            let groups: Vec<Vec<NodeAddr>> = self.groups.iter().map(|g| g.iter().filter_map(addr).collect()).collect();
            plan.partition(&groups);
        }
        for b in &self.one_way {
            let from: Vec<NodeAddr> = b.from.iter().filter_map(addr).collect();
            let to: Vec<NodeAddr> = b.to.iter().filter_map(addr).collect();
            plan.block_one_way(&from, &to);
        }
        for i in &self.isolated {
            if let Some(a) = addr(i) {
                plan.isolate(a);
            }
        }
        for l in &self.links {
            if let (Some(f), Some(t)) = (addr(&l.from), addr(&l.to)) {
                plan.set_link(f, t, (&l.rule).into());
            }
        }
        plan
    }
}
