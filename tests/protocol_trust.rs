//! The rules that make a node hard to lie to, one at a time, driven by hand
//! (issue 9). Each test hands a node the forged or out-of-place packets a
//! rule is about and checks what it believes, sends and counts. They hold
//! without a key: sealing keeps strangers out altogether, these keep a
//! node sane when it does not.

mod common;

use std::time::Duration;

use common::*;
use gossip_lab::protocol::member::{MAX_INCARNATION_JUMP, REFUTE_STEP};
use gossip_lab::protocol::message::{MemberEntry, PushPull};
use gossip_lab::protocol::{Body, Config, Event, Incarnation, Node, Packet, State, Time, Update};
use gossip_lab::wire;

fn push_pull(reply: bool, join: bool, members: Vec<MemberEntry>) -> Packet {
    Packet {
        body: Body::PushPull(PushPull { reply, join, chunk: 0, chunks: 1, members, pad: vec![], rumors: vec![] }),
        gossip: vec![],
    }
}

fn entry(i: u16, state: State, incarnation: Incarnation) -> MemberEntry {
    MemberEntry { addr: addr(i), incarnation, state }
}

// ----- what a stranger may say ------------------------------------------------

#[test]
fn a_stranger_may_speak_only_about_itself_and_about_us() {
    let mut n = node_with_peers(2, fast());
    let stranger = addr(50);
    n.handle_packet(
        stranger,
        gossip(vec![
            Update::Dead { member: addr(1), incarnation: 0, from: stranger },
            Update::Alive { member: addr(51), incarnation: 0 },
            Update::Alive { member: stranger, incarnation: 0 },
        ]),
        Time::ZERO,
    );
    assert_eq!(state(&n, 1), Some((State::Alive, 0)), "a stranger's accusation of a member is refused");
    assert_eq!(state(&n, 51), None, "a stranger cannot introduce others");
    assert_eq!(state(&n, 50), Some((State::Alive, 0)), "it can introduce itself");
    assert_eq!(n.counters().refused.stranger_claims, 2);

    // A claim about us from a stranger is heard: we must be able to refute.
    let mut m = Node::new(addr(0), fast(), 2, Time::ZERO);
    m.handle_packet(
        addr(60),
        gossip(vec![Update::Dead { member: addr(0), incarnation: 0, from: addr(60) }]),
        Time::ZERO,
    );
    assert_eq!(m.incarnation(), 1);
}

#[test]
fn a_strangers_push_pull_counts_only_for_its_own_row() {
    let mut n = Node::new(addr(0), fast(), 3, Time::ZERO);
    let members = vec![entry(9, State::Alive, 0), entry(10, State::Alive, 0), entry(11, State::Dead, 4)];
    n.handle_packet(addr(9), push_pull(false, true, members), Time::ZERO);
    assert_eq!(state(&n, 9), Some((State::Alive, 0)));
    assert_eq!((state(&n, 10), state(&n, 11)), (None, None));
}

// ----- incarnations -------------------------------------------------------------

#[test]
fn a_relayed_claim_may_not_jump_far_ahead_of_what_we_hold() {
    let mut n = node_with_peers(3, fast());
    let far = MAX_INCARNATION_JUMP + 1;
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Dead { member: addr(1), incarnation: far, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(state(&n, 1), Some((State::Alive, 0)), "a forged death at a far incarnation is refused");
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Alive { member: addr(1), incarnation: Incarnation::MAX }]),
        Time::ZERO,
    );
    assert_eq!(state(&n, 1), Some((State::Alive, 0)), "so is a forged jump of an Alive");
    assert_eq!(n.counters().refused.incarnation_jumps, 2);
    // Within the bound, news is news.
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: MAX_INCARNATION_JUMP, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(state(&n, 1), Some((State::Suspect, MAX_INCARNATION_JUMP)));
    // A member speaking for itself is believed at any incarnation.
    n.handle_packet(addr(3), gossip(vec![Update::Alive { member: addr(3), incarnation: 1 << 40 }]), Time::ZERO);
    assert_eq!(state(&n, 3), Some((State::Alive, 1 << 40)));
}

