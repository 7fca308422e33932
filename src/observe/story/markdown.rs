//! The report as Markdown, for pasting into an issue or a write-up: a
//! heading, the session in a table, the story, the false marks, the
//! expectations of a scripted run, and detections and rumors beside their
//! model figures. Tables only, so it renders the same on any forge.

use std::fmt::Write as _;

use super::Story;
use crate::observe::{Mode, Summary};

/// A table cell: pipes escaped, newlines folded.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn secs(v: f64) -> String {
    format!("{v:.2} s")
}

fn maybe(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), secs)
}

/// A table: `columns` are (heading, right-aligned), `rows` are cells
/// already escaped.
fn table(w: &mut String, columns: &[(&str, bool)], rows: impl IntoIterator<Item = Vec<String>>) {
    let line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
    let _ = writeln!(w, "{}", line(columns.iter().map(|(h, _)| h.to_string()).collect()));
    let _ =
        writeln!(w, "{}", line(columns.iter().map(|&(_, right)| if right { "---:" } else { "---" }.into()).collect()));
    for row in rows {
        let _ = writeln!(w, "{}", line(row));
    }
}

/// The whole Markdown report of `summary` and `story`.
pub fn render(summary: &Summary, story: &Story) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# gossip-lab session: {}\n", cell(&summary.profile));
    let driver = if summary.driver == "sim" { "sim (virtual time)" } else { "udp (real sockets)" };
    let mode = match summary.mode {
        Mode::Scripted => "scripted (`run`: the profile's expectations judge it)",
        Mode::HandsOn => "hands-on (the dashboard: nothing is judged)",
    };
    let mut session = vec![
        ("profile", cell(&summary.profile)),
        ("driver", driver.to_string()),
        ("mode", mode.to_string()),
        ("nodes", summary.node_counts()),
        ("seed", summary.seed.to_string()),
        ("duration", secs(summary.duration_s)),
        ("protocol", cell(&summary.protocol)),
    ];
    if let Some(log) = summary.log.as_ref().filter(|l| !l.complete) {
        session.push(("log", format!("**incomplete**: no summary line; it ends at {}", secs(log.ends_at_s))));
    }
    table(w, &[("session", false), ("", false)], session.into_iter().map(|(k, v)| vec![k.to_string(), v]));

    let _ = writeln!(w, "\n## Story\n");
    if story.actions.is_empty() {
        let _ = writeln!(w, "No action: the cluster ran undisturbed.");
    } else {
        let rows = story.actions.iter().map(|a| vec![secs(a.at_s), cell(&a.what), cell(&a.followed.describe())]);
        table(w, &[("time", true), ("action", false), ("what followed", false)], rows);
    }
    if !story.before_any_action.is_empty() {
        let _ = writeln!(w, "\nBefore any action: {}.", story.before_any_action.describe());
    }

    let _ = writeln!(w, "\n## False marks\n");
    if story.false_marks.is_empty() {
        let _ = writeln!(w, "None: no running, reachable node was held suspect, dead or left.");
    } else {
        let rows = story.false_marks.iter().map(|m| {
            let why = format!("{}; {}", story.cause(m), m.why.text);
            vec![m.observer.to_string(), m.subject.to_string(), m.mark.to_string(), secs(m.marked_at_s), cell(&why)]
        });
        table(w, &[("observer", true), ("subject", true), ("mark", false), ("at", true), ("why", false)], rows);
    }

    if summary.mode == Mode::Scripted {
        let _ = writeln!(w, "\n## Expectations\n");
        let unjudged = summary.cut.as_ref().map_or(&[][..], |c| &c.unjudged[..]);
        if summary.expectations.is_empty() && unjudged.is_empty() {
            let _ = writeln!(w, "None in this profile.");
        } else {
            let checked = summary.expectations.iter().map(|c| {
                let ok = if c.ok { "pass" } else { "**FAIL**" };
                vec![ok.to_string(), format!("`{}`", c.name), cell(&c.expected), cell(&c.actual)]
            });
            let unjudged = unjudged
                .iter()
                .map(|u| vec!["not judged".to_string(), format!("`{}`", u.name), cell(&u.expected), cell(&u.why)]);
            table(
                w,
                &[("", false), ("expectation", false), ("expected", false), ("got", false)],
                checked.chain(unjudged),
            );
        }
    }

    if !summary.detections.is_empty() {
        let _ = writeln!(w, "\n## Detections\n");
        let rows = summary.detections.iter().map(|d| {
            let aborted = if d.aborted { " (restarted first)" } else { "" };
            vec![
                d.node.to_string(),
                secs(d.crashed_at_s),
                maybe(d.first_suspect_s),
                secs(d.model_first_suspect_s),
                maybe(d.first_dead_s),
                secs(d.model_first_dead_s),
                format!("{}{aborted}", maybe(d.full_s)),
                secs(d.model_full_s),
            ]
        });
        let columns =
            ["node", "crashed at", "first suspicion", "expected", "first death", "bound", "all hold it dead", "bound"];
        table(w, &columns.map(|c| (c, true)), rows);
    }
    if !summary.rumors.is_empty() {
        let _ = writeln!(w, "\n## Rumors\n");
        let rows = summary.rumors.iter().map(|r| {
            vec![
                r.origin.to_string(),
                secs(r.injected_at_s),
                maybe(r.t50_s),
                secs(r.model_t50_s),
                maybe(r.t99_s),
                secs(r.model_t99_s),
                maybe(r.t100_s),
                secs(r.model_t100_s),
                format!("{}/{}", r.delivered, r.target),
                r.packets.map_or_else(|| "—".to_string(), |p| p.to_string()),
            ]
        });
        let columns =
            ["origin", "injected at", "50%", "model", "99%", "model", "100%", "model (99.99%)", "nodes", "packets"];
        table(w, &columns.map(|c| (c, true)), rows);
    }
    let _ = writeln!(w, "\n**Result:** {}", summary.result());
    out
}
