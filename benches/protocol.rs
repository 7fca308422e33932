//! Micro-benchmarks of the sans-IO protocol core (`src/protocol`) and the
//! wire codec (`src/wire.rs`).
//!
//! `benches/sim.rs` says how fast a whole cluster runs; this file says what
//! one node pays for each message it handles, so a change to the core can be
//! judged per operation instead of only through a whole-cluster run (issue 5,
//! item 6). It times, through the public API only:
//!
//! - `handle_ping`: a [`Node`] knowing N members answers one `Ping` with its
//!   `Ack` (`handle_packet`, then draining `poll_transmit`/`poll_event`).
//! - `handle_ack_10_updates`: one `Ack` carrying 10 piggybacked updates, all
//!   news (Alive at a higher incarnation, Suspect, Dead).
//! - `push_pull_1000`: every chunk of a 1,000-member push-pull reply, into
//!   an empty (joining) node and into a node that already knows all of it.
//! - `wire_encode`, `wire_encode_into`, `wire_decode`: the codec, per
//!   message type; the encoded sizes are printed in a table first.
//! - `broadcast_take`: `BroadcastQueue::take` from 1,000 queued updates
//!   with a 1,400-byte budget.
//! - `codec_encode`, `codec_decode`: what sealing costs. A node's
//!   `security::Codec`, plain (`auth = "none"`) and sealed
//!   (XChaCha20-Poly1305, one key), encoding and opening a ~100-byte ping
//!   and a full 1,400-byte gossip packet; `codec_reject_forged`: what a
//!   forged datagram costs a node with 1 and with 4 installed keys. The
//!   sealed sizes are printed with the others.
//!
//! ```text
//! cargo bench --bench protocol                   # full: 100 samples per bench
//! BENCH_QUICK=1 cargo bench --bench protocol     # quick: a few seconds, not for figures
//! cargo bench --bench protocol -- push_pull      # only benches matching a regex
//! just bench / just bench-quick                  # every bench target
//! ```
//!
//! Inputs are built before each sample and dropped after it, outside the
//! timed region (divan's `with_inputs` and deferred drops); a bench that has
//! to reset node state says so. The global allocator is divan's
//! `AllocProfiler`, so each row also shows allocations per operation (its
//! counting adds a few nanoseconds to every allocation).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::LazyLock;
use std::time::Duration;

use divan::counter::BytesCount;
use divan::{AllocProfiler, Bencher, Divan, black_box};
use gossip_lab::protocol::broadcast::BroadcastQueue;
use gossip_lab::protocol::{Body, Config, Node, NodeAddr, Packet, Time, Update};
use gossip_lab::security::{self, Codec, Key, Keyring, SEAL_OVERHEAD, cipher_ring};
use gossip_lab::wire;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// The membership sizes of the per-node benches.
const SIZES: [usize; 2] = [32, 1000];
/// The members of a push-pull state.
const PUSH_PULL_MEMBERS: usize = 1000;
/// The budget `BroadcastQueue::take` fills (`Config::lan().packet_budget`).
const BUDGET: usize = 1400;
/// Every node's RNG seed.
const SEED: u64 = 1;
/// Every packet is handled at this instant; no timer is due yet.
const NOW: Time = Time::ZERO;

/// The i-th member's address: distinct IPs, as on a real network.
fn addr(i: usize) -> NodeAddr {
    SocketAddrV4::new(Ipv4Addr::new(10, 0, (i >> 8) as u8, i as u8), 7946)
}

/// Drains everything the node queued, as a driver would after each packet;
/// returns how many datagrams it wanted sent.
fn drain(node: &mut Node) -> usize {
    let mut sent = 0;
    while let Some(t) = node.poll_transmit() {
        black_box(t);
        sent += 1;
    }
    while let Some(e) = node.poll_event() {
        black_box(e);
    }
    sent
}

fn ping(n: usize) -> Packet {
    Packet { body: Body::Ping { seq: 7, members: n as u32 }, gossip: Vec::new() }
}

/// `from` introduces itself to `node`: a stranger may speak only for
/// itself, so a peer that is to tell a node of others speaks first.
fn introduce(node: &mut Node, from: usize) {
    let hello = vec![Update::Alive { member: addr(from), incarnation: 0 }];
    node.handle_packet(addr(from), Packet { body: Body::Gossip, gossip: hello }, NOW);
}

