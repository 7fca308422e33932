//! The entry points `main` dispatches to once the command line has become a
//! validated [`LabConfig`]: the TUI, a headless run, and a saved-session
//! report.
//!
//! Not built yet: the runtime, observer and TUI are being written. Each
//! function says so instead of pretending; their signatures are the
//! contract `main` relies on.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::config::LabConfig;

/// How the TUI runs (`gossip-lab [--profile ...]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TuiOptions {
    /// Frames drawn per second.
    pub fps: u32,
    /// Directory for `session.jsonl`, `summary.json` and `metrics.csv`
    /// (written on quit and by the `x` key).
    pub export: Option<PathBuf>,
    /// File that receives `tracing` logs while the TUI owns the terminal.
    pub log: Option<PathBuf>,
}

/// How a headless `run` behaves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Directory for `session.jsonl`, `summary.json` and `metrics.csv`.
    pub export: Option<PathBuf>,
    /// Print one JSON object instead of the human summary.
    pub json: bool,
    /// File that receives `tracing` logs.
    pub log: Option<PathBuf>,
    /// Run in the deterministic simulator (virtual time, in-memory network)
    /// instead of on real loopback sockets.
    pub sim: bool,
}

/// Runs the profile's timeline without a terminal UI, prints the summary,
/// and returns whether every expectation held (`main` exits 0 only then).
pub fn run_headless(cfg: LabConfig, opts: RunOptions) -> anyhow::Result<bool> {
    let driver = if opts.sim { "simulator" } else { "real-socket runtime" };
    bail!(
        "headless run is not built yet: profile \"{}\" is valid ({} nodes, {:?}), but the {driver} \
         and the observer that would run it are still being written",
        cfg.name,
        cfg.nodes,
        cfg.duration
    )
}

/// Runs the lab with the terminal dashboard until the user quits.
pub fn run_tui(cfg: LabConfig, opts: TuiOptions) -> anyhow::Result<()> {
    let _ = opts;
    bail!(
        "the TUI is not built yet: profile \"{}\" is valid ({} nodes); try `gossip-lab profiles` meanwhile",
        cfg.name,
        cfg.nodes
    )
}

/// Summarizes a saved `session.jsonl`, as text or as one JSON object.
pub fn report(path: &Path, json: bool) -> anyhow::Result<()> {
    let _ = json;
    bail!("report is not built yet: cannot summarize {} until the session recorder exists", path.display())
}
