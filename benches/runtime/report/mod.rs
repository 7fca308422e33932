//! The `runtime.md` section of BENCHMARKS.md, written from typed results:
//! the method, then one table per part of the bench.

mod detection;
mod floor;
mod fmt;
mod targets;

use std::path::Path;
use std::time::Duration;

use crate::cases::Preset;
use crate::figures::{Figure, Figures, Row};
use crate::peers::Peers;
use crate::results::{LabRun, SimRun};
use crate::saved::Meta;
use crate::{Options, write};
use fmt::{cell, fmt_num, kib, mib, ratio};

/// Everything a report is written from.
pub struct Report<'a> {
    pub opts: &'a Options,
    /// The scale table's rows.
    pub ours: &'a [Row],
    pub detect: &'a [LabRun],
    pub long: Option<&'a LabRun>,
    pub sim: &'a [SimRun],
    pub peers: &'a Peers,
}

/// The figures set beside the peers', with their labels.
const PEER_METRICS: [(&str, Figure); 10] = [
    ("CPU s/node/s", |f| f.cpu_per_node_per_s),
    ("CPU s/node/s incl. AE", |f| f.est_cpu_per_node_per_s_incl_ae),
    ("pkts/node/s", |f| f.pkts_per_node_per_s),
    ("B/node/s", |f| f.bytes_per_node_per_s),
    ("B/node/s incl. AE", |f| f.est_bytes_per_node_per_s_incl_ae),
    ("join 90% s", |f| f.join_90pct_s),
    ("join all s", |f| f.join_converge_s),
    ("1st suspect s", |f| f.first_detect_s),
    ("1st dead s", |f| f.first_dead_s),
    ("all dead s", |f| f.full_detect_s),
];

