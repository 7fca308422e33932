//! The metrics' rules, on small clusters fed by hand.

use super::*;
use crate::faults::LinkRule;
use crate::observe::testkit::{changed, fake, mesh, moved};
use std::time::Duration;

/// Three nodes that all know each other at t = 0.
fn full_mesh() -> (Metrics, Vec<NodeAddr>) {
    mesh(3)
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

#[test]
fn a_foreign_member_held_alive_lowers_accuracy_until_it_is_gone() {
    let (mut m, _) = full_mesh();
    let t = Time::from_secs;
    m.on_event(0, &changed(fake(1), State::Alive), t(1));
    assert_eq!(m.foreign_count(0), 1);
    assert!(!m.accurate(0), "node 0 holds a member that is no lab node");
    assert!((m.accuracy() - 2.0 / 3.0).abs() < 1e-9, "accuracy {}", m.accuracy());
    assert!(!m.converged());
    m.on_event(0, &moved(fake(1), State::Alive, State::Suspect), t(2));
    assert!(!m.converged(), "a suspect is still held");
    m.on_event(0, &moved(fake(1), State::Suspect, State::Dead), t(3));
    assert!(m.converged(), "held dead, it is out of the view");
    m.on_event(0, &Event::MemberForgotten { member: fake(1) }, t(4));
    assert!(m.converged());
    // Reaped straight from the table, it is gone just the same.
    m.on_event(1, &changed(fake(2), State::Alive), t(5));
    assert!(!m.converged());
    m.on_event(1, &Event::MemberForgotten { member: fake(2) }, t(6));
    assert_eq!(m.foreign_count(1), 0);
    assert!(m.converged());
}

#[test]
fn a_resync_carries_foreign_members() {
    let (mut m, _) = full_mesh();
    let all = [(0, State::Alive), (1, State::Alive), (2, State::Alive)];
    m.set_view(2, all, [(fake(1), State::Suspect)], 4, Time::from_secs(1));
    assert_eq!(m.foreign_count(2), 5, "one listed, four more counted");
    assert!(!m.converged());
    m.set_view(2, all, [], 0, Time::from_secs(2));
    assert!(m.converged());
}

#[test]
fn forgetting_a_crashed_node_is_accurate_but_forgetting_a_running_one_is_not() {
    let (mut m, a) = full_mesh();
    let t = Time::from_secs;
    m.set_liveness(2, Liveness::Crashed, t(1));
    m.on_event(0, &changed(a[2], State::Dead), t(2));
    m.on_event(1, &changed(a[2], State::Dead), t(2));
    assert!(m.converged());
    m.on_event(0, &Event::MemberForgotten { member: a[2] }, t(3));
    assert_eq!(m.views().get(0, 2), None, "reaped: unknown again");
    assert!(m.converged(), "a forgotten crashed node is rightly absent");
    m.on_event(1, &Event::MemberForgotten { member: a[0] }, t(4));
    assert_eq!(m.views().get(1, 0), None);
    assert!(!m.accurate(1), "node 1's view lacks running node 0");
    assert!(m.accurate(0));
}
