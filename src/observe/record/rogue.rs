//! The session log's `rogue` lines: a rogue attack's start and end, as
//! ground truth beside the node and fault lines.

use serde::{Deserialize, Serialize};

use crate::rogue::{Attack, Spec};

/// Started or stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RogueChange {
    /// The attack began (its first datagrams go out at this time).
    Started,
    /// The attack sent its last datagram.
    Stopped,
}

/// A rogue attack in the session log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RogueRecord {
    /// Started or stopped.
    pub event: RogueChange,
    /// How it lies.
    pub attack: Attack,
    /// The victim's node index.
    pub victim: usize,
    /// Fake members (flood) or sequence numbers swept (ack mask).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// How long it lasts, in milliseconds (ack mask).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_ms: Option<f64>,
    /// Datagrams the rogue had sent (0 when it starts).
    #[serde(default)]
    pub datagrams: u64,
    /// Their bytes.
    #[serde(default)]
    pub bytes: u64,
}

impl RogueRecord {
    /// The record of `spec` against `victim`, after `datagrams` of `bytes`.
    pub fn of(event: RogueChange, spec: &Spec, victim: usize, datagrams: u64, bytes: u64) -> RogueRecord {
        RogueRecord {
            event,
            attack: spec.attack,
            victim,
            count: spec.count(),
            for_ms: spec.lasts().map(|d| d.as_secs_f64() * 1000.0),
            datagrams,
            bytes,
        }
    }
}
