//! Profiles and flags → one validated [`LabConfig`].
//!
//! Two layers, as ripgrep does it: `raw.rs` deserializes the TOML as written
//! (every field optional and spanned, unknown fields denied); `build.rs`
//! checks each value and resolves presets and defaults into the strict
//! [`LabConfig`]; [`LabConfig::check`] then checks what spans several
//! fields (node indices against the cluster size, the timeline against the
//! run's duration). Command-line [`Overrides`] go through the same check.
//!
//! The profile format is DESIGN §8; `profiles/*.toml` are the worked examples.

mod build;
mod catalog;
mod compare;
mod error;
mod raw;
mod resolved;
mod security;
mod sides;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{RngExt as _, SeedableRng};

pub use self::catalog::profile_listing;
pub use self::compare::{Compare, Contender};
pub use self::error::{ConfigError, Location};
pub use self::sides::with_sides;
pub use crate::duration::parse_duration;
use crate::profiles;
use crate::protocol::{Config, Preset, Tuning, phi};
use crate::scenario::{Action, Expect, Groups, NodeRef, Step, format_duration};
use crate::security::SecurityConfig;

/// Mixed into the seed for the probe grid's phase, so it is a stream of
/// its own, not the first draw of any node's.
const GRID_PHASE_STREAM: u64 = 0x6772_6964_7068_6173;

/// The member cap when a profile sets none: four times the most nodes the
/// run can have, and at least 256. Room for every real node with plenty to
/// spare, while a flood of invented members stays a small multiple of the
/// cluster (its memory, and the size-scaled timeouts it stretches).
pub fn default_member_cap(max_nodes: usize) -> usize {
    (4 * max_nodes).max(256)
}

/// The most nodes a cluster may have, counting nodes added by the timeline.
pub const MAX_NODES: usize = 4096;
/// The lowest `base_port`: ports below need privileges on most systems.
pub const MIN_BASE_PORT: u16 = 1024;
/// The longest run a profile may ask for.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// The most timeline steps after `every`/`count` and `for` expansion.
pub const MAX_STEPS: usize = 10_000;

/// The baseline behaviour of every link, before any timeline action.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkConfig {
    /// Probability in `[0, 1]` that a datagram is dropped.
    pub loss: f64,
    /// Fixed one-way delay.
    pub delay: Duration,
    /// Extra uniform random delay in `[0, jitter]`.
    pub jitter: Duration,
    /// Probability in `[0, 1]` that a datagram is delivered twice.
    pub duplicate: f64,
}

impl NetworkConfig {
    /// The rule every link follows before any fault action changes it.
    pub fn baseline(&self) -> crate::faults::LinkRule {
        crate::faults::LinkRule {
            loss: self.loss,
            delay: self.delay,
            jitter: self.jitter,
            duplicate: self.duplicate,
            ..crate::faults::LinkRule::PERFECT
        }
    }
}

/// The phi family's tuning as the profile chose it.
#[derive(Clone, Debug, PartialEq)]
pub struct PhiTuning {
    /// The preset it started from (`cassandra` or `fast`).
    pub preset: &'static str,
    /// The tuning, before the lab's budget and cap are applied (see
    /// [`LabConfig::node_tuning`]).
    pub config: phi::Config,
}