/// A node at `addr(0)` that has just learned `addr(1..n)` (n rows, itself
/// included) from one gossip packet. Its piggyback queue holds the n − 1
/// Alive updates it must now spread: the state of a join wave.
fn learned(n: usize) -> Node {
    let mut node = Node::new(addr(0), Config::lan(), SEED, NOW);
    introduce(&mut node, 1);
    let gossip = (1..n).map(|i| Update::Alive { member: addr(i), incarnation: 0 }).collect();
    node.handle_packet(addr(1), Packet { body: Body::Gossip, gossip }, NOW);
    drain(&mut node);
    assert_eq!(node.members().len(), n);
    node
}

/// [`learned`], after it has sent every update its full number of times
/// (answering pings from `addr(1)`): an empty piggyback queue, the steady
/// state of a quiet cluster.
fn settled(n: usize) -> Node {
    let mut node = learned(n);
    while node.broadcast_queue_len() > 0 {
        node.handle_packet(addr(1), ping(n), NOW);
        drain(&mut node);
    }
    node
}

/// An `Ack` from `addr(1)` with 10 piggybacked updates about known members
/// `addr(2..12)`, every one news to a [`settled`] node: 4 Alive at a higher
/// incarnation, 3 Suspect and 3 Dead (raised by `addr(12)`).
fn ack_10_updates(n: usize) -> Packet {
    let accuser = addr(12);
    let gossip = (2..12)
        .map(|i| match i {
            2..=5 => Update::Alive { member: addr(i), incarnation: 1 },
            6..=8 => Update::Suspect { member: addr(i), incarnation: 0, from: accuser },
            _ => Update::Dead { member: addr(i), incarnation: 0, from: accuser },
        })
        .collect();
    Packet { body: Body::Ack { seq: 7, members: n as u32 }, gossip }
}

/// A fresh node at `addr(n - 1)` that has just sent its join push-pull to
/// `addr(0)`, and that push-pull.
fn joiner(n: usize) -> (Node, Packet) {
    let mut node = Node::new(addr(n - 1), Config::lan(), SEED + 1, NOW);
    node.join(&[addr(0)], NOW);
    let join = node.poll_transmit().expect("join sends a push-pull").packet;
    drain(&mut node);
    (node, join)
}

/// The reply chunks of a `n`-member state, exactly as `send_push_pull`
/// produces them: a settled node knowing `n - 1` members answers the join
/// push-pull of [`joiner`], whose own row makes the n-th.
static PUSH_PULL_REPLY: LazyLock<Vec<Packet>> = LazyLock::new(|| {
    let n = PUSH_PULL_MEMBERS;
    let mut seed = settled(n - 1);
    let (_, join) = joiner(n);
    // A stranger's join is answered with one chunk; a joiner the seed
    // already knows gets the whole state, which is what this measures.
    introduce(&mut seed, n - 1);
    drain(&mut seed);
    seed.handle_packet(addr(n - 1), join, NOW);
    let mut chunks = Vec::new();
    while let Some(t) = seed.poll_transmit() {
        assert_eq!(t.to, addr(n - 1));
        assert!(matches!(&t.packet.body, Body::PushPull(pp) if pp.reply));
        chunks.push(t.packet);
    }
    let rows: usize = chunks.iter().map(|p| if let Body::PushPull(pp) = &p.body { pp.members.len() } else { 0 }).sum();
    assert_eq!(rows, n);
    chunks
});

/// A full gossip packet as a node sends it in a join wave: the first
/// `Body::Gossip` transmit of [`learned`]`(1000)` at its first gossip tick.
static GOSSIP_FULL: LazyLock<Packet> = LazyLock::new(|| {
    let mut node = learned(1000);
    node.handle_timeout(NOW + Config::lan().gossip_interval);
    std::iter::from_fn(|| node.poll_transmit())
        .map(|t| t.packet)
        .find(|p| p.body == Body::Gossip)
        .expect("a gossip tick with news sends gossip")
});

/// The message types of the codec benches.
const MESSAGES: [&str; 4] = ["ping", "ack_10_updates", "gossip_full", "push_pull_chunk"];

fn message(name: &str) -> &'static Packet {
    static PING: LazyLock<Packet> = LazyLock::new(|| ping(1000));
    static ACK: LazyLock<Packet> = LazyLock::new(|| ack_10_updates(1000));
    match name {
        "ping" => &PING,
        "ack_10_updates" => &ACK,
        "gossip_full" => &GOSSIP_FULL,
        "push_pull_chunk" => &PUSH_PULL_REPLY[0],
        _ => unreachable!("unknown message {name}"),
    }
}

