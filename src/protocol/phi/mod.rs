//! The second gossip family: heartbeat gossip, reconciled by scuttlebutt,
//! judged by a phi-accrual detector (Cassandra, Akka Cluster, chitchat).
//!
//! Like SWIM's [`crate::protocol::Node`], a [`Node`] is a pure state
//! machine driven with an explicit `now`; the drivers hold either as a
//! [`crate::protocol::AnyNode`].
//!
//! - **Heartbeats.** Every `heartbeat_interval` (a round) a node raises its
//!   own heartbeat counter and opens a scuttlebutt exchange with up to
//!   `fanout` random live peers; with probability dead/(live + 1) also one
//!   member it holds dead, and, when none of those is a seed, with
//!   probability seeds/(live + dead) one seed: Cassandra's two rules, which
//!   are what re-merge a healed partition.
//! - **Scuttlebutt** (van Renesse et al. 2008; `reconcile`): syn (a
//!   digest of (node, generation, heartbeat, max version) for an address
//!   range) → syn-ack (our digest of the range and the deltas the other
//!   lacks) → ack2 (the deltas we were shown to lack). Heartbeats ride in
//!   the digests; the versioned state (a departure, rumors) in deltas.
//!   Deltas go lowest version first within the packet budget, and a delta
//!   is applied only on top of a copy that holds its `from` version, so a
//!   copy never has a gap. A table larger than a datagram is reconciled a
//!   range at a time, the ranges rotating round by round.
//! - **Detection** (`detector`, `judge`): each observer keeps, per
//!   subject, the intervals between the heartbeat increases it learns, and
//!   computes phi. In the shared vocabulary: phi ≥ `phi_convict`/2 makes
//!   the subject **Suspect**, phi ≥ `phi_convict` **Dead** (convicted),
//!   and a convicted member is forgotten after `remove_after`. Half the
//!   threshold is where phi says the silence is already 10^(φ/2) times
//!   less likely than usual: late enough to be worth showing, early enough
//!   to show before the conviction, and it maps SWIM's "suspect, then
//!   dead unless refuted" onto phi's continuous scale without a timer of
//!   its own (a fresh heartbeat is the refutation). Phi is judged when it
//!   crosses each threshold: every subject has a check timer at the
//!   instant the current fit says it will (re-armed by each heartbeat),
//!   so detection is not rounded up to the next round; every round also
//!   judges all subjects, which forgets the long-convicted.
//! - **Local pauses.** When the node's own timers run more than a round
//!   late, the node itself was stalled; that silence is taken off every
//!   subject's before anyone is judged (Cassandra skips interpreting after
//!   a local pause), so a paused observer does not wake up and convict the
//!   cluster.
//! - **Generations.** A node's generation is the lab time of its start in
//!   milliseconds, plus one: a restart always outranks the life before it,
//!   and a higher generation replaces everything held about the node.
//! - **Untrusted input.** A stranger's claims count only about itself; a
//!   heartbeat may advance no faster than its rounds allow, a generation
//!   no further than a minute past our clock, a version by at most
//!   [`MAX_VERSION_JUMP`]; the table is capped at `max_members`; a reply
//!   to a stranger is no larger than its request. Refusals are counted in
//!   [`Counters::refused`].

mod config;
pub mod detector;
mod judge;
mod reconcile;
mod table;
pub mod theory;
mod views;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rustc_hash::FxHashMap;

pub use config::Config;
use detector::Detector;
pub use views::{HeartbeatView, PhiView};

use super::message::{MAX_RUMOR_PAYLOAD, StateValue};
use super::node::{Counters, Event, RumorError, SuspicionView, Transmit};
use super::rumors::SeenRumors;
use super::{Member, NodeAddr, RumorId, State, Time};

