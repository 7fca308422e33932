//! `gossip-lab run --sim`: a profile in the deterministic simulator.
//!
//! The same timeline, expectations, session log and summary as on real
//! sockets, in virtual time: a run takes as long as its work, the same seed
//! gives the same log, and cluster sizes the real runtime cannot host on two
//! cores become reachable. Events go through the same record conversion and
//! the same [`crate::engine::Journal`] (the [`crate::observe::Session`] fold
//! and the recorder) as the live observer, and actions through the same
//! [`crate::engine::Engine`], with the simulator as its driver.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use futures_util::FutureExt;

use super::RunOptions;
use crate::config::LabConfig;
use crate::engine::{Driver, Effect, Engine, EngineError, Ground, Journal, Outcome, SIM_PICKS, Timeline};
use crate::observe::learning::{self, Learnings};
use crate::observe::record::{
    KeyChange, MetricsRecord, NodeMetrics, Record, RogueChange, RogueRecord, RumorChange, SecurityRecord, StatusRecord,
    from_event, learned_records,
};
use crate::observe::{Line, Liveness, Mode, NodeStatus, Session, Summary};
use crate::protocol::{NodeAddr, Time, phi};
use crate::rogue::Spec;
use crate::scenario::{Action, Step};
use crate::security::{Auth, Key, KeyId, SecurityConfig};
use crate::signals::{Signals, Stop};
use crate::sim::{Cluster, SimConfig, SimError, TraceEntry};

/// How often events are drained into the session (virtual time): fine
/// enough that a rumor's packet cost is measured to within this much
/// traffic.
const DRAIN_EVERY: Duration = Duration::from_millis(20);
/// How often a metrics record is taken (virtual time), as on sockets.
const METRICS_EVERY: Duration = Duration::from_secs(1);

/// The simulator as the engine's driver, and the session it feeds.
struct SimRun {
    cluster: Cluster,
    journal: Journal,
    seed: u64,
    /// Keys made so far (the first one included), for the next key's seed.
    keys_made: u64,
    /// Members learned and not yet reported (a join storm, coalesced by
    /// the live node tasks' rule).
    learnings: Learnings<NodeAddr>,
}

/// The id of the `n`-th key of a simulated run. The simulator moves
/// packets, not bytes, so it needs key ids only: a key file's real id, or
/// the id of a key derived from the seed (the same seed, the same ids, so
/// a run replays byte for byte). Such a key protects nothing and is never
/// used to seal.
fn sim_key(security: &SecurityConfig, seed: u64, n: u64) -> Option<KeyId> {
    match (&security.auth, n) {
        (Auth::None, _) => None,
        (Auth::File { key, .. }, 0) => Some(key.id()),
        _ => Some(Key::from_seed(seed ^ 0x4B45_5953_0000_0000 ^ n).id()),
    }
}

/// Runs the profile in the simulator and returns its summary.
pub fn run(config: LabConfig, opts: &RunOptions) -> anyhow::Result<Summary> {
    run_until(config, opts, &AtomicBool::new(false))
}

/// Runs the simulation on a blocking thread while this task waits for a
/// signal; a signal stops the simulation at its current virtual time, and
/// the session is finished there, as on real sockets.
pub async fn run_stoppable(
    config: LabConfig,
    opts: &RunOptions,
    signals: &mut Signals,
) -> anyhow::Result<(Summary, Option<Stop>)> {
    let opts = opts.clone();
    stoppable(signals, move |stop| run_until(config, &opts, stop)).await
}

/// Runs `work` on a blocking thread while this task waits for a signal;
/// a signal sets the flag `work` checks between steps of virtual time,
/// and its result (a finished session) is awaited all the same.
pub(crate) async fn stoppable<T: Send + 'static>(
    signals: &mut Signals,
    work: impl FnOnce(&AtomicBool) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<(T, Option<Stop>)> {
    let flag = Arc::new(AtomicBool::new(false));
    let stop = flag.clone();
    let mut task = tokio::task::spawn_blocking(move || work(&stop));
    let first = tokio::select! {
        done = &mut task => return Ok((done.context("the simulation thread failed")??, None)),
        first = signals.recv() => first,
    };
    flag.store(true, Ordering::Relaxed);
    let (done, stop) = signals.while_stopping(Some(first), task).await;
    Ok((done.context("the simulation thread failed")??, stop))
}

/// [`run`], checking `stop` between steps of virtual time; once it is set
/// the run ends at the current virtual time with a finished session log.
pub fn run_until(config: LabConfig, opts: &RunOptions, stop: &AtomicBool) -> anyhow::Result<Summary> {
    run_watched(config, opts, stop, |_, _| {})
}

