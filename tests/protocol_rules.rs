//! Protocol rules, one at a time, driven by hand.
//!
//! Each test builds one or two `Node`s, hands them exactly the packets a
//! rule is about, and inspects what they send and emit. No driver, no
//! network, no clock: time is whatever the test passes in.

mod common;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use common::*;
use gossip_lab::protocol::message::{MemberEntry, PushPull};
use gossip_lab::protocol::rumors::RUMOR_WINDOW;
use gossip_lab::protocol::{
    Body, Config, Event, Incarnation, Node, NodeAddr, Packet, Rumor, RumorId, State, Time, Transmit, Update,
};
use gossip_lab::wire;

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
    advance(&mut n, t0 + cfg.probe_interval);

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

// ----- suspicion -------------------------------------------------------------

#[test]
fn confirmations_shrink_the_suspicion_and_expiry_declares_dead() {
    let cfg = Config::lan();
    let mut n = node_with_peers(9, cfg.clone()); // N = 10
    let n_members = n.live_members();
    assert_eq!(n_members, 10);
    let (min, max) = (cfg.suspicion_min(10), cfg.suspicion_max(10));
    assert_eq!(min, Duration::from_secs(4));
    assert_eq!(max, Duration::from_secs(24));

    let t0 = Time::from_secs(1);
    n.handle_packet(addr(2), gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]), t0);
    let s = n.suspicions().next().unwrap();
    assert_eq!((s.confirmations, s.k, s.timeout), (0, 2, max), "C = 0: max");

    n.handle_packet(addr(3), gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(3) }]), t0);
    let s = n.suspicions().next().unwrap();
    assert_eq!(s.confirmations, 1);
    assert_eq!(s.timeout, Duration::from_millis(11_381), "C = 1: 24 − 20·ln2/ln3 = 11.381 s");

    // A repeat from the same accuser is not independent.
    n.handle_packet(addr(3), gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(3) }]), t0);
    assert_eq!(n.suspicions().next().unwrap().confirmations, 1);

    n.handle_packet(addr(4), gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(4) }]), t0);
    let s = n.suspicions().next().unwrap();
    assert_eq!((s.confirmations, s.timeout, s.deadline), (2, min, t0 + min), "C = k: min");
    let ev = events(&mut n);
    let confirmed: Vec<(u32, u32)> = ev
        .iter()
        .filter_map(|e| match e {
            Event::SuspicionConfirmed { confirmations, k, .. } => Some((*confirmations, *k)),
            _ => None,
        })
        .collect();
    assert_eq!(confirmed, [(1, 2), (2, 2)], "each confirmation says C of the suspicion's k (the log's C/k)");

    // Confirmations are re-gossiped so others can count them.
    n.handle_packet(addr(5), ping(1), t0);
    let ack = drain(&mut n).pop().unwrap();
    assert!(ack.packet.gossip.contains(&Update::Suspect { member: addr(1), incarnation: 0, from: addr(4) }));

    advance(&mut n, t0 + min - Duration::from_millis(1));
    assert_eq!(state(&n, 1).unwrap().0, State::Suspect);
    advance(&mut n, t0 + min);
    assert_eq!(state(&n, 1), Some((State::Dead, 0)));
    let ev = events(&mut n);
    assert!(ev.iter().any(|e| matches!(e, Event::SuspicionExpired { confirmations: 2, .. })), "{ev:?}");
}

#[test]
fn without_dynamic_suspicion_the_timeout_is_fixed() {
    let cfg = Config::lan().with_lifeguard(false);
    let mut n = node_with_peers(9, cfg.clone());
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(n.suspicions().next().unwrap().timeout, cfg.suspicion_min(10));
}

// ----- dissemination -----------------------------------------------------------

#[test]
fn each_update_is_piggybacked_exactly_the_retransmit_limit() {
    let cfg = fast();
    let mut n = node_with_peers(20, cfg.clone()); // N = 21: limit = 4 × ceil(log10 22) = 8
    let limit = cfg.retransmit_limit(21);
    assert_eq!(limit, 8);
    // Flush the join news first so only the update under test remains.
    for i in 0..200 {
        n.handle_packet(addr(1), ping(i), Time::ZERO);
    }
    drain(&mut n);
    assert_eq!(n.broadcast_queue_len(), 0);

    let news = Update::Dead { member: addr(7), incarnation: 0, from: addr(3) };
    n.handle_packet(addr(3), gossip(vec![news.clone()]), Time::ZERO);
    let mut sent = 0;
    for i in 0..50 {
        n.handle_packet(addr(1), ping(1000 + i), Time::ZERO);
        sent += drain(&mut n).iter().filter(|tx| tx.packet.gossip.contains(&news)).count();
    }
    assert_eq!(sent as u32, limit);
}

