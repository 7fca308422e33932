//! Scuttlebutt: syn → syn-ack → ack2, the budget, oldest first, no gaps.

use gossip_lab::protocol::message::{MAX_RUMOR_PAYLOAD, NodeDelta, StateValue, Versioned};
use gossip_lab::protocol::{Body, Event, State};

use super::*;

#[test]
fn a_join_is_a_syn_answered_by_a_syn_ack_and_an_ack2_and_both_then_hold_both() {
    let mut a = node(0, ms(0));
    let mut b = node(1, ms(0));
    b.join(&[a.addr()], ms(0));
    let out = drain(&mut b);
    assert_eq!(out.len(), 1);
    assert!(matches!(out[0].packet.body, Body::Syn(_)));
    a.handle_packet(b.addr(), out[0].packet.clone(), ms(1));
    let reply = drain(&mut a);
    assert!(matches!(reply[0].packet.body, Body::SynAck(_)), "{reply:?}");
    b.handle_packet(a.addr(), reply[0].packet.clone(), ms(2));
    assert!(b.is_joined());
    assert!(events(&mut b).contains(&Event::Joined));
    for n in [&a, &b] {
        assert_eq!(n.live_members(), 2, "{:?}", n.members().collect::<Vec<_>>());
    }
}

#[test]
fn a_rumor_travels_as_a_delta_and_is_delivered_once() {
    let (mut a, mut b) = pair();
    events(&mut b);
    let id = a.broadcast_rumor(b"hello".to_vec(), ms(10)).unwrap();
    // b's round opens an exchange with a: a's syn-ack carries the delta.
    b.handle_timeout(ms(1000));
    exchange(&mut [&mut a, &mut b], ms(1000));
    let delivered = |n: &mut Node| {
        events(n).into_iter().filter(|e| matches!(e, Event::RumorDelivered { id: i, .. } if *i == id)).count()
    };
    assert_eq!(delivered(&mut b), 1);
    // Another round carries nothing new, and nothing is delivered again.
    b.handle_timeout(ms(2000));
    a.handle_timeout(ms(2000));
    exchange(&mut [&mut a, &mut b], ms(2000));
    assert_eq!(delivered(&mut b), 0);
}

#[test]
fn no_datagram_exceeds_the_budget_and_a_big_table_is_reconciled_a_range_at_a_time() {
    let mut a = node(0, ms(0));
    let many: Vec<NodeAddr> = (1..400).map(addr).collect();
    a.preload(&many, ms(0));
    let budget = a.config().packet_budget;
    let mut covered = std::collections::BTreeSet::new();
    for round in 1..=12 {
        a.handle_timeout(ms(round * 200));
        for t in drain(&mut a) {
            assert!(t.packet.datagram_len() <= budget, "{} > {budget}", t.packet.datagram_len());
            let Body::Syn(s) = &t.packet.body else { continue };
            assert!(s.digest.iter().all(|d| (s.lo..=s.hi).contains(&d.node) || d.node == a.addr()));
            covered.extend(s.digest.iter().map(|d| d.node));
        }
    }
    assert_eq!(covered.len(), 400, "the rotating ranges cover the whole table");
}

#[test]
fn deltas_go_lowest_version_first_within_the_budget() {
    let (mut a, mut b) = pair();
    for i in 0..40 {
        a.broadcast_rumor(vec![i as u8; MAX_RUMOR_PAYLOAD], ms(100)).unwrap();
    }
    // b asks with a digest holding a at version 0.
    b.handle_timeout(ms(1000));
    let syn = drain(&mut b).into_iter().find(|t| t.to == a.addr()).expect("b gossips to a");
    a.handle_packet(b.addr(), syn.packet, ms(1000));
    let reply = drain(&mut a).pop().unwrap();
    assert!(reply.packet.datagram_len() <= a.config().packet_budget);
    let Body::SynAck(s) = reply.packet.body else { panic!("not a syn-ack") };
    let d = s.deltas.iter().find(|d| d.node == a.addr()).expect("a's own delta");
    assert_eq!(d.from, 0);
    let versions: Vec<u64> = d.values.iter().map(|v| v.version).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert_eq!(d.to, *versions.last().unwrap(), "a cut delta ends at the last version it carries");
    assert!(d.to < 40, "40 full rumors cannot fit one datagram: {}", d.to);
}

#[test]
fn a_delta_past_a_gap_is_refused_and_the_copy_keeps_no_hole() {
    let (a, mut b) = pair();
    let gen_a = a.generation();
    // b holds a at version 0; a delta from version 3 would leave 1..=3 out.
    let gap = NodeDelta {
        node: a.addr(),
        generation: gen_a,
        from: 3,
        to: 4,
        values: vec![Versioned { version: 4, value: StateValue::Rumor { seq: 9, payload: vec![1] } }],
    };
    let before = b.counters().refused.push_pulls;
    b.handle_packet(a.addr(), syn(scuttle(vec![], vec![gap])), ms(500));
    assert_eq!(b.counters().refused.push_pulls, before + 1);
    assert!(!events(&mut b).iter().any(|e| matches!(e, Event::RumorDelivered { .. })));
    let row = b.heartbeats().find(|h| h.subject == a.addr()).unwrap();
    assert_eq!(row.max_version, 0);
}

#[test]
fn a_leave_reaches_the_peers_as_left() {
    let (mut a, mut b) = pair();
    b.leave(ms(500));
    for r in 1..=4 {
        b.handle_timeout(ms(500 + r * 200));
        exchange(&mut [&mut a, &mut b], ms(500 + r * 200));
    }
    assert!(b.has_left());
    assert!(events(&mut b).contains(&Event::LeaveComplete));
    assert_eq!(a.member(b.addr()).unwrap().state, State::Left);
}
