//! The harness the hostile property tests share: a simulated cluster with
//! a `Watch` on every node life, the senders a case draws from, and the
//! process commands it may run between messages. Included by path, so
//! the tests that do not use it do not compile it.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use gossip_lab::protocol::NodeAddr;
use gossip_lab::sim::invariants::{Violation, Watch};
use gossip_lab::sim::{Cluster, ROGUE_ADDR, node_addr};
use proptest::prelude::*;

/// A sender, or the subject of a claim.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    /// Node `i % n`: a member (or one that was).
    Node(usize),
    /// One of a few loopback addresses no node has.
    Stranger(u16),
    Rogue,
}

/// Mostly members, sometimes one of `strangers` strangers or the rogue.
pub fn who(strangers: u16) -> impl Strategy<Value = Who> {
    prop_oneof![
        6 => (0usize..8).prop_map(Who::Node),
        2 => (0..strangers).prop_map(Who::Stranger),
        1 => Just(Who::Rogue),
    ]
}

/// What a case may do to the processes, or to time, between messages.
#[derive(Clone, Copy, Debug)]
pub enum Process {
    /// Let this many milliseconds of virtual time pass, checking every 100.
    Run(u64),
    Crash(usize),
    Restart(usize),
    Pause(usize),
    Resume(usize),
    Leave(usize),
    Rumor(usize),
}

/// Any process command, on node `i % n`.
pub fn process() -> impl Strategy<Value = Process> {
    let node = 0usize..8;
    prop_oneof![
        4 => (0u64..3_000).prop_map(Process::Run),
        1 => node.clone().prop_map(Process::Crash),
        1 => node.clone().prop_map(Process::Restart),
        1 => node.clone().prop_map(Process::Pause),
        1 => node.clone().prop_map(Process::Resume),
        1 => node.clone().prop_map(Process::Leave),
        1 => node.prop_map(Process::Rumor),
    ]
}

/// A cluster and a `Watch` on every node life.
pub struct Watched {
    /// The cluster.
    pub cluster: Cluster,
    watches: Vec<Watch>,
}

impl Watched {
    /// Watches every node of `cluster`, then lets it join for 2 s.
    pub fn new(cluster: Cluster) -> Result<Watched, Violation> {
        let watches = (0..cluster.len()).map(|i| Watch::new(cluster.node(i).expect("every node starts up"))).collect();
        let mut w = Watched { cluster, watches };
        w.check()?;
        w.cluster.run_for(Duration::from_secs(2));
        w.check()?;
        Ok(w)
    }

    /// Nodes in the cluster.
    pub fn n(&self) -> usize {
        self.watches.len()
    }

    /// The address `who` stands for.
    pub fn addr(&self, who: Who) -> NodeAddr {
        match who {
            Who::Node(i) => node_addr(i % self.n()),
            Who::Stranger(k) => SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 3), 40_000 + k),
            Who::Rogue => ROGUE_ADDR,
        }
    }

    /// Feeds every event since the last call to its node's watch, then
    /// checks every node that runs.
    pub fn check(&mut self) -> Result<(), Violation> {
        for entry in self.cluster.take_trace() {
            self.watches[entry.node].event(&entry.event)?;
        }
        for (i, watch) in self.watches.iter_mut().enumerate() {
            if let Some(node) = self.cluster.node(i) {
                watch.check(node)?;
            }
        }
        Ok(())
    }

    /// Runs `p`, then checks. A command the cluster refuses (crashing a
    /// crashed node) leaves it untouched and is fine.
    pub fn process(&mut self, p: Process) -> Result<(), Violation> {
        let n = self.n();
        match p {
            Process::Run(ms) => {
                let until = self.cluster.now() + Duration::from_millis(ms);
                while self.cluster.now() < until {
                    let next = (self.cluster.now() + Duration::from_millis(100)).min(until);
                    self.cluster.run_until(next);
                    self.check()?;
                }
            }
            Process::Crash(i) => {
                let _ = self.cluster.crash(i % n);
            }
            Process::Restart(i) => {
                // The old life's events belong to the old watch.
                self.check()?;
                if self.cluster.restart(i % n).is_ok() {
                    self.watches[i % n] = Watch::new(self.cluster.node(i % n).expect("restarted"));
                }
            }
            Process::Pause(i) => {
                let _ = self.cluster.pause(i % n);
            }
            Process::Resume(i) => {
                let _ = self.cluster.resume(i % n);
            }
            Process::Leave(i) => {
                if self.cluster.leave(i % n).is_ok() {
                    self.watches[i % n].leave();
                }
            }
            Process::Rumor(i) => {
                let _ = self.cluster.inject_rumor(i % n, b"props".to_vec());
            }
        }
        self.check()
    }
}
