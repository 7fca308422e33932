//! Wire types: what one datagram carries.
//!
//! A [`Packet`] is one primary message ([`Body`]) plus any number of
//! piggybacked [`Update`]s, the epidemic part of the protocol. These are plain
//! serde types; `crate::wire` is the only place they become bytes.

use serde::{Deserialize, Serialize};

use super::member::{Incarnation, NodeAddr, State};

/// The most a length prefix may reserve before its elements are read:
/// the elements of a full datagram (a packet budget of 1,400 bytes holds
/// at most 175 updates of 8 bytes) in their decoded form.
const RESERVE_BYTES: usize = 8 * 1024;

/// Deserializes a `Vec` without trusting the length prefix for capacity.
///
/// serde's own `Vec` impl preallocates from the claimed length (capped at
/// 1 MiB), so a 12-byte datagram claiming 2^60 elements would make a node
/// reserve a megabyte before finding no data. Here the claim reserves at
/// most [`RESERVE_BYTES`], about what a full datagram's elements take, and
/// the rest grows as elements actually arrive: a hostile datagram costs
/// at most a packet's worth more than its size, and a full packet of
/// gossip (150 updates in a join storm) is read without the four
/// reallocations growing from 16 took.
fn bounded_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let most = RESERVE_BYTES / std::mem::size_of::<T>().max(1);
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(most));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_seq(Visitor(std::marker::PhantomData))
}

/// One datagram's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    /// The primary message.
    pub body: Body,
    /// Piggybacked membership changes and rumors, newest first.
    #[serde(deserialize_with = "bounded_vec")]
    pub gossip: Vec<Update>,
}

/// The primary message of a packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    /// "Are you alive?" Answered with an [`Body::Ack`] carrying the same `seq`.
    Ping {
        /// Sender-chosen sequence number echoed in the ack.
        seq: u32,
        /// How many members the sender knows (any state): a one-number
        /// digest that lets a receiver notice it has missed news.
        members: u32,
    },
    /// Answer to a ping (direct, or relayed by a helper of an indirect probe).
    Ack {
        /// The sequence number of the ping being answered.
        seq: u32,
        /// How many members the sender knows, as in [`Body::Ping`].
        members: u32,
    },
    /// "Please ping `target` for me": the indirect probe of SWIM.
    PingReq {
        /// The requester's sequence number; the relayed ack carries it back.
        seq: u32,
        /// The member to probe.
        target: NodeAddr,
    },
    /// A helper's "I asked, and `target` did not answer me either" (Lifeguard).
    Nack {
        /// The requester's sequence number.
        seq: u32,
    },
    /// One chunk of a full-state anti-entropy exchange.
    PushPull(PushPull),
    /// Nothing but piggybacked gossip.
    Gossip,
    /// Phi family: a scuttlebutt round's opening digest (see
    /// `protocol::phi`). Answered with [`Body::SynAck`].
    Syn(Scuttle),
    /// Phi family: the answer to a syn: our digest of the same range and
    /// the deltas the syn's sender lacks. Answered with [`Body::Ack2`].
    SynAck(Scuttle),
    /// Phi family: the deltas the syn-ack's sender lacks; never answered.
    Ack2(Scuttle),
}

/// One scuttlebutt message of the phi family (van Renesse et al. 2008):
/// a digest of the nodes in an address range, and deltas.
///
/// The digest covers exactly the members whose address lies in
/// `lo..=hi`: a member in that range the receiver knows and the digest
/// omits is one the sender has never heard of. That lets a table larger
/// than one datagram be reconciled a range at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scuttle {
    /// The first address the digest covers.
    pub lo: NodeAddr,
    /// The last address the digest covers.
    pub hi: NodeAddr,
    /// The sender's (node, generation, heartbeat, max version) for every
    /// member it knows in `lo..=hi`, its own entry always included.
    #[serde(deserialize_with = "bounded_vec")]
    pub digest: Vec<Digest>,
    /// State the receiver lacks, per node, oldest first.
    #[serde(deserialize_with = "bounded_vec")]
    pub deltas: Vec<NodeDelta>,
    /// Zero bytes a joiner adds so its syn is as large as the answer it
    /// asks for: a node answers a stranger with no more bytes than it
    /// received (no amplification).
    #[serde(deserialize_with = "bounded_vec")]
    pub pad: Vec<u8>,
}

/// One node's line in a scuttlebutt digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// The node.
    pub node: NodeAddr,
    /// Its generation: a restarted node has a higher one.
    pub generation: u64,
    /// Its heartbeat counter, which only the node itself raises.
    pub heartbeat: u64,
    /// The highest version of its state the sender holds.
    pub max_version: u64,
}

/// Versions `from + 1 ..= to` of one node's state: every key that changed
/// in that range, with its value at its version, oldest first. Applying it
/// to a copy that holds exactly up to `from` (or more) leaves no gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDelta {
    /// The node the state belongs to.
    pub node: NodeAddr,
    /// The generation it belongs to.
    pub generation: u64,
    /// The version the receiver must already hold.
    pub from: u64,
    /// The version the receiver holds after applying.
    pub to: u64,
    /// The changed keys, by ascending version.
    #[serde(deserialize_with = "bounded_vec")]
    pub values: Vec<Versioned>,
}

/// One key of a node's state at a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned {
    /// The version it was set at.
    pub version: u64,
    /// The key and its value.
    pub value: StateValue,
}

/// The keys of a phi node's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateValue {
    /// The node left the cluster gracefully.
    Left,
    /// A user rumor the node injected (its key is the rumor's sequence).
    Rumor {
        /// The per-origin sequence number.
        seq: u32,
        /// The payload.
        #[serde(deserialize_with = "bounded_vec")]
        payload: Vec<u8>,
    },
}

