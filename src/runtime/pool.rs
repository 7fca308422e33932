//! The threads node tasks run on: one single-threaded tokio runtime per
//! core, each serving its share of the nodes.
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

/// A set of single-threaded runtimes, each on its own OS thread, that stop
/// when the pool is dropped (their remaining tasks are dropped with them).
#[derive(Debug)]
pub struct NodePool {
    shards: Vec<Shard>,
}

#[derive(Debug)]
struct Shard {
    handle: Handle,
    /// Dropped with the pool: the shard's thread then ends its runtime.
    _stop: oneshot::Sender<()>,
}

impl NodePool {
    /// A pool of one shard per available core (at least one).
    pub fn per_core() -> io::Result<NodePool> {
        NodePool::with_shards(thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// A pool of `shards` shards (at least one).
    pub fn with_shards(shards: usize) -> io::Result<NodePool> {
        let shards = (0..shards.max(1)).map(Shard::start).collect::<io::Result<_>>()?;
        Ok(NodePool { shards })
    }

    /// The runtime node `i` runs on. Nodes are dealt round-robin, so
    /// neighbours in a join stagger land on different cores.
    pub fn handle(&self, i: usize) -> &Handle {
        &self.shards[i % self.shards.len()].handle
    }
}

impl Shard {
    fn start(k: usize) -> io::Result<Shard> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        thread::Builder::new().name(format!("nodes-{k}")).spawn(move || {
            // Runs the shard's tasks until the pool is dropped; dropping
            // the runtime then drops (cancels) whatever is left on it.
            let _ = runtime.block_on(stopped);
        })?;
        Ok(Shard { handle, _stop: stop })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
