//! The action table's types, and the step its entries read: an entry
//! parses a step through [`Args`], and a step being read knows its entry,
//! so the two types live together and the table (`actions`) and the reader
//! (`step`) each depend on this module, not on each other.

use std::ops::Range;

use super::{Builder, Result};
use crate::config::raw::RawStep;
use crate::scenario::Action;

/// One parameter an action takes, beyond `at`, `action` and the
/// repetition keys. Its kind and bounds are those of the [`Args`] getter
/// the entry's `parse` reads it with (`node`, `index`, `probability`,
/// `delay`, `groups`, ...), which checks them.
#[derive(Clone, Copy)]
pub(super) struct Param {
    /// The key as written in the profile.
    pub key: &'static str,
    /// For a parameter the action cannot do without: what the "is
    /// missing" error tells the author to add. `None`: optional, or the
    /// action's `parse` says itself what is missing (`attack`).
    pub missing: Option<&'static str>,
}

/// What `for` means on a step.
pub(super) enum For {
    /// The action takes no `for`.
    No,
    /// `for` adds the step that undoes this one, that long after it.
    Undo(fn(&Action) -> Action),
    /// The action reads `for` itself, as one of its `params` (a rogue
    /// step: the attack's length).
    Own,
}

/// One action as profiles write it.
pub(super) struct ActionSpec {
    /// The `action = "..."` name; the table's order is [`Action::NAMES`]'s.
    pub name: &'static str,
    /// Its own parameters, in the order "takes only ..." hints list them.
    pub params: &'static [Param],
    /// `every` and `count` repeat the step. False for a rogue step, whose
    /// `count` is the attack's size and one of its `params`.
    pub repeats: bool,
    /// What `for` does.
    pub for_: For,
    /// The step's parameters → the action; every value checked.
    pub parse: fn(&Args<'_>) -> Result<Action>,
}

impl ActionSpec {
    /// Whether a step of this action may set `key`.
    pub fn takes(&self, key: &str) -> bool {
        self.params.iter().any(|p| p.key == key)
            || (self.repeats && (key == "every" || key == "count"))
            || (key == "for" && matches!(self.for_, For::Undo(_)))
    }

    /// Every optional key, for "takes only ..." hints.
    pub fn all(&self) -> Vec<&'static str> {
        let mut all: Vec<_> = self.params.iter().map(|p| p.key).collect();
        if matches!(self.for_, For::Undo(_)) {
            all.push("for");
        }
        if self.repeats {
            all.extend(["every", "count"]);
        }
        all
    }

    /// The parameter `key`, when this action takes it as its own.
    pub fn param(&self, key: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.key == key)
    }
}

/// One step being read: the raw entry, its action's table entry, and what
/// its error messages cite. The action table's `parse` functions read the
/// parameters through its getters (`node`, `probability`, ..., in
/// `params.rs`), which check each value's kind and bounds.
pub(in crate::config) struct Args<'a> {
    pub(super) b: &'a Builder<'a>,
    /// The entry's 1-based number in the profile.
    pub(super) n: usize,
    /// The message prefix: `[[timeline]] #2 (at 5s, pause): `.
    pub(super) p: String,
    pub(super) r: &'a RawStep,
    pub(super) spec: &'static ActionSpec,
    /// Where the step's `action` is: "is missing" errors point there.
    pub(super) action_span: Range<usize>,
}
