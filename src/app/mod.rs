//! The entry points `main` dispatches to once the command line has become a
//! validated [`LabConfig`]: the TUI, a headless run, and a saved-session
//! report.
//!
//! - [`headless`]: `gossip-lab run` on real sockets.
//! - [`report`]: `gossip-lab report` over a saved session.
//! - [`sim_run`]: `gossip-lab run --sim`, the same in the simulator.
//! - [`logging`]: `tracing` to a file.
//!
//! The dashboard itself lives in [`crate::ui`]; [`run_tui`] only prepares
//! the recording, the log and the runtime around it.

pub mod headless;
pub mod logging;
pub mod report;
pub mod sim_run;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use crate::config::LabConfig;
use crate::observe::Summary;
use crate::runtime::launch;
use crate::ui;

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
///
/// The lab always records: into `--export DIR` when given (complete when
/// this returns), otherwise into a scratch directory that only exists so
/// the `x` key has a session to export, and is removed on a clean exit.
pub fn run_tui(cfg: LabConfig, opts: TuiOptions) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!("stdout is not a terminal, so the dashboard cannot start; use `gossip-lab run` for a headless run");
    }
    let scratch = match &opts.export {
        Some(_) => None,
        None => {
            let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            Some(std::env::temp_dir().join(format!("gossip-lab-{}-{secs}", std::process::id())))
        }
    };
    let record = opts.export.clone().or_else(|| scratch.clone()).expect("one of the two is set");
    let log = opts.log.clone().unwrap_or_else(|| record.join("gossip-lab.log"));
    logging::init(Some(&log))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let timeline = cfg.timeline.clone();
    let outcome = runtime.block_on(async {
        let running = launch(cfg, Some(record.clone())).await.context("starting the lab")?;
        ui::run(running, ui::UiOptions { fps: opts.fps, export: opts.export.clone(), timeline }).await
    });
    match (&outcome, &scratch) {
        (Ok(()), Some(dir)) => {
            let _ = std::fs::remove_dir_all(dir);
        }
        (Err(_), Some(dir)) => eprintln!("gossip-lab: the session and log are in {}", dir.display()),
        _ => {}
    }
    if let (Ok(()), Some(dir)) = (&outcome, &opts.export) {
        eprintln!("gossip-lab: session exported to {}", dir.display());
    }
    outcome
}

/// Summarizes a saved `session.jsonl`, as text or as one JSON object.
pub fn report(path: &Path, json: bool) -> anyhow::Result<()> {
    let summary = report::summarize(path)?;
    print_summary(&summary, json)
}
