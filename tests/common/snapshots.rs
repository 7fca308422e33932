//! Waiting on a live lab's snapshots, for the real-socket tests: a
//! condition is checked as each snapshot arrives, against a generous
//! deadline, never slept for. Shared by `runtime_*.rs` through `#[path]`.

use std::sync::Arc;
use std::time::Duration;

use gossip_lab::observe::Snapshot;
use tokio::sync::watch;
use tokio::time::Instant;

/// Far beyond what the tests' small labs need, so a loaded 2-core machine
/// never makes one flake; a lab that is truly stuck still fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Waits until `pred` holds for a snapshot and returns it; panics after
/// [`PATIENCE`], naming `what` and where the lab stood.
pub async fn wait_for(
    rx: &mut watch::Receiver<Arc<Snapshot>>,
    what: &str,
    pred: impl Fn(&Snapshot) -> bool,
) -> Arc<Snapshot> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let snap = rx.borrow_and_update().clone();
        if pred(&snap) {
            return snap;
        }
        if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
            panic!(
                "waited {PATIENCE:?} for {what}: at {}, {} of {} up, agreement {:.2}, accuracy {:.2}",
                snap.t,
                snap.up(),
                snap.nodes.len(),
                snap.agreement,
                snap.accuracy
            );
        }
    }
}
