//! `gossip-lab plot SESSION.jsonl [--out DIR]`: reads the log with the one
//! reader, and hands its lines and the report's text to [`crate::plot`].

use std::path::{Path, PathBuf};

use super::report::{self, Format};
use super::session_log::SessionLog;

/// Where the charts go without `--out`: `plots/` beside the log.
pub fn default_out(session: &Path) -> PathBuf {
    session.parent().unwrap_or(Path::new(".")).join("plots")
}

/// Draws every chart of the log at `path` into `out` (default: beside the
/// log), says on stderr what the log cannot show, and returns the files
/// written.
pub fn plot(path: &Path, out: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let log = SessionLog::read(path)?;
    for note in log.notes(&[]) {
        eprintln!("gossip-lab: {note}");
    }
    // The page's text: the report's story and summary, as `report` prints them.
    let text = report::render(&log, Format::Text);
    let out = out.map_or_else(|| default_out(path), Path::to_path_buf);
    Ok(crate::plot::write_all(log.session(), &log.lines, &text, &out)?)
}
