//! The SWIM + Lifeguard state machine of one node.
//!
//! A [`Node`] never performs I/O. A driver feeds it datagrams
//! ([`Node::handle_packet`]), wakes it at [`Node::poll_timeout`]
//! ([`Node::handle_timeout`]) and issues commands ([`Node::join`],
//! [`Node::leave`], [`Node::broadcast_rumor`]), always passing `now`. The node
//! answers by queueing packets ([`Node::poll_transmit`]) and events
//! ([`Node::poll_event`]). This is the quinn-proto shape: the same core runs
//! on real sockets and in the virtual-time simulator.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

use super::Time;
use super::awareness::Awareness;
use super::broadcast::{BroadcastKey, BroadcastQueue};
use super::config::Config;
use super::member::{Incarnation, Member, NodeAddr, State};
use super::membership::{Applied, Membership};
use super::message::{Body, MAX_RUMOR_PAYLOAD, MemberEntry, Packet, PushPull, Rumor, RumorId, Update};
use super::probe::{Phase, Probe, ProbeList};
use super::suspicion::Suspicion;
use crate::wire;

/// A datagram the node wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Destination.
    pub to: NodeAddr,
    /// What to send; the driver encodes it with [`crate::wire`].
    pub packet: Packet,
}

/// Something observable happened inside the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Our view of `member` changed (`from: None` means newly learned).
    MemberChanged {
        /// The member.
        member: NodeAddr,
        /// Its previous state in our view.
        from: Option<State>,
        /// Its new state in our view.
        to: State,
        /// The incarnation of the new state.
        incarnation: Incarnation,
    },
    /// We started suspecting `member`.
    SuspicionStarted {
        /// The suspect.
        member: NodeAddr,
        /// Who raised the suspicion that reached us.
        by: NodeAddr,
        /// The incarnation suspected.
        incarnation: Incarnation,
        /// The timeout it starts with.
        timeout: Duration,
        /// Confirmations that would bring it to the minimum.
        k: u32,
    },
    /// An independent node confirmed an active suspicion, shortening it.
    SuspicionConfirmed {
        /// The suspect.
        member: NodeAddr,
        /// The confirming node.
        by: NodeAddr,
        /// Confirmations so far.
        confirmations: u32,
        /// The new total timeout (from the suspicion's start).
        timeout: Duration,
    },
    /// The suspect refuted (or was otherwise cleared) before its deadline.
    SuspicionRefuted {
        /// The former suspect.
        member: NodeAddr,
        /// Its new incarnation.
        incarnation: Incarnation,
    },
    /// A suspicion ran out and the member is now declared dead by us.
    SuspicionExpired {
        /// The member.
        member: NodeAddr,
        /// Confirmations it had gathered.
        confirmations: u32,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// Someone accused us; we bumped our incarnation to refute.
    Refuted {
        /// The incarnation we were accused at.
        accused: Incarnation,
        /// Our new incarnation.
        incarnation: Incarnation,
    },
    /// A user rumor reached us for the first time.
    RumorDelivered {
        /// The rumor.
        id: RumorId,
        /// Its payload.
        payload: Vec<u8>,
    },
    /// Our local health score changed.
    HealthChanged {
        /// The new score (0 is healthy).
        score: u32,
    },
    /// A probe deadline was handled so late that the node itself must have
    /// stalled; the probe was abandoned rather than blamed on its target.
    ProbeLagged {
        /// The member that was being probed.
        target: NodeAddr,
        /// How late the deadline was handled.
        lag: Duration,
    },
    /// We dropped a Dead or Left member from our table after holding it
    /// so for the reap time: it is now unknown to us, as if never heard of.
    MemberForgotten {
        /// The member forgotten.
        member: NodeAddr,
    },
    /// We heard back from a seed: we are part of a cluster.
    Joined,
    /// Our leave announcement has been sent its full number of times.
    LeaveComplete,
}

/// What the dashboard needs to draw one suspicion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspicionView {
    /// The suspect.
    pub member: NodeAddr,
    /// The incarnation suspected.
    pub incarnation: Incarnation,
    /// When we started suspecting it.
    pub start: Time,
    /// When it will be declared dead, at the current confirmations.
    pub deadline: Time,
    /// The current total timeout.
    pub timeout: Duration,
    /// Independent confirmations so far.
    pub confirmations: u32,
    /// Confirmations that bring the timeout to `min`.
    pub k: u32,
    /// The floor of the timeout.
    pub min: Duration,
    /// The initial timeout.
    pub max: Duration,
}

