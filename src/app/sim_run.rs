//! `gossip-lab run --sim`: a profile in the deterministic simulator.
//!
//! The same timeline, expectations, session log and summary as on real
//! sockets, in virtual time: a run takes as long as its work, the same seed
//! gives the same log, and cluster sizes the real runtime cannot host on two
//! cores become reachable. Events go through the same record conversion and
//! the same [`Session`] fold as the live observer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;

use super::RunOptions;
use super::signals::{Signals, Stop};
use crate::config::LabConfig;
use crate::faults::LinkRule;
use crate::observe::record::{
    FORMAT, Header, KeyChange, MetricsRecord, Mode, NodeChange, NodeMetrics, PlanRecord, Record, RogueChange,
    RogueRecord, RumorChange, SecurityRecord, from_event,
};
use crate::observe::recorder::Recorder;
use crate::observe::{Line, Liveness, Session, Summary};
use crate::protocol::{NodeAddr, Time};
use crate::rogue::Spec;
use crate::runtime::launch::session_spec;
use crate::scenario::{Action, NodeRef};
use crate::security::{Auth, Key, KeyId, SecurityConfig};
use crate::sim::{Cluster, SimConfig, TraceEntry};

/// How often events are drained into the session (virtual time): fine
/// enough that a rumor's packet cost is measured to within this much
/// traffic.
const DRAIN_EVERY: Duration = Duration::from_millis(20);
/// How often a metrics record is taken (virtual time), as on sockets.
const METRICS_EVERY: Duration = Duration::from_secs(1);

struct SimRun {
    cluster: Cluster,
    session: Session,
    recorder: Option<Recorder>,
    rng: SmallRng,
    seed: u64,
    /// Keys made so far (the first one included), for the next key's seed.
    keys_made: u64,
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
    let flag = Arc::new(AtomicBool::new(false));
    let (opts, stop) = (opts.clone(), flag.clone());
    let mut task = tokio::task::spawn_blocking(move || run_until(config, &opts, &stop));
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
    let sim = SimConfig {
        protocol: config.protocol.clone(),
        baseline: LinkRule {
            loss: config.network.loss,
            delay: config.network.delay,
            jitter: config.network.jitter,
            duplicate: config.network.duplicate,
        },
        join_window: config.join_stagger * config.nodes as u32,
        trace: true,
        key: sim_key(&config.security, config.seed, 0),
        ..SimConfig::new(config.nodes, config.seed)
    };
    let cluster = Cluster::new(sim).context("building the simulated cluster")?;
    let addrs: Vec<NodeAddr> = (0..cluster.len()).map(|i| cluster.addr(i)).collect();
    let session = Session::new(session_spec(&config, "sim", Mode::Scripted), &addrs);
    let mut recorder = opts.export.as_deref().map(Recorder::create).transpose().context("creating the export")?;
    if let Some(r) = recorder.as_mut() {
        let header = Header {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            driver: "sim".into(),
            mode: Mode::Scripted,
            profile: config.resolved(),
            seed: config.seed,
            nodes: addrs.len(),
            addrs: addrs.iter().map(ToString::to_string).collect(),
            security: Some(SecurityRecord::of(&config.security, cluster.keyring().map(|r| r.primary()))),
        };
        r.write(&Line::at(Time::ZERO, Record::Session(header)))?;
    }
    let mut run = SimRun {
        cluster,
        session,
        recorder,
        rng: SmallRng::seed_from_u64(config.seed ^ 0x51A),
        seed: config.seed,
        keys_made: 1,
    };
    let end = Time::ZERO + config.duration;
    let mut steps = config.timeline.iter().peekable();
    let mut next_metrics = Time::ZERO + METRICS_EVERY;
    let mut end = end;
    loop {
        if stop.load(Ordering::Relaxed) {
            end = run.cluster.now();
            break;
        }
        let next_step = steps.peek().map_or(end, |s| (Time::ZERO + s.at).min(end));
        let target = next_step.min(next_metrics).min(run.cluster.now() + DRAIN_EVERY).min(end);
        run.cluster.run_until(target);
        run.drain()?;
        if target >= next_metrics {
            run.metrics(target)?;
            next_metrics += METRICS_EVERY;
        }
        while steps.peek().is_some_and(|s| Time::ZERO + s.at <= target && target < end) {
            let step = steps.next().expect("peeked");
            if let Err(e) = run.apply(&step.action) {
                eprintln!("gossip-lab: timeline step at {:?} ({}) failed: {e}", step.at, step.action.label());
            }
            run.drain()?;
        }
        if target >= end {
            break;
        }
    }
    run.metrics(end)?;
    let summary = run.session.summary();
    if let Some(r) = run.recorder.as_mut() {
        r.finish(end.as_micros() as f64 / 1000.0, &summary)?;
    }
    Ok(summary)
}

