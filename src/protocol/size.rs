//! Encoded sizes of the wire types, computed from their fields.
//!
//! The core fills every datagram up to the packet budget, so it must know
//! what each message will cost on the wire. It cannot ask the codec
//! (`crate::wire` depends on the core, and bincode has no place in a pure
//! state machine), so the sizes are stated here as arithmetic over the
//! fields, following the codec's format: bincode 2's standard
//! configuration, where integers wider than a byte and enum variant
//! indices are varints, a sequence is a varint length then its items, and
//! an IPv4 socket address is its four octets then the port.
//! `tests/wire_props.rs` checks every function here against the codec's
//! actual output for arbitrary packets, so the two cannot drift apart.

use super::member::NodeAddr;
use super::message::{
    Body, Digest, MemberEntry, NodeDelta, Packet, PushPull, Rumor, RumorId, Scuttle, StateValue, Update, Versioned,
};

/// Bytes the codec puts before a packet's encoding (magic, version, mode).
/// `crate::wire` asserts at compile time that its header is this long.
pub const HEADER_LEN: usize = 4;

/// The encoded size of an unsigned integer wider than a byte: one byte up
/// to 250, else a marker byte and the value in 2, 4 or 8 bytes.
pub const fn varint(n: u64) -> usize {
    if n < 251 {
        1
    } else if n <= u16::MAX as u64 {
        3
    } else if n <= u32::MAX as u64 {
        5
    } else {
        9
    }
}

/// The encoded size of a sequence length prefix of `n` items.
pub const fn len_prefix(n: usize) -> usize {
    varint(n as u64)
}

/// An enum's variant index (every wire enum has fewer than 251 variants).
const VARIANT: usize = 1;

const fn addr_len(addr: &NodeAddr) -> usize {
    4 + varint(addr.port() as u64)
}

const fn rumor_id_len(id: &RumorId) -> usize {
    addr_len(&id.origin) + varint(id.seq as u64)
}

impl Rumor {
    /// This rumor's encoded size.
    pub fn encoded_len(&self) -> usize {
        rumor_id_len(&self.id) + len_prefix(self.payload.len()) + self.payload.len()
    }
}

impl Update {
    /// This update's encoded size.
    pub fn encoded_len(&self) -> usize {
        VARIANT
            + match self {
                Update::Alive { member, incarnation } | Update::Left { member, incarnation } => {
                    addr_len(member) + varint(*incarnation)
                }
                Update::Suspect { member, incarnation, from } | Update::Dead { member, incarnation, from } => {
                    addr_len(member) + varint(*incarnation) + addr_len(from)
                }
                Update::Rumor(rumor) => rumor.encoded_len(),
            }
    }
}

impl MemberEntry {
    /// This entry's encoded size.
    pub const fn encoded_len(&self) -> usize {
        addr_len(&self.addr) + varint(self.incarnation) + VARIANT
    }
}

impl PushPull {
    /// This chunk's encoded size (inside a [`Body::PushPull`]).
    pub fn encoded_len(&self) -> usize {
        let members: usize = self.members.iter().map(MemberEntry::encoded_len).sum();
        2 + varint(self.chunk as u64)
            + varint(self.chunks as u64)
            + len_prefix(self.members.len())
            + members
            + len_prefix(self.pad.len())
            + self.pad.len()
            + len_prefix(self.rumors.len())
            + self.rumors.iter().map(Rumor::encoded_len).sum::<usize>()
    }
}

impl Digest {
    /// This digest line's encoded size.
    pub const fn encoded_len(&self) -> usize {
        addr_len(&self.node) + varint(self.generation) + varint(self.heartbeat) + varint(self.max_version)
    }
}

impl Versioned {
    /// This key's encoded size.
    pub fn encoded_len(&self) -> usize {
        varint(self.version)
            + VARIANT
            + match &self.value {
                StateValue::Left => 0,
                StateValue::Rumor { seq, payload } => varint(*seq as u64) + len_prefix(payload.len()) + payload.len(),
            }
    }
}

impl NodeDelta {
    /// This delta's encoded size.
    pub fn encoded_len(&self) -> usize {
        addr_len(&self.node)
            + varint(self.generation)
            + varint(self.from)
            + varint(self.to)
            + len_prefix(self.values.len())
            + self.values.iter().map(Versioned::encoded_len).sum::<usize>()
    }
}

impl Scuttle {
    /// This message's encoded size (inside its [`Body`] variant).
    pub fn encoded_len(&self) -> usize {
        addr_len(&self.lo)
            + addr_len(&self.hi)
            + len_prefix(self.digest.len())
            + self.digest.iter().map(Digest::encoded_len).sum::<usize>()
            + len_prefix(self.deltas.len())
            + self.deltas.iter().map(NodeDelta::encoded_len).sum::<usize>()
            + len_prefix(self.pad.len())
            + self.pad.len()
    }
}

impl Body {
    /// This body's encoded size.
    pub fn encoded_len(&self) -> usize {
        VARIANT
            + match self {
                Body::Ping { seq, members } | Body::Ack { seq, members } => {
                    varint(*seq as u64) + varint(*members as u64)
                }
                Body::PingReq { seq, target } => varint(*seq as u64) + addr_len(target),
                Body::Nack { seq } => varint(*seq as u64),
                Body::PushPull(pp) => pp.encoded_len(),
                Body::Gossip => 0,
                Body::Syn(s) | Body::SynAck(s) | Body::Ack2(s) => s.encoded_len(),
            }
    }
}

impl Packet {
    /// This packet's encoded size, without the codec's header.
    pub fn encoded_len(&self) -> usize {
        let gossip: usize = self.gossip.iter().map(Update::encoded_len).sum();
        self.body.encoded_len() + len_prefix(self.gossip.len()) + gossip
    }

    /// The plain datagram this packet makes, header included (sealing adds
    /// its overhead on top, which the packet budget already allows for).
    pub fn datagram_len(&self) -> usize {
        HEADER_LEN + self.encoded_len()
    }
}