/// Running totals, for the dashboard and metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets queued for sending, by [`MsgKind::index`](super::MsgKind::index).
    pub sent: [u64; 6],
    /// Packets handled, by [`MsgKind::index`](super::MsgKind::index).
    pub received: [u64; 6],
    /// Piggybacked updates sent.
    pub updates_sent: u64,
    /// Piggybacked updates received.
    pub updates_received: u64,
    /// Probes started.
    pub probes: u64,
    /// Probes that ended without an ack.
    pub probe_failures: u64,
    /// Probes abandoned because the node itself lagged.
    pub probes_lagged: u64,
    /// Probes that needed helpers.
    pub indirect_probes: u64,
    /// Nacks received.
    pub nacks_received: u64,
    /// Suspicions started.
    pub suspicions: u64,
    /// Times we refuted an accusation.
    pub refutations: u64,
    /// Push-pull exchanges we started (joins included).
    pub push_pulls: u64,
    /// Push-pulls started because a peer knew more members than we did.
    pub catch_ups: u64,
}

/// Every timer a node can arm. An entry is checked against the node's state
/// when it fires, so a timer that no longer matters is simply skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Probe,
    AckTimeout(u32),
    Relay(u32),
    Suspicion(NodeAddr),
    Gossip,
    PushPull,
    JoinRetry,
}

/// A ping we send on behalf of another node's indirect probe.
#[derive(Clone, Copy, Debug)]
struct Relay {
    origin: NodeAddr,
    origin_seq: u32,
    deadline: Time,
}

#[derive(Clone, Debug)]
struct Joining {
    seeds: Vec<NodeAddr>,
    retry_at: Time,
}

/// Where a node is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    Running,
    /// Announcing our departure; no probing.
    Leaving,
    /// Announcement sent; the node is inert.
    Left,
}

/// One SWIM + Lifeguard node, as a pure state machine.
#[derive(Debug)]
pub struct Node {
    config: Config,
    me: NodeAddr,
    rng: SmallRng,
    members: Membership,
    probes: ProbeList,
    probe: Option<Probe>,
    relays: HashMap<u32, Relay>,
    suspicions: BTreeMap<NodeAddr, Suspicion>,
    awareness: Awareness,
    broadcasts: BroadcastQueue,
    rumors_seen: HashSet<RumorId>,
    rumor_seq: u32,
    seq: u32,
    next_probe: Time,
    /// The gossip tick: the next one when armed, else the last one, which
    /// keeps the original phase for when news arrives.
    next_gossip: Time,
    /// No gossip timer is armed because there is nothing to gossip.
    gossip_idle: bool,
    /// The latest time a driver gave us (for work started by queueing news).
    now: Time,
    next_push_pull: Time,
    /// Earliest time for the next catch-up push-pull.
    next_catch_up: Time,
    joining: Option<Joining>,
    life: Life,
    timers: BinaryHeap<Reverse<(Time, u64, Timer)>>,
    timer_seq: u64,
    outbox: VecDeque<Transmit>,
    events: VecDeque<Event>,
    counters: Counters,
    /// Worst-case encoded size of one push-pull entry; fixes chunk sizes.
    entry_len: usize,
}

impl Node {
    /// A node at `addr`, alone in its own cluster until [`Node::join`].
    /// `seed` drives all its random choices.
    pub fn new(addr: NodeAddr, config: Config, seed: u64, now: Time) -> Node {
        let mut rng = SmallRng::seed_from_u64(seed);
        // Stagger the periodic timers so that nodes started together do not
        // probe and gossip in lock-step.
        let jitter = |rng: &mut SmallRng, d: Duration| d.mul_f64(rng.random_range(0.0..1.0));
        let next_probe = now + jitter(&mut rng, config.probe_interval);
        let next_gossip = now + jitter(&mut rng, config.gossip_interval);
        let next_push_pull = now + config.push_pull_interval + jitter(&mut rng, config.push_pull_interval);
        let worst = MemberEntry {
            addr: std::net::SocketAddrV4::new(std::net::Ipv4Addr::BROADCAST, u16::MAX),
            incarnation: Incarnation::MAX,
            state: State::Left,
        };
        let awareness_max = if config.awareness { config.awareness_max_multiplier } else { 1 };
        let mut node = Node {
            me: addr,
            rng,
            members: Membership::new(addr, now),
            probes: ProbeList::new(),
            probe: None,
            relays: HashMap::new(),
            suspicions: BTreeMap::new(),
            awareness: Awareness::new(awareness_max),
            broadcasts: BroadcastQueue::new(),
            rumors_seen: HashSet::new(),
            rumor_seq: 0,
            seq: 0,
            next_probe,
            next_gossip,
            gossip_idle: false,
            now,
            next_push_pull,
            next_catch_up: now,
            joining: None,
            life: Life::Running,
            timers: BinaryHeap::new(),
            timer_seq: 0,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            counters: Counters::default(),
            entry_len: wire::encoded_len(&worst),
            config,
        };
        node.arm(next_probe, Timer::Probe);
        node.arm(next_gossip, Timer::Gossip);
        node.arm(next_push_pull, Timer::PushPull);
        node
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

    /// Our own incarnation.
    pub fn incarnation(&self) -> Incarnation {
        self.members.local().incarnation
    }

    /// Every member we know, self first.
    pub fn members(&self) -> impl ExactSizeIterator<Item = &Member> {
        self.members.iter()
    }

    /// Our row for `addr`.
    pub fn member(&self, addr: NodeAddr) -> Option<&Member> {
        self.members.get(addr)
    }

    /// Alive + Suspect members, self included (the N of the formulas).
    pub fn live_members(&self) -> usize {
        self.members.live()
    }

    /// Active suspicions, ordered by member.
    pub fn suspicions(&self) -> impl Iterator<Item = SuspicionView> + '_ {
        self.suspicions.iter().map(|(&member, s)| SuspicionView {
            member,
            incarnation: s.incarnation,
            start: s.start,
            deadline: s.deadline(),
            timeout: s.timeout(),
            confirmations: s.confirmations(),
            k: s.k(),
            min: s.min_timeout(),
            max: s.max_timeout(),
        })
    }

