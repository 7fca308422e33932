//! The second layer: raw profile → [`LabConfig`], one field at a time,
//! each error naming the field and the fix, with its line and column.

mod attack;

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use super::error::{ConfigError, Ctx, closest};
use super::raw::{RawCluster, RawExpect, RawNetwork, RawProfile, RawProtocol, RawStep, Sp};
use super::security::key_ref;
use super::{LabConfig, MAX_DURATION, MAX_NODES, MAX_STEPS, MIN_BASE_PORT, NetworkConfig, default_duration};
use crate::protocol::message::MAX_RUMOR_PAYLOAD;
use crate::protocol::{Config, Preset};
use crate::scenario::{Action, Expect, Groups, NodeRef, Step, format_duration};
use crate::security::KeyRef;
use crate::wire::MAX_DATAGRAM;

/// The fix offered for every bad duration.
const DURATION_FIX: &str =
    "use a duration like \"250ms\" or \"5s\" (units ns, us, ms, s, m, h; combine them as \"1s 500ms\")";
/// The longest baseline or per-link delay or jitter.
const MAX_DELAY: Duration = Duration::from_secs(60);
/// The most repetitions one step may ask for.
const MAX_COUNT: i64 = 1000;
/// The largest member cap a profile may ask for: room for the 10,000-node
/// simulations with a flood on top, and still a bound.
const MAX_MEMBER_CAP: usize = 1 << 20;
/// The smallest datagram budget: the classic minimum IPv4 datagram size.
const MIN_PACKET_BUDGET: i64 = 576;

type Result<T> = std::result::Result<T, ConfigError>;

/// Parses a duration as profiles and flags write it ("250ms", "5s",
/// "1m 30s"), with the fix in the error text.
///
/// Stricter than humantime alone: every part is digits glued to one of the
/// units `ns`, `us`, `ms`, `s`, `m`, `h`, so profiles read alike and "5 sec"
/// or "1.5s" are rejected with the fix rather than half-understood.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    const UNITS: [&str; 6] = ["ns", "us", "ms", "s", "m", "h"];
    let well_formed = !s.trim().is_empty()
        && s.split_whitespace().all(|part| {
            let digits = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len());
            digits > 0 && UNITS.contains(&&part[digits..])
        });
    let parsed = if well_formed { humantime::parse_duration(s.trim()).ok() } else { None };
    parsed.ok_or_else(|| format!("\"{s}\" is not a duration: {DURATION_FIX}"))
}

/// Raw → strict. Cross-field rules are left to [`LabConfig::check`].
pub(super) fn build(source: &str, text: &str) -> Result<LabConfig> {
    let label = source.strip_prefix("embedded:").unwrap_or(source);
    let ctx = Ctx { profile: label.to_owned(), text };
    let raw: RawProfile = toml::from_str(text).map_err(|e| ctx.toml_error(&e))?;
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
    let (preset, protocol) = b.protocol(&raw.protocol.unwrap_or_default())?;
    let network = b.network(&raw.network.unwrap_or_default())?;
    let security = b.security(&raw.security.unwrap_or_default(), source)?;
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
        member_cap,
        network,
        security,
        timeline,
        expect,
        duration,
    };
    config.fit_member_cap();
    Ok(config)
}

/// The protocol section, and whether it set the member cap itself.
struct ProtocolSection {
    config: Config,
    max_members_set: bool,
}

pub(super) struct Builder<'a> {
    pub(super) ctx: Ctx<'a>,
}

