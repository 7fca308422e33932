//! Property test: a small simulated cluster fed random hostile messages.
//!
//! Each case builds 4–8 nodes on the `fast` preset, lets them join, then
//! runs a random sequence of steps: a packet injected into a running node
//! from a member's, a stranger's or the rogue's address (any body, any
//! piggybacked updates, incarnations around the ones that matter: what
//! the node holds, the jump bound, the refutation step, `u64::MAX`), a
//! rogue attack, time passing, or a process command (crash, restart,
//! pause, resume, leave, rumor). After every step, and every 100 ms of
//! virtual time, every node that runs is checked against the rules of
//! `gossip_lab::sim::invariants`, fed with every event it emitted: never
//! itself suspect or dead, no incarnation going back, every table within
//! its bound, a rumor delivered once. The fuzz target
//! `fuzz/fuzz_targets/node.rs` checks the same rules on one node with
//! coverage guidance; this runs in CI.
//!
//! Member addresses are spoofed too (a member gone rogue, or raw sockets):
//! they can make a cluster believe lies, which is what keys are for, but
//! never make a node break these rules.

use std::time::Duration;

use gossip_lab::protocol::member::{MAX_INCARNATION_JUMP, REFUTE_STEP};
use gossip_lab::protocol::message::{MAX_RUMOR_PAYLOAD, MemberEntry, PushPull};
use gossip_lab::protocol::{Body, Config, Incarnation, NodeAddr, Packet, Rumor, RumorId, State, Update};
use gossip_lab::rogue::{Attack, Spec};
use gossip_lab::sim::invariants::Violation;
use gossip_lab::sim::{Cluster, SimConfig};
use proptest::collection::vec;

#[path = "common/watched.rs"]
mod watched;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};
use watched::{Process, Watched, Who, process, who};

// ---------------------------------------------------------------------------
// The world a case draws from
// ---------------------------------------------------------------------------

/// An incarnation, mostly relative to what the receiving node holds.
#[derive(Clone, Copy, Debug)]
enum Inc {
    Held(u64),
    Behind(u64),
    Small(u64),
    AtJump,
    PastJump,
    PastRefute,
    Max,
    Any(u64),
}

#[derive(Clone, Debug)]
enum BodySpec {
    Ping(u32),
    Ack(u32, u32),
    PingReq(u32, Who),
    Nack(u32),
    PushPull { reply: bool, join: bool, chunk: u16, chunks: u16, members: Vec<(Who, Inc, State)> },
    Gossip,
}

#[derive(Clone, Debug)]
enum UpdateSpec {
    Alive(Who, Inc),
    Suspect(Who, Inc, Who),
    Dead(Who, Inc, Who),
    Left(Who, Inc),
    Rumor(Who, u32, usize),
}

#[derive(Clone, Debug)]
enum Step {
    /// A packet to node `to % n`; with `hello`, its gossip opens with the
    /// sender's own Alive, as a newcomer's does.
    Inject {
        from: Who,
        to: usize,
        hello: bool,
        body: BodySpec,
        gossip: Vec<UpdateSpec>,
    },
    /// `count` rumors with fresh ids from `from` to node `to % n`, 32 to a
    /// datagram: enough to reach the rumor window and the queue's cap.
    Flood {
        from: Who,
        to: usize,
        count: u32,
    },
    Forge(usize, Attack),
    /// Time passing, or a process command.
    Process(Process),
}

fn inc() -> impl Strategy<Value = Inc> {
    prop_oneof![
        4 => (0u64..4).prop_map(Inc::Held),
        1 => (1u64..4).prop_map(Inc::Behind),
        1 => (0u64..8).prop_map(Inc::Small),
        1 => Just(Inc::AtJump),
        1 => Just(Inc::PastJump),
        1 => Just(Inc::PastRefute),
        1 => Just(Inc::Max),
        1 => any::<u64>().prop_map(Inc::Any),
    ]
}

fn state() -> impl Strategy<Value = State> {
    prop::sample::select(vec![State::Alive, State::Suspect, State::Dead, State::Left])
}