/// The messages of the sealing benches.
const SEALED: [&str; 2] = ["ping_100", "full_1400"];

/// A `Ping` carrying 10 Alive updates: about 100 bytes, a typical probe in
/// a cluster with a little news.
static PING_100: LazyLock<Packet> = LazyLock::new(|| {
    let gossip = (2..12).map(|i| Update::Alive { member: addr(i), incarnation: 3 }).collect();
    Packet { body: Body::Ping { seq: 7, members: 1000 }, gossip }
});

/// A gossip packet as full as a sealing node makes it: the first gossip of
/// a join wave, from a node whose budget leaves room for the seal
/// (`security::core_budget`), so the sealed datagram is just under 1,400
/// bytes.
static FULL_1400: LazyLock<Packet> = LazyLock::new(|| {
    let config = Config { packet_budget: security::core_budget(true, BUDGET), ..Config::lan() };
    let mut node = Node::new(addr(0), config.clone(), SEED, NOW);
    introduce(&mut node, 1);
    let gossip = (1..1000).map(|i| Update::Alive { member: addr(i), incarnation: 0 }).collect();
    node.handle_packet(addr(1), Packet { body: Body::Gossip, gossip }, NOW);
    drain(&mut node);
    node.handle_timeout(NOW + config.gossip_interval);
    std::iter::from_fn(|| node.poll_transmit())
        .map(|t| t.packet)
        .find(|p| p.body == Body::Gossip)
        .expect("a gossip tick with news sends gossip")
});

fn sealed_message(name: &str) -> &'static Packet {
    match name {
        "ping_100" => &PING_100,
        "full_1400" => &FULL_1400,
        _ => unreachable!("unknown message {name}"),
    }
}

/// A codec sealing with a one-key keyring (or plain), nonces from a fixed
/// seed so runs compare.
fn codec(sealed: bool) -> Codec {
    if !sealed {
        return Codec::plain();
    }
    let key = Key::from_bytes([7; 32]);
    let ring = std::sync::Arc::new(cipher_ring(&Keyring::new(key.id(), key)));
    Codec::sealed_with(ring, "gossip-lab", rand::SeedableRng::seed_from_u64(SEED))
}

fn print_sizes() {
    println!("encoded size per message (wire::datagram_len, header included):");
    println!("| message | bytes | piggybacked updates |");
    println!("|---|--:|--:|");
    for name in MESSAGES {
        let p = message(name);
        assert_eq!(wire::encode(p).len(), wire::datagram_len(p));
        println!("| {name} | {} | {} |", wire::datagram_len(p), p.gossip.len());
    }
    let total: usize = PUSH_PULL_REPLY.iter().map(wire::datagram_len).sum();
    println!(
        "| push-pull of {PUSH_PULL_MEMBERS} members (all {} chunks) | {total} | {} |",
        PUSH_PULL_REPLY.len(),
        PUSH_PULL_REPLY.iter().map(|p| p.gossip.len()).sum::<usize>()
    );
    println!();
    println!("sealing overhead per datagram (security::Codec, XChaCha20-Poly1305):");
    println!("| message | plain bytes | sealed bytes | added |");
    println!("|---|--:|--:|--:|");
    for name in SEALED {
        let p = sealed_message(name);
        let (mut plain, mut sealed) = (Vec::new(), Vec::new());
        codec(false).encode_into(p, &mut plain);
        codec(true).encode_into(p, &mut sealed);
        assert_eq!(sealed.len(), plain.len() + SEAL_OVERHEAD);
        assert!(sealed.len() <= BUDGET, "a sealed full packet fits the budget");
        println!("| {name} | {} | {} | {} |", plain.len(), sealed.len(), sealed.len() - plain.len());
    }
    println!();
}

/// One `Ping` in, one `Ack` out.
mod handle_ping {
    use super::*;

    /// Empty piggyback queue: the `Ack` carries no gossip. Handling leaves
    /// the node as it was (bar its counters), so no reset is needed.
    #[divan::bench(args = SIZES)]
    fn quiet(bencher: Bencher, n: usize) {
        let mut node = settled(n);
        bencher.bench_local(|| {
            node.handle_packet(addr(1), ping(n), NOW);
            assert_eq!(drain(&mut node), 1);
        });
    }

