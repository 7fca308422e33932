//! The wire codec: the only place a [`Packet`] becomes bytes and back.
//!
//! A datagram is `MAGIC` (2 bytes), a version byte, a mode byte, then the
//! body. In [`Mode::Plain`] the body is the bincode 2 (serde, varint)
//! encoding of the packet; in [`Mode::Sealed`] it is that encoding sealed
//! by [`crate::security`], which calls [`encode_body_into`] and
//! [`decode_body`] here so that this module stays the only bincode user.
//! The magic lets a node tell a foreign datagram from a corrupt one in its
//! counters; the version byte lets a future format coexist; the mode byte
//! says whether the body must be opened with a key before it is decoded.
//! Decoding is bounded by [`MAX_DATAGRAM`] so that a hostile length prefix
//! cannot make a node allocate without limit. Keeping bincode behind these
//! few functions means it can be swapped without touching the protocol.

use bincode::config::{Config, Configuration, Limit, LittleEndian, Varint};
use bincode::enc::write::SizeWriter;
use serde::Serialize;
use thiserror::Error;

use crate::protocol::Packet;

/// The first two bytes of every gossip-lab datagram.
pub const MAGIC: [u8; 2] = *b"GL";
/// The wire format version this build speaks. Version 2 added the mode
/// byte (sealed datagrams), version 3 the rumors of a push-pull, version 4
/// the phi family's scuttlebutt messages; older datagrams are rejected as
/// `version`.
pub const VERSION: u8 = 4;
/// Bytes before the body: magic, version and mode, the same for plain and
/// sealed datagrams (sealing adds [`crate::security::SEAL_OVERHEAD`] inside
/// the body).
pub const HEADER_LEN: usize = MAGIC.len() + 2;
// The core sizes datagrams without the codec (`protocol::size`); it must
// count the same header.
const _: () = assert!(HEADER_LEN == crate::protocol::size::HEADER_LEN);
/// The largest datagram a node will decode (the UDP maximum payload).
pub const MAX_DATAGRAM: usize = 65_507;

type WireConfig = Configuration<LittleEndian, Varint, Limit<MAX_DATAGRAM>>;

const fn config() -> WireConfig {
    bincode::config::standard().with_limit::<MAX_DATAGRAM>()
}

/// How a datagram's body is carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// The encoded packet as it is: anyone can forge one.
    Plain = 0,
    /// The encoded packet sealed with a cluster key (`crate::security`).
    Sealed = 1,
}

impl Mode {
    fn from_byte(b: u8) -> Option<Mode> {
        match b {
            0 => Some(Mode::Plain),
            1 => Some(Mode::Sealed),
            _ => None,
        }
    }
}

/// The header of a datagram whose body is carried in `mode`.
pub const fn header(mode: Mode) -> [u8; HEADER_LEN] {
    [MAGIC[0], MAGIC[1], VERSION, mode as u8]
}

/// Why a datagram was rejected. Every variant leaves the node untouched.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum WireError {
    /// Shorter than the header, or larger than [`MAX_DATAGRAM`].
    #[error("datagram of {0} bytes is outside the accepted size range")]
    BadSize(usize),
    /// Does not start with [`MAGIC`]: not ours at all.
    #[error("foreign datagram (bad magic)")]
    Foreign,
    /// Ours, but a format version (or a body mode) this build does not speak.
    #[error("unsupported wire version {0}")]
    Version(u8),
    /// Ours, but sealed, and this reader has no key to open it with (see
    /// [`crate::security::Codec`], which opens sealed datagrams).
    #[error("sealed datagram, and no key to open it")]
    Sealed,
    /// Ours and the right version, but the body does not decode.
    #[error("malformed packet: {0}")]
    Malformed(String),
    /// The body decoded but bytes were left over.
    #[error("{0} trailing bytes after the packet")]
    Trailing(usize),
}

impl WireError {
    /// A short, stable name for counters ("foreign", "malformed", ...).
    pub fn reason(&self) -> &'static str {
        match self {
            WireError::BadSize(_) => "bad_size",
            WireError::Foreign => "foreign",
            WireError::Version(_) => "version",
            WireError::Sealed => "unauthenticated",
            WireError::Malformed(_) => "malformed",
            WireError::Trailing(_) => "trailing",
        }
    }
}

/// Appends the plain datagram for `packet` to `buf` (which is not
/// cleared), so a driver can reuse one buffer for every send.
pub fn encode_into(packet: &Packet, buf: &mut Vec<u8>) {
    buf.extend_from_slice(&header(Mode::Plain));
    encode_body_into(packet, buf);
}

