//! The syscall floor's measurements: what one loopback UDP datagram costs
//! at both ends on this machine. Shared (with `#[path]`) by the floor bench,
//! which prints them in full, and the runtime bench, which measures them in
//! the same run as the lab's CPU and reads each row against them. Needs the
//! including crate's `usage` module.

#![allow(dead_code)] // each bench uses a different subset

use std::net::UdpSocket;
use std::time::Instant;

use crate::usage;

/// Datagram sizes: a small probe, a typical gossip datagram, one near the
/// lab's largest (its packet budget).
pub const SIZES: [usize; 3] = [64, 512, 1400];

/// Datagrams per burst in the syscalls-only measure: 64 of the largest
/// size (90 KB) fit the default receive buffer, so none is dropped.
pub const BURST: usize = 64;

/// CPU seconds per datagram (one `send_to` and one `recv_from`, no
/// wake-up) over `datagrams` datagrams of `size` bytes: one thread sends a
/// burst from one socket to another on 127.0.0.1, then receives them all,
/// already queued, so no receive blocks.
pub fn syscalls_only(size: usize, datagrams: usize) -> f64 {
    let tx = UdpSocket::bind("127.0.0.1:0").expect("bind tx");
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind rx");
    let to = rx.local_addr().expect("addr");
    let out = vec![7u8; size];
    let mut buf = vec![0u8; 2048];
    let bursts = datagrams.div_ceil(BURST);
    let start = usage::cpu_seconds();
    for _ in 0..bursts {
        for _ in 0..BURST {
            tx.send_to(&out, to).expect("send");
        }
        for _ in 0..BURST {
            let (n, _) = rx.recv_from(&mut buf).expect("recv");
            assert_eq!(n, size, "the datagram arrived whole");
        }
    }
    (usage::cpu_seconds() - start) / (bursts * BURST) as f64
}

/// One size's ping-pong figures.
pub struct PingPong {
    /// CPU per datagram, both ends and the wake-up, in seconds.
    pub cpu_per_datagram: f64,
    /// Median round trip, in seconds.
    pub rtt_median: f64,
}

/// `round_trips` ping-pongs of `size` bytes between two threads on
/// blocking sockets, so every datagram also wakes a sleeping thread.
pub fn ping_pong(size: usize, round_trips: usize) -> PingPong {
    let ping = UdpSocket::bind("127.0.0.1:0").expect("bind ping");
    let pong = UdpSocket::bind("127.0.0.1:0").expect("bind pong");
    let (ping_addr, pong_addr) = (ping.local_addr().expect("addr"), pong.local_addr().expect("addr"));
    let echo = std::thread::spawn(move || {
        let mut buf = vec![0u8; 2048];
        for _ in 0..round_trips {
            let (n, from) = pong.recv_from(&mut buf).expect("pong recv");
            assert_eq!(from, ping_addr, "only the ping socket talks to us");
            pong.send_to(&buf[..n], from).expect("pong send");
        }
    });
    let out = vec![7u8; size];
    let mut buf = vec![0u8; 2048];
    let mut rtts = Vec::with_capacity(round_trips);
    let start_cpu = usage::cpu_seconds();
    for _ in 0..round_trips {
        let t = Instant::now();
        ping.send_to(&out, pong_addr).expect("ping send");
        let (n, _) = ping.recv_from(&mut buf).expect("ping recv");
        rtts.push(t.elapsed().as_secs_f64());
        assert_eq!(n, size, "the datagram came back whole");
    }
    let cpu = usage::cpu_seconds() - start_cpu;
    echo.join().expect("echo thread");
    rtts.sort_by(f64::total_cmp);
    PingPong { cpu_per_datagram: cpu / (2 * round_trips) as f64, rtt_median: rtts[rtts.len() / 2] }
}

/// The syscalls-only cost per datagram at each of [`SIZES`], in seconds.
pub type Costs = [(usize, f64); SIZES.len()];

/// [`syscalls_only`] at every size, `datagrams` each, after an unmeasured
/// pass so page faults and socket set-up do not count against the first.
pub fn syscall_costs(datagrams: usize) -> Costs {
    syscalls_only(SIZES[0], datagrams / 10 + 1);
    SIZES.map(|size| (size, syscalls_only(size, datagrams)))
}

/// The cost per datagram of `bytes` bytes: linear between the measured
/// sizes, and the nearest one's outside them.
pub fn cost_at(costs: &Costs, bytes: f64) -> f64 {
    let (first, last) = (costs[0], costs[costs.len() - 1]);
    if bytes <= first.0 as f64 {
        return first.1;
    }
    for pair in costs.windows(2) {
        let ((a, ca), (b, cb)) = (pair[0], pair[1]);
        if bytes <= b as f64 {
            let t = (bytes - a as f64) / (b - a) as f64;
            return ca + t * (cb - ca);
        }
    }
    last.1
}