    /// Lifeguard local health score (0 is healthy).
    pub fn health_score(&self) -> u32 {
        self.awareness.score()
    }

    /// Running totals.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Updates waiting to be piggybacked.
    pub fn broadcast_queue_len(&self) -> usize {
        self.broadcasts.len()
    }

    /// True once we have heard back from a seed (or had none to ask).
    pub fn is_joined(&self) -> bool {
        self.joining.is_none()
    }

    /// True once a graceful leave has been fully announced.
    pub fn has_left(&self) -> bool {
        self.life == Life::Left
    }

    // ----- driver interface ----------------------------------------------

    /// The next instant at which [`Node::handle_timeout`] has work to do.
    ///
    /// Timers are never cancelled in place (an answered probe leaves its
    /// ack deadline in the heap); this drops the ones that have become moot
    /// from the front, so a driver is not woken for nothing. On a real
    /// runtime each such wake-up is a task switch.
    pub fn poll_timeout(&mut self) -> Option<Time> {
        if self.life == Life::Left {
            return None;
        }
        while let Some(&Reverse((at, _, timer))) = self.timers.peek() {
            if self.timer_live(timer, at) {
                return Some(at);
            }
            self.timers.pop();
        }
        None
    }

    /// The next datagram to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox.pop_front()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Handles one decoded datagram from `from`.
    pub fn handle_packet(&mut self, from: NodeAddr, packet: Packet, now: Time) {
        if self.life == Life::Left || from == self.me {
            return;
        }
        self.now = self.now.max(now);
        self.counters.received[packet.body.kind().index()] += 1;
        self.counters.updates_received += packet.gossip.len() as u64;
        // Judge the sender's view by what held when the packet arrived: a
        // sender we hold dead, or one whose packet accuses us (it holds us
        // suspect or dead: see `send_with`), has been cut off from us, and its
        // view of our neighbours is from the far side of that cut. Its
        // refutation may ride on this very packet; its view is still stale.
        let trusted = self.members.get(from).is_none_or(|m| m.state != State::Dead)
            && !packet.gossip.iter().any(|u| self.accuses_me(u));
        // Gossip first: a buddy-system suspicion riding on a ping must be
        // refuted before we answer that ping.
        for update in packet.gossip {
            if trusted || !self.is_third_party_accusation(&update) {
                self.apply_update(update, now);
            }
        }
        match packet.body {
            Body::Ping { seq, members } => {
                let ack = Body::Ack { seq, members: self.member_count() };
                self.send(from, ack, now);
                self.maybe_catch_up(from, members, now);
            }
            Body::Ack { seq, members } => {
                self.on_ack(seq, now);
                self.maybe_catch_up(from, members, now);
            }
            Body::PingReq { seq, target } => self.on_ping_req(from, seq, target, now),
            Body::Nack { seq } => {
                if let Some(p) = self.probe.as_mut().filter(|p| p.seq == seq && p.phase == Phase::Indirect) {
                    p.nacks += 1;
                    self.counters.nacks_received += 1;
                }
            }
            Body::PushPull(pp) => self.on_push_pull(from, pp, trusted, now),
            Body::Gossip => {}
        }
    }

