//! The cluster: nodes, the in-memory network and the event loop.
//!
//! The loop pops the earliest entry of one global queue and hands it to a
//! node: a datagram (`handle_packet`), a timer (`handle_timeout`) or a
//! command. After every interaction the node is *serviced*: its outgoing
//! datagrams go through the fault plan into the queue, its events are
//! recorded, and one wake-up is armed for its next timer. Nothing runs
//! re-entrantly: a zero-delay datagram is queued behind everything already
//! due at the same instant.

use std::collections::VecDeque;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::SimConfig;
use super::addr::{network_seed, node_addr, node_index, node_seed};
use super::command::SimError;
use super::queue::{Delivery, EventQueue, Item, Sender};
use super::stats::NetStats;
use super::trace::Trace;
use crate::faults::{DropReason, FaultPlan, Verdict};
use crate::observe::traffic::reject_index;
use crate::observe::{Liveness, Metrics, Traffic};
use crate::protocol::{AnyNode, Event, NodeAddr, Packet, State, Time, Transmit};
use crate::security::{Keyring, SEAL_OVERHEAD, core_budget};
use crate::wire;

/// One node's place in the cluster; it outlives the process (restarts
/// reuse it), which is why the process itself is an `Option`.
#[derive(Debug)]
pub(crate) struct Slot {
    pub addr: NodeAddr,
    pub node: Option<AnyNode>,
    pub liveness: Liveness,
    /// Lives so far, for the next life's seed.
    pub restarts: u32,
    /// Bumped to invalidate queued wake-ups.
    pub generation: u32,
    /// The time of the valid queued wake-up, if any.
    pub armed: Option<Time>,
    /// Datagrams that arrived while paused, in arrival order.
    pub backlog: VecDeque<Delivery>,
    pub backlog_bytes: usize,
    /// Its traffic across lives, in the same counters the runtime keeps.
    pub traffic: Traffic,
    /// When its current life started.
    pub started: Time,
    /// The key ids it seals with and opens (`None`: plain datagrams).
    pub keys: Option<Keyring<()>>,
}

impl Slot {
    fn new(addr: NodeAddr, node: AnyNode, started: Time, keys: Option<Keyring<()>>) -> Slot {
        Slot {
            started,
            keys,
            addr,
            node: Some(node),
            liveness: Liveness::Up,
            restarts: 0,
            generation: 0,
            armed: None,
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            traffic: Traffic::default(),
        }
    }
}

/// N protocol nodes on a simulated network, in virtual time.
#[derive(Debug)]
pub struct Cluster {
    pub(crate) config: SimConfig,
    pub(crate) now: Time,
    pub(crate) slots: Vec<Slot>,
    pub(crate) queue: EventQueue,
    pub(crate) plan: FaultPlan,
    /// The network's own randomness, apart from every node's.
    rng: SmallRng,
    pub(crate) stats: NetStats,
    pub(crate) trace: Trace,
    /// The lab's measurements, judged against this cluster's ground truth
    /// (`None` when [`SimConfig::measure`] is off).
    pub(crate) metrics: Option<Metrics>,
    pub(crate) failures: Vec<(Time, SimError)>,
    /// Rogue attacks so far, in start order (see `rogue.rs`).
    pub(crate) attacks: Vec<super::attack::AttackRun>,
    /// Attacks that finished since the driver last asked.
    pub(crate) attacks_done: Vec<(Time, usize)>,
    /// Reused by the wire round trip so it allocates once.
    scratch: Vec<u8>,
    /// The cluster's keyring, which every node life starts with and every
    /// key command changes (`None`: plain datagrams).
    pub(crate) keyring: Option<Keyring<()>>,
}

