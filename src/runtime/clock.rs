//! The lab clock: tokio time expressed as protocol [`Time`].
//!
//! Every node of a lab shares one epoch (the lab's start), so event times
//! from different nodes are comparable and the session log's `t_ms` is the
//! same clock the protocol ran on.

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
}
