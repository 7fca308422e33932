//! One node of either gossip family, behind one interface.
//!
//! The drivers (the UDP runtime and the simulator), the observer and the
//! security layer drive a node without knowing which protocol it runs:
//! SWIM + Lifeguard ([`Node`]) or heartbeat gossip with phi-accrual
//! detection ([`phi::Node`]). An enum rather than a trait object, because
//! the set of families is closed and known here, the calls are hot (every
//! datagram and timer), and an enum keeps `impl Iterator` returns without
//! boxing. What only one family has (Lifeguard's health score, the phi
//! table) is reached through [`AnyNode::as_swim`] and [`AnyNode::as_phi`],
//! or answered with the neutral value the other family implies.

use super::node::{Counters, Event, RumorError, SuspicionView, Transmit};
use super::{Config, Incarnation, Member, Node, NodeAddr, Packet, RumorId, Time, phi};

/// Which family a cluster runs, with its tuning.
#[derive(Clone, Debug, PartialEq)]
pub enum Tuning {
    /// SWIM + Lifeguard.
    Swim(Config),
    /// Heartbeat gossip, scuttlebutt reconciliation, phi-accrual detection.
    Phi(phi::Config),
}

impl Tuning {
    /// The family's name as a profile writes it (`[protocol] family`).
    pub const fn family(&self) -> &'static str {
        match self {
            Tuning::Swim(_) => "swim",
            Tuning::Phi(_) => "phi",
        }
    }
}

/// A node of either family.
#[derive(Debug)]
pub enum AnyNode {
    /// A SWIM + Lifeguard node.
    Swim(Box<Node>),
    /// A phi-accrual heartbeat-gossip node.
    Phi(Box<phi::Node>),
}

/// Calls the same method on whichever node it is.
macro_rules! each {
    ($self:expr, $n:ident => $e:expr) => {
        match $self {
            AnyNode::Swim($n) => $e,
            AnyNode::Phi($n) => $e,
        }
    };
}

/// Either of two iterators with the same item, so that a method can
/// return `impl Iterator` over whichever family answers.
pub enum Either<A, B> {
    /// The SWIM node's iterator.
    Swim(A),
    /// The phi node's iterator.
    Phi(B),
}

impl<T, A: Iterator<Item = T>, B: Iterator<Item = T>> Iterator for Either<A, B> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        match self {
            Either::Swim(a) => a.next(),
            Either::Phi(b) => b.next(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Either::Swim(a) => a.size_hint(),
            Either::Phi(b) => b.size_hint(),
        }
    }
}

impl<T, A: ExactSizeIterator<Item = T>, B: ExactSizeIterator<Item = T>> ExactSizeIterator for Either<A, B> {}

impl AnyNode {
    /// A node of the family `tuning` names, at `addr`; see [`Node::new`].
    pub fn new(addr: NodeAddr, tuning: &Tuning, seed: u64, now: Time) -> AnyNode {
        match tuning {
            Tuning::Swim(c) => AnyNode::Swim(Box::new(Node::new(addr, c.clone(), seed, now))),
            Tuning::Phi(c) => AnyNode::Phi(Box::new(phi::Node::new(addr, c.clone(), seed, now))),
        }
    }

    /// The SWIM node, if it is one.
    pub fn as_swim(&self) -> Option<&Node> {
        match self {
            AnyNode::Swim(n) => Some(n),
            AnyNode::Phi(_) => None,
        }
    }

    /// The phi node, if it is one.
    pub fn as_phi(&self) -> Option<&phi::Node> {
        match self {
            AnyNode::Swim(_) => None,
            AnyNode::Phi(n) => Some(n),
        }
    }

    /// This node's address (its identity).
    pub fn addr(&self) -> NodeAddr {
        each!(self, n => n.addr())
    }

    /// SWIM's incarnation, or the phi node's generation: the number that
    /// orders a node's own claims about itself.
    pub fn incarnation(&self) -> Incarnation {
        match self {
            AnyNode::Swim(n) => n.incarnation(),
            AnyNode::Phi(n) => n.generation(),
        }
    }

    /// Every member known, self included.
    pub fn members(&self) -> impl ExactSizeIterator<Item = &Member> {
        match self {
            AnyNode::Swim(n) => Either::Swim(n.members()),
            AnyNode::Phi(n) => Either::Phi(n.members()),
        }
    }

    /// Our row for `addr`.
    pub fn member(&self, addr: NodeAddr) -> Option<&Member> {
        each!(self, n => n.member(addr))
    }

    /// Members not held dead or left, self included.
    pub fn live_members(&self) -> usize {
        each!(self, n => n.live_members())
    }

    /// Members held suspect, as the dashboard draws them.
    pub fn suspicions(&self) -> impl Iterator<Item = SuspicionView> + '_ {
        match self {
            AnyNode::Swim(n) => Either::Swim(n.suspicions()),
            AnyNode::Phi(n) => Either::Phi(n.suspicions()),
        }
    }

    /// The most members the node will hold.
    pub fn max_members(&self) -> usize {
        match self {
            AnyNode::Swim(n) => n.config().max_members,
            AnyNode::Phi(n) => n.config().max_members,
        }
    }

    /// Lifeguard's local health score; a phi node has none, so 0.
    pub fn health_score(&self) -> u32 {
        self.as_swim().map_or(0, Node::health_score)
    }

    /// Running totals.
    pub fn counters(&self) -> &Counters {
        each!(self, n => n.counters())
    }

    /// SWIM's piggyback queue depth; a phi node queues nothing, so 0.
    pub fn broadcast_queue_len(&self) -> usize {
        self.as_swim().map_or(0, Node::broadcast_queue_len)
    }

    /// Rumor ids remembered for de-duplication.
    pub fn rumors_remembered(&self) -> usize {
        each!(self, n => n.rumors_remembered())
    }

    /// Indirect probes relayed for others (SWIM only; 0 for phi).
    pub fn pending_relays(&self) -> usize {
        self.as_swim().map_or(0, Node::pending_relays)
    }

    /// True once a seed answered (or there was none to ask).
    pub fn is_joined(&self) -> bool {
        each!(self, n => n.is_joined())
    }

    /// True once a graceful leave has been fully announced.
    pub fn has_left(&self) -> bool {
        each!(self, n => n.has_left())
    }

    /// The next instant [`AnyNode::handle_timeout`] has work to do.
    pub fn poll_timeout(&mut self) -> Option<Time> {
        each!(self, n => n.poll_timeout())
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        each!(self, n => n.poll_transmit())
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        each!(self, n => n.poll_event())
    }

    /// Handles one decoded (and still untrusted) datagram from `from`.
    pub fn handle_packet(&mut self, from: NodeAddr, packet: Packet, now: Time) {
        each!(self, n => n.handle_packet(from, packet, now))
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        each!(self, n => n.handle_timeout(now))
    }

    /// Joins the cluster through `seeds`.
    pub fn join(&mut self, seeds: &[NodeAddr], now: Time) {
        each!(self, n => n.join(seeds, now))
    }

    /// Starts already knowing `members` (a converged start).
    pub fn preload(&mut self, members: &[NodeAddr], now: Time) {
        each!(self, n => n.preload(members, now))
    }

    /// Leaves the cluster gracefully.
    pub fn leave(&mut self, now: Time) {
        each!(self, n => n.leave(now))
    }

    /// Injects a user rumor.
    pub fn broadcast_rumor(&mut self, payload: Vec<u8>, now: Time) -> Result<RumorId, RumorError> {
        each!(self, n => n.broadcast_rumor(payload, now))
    }
}