/// A fully resolved, validated lab: what to start, how to tune it, what to
/// break when, and what must hold at the end.
#[derive(Clone, Debug, PartialEq)]
pub struct LabConfig {
    /// The profile's name.
    pub name: String,
    /// One or two sentences on what the profile shows.
    pub description: String,
    /// Where it came from: `"embedded:NAME"` or the file path as given.
    pub source: String,
    /// Nodes started at lab start.
    pub nodes: usize,
    /// Seeds every RNG: protocol randomness and fault decisions.
    pub seed: u64,
    /// First UDP port (node i gets `base_port + i`); `None` lets the OS pick.
    pub base_port: Option<u16>,
    /// Pause between starting one node and the next.
    pub join_stagger: Duration,
    /// The preset the protocol config started from.
    pub preset: Preset,
    /// The protocol tuning every node shares.
    pub protocol: Config,
    /// The phi family's tuning when `[protocol] family = "phi"`; `None`
    /// runs SWIM with [`LabConfig::protocol`].
    pub phi: Option<PhiTuning>,
    /// `[protocol] max_members` as the profile gave it; without it the cap
    /// follows the cluster's size (see [`default_member_cap`]).
    pub member_cap: Option<usize>,
    /// The baseline network.
    pub network: NetworkConfig,
    /// How datagrams are authenticated (`[security]`).
    pub security: SecurityConfig,
    /// Expanded timeline, sorted by time (stable: equal times keep profile order).
    pub timeline: Vec<Step>,
    /// What a headless run checks.
    pub expect: Expect,
    /// How long a headless `run` lasts.
    pub duration: Duration,
    /// `[compare]`: run the scenario twice, once per side's protocol.
    pub compare: Option<Compare>,
}

/// Command-line values that replace the profile's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--nodes`
    pub nodes: Option<usize>,
    /// `--seed`
    pub seed: Option<u64>,
    /// `--duration`
    pub duration: Option<Duration>,
    /// `--base-port`
    pub base_port: Option<u16>,
}

/// Finds a profile: an embedded name first, else a file path. Returns the
/// source label (`"embedded:NAME"` or the path) and the TOML text.
pub fn load_profile(name_or_path: &str) -> Result<(String, String), ConfigError> {
    if let Some(text) = profiles::get(name_or_path) {
        return Ok((format!("embedded:{name_or_path}"), text.to_owned()));
    }
    let path = Path::new(name_or_path);
    let looks_like_path = path.extension().is_some() || name_or_path.contains(std::path::MAIN_SEPARATOR);
    if !looks_like_path && !path.exists() {
        return Err(ConfigError::UnknownProfile { name: name_or_path.to_owned(), known: profiles::names() });
    }
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((name_or_path.to_owned(), text)),
        Err(error) => Err(ConfigError::Read { path: name_or_path.to_owned(), error, known: profiles::names() }),
    }
}

/// Parses and validates a profile. `source` labels it in errors and in
/// [`LabConfig::source`]. A text with nothing but whitespace and comments
/// is refused: it is the wrong file, or one cut short, never a request for
/// the defaults (a table such as `[cluster]` on its own is one).
pub fn parse_profile(source: &str, text: &str) -> Result<LabConfig, ConfigError> {
    if toml::from_str::<toml::Table>(text).is_ok_and(|t| t.is_empty()) {
        let profile = source.strip_prefix("embedded:").unwrap_or(source).to_owned();
        return Err(ConfigError::Empty { profile, known: profiles::names() });
    }
    let config = build::build(source, text)?;
    config.check()?;
    Ok(config)
}

/// The default run length: the last step, plus the time the profile allows
/// for convergence (or 10 s), plus 5 s of margin; at least 10 s.
pub fn default_duration(timeline: &[Step], expect: &Expect) -> Duration {
    let last = timeline.last().map_or(Duration::ZERO, |s| s.at);
    let settle = expect.converged_within.unwrap_or(Duration::from_secs(10));
    (last + settle + Duration::from_secs(5)).max(Duration::from_secs(10))
}

impl LabConfig {
    /// The label used in error messages: the embedded name or the path.
    fn profile_label(&self) -> String {
        self.source.strip_prefix("embedded:").unwrap_or(&self.source).to_owned()
    }

    /// Nodes the cluster will have once every `add` step has run.
    pub fn max_nodes(&self) -> usize {
        self.nodes + self.timeline.iter().filter(|s| matches!(s.action, Action::Add)).count()
    }