fn body() -> impl Strategy<Value = BodySpec> {
    prop_oneof![
        2 => any::<u32>().prop_map(BodySpec::Ping),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(s, m)| BodySpec::Ack(s, m)),
        1 => (any::<u32>(), who(3)).prop_map(|(s, t)| BodySpec::PingReq(s, t)),
        1 => any::<u32>().prop_map(BodySpec::Nack),
        2 => (any::<bool>(), any::<bool>(), 0u16..3, 0u16..3, vec((who(3), inc(), state()), 0..12)).prop_map(
            |(reply, join, chunk, chunks, members)| BodySpec::PushPull { reply, join, chunk, chunks, members }
        ),
        3 => Just(BodySpec::Gossip),
    ]
}

fn update() -> impl Strategy<Value = UpdateSpec> {
    prop_oneof![
        2 => (who(3), inc()).prop_map(|(m, i)| UpdateSpec::Alive(m, i)),
        2 => (who(3), inc(), who(3)).prop_map(|(m, i, f)| UpdateSpec::Suspect(m, i, f)),
        2 => (who(3), inc(), who(3)).prop_map(|(m, i, f)| UpdateSpec::Dead(m, i, f)),
        1 => (who(3), inc()).prop_map(|(m, i)| UpdateSpec::Left(m, i)),
        1 => (who(3), 0u32..4, 0usize..MAX_RUMOR_PAYLOAD + 8).prop_map(|(o, s, l)| UpdateSpec::Rumor(o, s, l)),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let node = 0usize..8;
    prop_oneof![
        12 => (who(3), node.clone(), any::<bool>(), body(), vec(update(), 0..6))
            .prop_map(|(from, to, hello, body, gossip)| Step::Inject { from, to, hello, body, gossip }),
        1 => (who(3), node.clone(), prop_oneof![3 => 0u32..500, 1 => 4_000u32..6_000])
            .prop_map(|(from, to, count)| Step::Flood { from, to, count }),
        1 => (node.clone(), prop::sample::select(Attack::ALL.to_vec())).prop_map(|(i, a)| Step::Forge(i, a)),
        10 => process().prop_map(Step::Process),
    ]
}

// ---------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------

/// The shared harness, and the SWIM messages a case builds.
struct Harness {
    w: Watched,
}

impl Harness {
    fn new(nodes: usize, seed: u64) -> Result<Harness, Violation> {
        // A member cap the flood reaches, and a reap time a case lives
        // through, so both bounds are exercised.
        let protocol = Config { max_members: 24, reap_after: Duration::from_secs(4), ..Config::fast() };
        let config = SimConfig { protocol, trace: true, wire_roundtrip: true, ..SimConfig::new(nodes, seed) };
        Ok(Harness { w: Watched::new(Cluster::new(config).expect("a valid cluster"))? })
    }

    fn addr(&self, who: Who) -> NodeAddr {
        self.w.addr(who)
    }

    fn inc(&self, to: usize, member: NodeAddr, inc: Inc) -> Incarnation {
        let held = self.w.cluster.node(to).and_then(|n| n.member(member)).map_or(0, |m| m.incarnation);
        match inc {
            Inc::Held(d) => held.saturating_add(d),
            Inc::Behind(d) => held.saturating_sub(d),
            Inc::Small(n) => n,
            Inc::AtJump => held.saturating_add(MAX_INCARNATION_JUMP),
            Inc::PastJump => held.saturating_add(MAX_INCARNATION_JUMP + 1),
            Inc::PastRefute => held.saturating_add(REFUTE_STEP + 2),
            Inc::Max => Incarnation::MAX,
            Inc::Any(n) => n,
        }
    }

    fn update(&self, to: usize, spec: &UpdateSpec) -> Update {
        let at = |who: Who, inc: Inc| {
            let member = self.addr(who);
            (member, self.inc(to, member, inc))
        };
        match *spec {
            UpdateSpec::Alive(m, i) => {
                let (member, incarnation) = at(m, i);
                Update::Alive { member, incarnation }
            }
            UpdateSpec::Suspect(m, i, f) => {
                let (member, incarnation) = at(m, i);
                Update::Suspect { member, incarnation, from: self.addr(f) }
            }
            UpdateSpec::Dead(m, i, f) => {
                let (member, incarnation) = at(m, i);
                Update::Dead { member, incarnation, from: self.addr(f) }
            }
            UpdateSpec::Left(m, i) => {
                let (member, incarnation) = at(m, i);
                Update::Left { member, incarnation }
            }
            UpdateSpec::Rumor(o, seq, len) => {
                Update::rumor(Rumor { id: RumorId { origin: self.addr(o), seq }, payload: vec![5; len] })
            }
        }
    }

    fn body(&self, to: usize, spec: &BodySpec) -> Body {
        match *spec {
            BodySpec::Ping(members) => Body::Ping { seq: 1, members },
            BodySpec::Ack(seq, members) => Body::Ack { seq, members },
            BodySpec::PingReq(seq, target) => Body::PingReq { seq, target: self.addr(target) },
            BodySpec::Nack(seq) => Body::Nack { seq },
            BodySpec::PushPull { reply, join, chunk, chunks, ref members } => Body::PushPull(PushPull {
                reply,
                join,
                chunk,
                chunks,
                members: members
                    .iter()
                    .map(|&(who, inc, state)| {
                        let addr = self.addr(who);
                        MemberEntry { addr, incarnation: self.inc(to, addr, inc), state }
                    })
                    .collect(),
                pad: Vec::new(),
                rumors: Vec::new(),
            }),
            BodySpec::Gossip => Body::Gossip,
        }
    }

    /// Runs one step. A command the cluster refuses (crashing a crashed
    /// node, injecting into a paused one) leaves it untouched and is fine.
    fn step(&mut self, step: &Step) -> Result<(), Violation> {
        let n = self.w.n();
        match *step {
            Step::Inject { from, to, hello, ref body, ref gossip } => {
                let to = to % n;
                let from = self.addr(from);
                let hello =
                    hello.then(|| Update::Alive { member: from, incarnation: self.inc(to, from, Inc::Held(0)) });
                let gossip = hello.into_iter().chain(gossip.iter().map(|u| self.update(to, u))).collect();
                let packet = Packet { body: self.body(to, body), gossip };
                let _ = self.w.cluster.inject_packet(from, to, packet);
            }
            Step::Flood { from, to, count } => {
                let (from, to) = (self.addr(from), to % n);
                for first in (0..count).step_by(32) {
                    let rumors = (first..(first + 32).min(count))
                        .map(|seq| {
                            Update::rumor(Rumor { id: RumorId { origin: from, seq: 1000 + seq }, payload: vec![1] })
                        })
                        .collect();
                    let _ = self.w.cluster.inject_packet(from, to, Packet { body: Body::Gossip, gossip: rumors });
                }
            }
            Step::Forge(i, attack) => {
                let _ = self.w.cluster.forge(i % n, Spec::new(attack, Some(40), Some(Duration::from_millis(500))));
            }
            Step::Process(p) => return self.w.process(p),
        }
        self.w.check()
    }
}

/// A fixed seed, so CI runs the same cases every time, and failures saved
/// beside this file (`tests/hostile_props.proptest-regressions`, to be
/// committed) so a found counterexample is replayed first on later runs.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x0090_551b),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_message_sequence_makes_a_node_break_its_rules(
        nodes in 4usize..=8,
        seed in any::<u64>(),
        steps in vec(step(), 10..120),
    ) {
        let mut h = Harness::new(nodes, seed).map_err(|v| TestCaseError::fail(v.to_string()))?;
        for (i, step) in steps.iter().enumerate() {
            h.step(step).map_err(|v| TestCaseError::fail(format!("after step {i} ({step:?}): {v}")))?;
        }
        // Let every timer the steps armed run out, checking as it goes.
        h.step(&Step::Process(Process::Run(10_000))).map_err(|v| TestCaseError::fail(format!("after the steps: {v}")))?;
    }
}
