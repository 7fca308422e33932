//! Rumor spread (DESIGN §7): per rumor, when 50%, 99% and 100% of the
//! nodes up at injection had it, and the packets the cluster sent
//! meanwhile. Apart from the view metrics because it needs none of the
//! membership state, only deliveries and the packet count
//! ([`super::traffic`]) at injection and at full spread.

use std::collections::HashMap;

use serde::Serialize;

use crate::protocol::{RumorId, Time};

/// The spread of one rumor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RumorSpread {
    /// The rumor.
    pub id: RumorId,
    /// Where it was injected.
    pub origin: usize,
    /// When.
    pub injected_at: Time,
    /// Nodes up at injection: the 100% mark.
    pub target: usize,
    /// The network's loss at injection: the spread model is judged at it.
    #[serde(skip)]
    pub loss: f64,
    /// Nodes that delivered it so far.
    pub delivered: usize,
    /// When half the target had it.
    pub t50: Option<Time>,
    /// When 99% had it.
    pub t99: Option<Time>,
    /// When all had it.
    pub t100: Option<Time>,
    /// Packets the whole cluster sent from injection to `t100`.
    pub packets: Option<u64>,
    #[serde(skip)]
    seen: Vec<bool>,
    #[serde(skip)]
    packets_at_injection: u64,
    /// Delivery times in arrival order, for the dashboard's spread curve;
    /// not in the summary, which keeps only the milestones.
    #[serde(skip)]
    deliveries: Vec<Time>,
}

impl RumorSpread {
    /// When each delivering node got the rumor, in arrival order (one
    /// entry per node, so at most the cluster size).
    pub fn deliveries(&self) -> &[Time] {
        &self.deliveries
    }

    /// Whether node `node` has delivered it.
    pub fn delivered_by(&self, node: usize) -> bool {
        self.seen.get(node).copied().unwrap_or(false)
    }
}

/// Every rumor of a session.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rumors {
    list: Vec<RumorSpread>,
    index: HashMap<RumorId, usize>,
}

impl Rumors {
    /// Rumors so far.
    pub(crate) fn all(&self) -> &[RumorSpread] {
        &self.list
    }

    /// Rumor `id` was injected at `origin` while `target` nodes were up
    /// out of `nodes`, and the cluster had sent `packets_sent` datagrams.
    pub(crate) fn injected(
        &mut self,
        id: RumorId,
        origin: usize,
        t: Time,
        (target, nodes): (usize, usize),
        loss: f64,
        packets_sent: u64,
    ) {
        self.index.insert(id, self.list.len());
        self.list.push(RumorSpread {
            id,
            origin,
            injected_at: t,
            target,
            loss,
            delivered: 0,
            t50: None,
            t99: None,
            t100: None,
            packets: None,
            seen: vec![false; nodes],
            packets_at_injection: packets_sent,
            deliveries: Vec::new(),
        });
    }

    /// Node `node` delivered rumor `id` when the cluster had sent
    /// `packets_sent` datagrams.
    pub(crate) fn delivered(&mut self, id: RumorId, node: usize, t: Time, packets_sent: u64) {
        let Some(&i) = self.index.get(&id) else { return };
        let r = &mut self.list[i];
        if r.seen.len() <= node {
            r.seen.resize(node + 1, false);
        }
        if std::mem::replace(&mut r.seen[node], true) {
            return;
        }
        r.delivered += 1;
        r.deliveries.push(t);
        let reached = |pct: usize| r.delivered * 100 >= r.target * pct;
        if reached(50) && r.t50.is_none() {
            r.t50 = Some(t);
        }
        if reached(99) && r.t99.is_none() {
            r.t99 = Some(t);
        }
        if reached(100) && r.t100.is_none() {
            r.t100 = Some(t);
            r.packets = Some(packets_sent - r.packets_at_injection);
        }
    }
}
