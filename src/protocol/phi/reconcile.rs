//! Scuttlebutt: the syn / syn-ack / ack2 exchange, the digests over an
//! address range, and the deltas, built oldest first within the packet
//! budget and applied only where they leave no gap.

use super::{GENERATION_AHEAD, Life, MAX_ADDR, MAX_VERSION_JUMP, MIN_ADDR, Node, store};
use crate::protocol::message::{Digest, MAX_RUMOR_PAYLOAD, NodeDelta, Scuttle, StateValue, Versioned};
use crate::protocol::node::Event;
use crate::protocol::size::{HEADER_LEN, len_prefix};
use crate::protocol::{Body, NodeAddr, Packet, RumorId, State, Time};

/// Worst case of a scuttle's fixed part: the header, the body variant,
/// the two range ends, three length prefixes (3 bytes each: up to 65,535
/// items) and the packet's empty gossip list.
const FIXED: usize = HEADER_LEN + 1 + 2 * 7 + 3 * 3 + 1;

/// Which message of the exchange a scuttle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Syn,
    SynAck,
    Ack2,
}

impl Node {
    /// Opens an exchange with `to`: a digest of the next address range.
    /// A join's syn covers the whole range and is padded to the budget,
    /// so the seed may answer a stranger with a full datagram.
    pub(super) fn send_syn(&mut self, to: NodeAddr, join: bool) {
        let budget = self.config.packet_budget;
        let lo = if join { MIN_ADDR } else { self.cursor };
        let (hi, digest, used) = self.digest(lo, budget);
        self.cursor = if hi == MAX_ADDR { MIN_ADDR } else { next_addr(hi) };
        let mut scuttle = Scuttle { lo, hi, digest, deltas: Vec::new(), pad: Vec::new() };
        // While leaving, our own state rides on every syn, so the
        // departure reaches peers that would not otherwise ask for it.
        if matches!(self.life, Life::Leaving { .. }) {
            let me = self.me;
            let mut room = budget.saturating_sub(used);
            if let Some(d) = self.delta(me, 0, &mut room) {
                scuttle.deltas.push(d);
            }
        }
        if join {
            let now = Packet { body: Body::Syn(scuttle.clone()), gossip: Vec::new() }.datagram_len();
            let pad = budget.saturating_sub(now + len_prefix(budget));
            scuttle.pad = vec![0; pad];
        }
        self.send(to, Body::Syn(scuttle));
    }

    /// Our digest from `lo`, as many members as fit in `room` bytes with
    /// our own entry always in: the range's last address, the entries and
    /// the bytes the message then takes.
    fn digest(&self, lo: NodeAddr, room: usize) -> (NodeAddr, Vec<Digest>, usize) {
        let mut used = FIXED + self.entry(self.me).encoded_len();
        let mut digest = vec![self.entry(self.me)];
        let mut hi = MAX_ADDR;
        for &addr in self.order.range(lo..) {
            if addr == self.me {
                continue;
            }
            let d = self.entry(addr);
            if used + d.encoded_len() > room {
                hi = prev_addr(addr);
                break;
            }
            used += d.encoded_len();
            digest.push(d);
        }
        (hi.max(lo), digest, used)
    }

    fn entry(&self, addr: NodeAddr) -> Digest {
        let p = &self.peers[&addr];
        Digest { node: addr, generation: p.generation, heartbeat: p.heartbeat, max_version: p.max_version }
    }

    /// `addr`'s state past version `from`, lowest version first, as much
    /// as fits in `room` (which it lowers): a gapless prefix whose `to` is
    /// the last version carried, or `None` when nothing is new or fits.
    fn delta(&self, addr: NodeAddr, from: u64, room: &mut usize) -> Option<NodeDelta> {
        let p = self.peers.get(&addr)?;
        if p.max_version <= from {
            return None;
        }
        let mut d = NodeDelta { node: addr, generation: p.generation, from, to: p.max_version, values: Vec::new() };
        let head = d.encoded_len() + 2; // the values' length prefix may grow
        if head > *room {
            return None;
        }
        let mut used = head;
        for (&version, value) in p.values.range(from + 1..) {
            let v = Versioned { version, value: value.clone() };
            if used + v.encoded_len() > *room {
                // Cut here: every key changed up to the previous version is in.
                d.to = d.values.last().map_or(from, |l: &Versioned| l.version);
                break;
            }
            used += v.encoded_len();
            d.values.push(v);
        }
        if d.to == from {
            return None;
        }
        *room -= used;
        Some(d)
    }

