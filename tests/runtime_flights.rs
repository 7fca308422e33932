//! The datagram sample end to end on real loopback sockets: what the
//! shims send reaches the dashboard's snapshot as flights between lab
//! nodes, and a partition's drops arrive marked dropped, between nodes of
//! different groups. Waits on the snapshot channel, never sleeps.

use gossip_lab::config::parse_profile;
use gossip_lab::observe::snapshot::FLIGHT_WINDOW;
use gossip_lab::runtime::launch;
use gossip_lab::scenario::{Action, Groups};

#[path = "common/snapshots.rs"]
mod snapshots;

use snapshots::wait_for;

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