#[test]
fn an_unknown_member_is_judged_against_the_highest_incarnation_we_hold() {
    let mut n = node_with_peers(2, fast());
    let gossip_of = |i: u16, inc: Incarnation| gossip(vec![Update::Alive { member: addr(i), incarnation: inc }]);
    n.handle_packet(addr(1), gossip_of(20, MAX_INCARNATION_JUMP + 1), Time::ZERO);
    assert_eq!(state(&n, 20), None);
    n.handle_packet(addr(2), gossip_of(2, 1 << 30), Time::ZERO);
    n.handle_packet(addr(1), gossip_of(20, (1 << 30) + 5), Time::ZERO);
    assert_eq!(state(&n, 20), Some((State::Alive, (1 << 30) + 5)), "within the bound of the highest held");
}

#[test]
fn a_seed_answering_our_join_vouches_for_members_we_never_heard_of() {
    let mut n = Node::new(addr(0), fast(), 4, Time::ZERO);
    n.join(&[addr(1)], Time::ZERO);
    drain(&mut n);
    let state_of_seed = vec![entry(1, State::Alive, 0), entry(2, State::Alive, 1 << 40)];
    n.handle_packet(addr(1), push_pull(true, false, state_of_seed), Time::ZERO);
    assert_eq!(state(&n, 2), Some((State::Alive, 1 << 40)));
    assert!(n.is_joined());
}

#[test]
fn refutation_climbs_in_bounded_steps_and_never_exhausts_the_incarnation() {
    let mut n = node_with_peers(2, fast());
    let forged = gossip(vec![Update::Suspect { member: addr(0), incarnation: Incarnation::MAX, from: addr(1) }]);
    n.handle_packet(addr(1), forged.clone(), Time::ZERO);
    assert_eq!(n.incarnation(), REFUTE_STEP + 1, "one step, not a jump to the accusation");
    for _ in 0..1000 {
        n.handle_packet(addr(1), forged.clone(), Time::ZERO);
    }
    assert_eq!(n.incarnation(), 1001 * (REFUTE_STEP + 1));
    assert!(n.incarnation() < Incarnation::MAX / 1_000_000, "a thousand forgeries use a sliver of the space");
    assert_eq!(state(&n, 0).map(|s| s.0), Some(State::Alive), "a node never holds itself suspect");
}

#[test]
fn a_restarted_node_climbs_past_an_old_incarnation_held_against_it() {
    // Peers hold us dead far ahead of our fresh incarnation 0: each
    // accusation answered moves us one bounded step, until we pass it.
    let held = 3 * REFUTE_STEP;
    let mut n = node_with_peers(2, fast());
    let accusation = gossip(vec![Update::Dead { member: addr(0), incarnation: held, from: addr(1) }]);
    let mut steps = 0;
    while n.incarnation() <= held {
        n.handle_packet(addr(1), accusation.clone(), Time::ZERO);
        steps += 1;
        assert!(steps <= 4, "still at {} after {steps} accusations", n.incarnation());
    }
    assert_eq!(n.incarnation(), held + 1);
}

#[test]
fn an_accuser_gets_our_word_directly_even_when_its_accusation_is_stale() {
    let mut n = node_with_peers(2, fast());
    n.handle_packet(
        addr(1),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(1) }]),
        Time::ZERO,
    );
    drain(&mut n);
    assert_eq!(n.incarnation(), 1);
    // A copy of the old accusation arrives from someone else.
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(1) }]),
        Time::ZERO,
    );
    assert_eq!(n.incarnation(), 1, "a stale accusation is not refuted again");
    let out = drain(&mut n);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].to, addr(2));
    assert_eq!(out[0].packet.gossip, vec![Update::Alive { member: addr(0), incarnation: 1 }]);
    assert!(
        wire::datagram_len(&out[0].packet)
            < wire::datagram_len(&gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(1) }]))
    );
}