impl Builder<'_> {
    /// A duration field; `prefix` is the section ("[protocol] ") or step
    /// context ("[[timeline]] #2 (at 5s, pause): ").
    fn duration(&self, prefix: &str, key: &str, v: &Sp<String>, positive: bool) -> Result<Duration> {
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

    fn probability(&self, prefix: &str, key: &str, v: &Sp<f64>) -> Result<f64> {
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
    fn int(&self, prefix: &str, key: &str, v: &Sp<i64>, lo: i64, hi: i64) -> Result<i64> {
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
    fn millis(&self, prefix: &str, key: &str, v: &Sp<f64>) -> Result<Duration> {
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

    fn cluster(&self, c: &RawCluster) -> Result<(usize, u64, Option<u16>, Duration)> {
        const P: &str = "[cluster] ";
        let nodes = match &c.nodes {
            Some(v) => self.int(P, "nodes", v, 1, MAX_NODES as i64)? as usize,
            None => 16,
        };
        let seed = match &c.seed {
            Some(v) => self.int(P, "seed", v, 0, i64::MAX)? as u64,
            None => 1,
        };
        let base_port = match &c.base_port {
            Some(v) if (0..i64::from(MIN_BASE_PORT)).contains(v.get_ref()) => {
                return Err(self.ctx.err(
                    "[cluster] base_port",
                    Some(v.span()),
                    format!(
                        "[cluster] base_port = {} is a privileged port: use {MIN_BASE_PORT} or above, \
                         or leave base_port out to let the OS pick",
                        v.get_ref()
                    ),
                ));
            }
            Some(v) => Some(self.int(P, "base_port", v, i64::from(MIN_BASE_PORT), i64::from(u16::MAX))? as u16),
            None => None,
        };
        let join_stagger = match &c.join_stagger {
            Some(v) => {
                let d = self.duration(P, "join_stagger", v, false)?;
                if d > Duration::from_secs(10) {
                    return Err(self.ctx.err(
                        "[cluster] join_stagger",
                        Some(v.span()),
                        "[cluster] join_stagger is longer than 10s: use a short pause like \"10ms\"",
                    ));
                }
                d
            }
            None => Duration::ZERO,
        };
        Ok((nodes, seed, base_port, join_stagger))
    }

    fn protocol(&self, r: &RawProtocol) -> Result<(Preset, ProtocolSection)> {
        const P: &str = "[protocol] ";
        let preset = match &r.preset {
            Some(v) => Preset::from_name(v.get_ref()).ok_or_else(|| {
                let names: Vec<_> = Preset::ALL.iter().map(|p| p.name()).collect();
                self.ctx.err(
                    "[protocol] preset",
                    Some(v.span()),
                    format!(
                        "[protocol] preset = \"{}\" is not a preset: use one of: {}",
                        v.get_ref(),
                        names.join(", ")
                    ),
                )
            })?,
            None => Preset::Lan,
        };
        let mut c = Config::preset(preset);
        if let Some(v) = &r.lifeguard {
            c = c.with_lifeguard(*v.get_ref());
        }
        let dur = |key, v: &Option<Sp<String>>, slot: &mut Duration| -> Result<()> {
            if let Some(v) = v {
                *slot = self.duration(P, key, v, true)?;
            }
            Ok(())
        };
        dur("probe_interval", &r.probe_interval, &mut c.probe_interval)?;
        dur("probe_timeout", &r.probe_timeout, &mut c.probe_timeout)?;
        dur("gossip_interval", &r.gossip_interval, &mut c.gossip_interval)?;
        dur("push_pull_interval", &r.push_pull_interval, &mut c.push_pull_interval)?;
        dur("join_retry", &r.join_retry, &mut c.join_retry)?;
        dur("reap_after", &r.reap_after, &mut c.reap_after)?;
        let int = |key, v: &Option<Sp<i64>>, lo, hi| -> Result<Option<i64>> {
            v.as_ref().map(|v| self.int(P, key, v, lo, hi)).transpose()
        };
        if let Some(n) = int("indirect_checks", &r.indirect_checks, 0, 16)? {
            c.indirect_checks = n as usize;
        }
        if let Some(n) = int("gossip_nodes", &r.gossip_nodes, 1, 64)? {
            c.gossip_nodes = n as usize;
        }
        if let Some(n) = int("suspicion_mult", &r.suspicion_mult, 1, 100)? {
            c.suspicion_mult = n as u32;
        }
        if let Some(n) = int("suspicion_max_timeout_mult", &r.suspicion_max_timeout_mult, 1, 100)? {
            c.suspicion_max_timeout_mult = n as u32;
        }
        if let Some(n) = int("retransmit_mult", &r.retransmit_mult, 1, 100)? {
            c.retransmit_mult = n as u32;
        }
        if let Some(n) = int("awareness_max_multiplier", &r.awareness_max_multiplier, 1, 64)? {
            c.awareness_max_multiplier = n as u32;
        }
        if let Some(n) = int("packet_budget", &r.packet_budget, MIN_PACKET_BUDGET, MAX_DATAGRAM as i64)? {
            c.packet_budget = n as usize;
        }
        let max_members = int("max_members", &r.max_members, 2, MAX_MEMBER_CAP as i64)?;
        if let Some(n) = max_members {
            c.max_members = n as usize;
        }
        for (v, slot) in [
            (&r.awareness, &mut c.awareness),
            (&r.dynamic_suspicion, &mut c.dynamic_suspicion),
            (&r.buddy, &mut c.buddy),
        ] {
            if let Some(v) = v {
                *slot = *v.get_ref();
            }
        }
        if c.probe_timeout >= c.probe_interval {
            let span = r.probe_timeout.as_ref().or(r.probe_interval.as_ref()).map(|v| v.span());
            return Err(self.ctx.err(
                "[protocol] probe_timeout",
                span,
                format!(
                    "[protocol] probe_timeout = \"{}\" must be shorter than probe_interval = \"{}\" \
                     (the indirect probe needs the rest of the interval): lower probe_timeout or raise probe_interval",
                    format_duration(c.probe_timeout),
                    format_duration(c.probe_interval)
                ),
            ));
        }
        Ok((preset, ProtocolSection { config: c, max_members_set: max_members.is_some() }))
    }

    fn network(&self, r: &RawNetwork) -> Result<NetworkConfig> {
        const P: &str = "[network] ";
        Ok(NetworkConfig {
            loss: r.loss.as_ref().map(|v| self.probability(P, "loss", v)).transpose()?.unwrap_or(0.0),
            delay: r.delay_ms.as_ref().map(|v| self.millis(P, "delay_ms", v)).transpose()?.unwrap_or_default(),
            jitter: r.jitter_ms.as_ref().map(|v| self.millis(P, "jitter_ms", v)).transpose()?.unwrap_or_default(),
            duplicate: r.duplicate.as_ref().map(|v| self.probability(P, "duplicate", v)).transpose()?.unwrap_or(0.0),
        })
    }

    fn expect(&self, r: &RawExpect) -> Result<Expect> {
        const P: &str = "[expect] ";
        let dur = |key, v: &Option<Sp<String>>| v.as_ref().map(|v| self.duration(P, key, v, true)).transpose();
        let count = |key, v: &Option<Sp<i64>>| {
            v.as_ref().map(|v| self.int(P, key, v, 0, i64::MAX).map(|n| n as u64)).transpose()
        };
        Ok(Expect {
            converged_within: dur("converged_within", &r.converged_within)?,
            false_positives: count("false_positives", &r.false_positives)?,
            false_suspicions: count("false_suspicions", &r.false_suspicions)?,
            detection_within: dur("detection_within", &r.detection_within)?,
            rumor_within: dur("rumor_within", &r.rumor_within)?,
        })
    }

    /// One `[[timeline]]` entry (`n` is 1-based) → one or more steps.
    fn step(&self, n: usize, r: &RawStep, out: &mut Vec<Step>) -> Result<()> {
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
        let names = Action::NAMES.join(", ");
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
        let Some(&name) = Action::NAMES.iter().find(|&&a| a == name) else {
            let hint =
                closest(name, Action::NAMES.into_iter()).map(|c| format!("did you mean \"{c}\"? ")).unwrap_or_default();
            return Err(self.ctx.err(
                format!("[[timeline]] #{n} action"),
                Some(action_raw.span()),
                format!(
                    "[[timeline]] #{n} (at {}): action = \"{name}\" is not an action: {hint}use one of: {names}",
                    format_duration(at)
                ),
            ));
        };
        let p = format!("[[timeline]] #{n} (at {}, {name}): ", format_duration(at));
        let spec = StepSpec::of(name);

        // Parameters that this action does not take.
        for (key, span) in present(r) {
            if !spec.takes(key) {
                let takes = spec.all().join(", ");
                let takes = if takes.is_empty() { "no parameters".to_owned() } else { format!("only {takes}") };
                return Err(self.ctx.err(
                    format!("[[timeline]] #{n} {key}"),
                    Some(span),
                    format!("{p}\"{key}\" does not apply to {name}: remove it ({name} takes {takes})"),
                ));
            }
        }
        let missing = |key: &str, example: &str| {
            self.ctx.err(
                format!("[[timeline]] #{n} {key}"),
                Some(action_raw.span()),
                format!("{p}\"{key}\" is missing: add {example}"),
            )
        };
        let node = || -> Result<NodeRef> {
            let v = r.node.as_ref().ok_or_else(|| missing("node", "node = 3 (an index) or node = \"random\""))?;
            self.node_ref(&p, v)
        };
        let node_index = |key: &str, v: &Option<Sp<i64>>| -> Result<usize> {
            let v = v.as_ref().ok_or_else(|| missing(key, &format!("{key} = 0 (a node index)")))?;
            Ok(self.int(&p, key, v, 0, MAX_NODES as i64 - 1)? as usize)
        };
        let dur_or_zero = |key: &str, v: &Option<Sp<String>>| -> Result<Duration> {
            let d = v.as_ref().map(|v| self.duration(&p, key, v, false)).transpose()?.unwrap_or_default();
            if d > MAX_DELAY {
                let v = v.as_ref().expect("a nonzero duration was given");
                return Err(self.ctx.err(
                    format!("[[timeline]] #{n} {key}"),
                    Some(v.span()),
                    format!(
                        "{p}{key} = \"{}\" is too long: use at most \"{}\"",
                        v.get_ref(),
                        format_duration(MAX_DELAY)
                    ),
                ));
            }
            Ok(d)
        };
        let action = match name {
            "crash" => Action::Crash { node: node()? },
            "restart" => Action::Restart { node: node()? },
            "pause" => Action::Pause { node: node()? },
            "resume" => Action::Resume { node: node()? },
            "leave" => Action::Leave { node: node()? },
            "isolate" => Action::Isolate { node: node()? },
            "add" => Action::Add,
            "heal" => Action::Heal,
            "partition" => {
                let v = r
                    .groups
                    .as_ref()
                    .ok_or_else(|| missing("groups", "groups = \"halves\" or groups = [[0, 1], [2, 3]]"))?;
                Action::Partition {
                    groups: self.groups(&p, v)?,
                    one_way: r.one_way.as_ref().is_some_and(|v| *v.get_ref()),
                }
            }
            "set_loss" => {
                let v = r.loss.as_ref().ok_or_else(|| missing("loss", "loss = 0.1 (a probability)"))?;
                Action::SetLoss { loss: self.probability(&p, "loss", v)? }
            }
            "set_delay" => {
                if r.delay.is_none() {
                    return Err(missing("delay", "delay = \"50ms\""));
                }
                Action::SetDelay { delay: dur_or_zero("delay", &r.delay)?, jitter: dur_or_zero("jitter", &r.jitter)? }
            }
            "set_duplicate" => {
                let v = r.probability.as_ref().ok_or_else(|| missing("probability", "probability = 0.05"))?;
                Action::SetDuplicate { probability: self.probability(&p, "probability", v)? }
            }
            "set_link" => {
                let (from, to) = (node_index("from", &r.from)?, node_index("to", &r.to)?);
                if from == to {
                    let span = r.to.as_ref().map(|v| v.span());
                    return Err(self.ctx.err(
                        format!("[[timeline]] #{n} to"),
                        span,
                        format!("{p}from and to are both {from}: a link joins two different nodes"),
                    ));
                }
                let loss = r.loss.as_ref().map(|v| self.probability(&p, "loss", v)).transpose()?.unwrap_or(0.0);
                let (delay, jitter) = (dur_or_zero("delay", &r.delay)?, dur_or_zero("jitter", &r.jitter)?);
                Action::SetLink { from, to, loss, delay, jitter }
            }
            "rumor" => {
                let node = node()?;
                let payload = match &r.payload {
                    Some(v) if v.get_ref().len() > MAX_RUMOR_PAYLOAD => {
                        return Err(self.ctx.err(
                            format!("[[timeline]] #{n} payload"),
                            Some(v.span()),
                            format!("{p}payload is {} bytes: use at most {MAX_RUMOR_PAYLOAD}", v.get_ref().len()),
                        ));
                    }
                    Some(v) => v.get_ref().clone(),
                    None => format!("rumor #{n}"),
                };
                Action::Rumor { node, payload }
            }
            "rogue" => self.rogue(n, &p, r, node()?)?,
            "key_install" => Action::KeyInstall,
            "key_use" => Action::KeyUse { key: key_ref(self, &p, n, r.key.as_ref(), KeyRef::Newest)? },
            "key_remove" => Action::KeyRemove { key: key_ref(self, &p, n, r.key.as_ref(), KeyRef::Oldest)? },
            other => unreachable!("{other} is in Action::NAMES but has no parser"),
        };

        // Repetition: every + count (a rogue step's count is its own).
        let (every, count) = match (&r.every, &r.count) {
            _ if !spec.repeats => (Duration::ZERO, 1),
            (None, None) => (Duration::ZERO, 1),
            (Some(e), None) => {
                return Err(self.ctx.err(
                    format!("[[timeline]] #{n} count"),
                    Some(e.span()),
                    format!("{p}\"every\" needs \"count\": add count = 3 (how many times in all)"),
                ));
            }
            (None, Some(c)) => {
                return Err(self.ctx.err(
                    format!("[[timeline]] #{n} every"),
                    Some(c.span()),
                    format!("{p}\"count\" needs \"every\": add every = \"5s\" (the time between repetitions)"),
                ));
            }
            (Some(e), Some(c)) => {
                (self.duration(&p, "every", e, true)?, self.int(&p, "count", c, 1, MAX_COUNT)? as u32)
            }
        };
        // Duration: for → the matching undo step (a rogue step's for is its own).
        let undo = match &r.for_ {
            None => None,
            Some(_) if !spec.has_for => None,
            Some(v) => {
                let d = self.duration(&p, "for", v, true)?;
                if count > 1 && d >= every {
                    return Err(self.ctx.err(
                        format!("[[timeline]] #{n} for"),
                        Some(v.span()),
                        format!(
                            "{p}for = \"{}\" overlaps the next repetition (every = \"{}\"): make for shorter than every",
                            v.get_ref(),
                            format_duration(every)
                        ),
                    ));
                }
                let undo = match &action {
                    Action::Pause { node } => Action::Resume { node: *node },
                    _ => Action::Heal, // partition and isolate; StepSpec allows `for` on nothing else
                };
                Some((d, undo))
            }
        };
        for k in 0..count {
            let t = at + every * k;
            out.push(Step { at: t, action: action.clone(), origin: n });
            if let Some((d, undo)) = &undo {
                out.push(Step { at: t + *d, action: undo.clone(), origin: n });
            }
        }
        Ok(())
    }

    fn node_ref(&self, p: &str, v: &Sp<toml::Value>) -> Result<NodeRef> {
        match v.get_ref() {
            toml::Value::Integer(i) if (0..MAX_NODES as i64).contains(i) => Ok(NodeRef::Index(*i as usize)),
            toml::Value::String(s) if s == "random" => Ok(NodeRef::Random),
            other => Err(self.ctx.err(
                field_name(p, "node"),
                Some(v.span()),
                format!("{p}node = {other} is not a node: use an index from 0 to {} or \"random\"", MAX_NODES - 1),
            )),
        }
    }

    fn groups(&self, p: &str, v: &Sp<toml::Value>) -> Result<Groups> {
        let bad = |why: &str| {
            self.ctx.err(
                field_name(p, "groups"),
                Some(v.span()),
                format!(
                    "{p}groups = {} {why}: use \"halves\" or lists of node indices like [[0, 1, 2], [3, 4, 5]]",
                    v.get_ref()
                ),
            )
        };
        let arrays = match v.get_ref() {
            toml::Value::String(s) if s == "halves" => return Ok(Groups::Halves),
            toml::Value::Array(a) if !a.is_empty() => a,
            _ => return Err(bad("is not a grouping")),
        };
        let mut groups = Vec::with_capacity(arrays.len());
        let mut seen = std::collections::BTreeSet::new();
        for g in arrays {
            let toml::Value::Array(items) = g else { return Err(bad("has a group that is not a list")) };
            if items.is_empty() {
                return Err(bad("has an empty group"));
            }
            let mut group = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    toml::Value::Integer(i) if (0..MAX_NODES as i64).contains(i) => {
                        let i = *i as usize;
                        if !seen.insert(i) {
                            return Err(bad(&format!("lists node {i} twice (each node belongs to one group)")));
                        }
                        group.push(i);
                    }
                    other => return Err(bad(&format!("has {other}, which is not a node index"))),
                }
            }
            groups.push(group);
        }
        Ok(Groups::Explicit(groups))
    }
}

/// The parameters each action takes, beyond `at` and `action`.
struct StepSpec {
    params: &'static [&'static str],
    /// `for` expands into the undo step (resume or heal).
    has_for: bool,
    /// `every` and `count` repeat the step. A rogue step uses `count` for
    /// the attack's size instead, so it does not repeat.
    repeats: bool,
}