    /// Applies command-line overrides and validates the result again (a
    /// smaller `--nodes` can orphan a timeline step, a shorter `--duration`
    /// can cut one off).
    pub fn apply(mut self, o: &Overrides) -> Result<LabConfig, ConfigError> {
        if let Some(n) = o.nodes {
            if !(1..=MAX_NODES).contains(&n) {
                return Err(flag("--nodes", n, format!("is out of range: use 1 to {MAX_NODES}")));
            }
            self.nodes = n;
        }
        if let Some(seed) = o.seed {
            self.seed = seed;
        }
        if let Some(d) = o.duration {
            if d.is_zero() || d > MAX_DURATION {
                let max = format_duration(MAX_DURATION);
                return Err(flag("--duration", format_duration(d), format!("is out of range: use 1s to {max}")));
            }
            self.duration = d;
        }
        if let Some(p) = o.base_port {
            if p < MIN_BASE_PORT {
                return Err(flag("--base-port", p, format!("is a privileged port: use {MIN_BASE_PORT} or above")));
            }
            self.base_port = Some(p);
        }
        self.fit_member_cap();
        self.check()?;
        Ok(self)
    }

    /// Sets the protocol's member cap: the profile's, or the default for
    /// the most nodes this run can have.
    pub(crate) fn fit_member_cap(&mut self) {
        self.protocol.max_members = self.member_cap.unwrap_or_else(|| default_member_cap(self.max_nodes()));
    }

    /// Checks the rules that span several fields: node indices against the
    /// cluster size at that point of the timeline, ports, and the timeline
    /// and expectations against the run's duration.
    pub fn check(&self) -> Result<(), ConfigError> {
        let err = |field: &str, message: String| ConfigError::Invalid {
            profile: self.profile_label(),
            at: None,
            field: field.to_owned(),
            message,
        };
        if !(1..=MAX_NODES).contains(&self.nodes) {
            return Err(err(
                "[cluster] nodes",
                format!("[cluster] nodes = {} is out of range: use 1 to {MAX_NODES}", self.nodes),
            ));
        }
        let total = self.max_nodes();
        if total > MAX_NODES {
            return Err(err(
                "[[timeline]] add",
                format!(
                    "{} plus {} make {total} nodes: the lab runs at most {MAX_NODES}; \
                     lower [cluster] nodes or remove add steps",
                    crate::scenario::plural(self.nodes, "node"),
                    crate::scenario::plural(total - self.nodes, "`add` step")
                ),
            ));
        }
        if let Some(p) = self.base_port {
            let last = usize::from(p) + total - 1;
            if last > usize::from(u16::MAX) {
                return Err(err(
                    "[cluster] base_port",
                    format!(
                        "[cluster] base_port = {p} leaves no room: {} need ports {p}..{last}; \
                         use a base_port of at most {}",
                        crate::scenario::plural(total, "node"),
                        usize::from(u16::MAX) + 1 - total
                    ),
                ));
            }
        }
        let mut live = self.nodes;
        for step in &self.timeline {
            let ctx = step_context(step);
            let missing = |i: usize| {
                err(
                    &format!("[[timeline]] #{} node", step.origin),
                    format!(
                        "{ctx}: node {i} does not exist; the cluster has {} (0..{})",
                        crate::scenario::plural(live, "node"),
                        live - 1
                    ),
                )
            };
            match &step.action {
                Action::Add => live += 1,
                Action::Partition { groups: Groups::Explicit(groups), .. } => {
                    if let Some(&i) = groups.iter().flatten().find(|&&i| i >= live) {
                        return Err(missing(i));
                    }
                }
                Action::SetLink { from, to, .. } => {
                    if let Some(&i) = [from, to].into_iter().find(|&&i| i >= live) {
                        return Err(missing(i));
                    }
                }
                a => {
                    if let Some(NodeRef::Index(i)) = a.node()
                        && i >= live
                    {
                        return Err(missing(i));
                    }
                }
            }
            if step.at >= self.duration {
                return Err(err(
                    "duration",
                    format!(
                        "{ctx} comes after the run ends (duration = \"{}\"): raise duration past {} or move the step",
                        format_duration(self.duration),
                        format_duration(step.at)
                    ),
                ));
            }
        }
        security::check_key_steps(&self.security, &self.timeline, &err)?;
        self.check_expect_fits(&err)
    }

