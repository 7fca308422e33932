//! State precedence and refutation, and probing: direct, indirect, the health
//! score that stretches it, and the buddy rule.

use std::time::Duration;

use crate::common::*;
use gossip_lab::protocol::{Body, Config, Event, Node, NodeAddr, Packet, State, Time, Transmit, Update};

// ----- state precedence and refutation ------------------------------------

#[test]
fn suspect_overrides_alive_at_equal_incarnation_and_alive_needs_a_higher_one() {
    let mut n = node_with_peers(3, fast());
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(state(&n, 1), Some((State::Suspect, 0)));
    n.handle_packet(addr(2), gossip(vec![Update::Alive { member: addr(1), incarnation: 0 }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Suspect, 0)), "equal-incarnation alive must not clear a suspicion");
    n.handle_packet(addr(2), gossip(vec![Update::Alive { member: addr(1), incarnation: 1 }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Alive, 1)));
    let ev = events(&mut n);
    assert!(ev.contains(&Event::SuspicionRefuted { member: addr(1), incarnation: 1 }), "{ev:?}");
    assert_eq!(n.suspicions().count(), 0);
}

#[test]
fn dead_overrides_suspect_and_alive_but_not_a_newer_incarnation() {
    let mut n = node_with_peers(3, fast());
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(1), incarnation: 0, from: addr(2) }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Dead, 0)));
    assert_eq!(n.suspicions().count(), 0, "death ends the suspicion");
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(3) }]),
        Time::ZERO,
    );
    assert_eq!(state(&n, 1), Some((State::Dead, 0)), "suspect does not outrank dead");
    n.handle_packet(addr(2), gossip(vec![Update::Alive { member: addr(1), incarnation: 1 }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Alive, 1)), "a higher incarnation revives");
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(1), incarnation: 0, from: addr(2) }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Alive, 1)), "stale death is ignored");
}

#[test]
fn left_is_final_at_its_incarnation() {
    let mut n = node_with_peers(3, fast());
    n.handle_packet(addr(2), gossip(vec![Update::Left { member: addr(1), incarnation: 0 }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Left, 0)));
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(1), incarnation: 0, from: addr(2) }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Left, 0)), "dead and left share a rank: first one stays");
    n.handle_packet(addr(2), gossip(vec![Update::Alive { member: addr(1), incarnation: 0 }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Left, 0)));
}

#[test]
fn a_suspected_node_refutes_with_a_higher_incarnation() {
    let mut n = node_with_peers(3, fast());
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(n.incarnation(), 1);
    assert!(events(&mut n).contains(&Event::Refuted { accused: 0, incarnation: 1 }));
    assert_eq!(n.health_score(), 1, "refuting raises local health score");
    // The accuser hears our word at once, directly.
    let reply = drain(&mut n);
    assert_eq!(reply.len(), 1);
    assert_eq!((reply[0].to, &reply[0].packet.body), (addr(2), &Body::Gossip));
    assert_eq!(reply[0].packet.gossip, vec![Update::Alive { member: addr(0), incarnation: 1 }]);
    // The refutation also rides on the next packet we send.
    n.handle_packet(addr(2), ping(9), Time::ZERO);
    let out = drain(&mut n);
    assert_eq!(out.len(), 1);
    assert!(is_ack(&out[0].packet.body, 9));
    assert!(out[0].packet.gossip.contains(&Update::Alive { member: addr(0), incarnation: 1 }));
}

#[test]
fn a_node_declared_dead_refutes_past_the_accusation() {
    let mut n = node_with_peers(3, fast());
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(0), incarnation: 5, from: addr(2) }]), Time::ZERO);
    assert_eq!(n.incarnation(), 6);
    assert_eq!(state(&n, 0), Some((State::Alive, 6)));
    // A stale accusation below our incarnation changes nothing.
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 3, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(n.incarnation(), 6);
    // Hearing our own alive echo is not an accusation.
    n.handle_packet(addr(2), gossip(vec![Update::Alive { member: addr(0), incarnation: 6 }]), Time::ZERO);
    assert_eq!(n.incarnation(), 6);
}

// ----- probing ---------------------------------------------------------------

