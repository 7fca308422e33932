//! One node as one tokio task: an [`AnyNode`] (of either family) driven by a real socket.
//!
//! The task feeds the sans-IO core from three sources (datagrams, its own
//! deadlines, lab commands) and carries out what the core asks for
//! (datagrams through the shim, events to the observer). It owns the only
//! handle to its socket, so cancelling the task is a crash: the socket
//! closes and no goodbye is sent.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::LabMsg;
use super::alarm::Alarm;
use super::clock::LabClock;
use super::shim::ShimSocket;
use crate::observe::NodeStatus;
use crate::observe::learning::{self, Learning};
use crate::observe::traffic::reject_index;
use crate::protocol::{AnyNode, Event, NodeAddr, RumorError, RumorId, Time, Tuning};
use crate::security::CipherRing;

/// What the lab can ask of a running node.
#[derive(Debug)]
pub enum NodeCommand {
    /// Stall: stop reading and ticking until [`NodeCommand::Resume`].
    Pause,
    /// Continue after a pause, first working through the backlog.
    Resume,
    /// Leave the cluster gracefully; the task ends once it is announced.
    Leave,
    /// Inject a rumor at this node.
    Rumor {
        /// The rumor's bytes.
        payload: Vec<u8>,
        /// Where to send the rumor's id (or why it was refused).
        reply: oneshot::Sender<Result<RumorId, RumorError>>,
    },
    /// Seal and open with this keyring from now on (a rotation step).
    /// Carried out even while paused: it is the operator's configuration,
    /// not protocol work. `done` is answered once it is in force.
    Keys {
        /// The new keyring.
        keys: Arc<CipherRing>,
        /// Answered when the node uses it.
        done: oneshot::Sender<()>,
    },
}

/// Where a node task reports to, without ever waiting.
#[derive(Clone, Debug)]
pub struct EventSink {
    tx: mpsc::Sender<LabMsg>,
    dropped: Arc<AtomicU64>,
}

impl EventSink {
    /// A sink on `tx`, counting events lost to a full channel in `dropped`.
    pub fn new(tx: mpsc::Sender<LabMsg>, dropped: Arc<AtomicU64>) -> EventSink {
        EventSink { tx, dropped }
    }

    /// Sends without blocking; false (and counted) when the channel is full.
    fn offer(&self, msg: LabMsg) -> bool {
        match self.tx.try_send(msg) {
            Ok(()) => true,
            Err(_) => {
                self.dropped.fetch_add(1, Relaxed);
                false
            }
        }
    }

    /// Sends the message `make` builds if the channel has room, without
    /// building it otherwise (a resync copies a whole view); false when
    /// full. Not counted: nothing was lost, the message is still owed.
    fn offer_with(&self, make: impl FnOnce() -> LabMsg) -> bool {
        match self.tx.try_reserve() {
            Ok(permit) => {
                permit.send(make());
                true
            }
            Err(_) => false,
        }
    }
}

/// Everything a node task needs.
#[derive(Debug)]
pub struct NodeSpec {
    /// The node's index in the lab.
    pub index: usize,
    /// Protocol configuration (its packet budget leaves room for sealing).
    pub tuning: Tuning,
    /// The largest datagram the node accepts: the profile's packet budget.
    /// Anything larger is counted as `oversized` and dropped unread.
    pub max_datagram: usize,
    /// Seed of the node's protocol RNG.
    pub seed: u64,
    /// Members to join through (empty for the first node).
    pub seeds: Vec<NodeAddr>,
    /// The node's shim socket (already bound).
    pub shim: ShimSocket,
    /// The lab's clock.
    pub clock: LabClock,
    /// Where events go.
    pub events: EventSink,
    /// Lab commands.
    pub commands: mpsc::Receiver<NodeCommand>,
    /// Cancelled to crash the node.
    pub cancel: CancellationToken,
    /// Where the node's status is published for the dashboard.
    pub status: Arc<Mutex<NodeStatus>>,
    /// How long to wait before starting (the profile's `join_stagger`).
    pub start_after: Duration,
    /// The node's deadline, on its thread's timer.
    pub alarm: Alarm,
}

/// How often the node's status is republished.
const STATUS_EVERY: Duration = Duration::from_millis(100);
/// Datagrams read per wake-up before the node looks at its timers again.
const RECV_BATCH: usize = 64;

