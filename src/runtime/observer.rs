//! The observer task: node events and ground truth in; session log,
//! measurements and dashboard snapshots out.
//!
//! Every message becomes session-log [`Line`]s, stamped where their event
//! happened, put back in time order ([`Reorder`]), then written to disk
//! (when recording) and folded into a [`crate::observe::Session`]: the same
//! fold `gossip-lab report` runs over a saved log, over the same lines in
//! the same order. Every second it adds a metrics record (traffic, health,
//! agreement, each node's status); about ten times a second it publishes a
//! [`Snapshot`] on a `watch` channel for the dashboard. The snapshot is the
//! journal's ([`Journal::snapshot`]): built from the lines alone, as a
//! replay builds it, never from a node's live counters. The observer never talks to a node,
//! so a slow observer costs events (counted, then resynced), never a
//! stalled node.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustc_hash::FxHashMap;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::LabMsg;
use super::clock::LabClock;
use super::flights::Flights;
use super::traffic::AtomicTraffic;
use crate::engine::Journal;
use crate::observe::record::{
    MetricsRecord, NodeMetrics, Record, RumorChange, StatusRecord, from_event, learned_records, view_record,
};
use crate::observe::reorder::Reorder;
use crate::observe::{Line, NodeStatus, Snapshot, Summary};
use crate::protocol::{Event, NodeAddr, Time};

/// How the observer runs.
#[derive(Clone, Debug)]
pub struct ObserverOptions {
    /// How often the dashboard snapshot is replaced.
    pub snapshot_every: Duration,
    /// How often a metrics record is taken.
    pub metrics_every: Duration,
}

/// The handles the observer reads a node's counters and status through.
#[derive(Clone, Debug)]
pub struct NodeHandles {
    /// The node's address.
    pub addr: NodeAddr,
    /// Its traffic counters.
    pub traffic: Arc<AtomicTraffic>,
    /// Its status slot.
    pub status: Arc<Mutex<NodeStatus>>,
}

type ExportRequest = (PathBuf, oneshot::Sender<io::Result<PathBuf>>);

/// A running observer.
#[derive(Debug)]
pub struct Observer {
    task: JoinHandle<Summary>,
    snapshots: watch::Receiver<Arc<Snapshot>>,
    exports: mpsc::Sender<ExportRequest>,
    pace: watch::Sender<Duration>,
}

/// The shortest snapshot interval: a zero one cannot be timed.
const MIN_SNAPSHOT_EVERY: Duration = Duration::from_millis(1);

/// How long a line is held for older ones to catch up while the channel
/// is empty: then only an event whose task was preempted between taking
/// its stamp and sending it can still be on its way. Short, so that the
/// dashboard's picture (and a convergence time read off it) lags the
/// clock by no more than this.
const REORDER_WINDOW: Duration = Duration::from_millis(25);
/// The window while messages are queued, measured on the stamps that came
/// through the channel rather than on the clock: a lagging observer's
/// backlog is all older than the clock, so a clock-based window would let
/// every line out at once, in arrival order, and raise the stamp of each
/// one that arrived behind a newer one (at 1,024 nodes, three lines in
/// four during the join). The backlog's own order is off by no more than
/// the tasks' scheduling, well within this; and a join stamps a million
/// events in its first second at 1,024 nodes, so every 50 ms held is about
/// 20 MB of peak RSS (250 ms cost 100 MB; 50 ms, none measurable; neither
/// had a line late).
const REORDER_WINDOW_BEHIND: Duration = Duration::from_millis(100);

impl Observer {
    /// Starts observing `rx` into `journal` until every sender is gone;
    /// each snapshot carries the recent datagrams of `flights`.
    pub fn spawn(
        rx: mpsc::Receiver<LabMsg>,
        journal: Journal,
        nodes: Vec<NodeHandles>,
        clock: LabClock,
        (events_dropped, flights): (Arc<AtomicU64>, Arc<Flights>),
        options: ObserverOptions,
    ) -> Observer {
        let (snap_tx, snapshots) = watch::channel(Arc::new(Snapshot::default()));
        let (exports, export_rx) = mpsc::channel(4);
        let (pace, pace_rx) = watch::channel(options.snapshot_every);
        let index = nodes.iter().enumerate().map(|(i, n)| (n.addr, i)).collect();
        let state = State {
            journal,
            reorder: Reorder::default(),
            newest_in: Time::ZERO,
            index,
            nodes,
            clock,
            events_dropped,
            flights,
            write_error: None,
        };
        let task = tokio::spawn(run(rx, (export_rx, pace_rx), state, snap_tx, options));
        Observer { task, snapshots, exports, pace }
    }

