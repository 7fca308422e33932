//! One `Node` fed an arbitrary sequence of decoded messages, timer
//! advances and commands, with every rule of
//! `gossip_lab::sim::invariants` checked after every input.
//!
//! Raw bytes would almost never decode into a packet that reaches the
//! protocol's rules, so the fuzzer draws inputs from a small world
//! instead (the `arbitrary` enums below): a few addresses (the node
//! itself, members it knows, strangers, anyone on loopback),
//! incarnations around the ones that matter (what the node holds, the
//! jump bound, the refutation step, `Incarnation::MAX`), sequence numbers
//! that echo the node's own pings (or not), and floods large enough to
//! reach every bound. On top of the shared rules, the driver checks what
//! only it can see: the outbox drains, no datagram exceeds the packet
//! budget, a node that has not left always has a timer armed, and a
//! sender the node did not know when its datagram arrived is answered
//! only by datagrams to itself, none larger than the one it sent (no
//! reflection, no amplification).

#![no_main]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use arbitrary::Arbitrary;
use gossip_lab::protocol::member::{MAX_INCARNATION_JUMP, REFUTE_STEP};
use gossip_lab::protocol::message::{MAX_RUMOR_PAYLOAD, MemberEntry, PushPull};
use gossip_lab::protocol::{Body, Config, Incarnation, Node, NodeAddr, Packet, Rumor, RumorId, State, Time, Update};
use gossip_lab::sim::invariants::Watch;
use gossip_lab::wire;
use libfuzzer_sys::fuzz_target;

/// Members the node is introduced to before the inputs start.
const MEMBERS: u16 = 4;
/// Addresses that never introduce themselves unless an input says so.
const STRANGERS: u16 = 3;
/// The most datagrams one input may make the node queue before the
/// outbox counts as not draining.
const MAX_SENDS_PER_INPUT: usize = 200_000;

fn addr(i: u16) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::LOCALHOST, 7000 + i)
}

/// Who a packet is from, or a claim is about.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Who {
    Me,
    Member(u8),
    Stranger(u8),
    /// Anyone on 127.0.0.0/24: mostly unknown, now and then a known one.
    Anyone(u8, u16),
}

/// An incarnation, mostly relative to what the node holds.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Inc {
    /// What the node holds for that member (its own, for `Me`), plus 0..4.
    Held(u8),
    /// What the node holds minus 1..4 (old news).
    Behind(u8),
    Small(u8),
    /// Exactly at the jump bound past what is held, and one past it.
    AtJump,
    PastJump,
    /// Past what one refutation may climb.
    PastRefute,
    Max,
    BelowMax(u8),
    Any(u64),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum FState {
    Alive,
    Suspect,
    Dead,
    Left,
}

/// A sequence number: echo the last one the node sent to the sender in a
/// ping or an indirect-probe request (the only way to answer one, since
/// they are random), or any.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Seq {
    Echo,
    Any(u32),
}

#[derive(Arbitrary, Debug, Clone)]
enum FBody {
    Ping { seq: Seq, members: u32 },
    Ack { seq: Seq, members: u32 },
    PingReq { seq: Seq, target: Who },
    Nack { seq: Seq },
    PushPull { reply: bool, join: bool, chunk: u8, chunks: u8, members: Vec<(Who, Inc, FState)>, pad: u16 },
    Gossip,
}

#[derive(Arbitrary, Debug, Clone)]
enum FUpdate {
    Alive { member: Who, inc: Inc },
    Suspect { member: Who, inc: Inc, from: Who },
    Dead { member: Who, inc: Inc, from: Who },
    Left { member: Who, inc: Inc },
    Rumor { origin: Who, seq: u8, len: u16 },
}

/// Many datagrams at once from one sender, enough to reach a bound.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Flood {
    /// Distinct rumors, many per datagram.
    Rumors,
    /// Distinct new members, each claimed Alive by the sender.
    Members,
    /// Indirect-probe requests for distinct targets.
    PingReqs,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Wait {
    /// Run the next timer.
    Next,
    /// Run timers in order for this many milliseconds.
    Millis(u16),
    /// Stall, then handle every timer at once, late (the lag paths).
    Stall(u16),
    /// Run timers in order past the reap time.
    Reap,
}

