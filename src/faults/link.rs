//! One directed link's behaviour ([`LinkRule`]) and what makes a rule valid,
//! apart from the plan so that a config can check a rule before any plan
//! holds it.

use std::time::Duration;

use rand::{Rng, RngExt};
use thiserror::Error;

/// How one directed link treats datagrams. The default is a perfect link.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkRule {
    /// Probability in `[0, 1]` that a datagram is lost.
    pub loss: f64,
    /// Fixed one-way latency.
    pub delay: Duration,
    /// Extra latency drawn uniformly from `[0, jitter]` per datagram; unequal
    /// draws are what reorder packets.
    pub jitter: Duration,
    /// Probability in `[0, 1]` that a delivered datagram arrives twice.
    pub duplicate: f64,
    /// Probability in `[0, 1]` that a datagram is held back by
    /// `reorder_gap` on top of its delay, so the ones sent after it
    /// overtake it (netem's `reorder`, without needing jitter).
    pub reorder: f64,
    /// How long a held-back datagram waits.
    pub reorder_gap: Duration,
}

/// Why a [`LinkRule`] was rejected.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum FaultError {
    /// A probability field is NaN or outside `[0, 1]`.
    #[error("{field} must be a probability in [0, 1], got {value}")]
    NotAProbability {
        /// The offending field's name.
        field: &'static str,
        /// Its value.
        value: f64,
    },
}

impl LinkRule {
    /// A link that loses nothing, adds no delay and never duplicates.
    pub const PERFECT: LinkRule = LinkRule {
        loss: 0.0,
        delay: Duration::ZERO,
        jitter: Duration::ZERO,
        duplicate: 0.0,
        reorder: 0.0,
        reorder_gap: Duration::ZERO,
    };

    /// Checks that `loss`, `duplicate` and `reorder` are probabilities.
    pub fn validate(&self) -> Result<(), FaultError> {
        for (field, value) in [("loss", self.loss), ("duplicate", self.duplicate), ("reorder", self.reorder)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(FaultError::NotAProbability { field, value });
            }
        }
        Ok(())
    }

    /// One delivery delay: `delay` plus uniform jitter in `[0, jitter]`.
    pub(super) fn draw_delay<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        if self.jitter.is_zero() {
            // No draw at all: perfect links cost no RNG work in big runs.
            return self.delay;
        }
        let max = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
        self.delay.saturating_add(Duration::from_nanos(rng.random_range(0..=max)))
    }
}
