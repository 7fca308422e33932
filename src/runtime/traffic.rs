//! Per-node traffic counters that a node task bumps without locking and the
//! observer reads whenever it likes.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::faults::DropReason;
use crate::observe::traffic::{DROP_REASONS, Flow, MSG_KINDS, REJECT_REASONS, Traffic};
use crate::protocol::MsgKind;

#[derive(Debug, Default)]
struct AtomicFlow {
    packets: AtomicU64,
    bytes: AtomicU64,
}

impl AtomicFlow {
    fn add(&self, bytes: usize) {
        self.packets.fetch_add(1, Relaxed);
        self.bytes.fetch_add(bytes as u64, Relaxed);
    }

    fn load(&self) -> Flow {
        Flow { packets: self.packets.load(Relaxed), bytes: self.bytes.load(Relaxed) }
    }
}

/// The lock-free twin of [`Traffic`].
#[derive(Debug, Default)]
pub struct AtomicTraffic {
    sent: [AtomicFlow; MSG_KINDS],
    received: [AtomicFlow; MSG_KINDS],
    dropped: [AtomicFlow; DROP_REASONS],
    rejected: [AtomicFlow; REJECT_REASONS.len()],
}

impl AtomicTraffic {
    /// Counts a datagram handed to the shim.
    pub fn sent(&self, kind: MsgKind, bytes: usize) {
        self.sent[kind.index()].add(bytes);
    }

    /// Counts a datagram handled by the protocol.
    pub fn received(&self, kind: MsgKind, bytes: usize) {
        self.received[kind.index()].add(bytes);
    }

    /// Counts a datagram the shim dropped.
    pub fn dropped(&self, reason: DropReason, bytes: usize) {
        self.dropped[reason.index()].add(bytes);
    }

    /// Counts a datagram the codec rejected, by slot of [`REJECT_REASONS`].
    pub fn rejected(&self, slot: usize, bytes: usize) {
        self.rejected[slot.min(REJECT_REASONS.len() - 1)].add(bytes);
    }

    /// A consistent-enough copy (each counter is read once).
    pub fn snapshot(&self) -> Traffic {
        let load = |flows: &[AtomicFlow], out: &mut [Flow]| {
            for (o, f) in out.iter_mut().zip(flows) {
                *o = f.load();
            }
        };
        let mut t = Traffic::default();
        load(&self.sent, &mut t.sent);
        load(&self.received, &mut t.received);
        load(&self.dropped, &mut t.dropped);
        load(&self.rejected, &mut t.rejected);
        t
    }
}