impl SimRun {
    fn emit(&mut self, line: Line) -> anyhow::Result<()> {
        self.session.apply(&line);
        if let Some(r) = self.recorder.as_mut() {
            r.write(&line).context("writing the session log")?;
        }
        Ok(())
    }

    /// Streams the events the cluster produced since the last drain, and
    /// the rogue attacks that stopped meanwhile, in time order.
    fn drain(&mut self) -> anyhow::Result<()> {
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
        Ok(())
    }

    /// Converts trace entries to session-log lines and emits them.
    fn emit_events(&mut self, entries: Vec<TraceEntry>) -> anyhow::Result<()> {
        let sent = self.cluster.stats().sent.total.packets;
        for entry in entries {
            self.emit_event(entry, sent)?;
        }
        Ok(())
    }

    /// One trace entry as a session-log line; `sent` is the cluster's
    /// datagram count for rumor cost.
    fn emit_event(&mut self, entry: TraceEntry, sent: u64) -> anyhow::Result<()> {
        let c = &self.cluster;
        match from_event(entry.node, entry.event, |a| c.index_of(a), |i| Some(c.addr(i)), || sent) {
            Some(record) => self.emit(Line::at(entry.at, record)),
            None => Ok(()),
        }
    }

    fn metrics(&mut self, t: Time) -> anyhow::Result<()> {
        let c = &self.cluster;
        let nodes = (0..c.len())
            .map(|i| {
                let node = c.node(i);
                NodeMetrics {
                    node: i,
                    health: node.map_or(0, |n| n.health_score()),
                    incarnation: node.map_or(0, |n| n.incarnation()),
                    queue: node.map_or(0, |n| n.broadcast_queue_len()),
                    foreign: c.metrics().foreign_count(i),
                    refused: node.map(|n| n.counters().refused.nonzero()).unwrap_or_default(),
                    traffic: c.traffic(i).clone(),
                }
            })
            .collect();
        let record = MetricsRecord { agreement: c.agreement(), accuracy: c.accuracy(), events_dropped: 0, nodes };
        self.emit(Line::at(t, Record::Metrics(record)))
    }

    fn pick(&mut self, node: NodeRef, ok: impl Fn(Liveness) -> bool) -> anyhow::Result<usize> {
        match node {
            NodeRef::Index(i) if i < self.cluster.len() => Ok(i),
            NodeRef::Index(i) => bail!("node {i} does not exist"),
            NodeRef::Random => {
                let candidates: Vec<usize> =
                    (0..self.cluster.len()).filter(|&i| ok(self.cluster.liveness(i))).collect();
                candidates.choose(&mut self.rng).copied().context("no node is in a suitable state")
            }
        }
    }

    fn life(&mut self, node: usize, event: NodeChange) -> anyhow::Result<()> {
        let addr = self.cluster.addr(node).to_string();
        self.emit(Line::at(self.cluster.now(), Record::Node { node, addr, event }))
    }