/// [`run_until`], calling `watch` with the journal and the virtual time
/// whenever every line up to that time has been emitted: where the live
/// path's picture ([`Journal::snapshot`]) can be taken, as a test that
/// compares it with a replay does.
pub fn run_watched(
    config: LabConfig,
    opts: &RunOptions,
    stop: &AtomicBool,
    mut watch: impl FnMut(&Journal, Time),
) -> anyhow::Result<Summary> {
    let mut lab = SimLab::start(&config, Mode::Scripted, opts.export.as_deref())?;
    play(&mut lab, &config, stop, |lab, t| watch(&lab.run.journal, t))?;
    lab.finish()
}

/// What the simulated timeline loop drives: one lab, or a comparison's
/// two in lockstep.
pub(crate) trait Stepped {
    /// Advances toward `target` by at most one step; the time reached.
    fn step_toward(&mut self, target: Time) -> io::Result<Time>;
    /// Carries out a timeline step now (a refused one is reported).
    fn play_step(&mut self, step: &Step) -> io::Result<()>;
}

impl Stepped for SimLab {
    fn step_toward(&mut self, target: Time) -> io::Result<Time> {
        SimLab::step_toward(self, target)
    }

    fn play_step(&mut self, step: &Step) -> io::Result<()> {
        if let Err(e) = self.apply(&step.action)? {
            eprintln!("gossip-lab: timeline step at {:?} ({}) failed: {e}", step.at, step.action.label());
        }
        Ok(())
    }
}

/// Plays `config`'s timeline against `lab` in virtual time until its
/// duration ends or `stop` is set, calling `watch` whenever every line up
/// to the time reached has been emitted.
pub(crate) fn play<S: Stepped>(
    lab: &mut S,
    config: &LabConfig,
    stop: &AtomicBool,
    mut watch: impl FnMut(&S, Time),
) -> io::Result<()> {
    let mut timeline = Timeline::new(config.timeline.clone());
    let end = Time::ZERO + config.duration;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let next_step = timeline.next_at().map_or(end, |at| (Time::ZERO + at).min(end));
        let target = lab.step_toward(next_step)?;
        while target < end
            && let Some(step) = timeline.due(target - Time::ZERO)
        {
            lab.play_step(&step)?;
        }
        watch(lab, target);
        if target >= end {
            return Ok(());
        }
    }
}

/// A simulated lab driven step by step: virtual time advanced on request,
/// actions carried out through the one [`Engine`] between steps, every
/// line folded and recorded by the one [`Journal`]. `run --sim` drives it
/// from a timeline; a test can drive it from the dashboard's keys, as a
/// hands-on session.
pub struct SimLab {
    run: SimRun,
    engine: Engine,
    next_metrics: Time,
}

impl SimLab {
    /// Builds the cluster of `config` at time zero and starts its session
    /// in `mode`, recording into `export` when given.
    pub fn start(config: &LabConfig, mode: Mode, export: Option<&Path>) -> anyhow::Result<SimLab> {
        let sim = SimConfig {
            protocol: config.lab_protocol(),
            phi: config
                .phi
                .as_ref()
                .map(|t| phi::Config { max_members: config.protocol.max_members, ..t.config.clone() }),
            baseline: config.network.baseline(),
            join_window: config.join_stagger * config.nodes as u32,
            trace: true,
            // The session folds the log into the run's one Metrics.
            measure: false,
            key: sim_key(&config.security, config.seed, 0),
            ..SimConfig::new(config.nodes, config.seed)
        };
        let cluster = Cluster::new(sim).context("building the simulated cluster")?;
        let addrs: Vec<NodeAddr> = (0..cluster.len()).map(|i| cluster.addr(i)).collect();
        let security = SecurityRecord::of(&config.security, cluster.keyring().map(|r| r.primary()));
        let journal = Journal::start(config, "sim", mode, &addrs, security, export).context("creating the export")?;
        let engine = Engine::new(&addrs, config.network.baseline(), config.seed ^ SIM_PICKS);
        let run = SimRun { cluster, journal, seed: config.seed, keys_made: 1, learnings: Learnings::default() };
        Ok(SimLab { run, engine, next_metrics: Time::ZERO + METRICS_EVERY })
    }

    /// Virtual time now.
    pub fn now(&self) -> Time {
        self.run.cluster.now()
    }

    /// The session so far.
    pub fn session(&self) -> &Session {
        self.run.journal.session()
    }

