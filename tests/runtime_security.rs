//! The keyring on real loopback sockets: a stranger's datagrams bounce off
//! it, a rotation loses nothing, and no key ever reaches the session log.
//!
//! Same style as `runtime_cluster.rs`: the fast preset, conditions waited
//! for on the observer's snapshots with generous deadlines, floods paced
//! by polling the target's counters (never by sleeping a fixed time).

use std::net::{SocketAddrV4, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use gossip_lab::config::{LabConfig, parse_profile};
use gossip_lab::observe::record::{KeyChange, Record};
use gossip_lab::observe::traffic::reject_index;
use gossip_lab::observe::{Line, Snapshot};
use gossip_lab::protocol::{Body, Packet, State, Update};
use gossip_lab::runtime::{Running, launch};
use gossip_lab::scenario::Action;
use gossip_lab::security::{Codec, Key, KeyRef, Keyring, cipher_ring};
use gossip_lab::wire;
use tokio::sync::watch;
use tokio::time::Instant;

/// Far beyond what any condition here needs on an idle machine.
const PATIENCE: Duration = Duration::from_secs(30);

fn profile(nodes: usize, security: &str) -> LabConfig {
    let text = format!(
        "name = \"security-test\"\nduration = \"10m\"\n[cluster]\nnodes = {nodes}\nseed = 11\n\
         [protocol]\npreset = \"fast\"\n{security}"
    );
    parse_profile("security-test", &text).expect("test profile is valid")
}

async fn start(config: LabConfig, dir: &Path) -> (Running, watch::Receiver<Arc<Snapshot>>) {
    let running = launch(config, Some(dir.to_path_buf())).await.expect("lab starts");
    let snapshots = running.observer.snapshots();
    (running, snapshots)
}

/// Waits, without sleeping, until `pred` holds for a snapshot.
async fn wait_for(rx: &mut watch::Receiver<Arc<Snapshot>>, what: &str, pred: impl Fn(&Snapshot) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let snap = rx.borrow_and_update().clone();
        if pred(&snap) {
            return;
        }
        if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
            panic!("waited {PATIENCE:?} for {what}: at {}, accuracy {:.2}", snap.t, snap.accuracy);
        }
    }
}

fn converged(n: usize) -> impl Fn(&Snapshot) -> bool {
    move |s: &Snapshot| s.nodes.len() == n && s.converged && s.up() == n
}

