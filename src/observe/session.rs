//! A session: the session log's records folded into measurements.
//!
//! The live observer and `gossip-lab report` both build their results by
//! feeding [`Line`]s to [`Session::apply`], so the summary printed at the
//! end of a run and the report of its saved log cannot disagree.

use std::time::Duration;

use super::action::disturbs;
use super::metrics::{Metrics, RumorSpread};
use super::model::serf_time_to;
use super::record::{Line, MetricsRecord, NodeChange, Record, RogueChange, RumorChange, parse_addr};
use super::spec::SessionSpec;
use super::summary::{AttackSummary, DetectionSummary, RumorSummary, Summary, TrafficSummary};
use super::traffic::{REJECT_REASONS, Traffic};
use super::truth::Liveness;
use super::verdict;
use crate::faults::{DropReason, FaultPlan};
use crate::protocol::{MsgKind, NodeAddr, RumorId, Time};

/// One point of the cluster's history, one per metrics record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryPoint {
    /// When.
    pub t: Time,
    /// Agreement then.
    pub agreement: f64,
    /// Accuracy then.
    pub accuracy: f64,
    /// Datagrams sent cluster-wide so far.
    pub sent_packets: u64,
    /// Bytes sent cluster-wide so far.
    pub sent_bytes: u64,
}

/// Measurements built from a stream of session-log lines.
#[derive(Clone, Debug)]
pub struct Session {
    spec: SessionSpec,
    addrs: Vec<NodeAddr>,
    metrics: Metrics,
    start_nodes: usize,
    last_action: Option<Time>,
    converged_at: Option<Time>,
    end: Time,
    latest: Option<MetricsRecord>,
    history: Vec<HistoryPoint>,
    health: Vec<u32>,
    attacks: Vec<AttackSummary>,
    /// The worst baseline link the fault plan reached (highest loss and
    /// jitter), for the phi theory's false-conviction rate.
    worst_link: crate::faults::LinkRule,
}

impl Session {
    /// A session over nodes at `addrs`, all up at time zero.
    pub fn new(spec: SessionSpec, addrs: &[NodeAddr]) -> Session {
        let plan = FaultPlan::new(spec.network);
        let metrics = Metrics::new(&spec.protocol, addrs, plan, Time::ZERO);
        let converged_at = metrics.converged().then_some(Time::ZERO);
        Session {
            addrs: addrs.to_vec(),
            metrics,
            start_nodes: addrs.len(),
            last_action: None,
            converged_at,
            end: Time::ZERO,
            latest: None,
            history: Vec::new(),
            health: vec![0; addrs.len()],
            attacks: Vec::new(),
            worst_link: spec.network,
            spec,
        }
    }

    /// The measurements so far.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The spec the session was built with.
    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    /// Node addresses, by index.
    pub fn addrs(&self) -> &[NodeAddr] {
        &self.addrs
    }

    /// One point per metrics record.
    pub fn history(&self) -> &[HistoryPoint] {
        &self.history
    }

    /// The newest metrics record.
    pub fn latest(&self) -> Option<&MetricsRecord> {
        self.latest.as_ref()
    }

    /// The newest health score of each node, from its health records.
    pub fn health(&self) -> &[u32] {
        &self.health
    }

    /// The time of the last line applied.
    pub fn end(&self) -> Time {
        self.end
    }

    /// The index of a node address.
    pub fn index_of(&self, addr: NodeAddr) -> Option<usize> {
        self.metrics.node_of(addr)
    }

    /// When the last disturbing action happened (see [`disturbs`]).
    pub fn last_action(&self) -> Option<Time> {
        self.last_action
    }

    /// When every up node's view became right again after the last
    /// disturbing action (or the start), if it has.
    pub fn converged_at(&self) -> Option<Time> {
        self.converged_at
    }

    /// Nodes at start, nodes added since, and nodes that have left.
    pub fn node_counts(&self) -> (usize, usize, usize) {
        let truth = self.metrics.truth();
        let left = (0..truth.len()).filter(|&i| truth.life(i) == Liveness::Left).count();
        (self.start_nodes, self.addrs.len() - self.start_nodes, left)
    }

    fn action(&mut self, t: Time) {
        self.last_action = Some(t);
        self.converged_at = None;
    }

