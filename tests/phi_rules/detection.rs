//! Phi against the theory, suspicion at half the threshold, conviction,
//! forgetting, and generations.

use gossip_lab::protocol::phi::theory;
use gossip_lab::protocol::{Event, State};

use super::*;

/// Runs `n`'s timers, as a driver would, up to `end`; its events.
fn run_to(n: &mut Node, end: Time) -> Vec<(Time, Event)> {
    let mut out = Vec::new();
    while let Some(at) = n.poll_timeout().filter(|&at| at <= end) {
        n.handle_timeout(at);
        drain(n);
        out.extend(events(n).into_iter().map(|e| (at, e)));
    }
    out
}

/// a hears b's heartbeat every round until `until` (ms), then silence.
fn heartbeats_until(until: u64) -> (Node, Node) {
    let (mut a, mut b) = pair();
    let mut t = 200;
    while t <= until {
        b.handle_timeout(ms(t));
        a.handle_timeout(ms(t));
        exchange(&mut [&mut a, &mut b], ms(t));
        t += 200;
    }
    events(&mut a);
    (a, b)
}

#[test]
fn a_silent_subject_is_suspected_at_half_the_threshold_and_convicted_at_it_as_the_theory_says() {
    let (mut a, b) = heartbeats_until(10_000);
    let cfg = a.config().clone();
    let last = ms(10_000);
    // The fit a learned: 200 ms rounds, no jitter, so sd is the floor.
    let view = a.phis(last, 0.0).find(|p| p.subject == b.addr()).unwrap();
    assert!((view.mean.as_secs_f64() - 0.8).abs() < 0.01, "mean {:?} (round + 600 ms pause)", view.mean);
    assert!(view.phi < 1.0);
    let suspect_at = theory::expected_suspicion(&cfg, cfg.heartbeat_interval, secs(0.0));
    let convict_at = theory::expected_conviction(&cfg, cfg.heartbeat_interval, secs(0.0));
    // Judged at the instant phi crosses each threshold.
    let seen = run_to(&mut a, ms(20_000));
    let at = |want: fn(&Event, NodeAddr) -> bool| seen.iter().find(|(_, e)| want(e, b.addr())).map(|(t, _)| *t);
    let suspected = at(|e, b| matches!(e, Event::SuspicionStarted { member, .. } if *member == b));
    let convicted = at(|e, b| matches!(e, Event::MemberChanged { member, to: State::Dead, .. } if *member == b));
    let (s, c) = (suspected.expect("suspected") - last, convicted.expect("convicted") - last);
    let near = |got: Duration, want: Duration| got.abs_diff(want) < Duration::from_millis(2);
    assert!(near(s, suspect_at), "suspect after {s:?}, theory {suspect_at:?}");
    assert!(near(c, convict_at), "convicted after {c:?}, theory {convict_at:?}");
    assert!(s < c);
}

#[test]
fn a_heartbeat_refutes_a_suspicion_and_revives_a_convicted_member() {
    let (mut a, mut b) = heartbeats_until(4_000);
    run_to(&mut a, ms(5_000));
    assert_eq!(a.member(b.addr()).unwrap().state, State::Dead, "1 s of silence convicts at 200 ms rounds");
    events(&mut a);
    b.handle_timeout(ms(5_200));
    exchange(&mut [&mut a, &mut b], ms(5_200));
    assert_eq!(a.member(b.addr()).unwrap().state, State::Alive);
    // The outage is not a sample: the fit is still the rounds'.
    let view = a.phis(ms(5_200), 0.0).find(|p| p.subject == b.addr()).unwrap();
    assert!(view.mean.as_secs_f64() < 0.85, "{:?}", view.mean);
}

#[test]
fn a_convicted_member_is_forgotten_after_remove_after() {
    let (mut a, b) = heartbeats_until(2_000);
    let remove = a.config().remove_after;
    let seen = run_to(&mut a, ms(2_000) + remove + secs(5.0));
    let dead =
        seen.iter().find(|(_, e)| matches!(e, Event::MemberChanged { to: State::Dead, .. })).expect("convicted").0;
    let gone = seen.iter().find(|(_, e)| *e == Event::MemberForgotten { member: b.addr() }).expect("forgotten").0;
    assert!(a.member(b.addr()).is_none());
    assert!(gone - dead >= remove && gone - dead < remove + a.config().heartbeat_interval, "{:?}", gone - dead);
}

