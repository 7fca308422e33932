//! `gossip-lab report`: the summary of a saved session log, recomputed by
//! the same fold the live observer used, and how the log ends.
//!
//! An incomplete log (see [`super::session_log`]) is judged only on what
//! its lines can settle, and never passes.

use std::path::Path;

use super::session_log::SessionLog;
use crate::observe::Summary;

/// Reads `path`, recomputes its summary, and records how the log ends in
/// the summary's `log` field; an incomplete log never passes.
pub fn summarize(path: &Path) -> anyhow::Result<Summary> {
    let log = SessionLog::read(path)?;
    Ok(summary_of(&log))
}

/// The summary of a log already read.
pub fn summary_of(log: &SessionLog) -> Summary {
    let mut session = log.session();
    for line in &log.lines {
        session.apply(line);
    }
    let mut summary = session.summary();
    summary.passed &= log.state.complete;
    summary.log = Some(log.state.clone());
    summary
}

/// What `report` says on stderr about a log that is not whole: the reader
/// of its stdout (a JSON consumer, say) gets the same in the `log` field.
pub fn notes(path: &Path, summary: &Summary) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(log) = &summary.log else { return notes };
    if log.torn_last_line {
        notes.push(format!("{}: the last line is cut mid-line (no newline); it was skipped", path.display()));
    }
    if !log.complete {
        let mut note =
            format!("{} is incomplete: it has no summary line and ends at {:.2}s", path.display(), log.ends_at_s);
        let unjudged: Vec<&str> = summary.cut.iter().flat_map(|c| &c.unjudged).map(|u| u.name.as_str()).collect();
        if !unjudged.is_empty() {
            note.push_str(&format!("; not judged: {}", unjudged.join(", ")));
        }
        notes.push(note);
    }
    notes
}
