//! The phi family's rules, driven one message at a time by hand: the
//! scuttlebutt exchange, the packet budget, gaps, generations, phi against
//! the theory, and what a hostile peer may not do.

mod detection;
mod exchange;
mod hostile;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use gossip_lab::protocol::message::{Digest, NodeDelta, Scuttle};
use gossip_lab::protocol::phi::{Config, Node};
use gossip_lab::protocol::{Body, Event, NodeAddr, Packet, Time, Transmit};

/// Node `i`'s address.
pub fn addr(i: u16) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, 20_000 + i)
}

/// A `fast` node `i` started at `now`.
pub fn node(i: u16, now: Time) -> Node {
    Node::new(addr(i), Config::fast(), u64::from(i) + 1, now)
}

pub fn ms(n: u64) -> Time {
    Time::from_millis(n)
}

/// Every datagram `n` has queued.
pub fn drain(n: &mut Node) -> Vec<Transmit> {
    std::iter::from_fn(|| n.poll_transmit()).collect()
}

/// Every event `n` has queued.
pub fn events(n: &mut Node) -> Vec<Event> {
    std::iter::from_fn(|| n.poll_event()).collect()
}

/// Delivers every datagram between the nodes (by address) until none is
/// left, all at `now`; returns how many went.
pub fn exchange(nodes: &mut [&mut Node], now: Time) -> usize {
    let mut sent = 0;
    loop {
        let mut queue = Vec::new();
        for n in nodes.iter_mut() {
            let from = n.addr();
            queue.extend(drain(n).into_iter().map(|t| (from, t)));
        }
        if queue.is_empty() {
            return sent;
        }
        for (from, t) in queue {
            sent += 1;
            if let Some(n) = nodes.iter_mut().find(|n| n.addr() == t.to) {
                n.handle_packet(from, t.packet, now);
            }
        }
    }
}

/// A scuttle over the whole address range.
pub fn scuttle(digest: Vec<Digest>, deltas: Vec<NodeDelta>) -> Scuttle {
    let lo = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
    let hi = SocketAddrV4::new(Ipv4Addr::BROADCAST, u16::MAX);
    Scuttle { lo, hi, digest, deltas, pad: Vec::new() }
}

pub fn syn(s: Scuttle) -> Packet {
    Packet { body: Body::Syn(s), gossip: Vec::new() }
}

/// Two joined nodes, 0 (the seed) and 1, at 1 s.
pub fn pair() -> (Node, Node) {
    let mut a = node(0, ms(0));
    let mut b = node(1, ms(0));
    b.join(&[a.addr()], ms(0));
    exchange(&mut [&mut a, &mut b], ms(0));
    assert!(b.is_joined());
    (a, b)
}

pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}
