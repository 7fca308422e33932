//! Failure detection: whom to probe next, and the state of one probe.
//!
//! SWIM probes one member per protocol period. Picking targets round-robin
//! over a shuffled list (reshuffled on every wrap) bounds the time until any
//! given member is probed by this node to 2N − 1 periods, where random picks
//! would give only an expected bound. Members that join mid-round are
//! inserted at a random position so they get probed soon.

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

use super::{Incarnation, NodeAddr, Time};

/// The round-robin probe order.
#[derive(Clone, Debug, Default)]
pub struct ProbeList {
    order: Vec<NodeAddr>,
    pos: usize,
}

impl ProbeList {
    /// An empty list.
    pub fn new() -> ProbeList {
        ProbeList::default()
    }

    /// Adds a member at a random position among those not yet probed this
    /// round: appended, then swapped with a random such entry, which keeps
    /// the order uniformly random at O(1) (inserting into the middle of the
    /// list made learning N members cost O(N²)).
    pub fn insert<R: Rng + ?Sized>(&mut self, addr: NodeAddr, rng: &mut R) {
        self.order.push(addr);
        let last = self.order.len() - 1;
        let at = rng.random_range(self.pos..=last);
        self.order.swap(at, last);
    }

    /// Adds many members at once, shuffled into the rest of the current
    /// round: one shuffle instead of an O(n) insertion per member.
    pub fn extend<R: Rng + ?Sized>(&mut self, addrs: impl IntoIterator<Item = NodeAddr>, rng: &mut R) {
        self.order.extend(addrs);
        self.order[self.pos..].shuffle(rng);
    }

    /// The next member to probe: the next entry for which `probeable` holds.
    /// On wrap, the list is rebuilt from `all` (the probeable members) and
    /// shuffled, which also drops members that died or left.
    pub fn next<R, F, I>(&mut self, rng: &mut R, probeable: F, all: I) -> Option<NodeAddr>
    where
        R: Rng + ?Sized,
        F: Fn(NodeAddr) -> bool,
        I: FnOnce() -> Vec<NodeAddr>,
    {
        while self.pos < self.order.len() {
            let addr = self.order[self.pos];
            self.pos += 1;
            if probeable(addr) {
                return Some(addr);
            }
        }
        self.order = all();
        self.order.shuffle(rng);
        self.pos = 0;
        while self.pos < self.order.len() {
            let addr = self.order[self.pos];
            self.pos += 1;
            if probeable(addr) {
                return Some(addr);
            }
        }
        None
    }

    /// Entries in the current round, including ones no longer probeable.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// Where a probe stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Ping sent, waiting for the ack until the ack deadline.
    Direct,
    /// Ack deadline passed; helpers were asked and may nack.
    Indirect,
}

/// The most helpers one indirect probe asks (the profile bound on
/// `indirect_checks`).
pub const MAX_HELPERS: usize = 16;

/// The helpers an indirect probe asked, and which of them have nacked.
/// Only these may answer for the target, and each may nack once: a nack or
/// relayed ack from anyone else is not evidence about our health or the
/// target's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Helpers {
    addrs: [Option<NodeAddr>; MAX_HELPERS],
    nacked: u16,
}

impl Helpers {
    /// The helpers in `addrs` (the first [`MAX_HELPERS`] of them).
    pub fn new(addrs: &[NodeAddr]) -> Helpers {
        let mut h = Helpers::default();
        for (slot, &a) in h.addrs.iter_mut().zip(addrs) {
            *slot = Some(a);
        }
        h
    }

    /// How many helpers were asked.
    pub fn len(&self) -> usize {
        self.addrs.iter().flatten().count()
    }

    /// True when no helper was asked.
    pub fn is_empty(&self) -> bool {
        self.addrs[0].is_none()
    }

    /// True when `addr` was asked.
    pub fn contains(&self, addr: NodeAddr) -> bool {
        self.addrs.contains(&Some(addr))
    }

    /// Records a nack from `addr`: true only the first time a helper that
    /// was asked nacks.
    pub fn nack(&mut self, addr: NodeAddr) -> bool {
        let Some(i) = self.addrs.iter().position(|a| *a == Some(addr)) else {
            return false;
        };
        let bit = 1u16 << i;
        let fresh = self.nacked & bit == 0;
        self.nacked |= bit;
        fresh
    }

    /// Nacks received, each helper counted once.
    pub fn nacks(&self) -> u32 {
        self.nacked.count_ones()
    }
}