#[derive(Arbitrary, Debug, Clone)]
enum Input {
    /// A datagram; with `introduce`, its gossip opens with the sender's
    /// own Alive at the incarnation the node holds (or 0), the way a
    /// newcomer's datagrams do.
    Packet {
        from: Who,
        introduce: bool,
        body: FBody,
        gossip: Vec<FUpdate>,
    },
    Wait(Wait),
    Join(Vec<Who>),
    Leave,
    Rumor(u16),
    Flood {
        from: Who,
        what: Flood,
        count: u16,
    },
}

/// The config knobs a run may turn; the rest is the `fast` preset.
#[derive(Arbitrary, Debug)]
struct Knobs {
    awareness: bool,
    dynamic_suspicion: bool,
    buddy: bool,
    max_members: u8,
    reap_secs: u8,
    seed: u64,
}

#[derive(Arbitrary, Debug)]
struct Run {
    knobs: Knobs,
    inputs: Vec<Input>,
}

struct Harness {
    node: Node,
    watch: Watch,
    now: Time,
    /// The last ping or indirect-probe sequence number sent to each address.
    seqs: BTreeMap<NodeAddr, u32>,
    /// Seeds of a join in progress: they may answer as strangers do not.
    seeds: Vec<NodeAddr>,
    /// Distinct numbers for floods.
    fresh: u32,
}

impl Harness {
    fn new(knobs: &Knobs) -> Harness {
        let config = Config {
            awareness: knobs.awareness,
            dynamic_suspicion: knobs.dynamic_suspicion,
            buddy: knobs.buddy,
            max_members: 1 + usize::from(knobs.max_members % 24),
            reap_after: Duration::from_secs(1 + u64::from(knobs.reap_secs % 10)),
            ..Config::fast()
        };
        let node = Node::new(addr(0), config, knobs.seed, Time::ZERO);
        let watch = Watch::new(&node);
        let mut h = Harness { node, watch, now: Time::ZERO, seqs: BTreeMap::new(), seeds: Vec::new(), fresh: 0 };
        // Members introduce themselves, the way a cluster does: a stranger
        // may speak only for itself.
        for i in 1..=MEMBERS {
            let hello = Packet { body: Body::Gossip, gossip: vec![Update::Alive { member: addr(i), incarnation: 0 }] };
            h.packet(addr(i), hello);
        }
        h
    }