    /// The protocol configuration each node runs: the profile's, with the
    /// packet budget lowered by what sealing adds to a datagram, so a
    /// sealed datagram still fits the profile's `packet_budget`.
    pub fn node_protocol(&self) -> Config {
        let mut c = self.lab_protocol();
        c.packet_budget = self.security.core_budget(c.packet_budget);
        c
    }

    /// The protocol every node of the lab runs, simulated or real, before
    /// the datagram budget: the profile's, with the probe grid's phase
    /// drawn from the seed ([`Config::probe_grid_phase`]).
    pub fn lab_protocol(&self) -> Config {
        let mut c = self.protocol.clone();
        let interval = u64::try_from(c.probe_interval.as_micros()).unwrap_or(u64::MAX).max(1);
        let mut rng = SmallRng::seed_from_u64(self.seed ^ GRID_PHASE_STREAM);
        c.probe_grid_phase = Duration::from_micros(rng.random_range(0..interval));
        c
    }

    /// The largest datagram a node builds, before sealing: the family's
    /// budget.
    pub fn packet_budget(&self) -> usize {
        self.phi.as_ref().map_or(self.protocol.packet_budget, |t| t.config.packet_budget)
    }

    /// What each node runs: the family and its tuning, with the lab's
    /// datagram budget and member cap applied whatever the family.
    pub fn node_tuning(&self) -> Tuning {
        match &self.phi {
            None => Tuning::Swim(self.node_protocol()),
            Some(phi) => {
                let mut c = phi.config.clone();
                c.packet_budget = self.security.core_budget(c.packet_budget);
                c.max_members = self.protocol.max_members;
                Tuning::Phi(c)
            }
        }
    }

    /// Each time-bounded expectation must be checkable before the run ends.
    fn check_expect_fits(&self, err: &dyn Fn(&str, String) -> ConfigError) -> Result<(), ConfigError> {
        let last_of = |pred: fn(&Action) -> bool| self.timeline.iter().rev().find(|s| pred(&s.action)).map(|s| s.at);
        let checks: [(&str, Option<Duration>, Option<Duration>, &str); 3] = [
            ("converged_within", self.expect.converged_within, self.timeline.last().map(|s| s.at), "last step"),
            (
                "detection_within",
                self.expect.detection_within,
                last_of(|a| matches!(a, Action::Crash { .. })),
                "last crash",
            ),
            ("rumor_within", self.expect.rumor_within, last_of(|a| matches!(a, Action::Rumor { .. })), "last rumor"),
        ];
        for (key, within, after, what) in checks {
            let Some(within) = within else { continue };
            let field = format!("[expect] {key}");
            let Some(start) = after.or((key == "converged_within").then_some(Duration::ZERO)) else {
                let action = if key == "detection_within" { "crash" } else { "rumor" };
                return Err(err(
                    &field,
                    format!("{field} is set but the timeline has no {action} step: add one or remove {key}"),
                ));
            };
            let needed = start + within;
            if needed > self.duration {
                return Err(err(
                    &field,
                    format!(
                        "{field} = \"{}\" cannot be checked: the {what} is at {} and the run ends at {}; \
                         raise duration to at least \"{}\"",
                        format_duration(within),
                        format_duration(start),
                        format_duration(self.duration),
                        format_duration(needed)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `[[timeline]] #3 (at 5s, crash)`
pub(crate) fn step_context(step: &Step) -> String {
    format!("[[timeline]] #{} (at {}, {})", step.origin, format_duration(step.at), step.action.name())
}

fn flag(flag: &'static str, value: impl ToString, message: String) -> ConfigError {
    ConfigError::Flag { flag, value: value.to_string(), message }
}
