//! The entry points `main` dispatches to once the command line has become a
//! validated [`LabConfig`]: the TUI, a headless run, and a saved-session
//! report.
//!
//! - [`headless`]: `gossip-lab run` on real sockets.
//! - [`compare`](mod@compare): two labs of one scenario, side by side
//!   (`gossip-lab compare`, and any profile with `[compare]`).
//! - [`report`](mod@report): `gossip-lab report` over a saved session.
//! - [`plot`](mod@plot): `gossip-lab plot`, a saved session's charts ([`crate::plot`]).
//! - [`replay`]: `gossip-lab replay`, the dashboard over a saved session.
//! - [`session_log`]: the one reader of saved logs (report, replay, plot).
//! - [`sim_run`]: `gossip-lab run --sim`, the same in the simulator.
//! - [`logging`]: `tracing` to a file.
//!
//! Every command stops cleanly on SIGTERM, SIGHUP and SIGINT
//! ([`crate::signals`]).
//!
//! The dashboard itself lives in [`crate::ui`]; [`run_tui`] only prepares
//! the recording, the log and the runtime around it.

pub mod compare;
pub mod headless;
pub mod logging;
pub mod plot;
pub mod replay;
pub mod report;
pub mod session_log;
pub mod sim_run;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use crate::config::LabConfig;
use crate::observe::Summary;
use crate::runtime::launch;
use crate::ui;

use crate::signals::{Signals, Stop};

/// How a command ended; `main` turns it into the exit code (DESIGN §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done: every expectation held, or there were none to judge.
    Success,
    /// An expectation failed, or the session is incomplete.
    Failed,
    /// Stopped by a signal, with the session log finished.
    Stopped(Stop),
}

impl Outcome {
    /// The process exit code: 0, 1, or 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failed => 1,
            Outcome::Stopped(stop) => stop.exit_code(),
        }
    }

    fn judged(passed: bool) -> Outcome {
        if passed { Outcome::Success } else { Outcome::Failed }
    }
}

/// A tokio runtime with the signal handlers installed in it, first thing,
/// so that from here on a signal is answered instead of killing us.
fn runtime(multi_thread: bool) -> anyhow::Result<(tokio::runtime::Runtime, Signals)> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = builder.enable_all().build().context("starting tokio")?;
    let signals = {
        let _in_runtime = runtime.enter();
        Signals::install().context("installing signal handlers")?
    };
    Ok((runtime, signals))
}

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
/// and says how it ended: `Success` only when every expectation held, or
/// `Stopped` by a signal (the summary then covers the run so far).
pub fn run_headless(cfg: LabConfig, opts: RunOptions) -> anyhow::Result<Outcome> {
    if cfg.compare.is_some() {
        return compare::run_headless(cfg, opts);
    }
    let (runtime, mut signals) = headless_runtime(&opts)?;
    let (summary, stop) = runtime.block_on(async {
        if opts.sim {
            sim_run::run_stoppable(cfg, &opts, &mut signals).await
        } else {
            headless::run(cfg, &opts, &mut signals).await
        }
    })?;
    print_summary(&summary, opts.json)?;
    if let Some(dir) = &opts.export {
        eprintln!("gossip-lab: session exported to {}", dir.display());
    }
    Ok(match stop {
        Some(stop) => {
            eprintln!(
                "gossip-lab: stopped by {} at {:.2}s of {:.2}s; the session is finished",
                stop.name(),
                summary.duration_s,
                summary.cut.as_ref().map_or(summary.duration_s, |c| c.planned_s)
            );
            Outcome::Stopped(stop)
        }
        None => Outcome::judged(summary.passed),
    })
}

/// The runtime of a headless run (`run`, `compare --headless`), its signal
/// handlers, and `tracing` into `--log` or the export's `gossip-lab.log`.
fn headless_runtime(opts: &RunOptions) -> anyhow::Result<(tokio::runtime::Runtime, Signals)> {
    // The simulator runs on a blocking thread; one more thread waits for signals.
    let (runtime, signals) = runtime(!opts.sim)?;
    let log = opts.log.clone().or_else(|| opts.export.as_ref().map(|d| d.join("gossip-lab.log")));
    logging::init(log.as_deref())?;
    Ok((runtime, signals))
}

fn print_summary(summary: &Summary, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(summary)?);
    } else {
        print!("{}", summary.render_text());
    }
    Ok(())
}

/// Runs the lab with the terminal dashboard until the user quits
/// (`Success`) or a signal stops it (`Stopped`).
///
/// The lab always records: into `--export DIR` when given (complete when
/// this returns), otherwise into a scratch directory that only exists so
/// the `x` key has a session to export, and is removed on a clean exit,
/// a signal's included.
pub fn run_tui(cfg: LabConfig, opts: TuiOptions) -> anyhow::Result<Outcome> {
    if !std::io::stdout().is_terminal() {
        let headless = if cfg.compare.is_some() {
            "add --headless to `gossip-lab compare`, or `gossip-lab run` a profile with [compare]"
        } else {
            "use `gossip-lab run` for a headless run"
        };
        bail!("stdout is not a terminal, so the dashboard cannot start; {headless}");
    }
    let (runtime, mut signals) = runtime(true)?;
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
    let timeline = cfg.timeline.clone();
    let outcome = runtime.block_on(async {
        if cfg.compare.is_some() {
            return compare::tui(cfg, &opts, &record, &mut signals).await;
        }
        let running = launch(cfg, Some(record.clone())).await.context("starting the lab")?;
        let options = ui::UiOptions { fps: opts.fps, export: opts.export.clone(), timeline };
        ui::run(running, options, &mut signals).await
    });
    match (&outcome, &scratch) {
        (Ok(_), Some(dir)) => {
            let _ = std::fs::remove_dir_all(dir);
            eprintln!(
                "gossip-lab: the session was not kept (no --export DIR); what x exported stays where the status line said"
            );
        }
        (Err(_), Some(dir)) => eprintln!("gossip-lab: the session and log are in {}", dir.display()),
        _ => {}
    }
    if let (Ok(_), Some(dir)) = (&outcome, &opts.export) {
        eprintln!("gossip-lab: session exported to {}", dir.display());
    }
    let stop = outcome?;
    if let Some(stop) = stop {
        eprintln!("gossip-lab: stopped by {}; the session is finished", stop.name());
    }
    Ok(stop.map_or(Outcome::Success, Outcome::Stopped))
}

/// Tells a saved `session.jsonl` (summary and story) in `format`, and
/// says what the log lacks on stderr. `Failed` when a scripted run's
/// expectations failed or could not all be judged, or the log is
/// incomplete, as `run` would have exited; a whole hands-on log succeeds.
pub fn report(path: &Path, format: report::Format) -> anyhow::Result<Outcome> {
    if path.is_dir() {
        return compare::report(path, format);
    }
    let log = session_log::SessionLog::read(path)?;
    let (summary, story) = report::tell(&log);
    for note in report::notes(&log, &summary) {
        eprintln!("gossip-lab: {note}");
    }
    print!("{}", report::render_told(&summary, &story, format));
    Ok(Outcome::judged(summary.passed))
}

/// Draws a saved `session.jsonl` as charts into `out` (default: `plots/`
/// beside it) and prints the files written.
pub fn plot(path: &Path, out: Option<&Path>) -> anyhow::Result<Outcome> {
    for file in plot::plot(path, out)? {
        println!("{}", file.display());
    }
    Ok(Outcome::Success)
}