/// The furthest one delta may move a node's version past what we hold:
/// only the node itself raises its version, one key at a time.
pub const MAX_VERSION_JUMP: u64 = 1 << 16;
/// Rumors kept per node for reconciliation: older ones are dropped from
/// the node's state (a late joiner does not get them).
pub const RUMORS_KEPT: usize = 32;
/// How far past our own clock a claimed generation (a start time) may be.
const GENERATION_AHEAD: Duration = Duration::from_secs(60);
/// The lowest and highest addresses: the ends of every digest range.
const MIN_ADDR: NodeAddr = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
const MAX_ADDR: NodeAddr = SocketAddrV4::new(Ipv4Addr::BROADCAST, u16::MAX);

/// What we hold about one node: its versioned state and our detector.
#[derive(Clone, Debug)]
struct Peer {
    generation: u64,
    heartbeat: u64,
    /// When we last learned a higher heartbeat (bounds the next jump).
    heartbeat_at: Time,
    max_version: u64,
    /// The current value of each key, by the version it was set at.
    values: BTreeMap<u64, StateValue>,
    detector: Detector,
    /// While Suspect: when it would be convicted at the fit of the time.
    suspicion: Option<(Time, Duration)>,
    /// When phi crosses its next threshold at the current fit: the one
    /// entry of `checks` for this peer that is not stale.
    check_at: Option<Time>,
    /// When its row last changed state (a conviction's age, for forgetting).
    since: Time,
}

#[derive(Clone, Debug)]
struct Joining {
    seeds: Vec<NodeAddr>,
    retry_at: Time,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    Running,
    /// Announcing the departure until the deadline or the rounds run out.
    Leaving {
        rounds: u32,
        deadline: Time,
    },
    Left,
}

/// One phi-accrual heartbeat-gossip node, as a pure state machine.
#[derive(Debug)]
pub struct Node {
    config: Config,
    me: NodeAddr,
    rng: SmallRng,
    /// Self first, then every member in the order learned.
    members: Vec<Member>,
    index: FxHashMap<NodeAddr, usize>,
    peers: FxHashMap<NodeAddr, Peer>,
    /// Every member's address, sorted: digests cover address ranges.
    order: BTreeSet<NodeAddr>,
    /// Where the next syn's digest range starts.
    cursor: NodeAddr,
    seeds: Vec<NodeAddr>,
    joining: Option<Joining>,
    life: Life,
    rumor_seq: u32,
    seen: SeenRumors,
    /// Forgotten lives not to learn again yet (bounded by `max_members`).
    quarantine: BTreeMap<NodeAddr, table::Quarantined>,
    next_round: Time,
    /// Per-subject check timers (see `Peer::check_at`); stale entries are
    /// skipped when they come due.
    checks: BinaryHeap<Reverse<(Time, NodeAddr)>>,
    now: Time,
    outbox: VecDeque<Transmit>,
    events: VecDeque<Event>,
    counters: Counters,
}

impl Node {
    /// A node at `addr`, alone until [`Node::join`]; `seed` drives all its
    /// random choices, `now` fixes its generation.
    pub fn new(addr: NodeAddr, config: Config, seed: u64, now: Time) -> Node {
        let mut rng = SmallRng::seed_from_u64(seed);
        let next_round = now + config.heartbeat_interval.mul_f64(rng.random_range(0.0..1.0));
        let generation = now.as_millis() + 1;
        let own = Peer {
            generation,
            heartbeat: 0,
            heartbeat_at: now,
            max_version: 0,
            values: BTreeMap::new(),
            detector: Detector::new(&config, now),
            suspicion: None,
            check_at: None,
            since: now,
        };
        let member = Member { addr, state: State::Alive, incarnation: generation };
        Node {
            me: addr,
            rng,
            members: vec![member],
            index: FxHashMap::from_iter([(addr, 0)]),
            peers: FxHashMap::from_iter([(addr, own)]),
            order: BTreeSet::from([addr]),
            cursor: MIN_ADDR,
            seeds: Vec::new(),
            joining: None,
            life: Life::Running,
            rumor_seq: 0,
            seen: SeenRumors::new(),
            quarantine: BTreeMap::new(),
            next_round,
            checks: BinaryHeap::new(),
            now,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            counters: Counters::default(),
            config,
        }
    }