#[test]
fn probe_times_out_goes_indirect_counts_nacks_then_suspects() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    let (t0, target, seq) = first_ping(&mut n);

    // No ack by the probe timeout: k ping-reqs to helpers other than the target.
    let out = advance(&mut n, t0 + cfg.probe_timeout);
    let helpers: Vec<NodeAddr> = out
        .iter()
        .filter_map(|tx| match tx.packet.body {
            Body::PingReq { seq: s, target: t } => {
                assert_eq!((s, t), (seq, target));
                Some(tx.to)
            }
            _ => None,
        })
        .collect();
    assert_eq!(helpers.len(), cfg.indirect_checks);
    assert!(!helpers.contains(&target) && !helpers.contains(&addr(0)));

    // One helper nacks; two stay silent. Nothing else arrives.
    n.handle_packet(helpers[0], Packet { body: Body::Nack { seq }, gossip: vec![] }, t0 + cfg.probe_timeout);
    assert_eq!(state(&n, port_index(target)), Some((State::Alive, 0)), "still alive before the period ends");
    advance(&mut n, t0 + first_period(&cfg));

    assert_eq!(state(&n, port_index(target)), Some((State::Suspect, 0)));
    assert_eq!(n.health_score(), 2, "3 helpers asked, 1 nacked: +2");
    let s: Vec<_> = n.suspicions().collect();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].member, target);
    assert_eq!(n.counters().probe_failures, 1);
    assert_eq!(n.counters().nacks_received, 1);
}

#[test]
fn an_ack_relayed_by_a_helper_completes_the_probe() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    let (t0, target, seq) = first_ping(&mut n);
    let out = advance(&mut n, t0 + cfg.probe_timeout);
    let helper = out.iter().find(|tx| matches!(tx.packet.body, Body::PingReq { .. })).unwrap().to;
    n.handle_packet(helper, ack(seq), t0 + cfg.probe_timeout);
    // The period ends (and the next probe starts) without blaming the target.
    advance(&mut n, t0 + cfg.probe_interval);
    assert_eq!(state(&n, port_index(target)).unwrap().0, State::Alive);
    assert_eq!(n.counters().probe_failures, 0);
}

#[test]
fn helper_relays_the_ack_or_nacks_after_the_probe_timeout() {
    let cfg = fast();
    let origin = addr(1);
    let target = addr(2);

    // Target answers: the helper forwards an ack with the origin's seq.
    let mut h = node_with_peers(3, cfg.clone());
    h.handle_packet(origin, Packet { body: Body::PingReq { seq: 42, target }, gossip: vec![] }, Time::ZERO);
    let out = drain(&mut h);
    let ping = out.iter().find(|tx| tx.to == target).expect("helper pings the target");
    let Body::Ping { seq: hseq, .. } = ping.packet.body else { panic!("expected a ping, got {:?}", ping.packet.body) };
    h.handle_packet(target, ack(hseq), Time::from_millis(5));
    let out = drain(&mut h);
    assert!(out.iter().any(|tx| tx.to == origin && is_ack(&tx.packet.body, 42)), "{out:?}");

    // Target silent: a nack to the origin once the probe timeout passes.
    let mut h = node_with_peers(3, cfg.clone());
    h.handle_packet(origin, Packet { body: Body::PingReq { seq: 43, target }, gossip: vec![] }, Time::ZERO);
    drain(&mut h);
    let out = advance(&mut h, Time::ZERO + cfg.probe_timeout);
    assert!(out.iter().any(|tx| tx.to == origin && tx.packet.body == Body::Nack { seq: 43 }), "{out:?}");
}

#[test]
fn successful_probes_lower_the_health_score() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 1, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(n.health_score(), 2);
    for _ in 0..2 {
        let (t, target, seq) = first_ping(&mut n);
        n.handle_packet(target, ack(seq), t);
    }
    assert_eq!(n.health_score(), 0);
}