    /// Join wave: the queue holds the n − 1 fresh Alive updates, so the `Ack`
    /// carries as many as fit in 1,400 bytes (all 31 at n = 32). Sending them
    /// moves them up the queue, so every iteration gets a freshly built node
    /// (`with_inputs`, not timed).
    #[divan::bench(args = SIZES)]
    fn busy(bencher: Bencher, n: usize) {
        bencher.with_inputs(|| learned(n)).bench_local_values(|mut node| {
            node.handle_packet(addr(1), ping(n), NOW);
            assert_eq!(drain(&mut node), 1);
            node
        });
    }
}

/// One `Ack` carrying 10 updates, every one news. Applying them changes
/// the node (rows, suspicions, timers, queue), so the work would be a no-op
/// the second time: every iteration gets a freshly built [`settled`] node
/// (`with_inputs`, not timed), and the packet with it.
#[divan::bench(args = SIZES)]
fn handle_ack_10_updates(bencher: Bencher, n: usize) {
    bencher.with_inputs(|| (settled(n), ack_10_updates(n))).bench_local_values(|(mut node, ack)| {
        node.handle_packet(addr(1), ack, NOW);
        drain(&mut node);
        node
    });
}

/// Every chunk of a 1,000-member push-pull reply (see [`PUSH_PULL_REPLY`]).
mod push_pull_1000 {
    use super::*;

    fn bytes() -> BytesCount {
        BytesCount::new(PUSH_PULL_REPLY.iter().map(wire::datagram_len).sum::<usize>())
    }

    /// Into the joining node that asked for it: all 999 other members are
    /// new. A fresh joiner per iteration (`with_inputs`, not timed).
    #[divan::bench]
    fn into_empty(bencher: Bencher) {
        let n = PUSH_PULL_MEMBERS;
        bencher.counter(bytes()).with_inputs(|| (joiner(n).0, PUSH_PULL_REPLY.clone())).bench_local_values(
            |(mut node, chunks)| {
                for chunk in chunks {
                    node.handle_packet(addr(0), chunk, NOW);
                }
                drain(&mut node);
                assert_eq!(node.members().len(), n);
                node
            },
        );
    }

    /// Into a node that already holds all 1,000 rows and has spread its
    /// news: nothing is new, so the node is unchanged and is reused; only
    /// the chunks are cloned per iteration (not timed).
    #[divan::bench]
    fn into_known(bencher: Bencher) {
        let n = PUSH_PULL_MEMBERS;
        let (mut node, _) = joiner(n);
        for chunk in PUSH_PULL_REPLY.iter() {
            node.handle_packet(addr(0), chunk.clone(), NOW);
        }
        drain(&mut node);
        while node.broadcast_queue_len() > 0 {
            node.handle_packet(addr(0), ping(n), NOW);
            drain(&mut node);
        }
        bencher.counter(bytes()).with_inputs(|| PUSH_PULL_REPLY.clone()).bench_local_values(|chunks| {
            for chunk in chunks {
                node.handle_packet(addr(0), chunk, NOW);
            }
            assert_eq!(drain(&mut node), 0);
            assert_eq!(node.broadcast_queue_len(), 0);
        });
    }
}

/// `wire::encode`: a new `Vec` per datagram.
#[divan::bench(args = MESSAGES)]
fn wire_encode(bencher: Bencher, name: &str) {
    let p = message(name);
    bencher.counter(BytesCount::new(wire::datagram_len(p))).bench_local(|| wire::encode(black_box(p)));
}

/// `wire::encode_into` one reused buffer, as a driver can.
#[divan::bench(args = MESSAGES)]
fn wire_encode_into(bencher: Bencher, name: &str) {
    let p = message(name);
    let mut buf = Vec::with_capacity(wire::MAX_DATAGRAM);
    bencher.counter(BytesCount::new(wire::datagram_len(p))).bench_local(|| {
        buf.clear();
        wire::encode_into(black_box(p), &mut buf);
        black_box(&buf);
    });
}

#[divan::bench(args = MESSAGES)]
fn wire_decode(bencher: Bencher, name: &str) {
    let bytes = wire::encode(message(name));
    bencher.counter(BytesCount::new(bytes.len())).bench_local(|| wire::decode(black_box(&bytes)).expect("valid"));
}