impl Cluster {
    /// Builds the cluster at t=0: every node is created, node 0 is the
    /// seed, and the others join it (at once, or spread over
    /// `join_window`).
    pub fn new(mut config: SimConfig) -> Result<Cluster, SimError> {
        if config.nodes == 0 {
            return Err(SimError::NoNodes);
        }
        config.protocol.packet_budget = core_budget(config.key.is_some(), config.protocol.packet_budget);
        if let Some(phi) = &mut config.phi {
            phi.packet_budget = core_budget(config.key.is_some(), phi.packet_budget);
        }
        config.baseline.validate()?;
        let addrs: Vec<NodeAddr> = (0..config.nodes).map(node_addr).collect();
        let mut cluster = Cluster {
            now: Time::ZERO,
            slots: Vec::with_capacity(config.nodes),
            queue: EventQueue::default(),
            plan: FaultPlan::new(config.baseline),
            rng: SmallRng::seed_from_u64(network_seed(config.seed)),
            stats: NetStats::default(),
            trace: Trace::new(config.trace),
            metrics: config.measure.then(|| {
                Metrics::with_formula(
                    &config.protocol,
                    &addrs,
                    FaultPlan::new(config.baseline),
                    Time::ZERO,
                    Some(node_index),
                )
            }),
            failures: Vec::new(),
            attacks: Vec::new(),
            attacks_done: Vec::new(),
            scratch: Vec::new(),
            keyring: config.key.map(|id| Keyring::new(id, ())),
            config,
        };
        for i in 0..cluster.config.nodes {
            cluster.spawn_slot(i);
        }
        let n = cluster.config.nodes;
        if cluster.config.start_converged {
            for i in 0..n {
                if let Some(node) = cluster.slots[i].node.as_mut() {
                    node.preload(&addrs, Time::ZERO);
                }
                cluster.measure(|m| m.set_view(i, (0..n).map(|s| (s, State::Alive)), [], 0, Time::ZERO));
            }
            return Ok(cluster);
        }
        let window = cluster.config.join_window;
        for i in 1..n {
            if window.is_zero() {
                cluster.join(i)?;
            } else {
                let at = Time::ZERO + window.mul_f64(i as f64 / n as f64);
                cluster.schedule(at, super::Command::Join(i));
            }
        }
        Ok(cluster)
    }

    /// Creates node `i`'s first life and arms its timers.
    pub(crate) fn spawn_slot(&mut self, i: usize) {
        debug_assert_eq!(i, self.slots.len());
        let addr = node_addr(i);
        let node = AnyNode::new(addr, &self.config.tuning(), node_seed(self.config.seed, i, 0), self.now);
        self.slots.push(Slot::new(addr, node, self.now, self.keyring.clone()));
        self.plan.set_node(addr, Liveness::Up.fault());
        self.service(i);
    }

    // ----- running ---------------------------------------------------------

