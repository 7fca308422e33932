//! Property tests for the wire codec (`src/wire.rs`).
//!
//! The codec is the one place untrusted bytes enter a node, so it gets the
//! strongest checks we can afford:
//!
//! - every [`Packet`] the protocol can build survives `encode` → `decode`
//!   unchanged, and [`wire::datagram_len`] predicts the encoded size exactly;
//! - the core's own size arithmetic (`protocol::size`, with which it fills
//!   packets up to the budget) agrees with the codec for every message;
//! - no byte string, random or a damaged valid datagram, makes `decode` panic;
//! - a hostile length prefix is rejected at once, without an allocation sized
//!   by the claim.
//!
//! The strategies below cover every `Body` and `Update` variant, and bias
//! integers towards the bincode varint boundaries (250/251, u16::MAX, ...),
//! where an off-by-one in a size computation would show.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant};

use gossip_lab::protocol::message::{
    Digest, MAX_RUMOR_PAYLOAD, MemberEntry, NodeDelta, PushPull, Scuttle, StateValue, Versioned,
};
use gossip_lab::protocol::size;
use gossip_lab::protocol::{Body, NodeAddr, Packet, Rumor, RumorId, State, Update};
use gossip_lab::wire::{self, HEADER_LEN, MAX_DATAGRAM, Mode, WireError};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// A u32 that hits the varint size boundaries often, and anything otherwise.
fn wire_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => any::<u32>(),
        2 => 0u32..300,
        1 => prop::sample::select(vec![250u32, 251, 252, 255, 256, 65_535, 65_536, u32::MAX - 1, u32::MAX]),
    ]
}

/// A u64 biased the same way (incarnations).
fn wire_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => any::<u64>(),
        1 => prop::sample::select(vec![0u64, 1, 250, 251, 255, 256, u64::from(u32::MAX), u64::MAX]),
    ]
}

/// A u16 biased the same way.
fn wire_u16() -> impl Strategy<Value = u16> {
    prop_oneof![
        2 => any::<u16>(),
        1 => prop::sample::select(vec![0u16, 1, 250, 251, 255, 256, u16::MAX]),
    ]
}

/// Any IPv4 address and port.
fn addr() -> impl Strategy<Value = NodeAddr> {
    (any::<Ipv4Addr>(), any::<u16>()).prop_map(|(ip, port)| SocketAddrV4::new(ip, port))
}

fn state() -> impl Strategy<Value = State> {
    prop_oneof![Just(State::Alive), Just(State::Suspect), Just(State::Dead), Just(State::Left)]
}

fn member_entry() -> impl Strategy<Value = MemberEntry> {
    (addr(), wire_u64(), state()).prop_map(|(addr, incarnation, state)| MemberEntry { addr, incarnation, state })
}

fn rumor() -> impl Strategy<Value = Rumor> {
    (addr(), wire_u32(), vec(any::<u8>(), 0..=MAX_RUMOR_PAYLOAD))
        .prop_map(|(origin, seq, payload)| Rumor { id: RumorId { origin, seq }, payload })
}

fn update() -> impl Strategy<Value = Update> {
    prop_oneof![
        (addr(), wire_u64()).prop_map(|(member, incarnation)| Update::Alive { member, incarnation }),
        (addr(), wire_u64(), addr()).prop_map(|(member, incarnation, from)| Update::Suspect {
            member,
            incarnation,
            from
        }),
        (addr(), wire_u64(), addr()).prop_map(|(member, incarnation, from)| Update::Dead { member, incarnation, from }),
        (addr(), wire_u64()).prop_map(|(member, incarnation)| Update::Left { member, incarnation }),
        rumor().prop_map(Update::rumor),
    ]
}

fn push_pull() -> impl Strategy<Value = PushPull> {
    // Up to 300 members crosses the one-byte varint length boundary (250).
    // A join's pad fills a chunk: its length prefix crosses 250 too.
    let pad = prop_oneof![2 => Just(0usize), 1 => 0usize..300, 1 => 1300usize..1500];
    (any::<bool>(), any::<bool>(), wire_u16(), wire_u16(), vec(member_entry(), 0..300), pad, vec(rumor(), 0..4))
        .prop_map(|(reply, join, chunk, chunks, members, pad, rumors)| PushPull {
            reply,
            join,
            chunk,
            chunks,
            members,
            pad: vec![0; pad],
            rumors,
        })
}

