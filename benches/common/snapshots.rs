//! Waiting on a live lab's snapshots, for the benches that drive one: a
//! condition is polled against a deadline as each snapshot arrives, never
//! slept for.

use std::sync::Arc;

use gossip_lab::observe::Snapshot;
use tokio::sync::watch;

/// Waits until `pred` holds for a snapshot or `deadline` passes; the last
/// snapshot seen either way.
pub async fn wait_for(
    rx: &mut watch::Receiver<Arc<Snapshot>>,
    deadline: tokio::time::Instant,
    mut pred: impl FnMut(&Snapshot) -> bool,
) -> (bool, Arc<Snapshot>) {
    loop {
        let snap = rx.borrow_and_update().clone();
        if pred(&snap) {
            return (true, snap);
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            _ => return (false, snap),
        }
    }
}