    /// Rebuilds the snapshot every `every` (at least 1 ms) from now on.
    /// Each rebuild wakes the process's runtime, which at a few dozen idle
    /// nodes costs about as much CPU as the nodes' own probing: a caller
    /// that looks rarely (a measurement window) can slow it down, and
    /// speed it up again after.
    pub fn set_snapshot_every(&self, every: Duration) {
        self.pace.send_replace(every);
    }

    /// The dashboard's snapshot channel.
    pub fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.clone()
    }

    /// Writes a complete export of the session so far into `dir` (the `x`
    /// key). Needs a recording observer.
    pub async fn export(&self, dir: PathBuf) -> io::Result<PathBuf> {
        let (tx, rx) = oneshot::channel();
        self.exports.send((dir, tx)).await.map_err(|_| io::Error::other("the observer has stopped"))?;
        rx.await.map_err(|_| io::Error::other("the observer has stopped"))?
    }

    /// Waits for the observer to drain and finish (every sender dropped),
    /// and returns the final summary. The session log, if any, is complete
    /// and flushed when this returns.
    pub async fn finish(self) -> io::Result<Summary> {
        self.task.await.map_err(io::Error::other)
    }
}

struct State {
    journal: Journal,
    /// Lines on their way to the journal, put in time order.
    reorder: Reorder,
    /// The newest stamp of a line that came through the channel (not the
    /// observer's own metrics lines, stamped at the clock): how far the
    /// backlog has got.
    newest_in: Time,
    /// Node indexes by address, kept here rather than read from the
    /// session: the session learns of an added node only once its line
    /// leaves the window, and the node's peers talk of it before that.
    index: FxHashMap<NodeAddr, usize>,
    nodes: Vec<NodeHandles>,
    clock: LabClock,
    events_dropped: Arc<AtomicU64>,
    flights: Arc<Flights>,
    write_error: Option<io::Error>,
}

/// The snapshot timer: a tick every `every`, but at least
/// [`MIN_SNAPSHOT_EVERY`], the first at once or one period from now.
/// Missed ticks are skipped: a late snapshot is rebuilt once, not in a
/// burst.
fn snapshot_timer(every: Duration, first_at_once: bool) -> tokio::time::Interval {
    let every = every.max(MIN_SNAPSHOT_EVERY);
    let first = tokio::time::Instant::now() + if first_at_once { Duration::ZERO } else { every };
    let mut tick = tokio::time::interval_at(first, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    tick
}

async fn run(
    mut rx: mpsc::Receiver<LabMsg>,
    (mut exports, mut pace): (mpsc::Receiver<ExportRequest>, watch::Receiver<Duration>),
    mut state: State,
    snapshots: watch::Sender<Arc<Snapshot>>,
    options: ObserverOptions,
) -> Summary {
    let mut snapshot_tick = snapshot_timer(options.snapshot_every, true);
    let mut metrics_tick = tokio::time::interval(options.metrics_every);
    metrics_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Some(msg) => {
                    state.handle(msg);
                    state.release(rx.is_empty());
                }
                None => break,
            },
            Some((dir, reply)) = exports.recv() => {
                let _ = reply.send(state.export(dir));
            }
            _ = metrics_tick.tick() => {
                state.take_metrics();
                state.release(rx.is_empty());
                state.flush();
            }
            _ = snapshot_tick.tick() => {
                state.release(rx.is_empty());
                snapshots.send_replace(Arc::new(state.snapshot()));
            }
            Ok(()) = pace.changed() => {
                snapshot_tick = snapshot_timer(*pace.borrow_and_update(), false);
            }
        }
    }
    state.take_metrics();
    state.release_all();
    if state.reorder.late() > 0 {
        tracing::warn!(
            "{} session-log lines came in later than the reordering window; \
             they were written at the last stamp written before them",
            state.reorder.late()
        );
    }
    // At the last line's time (the final metrics line's, taken just now),
    // not the clock's a moment later: a report of the log then ends where
    // this summary's record ends, and judges a cut run the same.
    let t_ms = state.journal.session().end().as_micros() as f64 / 1000.0;
    let (summary, finished) = state.journal.finish(t_ms);
    if let Err(e) = finished {
        tracing::error!("could not finish the session log: {e}");
    }
    snapshots.send_replace(Arc::new(state.snapshot()));
    summary
}

impl State {
    fn index(&self, addr: NodeAddr) -> Option<usize> {
        self.index.get(&addr).copied()
    }

    /// A line for the log, stamped where its event happened.
    fn emit(&mut self, line: Line) {
        self.newest_in = self.newest_in.max(line.time());
        self.reorder.push(line);
    }

    /// Writes and folds every held line older than the window: the short
    /// one when no message is queued (`caught_up`), the long one otherwise.
    fn release(&mut self, caught_up: bool) {
        let (upto, window) =
            if caught_up { (self.clock.now(), REORDER_WINDOW) } else { (self.newest_in, REORDER_WINDOW_BEHIND) };
        let through = Time::from_micros(upto.as_micros().saturating_sub(window.as_micros() as u64));
        while let Some(line) = self.reorder.pop_through(through) {
            self.write(line);
        }
    }

