//! `gossip-lab plot SESSION.jsonl [--out DIR]`: reads the log with the one
//! reader, and hands its lines and the report's text to [`crate::plot`].
//! Given the directory of a comparison (`a/session.jsonl` and
//! `b/session.jsonl` inside), it plots each side and the comparison chart.

use std::path::{Path, PathBuf};

use super::report::{self, Format};
use super::session_log::SessionLog;

/// Where the charts go without `--out`: `plots/` beside the log (inside a
/// comparison's directory).
pub fn default_out(session: &Path) -> PathBuf {
    if session.is_dir() {
        return session.join("plots");
    }
    session.parent().unwrap_or(Path::new(".")).join("plots")
}

/// The two logs of a comparison's directory, when `path` is one.
fn sides(path: &Path) -> Option<[PathBuf; 2]> {
    let [a, b] = ["a", "b"].map(|side| path.join(side).join("session.jsonl"));
    (path.is_dir() && a.is_file() && b.is_file()).then_some([a, b])
}

/// Draws every chart of the log at `path` into `out` (default: beside the
/// log), says on stderr what the log cannot show, and returns the files
/// written. A comparison's directory gets each side's charts under `a/`
/// and `b/` of `out`, and `compare.svg` of both.
pub fn plot(path: &Path, out: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let out = out.map_or_else(|| default_out(path), Path::to_path_buf);
    let Some([a, b]) = sides(path) else {
        return plot_one(&SessionLog::read(path)?, &out);
    };
    let (la, lb) = (SessionLog::read(&a)?, SessionLog::read(&b)?);
    let mut written = plot_one(&la, &out.join("a"))?;
    written.extend(plot_one(&lb, &out.join("b"))?);
    let (na, nb) = (la.session().spec().protocol_label.clone(), lb.session().spec().protocol_label.clone());
    let compare = crate::plot::write_compare((&na, la.session(), &la.lines), (&nb, lb.session(), &lb.lines), &out)?;
    written.push(compare);
    Ok(written)
}

fn plot_one(log: &SessionLog, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    for note in log.notes(&[]) {
        eprintln!("gossip-lab: {note}");
    }
    // The page's text: the report's story and summary, as `report` prints them.
    let text = report::render(log, Format::Text);
    Ok(crate::plot::write_all(log.session(), &log.lines, &text, out)?)
}