#[test]
fn no_packet_ever_exceeds_the_budget() {
    let cfg = fast();
    // 600 members: far more news and state than one packet holds.
    let mut n = Node::new(addr(0), cfg.clone(), 3, Time::ZERO);
    for chunk in (1..=600u16).collect::<Vec<_>>().chunks(50) {
        let updates =
            chunk.iter().map(|&i| Update::Alive { member: addr(i), incarnation: Incarnation::MAX - 1 }).collect();
        n.handle_packet(addr(1), gossip(updates), Time::ZERO);
    }
    n.broadcast_rumor(vec![7; gossip_lab::protocol::message::MAX_RUMOR_PAYLOAD], Time::ZERO).unwrap();
    let mut all = drain(&mut n);
    // Push-pull answer (the full state, chunked), pings, and gossip rounds.
    let pp = PushPull { reply: false, join: true, chunk: 0, chunks: 1, members: vec![], pad: vec![], rumors: vec![] };
    n.handle_packet(addr(1), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);
    all.extend(drain(&mut n));
    all.extend(advance(&mut n, Time::from_secs(3)));
    assert!(
        all.iter().any(|tx| matches!(tx.packet.body, Body::PushPull(ref p) if p.chunks > 1)),
        "state should need chunks"
    );
    assert!(all.len() > 50);
    for tx in &all {
        let len = wire::datagram_len(&tx.packet);
        assert!(
            len <= cfg.packet_budget,
            "{len}-byte {:?} exceeds the {}-byte budget",
            tx.packet.body.kind(),
            cfg.packet_budget
        );
    }
    // And the budget is used: gossip packets are full, not one update each.
    let max = all.iter().map(|tx| wire::datagram_len(&tx.packet)).max().unwrap();
    assert!(max > cfg.packet_budget - 64, "largest packet only {max} bytes");
}

#[test]
fn newest_updates_go_first() {
    let mut n = node_with_peers(3, fast());
    for i in 0..50 {
        n.handle_packet(addr(1), ping(i), Time::ZERO);
    }
    drain(&mut n);
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(3), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    n.handle_packet(addr(2), ping(99), Time::ZERO);
    let ack = drain(&mut n).pop().unwrap();
    assert!(
        matches!(ack.packet.gossip[0], Update::Suspect { member, .. } if member == addr(3)),
        "{:?}",
        ack.packet.gossip
    );
}

// ----- anti-entropy ----------------------------------------------------------

#[test]
fn push_pull_merges_state_and_takes_remote_dead_as_suspect() {
    let mut n = node_with_peers(3, fast());
    let entries = vec![
        MemberEntry { addr: addr(1), incarnation: 2, state: State::Alive },
        MemberEntry { addr: addr(2), incarnation: 0, state: State::Dead },
        MemberEntry { addr: addr(8), incarnation: 0, state: State::Alive },
        MemberEntry { addr: addr(9), incarnation: 0, state: State::Dead },
        MemberEntry { addr: addr(0), incarnation: 0, state: State::Suspect },
    ];
    let pp = PushPull { reply: false, join: false, chunk: 0, chunks: 1, members: entries, pad: vec![], rumors: vec![] };
    n.handle_packet(addr(3), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);

    assert_eq!(state(&n, 1), Some((State::Alive, 2)), "newer incarnation adopted");
    assert_eq!(state(&n, 2), Some((State::Suspect, 0)), "remote dead becomes a local suspicion");
    assert_eq!(state(&n, 8), Some((State::Alive, 0)), "new member learned");
    assert_eq!(state(&n, 9), None, "death of a stranger is not actionable");
    assert_eq!(n.incarnation(), 1, "suspected in the remote view: refuted");

    // The request is answered with our whole state.
    let reply = drain(&mut n);
    let listed: Vec<MemberEntry> = reply
        .iter()
        .filter(|tx| tx.to == addr(3))
        .flat_map(|tx| match &tx.packet.body {
            Body::PushPull(p) => {
                assert!(p.reply);
                p.members.clone()
            }
            _ => vec![],
        })
        .collect();
    assert_eq!(listed.len(), n.members().len());
    assert!(listed.contains(&MemberEntry { addr: addr(0), incarnation: 1, state: State::Alive }));

    // A reply is never answered again.
    let pp = PushPull { reply: true, join: false, chunk: 0, chunks: 1, members: vec![], pad: vec![], rumors: vec![] };
    n.handle_packet(addr(3), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);
    assert!(drain(&mut n).iter().all(|tx| !matches!(tx.packet.body, Body::PushPull(_))));
}

