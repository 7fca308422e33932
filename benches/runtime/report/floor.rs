//! The syscall floor measured in the same run as the lab (issue 13): the
//! least CPU a UDP gossip node sending a row's datagrams could spend, and
//! each row's CPU as a multiple of it.

use crate::figures::Figures;
use crate::floor::{Costs, cost_at};

use super::fmt::fmt_num;

/// The floor's costs per size: the least of this run's measurements of
/// each size. A floor is a lower bound, and noise on a shared machine only
/// adds CPU, so the least measurement is the closest to it.
pub fn least(measured: &[Costs]) -> Option<Costs> {
    let mut out = *measured.first()?;
    for costs in &measured[1..] {
        for (o, c) in out.iter_mut().zip(costs) {
            o.1 = o.1.min(c.1);
        }
    }
    Some(out)
}

/// A row's CPU per node per second ÷ its floor: the datagrams a node sent
/// per second × the cost of one of the row's mean size, sent and received.
pub fn ratio(f: &Figures, costs: &Costs) -> Option<f64> {
    let (cpu, pkts, bytes) = (f.cpu_per_node_per_s?, f.pkts_per_node_per_s?, f.bytes_per_node_per_s?);
    let floor = pkts * cost_at(costs, bytes / pkts.max(f64::MIN_POSITIVE));
    (floor > 0.0).then(|| cpu / floor)
}

/// The method paragraph: how many times the floor was measured, when,
/// and the [`least`] costs kept.
pub fn paragraph(times: usize, least: Option<&Costs>) -> String {
    let Some(costs) = least else {
        return "The syscall floor was not measured in this run (a run saved before it was).\n\n".into();
    };
    let sizes: Vec<String> = costs.iter().map(|(size, c)| format!("{} µs at {size} B", fmt_num(c * 1e6))).collect();
    format!(
        "Syscall floor, measured {} times in this run (before the scale runs and after the peers) as \
         `cargo bench --bench floor` does (one thread, `send_to` + `recv_from` per datagram on \
         127.0.0.1, no wake-up), the least of each size kept: {}. A row's floor is its datagrams per node \
         per second × the cost at its mean datagram size (linear between the sizes); \"÷ floor\" is its \
         CPU per node per second over that.\n\n",
        times,
        sizes.join(", ")
    )
}
