//! The SWIM + Lifeguard state machine of one node.
//!
//! A [`Node`] never performs I/O. A driver feeds it datagrams
//! ([`Node::handle_packet`]), wakes it at [`Node::poll_timeout`]
//! ([`Node::handle_timeout`]) and issues commands ([`Node::join`],
//! [`Node::leave`], [`Node::broadcast_rumor`]), always passing `now`. The node
//! answers by queueing packets ([`Node::poll_transmit`]) and events
//! ([`Node::poll_event`]). This is the quinn-proto shape: the same core runs
//! on real sockets and in the virtual-time simulator.
//!
//! The state machine is one struct; its behaviour is split by concern, one
//! `impl Node` block per file: `timers` (the timer table), `probing`
//! (failure detection), `merge` (claims and refutations), `gossip`
//! (dissemination) and `anti_entropy` (push-pull); `output` holds what
//! the node hands back to drivers.

mod anti_entropy;
mod gossip;
mod merge;
mod output;
mod probing;
mod timers;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rustc_hash::FxHashMap;

use super::Time;
use super::awareness::Awareness;
use super::broadcast::BroadcastQueue;
use super::config::Config;
use super::member::{Incarnation, Member, NodeAddr, State};
use super::membership::{Applied, Membership};
use super::message::{Body, MAX_RUMOR_PAYLOAD, MemberEntry, Packet, Rumor, RumorId, Update};
use super::probe::{Probe, ProbeList};
use super::rumors::{RecentRumors, SeenRumors};
use super::suspicion::Suspicion;

pub use anti_entropy::push_pull_room;
pub use output::{Counters, Event, Refused, RumorError, SuspicionView, Transmit};
use timers::Timer;

/// A ping we send on behalf of another node's indirect probe.
#[derive(Clone, Copy, Debug)]
struct Relay {
    origin: NodeAddr,
    origin_seq: u32,
    /// Only the target's own ack is relayed.
    target: NodeAddr,
    deadline: Time,
}

/// The most indirect probes a node relays at once. Each member asks k
/// helpers once per probe interval and a relay lasts one probe timeout, so
/// a node typically holds a handful; the cap only stops a flood of
/// requests from growing the table.
pub const MAX_RELAYS: usize = 256;

/// The most event slots a drained event queue keeps.
const MAX_IDLE_EVENTS: usize = 64;

/// Updates in one datagram from which their rows are looked up ahead of
/// the merge ([`Membership::warm`]): a packet of real gossip. Below it
/// the pass would cost more than the misses it overlaps.
const WARM_BATCH: usize = 8;

