//! The real lab on real loopback sockets: whole-cluster behaviour end to end.
//!
//! Every test runs the fast preset (time-scaled 5× from memberlist's LAN
//! timings) and waits for conditions on the observer's snapshot channel
//! with generous deadlines, so a loaded 2-core machine slows a test down
//! instead of failing it. Each test also reads back the exported session
//! log and checks it holds the member events that prove what was seen live.

use std::net::UdpSocket;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gossip_lab::config::{LabConfig, parse_profile};
use gossip_lab::observe::record::{NodeChange, Record};
use gossip_lab::observe::{Grace, Line, Liveness, Snapshot};
use gossip_lab::protocol::{State, Time};
use gossip_lab::runtime::{Running, launch};
use gossip_lab::scenario::{Action, Groups, NodeRef};
use tokio::sync::watch;
use tokio::time::Instant;

#[path = "common/snapshots.rs"]
mod snapshots;

use snapshots::{PATIENCE, wait_for};

fn profile(nodes: usize) -> LabConfig {
    let text = format!(
        "name = \"runtime-test\"\nduration = \"10m\"\n[cluster]\nnodes = {nodes}\nseed = 7\n[protocol]\npreset = \"fast\"\n"
    );
    parse_profile("runtime-test", &text).expect("test profile is valid")
}

async fn start(nodes: usize, dir: &Path) -> (Running, watch::Receiver<Arc<Snapshot>>) {
    let running = launch(profile(nodes), Some(dir.to_path_buf())).await.expect("lab starts");
    let snapshots = running.observer.snapshots();
    (running, snapshots)
}

fn converged(n: usize) -> impl Fn(&Snapshot) -> bool {
    move |s: &Snapshot| s.nodes.len() == n && s.converged && s.up() == n
}

fn all_others_see(subject: usize, state: State) -> impl Fn(&Snapshot) -> bool {
    move |s: &Snapshot| {
        s.nodes
            .iter()
            .filter(|n| n.index != subject && n.life == Liveness::Up)
            .all(|n| s.views.get(n.index, subject) == Some(state))
    }
}

/// Every line of the session log, parsed; the header first, the summary last.
fn read_log(dir: &Path) -> Vec<Line> {
    let text = std::fs::read_to_string(dir.join("session.jsonl")).expect("session.jsonl exists");
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {} does not parse: {e}: {l}", i + 1)))
        .collect();
    assert!(matches!(lines.first().map(|l| &l.record), Some(Record::Session(_))), "header first");
    assert!(matches!(lines.last().map(|l| &l.record), Some(Record::Summary(_))), "summary last");
    let disorder = lines.windows(2).position(|w| w[0].t_ms > w[1].t_ms);
    assert_eq!(disorder, None, "lines are in time order (by construction, so on any machine)");
    lines
}