    /// Writes and folds every held line (the end, an export).
    fn release_all(&mut self) {
        while let Some(line) = self.reorder.pop() {
            self.write(line);
        }
    }

    fn write(&mut self, mut line: Line) {
        if let Record::Metrics(m) = &mut line.record {
            // Judged over the lines before it in the log, as a report
            // folding the log judges it.
            let metrics = self.journal.session().metrics();
            m.agreement = metrics.agreement();
            m.accuracy = metrics.accuracy();
            for n in &mut m.nodes {
                n.foreign = metrics.foreign_count(n.node);
            }
        }
        if let Err(e) = self.journal.emit(&line)
            && self.write_error.is_none()
        {
            tracing::error!("session log write failed: {e}");
            self.write_error = Some(e);
        }
    }

    fn flush(&mut self) {
        if let Err(e) = self.journal.flush() {
            tracing::error!("session log flush failed: {e}");
        }
    }

    fn handle(&mut self, msg: LabMsg) {
        match msg {
            LabMsg::Node { t, node, event } => {
                if let Some(record) = self.record_of(node, event) {
                    self.emit(Line::at(t, record));
                }
            }
            LabMsg::Learned { t, node, members } => {
                for record in learned_records(node, members, |a| self.index(a)) {
                    self.emit(Line::at(t, record));
                }
            }
            LabMsg::Resync { t, node, members } => {
                let record = view_record(node, members.iter().map(|m| (m.addr, m.state)), |a| self.index(a));
                self.emit(Line::at(t, record));
            }
            LabMsg::RumorInjected { t, node, id } => {
                let record = Record::Rumor {
                    event: RumorChange::Injected,
                    node,
                    origin: id.origin.to_string(),
                    seq: id.seq,
                    cluster_sent: Some(self.cluster_sent()),
                };
                self.emit(Line::at(t, record));
            }
            LabMsg::Handles { node, addr, traffic, status } => {
                if node == self.nodes.len() {
                    self.nodes.push(NodeHandles { addr, traffic, status });
                    self.index.insert(addr, node);
                }
            }
            LabMsg::Line(line) => self.emit(line),
            LabMsg::Rogue { t, record } => self.emit(Line::at(t, Record::Rogue(record))),
        }
    }

    fn record_of(&self, node: usize, event: Event) -> Option<Record> {
        let addr_of = |i: usize| self.nodes.get(i).map(|n| n.addr);
        from_event(node, event, |a| self.index(a), addr_of, || self.cluster_sent())
    }

    /// Datagrams sent by every node so far, read from the live counters.
    fn cluster_sent(&self) -> u64 {
        self.nodes.iter().map(|n| n.traffic.snapshot().sent_total().packets).sum()
    }

    fn status(&self, i: usize) -> NodeStatus {
        self.nodes[i].status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A metrics record: every node's counters and status now; agreement,
    /// accuracy and foreign members once it leaves the window.
    fn take_metrics(&mut self) {
        let now = self.clock.now();
        let nodes = (0..self.nodes.len())
            .map(|i| {
                let status = self.status(i);
                NodeMetrics {
                    node: i,
                    health: status.health,
                    incarnation: status.incarnation,
                    queue: status.queue,
                    foreign: 0,
                    refused: status.counters.refused.nonzero(),
                    traffic: self.nodes[i].traffic.snapshot(),
                    status: Some(StatusRecord::of(&status)),
                }
            })
            .collect();
        let record =
            MetricsRecord { agreement: 0.0, accuracy: 0.0, events_dropped: self.events_dropped.load(Relaxed), nodes };
        // Not through `emit`: the tick is stamped at the clock, ahead of a
        // backlog, and must wait for it rather than move its watermark.
        self.reorder.push(Line::at(now, Record::Metrics(record)));
    }

    /// The journal's snapshot (what a replay would show at this point),
    /// plus what no log line carries: the sampled datagrams, and each phi
    /// node's heartbeat table.
    fn snapshot(&self) -> Snapshot {
        let now = self.clock.now();
        let mut snap = self.journal.snapshot(now);
        (snap.flights, snap.flight_stride) = self.flights.take(now, |a| self.index(a));
        if snap.phi.is_some() {
            for (row, handles) in snap.nodes.iter_mut().zip(&self.nodes) {
                let live = handles.status.lock().unwrap_or_else(|p| p.into_inner());
                row.status.heartbeats = live.heartbeats.clone();
            }
        }
        snap
    }

    fn export(&mut self, dir: PathBuf) -> io::Result<PathBuf> {
        self.release_all();
        let t_ms = self.journal.session().end().as_micros() as f64 / 1000.0;
        self.journal.export(dir, t_ms)
    }
}