fn scuttle() -> impl Strategy<Value = Scuttle> {
    let digest = (addr(), wire_u64(), wire_u64(), wire_u64())
        .prop_map(|(node, generation, heartbeat, max_version)| Digest { node, generation, heartbeat, max_version });
    let value = prop_oneof![
        Just(StateValue::Left),
        (wire_u32(), vec(any::<u8>(), 0..=MAX_RUMOR_PAYLOAD))
            .prop_map(|(seq, payload)| StateValue::Rumor { seq, payload }),
    ];
    let versioned = (wire_u64(), value).prop_map(|(version, value)| Versioned { version, value });
    let delta = (addr(), wire_u64(), wire_u64(), wire_u64(), vec(versioned, 0..4))
        .prop_map(|(node, generation, from, to, values)| NodeDelta { node, generation, from, to, values });
    let pad = prop_oneof![2 => Just(0usize), 1 => 1300usize..1500];
    (addr(), addr(), vec(digest, 0..300), vec(delta, 0..4), pad).prop_map(|(lo, hi, digest, deltas, pad)| Scuttle {
        lo,
        hi,
        digest,
        deltas,
        pad: vec![0; pad],
    })
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        (wire_u32(), wire_u32()).prop_map(|(seq, members)| Body::Ping { seq, members }),
        (wire_u32(), wire_u32()).prop_map(|(seq, members)| Body::Ack { seq, members }),
        (wire_u32(), addr()).prop_map(|(seq, target)| Body::PingReq { seq, target }),
        wire_u32().prop_map(|seq| Body::Nack { seq }),
        push_pull().prop_map(Body::PushPull),
        Just(Body::Gossip),
        scuttle().prop_map(Body::Syn),
        scuttle().prop_map(Body::SynAck),
        scuttle().prop_map(Body::Ack2),
    ]
}

fn packet() -> impl Strategy<Value = Packet> {
    (body(), vec(update(), 0..20)).prop_map(|(body, gossip)| Packet { body, gossip })
}