/// How a packet's sender stands with us, judged before the packet is
/// applied: what it can know decides which of its claims we take.
#[derive(Clone, Copy, Debug)]
struct Sender {
    addr: NodeAddr,
    /// Not in our table (and not a seed answering our join): it cannot know
    /// anything about the cluster, so only its claims about itself count,
    /// and its claims about us (we can always refute, and must hear what
    /// we are accused of to do so).
    stranger: bool,
    /// A seed answering our join: its view is the one we asked for, so its
    /// claims about members we have never heard of are not judged against
    /// our (empty) view.
    vouched: bool,
    /// The datagram's size, when the sender is not a member: no reply to it
    /// may be larger, so the node cannot be used as an amplifier.
    reply_limit: Option<usize>,
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
    relays: FxHashMap<u32, Relay>,
    suspicions: BTreeMap<NodeAddr, Suspicion>,
    awareness: Awareness,
    broadcasts: BroadcastQueue,
    rumors_seen: SeenRumors,
    /// Rumors delivered lately, for push-pulls to carry.
    recent_rumors: RecentRumors,
    rumor_seq: u32,
    next_probe: Time,
    /// The gossip tick: the next one when armed, else the last one, which
    /// keeps the original phase for when news arrives.
    next_gossip: Time,
    /// No gossip timer is armed because there is nothing to gossip.
    gossip_idle: bool,
    /// The latest time a driver gave us (for work started by queueing news).
    now: Time,
    next_push_pull: Time,
    /// The push-pull timer has fired once: its first firing only ends the
    /// start's random stagger (see `Timer::PushPull`).
    push_pull_staggered: bool,
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
        let next_push_pull = now + jitter(&mut rng, config.push_pull_interval);
        let worst = MemberEntry {
            addr: std::net::SocketAddrV4::new(std::net::Ipv4Addr::BROADCAST, u16::MAX),
            incarnation: Incarnation::MAX,
            state: State::Left,
        };
        let awareness_max = if config.awareness { config.awareness_max_multiplier } else { 1 };
        let mut node = Node {
            me: addr,
            rng,
            members: Membership::new(addr, config.max_members, now),
            probes: ProbeList::new(),
            probe: None,
            relays: FxHashMap::default(),
            suspicions: BTreeMap::new(),
            awareness: Awareness::new(awareness_max),
            broadcasts: BroadcastQueue::new(),
            rumors_seen: SeenRumors::new(),
            recent_rumors: RecentRumors::new(config.packet_budget),
            rumor_seq: 0,
            next_probe,
            next_gossip,
            gossip_idle: false,
            now,
            next_push_pull,
            push_pull_staggered: false,
            next_catch_up: now,
            joining: None,
            life: Life::Running,
            timers: BinaryHeap::new(),
            timer_seq: 0,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            counters: Counters::default(),
            entry_len: worst.encoded_len(),
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

    /// Rumor ids remembered for de-duplication (at most
    /// [`RUMOR_WINDOW`](crate::protocol::rumors::RUMOR_WINDOW)): for checks
    /// that hostile input cannot grow the window.
    pub fn rumors_remembered(&self) -> usize {
        self.rumors_seen.len()
    }

    /// Indirect probes we are relaying for others (at most [`MAX_RELAYS`]):
    /// for checks that a flood of requests cannot grow the table.
    pub fn pending_relays(&self) -> usize {
        self.relays.len()
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
        let event = self.events.pop_front();
        // A push-pull merge can queue an event a member at once; a
        // drained deque would keep that capacity for the node's life.
        if event.is_none() && self.events.capacity() > MAX_IDLE_EVENTS {
            self.events.shrink_to(MAX_IDLE_EVENTS);
        }
        event
    }

    /// Handles one decoded datagram from `from`.
    ///
    /// A datagram that decodes is still untrusted. `from` is the address it
    /// came from (a peer cannot choose it without raw sockets), and every
    /// claim in it is judged by what that sender could know: a stranger only
    /// about itself, anyone else within the incarnation jump bound, acks
    /// and nacks only from whom they can come from.
    pub fn handle_packet(&mut self, from: NodeAddr, packet: Packet, now: Time) {
        if self.life == Life::Left || from == self.me {
            return;
        }
        self.now = self.now.max(now);
        self.counters.received[packet.body.kind().index()] += 1;
        self.counters.updates_received += packet.gossip.len() as u64;
        let held = self.members.get(from).map(|m| m.state);
        let vouched = held.is_none() && self.joining.as_ref().is_some_and(|j| j.seeds.contains(&from));
        let sender = Sender {
            addr: from,
            stranger: held.is_none() && !vouched,
            vouched,
            reply_limit: held.is_none().then(|| packet.datagram_len()),
        };
        // Judge the sender's view by what held when the packet arrived: a
        // sender we hold dead, or one whose packet accuses us (it holds us
        // suspect or dead: see `send_with`), has been cut off from us, and its
        // view of our neighbours is from the far side of that cut. Its
        // refutation may ride on this very packet; its view is still stale.
        let trusted = held != Some(State::Dead) && !packet.gossip.iter().any(|u| self.accuses_me(u));
        if packet.gossip.len() >= WARM_BATCH {
            self.members.warm(packet.gossip.iter().filter_map(Update::member));
            if self.broadcasts.in_storm() {
                self.broadcasts.warm(packet.gossip.iter());
            }
        }
        // Gossip first: a buddy-system suspicion riding on a ping must be
        // refuted before we answer that ping.
        for update in packet.gossip {
            if sender.stranger && !matches!(update.member(), Some(m) if m == from || m == self.me) {
                self.counters.refused.stranger_claims += 1;
            } else if trusted || !self.is_third_party_accusation(&update) {
                self.apply_update(update, sender, now);
            }
        }
        let limit = sender.reply_limit.unwrap_or(self.config.packet_budget);
        match packet.body {
            Body::Ping { seq, members } => {
                // A stranger is told no larger a count than it sent (a
                // varint), so the ack is never larger than the ping.
                let count =
                    if sender.reply_limit.is_some() { self.member_count().min(members) } else { self.member_count() };
                let ack = Body::Ack { seq, members: count };
                self.send_with(from, ack, None, limit);
                self.maybe_catch_up(sender, members, now);
            }
            Body::Ack { seq, members } => {
                self.on_ack(from, seq, now);
                self.maybe_catch_up(sender, members, now);
            }
            Body::PingReq { seq, target } => self.on_ping_req(sender, seq, target, now),
            Body::Nack { seq } => self.on_nack(from, seq),
            Body::PushPull(pp) => self.on_push_pull(pp, sender, trusted, now),
            // Another family's messages: a SWIM node has nothing to say.
            Body::Gossip | Body::Syn(_) | Body::SynAck(_) | Body::Ack2(_) => {}
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
    /// times, or for `leave_timeout` at most (with no live peer it could
    /// never be sent), then emits [`Event::LeaveComplete`] and goes inert.
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
        self.arm(now + self.config.leave_timeout, Timer::LeaveTimeout);
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
        // Entered in the window like any rumor we deliver, so that copies
        // gossiped back to us are not delivered again; an id of ours that
        // someone already used (forged in our name) is skipped.
        let id = loop {
            let id = RumorId { origin: self.me, seq: self.rumor_seq };
            self.rumor_seq = self.rumor_seq.wrapping_add(1);
            if self.rumors_seen.insert(id) {
                break id;
            }
        };
        self.deliver_rumor(Rumor { id, payload });
        Ok(id)
    }
}