/// Polls `count` until it reaches `want`, yielding in between.
async fn until_counted(what: &str, want: u64, count: impl Fn() -> u64) {
    let deadline = Instant::now() + PATIENCE;
    while count() < want {
        assert!(Instant::now() < deadline, "{what}: counted {} of {want}", count());
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn read_log(dir: &Path) -> Vec<Line> {
    let text = std::fs::read_to_string(dir.join("session.jsonl")).expect("session.jsonl exists");
    text.lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {} does not parse: {e}: {l}", i + 1)))
        .collect()
}

/// Claims that would wreck the cluster if anyone believed them: deaths
/// and leaves of real members at incarnations no refutation can beat, a
/// fake member, a push-pull of fakes.
fn forgeries(addrs: &[SocketAddrV4]) -> Vec<Packet> {
    let fake = |i: u16| SocketAddrV4::new([127, 0, 0, 1].into(), 1 + i);
    let mut all = Vec::new();
    for (i, &member) in addrs.iter().enumerate() {
        let from = addrs[(i + 1) % addrs.len()];
        all.push(Packet { body: Body::Gossip, gossip: vec![Update::Dead { member, incarnation: u64::MAX, from }] });
        all.push(Packet { body: Body::Gossip, gossip: vec![Update::Left { member, incarnation: u64::MAX }] });
        all.push(Packet {
            body: Body::Ping { seq: 1, members: 1000 },
            gossip: vec![Update::Suspect { member, incarnation: u64::MAX, from }],
        });
    }
    all.push(Packet {
        body: Body::Gossip,
        gossip: (0..40).map(|i| Update::Alive { member: fake(i), incarnation: 1 }).collect(),
    });
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_plaintext_and_wrongly_keyed_datagrams_are_unauthenticated_and_change_nothing() {
    const N: usize = 8;
    const EACH: usize = 1000;
    let dir = tempfile::tempdir().unwrap();
    let (running, mut rx) = start(profile(N, ""), dir.path()).await;
    let settled = |s: &Snapshot| s.t.as_micros() >= 1_000_000 && converged(N)(s);
    wait_for(&mut rx, "a settled cluster", settled).await;
    let addrs = running.lab.addrs();
    let counters: Vec<_> = running.lab.slots().iter().map(|s| s.traffic.clone()).collect();
    let count =
        |reason: &str| -> u64 { counters.iter().map(|t| t.snapshot().rejected[reject_index(reason)].packets).sum() };
    let handled = || counters.iter().map(|t| t.snapshot().received_total().packets).sum::<u64>();

    // Each forgery, plain (what a stranger can always send) and sealed with
    // a key of the stranger's own, under the cluster's label.
    let stranger_key = Key::generate().unwrap();
    let mut stranger =
        Codec::sealed(Arc::new(cipher_ring(&Keyring::new(stranger_key.id(), stranger_key))), "gossip-lab").unwrap();
    let forged = forgeries(&addrs);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let handled_before = handled();
    let mut sent = 0u64;
    for (i, packet) in forged.iter().cycle().take(EACH).enumerate() {
        let to = addrs[i % N];
        let plain = wire::encode(packet);
        assert!(wire::decode(&plain).is_ok(), "a forgery that would decode if read as plain");
        let mut sealed = Vec::new();
        stranger.encode_into(packet, &mut sealed);
        socket.send_to(&plain, to).unwrap();
        socket.send_to(&sealed, to).unwrap();
        sent += 2;
        // Pace the flood so no kernel buffer overflows: every 100, wait
        // until the nodes have read them.
        if sent.is_multiple_of(200) {
            until_counted("forgeries read", sent, || count("unauthenticated")).await;
        }
    }
    until_counted("forgeries read", sent, || count("unauthenticated")).await;
    assert_eq!(sent, 2 * EACH as u64);
    assert_eq!(count("unauthenticated"), sent, "every forgery, plain or wrongly keyed, is unauthenticated");
    assert_eq!(count("malformed") + count("foreign"), 0, "nothing forged was decoded");

    // The cluster kept talking among itself and believed none of it, as a
    // snapshot taken a second after the flood (statuses included) shows.
    // A fast flood can end before the next probe round, so real traffic is
    // waited for rather than required to have arrived during the flood.
    until_counted("real traffic after the flood", handled_before + 1, handled).await;
    let after = running.lab.clock().now() + Duration::from_secs(1);
    let later = |s: &Snapshot| s.t >= after && s.nodes.iter().all(|n| n.status.at >= after) && converged(N)(s);
    wait_for(&mut rx, "the cluster a second after the flood", later).await;
    let snap = rx.borrow().clone();
    for node in &snap.nodes {
        assert_eq!(node.status.members, N, "node {} holds {} members", node.index, node.status.members);
    }
    let summary = running.stop().await.unwrap();
    assert_eq!(summary.false_positives, 0);
    assert_eq!(summary.false_suspicions, 0);
    assert_eq!(summary.traffic.rejected_by_reason["unauthenticated"], sent);
    let log = read_log(dir.path());
    let believed = log.iter().any(|l| {
        matches!(l.record, Record::Member { to: State::Dead | State::Left | State::Suspect, .. })
            || matches!(l.record, Record::Member { subject, .. } if subject >= N)
    });
    assert!(!believed, "no node logged a forged claim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_datagram_larger_than_the_budget_is_oversized_not_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let (running, mut rx) = start(profile(2, "[security]\nauth = \"none\"\n"), dir.path()).await;
    wait_for(&mut rx, "convergence", converged(2)).await;
    let target = running.lab.addr(0).unwrap();
    let traffic = running.lab.slots()[0].traffic.clone();
    let count = |reason: &str| traffic.snapshot().rejected[reject_index(reason)].packets;
    // A plain datagram of 1,400 bytes of gossip would decode if it fit; at
    // budget + 1 bytes and beyond it is cut short by the read buffer.
    let mut big = wire::encode(&Packet { body: Body::Gossip, gossip: vec![] });
    big.resize(3000, 0);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for len in [1401, 2000, 3000] {
        socket.send_to(&big[..len], target).unwrap();
    }
    until_counted("oversized datagrams", 3, || count("oversized")).await;
    assert_eq!(count("malformed"), 0);
    running.stop().await.unwrap();
}

/// The key's bytes as anyone might write them: hex either case, base64.
fn spellings(key: &[u8; 32]) -> Vec<String> {
    let hex = key.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let b64 = base64::engine::general_purpose::STANDARD.encode(key);
    // A 16-character slice of each is enough to catch a partial leak.
    vec![hex[..16].to_string(), hex[..16].to_uppercase(), b64[..16].to_string(), b64.trim_end_matches('=').to_string()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_loses_nothing_and_no_key_reaches_the_session_files() {
    const N: usize = 6;
    let dir = tempfile::tempdir().unwrap();
    let key_bytes: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
    let key_file = dir.path().join("cluster.key");
    std::fs::write(&key_file, base64::engine::general_purpose::STANDARD.encode(key_bytes)).unwrap();
    let out = dir.path().join("out");
    let config = profile(N, &format!("[security]\nkey_file = \"{}\"\n", key_file.display()));
    let (mut running, mut rx) = start(config, &out).await;
    wait_for(&mut rx, "convergence", converged(N)).await;

    let counters: Vec<_> = running.lab.slots().iter().map(|s| s.traffic.clone()).collect();
    let rejected = || counters.iter().map(|t| t.snapshot().rejected_total().packets).sum::<u64>();
    for action in
        [Action::KeyInstall, Action::KeyUse { key: KeyRef::Newest }, Action::KeyRemove { key: KeyRef::Oldest }]
    {
        let feedback = running.apply(&action).await.unwrap();
        assert!(feedback.contains("on every node"), "{feedback}");
        // Let every node handle traffic under the new keyring before the
        // next step (a few probe rounds).
        let handled: Vec<u64> = counters.iter().map(|t| t.snapshot().received_total().packets).collect();
        for (t, before) in counters.iter().zip(handled) {
            until_counted("traffic under the new keyring", before + 10, || t.snapshot().received_total().packets).await;
        }
    }
    // A node restarted now must come up on the new key, not the file's.
    running.apply(&Action::Crash { node: gossip_lab::scenario::NodeRef::Index(2) }).await.unwrap();
    running.apply(&Action::Restart { node: gossip_lab::scenario::NodeRef::Index(2) }).await.unwrap();
    let restarted = running.lab.clock().now();
    let back = |s: &Snapshot| s.nodes[2].status.at > restarted && s.nodes[2].status.members == N && converged(N)(s);
    wait_for(&mut rx, "node 2 back on the new key, the cluster converged", back).await;
    let err = running.apply(&Action::KeyRemove { key: KeyRef::Oldest }).await.unwrap_err();
    assert!(err.to_string().contains("holds only the primary key"), "{err}");
    assert_eq!(rejected(), 0, "no datagram was lost to the rotation");

    // The file's key was really removed on every node, the restarted one
    // included: a ping sealed with it is a stranger's.
    let old = Key::from_bytes(key_bytes);
    let mut holder = Codec::sealed(Arc::new(cipher_ring(&Keyring::new(old.id(), old))), "gossip-lab").unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for addr in running.lab.addrs() {
        let mut sealed = Vec::new();
        holder.encode_into(&Packet { body: Body::Ping { seq: 1, members: 1 }, gossip: vec![] }, &mut sealed);
        socket.send_to(&sealed, addr).unwrap();
    }
    let unauthenticated =
        || counters.iter().map(|t| t.snapshot().rejected[reject_index("unauthenticated")].packets).sum::<u64>();
    until_counted("pings sealed with the removed key", N as u64, unauthenticated).await;
    let summary = running.stop().await.unwrap();
    assert_eq!((summary.false_positives, summary.false_suspicions), (0, 0));

    let log = read_log(&out);
    let Record::Session(header) = &log[0].record else { panic!("header first") };
    let security = header.security.as_ref().expect("the header says how datagrams were authenticated");
    let file_id = Key::from_bytes(key_bytes).id().to_string();
    assert_eq!((security.auth.as_str(), security.key_id.as_deref()), ("key", Some(file_id.as_str())));
    let events: Vec<(KeyChange, String)> = log
        .iter()
        .filter_map(|l| match &l.record {
            Record::Key { event, key, .. } => Some((*event, key.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2], (KeyChange::Removed, file_id), "the file's key was the one removed");

    let mut checked = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for s in spellings(&key_bytes) {
            assert!(!text.contains(&s), "{} contains the key ({s})", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 3, "session.jsonl, metrics.csv and summary.json were checked");
}
