//! Every rumor reaches every running node, in the simulator, fixed seeds.
//!
//! Gossip alone retransmits a rumor a bounded number of times, so on a lossy
//! network a node now and then misses every copy (before anti-entropy
//! carried rumors, 5 of these 300 never reached the last node). Push-pull
//! carries recent rumors to close that tail; this sweep checks it does.

use std::time::Duration;

use gossip_lab::faults::LinkRule;
use gossip_lab::protocol::{Config, RumorId};
use gossip_lab::sim::{Cluster, SimConfig};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

const NODES: usize = 64;
const SEEDS: u64 = 30;
const RUMORS: usize = 10;

/// One seed: a converged cluster on a network that loses 10 % of datagrams
/// and jitters them by up to 20 ms (the `lossy` profile's link), ten rumors
/// injected at random nodes a quarter second apart, then long enough for
/// anti-entropy to run: a push-pull period at 64 nodes is 12 s on `fast`,
/// and a node takes part in about two exchanges per period.
/// Returns, per rumor, the nodes up at injection that never delivered it.
fn sweep_seed(seed: u64) -> Vec<(RumorId, usize)> {
    let baseline = LinkRule { loss: 0.10, jitter: Duration::from_millis(20), ..LinkRule::PERFECT };
    let config = SimConfig { protocol: Config::fast(), baseline, start_converged: true, ..SimConfig::new(NODES, seed) };
    let mut c = Cluster::new(config).expect("valid simulator config");
    let mut rng = SmallRng::seed_from_u64(seed);
    c.run_for(Duration::from_secs(2));
    let ids: Vec<RumorId> = (0..RUMORS)
        .map(|k| {
            c.run_for(Duration::from_millis(250));
            let at = rng.random_range(0..NODES);
            c.inject_rumor(at, format!("rumor {k} of seed {seed}").into_bytes()).expect("an up node")
        })
        .collect();
    c.run_for(Duration::from_secs(40));
    ids.into_iter()
        .filter_map(|id| {
            let r = c.rumor(id).expect("a tracked rumor");
            (r.delivered < r.target).then_some((id, r.target - r.delivered))
        })
        .collect()
}

#[test]
fn every_rumor_reaches_every_node_over_thirty_lossy_seeds() {
    // Two threads: the seeds are independent, and the sweep should stay a
    // few seconds in `cargo test --release`.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4) as u64;
    let missed: Vec<(u64, RumorId, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || {
                    (w..SEEDS)
                        .step_by(workers as usize)
                        .flat_map(|seed| sweep_seed(seed).into_iter().map(move |(id, n)| (seed, id, n)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a sweep thread")).collect()
    });
    assert!(
        missed.is_empty(),
        "{} of {} rumors missed nodes (seed, rumor, nodes missed): {missed:?}",
        missed.len(),
        SEEDS as usize * RUMORS
    );
}
