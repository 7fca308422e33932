//! The figures the tables show, read from our runs and the peers' alike,
//! and how several runs of one configuration become one row (medians).

use serde::Deserialize;

use crate::cases::Preset;
use crate::results::LabRun;

/// Median, min and max of the values present, and how many there were.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

/// The [`Stats`] of the values present; None when there are none.
pub fn stats(values: impl IntoIterator<Item = Option<f64>>) -> Option<Stats> {
    let mut v: Vec<f64> = values.into_iter().flatten().collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    Some(Stats { median: m, min: v[0], max: v[v.len() - 1], count: v.len() })
}

/// One figure of a run, by accessor rather than by key.
pub type Figure = fn(&Figures) -> Option<f64>;

/// Declares [`Figures`] and its per-field median from one list of fields,
/// so that a figure added to the tables is medianed without a second list.
macro_rules! figures {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// The numbers a table may show for a run or a row, under the
        /// peers' field names (a peer's JSON line reads straight into it);
        /// None when the run did not measure it. Counts are held as `f64`
        /// since a row's median of counts may fall between two.
        #[derive(Clone, Copy, Debug, Default, Deserialize)]
        #[serde(default)]
        pub struct Figures {
            $($(#[$doc])* pub $field: Option<f64>,)*
        }

        impl Figures {
            /// Each figure's median over the runs that have it.
            pub fn median(runs: &[Figures]) -> Figures {
                Figures { $($field: stats(runs.iter().map(|r| r.$field)).map(|s| s.median),)* }
            }
        }
    };
}

figures! {
    join_90pct_s,
    join_converge_s,
    settle_s,
    steady_window_s,
    cpu_per_node_per_s,
    /// Anti-entropy included, estimated (see the module doc of `main`).
    est_cpu_per_node_per_s_incl_ae,
    pkts_per_node_per_s,
    bytes_per_node_per_s,
    est_bytes_per_node_per_s_incl_ae,
    /// One exchange, both directions.
    antientropy_bytes,
    peak_rss_bytes,
    rss_per_node_bytes,
    false_suspects,
    false_dead,
    rumor_50_s,
    rumor_99_s,
    rumor_100_s,
    first_detect_s,
    first_suspect_s,
    first_dead_s,
    full_detect_s,
}

impl Figures {
    /// What one of our runs measured.
    pub fn of(run: &LabRun) -> Figures {
        let (join, settle, window) = (run.join.as_ref(), run.settle.as_ref(), run.window.as_ref());
        let (rumor, crash, health) = (run.rumor.as_ref(), run.crash.as_ref(), run.health.as_ref());
        let count = |x: u64| x as f64;
        let many = |x: usize| x as f64;
        Figures {
            join_90pct_s: join.and_then(|j| j.join_90pct_s),
            join_converge_s: join.and_then(|j| j.join_converge_s),
            settle_s: settle.map(|s| s.settle_s),
            steady_window_s: window.map(|w| w.steady_window_s),
            cpu_per_node_per_s: window.map(|w| w.cpu_per_node_per_s),
            est_cpu_per_node_per_s_incl_ae: window.map(|w| w.est_cpu_per_node_per_s_incl_ae),
            pkts_per_node_per_s: window.map(|w| w.pkts_per_node_per_s),
            bytes_per_node_per_s: window.map(|w| w.bytes_per_node_per_s),
            est_bytes_per_node_per_s_incl_ae: window.map(|w| w.est_bytes_per_node_per_s_incl_ae),
            antientropy_bytes: window.map(|w| w.antientropy_bytes),
            peak_rss_bytes: health.map(|h| count(h.peak_rss_bytes)),
            rss_per_node_bytes: window.map(|w| count(w.rss_per_node_bytes)),
            false_suspects: health.map(|h| many(h.false_suspects)),
            false_dead: health.map(|h| many(h.false_dead)),
            rumor_50_s: rumor.and_then(|r| r.rumor_50_s),
            rumor_99_s: rumor.and_then(|r| r.rumor_99_s),
            rumor_100_s: rumor.and_then(|r| r.rumor_100_s),
            first_detect_s: crash.and_then(|c| c.times.first_detect_s),
            first_suspect_s: crash.and_then(|c| c.times.first_suspect_s),
            first_dead_s: crash.and_then(|c| c.times.first_dead_s),
            full_detect_s: crash.and_then(|c| c.times.full_detect_s),
        }
    }
}

/// One row of the scale table: several runs of one configuration.
#[derive(Clone, Debug)]
pub struct Row {
    pub preset: Preset,
    pub n: usize,
    /// The preset under the peers' name.
    pub config: String,
    /// The 1-minute load when the first run started.
    pub load: Option<String>,
    /// Each figure's median over the runs that have it.
    pub figures: Figures,
    /// The first failure, with how many runs failed.
    pub error: Option<String>,
}

impl Row {
    /// The row of `runs` (all of one preset and size; at least one).
    pub fn of(runs: &[LabRun]) -> Row {
        let first = &runs[0];
        let failed: Vec<&str> = runs.iter().filter_map(|r| r.error.as_deref()).collect();
        Row {
            preset: first.preset,
            n: first.n,
            config: first.config.clone(),
            load: first.load1_at_start.clone(),
            figures: Figures::median(&runs.iter().map(Figures::of).collect::<Vec<_>>()),
            error: failed.first().map(|e| format!("{} of {} runs: {e}", failed.len(), runs.len())),
        }
    }
}
