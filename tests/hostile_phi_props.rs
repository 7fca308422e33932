//! Property test: a small simulated phi cluster fed random hostile
//! scuttlebutt, as `hostile_props` feeds SWIM's. Digests and deltas from
//! members, strangers and the rogue's address, with generations and
//! heartbeats around what the receiver holds (behind, equal, a little
//! ahead, far ahead, `u64::MAX`), versions with gaps and overlaps, and
//! process commands between them. After every step every running node is
//! checked against `gossip_lab::sim::invariants`: never itself suspect or
//! dead, no generation going back, every table within its bound, a rumor
//! delivered once.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use gossip_lab::protocol::message::{Digest, NodeDelta, Scuttle, StateValue, Versioned};
use gossip_lab::protocol::{Body, NodeAddr, Packet, phi};
use gossip_lab::sim::invariants::Violation;
use gossip_lab::sim::{Cluster, SimConfig};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

#[path = "common/watched.rs"]
mod watched;
use watched::{Process, Watched, Who, process, who};

/// A number relative to what the receiver holds about the subject.
#[derive(Clone, Copy, Debug)]
enum Rel {
    Behind(u64),
    Held,
    Ahead(u64),
    Far,
    Max,
}

#[derive(Clone, Debug)]
enum Step {
    Inject {
        from: Who,
        to: usize,
        kind: u8,
        digest: Vec<(Who, Rel, Rel, u64)>,
        deltas: Vec<(Who, Rel, u64, u64, Vec<u32>)>,
    },
    Process(Process),
}

fn rel() -> impl Strategy<Value = Rel> {
    prop_oneof![
        1 => (0u64..5).prop_map(Rel::Behind),
        4 => Just(Rel::Held),
        3 => (1u64..20).prop_map(Rel::Ahead),
        1 => Just(Rel::Far),
        1 => Just(Rel::Max),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => (who(4), 0usize..8, 0u8..3, vec((who(4), rel(), rel(), 0u64..40), 0..8),
               vec((who(4), rel(), 0u64..20, 0u64..30, vec(0u32..6, 0..4)), 0..4))
            .prop_map(|(from, to, kind, digest, deltas)| Step::Inject { from, to, kind, digest, deltas }),
        10 => process().prop_map(Step::Process),
    ]
}

/// The shared harness, and the scuttles a case builds.
struct Harness {
    w: Watched,
}

impl Harness {
    fn new(nodes: usize, seed: u64) -> Result<Harness, Violation> {
        // A member cap strangers can reach, and a removal a case lives through.
        let phi = phi::Config { max_members: 10, remove_after: Duration::from_secs(4), ..phi::Config::fast() };
        let config = SimConfig { phi: Some(phi), trace: true, wire_roundtrip: true, ..SimConfig::new(nodes, seed) };
        Ok(Harness { w: Watched::new(Cluster::new(config).expect("a valid cluster"))? })
    }

    fn addr(&self, who: Who) -> NodeAddr {
        self.w.addr(who)
    }

    /// (generation, heartbeat, max version) node `to` holds about `about`.
    fn held(&self, to: usize, about: NodeAddr) -> (u64, u64, u64) {
        let node = self.w.cluster.node(to).and_then(|n| n.as_phi());
        node.and_then(|n| n.heartbeats().find(|h| h.subject == about))
            .map_or((1, 0, 0), |h| (h.generation, h.heartbeat, h.max_version))
    }

    fn rel(held: u64, r: Rel) -> u64 {
        match r {
            Rel::Behind(k) => held.saturating_sub(k),
            Rel::Held => held,
            Rel::Ahead(k) => held.saturating_add(k),
            Rel::Far => held.saturating_add(1 << 40),
            Rel::Max => u64::MAX,
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), Violation> {
        let n = self.w.n();
        match step {
            Step::Inject { from, to, kind, digest, deltas } => {
                let to = to % n;
                let digest = digest
                    .iter()
                    .map(|&(about, g, h, v)| {
                        let node = self.addr(about);
                        let (hg, hh, hv) = self.held(to, node);
                        Digest {
                            node,
                            generation: Self::rel(hg, g),
                            heartbeat: Self::rel(hh, h),
                            max_version: hv.saturating_add(v),
                        }
                    })
                    .collect();
                let deltas = deltas
                    .iter()
                    .map(|(about, g, from, span, keys)| {
                        let node = self.addr(*about);
                        let (hg, _, hv) = self.held(to, node);
                        let from = hv.saturating_sub(10).saturating_add(*from);
                        let values = keys
                            .iter()
                            .enumerate()
                            .map(|(i, &k)| Versioned {
                                version: from + 1 + i as u64,
                                value: if k == 0 {
                                    StateValue::Left
                                } else {
                                    StateValue::Rumor { seq: k, payload: vec![7] }
                                },
                            })
                            .collect();
                        NodeDelta { node, generation: Self::rel(hg, *g), from, to: from.saturating_add(*span), values }
                    })
                    .collect();
                let lo = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
                let hi = SocketAddrV4::new(Ipv4Addr::BROADCAST, u16::MAX);
                let s = Scuttle { lo, hi, digest, deltas, pad: Vec::new() };
                let body = match kind {
                    0 => Body::Syn(s),
                    1 => Body::SynAck(s),
                    _ => Body::Ack2(s),
                };
                let _ = self.w.cluster.inject_packet(self.addr(*from), to, Packet { body, gossip: Vec::new() });
            }
            Step::Process(p) => return self.w.process(*p),
        }
        self.w.check()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, rng_seed: RngSeed::Fixed(0x00f1_5eed), ..ProptestConfig::default() })]

    #[test]
    fn no_scuttlebutt_makes_a_phi_node_break_its_rules(
        nodes in 4usize..=8,
        seed in any::<u64>(),
        steps in vec(step(), 10..80),
    ) {
        let mut h = Harness::new(nodes, seed).map_err(|v| TestCaseError::fail(v.to_string()))?;
        for (i, step) in steps.iter().enumerate() {
            h.step(step).map_err(|v| TestCaseError::fail(format!("after step {i} ({step:?}): {v}")))?;
        }
        h.step(&Step::Process(Process::Run(8_000))).map_err(|v| TestCaseError::fail(format!("after the steps: {v}")))?;
    }
}
