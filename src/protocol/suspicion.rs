//! Lifeguard dynamic suspicion: one timer per suspected member.
//!
//! Plain SWIM waits a fixed time before declaring a suspect dead. Lifeguard
//! starts at a long timeout and shrinks it toward the minimum as independent
//! nodes confirm the suspicion, so a real failure is declared about as fast
//! as before while a lone, possibly unhealthy accuser needs far more patience.

use std::time::Duration;

use super::config::suspicion_timeout;
use super::{Incarnation, NodeAddr, Time};

/// The suspicion of one member.
#[derive(Clone, Debug)]
pub struct Suspicion {
    /// The incarnation being suspected.
    pub incarnation: Incarnation,
    /// When the suspicion started.
    pub start: Time,
    /// The timeout's floor and ceiling in nanoseconds, not `Duration`s
    /// (16 bytes each): a cut between halves holds N²/2 suspicions.
    min_ns: u64,
    max_ns: u64,
    /// Who raised it (not a confirmation).
    accuser: NodeAddr,
    k: u32,
    /// The independent confirmations so far, at most `k` (2 by default):
    /// a list, as a hash set's table cost more than its few entries, and
    /// a cut between halves of a large lab holds N²/2 suspicions
    /// (BENCHMARKS.md, "Issue 13, step eight").
    confirmers: Vec<NodeAddr>,
}

impl Suspicion {
    /// Starts a suspicion raised by `from`, with timeouts from `min` to `max`
    /// and `k` expected confirmations (k = 0: the timer runs at `min`).
    pub fn new(
        from: NodeAddr,
        incarnation: Incarnation,
        start: Time,
        min: Duration,
        max: Duration,
        k: u32,
    ) -> Suspicion {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Suspicion {
            incarnation,
            start,
            min_ns: nanos(min),
            max_ns: nanos(max),
            accuser: from,
            k,
            confirmers: Vec::new(),
        }
    }

    fn min(&self) -> Duration {
        Duration::from_nanos(self.min_ns)
    }

    fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }

    /// Independent confirmations received (excluding the first accuser),
    /// at most k since more cannot shorten the timer.
    pub fn confirmations(&self) -> u32 {
        u32::try_from(self.confirmers.len()).unwrap_or(u32::MAX)
    }

    /// Confirmations needed to reach the minimum timeout.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// Records an accusation by `from`. Returns true when it is a new,
    /// independent confirmation that shortens the timer; only then is it
    /// worth re-gossiping.
    pub fn confirm(&mut self, from: NodeAddr) -> bool {
        if self.confirmations() >= self.k || from == self.accuser || self.confirmers.contains(&from) {
            return false;
        }
        self.confirmers.push(from);
        true
    }

    /// The total timeout at the current number of confirmations.
    pub fn timeout(&self) -> Duration {
        suspicion_timeout(self.min(), self.max(), self.k, self.confirmations())
    }

    /// When the member is to be declared dead.
    pub fn deadline(&self) -> Time {
        self.start + self.timeout()
    }

    /// The initial (longest) timeout.
    pub fn max_timeout(&self) -> Duration {
        if self.k == 0 { self.min() } else { self.max() }
    }

    /// The floor the timeout shrinks to.
    pub fn min_timeout(&self) -> Duration {
        self.min()
    }
}

const _: () = assert!(std::mem::size_of::<Suspicion>() == 72);

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn addr(port: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
    }

    #[test]
    fn confirmations_shrink_the_deadline_to_min() {
        let min = Duration::from_secs(8);
        let max = Duration::from_secs(48);
        let mut s = Suspicion::new(addr(1), 0, Time::from_secs(100), min, max, 2);
        assert_eq!(s.deadline(), Time::from_secs(148));
        assert!(!s.confirm(addr(1)), "the original accuser is not independent");
        assert!(s.confirm(addr(2)));
        assert_eq!(s.confirmations(), 1);
        assert_eq!(s.timeout(), Duration::from_millis(22_762));
        assert!(!s.confirm(addr(2)), "the same confirmer counts once");
        assert!(s.confirm(addr(3)));
        assert_eq!(s.deadline(), Time::from_secs(108));
        assert!(!s.confirm(addr(4)), "past k confirmations change nothing");
        assert_eq!(s.deadline(), Time::from_secs(108));
    }

    #[test]
    fn zero_k_runs_at_min() {
        let s = Suspicion::new(addr(1), 0, Time::ZERO, Duration::from_secs(2), Duration::from_secs(12), 0);
        assert_eq!(s.timeout(), Duration::from_secs(2));
        assert_eq!(s.max_timeout(), Duration::from_secs(2));
    }
}
