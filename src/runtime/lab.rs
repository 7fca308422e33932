//! The UDP runtime's driver: N node tasks, the shared fault plan, and the
//! mechanics of carrying out the engine's [`Effect`]s on them.
//!
//! What an action means (its target, its liveness rule, the new fault
//! plan) is the engine's ([`crate::engine`]); the lab only does it: cancel
//! a task, pause it, swap the fault plan the shims read, and tell the
//! observer, in order with the nodes' own events.

use std::net::SocketAddrV4;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::LabMsg;
use super::clock::LabClock;
use super::flights::{FlightTap, Flights};
use super::keys::{KeyActionError, LabKeys};
use super::node_task::{self, EventSink, NodeCommand, NodeSpec};
use super::pool::NodePool;
use super::rogue::{Job, Rogue};
use super::shim::{SharedFaults, ShimSocket};
use super::traffic::AtomicTraffic;
use crate::config::LabConfig;
use crate::engine::driver::Effect;
use crate::engine::{Driver, EngineError, Ground, Outcome};
use crate::faults::{FaultPlan, NodeFault};
use crate::observe::record::Line;
use crate::observe::{Liveness, NodeStatus};
use crate::protocol::{NodeAddr, Time};
use crate::rogue::{Peer, Spec};
use crate::scenario::Action;