#[test]
fn health_score_stretches_the_probe_interval() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    // The first tick moves the node onto the probe grid; periods after it
    // are whole intervals.
    let (t, target, seq) = first_ping(&mut n);
    n.handle_packet(target, ack(seq), t);
    let (t0, target, seq) = first_ping(&mut n);
    n.handle_packet(target, ack(seq), t0);
    let (t1, _, _) = first_ping(&mut n);
    assert_eq!(t1 - t0, cfg.probe_interval, "healthy: one interval");
    // Two accusations: score 2, so the next period is 3 intervals long.
    n.handle_packet(addr(2), gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(2) }]), t1);
    n.handle_packet(addr(2), gossip(vec![Update::Suspect { member: addr(0), incarnation: 1, from: addr(2) }]), t1);
    let (t2, _, _) = first_ping(&mut n);
    let (t3, _, _) = first_ping(&mut n);
    // t2 closes the probe started at t1 (scheduled before the accusations);
    // t2 → t3 runs at the new score (which may have moved by the failed probe).
    assert!(t3 - t2 >= cfg.probe_interval * 3, "period {:?} not stretched", t3 - t2);
}

#[test]
fn a_stalled_node_abandons_its_probe_instead_of_accusing_the_target() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    let (t0, target, _) = first_ping(&mut n);
    // The node does not run again until long after every deadline.
    let late = t0 + cfg.probe_interval * 10;
    n.handle_timeout(late);
    assert_eq!(state(&n, port_index(target)).unwrap().0, State::Alive);
    assert!(events(&mut n).iter().any(|e| matches!(e, Event::ProbeLagged { target: t, .. } if *t == target)));
    assert_eq!(n.counters().probes_lagged, 1);

    // Plain SWIM has no such self-awareness: the same stall accuses the target.
    let mut s = node_with_peers(5, cfg.clone().with_lifeguard(false));
    let (t0, target, _) = first_ping(&mut s);
    s.handle_timeout(t0 + cfg.probe_interval * 10);
    assert_eq!(state(&s, port_index(target)).unwrap().0, State::Suspect);
}

#[test]
fn a_failed_probe_accuses_only_the_incarnation_it_pinged() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    let (t0, target, _) = first_ping(&mut n);
    let other = if target == addr(2) { addr(3) } else { addr(2) };
    // While the ping is out the target is declared dead, then restarts and
    // speaks for itself at a higher incarnation; its old life never acks.
    let t = t0 + cfg.probe_timeout / 2;
    n.handle_packet(other, gossip(vec![Update::Dead { member: target, incarnation: 0, from: other }]), t);
    n.handle_packet(target, gossip(vec![Update::Alive { member: target, incarnation: 1 }]), t);
    advance(&mut n, t0 + first_period(&cfg));
    assert_eq!(n.counters().probe_failures, 1, "the probe did fail");
    assert_eq!(state(&n, port_index(target)), Some((State::Alive, 1)), "the new life is not suspected");
    assert_eq!(n.suspicions().count(), 0);
}

/// A node that suspects `addr(1)` and has already gossiped everything, so
/// whatever its next ping carries is there because of the buddy rule.
fn suspecting_node_with_empty_queue(cfg: Config) -> Node {
    let mut n = node_with_peers(2, cfg);
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(9) }]),
        Time::ZERO,
    );
    for seq in 0..100 {
        n.handle_packet(addr(2), ping(seq), Time::ZERO);
    }
    drain(&mut n);
    assert_eq!(n.broadcast_queue_len(), 0);
    n
}

fn next_ping_to(n: &mut Node, to: NodeAddr) -> (Time, Transmit) {
    loop {
        let (t, tx) = next_ping(n);
        if tx.to == to {
            return (t, tx);
        }
    }
}

#[test]
fn buddy_system_carries_the_suspicion_to_the_suspect() {
    let cfg = fast();
    let mut n = suspecting_node_with_empty_queue(cfg.clone());
    let (t, ping) = next_ping_to(&mut n, addr(1));
    assert_eq!(ping.packet.gossip[0], Update::Suspect { member: addr(1), incarnation: 0, from: addr(0) });

    // The suspect, on receiving that ping, refutes before answering.
    let mut suspect = Node::new(addr(1), cfg.clone(), 2, Time::ZERO);
    suspect.handle_packet(addr(0), ping.packet.clone(), t);
    let ack = drain(&mut suspect).into_iter().find(|tx| matches!(tx.packet.body, Body::Ack { .. })).unwrap();
    assert!(ack.packet.gossip.contains(&Update::Alive { member: addr(1), incarnation: 1 }));

    // Without the buddy system the same ping carries no accusation.
    let mut plain = suspecting_node_with_empty_queue(cfg.with_lifeguard(false));
    let (_, ping) = next_ping_to(&mut plain, addr(1));
    assert!(ping.packet.gossip.iter().all(|u| !matches!(u, Update::Suspect { member, .. } if *member == addr(1))));
}