    /// The deltas a peer whose digest of `lo..=hi` is `theirs` lacks, for
    /// every member of ours in the range, lowest `from` first.
    fn deltas_for(&self, lo: NodeAddr, hi: NodeAddr, theirs: &[Digest], mut room: usize) -> Vec<NodeDelta> {
        let mut wanted: Vec<(u64, NodeAddr)> = Vec::new();
        for &addr in self.order.range(lo..=hi).chain(std::iter::once(&self.me)) {
            let ours = &self.peers[&addr];
            let from = match theirs.iter().find(|d| d.node == addr) {
                Some(d) if d.generation == ours.generation => d.max_version,
                Some(d) if d.generation > ours.generation => continue,
                _ => 0,
            };
            if ours.max_version > from && !wanted.iter().any(|w| w.1 == addr) {
                wanted.push((from, addr));
            }
        }
        wanted.sort();
        wanted.into_iter().filter_map(|(from, addr)| self.delta(addr, from, &mut room)).collect()
    }

    /// Handles one decoded (and still untrusted) datagram from `from`.
    pub fn handle_packet(&mut self, from: NodeAddr, packet: Packet, now: Time) {
        if self.life == Life::Left || from == self.me {
            return;
        }
        self.now = self.now.max(now);
        let kind = packet.body.kind();
        let limit = packet.datagram_len();
        let (step, s) = match packet.body {
            Body::Syn(s) => (Step::Syn, s),
            Body::SynAck(s) => (Step::SynAck, s),
            Body::Ack2(s) => (Step::Ack2, s),
            // SWIM's messages: this node speaks another protocol.
            _ => return,
        };
        self.counters.received[kind.index()] += 1;
        let seed = self.joining.as_ref().is_some_and(|j| j.seeds.contains(&from));
        let stranger = !self.index.contains_key(&from) && !seed;
        for d in &s.digest {
            if stranger && d.node != from {
                self.counters.refused.stranger_claims += 1;
            } else {
                self.on_digest(d, now);
            }
        }
        self.counters.updates_received += s.deltas.len() as u64;
        for d in s.deltas {
            if stranger && d.node != from {
                self.counters.refused.stranger_claims += 1;
            } else {
                self.on_delta(d);
            }
        }
        if seed && step != Step::Syn && self.joining.is_some() {
            self.joining = None;
            self.events.push_back(Event::Joined);
        }
        // A stranger is answered with no more bytes than it sent.
        let budget = if stranger { limit.min(self.config.packet_budget) } else { self.config.packet_budget };
        match step {
            Step::Syn => {
                // Half the room for our digest, the rest for its deltas.
                let (hi, digest, used) = self.digest(s.lo, FIXED + (budget - FIXED.min(budget)) / 2);
                let hi = hi.min(s.hi);
                let digest: Vec<Digest> = digest.into_iter().filter(|d| d.node <= hi || d.node == self.me).collect();
                let deltas = self.deltas_for(s.lo, hi, &s.digest, budget.saturating_sub(used));
                self.counters.updates_sent += deltas.len() as u64;
                self.send(from, Body::SynAck(Scuttle { lo: s.lo, hi, digest, deltas, pad: Vec::new() }));
            }
            Step::SynAck => {
                let deltas = self.deltas_for(s.lo, s.hi, &s.digest, budget.saturating_sub(FIXED));
                if !deltas.is_empty() {
                    self.counters.updates_sent += deltas.len() as u64;
                    self.send(
                        from,
                        Body::Ack2(Scuttle { lo: s.lo, hi: s.hi, digest: Vec::new(), deltas, pad: Vec::new() }),
                    );
                }
            }
            Step::Ack2 => {}
        }
    }

