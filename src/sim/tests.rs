//! Whole-cluster tests of the simulator, on the `fast` preset with fixed
//! seeds and small sizes so the suite stays quick.

use std::time::Duration;

use super::*;
use crate::faults::DropReason;
use crate::protocol::{Config, Event, MsgKind, State, Time};

fn config(nodes: usize, seed: u64) -> SimConfig {
    SimConfig {
        protocol: Config::fast(),
        check_every: Duration::from_millis(50),
        trace: true,
        ..SimConfig::new(nodes, seed)
    }
}

fn cluster(nodes: usize, seed: u64) -> Cluster {
    Cluster::new(config(nodes, seed)).expect("valid config")
}

fn secs(s: u64) -> Time {
    Time::from_secs(s)
}

/// Runs until converged (within `limit` from now) and returns how long it took.
fn converge(c: &mut Cluster, limit: Duration) -> Duration {
    let start = c.now();
    let at = c.run_until_pred(start + limit, Cluster::converged);
    let at = at.unwrap_or_else(|| panic!("not converged {limit:?} after {start}: agreement {}", c.agreement()));
    at - start
}

/// sent + duplicated + forged = delivered + rejected + dropped + in flight + buffered.
pub(super) fn assert_conservation(c: &Cluster) {
    let s = c.stats();
    let out = s.sent.total.packets + s.duplicated.total.packets + s.forged.total.packets;
    let accounted = s.delivered.total.packets
        + s.rejected.total.packets
        + s.dropped.total.packets
        + c.in_flight() as u64
        + c.buffered() as u64;
    assert_eq!(out, accounted, "{s:#?}");
    let by_reason: u64 = s.dropped_by_reason.iter().map(|t| t.packets).sum();
    assert_eq!(by_reason, s.dropped.total.packets);
}

#[test]
fn small_cluster_joins_and_converges() {
    let mut c = cluster(16, 1);
    let took = converge(&mut c, Duration::from_secs(10));
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(c.agreement(), 1.0);
    for i in 0..16 {
        assert_eq!(c.alive_set(i), (0..16).collect::<Vec<_>>());
        assert!(c.node(i).unwrap().is_joined());
    }
    // A healthy network raises no false alarms.
    c.run_for(Duration::from_secs(10));
    assert!(c.converged());
    assert_eq!((c.false_suspicions(), c.false_deaths()), (0, 0), "{:?}", c.false_marks());
    assert_conservation(&c);
}

#[test]
fn staggered_joins_converge() {
    let mut c = Cluster::new(SimConfig { join_window: Duration::from_secs(2), ..config(12, 2) }).unwrap();
    c.run_for(Duration::from_millis(100));
    assert!(!c.converged(), "late joiners cannot be known yet");
    converge(&mut c, Duration::from_secs(10));
    assert!(c.command_failures().is_empty());
}

fn run_scenario(seed: u64, roundtrip: bool) -> (u64, NetStats, u64) {
    let mut c = Cluster::new(SimConfig {
        wire_roundtrip: roundtrip,
        baseline: crate::faults::LinkRule {
            loss: 0.05,
            delay: Duration::from_millis(1),
            jitter: Duration::from_millis(4),
            duplicate: 0.02,
            ..crate::faults::LinkRule::PERFECT
        },
        ..config(10, seed)
    })
    .unwrap();
    c.schedule(secs(3), Command::Crash(4));
    c.schedule(secs(4), Command::InjectRumor { node: 2, payload: b"hello".to_vec() });
    c.schedule(secs(5), Command::PartitionHalves);
    c.schedule(secs(9), Command::Heal);
    c.schedule(secs(10), Command::Restart(4));
    c.run_until(secs(15));
    (c.trace_hash(), c.stats().clone(), c.event_count())
}

#[test]
fn same_seed_same_trace_different_seed_different_trace() {
    let a = run_scenario(7, false);
    assert!(a.2 > 100, "too few events to compare: {}", a.2);
    assert_eq!(a, run_scenario(7, false));
    let b = run_scenario(8, false);
    assert_ne!(a.0, b.0);
}