#[test]
fn join_is_a_push_pull_with_the_seed() {
    let cfg = fast();
    let mut seed = node_with_peers(2, cfg.clone());
    let mut joiner = Node::new(addr(5), cfg.clone(), 9, Time::ZERO);
    joiner.join(&[addr(0)], Time::ZERO);
    assert!(!joiner.is_joined());
    let out = drain(&mut joiner);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].to, addr(0));

    seed.handle_packet(addr(5), out[0].packet.clone(), Time::ZERO);
    assert_eq!(state(&seed, 5), Some((State::Alive, 0)));
    for tx in drain(&mut seed).into_iter().filter(|tx| tx.to == addr(5)) {
        joiner.handle_packet(addr(0), tx.packet, Time::ZERO);
    }
    assert!(joiner.is_joined());
    assert!(events(&mut joiner).contains(&Event::Joined));
    assert_eq!(joiner.live_members(), 4);

    // An unanswered join is retried.
    let mut lonely = Node::new(addr(6), cfg.clone(), 9, Time::ZERO);
    lonely.join(&[addr(0)], Time::ZERO);
    drain(&mut lonely);
    let retries = advance(&mut lonely, Time::ZERO + cfg.join_retry * 3);
    let joins = retries.iter().filter(|tx| matches!(&tx.packet.body, Body::PushPull(p) if p.join)).count();
    assert_eq!(joins, 3);
}

// ----- leave and rumors ----------------------------------------------------------

#[test]
fn leave_is_announced_then_the_node_goes_quiet() {
    let cfg = fast();
    let mut n = node_with_peers(5, cfg.clone());
    n.leave(Time::ZERO);
    let mut out = drain(&mut n);
    let announce = Update::Left { member: addr(0), incarnation: 0 };
    assert!(out.iter().any(|tx| tx.packet.gossip.contains(&announce)), "leave is gossiped at once");
    assert_eq!(state(&n, 0), Some((State::Left, 0)));
    out.extend(advance(&mut n, Time::from_secs(5)));
    assert!(n.has_left());
    assert!(events(&mut n).contains(&Event::LeaveComplete));
    assert!(out.iter().all(|tx| !matches!(tx.packet.body, Body::Ping { .. })), "a leaving node does not probe");
    let sends = out.iter().filter(|tx| tx.packet.gossip.contains(&announce)).count() as u32;
    assert_eq!(sends, cfg.retransmit_limit(5), "announced exactly the retransmit limit");
    assert_eq!(n.poll_timeout(), None, "inert after leaving");

    // Peers record it as Left, and a leaving node does not refute it.
    let mut peer = node_with_peers(5, cfg.clone());
    peer.handle_packet(addr(2), gossip(vec![Update::Left { member: addr(1), incarnation: 0 }]), Time::ZERO);
    assert_eq!(state(&peer, 1), Some((State::Left, 0)));
}

#[test]
fn a_leave_with_no_live_peer_completes_at_the_leave_timeout() {
    let cfg = fast();
    let mut n = node_with_peers(1, cfg.clone());
    // Our only peer leaves: there is no one left to announce our leave to,
    // so the announcement can never be sent its full number of times.
    n.handle_packet(addr(1), gossip(vec![Update::Left { member: addr(1), incarnation: 0 }]), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Left, 0)));
    drain(&mut n);
    events(&mut n);
    let start = Time::from_secs(1);
    n.leave(start);
    advance(&mut n, start + cfg.leave_timeout - Duration::from_millis(1));
    assert!(!n.has_left(), "still announcing before the timeout");
    advance(&mut n, start + cfg.leave_timeout);
    assert!(n.has_left(), "the leave completes at the timeout");
    assert_eq!(events(&mut n), [Event::LeaveComplete]);
    assert_eq!(n.poll_timeout(), None, "and the node goes inert");
}