    /// One digest line: a new member, a new life, or a fresher heartbeat.
    fn on_digest(&mut self, d: &Digest, now: Time) {
        if d.node == self.me {
            // Only we raise our numbers; a claim past them is invented.
            let own = &self.peers[&self.me];
            if d.generation > own.generation || (d.generation == own.generation && d.heartbeat > own.heartbeat) {
                self.counters.refused.incarnation_jumps += 1;
            }
            return;
        }
        let ahead = now.as_millis() + 1 + GENERATION_AHEAD.as_millis() as u64;
        if d.generation > ahead {
            self.counters.refused.incarnation_jumps += 1;
            return;
        }
        let Some(peer) = self.peers.get(&d.node) else {
            if !self.quarantine.get(&d.node).is_some_and(|q| q.holds(d.generation, d.heartbeat, now)) {
                self.quarantine.remove(&d.node);
                self.learn(d.node, d.generation, d.heartbeat, now);
            }
            return;
        };
        if d.generation < peer.generation {
            return;
        }
        if d.generation > peer.generation {
            // A new life: everything held about the old one goes.
            let detector = super::Detector::new(&self.config, now);
            let p = self.peers.get_mut(&d.node).expect("held");
            p.generation = d.generation;
            p.heartbeat = d.heartbeat;
            p.heartbeat_at = now;
            p.max_version = 0;
            p.values.clear();
            p.detector = detector;
            p.suspicion = None;
            let i = self.index[&d.node];
            self.members[i].incarnation = d.generation;
            self.set_state(d.node, State::Alive, now);
            self.schedule(d.node, now);
            return;
        }
        if d.heartbeat <= peer.heartbeat {
            return;
        }
        // A node raises its heartbeat once a round: twice the rounds since
        // we last heard, plus slack for relays, is already generous.
        let rounds = now.saturating_since(peer.heartbeat_at).as_secs_f64()
            / self.config.heartbeat_interval.as_secs_f64().max(1e-6);
        let bound = (2.0 * rounds).ceil() as u64 + 16;
        if d.heartbeat - peer.heartbeat > bound {
            self.counters.refused.incarnation_jumps += 1;
            return;
        }
        let convicted = self.state_of(d.node) == Some(State::Dead);
        let window = self.config.window;
        let p = self.peers.get_mut(&d.node).expect("held");
        p.heartbeat = d.heartbeat;
        p.heartbeat_at = now;
        p.detector.arrive(now, !convicted, window);
        if convicted {
            self.set_state(d.node, State::Alive, now);
            self.schedule(d.node, now);
        } else {
            self.judge(d.node, now);
        }
    }

    /// One node's delta: applied on top of a copy that holds its `from`,
    /// refused past a gap, a bound or the ordering it promises.
    fn on_delta(&mut self, d: NodeDelta) {
        if d.node == self.me {
            return;
        }
        let Some(peer) = self.peers.get(&d.node) else { return };
        if d.generation != peer.generation || d.to <= peer.max_version {
            return;
        }
        let ordered = d.values.windows(2).all(|w| w[0].version < w[1].version);
        let inside = d.values.iter().all(|v| v.version > d.from && v.version <= d.to);
        let sized = d.values.iter().all(|v| match &v.value {
            StateValue::Rumor { payload, .. } => payload.len() <= MAX_RUMOR_PAYLOAD,
            StateValue::Left => true,
        });
        if d.from > peer.max_version || d.to - peer.max_version > MAX_VERSION_JUMP || !ordered || !inside || !sized {
            // A gap, or a delta that breaks its own promises: counted with
            // the inconsistent anti-entropy chunks.
            self.counters.refused.push_pulls += 1;
            return;
        }
        let held = peer.max_version;
        let mut left = false;
        let mut delivered = Vec::new();
        let p = self.peers.get_mut(&d.node).expect("held");
        for v in d.values.into_iter().filter(|v| v.version > held) {
            match &v.value {
                StateValue::Left => left = true,
                StateValue::Rumor { seq, payload } => delivered.push((*seq, payload.clone())),
            }
            store(p, v.version, v.value);
        }
        p.max_version = d.to;
        for (seq, payload) in delivered {
            let id = RumorId { origin: d.node, seq };
            if self.seen.insert(id) {
                self.events.push_back(Event::RumorDelivered { id, payload });
            }
        }
        if left {
            if let Some(p) = self.peers.get_mut(&d.node) {
                p.suspicion = None;
            }
            let now = self.now;
            self.set_state(d.node, State::Left, now);
        }
    }
}

/// The address after `a` in the digest order.
fn next_addr(a: NodeAddr) -> NodeAddr {
    let v = (u64::from(a.ip().to_bits()) << 16 | u64::from(a.port())) + 1;
    NodeAddr::new(((v >> 16) as u32).into(), v as u16)
}

/// The address before `a` in the digest order.
fn prev_addr(a: NodeAddr) -> NodeAddr {
    let v = (u64::from(a.ip().to_bits()) << 16 | u64::from(a.port())).saturating_sub(1);
    NodeAddr::new(((v >> 16) as u32).into(), v as u16)
}
