//! [`Action`]: the one command set, its names as profiles write them, and
//! its short labels for status lines.

use std::fmt::Write as _;
use std::time::Duration;

use super::format::{format_duration, percent};
use super::{Groups, NodeRef};
use crate::rogue::{Attack, Spec};
use crate::security::KeyRef;

/// One command to the lab. Timeline steps, TUI keys and the session log all
/// use this vocabulary.
///
/// Serialized internally tagged by `action`, with the same names and
/// parameters a profile's `[[timeline]]` step uses, e.g.
/// `{"action":"crash","node":3}` or `{"action":"set_delay","delay":"50ms","jitter":"10ms"}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Kill a node abruptly: its task stops and its socket closes.
    Crash {
        /// The node to crash.
        node: NodeRef,
    },
    /// Start a crashed or departed node again on its old address, with a
    /// fresh protocol state; it rejoins via the seeds.
    Restart {
        /// The node to restart.
        node: NodeRef,
    },
    /// Stall a node (a stopped process): it neither sends nor handles
    /// anything, and its socket buffers fill and drop.
    Pause {
        /// The node to pause.
        node: NodeRef,
    },
    /// Let a paused node run again.
    Resume {
        /// The node to resume.
        node: NodeRef,
    },
    /// A graceful leave: the node announces `Left`, then stops.
    Leave {
        /// The node that leaves.
        node: NodeRef,
    },
    /// Start a new node that joins via the seeds; it gets the next index.
    Add,
    /// Split the network into groups.
    Partition {
        /// How to split.
        groups: Groups,
        /// When true, only the first group is cut off from sending to the
        /// others; packets from the others (and so replies) still reach it.
        one_way: bool,
    },
    /// Cut one node off from everyone, both ways.
    Isolate {
        /// The node to isolate.
        node: NodeRef,
    },
    /// Clear partitions, one-way blocks, isolation and per-link rules; the
    /// baseline network (loss, delay, duplication) stays as it is.
    Heal,
    /// Set the baseline packet loss probability on every link.
    SetLoss {
        /// Probability in `[0, 1]` that a datagram is dropped.
        loss: f64,
    },
    /// Set the baseline one-way delay on every link.
    SetDelay {
        /// Fixed delay added to each datagram.
        #[serde(with = "super::format::human_duration")]
        delay: Duration,
        /// Extra uniform random delay in `[0, jitter]`.
        #[serde(with = "super::format::human_duration")]
        jitter: Duration,
    },
    /// Set the baseline probability that a datagram is delivered twice.
    SetDuplicate {
        /// Probability in `[0, 1]`.
        probability: f64,
    },
    /// Hold back a share of datagrams on every link, so later ones
    /// overtake them.
    SetReorder {
        /// Probability in `[0, 1]` that a datagram is held back.
        probability: f64,
        /// How long a held-back datagram waits on top of its delay.
        #[serde(with = "super::format::human_duration")]
        delay: Duration,
    },
    /// Override the behaviour of one directed link.
    SetLink {
        /// Sending node index.
        from: usize,
        /// Receiving node index.
        to: usize,
        /// Loss probability on this link.
        loss: f64,
        /// Fixed delay on this link.
        #[serde(with = "super::format::human_duration")]
        delay: Duration,
        /// Extra uniform random delay in `[0, jitter]` on this link.
        #[serde(with = "super::format::human_duration")]
        jitter: Duration,
    },
    /// Inject a user rumor at a node; spread is measured until every running
    /// node has delivered it.
    Rumor {
        /// Where the rumor starts.
        node: NodeRef,
        /// The payload (at most [`crate::protocol::message::MAX_RUMOR_PAYLOAD`] bytes).
        payload: String,
    },
    /// A rogue sender that is not a member forges claims against a node
    /// (see [`crate::rogue`]). Ground truth is unchanged: the victim keeps
    /// running; whatever the cluster comes to believe is the attack's work.
    Rogue {
        /// How it lies.
        attack: Attack,
        /// The victim: a running node, or a crashed one for the ack mask.
        node: NodeRef,
        /// Fake members (flood) or sequence numbers swept (ack mask);
        /// absent: the attack's default.
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<u32>,
        /// How long the ack mask lasts; absent: its default.
        #[serde(rename = "for", skip_serializing_if = "Option::is_none", with = "super::format::human_duration_opt")]
        duration: Option<Duration>,
    },
    /// Install a fresh random key on every node: it opens datagrams but
    /// does not seal them yet. Nodes started later get it too.
    KeyInstall,
    /// Make an installed key the primary on every node: it seals from now.
    KeyUse {
        /// Which key (`newest` by default).
        key: KeyRef,
    },
    /// Remove a key that is not the primary from every node: datagrams
    /// sealed with it no longer open.
    KeyRemove {
        /// Which key (`oldest` by default).
        key: KeyRef,
    },
}