/// The least time between two of a node's resyncs: a second, or 4 ms per
/// member it holds if longer (16 s at 4,096). A resync is the node's whole
/// view, and in a storm the observer cannot keep up with (a partition
/// of 4,096 nodes: millions of suspicions) every node lost events again
/// soon after each resync: 500 views a second, 3.1 GB of the log's 4.4
/// and an eighth of the nodes' CPU copying views (BENCHMARKS.md, "Issue
/// 13, step twelve"). Spaced out, resyncs cost the observer at most 250
/// rows per node per second, and a view lags by at most this long.
fn resync_gap(members: usize) -> Duration {
    Duration::from_millis(4 * members as u64).max(Duration::from_secs(1))
}

/// How far a node's timers may fire late so that nodes share wake-ups:
/// 2 % of the probe timeout, between 1 and 10 ms (10 ms on `lan`, 2 ms on
/// `fast`). Protocol deadlines are tens of times longer, while a task
/// wake-up per timer per node is most of an idle lab's CPU.
fn timer_grain(tuning: &Tuning) -> Duration {
    let shortest = match tuning {
        Tuning::Swim(c) => c.probe_timeout,
        Tuning::Phi(c) => c.heartbeat_interval,
    };
    (shortest / 50).clamp(Duration::from_millis(1), Duration::from_millis(10))
}

struct Task {
    index: usize,
    node: AnyNode,
    shim: ShimSocket,
    clock: LabClock,
    events: EventSink,
    status: Arc<Mutex<NodeStatus>>,
    status_at: Time,
    resync: bool,
    /// When the next resync may go out (see [`resync_gap`]).
    resync_at: Time,
    /// Members learned and not yet reported (a join storm, coalesced).
    learning: Learning<NodeAddr>,
    buf: Vec<u8>,
}

/// Runs a node until it is cancelled (a crash) or has left.
pub async fn run(spec: NodeSpec) {
    let NodeSpec {
        index,
        tuning,
        max_datagram,
        seed,
        seeds,
        shim,
        clock,
        events,
        mut commands,
        cancel,
        status,
        start_after,
        mut alarm,
    } = spec;
    if !start_after.is_zero() {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(start_after) => {}
        }
    }
    let now = clock.now();
    // One byte more than the largest datagram accepted: a datagram that
    // fills the buffer was larger, and the kernel cut it short.
    let buf_len = max_datagram + 1;
    let grain = timer_grain(&tuning);
    let mut node = AnyNode::new(shim.addr(), &tuning, seed, now);
    node.join(&seeds, now);
    let mut task = Task {
        index,
        node,
        shim,
        clock,
        events,
        status,
        status_at: Time::ZERO,
        resync: false,
        resync_at: Time::ZERO,
        learning: Learning::default(),
        buf: vec![0; buf_len],
    };
    task.flush();

    let socket = task.shim.socket();
    loop {
        // The node's next timer, or the held report of members learned.
        let wake = match (task.node.poll_timeout(), task.learning.due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let deadline = wake.map(|t| task.clock.wake_instant(t, grain).into_std());
        alarm.set(deadline);
        tokio::select! {
            biased;
            () = cancel.cancelled() => return,
            cmd = commands.recv() => match cmd {
                None => return,
                Some(NodeCommand::Pause) => {
                    if !task.paused(&mut commands, &cancel).await {
                        return;
                    }
                }
                Some(cmd) => task.command(cmd),
            },
            ready = socket.readable() => {
                if ready.is_err() {
                    return;
                }
                task.receive(RECV_BATCH);
            }
            () = alarm.rung(), if deadline.is_some() => {}
            () = task.shim.send_delayed(), if task.shim.has_delayed() => {}
        }
        // Timers run on every pass, so a busy socket cannot starve them.
        let now = task.clock.now();
        if task.node.poll_timeout().is_some_and(|t| t <= now) {
            task.node.handle_timeout(now);
        }
        task.flush();
        if task.node.has_left() {
            return;
        }
    }
}

impl Task {
    fn command(&mut self, cmd: NodeCommand) {
        let now = self.clock.now();
        match cmd {
            NodeCommand::Leave => self.node.leave(now),
            NodeCommand::Rumor { payload, reply } => {
                let result = self.node.broadcast_rumor(payload, now);
                if let Ok(id) = result {
                    // Before the node's own delivery event (queued by the
                    // call above, sent by the next flush): metrics must see
                    // the injection first.
                    self.events.offer(LabMsg::RumorInjected { t: now, node: self.index, id });
                }
                let _ = reply.send(result);
            }
            NodeCommand::Keys { keys, done } => {
                self.shim.set_keys(keys);
                let _ = done.send(());
            }
            NodeCommand::Pause | NodeCommand::Resume => {}
        }
    }