/// Observers that logged `subject` moving to `to` (alone, or among the
/// members a `learned` line adds alive).
fn observers_saw(log: &[Line], subject: usize, to: State) -> Vec<usize> {
    let mut v: Vec<usize> = log
        .iter()
        .filter_map(|l| match l.record {
            Record::Member { observer, subject: s, to: t, .. } if s == subject && t == to => Some(observer),
            Record::Learned { observer, ref members }
                if to == State::Alive && members.iter().any(|&(first, last)| (first..=last).contains(&subject)) =>
            {
                Some(observer)
            }
            _ => None,
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_nodes_converge() {
    let dir = tempfile::tempdir().unwrap();
    let (running, mut rx) = start(16, dir.path()).await;
    wait_for(&mut rx, "16 nodes to converge", converged(16)).await;
    // A dead mark made within the grace window counts once held for a
    // window; one made after it counts at once. So a node that wrongly
    // marks a healthy peer dead during or after the join (a lost refutation,
    // a stalled probe blamed on its target) shows by twice the window, and
    // the run goes on until then, stopping early only to fail.
    let grace = Grace::for_config(&profile(16).protocol, 16);
    let horizon = Time::ZERO + grace.dead * 2;
    let past = |s: &Snapshot| s.false_positives > 0 || s.t >= horizon;
    let s = wait_for(&mut rx, "the run to pass twice the grace window", past).await;
    assert_eq!(s.false_positives, 0, "a healthy node was held dead");
    let summary = running.stop().await.unwrap();
    assert!(summary.duration_s >= horizon.since_epoch().as_secs_f64(), "ran {} s", summary.duration_s);
    assert_eq!(summary.false_positives, 0);

    let log = read_log(dir.path());
    for subject in 0..16 {
        let others: Vec<usize> = (0..16).filter(|&o| o != subject).collect();
        assert_eq!(observers_saw(&log, subject, State::Alive), others, "who logged node {subject} alive");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_node_is_declared_dead_by_all_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (mut running, mut rx) = start(16, dir.path()).await;
    wait_for(&mut rx, "convergence", converged(16)).await;
    let feedback = running.apply(&Action::Crash { node: NodeRef::Index(3) }).await.unwrap();
    assert!(feedback.starts_with("crashed node 3 (127.0.0.1:"), "{feedback}");
    wait_for(&mut rx, "everyone to mark node 3 dead", all_others_see(3, State::Dead)).await;
    let summary = running.stop().await.unwrap();
    assert!(summary.detections[0].full_s.is_some());

    let log = read_log(dir.path());
    assert!(log.iter().any(|l| matches!(l.record, Record::Node { node: 3, event: NodeChange::Crashed, .. })));
    let others: Vec<usize> = (0..16).filter(|&o| o != 3).collect();
    assert_eq!(observers_saw(&log, 3, State::Dead), others);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_and_half_partition_is_detected_and_remerges_after_heal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut running, mut rx) = start(16, dir.path()).await;
    wait_for(&mut rx, "convergence", converged(16)).await;
    running.apply(&Action::Partition { groups: Groups::Halves, one_way: false }).await.unwrap();
    let split =
        |s: &Snapshot| (0..16).all(|o| (0..16).all(|x| (o < 8) == (x < 8) || s.views.get(o, x) == Some(State::Dead)));
    // Each side's view is right for its side: every node holds exactly its
    // own half alive. Polled, since a transient suspicion within a half is
    // no failure; a metric that expected every up node regardless of the
    // partition (or a half that never settles) never gets here.
    let each_side_right = |s: &Snapshot| split(s) && s.converged;
    wait_for(&mut rx, "each half to mark the other dead and agree on itself", each_side_right).await;
    running.apply(&Action::Heal).await.unwrap();
    // Until the observer has seen the heal, a snapshot still shows the
    // split views as correct ("converged" for each side): wait for both.
    let merged = |s: &Snapshot| s.plan.groups.is_empty() && converged(16)(s);
    wait_for(&mut rx, "re-merge after heal", merged).await;
    running.stop().await.unwrap();

    let log = read_log(dir.path());
    // Node 0 (first half) saw node 15 (second half) die, then come back.
    let about_15: Vec<(State, u64)> = log
        .iter()
        .filter_map(|l| match l.record {
            Record::Member { observer: 0, subject: 15, to, incarnation, .. } => Some((to, incarnation)),
            _ => None,
        })
        .collect();
    let dead_at = about_15.iter().position(|(s, _)| *s == State::Dead).expect("0 logged 15 dead");
    assert!(
        about_15[dead_at..].iter().any(|(s, inc)| *s == State::Alive && *inc > 0),
        "0 logged 15 alive again at a higher incarnation: {about_15:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_node_is_suspected_then_refutes_after_resume() {
    let dir = tempfile::tempdir().unwrap();
    let (mut running, mut rx) = start(16, dir.path()).await;
    wait_for(&mut rx, "convergence", converged(16)).await;
    running.apply(&Action::Pause { node: NodeRef::Index(5) }).await.unwrap();
    let suspected = |s: &Snapshot| (0..16).any(|o| matches!(s.views.get(o, 5), Some(State::Suspect | State::Dead)));
    wait_for(&mut rx, "someone to suspect paused node 5", suspected).await;
    running.apply(&Action::Resume { node: NodeRef::Index(5) }).await.unwrap();
    let back = |s: &Snapshot| s.nodes[5].life == Liveness::Up && all_others_see(5, State::Alive)(s);
    wait_for(&mut rx, "node 5 to be alive everywhere again", back).await;
    running.stop().await.unwrap();

    let log = read_log(dir.path());
    assert!(!observers_saw(&log, 5, State::Suspect).is_empty());
    assert!(log.iter().any(|l| matches!(l.record, Record::Refute { node: 5, .. })), "node 5 refuted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_node_is_alive_again_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut running, mut rx) = start(16, dir.path()).await;
    wait_for(&mut rx, "convergence", converged(16)).await;
    let addr = running.lab.addr(2).unwrap();
    running.apply(&Action::Crash { node: NodeRef::Index(2) }).await.unwrap();
    wait_for(&mut rx, "node 2 dead everywhere", all_others_see(2, State::Dead)).await;
    running.apply(&Action::Restart { node: NodeRef::Index(2) }).await.unwrap();
    assert_eq!(running.lab.addr(2), Some(addr), "same address");
    wait_for(&mut rx, "node 2 alive everywhere", converged(16)).await;
    running.stop().await.unwrap();

    let log = read_log(dir.path());
    assert!(log.iter().any(|l| matches!(l.record, Record::Node { node: 2, event: NodeChange::Restarted, .. })));
    let mut revived: Vec<usize> =
        log.iter()
            .filter_map(|l| match l.record {
                Record::Member {
                    observer, subject: 2, from: Some(State::Dead), to: State::Alive, incarnation, ..
                } if incarnation > 0 => Some(observer),
                _ => None,
            })
            .collect();
    revived.sort_unstable();
    revived.dedup();
    let others: Vec<usize> = (0..16).filter(|&o| o != 2).collect();
    assert_eq!(revived, others, "every other node logged 2 back from the dead");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_datagrams_are_counted_and_dropped_without_harm() {
    use rand::{RngExt, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let (running, mut rx) = start(4, dir.path()).await;
    wait_for(&mut rx, "convergence", converged(4)).await;
    let target = running.lab.addr(0).unwrap();
    let traffic = running.lab.slots()[0].traffic.clone();
    let rejected = || traffic.snapshot().rejected_total().packets;
    let handled = || traffic.snapshot().received_total().packets;

    // A valid datagram to truncate: what a node actually sends.
    let valid = gossip_lab::wire::encode(&gossip_lab::protocol::Packet {
        body: gossip_lab::protocol::Body::Ping { seq: 1, members: 4 },
        gossip: vec![gossip_lab::protocol::Update::Alive { member: target, incarnation: 9 }],
    });
    let mut rng = rand::rngs::SmallRng::seed_from_u64(99);
    let foreign = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut junk = 0u64;
    let handled_before = handled();
    for batch in 0..100 {
        for i in 0..100 {
            let datagram: Vec<u8> = if (batch + i) % 2 == 0 {
                let len = rng.random_range(0..1500);
                (0..len).map(|_| rng.random()).collect()
            } else {
                valid[..rng.random_range(0..valid.len())].to_vec()
            };
            // A random datagram that happens to decode is not junk; skip it.
            if gossip_lab::wire::decode(&datagram).is_ok() {
                continue;
            }
            foreign.send_to(&datagram, target).unwrap();
            junk += 1;
        }
        // Pace the flood so the kernel's receive buffer never overflows:
        // wait until the node has read this batch.
        let deadline = Instant::now() + PATIENCE;
        while rejected() < junk {
            assert!(Instant::now() < deadline, "node read only {} of {junk} junk datagrams", rejected());
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    assert!(junk > 9_900, "only {junk} junk datagrams generated");
    assert_eq!(rejected(), junk, "every junk datagram is counted as rejected");

    // The node is still up, still serving its peers, and nobody learned a
    // member that does not exist.
    let before = handled();
    assert!(before > handled_before, "node 0 kept handling real traffic");
    // Node statuses come from metrics records (once a second): wait for
    // one taken after the flood.
    let flooded = rx.borrow().t;
    let reported = |s: &Snapshot| converged(4)(s) && s.nodes.iter().all(|n| n.status.at > flooded);
    let s = wait_for(&mut rx, "the cluster to stay converged", reported).await;
    assert_eq!(s.nodes.len(), 4);
    for node in &s.nodes {
        assert_eq!(node.status.members, 4, "node {} knows {} members", node.index, node.status.members);
    }
    let summary = running.stop().await.unwrap();
    assert_eq!(summary.traffic.rejected, junk);
    assert_eq!(summary.false_positives, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rogue_sends_from_its_own_socket_and_its_attacks_are_ground_truth_in_the_log() {
    use gossip_lab::observe::record::{RogueChange, RogueRecord};
    use gossip_lab::rogue::Attack;
    let dir = tempfile::tempdir().unwrap();
    let (mut running, mut rx) = start(4, dir.path()).await;
    wait_for(&mut rx, "convergence", converged(4)).await;
    let rogue = |attack, node, duration| Action::Rogue { attack, node: NodeRef::Index(node), count: None, duration };

    let feedback = running.apply(&rogue(Attack::Leave, 1, None)).await.unwrap();
    assert!(feedback.starts_with("rogue leave against node 1 (127.0.0.1:"), "{feedback}");
    assert!(feedback.ends_with(": 3 datagrams, 45 bytes"), "one to each other node: {feedback}");
    let e = running.apply(&rogue(Attack::AckMask, 3, None)).await.unwrap_err();
    assert_eq!(e.to_string(), "node 3 is up; cannot mask acks for it");
    running.apply(&Action::Crash { node: NodeRef::Index(2) }).await.unwrap();
    let feedback = running.apply(&rogue(Attack::AckMask, 2, Some(Duration::from_secs(1)))).await.unwrap();
    assert!(feedback.contains("ack_mask for 1s against node 2") && feedback.ends_with("datagrams/s"), "{feedback}");
    // The mask stops by itself, and says so in the log.
    let deadline = Instant::now() + PATIENCE;
    let stopped = |dir: &Path| {
        std::fs::read_to_string(dir.join("session.jsonl")).unwrap().matches("\"event\":\"stopped\"").count()
    };
    while stopped(dir.path()) < 2 {
        assert!(Instant::now() < deadline, "the mask never stopped");
        tokio::time::timeout(Duration::from_millis(100), rx.changed()).await.ok();
    }
    running.stop().await.unwrap();

    let log = read_log(dir.path());
    let rogue_lines: Vec<(f64, &RogueRecord)> = log
        .iter()
        .filter_map(|l| match &l.record {
            Record::Rogue(r) => Some((l.t_ms, r)),
            _ => None,
        })
        .collect();
    let events: Vec<(RogueChange, Attack, usize)> =
        rogue_lines.iter().map(|(_, r)| (r.event, r.attack, r.victim)).collect();
    assert_eq!(
        events,
        [
            (RogueChange::Started, Attack::Leave, 1),
            (RogueChange::Stopped, Attack::Leave, 1),
            (RogueChange::Started, Attack::AckMask, 2),
            (RogueChange::Stopped, Attack::AckMask, 2),
        ]
    );
    assert_eq!((rogue_lines[1].1.datagrams, rogue_lines[1].1.bytes), (3, 45));
    let (start, stop) = (rogue_lines[2].0, rogue_lines[3].0);
    assert!((800.0..5_000.0).contains(&(stop - start)), "the 1s mask ran from {start} to {stop} ms");
    assert!(rogue_lines[3].1.datagrams > 100, "{:?}", rogue_lines[3].1);
    // The victims' processes are untouched: the only action on a node is the crash.
    let actions: Vec<usize> = log
        .iter()
        .filter_map(|l| match l.record {
            Record::Node { node, event, .. } if event.is_action() => Some(node),
            _ => None,
        })
        .collect();
    assert_eq!(actions, [2]);
}

/// An observer over three fake nodes, writing into `dir`, fed by hand: the
/// sender, the observer, and a node event stamped at `ms` (its incarnation
/// is its stamp, to find it in the log).
fn bare_observer(
    dir: &Path,
) -> (
    tokio::sync::mpsc::Sender<gossip_lab::runtime::LabMsg>,
    gossip_lab::runtime::observer::Observer,
    impl Fn(u64) -> gossip_lab::runtime::LabMsg,
) {
    use gossip_lab::engine::Journal;
    use gossip_lab::observe::Mode;
    use gossip_lab::observe::NodeStatus;
    use gossip_lab::observe::security::SecurityRecord;
    use gossip_lab::protocol::{Event, NodeAddr};
    use gossip_lab::runtime::LabMsg;
    use gossip_lab::runtime::clock::LabClock;
    use gossip_lab::runtime::observer::{NodeHandles, Observer, ObserverOptions};

    let config = profile(3);
    let addrs: Vec<NodeAddr> = (0..3).map(|i| NodeAddr::new([127, 0, 0, 1].into(), 7000 + i)).collect();
    let security = SecurityRecord { auth: "none".into(), label: String::new(), key_id: None, key_source: None };
    let journal = Journal::start(&config, "udp", Mode::HandsOn, &addrs, security, Some(dir)).unwrap();
    let handles = addrs
        .iter()
        .map(|&addr| NodeHandles { addr, traffic: Arc::default(), status: Arc::new(NodeStatus::default().into()) })
        .collect();
    let options = ObserverOptions { snapshot_every: Duration::from_millis(100), metrics_every: Duration::from_secs(1) };
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let clock = LabClock::start();
    let observer = Observer::spawn(rx, journal, handles, clock, Default::default(), options);
    let member = addrs[1];
    let event = move |ms: u64| LabMsg::Node {
        t: Time::from_millis(ms),
        node: 0,
        event: Event::MemberChanged { member, from: None, to: State::Alive, incarnation: ms },
    };
    (tx, observer, event)
}

/// The observer on its own, in paused time: a metrics tick taken while
/// older node events are still on their way, a burst of events in no
/// order, and an event later than any window. Without the reordering
/// window the metrics line (stamped when the observer takes it) is written
/// before the older events, and the burst in arrival order: the assertion
/// below fails (checked by setting the windows to zero).
#[tokio::test(start_paused = true)]
async fn the_observer_writes_an_out_of_order_burst_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, observer, event) = bare_observer(dir.path());

    // Idle, paused time jumps to the next timer: the observer takes its
    // metrics line at 1 s before this sleep ends.
    tokio::time::sleep(Duration::from_millis(1001)).await;
    // try_send never yields: the observer finds the whole burst queued.
    for ms in [990, 930, 999, 900, 970] {
        tx.try_send(event(ms)).unwrap();
    }
    // Longer than the window after the 1 s metrics line: it and the burst
    // are written; then an event older than all of them comes in.
    tokio::time::sleep(Duration::from_millis(1500 - 1001)).await;
    tx.send(event(880)).await.unwrap();
    drop(tx);
    observer.finish().await.unwrap();

    let log = read_log(dir.path());
    let order: Vec<(f64, Option<u64>)> = log
        .iter()
        .filter_map(|l| match l.record {
            Record::Member { incarnation, .. } => Some((l.t_ms, Some(incarnation))),
            Record::Metrics(_) => Some((l.t_ms, None)),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            (0.0, None),
            (900.0, Some(900)),
            (930.0, Some(930)),
            (970.0, Some(970)),
            (990.0, Some(990)),
            (999.0, Some(999)),
            (1000.0, None),
            // Later than the window: written next, at the last stamp written.
            (1000.0, Some(880)),
            (1500.0, None),
        ]
    );
}

/// A lagging observer: events reach it long after they happened (a join
/// burst queues a million at 1,024 nodes), so its whole backlog is older
/// than the clock. The window must be measured on the stamps that came in,
/// not on the clock, or every line is let out on arrival and each one
/// behind a newer one is written late, at a raised stamp (three lines in
/// four of a 1,024-node join did). Fails with a clock-based window.
#[tokio::test(start_paused = true)]
async fn a_lagging_observer_still_orders_its_backlog_by_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, observer, event) = bare_observer(dir.path());
    // Paused time: the clock is at 1.45 s when events of 1.11-1.2 s arrive,
    // a lag past any clock-based window (the metrics line of 1 s is out).
    tokio::time::sleep(Duration::from_millis(1450)).await;
    for ms in [1150, 1120, 1180, 1110, 1200, 1190] {
        tx.try_send(event(ms)).unwrap();
    }
    drop(tx);
    observer.finish().await.unwrap();
    let stamps: Vec<(f64, u64)> = read_log(dir.path())
        .iter()
        .filter_map(|l| match l.record {
            Record::Member { incarnation, .. } => Some((l.t_ms, incarnation)),
            _ => None,
        })
        .collect();
    let want = [1110, 1120, 1150, 1180, 1190, 1200];
    assert_eq!(stamps, want.map(|ms| (ms as f64, ms)), "in stamp order, every stamp its own");
}
