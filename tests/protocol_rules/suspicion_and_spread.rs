//! Suspicion timers and their confirmations, piggybacked dissemination within
//! the packet budget, anti-entropy push-pull and join, leave and rumors.

use std::time::Duration;

use crate::common::*;
use gossip_lab::protocol::message::{MemberEntry, PushPull};
use gossip_lab::protocol::{Body, Config, Event, Incarnation, Node, Packet, State, Time, Update};
use gossip_lab::wire;

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

/// The periodic push-pull waits a random stagger, then the period for
/// the cluster's size when each wait begins, as memberlist schedules it:
/// a node that learns a large cluster during its stagger makes its first
/// exchange a stretched period later, not at the base interval its table
/// of one asked for at start.
#[test]
fn the_first_periodic_push_pull_waits_the_period_of_the_cluster_it_joined() {
    // Probes out of the way: failures would shrink the live count.
    let cfg = Config { probe_interval: Duration::from_secs(3600), ..fast() };
    let exchanges = |n: &mut Node, until: Duration| {
        let sent = advance(n, Time::ZERO + until);
        sent.iter().filter(|tx| matches!(&tx.packet.body, Body::PushPull(p) if !p.reply && !p.join)).count()
    };
    let base = cfg.push_pull_interval;

    // Up to 32 members the period is the interval: the first exchange
    // comes within [interval, 2 intervals), as it always did.
    let mut small = node_with_peers(3, cfg.clone());
    assert_eq!(exchanges(&mut small, base - Duration::from_millis(1)), 0);
    assert_eq!(exchanges(&mut small, base * 2), 1);

    // 100 members: three intervals.
    let mut n = node_with_peers(99, cfg.clone());
    let period = cfg.push_pull_period(100);
    assert_eq!(period, base * 3);
    assert_eq!(exchanges(&mut n, period - Duration::from_millis(1)), 0, "not at the base interval");
    assert_eq!(exchanges(&mut n, period + base), 1, "one stretched period after the stagger");
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

/// Every update `n` piggybacks while it answers `pings` pings from `addr(1)`.
fn gossiped(n: &mut Node, pings: u32) -> Vec<Update> {
    drain(n);
    (0..pings)
        .flat_map(|seq| {
            n.handle_packet(addr(1), ping(seq), Time::ZERO);
            drain(n).into_iter().flat_map(|tx| tx.packet.gossip)
        })
        .collect()
}

/// A joiner announces itself (as memberlist's join does) and its seed
/// announces it. A member learned from a row of anyone else's full state
/// is re-announced, as memberlist does, only while the queue holds fewer
/// than `PULLED_ANNOUNCE_BELOW` updates; a busier node merges it without
/// announcing it (see `Node::on_alive`): it was announced when it joined.
#[test]
fn pulled_members_are_announced_only_by_a_quiet_queue() {
    use gossip_lab::protocol::broadcast::PULLED_ANNOUNCE_BELOW;
    let cfg = fast();
    let alive = |i| Update::Alive { member: addr(i), incarnation: 0 };
    let mut seed = node_with_peers(2, cfg.clone());
    // Its own news sent, the seed's answers carry only its state.
    assert!(!gossiped(&mut seed, 40).is_empty());
    assert!(gossiped(&mut seed, 1).is_empty());
    let mut joiner = Node::new(addr(5), cfg.clone(), 9, Time::ZERO);
    joiner.join(&[addr(0)], Time::ZERO);
    for tx in drain(&mut joiner) {
        seed.handle_packet(addr(5), tx.packet, Time::ZERO);
    }
    for tx in drain(&mut seed).into_iter().filter(|tx| tx.to == addr(5)) {
        joiner.handle_packet(addr(0), tx.packet, Time::ZERO);
    }
    assert!(joiner.is_joined());
    assert_eq!(joiner.live_members(), 4, "the seed's whole state was merged");
    let from_joiner = gossiped(&mut joiner, 40);
    for i in [5, 0, 1, 2] {
        assert!(from_joiner.contains(&alive(i)), "a quiet joiner announces addr({i})");
    }
    assert!(gossiped(&mut seed, 40).contains(&alive(5)), "the seed announces the joiner");

    // A busy node: its queue holds more than the threshold.
    let busy = PULLED_ANNOUNCE_BELOW as u16 + 16;
    let mut n = node_with_peers(busy, cfg.clone());
    assert!(n.broadcast_queue_len() >= PULLED_ANNOUNCE_BELOW);
    let (stranger, pulled) = (busy + 10, [busy + 11, busy + 12]);
    let row = |i| MemberEntry { addr: addr(i), incarnation: 0, state: State::Alive };
    // A member's push-pull with rows of two members we never heard of...
    let pp = PushPull {
        reply: true,
        join: false,
        chunk: 0,
        chunks: 1,
        members: vec![row(2), row(pulled[0]), row(pulled[1])],
        pad: vec![],
        rumors: vec![],
    };
    n.handle_packet(addr(2), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);
    // ...and a joiner's request, whose row is its word about itself.
    let pp = PushPull {
        reply: false,
        join: true,
        chunk: 0,
        chunks: 1,
        members: vec![row(stranger)],
        pad: vec![],
        rumors: vec![],
    };
    n.handle_packet(addr(stranger), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);
    let sent = gossiped(&mut n, 40);
    assert!(sent.contains(&alive(stranger)), "the joiner is announced");
    for i in pulled {
        assert_eq!(state(&n, i), Some((State::Alive, 0)), "addr({i}) is merged");
        assert!(!sent.contains(&alive(i)), "but not announced by a busy node");
    }
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

/// Join announcements fade in a storm (differs from memberlist; see
/// `BroadcastQueue::push_fading`): a member learned while hundreds of
/// updates are queued stops riding once peers have sent it back
/// `FADE_AFTER` times, while a refutation, which must reach everyone,
/// is still sent its full number of times however often it comes back.
#[test]
fn join_announcements_fade_in_a_storm_but_refutations_do_not() {
    use gossip_lab::protocol::broadcast::{FADE_AFTER, FADE_BACKLOG};
    let cfg = fast();
    let peers = FADE_BACKLOG as u16 + 72; // more news queued than the backlog
    let mut n = node_with_peers(peers, cfg.clone());
    assert!(n.broadcast_queue_len() > FADE_BACKLOG);
    let t = Time::ZERO;
    // addr(9) is suspected, then refutes: a plain update, not an announcement.
    n.handle_packet(addr(2), gossip(vec![Update::Suspect { member: addr(9), incarnation: 0, from: addr(2) }]), t);
    let refutation = Update::Alive { member: addr(9), incarnation: 1 };
    n.handle_packet(addr(9), gossip(vec![refutation.clone()]), t);
    let (faded, kept) =
        (Update::Alive { member: addr(7), incarnation: 0 }, Update::Alive { member: addr(8), incarnation: 0 });
    for i in 0..u16::from(FADE_AFTER) * 3 {
        let echoes =
            if i < u16::from(FADE_AFTER) { vec![faded.clone(), refutation.clone()] } else { vec![refutation.clone()] };
        n.handle_packet(addr(10 + i), gossip(echoes), t);
    }
    let sent = gossiped(&mut n, 2000);
    let times = |update: &Update| sent.iter().filter(|u| *u == update).count();
    let (faded_sent, kept_sent, refuted_sent) = (times(&faded), times(&kept), times(&refutation));
    let limit = cfg.retransmit_limit(usize::from(peers) + 1) as usize;
    assert_eq!(faded_sent, 0, "echoed {FADE_AFTER} times in a storm: retired unsent");
    assert_eq!(kept_sent, limit, "an announcement nobody echoed is sent in full");
    assert_eq!(refuted_sent, limit, "a refutation never fades");
}