/// Appends the body of `packet` (its bincode encoding, no header) to `buf`:
/// what [`crate::security`] seals.
pub fn encode_body_into(packet: &Packet, buf: &mut Vec<u8>) {
    // Encoding a plain serde tree into a Vec cannot fail: no maps with
    // non-string keys, no sequences of unknown length, and the limit only
    // applies to decoding.
    bincode::serde::encode_into_std_write(packet, buf, config()).expect("encoding a Packet into a Vec is infallible");
}

/// The plain datagram for `packet`.
pub fn encode(packet: &Packet) -> Vec<u8> {
    let mut buf = Vec::with_capacity(128);
    encode_into(packet, &mut buf);
    buf
}

/// Checks a datagram's size and header, and returns its body and how the
/// body is carried. Any byte string gives an answer, never a panic.
pub fn split(datagram: &[u8]) -> Result<(Mode, &[u8]), WireError> {
    if datagram.len() < HEADER_LEN || datagram.len() > MAX_DATAGRAM {
        return Err(WireError::BadSize(datagram.len()));
    }
    if datagram[..MAGIC.len()] != MAGIC {
        return Err(WireError::Foreign);
    }
    let version = datagram[MAGIC.len()];
    if version != VERSION {
        return Err(WireError::Version(version));
    }
    let mode = Mode::from_byte(datagram[MAGIC.len() + 1]).ok_or(WireError::Version(version))?;
    Ok((mode, &datagram[HEADER_LEN..]))
}

/// Decodes one plain datagram; a sealed one is [`WireError::Sealed`]. Any
/// byte string gives a packet or an error, never a panic.
pub fn decode(datagram: &[u8]) -> Result<Packet, WireError> {
    match split(datagram)? {
        (Mode::Plain, body) => decode_body(body),
        (Mode::Sealed, _) => Err(WireError::Sealed),
    }
}

/// Decodes a body (a packet's bincode encoding, no header), all of it.
pub fn decode_body(body: &[u8]) -> Result<Packet, WireError> {
    let (packet, used) = bincode::serde::decode_from_slice::<Packet, _>(body, config())
        .map_err(|e| WireError::Malformed(e.to_string()))?;
    if used != body.len() {
        return Err(WireError::Trailing(body.len() - used));
    }
    Ok(packet)
}

/// The encoded size of any wire value as bincode measures it, without
/// allocating. The core has its own arithmetic (`protocol::size`);
/// `tests/wire_props.rs` holds the two equal.
pub fn encoded_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut w = SizeWriter::default();
    bincode::serde::encode_into_writer(value, &mut w, config()).expect("sizing a wire value is infallible");
    w.bytes_written
}

/// The encoded size of a sequence length prefix of `n` items (bincode varint).
pub fn len_prefix(n: usize) -> usize {
    encoded_len(&(n as u64))
}

/// The plain datagram size of `packet`, header included (a sealed one is
/// [`crate::security::SEAL_OVERHEAD`] bytes more).
pub fn datagram_len(packet: &Packet) -> usize {
    HEADER_LEN + encoded_len(packet)
}

// The limit type must match what `config()` builds; this keeps the alias honest.
const _: fn() = || {
    fn is_config<C: Config>(_: C) {}
    is_config(config());
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Body, Update};
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn sample() -> Packet {
        Packet {
            body: Body::Ping { seq: 7, members: 3 },
            gossip: vec![Update::Alive { member: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 4000), incarnation: 3 }],
        }
    }

    #[test]
    fn round_trip_and_exact_size() {
        let p = sample();
        let bytes = encode(&p);
        assert_eq!(bytes.len(), datagram_len(&p));
        assert_eq!(decode(&bytes), Ok(p));
    }

    #[test]
    fn rejects_foreign_version_and_trailing() {
        let mut bytes = encode(&sample());
        assert_eq!(decode(&bytes[..2]), Err(WireError::BadSize(2)));
        bytes.push(0);
        assert_eq!(decode(&bytes), Err(WireError::Trailing(1)));
        bytes.pop();
        bytes[3] = 7;
        assert_eq!(decode(&bytes), Err(WireError::Version(VERSION)), "an unknown mode");
        bytes[3] = Mode::Sealed as u8;
        assert_eq!(decode(&bytes), Err(WireError::Sealed));
        bytes[2] = 9;
        assert_eq!(decode(&bytes), Err(WireError::Version(9)));
        bytes[0] = b'X';
        assert_eq!(decode(&bytes), Err(WireError::Foreign));
    }
}
