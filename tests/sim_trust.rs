//! Whole-cluster checks of the hardening rules in the simulator, fixed
//! seeds, no key (issue 9). `rogue_sim.rs` holds one test per attack of the
//! lab's rogue; these cover what the attacks do not: the forged leave of
//! every node at once, and reaping keeping state bounded while the cluster
//! stays accurate.

use std::time::Duration;

use gossip_lab::config::default_member_cap;
use gossip_lab::protocol::{Config, State, Time};
use gossip_lab::rogue::{Attack, Spec};
use gossip_lab::sim::{Cluster, SimConfig};

const N: usize = 16;

fn cluster(seed: u64, protocol: Config) -> Cluster {
    let config = SimConfig { protocol, wire_roundtrip: true, ..SimConfig::new(N, seed) };
    let mut c = Cluster::new(config).expect("valid simulator config");
    c.run_until_pred(Time::ZERO + Duration::from_secs(10), Cluster::converged).expect("converges");
    c
}

fn protocol() -> Config {
    Config { max_members: default_member_cap(N), ..Config::fast() }
}

/// Before the hardening, a forged leave of every node at incarnation 0
/// dissolved the cluster for good: Left members were no longer probed,
/// gossiped to or push-pulled, so no one heard the claim about itself. Now
/// each is told by whoever holds it gone, and refutes.
#[test]
fn a_forged_leave_of_every_node_dissolves_nothing() {
    let mut c = cluster(31, protocol());
    // A stranger's claims about others are refused outright; a rogue that
    // has introduced itself is a member, and its forgeries an insider's.
    c.admit_rogue();
    c.run_for(Duration::from_millis(1));
    let t0 = c.now();
    for victim in 0..N {
        c.forge(victim, Spec::new(Attack::Leave, None, None)).unwrap();
    }
    c.run_until(t0);
    let held_left =
        (0..N).flat_map(|o| (0..N).map(move |s| (o, s))).filter(|&(o, s)| c.view(o, s) == Some(State::Left));
    assert!(held_left.count() > N, "the forgery took hold before the cluster healed");
    // Bound: every node contacts one member it holds gone per probe period
    // (200 ms), so each of the 15 a node holds Left is told within a few
    // seconds, then refutes to everyone.
    let bound = Duration::from_secs(20);
    let healed = c.run_until_pred(t0 + bound, Cluster::converged);
    let at = healed.unwrap_or_else(|| panic!("not converged {bound:?} after the forgery: accuracy {}", c.accuracy()));
    println!("a forged leave of all {N} nodes undone in {:?}", at - t0);
    assert!((0..N).all(|o| (0..N).all(|s| c.view(o, s) == Some(State::Alive))));
}

/// Crashed members are forgotten after the reap time, everywhere, and
/// forgetting them costs no accuracy; a member restarted afterwards is
/// learned afresh.
#[test]
fn crashed_members_are_reaped_and_a_restart_is_learned_afresh() {
    let reap_after = Duration::from_secs(5);
    let mut c = cluster(32, Config { reap_after, ..protocol() });
    for victim in [3, 7, 11] {
        c.crash(victim).unwrap();
    }
    c.run_for(Duration::from_secs(10) + reap_after);
    for o in (0..N).filter(|o| ![3, 7, 11].contains(o)) {
        assert_eq!(c.node(o).unwrap().members().len(), N - 3, "node {o} still holds the crashed");
        assert!(c.node(o).unwrap().counters().reaped >= 3);
    }
    assert!(c.converged(), "accuracy {}", c.accuracy());
    c.restart(7).unwrap();
    let back = c.run_until_pred(c.now() + Duration::from_secs(10), |c| {
        (0..N).all(|o| c.view(o, 7) == Some(State::Alive) || [3, 11].contains(&o))
    });
    assert!(back.is_some(), "the restarted node was not learned again");
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
}