/// The probe this node has in flight (at most one per period).
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// The ping's sequence number: random, so that an outsider cannot
    /// forge the ack.
    pub seq: u32,
    /// The member probed.
    pub target: NodeAddr,
    /// The target's incarnation when the ping went out: a failed probe is
    /// evidence against that incarnation only.
    pub incarnation: Incarnation,
    /// When the ping went out.
    pub started: Time,
    /// When to give up on a direct ack and ask helpers.
    pub ack_deadline: Time,
    /// Where the probe stands.
    pub phase: Phase,
    /// The helpers asked (each owes an ack or a nack).
    pub helpers: Helpers,
}

impl Probe {
    /// Lifeguard's verdict on our own health after this probe failed: each
    /// helper that did not even nack suggests our messages are not getting
    /// through, which points at us rather than the target. Without helpers
    /// to judge by, any failure counts once.
    pub fn failure_penalty(&self) -> i64 {
        let asked = self.helpers.len() as u32;
        if asked > 0 { i64::from(asked.saturating_sub(self.helpers.nacks())) } else { 1 }
    }

    /// True when an ack from `from` answers this probe: only the target, or
    /// a helper relaying the target's ack, can.
    pub fn acked_by(&self, from: NodeAddr) -> bool {
        from == self.target || self.helpers.contains(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    use std::collections::BTreeSet;
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn addr(port: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
    }

    #[test]
    fn every_member_is_probed_once_per_round() {
        let mut rng = SmallRng::seed_from_u64(1);
        let all: Vec<NodeAddr> = (1..=10).map(addr).collect();
        let mut list = ProbeList::new();
        for _round in 0..3 {
            let mut seen = BTreeSet::new();
            for _ in 0..10 {
                let a = list.next(&mut rng, |_| true, || all.clone()).unwrap();
                assert!(seen.insert(a), "{a} probed twice in one round");
            }
            assert_eq!(seen.len(), 10);
        }
    }

    #[test]
    fn rounds_are_reshuffled() {
        let mut rng = SmallRng::seed_from_u64(2);
        let all: Vec<NodeAddr> = (1..=20).map(addr).collect();
        let mut list = ProbeList::new();
        let round = |list: &mut ProbeList, rng: &mut SmallRng| -> Vec<NodeAddr> {
            (0..20).map(|_| list.next(rng, |_| true, || all.clone()).unwrap()).collect()
        };
        let a = round(&mut list, &mut rng);
        let b = round(&mut list, &mut rng);
        assert_ne!(a, b, "two rounds in the same order");
    }

    #[test]
    fn skips_unprobeable_and_returns_none_when_alone() {
        let mut rng = SmallRng::seed_from_u64(3);
        let mut list = ProbeList::new();
        let got = list.next(&mut rng, |a| a != addr(2), || vec![addr(2), addr(3)]);
        assert_eq!(got, Some(addr(3)));
        assert_eq!(list.next(&mut rng, |_| false, Vec::new), None);
    }

    #[test]
    fn failure_penalty_counts_missing_nacks() {
        let mut p = Probe {
            seq: 1,
            target: addr(1),
            incarnation: 0,
            started: Time::ZERO,
            ack_deadline: Time::ZERO,
            phase: Phase::Indirect,
            helpers: Helpers::new(&[addr(2), addr(3), addr(4)]),
        };
        assert!(p.helpers.nack(addr(2)));
        assert_eq!(p.failure_penalty(), 2);
        assert!(p.helpers.nack(addr(3)) && p.helpers.nack(addr(4)));
        assert_eq!(p.failure_penalty(), 0);
        p.helpers = Helpers::default();
        assert_eq!(p.failure_penalty(), 1);
    }

    #[test]
    fn only_asked_helpers_nack_and_each_only_once() {
        let mut h = Helpers::new(&[addr(2), addr(3)]);
        assert!(!h.nack(addr(9)), "a stranger's nack");
        assert!(h.nack(addr(2)));
        assert!(!h.nack(addr(2)), "a second nack from the same helper");
        assert_eq!(h.nacks(), 1);
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn an_ack_counts_only_from_the_target_or_an_asked_helper() {
        let p = Probe {
            seq: 1,
            target: addr(1),
            incarnation: 0,
            started: Time::ZERO,
            ack_deadline: Time::ZERO,
            phase: Phase::Indirect,
            helpers: Helpers::new(&[addr(2)]),
        };
        assert!(p.acked_by(addr(1)) && p.acked_by(addr(2)));
        assert!(!p.acked_by(addr(3)));
    }
}