#[test]
fn wire_round_trip_changes_nothing() {
    assert_eq!(run_scenario(3, false), run_scenario(3, true));
}

#[test]
fn trace_records_events_when_on() {
    let mut c = Cluster::new(SimConfig { trace: true, ..config(4, 5) }).unwrap();
    c.run_for(Duration::from_secs(2));
    let trace = c.trace();
    assert_eq!(trace.len() as u64, c.event_count());
    assert!(trace.windows(2).all(|w| w[0].at <= w[1].at));
    // Every joiner hears back from the seed.
    for i in 1..4 {
        assert!(trace.iter().any(|e| e.node == i && e.event == Event::Joined), "node {i} never joined");
    }
}

#[test]
fn crash_is_eventually_seen_dead_by_all() {
    let mut c = cluster(12, 11);
    converge(&mut c, Duration::from_secs(10));
    let t0 = c.now();
    c.crash(5).unwrap();
    assert_eq!(c.liveness(5), Liveness::Crashed);
    assert!(c.node(5).is_none());
    let all_dead = |c: &Cluster| (0..12).filter(|&i| i != 5).all(|i| c.view(i, 5) == Some(State::Dead));
    let at = c.run_until_pred(t0 + Duration::from_secs(30), all_dead).expect("crash never detected by all");
    // fast: min suspicion = 4 × log10(12) × 200 ms ≈ 0.86 s; max 6× that, plus probing.
    assert!(at - t0 < Duration::from_secs(8), "full detection took {:?}", at - t0);
    assert!(c.converged());
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
    assert!(c.stats().dropped(DropReason::NodeDown).packets > 0);
    assert_conservation(&c);
}

#[test]
fn pause_buffers_and_resume_delivers_the_backlog() {
    let mut c = cluster(8, 21);
    converge(&mut c, Duration::from_secs(10));
    let received = c.traffic(3).received_total();
    c.pause(3).unwrap();
    assert_eq!(c.liveness(3), Liveness::Paused);
    c.run_for(Duration::from_millis(600));
    let backlog = c.backlog_len(3);
    assert!(backlog > 0, "nobody sent to the paused node");
    assert_eq!(c.traffic(3).received_total(), received, "a paused node must not receive");
    assert_eq!(c.buffered(), backlog);
    assert_conservation(&c);
    let delivered = c.stats().delivered.total.packets;
    c.resume(3).unwrap();
    assert_eq!(c.backlog_len(3), 0);
    assert_eq!(c.traffic(3).received_total().packets, received.packets + backlog as u64);
    assert_eq!(c.stats().delivered.total.packets, delivered + backlog as u64);
    assert_conservation(&c);
    converge(&mut c, Duration::from_secs(20));
}

#[test]
fn pause_buffer_overflow_is_dropped_and_counted() {
    let mut c = Cluster::new(SimConfig { pause_buffer: 200, ..config(6, 4) }).unwrap();
    converge(&mut c, Duration::from_secs(10));
    c.pause(2).unwrap();
    c.run_for(Duration::from_secs(2));
    assert!(c.stats().dropped(DropReason::Overflow).packets > 0);
    assert!(c.slots[2].backlog_bytes <= 200);
    assert_conservation(&c);
    // Paused past the suspicion timeout: declared dead, which is not a false positive.
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
}

#[test]
fn partition_then_heal_reconverges() {
    let mut c = cluster(16, 31);
    converge(&mut c, Duration::from_secs(10));
    c.partition_halves();
    // Each half converges on itself: the other half is unreachable.
    converge(&mut c, Duration::from_secs(20));
    assert_eq!(c.alive_set(0), (0..8).collect::<Vec<_>>());
    assert_eq!(c.alive_set(15), (8..16).collect::<Vec<_>>());
    assert!(c.stats().dropped(DropReason::Partition).packets > 0);
    c.heal();
    converge(&mut c, Duration::from_secs(30));
    assert_eq!(c.alive_set(0).len(), 16);
    // Suspecting the other side during the split was correct.
    assert_eq!(c.false_deaths(), 0, "{:?}", c.false_marks());
}

