//! `gossip-lab replay SESSION.jsonl`: read the log with the one reader,
//! say what it can't show, and hand its recording to the dashboard.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::bail;

use super::session_log::SessionLog;
use super::{Outcome, runtime};
use crate::ui::replay::{self, ReplayOptions};

/// Replays `path` at `fps` until the user quits (`Success`) or a signal
/// stops it. A log this build cannot read (no log, a newer format, a
/// damaged line) is an error before the screen is touched; what a
/// readable log lacks goes to stderr first, and to the status line.
pub fn run(path: &Path, fps: u32) -> anyhow::Result<Outcome> {
    // An hour of 64 nodes is a few hundred MiB: seconds of parsing, said
    // rather than left as a blank wait.
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size >= 32 << 20 {
        eprintln!("gossip-lab: reading {} ({} MiB) …", path.display(), size >> 20);
    }
    let log = SessionLog::read(path)?;
    let notes = log.notes(&[]);
    for note in &notes {
        eprintln!("gossip-lab: {note}");
    }
    if !std::io::stdout().is_terminal() {
        bail!(
            "stdout is not a terminal, so the replay cannot start; `gossip-lab report {}` summarizes it without one",
            path.display()
        );
    }
    let recording = log.recording();
    let (runtime, mut signals) = runtime(false)?;
    let options = ReplayOptions { fps, file: path.display().to_string(), notes };
    let stop = runtime.block_on(replay::run(recording, options, &mut signals))?;
    if let Some(stop) = stop {
        eprintln!("gossip-lab: stopped by {}", stop.name());
    }
    Ok(stop.map_or(Outcome::Success, Outcome::Stopped))
}
