//! Arbitrary bytes into the wire codec, the one place untrusted bytes
//! become a packet.
//!
//! Any byte string must give a packet or an error, never a panic, an
//! abort or an allocation sized by a hostile length prefix (libFuzzer's
//! `-rss_limit_mb` and `-malloc_limit_mb` catch the last). A byte string
//! that decodes must survive the round trip: its packet re-encodes to a
//! datagram of exactly `datagram_len` bytes (nodes fill packets up to the
//! budget with it) that decodes to the same packet. And the re-encoding is
//! never longer than what arrived: a node measures a stranger's request by
//! `datagram_len` of the decoded packet and answers with no more, so a
//! request that measured larger than its bytes would let a stranger draw
//! a reply larger than what it sent.

#![no_main]

use gossip_lab::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = wire::decode(data) else {
        return;
    };
    let bytes = wire::encode(&packet);
    assert_eq!(bytes.len(), wire::datagram_len(&packet), "datagram_len disagrees with encode for {packet:?}");
    let again = wire::decode(&bytes).unwrap_or_else(|e| panic!("re-encoded {packet:?} does not decode: {e}"));
    assert_eq!(again, packet, "the round trip changed the packet");
    assert!(bytes.len() <= data.len(), "{} bytes decoded to a packet measured at {}", data.len(), bytes.len());
});
