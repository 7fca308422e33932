//! Scenario vocabulary: the actions a timeline, a TUI key or the lab itself
//! can apply to a running cluster, and the expectations a headless run checks.
//!
//! [`Action`] is the one command set shared by every driver, so a profile's
//! `[[timeline]]` step, a key press and a session-log line all mean the same
//! thing. Parsing and validation live in [`crate::config`]; this module holds
//! only the validated values.

use std::fmt::Write as _;
use std::time::Duration;

use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::rogue::{Attack, Spec};
use crate::security::KeyRef;

/// Which node an action targets.
///
/// In TOML: `node = 3` or `node = "random"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeRef {
    /// The node with this index (0-based, in start order; nodes added at run
    /// time get the next indices).
    Index(usize),
    /// A node the lab picks when the action runs, among the nodes the action
    /// makes sense for: a running node to crash, pause, leave or isolate, a
    /// crashed node to restart, a paused node to resume. Picking at run time
    /// is what lets `pause node = "random"` with `for = "2s"` resume the same
    /// node while only one is paused.
    Random,
}

impl NodeRef {
    /// The index, when the reference is fixed.
    pub fn index(self) -> Option<usize> {
        match self {
            NodeRef::Index(i) => Some(i),
            NodeRef::Random => None,
        }
    }

    /// "node 3" or "a random node".
    pub fn label(self) -> String {
        match self {
            NodeRef::Index(i) => format!("node {i}"),
            NodeRef::Random => "a random node".to_owned(),
        }
    }
}

impl Serialize for NodeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeRef::Index(i) => s.serialize_u64(*i as u64),
            NodeRef::Random => s.serialize_str("random"),
        }
    }
}

/// How a partition splits the cluster.
///
/// In TOML: `groups = "halves"` or `groups = [[0, 1, 2], [3, 4, 5]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Groups {
    /// The nodes running when the action fires, in index order, split into a
    /// lower and an upper half (the upper half gets the odd one out).
    Halves,
    /// Explicit groups of node indices. Nodes listed in no group form one
    /// more, implicit group (the fault model's rule).
    Explicit(Vec<Vec<usize>>),
}

impl Groups {
    /// The groups as node indices in a cluster of `n` nodes: `halves` is
    /// the lower half of the indices and the rest.
    pub fn resolve(&self, n: usize) -> Vec<Vec<usize>> {
        match self {
            Groups::Halves => vec![(0..n / 2).collect(), (n / 2..n).collect()],
            Groups::Explicit(g) => g.clone(),
        }
    }

    /// "halves" or "0,1,2 | 3,4,5".
    pub fn label(&self) -> String {
        match self {
            Groups::Halves => "halves".to_owned(),
            Groups::Explicit(groups) => groups
                .iter()
                .map(|g| g.iter().map(usize::to_string).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
}

impl Serialize for Groups {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Groups::Halves => s.serialize_str("halves"),
            Groups::Explicit(groups) => {
                let mut seq = s.serialize_seq(Some(groups.len()))?;
                for g in groups {
                    seq.serialize_element(g)?;
                }
                seq.end()
            }
        }
    }
}

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
        #[serde(with = "human_duration")]
        delay: Duration,
        /// Extra uniform random delay in `[0, jitter]`.
        #[serde(with = "human_duration")]
        jitter: Duration,
    },
    /// Set the baseline probability that a datagram is delivered twice.
    SetDuplicate {
        /// Probability in `[0, 1]`.
        probability: f64,
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
        #[serde(with = "human_duration")]
        delay: Duration,
        /// Extra uniform random delay in `[0, jitter]` on this link.
        #[serde(with = "human_duration")]
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
        #[serde(rename = "for", skip_serializing_if = "Option::is_none", with = "human_duration_opt")]
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
    pub const NAMES: [&'static str; 18] = [
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

/// A probability as a percentage without trailing zeros: 0.1 → "10%", 0.005 → "0.5%".
pub fn percent(p: f64) -> String {
    let s = format!("{:.2}", p * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// Formats a duration the way profiles write them, in the largest unit that
/// is exact: "5s", "250ms", "1500ms", "20us". The output always parses back
/// with the profile parser.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        "0s".to_owned()
    } else if nanos.is_multiple_of(1_000_000_000) {
        format!("{}s", nanos / 1_000_000_000)
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{}ms", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{}us", nanos / 1_000)
    } else {
        format!("{nanos}ns")
    }
}

/// serde helper: a `Duration` as a profile-style string ("250ms").
mod human_duration {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
    }
}

