//! Small clusters for the observe rule tests (and the fold's other
//! readers' tests, such as `plot`'s), fed by hand: shared so that every
//! rule test starts from the same picture.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::metrics::Metrics;
use super::spec::{Mode, Script, SessionSpec};
use crate::faults::{FaultPlan, LinkRule};
use crate::protocol::{Config, Event, NodeAddr, State, Time};
use crate::scenario::Expect;

/// The addresses of `n` lab nodes.
pub fn addrs(n: u16) -> Vec<NodeAddr> {
    (0..n).map(|i| SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9000 + i)).collect()
}

/// A scripted simulator session on the fast preset over a clean network,
/// with nothing to expect: what a fold test needs before any line.
pub fn spec() -> SessionSpec {
    SessionSpec {
        profile: "test".into(),
        driver: "sim".into(),
        seed: 1,
        protocol: Config::fast(),
        phi: None,
        protocol_label: "fast preset".into(),
        network: LinkRule::default(),
        expect: Expect::default(),
        mode: Mode::Scripted,
        script: Script { duration: std::time::Duration::from_secs(60), steps: Vec::new() },
    }
}

/// An address that is no lab node's (a forged member).
pub fn fake(i: u8) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::new(10, 66, 0, i), 7946)
}

/// A view change to `to`, from nothing in particular.
pub fn changed(member: NodeAddr, to: State) -> Event {
    Event::MemberChanged { member, from: None, to, incarnation: 0 }
}

/// A view change from `from` to `to`.
pub fn moved(member: NodeAddr, from: State, to: State) -> Event {
    Event::MemberChanged { member, from: Some(from), to, incarnation: 0 }
}

/// `n` nodes on the fast preset that all know each other at t = 0.
pub fn mesh(n: u16) -> (Metrics, Vec<NodeAddr>) {
    let a = addrs(n);
    let mut m = Metrics::new(&Config::fast(), &a, FaultPlan::new(LinkRule::default()), Time::ZERO);
    for o in 0..a.len() {
        for &subject in &a {
            m.on_event(o, &changed(subject, State::Alive), Time::ZERO);
        }
    }
    (m, a)
}
