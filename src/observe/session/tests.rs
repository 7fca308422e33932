//! The session fold: records in, the same measurements live and in a report.

use super::*;
use crate::faults::LinkRule;
use crate::observe::record::{from_event, view_record};
use crate::observe::testkit::{addrs, changed, fake, moved, spec};
use crate::protocol::{Config, Event, State};

/// The simulator feeds its metrics node events; a report folds the
/// log lines written from the same events. Foreign members, reaped
/// members and resyncs must come out the same both ways, or `report`
/// would not reproduce the run's accuracy.
#[test]
fn foreign_forget_and_resync_lines_replay_to_the_live_measurements() {
    let a = addrs(3);
    let index = |x: NodeAddr| a.iter().position(|&y| y == x);
    let mut live = Metrics::new(&Config::fast(), &a, FaultPlan::new(LinkRule::default()), Time::ZERO);
    let mut session = Session::new(spec(), &a);
    let mut feed = |t: Time, node: usize, event: Event| {
        live.on_event(node, &event, t);
        let record = from_event(node, event, index, |i| a.get(i).copied(), || 0).expect("a record");
        let text = serde_json::to_string(&Line::at(t, record)).expect("serializes");
        session.apply(&serde_json::from_str(&text).expect("parses back"));
    };
    let t = Time::from_millis;
    for o in 0..3 {
        for &s in &a {
            feed(t(0), o, changed(s, State::Alive));
        }
    }
    feed(t(100), 0, changed(fake(1), State::Alive));
    feed(t(200), 1, changed(fake(2), State::Alive));
    feed(t(300), 1, moved(fake(2), State::Alive, State::Dead));
    feed(t(400), 1, Event::MemberForgotten { member: fake(2) });
    feed(t(500), 2, moved(a[1], State::Alive, State::Dead));
    feed(t(600), 2, Event::MemberForgotten { member: a[1] });
    for (o, want) in [(0, 1), (1, 0), (2, 0)] {
        assert_eq!(session.metrics().foreign_count(o), want, "observer {o}");
        assert_eq!(live.foreign_count(o), want, "observer {o}");
    }
    assert_eq!(session.metrics().views().get(2, 1), None, "reaped in the log too");
    assert_eq!(session.metrics().accuracy(), live.accuracy());
    assert!((session.metrics().accuracy() - 1.0 / 3.0).abs() < 1e-9, "only node 1 is right");

    // A resync of node 0 that still lists the fake member keeps it.
    let members = [(a[0], State::Alive), (a[1], State::Alive), (a[2], State::Alive), (fake(1), State::Alive)];
    let record = view_record(0, members, index);
    let text = serde_json::to_string(&Line::at(t(700), record)).expect("serializes");
    session.apply(&serde_json::from_str(&text).expect("parses back"));
    assert_eq!(session.metrics().foreign_count(0), 1);
    assert_eq!(session.metrics().accuracy(), live.accuracy());
}

#[test]
fn logs_without_the_new_fields_still_read() {
    let view = r#"{"t_ms":5.0,"kind":"view","observer":0,"members":[[0,"alive"]]}"#;
    let line: Line = serde_json::from_str(view).expect("an old view line reads");
    assert!(matches!(line.record, Record::View { ref foreign, foreign_more: 0, .. } if foreign.is_empty()));
    let traffic = serde_json::to_value(Traffic::default()).expect("serializes");
    let node = serde_json::json!({"node": 0, "health": 0, "incarnation": 0, "traffic": traffic});
    let m: crate::observe::record::NodeMetrics = serde_json::from_value(node).expect("an old metrics node reads");
    assert_eq!(m.foreign, 0);
}

/// The summary said 16 nodes after a node was added: counts follow adds
/// and leaves.
#[test]
fn node_counts_follow_adds_and_leaves() {
    let a = addrs(4);
    let mut session = Session::new(spec(), &a);
    let node = |node: usize, addr: NodeAddr, event: NodeChange| {
        Line::at(Time::from_secs(1 + node as u64), Record::Node { node, addr: addr.to_string(), event })
    };
    let extra = fake(9);
    session.apply(&node(4, extra, NodeChange::Added));
    session.apply(&node(1, a[1], NodeChange::Leaving));
    session.apply(&node(1, a[1], NodeChange::Left));
    let s = session.summary();
    assert_eq!((s.nodes_at_start, s.nodes_added, s.nodes_left, s.nodes), (4, 1, 1, 4));
    assert!(s.render_text().contains("4 nodes at start; 4 at the end (1 added, 1 left)"), "{}", s.render_text());
    session.apply(&node(2, a[2], NodeChange::Crashed));
    assert_eq!(session.summary().nodes, 4, "a crashed node is still a node of the lab");
}

/// The detection model is judged at the cluster each crash hit, not the
/// one the session started with: the first of two crashes of four nodes
/// meets 3 probers, the second 2.
#[test]
fn each_crash_is_judged_at_the_cluster_size_it_hit() {
    let a = addrs(4);
    let mut session = Session::new(spec(), &a);
    let crash = |node: usize, ms: u64| {
        Line::at(Time::from_millis(ms), Record::Node { node, addr: a[node].to_string(), event: NodeChange::Crashed })
    };
    session.apply(&crash(3, 1000));
    session.apply(&crash(2, 2000));
    let config = Config::fast();
    let want = |n| crate::observe::model::expected_first_suspicion(&config, n).as_secs_f64();
    let got: Vec<f64> = session.summary().detections.iter().map(|d| d.model_first_suspect_s).collect();
    assert_eq!(got, [want(4), want(3)]);
}
