//! The shim socket: a real UDP socket with the fault model in front of it.
//!
//! Every datagram a node sends goes through [`ShimSocket::send`], which asks
//! the shared [`FaultPlan`] for a verdict and carries it out: drop it (and
//! count why), send it now, or hold it in a delay queue (one timer wheel per
//! node, not a task per packet) and send it later, possibly twice. Jitter
//! makes held datagrams overtake each other, which is how reordering
//! happens. This module and the node task are the only code that touches a
//! socket. The shim also holds the node's [`Codec`], so every datagram is
//! sealed on its way out and opened on its way in, with the node's keys.

use std::io;
use std::net::{SocketAddr, SocketAddrV4};
use std::sync::{Arc, RwLock};
use std::task::Poll;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use tokio::net::UdpSocket;
use tokio_util::time::DelayQueue;

use super::flights::FlightTap;
use super::traffic::AtomicTraffic;
use crate::faults::{DropReason, FaultPlan, Verdict};
use crate::protocol::{NodeAddr, Packet};
use crate::security::{CipherRing, Codec, Reject};

/// The receive buffer each node asks for: memberlist's 2 MiB. The default
/// (about 208 KiB, which the kernel charges ~1 KiB per small datagram
/// against) overflows when a thousand nodes send their join to one seed at
/// once, or when a paused node's backlog builds up.
pub const RECV_BUFFER: usize = 2 << 20;

/// The lab's fault plan, shared by every shim and changed by the lab.
pub type SharedFaults = Arc<RwLock<FaultPlan>>;

/// A node's UDP socket behind the fault model.
#[derive(Debug)]
pub struct ShimSocket {
    /// For reads, driven by tokio's readiness.
    socket: Arc<UdpSocket>,
    /// The same socket (a duplicated descriptor), for sends. Non-blocking
    /// sends need no readiness bookkeeping, and tokio's `try_send_to`
    /// reports WouldBlock until its reactor has seen a first writable
    /// event, which would count a node's first datagrams as drops.
    sender: std::net::UdpSocket,
    me: NodeAddr,
    faults: SharedFaults,
    rng: SmallRng,
    delayed: DelayQueue<(NodeAddr, Vec<u8>)>,
    traffic: Arc<AtomicTraffic>,
    codec: Codec,
    encode_buf: Vec<u8>,
    flights: FlightTap,
}

impl ShimSocket {
    /// Wraps a socket from [`ShimSocket::bind`]. `seed` drives this shim's
    /// fault decisions; `codec` seals and opens its datagrams; `flights`
    /// samples them for the dashboard. Must be called inside a tokio
    /// runtime.
    pub fn new(
        socket: std::net::UdpSocket,
        faults: SharedFaults,
        traffic: Arc<AtomicTraffic>,
        seed: u64,
        codec: Codec,
        flights: FlightTap,
    ) -> io::Result<ShimSocket> {
        let sender = socket.try_clone()?;
        let socket = UdpSocket::from_std(socket)?;
        let me = match socket.local_addr()? {
            SocketAddr::V4(a) => a,
            SocketAddr::V6(a) => {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{a} is not IPv4 loopback")));
            }
        };
        Ok(ShimSocket {
            socket: Arc::new(socket),
            sender,
            me,
            faults,
            rng: SmallRng::seed_from_u64(seed),
            delayed: DelayQueue::new(),
            traffic,
            codec,
            encode_buf: Vec::with_capacity(1500),
            flights,
        })
    }

