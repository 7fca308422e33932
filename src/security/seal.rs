//! Sealing and opening datagrams: XChaCha20-Poly1305 under the keyring.
//!
//! A sealed datagram is the wire header (mode [`Mode::Sealed`]), a random
//! 24-byte nonce, the encrypted packet body and a 16-byte tag. The header
//! and the cluster label are the associated data: a datagram whose header
//! was altered, or that was sealed for another cluster, fails to open.
//!
//! Why XChaCha20: every node of a cluster seals with the same key, up to
//! thousands of nodes, none of them coordinating nonces. A random 96-bit
//! nonce (AES-GCM, ChaCha20) is expected to repeat after about 2^48
//! datagrams cluster-wide, and a repeat under one key breaks both secrecy
//! and authenticity; a random 192-bit nonce makes a repeat negligible for
//! any number of datagrams a cluster will ever send. Each socket draws its
//! nonces from its own ChaCha12 generator seeded from the OS, so drawing
//! one costs a few nanoseconds and no system call.
//!
//! A datagram that fails to open is rejected as `unauthenticated` before
//! any of it is decoded; so is a plain datagram when sealing is on, and a
//! sealed one when it is off.

use std::sync::Arc;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use rand::rngs::{StdRng, SysRng};
use rand::{Rng as _, SeedableRng};

use super::key::{Key, KeyError};
use super::keyring::Keyring;
use crate::protocol::Packet;
use crate::wire::{self, HEADER_LEN, Mode, WireError};

/// Bytes of the random nonce after the header.
pub const NONCE_LEN: usize = 24;
/// Bytes of the authentication tag at the end.
pub const TAG_LEN: usize = 16;
/// Bytes sealing adds to a datagram: the nonce and the tag.
pub const SEAL_OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// A keyring of ready ciphers, shared by the sockets that use it.
pub type CipherRing = Keyring<XChaCha20Poly1305>;

/// The ciphers for a keyring of keys.
pub fn cipher_ring(keys: &Keyring<Key>) -> CipherRing {
    keys.map(|_, key| XChaCha20Poly1305::new(key.bytes().into()))
}

/// Why an arriving datagram was not handed to the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reject {
    /// It did not open under any installed key and the label, or it was
    /// plain while sealing is on (or sealed while it is off).
    Unauthenticated,
    /// It opened (or needed no opening) but is not a valid packet.
    Wire(WireError),
}

impl Reject {
    /// The counter it is counted under (see
    /// [`crate::observe::traffic::REJECT_REASONS`]).
    pub fn reason(&self) -> &'static str {
        match self {
            Reject::Unauthenticated => "unauthenticated",
            Reject::Wire(e) => e.reason(),
        }
    }
}

struct Sealing {
    keys: Arc<CipherRing>,
    /// The associated data: the sealed header, then the label.
    aad: Vec<u8>,
    nonces: StdRng,
}

/// How one node turns packets into datagrams and back: plain, or sealed
/// under a keyring.
pub struct Codec {
    sealing: Option<Sealing>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sealing {
            None => f.write_str("Codec(plain)"),
            Some(s) => write!(f, "Codec(sealed, primary {})", s.keys.primary()),
        }
    }
}

impl Codec {
    /// Plain datagrams, no authentication (`auth = "none"`).
    pub fn plain() -> Codec {
        Codec { sealing: None }
    }

    /// Sealed datagrams under `keys` and `label`, with a nonce generator
    /// seeded from the OS.
    pub fn sealed(keys: Arc<CipherRing>, label: &str) -> Result<Codec, KeyError> {
        let nonces = StdRng::try_from_rng(&mut SysRng).map_err(|e| KeyError::Entropy(e.to_string()))?;
        Ok(Codec::sealed_with(keys, label, nonces))
    }

    /// [`Codec::sealed`] with a given nonce generator (benchmarks, tests).
    pub fn sealed_with(keys: Arc<CipherRing>, label: &str, nonces: StdRng) -> Codec {
        let mut aad = wire::header(Mode::Sealed).to_vec();
        aad.extend_from_slice(label.as_bytes());
        Codec { sealing: Some(Sealing { keys, aad, nonces }) }
    }

    /// Replaces the keyring (a rotation step). Ignored by a plain codec.
    pub fn set_keys(&mut self, keys: Arc<CipherRing>) {
        if let Some(s) = self.sealing.as_mut() {
            s.keys = keys;
        }
    }

    /// Bytes this codec adds to a plain datagram.
    pub fn overhead(&self) -> usize {
        if self.sealing.is_some() { SEAL_OVERHEAD } else { 0 }
    }

