//! The observer's snapshot pace can change while a lab runs: a
//! measurement window slows it down (each rebuild wakes the process's
//! runtime) and speeds it up again after. Waits on the snapshot channel,
//! never sleeps.

use std::time::Duration;

use gossip_lab::config::parse_profile;
use gossip_lab::observe::Mode;
use gossip_lab::runtime::launch_with;

#[path = "common/snapshots.rs"]
mod snapshots;

use snapshots::wait_for;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_snapshot_pace_takes_effect_without_waiting_out_the_old_one() {
    let text = "name = \"pace\"\nduration = \"10m\"\n[cluster]\nnodes = 4\nseed = 3\n";
    let config = parse_profile("pace", text).expect("valid profile");
    // An hour between snapshots: after the first, none would come in time.
    let running = launch_with(config, None, Duration::from_secs(3600), Mode::HandsOn).await.expect("lab starts");
    let mut rx = running.observer.snapshots();
    wait_for(&mut rx, "the first snapshot", |s| s.nodes.len() == 4).await;
    let first = rx.borrow().t;

    running.observer.set_snapshot_every(Duration::from_millis(20));
    wait_for(&mut rx, "a snapshot at the new pace", |s| s.t > first).await;
    let second = wait_for(&mut rx, "another one", |s| s.t > first + Duration::from_millis(20)).await.t;

    // A zero interval cannot be timed: it is taken as the shortest one,
    // and the observer (whose summary `stop` returns) keeps running.
    running.observer.set_snapshot_every(Duration::ZERO);
    wait_for(&mut rx, "a snapshot after a zero pace", |s| s.t > second).await;
    running.stop().await.expect("lab stops");
}