    /// Runs every timer due at or before `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        self.now = self.now.max(now);
        while let Some(&Reverse((at, _, timer))) = self.timers.peek() {
            if at > now || self.life == Life::Left {
                break;
            }
            self.timers.pop();
            self.fire(timer, at, now);
        }
    }

    // ----- commands --------------------------------------------------------

    /// Joins the cluster through `seeds` with a push-pull to each, retried
    /// every `join_retry` until one answers. With no seeds (or only
    /// ourselves) the node founds a cluster of one.
    pub fn join(&mut self, seeds: &[NodeAddr], now: Time) {
        self.now = self.now.max(now);
        let seeds: Vec<NodeAddr> = seeds.iter().copied().filter(|s| *s != self.me).collect();
        if seeds.is_empty() || self.life != Life::Running {
            return;
        }
        let retry_at = now + self.config.join_retry;
        for &seed in &seeds {
            self.send_push_pull(seed, false, true, now);
        }
        self.joining = Some(Joining { seeds, retry_at });
        self.arm(retry_at, Timer::JoinRetry);
    }

    /// Adds `members` as Alive at incarnation 0 without telling anyone, as
    /// a static member list would: for a driver that starts a cluster as
    /// if it had been running all along (large simulations, benchmarks of
    /// steady state). Members already known are left as they are; no
    /// events are emitted.
    pub fn preload(&mut self, members: &[NodeAddr], now: Time) {
        let mut added = Vec::with_capacity(members.len());
        for &member in members {
            if member != self.me && self.members.apply(member, State::Alive, 0, now) == Applied::Added {
                added.push(member);
            }
        }
        self.probes.extend(added, &mut self.rng);
    }

    /// Leaves gracefully: announces `Left` and stops probing. The node keeps
    /// gossiping until the announcement has been sent its full number of
    /// times, then emits [`Event::LeaveComplete`] and goes inert.
    pub fn leave(&mut self, now: Time) {
        if self.life != Life::Running {
            return;
        }
        self.now = self.now.max(now);
        self.life = Life::Leaving;
        self.probe = None;
        self.joining = None;
        let inc = self.incarnation();
        self.members.set_local(State::Left, inc, now);
        self.enqueue(Update::Left { member: self.me, incarnation: inc });
        // Tell a few peers right away rather than waiting for the next tick.
        self.gossip_round(now);
        self.check_leave_complete();
    }

    /// Injects a user rumor here; it is delivered to our own event stream at
    /// once and to every other node by gossip.
    pub fn broadcast_rumor(&mut self, payload: Vec<u8>, now: Time) -> Result<RumorId, RumorError> {
        self.now = self.now.max(now);
        if payload.len() > MAX_RUMOR_PAYLOAD {
            return Err(RumorError::TooLarge(payload.len()));
        }
        if self.life != Life::Running {
            return Err(RumorError::NotRunning);
        }
        let id = RumorId { origin: self.me, seq: self.rumor_seq };
        self.rumor_seq += 1;
        self.deliver_rumor(Rumor { id, payload });
        Ok(id)
    }

    // ----- timers ----------------------------------------------------------

    fn arm(&mut self, at: Time, timer: Timer) {
        self.timer_seq += 1;
        self.timers.push(Reverse((at, self.timer_seq, timer)));
    }

    /// False for a timer made moot since it was armed: a rescheduled round,
    /// an answered probe, a refuted suspicion. Such timers fire as no-ops.
    fn timer_live(&self, timer: Timer, at: Time) -> bool {
        match timer {
            Timer::Probe => at == self.next_probe,
            Timer::AckTimeout(seq) => self.probe.is_some_and(|p| p.seq == seq && p.phase == Phase::Direct),
            Timer::Relay(seq) => self.relays.get(&seq).is_some_and(|r| r.deadline == at),
            Timer::Suspicion(member) => self.suspicions.get(&member).is_some_and(|s| s.deadline() == at),
            Timer::Gossip => at == self.next_gossip && !self.gossip_idle,
            Timer::PushPull => at == self.next_push_pull,
            Timer::JoinRetry => self.joining.as_ref().is_some_and(|j| j.retry_at == at),
        }
    }

    fn fire(&mut self, timer: Timer, at: Time, now: Time) {
        if !self.timer_live(timer, at) {
            return;
        }
        match timer {
            Timer::Probe => self.probe_tick(at, now),
            Timer::AckTimeout(seq) => self.ack_timeout(seq, at, now),
            Timer::Relay(seq) => {
                let relay = self.relays.remove(&seq).expect("live: the relay is pending");
                self.send(relay.origin, Body::Nack { seq: relay.origin_seq }, now);
            }
            Timer::Suspicion(member) => self.suspicion_expired(member, now),
            Timer::Gossip => {
                self.next_gossip = self.next_gossip.max(now) + self.config.gossip_interval;
                self.gossip_round(now);
                self.check_leave_complete();
                if self.broadcasts.is_empty() {
                    // Nothing to gossip: sleep until news is queued (see
                    // `enqueue`) instead of waking every interval for an
                    // empty round, the bulk of an idle node's wake-ups.
                    self.gossip_idle = true;
                } else {
                    self.arm(self.next_gossip, Timer::Gossip);
                }
            }
            Timer::PushPull => {
                let period = self.config.push_pull_period(self.members.live());
                self.next_push_pull = now + period;
                self.arm(self.next_push_pull, Timer::PushPull);
                if self.life == Life::Running {
                    self.push_pull_round(now);
                }
            }
            Timer::JoinRetry => {
                if let Some(j) = self.joining.as_mut() {
                    j.retry_at = now + self.config.join_retry;
                    let (seeds, retry_at) = (j.seeds.clone(), j.retry_at);
                    for seed in seeds {
                        self.send_push_pull(seed, false, true, now);
                    }
                    self.arm(retry_at, Timer::JoinRetry);
                }
            }
        }
    }

    /// How late a deadline is handled before we blame ourselves, not the
    /// target: a whole probe timeout. On a healthy node timers run within
    /// milliseconds; a lag this large means the node was stalled (paused,
    /// starved of CPU), so the probe tells nothing about the target.
    fn lagged(&self, at: Time, now: Time) -> Option<Duration> {
        let lag = now - at;
        (self.config.awareness && lag >= self.config.probe_timeout).then_some(lag)
    }

    fn probe_tick(&mut self, at: Time, now: Time) {
        if let Some(probe) = self.probe.take() {
            self.probe_failed(probe, at, now);
        }
        if self.life == Life::Running {
            self.start_probe(now);
        }
        self.next_probe = now + self.awareness.scale(self.config.probe_interval);
        self.arm(self.next_probe, Timer::Probe);
    }

    fn start_probe(&mut self, now: Time) {
        let members = &self.members;
        let me = self.me;
        let probeable = |a: NodeAddr| a != me && members.get(a).is_some_and(|m| !m.state.is_gone());
        let all = || members.others().iter().filter(|m| !m.state.is_gone()).map(|m| m.addr).collect();
        let Some(target) = self.probes.next(&mut self.rng, probeable, all) else {
            return;
        };
        let seq = self.next_seq();
        let ack_deadline = now + self.awareness.scale(self.config.probe_timeout);
        self.probe =
            Some(Probe { seq, target, started: now, ack_deadline, phase: Phase::Direct, expected_nacks: 0, nacks: 0 });
        self.counters.probes += 1;
        self.send_ping(target, seq, now);
        self.arm(ack_deadline, Timer::AckTimeout(seq));
    }

    fn member_count(&self) -> u32 {
        u32::try_from(self.members.len()).unwrap_or(u32::MAX)
    }

    /// The epidemic leaves a tail: with some probability a node misses a
    /// piece of news after every copy of it has been retransmitted, and
    /// memberlist leaves that to the next periodic push-pull (tens of
    /// seconds). Probe traffic carries each side's member count; a node
    /// that hears a higher count while it has nothing left to relay (its
    /// piggyback queue is empty, so it is not still digesting news) has
    /// evidently missed something and pulls the full state from that peer
    /// at once, at most once per two probe intervals.
    fn maybe_catch_up(&mut self, peer: NodeAddr, peer_members: u32, now: Time) {
        if peer_members <= self.member_count()
            || !self.broadcasts.is_empty()
            || now < self.next_catch_up
            || self.life != Life::Running
        {
            return;
        }
        self.next_catch_up = now + self.config.probe_interval * 2;
        self.counters.catch_ups += 1;
        self.send_push_pull(peer, false, false, now);
    }

    /// Sends a ping; with the buddy system, a ping to a suspect carries the
    /// suspicion first so the suspect can refute at once.
    fn send_ping(&mut self, target: NodeAddr, seq: u32, now: Time) {
        let buddy = match self.members.get(target) {
            Some(m) if self.config.buddy && m.state == State::Suspect => {
                Some(Update::Suspect { member: target, incarnation: m.incarnation, from: self.me })
            }
            _ => None,
        };
        let ping = Body::Ping { seq, members: self.member_count() };
        self.send_with(target, ping, buddy, now);
    }

    fn ack_timeout(&mut self, seq: u32, at: Time, now: Time) {
        let probe = self.probe.expect("live: the probe is pending");
        debug_assert_eq!((probe.seq, probe.phase), (seq, Phase::Direct));
        if let Some(lag) = self.lagged(at, now) {
            self.abandon_probe(probe, lag);
            return;
        }
        let target = probe.target;
        let me = self.me;
        let candidates: Vec<NodeAddr> = self
            .members
            .others()
            .iter()
            .filter(|m| m.state == State::Alive && m.addr != target && m.addr != me)
            .map(|m| m.addr)
            .collect();
        let helpers: Vec<NodeAddr> = candidates.sample(&mut self.rng, self.config.indirect_checks).copied().collect();
        for &helper in &helpers {
            self.send(helper, Body::PingReq { seq, target }, now);
        }
        self.counters.indirect_probes += 1;
        if let Some(p) = self.probe.as_mut() {
            p.phase = Phase::Indirect;
            p.expected_nacks = helpers.len() as u32;
        }
    }

    fn abandon_probe(&mut self, probe: Probe, lag: Duration) {
        self.probe = None;
        self.counters.probes_lagged += 1;
        self.events.push_back(Event::ProbeLagged { target: probe.target, lag });
        self.adjust_health(1);
    }

    fn probe_failed(&mut self, probe: Probe, at: Time, now: Time) {
        if let Some(lag) = self.lagged(at, now) {
            self.abandon_probe(probe, lag);
            return;
        }
        self.counters.probe_failures += 1;
        self.adjust_health(probe.failure_penalty());
        if let Some(m) = self.members.get(probe.target).copied()
            && !m.state.is_gone()
        {
            self.on_suspect(probe.target, m.incarnation, self.me, now);
        }
    }

    fn on_ack(&mut self, seq: u32, now: Time) {
        if self.probe.is_some_and(|p| p.seq == seq) {
            self.probe = None;
            self.adjust_health(-1);
            return;
        }
        if let Some(relay) = self.relays.remove(&seq) {
            self.send(relay.origin, Body::Ack { seq: relay.origin_seq, members: self.member_count() }, now);
        }
    }

    fn on_ping_req(&mut self, origin: NodeAddr, origin_seq: u32, target: NodeAddr, now: Time) {
        if target == self.me {
            // Asked to probe ourselves: answer for ourselves.
            self.send(origin, Body::Ack { seq: origin_seq, members: self.member_count() }, now);
            return;
        }
        let seq = self.next_seq();
        let deadline = now + self.config.probe_timeout;
        self.relays.insert(seq, Relay { origin, origin_seq, deadline });
        self.arm(deadline, Timer::Relay(seq));
        self.send_ping(target, seq, now);
    }

    fn adjust_health(&mut self, delta: i64) {
        if self.awareness.apply(delta) {
            self.events.push_back(Event::HealthChanged { score: self.awareness.score() });
        }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    // ----- merging news ----------------------------------------------------

    /// A Suspect/Dead claim about us that we would have to refute.
    fn accuses_me(&self, update: &Update) -> bool {
        match update {
            Update::Suspect { member, incarnation, .. } | Update::Dead { member, incarnation, .. } => {
                *member == self.me && *incarnation >= self.incarnation()
            }
            _ => false,
        }
    }

    /// Suspect/Dead claims about someone other than us. A member we hold
    /// dead was cut off from us (crashed, partitioned, stalled), so its
    /// accusations describe a world we could not see; importing them is how
    /// a healed partition would make each side falsely suspect its own
    /// healthy members. Claims about us are still taken, so we can refute.
    fn is_third_party_accusation(&self, update: &Update) -> bool {
        match update {
            Update::Suspect { member, .. } | Update::Dead { member, .. } => *member != self.me,
            _ => false,
        }
    }

    fn apply_update(&mut self, update: Update, now: Time) {
        match update {
            Update::Alive { member, incarnation } => self.on_alive(member, incarnation, now),
            Update::Suspect { member, incarnation, from } => self.on_suspect(member, incarnation, from, now),
            Update::Dead { member, incarnation, from } => self.on_dead(member, incarnation, from, State::Dead, now),
            Update::Left { member, incarnation } => self.on_dead(member, incarnation, member, State::Left, now),
            Update::Rumor(rumor) => {
                if !self.rumors_seen.contains(&rumor.id) && rumor.payload.len() <= MAX_RUMOR_PAYLOAD {
                    self.deliver_rumor(rumor);
                }
            }
        }
    }

    fn deliver_rumor(&mut self, rumor: Rumor) {
        self.rumors_seen.insert(rumor.id);
        self.events.push_back(Event::RumorDelivered { id: rumor.id, payload: rumor.payload.clone() });
        self.enqueue(Update::Rumor(rumor));
    }

    /// A claim about ourselves that outranks what we hold means someone
    /// thinks we are suspect, dead or gone: refute by bumping our
    /// incarnation past the accusation. A leaving node lets it stand.
    fn about_me(&mut self, state: State, incarnation: Incarnation, now: Time) {
        if self.life != Life::Running {
            return;
        }
        let mine = self.incarnation();
        let accused = match state {
            State::Alive => incarnation > mine,
            _ => incarnation >= mine,
        };
        if accused {
            self.refute(incarnation, now);
        }
    }

    fn refute(&mut self, accused: Incarnation, now: Time) {
        let inc = accused.max(self.incarnation()).saturating_add(1);
        self.members.set_local(State::Alive, inc, now);
        self.enqueue(Update::Alive { member: self.me, incarnation: inc });
        self.counters.refutations += 1;
        self.events.push_back(Event::Refuted { accused, incarnation: inc });
        // Having to defend ourselves is a sign our messages are slow.
        self.adjust_health(1);
    }

    fn on_alive(&mut self, member: NodeAddr, incarnation: Incarnation, now: Time) {
        if member == self.me {
            return self.about_me(State::Alive, incarnation, now);
        }
        match self.members.apply(member, State::Alive, incarnation, now) {
            Applied::Ignored => {}
            Applied::Added => {
                self.probes.insert(member, &mut self.rng);
                self.enqueue(Update::Alive { member, incarnation });
                self.events.push_back(Event::MemberChanged { member, from: None, to: State::Alive, incarnation });
            }
            Applied::Changed { from, .. } => {
                if self.suspicions.remove(&member).is_some() {
                    self.events.push_back(Event::SuspicionRefuted { member, incarnation });
                }
                if from.is_gone() {
                    self.probes.insert(member, &mut self.rng);
                }
                self.enqueue(Update::Alive { member, incarnation });
                if from != State::Alive {
                    self.events.push_back(Event::MemberChanged {
                        member,
                        from: Some(from),
                        to: State::Alive,
                        incarnation,
                    });
                }
            }
        }
    }

    fn on_suspect(&mut self, member: NodeAddr, incarnation: Incarnation, from: NodeAddr, now: Time) {
        if member == self.me {
            return self.about_me(State::Suspect, incarnation, now);
        }
        // An independent accuser of a suspicion we already hold shortens it,
        // and is re-gossiped so that others count it too.
        if let Some(s) = self.suspicions.get_mut(&member).filter(|s| s.incarnation == incarnation) {
            if s.confirm(from) {
                let (confirmations, timeout, deadline) = (s.confirmations(), s.timeout(), s.deadline());
                self.arm(deadline, Timer::Suspicion(member));
                self.enqueue(Update::Suspect { member, incarnation, from });
                self.events.push_back(Event::SuspicionConfirmed { member, by: from, confirmations, timeout });
            }
            return;
        }
        let Applied::Changed { from: old, .. } = self.members.apply(member, State::Suspect, incarnation, now) else {
            return;
        };
        let n = self.members.live();
        let (min, max, k) = (self.config.suspicion_min(n), self.config.suspicion_max(n), self.config.suspicion_k(n));
        let s = Suspicion::new(from, incarnation, now, min, max, k);
        let (timeout, deadline) = (s.timeout(), s.deadline());
        self.suspicions.insert(member, s);
        self.arm(deadline, Timer::Suspicion(member));
        if old.is_gone() {
            self.probes.insert(member, &mut self.rng);
        }
        self.counters.suspicions += 1;
        self.enqueue(Update::Suspect { member, incarnation, from });
        self.events.push_back(Event::MemberChanged { member, from: Some(old), to: State::Suspect, incarnation });
        self.events.push_back(Event::SuspicionStarted { member, by: from, incarnation, timeout, k });
    }

    fn on_dead(&mut self, member: NodeAddr, incarnation: Incarnation, from: NodeAddr, state: State, now: Time) {
        if member == self.me {
            return self.about_me(state, incarnation, now);
        }
        let Applied::Changed { from: old, .. } = self.members.apply(member, state, incarnation, now) else {
            return;
        };
        self.suspicions.remove(&member);
        let update = match state {
            State::Left => Update::Left { member, incarnation },
            _ => Update::Dead { member, incarnation, from },
        };
        self.enqueue(update);
        if old != state {
            self.events.push_back(Event::MemberChanged { member, from: Some(old), to: state, incarnation });
        }
    }

    fn suspicion_expired(&mut self, member: NodeAddr, now: Time) {
        let s = self.suspicions.remove(&member).expect("caller checked");
        self.events.push_back(Event::SuspicionExpired {
            member,
            confirmations: s.confirmations(),
            timeout: s.timeout(),
        });
        self.on_dead(member, s.incarnation, self.me, State::Dead, now);
    }

    // ----- dissemination ---------------------------------------------------

    fn enqueue(&mut self, update: Update) {
        let size = wire::encoded_len(&update);
        self.broadcasts.push(update, size);
        if self.gossip_idle && self.life != Life::Left {
            // Resume on the tick the timer would have kept all along, so
            // idling changes no gossip round's timing.
            let interval = self.config.gossip_interval;
            let behind = self.now.saturating_since(self.next_gossip);
            let ticks = behind.as_nanos().div_ceil(interval.as_nanos().max(1));
            self.next_gossip += interval * u32::try_from(ticks).unwrap_or(u32::MAX);
            self.gossip_idle = false;
            self.arm(self.next_gossip, Timer::Gossip);
        }
    }

    fn retransmit_limit(&self) -> u32 {
        self.config.retransmit_limit(self.members.live())
    }

    fn send(&mut self, to: NodeAddr, body: Body, now: Time) {
        self.send_with(to, body, None, now);
    }

    /// Queues `body` for `to` with `first` (if any) and then as many queued
    /// updates as fit in the packet budget.
    ///
    /// A packet to a member we hold dead first tells it so: if it is in fact
    /// running (falsely declared, or back from a partition) it refutes at
    /// once. This replaces memberlist's gossiping to the recently dead,
    /// which would also carry third-party deaths across a healed cut.
    fn send_with(&mut self, to: NodeAddr, body: Body, first: Option<Update>, _now: Time) {
        let kind = body.kind();
        let first = first.or_else(|| {
            self.members.get(to).filter(|m| m.state == State::Dead).map(|m| Update::Dead {
                member: to,
                incarnation: m.incarnation,
                from: self.me,
            })
        });
        // Room left after the header, the body and a worst-case vec length.
        let fixed = wire::HEADER_LEN + wire::encoded_len(&body) + wire::len_prefix(u16::MAX as usize);
        let mut room = self.config.packet_budget.saturating_sub(fixed);
        // Sized for what can fit (an update is ~9+ bytes on the wire), so a
        // full packet's list does not grow through several reallocations.
        let mut gossip = Vec::with_capacity(usize::from(first.is_some()) + self.broadcasts.len().min(room / 9));
        if let Some(update) = first {
            room = room.saturating_sub(wire::encoded_len(&update));
            gossip.push(update);
        }
        if room > 0 && !self.broadcasts.is_empty() {
            let limit = self.retransmit_limit();
            self.broadcasts.take(room, limit, &mut gossip);
        }
        self.counters.sent[kind.index()] += 1;
        self.counters.updates_sent += gossip.len() as u64;
        self.outbox.push_back(Transmit { to, packet: Packet { body, gossip } });
    }

    /// Members worth gossiping to: the live ones. (The dead hear of their
    /// death when they next contact us; see [`Node::send_with`].)
    fn gossip_targets(&self) -> Vec<NodeAddr> {
        self.members.others().iter().filter(|m| !m.state.is_gone()).map(|m| m.addr).collect()
    }

    fn gossip_round(&mut self, now: Time) {
        if self.life == Life::Left || self.broadcasts.is_empty() {
            return;
        }
        let targets = self.gossip_targets();
        let picked: Vec<NodeAddr> = targets.sample(&mut self.rng, self.config.gossip_nodes).copied().collect();
        for to in picked {
            if self.broadcasts.is_empty() {
                break;
            }
            self.send(to, Body::Gossip, now);
        }
    }

    fn check_leave_complete(&mut self) {
        if self.life == Life::Leaving && !self.broadcasts.contains(BroadcastKey::Member(self.me)) {
            self.life = Life::Left;
            self.events.push_back(Event::LeaveComplete);
        }
    }

    // ----- anti-entropy ----------------------------------------------------

    /// Push-pull with one random member. Dead members are candidates too:
    /// after a partition heals, each side holds the other as dead, and only
    /// an exchange across the old cut can discover that both are alive.
    fn push_pull_round(&mut self, now: Time) {
        let candidates: Vec<NodeAddr> =
            self.members.others().iter().filter(|m| m.state != State::Left).map(|m| m.addr).collect();
        if let Some(&peer) = candidates.choose(&mut self.rng) {
            self.send_push_pull(peer, false, false, now);
        }
    }

    fn send_push_pull(&mut self, to: NodeAddr, reply: bool, join: bool, now: Time) {
        if !reply {
            self.counters.push_pulls += 1;
        }
        let entries: Vec<MemberEntry> = self
            .members
            .iter()
            .map(|m| MemberEntry { addr: m.addr, incarnation: m.incarnation, state: m.state })
            .collect();
        // Pack chunks by each entry's real encoded size (addresses, ports
        // and incarnations are varints: 9 bytes is typical, 13 the worst),
        // so a state goes out in as few datagrams as the budget allows.
        let empty = Body::PushPull(PushPull { reply, join, chunk: u16::MAX, chunks: u16::MAX, members: Vec::new() });
        let fixed = wire::HEADER_LEN + wire::encoded_len(&empty) + wire::len_prefix(u16::MAX as usize) * 2;
        let room = self.config.packet_budget.saturating_sub(fixed).max(self.entry_len);
        let mut bounds = vec![0];
        let mut used = 0;
        for (i, entry) in entries.iter().enumerate() {
            let len = wire::encoded_len(entry);
            if used + len > room && used > 0 {
                bounds.push(i);
                used = 0;
            }
            used += len;
        }
        bounds.push(entries.len());
        let chunks = (bounds.len() - 1).min(u16::MAX as usize);
        for (i, range) in bounds.windows(2).take(chunks).enumerate() {
            let body = Body::PushPull(PushPull {
                reply,
                join,
                chunk: i as u16,
                chunks: chunks as u16,
                members: entries[range[0]..range[1]].to_vec(),
            });
            self.send(to, body, now);
        }
    }

    fn on_push_pull(&mut self, from: NodeAddr, pp: PushPull, trusted: bool, now: Time) {
        for entry in pp.members {
            if trusted || entry.addr == self.me || !matches!(entry.state, State::Suspect | State::Dead) {
                self.merge_remote(entry, now);
            }
        }
        if pp.reply {
            if self.joining.take().is_some() {
                self.events.push_back(Event::Joined);
            }
        } else if pp.chunk == 0 && self.life == Life::Running {
            self.send_push_pull(from, true, false, now);
        }
    }

    /// Merges one row of a remote full state. A remote Dead is taken as a
    /// local Suspect: the member gets a suspicion timer and a chance to
    /// refute rather than being declared dead on hearsay.
    fn merge_remote(&mut self, entry: MemberEntry, now: Time) {
        let MemberEntry { addr, incarnation, state } = entry;
        match state {
            State::Alive => self.on_alive(addr, incarnation, now),
            State::Left => self.on_dead(addr, incarnation, addr, State::Left, now),
            State::Suspect | State::Dead => self.on_suspect(addr, incarnation, self.me, now),
        }
    }
}

/// Why a rumor was not accepted. The node is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RumorError {
    /// The payload exceeds [`MAX_RUMOR_PAYLOAD`].
    #[error("rumor payload of {0} bytes exceeds the {MAX_RUMOR_PAYLOAD}-byte limit")]
    TooLarge(usize),
    /// The node is leaving or has left.
    #[error("the node is leaving the cluster")]
    NotRunning,
}