    /// Appends the datagram for `packet` to `buf` (not cleared).
    pub fn encode_into(&mut self, packet: &Packet, buf: &mut Vec<u8>) {
        let Some(s) = self.sealing.as_mut() else {
            wire::encode_into(packet, buf);
            return;
        };
        buf.extend_from_slice(&wire::header(Mode::Sealed));
        let mut nonce = XNonce::default();
        s.nonces.fill_bytes(&mut nonce);
        buf.extend_from_slice(&nonce);
        let body = buf.len();
        wire::encode_body_into(packet, buf);
        // Fails only past 256 GiB of plaintext; a packet is under 64 KiB.
        let tag = s
            .keys
            .primary_value()
            .encrypt_inout_detached(&nonce, &s.aad, (&mut buf[body..]).into())
            .expect("a datagram is far below the AEAD's length limit");
        buf.extend_from_slice(&tag);
    }

    /// Opens and decodes one datagram. It is decrypted in place, so
    /// `datagram` holds garbage afterwards. Nothing is decoded unless the
    /// datagram opens; a forged one costs one tag check per installed key.
    pub fn decode(&self, datagram: &mut [u8]) -> Result<Packet, Reject> {
        let (mode, _) = wire::split(datagram).map_err(Reject::Wire)?;
        let s = match (&self.sealing, mode) {
            (None, Mode::Plain) => return wire::decode_body(&datagram[HEADER_LEN..]).map_err(Reject::Wire),
            (Some(s), Mode::Sealed) => s,
            (None, Mode::Sealed) | (Some(_), Mode::Plain) => return Err(Reject::Unauthenticated),
        };
        let sealed = &mut datagram[HEADER_LEN..];
        if sealed.len() < SEAL_OVERHEAD {
            return Err(Reject::Unauthenticated);
        }
        let (nonce, rest) = sealed.split_at_mut(NONCE_LEN);
        let (body, tag) = rest.split_at_mut(rest.len() - TAG_LEN);
        let nonce = XNonce::try_from(&*nonce).expect("split at the nonce length");
        let tag = Tag::try_from(&*tag).expect("split at the tag length");
        // A failed attempt leaves `body` untouched (the tag is checked
        // before anything is decrypted), so the next key sees the original.
        let opened = s
            .keys
            .opening_order()
            .any(|cipher| cipher.decrypt_inout_detached(&nonce, &s.aad, (&mut *body).into(), &tag).is_ok());
        if !opened {
            return Err(Reject::Unauthenticated);
        }
        wire::decode_body(body).map_err(Reject::Wire)
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use super::*;
    use crate::protocol::{Body, Update};

    fn ping() -> Packet {
        let member = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 4000);
        Packet { body: Body::Ping { seq: 7, members: 3 }, gossip: vec![Update::Alive { member, incarnation: 3 }] }
    }

    fn key(n: u8) -> Key {
        Key::from_bytes([n; 32])
    }

    fn ring(keys: &[u8], primary: u8) -> Arc<CipherRing> {
        let mut ring = Keyring::new(key(keys[0]).id(), key(keys[0]));
        for &k in &keys[1..] {
            ring.install(key(k).id(), key(k)).unwrap();
        }
        if primary != keys[0] {
            ring.use_key(key(primary).id()).unwrap();
        }
        Arc::new(cipher_ring(&ring))
    }

    fn codec(keys: &[u8], primary: u8, label: &str) -> Codec {
        Codec::sealed_with(ring(keys, primary), label, StdRng::seed_from_u64(primary.into()))
    }

    fn seal(c: &mut Codec) -> Vec<u8> {
        let mut buf = Vec::new();
        c.encode_into(&ping(), &mut buf);
        buf
    }

    #[test]
    fn a_sealed_datagram_opens_whole_and_costs_the_overhead() {
        let mut c = codec(&[1], 1, "lab");
        let bytes = seal(&mut c);
        assert_eq!(bytes.len(), wire::datagram_len(&ping()) + SEAL_OVERHEAD);
        assert_eq!(c.decode(&mut bytes.clone()), Ok(ping()));
        let plain = wire::encode(&ping());
        assert!(!bytes.windows(plain.len() - HEADER_LEN).any(|w| w == &plain[HEADER_LEN..]), "the body is encrypted");
        assert_ne!(
            seal(&mut c)[HEADER_LEN..][..NONCE_LEN],
            bytes[HEADER_LEN..][..NONCE_LEN],
            "a fresh nonce each time"
        );
    }

