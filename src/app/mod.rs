//! The entry points `main` dispatches to once the command line has become a
//! validated [`LabConfig`]: the TUI, a headless run, and a saved-session
//! report.
//!
//! - [`headless`]: `gossip-lab run` on real sockets.
//! - [`report`]: `gossip-lab report` over a saved session.
//! - [`sim_run`]: `gossip-lab run --sim`, the same in the simulator.
//! - [`logging`]: `tracing` to a file.

pub mod headless;
pub mod logging;
pub mod report;
pub mod sim_run;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::LabConfig;
use crate::observe::Summary;

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
    let log = opts.log.clone().or_else(|| opts.export.as_ref().map(|d| d.join("gossip-lab.log")));
    logging::init(log.as_deref())?;
    let (summary, interrupted) = if opts.sim {
        (sim_run::run(cfg, &opts)?, false)
    } else {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
        runtime.block_on(headless::run(cfg, &opts))?
    };
    print_summary(&summary, opts.json)?;
    if let Some(dir) = &opts.export {
        eprintln!("gossip-lab: session exported to {}", dir.display());
    }
    if interrupted {
        eprintln!("gossip-lab: interrupted before the profile's duration ended");
        return Ok(false);
    }
    Ok(summary.passed)
}

fn print_summary(summary: &Summary, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(summary)?);
    } else {
        print!("{}", summary.render_text());
    }
    Ok(())
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
    let summary = report::summarize(path)?;
    print_summary(&summary, json)
}