#[test]
fn a_node_told_it_was_dead_withdraws_the_suspicions_it_formed_meanwhile() {
    let mut n = node_with_peers(3, fast());
    n.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    assert_eq!(n.suspicions().count(), 1);
    events(&mut n);
    n.handle_packet(addr(3), gossip(vec![Update::Dead { member: addr(0), incarnation: 0, from: addr(3) }]), Time::ZERO);
    assert_eq!(n.suspicions().count(), 0);
    assert_eq!(state(&n, 1), Some((State::Alive, 0)));
    let ev = events(&mut n);
    assert!(ev.contains(&Event::SuspicionRefuted { member: addr(1), incarnation: 0 }), "{ev:?}");
    // Merely suspected (not declared dead) keeps its own suspicions.
    let mut m = node_with_peers(3, fast());
    m.handle_packet(
        addr(2),
        gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from: addr(2) }]),
        Time::ZERO,
    );
    m.handle_packet(
        addr(3),
        gossip(vec![Update::Suspect { member: addr(0), incarnation: 0, from: addr(3) }]),
        Time::ZERO,
    );
    assert_eq!(m.suspicions().count(), 1);
}

// ----- acks, nacks and confirmations -------------------------------------------

#[test]
fn probe_sequence_numbers_are_not_predictable() {
    let mut n = node_with_peers(5, fast());
    let seqs: Vec<u32> = (0..4).map(|_| first_ping(&mut n).2).collect();
    assert!(seqs.windows(2).all(|w| w[1] != w[0].wrapping_add(1)), "sequential: {seqs:?}");
    let mut reseeded = Node::new(addr(0), fast(), 99, Time::ZERO);
    reseeded.handle_packet(addr(1), gossip(vec![Update::Alive { member: addr(1), incarnation: 0 }]), Time::ZERO);
    assert_ne!(first_ping(&mut reseeded).2, seqs[0], "another seed, another sequence");
}

#[test]
fn an_ack_counts_only_from_the_probed_address() {
    let mut n = node_with_peers(4, fast());
    let (t, target, seq) = first_ping(&mut n);
    let impostor = if target == addr(1) { addr(2) } else { addr(1) };
    n.handle_packet(impostor, ack(seq), t);
    assert_eq!(n.counters().refused.acks, 1);
    n.handle_packet(addr(40), ack(seq), t);
    assert_eq!(n.counters().refused.acks, 2, "nor from a stranger");
    // The probe is still open: at its deadline it goes indirect.
    let out = advance(&mut n, t + fast().probe_timeout);
    assert!(out.iter().any(|tx| matches!(tx.packet.body, Body::PingReq { .. })), "{out:?}");
    // The target's own ack still counts.
    let before = n.health_score();
    n.handle_packet(target, ack(seq), t + fast().probe_timeout);
    assert!(n.health_score() <= before);
    assert_eq!(n.counters().refused.acks, 2);
}

#[test]
fn a_nack_counts_once_and_only_from_an_asked_helper() {
    let cfg = fast();
    let mut n = node_with_peers(6, cfg.clone());
    let (t, target, seq) = first_ping(&mut n);
    let out = advance(&mut n, t + cfg.probe_timeout);
    let helpers: Vec<_> =
        out.iter().filter(|tx| matches!(tx.packet.body, Body::PingReq { .. })).map(|tx| tx.to).collect();
    assert_eq!(helpers.len(), 3);
    let outsider = (1..=6).map(addr).find(|a| *a != target && !helpers.contains(a)).unwrap();
    let nack = Packet { body: Body::Nack { seq }, gossip: vec![] };
    n.handle_packet(outsider, nack.clone(), t + cfg.probe_timeout);
    n.handle_packet(helpers[0], nack.clone(), t + cfg.probe_timeout);
    n.handle_packet(helpers[0], nack.clone(), t + cfg.probe_timeout);
    assert_eq!(n.counters().nacks_received, 1);
    assert_eq!(n.counters().refused.nacks, 2);
}

