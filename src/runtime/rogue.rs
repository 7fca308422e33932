//! The real lab's rogue: a UDP socket of its own on 127.0.0.1, owned by the
//! lab and belonging to no node, that sends the datagrams
//! [`crate::rogue::forge`] plans.
//!
//! It is not behind the fault shim (it is not a lab node, and a hostile
//! local process would not be either), so partitions and loss do not touch
//! what it sends. It holds no key: its datagrams are the bare codec output
//! ([`datagram`]), never sealed, which is what lets a keyed lab show them
//! rejected. A burst goes out while the lab waits; a lasting attack (the
//! ack mask) runs as a task that stops by itself after its duration, or
//! when the lab shuts down, and reports what it sent to the observer.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::LabMsg;
use super::clock::LabClock;
use crate::observe::record::{RogueChange, RogueRecord};
use crate::protocol::{Config, Incarnation, NodeAddr, Packet};
use crate::rogue::{Peer, Scene, Spec, forge};
use crate::wire;

/// The rogue's send buffer: room for a whole flood burst at once.
const SEND_BUFFER: usize = 2 << 20;

/// The bytes the rogue sends for `packet`. It has no key, so this is the
/// codec's output as is; sealing, once the lab has it, is never applied.
pub fn datagram(packet: &Packet) -> Vec<u8> {
    wire::encode(packet)
}

/// The lab's rogue socket and its running attacks.
#[derive(Debug)]
pub struct Rogue {
    socket: Arc<UdpSocket>,
    addr: NodeAddr,
    cancel: CancellationToken,
    tasks: TaskTracker,
}

/// One attack, with everything it needs once launched.
#[derive(Debug)]
pub struct Job {
    /// The attack.
    pub spec: Spec,
    /// The victim's index.
    pub victim: usize,
    /// The lab's nodes when the attack starts; every round targets these.
    pub peers: Vec<Peer>,
    /// The victim's incarnation as the lab last saw it.
    pub victim_incarnation: Incarnation,
    /// The nodes' protocol configuration.
    pub config: Config,
    /// The lab clock.
    pub clock: LabClock,
    /// Where the attack reports its end.
    pub obs: mpsc::Sender<LabMsg>,
}

/// What a finished burst sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Datagrams that left the socket.
    pub datagrams: u64,
    /// Their bytes.
    pub bytes: u64,
}

impl Rogue {
    /// Binds the rogue's socket on an ephemeral port of 127.0.0.1.
    pub fn bind() -> io::Result<Rogue> {
        let socket = UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
        socket.set_nonblocking(true)?;
        // Best effort, as for the nodes' receive buffers.
        let _ = socket2::SockRef::from(&socket).set_send_buffer_size(SEND_BUFFER);
        let addr = match socket.local_addr()? {
            SocketAddr::V4(a) => a,
            SocketAddr::V6(a) => return Err(io::Error::other(format!("{a} is not IPv4 loopback"))),
        };
        Ok(Rogue { socket: Arc::new(socket), addr, cancel: CancellationToken::new(), tasks: TaskTracker::new() })
    }

    /// The address the rogue sends from.
    pub fn addr(&self) -> NodeAddr {
        self.addr
    }

    /// Runs `job`: a burst now, returning what it sent; a lasting attack in
    /// its own task, returning `None`.
    pub async fn launch(&self, job: Job) -> Option<Sent> {
        let socket = self.socket.clone();
        let cancel = self.cancel.clone();
        if job.spec.rounds(&job.config) == 1 {
            return Some(job.run(&socket, &cancel).await);
        }
        self.tasks.spawn(async move {
            job.run(&socket, &cancel).await;
        });
        None
    }

