//! The phi-accrual heartbeat family in the simulator: the five situations
//! SWIM's scenarios cover (join, crash, partition and heal, quiet minutes
//! with no false positive, a stalled node), with fixed seeds.
//!
//! Bounds come from the family's theory (`protocol::phi::theory`), with
//! the relay delay of gossip added where a heartbeat reaches an observer
//! second-hand, so a failure says which promise was broken.

use std::time::Duration;

use gossip_lab::faults::LinkRule;
use gossip_lab::protocol::{State, phi};
use gossip_lab::sim::{Cluster, SimConfig};

#[path = "common/converge.rs"]
mod converge;
use converge::converge;

fn config(nodes: usize, seed: u64, baseline: LinkRule) -> SimConfig {
    SimConfig { phi: Some(phi::Config::fast()), baseline, ..SimConfig::new(nodes, seed) }
}

fn sim(nodes: usize, seed: u64) -> Cluster {
    Cluster::new(config(nodes, seed, LinkRule::PERFECT)).expect("valid simulator config")
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn sixty_four_phi_nodes_joining_through_one_seed_all_see_all_alive() {
    let mut c = sim(64, 1);
    // Scuttlebutt spreads each node's state epidemically: with fanout 3
    // every round, a few dozen rounds cover 64 nodes many times over.
    let rounds = 60;
    let took = converge(&mut c, phi::Config::fast().heartbeat_interval * rounds);
    for o in 0..64 {
        assert_eq!(c.alive_set(o).len(), 64, "node {o} sees {:?}", c.alive_set(o));
        assert!(c.node(o).unwrap().is_joined(), "node {o} never heard from its seed");
    }
    println!("64 phi nodes converged {took:?} after start");
}

#[test]
fn a_crash_is_convicted_by_every_other_node_within_the_theory_bound() {
    let cfg = phi::Config::fast();
    let n = 32;
    let mut c = sim(n, 2);
    converge(&mut c, secs(30));
    // Long enough for every observer's window to learn the interval.
    c.run_for(secs(20));
    let t0 = c.now();
    c.crash(7).unwrap();
    // The theory gives when phi crosses the threshold after the last
    // heartbeat arrived; an observer's last news of the victim is up to a
    // few relays old (log_3 32 ≈ 3 rounds), and phi is judged once a round.
    let conviction = phi::theory::expected_conviction(&cfg, cfg.heartbeat_interval, Duration::ZERO);
    let bound = conviction + cfg.heartbeat_interval * 8;
    let all_dead = |c: &Cluster| (0..n).filter(|&o| o != 7).all(|o| c.view(o, 7) == Some(State::Dead));
    let at = c.run_until_pred(t0 + bound * 2, all_dead);
    let at = at.unwrap_or_else(|| panic!("not all convicted within {:?} (theory {conviction:?})", bound * 2));
    println!("crash convicted by all {:?} after it (theory {conviction:?}, bound {bound:?})", at - t0);
    assert!(at - t0 <= bound, "full detection {:?} past the bound {bound:?}", at - t0);
    assert!(at - t0 >= conviction / 2, "convicted {:?} after the crash: faster than phi allows", at - t0);
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
}

#[test]
fn phi_halves_convict_each_other_then_remerge_after_heal() {
    let n = 16;
    let mut c = sim(n, 3);
    converge(&mut c, secs(30));
    c.run_for(secs(10));
    c.partition_halves();
    // Each half converges on itself: the other half is unreachable.
    converge(&mut c, secs(60));
    assert_eq!(c.alive_set(0), (0..8).collect::<Vec<_>>());
    assert_eq!(c.alive_set(15), (8..16).collect::<Vec<_>>());
    c.heal();
    // Re-merging needs gossip across the old cut: the rule that sends now
    // and then to a convicted member is what makes it happen at all.
    let took = converge(&mut c, secs(60));
    assert_eq!(c.alive_set(0).len(), n);
    println!("halves re-merged {took:?} after the heal");
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
}

#[test]
fn no_healthy_phi_node_is_convicted_in_ten_quiet_minutes() {
    let mut c = sim(32, 4);
    c.run_for(secs(600));
    assert_eq!((c.false_deaths(), c.false_suspicions()), (0, 0), "{:?}", c.false_marks());
    assert!(c.converged());
}

#[test]
fn no_healthy_phi_node_is_convicted_in_ten_minutes_at_five_percent_loss() {
    let lossy = LinkRule { loss: 0.05, ..LinkRule::default() };
    let mut c = Cluster::new(config(32, 5, lossy)).unwrap();
    c.run_for(secs(600));
    println!(
        "5% loss, 10 min, 32 phi nodes: {} false suspicions, {} false deaths",
        c.false_suspicions(),
        c.false_deaths()
    );
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
}

/// Node 3 stalls thirty times for 0.5–1.5 s on a LAN-latency network, as
/// in SWIM's stalled-node scenario. Its peers stop hearing its heartbeat
/// (suspecting a paused node is not false); what matters is what the
/// healthy nodes do to each other, and that all settle afterwards.
#[test]
fn a_stalled_phi_node_settles_and_healthy_peers_never_convict_each_other() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(6);
    let lan = LinkRule { delay: Duration::from_millis(5), jitter: Duration::from_millis(10), ..LinkRule::default() };
    let mut c = Cluster::new(config(16, 6, lan)).unwrap();
    converge(&mut c, secs(30));
    c.run_for(secs(10));
    for _ in 0..30 {
        c.pause(3).unwrap();
        c.run_for(Duration::from_millis(rng.random_range(500..1500)));
        c.resume(3).unwrap();
        c.run_for(Duration::from_millis(rng.random_range(1500..2500)));
    }
    converge(&mut c, secs(30));
    let marks = c.false_marks();
    println!(
        "stalled phi node: {} false suspicions, {} false deaths: {marks:?}",
        c.false_suspicions(),
        c.false_deaths()
    );
    // A stalled observer wakes to stale heartbeats of everyone and may
    // accuse them (that is the detector's known weakness, measured in
    // BENCHMARKS.md); healthy observers never accuse healthy peers.
    assert!(marks.iter().all(|m| m.observer == 3), "a healthy observer accused a healthy peer: {marks:?}");
}

#[test]
fn a_restarted_phi_node_comes_back_with_a_higher_generation() {
    let mut c = sim(8, 7);
    converge(&mut c, secs(30));
    let before = c.node(3).unwrap().incarnation();
    c.crash(3).unwrap();
    let dead = c.run_until_pred(c.now() + secs(60), |c| c.view(0, 3) == Some(State::Dead));
    assert!(dead.is_some(), "node 0 never convicted the crashed node");
    c.restart(3).unwrap();
    assert!(c.node(3).unwrap().incarnation() > before, "the new life must outrank the old one");
    converge(&mut c, secs(60));
    assert_eq!(c.alive_set(0).len(), 8);
}

#[test]
fn the_same_seed_gives_the_same_phi_run() {
    let run = |seed| {
        let mut c = Cluster::new(SimConfig { trace: true, ..config(16, seed, LinkRule::PERFECT) }).unwrap();
        c.run_for(secs(20));
        c.crash(4).unwrap();
        c.run_for(secs(20));
        c.trace_hash()
    };
    assert_eq!(run(8), run(8));
    assert_ne!(run(8), run(9));
}
