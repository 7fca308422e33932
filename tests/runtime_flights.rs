//! The datagram sample end to end on real loopback sockets: what the
//! shims send reaches the dashboard's snapshot as flights between lab
//! nodes, and a partition's drops arrive marked dropped, between nodes of
//! different groups. Waits on the snapshot channel, never sleeps.

use std::sync::Arc;
use std::time::Duration;

use gossip_lab::config::parse_profile;
use gossip_lab::observe::Snapshot;
use gossip_lab::observe::snapshot::FLIGHT_WINDOW;
use gossip_lab::runtime::launch;
use gossip_lab::scenario::{Action, Groups};
use tokio::sync::watch;
use tokio::time::Instant;

/// Far beyond what a 4-node lab needs (it sends within milliseconds).
const PATIENCE: Duration = Duration::from_secs(30);

async fn wait_for(rx: &mut watch::Receiver<Arc<Snapshot>>, what: &str, pred: impl Fn(&Snapshot) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if pred(&rx.borrow_and_update()) {
            return;
        }
        if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
            panic!("waited {PATIENCE:?} for {what}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sampled_datagrams_reach_the_snapshot_and_partition_drops_are_marked() {
    let text =
        "name = \"flights\"\nduration = \"10m\"\n[cluster]\nnodes = 4\nseed = 7\n[protocol]\npreset = \"fast\"\n";
    let config = parse_profile("flights", text).expect("valid profile");
    let mut running = launch(config, None).await.expect("lab starts");
    let mut rx = running.observer.snapshots();

    wait_for(&mut rx, "flights between lab nodes", |s| {
        !s.flights.is_empty()
            && s.flight_stride >= 1
            && s.flights.iter().all(|f| f.from < 4 && f.to < 4 && f.from != f.to && f.age <= FLIGHT_WINDOW)
            && s.flights.windows(2).all(|w| w[0].age <= w[1].age)
    })
    .await;
    assert!(!rx.borrow().flights.iter().any(|f| f.dropped), "nothing drops before a fault");

    running.apply(&Action::Partition { groups: Groups::Halves, one_way: false }).await.expect("partition");
    let half = |i: usize| i < 2;
    wait_for(&mut rx, "a dropped flight across the partition", |s| {
        s.flights.iter().any(|f| f.dropped && half(f.from) != half(f.to))
    })
    .await;
    let snap = rx.borrow().clone();
    assert!(
        snap.flights.iter().filter(|f| f.dropped).all(|f| half(f.from) != half(f.to)),
        "only datagrams across the partition drop: {:?}",
        snap.flights
    );
    running.stop().await.expect("lab stops");
}