#[test]
fn a_rumor_is_delivered_exactly_once() {
    let cfg = fast();
    let mut origin = node_with_peers(3, cfg.clone());
    let id = origin.broadcast_rumor(b"hello".to_vec(), Time::ZERO).unwrap();
    assert!(events(&mut origin).contains(&Event::RumorDelivered { id, payload: b"hello".to_vec() }));
    origin.handle_packet(addr(1), ping(1), Time::ZERO);
    let carried = drain(&mut origin).pop().unwrap().packet;
    assert!(carried.gossip.iter().any(|u| matches!(u, Update::Rumor(r) if r.id == id)));

    let mut other = Node::new(addr(4), cfg.clone(), 4, Time::ZERO);
    // The carrier is a member `other` knows (a stranger's rumors are refused).
    other.handle_packet(addr(0), gossip(vec![Update::Alive { member: addr(0), incarnation: 0 }]), Time::ZERO);
    for _ in 0..3 {
        other.handle_packet(addr(0), carried.clone(), Time::ZERO);
    }
    let delivered = events(&mut other).into_iter().filter(|e| matches!(e, Event::RumorDelivered { .. })).count();
    assert_eq!(delivered, 1);

    let too_big = vec![0; gossip_lab::protocol::message::MAX_RUMOR_PAYLOAD + 1];
    assert!(origin.broadcast_rumor(too_big, Time::ZERO).is_err());
}

// ----- partitions: talking with the dead ------------------------------------

fn holding_dead(i: u16) -> Node {
    let mut n = node_with_peers(4, fast());
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(i), incarnation: 0, from: addr(2) }]), Time::ZERO);
    assert_eq!(state(&n, i), Some((State::Dead, 0)));
    drain(&mut n);
    n
}

#[test]
fn a_packet_to_a_member_we_hold_dead_tells_it_so() {
    let mut n = holding_dead(1);
    n.handle_packet(addr(1), ping(5), Time::ZERO);
    let ack = drain(&mut n).pop().unwrap();
    assert!(is_ack(&ack.packet.body, 5));
    assert_eq!(ack.packet.gossip[0], Update::Dead { member: addr(1), incarnation: 0, from: addr(0) });

    // The dead-but-running member refutes on reading it.
    let mut m = Node::new(addr(1), fast(), 5, Time::ZERO);
    m.handle_packet(addr(0), ack.packet, Time::ZERO);
    assert_eq!(m.incarnation(), 1);
}

#[test]
fn accusations_from_a_member_we_hold_dead_are_not_imported() {
    let mut n = holding_dead(1);
    let stale = vec![
        Update::Alive { member: addr(1), incarnation: 1 },
        Update::Dead { member: addr(2), incarnation: 0, from: addr(1) },
        Update::Suspect { member: addr(3), incarnation: 0, from: addr(1) },
    ];
    n.handle_packet(addr(1), gossip(stale.clone()), Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Alive, 1)), "its own refutation is taken");
    assert_eq!(state(&n, 2), Some((State::Alive, 0)), "its accusation is not");
    assert_eq!(state(&n, 3), Some((State::Alive, 0)));

    // A push-pull from it does not turn its deaths into our suspicions...
    let mut n = holding_dead(1);
    let members = vec![
        MemberEntry { addr: addr(4), incarnation: 0, state: State::Dead },
        MemberEntry { addr: addr(0), incarnation: 0, state: State::Dead },
    ];
    let pp = PushPull { reply: false, join: false, chunk: 0, chunks: 1, members, pad: vec![], rumors: vec![] };
    n.handle_packet(addr(1), Packet { body: Body::PushPull(pp.clone()), gossip: vec![] }, Time::ZERO);
    assert_eq!(state(&n, 4), Some((State::Alive, 0)));
    assert_eq!(n.incarnation(), 1, "but claims about us are still refuted");

    // ...while the same state from a live member does.
    let mut n = holding_dead(1);
    n.handle_packet(addr(3), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);
    assert_eq!(state(&n, 4), Some((State::Suspect, 0)));
}

// ----- catching up on missed news --------------------------------------------

fn push_pulls_to(out: &[Transmit], to: NodeAddr) -> usize {
    out.iter().filter(|tx| tx.to == to && matches!(tx.packet.body, Body::PushPull(ref p) if !p.reply)).count()
}

