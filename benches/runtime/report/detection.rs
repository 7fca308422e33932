//! The detection-and-spread table: our runs' medians beside the model's
//! bounds and memberlist's runs.

use gossip_lab::observe::model::{detection_bounds, serf_time_to};
use gossip_lab::protocol::Config;

use super::Report;
use super::fmt::fmt_num;
use crate::figures::{Figure, Figures, stats};
use crate::results::LabRun;
use crate::secs;

impl Report<'_> {
    /// The sizes of the detection runs, in run order.
    pub(super) fn detect_sizes(&self) -> Vec<usize> {
        let mut sizes: Vec<usize> = self.detect.iter().map(|r| r.n).collect();
        sizes.dedup();
        sizes
    }

    /// The detection runs at `n`.
    pub(super) fn detect_runs(&self, n: usize) -> Vec<&LabRun> {
        self.detect.iter().filter(|r| r.n == n).collect()
    }

    pub(super) fn detection_section(&self) -> String {
        let mut s = String::from("### Detection and spread (`lan`, crash of node N/2)\n\n");
        if self.detect.is_empty() {
            return s + "Not run.\n\n";
        }
        s.push_str(
            "Each run: a fresh lab (seed 101, 102, …), join, settle, a rumor from node 0, then the crash. \
             Times from the crash (or the injection). Model: `observe::model::detection_bounds`. For \
             first suspicion, T·(2 − 1/N) (the README's theory overlay). For first dead and all dead, two figures: \
             *confirmed* uses the shortest suspicion timeout, as when Lifeguard's confirmations arrive in \
             time, and *ceiling* the longest, as when none arrive; all dead adds the Serf 99.99 % spread. \
             Rumor: `serf_time_to(0.5 / 0.99 / 0.9999)`. memberlist: the median of its `default` runs at \
             that N in this bench, with their count (first suspect = its `first_detect_s`).\n\n\
             | N | metric | runs | median | min | max | model: confirmed / ceiling | memberlist (runs) |\n\
             |--:|---|--:|--:|--:|--:|--:|--:|\n",
        );
        for n in self.detect_sizes() {
            let runs = self.detect_runs(n);
            let figures: Vec<Figures> = runs.iter().map(|r| Figures::of(r)).collect();
            let c = Config::lan();
            let b = detection_bounds(&c, n);
            let serf = |f| secs(serf_time_to(f, n, c.gossip_nodes, c.gossip_interval, 0.0));
            let min_timeout = secs(c.suspicion_min(n));
            let confirmed_dead = fmt_num(secs(b.first_suspect) + min_timeout);
            // Each row: its label, our figure, the model, and memberlist's
            // figure (its first suspicion is its `first_detect_s`).
            let rows: [(&str, Figure, String, Option<Figure>); 6] = [
                ("first suspicion", |f| f.first_suspect_s, fmt_num(secs(b.first_suspect)), Some(|f| f.first_detect_s)),
                (
                    "first dead",
                    |f| f.first_dead_s,
                    format!("{confirmed_dead} / {}", fmt_num(secs(b.first_dead))),
                    Some(|f| f.first_dead_s),
                ),
                (
                    "all dead",
                    |f| f.full_detect_s,
                    format!("{} / {}", fmt_num(secs(b.full_confirmed)), fmt_num(secs(b.full))),
                    Some(|f| f.full_detect_s),
                ),
                ("rumor 50 %", |f| f.rumor_50_s, fmt_num(serf(0.5)), None),
                ("rumor 99 %", |f| f.rumor_99_s, fmt_num(serf(0.99)), None),
                ("rumor 100 %", |f| f.rumor_100_s, fmt_num(serf(0.9999)), None),
            ];
            for (label, figure, model, ml_figure) in rows {
                let st = stats(figures.iter().map(figure));
                let (med, min, max, k) = st.map_or(("–".into(), "–".into(), "–".into(), 0), |st| {
                    (fmt_num(st.median), fmt_num(st.min), fmt_num(st.max), st.count)
                });
                let mlv = match ml_figure.and_then(|f| self.peers.detect_median("memberlist", n, f)) {
                    Some(ml) => format!("{} ({})", fmt_num(ml.median), ml.count),
                    None => "–".into(),
                };
                s.push_str(&format!(
                    "| {n} | {label} | {k}/{} | {med} | {min} | {max} | {model} | {mlv} |\n",
                    runs.len()
                ));
            }
            let health = || runs.iter().filter_map(|r| r.health.as_ref());
            let fp: usize = health().map(|h| h.false_dead).sum();
            let fs: usize = health().map(|h| h.false_suspects).sum();
            let loads: Vec<&str> = runs.iter().filter_map(|r| r.load1_at_start.as_deref()).collect();
            s.push_str(&format!(
                "| {n} | false suspicions / deaths (all runs) | | {fs} / {fp} | | | 0 | |\n| {n} | load at start of each run | | {} | | | | |\n",
                loads.join(" ")
            ));
        }
        s.push('\n');
        s
    }
}
