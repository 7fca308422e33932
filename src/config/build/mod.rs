//! The second layer: raw profile → [`LabConfig`], one field at a time,
//! each error naming the field and the fix, with its line and column.

mod actions;
mod attack;
mod compare;
mod params;
mod phi;
mod sections;
mod spec;
mod step;

use std::path::Path;
use std::time::Duration;

use super::error::{ConfigError, Ctx};
use super::raw::{RawProfile, Sp};
use super::{LabConfig, MAX_DURATION, MAX_STEPS, default_duration};
use crate::duration::{DURATION_FIX, parse_duration};
use crate::scenario::format_duration;

/// The longest baseline or per-link delay or jitter.
const MAX_DELAY: Duration = Duration::from_secs(60);
/// The most repetitions one step may ask for.
const MAX_COUNT: i64 = 1000;

type Result<T> = std::result::Result<T, ConfigError>;

/// Raw → strict. Cross-field rules are left to [`LabConfig::check`].
pub(super) fn build(source: &str, text: &str) -> Result<LabConfig> {
    let label = source.strip_prefix("embedded:").unwrap_or(source);
    let ctx = Ctx { profile: label.to_owned(), text };
    let raw: RawProfile = ctx.read()?;
    let b = Builder { ctx };

    let name = match &raw.name {
        Some(n) if n.get_ref().trim().is_empty() => {
            return Err(b.ctx.err("name", Some(n.span()), "name is empty: give the profile a name, or leave name out"));
        }
        Some(n) => n.get_ref().clone(),
        None => Path::new(label).file_stem().map_or_else(|| label.to_owned(), |s| s.to_string_lossy().into_owned()),
    };
    let description = raw.description.as_ref().map(|d| d.get_ref().trim().to_owned()).unwrap_or_default();

    let cluster = raw.cluster.unwrap_or_default();
    let (nodes, seed, base_port, join_stagger) = b.cluster(&cluster)?;
    let base_protocol = raw.protocol.unwrap_or_default();
    let (preset, protocol, phi) = b.protocol_section(&base_protocol)?;
    let network = b.network(&raw.network.unwrap_or_default())?;
    let security = super::security::security(&b.ctx, &raw.security.unwrap_or_default(), source)?;
    let mut timeline = Vec::new();
    for (i, step) in raw.timeline.iter().enumerate() {
        b.step(i + 1, step, &mut timeline)?;
        if timeline.len() > MAX_STEPS {
            return Err(b.ctx.err(
                format!("[[timeline]] #{}", i + 1),
                step.at.as_ref().map(|a| a.span()),
                format!("[[timeline]] #{}: the timeline expands to more than {MAX_STEPS} steps: lower count", i + 1),
            ));
        }
    }
    // Stable: steps at the same time keep the profile's order.
    timeline.sort_by_key(|s| s.at);
    let expect = b.expect(&raw.expect.unwrap_or_default())?;
    let duration = match &raw.duration {
        Some(d) => b.duration("", "duration", d, true)?,
        None => default_duration(&timeline, &expect),
    };
    if duration > MAX_DURATION {
        let span = raw.duration.as_ref().map(|d| d.span());
        return Err(b.ctx.err(
            "duration",
            span,
            format!(
                "duration = \"{}\" is too long: use at most \"{}\"",
                format_duration(duration),
                format_duration(MAX_DURATION)
            ),
        ));
    }
    let compare = raw.compare.as_ref().map(|c| b.compare(&base_protocol, c)).transpose()?;
    let member_cap = protocol.max_members_set.then_some(protocol.config.max_members);
    let protocol = protocol.config;
    let mut config = LabConfig {
        name,
        description,
        source: source.to_owned(),
        nodes,
        seed,
        base_port,
        join_stagger,
        preset,
        protocol,
        phi,
        member_cap,
        network,
        security,
        timeline,
        expect,
        duration,
        compare,
    };
    config.fit_member_cap();
    Ok(config)
}

pub(super) struct Builder<'a> {
    pub(super) ctx: Ctx<'a>,
}

impl Builder<'_> {
    /// A duration field; `prefix` is the section ("[protocol] ") or step
    /// context ("[[timeline]] #2 (at 5s, pause): ").
    pub(super) fn duration(&self, prefix: &str, key: &str, v: &Sp<String>, positive: bool) -> Result<Duration> {
        let field = field_name(prefix, key);
        let s = v.get_ref();
        let d = parse_duration(s).map_err(|e| self.ctx.err(&field, Some(v.span()), format!("{prefix}{key} = {e}")))?;
        if positive && d.is_zero() {
            return Err(self.ctx.err(
                field,
                Some(v.span()),
                format!("{prefix}{key} = \"{s}\" must be longer than zero: {DURATION_FIX}"),
            ));
        }
        Ok(d)
    }

    pub(super) fn probability(&self, prefix: &str, key: &str, v: &Sp<f64>) -> Result<f64> {
        let p = *v.get_ref();
        if !(0.0..=1.0).contains(&p) {
            return Err(self.ctx.err(
                field_name(prefix, key),
                Some(v.span()),
                format!("{prefix}{key} = {p} is out of range: use a probability between 0.0 and 1.0"),
            ));
        }
        Ok(p)
    }

    /// A whole number in `lo..=hi`; `what` completes "use ...".
    pub(super) fn int(&self, prefix: &str, key: &str, v: &Sp<i64>, lo: i64, hi: i64) -> Result<i64> {
        let n = *v.get_ref();
        if !(lo..=hi).contains(&n) {
            return Err(self.ctx.err(
                field_name(prefix, key),
                Some(v.span()),
                format!("{prefix}{key} = {n} is out of range: use a whole number from {lo} to {hi}"),
            ));
        }
        Ok(n)
    }

    /// Milliseconds as a number (`delay_ms = 20`, `jitter_ms = 0.5`).
    pub(super) fn millis(&self, prefix: &str, key: &str, v: &Sp<f64>) -> Result<Duration> {
        let ms = *v.get_ref();
        let max = MAX_DELAY.as_millis();
        if !(0.0..=max as f64).contains(&ms) {
            return Err(self.ctx.err(
                field_name(prefix, key),
                Some(v.span()),
                format!("{prefix}{key} = {ms} is out of range: use milliseconds from 0 to {max}"),
            ));
        }
        Ok(Duration::from_secs_f64(ms / 1000.0))
    }
}

/// The field a message prefix and key name: `"[network] " + "loss"` →
/// `"[network] loss"`; `"[[timeline]] #2 (at 5s, pause): " + "for"` →
/// `"[[timeline]] #2 for"`; `"" + "duration"` → `"duration"`.
pub(super) fn field_name(prefix: &str, key: &str) -> String {
    let head = prefix.split(" (").next().unwrap_or(prefix).trim_end().trim_end_matches(':');
    if head.is_empty() { key.to_owned() } else { format!("{head} {key}") }
}