#[test]
fn isolated_node_and_the_rest_see_each_other_dead() {
    let mut c = cluster(8, 41);
    converge(&mut c, Duration::from_secs(10));
    c.isolate(7).unwrap();
    converge(&mut c, Duration::from_secs(20));
    assert_eq!(c.alive_set(7), [7]);
    assert_eq!(c.view(0, 7), Some(State::Dead));
    assert_eq!(c.false_deaths(), 0);
}

#[test]
fn graceful_leave_completes_and_is_seen_as_left() {
    let mut c = cluster(8, 51);
    converge(&mut c, Duration::from_secs(10));
    c.leave(2).unwrap();
    assert_eq!(c.liveness(2), Liveness::Leaving);
    let left = c.run_until_pred(c.now() + Duration::from_secs(10), |c| c.liveness(2) == Liveness::Left);
    assert!(left.is_some(), "leave never completed");
    assert!(c.node(2).is_none());
    converge(&mut c, Duration::from_secs(10));
    for i in (0..8).filter(|&i| i != 2) {
        assert_eq!(c.view(i, 2), Some(State::Left), "node {i}");
    }
    assert!(c.leave(2).is_err());
}

#[test]
fn restarted_node_rejoins_and_added_node_joins() {
    let mut c = cluster(8, 61);
    converge(&mut c, Duration::from_secs(10));
    c.crash(3).unwrap();
    converge(&mut c, Duration::from_secs(20));
    c.restart(3).unwrap();
    assert_eq!(c.node(3).unwrap().incarnation(), 0);
    let added = c.add();
    assert_eq!(added, 8);
    assert_eq!(c.addr(8).to_string(), "127.0.0.1:10008");
    converge(&mut c, Duration::from_secs(20));
    assert_eq!(c.alive_set(0).len(), 9);
    // The new life had to refute its old death to be taken back.
    assert!(c.node(3).unwrap().incarnation() > 0);
}

#[test]
fn rumor_reaches_every_running_node_once() {
    let mut c = cluster(16, 71);
    converge(&mut c, Duration::from_secs(10));
    let id = c.inject_rumor(4, b"news".to_vec()).unwrap();
    assert_eq!(c.rumor(id).unwrap().delivered, 1, "the origin delivers at once");
    c.run_for(Duration::from_secs(5));
    let spread = c.rumor(id).unwrap();
    assert_eq!((spread.target, spread.delivered), (16, 16));
    assert!(spread.t100.unwrap() - spread.injected_at < Duration::from_secs(2));
    assert!(spread.t50.unwrap() <= spread.t99.unwrap());
    assert!(c.inject_rumor(4, vec![0; 10_000]).is_err());
}

#[test]
fn scheduled_commands_run_at_their_time_and_failures_are_kept() {
    let mut c = cluster(4, 81);
    c.schedule(secs(2), Command::Pause(1));
    c.schedule(secs(3), Command::Resume(1));
    c.schedule(secs(3), Command::Resume(1)); // already resumed: refused
    c.run_until(Time::from_millis(2500));
    assert_eq!(c.liveness(1), Liveness::Paused);
    c.run_until(secs(4));
    assert_eq!(c.liveness(1), Liveness::Up);
    assert_eq!(c.command_failures().len(), 1);
    assert!(matches!(c.command_failures()[0].1, SimError::WrongState { node: 1, .. }));
    assert_eq!(c.apply(Command::Crash(99)), Err(SimError::NoSuchNode(99)));
    assert_eq!(c.apply(Command::Add), Ok(Outcome::Added(4)));
    let bad = crate::faults::LinkRule { loss: 2.0, ..Default::default() };
    assert!(matches!(c.apply(Command::SetBaseline(bad)), Err(SimError::BadLink(_))));
}

