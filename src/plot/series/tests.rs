//! Sampling a hand-made session: each series holds what the lines say.

use super::*;
use crate::observe::record::{MetricsRecord, NodeChange, NodeMetrics, PlanRecord, RumorChange};
use crate::observe::testkit::{addrs, spec};
use crate::protocol::Time;

fn session(n: u16) -> Session {
    Session::new(spec(), &addrs(n))
}

fn at(ms: u64, record: Record) -> Line {
    Line::at(Time::from_millis(ms), record)
}

fn member(ms: u64, observer: usize, subject: usize, to: State) -> Line {
    at(ms, Record::Member { observer, subject, from: None, to, incarnation: 0 })
}

/// A metrics line where node i has sent `sent[i]` datagrams of 100 bytes
/// and dropped `lost[i]` to loss.
fn metrics(ms: u64, nodes: &[(usize, u64, u64)]) -> Line {
    let nodes = nodes
        .iter()
        .map(|&(node, sent, lost)| {
            let mut traffic = Traffic::default();
            traffic.sent[0] = crate::observe::Flow { packets: sent, bytes: sent * 100 };
            traffic.dropped[DropReason::Loss.index()].packets = lost;
            NodeMetrics {
                node,
                health: node as u32,
                incarnation: 0,
                queue: 0,
                foreign: 0,
                refused: Default::default(),
                status: Default::default(),
                traffic,
            }
        })
        .collect();
    at(ms, Record::Metrics(MetricsRecord { agreement: 1.0, accuracy: 1.0, events_dropped: 0, nodes }))
}

fn node(ms: u64, node: usize, event: NodeChange) -> Line {
    at(ms, Record::Node { node, addr: addrs(3)[node].to_string(), event })
}

/// Three nodes that know each other; node 2 crashes at 1.5 s and is
/// suspected, then held dead by both others; a partition from 2.5 s.
fn crash_session() -> Vec<Line> {
    let mut lines = Vec::new();
    for o in 0..3 {
        for s in 0..3 {
            lines.push(member(0, o, s, State::Alive));
        }
    }
    let origin = addrs(3)[0].to_string();
    let rumor =
        |ms, event, node| at(ms, Record::Rumor { event, node, origin: origin.clone(), seq: 1, cluster_sent: None });
    lines.push(rumor(500, RumorChange::Injected, 0));
    lines.push(rumor(500, RumorChange::Delivered, 0));
    lines.push(rumor(600, RumorChange::Delivered, 1));
    lines.push(rumor(800, RumorChange::Delivered, 2));
    lines.push(metrics(1000, &[(0, 10, 0), (1, 10, 0), (2, 10, 0)]));
    lines.push(node(1500, 2, NodeChange::Crashed));
    lines.push(member(1700, 0, 2, State::Suspect));
    lines.push(metrics(2000, &[(0, 30, 2), (1, 30, 0)]));
    lines.push(member(2200, 0, 2, State::Dead));
    lines.push(member(2400, 1, 2, State::Dead));
    let split = PlanRecord { groups: vec![vec![0], vec![1, 2]], ..PlanRecord::default() };
    lines.push(at(2500, Record::Fault { label: "partition".into(), action: serde_json::Value::Null, plan: split }));
    lines.push(metrics(3000, &[(0, 40, 2), (1, 50, 0)]));
    lines
}

#[test]
fn a_crash_is_measured_from_the_fold_with_the_cluster_size_before_it() {
    let s = sample(session(3), &crash_session());
    assert_eq!(s.end, 3.0);
    assert_eq!(s.crashes.len(), 1);
    let c = &s.crashes[0];
    assert_eq!((c.node, c.at, c.nodes), (2, 1.5, 3));
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert!(close(c.first_suspect, 0.2) && close(c.first_dead, 0.7) && close(c.full, 0.9), "{c:?}");
    assert_eq!(s.windows.len(), 2, "the crash and the partition: {:?}", s.windows);
}

#[test]
fn rates_count_each_nodes_own_difference_and_a_crashed_node_adds_nothing() {
    let s = sample(session(3), &crash_session());
    let got: Vec<(f64, f64, f64, f64)> =
        s.rates.iter().map(|r| (r.t, r.packets, r.bytes, r.drops[DropReason::Loss.index()])).collect();
    // 1→2 s: nodes 0 and 1 sent 20 each; node 2 is gone. 2→3 s: 10 + 20.
    assert_eq!(got, [(2.0, 40.0, 4000.0, 2.0), (3.0, 30.0, 3000.0, 0.0)]);
    assert_eq!(s.health[1].scores, [Some(0), Some(1), None]);
}

#[test]
fn a_restarted_nodes_fresh_counters_are_no_negative_rate() {
    let lines = [metrics(1000, &[(0, 100, 0)]), metrics(2000, &[(0, 5, 0)])];
    let s = sample(session(1), &lines);
    assert_eq!(s.rates[0].packets, 5.0);
}

#[test]
fn views_are_sampled_on_both_sides_of_an_action() {
    let s = sample(session(3), &crash_session());
    let around: Vec<&ViewPoint> = s.views.iter().filter(|v| v.t == 1.5).collect();
    assert_eq!(around.len(), 2);
    // Before the crash every view is right; after it, nobody's is.
    assert_eq!((around[0].accuracy, around[1].accuracy), (1.0, 0.0));
    let at2 = s.views.iter().find(|v| v.t == 2.0).unwrap();
    assert_eq!(at2.suspicions, 1, "node 0 suspects node 2");
}

#[test]
fn the_heat_map_holds_each_subjects_share_of_up_observers_holding_it_alive() {
    let s = sample(session(3), &crash_session());
    assert_eq!(s.heat.columns.len(), 3, "one bin per metrics line when there are few");
    assert_eq!(s.heat.columns[0], [Some(1.0), Some(1.0), Some(1.0)]);
    // At 2 s, node 0 suspects node 2 and node 1 still holds it alive.
    assert_eq!(s.heat.columns[1][2], Some(0.5));
    assert_eq!(s.heat.columns[2][2], Some(0.0));
}

#[test]
fn a_rumor_curve_starts_at_injection_and_reaches_its_target() {
    let s = sample(session(3), &crash_session());
    let r = &s.rumors[0];
    assert_eq!((r.origin, r.at, r.target, r.loss), (0, 0.5, 3, 0.0));
    let xs: Vec<f64> = r.curve.iter().map(|p| (p.0 * 1000.0).round()).collect();
    assert_eq!(xs, [0.0, 0.0, 100.0, 300.0]);
    assert_eq!(r.curve.last().unwrap().1, 1.0);
}

#[test]
fn the_heat_map_is_bounded_for_long_sessions() {
    let lines: Vec<Line> = (1..=1000).map(|i| metrics(i * 1000, &[(0, i, 0)])).collect();
    let s = sample(session(1), &lines);
    assert_eq!(s.heat.columns.len(), HEAT_BINS);
    assert_eq!(s.views.len(), 1000);
}
