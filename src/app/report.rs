//! `gossip-lab report`: the summary of a saved session log, recomputed by
//! the same fold the live observer used, the story of the session told
//! from that fold, and how the log ends; as text, JSON or Markdown.
//!
//! An incomplete log (see [`super::session_log`]) is judged only on what
//! its lines can settle, and never passes.

use std::path::Path;

use serde::Serialize;

use super::session_log::SessionLog;
use crate::observe::story::{markdown, text};
use crate::observe::{Story, Summary};

/// How `report` prints (trippy's report modes are the model: one set of
/// serde types behind every format).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned lines for a terminal.
    #[default]
    Text,
    /// One JSON object: the summary's fields plus `story`.
    Json,
    /// Tables for an issue or a write-up.
    Markdown,
}

/// The JSON report: the summary object, with the story beside its fields.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    story: &'a Story,
}

/// The summary and the story of a log already read, from one fold.
pub fn tell(log: &SessionLog) -> (Summary, Story) {
    let mut session = log.session();
    let story = Story::fold(&mut session, &log.lines);
    let mut summary = session.summary();
    summary.passed &= log.state.complete;
    summary.log = Some(log.state.clone());
    (summary, story)
}

/// The report of `log` in `format`: what `gossip-lab report` prints, and
/// what `plot`'s index lays out beside its charts.
pub fn render(log: &SessionLog, format: Format) -> String {
    let (summary, story) = tell(log);
    render_told(&summary, &story, format)
}

/// [`render`] of a summary and story already told.
pub fn render_told(summary: &Summary, story: &Story, format: Format) -> String {
    match format {
        Format::Text => text::render(summary, story),
        Format::Markdown => markdown::render(summary, story),
        Format::Json => {
            let json = serde_json::to_string(&Report { summary, story }).expect("a report serializes");
            format!("{json}\n")
        }
    }
}

/// Reads `path`, recomputes its summary, and records how the log ends in
/// the summary's `log` field; an incomplete log never passes.
pub fn summarize(path: &Path) -> anyhow::Result<Summary> {
    let log = SessionLog::read(path)?;
    Ok(summary_of(&log))
}

/// The summary of a log already read.
pub fn summary_of(log: &SessionLog) -> Summary {
    tell(log).0
}

/// What `report` says on stderr about a log that is not whole: the reader
/// of its stdout (a JSON consumer, say) gets the same in the `log` field.
pub fn notes(log: &SessionLog, summary: &Summary) -> Vec<String> {
    let unjudged: Vec<&str> = summary.cut.iter().flat_map(|c| &c.unjudged).map(|u| u.name.as_str()).collect();
    log.notes(&unjudged)
}
