//! What a node hands back to its driver: datagrams to send, events, the
//! read-only views the dashboard draws, running counters, and command errors.
//! Kept apart from the state machine so a driver or view can read these
//! types without wading through protocol rules.

use std::time::Duration;

use crate::protocol::Time;
use crate::protocol::member::{Incarnation, NodeAddr, State};
use crate::protocol::message::{MAX_RUMOR_PAYLOAD, Packet, RumorId};

/// A datagram the node wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Destination.
    pub to: NodeAddr,
    /// What to send; the driver encodes it with `crate::wire`.
    pub packet: Packet,
}

/// Something observable happened inside the node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// Our view of `member` changed (`from: None` means newly learned).
    MemberChanged {
        /// The member.
        member: NodeAddr,
        /// Its previous state in our view.
        from: Option<State>,
        /// Its new state in our view.
        to: State,
        /// The incarnation of the new state.
        incarnation: Incarnation,
    },
    /// We started suspecting `member`.
    SuspicionStarted {
        /// The suspect.
        member: NodeAddr,
        /// Who raised the suspicion that reached us.
        by: NodeAddr,
        /// The incarnation suspected.
        incarnation: Incarnation,
        /// The timeout it starts with.
        timeout: Duration,
        /// Confirmations that would bring it to the minimum.
        k: u32,
    },
    /// An independent node confirmed an active suspicion, shortening it.
    SuspicionConfirmed {
        /// The suspect.
        member: NodeAddr,
        /// The confirming node.
        by: NodeAddr,
        /// Confirmations so far.
        confirmations: u32,
        /// Confirmations that bring the timeout to its minimum.
        k: u32,
        /// The new total timeout (from the suspicion's start).
        timeout: Duration,
    },
    /// The suspect refuted (or was otherwise cleared) before its deadline.
    SuspicionRefuted {
        /// The former suspect.
        member: NodeAddr,
        /// Its new incarnation.
        incarnation: Incarnation,
    },
    /// A suspicion ran out and the member is now declared dead by us.
    SuspicionExpired {
        /// The member.
        member: NodeAddr,
        /// Confirmations it had gathered.
        confirmations: u32,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// Someone accused us; we bumped our incarnation to refute.
    Refuted {
        /// The incarnation we were accused at.
        accused: Incarnation,
        /// Our new incarnation.
        incarnation: Incarnation,
    },
    /// A user rumor reached us for the first time.
    RumorDelivered {
        /// The rumor.
        id: RumorId,
        /// Its payload.
        payload: Vec<u8>,
    },
    /// Our local health score changed.
    HealthChanged {
        /// The new score (0 is healthy).
        score: u32,
    },
    /// A probe deadline was handled so late that the node itself must have
    /// stalled; the probe was abandoned rather than blamed on its target.
    ProbeLagged {
        /// The member that was being probed.
        target: NodeAddr,
        /// How late the deadline was handled.
        lag: Duration,
    },
    /// We dropped a Dead or Left member from our table after holding it
    /// so for the reap time: it is now unknown to us, as if never heard of.
    MemberForgotten {
        /// The member forgotten.
        member: NodeAddr,
    },
    /// We heard back from a seed: we are part of a cluster.
    Joined,
    /// Our leave announcement has been sent its full number of times.
    LeaveComplete,
}

/// What the dashboard needs to draw one suspicion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspicionView {
    /// The suspect.
    pub member: NodeAddr,
    /// The incarnation suspected.
    pub incarnation: Incarnation,
    /// When we started suspecting it.
    pub start: Time,
    /// When it will be declared dead, at the current confirmations.
    pub deadline: Time,
    /// The current total timeout.
    pub timeout: Duration,
    /// Independent confirmations so far.
    pub confirmations: u32,
    /// Confirmations that bring the timeout to `min`.
    pub k: u32,
    /// The floor of the timeout.
    pub min: Duration,
    /// The initial timeout.
    pub max: Duration,
}

/// Running totals, for the dashboard and metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets queued for sending, by [`MsgKind::index`](crate::protocol::MsgKind::index).
    pub sent: [u64; 6],
    /// Packets handled, by [`MsgKind::index`](crate::protocol::MsgKind::index).
    pub received: [u64; 6],
    /// Piggybacked updates sent.
    pub updates_sent: u64,
    /// Piggybacked updates received.
    pub updates_received: u64,
    /// Probes started.
    pub probes: u64,
    /// Probes that ended without an ack.
    pub probe_failures: u64,
    /// Probes abandoned because the node itself lagged.
    pub probes_lagged: u64,
    /// Probes that needed helpers.
    pub indirect_probes: u64,
    /// Nacks received.
    pub nacks_received: u64,
    /// Suspicions started.
    pub suspicions: u64,
    /// Times we refuted an accusation.
    pub refutations: u64,
    /// Push-pull exchanges we started (joins included).
    pub push_pulls: u64,
    /// Push-pulls started because a peer knew more members than we did.
    pub catch_ups: u64,
    /// Join announcements not queued for re-gossip because the queue was
    /// full of news (see `broadcast::MAX_ANNOUNCING`).
    pub announcements_unqueued: u64,
    /// Dead or Left members forgotten after the reap time.
    pub reaped: u64,
    /// Messages to members held Dead or Left, so that a running one learns
    /// of it and refutes (gossip to the dead).
    pub dead_contacts: u64,
    /// Claims and messages refused as implausible, by reason.
    pub refused: Refused,
}

/// What a node refused to believe, by reason. Every field a peer sends is
/// checked against what that peer could know; these count the claims that
/// failed, which is how a forgery shows up from outside.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refused {
    /// Claims from a sender we do not know, about anyone but itself.
    pub stranger_claims: u64,
    /// Claims about a member whose incarnation jumps too far ahead of what
    /// we hold.
    pub incarnation_jumps: u64,
    /// New members refused because the table is at its cap.
    pub table_full: u64,
    /// Acks that answer no probe of ours from that address.
    pub acks: u64,
    /// Nacks from a node we did not ask, or a second one from a helper.
    pub nacks: u64,
    /// Suspicion confirmations naming a node we do not hold live.
    pub confirmations: u64,
    /// Indirect-probe requests from a stranger, or past the relay cap.
    pub ping_reqs: u64,
    /// Push-pull chunks that are inconsistent (chunk index past the count).
    pub push_pulls: u64,
}

impl Refused {
    /// Every reason with its count, in a stable order, for displays and logs.
    pub fn by_reason(&self) -> [(&'static str, u64); 8] {
        [
            ("stranger_claim", self.stranger_claims),
            ("incarnation_jump", self.incarnation_jumps),
            ("table_full", self.table_full),
            ("ack", self.acks),
            ("nack", self.nacks),
            ("confirmation", self.confirmations),
            ("ping_req", self.ping_reqs),
            ("push_pull", self.push_pulls),
        ]
    }

    /// The reasons with a non-zero count, by name.
    pub fn nonzero(&self) -> std::collections::BTreeMap<String, u64> {
        self.by_reason().into_iter().filter(|&(_, n)| n > 0).map(|(r, n)| (r.to_owned(), n)).collect()
    }

    /// All refusals.
    pub fn total(&self) -> u64 {
        self.by_reason().iter().map(|(_, n)| n).sum()
    }
}

/// Why a rumor was not accepted. The node is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RumorError {
    /// The payload exceeds [`MAX_RUMOR_PAYLOAD`].
    #[error("rumor payload of {0} bytes exceeds the {MAX_RUMOR_PAYLOAD}-byte limit")]
    TooLarge(usize),
    /// The node is leaving or has left.
    #[error("the node is leaving the cluster")]
    NotRunning,
}