/// `BroadcastQueue::take` of one 1,400-byte packet's worth from 1,000 (and
/// 4,096: a join storm's queue) fresh updates (sizes from
/// `wire::encoded_len`, limit of a 1,000-member cluster). `take` moves
/// what it sends up the queue, so every iteration gets a fresh clone of
/// the queue and an empty output `Vec`, as `send_with` starts with
/// (`with_inputs`, not timed).
#[divan::bench(args = [1000, 4096])]
fn broadcast_take(bencher: Bencher, queued: usize) {
    let mut queue = BroadcastQueue::new();
    for i in 1..=queued {
        let update = Update::Alive { member: addr(i), incarnation: 0 };
        let size = wire::encoded_len(&update);
        queue.push(update, size);
    }
    let limit = Config::lan().retransmit_limit(1000);
    bencher.with_inputs(|| (queue.clone(), Vec::new())).bench_local_values(|(mut q, mut out)| {
        let used = q.take(BUDGET, limit, &mut out);
        assert!(used <= BUDGET && !out.is_empty());
        (q, out)
    });
}

/// `Codec::encode_into` one reused buffer: encoding, plus sealing when on.
mod codec_encode {
    use super::*;

    fn bench(bencher: Bencher, name: &str, sealed: bool) {
        let p = sealed_message(name);
        let mut c = codec(sealed);
        let mut buf = Vec::with_capacity(wire::MAX_DATAGRAM);
        bencher.counter(BytesCount::new(wire::datagram_len(p))).bench_local(|| {
            buf.clear();
            c.encode_into(black_box(p), &mut buf);
            black_box(&buf);
        });
    }

    #[divan::bench(args = SEALED)]
    fn plain(bencher: Bencher, name: &str) {
        bench(bencher, name, false);
    }

    #[divan::bench(args = SEALED)]
    fn sealed(bencher: Bencher, name: &str) {
        bench(bencher, name, true);
    }
}

/// `Codec::decode`: opening (when sealed), then decoding. Opening
/// decrypts in place, so each iteration first copies the datagram into a
/// reused buffer, in both variants alike (a memcpy of at most 1,400 bytes).
mod codec_decode {
    use super::*;

    fn bench(bencher: Bencher, name: &str, sealed: bool) {
        let p = sealed_message(name);
        let c = codec(sealed);
        let mut datagram = Vec::new();
        codec(sealed).encode_into(p, &mut datagram);
        let mut buf = datagram.clone();
        bencher.counter(BytesCount::new(datagram.len())).bench_local(|| {
            buf.copy_from_slice(&datagram);
            c.decode(black_box(&mut buf)).expect("opens")
        });
    }

    #[divan::bench(args = SEALED)]
    fn plain(bencher: Bencher, name: &str) {
        bench(bencher, name, false);
    }

    #[divan::bench(args = SEALED)]
    fn sealed(bencher: Bencher, name: &str) {
        bench(bencher, name, true);
    }
}

/// A full datagram sealed with a stranger's key, rejected by a node with
/// N installed keys: one tag check per key, and nothing decoded (a
/// rotation holds 2 keys; the cost grows linearly up to `MAX_KEYS` = 8).
#[divan::bench(args = [1, 4])]
fn codec_reject_forged(bencher: Bencher, keys: usize) {
    let mut ring = Keyring::new(Key::from_bytes([0; 32]).id(), Key::from_bytes([0; 32]));
    for k in 1..keys {
        let key = Key::from_bytes([k as u8; 32]);
        ring.install(key.id(), key).unwrap();
    }
    let node =
        Codec::sealed_with(std::sync::Arc::new(cipher_ring(&ring)), "gossip-lab", rand::SeedableRng::seed_from_u64(2));
    // Sealed with key [7; 32], which the node does not hold (its keys are
    // [0; 32], [1; 32], ...).
    assert!(keys <= 7);
    let mut forged = Vec::new();
    codec(true).encode_into(&FULL_1400, &mut forged);
    let mut buf = forged.clone();
    bencher.counter(BytesCount::new(forged.len())).bench_local(|| {
        buf.copy_from_slice(&forged);
        assert!(node.decode(black_box(&mut buf)).is_err());
    });
}

fn main() {
    print_sizes();
    let mut divan = Divan::default();
    if std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1") {
        // A smoke check, not for figures; command-line options still win.
        divan = divan.sample_count(10).max_time(Duration::from_millis(100));
    }
    divan.config_with_args().main();
}