    /// Stops every running attack and waits until each has reported.
    pub async fn shutdown(&self) {
        self.cancel.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

impl Job {
    /// Sends every round, `tick` apart, until the last or until cancelled,
    /// then tells the observer what went out.
    async fn run(self, socket: &UdpSocket, cancel: &CancellationToken) -> Sent {
        let start = tokio::time::Instant::now();
        let tick = Spec::tick(&self.config);
        let mut sent = Sent::default();
        for round in 0..self.spec.rounds(&self.config) {
            if round > 0 {
                tokio::select! {
                    () = cancel.cancelled() => break,
                    () = tokio::time::sleep_until(start + tick * round) => {}
                }
            }
            let scene = Scene {
                peers: &self.peers,
                victim: self.victim,
                victim_incarnation: self.victim_incarnation,
                config: &self.config,
                now: self.clock.now(),
            };
            for f in forge(&self.spec, round, &scene) {
                let bytes = datagram(&f.packet);
                // A full send buffer or a closed port loses the datagram,
                // as it would for any sender; only what left is counted.
                if socket.send_to(&bytes, SocketAddr::V4(f.to)).is_ok() {
                    sent.datagrams += 1;
                    sent.bytes += bytes.len() as u64;
                }
            }
        }
        let record = RogueRecord::of(RogueChange::Stopped, &self.spec, self.victim, sent.datagrams, sent.bytes);
        let _ = self.obs.send(LabMsg::Rogue { t: self.clock.now(), record }).await;
        sent
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::protocol::{Body, Time, Update};
    use crate::rogue::Attack;

    /// Plain sockets stand in for lab nodes: every datagram that arrives
    /// must decode as a real message, and as many must arrive as the
    /// rogue reports.
    #[tokio::test]
    async fn a_burst_reaches_every_target_as_decodable_datagrams_and_is_reported() {
        let targets: Vec<UdpSocket> = (0..3).map(|_| UdpSocket::bind("127.0.0.1:0").unwrap()).collect();
        let peers: Vec<Peer> = targets
            .iter()
            .map(|s| match s.local_addr().unwrap() {
                SocketAddr::V4(addr) => Peer { addr, running: true, started: Time::ZERO },
                SocketAddr::V6(_) => unreachable!(),
            })
            .collect();
        let rogue = Rogue::bind().unwrap();
        let (obs, mut reports) = mpsc::channel(4);
        let job = Job {
            spec: Spec::new(Attack::Death, None, None),
            victim: 0,
            peers: peers.clone(),
            victim_incarnation: 7,
            config: Config::fast(),
            clock: LabClock::start(),
            obs,
        };
        let sent = rogue.launch(job).await.expect("a burst finishes at once");
        assert_eq!(sent.datagrams, 2, "everyone but the victim");
        let Some(LabMsg::Rogue { record, .. }) = reports.recv().await else { panic!("no report") };
        assert_eq!((record.event, record.datagrams, record.bytes), (RogueChange::Stopped, 2, sent.bytes));
        let mut buf = [0u8; 2048];
        let mut bytes = 0;
        for target in &targets[1..] {
            target.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let (len, from) = target.recv_from(&mut buf).unwrap();
            assert_eq!(from, SocketAddr::V4(rogue.addr()));
            let packet = wire::decode(&buf[..len]).expect("decodes as a member's datagram");
            assert_eq!(packet.body, Body::Gossip);
            assert!(matches!(packet.gossip[0], Update::Dead { incarnation: 7, .. }), "{packet:?}");
            bytes += len as u64;
        }
        assert_eq!(bytes, sent.bytes);
        targets[0].set_nonblocking(true).unwrap();
        assert!(targets[0].recv_from(&mut buf).is_err(), "the victim hears nothing");
    }

    #[tokio::test(start_paused = true)]
    async fn a_lasting_attack_stops_by_itself_or_at_shutdown() {
        let target = UdpSocket::bind("127.0.0.1:0").unwrap();
        let SocketAddr::V4(addr) = target.local_addr().unwrap() else { unreachable!() };
        let crashed = Peer { addr: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9), running: false, started: Time::ZERO };
        let peers = vec![crashed, Peer { addr, running: true, started: Time::ZERO }];
        let rogue = Rogue::bind().unwrap();
        let (obs, mut reports) = mpsc::channel(4);
        let job = |duration, obs| Job {
            spec: Spec::new(Attack::AckMask, Some(8), Some(duration)),
            victim: 0,
            peers: peers.clone(),
            victim_incarnation: 0,
            config: Config::fast(),
            clock: LabClock::start(),
            obs,
        };
        assert_eq!(rogue.launch(job(Duration::from_secs(1), obs.clone())).await, None, "runs as a task");
        let Some(LabMsg::Rogue { record, .. }) = reports.recv().await else { panic!("no report") };
        // Ten rounds, each acking the estimate's window and the whole sweep.
        assert!(record.datagrams >= 10 * 9, "{record:?}");
        assert_eq!(record.event, RogueChange::Stopped);
        rogue.launch(job(Duration::from_secs(100), obs)).await;
        rogue.shutdown().await;
        let Some(LabMsg::Rogue { record, .. }) = reports.recv().await else { panic!("no report") };
        assert!(record.datagrams < 100 * 9, "cut short: {record:?}");
    }
}
