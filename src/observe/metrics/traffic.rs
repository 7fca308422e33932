//! Traffic: the datagrams the whole cluster sent, the price list that
//! rumor spread is costed against.
//!
//! Drivers report it two ways: the simulator adds what each step sent, the
//! UDP runtime (and a saved log) gives running totals from the nodes'
//! counters. A total never goes back, so a stale total read out of order
//! cannot undo a newer one.

/// Datagrams sent cluster-wide so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClusterTraffic {
    sent: u64,
}

impl ClusterTraffic {
    /// `n` more datagrams were sent.
    pub fn add_sent(&mut self, n: u64) {
        self.sent += n;
    }

    /// `total` datagrams have been sent so far.
    pub fn set_sent(&mut self, total: u64) {
        self.sent = self.sent.max(total);
    }

    /// Datagrams sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }
}
