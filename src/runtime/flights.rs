//! A lab-wide sample of the datagrams nodes send, for the dashboard's
//! Cluster view: who sent what to whom, and whether the fault plan let it
//! through.
//!
//! The session log has no per-datagram lines (a 1,024-node lab sends tens
//! of thousands a second), so the picture comes from a sample instead.
//! Each shim holds a [`FlightTap`] that counts its own sends down from the
//! shared stride: a plain decrement per datagram, no atomic write, no
//! lock, no allocation. Only a sampled datagram is classified, stamped and
//! written into a fixed ring under a short lock; the observer reads the
//! ring when it builds a snapshot ([`Flights::take`]) and adapts the
//! stride so that about [`SAMPLES_PER_SECOND`] datagrams are sampled
//! however large or busy the lab is.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::clock::LabClock;
use crate::observe::snapshot::{FLIGHT_WINDOW as WINDOW, Flight, FlightKind};
use crate::protocol::{NodeAddr, Packet, Time};

/// About how many datagrams a second the whole lab samples.
pub const SAMPLES_PER_SECOND: u64 = 300;
/// The ring's size: a window's worth of samples at the target rate, so a
/// snapshot holds at most this many flights (120: more lines than that
/// fill the ring's inside and hide each other).
pub const RING: usize = (SAMPLES_PER_SECOND as usize * WINDOW.as_millis() as usize) / 1000;
/// The largest stride: one in a million, more than any lab sends in the
/// observer's interval.
const MAX_STRIDE: u32 = 1 << 20;

#[derive(Clone, Copy, Debug)]
struct Sample {
    t: Time,
    from: NodeAddr,
    to: NodeAddr,
    kind: FlightKind,
    dropped: bool,
}

#[derive(Debug)]
struct Ring {
    /// Allocated once, at its full size.
    slots: Vec<Sample>,
    /// Where the next sample goes once `slots` is full.
    next: usize,
    /// Samples pushed since the start.
    pushed: u64,
    /// `pushed` and the time at the last [`Flights::take`], to measure the
    /// sampled rate between two takes.
    taken: (u64, Time),
}

/// The shared sample: one per lab.
#[derive(Debug)]
pub struct Flights {
    /// Every node samples one datagram in this many of its own.
    stride: AtomicU32,
    ring: Mutex<Ring>,
}

impl Default for Flights {
    fn default() -> Flights {
        Flights {
            stride: AtomicU32::new(1),
            ring: Mutex::new(Ring { slots: Vec::with_capacity(RING), next: 0, pushed: 0, taken: (0, Time::ZERO) }),
        }
    }
}

impl Flights {
    /// The current stride.
    pub fn stride(&self) -> u32 {
        self.stride.load(Relaxed)
    }

    fn push(&self, sample: Sample) {
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        if ring.slots.len() < RING {
            ring.slots.push(sample);
        } else {
            let i = ring.next;
            ring.slots[i] = sample;
        }
        ring.next = (ring.next + 1) % RING;
        ring.pushed += 1;
    }

    /// The samples of the last [`WINDOW`] before `now`, newest first,
    /// between nodes `index` knows; and the stride they were taken at.
    /// Also sets the stride for the next interval from the rate sampled
    /// since the last call, so the sample stays near its target.
    pub fn take(&self, now: Time, index: impl Fn(NodeAddr) -> Option<usize>) -> (Arc<[Flight]>, u32) {
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        let stride = self.stride();
        let since = now.as_micros().saturating_sub(WINDOW.as_micros() as u64);
        let len = ring.slots.len();
        let newest_first = (1..=len).map(|k| ring.slots[(ring.next + RING - k) % RING]);
        let flights: Arc<[Flight]> = newest_first
            .filter(|s| s.t.as_micros() >= since && s.t <= now)
            .filter_map(|s| {
                let age = Duration::from_micros(now.as_micros() - s.t.as_micros());
                Some(Flight { from: index(s.from)?, to: index(s.to)?, kind: s.kind, dropped: s.dropped, age })
            })
            .collect();
        let (pushed, at) = ring.taken;
        let elapsed = now.as_micros().saturating_sub(at.as_micros());
        if elapsed > 0 {
            let sampled = ring.pushed - pushed;
            self.stride.store(next_stride(stride, sampled, elapsed), Relaxed);
            ring.taken = (ring.pushed, now);
        }
        (flights, stride)
    }
}

/// The stride that would have sampled [`SAMPLES_PER_SECOND`] out of what
/// `sampled` samples at `stride` over `elapsed_us` suggest was sent.
fn next_stride(stride: u32, sampled: u64, elapsed_us: u64) -> u32 {
    if sampled == 0 {
        // Quiet, or the stride is far too long: come back down quickly.
        return (stride / 2).max(1);
    }
    let sent_per_s = sampled.saturating_mul(u64::from(stride)).saturating_mul(1_000_000) / elapsed_us;
    u32::try_from(sent_per_s.div_ceil(SAMPLES_PER_SECOND)).unwrap_or(MAX_STRIDE).clamp(1, MAX_STRIDE)
}