    /// A stalled process: no reads, no timers, no protocol work. Datagrams
    /// pile up in the kernel's socket buffer (and overflow it, as they
    /// would). Datagrams already in flight in the shim's delay queue still
    /// arrive: they are in the network, not in the process. Returns false
    /// if the node was crashed while paused.
    async fn paused(&mut self, commands: &mut mpsc::Receiver<NodeCommand>, cancel: &CancellationToken) -> bool {
        let mut deferred = Vec::new();
        loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => return false,
                cmd = commands.recv() => match cmd {
                    None => return false,
                    Some(NodeCommand::Resume) => break,
                    Some(NodeCommand::Pause) => {}
                    Some(keys @ NodeCommand::Keys { .. }) => self.command(keys),
                    Some(other) => deferred.push(other),
                },
                () = self.shim.send_delayed(), if self.shim.has_delayed() => {}
            }
        }
        // Like a process waking from a stall: its timers have all expired and
        // run first, then it reads the backlog that queued up meanwhile (the
        // same order as the simulator; see `sim::Cluster::resume`).
        self.node.handle_timeout(self.clock.now());
        self.flush();
        self.receive(usize::MAX);
        for cmd in deferred {
            self.command(cmd);
        }
        true
    }

    /// Reads up to `limit` waiting datagrams and hands them to the node.
    fn receive(&mut self, limit: usize) {
        for _ in 0..limit {
            let (len, from) = match self.shim.try_recv(&mut self.buf) {
                Ok(Some(got)) => got,
                Ok(None) | Err(_) => break,
            };
            if len >= self.buf.len() {
                // Truncated by the kernel: counted with the bytes read.
                self.shim.traffic().rejected(reject_index("oversized"), len);
                continue;
            }
            let from = match from {
                SocketAddr::V4(a) => a,
                SocketAddr::V6(_) => {
                    self.shim.traffic().rejected(reject_index("foreign"), len);
                    continue;
                }
            };
            match self.shim.open(&mut self.buf[..len]) {
                Ok(packet) => {
                    self.shim.traffic().received(packet.body.kind(), len);
                    let now = self.clock.now();
                    self.node.handle_packet(from, packet, now);
                }
                Err(e) => self.shim.traffic().rejected(reject_index(e.reason()), len),
            }
            self.flush();
        }
    }

    /// Sends what the node queued, reports its events, and republishes its
    /// status when due.
    fn flush(&mut self) {
        while let Some(tx) = self.node.poll_transmit() {
            self.shim.send(tx.to, &tx.packet);
        }
        let now = self.clock.now();
        if self.resync && now >= self.resync_at && self.offer_resync(now) {
            self.resync = false;
            self.resync_at = now + resync_gap(self.node.members().len());
        }
        while let Some(event) = self.node.poll_event() {
            if self.resync {
                continue; // the resync that follows supersedes it
            }
            if let Some(member) = learning::added_member(&event)
                && self.learning.offer(now, member).is_none()
            {
                continue; // held for the window's report
            }
            if learning::is_view_change(&event) {
                self.report_learned(now);
            }
            let leave_done = event == Event::LeaveComplete;
            if !self.events.offer(LabMsg::Node { t: now, node: self.index, event }) && !leave_done {
                self.lost_events();
            }
        }
        if self.learning.due().is_some_and(|due| due <= now) {
            self.report_learned(now);
        }
        if now - self.status_at >= STATUS_EVERY {
            self.status_at = now;
            let status = NodeStatus::of(&self.node, now);
            *self.status.lock().unwrap_or_else(|p| p.into_inner()) = status;
        }
    }

    /// Reports the members learned and held so far, as one message.
    fn report_learned(&mut self, now: Time) {
        let members = self.learning.take(now);
        if !members.is_empty() && !self.events.offer(LabMsg::Learned { t: now, node: self.index, members }) {
            self.lost_events();
        }
    }

    /// The observer missed some of our news: what we hold back is
    /// superseded by the resync that follows.
    fn lost_events(&mut self) {
        self.resync = true;
        self.learning.clear();
    }

    /// After lost events the observer's copy of our view is stale; send the
    /// whole view so it can start over. False if the channel is still full
    /// (then the view is not copied).
    fn offer_resync(&mut self, now: Time) -> bool {
        let (node, index) = (&self.node, self.index);
        self.events.offer_with(|| LabMsg::Resync { t: now, node: index, members: node.members().copied().collect() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resyncs_are_spaced_by_a_second_or_by_the_view_they_copy() {
        assert_eq!(resync_gap(0), Duration::from_secs(1));
        assert_eq!(resync_gap(16), Duration::from_secs(1), "a small lab resyncs as soon as a second");
        assert_eq!(resync_gap(1024), Duration::from_millis(4096));
        assert_eq!(resync_gap(4096), Duration::from_millis(16_384), "a view of 4,096 rows: 250 rows a second");
    }
}
