//! One `[[timeline]]` entry → its steps: `at` and `action` first, then the
//! action's own parameters through its entry in the action table, then the
//! repetition (`every`, `count`) and the undo step (`for`) the table allows.

use std::ops::Range;
use std::time::Duration;

use super::actions::{ActionSpec, For};
use super::{Builder, Result};
use crate::config::error::{ConfigError, closest};
use crate::config::raw::RawStep;
use crate::scenario::{Action, Step, format_duration};

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
    r: &'a RawStep,
    spec: &'static ActionSpec,
    /// Where the step's `action` is: "is missing" errors point there.
    action_span: Range<usize>,
}

impl Builder<'_> {
    /// One `[[timeline]]` entry (`n` is 1-based) → one or more steps.
    pub(super) fn step(&self, n: usize, r: &RawStep, out: &mut Vec<Step>) -> Result<()> {
        let (at, args) = self.step_head(n, r)?;
        args.refuse_foreign()?;
        args.require()?;
        let action = (args.spec.parse)(&args)?;
        let (every, count) = args.repetition()?;
        let undo = args.undo(&action, every, count)?;
        for k in 0..count {
            let t = at + every * k;
            out.push(Step { at: t, action: action.clone(), origin: n });
            if let Some((d, undo)) = &undo {
                out.push(Step { at: t + *d, action: undo.clone(), origin: n });
            }
        }
        Ok(())
    }

    /// `at` and `action`: when, and which table entry reads the rest.
    fn step_head<'a>(&'a self, n: usize, r: &'a RawStep) -> Result<(Duration, Args<'a>)> {
        let bare = format!("[[timeline]] #{n}: ");
        let table_span = r.at.as_ref().map(|v| v.span()).or(r.action.as_ref().map(|v| v.span()));
        let Some(at_raw) = &r.at else {
            return Err(self.ctx.err(
                format!("[[timeline]] #{n} at"),
                table_span,
                format!("{bare}\"at\" is missing: add at = \"5s\" (when, counted from lab start)"),
            ));
        };
        let at = self.duration(&bare, "at", at_raw, false)?;
        let names = ActionSpec::names().collect::<Vec<_>>().join(", ");
        let Some(action_raw) = &r.action else {
            return Err(self.ctx.err(
                format!("[[timeline]] #{n} action"),
                Some(at_raw.span()),
                format!(
                    "[[timeline]] #{n} (at {}): \"action\" is missing: add action = \"crash\" (or one of: {names})",
                    format_duration(at)
                ),
            ));
        };
        let name = action_raw.get_ref().as_str();
        let Some(spec) = ActionSpec::find(name) else {
            let hint =
                closest(name, ActionSpec::names()).map(|c| format!("did you mean \"{c}\"? ")).unwrap_or_default();
            return Err(self.ctx.err(
                format!("[[timeline]] #{n} action"),
                Some(action_raw.span()),
                format!(
                    "[[timeline]] #{n} (at {}): action = \"{name}\" is not an action: {hint}use one of: {names}",
                    format_duration(at)
                ),
            ));
        };
        let p = format!("[[timeline]] #{n} (at {}, {}): ", format_duration(at), spec.name);
        Ok((at, Args { b: self, n, p, r, spec, action_span: action_raw.span() }))
    }
}

impl Args<'_> {
    /// The step as written.
    pub(super) fn raw(&self) -> &RawStep {
        self.r
    }

    /// An error about this step's `key`.
    pub(super) fn err(&self, key: &str, span: Option<Range<usize>>, message: String) -> ConfigError {
        self.b.ctx.err(format!("[[timeline]] #{} {key}", self.n), span, message)
    }

    /// "`key` is missing", with the example the action table gives.
    pub(super) fn missing(&self, key: &str) -> ConfigError {
        let example = self.spec.param(key).and_then(|p| p.missing).unwrap_or(key);
        self.err(key, Some(self.action_span.clone()), format!("{}\"{key}\" is missing: add {example}", self.p))
    }

    /// Parameters that this action does not take.
    fn refuse_foreign(&self) -> Result<()> {
        let name = self.spec.name;
        for (key, span) in self.r.present() {
            if !self.spec.takes(key) {
                let takes = self.spec.all().join(", ");
                let takes = if takes.is_empty() { "no parameters".to_owned() } else { format!("only {takes}") };
                return Err(self.err(
                    key,
                    Some(span),
                    format!("{}\"{key}\" does not apply to {name}: remove it ({name} takes {takes})", self.p),
                ));
            }
        }
        Ok(())
    }

    /// Parameters that this action cannot do without, in table order.
    fn require(&self) -> Result<()> {
        let present = self.r.present();
        let absent =
            self.spec.params.iter().filter(|p| p.missing.is_some()).find(|p| !present.iter().any(|(k, _)| *k == p.key));
        absent.map_or(Ok(()), |p| Err(self.missing(p.key)))
    }

    /// `every` and `count`: the time between repetitions and how many in
    /// all; `(0, 1)` for a step that is not repeated.
    fn repetition(&self) -> Result<(Duration, u32)> {
        let p = &self.p;
        match (&self.r.every, &self.r.count) {
            _ if !self.spec.repeats => Ok((Duration::ZERO, 1)),
            (None, None) => Ok((Duration::ZERO, 1)),
            (Some(e), None) => Err(self.err(
                "count",
                Some(e.span()),
                format!("{p}\"every\" needs \"count\": add count = 3 (how many times in all)"),
            )),
            (None, Some(c)) => Err(self.err(
                "every",
                Some(c.span()),
                format!("{p}\"count\" needs \"every\": add every = \"5s\" (the time between repetitions)"),
            )),
            (Some(e), Some(c)) => {
                Ok((self.b.duration(p, "every", e, true)?, self.b.int(p, "count", c, 1, super::MAX_COUNT)? as u32))
            }
        }
    }

    /// `for`: the undo step and how long after each repetition it comes.
    fn undo(&self, action: &Action, every: Duration, count: u32) -> Result<Option<(Duration, Action)>> {
        let (For::Undo(undo), Some(v)) = (&self.spec.for_, &self.r.for_) else { return Ok(None) };
        let d = self.b.duration(&self.p, "for", v, true)?;
        if count > 1 && d >= every {
            return Err(self.err(
                "for",
                Some(v.span()),
                format!(
                    "{}for = \"{}\" overlaps the next repetition (every = \"{}\"): make for shorter than every",
                    self.p,
                    v.get_ref(),
                    format_duration(every)
                ),
            ));
        }
        Ok(Some((d, undo(action))))
    }
}
