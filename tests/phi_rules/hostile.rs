//! What a peer may not make a phi node believe.

use gossip_lab::protocol::message::Digest;
use gossip_lab::protocol::{Body, State};

use super::*;

#[test]
fn a_forged_heartbeat_far_ahead_is_refused_and_cannot_freeze_a_member() {
    let (mut a, b) = pair();
    let forger = addr(9);
    // The forger is a member of a's table, so its claims are judged.
    a.preload(&[forger], ms(0));
    let claim = Digest { node: b.addr(), generation: b.generation(), heartbeat: u64::MAX, max_version: 0 };
    let before = a.counters().refused.incarnation_jumps;
    a.handle_packet(forger, syn(scuttle(vec![claim], vec![])), ms(300));
    assert_eq!(a.counters().refused.incarnation_jumps, before + 1);
    let row = a.heartbeats().find(|h| h.subject == b.addr()).unwrap();
    assert!(row.heartbeat < 100, "b's real heartbeats still count: {}", row.heartbeat);
}

#[test]
fn a_generation_from_the_far_future_is_refused() {
    let (mut a, b) = pair();
    let forger = addr(9);
    a.preload(&[forger], ms(0));
    let claim = Digest { node: b.addr(), generation: u64::MAX, heartbeat: 1, max_version: 0 };
    a.handle_packet(forger, syn(scuttle(vec![claim], vec![])), ms(300));
    assert_eq!(a.member(b.addr()).unwrap().incarnation, b.generation());
}

#[test]
fn a_stranger_speaks_only_for_itself() {
    let mut a = node(0, ms(0));
    let stranger = addr(7);
    let about_others = Digest { node: addr(8), generation: 1, heartbeat: 1, max_version: 0 };
    let itself = Digest { node: stranger, generation: 1, heartbeat: 1, max_version: 0 };
    a.handle_packet(stranger, syn(scuttle(vec![itself, about_others], vec![])), ms(10));
    assert_eq!(a.counters().refused.stranger_claims, 1);
    assert!(a.member(addr(8)).is_none());
    assert_eq!(a.member(stranger).map(|m| m.state), Some(State::Alive));
}

#[test]
fn a_stranger_is_answered_with_no_more_bytes_than_it_sent() {
    let mut a = node(0, ms(0));
    a.preload(&(1..200).map(addr).collect::<Vec<_>>(), ms(0));
    let stranger = addr(500);
    let itself = Digest { node: stranger, generation: 1, heartbeat: 1, max_version: 0 };
    let request = syn(scuttle(vec![itself], vec![]));
    let sent = request.datagram_len();
    a.handle_packet(stranger, request, ms(10));
    let reply = drain(&mut a).pop().expect("an answer");
    assert!(matches!(reply.packet.body, Body::SynAck(_)));
    assert!(reply.packet.datagram_len() <= sent, "{} > {sent}", reply.packet.datagram_len());
}

#[test]
fn the_table_is_capped() {
    let mut a = Node::new(addr(0), Config { max_members: 4, ..Config::fast() }, 1, ms(0));
    a.preload(&(1..10).map(addr).collect::<Vec<_>>(), ms(0));
    assert_eq!(a.members().len(), 4);
    assert!(a.counters().refused.table_full > 0);
}