/// Why the lab could not do something (the engine's own refusals are
/// [`EngineError`]s).
#[derive(Debug, Error)]
pub enum LabError {
    /// A socket could not be bound.
    #[error("cannot bind 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
    /// The node refused a rumor.
    #[error("rumor refused: {0}")]
    Rumor(String),
    /// The node threads could not be started.
    #[error("cannot start the node threads: {0}")]
    Threads(std::io::Error),
    /// `GOSSIP_LAB_NODE_THREADS` is not a number.
    #[error("GOSSIP_LAB_NODE_THREADS={0:?} is not a number: give a thread count, or 0 for the process's runtime")]
    ThreadCount(String),
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
    /// The rogue sender, bound at the first attack.
    rogue: Option<Rogue>,
    keys: LabKeys,
    /// The datagram sample every shim feeds.
    flights: Arc<Flights>,
    /// The threads node tasks run on.
    pool: NodePool,
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
        let faults = Arc::new(RwLock::new(FaultPlan::new(config.network.baseline())));
        let keys = LabKeys::new(&config.security).map_err(|e| LabError::Key(e.into()))?;
        let mut lab = Lab {
            keys,
            clock,
            faults,
            slots: Vec::with_capacity(config.nodes),
            obs,
            events_dropped,
            rogue: None,
            flights: Arc::default(),
            pool: node_pool(config.nodes)?,
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
        let tap = FlightTap::new(self.flights.clone(), self.clock, shim_seed);
        // The shim's socket registers with the reactor of the runtime it
        // is made in: the one its task will run on.
        let _on_shard = self.pool.handle(i).enter();
        let shim = ShimSocket::new(socket, self.faults.clone(), traffic.clone(), shim_seed, codec, tap)
            .map_err(|source| LabError::Bind { port: 0, source })?;
        let addr = shim.addr();
        let (tx, rx) = mpsc::channel(COMMANDS);
        let cancel = CancellationToken::new();
        let spec = NodeSpec {
            index: i,
            tuning: self.config.node_tuning(),
            max_datagram: self.config.packet_budget(),
            seed: self.config.seed.wrapping_mul(0x9E37_79B9).wrapping_add((i as u64) << 8 | u64::from(lives)),
            seeds,
            shim,
            clock: self.clock,
            events: EventSink::new(self.obs.clone(), self.events_dropped.clone()),
            commands: rx,
            cancel: cancel.clone(),
            status: status.clone(),
            start_after,
            alarm: self.pool.alarms(i).alarm(),
        };
        let task = self.pool.handle(i).spawn(node_task::run(spec));
        let started = self.clock.now() + start_after;
        let slot = NodeSlot { addr, traffic, status, started, commands: Some(tx), cancel, task: Some(task), lives };
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

    /// The sample of datagrams every node feeds, for the observer.
    pub fn flights(&self) -> Arc<Flights> {
        self.flights.clone()
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

    fn set_fault(&self, addr: NodeAddr, fault: NodeFault) {
        self.faults.write().unwrap_or_else(|p| p.into_inner()).set_node(addr, fault);
    }

    /// Launches `spec` from the rogue against node `victim` (the engine
    /// logged its start; the rogue logs its end), and says how.
    async fn forge(&mut self, victim: usize, spec: Spec, ground: &Ground) -> Result<String, LabError> {
        if self.rogue.is_none() {
            self.rogue = Some(Rogue::bind().map_err(LabError::Rogue)?);
        }
        let peers = self.slots.iter().enumerate();
        let peers = peers.map(|(i, s)| Peer { addr: s.addr, running: ground.life(i).is_running(), started: s.started });
        let job = Job {
            spec,
            victim,
            peers: peers.collect(),
            victim_incarnation: self.slots[victim].status.lock().unwrap_or_else(|p| p.into_inner()).incarnation,
            config: self.config.protocol.clone(),
            clock: self.clock,
            obs: self.obs.clone(),
        };
        let rogue = self.rogue.as_ref().expect("bound above");
        let from = rogue.addr();
        Ok(match rogue.launch(job).await {
            Some(sent) => format!(
                "from {from}: {}, {}",
                crate::scenario::plural(sent.datagrams as usize, "datagram"),
                crate::scenario::plural(sent.bytes as usize, "byte")
            ),
            None => format!("from {from}: at most {} datagrams/s", crate::rogue::MAX_RATE),
        })
    }

    /// A rotation step: changes the lab's keyring, then gives every node
    /// that runs (paused ones too) the new keyring and waits until each
    /// uses it, so a step is done everywhere before the next one starts.
    /// Nodes that are down get it when they start again.
    async fn rekey(&mut self, action: &Action) -> Result<Outcome, LabError> {
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
        Ok(Outcome::Keys { record: Box::new(record), feedback })
    }

    /// Installs the network part of `plan`, keeping each node's fault.
    fn install(&self, plan: &FaultPlan) {
        let mut faults = self.faults.write().unwrap_or_else(|p| p.into_inner());
        *faults = plan.keeping_nodes_of(&faults);
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
    }

    /// A live member to join through, other than `except`.
    fn seed_for(&self, except: usize, ground: &Ground) -> Vec<NodeAddr> {
        (0..ground.len())
            .filter(|&j| j != except && ground.life(j) == Liveness::Up)
            .map(|j| ground.addr(j))
            .take(1)
            .collect()
    }

    async fn restart(&mut self, i: usize, ground: &Ground) -> Result<(), LabError> {
        // A node that left may still be finishing its announcement.
        if let Some(task) = self.slots[i].task.take() {
            self.slots[i].cancel.cancel();
            let _ = task.await;
        }
        let port = self.slots[i].addr.port();
        let socket = ShimSocket::bind(port).map_err(|source| LabError::Bind { port, source })?;
        let seeds = self.seed_for(i, ground);
        self.spawn(i, socket, seeds, Duration::ZERO, false)
    }

    /// Starts a node with the next index and hands the observer its
    /// counters (the engine logs the addition).
    async fn add(&mut self, ground: &Ground) -> Result<NodeAddr, LabError> {
        let i = self.slots.len();
        let port = self.config.base_port.map_or(0, |p| p.saturating_add(i as u16));
        let socket = ShimSocket::bind(port).map_err(|source| LabError::Bind { port, source })?;
        let seeds = self.seed_for(i, ground);
        self.spawn(i, socket, seeds, Duration::ZERO, true)?;
        let slot = &self.slots[i];
        let msg =
            LabMsg::Handles { node: i, addr: slot.addr, traffic: slot.traffic.clone(), status: slot.status.clone() };
        let _ = self.obs.send(msg).await;
        Ok(slot.addr)
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

/// The pool node tasks run on: `GOSSIP_LAB_NODE_THREADS` shards (0: the
/// caller's runtime, for A/B measurements), else as many as a lab of
/// `nodes` needs ([`NodePool::for_nodes`]).
fn node_pool(nodes: usize) -> Result<NodePool, LabError> {
    let pool = match std::env::var("GOSSIP_LAB_NODE_THREADS") {
        Err(_) => NodePool::for_nodes(nodes),
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(0) => NodePool::here(),
            Ok(k) => NodePool::with_shards(k),
            Err(_) => return Err(LabError::ThreadCount(v)),
        },
    };
    pool.map_err(LabError::Threads)
}

impl Driver for Lab {
    fn now(&self) -> Time {
        self.clock.now()
    }

    fn has_left(&self, i: usize) -> bool {
        // A leaving node's task ends once its leave is complete.
        self.slots.get(i).and_then(|s| s.task.as_ref()).is_some_and(JoinHandle::is_finished)
    }

    async fn carry_out(&mut self, effect: &Effect, ground: &Ground) -> Result<Outcome, EngineError> {
        match effect {
            Effect::Crash(i) => self.crash(*i).await,
            Effect::Restart(i) => self.restart(*i, ground).await?,
            Effect::Pause(i) => {
                self.command(*i, NodeCommand::Pause).await;
                self.set_fault(self.slots[*i].addr, NodeFault::Paused);
            }
            Effect::Resume(i) => {
                self.set_fault(self.slots[*i].addr, NodeFault::Up);
                self.command(*i, NodeCommand::Resume).await;
            }
            Effect::Leave(i) => self.command(*i, NodeCommand::Leave).await,
            Effect::Add => return Ok(Outcome::Added(self.add(ground).await?)),
            Effect::Rumor(i, payload) => {
                let (reply, rx) = oneshot::channel();
                self.command(*i, NodeCommand::Rumor { payload: payload.clone().into_bytes(), reply }).await;
                return match rx.await {
                    // The rumor's own id (per-origin counter), as the views show it.
                    Ok(Ok(id)) => Ok(Outcome::Rumor(id)),
                    Ok(Err(e)) => Err(LabError::Rumor(e.to_string()).into()),
                    Err(_) => Err(LabError::Rumor("the node stopped".into()).into()),
                };
            }
            Effect::Forge(i, spec) => return Ok(Outcome::Forged(self.forge(*i, *spec, ground).await?)),
            Effect::Keys(action) => return Ok(self.rekey(action).await?),
            Effect::Faults(plan) => self.install(plan),
        }
        Ok(Outcome::Done)
    }

    async fn record(&mut self, line: Line) -> std::io::Result<()> {
        // A closed channel means the lab is shutting down: nothing to keep.
        let _ = self.obs.send(LabMsg::Line(line)).await;
        Ok(())
    }
}

impl From<LabError> for EngineError {
    fn from(e: LabError) -> EngineError {
        EngineError::driver(e)
    }
}