impl StepSpec {
    fn of(action: &str) -> StepSpec {
        if action == "rogue" {
            return StepSpec { params: &["attack", "node", "count", "for"], has_for: false, repeats: false };
        }
        let (params, has_for): (&'static [&'static str], bool) = match action {
            "pause" | "isolate" => (&["node"], true),
            "crash" | "restart" | "resume" | "leave" => (&["node"], false),
            "partition" => (&["groups", "one_way"], true),
            "set_loss" => (&["loss"], false),
            "set_delay" => (&["delay", "jitter"], false),
            "set_duplicate" => (&["probability"], false),
            "set_link" => (&["from", "to", "loss", "delay", "jitter"], false),
            "rumor" => (&["node", "payload"], false),
            "key_use" | "key_remove" => (&["key"], false),
            _ => (&[], false), // add, heal, key_install
        };
        StepSpec { params, has_for, repeats: true }
    }

    fn takes(&self, key: &str) -> bool {
        self.params.contains(&key)
            || (self.repeats && (key == "every" || key == "count"))
            || (key == "for" && self.has_for)
    }

    /// Every optional key, for "takes only ..." hints.
    fn all(&self) -> Vec<&'static str> {
        let mut all = self.params.to_vec();
        if self.has_for {
            all.push("for");
        }
        if self.repeats {
            all.extend(["every", "count"]);
        }
        all
    }
}

