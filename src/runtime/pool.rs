//! The threads node tasks run on: one single-threaded tokio runtime per
//! core, each serving its share of the nodes (one in all for a small lab).
//!
//! Why not the process's multi-threaded runtime: its workers steal each
//! other's tasks, and a worker that finds new work wakes a parked peer to
//! help, a hand-off paid again and again by thousands of small node tasks
//! when every core is busy. On their own threads, a 4,096-node join
//! converged about 10 s sooner on less CPU; at 1,024 nodes and below the
//! two measure the same (BENCHMARKS.md, "Issue 13, step two"). A node's
//! socket, timers and task all live on one shard, so a datagram's arrival,
//! its handling and the replies never leave that thread. The observer, the
//! dashboard and the engine stay on the process's runtime; they talk to
//! nodes through channels, which work across runtimes.

use std::io;
use std::thread;

use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;

use super::alarm::AlarmClock;

/// The largest lab whose nodes all share one thread. A small lab's
/// datagrams are few and its threads mostly asleep; spread over two
/// shards, about half of them cross to the other thread and wake it, while
/// on one thread a ping, its ack and the next ready socket are handled in
/// one wake-up. At 64 `lan` nodes one shard measured a fifth less CPU
/// (1.38-1.51e-4 against 1.79-2.00e-4 s a node a second), a tenth less
/// at 16, the same at 256 (`BENCHMARKS.md`, "Issue 13, step six"); a
/// large join needs every core.
pub const ONE_SHARD_UP_TO: usize = 256;

fn shards_for(nodes: usize, cores: usize) -> usize {
    if nodes <= ONE_SHARD_UP_TO { 1 } else { cores.max(1) }
}

/// A set of single-threaded runtimes, each on its own OS thread, that stop
/// when the pool is dropped (their remaining tasks are dropped with them).
#[derive(Debug)]
pub struct NodePool {
    shards: Vec<Shard>,
}

#[derive(Debug)]
struct Shard {
    handle: Handle,
    /// The shard's nodes' deadlines, on one timer.
    alarms: AlarmClock,
    /// Dropped with the pool: the shard's thread then ends its runtime
    /// (none for a pool on the caller's runtime).
    _stop: Option<oneshot::Sender<()>>,
}

impl NodePool {
    /// The pool for a lab of `nodes` nodes: one shard per core, except
    /// one shard in all for up to [`ONE_SHARD_UP_TO`] nodes.
    pub fn for_nodes(nodes: usize) -> io::Result<NodePool> {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        NodePool::with_shards(shards_for(nodes, cores))
    }

    /// A pool of `shards` shards (at least one).
    pub fn with_shards(shards: usize) -> io::Result<NodePool> {
        let shards = (0..shards.max(1)).map(Shard::start).collect::<io::Result<_>>()?;
        Ok(NodePool { shards })
    }

    /// A pool of no threads of its own: nodes run on the caller's runtime
    /// (for A/B measurements against the shards). Must be called on it.
    pub fn here() -> io::Result<NodePool> {
        let handle = Handle::current();
        let alarms = AlarmClock::start(&handle)?;
        Ok(NodePool { shards: vec![Shard { handle, alarms, _stop: None }] })
    }

    /// The runtime node `i` runs on. Nodes are dealt round-robin, so
    /// neighbours in a join stagger land on different cores.
    pub fn handle(&self, i: usize) -> &Handle {
        &self.shards[i % self.shards.len()].handle
    }

    /// The alarm clock of node `i`'s shard.
    pub fn alarms(&self, i: usize) -> &AlarmClock {
        &self.shards[i % self.shards.len()].alarms
    }
}

impl Shard {
    fn start(k: usize) -> io::Result<Shard> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let alarms = AlarmClock::start(&handle)?;
        let (stop, stopped) = oneshot::channel::<()>();
        thread::Builder::new().name(format!("nodes-{k}")).spawn(move || {
            // Runs the shard's tasks until the pool is dropped; dropping
            // the runtime then drops (cancels) whatever is left on it.
            let _ = runtime.block_on(stopped);
        })?;
        Ok(Shard { handle, alarms, _stop: Some(stop) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_lab_shares_one_shard_and_a_large_one_takes_every_core() {
        assert_eq!(shards_for(1, 2), 1);
        assert_eq!(shards_for(ONE_SHARD_UP_TO, 8), 1);
        assert_eq!(shards_for(ONE_SHARD_UP_TO + 1, 2), 2);
        assert_eq!(shards_for(4096, 8), 8);
        assert_eq!(shards_for(4096, 0), 1);
    }

    #[test]
    fn nodes_are_dealt_round_robin_over_the_shards() {
        let pool = NodePool::with_shards(2).unwrap();
        let id = |i| pool.handle(i).id();
        assert_ne!(id(0), id(1));
        assert_eq!(id(0), id(2));
        assert_eq!(id(1), id(3));
    }

    #[test]
    fn a_task_runs_on_its_shard_and_is_dropped_with_the_pool() {
        struct Signal(std::sync::mpsc::Sender<&'static str>);
        impl Drop for Signal {
            fn drop(&mut self) {
                let _ = self.0.send("dropped");
            }
        }
        let pool = NodePool::with_shards(1).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let (_never, pending) = oneshot::channel::<()>();
        pool.handle(0).spawn(async move {
            let signal = Signal(tx);
            let on = thread::current().name() == Some("nodes-0");
            let _ = signal.0.send(if on { "on its shard" } else { "elsewhere" });
            let _ = pending.await; // never: only the pool's end stops it
        });
        let wait = std::time::Duration::from_secs(60);
        assert_eq!(rx.recv_timeout(wait), Ok("on its shard"));
        drop(pool);
        assert_eq!(rx.recv_timeout(wait), Ok("dropped"), "the shard's runtime ends with the pool");
    }
}