#[test]
fn a_peer_that_knows_more_members_triggers_one_catch_up_push_pull() {
    let cfg = fast();
    let mut n = node_with_peers(3, cfg.clone());
    // Relay everything first: a node still digesting news waits.
    n.handle_packet(addr(2), Packet { body: Body::Ping { seq: 1, members: 10 }, gossip: vec![] }, Time::ZERO);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(2)), 0, "queue not yet empty");
    for seq in 0..50 {
        n.handle_packet(addr(1), ping(seq), Time::ZERO);
    }
    drain(&mut n);
    assert_eq!(n.broadcast_queue_len(), 0);

    let t = Time::from_secs(1);
    n.handle_packet(addr(2), Packet { body: Body::Ack { seq: 77, members: 4 }, gossip: vec![] }, t);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(2)), 0, "same count: nothing missed");
    n.handle_packet(addr(2), Packet { body: Body::Ack { seq: 78, members: 10 }, gossip: vec![] }, t);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(2)), 1, "a higher count pulls the full state");
    assert_eq!(n.counters().catch_ups, 1);
    n.handle_packet(addr(3), Packet { body: Body::Ping { seq: 79, members: 10 }, gossip: vec![] }, t);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(3)), 0, "rate-limited");
    let later = t + cfg.probe_interval * 2;
    n.handle_packet(addr(3), Packet { body: Body::Ping { seq: 80, members: 10 }, gossip: vec![] }, later);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(3)), 1);
}

// ----- found by fuzzing (fuzz/fuzz_targets/node.rs) ------------------------

/// Rumors `from` invents, `per` to a datagram, numbered from `first`.
fn rumor_flood(n: &mut Node, from: NodeAddr, first: u32, count: u32, per: u32) {
    let origin = from;
    for start in (first..first + count).step_by(per as usize) {
        let rumors = (start..(start + per).min(first + count))
            .map(|seq| Update::Rumor(Rumor { id: RumorId { origin, seq }, payload: vec![1] }))
            .collect();
        n.handle_packet(from, gossip(rumors), Time::ZERO);
    }
}

#[test]
fn a_rumor_flood_from_a_member_cannot_grow_the_gossip_queue_without_bound() {
    // The fuzzer's first find: a member inventing rumor ids faster than
    // gossip retires them (here, with no time passing at all) grew the
    // piggyback queue by one rumor per id, without limit.
    let mut n = node_with_peers(3, fast());
    rumor_flood(&mut n, addr(1), 0, 3 * RUMOR_WINDOW as u32, 32);
    let delivered = events(&mut n).iter().filter(|e| matches!(e, Event::RumorDelivered { .. })).count();
    assert_eq!(delivered, 3 * RUMOR_WINDOW, "every new rumor is still delivered");
    assert!(n.broadcast_queue_len() <= 4 + RUMOR_WINDOW, "{} updates queued", n.broadcast_queue_len());
    // The newest are the ones kept, and they still go out.
    let out = advance(&mut n, Time::from_secs(1));
    let newest = RumorId { origin: addr(1), seq: 3 * RUMOR_WINDOW as u32 - 1 };
    assert!(out.iter().any(|t| t.packet.gossip.iter().any(|u| matches!(u, Update::Rumor(r) if r.id == newest))));
}

/// A node that knows `addr(1..=20)` and has relayed all its news, so a
/// peer's higher member count would draw a catch-up push-pull.
fn settled_node_with_peers() -> Node {
    let mut n = node_with_peers(20, fast());
    for seq in 0..200 {
        n.handle_packet(addr(1), ping(seq), Time::ZERO);
    }
    drain(&mut n);
    assert_eq!(n.broadcast_queue_len(), 0);
    n
}

#[test]
fn a_stranger_claiming_more_members_draws_no_full_state() {
    // Found by fuzzing: a 9-byte ping from a sender we did not know, with
    // a member count above ours, drew a catch-up push-pull of our whole
    // state (every chunk) to its address: amplification towards whatever
    // address a spoofer writes.
    let mut n = settled_node_with_peers();
    let stranger = addr(100);
    for body in [Body::Ping { seq: 1, members: u32::MAX }, Body::Ack { seq: 2, members: u32::MAX }] {
        let request = Packet { body, gossip: vec![] };
        let limit = wire::datagram_len(&request);
        n.handle_packet(stranger, request, Time::from_secs(10));
        let out = drain(&mut n);
        assert_eq!(push_pulls_to(&out, stranger), 0);
        for tx in &out {
            assert!(tx.to == stranger && wire::datagram_len(&tx.packet) <= limit, "{tx:?} for a {limit}-byte request");
        }
    }
    assert_eq!(n.counters().catch_ups, 0);
    // The same count from a member still pulls.
    n.handle_packet(
        addr(2),
        Packet { body: Body::Ping { seq: 3, members: u32::MAX }, gossip: vec![] },
        Time::from_secs(10),
    );
    assert_eq!(push_pulls_to(&drain(&mut n), addr(2)), 1);
}