    /// Advances one step toward `target` (at most a drain interval, and
    /// never past the next metrics record), streams what happened into the
    /// session, and returns the time reached.
    pub fn step_toward(&mut self, target: Time) -> io::Result<Time> {
        let to = target.min(self.next_metrics).min(self.now() + DRAIN_EVERY);
        self.run.cluster.run_until(to);
        self.run.drain()?;
        if to >= self.next_metrics {
            self.run.metrics(to)?;
            self.next_metrics += METRICS_EVERY;
        }
        Ok(to)
    }

    /// Advances virtual time to `t`.
    pub fn run_until(&mut self, t: Time) -> io::Result<()> {
        while self.step_toward(t)? < t {}
        Ok(())
    }

    /// Carries out `action` now, as a timeline step or a key would. The
    /// outer error: the log could not be written; the inner one: the
    /// action was refused (its feedback otherwise).
    pub fn apply(&mut self, action: &Action) -> io::Result<Result<String, EngineError>> {
        let applied = self.engine.apply(&mut self.run, action).now_or_never().expect("the simulator never waits");
        self.run.drain()?;
        Ok(applied)
    }

    /// Ends the session now: a last metrics record, then the summary,
    /// also written as the log's last line when recording.
    pub fn finish(mut self) -> anyhow::Result<Summary> {
        let end = self.now();
        self.run.metrics(end)?;
        let (summary, finished) = self.run.journal.finish(end.as_micros() as f64 / 1000.0);
        finished?;
        Ok(summary)
    }
}

impl SimRun {
    fn emit(&mut self, line: Line) -> io::Result<()> {
        self.journal.emit(&line)
    }

    /// Streams the events the cluster produced since the last drain, and
    /// the rogue attacks that stopped meanwhile, in time order.
    fn drain(&mut self) -> io::Result<()> {
        let entries = self.cluster.take_trace();
        let mut stopped = self.cluster.take_stopped_attacks().into_iter().peekable();
        let sent = self.cluster.stats().sent.total.packets;
        for entry in entries {
            while let Some((t, a)) = stopped.next_if(|(t, _)| *t <= entry.at) {
                self.emit(Line::at(t, rogue_record(RogueChange::Stopped, &a.spec, a.victim, a.datagrams, a.bytes)))?;
            }
            self.emit_event(entry, sent)?;
        }
        for (t, a) in stopped {
            self.emit(Line::at(t, rogue_record(RogueChange::Stopped, &a.spec, a.victim, a.datagrams, a.bytes)))?;
        }
        self.emit_learned_due(self.cluster.now())
    }

    /// Emits every coalesced report due at or before `t`, at its due time.
    fn emit_learned_due(&mut self, t: Time) -> io::Result<()> {
        while let Some((node, members, due)) = self.learnings.pop_due(t) {
            self.emit_learned(node, members, due)?;
        }
        Ok(())
    }

    fn emit_learned(&mut self, node: usize, members: Vec<NodeAddr>, t: Time) -> io::Result<()> {
        let c = &self.cluster;
        for record in learned_records(node, members, |a| c.index_of(a)) {
            self.emit(Line::at(t, record))?;
        }
        Ok(())
    }

    /// Converts trace entries to session-log lines and emits them.
    fn emit_events(&mut self, entries: Vec<TraceEntry>) -> io::Result<()> {
        let sent = self.cluster.stats().sent.total.packets;
        for entry in entries {
            self.emit_event(entry, sent)?;
        }
        Ok(())
    }

    /// One trace entry as a session-log line; `sent` is the cluster's
    /// datagram count for rumor cost.
    fn emit_event(&mut self, entry: TraceEntry, sent: u64) -> io::Result<()> {
        self.emit_learned_due(entry.at)?;
        if let Some(member) = learning::added_member(&entry.event)
            && self.learnings.offer(entry.node, entry.at, member).is_none()
        {
            return Ok(()); // held for the window's report
        }
        if learning::is_view_change(&entry.event) {
            let held = self.learnings.take(entry.node, entry.at);
            self.emit_learned(entry.node, held, entry.at)?;
        }
        let c = &self.cluster;
        match from_event(entry.node, entry.event, |a| c.index_of(a), |i| Some(c.addr(i)), || sent) {
            Some(record) => self.emit(Line::at(entry.at, record)),
            None => Ok(()),
        }
    }

