//! The rogue's attacks against a 16-node cluster in the simulator, fixed
//! seeds, judged by what the cluster must do once the protocol core is
//! hardened (issue 9), with no key to keep the rogue out:
//!
//! - a forged death, leave or incarnation jump removes the victim from the
//!   others' views for at most [`recovery_bound`] (three suspicion
//!   timeouts), after which every node holds it alive again and keeps it
//!   so: its false positives are transient;
//! - a flood leaves every node's member table within the core's cap, and
//!   no real member is wrongly declared dead;
//! - an ack mask does not stop a crashed victim from being declared dead by
//!   every node within the usual detection bound.
//!
//! Before the core was hardened, every test but the leave one failed: the
//! attacks worked (a death or incarnation jump killed the victim for good,
//! a flood grew tables past 2,000 members and stalled detection, and an
//! ack mask delayed full detection from 1.5 s to 11 s).

use std::time::Duration;

use gossip_lab::config::default_member_cap;
use gossip_lab::observe::Liveness;
use gossip_lab::observe::model::detection_bounds;
use gossip_lab::protocol::{Config, Incarnation, State, Time};
use gossip_lab::rogue::{Attack, Spec, recovery_bound};
use gossip_lab::sim::{Cluster, SimConfig};

const N: usize = 16;
const VICTIM: usize = 5;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A converged 16-node fast cluster that has run for a while, so that
/// sequence numbers and incarnations are past their start.
fn cluster(seed: u64) -> Cluster {
    let config = SimConfig { protocol: protocol(), wire_roundtrip: true, ..SimConfig::new(N, seed) };
    let mut c = Cluster::new(config).expect("valid simulator config");
    c.run_until_pred(Time::ZERO + secs(10), Cluster::converged).expect("converges");
    c.run_for(secs(5));
    c
}

fn bound() -> Duration {
    recovery_bound(&Config::fast(), N)
}

/// Every running node other than the victim holds it Alive.
fn held_alive(c: &Cluster, victim: usize) -> bool {
    (0..c.len()).filter(|&o| o != victim && c.liveness(o).is_running()).all(|o| c.view(o, victim) == Some(State::Alive))
}

fn views_of(c: &Cluster, victim: usize) -> Vec<Option<State>> {
    (0..c.len()).map(|o| c.view(o, victim)).collect()
}

/// The protocol config of these clusters: fast, with the member cap the
/// lab gives a cluster of this size.
fn protocol() -> Config {
    Config { max_members: default_member_cap(N), ..Config::fast() }
}

/// Launches `spec` against the victim, then checks that within the
/// recovery bound every node holds the victim alive, that the cluster has
/// converged, and that it stays so for another bound.
fn victim_recovers(seed: u64, spec: Spec) {
    let mut c = cluster(seed);
    let t0 = c.now();
    c.forge(VICTIM, spec).unwrap();
    // The forgeries arrive at once: judge the cluster once they have.
    c.run_until(t0);
    let recovered = c.run_until_pred(t0 + bound(), |c| held_alive(c, VICTIM) && c.converged());
    let at = recovered.unwrap_or_else(|| {
        panic!(
            "{}: victim not held alive by everyone {:?} after the attack; views of it: {:?}",
            spec.label(),
            bound(),
            views_of(&c, VICTIM)
        )
    });
    println!("{}: everyone holds the victim alive again {:?} after the attack", spec.label(), at - t0);
    let deadline = c.now() + bound();
    let relapse = c.run_until_pred(deadline, |c| !held_alive(c, VICTIM));
    assert_eq!(relapse, None, "{}: the victim was lost again: {:?}", spec.label(), views_of(&c, VICTIM));
    assert!(c.converged(), "{}: accuracy {}", spec.label(), c.accuracy());
    let inc = c.node(VICTIM).unwrap().incarnation();
    assert!(inc < Incarnation::MAX / 2, "{}: the victim's incarnation was exhausted: {inc}", spec.label());
}

#[test]
fn a_forged_death_is_refuted_within_the_recovery_bound() {
    victim_recovers(91, Spec::new(Attack::Death, None, None));
}

#[test]
fn a_forged_leave_is_refuted_within_the_recovery_bound() {
    victim_recovers(92, Spec::new(Attack::Leave, None, None));
}

#[test]
fn an_incarnation_jump_exhausts_no_one_and_is_survived() {
    victim_recovers(93, Spec::new(Attack::Incarnation, None, None));
    let mut c = cluster(93);
    c.forge(VICTIM, Spec::new(Attack::Incarnation, None, None)).unwrap();
    c.run_for(bound());
    for i in 0..N {
        let inc = c.node(i).unwrap().incarnation();
        assert!(inc < Incarnation::MAX / 2, "node {i} was pushed to incarnation {inc}");
    }
}

#[test]
fn a_flood_leaves_every_member_table_within_the_cap() {
    let mut c = cluster(94);
    let cap = protocol().max_members;
    let count = u32::try_from(2 * cap).unwrap();
    c.forge(VICTIM, Spec::new(Attack::Flood, Some(count), None)).unwrap();
    let deadline = c.now() + bound();
    let mut largest = 0;
    while c.now() < deadline {
        c.run_for(Duration::from_millis(500));
        for i in 0..N {
            largest = largest.max(c.node(i).unwrap().members().len());
        }
        assert!(largest <= cap, "a node holds {largest} members, over the cap of {cap}");
    }
    assert_eq!(c.false_deaths(), 0, "no real member may be declared dead: {:?}", c.false_marks());
    assert!(c.converged(), "accuracy {}", c.accuracy());
    println!("flood of {count}: largest member table {largest} (cap {cap})");
}

#[test]
fn an_ack_mask_does_not_delay_detection_past_the_bound() {
    let mut c = cluster(95);
    let detection = detection_bounds(&Config::fast(), N).full;
    let t0 = c.now();
    c.crash(VICTIM).unwrap();
    assert_eq!(c.liveness(VICTIM), Liveness::Crashed);
    // Masking for twice the bound covers the whole detection window.
    c.forge(VICTIM, Spec::new(Attack::AckMask, None, Some(detection * 2))).unwrap();
    let all_dead = |c: &Cluster| (0..N).filter(|&o| o != VICTIM).all(|o| c.view(o, VICTIM) == Some(State::Dead));
    let at = c.run_until_pred(t0 + detection, all_dead);
    let at = at.unwrap_or_else(|| {
        panic!("crash not detected by all within {detection:?} under the mask: {:?}", views_of(&c, VICTIM))
    });
    println!("crash detected by all {:?} after the crash, under an ack mask (bound {detection:?})", at - t0);
    let report = c.attacks().next().unwrap();
    assert!(report.datagrams > 1000, "the mask really ran: {report:?}");
}