#[test]
fn a_restart_comes_back_with_a_higher_generation_that_replaces_the_old_state() {
    let (mut a, mut b) = pair();
    b.broadcast_rumor(b"old".to_vec(), ms(100)).unwrap();
    b.handle_timeout(ms(200));
    exchange(&mut [&mut a, &mut b], ms(200));
    let old = a.heartbeats().find(|h| h.subject == b.addr()).unwrap();
    assert_eq!(old.max_version, 1);
    // b restarts on the same address at 3 s.
    let mut b2 = node(1, ms(3_000));
    assert!(b2.generation() > b.generation());
    b2.join(&[a.addr()], ms(3_000));
    exchange(&mut [&mut a, &mut b2], ms(3_000));
    let new = a.heartbeats().find(|h| h.subject == b2.addr()).unwrap();
    assert_eq!(new.generation, b2.generation());
    assert_eq!(new.max_version, 0, "the old life's state is gone");
    assert_eq!(a.member(b2.addr()).unwrap().incarnation, b2.generation());
}

#[test]
fn an_observer_that_stalled_does_not_convict_its_peers_on_waking() {
    let (mut a, b) = heartbeats_until(4_000);
    // a is paused for 3 s: its next round runs 3 s late.
    a.handle_timeout(ms(7_000));
    drain(&mut a);
    assert_eq!(a.member(b.addr()).unwrap().state, State::Alive, "its own stall is forgiven");
    // A silence that is b's, once a runs on time again, still convicts.
    run_to(&mut a, ms(10_000));
    assert_eq!(a.member(b.addr()).unwrap().state, State::Dead);
}

#[test]
fn a_forgotten_member_is_not_gossiped_back_in_until_news_of_it_is_newer() {
    let (mut a, b) = heartbeats_until(2_000);
    let end = ms(2_000) + a.config().remove_after + secs(5.0);
    run_to(&mut a, end);
    assert!(a.member(b.addr()).is_none(), "forgotten");
    // A third node that has not forgotten b yet gossips its last life.
    let mut c = node(2, end);
    c.join(&[a.addr()], end);
    exchange(&mut [&mut a, &mut c], end);
    let last = b.heartbeats().next().expect("b's own row");
    let stale = Digest { node: b.addr(), generation: last.generation, heartbeat: last.heartbeat, max_version: 0 };
    a.handle_packet(c.addr(), syn(scuttle(vec![stale], vec![])), end);
    assert!(a.member(b.addr()).is_none(), "the life a convicted and forgot stays forgotten");
    // A higher heartbeat means b is running after all (a partition healed).
    let newer = Digest { heartbeat: last.heartbeat + 1, ..stale };
    a.handle_packet(c.addr(), syn(scuttle(vec![newer], vec![])), end);
    assert_eq!(a.member(b.addr()).map(|m| m.state), Some(State::Alive));
}

#[test]
fn the_phis_above_a_floor_are_exactly_those_phi_puts_there() {
    let (a, b) = heartbeats_until(10_000);
    let phi_at = |t: u64| a.phis(ms(t), 0.0).find(|p| p.subject == b.addr()).expect("judged").phi;
    // On time (within the fitted mean), then silent well past it.
    for t in [10_100, 10_700, 11_000, 11_300] {
        let all = phi_at(t);
        let above: Vec<f64> = a.phis(ms(t), 1.0).filter(|p| p.subject == b.addr()).map(|p| p.phi).collect();
        if all >= 1.0 {
            assert_eq!(above, [all], "at {t} ms phi {all} is above the floor and must be listed");
        } else {
            assert!(above.is_empty(), "at {t} ms phi {all} is below the floor");
        }
    }
    assert!(phi_at(10_100) < 1.0 && phi_at(11_300) >= 1.0, "both cases are exercised");
}