    /// A metrics record: the nodes' counters from the simulator, and
    /// agreement, accuracy and foreign members from the session's one
    /// [`crate::observe::Metrics`], as the live observer takes them.
    fn metrics(&mut self, t: Time) -> io::Result<()> {
        let c = &self.cluster;
        let m = self.journal.session().metrics();
        let nodes = (0..c.len())
            .map(|i| {
                let node = c.node(i);
                NodeMetrics {
                    node: i,
                    health: node.map_or(0, |n| n.health_score()),
                    incarnation: node.map_or(0, |n| n.incarnation()),
                    queue: node.map_or(0, |n| n.broadcast_queue_len()),
                    foreign: m.foreign_count(i),
                    refused: node.map(|n| n.counters().refused.nonzero()).unwrap_or_default(),
                    traffic: c.traffic(i).clone(),
                    status: node.map(|n| StatusRecord::of(&NodeStatus::of(n, t))),
                }
            })
            .collect();
        let record = MetricsRecord { agreement: m.agreement(), accuracy: m.accuracy(), events_dropped: 0, nodes };
        self.emit(Line::at(t, Record::Metrics(record)))
    }

    /// Injects a rumor at node `i`. The injection line goes first: the
    /// origin's own delivery is already in the trace, and must be folded
    /// in after it.
    fn rumor(&mut self, i: usize, payload: &str) -> Result<Outcome, EngineError> {
        let id = self.cluster.inject_rumor(i, payload.as_bytes().to_vec()).map_err(EngineError::driver)?;
        let record = Record::Rumor {
            event: RumorChange::Injected,
            node: i,
            origin: id.origin.to_string(),
            seq: id.seq,
            cluster_sent: Some(self.cluster.stats().sent.total.packets),
        };
        let pending = self.cluster.take_trace();
        self.emit(Line::at(self.cluster.now(), record)).map_err(EngineError::Log)?;
        self.emit_events(pending).map_err(EngineError::Log)?;
        Ok(Outcome::Rumor(id))
    }

    /// A rotation step, on every node at once (as the real lab waits until
    /// every node has it).
    fn rekey(&mut self, action: &Action) -> Result<Outcome, SimError> {
        let ring = self.cluster.keyring().ok_or(SimError::NoKeyring)?;
        let (change, id) = match action {
            Action::KeyInstall => {
                let generated = SecurityConfig::default();
                let id = sim_key(&generated, self.seed, self.keys_made).expect("a generated key");
                self.keys_made += 1;
                self.cluster.key_install(id)?;
                (KeyChange::Installed, id)
            }
            Action::KeyUse { key } => {
                let id = ring.resolve_use(*key)?;
                self.cluster.key_use(id)?;
                (KeyChange::Used, id)
            }
            Action::KeyRemove { key } => {
                let id = ring.resolve_remove(*key)?;
                self.cluster.key_remove(id)?;
                (KeyChange::Removed, id)
            }
            other => unreachable!("{} is not a key action", other.name()),
        };
        let ring = self.cluster.keyring().expect("checked above");
        let feedback =
            format!("key {id} {} on every node ({} installed, primary {})", change.label(), ring.len(), ring.primary());
        Ok(Outcome::Keys { record: Box::new(change.record(id, ring)), feedback })
    }
}

impl Driver for SimRun {
    fn now(&self) -> Time {
        self.cluster.now()
    }

    fn has_left(&self, i: usize) -> bool {
        self.cluster.liveness(i) == Liveness::Left
    }

    async fn carry_out(&mut self, effect: &Effect, _: &Ground) -> Result<Outcome, EngineError> {
        let c = &mut self.cluster;
        match effect {
            Effect::Crash(i) => {
                self.learnings.clear(*i);
                c.crash(*i)
            }
            Effect::Restart(i) => {
                self.learnings.clear(*i);
                c.restart(*i)
            }
            Effect::Pause(i) => c.pause(*i),
            Effect::Resume(i) => c.resume(*i),
            Effect::Leave(i) => c.leave(*i),
            Effect::Add => {
                let i = c.add();
                return Ok(Outcome::Added(c.addr(i)));
            }
            Effect::Rumor(i, payload) => return self.rumor(*i, payload),
            // Nothing the rogue sends has arrived yet (deliveries are
            // queued), so the engine's start line precedes every effect.
            Effect::Forge(i, spec) => c.forge(*i, *spec).map(|_| ()),
            Effect::Keys(action) => return self.rekey(action).map_err(EngineError::driver),
            Effect::Faults(plan) => {
                c.set_plan(plan);
                Ok(())
            }
        }
        .map_err(EngineError::driver)?;
        Ok(Outcome::Done)
    }

    async fn record(&mut self, line: Line) -> io::Result<()> {
        self.emit(line)
    }
}

/// A rogue line: `Record::Rogue` of `spec` against `victim`.
fn rogue_record(event: RogueChange, spec: &Spec, victim: usize, datagrams: u64, bytes: u64) -> Record {
    Record::Rogue(RogueRecord::of(event, spec, victim, datagrams, bytes))
}