    // ----- accessors -------------------------------------------------------

    /// This node's address (its identity).
    pub fn addr(&self) -> NodeAddr {
        self.me
    }

    /// The configuration the node runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Our generation (shown where SWIM shows the incarnation).
    pub fn generation(&self) -> u64 {
        self.members[0].incarnation
    }

    /// Every member we know, self first; `incarnation` is the generation.
    pub fn members(&self) -> impl ExactSizeIterator<Item = &Member> {
        self.members.iter()
    }

    /// Our row for `addr`.
    pub fn member(&self, addr: NodeAddr) -> Option<&Member> {
        self.index.get(&addr).map(|&i| &self.members[i])
    }

    /// Members not held dead or left, self included.
    pub fn live_members(&self) -> usize {
        self.members.iter().filter(|m| !m.state.is_gone()).count()
    }

    /// Members held suspect, drawn as SWIM's suspicions are: no
    /// confirmations; the deadline is when phi would reach the threshold
    /// at the fit of the moment the suspicion started.
    pub fn suspicions(&self) -> impl Iterator<Item = SuspicionView> + '_ {
        self.members.iter().filter(|m| m.state == State::Suspect).filter_map(|m| {
            let peer = self.peers.get(&m.addr)?;
            let (deadline, timeout) = peer.suspicion?;
            Some(SuspicionView {
                member: m.addr,
                incarnation: m.incarnation,
                start: peer.since,
                deadline,
                timeout,
                confirmations: 0,
                k: 0,
                min: timeout,
                max: timeout,
            })
        })
    }

    /// Running totals.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Rumor ids remembered for de-duplication.
    pub fn rumors_remembered(&self) -> usize {
        self.seen.len()
    }

    /// True once a seed answered (or there was none to ask).
    pub fn is_joined(&self) -> bool {
        self.joining.is_none()
    }

    /// True once a graceful leave has been announced.
    pub fn has_left(&self) -> bool {
        self.life == Life::Left
    }

    // ----- driver interface ----------------------------------------------

    /// The next instant [`Node::handle_timeout`] has work to do.
    pub fn poll_timeout(&mut self) -> Option<Time> {
        let mut at = match self.life {
            Life::Left => return None,
            Life::Leaving { deadline, .. } => self.next_round.min(deadline),
            Life::Running => self.next_round,
        };
        if let Some(j) = &self.joining {
            at = at.min(j.retry_at);
        }
        // Stale checks (re-armed since) are dropped, so no driver is woken
        // for one.
        while let Some(&Reverse((check, addr))) = self.checks.peek() {
            if self.peers.get(&addr).is_some_and(|p| p.check_at == Some(check)) {
                at = at.min(check);
                break;
            }
            self.checks.pop();
        }
        Some(at)
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Runs the round, the join retry and the leave deadline, when due.
    pub fn handle_timeout(&mut self, now: Time) {
        if self.life == Life::Left {
            return;
        }
        self.now = self.now.max(now);
        // Timers run more than a round late: the node itself was stalled.
        if let Some(due) = self.poll_timeout() {
            let lag = now.saturating_since(due);
            if lag > self.config.heartbeat_interval {
                self.forgive(lag, now);
            }
        }
        while let Some(&Reverse((at, addr))) = self.checks.peek() {
            if at > now {
                break;
            }
            self.checks.pop();
            if self.peers.get(&addr).is_some_and(|p| p.check_at == Some(at)) {
                self.judge(addr, now);
            }
        }
        if let Some(j) = &self.joining
            && now >= j.retry_at
        {
            let seeds = j.seeds.clone();
            self.joining = Some(Joining { seeds: seeds.clone(), retry_at: now + self.config.join_retry });
            for seed in seeds {
                self.send_syn(seed, true);
            }
        }
        if now >= self.next_round {
            self.round(now);
            self.next_round += self.config.heartbeat_interval;
            if self.next_round <= now {
                self.next_round = now + self.config.heartbeat_interval;
            }
        }
        if let Life::Leaving { rounds, deadline } = self.life
            && (rounds == 0 || now >= deadline)
        {
            self.life = Life::Left;
            self.events.push_back(Event::LeaveComplete);
        }
    }

    /// Joins through `seeds`: a padded syn to each, retried until one
    /// answers.
    pub fn join(&mut self, seeds: &[NodeAddr], now: Time) {
        self.now = self.now.max(now);
        let seeds: Vec<NodeAddr> = seeds.iter().copied().filter(|&s| s != self.me).collect();
        self.seeds = seeds.clone();
        if seeds.is_empty() {
            return;
        }
        self.joining = Some(Joining { seeds: seeds.clone(), retry_at: now + self.config.join_retry });
        for seed in seeds {
            self.send_syn(seed, true);
        }
    }

    /// Starts already holding `members` alive (a converged start).
    pub fn preload(&mut self, members: &[NodeAddr], now: Time) {
        self.now = self.now.max(now);
        for &m in members {
            if m != self.me && !self.index.contains_key(&m) {
                self.learn(m, 0, 0, now);
            }
        }
        // Nothing to tell anyone: the table starts as everyone's does.
        self.events.retain(|e| !matches!(e, Event::MemberChanged { from: None, .. }));
    }

    /// Leaves: the departure is a key of our state, gossiped for a few
    /// rounds (at most `leave_timeout`).
    pub fn leave(&mut self, now: Time) {
        if self.life != Life::Running {
            return;
        }
        self.now = self.now.max(now);
        self.set_own(StateValue::Left);
        self.members[0].state = State::Left;
        if let Some(me) = self.peers.get_mut(&self.me) {
            me.since = now;
        }
        self.life = Life::Leaving { rounds: 3, deadline: now + self.config.leave_timeout };
    }

    /// Injects a rumor: a key of our state, delivered here at once.
    pub fn broadcast_rumor(&mut self, payload: Vec<u8>, now: Time) -> Result<RumorId, RumorError> {
        if payload.len() > MAX_RUMOR_PAYLOAD {
            return Err(RumorError::TooLarge(payload.len()));
        }
        if self.life != Life::Running {
            return Err(RumorError::NotRunning);
        }
        self.now = self.now.max(now);
        self.rumor_seq += 1;
        let id = RumorId { origin: self.me, seq: self.rumor_seq };
        self.seen.insert(id);
        self.set_own(StateValue::Rumor { seq: self.rumor_seq, payload: payload.clone() });
        self.events.push_back(Event::RumorDelivered { id, payload });
        Ok(id)
    }

    fn state_of(&self, addr: NodeAddr) -> Option<State> {
        self.member(addr).map(|m| m.state)
    }

    /// Queues `packet`-bodied datagrams with the counters kept.
    fn send(&mut self, to: NodeAddr, body: super::Body) {
        self.counters.sent[body.kind().index()] += 1;
        self.outbox.push_back(Transmit { to, packet: super::Packet { body, gossip: Vec::new() } });
    }
}

/// Stores `value` at `version`, replacing the key's older version, and
/// keeps at most [`RUMORS_KEPT`] rumors.
fn store(peer: &mut Peer, version: u64, value: StateValue) {
    let same_key = |v: &StateValue| match (v, &value) {
        (StateValue::Left, StateValue::Left) => true,
        (StateValue::Rumor { seq: a, .. }, StateValue::Rumor { seq: b, .. }) => a == b,
        _ => false,
    };
    if let Some(old) = peer.values.iter().find(|(_, v)| same_key(v)).map(|(&k, _)| k) {
        peer.values.remove(&old);
    }
    peer.values.insert(version, value);
    while peer.values.values().filter(|v| matches!(v, StateValue::Rumor { .. })).count() > RUMORS_KEPT {
        let oldest = peer.values.iter().find(|(_, v)| matches!(v, StateValue::Rumor { .. })).map(|(&k, _)| k);
        if let Some(k) = oldest {
            peer.values.remove(&k);
        }
    }
}
