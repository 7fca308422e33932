//! The story of a session: every action in order, with its time, and what
//! followed it, so a person can read what they (or the timeline) did and
//! what the cluster made of it, instead of a bag of totals.
//!
//! The story is told from the same [`Session`] fold as the summary: it
//! folds the lines itself, watching for actions and for the moment the
//! cluster converged again, and takes every measurement (detections,
//! rumor spread, false marks and why they are false) from the session's
//! [`crate::observe::Metrics`] rather than measuring anything twice.
//!
//! - [`text`]: aligned lines for a terminal;
//! - [`markdown`]: tables for an issue or a write-up.
//!
//! JSON is the serde form of [`Story`].

pub mod markdown;
pub mod text;

use serde::Serialize;

use super::action::{ActionKind, disturbs};
use super::metrics::{FalseMark, Route, Rule};
use super::record::{Line, NodeChange, Record, RogueChange};
use super::session::Session;
use crate::protocol::{State, Time};

/// What happened in a session, action by action.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Story {
    /// Every action, in log (time) order.
    pub actions: Vec<Act>,
    /// False marks made before the first action.
    pub before_any_action: Marks,
    /// Every false mark, in the order it was made.
    pub false_marks: Vec<MarkStory>,
}

/// One action and what followed it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Act {
    /// When, seconds after lab start.
    pub at_s: f64,
    /// What kind of action.
    pub kind: ActionKind,
    /// What was done, in words ("crash node 3", "partition halves").
    pub what: String,
    /// The node it was about, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<usize>,
    /// Whether it disturbs membership, so that convergence is measured
    /// again after it (a rumor does not).
    pub disturbs: bool,
    /// What followed.
    pub followed: Followed,
}

/// What followed an action, until the next one.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Followed {
    /// For a crash: its detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<Detected>,
    /// For a rumor: its spread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
    /// Seconds from the action until every up node's view was right
    /// again, when that happened before the next disturbing action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converged_after_s: Option<f64>,
    /// When the next disturbing action came first, its time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted_at_s: Option<f64>,
    /// The false marks made after it and before the next action.
    pub marks: Marks,
}

/// A crash's detection, seconds after the crash.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detected {
    /// First suspicion by anyone.
    pub first_suspect_s: Option<f64>,
    /// First death mark.
    pub first_dead_s: Option<f64>,
    /// Every up node holds it dead.
    pub full_s: Option<f64>,
    /// Restarted before everyone noticed.
    pub aborted: bool,
}

/// A rumor's spread, seconds after injection.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Nodes that delivered it.
    pub delivered: usize,
    /// Nodes up at injection.
    pub target: usize,
    /// When all of them had it.
    pub t100_s: Option<f64>,
}

/// False marks counted against one stretch of the story.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Marks {
    /// Running, reachable members held suspect.
    pub false_suspicions: usize,
    /// Running, reachable members held dead or left.
    pub false_deaths: usize,
}

impl Marks {
    /// No false mark at all.
    pub fn is_empty(self) -> bool {
        self.false_suspicions == 0 && self.false_deaths == 0
    }

    /// "2 false suspicions, 1 false death".
    pub fn describe(self) -> String {
        let n = |k: usize, what: &str| format!("{k} false {what}{}", if k == 1 { "" } else { "s" });
        format!("{}, {}", n(self.false_suspicions, "suspicion"), n(self.false_deaths, "death"))
    }
}

/// One false mark, its pair, the action it followed and why it is false.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarkStory {
    /// The node that made the mark.
    pub observer: usize,
    /// The running member it marked.
    pub subject: usize,
    /// `suspect`, `dead` or `left`.
    pub mark: State,
    /// When the observer made it, seconds.
    pub marked_at_s: f64,
    /// When it counted as false, seconds: the mark, or the end of the
    /// window it was held for.
    pub counted_at_s: f64,
    /// The index in [`Story::actions`] of the action it followed (None:
    /// before any action).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_action: Option<usize>,
    /// The ground truth that made it false, as the judge recorded it.
    pub why: WhyStory,
}