#[test]
fn a_relay_passes_on_only_the_targets_own_ack() {
    let mut h = node_with_peers(3, fast());
    let (origin, target) = (addr(1), addr(2));
    h.handle_packet(origin, Packet { body: Body::PingReq { seq: 42, target }, gossip: vec![] }, Time::ZERO);
    let ping = drain(&mut h).into_iter().find(|tx| tx.to == target).unwrap();
    let Body::Ping { seq, .. } = ping.packet.body else { panic!("{ping:?}") };
    h.handle_packet(addr(3), ack(seq), Time::ZERO);
    assert!(drain(&mut h).is_empty(), "an ack from someone else is not relayed");
    h.handle_packet(target, ack(seq), Time::ZERO);
    let relayed = drain(&mut h);
    assert!(relayed.iter().any(|tx| tx.to == origin && matches!(tx.packet.body, Body::Ack { seq: 42, .. })));
}

#[test]
fn a_ping_req_from_a_stranger_is_not_relayed() {
    let mut h = node_with_peers(3, fast());
    h.handle_packet(addr(70), Packet { body: Body::PingReq { seq: 1, target: addr(2) }, gossip: vec![] }, Time::ZERO);
    assert!(drain(&mut h).is_empty());
    assert_eq!(h.counters().refused.ping_reqs, 1);
}

#[test]
fn a_confirmation_counts_only_from_a_member_held_live() {
    let mut n = node_with_peers(8, fast());
    let suspect = |from| gossip(vec![Update::Suspect { member: addr(1), incarnation: 0, from }]);
    n.handle_packet(addr(2), suspect(addr(2)), Time::ZERO);
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(4), incarnation: 0, from: addr(2) }]), Time::ZERO);
    // Named by a stranger, by a member held dead, and by the suspect itself.
    for from in [addr(90), addr(4), addr(1)] {
        n.handle_packet(addr(3), suspect(from), Time::ZERO);
    }
    assert_eq!(n.suspicions().next().unwrap().confirmations, 0);
    assert_eq!(n.counters().refused.confirmations, 3);
    n.handle_packet(addr(3), suspect(addr(3)), Time::ZERO);
    assert_eq!(n.suspicions().next().unwrap().confirmations, 1);
}

// ----- bounded state ---------------------------------------------------------------

#[test]
fn the_member_cap_refuses_new_members_and_counts_them() {
    let cfg = Config { max_members: 5, ..fast() };
    let mut n = node_with_peers(4, cfg);
    assert_eq!(n.members().len(), 5);
    n.handle_packet(
        addr(1),
        gossip((10..20).map(|i| Update::Alive { member: addr(i), incarnation: 0 }).collect()),
        Time::ZERO,
    );
    assert_eq!(n.members().len(), 5);
    assert_eq!(n.counters().refused.table_full, 10);
}

#[test]
fn dead_members_are_forgotten_after_the_reap_time() {
    let cfg = Config { reap_after: Duration::from_secs(3), ..fast() };
    let mut n = node_with_peers(3, cfg);
    n.handle_packet(addr(2), gossip(vec![Update::Dead { member: addr(1), incarnation: 0, from: addr(2) }]), Time::ZERO);
    events(&mut n);
    advance(&mut n, Time::from_millis(2500));
    assert!(state(&n, 1).is_some(), "kept until the reap time");
    advance(&mut n, Time::from_secs(4));
    assert_eq!(state(&n, 1), None);
    assert!(events(&mut n).contains(&Event::MemberForgotten { member: addr(1) }));
    assert_eq!(n.counters().reaped, 1);
}

#[test]
fn a_member_held_gone_is_told_so_now_and_then_with_nothing_else() {
    for claim in [
        Update::Dead { member: addr(1), incarnation: 0, from: addr(2) },
        Update::Left { member: addr(1), incarnation: 0 },
    ] {
        let mut n = node_with_peers(3, fast());
        n.handle_packet(addr(2), gossip(vec![claim.clone()]), Time::ZERO);
        n.broadcast_rumor(b"news".to_vec(), Time::ZERO).unwrap();
        let out = advance(&mut n, Time::from_secs(1));
        let to_gone: Vec<_> = out.iter().filter(|tx| tx.to == addr(1)).collect();
        assert!(!to_gone.is_empty(), "nothing sent to the member held gone in a second");
        for tx in to_gone {
            assert_eq!(tx.packet.gossip.len(), 1, "only the claim against it: {tx:?}");
            assert_eq!(tx.packet.gossip[0].member(), Some(addr(1)));
        }
        // It refutes, and the refutation reaches us directly.
        let told = out.iter().find(|tx| tx.to == addr(1)).unwrap();
        let mut as_victim = Node::new(addr(1), fast(), 7, Time::ZERO);
        as_victim.handle_packet(addr(0), told.packet.clone(), Time::ZERO);
        let word = drain(&mut as_victim).into_iter().find(|tx| tx.to == addr(0)).unwrap();
        n.handle_packet(addr(1), word.packet, Time::ZERO);
        assert_eq!(state(&n, 1), Some((State::Alive, 1)));
    }
}

