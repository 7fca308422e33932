//! Issue 5's targets and issue 13's CPU target, each with what this run
//! measured and whether it met it.

use std::collections::BTreeMap;

use gossip_lab::observe::model::detection_bounds;
use gossip_lab::protocol::Config;

use super::fmt::{cell, fmt_num, ratio};
use super::{Report, sim_within_bound};
use crate::cases::Preset;
use crate::figures::{Figures, stats};
use crate::secs;

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "not measured",
    }
}

impl Report<'_> {
    /// The targets table.
    pub(super) fn targets(&self) -> String {
        let mut s = String::from("### Targets (issues 5 and 13)\n\n| target | measured | met? |\n|---|---|:-:|\n");
        let lan_row = |n: usize| self.ours.iter().find(|r| r.preset == Preset::Lan && r.n == n);
        // CPU ≤ foca's, lan: issue 5 at N = 256 and 1,024, issue 13 also
        // at 16 and 64.
        for n in [16, 64, 256, 1024] {
            let fo = self.peers.find("foca", "default", n);
            let (a, b) = (lan_row(n).and_then(|r| r.figures.cpu_per_node_per_s), fo.and_then(|f| f.cpu_per_node_per_s));
            let ok = a.zip(b).map(|(a, b)| a <= b);
            s.push_str(&format!(
                "| CPU/node/s ≤ foca's, lan, N = {n} | gossip-lab {} vs foca {} (ratio {}) | {} |\n",
                a.map_or("–".into(), fmt_num),
                b.map_or("–".into(), fmt_num),
                ratio(a, b),
                verdict(ok)
            ));
        }
        // Full detection ≤ memberlist's and within 10 % of the bound. The
        // bound held to is the confirmed one (the shortest suspicion
        // timeout), the stricter of the two the config implies.
        for n in self.detect_sizes() {
            let med = stats(self.detect_runs(n).iter().map(|r| Figures::of(r).full_detect_s));
            let ml = self.peers.detect_median("memberlist", n, |f| f.full_detect_s);
            let bound = secs(detection_bounds(&Config::lan(), n).full_confirmed);
            let ok = med.map(|m| m.median <= bound * 1.1 && ml.is_none_or(|ml| m.median <= ml.median));
            s.push_str(&format!(
                "| full detection ≤ memberlist's and ≤ 1.1 × the confirmed bound, lan, N = {n} | median {} s \
                 (max {}) vs memberlist {} s (median of {} runs), bound {} s | {} |\n",
                med.map_or("–".into(), |m| fmt_num(m.median)),
                med.map_or("–".into(), |m| fmt_num(m.max)),
                ml.map_or("–".into(), |m| fmt_num(m.median)),
                ml.map_or(0, |m| m.count),
                fmt_num(bound),
                verdict(ok)
            ));
        }
        // 1,024 fast for 5 minutes with 0 false positives.
        let long = self.long.map(|run| (run, Figures::of(run)));
        let ok = long.map(|(run, f)| {
            run.error.is_none()
                && run.health.as_ref().map(|h| h.false_dead) == Some(0)
                && f.steady_window_s.is_some_and(|w| w >= 300.0)
        });
        s.push_str(&format!(
            "| 1,024 nodes, fast, 5 min, 0 false positives | {} | {} |\n",
            long.map_or("not run".into(), |(run, f)| format!(
                "held {} s, false deaths {}, false suspicions {}{}",
                cell(f.steady_window_s),
                cell(f.false_dead),
                cell(f.false_suspects),
                run.error.as_ref().map(|e| format!(", error: {e}")).unwrap_or_default()
            )),
            verdict(ok)
        ));
        // Join of 1,024 lan within 10 s.
        let j = lan_row(1024);
        let jt = j.and_then(|r| r.figures.join_converge_s);
        s.push_str(&format!(
            "| join: 1,024 nodes, lan, full member list everywhere within 10 s | {} | {} |\n",
            j.map_or("not run".into(), |r| format!(
                "all: {} s, 90 %: {} s",
                cell(r.figures.join_converge_s),
                cell(r.figures.join_90pct_s)
            )),
            verdict(j.map(|_| jt.is_some_and(|t| t <= 10.0)))
        ));
        // Rumor to 1,000 nodes within 1.2 × the Serf 99.99 % time.
        let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for run in self.sim {
            let e = by.entry(run.preset.map_or("?", Preset::name)).or_default();
            e.0 += usize::from(sim_within_bound(run));
            e.1 += 1;
        }
        for (preset, (ok, all)) in by {
            s.push_str(&format!(
                "| rumor to 100 % of 1,000 nodes ≤ 1.2 × Serf 99.99 %, {preset} (simulator) | {ok} of {all} seeds | {} |\n",
                verdict(Some(ok == all))
            ));
        }
        s.push('\n');
        s
    }
}