/// [`crate::observe::metrics::Why`] in seconds, and in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhyStory {
    /// Which rule counted it.
    pub rule: Rule,
    /// The subject had run, neither paused nor leaving, since then.
    pub subject_up_since_s: f64,
    /// The pair could talk both ways since then.
    pub reachable_since_s: f64,
    /// Or since earlier: that is as far back as the fault history kept.
    pub reachable_or_earlier: bool,
    /// Directly, or only through a helper node.
    pub route: Route,
    /// The grace window, seconds.
    pub window_s: f64,
    /// All of it in one sentence.
    pub text: String,
}

fn secs(t: Time) -> f64 {
    t.since_epoch().as_secs_f64()
}

fn after(t: Time, base: Time) -> f64 {
    t.saturating_since(base).as_secs_f64()
}

/// An action's words, if the record is one.
fn action_of(record: &Record) -> Option<(ActionKind, String, Option<usize>)> {
    let kind = ActionKind::of(record)?;
    let (what, node) = match record {
        Record::Node { node, addr, event } => {
            let n = *node;
            let what = match event {
                NodeChange::Crashed => format!("crash node {n}"),
                NodeChange::Restarted => format!("restart node {n}"),
                NodeChange::Paused => format!("pause node {n}"),
                NodeChange::Resumed => format!("resume node {n}"),
                NodeChange::Leaving => format!("node {n} leaves"),
                NodeChange::Added => format!("add node {n} ({addr})"),
                NodeChange::Up | NodeChange::Left | NodeChange::Joined => return None,
            };
            (what, Some(n))
        }
        Record::Fault { label, .. } => (label.clone(), None),
        Record::Key { event, key, primary, keys } => {
            (format!("key {key} {} ({} installed, primary {primary})", event.label(), keys.len()), None)
        }
        Record::Rogue(r) => {
            let what = match r.event {
                RogueChange::Started => format!("rogue {} on node {}", r.attack.name(), r.victim),
                RogueChange::Stopped => {
                    format!(
                        "rogue {} on node {} ends ({})",
                        r.attack.name(),
                        r.victim,
                        crate::scenario::plural(r.datagrams as usize, "datagram")
                    )
                }
            };
            (what, Some(r.victim))
        }
        Record::Rumor { node, seq, .. } => (format!("rumor #{seq} at node {node}"), Some(*node)),
        _ => return None,
    };
    Some((kind, what, node))
}

impl Story {
    /// Folds `lines` into `session` and tells what happened. The caller
    /// keeps the session for the summary, so both come from one fold.
    pub fn fold(session: &mut Session, lines: &[Line]) -> Story {
        let mut story = Story::default();
        // Each action's time, and whether it was a crash.
        let mut seen: Vec<(Time, bool)> = Vec::new();
        // The latest disturbing action, while its convergence is open.
        let mut open: Option<usize> = None;
        for line in lines {
            session.apply(line);
            let t = line.time();
            if let Some((kind, what, node)) = action_of(&line.record) {
                let disturbs = disturbs(&line.record);
                if disturbs && let Some(i) = open.take() {
                    story.actions[i].followed.interrupted_at_s = Some(secs(t));
                }
                story.actions.push(Act { at_s: secs(t), kind, what, node, disturbs, followed: Followed::default() });
                let crash = matches!(line.record, Record::Node { event: NodeChange::Crashed, .. });
                seen.push((t, crash));
                if disturbs {
                    open = Some(story.actions.len() - 1);
                }
            }
            if let Some(i) = open
                && session.last_action() == Some(seen[i].0)
                && let Some(c) = session.converged_at()
            {
                story.actions[i].followed.converged_after_s = Some(after(c, seen[i].0));
                open = None;
            }
        }
        story.measure(session, &seen);
        story
    }

