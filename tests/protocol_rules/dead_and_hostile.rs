//! Talking with members held dead, catching up on missed news, and the cases
//! fuzzing found (fuzz/fuzz_targets/node.rs).

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::common::*;
use gossip_lab::protocol::message::{MemberEntry, PushPull};
use gossip_lab::protocol::rumors::RUMOR_WINDOW;
use gossip_lab::protocol::{Body, Event, Node, NodeAddr, Packet, Rumor, RumorId, State, Time, Transmit, Update};
use gossip_lab::wire;

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

/// Push-pull requests (not their further chunks) sent to `to`.
fn push_pulls_to(out: &[Transmit], to: NodeAddr) -> usize {
    let request = |b: &Body| matches!(b, Body::PushPull(p) if !p.reply && p.chunk == 0);
    out.iter().filter(|tx| tx.to == to && request(&tx.packet.body)).count()
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

#[test]
fn in_a_storm_a_node_catches_up_without_waiting_for_its_queue_to_empty() {
    use gossip_lab::protocol::broadcast::FADE_BACKLOG;
    // A join storm keeps the queue full until it is over: a node in one
    // pulls what it lacks at once instead of waiting for it to drain.
    let peers = FADE_BACKLOG as u16 + 8;
    let mut n = node_with_peers(peers, fast());
    assert!(n.broadcast_queue_len() > FADE_BACKLOG, "{} queued", n.broadcast_queue_len());
    let more = u32::from(peers) + 10;
    n.handle_packet(addr(2), Packet { body: Body::Ping { seq: 1, members: more }, gossip: vec![] }, Time::ZERO);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(2)), 1, "a higher count pulls mid-storm");
    assert_eq!(n.counters().catch_ups, 1);
    n.handle_packet(addr(3), Packet { body: Body::Ping { seq: 2, members: more }, gossip: vec![] }, Time::ZERO);
    assert_eq!(push_pulls_to(&drain(&mut n), addr(3)), 0, "still rate-limited");

    // Just below the backlog, a node still digesting news waits, as before.
    let mut calm = node_with_peers(FADE_BACKLOG as u16 - 8, fast());
    assert!((1..=FADE_BACKLOG).contains(&calm.broadcast_queue_len()));
    calm.handle_packet(addr(2), Packet { body: Body::Ping { seq: 1, members: more }, gossip: vec![] }, Time::ZERO);
    assert_eq!(push_pulls_to(&drain(&mut calm), addr(2)), 0, "no storm: the queue drains first");
}

#[test]
fn a_catch_up_sends_one_chunk_of_our_state_and_a_request_draws_all_of_the_peers() {
    use gossip_lab::protocol::broadcast::FADE_BACKLOG;
    // The node that pulls is the one behind: the rest of its state would
    // mostly tell the peer what it already holds.
    let peers = FADE_BACKLOG as u16 + 8;
    let mut n = node_with_peers(peers, fast());
    let more = u32::from(peers) + 10;
    n.handle_packet(addr(2), Packet { body: Body::Ping { seq: 1, members: more }, gossip: vec![] }, Time::ZERO);
    let sent: Vec<PushPull> = push_pull_chunks(drain(&mut n), addr(2));
    assert_eq!(sent.len(), 1, "one datagram of our state");
    assert_eq!((sent[0].chunk, sent[0].reply), (0, false));
    let whole = usize::from(sent[0].chunks);
    assert!(whole > 1, "{peers} members fill more than one chunk");

    // The same chunk as a request from a member draws every chunk back.
    let request = Packet { body: Body::PushPull(sent[0].clone()), gossip: vec![] };
    n.handle_packet(addr(3), request, Time::from_secs(1));
    let replies = push_pull_chunks(drain(&mut n), addr(3));
    assert_eq!(replies.len(), whole, "the whole state answers a pull");
    assert!(replies.iter().all(|p| p.reply));
}

/// The push-pull chunks among `out` that go to `to`.
fn push_pull_chunks(out: Vec<Transmit>, to: NodeAddr) -> Vec<PushPull> {
    out.into_iter()
        .filter(|tx| tx.to == to)
        .filter_map(|tx| match tx.packet.body {
            Body::PushPull(p) => Some(p),
            _ => None,
        })
        .collect()
}

// ----- found by fuzzing (fuzz/fuzz_targets/node.rs) ------------------------

/// Rumors `from` invents, `per` to a datagram, numbered from `first`.
fn rumor_flood(n: &mut Node, from: NodeAddr, first: u32, count: u32, per: u32) {
    let origin = from;
    for start in (first..first + count).step_by(per as usize) {
        let rumors = (start..(start + per).min(first + count))
            .map(|seq| Update::rumor(Rumor { id: RumorId { origin, seq }, payload: vec![1] }))
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
    let echo = Update::rumor(Rumor { id, payload: b"hello".to_vec() });
    origin.handle_packet(addr(1), gossip(vec![echo]), Time::ZERO);
    let delivered: Vec<Event> =
        events(&mut origin).into_iter().filter(|e| matches!(e, Event::RumorDelivered { .. })).collect();
    assert_eq!(delivered, [Event::RumorDelivered { id, payload: b"hello".to_vec() }]);
    // An id of ours someone already used is not reused for a new rumor.
    let forged = RumorId { origin: addr(0), seq: id.seq + 1 };
    let copy = Update::rumor(Rumor { id: forged, payload: vec![] });
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
