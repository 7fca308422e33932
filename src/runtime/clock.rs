//! The lab clock: tokio time expressed as protocol [`Time`].
//!
//! Every node of a lab shares one epoch (the lab's start), so event times
//! from different nodes are comparable and the session log's `t_ms` is the
//! same clock the protocol ran on.

use std::time::Duration;

use tokio::time::Instant;

use crate::protocol::Time;

/// Converts between tokio instants and protocol time since the lab's start.
#[derive(Clone, Copy, Debug)]
pub struct LabClock {
    epoch: Instant,
}

impl LabClock {
    /// A clock whose epoch is now.
    pub fn start() -> LabClock {
        LabClock { epoch: Instant::now() }
    }

    /// Protocol time now.
    pub fn now(&self) -> Time {
        self.time_of(Instant::now())
    }

    /// Protocol time of a tokio instant.
    pub fn time_of(&self, at: Instant) -> Time {
        let since = at.saturating_duration_since(self.epoch);
        Time::from_micros(u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
    }

    /// The tokio instant of a protocol time.
    pub fn instant(&self, t: Time) -> Instant {
        self.epoch + t.since_epoch()
    }

    /// The tokio instant of `t` rounded up to a multiple of `grain` since
    /// the epoch. Every node shares the epoch, so deadlines that fall in
    /// the same grain fire together: one runtime wake-up for all of them
    /// instead of one each (timer slack, as the kernel and Go's runtime
    /// apply it).
    pub fn wake_instant(&self, t: Time, grain: Duration) -> Instant {
        self.instant(t.round_up_to(grain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wake_instants_round_up_to_a_shared_grid() {
        let clock = LabClock::start();
        let grain = Duration::from_millis(10);
        let at = |us| clock.wake_instant(Time::from_micros(us), grain) - clock.epoch;
        assert_eq!(at(0), Duration::ZERO);
        assert_eq!(at(1), grain, "never early");
        assert_eq!(at(10_000), grain, "on the grid stays put");
        assert_eq!(at(10_001), grain * 2);
        assert_eq!(at(19_999), grain * 2, "two deadlines in one grain share a wake-up");
    }
}