/// One chunk of a push-pull exchange. Each chunk merges on its own, so a
/// lost chunk costs only its members until the next exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPull {
    /// True for the answer half of an exchange (never answered again).
    pub reply: bool,
    /// True when the sender is joining: the receiver answers even if it has
    /// nothing new, because the joiner knows no one else.
    pub join: bool,
    /// This chunk's index, from zero.
    pub chunk: u16,
    /// How many chunks the whole state was split into.
    pub chunks: u16,
    /// The sender's view of a slice of the membership.
    #[serde(deserialize_with = "bounded_vec")]
    pub members: Vec<MemberEntry>,
    /// Zero bytes a joiner adds so that its request is as large as one
    /// full chunk: a node that does not know the sender answers with no
    /// more bytes than it received (no amplification), and a padded join
    /// is thereby answered with a full first chunk.
    #[serde(deserialize_with = "bounded_vec")]
    pub pad: Vec<u8>,
    /// Rumors the sender delivered recently, newest first, so a node that
    /// missed every gossiped copy still gets them (see `node::anti_entropy`).
    #[serde(deserialize_with = "bounded_vec")]
    pub rumors: Vec<Rumor>,
}

/// A member as listed in a push-pull.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEntry {
    /// The member.
    pub addr: NodeAddr,
    /// Its incarnation in the sender's view.
    pub incarnation: Incarnation,
    /// Its state in the sender's view.
    pub state: State,
}

/// A piece of epidemic news, piggybacked on packets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Update {
    /// `member` is alive at `incarnation` (a join, or a refutation).
    Alive {
        /// The member.
        member: NodeAddr,
        /// Its incarnation.
        incarnation: Incarnation,
    },
    /// `from` suspects `member` at `incarnation`.
    Suspect {
        /// The suspected member.
        member: NodeAddr,
        /// The incarnation being suspected.
        incarnation: Incarnation,
        /// Who suspects it; distinct senders are independent confirmations.
        from: NodeAddr,
    },
    /// `from` declared `member` dead at `incarnation`.
    Dead {
        /// The member declared dead.
        member: NodeAddr,
        /// The incarnation declared dead.
        incarnation: Incarnation,
        /// Who declared it.
        from: NodeAddr,
    },
    /// `member` left the cluster gracefully at `incarnation`.
    Left {
        /// The member that left.
        member: NodeAddr,
        /// Its final incarnation.
        incarnation: Incarnation,
    },
    /// A user rumor: an opaque payload every node delivers at most once.
    /// Boxed: membership updates are the many (a node queues one a member
    /// during a join storm), and an inline payload vector would make each
    /// of them as large as a rumor (40 bytes instead of 24).
    Rumor(Box<Rumor>),
}

impl Update {
    /// The update that carries `rumor`.
    pub fn rumor(rumor: Rumor) -> Update {
        Update::Rumor(Box::new(rumor))
    }

    /// The member this update is about, if it is a membership update.
    pub fn member(&self) -> Option<NodeAddr> {
        match self {
            Update::Alive { member, .. }
            | Update::Suspect { member, .. }
            | Update::Dead { member, .. }
            | Update::Left { member, .. } => Some(*member),
            Update::Rumor(_) => None,
        }
    }
}

/// Identifies a rumor: the node that injected it and that node's counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RumorId {
    /// The node where the rumor was injected.
    pub origin: NodeAddr,
    /// A per-origin counter.
    pub seq: u32,
}

/// A user rumor and its payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rumor {
    /// Its identity, used to deliver it at most once per node.
    pub id: RumorId,
    /// Opaque bytes, at most [`MAX_RUMOR_PAYLOAD`] long.
    #[serde(deserialize_with = "bounded_vec")]
    pub payload: Vec<u8>,
}

/// The largest rumor payload a node accepts for broadcast, so that a rumor
/// always fits in one packet next to a primary message.
pub const MAX_RUMOR_PAYLOAD: usize = 512;

/// The kind of a packet's primary message, for per-type counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MsgKind {
    /// [`Body::Ping`].
    Ping,
    /// [`Body::Ack`].
    Ack,
    /// [`Body::PingReq`].
    PingReq,
    /// [`Body::Nack`].
    Nack,
    /// [`Body::PushPull`].
    PushPull,
    /// [`Body::Gossip`].
    Gossip,
}

impl MsgKind {
    /// Every kind, in a stable order (the index of [`MsgKind::index`]).
    pub const ALL: [MsgKind; 6] =
        [MsgKind::Ping, MsgKind::Ack, MsgKind::PingReq, MsgKind::Nack, MsgKind::PushPull, MsgKind::Gossip];

    /// A dense index, for counter arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// A short lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            MsgKind::Ping => "ping",
            MsgKind::Ack => "ack",
            MsgKind::PingReq => "ping_req",
            MsgKind::Nack => "nack",
            MsgKind::PushPull => "push_pull",
            MsgKind::Gossip => "gossip",
        }
    }
}

impl Body {
    /// This message's kind.
    pub fn kind(&self) -> MsgKind {
        match self {
            Body::Ping { .. } => MsgKind::Ping,
            Body::Ack { .. } => MsgKind::Ack,
            Body::PingReq { .. } => MsgKind::PingReq,
            Body::Nack { .. } => MsgKind::Nack,
            Body::PushPull(_) => MsgKind::PushPull,
            Body::Gossip | Body::Syn(_) => MsgKind::Gossip,
            Body::SynAck(_) | Body::Ack2(_) => MsgKind::PushPull,
        }
    }
}