/// serde helper: an optional `Duration` as a profile-style string.
mod human_duration_opt {
    use std::time::Duration;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::human_duration::serialize(d, s),
            None => s.serialize_none(),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn actions_serialize_internally_tagged() {
        let v = |a: &Action| serde_json::to_value(a).unwrap();
        assert_eq!(v(&Action::Crash { node: NodeRef::Index(3) }), json!({"action": "crash", "node": 3}));
        assert_eq!(v(&Action::Pause { node: NodeRef::Random }), json!({"action": "pause", "node": "random"}));
        assert_eq!(v(&Action::Add), json!({"action": "add"}));
        assert_eq!(v(&Action::Heal), json!({"action": "heal"}));
        assert_eq!(
            v(&Action::Partition { groups: Groups::Halves, one_way: false }),
            json!({"action": "partition", "groups": "halves", "one_way": false})
        );
        assert_eq!(
            v(&Action::Partition { groups: Groups::Explicit(vec![vec![0, 1], vec![2]]), one_way: true }),
            json!({"action": "partition", "groups": [[0, 1], [2]], "one_way": true})
        );
        assert_eq!(v(&Action::SetLoss { loss: 0.1 }), json!({"action": "set_loss", "loss": 0.1}));
        assert_eq!(
            v(&Action::SetDelay { delay: Duration::from_millis(50), jitter: Duration::from_millis(1500) }),
            json!({"action": "set_delay", "delay": "50ms", "jitter": "1500ms"})
        );
        assert_eq!(
            v(&Action::SetLink { from: 1, to: 2, loss: 0.5, delay: Duration::ZERO, jitter: Duration::from_secs(1) }),
            json!({"action": "set_link", "from": 1, "to": 2, "loss": 0.5, "delay": "0s", "jitter": "1s"})
        );
        assert_eq!(
            v(&Action::Rumor { node: NodeRef::Index(0), payload: "hi".into() }),
            json!({"action": "rumor", "node": 0, "payload": "hi"})
        );
        assert_eq!(
            v(&Action::Rogue { attack: Attack::Death, node: NodeRef::Index(3), count: None, duration: None }),
            json!({"action": "rogue", "attack": "death", "node": 3})
        );
        assert_eq!(
            v(&Action::Rogue {
                attack: Attack::AckMask,
                node: NodeRef::Random,
                count: Some(64),
                duration: Some(Duration::from_secs(4))
            }),
            json!({"action": "rogue", "attack": "ack_mask", "node": "random", "count": 64, "for": "4s"})
        );
        assert_eq!(v(&Action::KeyInstall), json!({"action": "key_install"}));
        assert_eq!(v(&Action::KeyUse { key: KeyRef::Newest }), json!({"action": "key_use", "key": "newest"}));
        assert_eq!(v(&Action::KeyRemove { key: KeyRef::Oldest }), json!({"action": "key_remove", "key": "oldest"}));
    }

    #[test]
    fn every_action_name_is_listed() {
        let all = [
            Action::Crash { node: NodeRef::Random },
            Action::Restart { node: NodeRef::Random },
            Action::Pause { node: NodeRef::Random },
            Action::Resume { node: NodeRef::Random },
            Action::Leave { node: NodeRef::Random },
            Action::Add,
            Action::Partition { groups: Groups::Halves, one_way: false },
            Action::Isolate { node: NodeRef::Random },
            Action::Heal,
            Action::SetLoss { loss: 0.0 },
            Action::SetDelay { delay: Duration::ZERO, jitter: Duration::ZERO },
            Action::SetDuplicate { probability: 0.0 },
            Action::SetLink { from: 0, to: 1, loss: 0.0, delay: Duration::ZERO, jitter: Duration::ZERO },
            Action::Rumor { node: NodeRef::Random, payload: String::new() },
            Action::Rogue { attack: Attack::Flood, node: NodeRef::Random, count: None, duration: None },
            Action::KeyInstall,
            Action::KeyUse { key: KeyRef::Newest },
            Action::KeyRemove { key: KeyRef::Oldest },
        ];
        let names: Vec<_> = all.iter().map(Action::name).collect();
        assert_eq!(names, Action::NAMES);
        for a in &all {
            assert_eq!(serde_json::to_value(a).unwrap()["action"], a.name());
        }
    }

    #[test]
    fn labels_are_short_and_human() {
        assert_eq!(Action::Crash { node: NodeRef::Index(3) }.label(), "crash node 3");
        assert_eq!(Action::Partition { groups: Groups::Halves, one_way: false }.label(), "partition halves");
        assert_eq!(
            Action::Partition { groups: Groups::Explicit(vec![vec![0, 1], vec![2, 3]]), one_way: true }.label(),
            "one-way partition 0,1 | 2,3"
        );
        assert_eq!(Action::SetLoss { loss: 0.1 }.label(), "loss 10%");
        assert_eq!(Action::SetLoss { loss: 0.005 }.label(), "loss 0.5%");
        assert_eq!(Action::SetLoss { loss: 0.0 }.label(), "loss 0%");
        assert_eq!(
            Action::SetDelay { delay: Duration::from_millis(50), jitter: Duration::from_millis(10) }.label(),
            "delay 50ms + jitter 10ms"
        );
        assert_eq!(Action::Pause { node: NodeRef::Random }.label(), "pause a random node");
        assert_eq!(Action::Leave { node: NodeRef::Index(2) }.label(), "node 2 leaves");
        let rogue = |attack, count| Action::Rogue { attack, node: NodeRef::Index(4), count, duration: None };
        assert_eq!(rogue(Attack::Death, None).label(), "rogue death on node 4");
        assert_eq!(rogue(Attack::Flood, Some(300)).label(), "rogue flood of 300 members on node 4");
        assert_eq!(rogue(Attack::AckMask, None).label(), "rogue ack_mask for 10s on node 4");
    }

    #[test]
    fn durations_format_in_the_largest_exact_unit() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_secs(5)), "5s");
        assert_eq!(format_duration(Duration::from_millis(200)), "200ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_micros(20)), "20us");
        assert_eq!(format_duration(Duration::from_nanos(7)), "7ns");
    }

    #[test]
    fn steps_serialize_in_profile_shape() {
        let step = Step { at: Duration::from_secs(5), action: Action::Crash { node: NodeRef::Index(3) }, origin: 1 };
        assert_eq!(serde_json::to_value(&step).unwrap(), json!({"at": "5s", "action": "crash", "node": 3}));
    }
}
