//! The report as aligned lines for a terminal: the summary's header, the
//! story (one line per action, what followed beside it), every false mark
//! with its pair and why it is false, then the summary's measurements and
//! verdict.

use std::fmt::Write as _;

use super::Story;
use crate::observe::Summary;

/// The whole text report of `summary` and `story`.
pub fn render(summary: &Summary, story: &Story) -> String {
    let mut out = summary.render_header();
    let w = &mut out;
    if story.actions.is_empty() {
        let _ = writeln!(w, "story         no action: the cluster ran undisturbed");
    } else {
        let _ = writeln!(
            w,
            "story         {} action(s), in order; what followed each, until the next:",
            story.actions.len()
        );
    }
    let width = story.actions.iter().map(|a| a.what.chars().count()).max().unwrap_or(0).min(40);
    for a in &story.actions {
        let _ = writeln!(w, "  {:>9.2}s  {:<width$}  {}", a.at_s, a.what, a.followed.describe());
    }
    if !story.before_any_action.is_empty() {
        let _ = writeln!(w, "  before any action: {}", story.before_any_action.describe());
    }
    if !story.false_marks.is_empty() {
        let _ = writeln!(w, "false marks   observer → subject, when made, and why each counts as false:");
    }
    for m in &story.false_marks {
        let pair = format!("{} → {}", m.observer, m.subject);
        let _ = writeln!(w, "  {:>9.2}s  {pair:<9} {:<7} {}: {}", m.marked_at_s, m.mark, story.cause(m), m.why.text);
    }
    let _ = writeln!(w);
    out.push_str(&summary.render_measures());
    out.push_str(&summary.render_verdict());
    out
}