/// The times at which the node asks to be woken, up to and including `until`.
fn wake_ups(n: &mut Node, until: Time) -> Vec<Time> {
    let mut at = Vec::new();
    while let Some(t) = n.poll_timeout().filter(|&t| t <= until) {
        at.push(t);
        n.handle_timeout(t);
        drain(n);
    }
    at
}

#[test]
fn an_answered_probe_does_not_wake_the_node_at_its_ack_deadline() {
    let cfg = fast();
    let mut answered = node_with_peers(3, cfg.clone());
    let mut silent = node_with_peers(3, cfg.clone());
    let (t0, target, seq) = first_ping(&mut answered);
    let (s0, _, _) = first_ping(&mut silent);
    assert_eq!(t0, s0, "same seed, same schedule");
    answered.handle_packet(target, ack(seq), t0 + Duration::from_millis(1));
    drain(&mut answered);
    let deadline = t0 + cfg.probe_timeout;
    assert!(wake_ups(&mut silent, deadline).contains(&deadline), "an unanswered probe needs its deadline");
    assert!(!wake_ups(&mut answered, deadline).contains(&deadline), "a moot deadline is no reason to wake");
}

/// From the second on, probe ticks fall on a grid of half the probe
/// interval (a small cluster's), shared by every node of a lab whatever
/// its start time or seed, so a driver wakes once for all the nodes of a
/// grid point; and a tick handled late does not move the node off its
/// point, as memberlist's ticker does not drift. A stall, though,
/// restarts the period.
#[test]
fn probe_ticks_share_a_grid_and_do_not_drift_when_handled_late() {
    let cfg = fast();
    // Up to 64 members the grid has two points a probe interval.
    let step = u64::try_from((cfg.probe_interval / 2).as_micros()).unwrap();
    let late = Duration::from_millis(7);
    for (seed, start_us) in [(1, 3_217), (2, 77_001), (3, 123_457)] {
        let start = Time::from_micros(start_us);
        let mut n = Node::new(addr(0), cfg.clone(), seed, start);
        let peers = (1..=3).map(|i| Update::Alive { member: addr(i), incarnation: 0 });
        n.handle_packet(addr(1), gossip(vec![Update::Alive { member: addr(1), incarnation: 0 }]), start);
        n.handle_packet(addr(1), gossip(peers.collect()), start);
        drain(&mut n);
        let mut ticks = Vec::new();
        while ticks.len() < 6 {
            let at = n.poll_timeout().expect("a running node has a timer");
            let now = at + late;
            n.handle_timeout(now);
            for tx in drain(&mut n) {
                if let Body::Ping { seq, .. } = tx.packet.body {
                    ticks.push(at);
                    n.handle_packet(tx.to, ack(seq), now);
                }
            }
        }
        // The first tick keeps the random phase the node started with.
        for &t in &ticks[1..] {
            assert_eq!(t.as_micros() % step, 0, "seed {seed}: tick at {t} is off the {step} µs grid");
        }
        for pair in ticks[1..].windows(2) {
            assert_eq!(pair[1] - pair[0], cfg.probe_interval, "seed {seed}: ticks drifted: {ticks:?}");
        }
        // A stall is no timer slack: the tick handled at the end of it
        // probes, and the next waits a whole period from then (from the
        // missed deadline it would be due at once and cut that probe short).
        let woke = *ticks.last().unwrap() + cfg.probe_interval * 5 + Duration::from_micros(1);
        n.handle_timeout(woke);
        assert!(drain(&mut n).iter().any(|tx| matches!(tx.packet.body, Body::Ping { .. })), "the stalled tick probes");
        let (next, _) = next_ping(&mut n);
        assert!(next >= woke + cfg.probe_interval, "seed {seed}: next tick {next} too soon after a stall at {woke}");
        assert_eq!(next.as_micros() % step, 0, "seed {seed}: back on the grid");
    }
}
