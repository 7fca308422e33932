//! Scenario vocabulary: the actions a timeline, a TUI key or the lab itself
//! can apply to a running cluster, and the expectations a headless run checks.
//!
//! [`Action`] is the one command set shared by every driver, so a profile's
//! `[[timeline]]` step, a key press and a session-log line all mean the same
//! thing. Parsing and validation live in the `config` module; this module
//! holds only the validated values.
//!
//! Split by concern: `target` (which nodes), `action` (the commands and
//! their labels), `format` (durations and percentages as profiles write
//! them); timeline steps and expectations stay here.

mod action;
mod compare;
mod format;
mod target;
#[cfg(test)]
mod tests;

use std::time::Duration;

use serde::ser::{Serialize, Serializer};

pub use self::action::Action;
pub use self::compare::{Direction, Figure, Which, side_profile, split_side_profile};
pub use self::format::{format_duration, groups, percent, plural, ranges, run_text, runs};
pub use self::target::{Groups, NodeRef};

/// One timeline entry after expansion: do `action` at `at` after lab start.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// When, measured from lab start.
    pub at: Duration,
    /// What.
    pub action: Action,
    /// Which `[[timeline]]` entry of the profile (1-based) this step came
    /// from; `every`/`count` and `for` expand one entry into several steps.
    /// Error messages cite it.
    pub origin: usize,
}

impl Serialize for Step {
    /// `{"at":"5s","action":"crash","node":3}`: the profile's own shape.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.action).map_err(serde::ser::Error::custom)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("at".to_owned(), format_duration(self.at).into());
        }
        value.serialize(s)
    }
}

/// What a headless run checks at the end. Every field is optional; an unset
/// one is not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// All running nodes agree on membership (and match ground truth) within
    /// this long after the last timeline step (after lab start when the
    /// timeline is empty).
    pub converged_within: Option<Duration>,
    /// At most this many false positives (a running, reachable node held
    /// dead or left by an observer; see `observe::metrics::false_marks`).
    pub false_positives: Option<u64>,
    /// At most this many false suspicions (a running, reachable node
    /// suspected by an observer).
    pub false_suspicions: Option<u64>,
    /// Every crash is seen as dead by all running nodes within this long.
    pub detection_within: Option<Duration>,
    /// Every rumor reaches all running nodes within this long.
    pub rumor_within: Option<Duration>,
}

impl Expect {
    /// True when nothing is checked.
    pub fn is_empty(&self) -> bool {
        *self == Expect::default()
    }
}