#[test]
fn no_reply_to_a_stranger_is_larger_than_its_request() {
    // A node holding 300 members: its full state is many chunks.
    let mut n = node_with_peers(3, fast());
    n.handle_packet(
        addr(1),
        gossip((10..310).map(|i| Update::Alive { member: addr(i), incarnation: 0 }).collect()),
        Time::ZERO,
    );
    n.broadcast_rumor(vec![1; 400], Time::ZERO).unwrap();
    drain(&mut n);
    let stranger = addr(999);
    for request in [ping(1), push_pull(false, false, vec![entry(999, State::Alive, 0)])] {
        let asked = wire::datagram_len(&request);
        n.handle_packet(stranger, request, Time::ZERO);
        let answered: usize =
            drain(&mut n).iter().filter(|tx| tx.to == stranger).map(|tx| wire::datagram_len(&tx.packet)).sum();
        assert!(answered <= asked, "{answered} bytes answered to a {asked}-byte request");
    }
}

#[test]
fn a_joiner_pads_its_request_and_pulls_the_rest_as_a_member() {
    let cfg = fast();
    let mut joiner = Node::new(addr(500), cfg.clone(), 8, Time::ZERO);
    joiner.join(&[addr(0)], Time::ZERO);
    let request = drain(&mut joiner).pop().unwrap();
    assert_eq!(wire::datagram_len(&request.packet), cfg.packet_budget, "a join is padded to a full chunk");

    let mut seed = node_with_peers(3, cfg.clone());
    seed.handle_packet(
        addr(1),
        gossip((10..310).map(|i| Update::Alive { member: addr(i), incarnation: 0 }).collect()),
        Time::ZERO,
    );
    drain(&mut seed);
    seed.handle_packet(addr(500), request.packet, Time::ZERO);
    let first = drain(&mut seed);
    assert_eq!(
        first.iter().filter(|tx| matches!(tx.packet.body, Body::PushPull(_))).count(),
        1,
        "one chunk to a stranger"
    );
    for tx in first {
        joiner.handle_packet(addr(0), tx.packet, Time::ZERO);
    }
    assert!(joiner.is_joined());
    let pull = drain(&mut joiner);
    assert!(
        pull.iter().any(|tx| tx.to == addr(0) && matches!(&tx.packet.body, Body::PushPull(p) if !p.reply && !p.join)),
        "the joiner pulls the rest: {pull:?}"
    );
    for tx in pull {
        seed.handle_packet(addr(500), tx.packet, Time::ZERO);
    }
    for tx in drain(&mut seed) {
        joiner.handle_packet(addr(0), tx.packet, Time::ZERO);
    }
    assert_eq!(joiner.members().len(), seed.members().len(), "now it holds the seed's whole view");
}

#[test]
fn a_push_pull_chunk_past_its_count_is_refused() {
    let mut n = node_with_peers(2, fast());
    let bad = PushPull {
        reply: false,
        join: false,
        chunk: 3,
        chunks: 2,
        members: vec![entry(1, State::Dead, 0)],
        pad: vec![],
        rumors: vec![],
    };
    n.handle_packet(addr(1), Packet { body: Body::PushPull(bad), gossip: vec![] }, Time::ZERO);
    assert_eq!(state(&n, 1), Some((State::Alive, 0)));
    assert_eq!(n.counters().refused.push_pulls, 1);
    assert!(drain(&mut n).is_empty(), "and not answered");
}