    /// Binds a non-blocking socket on `127.0.0.1:port` (0 for an ephemeral
    /// port) with a [`RECV_BUFFER`]-byte receive buffer.
    pub fn bind(port: u16) -> io::Result<std::net::UdpSocket> {
        let socket = std::net::UdpSocket::bind(SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, port))?;
        socket.set_nonblocking(true)?;
        // Best effort: the kernel caps the size at net.core.rmem_max, and a
        // smaller buffer only means more drops under bursts, never an error.
        let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(RECV_BUFFER);
        Ok(socket)
    }

    /// The address this node is known by.
    pub fn addr(&self) -> NodeAddr {
        self.me
    }

    /// The traffic counters this shim updates.
    pub fn traffic(&self) -> &AtomicTraffic {
        &self.traffic
    }

    /// Replaces the keyring the codec seals and opens with.
    pub fn set_keys(&mut self, keys: Arc<CipherRing>) {
        self.codec.set_keys(keys);
    }

    /// Opens and decodes a datagram that arrived (decrypting it in place).
    pub fn open(&self, datagram: &mut [u8]) -> Result<Packet, Reject> {
        self.codec.decode(datagram)
    }

    /// Encodes (and seals) `packet` and sends it to `to` as the fault plan
    /// decides.
    pub fn send(&mut self, to: NodeAddr, packet: &Packet) {
        self.encode_buf.clear();
        self.codec.encode_into(packet, &mut self.encode_buf);
        let len = self.encode_buf.len();
        self.traffic.sent(packet.body.kind(), len);
        let verdict = {
            let plan = self.faults.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            plan.verdict(self.me, to, &mut self.rng)
        };
        if self.flights.tick() {
            self.flights.record(self.me, to, packet, matches!(verdict, Verdict::Drop(_)));
        }
        match verdict {
            Verdict::Drop(reason) => self.traffic.dropped(reason, len),
            Verdict::Deliver(delay) => self.transmit(to, delay),
            Verdict::Duplicate(first, second) => {
                self.transmit(to, first);
                self.transmit(to, second);
            }
        }
    }

    fn transmit(&mut self, to: NodeAddr, delay: Duration) {
        if delay.is_zero() {
            send_now(&self.sender, &self.traffic, to, &self.encode_buf);
        } else {
            self.delayed.insert((to, self.encode_buf.clone()), delay);
        }
    }

    /// True when datagrams are waiting out their delay.
    pub fn has_delayed(&self) -> bool {
        !self.delayed.is_empty()
    }

    /// Waits for the next held datagram to come due and sends it (and any
    /// others already due). Pending forever when nothing is held.
    pub async fn send_delayed(&mut self) {
        let (to, bytes) = std::future::poll_fn(|cx| match self.delayed.poll_expired(cx) {
            Poll::Ready(Some(expired)) => Poll::Ready(expired.into_inner()),
            _ => Poll::Pending,
        })
        .await;
        send_now(&self.sender, &self.traffic, to, &bytes);
    }

    /// The socket, to wait for readability without borrowing the shim
    /// (whose delay queue is polled at the same time).
    pub fn socket(&self) -> Arc<UdpSocket> {
        self.socket.clone()
    }

    /// Reads one datagram if one is waiting. Errors a node must shrug off
    /// (a refused earlier send, an interrupted call) come back as `Ok(None)`
    /// after being skipped, so a caller's loop can continue.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<Option<(usize, SocketAddr)>> {
        loop {
            match self.socket.try_recv_from(buf) {
                Ok(got) => return Ok(Some(got)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                // On Linux a datagram sent to a closed loopback port comes
                // back as ECONNREFUSED on a later receive: a crashed peer,
                // which the protocol notices by itself. Keep reading.
                Err(e) if is_transient(&e) => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted)
}

fn send_now(socket: &std::net::UdpSocket, traffic: &AtomicTraffic, to: NodeAddr, bytes: &[u8]) {
    match socket.send_to(bytes, SocketAddr::V4(to)) {
        Ok(_) => {}
        // The kernel's send buffer is full: the datagram is lost, as it
        // would be on a congested host. Counted, never waited for, so a
        // node is never blocked by its own socket.
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => traffic.dropped(DropReason::Overflow, bytes.len()),
        Err(e) if is_transient(&e) => traffic.dropped(DropReason::NodeDown, bytes.len()),
        Err(_) => traffic.dropped(DropReason::NodeDown, bytes.len()),
    }
}