    /// Takes each action's measurements from the session's metrics, and
    /// attributes every false mark to the latest disturbing action made
    /// before it.
    fn measure(&mut self, session: &Session, seen: &[(Time, bool)]) {
        let metrics = session.metrics();
        for (act, &(t, crash)) in self.actions.iter_mut().zip(seen) {
            let Some(node) = act.node else { continue };
            if crash {
                act.followed.detection =
                    metrics.detections().iter().find(|d| d.node == node && d.crashed_at == t).map(|d| Detected {
                        first_suspect_s: d.first_suspect.map(|x| after(x, t)),
                        first_dead_s: d.first_dead.map(|x| after(x, t)),
                        full_s: d.full.map(|x| after(x, t)),
                        aborted: d.aborted,
                    });
            }
            if act.kind == ActionKind::Rumor {
                act.followed.spread = metrics
                    .rumors()
                    .iter()
                    .find(|r| r.origin == node && r.injected_at == t)
                    .map(|r| Spread { delivered: r.delivered, target: r.target, t100_s: r.t100.map(|x| after(x, t)) });
            }
        }
        let mut marks: Vec<&FalseMark> = metrics.false_suspicions().iter().chain(metrics.false_positives()).collect();
        marks.sort_by_key(|m| (m.marked_at, m.observer, m.subject));
        for m in marks {
            let cause = (0..self.actions.len()).rev().find(|&i| self.actions[i].disturbs && seen[i].0 <= m.marked_at);
            let tally = match cause {
                Some(i) => &mut self.actions[i].followed.marks,
                None => &mut self.before_any_action,
            };
            if m.state == State::Suspect {
                tally.false_suspicions += 1;
            } else {
                tally.false_deaths += 1;
            }
            self.false_marks.push(MarkStory {
                observer: m.observer,
                subject: m.subject,
                mark: m.state,
                marked_at_s: secs(m.marked_at),
                counted_at_s: secs(m.t),
                after_action: cause,
                why: why(m),
            });
        }
    }
}

impl Followed {
    /// What followed, in one phrase, for the text and markdown tables.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let plus = |v: Option<f64>| v.map_or_else(|| "never".to_string(), |s| format!("+{s:.2}s"));
        if let Some(d) = &self.detection {
            let mut p = format!(
                "first suspicion {}, first death {}, all hold it dead {}",
                plus(d.first_suspect_s),
                plus(d.first_dead_s),
                plus(d.full_s)
            );
            if d.aborted {
                p.push_str(" (restarted before everyone noticed)");
            }
            parts.push(p);
        }
        if let Some(r) = &self.spread {
            parts.push(match r.t100_s {
                Some(t) => format!("all {} had it +{t:.2}s", crate::scenario::plural(r.target, "node")),
                None => format!("{} of {} had it", r.delivered, crate::scenario::plural(r.target, "node")),
            });
        }
        if let Some(c) = self.converged_after_s {
            parts.push(format!("converged +{c:.2}s"));
        }
        if let Some(t) = self.interrupted_at_s {
            parts.push(format!("not converged when the next action came at {t:.2}s"));
        }
        if !self.marks.is_empty() {
            parts.push(self.marks.describe());
        }
        if parts.is_empty() { "—".to_string() } else { parts.join("; ") }
    }
}

impl Story {
    /// "after \"partition halves\" at 5.00s", or "before any action".
    pub fn cause(&self, mark: &MarkStory) -> String {
        match mark.after_action.and_then(|i| self.actions.get(i)) {
            Some(a) => format!("after \"{}\" at {:.2}s", a.what, a.at_s),
            None => "before any action".to_string(),
        }
    }
}

/// The facts the judge recorded for `m`, in seconds and in a sentence.
fn why(m: &FalseMark) -> WhyStory {
    let w = &m.why;
    let (o, s) = (m.observer, m.subject);
    let route = match w.route {
        Route::Direct => "directly".to_string(),
        Route::Through(h) => format!("only through node {h} (a one-way block between them)"),
    };
    let window = w.window.as_secs_f64();
    let up = secs(w.subject_up_since);
    let reach = format!("{:.2}s{}", secs(w.reachable_since), if w.reachable_or_earlier { " or earlier" } else { "" });
    let text = match w.rule {
        Rule::AtMark => format!(
            "healthy before the mark: node {s} running unpaused since {up:.2}s, talking with node {o} both ways \
             {route} since {reach}, longer than the {window:.2}s grace window"
        ),
        Rule::Held => format!(
            "held a whole {window:.2}s grace window (to {:.2}s) while node {s} ran unpaused (since {up:.2}s) and \
             talked with node {o} both ways {route} (since {reach})",
            secs(m.t)
        ),
    };
    WhyStory {
        rule: w.rule,
        subject_up_since_s: up,
        reachable_since_s: secs(w.reachable_since),
        reachable_or_earlier: w.reachable_or_earlier,
        route: w.route,
        window_s: window,
        text,
    }
}

#[cfg(test)]
mod tests;