#[test]
fn lossy_links_are_counted_by_reason_and_kind() {
    let mut c = cluster(8, 91);
    c.set_baseline(crate::faults::LinkRule { loss: 0.1, ..Default::default() }).unwrap();
    c.set_link(0, 1, crate::faults::LinkRule { loss: 1.0, ..Default::default() }).unwrap();
    c.block_one_way(&[2], &[3]).unwrap();
    c.run_for(Duration::from_secs(5));
    let s = c.stats();
    assert!(s.dropped(DropReason::Loss).packets > 0);
    assert!(s.dropped(DropReason::OneWay).packets > 0);
    let kinds: u64 = MsgKind::ALL.iter().map(|&k| s.dropped.kind(k).packets).sum();
    assert_eq!(kinds, s.dropped.total.packets);
    assert!(s.sent.kind(MsgKind::Ping).bytes > 0);
    assert!(c.traffic(0).dropped_total().packets > 0);
    assert_conservation(&c);
}

#[test]
fn agreement_counts_the_majority_view() {
    let mut c = cluster(6, 101);
    assert!(c.agreement() < 1.0, "before joins everyone sees only itself");
    assert!(c.accuracy() < 1.0);
    converge(&mut c, Duration::from_secs(10));
    assert_eq!((c.agreement(), c.accuracy()), (1.0, 1.0));
    c.isolate(5).unwrap();
    converge(&mut c, Duration::from_secs(20));
    // Five nodes share one view; the isolated node has its own.
    assert!((c.agreement() - 5.0 / 6.0).abs() < 1e-9);
    assert_eq!(c.accuracy(), 1.0, "every view is right for its side");
}

#[test]
fn accusing_a_reachable_node_over_a_dead_link_is_a_false_positive() {
    // Total loss is random loss, not a partition: by ground truth the two
    // nodes can still reach each other, so declaring each other dead is wrong.
    let mut c = cluster(2, 111);
    converge(&mut c, Duration::from_secs(5));
    // Past the grace window, so the marks cannot be echoes of the start-up.
    c.run_for(c.metrics().grace().dead);
    let dead = crate::faults::LinkRule { loss: 1.0, ..Default::default() };
    c.set_link(0, 1, dead).unwrap();
    c.set_link(1, 0, dead).unwrap();
    let both_dead = |c: &Cluster| c.view(0, 1) == Some(State::Dead) && c.view(1, 0) == Some(State::Dead);
    c.run_until_pred(c.now() + Duration::from_secs(20), both_dead).expect("a dead link must look like a crash");
    assert_eq!((c.false_suspicions(), c.false_deaths()), (2, 2), "{:?}", c.false_marks());
    assert!(c.false_marks().iter().all(|fp| fp.observer != fp.subject));
    assert!(c.false_marks().iter().any(|fp| fp.state == State::Dead));
    assert!(!c.converged());
}

#[test]
fn a_converged_start_is_converged_from_the_first_instant_and_stays_so() {
    let config = SimConfig { protocol: Config::fast(), start_converged: true, ..SimConfig::new(64, 121) };
    let mut c = Cluster::new(config).unwrap();
    assert!(c.converged(), "every node holds every node alive at t = 0");
    assert_eq!(c.alive_set(17).len(), 64);
    c.run_for(Duration::from_secs(30));
    assert!(c.converged());
    assert_eq!((c.false_suspicions(), c.false_deaths()), (0, 0));
    // And it detects a crash like any other cluster.
    c.crash(5).unwrap();
    c.run_for(Duration::from_secs(10));
    assert!((0..64).filter(|&o| o != 5).all(|o| c.view(o, 5) == Some(State::Dead)));
}

// ----- keys ------------------------------------------------------------------

fn key(n: u8) -> crate::security::KeyId {
    crate::security::KeyId::from_bytes([n; 4])
}

fn keyed(nodes: usize, seed: u64) -> Cluster {
    Cluster::new(SimConfig { key: Some(key(1)), ..config(nodes, seed) }).expect("valid config")
}

fn unauthenticated(c: &Cluster) -> u64 {
    (0..c.len()).map(|i| c.traffic(i).rejected[crate::observe::traffic::reject_index("unauthenticated")].packets).sum()
}

