//! Waiting on a simulated cluster, shared by the simulator scenarios of
//! both families: run until every node's view matches the truth, within a
//! limit, and say how long it took.

use std::time::Duration;

use gossip_lab::sim::Cluster;

/// Runs until converged, within `limit`; returns the time it took.
pub fn converge(c: &mut Cluster, limit: Duration) -> Duration {
    let start = c.now();
    let at = c.run_until_pred(start + limit, Cluster::converged);
    at.unwrap_or_else(|| panic!("not converged {limit:?} after {start}: accuracy {}", c.accuracy())) - start
}
