//! What a phi node's status costs the dashboard (issue 14): every node
//! republishes its status ten times a second, and a phi node's carries
//! the subjects whose phi passed the floor. Timed on node 0 of a converged
//! 256-node simulated phi cluster (`fast` preset), side by side in one
//! run: phi computed for every subject (what the status did first), only
//! for subjects silent past the fitted mean (what `Node::phis` does with a
//! floor above log10 2), and the whole `NodeStatus::of`.
//!
//! ```text
//! cargo bench --bench phi_status
//! BENCH_QUICK=1 cargo bench --bench phi_status   # a smoke check, not for figures
//! ```

use std::sync::LazyLock;
use std::time::Duration;

use divan::{Divan, black_box};
use gossip_lab::observe::NodeStatus;
use gossip_lab::observe::status::PHI_FLOOR;
use gossip_lab::protocol::{Time, phi};
use gossip_lab::sim::{Cluster, SimConfig};

/// A converged 256-node phi cluster, and the time it reached.
static CLUSTER: LazyLock<(Cluster, Time)> = LazyLock::new(|| {
    let mut c =
        Cluster::new(SimConfig { phi: Some(phi::Config::fast()), ..SimConfig::new(256, 1) }).expect("a valid cluster");
    c.run_for(Duration::from_secs(20));
    let now = c.now();
    (c, now)
});

fn node() -> (&'static phi::Node, Time) {
    let (c, now) = &*CLUSTER;
    (c.node(0).and_then(|n| n.as_phi()).expect("a running phi node"), *now)
}

/// Phi of all 255 subjects, filtered afterwards.
#[divan::bench]
fn phis_every_subject() -> usize {
    let (n, now) = node();
    n.phis(black_box(now), 0.0).filter(|p| p.phi >= PHI_FLOOR).count()
}

/// Phi only of subjects silent past the fitted mean.
#[divan::bench]
fn phis_past_the_mean() -> usize {
    let (n, now) = node();
    n.phis(black_box(now), PHI_FLOOR).count()
}

/// The whole status a node publishes.
#[divan::bench]
fn node_status() -> NodeStatus {
    let (c, now) = &*CLUSTER;
    NodeStatus::of(c.node(0).expect("running"), black_box(*now))
}

fn main() {
    // Built before timing, so no sample pays for the simulation.
    LazyLock::force(&CLUSTER);
    let mut divan = Divan::default();
    if std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1") {
        divan = divan.sample_count(10).max_time(Duration::from_millis(100));
    }
    divan.config_with_args().main();
}