/// One way to damage a datagram. Indices are taken modulo the length, so
/// every mutation applies to any datagram.
#[derive(Clone, Debug)]
enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(usize, u8),
    /// Overwrite one byte.
    Set(usize, u8),
    /// Insert a byte before the index.
    Insert(usize, u8),
    /// Remove one byte.
    Remove(usize),
    /// Keep only a prefix.
    Truncate(usize),
    /// Append bytes.
    Extend(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        3 => (any::<usize>(), prop::sample::select(vec![0u8, 1, 250, 251, 252, 253, 254, 255]))
            .prop_map(|(i, b)| Mutation::Set(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        2 => any::<usize>().prop_map(Mutation::Truncate),
        1 => vec(any::<u8>(), 1..16).prop_map(Mutation::Extend),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    match m {
        Mutation::Flip(i, mask) if n > 0 => bytes[i % n] ^= mask,
        Mutation::Set(i, b) if n > 0 => bytes[i % n] = *b,
        Mutation::Insert(i, b) => bytes.insert(i % (n + 1), *b),
        Mutation::Remove(i) if n > 0 => {
            bytes.remove(i % n);
        }
        Mutation::Truncate(i) => bytes.truncate(i % (n + 1)),
        Mutation::Extend(more) => bytes.extend_from_slice(more),
        _ => {}
    }
}

/// Whatever `decode` accepts must itself be a packet the codec round-trips:
/// a damaged datagram may decode to *some* packet, never to a broken one.
fn assert_total(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(p) = wire::decode(bytes) {
        let again = wire::encode(&p);
        prop_assert_eq!(again.len(), wire::datagram_len(&p));
        prop_assert_eq!(wire::decode(&again), Ok(p));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// 512 cases each, and failures saved beside this file
/// (`tests/wire_props.proptest-regressions`, to be committed) so a found
/// counterexample is replayed first on every later run. proptest's default
/// looks for a `lib.rs` next to the test, which `tests/` does not have.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// The core sizes packets with its own arithmetic (`protocol::size`),
    /// not the codec: every size it computes must be what the codec writes.
    #[test]
    fn the_cores_sizes_are_the_codecs(p in packet(), n in any::<usize>()) {
        prop_assert_eq!(p.datagram_len(), wire::encode(&p).len());
        prop_assert_eq!(p.encoded_len(), wire::encoded_len(&p));
        prop_assert_eq!(p.body.encoded_len(), wire::encoded_len(&p.body));
        for u in &p.gossip {
            prop_assert_eq!(u.encoded_len(), wire::encoded_len(u), "{:?}", u);
        }
        if let Body::PushPull(pp) = &p.body {
            for e in &pp.members {
                prop_assert_eq!(e.encoded_len(), wire::encoded_len(e), "{:?}", e);
            }
        }
        prop_assert_eq!(size::len_prefix(n), wire::len_prefix(n));
        prop_assert_eq!(size::varint(n as u64), wire::encoded_len(&(n as u64)));
    }

    #[test]
    fn packets_round_trip_with_exact_size(p in packet()) {
        let bytes = wire::encode(&p);
        prop_assert_eq!(wire::datagram_len(&p), bytes.len());
        prop_assert_eq!(&bytes[..HEADER_LEN], &wire::header(Mode::Plain)[..]);
        // Big push-pulls can exceed a UDP datagram; the decoder refuses
        // those by design, so only check the round trip where it applies.
        if bytes.len() <= MAX_DATAGRAM {
            prop_assert_eq!(wire::decode(&bytes), Ok(p));
        } else {
            prop_assert_eq!(wire::decode(&bytes), Err(WireError::BadSize(bytes.len())));
        }
    }

    #[test]
    fn encode_into_appends_the_same_bytes(p in packet(), prefix in vec(any::<u8>(), 0..8)) {
        let mut buf = prefix.clone();
        wire::encode_into(&p, &mut buf);
        prop_assert_eq!(&buf[..prefix.len()], &prefix[..]);
        prop_assert_eq!(&buf[prefix.len()..], &wire::encode(&p)[..]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..2000)) {
        assert_total(&bytes)?;
    }

    #[test]
    fn arbitrary_bodies_after_a_valid_header_never_panic(body in vec(any::<u8>(), 0..2000)) {
        // Random bytes almost never start with the magic; this reaches bincode.
        let mut bytes = wire::header(Mode::Plain).to_vec();
        bytes.extend_from_slice(&body);
        assert_total(&bytes)?;
    }

    #[test]
    fn mutated_datagrams_never_panic(p in packet(), mutations in vec(mutation(), 1..8)) {
        let mut bytes = wire::encode(&p);
        for m in &mutations {
            apply(&mut bytes, m);
        }
        assert_total(&bytes)?;
    }

    #[test]
    fn every_truncation_is_an_error(p in packet()) {
        let bytes = wire::encode(&p);
        prop_assume!(bytes.len() <= MAX_DATAGRAM);
        // Trying every prefix is quadratic; a stride keeps big push-pulls cheap.
        let stride = (bytes.len() / 256).max(1);
        for cut in (0..bytes.len()).step_by(stride) {
            prop_assert!(wire::decode(&bytes[..cut]).is_err(), "prefix of {} / {} bytes decoded", cut, bytes.len());
        }
    }
}

// ---------------------------------------------------------------------------
// Hostile length prefixes
// ---------------------------------------------------------------------------

// A counting allocator, so the hostile-length test can check how much memory
// `decode` holds, not just that it returns. Counts are per thread, so the
// proptests running beside it in other threads do not disturb the figure.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note_alloc(size: usize) {
    // `try_with`: during thread teardown the slots may be gone; skip then.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn note_free(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(size)));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the bookkeeping touches only const-initialised thread-locals,
// which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: forwarded contract of `GlobalAlloc::alloc`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: forwarded contract of `GlobalAlloc::alloc_zeroed`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_free(layout.size());
        // SAFETY: forwarded contract of `GlobalAlloc::dealloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_free(layout.size());
        note_alloc(new_size);
        // SAFETY: forwarded contract of `GlobalAlloc::realloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the peak number of heap bytes it
/// held at once on this thread, beyond what was live before.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, peak - base)
}

/// bincode's varint for a u64 that needs all 8 bytes: tag 253, little endian.
fn varint_u64(v: u64) -> Vec<u8> {
    let mut out = vec![253u8];
    out.extend_from_slice(&v.to_le_bytes());
    out
}

/// The most a hostile datagram may make `decode` hold at once: no more than
/// a datagram can carry. A claimed length reserves at most 8 KiB and lists
/// grow past that only as elements arrive (see `bounded_vec` in
/// src/protocol/message.rs), so the allocation cannot follow the claim.
const HOSTILE_PEAK_LIMIT: usize = MAX_DATAGRAM;

#[test]
fn hostile_length_prefixes_fail_fast_without_big_allocations() {
    const CLAIM: u64 = 1 << 60;
    let header = wire::header(Mode::Plain);
    let origin = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 7946);

    // Check our picture of the layout against the real encoder, so the
    // hostile datagrams below really put the claim where a length goes.
    let gossip_only = Packet { body: Body::Gossip, gossip: vec![] };
    assert_eq!(
        wire::encode(&gossip_only),
        [&header[..], &[5, 0]].concat(),
        "Body::Gossip is variant 5, empty Vec is 0"
    );
    let empty_pp = Packet {
        body: Body::PushPull(PushPull {
            reply: false,
            join: false,
            chunk: 0,
            chunks: 1,
            members: vec![],
            pad: vec![],
            rumors: vec![],
        }),
        gossip: vec![],
    };
    // ... 4 (PushPull), reply, join, chunk, chunks, no members, no pad, no rumors; no gossip.
    assert_eq!(wire::encode(&empty_pp), [&header[..], &[4, 0, 0, 0, 1, 0, 0, 0, 0]].concat());
    let rumor_pp = Packet {
        body: Body::Gossip,
        gossip: vec![Update::rumor(Rumor { id: RumorId { origin, seq: 1 }, payload: vec![] })],
    };
    let rumor_bytes = wire::encode(&rumor_pp);
    // ... 5 (Gossip), 1 (one update), 4 (Update::Rumor), origin (4 ip + port), seq, payload len 0.
    assert_eq!(rumor_bytes.last(), Some(&0), "the rumor payload length is the last byte");

    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // The gossip list claims 2^60 updates and holds none.
    cases.push(("gossip list", [&header[..], &[5], &varint_u64(CLAIM)[..]].concat()));
    // The same, followed by one valid update so the first element decodes.
    cases.push((
        "gossip list, one real element",
        [&header[..], &[5], &varint_u64(CLAIM)[..], &[0, 127, 0, 0, 1, 1, 2, 3]].concat(),
    ));
    // A push-pull chunk claims 2^60 members.
    cases.push(("push-pull members", [&header[..], &[4, 0, 0, 0, 1], &varint_u64(CLAIM)[..]].concat()));
    // A rumor payload claims 2^60 bytes.
    let mut rumor_hostile = rumor_bytes.clone();
    rumor_hostile.pop();
    rumor_hostile.extend_from_slice(&varint_u64(CLAIM));
    cases.push(("rumor payload", rumor_hostile));
    // A push-pull's padding claims 2^60 bytes.
    cases.push(("push-pull pad", [&header[..], &[4, 0, 0, 0, 1, 0], &varint_u64(CLAIM)[..]].concat()));
    // u64::MAX, and a u128 length, for good measure.
    cases.push(("gossip list u64::MAX", [&header[..], &[5], &varint_u64(u64::MAX)[..]].concat()));
    cases.push(("gossip list u128", [&header[..], &[5, 254], &[0xff; 16][..]].concat()));

    for (name, bytes) in &cases {
        let start = Instant::now();
        let (result, peak) = peak_heap(|| wire::decode(bytes));
        let took = start.elapsed();
        assert!(result.is_err(), "{name}: hostile datagram decoded: {result:?}");
        assert!(took < Duration::from_millis(100), "{name}: decode took {took:?}");
        assert!(peak <= HOSTILE_PEAK_LIMIT, "{name}: decode held {peak} bytes at once");
        eprintln!("{name}: {:?} in {took:?}, peak heap {peak} bytes", result.unwrap_err().reason());
    }
}

#[test]
fn oversized_and_undersized_datagrams_are_bad_size() {
    for len in [0, 1, HEADER_LEN - 1, MAX_DATAGRAM + 1] {
        let mut bytes = vec![0u8; len];
        if len >= HEADER_LEN {
            bytes[..HEADER_LEN].copy_from_slice(&wire::header(Mode::Plain));
        }
        assert_eq!(wire::decode(&bytes), Err(WireError::BadSize(len)));
    }
}
