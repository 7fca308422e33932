//! What a child reports and the parent saves: one typed record per run, in
//! place of string-keyed JSON, so that a misspelt field fails to compile
//! instead of printing "–".
//!
//! The JSON field names are the peers' (`../shared/peers/README.md`), so a
//! line of `runtime.jsonl` reads like a line of `memberlist.jsonl`. Fields
//! that a run sets together are grouped in a flattened, optional struct:
//! the group is present exactly when the run got that far (a run that
//! failed to join has no settle or window figures), as in the files that
//! earlier versions of this bench wrote, which still read.

use serde::{Deserialize, Serialize};

use crate::cases::{Preset, Role};

/// One real lab run: a line of `runtime.jsonl`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabRun {
    /// Always `gossip-lab`; the peers' lines name their implementation here.
    #[serde(rename = "impl")]
    pub implementation: String,
    pub n: usize,
    /// The preset under the peers' name for it (`lan` is their `default`).
    pub config: String,
    pub preset: Preset,
    pub role: Role,
    pub seed: u64,
    /// Absent when the child could not run at all.
    #[serde(flatten)]
    pub setup: Option<Setup>,
    #[serde(flatten)]
    pub join: Option<Join>,
    #[serde(flatten)]
    pub settle: Option<Settle>,
    #[serde(flatten)]
    pub window: Option<Window>,
    #[serde(flatten)]
    pub rumor: Option<Spread>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rumor_error: Option<String>,
    #[serde(flatten)]
    pub crash: Option<Crash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash_error: Option<String>,
    /// Absent when the lab never launched.
    #[serde(flatten)]
    pub health: Option<Health>,
    /// Set by the parent: the 1-minute load when the child started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load1_at_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl LabRun {
    /// A run with only its identity: what the parent records for a child
    /// that failed before reporting.
    pub fn new(preset: Preset, n: usize, seed: u64, role: Role) -> LabRun {
        LabRun {
            implementation: "gossip-lab".into(),
            n,
            config: preset.peer_config().into(),
            preset,
            role,
            seed,
            setup: None,
            join: None,
            settle: None,
            window: None,
            rumor: None,
            rumor_error: None,
            crash: None,
            crash_error: None,
            health: None,
            load1_at_start: None,
            error: None,
        }
    }
}

/// How the lab was set up, for comparing with the peers' settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Setup {
    pub worker_threads: usize,
    pub probe_interval_ms: u64,
    pub probe_timeout_ms: u64,
    pub gossip_interval_ms: u64,
    pub pushpull_interval_ms: u64,
    /// RSS before the lab started, subtracted from the per-node figure.
    pub rss_baseline_bytes: u64,
}

/// Lab start until every node holds every member alive.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Join {
    /// None: not converged within the join timeout.
    pub join_converge_s: Option<f64>,
    pub join_90pct_s: Option<f64>,
    pub join_full_nodes: usize,
}

/// The wait for the post-join backlog to drain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settle {
    pub settle_s: f64,
    /// False: the settle period ran out before traffic was quiet.
    pub settle_quiet: bool,
}

/// The steady-state window's figures, anti-entropy apart.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Window {
    pub steady_window_s: f64,
    pub cpu_per_node_per_s: f64,
    pub cpu_cores_used: f64,
    pub pkts_per_node_per_s: f64,
    pub bytes_per_node_per_s: f64,
    pub pushpull_pkts_in_window: f64,
    pub pushpull_bytes_in_window: f64,
    pub pushpull_exchanges_in_window: u64,
    pub antientropy_interval_s: f64,
    /// Datagrams of one exchange, both directions.
    pub antientropy_pkts: f64,
    /// Bytes of one exchange, both directions.
    pub antientropy_bytes: f64,
    /// How those were found.
    pub antientropy_bytes_source: AeSource,
    pub antientropy_cpu_s: f64,
    pub est_bytes_per_node_per_s_incl_ae: f64,
    pub est_cpu_per_node_per_s_incl_ae: f64,
    pub rss_bytes: u64,
    pub rss_per_node_bytes: u64,
}

/// Where a window's anti-entropy figures come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AeSource {
    /// Exchanges fell inside the window and were counted.
    Measured,
    /// None did: the chunks were encoded as the node encodes them.
    Encoded,
}

/// One rumor's spread, from its injection.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Spread {
    pub rumor_50_s: Option<f64>,
    pub rumor_99_s: Option<f64>,
    pub rumor_100_s: Option<f64>,
    pub rumor_packets: Option<u64>,
    pub rumor_delivered: usize,
    pub rumor_target: usize,
}

/// The crash of node N/2 and how the others came to hold it dead.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Crash {
    #[serde(flatten)]
    pub times: Detection,
    /// Nodes holding the victim dead when the wait ended ...
    pub detected_by: usize,
    /// ... of this many.
    pub detect_of: usize,
    pub detect_limit_s: f64,
}

/// Times from the crash; None: did not happen within the limit.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Detection {
    /// The first suspicion, or the first death when nobody suspected first
    /// (the peers' `first_detect_s`).
    pub first_detect_s: Option<f64>,
    pub first_suspect_s: Option<f64>,
    pub first_dead_s: Option<f64>,
    pub full_detect_s: Option<f64>,
}

/// The observer's health counts at the end, and the run's wall time.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Health {
    pub false_suspects: usize,
    pub false_dead: usize,
    pub events_dropped: u64,
    pub peak_rss_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_error: Option<String>,
    pub wall_s: f64,
}

/// Rumor spread among simulated nodes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimRun {
    /// The case's settings, always written; optional because earlier
    /// versions of this bench left them out of a child that never reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(flatten)]
    pub spread: Option<SimSpread>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load1_at_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A simulated rumor's spread, and the model's time to hold it against.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimSpread {
    pub rumor_50_s: Option<f64>,
    pub rumor_99_s: Option<f64>,
    pub rumor_100_s: Option<f64>,
    pub delivered: usize,
    pub target: usize,
    pub packets: Option<u64>,
    /// `observe::model::serf_time_to(0.9999, …)`.
    pub serf_9999_s: f64,
}

/// A line of `runtime.jsonl`: a lab run as is, a simulated one wrapped so
/// that a reader of lab lines can tell it apart.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Line {
    Sim {
        /// Always `gossip-lab-sim`.
        #[serde(rename = "impl")]
        implementation: String,
        result: SimRun,
    },
    Lab(Box<LabRun>),
}