    #[test]
    fn tampered_relabelled_rekeyed_truncated_and_plain_datagrams_are_unauthenticated() {
        let mut c = codec(&[1], 1, "lab");
        let bytes = seal(&mut c);
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x20;
            let got = c.decode(&mut t);
            // Bytes of the header still fail, as foreign or version or as
            // unauthenticated (the header is associated data).
            assert!(got.is_err(), "a flipped byte {i} opened");
            if i >= HEADER_LEN {
                assert_eq!(got, Err(Reject::Unauthenticated), "byte {i}");
            }
        }
        assert_eq!(codec(&[1], 1, "other").decode(&mut bytes.clone()), Err(Reject::Unauthenticated), "label");
        assert_eq!(codec(&[2], 2, "lab").decode(&mut bytes.clone()), Err(Reject::Unauthenticated), "key");
        for cut in [HEADER_LEN, HEADER_LEN + SEAL_OVERHEAD - 1, bytes.len() - 1] {
            assert_eq!(c.decode(&mut bytes[..cut].to_vec()), Err(Reject::Unauthenticated), "cut at {cut}");
        }
        let mut plain = wire::encode(&ping());
        assert_eq!(c.decode(&mut plain), Err(Reject::Unauthenticated), "plain with auth on");
        assert_eq!(Codec::plain().decode(&mut bytes.clone()), Err(Reject::Unauthenticated), "sealed with auth off");
        assert_eq!(Codec::plain().decode(&mut plain.clone()), Ok(ping()));
        assert_eq!(c.decode(&mut b"XYZW".to_vec()).map_err(|e| e.reason()), Err("foreign"));
    }

    #[test]
    fn an_installed_old_key_opens_and_a_removed_one_does_not() {
        let mut old = codec(&[1], 1, "lab");
        let sealed_old = seal(&mut old);
        // Mid-rotation: 2 is primary, 1 still installed.
        let mut rotating = codec(&[1, 2], 2, "lab");
        assert_eq!(rotating.decode(&mut sealed_old.clone()), Ok(ping()), "in-flight datagram under the old key");
        let sealed_new = seal(&mut rotating);
        assert_eq!(old.decode(&mut sealed_new.clone()), Err(Reject::Unauthenticated), "1 alone cannot open 2");
        // A node that has installed 2 but not yet switched opens both.
        let installed = codec(&[1, 2], 1, "lab");
        assert_eq!(installed.decode(&mut sealed_new.clone()), Ok(ping()));
        // After removal, the old key's datagrams are strangers'.
        let mut done = codec(&[1, 2], 2, "lab");
        let mut keys = Keyring::new(key(1).id(), key(1));
        keys.install(key(2).id(), key(2)).unwrap();
        keys.use_key(key(2).id()).unwrap();
        keys.remove(key(1).id()).unwrap();
        done.set_keys(Arc::new(cipher_ring(&keys)));
        assert_eq!(done.decode(&mut sealed_old.clone()), Err(Reject::Unauthenticated));
        assert_eq!(done.decode(&mut seal(&mut rotating)), Ok(ping()));
    }

    #[test]
    fn a_decrypted_but_malformed_body_is_malformed() {
        let mut c = codec(&[1], 1, "lab");
        let s = c.sealing.as_mut().unwrap();
        let mut buf = wire::header(Mode::Sealed).to_vec();
        let nonce = XNonce::default();
        buf.extend_from_slice(&nonce);
        buf.extend_from_slice(&[0xff, 0xff, 0xff]);
        let tag = s
            .keys
            .primary_value()
            .encrypt_inout_detached(&nonce, &s.aad, (&mut buf[HEADER_LEN + NONCE_LEN..]).into())
            .unwrap();
        buf.extend_from_slice(&tag);
        assert_eq!(c.decode(&mut buf).map_err(|e| e.reason()), Err("malformed"));
    }

    #[test]
    fn sealed_datagrams_fill_but_never_exceed_the_profile_budget() {
        use crate::protocol::{Node, Time};
        let lab = crate::config::parse_profile("t", "[protocol]\npreset = \"fast\"\n").unwrap();
        let budget = lab.protocol.packet_budget;
        let addr = |i: u16| SocketAddrV4::new(Ipv4Addr::LOCALHOST, 20_000 + i);
        let mut node = Node::new(addr(0), lab.node_protocol(), 3, Time::ZERO);
        // 600 members of news: far more than a packet holds, so gossip,
        // acks and push-pull chunks are all filled to the core's budget.
        let gossip = (1..=600).map(|i| Update::Alive { member: addr(i), incarnation: 1 }).collect();
        // addr(1) introduces itself first: a stranger speaks only for itself.
        let hello = vec![Update::Alive { member: addr(1), incarnation: 1 }];
        node.handle_packet(addr(1), Packet { body: Body::Gossip, gossip: hello }, Time::ZERO);
        node.handle_packet(addr(1), Packet { body: Body::Gossip, gossip }, Time::ZERO);
        let pp = crate::protocol::message::PushPull {
            reply: false,
            join: true,
            chunk: 0,
            chunks: 1,
            members: vec![],
            pad: vec![],
            rumors: vec![],
        };
        node.handle_packet(addr(1), Packet { body: Body::PushPull(pp), gossip: vec![] }, Time::ZERO);
        node.handle_timeout(Time::from_secs(1));
        let mut c = codec(&[1], 1, "gossip-lab");
        let mut largest = 0;
        while let Some(tx) = node.poll_transmit() {
            let mut buf = Vec::new();
            c.encode_into(&tx.packet, &mut buf);
            assert!(
                buf.len() <= budget,
                "a sealed {:?} of {} bytes exceeds {budget}",
                tx.packet.body.kind(),
                buf.len()
            );
            largest = largest.max(buf.len());
        }
        assert!(largest > budget - 64, "the budget is used: largest sealed datagram {largest} bytes");
    }
}
