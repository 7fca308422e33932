//! Which of a profile's expectations a session's record can judge.
//!
//! Only a scripted run (`gossip-lab run`) is judged: a hands-on session is
//! whatever its user did, and the profile's expectations say nothing about
//! it. A scripted record that ends before the profile's duration (a run
//! stopped by a signal, or a log cut short by a kill) judges only what the
//! missing part could not change: a count already over its limit has
//! failed for good, but a count within it, or a convergence still owed
//! after a timeline step the record never reached, is left unjudged and
//! says why. Without this rule a log cut before the heal judges the
//! partition's own convergence and reports "all expectations met".

use std::time::Duration;

use super::spec::{Mode, SessionSpec};
use super::summary::{Check, Cut, Summary, Unjudged};
use crate::protocol::Time;
use crate::scenario::{Action, Expect, Step};

/// Sets `summary`'s mode, expectations, cut and `passed` for a record
/// that ends at `end`.
pub fn judge(spec: &SessionSpec, summary: &mut Summary, end: Time) {
    summary.mode = spec.mode;
    summary.cut = None;
    if spec.mode == Mode::HandsOn {
        summary.expectations = Vec::new();
        summary.passed = true;
        return;
    }
    let checks = check(&spec.expect, summary);
    let end = end.since_epoch();
    let script = &spec.script;
    if end >= script.duration {
        summary.passed = checks.iter().all(|c| c.ok);
        summary.expectations = checks;
        return;
    }
    let cut = Record { end, summary, missing: script.steps.iter().filter(|s| s.at > end).collect() };
    let mut judged = Vec::new();
    let mut unjudged = Vec::new();
    for c in checks {
        match cut.unjudged_why(&c, spec) {
            None => judged.push(c),
            Some(why) => unjudged.push(Unjudged { name: c.name, expected: c.expected, why }),
        }
    }
    summary.expectations = judged;
    summary.passed = false;
    summary.cut = Some(Cut { planned_s: script.duration.as_secs_f64(), unjudged });
}

/// A record that ends before the profile's duration.
struct Record<'a> {
    end: Duration,
    summary: &'a Summary,
    /// Timeline steps after the end: never seen, or never run.
    missing: Vec<&'a Step>,
}

impl Record<'_> {
    fn end_s(&self) -> f64 {
        self.end.as_secs_f64()
    }

    fn first_missing(&self, kind: fn(&Action) -> bool) -> Option<String> {
        self.missing.iter().find(|s| kind(&s.action)).map(|s| {
            format!(
                "the record ends at {:.2}s, before the timeline's {} at {:.2}s",
                self.end_s(),
                s.action.label(),
                s.at.as_secs_f64()
            )
        })
    }

    /// Why later lines could still change `c`'s verdict; None when they
    /// cannot, so the verdict stands.
    fn unjudged_why(&self, c: &Check, spec: &SessionSpec) -> Option<String> {
        let s = self.summary;
        let expect = &spec.expect;
        let over = |t: Option<f64>, since: f64, within: Duration| {
            t.map_or(self.end_s() - since > within.as_secs_f64(), |t| t > within.as_secs_f64())
        };
        match c.name.as_str() {
            "converged_within" => {
                let within = expect.converged_within?;
                if let Some(why) = self.first_missing(|_| true) {
                    return Some(why);
                }
                let since = s.last_action_s.unwrap_or(0.0);
                if s.converged_after_s.is_some() || over(None, since, within) {
                    return None;
                }
                Some(format!(
                    "the record ends {:.2}s after the last action, before the {}s bound",
                    self.end_s() - since,
                    within.as_secs_f64()
                ))
            }
            // Counts only grow: one over its limit has failed for good.
            "false_positives" | "false_suspicions" if !c.ok => None,
            "detection_within" => {
                let within = expect.detection_within?;
                let late = s
                    .detections
                    .iter()
                    .any(|d| d.aborted && d.full_s.is_none() || over(d.full_s, d.crashed_at_s, within));
                if late {
                    return None;
                }
                let pending = s.detections.iter().find(|d| d.full_s.is_none());
                self.first_missing(|a| matches!(a, Action::Crash { .. })).or_else(|| {
                    pending.map(|d| format!("node {}'s crash was not yet fully detected when the record ends", d.node))
                })
            }
            "rumor_within" => {
                let within = expect.rumor_within?;
                if s.rumors.iter().any(|r| over(r.t100_s, r.injected_at_s, within)) {
                    return None;
                }
                let pending = s.rumors.iter().find(|r| r.t100_s.is_none());
                self.first_missing(|a| matches!(a, Action::Rumor { .. })).or_else(|| {
                    pending.map(|r| format!("node {}'s rumor had not reached everyone when the record ends", r.origin))
                })
            }
            // Everything else is judged over the whole run.
            _ => Some(format!(
                "judged over the whole run, and the record ends at {:.2}s of {:.2}s",
                self.end_s(),
                spec.script.duration.as_secs_f64()
            )),
        }
    }
}

/// Every one of `times` (seconds) must exist and be at most `within`;
/// `missing` says what failed when there are none, or one never happened.
fn worst_within(
    name: &str,
    within: Duration,
    times: impl ExactSizeIterator<Item = Option<f64>>,
    (none, never): (&str, &str),
) -> Check {
    let empty = times.len() == 0;
    let (ok, actual) = match times.collect::<Option<Vec<f64>>>() {
        _ if empty => (false, none.to_string()),
        None => (false, never.to_string()),
        Some(v) => {
            let max = v.iter().copied().fold(0.0, f64::max);
            (max <= within.as_secs_f64(), format!("{max:.2}s"))
        }
    };
    Check { name: name.into(), expected: format!("<= {}s", within.as_secs_f64()), actual, ok }
}

/// Checks each expectation of a profile against a summary.
pub fn check(expect: &Expect, s: &Summary) -> Vec<Check> {
    let mut checks = Vec::new();
    let fmt_s = |d: Duration| format!("<= {}s", d.as_secs_f64());
    if let Some(within) = expect.converged_within {
        let ok = s.converged_after_s.is_some_and(|c| c <= within.as_secs_f64());
        let actual = s.converged_after_s.map_or("never converged".to_string(), |c| format!("{c:.2}s"));
        checks.push(Check { name: "converged_within".into(), expected: fmt_s(within), actual, ok });
    }
    let at_most = |name: &str, max: u64, actual: usize| Check {
        name: name.into(),
        expected: format!("<= {max}"),
        actual: actual.to_string(),
        ok: actual as u64 <= max,
    };
    if let Some(max) = expect.false_positives {
        checks.push(at_most("false_positives", max, s.false_positives));
    }
    if let Some(max) = expect.false_suspicions {
        checks.push(at_most("false_suspicions", max, s.false_suspicions));
    }
    if let Some(within) = expect.detection_within {
        let times = s.detections.iter().map(|d| d.full_s);
        let missing = ("no crash happened", "a crash was never fully detected");
        checks.push(worst_within("detection_within", within, times, missing));
    }
    if let Some(within) = expect.rumor_within {
        let times = s.rumors.iter().map(|r| r.t100_s);
        let missing = ("no rumor was injected", "a rumor never reached every node");
        checks.push(worst_within("rumor_within", within, times, missing));
    }
    checks
}
