//! Rumor spread among 1,000 simulated nodes, in a child process like the
//! lab runs: issue 5's spread target, held against the Serf model.

use std::time::Duration;

use gossip_lab::observe::model::serf_time_to;
use gossip_lab::sim::{Cluster, SimConfig};

use crate::cases::Case;
use crate::results::{SimRun, SimSpread};
use crate::{secs, since};

/// Rumor spread among `n` simulated nodes after they converged.
pub fn sim_rumor(case: &Case) -> SimRun {
    let Case::SimRumor { preset, n, seed } = case.clone() else { unreachable!() };
    let proto = preset.config();
    let model = secs(serf_time_to(0.9999, n, proto.gossip_nodes, proto.gossip_interval, 0.0));
    let mut out =
        SimRun { preset: Some(preset), n: Some(n), seed: Some(seed), spread: None, load1_at_start: None, error: None };
    let mut c = Cluster::new(SimConfig { protocol: proto, ..SimConfig::new(n, seed) }).expect("valid sim config");
    let start = c.now();
    let limit = start + Duration::from_secs(120);
    let Some(_) = c.run_until_pred(limit, Cluster::converged) else {
        out.error = Some("not converged in 120 virtual s".into());
        return out;
    };
    c.run_for(Duration::from_secs(5));
    let id = c.inject_rumor(n / 2, b"bench".to_vec()).expect("rumor injected");
    c.run_for(Duration::from_secs(30));
    let r = c.rumor(id).expect("rumor recorded");
    out.spread = Some(SimSpread {
        rumor_50_s: since(r.t50, r.injected_at),
        rumor_99_s: since(r.t99, r.injected_at),
        rumor_100_s: since(r.t100, r.injected_at),
        delivered: r.delivered,
        target: r.target,
        packets: r.packets,
        serf_9999_s: model,
    });
    out
}