#[test]
fn sealed_datagrams_cost_the_overhead_and_fill_a_smaller_budget() {
    let mut plain = cluster(8, 3);
    let mut sealed = keyed(8, 3);
    converge(&mut plain, Duration::from_secs(10));
    converge(&mut sealed, Duration::from_secs(10));
    let node = sealed.node(0).unwrap();
    assert_eq!(
        node.as_swim().expect("a SWIM node").config().packet_budget,
        Config::fast().packet_budget - crate::security::SEAL_OVERHEAD
    );
    let per = |c: &Cluster| {
        let t = c.stats().sent.kind(MsgKind::Ping);
        t.bytes as f64 / t.packets as f64
    };
    let extra = per(&sealed) - per(&plain);
    assert!((extra - crate::security::SEAL_OVERHEAD as f64).abs() < 2.0, "a ping costs {extra} bytes more sealed");
    assert_eq!(unauthenticated(&sealed), 0);
    assert_conservation(&sealed);
}

#[test]
fn a_rotation_in_three_steps_rejects_nothing() {
    let mut c = keyed(16, 4);
    c.set_baseline(crate::faults::LinkRule { delay: Duration::from_millis(20), ..crate::faults::LinkRule::PERFECT })
        .unwrap();
    converge(&mut c, Duration::from_secs(10));
    c.key_install(key(2)).unwrap();
    c.run_for(Duration::from_secs(1));
    c.key_use(key(2)).unwrap();
    // Datagrams sealed with key 1 are still in flight: they open, since 1
    // is still installed.
    c.run_for(Duration::from_secs(1));
    c.key_remove(key(1)).unwrap();
    c.run_for(Duration::from_secs(5));
    assert_eq!(unauthenticated(&c), 0);
    assert!(c.converged());
    assert_eq!(c.false_deaths() + c.false_suspicions(), 0);
    let ring = c.keyring().unwrap();
    assert_eq!((ring.primary(), ring.len()), (key(2), 1));
}

#[test]
fn removing_the_old_key_too_early_rejects_what_is_in_flight_and_a_stranger_is_never_heard() {
    let mut c = keyed(16, 5);
    c.set_baseline(crate::faults::LinkRule { delay: Duration::from_millis(20), ..crate::faults::LinkRule::PERFECT })
        .unwrap();
    converge(&mut c, Duration::from_secs(10));
    // Skipping the install step: nodes switch to key 2 before anyone can
    // open it, then drop key 1 with its datagrams still in flight.
    c.key_install(key(2)).unwrap();
    c.key_use(key(2)).unwrap();
    c.key_remove(key(1)).unwrap();
    c.run_for(Duration::from_millis(100));
    let lost = unauthenticated(&c);
    assert!(lost > 0, "datagrams sealed with the removed key were rejected");
    assert_eq!(c.stats().rejected.total.packets, lost, "counted once, as unauthenticated");
    assert_conservation(&c);

    // A node restarted now gets the keyring in force, and is heard.
    c.crash(3).unwrap();
    c.run_for(Duration::from_secs(2));
    c.restart(3).unwrap();
    converge(&mut c, Duration::from_secs(20));
    assert_eq!(c.slots[3].keys.as_ref().unwrap().primary(), key(2));

    assert_eq!(c.key_remove(key(2)), Err(SimError::Keyring(crate::security::KeyringError::RemovePrimary(key(2)))));
    assert_eq!(cluster(2, 5).key_install(key(9)), Err(SimError::NoKeyring));

    // A node on a key nobody else holds is a stranger: everything it says
    // (it soon suspects and buries everyone) is rejected unheard, and the
    // rest of the cluster sees it as gone, not itself as dead.
    c.slots[5].keys = Some(crate::security::Keyring::new(key(7), ()));
    let before = unauthenticated(&c);
    c.run_for(Duration::from_secs(20));
    assert!(unauthenticated(&c) > before);
    for o in (0..16).filter(|&o| o != 5) {
        assert_eq!(c.view(o, 5), Some(State::Dead), "{o} no longer hears the stranger");
        for s in (0..16).filter(|&s| s != 5) {
            assert_eq!(c.view(o, s), Some(State::Alive), "{o} believed the stranger about {s}");
        }
    }
}