    fn who(&self, who: Who) -> NodeAddr {
        match who {
            Who::Me => addr(0),
            Who::Member(i) => addr(1 + u16::from(i) % MEMBERS),
            Who::Stranger(i) => addr(1 + MEMBERS + u16::from(i) % STRANGERS),
            Who::Anyone(host, port) => SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, host), port),
        }
    }

    fn inc(&self, member: NodeAddr, inc: Inc) -> Incarnation {
        let held = self.node.member(member).map_or(0, |m| m.incarnation);
        match inc {
            Inc::Held(d) => held.saturating_add(u64::from(d % 4)),
            Inc::Behind(d) => held.saturating_sub(1 + u64::from(d % 4)),
            Inc::Small(n) => u64::from(n % 8),
            Inc::AtJump => held.saturating_add(MAX_INCARNATION_JUMP),
            Inc::PastJump => held.saturating_add(MAX_INCARNATION_JUMP + 1),
            Inc::PastRefute => held.saturating_add(REFUTE_STEP + 2),
            Inc::Max => Incarnation::MAX,
            Inc::BelowMax(d) => Incarnation::MAX - u64::from(d % 4),
            Inc::Any(n) => n,
        }
    }

    fn seq(&self, from: NodeAddr, seq: Seq) -> u32 {
        match seq {
            Seq::Echo => self.seqs.get(&from).copied().unwrap_or(0),
            Seq::Any(n) => n,
        }
    }

    fn state(s: FState) -> State {
        match s {
            FState::Alive => State::Alive,
            FState::Suspect => State::Suspect,
            FState::Dead => State::Dead,
            FState::Left => State::Left,
        }
    }

    fn body(&self, from: NodeAddr, body: &FBody) -> Body {
        match *body {
            FBody::Ping { seq, members } => Body::Ping { seq: self.seq(from, seq), members },
            FBody::Ack { seq, members } => Body::Ack { seq: self.seq(from, seq), members },
            FBody::PingReq { seq, target } => Body::PingReq { seq: self.seq(from, seq), target: self.who(target) },
            FBody::Nack { seq } => Body::Nack { seq: self.seq(from, seq) },
            FBody::PushPull { reply, join, chunk, chunks, ref members, pad } => Body::PushPull(PushPull {
                reply,
                join,
                chunk: u16::from(chunk % 4),
                chunks: u16::from(chunks % 4),
                members: members
                    .iter()
                    .map(|&(who, inc, state)| {
                        let addr = self.who(who);
                        MemberEntry { addr, incarnation: self.inc(addr, inc), state: Self::state(state) }
                    })
                    .collect(),
                pad: vec![0; usize::from(pad) % 2048],
                rumors: Vec::new(),
            }),
            FBody::Gossip => Body::Gossip,
        }
    }

    fn update(&self, update: &FUpdate) -> Update {
        match *update {
            FUpdate::Alive { member, inc } => {
                let member = self.who(member);
                Update::Alive { member, incarnation: self.inc(member, inc) }
            }
            FUpdate::Suspect { member, inc, from } => {
                let member = self.who(member);
                Update::Suspect { member, incarnation: self.inc(member, inc), from: self.who(from) }
            }
            FUpdate::Dead { member, inc, from } => {
                let member = self.who(member);
                Update::Dead { member, incarnation: self.inc(member, inc), from: self.who(from) }
            }
            FUpdate::Left { member, inc } => {
                let member = self.who(member);
                Update::Left { member, incarnation: self.inc(member, inc) }
            }
            FUpdate::Rumor { origin, seq, len } => Update::Rumor(Rumor {
                id: RumorId { origin: self.who(origin), seq: u32::from(seq % 8) },
                payload: vec![7; usize::from(len) % (MAX_RUMOR_PAYLOAD + 8)],
            }),
        }
    }

    /// Hands one datagram over at the current time, then checks what came
    /// out: a sender the node did not know gets only datagrams to itself,
    /// none larger than its own.
    fn packet(&mut self, from: NodeAddr, packet: Packet) {
        let vouched = !self.node.is_joined() && self.seeds.contains(&from);
        let stranger = self.node.member(from).is_none() && !vouched && from != self.node.addr();
        let request = wire::datagram_len(&packet);
        self.node.handle_packet(from, packet, self.now);
        let sent = self.settle();
        if stranger {
            for (to, len) in sent {
                assert_eq!(to, from, "a datagram from stranger {from} made the node send to {to}");
                assert!(len <= request, "a {request}-byte datagram from stranger {from} drew a {len}-byte reply");
            }
        }
    }

    /// Drains the node's datagrams and events and checks every rule;
    /// returns each datagram's destination and size.
    fn settle(&mut self) -> Vec<(NodeAddr, usize)> {
        let budget = self.node.config().packet_budget;
        let mut sent = Vec::new();
        while let Some(t) = self.node.poll_transmit() {
            assert!(sent.len() < MAX_SENDS_PER_INPUT, "the outbox does not drain");
            let len = wire::datagram_len(&t.packet);
            assert!(len <= budget, "a {len}-byte datagram past the {budget}-byte budget: {:?}", t.packet);
            if let Body::Ping { seq, .. } | Body::PingReq { seq, .. } = t.packet.body {
                self.seqs.insert(t.to, seq);
            }
            sent.push((t.to, len));
        }
        while let Some(event) = self.node.poll_event() {
            if let Err(v) = self.watch.event(&event) {
                panic!("{v}");
            }
        }
        if let Err(v) = self.watch.check(&self.node) {
            panic!("{v}");
        }
        assert!(self.node.has_left() || self.node.poll_timeout().is_some(), "a running node with no timer armed");
        sent
    }

    /// Runs every timer due up to `until`, in order, as a driver would.
    fn run_until(&mut self, until: Time) {
        while let Some(at) = self.node.poll_timeout().filter(|&at| at <= until) {
            self.now = self.now.max(at);
            self.node.handle_timeout(self.now);
            self.settle();
        }
        self.now = self.now.max(until);
    }

    fn wait(&mut self, wait: Wait) {
        match wait {
            Wait::Next => {
                if let Some(at) = self.node.poll_timeout() {
                    self.run_until(at);
                }
            }
            Wait::Millis(ms) => self.run_until(self.now + Duration::from_millis(u64::from(ms % 5_000))),
            Wait::Stall(ms) => {
                self.now += Duration::from_millis(u64::from(ms) * 10);
                self.node.handle_timeout(self.now);
                self.settle();
            }
            Wait::Reap => {
                let past = self.node.config().reap_after + self.node.config().probe_interval * 20;
                self.run_until(self.now + past);
            }
        }
    }

    fn flood(&mut self, from: NodeAddr, what: Flood, count: u16) {
        let count = u32::from(count % 6000);
        let mut sent = 0;
        while sent < count {
            let batch = (count - sent).min(32);
            let base = self.fresh;
            self.fresh = self.fresh.wrapping_add(batch);
            let packet = match what {
                Flood::Rumors => Packet {
                    body: Body::Gossip,
                    gossip: (0..batch)
                        .map(|i| Update::Rumor(Rumor { id: RumorId { origin: from, seq: base + i }, payload: vec![1] }))
                        .collect(),
                },
                Flood::Members => Packet {
                    body: Body::Gossip,
                    gossip: (0..batch)
                        .map(|i| {
                            let n = base.wrapping_add(i);
                            let member = SocketAddrV4::new(Ipv4Addr::new(127, 1, (n >> 16) as u8, 1), n as u16);
                            Update::Alive { member, incarnation: 0 }
                        })
                        .collect(),
                },
                Flood::PingReqs => {
                    let target = SocketAddrV4::new(Ipv4Addr::new(127, 2, 0, 1), base as u16);
                    Packet { body: Body::PingReq { seq: base, target }, gossip: Vec::new() }
                }
            };
            sent += if matches!(what, Flood::PingReqs) { 1 } else { batch };
            self.packet(from, packet);
        }
    }

    fn input(&mut self, input: &Input) {
        match input {
            Input::Packet { from, introduce, body, gossip } => {
                let from = self.who(*from);
                let hello =
                    introduce.then(|| Update::Alive { member: from, incarnation: self.inc(from, Inc::Held(0)) });
                let gossip = hello.into_iter().chain(gossip.iter().map(|u| self.update(u))).collect();
                self.packet(from, Packet { body: self.body(from, body), gossip });
            }
            Input::Wait(wait) => self.wait(*wait),
            Input::Join(seeds) => {
                let seeds: Vec<NodeAddr> = seeds.iter().take(4).map(|&s| self.who(s)).collect();
                self.node.join(&seeds, self.now);
                if !self.node.is_joined() {
                    self.seeds = seeds;
                }
                self.settle();
            }
            Input::Leave => {
                self.watch.leave();
                self.node.leave(self.now);
                self.settle();
            }
            Input::Rumor(len) => {
                // Refused when too large or not running; either way the
                // node must stay within its rules.
                let _ = self.node.broadcast_rumor(vec![3; usize::from(*len) % (MAX_RUMOR_PAYLOAD + 8)], self.now);
                self.settle();
            }
            Input::Flood { from, what, count } => {
                let from = self.who(*from);
                self.flood(from, *what, *count);
            }
        }
    }
}

fuzz_target!(|run: Run| {
    let mut h = Harness::new(&run.knobs);
    for input in &run.inputs {
        h.input(input);
    }
});