/// The parameters a raw step sets, with their spans, in source order.
fn present(r: &RawStep) -> Vec<(&'static str, Range<usize>)> {
    let mut v = Vec::new();
    let mut add = |key, span: Option<Range<usize>>| {
        if let Some(s) = span {
            v.push((key, s));
        }
    };
    add("node", r.node.as_ref().map(|x| x.span()));
    add("groups", r.groups.as_ref().map(|x| x.span()));
    add("one_way", r.one_way.as_ref().map(|x| x.span()));
    add("from", r.from.as_ref().map(|x| x.span()));
    add("to", r.to.as_ref().map(|x| x.span()));
    add("loss", r.loss.as_ref().map(|x| x.span()));
    add("delay", r.delay.as_ref().map(|x| x.span()));
    add("jitter", r.jitter.as_ref().map(|x| x.span()));
    add("probability", r.probability.as_ref().map(|x| x.span()));
    add("payload", r.payload.as_ref().map(|x| x.span()));
    add("attack", r.attack.as_ref().map(|x| x.span()));
    add("key", r.key.as_ref().map(|x| x.span()));
    add("every", r.every.as_ref().map(|x| x.span()));
    add("count", r.count.as_ref().map(|x| x.span()));
    add("for", r.for_.as_ref().map(|x| x.span()));
    v.sort_by_key(|(_, s)| s.start);
    v
}

/// The field a message prefix and key name: `"[network] " + "loss"` →
/// `"[network] loss"`; `"[[timeline]] #2 (at 5s, pause): " + "for"` →
/// `"[[timeline]] #2 for"`; `"" + "duration"` → `"duration"`.
fn field_name(prefix: &str, key: &str) -> String {
    let head = prefix.split(" (").next().unwrap_or(prefix).trim_end().trim_end_matches(':');
    if head.is_empty() { key.to_owned() } else { format!("{head} {key}") }
}
