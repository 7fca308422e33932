//! Arbitrary bytes into the wire codec and into opening a sealed
//! datagram: the two places untrusted bytes become a packet.
//!
//! Any byte string must give a packet or an error, never a panic, an
//! abort or an allocation sized by a hostile length prefix (libFuzzer's
//! `-rss_limit_mb` and `-malloc_limit_mb` catch the last), whether it is
//! decoded plain or opened under a keyring. A byte string that decodes
//! must survive the round trip: its packet re-encodes to a datagram of
//! exactly `datagram_len` bytes (nodes fill packets up to the budget with
//! it) that decodes to the same packet, and the re-encoding is never
//! longer than what arrived (a node measures a stranger's request by
//! `datagram_len` of the decoded packet and answers with no more, so a
//! request that measured larger than its bytes would let a stranger draw
//! a reply larger than what it sent). Sealed, the same packet is
//! `SEAL_OVERHEAD` bytes longer, opens under every installed key, and
//! never opens once any byte is changed, under another label, under a key
//! not installed, or for a reader that does not seal.

#![no_main]

use std::sync::Arc;

use gossip_lab::security::{Codec, Key, Keyring, Reject, SEAL_OVERHEAD, cipher_ring};
use gossip_lab::wire::{self, WireError};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A sealing codec whose keyring holds `keys`, the first one primary.
fn sealed(keys: &[u8], label: &str) -> Codec {
    let key = |n: u8| Key::from_bytes([n; 32]);
    let mut ring = Keyring::new(key(keys[0]).id(), key(keys[0]));
    for &k in &keys[1..] {
        ring.install(key(k).id(), key(k)).expect("a few distinct keys fit");
    }
    // Fixed nonces keep a found input reproducible; no outcome depends on them.
    Codec::sealed_with(Arc::new(cipher_ring(&ring)), label, StdRng::seed_from_u64(0))
}

fuzz_target!(|data: &[u8]| {
    // Sealed under key 1, with key 2 also installed.
    let mut ring = sealed(&[1, 2], "fuzz");
    let opened = ring.decode(&mut data.to_vec());
    let plain = wire::decode(data);
    // A plain reader and the wire codec agree, except that the reader
    // counts a sealed datagram as unauthenticated.
    match (Codec::plain().decode(&mut data.to_vec()), &plain) {
        (Ok(a), Ok(b)) => assert_eq!(&a, b),
        (Err(Reject::Unauthenticated), Err(WireError::Sealed)) => {}
        (Err(Reject::Wire(a)), Err(b)) => assert_eq!(&a, b),
        (a, b) => panic!("a plain reader says {a:?}, the wire codec {b:?}"),
    }
    if plain.is_ok() {
        assert_eq!(opened, Err(Reject::Unauthenticated), "a sealing reader took a plain datagram");
    }
    // Opening arbitrary bytes would take forging a tag; if the fuzzer
    // ever manages it, the packet is checked like any other.
    for packet in [plain.ok(), opened.ok()].into_iter().flatten() {
        let bytes = wire::encode(&packet);
        assert_eq!(bytes.len(), wire::datagram_len(&packet), "datagram_len disagrees with encode for {packet:?}");
        let again = wire::decode(&bytes).unwrap_or_else(|e| panic!("re-encoded {packet:?} does not decode: {e}"));
        assert_eq!(again, packet, "the round trip changed the packet");
        assert!(bytes.len() <= data.len(), "{} bytes decoded to a packet measured at {}", data.len(), bytes.len());

        let mut datagram = Vec::new();
        ring.encode_into(&packet, &mut datagram);
        assert_eq!(datagram.len(), bytes.len() + SEAL_OVERHEAD);
        assert_eq!(ring.decode(&mut datagram.clone()).as_ref(), Ok(&packet));
        assert_eq!(sealed(&[2, 1], "fuzz").decode(&mut datagram.clone()).as_ref(), Ok(&packet), "key 2 opens");
        for (reader, what) in [
            (sealed(&[3], "fuzz"), "a key not installed"),
            (sealed(&[1, 2], "other"), "another label"),
            (Codec::plain(), "a plain reader"),
        ] {
            assert!(reader.decode(&mut datagram.clone()).is_err(), "opened by {what}");
        }
        // One byte changed anywhere (header, nonce, body or tag): the
        // position and the change come from the input.
        let at = usize::from(data[data.len() - 1]) * 7 % datagram.len();
        datagram[at] ^= data[data.len() / 2] | 1;
        assert!(ring.decode(&mut datagram).is_err(), "opened with byte {at} changed");
    }
});
