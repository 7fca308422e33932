//! Commands on the cluster: process faults, network faults and rumors.
//!
//! Every [`Command`] has an immediate method here and can be scheduled at
//! a virtual time with [`Cluster::schedule`]; both paths run the same code,
//! so a timeline behaves exactly like the same calls made by hand.

use super::addr::{node_addr, node_seed};
use super::cluster::Cluster;
use super::command::{Command, Outcome, SimError};
use super::queue::Item;
use crate::faults::{FaultPlan, LinkRule};
use crate::observe::Liveness;
use crate::protocol::{AnyNode, NodeAddr, RumorId, Time};
use crate::security::KeyId;

impl Cluster {
    /// Queues `command` to run at virtual time `at` (or at once, if `at`
    /// has passed, but still behind everything already due). A scheduled
    /// command that fails is recorded in [`Cluster::command_failures`].
    pub fn schedule(&mut self, at: Time, command: Command) {
        self.queue.push(at.max(self.now), Item::Command(Box::new(command)));
    }

    /// Runs `command` now.
    pub fn apply(&mut self, command: Command) -> Result<Outcome, SimError> {
        match command {
            Command::Crash(i) => self.crash(i),
            Command::Restart(i) => self.restart(i),
            Command::Pause(i) => self.pause(i),
            Command::Resume(i) => self.resume(i),
            Command::Leave(i) => self.leave(i),
            Command::Add => return Ok(Outcome::Added(self.add())),
            Command::Join(i) => self.join(i),
            Command::Partition(groups) => self.partition(&groups),
            Command::PartitionHalves => {
                self.partition_halves();
                Ok(())
            }
            Command::BlockOneWay { from, to } => self.block_one_way(&from, &to),
            Command::Isolate(i) => self.isolate(i),
            Command::Heal => {
                self.heal();
                Ok(())
            }
            Command::SetBaseline(rule) => self.set_baseline(rule),
            Command::SetLink { from, to, rule } => self.set_link(from, to, rule),
            Command::InjectRumor { node, payload } => return self.inject_rumor(node, payload).map(Outcome::Rumor),
            Command::Forge { node, spec } => return self.forge(node, spec).map(Outcome::Forged),
            Command::KeyInstall(id) => self.key_install(id),
            Command::KeyUse(id) => self.key_use(id),
            Command::KeyRemove(id) => self.key_remove(id),
        }
        .map(|()| Outcome::Done)
    }

    pub(crate) fn check(&self, i: usize) -> Result<Liveness, SimError> {
        self.slots.get(i).map(|s| s.liveness).ok_or(SimError::NoSuchNode(i))
    }

    fn expect_state(&self, i: usize, ok: fn(Liveness) -> bool, action: &'static str) -> Result<(), SimError> {
        let state = self.check(i)?;
        if ok(state) { Ok(()) } else { Err(SimError::WrongState { node: i, state, action }) }
    }

    fn addr_of(&self, i: usize) -> Result<NodeAddr, SimError> {
        self.slots.get(i).map(|s| s.addr).ok_or(SimError::NoSuchNode(i))
    }

    fn addrs(&self, nodes: &[usize]) -> Result<Vec<NodeAddr>, SimError> {
        nodes.iter().map(|&i| self.addr_of(i)).collect()
    }

    /// Records a change of node `i`'s real condition everywhere it
    /// matters: its slot, the network and the metrics.
    pub(crate) fn set_liveness(&mut self, i: usize, liveness: Liveness) {
        self.slots[i].liveness = liveness;
        self.plan.set_node(self.slots[i].addr, liveness.fault());
        let now = self.now;
        self.measure(|m| m.set_liveness(i, liveness, now));
    }

    /// The fault plan changed: the metrics judge by the new one from now.
    fn plan_changed(&mut self) {
        let (plan, now) = (self.plan.clone(), self.now);
        self.measure(|m| m.set_faults(&plan, now));
    }

    // ----- processes -------------------------------------------------------

    /// Kills node `i` without a word. Its state is dropped; datagrams to it,
    /// including any it had buffered while paused, are lost as `NodeDown`.
    pub fn crash(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_state(i, Liveness::is_running, "crash")?;
        self.set_liveness(i, Liveness::Crashed);
        self.retire(i);
        Ok(())
    }