impl Action {
    /// Every action name as written in profiles, for error messages.
    pub const NAMES: [&'static str; 19] = [
        "crash",
        "restart",
        "pause",
        "resume",
        "leave",
        "add",
        "partition",
        "isolate",
        "heal",
        "set_loss",
        "set_delay",
        "set_duplicate",
        "set_reorder",
        "set_link",
        "rumor",
        "rogue",
        "key_install",
        "key_use",
        "key_remove",
    ];

    /// The action's name as written in profiles and the session log.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Crash { .. } => "crash",
            Action::Restart { .. } => "restart",
            Action::Pause { .. } => "pause",
            Action::Resume { .. } => "resume",
            Action::Leave { .. } => "leave",
            Action::Add => "add",
            Action::Partition { .. } => "partition",
            Action::Isolate { .. } => "isolate",
            Action::Heal => "heal",
            Action::SetLoss { .. } => "set_loss",
            Action::SetDelay { .. } => "set_delay",
            Action::SetDuplicate { .. } => "set_duplicate",
            Action::SetReorder { .. } => "set_reorder",
            Action::SetLink { .. } => "set_link",
            Action::Rumor { .. } => "rumor",
            Action::Rogue { .. } => "rogue",
            Action::KeyInstall => "key_install",
            Action::KeyUse { .. } => "key_use",
            Action::KeyRemove { .. } => "key_remove",
        }
    }

    /// The node the action targets, if it targets one.
    pub fn node(&self) -> Option<NodeRef> {
        match self {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::Leave { node }
            | Action::Isolate { node }
            | Action::Rumor { node, .. }
            | Action::Rogue { node, .. } => Some(*node),
            _ => None,
        }
    }

    /// Short human text for status lines and summaries, e.g. "crash node 3",
    /// "partition halves", "loss 10%".
    pub fn label(&self) -> String {
        match self {
            Action::Crash { node } => format!("crash {}", node.label()),
            Action::Restart { node } => format!("restart {}", node.label()),
            Action::Pause { node } => format!("pause {}", node.label()),
            Action::Resume { node } => format!("resume {}", node.label()),
            Action::Leave { node } => format!("{} leaves", node.label()),
            Action::Add => "add a node".to_owned(),
            Action::Partition { groups, one_way: false } => format!("partition {}", groups.label()),
            Action::Partition { groups, one_way: true } => format!("one-way partition {}", groups.label()),
            Action::Isolate { node } => format!("isolate {}", node.label()),
            Action::Heal => "heal".to_owned(),
            Action::SetLoss { loss } => format!("loss {}", percent(*loss)),
            Action::SetDelay { delay, jitter } => delay_label(*delay, *jitter),
            Action::SetDuplicate { probability } => format!("duplicate {}", percent(*probability)),
            Action::SetReorder { probability, delay } => {
                format!("reorder {} by {}", percent(*probability), format_duration(*delay))
            }
            Action::SetLink { from, to, loss, delay, jitter } => {
                format!("link {from}→{to}: loss {}, {}", percent(*loss), delay_label(*delay, *jitter))
            }
            Action::Rumor { node, payload } => format!("rumor {payload:?} at {}", node.label()),
            Action::Rogue { attack, node, count, duration } => {
                format!("rogue {} on {}", Spec::new(*attack, *count, *duration).label(), node.label())
            }
            Action::KeyInstall => "install a new key".to_owned(),
            Action::KeyUse { key } => format!("use the {} key", key.name()),
            Action::KeyRemove { key } => format!("remove the {} key", key.name()),
        }
    }
}

/// "delay 50ms" or "delay 50ms + jitter 10ms".
fn delay_label(delay: Duration, jitter: Duration) -> String {
    let mut s = format!("delay {}", format_duration(delay));
    if !jitter.is_zero() {
        let _ = write!(s, " + jitter {}", format_duration(jitter));
    }
    s
}
