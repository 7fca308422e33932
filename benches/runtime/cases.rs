//! What one child process runs ([`Case`]), and the names the bench and the
//! peers give to its settings.

use std::fmt;
use std::time::Duration;

use gossip_lab::config::{LabConfig, parse_profile};
use gossip_lab::protocol::Config;
use serde::{Deserialize, Serialize};

/// One child's work, passed to it as JSON in [`crate::CASE_VAR`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Case {
    /// A real lab: join, settle, an optional steady window, then optionally
    /// a rumor and a crash.
    Lab {
        preset: Preset,
        n: usize,
        seed: u64,
        /// Steady-window seconds; 0 skips the window.
        window_s: f64,
        rumor: bool,
        crash: bool,
        role: Role,
    },
    /// Rumor spread in the deterministic simulator.
    SimRumor { preset: Preset, n: usize, seed: u64 },
}

impl Case {
    /// What the parent prints while the child runs.
    pub fn label(&self) -> String {
        match self {
            Case::Lab { preset, n, seed, window_s, role, .. } => {
                format!("{role}: {preset} × {n} nodes, seed {seed}, window {window_s} s")
            }
            Case::SimRumor { preset, n, seed } => format!("sim rumor: {preset} × {n} nodes, seed {seed}"),
        }
    }

    /// Kill the child after this long.
    pub fn hard_limit(&self) -> Duration {
        match self {
            Case::Lab { window_s, .. } => Duration::from_secs(240) + Duration::from_secs_f64(*window_s),
            Case::SimRumor { .. } => Duration::from_secs(180),
        }
    }
}

/// A protocol preset the bench runs (`protocol::Config::lan` or `fast`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    Lan,
    Fast,
}

impl Preset {
    /// `GL_BENCH_CONFIGS`' names: ours, and the peers' `default` for `lan`.
    pub fn parse(name: &str) -> Option<Preset> {
        match name {
            "default" | "lan" => Some(Preset::Lan),
            "fast" => Some(Preset::Fast),
            _ => None,
        }
    }

    /// The name profiles and tables use.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Lan => "lan",
            Preset::Fast => "fast",
        }
    }

    /// The protocol settings.
    pub fn config(self) -> Config {
        match self {
            Preset::Lan => Config::lan(),
            Preset::Fast => Config::fast(),
        }
    }

    /// The peers call memberlist's LAN config (= our `lan`) `default`.
    pub fn peer_config(self) -> &'static str {
        match self {
            Preset::Lan => "default",
            Preset::Fast => "fast",
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which part of the bench a lab run belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Steady state at scale (part 1).
    Scale,
    /// Detection and spread (part 2).
    Detect,
    /// The long run (part 4).
    Long,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Scale => "scale",
            Role::Detect => "detect",
            Role::Long => "long",
        })
    }
}

/// The lab profile of a run: `n` nodes of `preset`, seeded, long enough
/// never to end on its own.
pub fn profile(preset: Preset, n: usize, seed: u64) -> LabConfig {
    let text = format!(
        "name = \"bench-runtime\"\nduration = \"2h\"\n[cluster]\nnodes = {n}\nseed = {seed}\n\
         [protocol]\npreset = \"{preset}\"\n"
    );
    parse_profile("bench-runtime", &text).expect("bench profile is valid")
}