    /// Folds one line in.
    pub fn apply(&mut self, line: &Line) {
        let t = line.time();
        self.end = self.end.max(t);
        // Held marks are judged at every line's time, the same lines live
        // and in a report. The summary line closes the log after the
        // summary was taken, so it must not count anything more.
        if !matches!(line.record, Record::Summary(_)) {
            self.metrics.advance(t);
        }
        match &line.record {
            Record::Node { node, addr, event } => {
                if *event == NodeChange::Added
                    && *node >= self.addrs.len()
                    && let Some(a) = parse_addr(addr)
                {
                    self.addrs.push(a);
                    self.metrics.add_node(a, t);
                    self.health.push(0);
                }
                if let Some(life) = event.liveness()
                    && *node < self.addrs.len()
                {
                    self.metrics.set_liveness(*node, life, t);
                }
            }
            Record::Fault { plan, .. } => {
                let plan = plan.to_plan(&self.addrs);
                let base = plan.baseline();
                self.worst_link.loss = self.worst_link.loss.max(base.loss);
                self.worst_link.jitter = self.worst_link.jitter.max(base.jitter);
                self.metrics.set_faults(&plan, t);
            }
            Record::Member { observer, subject, to, .. } => self.metrics.view_changed(*observer, *subject, *to, t),
            Record::Learned { observer, members } => self.metrics.learned(*observer, members, t),
            Record::Forget { observer, subject } => self.metrics.forgotten(*observer, *subject, t),
            Record::Foreign { observer, member, from, to } => {
                if let Some(member) = parse_addr(member) {
                    self.metrics.foreign_changed(*observer, member, *from, *to, t);
                }
            }
            Record::View { observer, members, foreign, foreign_more } => {
                let foreign = foreign.iter().filter_map(|(a, s)| Some((parse_addr(a)?, *s)));
                self.metrics.set_view(*observer, members.iter().copied(), foreign, *foreign_more, t);
            }
            Record::Rumor { event, node, origin, seq, cluster_sent } => {
                if let Some(total) = cluster_sent {
                    self.metrics.set_packets_sent(*total);
                }
                if let Some(origin) = parse_addr(origin) {
                    let id = RumorId { origin, seq: *seq };
                    match event {
                        RumorChange::Injected => self.metrics.rumor_injected(id, *node, t),
                        RumorChange::Delivered => self.metrics.rumor_delivered(id, *node, t),
                    }
                }
            }
            Record::Rogue(r) => {
                let s = t.since_epoch().as_secs_f64();
                match r.event {
                    RogueChange::Started => self.attacks.push(AttackSummary {
                        attack: r.attack,
                        victim: r.victim,
                        started_at_s: s,
                        stopped_at_s: None,
                        datagrams: 0,
                        bytes: 0,
                    }),
                    RogueChange::Stopped => {
                        let open = self
                            .attacks
                            .iter_mut()
                            .rev()
                            .find(|a| a.stopped_at_s.is_none() && a.attack == r.attack && a.victim == r.victim);
                        if let Some(a) = open {
                            a.stopped_at_s = Some(s);
                            a.datagrams = r.datagrams;
                            a.bytes = r.bytes;
                        }
                    }
                }
            }
            Record::Health { node, score } => {
                if let Some(h) = self.health.get_mut(*node) {
                    *h = *score;
                }
            }
            Record::Metrics(m) => {
                let total = m.nodes.iter().fold(Traffic::default(), |mut acc, n| {
                    acc.merge(&n.traffic);
                    acc
                });
                let sent = total.sent_total();
                self.metrics.set_packets_sent(sent.packets);
                self.history.push(HistoryPoint {
                    t,
                    agreement: m.agreement,
                    accuracy: m.accuracy,
                    sent_packets: sent.packets,
                    sent_bytes: sent.bytes,
                });
                self.latest = Some(m.clone());
            }
            Record::Session(_)
            | Record::Key { .. }
            | Record::Suspicion { .. }
            | Record::Refute { .. }
            | Record::Lag { .. }
            | Record::Summary(_) => {}
        }
        if disturbs(&line.record) {
            self.action(t);
        }
        if self.converged_at.is_none() && self.metrics.converged() {
            self.converged_at = Some(t);
        }
    }