    /// Feeds the cluster's own measurements, when it keeps them.
    pub(crate) fn measure(&mut self, f: impl FnOnce(&mut Metrics)) {
        if let Some(m) = self.metrics.as_mut() {
            f(m);
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// When the next queued event is due, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_time()
    }

    /// Queued events (deliveries, wake-ups and commands).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Handles the earliest queued event; false when the queue is empty.
    pub fn step(&mut self) -> bool {
        let Some((at, item)) = self.queue.pop() else {
            return false;
        };
        debug_assert!(at >= self.now, "time went backwards");
        self.now = at;
        self.measure(|m| m.advance(at));
        match item {
            Item::Deliver(d) => self.deliver(d),
            Item::Wake { node, generation } => self.wake(node as usize, generation),
            Item::Command(cmd) => {
                if let Err(e) = self.apply(*cmd) {
                    tracing::debug!(at = %at, error = %e, "scheduled command refused");
                    self.failures.push((at, e));
                }
            }
            Item::Forge { attack, round } => self.forge_round(attack as usize, round),
        }
        true
    }

    /// Handles every event due at or before `t`, then sets the clock to `t`
    /// (if it is not already later).
    pub fn run_until(&mut self, t: Time) {
        while self.queue.peek_time().is_some_and(|at| at <= t) {
            self.step();
        }
        self.now = self.now.max(t);
        let now = self.now;
        self.measure(|m| m.advance(now));
    }

    /// Runs for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    /// Runs until `pred` holds or `deadline` passes, and returns the time
    /// it first held. The predicate is checked once now, then after every
    /// event, or every `check_every` of virtual time when that is non-zero
    /// (much cheaper for whole-cluster predicates such as
    /// [`Cluster::converged`]).
    pub fn run_until_pred(&mut self, deadline: Time, mut pred: impl FnMut(&Cluster) -> bool) -> Option<Time> {
        if pred(self) {
            return Some(self.now);
        }
        let every = self.config.check_every;
        while self.now < deadline {
            if every.is_zero() {
                if self.queue.peek_time().is_none_or(|at| at > deadline) {
                    self.now = deadline;
                    self.measure(|m| m.advance(deadline));
                    return None;
                }
                self.step();
            } else {
                self.run_until((self.now + every).min(deadline));
            }
            if pred(self) {
                return Some(self.now);
            }
        }
        None
    }

    // ----- the network -----------------------------------------------------

    fn wake(&mut self, i: usize, generation: u32) {
        let slot = &mut self.slots[i];
        if slot.generation != generation {
            return; // superseded by a later arming
        }
        slot.armed = None;
        if !slot.liveness.is_active() {
            return;
        }
        if let Some(node) = slot.node.as_mut() {
            node.handle_timeout(self.now);
        }
        self.service(i);
    }

    fn deliver(&mut self, d: Delivery) {
        let to = d.to as usize;
        let slot = &mut self.slots[to];
        match slot.liveness {
            Liveness::Up | Liveness::Leaving => {
                self.hand_over(d);
                self.service(to);
            }
            Liveness::Paused => {
                if slot.backlog_bytes + d.len as usize > self.config.pause_buffer {
                    self.drop_delivery(&d, DropReason::Overflow);
                } else {
                    slot.backlog_bytes += d.len as usize;
                    slot.backlog.push_back(d);
                }
            }
            // Sent while the destination was up, arrived after it died.
            Liveness::Crashed | Liveness::Left => self.drop_delivery(&d, DropReason::NodeDown),
        }
    }

    /// Gives a datagram to its (running) node and counts it delivered, or
    /// rejects it as `unauthenticated` when it would not open under the
    /// node's keyring. The caller services the node afterwards.
    pub(crate) fn hand_over(&mut self, d: Delivery) {
        let kind = d.packet.body.kind();
        let from = match d.from {
            Sender::Node(i) => self.slots[i as usize].addr,
            Sender::Rogue => super::addr::ROGUE_ADDR,
        };
        let slot = &mut self.slots[d.to as usize];
        let opens = match (&slot.keys, d.key) {
            (None, None) => true,
            (Some(ring), Some(id)) => ring.contains(id),
            (None, Some(_)) | (Some(_), None) => false,
        };
        if !opens {
            self.stats.rejected.add(kind, d.len);
            slot.traffic.rejected[reject_index("unauthenticated")].add(d.len as usize);
            return;
        }
        self.stats.delivered.add(kind, d.len);
        slot.traffic.received[kind.index()].add(d.len as usize);
        if let Some(node) = slot.node.as_mut() {
            node.handle_packet(from, d.packet, self.now);
        }
    }

    pub(crate) fn drop_delivery(&mut self, d: &Delivery, reason: DropReason) {
        self.stats.drop(d.packet.body.kind(), d.len, reason);
        // A node's traffic counts its own datagrams only; the rogue is none.
        if let Sender::Node(from) = d.from {
            self.slots[from as usize].traffic.dropped[reason.index()].add(d.len as usize);
        }
    }

    fn transmit(&mut self, from: usize, t: Transmit) {
        let plain = wire::datagram_len(&t.packet) as u32;
        let packet = if self.config.wire_roundtrip { self.round_trip(t.packet, plain) } else { t.packet };
        let key = self.slots[from].keys.as_ref().map(Keyring::primary);
        let len = if key.is_some() { plain + SEAL_OVERHEAD as u32 } else { plain };
        let kind = packet.body.kind();
        self.stats.sent.add(kind, len);
        self.slots[from].traffic.sent[kind.index()].add(len as usize);
        self.measure(|m| m.add_packets_sent(1));
        let from_addr = self.slots[from].addr;
        let Some(to) = node_index(t.to).filter(|&j| j < self.slots.len()) else {
            // Nobody lives at that address: as good as a dead process.
            self.stats.drop(kind, len, DropReason::NodeDown);
            self.slots[from].traffic.dropped[DropReason::NodeDown.index()].add(len as usize);
            return;
        };
        let delivery = Delivery { from: Sender::Node(from as u32), to: to as u32, len, key, packet };
        match self.plan.verdict(from_addr, t.to, &mut self.rng) {
            Verdict::Drop(reason) => self.drop_delivery(&delivery, reason),
            Verdict::Deliver(delay) => self.queue.push(self.now + delay, Item::Deliver(delivery)),
            Verdict::Duplicate(first, second) => {
                self.stats.duplicated.add(kind, len);
                let copy = Delivery { packet: delivery.packet.clone(), ..delivery };
                self.queue.push(self.now + first, Item::Deliver(copy));
                self.queue.push(self.now + second, Item::Deliver(delivery));
            }
        }
    }

    /// Encodes and decodes `packet`, proving the codec carries it intact.
    ///
    /// # Panics
    /// If the codec fails or disagrees with `datagram_len`: a codec bug,
    /// which is exactly what this option exists to catch.
    pub(crate) fn round_trip(&mut self, packet: Packet, len: u32) -> Packet {
        self.scratch.clear();
        wire::encode_into(&packet, &mut self.scratch);
        assert_eq!(self.scratch.len(), len as usize, "datagram_len disagrees with encode for {packet:?}");
        let decoded = wire::decode(&self.scratch).unwrap_or_else(|e| panic!("codec rejected {packet:?}: {e}"));
        assert_eq!(decoded, packet, "codec changed a packet");
        decoded
    }

    // ----- servicing nodes ---------------------------------------------------

    /// Drains node `i`'s datagrams and events and re-arms its wake-up. Must
    /// follow every call into a node.
    pub(crate) fn service(&mut self, i: usize) {
        while let Some(t) = self.slots[i].node.as_mut().and_then(AnyNode::poll_transmit) {
            self.transmit(i, t);
        }
        while let Some(event) = self.slots[i].node.as_mut().and_then(AnyNode::poll_event) {
            self.on_event(i, event);
        }
        if self.slots[i].liveness == Liveness::Left {
            self.retire(i);
        } else {
            self.arm(i);
        }
    }

    /// Queues a wake-up for node `i`'s next timer, unless one at or before
    /// it is already queued: an early wake-up is harmless (the node finds
    /// nothing due and is re-armed), while pushing on every packet would
    /// flood the queue with stale entries.
    fn arm(&mut self, i: usize) {
        let slot = &mut self.slots[i];
        let Some(next) = slot.node.as_mut().and_then(AnyNode::poll_timeout) else {
            return;
        };
        if slot.armed.is_some_and(|armed| armed <= next) {
            return;
        }
        slot.generation = slot.generation.wrapping_add(1);
        slot.armed = Some(next);
        let item = Item::Wake { node: i as u32, generation: slot.generation };
        self.queue.push(next.max(self.now), item);
    }

    /// Invalidates any queued wake-up of node `i`.
    pub(crate) fn disarm(&mut self, i: usize) {
        let slot = &mut self.slots[i];
        slot.generation = slot.generation.wrapping_add(1);
        slot.armed = None;
    }

    /// Drops node `i`'s process (crash or completed leave): its state, its
    /// wake-ups and any backlog it never got to read.
    pub(crate) fn retire(&mut self, i: usize) {
        self.disarm(i);
        let slot = &mut self.slots[i];
        slot.node = None;
        slot.backlog_bytes = 0;
        let backlog = std::mem::take(&mut slot.backlog);
        self.plan.set_node(slot.addr, slot.liveness.fault());
        for d in &backlog {
            self.drop_delivery(d, DropReason::NodeDown);
        }
    }

    fn on_event(&mut self, i: usize, event: Event) {
        let now = self.now;
        self.measure(|m| m.on_event(i, &event, now));
        if event == Event::LeaveComplete {
            self.set_liveness(i, Liveness::Left);
        }
        self.trace.record(self.now, i, event);
    }
}