    fn apply(&mut self, action: &Action) -> anyhow::Result<()> {
        let up = |l: Liveness| l == Liveness::Up;
        match action {
            Action::Crash { node } => {
                let i = self.pick(*node, Liveness::is_running)?;
                self.cluster.crash(i)?;
                self.life(i, NodeChange::Crashed)
            }
            Action::Restart { node } => {
                let i = self.pick(*node, |l| matches!(l, Liveness::Crashed | Liveness::Leaving | Liveness::Left))?;
                self.cluster.restart(i)?;
                self.life(i, NodeChange::Restarted)
            }
            Action::Pause { node } => {
                let i = self.pick(*node, up)?;
                self.cluster.pause(i)?;
                self.life(i, NodeChange::Paused)
            }
            Action::Resume { node } => {
                let i = self.pick(*node, |l| l == Liveness::Paused)?;
                // Ground truth first: the resumed node's first events are
                // judged as coming from a running node.
                self.life(i, NodeChange::Resumed)?;
                self.cluster.resume(i)?;
                Ok(())
            }
            Action::Leave { node } => {
                let i = self.pick(*node, up)?;
                self.life(i, NodeChange::Leaving)?;
                self.cluster.leave(i)?;
                Ok(())
            }
            Action::Add => {
                let i = self.cluster.add();
                self.life(i, NodeChange::Added)
            }
            Action::Rumor { node, payload } => {
                let i = self.pick(*node, up)?;
                let id = self.cluster.inject_rumor(i, payload.clone().into_bytes())?;
                let record = Record::Rumor {
                    event: RumorChange::Injected,
                    node: i,
                    origin: id.origin.to_string(),
                    seq: id.seq,
                    cluster_sent: Some(self.cluster.stats().sent.total.packets),
                };
                // The origin's own delivery is already in the trace; the
                // injection must be folded in before it.
                let pending = self.cluster.take_trace();
                self.emit(Line::at(self.cluster.now(), record))?;
                self.emit_events(pending)?;
                Ok(())
            }
            Action::Rogue { attack, node, count, duration } => {
                let spec = Spec::new(*attack, *count, *duration);
                let i = self.pick(*node, |l| attack.victim_ok(l))?;
                // Nothing the rogue sends has arrived yet (deliveries are
                // queued), so the start line precedes every effect.
                let pending = self.cluster.take_trace();
                self.emit_events(pending)?;
                self.cluster.forge(i, spec)?;
                self.emit(Line::at(self.cluster.now(), rogue_record(RogueChange::Started, &spec, i, 0, 0)))
            }
            Action::KeyInstall | Action::KeyUse { .. } | Action::KeyRemove { .. } => self.rekey(action),
            network => self.network(network),
        }
    }

    /// A rotation step, on every node at once (as the real lab waits until
    /// every node has it).
    fn rekey(&mut self, action: &Action) -> anyhow::Result<()> {
        let Some(ring) = self.cluster.keyring() else {
            bail!("auth is off ([security] auth = \"none\"): there is no keyring to change");
        };
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
        let record = change.record(id, self.cluster.keyring().expect("checked above"));
        self.emit(Line::at(self.cluster.now(), record))
    }

    fn network(&mut self, action: &Action) -> anyhow::Result<()> {
        let baseline = *self.cluster.plan().baseline();
        match action {
            Action::Partition { groups, one_way } => {
                let groups = groups.resolve(self.cluster.len());
                if *one_way {
                    let rest: Vec<usize> = groups[1..].iter().flatten().copied().collect();
                    self.cluster.block_one_way(&groups[0], &rest)?;
                } else {
                    self.cluster.partition(&groups)?;
                }
            }
            Action::Isolate { node } => {
                let i = self.pick(*node, Liveness::is_running)?;
                self.cluster.isolate(i)?;
            }
            Action::Heal => self.cluster.heal(),
            Action::SetLoss { loss } => self.cluster.set_baseline(LinkRule { loss: *loss, ..baseline })?,
            Action::SetDelay { delay, jitter } => {
                self.cluster.set_baseline(LinkRule { delay: *delay, jitter: *jitter, ..baseline })?;
            }
            Action::SetDuplicate { probability } => {
                self.cluster.set_baseline(LinkRule { duplicate: *probability, ..baseline })?;
            }
            Action::SetLink { from, to, loss, delay, jitter } => {
                let rule = LinkRule { loss: *loss, delay: *delay, jitter: *jitter, duplicate: 0.0 };
                self.cluster.set_link(*from, *to, rule)?;
            }
            _ => unreachable!("process actions are handled by apply"),
        }
        let c = &self.cluster;
        let plan = PlanRecord::of(c.plan(), |a| c.index_of(a));
        let action_json = serde_json::to_value(action).unwrap_or(serde_json::Value::Null);
        let record = Record::Fault { label: action.label(), action: action_json, plan };
        self.emit(Line::at(self.cluster.now(), record))
    }
}

/// A rogue line: `Record::Rogue` of `spec` against `victim`.
fn rogue_record(event: RogueChange, spec: &Spec, victim: usize, datagrams: u64, bytes: u64) -> Record {
    Record::Rogue(RogueRecord::of(event, spec, victim, datagrams, bytes))
}
