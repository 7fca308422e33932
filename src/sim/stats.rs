//! Packet and byte accounting of the simulated network.
//!
//! Sizes are real datagram sizes (`wire::datagram_len`), so byte counts
//! from the simulator can be compared with the UDP runtime and with the
//! peers' measurements. Every datagram is accounted exactly once at each
//! stage, which gives a conservation law the tests check:
//! `sent + duplicated + forged = delivered + rejected + dropped + in flight + buffered`.

use crate::faults::DropReason;
use crate::protocol::MsgKind;

/// A packet count and its byte total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Datagrams.
    pub packets: u64,
    /// Their total datagram bytes, header included.
    pub bytes: u64,
}

impl Tally {
    /// Counts one datagram of `bytes`.
    pub fn add(&mut self, bytes: u32) {
        self.packets += 1;
        self.bytes += u64::from(bytes);
    }
}

/// A tally overall and per message kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ByKind {
    /// All kinds together.
    pub total: Tally,
    /// Per kind, indexed by [`MsgKind::index`].
    pub kinds: [Tally; MsgKind::ALL.len()],
}

impl ByKind {
    /// Counts one datagram of `kind`.
    pub fn add(&mut self, kind: MsgKind, bytes: u32) {
        self.total.add(bytes);
        self.kinds[kind.index()].add(bytes);
    }

    /// The tally of one kind.
    pub fn kind(&self, kind: MsgKind) -> Tally {
        self.kinds[kind.index()]
    }
}

/// Network-wide totals since the cluster was built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Datagrams nodes handed to the network.
    pub sent: ByKind,
    /// Extra copies the network made (a duplicated datagram counts once here).
    pub duplicated: ByKind,
    /// Datagrams a rogue injected (not sent by any node).
    pub forged: ByKind,
    /// Datagrams handed to a running node.
    pub delivered: ByKind,
    /// Datagrams that reached a running node but did not open under its
    /// keyring (`unauthenticated`), so the protocol never saw them.
    pub rejected: ByKind,
    /// Datagrams that never reached a node.
    pub dropped: ByKind,
    /// The same drops by reason, indexed by [`DropReason::index`].
    pub dropped_by_reason: [Tally; DropReason::ALL.len()],
}

impl NetStats {
    /// The drops of one reason.
    pub fn dropped(&self, reason: DropReason) -> Tally {
        self.dropped_by_reason[reason.index()]
    }

    pub(crate) fn drop(&mut self, kind: MsgKind, bytes: u32, reason: DropReason) {
        self.dropped.add(kind, bytes);
        self.dropped_by_reason[reason.index()].add(bytes);
    }
}
