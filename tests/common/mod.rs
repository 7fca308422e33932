//! The hand-driving harness of the protocol rule tests: nodes at fixed
//! loopback addresses, packets built by hand, and time advanced as a driver
//! would. Shared by `protocol_rules/` and `protocol_trust.rs`; each uses
//! only some of it.

#![allow(dead_code)]

use gossip_lab::protocol::{Body, Config, Event, Incarnation, Node, NodeAddr, Packet, State, Time, Transmit, Update};
use std::net::{Ipv4Addr, SocketAddrV4};

pub fn addr(i: u16) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, 7000 + i)
}

pub fn fast() -> Config {
    Config::fast()
}

/// A node at `addr(0)` that already knows `addr(1..=others)` as alive:
/// `addr(1)` introduces itself (a stranger may speak only for itself),
/// then, now a member, the others.
pub fn node_with_peers(others: u16, config: Config) -> Node {
    let mut n = Node::new(addr(0), config, 1, Time::ZERO);
    let gossip = (1..=others).map(|i| Update::Alive { member: addr(i), incarnation: 0 }).collect();
    n.handle_packet(
        addr(1),
        Packet { body: Body::Gossip, gossip: vec![Update::Alive { member: addr(1), incarnation: 0 }] },
        Time::ZERO,
    );
    n.handle_packet(addr(1), Packet { body: Body::Gossip, gossip }, Time::ZERO);
    drain(&mut n);
    events(&mut n);
    n
}

pub fn drain(n: &mut Node) -> Vec<Transmit> {
    std::iter::from_fn(|| n.poll_transmit()).collect()
}

pub fn events(n: &mut Node) -> Vec<Event> {
    std::iter::from_fn(|| n.poll_event()).collect()
}

/// A ping or ack from a peer that claims to know no members, so it never
/// triggers a catch-up push-pull (tested on its own below).
pub fn ping(seq: u32) -> Packet {
    Packet { body: Body::Ping { seq, members: 0 }, gossip: vec![] }
}

pub fn ack(seq: u32) -> Packet {
    Packet { body: Body::Ack { seq, members: 0 }, gossip: vec![] }
}

pub fn is_ack(body: &Body, want: u32) -> bool {
    matches!(body, Body::Ack { seq, .. } if *seq == want)
}

pub fn gossip(updates: Vec<Update>) -> Packet {
    Packet { body: Body::Gossip, gossip: updates }
}

pub fn state(n: &Node, i: u16) -> Option<(State, Incarnation)> {
    n.member(addr(i)).map(|m| (m.state, m.incarnation))
}

/// Runs timers up to `until` in small steps, as a driver would.
pub fn advance(n: &mut Node, until: Time) -> Vec<Transmit> {
    let mut out = Vec::new();
    while let Some(t) = n.poll_timeout() {
        if t > until {
            break;
        }
        n.handle_timeout(t);
        out.extend(drain(n));
    }
    out
}

/// Advances to the next ping this node sends; returns the time and the packet.
pub fn next_ping(n: &mut Node) -> (Time, Transmit) {
    loop {
        let t = n.poll_timeout().expect("a running node always has a timer");
        n.handle_timeout(t);
        if let Some(tx) = drain(n).into_iter().find(|tx| matches!(tx.packet.body, Body::Ping { .. })) {
            return (t, tx);
        }
    }
}

/// How long a node's first probe period may last: one probe interval,
/// plus up to a step of the probe grid the node moves onto after its
/// first tick (half the interval in a cluster of up to 64).
pub fn first_period(config: &Config) -> std::time::Duration {
    config.probe_interval + config.probe_interval / 2
}

/// Advances to the next ping this node sends and returns (time, target, seq).
pub fn first_ping(n: &mut Node) -> (Time, NodeAddr, u32) {
    let (t, tx) = next_ping(n);
    let Body::Ping { seq, .. } = tx.packet.body else { unreachable!() };
    (t, tx.to, seq)
}

pub fn port_index(a: NodeAddr) -> u16 {
    a.port() - 7000
}