    /// The summary of everything applied so far, with the expectations
    /// checked against it as far as the record can judge them
    /// ([`verdict`]).
    pub fn summary(&self) -> Summary {
        let s = |t: Time| t.since_epoch().as_secs_f64();
        let after = |t: Time, base: Time| (t - base).as_secs_f64();
        let (start, added, left) = self.node_counts();
        let detections: Vec<DetectionSummary> = self
            .metrics
            .detections()
            .iter()
            .map(|d| (d, self.spec.detection_bounds(d.cluster.max(1))))
            .map(|(d, bounds)| DetectionSummary {
                node: d.node,
                crashed_at_s: s(d.crashed_at),
                first_suspect_s: d.first_suspect.map(|t| after(t, d.crashed_at)),
                first_dead_s: d.first_dead.map(|t| after(t, d.crashed_at)),
                full_s: d.full.map(|t| after(t, d.crashed_at)),
                aborted: d.aborted,
                model_first_suspect_s: bounds.first_suspect.as_secs_f64(),
                model_first_dead_s: bounds.first_dead.as_secs_f64(),
                model_full_s: bounds.full.as_secs_f64(),
            })
            .collect();
        let (fanout, round) = self.spec.gossip_rate();
        let model = |f: f64, r: &RumorSpread| serf_time_to(f, r.target, fanout, round, r.loss).as_secs_f64();
        let rumors: Vec<RumorSummary> = self
            .metrics
            .rumors()
            .iter()
            .map(|r| RumorSummary {
                origin: r.origin,
                injected_at_s: s(r.injected_at),
                target: r.target,
                delivered: r.delivered,
                t50_s: r.t50.map(|t| after(t, r.injected_at)),
                t99_s: r.t99.map(|t| after(t, r.injected_at)),
                t100_s: r.t100.map(|t| after(t, r.injected_at)),
                packets: r.packets,
                model_t50_s: model(0.5, r),
                model_t99_s: model(0.99, r),
                model_t100_s: model(0.9999, r),
            })
            .collect();
        let duration = self.end.since_epoch();
        let traffic = self.traffic_summary(duration);
        let converged_after_s = self.converged_at.map(|t| after(t, self.last_action.unwrap_or(Time::ZERO)));
        let mut summary = Summary {
            profile: self.spec.profile.clone(),
            driver: self.spec.driver.clone(),
            nodes: start + added - left,
            nodes_at_start: start,
            nodes_added: added,
            nodes_left: left,
            seed: self.spec.seed,
            protocol: self.spec.protocol_label.clone(),
            duration_s: duration.as_secs_f64(),
            converged: self.metrics.converged(),
            agreement: self.metrics.agreement(),
            accuracy: self.metrics.accuracy(),
            last_action_s: self.last_action.map(s),
            converged_after_s,
            detections,
            false_positives: self.metrics.false_positives().len(),
            false_suspicions: self.metrics.false_suspicions().len(),
            rumors,
            attacks: self.attacks.clone(),
            traffic,
            phi_theory: self.spec.phi_theory(self.worst_link),
            events_dropped: self.latest.as_ref().map_or(0, |m| m.events_dropped),
            expectations: Vec::new(),
            passed: true,
            mode: self.spec.mode,
            cut: None,
            log: None,
        };
        verdict::judge(&self.spec, &mut summary, self.end);
        summary
    }

    fn traffic_summary(&self, duration: Duration) -> TrafficSummary {
        let Some(latest) = &self.latest else { return TrafficSummary::default() };
        let total = latest.nodes.iter().fold(Traffic::default(), |mut acc, n| {
            acc.merge(&n.traffic);
            acc
        });
        let sent = total.sent_total();
        let node_seconds = (latest.nodes.len().max(1) as f64) * duration.as_secs_f64().max(1e-9);
        TrafficSummary {
            packets_per_node_per_s: sent.packets as f64 / node_seconds,
            bytes_per_node_per_s: sent.bytes as f64 / node_seconds,
            sent_packets: sent.packets,
            sent_bytes: sent.bytes,
            sent_by_kind: MsgKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), total.sent[k.index()].packets))
                .collect(),
            dropped_by_reason: DropReason::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), total.dropped[r.index()].packets))
                .collect(),
            rejected: (0..REJECT_REASONS.len()).map(|i| total.rejected[i].packets).sum(),
            rejected_by_reason: REJECT_REASONS
                .iter()
                .zip(&total.rejected)
                .map(|(r, flow)| ((*r).to_string(), flow.packets))
                .collect(),
        }
    }
}

#[cfg(test)]
#[path = "session/tests.rs"]
mod tests;