    /// Starts a fresh process (new seed, incarnation 0) at node `i`'s
    /// address, crashing the old one first if it still runs, and joins it
    /// through a live seed.
    pub fn restart(&mut self, i: usize) -> Result<(), SimError> {
        if self.check(i)?.is_running() {
            self.crash(i)?;
        }
        let slot = &mut self.slots[i];
        slot.restarts += 1;
        slot.started = self.now;
        let seed = node_seed(self.config.seed, i, slot.restarts);
        slot.node = Some(AnyNode::new(slot.addr, &self.config.tuning(), seed, self.now));
        // A fresh process is configured with the keyring in force now.
        slot.keys = self.keyring.clone();
        self.set_liveness(i, Liveness::Up);
        self.join(i)
    }

    /// Stalls node `i`: no packets or timers are handled; datagrams for it
    /// wait in a bounded buffer.
    pub fn pause(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_state(i, |s| s == Liveness::Up, "pause")?;
        self.set_liveness(i, Liveness::Paused);
        self.disarm(i);
        Ok(())
    }

    /// Unstalls node `i` at the current time. A stalled process wakes to
    /// find its timers already expired and its socket full: the timers run
    /// first (in memberlist the timer goroutines are runnable before the
    /// reader has decoded anything from the backlog), then the backlog is
    /// read in arrival order. This is the order that makes a stall produce
    /// the false suspicions Lifeguard is designed to avoid.
    pub fn resume(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_state(i, |s| s == Liveness::Paused, "resume")?;
        self.set_liveness(i, Liveness::Up);
        if let Some(node) = self.slots[i].node.as_mut() {
            node.handle_timeout(self.now);
        }
        self.service(i);
        let backlog = std::mem::take(&mut self.slots[i].backlog);
        self.slots[i].backlog_bytes = 0;
        for d in backlog {
            self.hand_over(d);
        }
        self.service(i);
        Ok(())
    }

    /// Node `i` leaves gracefully. It keeps running until it reports
    /// `LeaveComplete`, then it is [`Liveness::Left`] and its process ends.
    pub fn leave(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_state(i, |s| s == Liveness::Up, "leave")?;
        self.set_liveness(i, Liveness::Leaving);
        if let Some(node) = self.slots[i].node.as_mut() {
            node.leave(self.now);
        }
        self.service(i);
        Ok(())
    }

    /// Starts a new node, which joins through a live seed; returns its index.
    pub fn add(&mut self) -> usize {
        let i = self.slots.len();
        let now = self.now;
        self.measure(|m| {
            m.add_node(node_addr(i), now);
        });
        self.spawn_slot(i);
        // A new slot is Up, so joining cannot fail.
        let _ = self.join(i);
        i
    }

    /// Makes node `i` join through the lowest-index Up node other than
    /// itself (node 0 while it lives). With no such node it stays alone.
    pub fn join(&mut self, i: usize) -> Result<(), SimError> {
        self.expect_state(i, |s| s == Liveness::Up, "join")?;
        let seed = (0..self.slots.len()).find(|&j| j != i && self.slots[j].liveness == Liveness::Up);
        if let (Some(seed), Some(node)) = (seed, self.slots[i].node.as_mut()) {
            node.join(&[node_addr(seed)], self.now);
        }
        self.service(i);
        Ok(())
    }

    // ----- the network -----------------------------------------------------

    /// Partitions the network into `groups` of node indices; nodes in no
    /// group form one more group. Replaces any earlier partition.
    pub fn partition(&mut self, groups: &[Vec<usize>]) -> Result<(), SimError> {
        let groups = groups.iter().map(|g| self.addrs(g)).collect::<Result<Vec<_>, _>>()?;
        self.plan.partition(&groups);
        self.plan_changed();
        Ok(())
    }