impl Report<'_> {
    /// The section as `runtime.md` in `dir`; returns it.
    pub fn write(&self, meta: &Meta, dir: &Path) -> String {
        let md = self.markdown(meta).replacen(
            "## Real runtime\n\n",
            &format!("## Real runtime\n\nRecorded {}.\n\n", meta.recorded),
            1,
        );
        write(&dir.join("runtime.md"), &md);
        md
    }

    fn markdown(&self, meta: &Meta) -> String {
        let (load_before, load_after) = (&meta.load_before, &meta.load_after);
        let took = Duration::from_secs(meta.took_s);
        let mut s = String::new();
        let o = self.opts;
        let presets: Vec<&str> = o.presets.iter().map(|p| p.name()).collect();
        s.push_str("## Real runtime\n\n");
        s.push_str(&format!(
            "`benches/runtime/` ({} mode): the real lab (one tokio task and one UDP socket per node on \
             127.0.0.1, on one single-threaded runtime per core; the observer on a 2-worker runtime, taking \
             the dashboard's ten snapshots a second except in the steady window, which takes one a second \
             as `gossip-lab run` does), \
             each configuration in its own child process. Sizes {:?}, presets {presets:?}, steady window {} s, \
             {} run(s) per scale configuration (seeds 1, 2, …; each figure in the scale table is the median \
             over them, and the load shown is the first run's), detection sizes {:?} × {} runs. Load average (1, 5, 15 min) {load_before} before and \
             {load_after} after; the whole bench took {} s. Every row also shows the 1-minute load when \
             its child started.\n\n",
            if o.quick { "quick" } else { "full" },
            o.sizes,
            o.window_s,
            o.scale_runs,
            o.detect_sizes,
            o.detect_runs,
            took.as_secs()
        ));
        s.push_str(
            "Method (the peers' own, see ../shared/peers/README.md): join = lab start → every node holds \
             every member alive (`Snapshot::converged`, checked every 100 ms); 90 % = the time 90 % of \
             the nodes report a full member list; settle until two 1-s packet counts agree within 15 % \
             with datagrams < 200 B (2–30 s); CPU = `getrusage(RUSAGE_SELF)` user+sys over the window ÷ \
             (N × window), which includes the tokio runtime, the observer (metrics, 10 snapshots/s) \
             and the harness; packets and bytes = the nodes' send counters. Anti-entropy \
             (push-pull) rarely falls in the window; \"incl. AE\" adds one exchange per node per \
             push-pull period (bytes measured in the window when exchanges happened, else computed \
             by encoding the chunks; CPU estimated as the window's CPU per datagram × datagrams per \
             exchange). Then a rumor from node 0 and the crash of node N/2.\n\n",
        );
        let least = floor::least(&meta.floor);
        s.push_str(&floor::paragraph(meta.floor.len(), least.as_ref()));
        s.push_str(&self.scale_table(least));
        s.push_str(&self.peers_table());
        s.push_str(&self.detection_section());
        if let Some(run) = self.long {
            s.push_str(&long_run(run));
        }
        s.push_str(&self.sim_table());
        s.push_str(&self.targets());
        s
    }

    fn scale_table(&self, floor: Option<crate::floor::Costs>) -> String {
        let mut s = String::from("### Steady state at scale (no faults)\n\n");
        s.push_str(
            "| preset | N | load | join 90% s | join all s | settle s | CPU s/node/s | CPU incl. AE (est.) | \
             ÷ floor | pkts/node/s | B/node/s | B/node/s incl. AE | AE B/exchange | peak RSS MiB | RSS KiB/node | \
             false suspects | false dead | rumor 100% s | 1st suspect s | all dead s | error |\n",
        );
        s.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for row in self.ours {
            let f = &row.figures;
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                row.preset,
                row.n,
                row.load.as_deref().unwrap_or("?"),
                cell(f.join_90pct_s),
                cell(f.join_converge_s),
                cell(f.settle_s),
                cell(f.cpu_per_node_per_s),
                cell(f.est_cpu_per_node_per_s_incl_ae),
                cell(floor.and_then(|c| floor::ratio(f, &c))),
                cell(f.pkts_per_node_per_s),
                cell(f.bytes_per_node_per_s),
                cell(f.est_bytes_per_node_per_s_incl_ae),
                cell(f.antientropy_bytes),
                mib(f.peak_rss_bytes),
                kib(f.rss_per_node_bytes),
                cell(f.false_suspects),
                cell(f.false_dead),
                cell(f.rumor_100_s),
                cell(f.first_detect_s),
                cell(f.full_detect_s),
                row.error.as_deref().unwrap_or(""),
            ));
        }
        s.push('\n');
        s
    }

    fn peers_table(&self) -> String {
        let mut s = String::from("### Side by side with memberlist and foca\n\n");
        if let Some(why) = &self.peers.skipped {
            s.push_str(&format!("Peers not run: {why}.\n\n"));
            return s;
        }
        for note in &self.peers.notes {
            s.push_str(&format!("- {note}\n"));
        }
        s.push_str(
            "\nRaw lines: `target/bench-results/{memberlist,foca}.jsonl`, and the further `default` runs in \
             `{memberlist,foca}-run-K.jsonl`. Each peer figure is the median over that peer's runs at the \
             (config, N), as each of ours is over our runs. Ratios are gossip-lab ÷ peer \
             (below 1: gossip-lab uses less / is faster). \"–\": the run produced no figure (see \
             the peers' README: a run that never reaches 90 % join reports nothing).\n\n",
        );
        s.push_str(
            "| config | N | metric | gossip-lab | memberlist | foca | ÷ memberlist | ÷ foca |\n|---|--:|---|--:|--:|--:|--:|--:|\n",
        );
        for row in self.ours {
            let (config, n) = (row.config.as_str(), row.n);
            let ml = self.peers.find("memberlist", config, n);
            let fo = self.peers.find("foca", config, n);
            for (label, figure) in PEER_METRICS {
                let ours = figure(&row.figures);
                let (m, f) = (ml.as_ref().and_then(figure), fo.as_ref().and_then(figure));
                let show = |x: Option<f64>| x.map_or("–".into(), fmt_num);
                s.push_str(&format!(
                    "| {config} | {n} | {label} | {} | {} | {} | {} | {} |\n",
                    show(ours),
                    show(m),
                    show(f),
                    ratio(ours, m),
                    ratio(ours, f)
                ));
            }
        }
        s.push('\n');
        s
    }

    fn sim_table(&self) -> String {
        if self.sim.is_empty() {
            return String::new();
        }
        let mut s = String::from(
            "### Rumor spread to 1,000 nodes (simulator)\n\n`gossip_lab::sim`, perfect network, rumor \
             injected at node 500 five virtual seconds after convergence. Serf model: \
             `observe::model::serf_time_to(0.9999, …)`.\n\n\
             | preset | seed | 50 % s | 99 % s | 100 % s | Serf 99.99 % s | 100 % ÷ model | ≤ 1.2× |\n\
             |---|--:|--:|--:|--:|--:|--:|:-:|\n",
        );
        for run in self.sim {
            let spread = run.spread.as_ref();
            let (t, m) = (spread.and_then(|r| r.rumor_100_s), spread.map(|r| r.serf_9999_s));
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                run.preset.map_or("?", Preset::name),
                run.seed.map_or("null".into(), |s| s.to_string()),
                cell(spread.and_then(|r| r.rumor_50_s)),
                cell(spread.and_then(|r| r.rumor_99_s)),
                cell(t),
                cell(m),
                ratio(t, m),
                if sim_within_bound(run) { "yes" } else { "**no**" }
            ));
        }
        s.push('\n');
        s
    }
}

/// True when a simulated rumor reached 100 % within 1.2 × the Serf model's
/// 99.99 % time: issue 5's target.
fn sim_within_bound(run: &SimRun) -> bool {
    run.spread.as_ref().is_some_and(|r| r.rumor_100_s.is_some_and(|t| t <= 1.2 * r.serf_9999_s))
}

fn long_run(run: &LabRun) -> String {
    let f = Figures::of(run);
    format!(
        "### Long run\n\n{} nodes, `fast`, held {} s after settling (load {} at start): CPU \
         {} s/node/s, {} pkts/node/s, {} B/node/s, false suspicions {}, false deaths {}, peak RSS \
         {} MiB, join {} s (90 %: {} s).{}\n\n",
        run.n,
        cell(f.steady_window_s),
        run.load1_at_start.as_deref().unwrap_or("?"),
        cell(f.cpu_per_node_per_s),
        cell(f.pkts_per_node_per_s),
        cell(f.bytes_per_node_per_s),
        cell(f.false_suspects),
        cell(f.false_dead),
        mib(f.peak_rss_bytes),
        cell(f.join_converge_s),
        cell(f.join_90pct_s),
        run.error.as_ref().map(|e| format!(" Error: {e}.")).unwrap_or_default(),
    )
}
