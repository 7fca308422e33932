//! The lab orchestrator: N node tasks, the shared fault plan, and ground
//! truth.
//!
//! Every change a person or a timeline makes goes through [`Lab::apply`]
//! with a [`crate::scenario::Action`], the one vocabulary the TUI keys and
//! profile timelines share. The lab carries it out (cancel a task, pause
//! it, rewrite the fault plan), records the new ground truth for the
//! observer, and answers with a line of feedback for the status bar.

use std::net::SocketAddrV4;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::LabMsg;
use super::clock::LabClock;
use super::keys::{KeyActionError, LabKeys};
use super::node_task::{self, EventSink, NodeCommand, NodeSpec};
use super::rogue::{Job, Rogue};
use super::shim::{SharedFaults, ShimSocket};
use super::traffic::AtomicTraffic;
use crate::config::LabConfig;
use crate::faults::{FaultPlan, LinkRule, NodeFault};
use crate::observe::record::{NodeChange, RogueChange, RogueRecord};
use crate::observe::{Liveness, NodeStatus};
use crate::protocol::{NodeAddr, Time};
use crate::rogue::{Peer, Spec};
use crate::scenario::{Action, NodeRef};

/// Why an action could not be carried out. The lab is left as it was.
#[derive(Debug, Error)]
pub enum LabError {
    /// No node with that index.
    #[error("node {0} does not exist")]
    NoSuchNode(usize),
    /// The node is not in a state the action applies to.
    #[error("node {node} is {state}; cannot {action} it")]
    WrongState {
        /// The node.
        node: usize,
        /// Its state.
        state: &'static str,
        /// What was attempted.
        action: &'static str,
    },
    /// `node = "random"` found no node in a suitable state.
    #[error("no node is in a state to {0}")]
    NoCandidate(&'static str),
    /// A socket could not be bound.
    #[error("cannot bind 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
    /// A link rule was invalid.
    #[error("{0}")]
    BadRule(#[from] crate::faults::FaultError),
    /// The node refused a rumor.
    #[error("rumor refused: {0}")]
    Rumor(String),
    /// The rogue's socket could not be bound.
    #[error("cannot bind the rogue's socket on 127.0.0.1: {0}")]
    Rogue(std::io::Error),
    /// A key action was refused, or no key could be made.
    #[error("{0}")]
    Key(#[from] KeyActionError),
}

/// One node's place in the lab; it outlives the process (restarts reuse it).
#[derive(Debug)]
pub struct NodeSlot {
    /// Its address (and identity).
    pub addr: NodeAddr,
    /// What it is really doing.
    pub life: Liveness,
    /// Its traffic counters, across lives.
    pub traffic: Arc<AtomicTraffic>,
    /// Its latest self-reported status.
    pub status: Arc<Mutex<NodeStatus>>,
    /// When its current life started (after any join stagger).
    pub started: Time,
    commands: Option<mpsc::Sender<NodeCommand>>,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
    lives: u32,
}

/// Capacity of each node's command channel: commands are rare.
const COMMANDS: usize = 16;

/// The running lab.
#[derive(Debug)]
pub struct Lab {
    config: LabConfig,
    clock: LabClock,
    faults: SharedFaults,
    slots: Vec<NodeSlot>,
    obs: mpsc::Sender<LabMsg>,
    events_dropped: Arc<AtomicU64>,
    rng: SmallRng,
    /// The rogue sender, bound at the first attack.
    rogue: Option<Rogue>,
    keys: LabKeys,
}

impl Lab {
    /// Binds one socket per node and starts every node task. Node 0 founds
    /// the cluster; the others join through it, `join_stagger` apart.
    pub async fn start(
        config: LabConfig,
        clock: LabClock,
        obs: mpsc::Sender<LabMsg>,
        events_dropped: Arc<AtomicU64>,
    ) -> Result<Lab, LabError> {
        let network = &config.network;
        let baseline =
            LinkRule { loss: network.loss, delay: network.delay, jitter: network.jitter, duplicate: network.duplicate };
        let faults = Arc::new(RwLock::new(FaultPlan::new(baseline)));
        let keys = LabKeys::new(&config.security).map_err(|e| LabError::Key(e.into()))?;
        let mut lab = Lab {
            keys,
            rng: SmallRng::seed_from_u64(config.seed ^ 0x1AB),
            clock,
            faults,
            slots: Vec::with_capacity(config.nodes),
            obs,
            events_dropped,
            rogue: None,
            config,
        };
        let mut sockets = Vec::with_capacity(lab.config.nodes);
        for i in 0..lab.config.nodes {
            let port = lab.config.base_port.map_or(0, |p| p.saturating_add(i as u16));
            let socket = ShimSocket::bind(port).map_err(|source| LabError::Bind { port, source })?;
            sockets.push(socket);
        }
        let seed_addr = sockets.first().and_then(|s| s.local_addr().ok()).and_then(|a| match a {
            std::net::SocketAddr::V4(a) => Some(a),
            std::net::SocketAddr::V6(_) => None,
        });
        for (i, socket) in sockets.into_iter().enumerate() {
            let seeds: Vec<NodeAddr> = if i == 0 { Vec::new() } else { seed_addr.into_iter().collect() };
            let delay = lab.config.join_stagger * i as u32;
            lab.spawn(i, socket, seeds, delay, true)?;
        }
        Ok(lab)
    }

    /// Starts life `lives` of node `i` on `socket`.
    fn spawn(
        &mut self,
        i: usize,
        socket: std::net::UdpSocket,
        seeds: Vec<NodeAddr>,
        start_after: Duration,
        first: bool,
    ) -> Result<(), LabError> {
        let (traffic, status, lives) = match self.slots.get(i) {
            Some(s) => (s.traffic.clone(), s.status.clone(), s.lives + 1),
            None => (Arc::default(), Arc::default(), 0),
        };
        let shim_seed = self.config.seed ^ ((i as u64) << 20) ^ u64::from(lives) << 40;
        let codec = self.keys.codec().map_err(|e| LabError::Key(e.into()))?;
        let shim = ShimSocket::new(socket, self.faults.clone(), traffic.clone(), shim_seed, codec)
            .map_err(|source| LabError::Bind { port: 0, source })?;
        let addr = shim.addr();
        let (tx, rx) = mpsc::channel(COMMANDS);
        let cancel = CancellationToken::new();
        let spec = NodeSpec {
            index: i,
            config: self.config.node_protocol(),
            max_datagram: self.config.protocol.packet_budget,
            seed: self.config.seed.wrapping_mul(0x9E37_79B9).wrapping_add((i as u64) << 8 | u64::from(lives)),
            seeds,
            shim,
            clock: self.clock,
            events: EventSink::new(self.obs.clone(), self.events_dropped.clone()),
            commands: rx,
            cancel: cancel.clone(),
            status: status.clone(),
            start_after,
        };
        let task = tokio::spawn(node_task::run(spec));
        let started = self.clock.now() + start_after;
        let slot = NodeSlot {
            addr,
            life: Liveness::Up,
            traffic,
            status,
            started,
            commands: Some(tx),
            cancel,
            task: Some(task),
            lives,
        };
        if first && i == self.slots.len() {
            self.slots.push(slot);
        } else {
            self.slots[i] = slot;
        }
        self.set_fault(addr, NodeFault::Up);
        Ok(())
    }

    /// Every node's address, by index.
    pub fn addrs(&self) -> Vec<NodeAddr> {
        self.slots.iter().map(|s| s.addr).collect()
    }

    /// The nodes.
    pub fn slots(&self) -> &[NodeSlot] {
        &self.slots
    }

    /// The lab clock.
    pub fn clock(&self) -> LabClock {
        self.clock
    }

    /// The session header's account of authentication (key ids only).
    pub fn security(&self) -> crate::observe::record::SecurityRecord {
        self.keys.header()
    }

    /// The configuration the lab was started with.
    pub fn config(&self) -> &LabConfig {
        &self.config
    }

    /// A copy of the fault plan in force.
    pub fn plan(&self) -> FaultPlan {
        self.faults.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_fault(&self, addr: NodeAddr, fault: NodeFault) {
        self.faults.write().unwrap_or_else(|p| p.into_inner()).set_node(addr, fault);
    }

    async fn life(&mut self, node: usize, life: Liveness, change: NodeChange) {
        self.slots[node].life = life;
        let t = self.clock.now();
        let _ = self.obs.send(LabMsg::Life { t, node, change }).await;
    }

    /// Picks the node an action names; `random` draws among nodes in a
    /// state the action applies to.
    fn resolve(
        &mut self,
        node: NodeRef,
        ok: impl Fn(Liveness) -> bool,
        action: &'static str,
    ) -> Result<usize, LabError> {
        let i = match node {
            NodeRef::Index(i) => i,
            NodeRef::Random => {
                let candidates: Vec<usize> = (0..self.slots.len()).filter(|&i| ok(self.slots[i].life)).collect();
                return candidates.choose(&mut self.rng).copied().ok_or(LabError::NoCandidate(action));
            }
        };
        let slot = self.slots.get(i).ok_or(LabError::NoSuchNode(i))?;
        if !ok(slot.life) {
            return Err(LabError::WrongState { node: i, state: slot.life.as_str(), action });
        }
        Ok(i)
    }

    fn describe(&self, i: usize) -> String {
        format!("node {i} ({})", self.slots[i].addr)
    }

    /// Carries out `action` and says what was done, for the status line.
    pub async fn apply(&mut self, action: &Action) -> Result<String, LabError> {
        match action {
            Action::Crash { node } => {
                let i = self.resolve(*node, Liveness::is_running, "crash")?;
                self.crash(i).await;
                Ok(format!("crashed {}", self.describe(i)))
            }
            Action::Restart { node } => {
                let ok = |l: Liveness| matches!(l, Liveness::Crashed | Liveness::Leaving | Liveness::Left);
                let i = self.resolve(*node, ok, "restart")?;
                self.restart(i).await?;
                Ok(format!("restarted {} with fresh state", self.describe(i)))
            }
            Action::Pause { node } => {
                let i = self.resolve(*node, |l| l == Liveness::Up, "pause")?;
                self.command(i, NodeCommand::Pause).await;
                self.set_fault(self.slots[i].addr, NodeFault::Paused);
                self.life(i, Liveness::Paused, NodeChange::Paused).await;
                Ok(format!("paused {}", self.describe(i)))
            }
            Action::Resume { node } => {
                let i = self.resolve(*node, |l| l == Liveness::Paused, "resume")?;
                self.set_fault(self.slots[i].addr, NodeFault::Up);
                self.life(i, Liveness::Up, NodeChange::Resumed).await;
                self.command(i, NodeCommand::Resume).await;
                Ok(format!("resumed {}", self.describe(i)))
            }
            Action::Leave { node } => {
                let i = self.resolve(*node, |l| l == Liveness::Up, "leave")?;
                self.life(i, Liveness::Leaving, NodeChange::Leaving).await;
                self.command(i, NodeCommand::Leave).await;
                Ok(format!("{} is leaving gracefully", self.describe(i)))
            }
            Action::Add => {
                let i = self.add().await?;
                Ok(format!("added {}", self.describe(i)))
            }
            Action::Rumor { node, payload } => {
                let i = self.resolve(*node, |l| l == Liveness::Up, "inject a rumor at")?;
                let (reply, rx) = oneshot::channel();
                self.command(i, NodeCommand::Rumor { payload: payload.clone().into_bytes(), reply }).await;
                match rx.await {
                    // The rumor's own id (per-origin counter), as the views show it.
                    Ok(Ok(id)) => Ok(format!("rumor #{} injected at {}", id.seq, self.describe(i))),
                    Ok(Err(e)) => Err(LabError::Rumor(e.to_string())),
                    Err(_) => Err(LabError::Rumor("the node stopped".into())),
                }
            }
            Action::Rogue { attack, node, count, duration } => {
                let i = self.resolve(*node, |l| attack.victim_ok(l), attack.verb())?;
                self.forge(i, Spec::new(*attack, *count, *duration)).await
            }
            Action::KeyInstall | Action::KeyUse { .. } | Action::KeyRemove { .. } => self.rekey(action).await,
            network => self.network(network).await,
        }
    }

    /// Launches `spec` from the rogue against node `victim`, logging its
    /// start (the rogue logs its end).
    async fn forge(&mut self, victim: usize, spec: Spec) -> Result<String, LabError> {
        if self.rogue.is_none() {
            self.rogue = Some(Rogue::bind().map_err(LabError::Rogue)?);
        }
        let peers = self.slots.iter().map(|s| Peer { addr: s.addr, running: s.life.is_running(), started: s.started });
        let job = Job {
            spec,
            victim,
            peers: peers.collect(),
            victim_incarnation: self.slots[victim].status.lock().unwrap_or_else(|p| p.into_inner()).incarnation,
            config: self.config.protocol.clone(),
            clock: self.clock,
            obs: self.obs.clone(),
        };
        let record = RogueRecord::of(RogueChange::Started, &spec, victim, 0, 0);
        let _ = self.obs.send(LabMsg::Rogue { t: self.clock.now(), record }).await;
        let rogue = self.rogue.as_ref().expect("bound above");
        let from = rogue.addr();
        let what = format!("rogue {} against {} from {from}", spec.label(), self.describe(victim));
        Ok(match rogue.launch(job).await {
            Some(sent) => format!("{what}: {} datagrams, {} bytes", sent.datagrams, sent.bytes),
            None => format!("{what}: at most {} datagrams/s", crate::rogue::MAX_RATE),
        })
    }

    /// A rotation step: changes the lab's keyring, then gives every node
    /// that runs (paused ones too) the new keyring and waits until each
    /// uses it, so a step is done everywhere before the next one starts.
    /// Nodes that are down get it when they start again.
    async fn rekey(&mut self, action: &Action) -> Result<String, LabError> {
        let (record, feedback) = self.keys.apply(action)?;
        let ciphers = self.keys.ciphers().expect("a key action succeeded, so there is a keyring");
        let mut pending = Vec::with_capacity(self.slots.len());
        for i in 0..self.slots.len() {
            let (done, rx) = oneshot::channel();
            self.command(i, NodeCommand::Keys { keys: ciphers.clone(), done }).await;
            pending.push(rx);
        }
        for rx in pending {
            // An error means the node stopped meanwhile: it restarts with
            // the lab's keyring.
            let _ = rx.await;
        }
        let _ = self.obs.send(LabMsg::Keys { t: self.clock.now(), record }).await;
        Ok(feedback)
    }

    async fn network(&mut self, action: &Action) -> Result<String, LabError> {
        let addr = |lab: &Lab, i: usize| lab.slots.get(i).map(|s| s.addr).ok_or(LabError::NoSuchNode(i));
        let mut plan = self.plan();
        match action {
            Action::Partition { groups, one_way } => {
                let groups = groups.resolve(self.slots.len());
                let addrs: Vec<Vec<NodeAddr>> =
                    groups.iter().map(|g| g.iter().map(|&i| addr(self, i)).collect()).collect::<Result<_, _>>()?;
                if *one_way {
                    let rest: Vec<NodeAddr> = addrs[1..].iter().flatten().copied().collect();
                    plan.block_one_way(&addrs[0], &rest);
                } else {
                    plan.partition(&addrs);
                }
            }
            Action::Isolate { node } => {
                let i = self.resolve(*node, Liveness::is_running, "isolate")?;
                plan.isolate(self.slots[i].addr);
            }
            Action::Heal => plan.heal(),
            Action::SetLoss { loss } => {
                let rule = LinkRule { loss: *loss, ..*plan.baseline() };
                rule.validate()?;
                plan.set_baseline(rule);
            }
            Action::SetDelay { delay, jitter } => {
                plan.set_baseline(LinkRule { delay: *delay, jitter: *jitter, ..*plan.baseline() });
            }
            Action::SetDuplicate { probability } => {
                let rule = LinkRule { duplicate: *probability, ..*plan.baseline() };
                rule.validate()?;
                plan.set_baseline(rule);
            }
            Action::SetLink { from, to, loss, delay, jitter } => {
                let rule = LinkRule { loss: *loss, delay: *delay, jitter: *jitter, duplicate: 0.0 };
                rule.validate()?;
                plan.set_link(addr(self, *from)?, addr(self, *to)?, rule);
            }
            _ => unreachable!("process actions are handled by apply"),
        }
        *self.faults.write().unwrap_or_else(|p| p.into_inner()) = plan.clone();
        let label = action.label();
        let t = self.clock.now();
        let json = serde_json::to_value(action).unwrap_or(serde_json::Value::Null);
        let _ = self.obs.send(LabMsg::Faults { t, label: label.clone(), action: json, plan: Box::new(plan) }).await;
        Ok(label)
    }

    async fn command(&mut self, i: usize, cmd: NodeCommand) {
        if let Some(tx) = &self.slots[i].commands {
            let _ = tx.send(cmd).await;
        }
    }

    /// Cancels node `i`'s task and waits until its socket is closed.
    async fn crash(&mut self, i: usize) {
        let slot = &mut self.slots[i];
        slot.cancel.cancel();
        slot.commands = None;
        if let Some(task) = slot.task.take() {
            let _ = task.await;
        }
        self.set_fault(self.slots[i].addr, NodeFault::Crashed);
        self.life(i, Liveness::Crashed, NodeChange::Crashed).await;
    }

    /// A live member to join through, other than `except`.
    fn seed_for(&self, except: usize) -> Vec<NodeAddr> {
        (0..self.slots.len())
            .filter(|&j| j != except && self.slots[j].life == Liveness::Up)
            .map(|j| self.slots[j].addr)
            .take(1)
            .collect()
    }

    async fn restart(&mut self, i: usize) -> Result<(), LabError> {
        // A node that left may still be finishing its announcement.
        if let Some(task) = self.slots[i].task.take() {
            self.slots[i].cancel.cancel();
            let _ = task.await;
        }
        let port = self.slots[i].addr.port();
        let socket = ShimSocket::bind(port).map_err(|source| LabError::Bind { port, source })?;
        let seeds = self.seed_for(i);
        self.spawn(i, socket, seeds, Duration::ZERO, false)?;
        self.life(i, Liveness::Up, NodeChange::Restarted).await;
        Ok(())
    }

    async fn add(&mut self) -> Result<usize, LabError> {
        let i = self.slots.len();
        let port = self.config.base_port.map_or(0, |p| p.saturating_add(i as u16));
        let socket = ShimSocket::bind(port).map_err(|source| LabError::Bind { port, source })?;
        let seeds = self.seed_for(i);
        self.spawn(i, socket, seeds, Duration::ZERO, true)?;
        let slot = &self.slots[i];
        let msg = LabMsg::Added {
            t: self.clock.now(),
            node: i,
            addr: slot.addr,
            traffic: slot.traffic.clone(),
            status: slot.status.clone(),
        };
        let _ = self.obs.send(msg).await;
        Ok(i)
    }

    /// Stops the rogue, crashes every node and waits for every task to end.
    pub async fn shutdown(&mut self) {
        if let Some(rogue) = &self.rogue {
            rogue.shutdown().await;
        }
        for slot in &mut self.slots {
            slot.cancel.cancel();
            slot.commands = None;
        }
        for slot in &mut self.slots {
            if let Some(task) = slot.task.take() {
                let _ = task.await;
            }
        }
    }

    /// The address of node `i`, as a plain socket address.
    pub fn addr(&self, i: usize) -> Option<SocketAddrV4> {
        self.slots.get(i).map(|s| s.addr)
    }
}