/// One shim's end of the sample.
#[derive(Debug)]
pub struct FlightTap {
    flights: Arc<Flights>,
    clock: LabClock,
    /// Datagrams until the next sample.
    countdown: u32,
}

impl FlightTap {
    /// A tap into `flights`; `seed` spreads the nodes' first samples so
    /// they do not all sample their n-th datagram.
    pub fn new(flights: Arc<Flights>, clock: LabClock, seed: u64) -> FlightTap {
        let stride = u64::from(flights.stride());
        FlightTap { flights, clock, countdown: (seed % stride) as u32 + 1 }
    }

    /// Counts one datagram; true when it is to be sampled. O(1): a
    /// decrement, and a relaxed load when the countdown runs out.
    #[inline]
    pub fn tick(&mut self) -> bool {
        self.countdown -= 1;
        if self.countdown > 0 {
            return false;
        }
        self.countdown = self.flights.stride().max(1);
        true
    }

    /// Records a datagram [`FlightTap::tick`] chose.
    pub fn record(&self, from: NodeAddr, to: NodeAddr, packet: &Packet, dropped: bool) {
        let sample = Sample { t: self.clock.now(), from, to, kind: FlightKind::of(packet), dropped };
        self.flights.push(sample);
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use super::*;
    use crate::protocol::Body;

    fn addr(i: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, 40_000 + i)
    }

    fn ping() -> Packet {
        Packet { body: Body::Ping { seq: 1, members: 2 }, gossip: Vec::new() }
    }

    #[test]
    fn the_stride_follows_the_rate_to_its_target() {
        // 300 samples at stride 10 over one second: 3,000 sent, so 10.
        assert_eq!(next_stride(10, 300, 1_000_000), 10);
        // Ten times busier: ten times longer.
        assert_eq!(next_stride(10, 3_000, 1_000_000), 100);
        // Quieter than the target: every datagram.
        assert_eq!(next_stride(10, 20, 1_000_000), 1);
        assert_eq!(next_stride(64, 0, 1_000_000), 32, "nothing sampled: halve");
        assert_eq!(next_stride(1, 0, 1_000_000), 1);
    }

    #[test]
    fn a_tap_samples_one_in_stride() {
        let flights = Arc::new(Flights::default());
        flights.stride.store(4, Relaxed);
        let mut tap = FlightTap::new(flights.clone(), LabClock::start(), 0);
        let picked: Vec<bool> = (0..9).map(|_| tap.tick()).collect();
        assert_eq!(picked, [true, false, false, false, true, false, false, false, true]);
    }

    #[tokio::test(start_paused = true)]
    async fn take_keeps_the_window_newest_first_and_known_nodes_only() {
        let clock = LabClock::start();
        let flights = Arc::new(Flights::default());
        let tap = FlightTap::new(flights.clone(), clock, 0);
        tap.record(addr(0), addr(1), &ping(), false);
        tokio::time::advance(WINDOW + Duration::from_millis(100)).await;
        tap.record(addr(1), addr(2), &ping(), true);
        tap.record(addr(2), addr(9), &ping(), false); // no lab node
        tokio::time::advance(Duration::from_millis(50)).await;
        tap.record(addr(2), addr(0), &ping(), false);
        let index = |a: NodeAddr| (a.port() < 40_003).then(|| usize::from(a.port() - 40_000));
        let (got, stride) = flights.take(clock.now(), index);
        assert_eq!(stride, 1);
        let pairs: Vec<(usize, usize, bool)> = got.iter().map(|f| (f.from, f.to, f.dropped)).collect();
        assert_eq!(pairs, [(2, 0, false), (1, 2, true)], "the first is older than the window");
        assert_eq!(got[0].age, Duration::ZERO);
        assert_eq!(got[1].age, Duration::from_millis(50));
        assert!(got.iter().all(|f| f.kind == FlightKind::Probe));
    }

    #[test]
    fn the_ring_keeps_the_newest_when_it_wraps() {
        let flights = Flights::default();
        for k in 0..RING as u64 + 10 {
            let t = Time::from_micros(1_000_000 + k);
            flights.push(Sample { t, from: addr(0), to: addr(1), kind: FlightKind::Gossip, dropped: false });
        }
        let (got, _) = flights.take(Time::from_micros(1_000_000 + RING as u64 + 9), |a| Some(usize::from(a.port())));
        assert_eq!(got.len(), RING);
        assert_eq!(got[0].age, Duration::ZERO, "newest first");
        assert_eq!(got[RING - 1].age, Duration::from_micros(RING as u64 - 1));
    }
}
