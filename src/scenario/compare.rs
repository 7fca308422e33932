//! What a comparison predicts: the figures two runs of one scenario are
//! compared by, and the direction a profile's `[compare.expect]` expects
//! of each. The comparison itself is `crate::observe::comparison`.

use serde::{Deserialize, Serialize};

/// Which side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Which {
    /// Side A.
    A,
    /// Side B.
    B,
}

impl Which {
    /// `"a"` or `"b"`.
    pub fn key(self) -> &'static str {
        match self {
            Which::A => "a",
            Which::B => "b",
        }
    }
}

/// A figure two runs are compared by. Lower is better for every one, so
/// "better" always means "smaller".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Mean time from a crash to its first conviction.
    FirstDetection,
    /// Mean time from a crash until every running node holds it dead.
    FullDetection,
    /// Running, reachable members held suspect.
    FalseSuspicions,
    /// Running, reachable members held dead.
    FalsePositives,
    /// Datagrams sent per node per second.
    Packets,
    /// Bytes sent per node per second.
    Bytes,
    /// Time from the last action (a heal, say) to full convergence.
    Convergence,
}

impl Figure {
    /// Every figure, in the order the summary prints them.
    pub const ALL: [Figure; 7] = [
        Figure::FirstDetection,
        Figure::FullDetection,
        Figure::FalseSuspicions,
        Figure::FalsePositives,
        Figure::Packets,
        Figure::Bytes,
        Figure::Convergence,
    ];

    /// The `[compare.expect]` key that predicts this figure's direction.
    pub fn expect_key(self) -> &'static str {
        match self {
            Figure::FirstDetection => "faster_first_detection",
            Figure::FullDetection => "faster_full_detection",
            Figure::FalseSuspicions => "fewer_false_suspicions",
            Figure::FalsePositives => "fewer_false_positives",
            Figure::Packets => "fewer_packets",
            Figure::Bytes => "fewer_bytes",
            Figure::Convergence => "faster_convergence",
        }
    }

    /// How the summary labels it.
    pub fn label(self) -> &'static str {
        match self {
            Figure::FirstDetection => "detection, first",
            Figure::FullDetection => "detection, full",
            Figure::FalseSuspicions => "false suspicions",
            Figure::FalsePositives => "false positives",
            Figure::Packets => "packets /node/s",
            Figure::Bytes => "bytes /node/s",
            Figure::Convergence => "converged after last action",
        }
    }
}

/// A predicted direction: `figure` is strictly smaller on `better`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Direction {
    /// The figure.
    pub figure: Figure,
    /// The side predicted to have the smaller value.
    pub better: Which,
}

/// The profile name a comparison's side runs under, `"swim-vs-phi (phi)"`:
/// each side's session header and summary carry it, so a saved side
/// says which comparison and which side it was.
pub fn side_profile(profile: &str, side: &str) -> String {
    format!("{profile} ({side})")
}

/// [`side_profile`] read back: the comparison's profile and the side's
/// name, or the whole label and `None` for a session of no comparison.
pub fn split_side_profile(label: &str) -> (&str, Option<&str>) {
    match label.rsplit_once(" (").and_then(|(p, rest)| Some((p, rest.strip_suffix(')')?))) {
        Some((profile, side)) => (profile, Some(side)),
        None => (label, None),
    }
}