#[test]
fn a_push_pull_with_a_member_held_dead_stays_within_the_packet_budget() {
    // Found by fuzzing: chunks were packed to the budget, and then the
    // claim against a member held dead (gossip to the dead) was put in
    // front: a 1,416-byte datagram on a 1,400-byte budget, for a join
    // through a seed held dead, and for every full chunk exchanged with
    // a member held dead (push-pull picks the dead too).
    let cfg = fast();
    let mut n = node_with_peers(300, cfg.clone());
    n.handle_packet(addr(3), gossip(vec![Update::Dead { member: addr(2), incarnation: 0, from: addr(3) }]), Time::ZERO);
    assert_eq!(state(&n, 2), Some((State::Dead, 0)));
    drain(&mut n);
    let request =
        PushPull { reply: false, join: false, chunk: 0, chunks: 1, members: vec![], pad: vec![], rumors: vec![] };
    n.handle_packet(addr(2), Packet { body: Body::PushPull(request), gossip: vec![] }, Time::ZERO);
    n.join(&[addr(2)], Time::ZERO);
    let out = drain(&mut n);
    let chunks: Vec<&Transmit> = out.iter().filter(|t| matches!(t.packet.body, Body::PushPull(_))).collect();
    assert!(chunks.len() > 3, "a full state in several chunks, and a join: {}", chunks.len());
    for t in chunks {
        let len = wire::datagram_len(&t.packet);
        assert!(len <= cfg.packet_budget, "{len} bytes past the {}-byte budget", cfg.packet_budget);
        assert!(matches!(t.packet.gossip.first(), Some(Update::Dead { member, .. }) if *member == addr(2)));
    }
}

#[test]
fn a_rumor_gossiped_back_to_its_origin_is_not_delivered_again() {
    // Found by fuzzing: a node did not enter its own rumors in its window
    // of seen ids, so the first copy a peer gossiped back (peers pick
    // targets at random, the origin included) was delivered a second time.
    let mut origin = node_with_peers(3, fast());
    let id = origin.broadcast_rumor(b"hello".to_vec(), Time::ZERO).unwrap();
    let echo = Update::Rumor(Rumor { id, payload: b"hello".to_vec() });
    origin.handle_packet(addr(1), gossip(vec![echo]), Time::ZERO);
    let delivered: Vec<Event> =
        events(&mut origin).into_iter().filter(|e| matches!(e, Event::RumorDelivered { .. })).collect();
    assert_eq!(delivered, [Event::RumorDelivered { id, payload: b"hello".to_vec() }]);
    // An id of ours someone already used is not reused for a new rumor.
    let forged = RumorId { origin: addr(0), seq: id.seq + 1 };
    let copy = Update::Rumor(Rumor { id: forged, payload: vec![] });
    origin.handle_packet(addr(1), gossip(vec![copy]), Time::ZERO);
    assert_ne!(origin.broadcast_rumor(b"next".to_vec(), Time::ZERO).unwrap(), forged);
}

#[test]
fn a_stranger_introducing_itself_cannot_make_us_ping_a_third_party() {
    // Found by fuzzing: an indirect-probe request counted as a member's if
    // its sender was a member once the datagram's gossip was applied, so a
    // stranger that introduced itself in the same datagram made the node
    // ping any address it named (a 47-byte ping, with piggybacked gossip,
    // for a 24-byte request): a reflector towards third parties.
    let mut n = node_with_peers(3, fast());
    let stranger = addr(100);
    let victim = SocketAddrV4::new(Ipv4Addr::new(127, 9, 9, 9), 9);
    let hello = Update::Alive { member: stranger, incarnation: 0 };
    let request = Packet { body: Body::PingReq { seq: 5, target: victim }, gossip: vec![hello] };
    n.handle_packet(stranger, request.clone(), Time::ZERO);
    assert!(drain(&mut n).iter().all(|t| t.to == stranger), "nothing to anyone but the sender");
    assert_eq!(n.pending_relays(), 0);
    assert_eq!(n.counters().refused.ping_reqs, 1);
    // The same request from it as a member (it is one now) is relayed.
    n.handle_packet(stranger, request, Time::ZERO);
    assert!(drain(&mut n).iter().any(|t| t.to == victim && matches!(t.packet.body, Body::Ping { .. })));
    assert_eq!(n.pending_relays(), 1);
}
