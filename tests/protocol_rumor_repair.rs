//! The rules of rumors carried by push-pull (anti-entropy for rumors),
//! driven by hand: what a push-pull carries, for how long, to whom, and
//! that a rumor learned from one obeys the same once-only window as a
//! gossiped one. The cluster-wide effect is `tests/sim_rumors.rs`.

mod common;

use common::*;
use gossip_lab::protocol::message::{MAX_RUMOR_PAYLOAD, PushPull};
use gossip_lab::protocol::{Body, Event, Packet, Rumor, RumorId, Time, Transmit, Update};

fn push_pull(join: bool, rumors: Vec<Rumor>) -> Packet {
    let pp = PushPull { reply: false, join, chunk: 0, chunks: 1, members: vec![], pad: vec![], rumors };
    Packet { body: Body::PushPull(pp), gossip: vec![] }
}

fn carried(out: &[Transmit]) -> Vec<RumorId> {
    out.iter()
        .filter_map(|tx| match &tx.packet.body {
            Body::PushPull(pp) => Some(pp.rumors.iter().map(|r| r.id)),
            _ => None,
        })
        .flatten()
        .collect()
}

fn delivered(events: &[Event]) -> usize {
    events.iter().filter(|e| matches!(e, Event::RumorDelivered { .. })).count()
}

#[test]
fn a_push_pull_carries_the_rumors_delivered_within_the_retention() {
    let cfg = fast();
    let mut n = node_with_peers(3, cfg.clone());
    let id = n.broadcast_rumor(b"hello".to_vec(), Time::ZERO).unwrap();
    drain(&mut n);
    n.handle_packet(addr(1), push_pull(false, vec![]), Time::from_secs(1));
    assert_eq!(carried(&drain(&mut n)), [id], "the answer to a member carries the rumor");

    let expired = Time::ZERO + cfg.rumor_retention(n.live_members()) + std::time::Duration::from_millis(1);
    n.handle_packet(addr(1), push_pull(false, vec![]), expired);
    assert!(carried(&drain(&mut n)).is_empty(), "not past the retention");
}

#[test]
fn a_rumor_from_a_push_pull_is_delivered_once_and_gossiped_on() {
    let mut n = node_with_peers(3, fast());
    let rumor = Rumor { id: RumorId { origin: addr(2), seq: 7 }, payload: b"late".to_vec() };
    for _ in 0..3 {
        n.handle_packet(addr(1), push_pull(false, vec![rumor.clone()]), Time::ZERO);
    }
    // The same rumor gossiped afterwards is in the window already.
    n.handle_packet(addr(3), gossip(vec![Update::rumor(rumor.clone())]), Time::ZERO);
    assert_eq!(delivered(&events(&mut n)), 1);
    let out = advance(&mut n, Time::from_secs(1));
    assert!(
        out.iter().any(|tx| tx.packet.gossip.contains(&Update::rumor(rumor.clone()))),
        "gossiped on, so the rest of a side that missed it gets it in rounds"
    );
    let too_big = Rumor { id: RumorId { origin: addr(2), seq: 8 }, payload: vec![0; MAX_RUMOR_PAYLOAD + 1] };
    n.handle_packet(addr(1), push_pull(false, vec![too_big]), Time::ZERO);
    assert_eq!(delivered(&events(&mut n)), 0, "the payload limit holds here too");
}

#[test]
fn a_stranger_neither_brings_nor_gets_rumors_by_push_pull() {
    let mut n = node_with_peers(3, fast());
    n.broadcast_rumor(b"ours".to_vec(), Time::ZERO).unwrap();
    drain(&mut n);
    events(&mut n);
    let stranger = addr(40);
    let theirs = Rumor { id: RumorId { origin: stranger, seq: 0 }, payload: b"theirs".to_vec() };
    let before = n.counters().refused.stranger_claims;
    n.handle_packet(stranger, push_pull(true, vec![theirs]), Time::ZERO);
    assert_eq!(delivered(&events(&mut n)), 0, "a stranger's rumor is refused");
    assert_eq!(n.counters().refused.stranger_claims, before + 1);
    let out = drain(&mut n);
    assert!(out.iter().any(|tx| tx.to == stranger), "the stranger is answered");
    assert!(carried(&out).is_empty(), "with no rumors: no more bytes than it sent");
}

#[test]
fn many_recent_rumors_ride_newest_first_within_the_budget() {
    let cfg = fast();
    let mut n = node_with_peers(3, cfg.clone());
    let ids: Vec<RumorId> =
        (0..10).map(|k| n.broadcast_rumor(vec![k; MAX_RUMOR_PAYLOAD], Time::ZERO).unwrap()).collect();
    drain(&mut n);
    n.handle_packet(addr(1), push_pull(false, vec![]), Time::ZERO);
    let out = drain(&mut n);
    assert!(out.iter().all(|tx| tx.packet.datagram_len() <= cfg.packet_budget), "every chunk within the budget");
    let got = carried(&out);
    assert!(!got.is_empty() && got.len() < ids.len(), "one datagram's worth: {got:?}");
    let newest: Vec<RumorId> = ids.iter().rev().take(got.len()).copied().collect();
    assert_eq!(got, newest, "the newest first");
}
