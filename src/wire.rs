//! The wire codec: the only place a [`Packet`] becomes bytes and back.
//!
//! A datagram is `MAGIC` (2 bytes), a version byte, then the bincode 2
//! (serde, varint) encoding of the packet. The magic lets a node tell a
//! foreign datagram from a corrupt one in its counters; the version byte
//! lets a future format coexist. Decoding is bounded by [`MAX_DATAGRAM`] so
//! that a hostile length prefix cannot make a node allocate without limit.
//! Keeping bincode behind these few functions means it can be swapped
//! without touching the protocol.

use bincode::config::{Config, Configuration, Limit, LittleEndian, Varint};
use bincode::enc::write::SizeWriter;
use serde::Serialize;
use thiserror::Error;

use crate::protocol::Packet;

/// The first two bytes of every gossip-lab datagram.
pub const MAGIC: [u8; 2] = *b"GL";
/// The wire format version this build speaks.
pub const VERSION: u8 = 1;
/// Bytes before the encoded packet: magic and version.
pub const HEADER_LEN: usize = MAGIC.len() + 1;
/// The largest datagram a node will decode (the UDP maximum payload).
pub const MAX_DATAGRAM: usize = 65_507;

type WireConfig = Configuration<LittleEndian, Varint, Limit<MAX_DATAGRAM>>;

const fn config() -> WireConfig {
    bincode::config::standard().with_limit::<MAX_DATAGRAM>()
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
    /// Ours, but a format version this build does not speak.
    #[error("unsupported wire version {0}")]
    Version(u8),
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
            WireError::Malformed(_) => "malformed",
            WireError::Trailing(_) => "trailing",
        }
    }
}

/// Appends the datagram for `packet` to `buf` (which is not cleared), so a
/// driver can reuse one buffer for every send.
pub fn encode_into(packet: &Packet, buf: &mut Vec<u8>) {
    buf.extend_from_slice(&MAGIC);
    buf.push(VERSION);
    // Encoding a plain serde tree into a Vec cannot fail: no maps with
    // non-string keys, no sequences of unknown length, and the limit only
    // applies to decoding.
    bincode::serde::encode_into_std_write(packet, buf, config()).expect("encoding a Packet into a Vec is infallible");
}

/// The datagram for `packet`.
pub fn encode(packet: &Packet) -> Vec<u8> {
    let mut buf = Vec::with_capacity(128);
    encode_into(packet, &mut buf);
    buf
}

/// Decodes one datagram. Any byte string gives a packet or an error, never
/// a panic.
pub fn decode(datagram: &[u8]) -> Result<Packet, WireError> {
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
    let body = &datagram[HEADER_LEN..];
    let (packet, used) = bincode::serde::decode_from_slice::<Packet, _>(body, config())
        .map_err(|e| WireError::Malformed(e.to_string()))?;
    if used != body.len() {
        return Err(WireError::Trailing(body.len() - used));
    }
    Ok(packet)
}

/// The encoded size of any wire value, without allocating. The protocol
/// uses it to fill packets up to the budget exactly.
pub fn encoded_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut w = SizeWriter::default();
    bincode::serde::encode_into_writer(value, &mut w, config()).expect("sizing a wire value is infallible");
    w.bytes_written
}

/// The encoded size of a sequence length prefix of `n` items (bincode varint).
pub fn len_prefix(n: usize) -> usize {
    encoded_len(&(n as u64))
}

/// The datagram size of `packet`, header included.
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
        bytes[2] = 9;
        assert_eq!(decode(&bytes), Err(WireError::Version(9)));
        bytes[0] = b'X';
        assert_eq!(decode(&bytes), Err(WireError::Foreign));
    }
}
