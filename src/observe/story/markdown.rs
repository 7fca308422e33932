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

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |s| format!("{s:.2} s"))
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
    let _ = writeln!(w, "| session | |\n|---|---|");
    for (k, v) in [
        ("profile", cell(&summary.profile)),
        ("driver", driver.to_string()),
        ("mode", mode.to_string()),
        ("nodes", summary.node_counts()),
        ("seed", summary.seed.to_string()),
        ("duration", format!("{:.2} s", summary.duration_s)),
        ("protocol", cell(&summary.protocol)),
    ] {
        let _ = writeln!(w, "| {k} | {v} |");
    }
    if let Some(log) = summary.log.as_ref().filter(|l| !l.complete) {
        let _ = writeln!(w, "| log | **incomplete**: no summary line; it ends at {:.2} s |", log.ends_at_s);
    }

    let _ = writeln!(w, "\n## Story\n");
    if story.actions.is_empty() {
        let _ = writeln!(w, "No action: the cluster ran undisturbed.");
    } else {
        let _ = writeln!(w, "| time | action | what followed |\n|---:|---|---|");
        for a in &story.actions {
            let _ = writeln!(w, "| {:.2} s | {} | {} |", a.at_s, cell(&a.what), cell(&a.followed.describe()));
        }
    }
    if !story.before_any_action.is_empty() {
        let _ = writeln!(w, "\nBefore any action: {}.", story.before_any_action.describe());
    }

    let _ = writeln!(w, "\n## False marks\n");
    if story.false_marks.is_empty() {
        let _ = writeln!(w, "None: no running, reachable node was held suspect, dead or left.");
    } else {
        let _ = writeln!(w, "| observer | subject | mark | at | why |\n|---:|---:|---|---:|---|");
        for m in &story.false_marks {
            let why = format!("{}; {}", story.cause(m), m.why.text);
            let _ = writeln!(
                w,
                "| {} | {} | {} | {:.2} s | {} |",
                m.observer,
                m.subject,
                m.mark,
                m.marked_at_s,
                cell(&why)
            );
        }
    }

    if summary.mode == Mode::Scripted {
        let _ = writeln!(w, "\n## Expectations\n");
        let unjudged = summary.cut.as_ref().map_or(&[][..], |c| &c.unjudged[..]);
        if summary.expectations.is_empty() && unjudged.is_empty() {
            let _ = writeln!(w, "None in this profile.");
        } else {
            let _ = writeln!(w, "| | expectation | expected | got |\n|---|---|---|---|");
            for c in &summary.expectations {
                let ok = if c.ok { "pass" } else { "**FAIL**" };
                let _ = writeln!(w, "| {ok} | `{}` | {} | {} |", c.name, cell(&c.expected), cell(&c.actual));
            }
            for u in unjudged {
                let _ = writeln!(w, "| not judged | `{}` | {} | {} |", u.name, cell(&u.expected), cell(&u.why));
            }
        }
    }

    if !summary.detections.is_empty() {
        let _ = writeln!(w, "\n## Detections\n");
        let _ = writeln!(
            w,
            "| node | crashed at | first suspicion | expected | first death | bound | all hold it dead | bound |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for d in &summary.detections {
            let _ = writeln!(
                w,
                "| {} | {:.2} s | {} | {:.2} s | {} | {:.2} s | {}{} | {:.2} s |",
                d.node,
                d.crashed_at_s,
                secs(d.first_suspect_s),
                d.model_first_suspect_s,
                secs(d.first_dead_s),
                d.model_first_dead_s,
                secs(d.full_s),
                if d.aborted { " (restarted first)" } else { "" },
                d.model_full_s
            );
        }
    }
    if !summary.rumors.is_empty() {
        let _ = writeln!(w, "\n## Rumors\n");
        let _ = writeln!(
            w,
            "| origin | injected at | 50% | model | 99% | model | 100% | model (99.99%) | nodes | packets |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for r in &summary.rumors {
            let _ = writeln!(
                w,
                "| {} | {:.2} s | {} | {:.2} s | {} | {:.2} s | {} | {:.2} s | {}/{} | {} |",
                r.origin,
                r.injected_at_s,
                secs(r.t50_s),
                r.model_t50_s,
                secs(r.t99_s),
                r.model_t99_s,
                secs(r.t100_s),
                r.model_t100_s,
                r.delivered,
                r.target,
                r.packets.map_or_else(|| "—".to_string(), |p| p.to_string())
            );
        }
    }
    let _ = writeln!(w, "\n**Result:** {}", summary.result());
    out
}