    /// Partitions into the lower half of the indices and the rest.
    pub fn partition_halves(&mut self) {
        let half = self.slots.len() / 2;
        let groups: Vec<Vec<NodeAddr>> = vec![
            self.slots[..half].iter().map(|s| s.addr).collect(),
            self.slots[half..].iter().map(|s| s.addr).collect(),
        ];
        self.plan.partition(&groups);
        self.plan_changed();
    }

    /// Drops datagrams from every node of `from` to every node of `to`.
    pub fn block_one_way(&mut self, from: &[usize], to: &[usize]) -> Result<(), SimError> {
        let (from, to) = (self.addrs(from)?, self.addrs(to)?);
        self.plan.block_one_way(&from, &to);
        self.plan_changed();
        Ok(())
    }

    /// Cuts node `i` off from every other node, both ways.
    pub fn isolate(&mut self, i: usize) -> Result<(), SimError> {
        self.plan.isolate(self.addr_of(i)?);
        self.plan_changed();
        Ok(())
    }

    /// Removes partitions, one-way blocks, isolation and per-link rules.
    pub fn heal(&mut self) {
        self.plan.heal();
        self.plan_changed();
    }

    /// Installs `plan`'s network rules (baseline, links, partitions,
    /// blocks, isolation), keeping each node's fault: how the engine's
    /// fault actions reach the simulator.
    pub fn set_plan(&mut self, plan: &FaultPlan) {
        self.plan = plan.keeping_nodes_of(&self.plan);
        self.plan_changed();
    }

    /// Sets the rule of every link without an override.
    pub fn set_baseline(&mut self, rule: LinkRule) -> Result<(), SimError> {
        rule.validate()?;
        self.plan.set_baseline(rule);
        self.plan_changed();
        Ok(())
    }

    /// Overrides the rule of the directed link `from -> to`.
    pub fn set_link(&mut self, from: usize, to: usize, rule: LinkRule) -> Result<(), SimError> {
        rule.validate()?;
        self.plan.set_link(self.addr_of(from)?, self.addr_of(to)?, rule);
        self.plan_changed();
        Ok(())
    }

    // ----- keys --------------------------------------------------------------

    /// Installs key `id` on every node (and for nodes started later): it
    /// opens datagrams, it does not seal them yet.
    pub fn key_install(&mut self, id: KeyId) -> Result<(), SimError> {
        self.rekey(|ring| ring.install(id, ()))
    }

    /// Makes key `id` the primary on every node: it seals from now.
    pub fn key_use(&mut self, id: KeyId) -> Result<(), SimError> {
        self.rekey(|ring| ring.use_key(id))
    }

    /// Removes key `id` from every node: datagrams sealed with it, even
    /// those already in flight, no longer open.
    pub fn key_remove(&mut self, id: KeyId) -> Result<(), SimError> {
        self.rekey(|ring| ring.remove(id).map(drop))
    }

    /// The cluster's keyring (`None` with plain datagrams).
    pub fn keyring(&self) -> Option<&crate::security::Keyring<()>> {
        self.keyring.as_ref()
    }

    /// Changes the cluster's keyring, then gives every node the result, at
    /// once: the operator's change reaches paused nodes too, and crashed
    /// ones get it when they restart.
    fn rekey(
        &mut self,
        change: impl FnOnce(&mut crate::security::Keyring<()>) -> Result<(), crate::security::KeyringError>,
    ) -> Result<(), SimError> {
        let ring = self.keyring.as_mut().ok_or(SimError::NoKeyring)?;
        change(ring)?;
        for slot in &mut self.slots {
            slot.keys = Some(ring.clone());
        }
        Ok(())
    }

    // ----- rumors ----------------------------------------------------------

    /// Injects a user rumor at node `i` and starts tracking its spread.
    pub fn inject_rumor(&mut self, i: usize, payload: Vec<u8>) -> Result<RumorId, SimError> {
        self.expect_state(i, |s| s == Liveness::Up, "inject a rumor at")?;
        let node = self.slots[i].node.as_mut().expect("an Up node has a process");
        let id = node.broadcast_rumor(payload, self.now)?;
        let now = self.now;
        self.measure(|m| m.rumor_injected(id, i, now));
        // The origin delivers to itself at once; servicing records that.
        self.service(i);
        Ok(id)
    }
}
