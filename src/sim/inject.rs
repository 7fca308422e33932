//! Hand-made datagrams from any address: the most general forgery.
//!
//! The rogue ([`super::rogue`]) sends what an attack plans, from its own
//! non-member address. A property test needs more: any packet that
//! decodes, from any address, a member's included (a member gone rogue, or
//! a sender spoofing its source), to check that whatever arrives, every
//! node keeps the rules of [`super::invariants`].

use super::cluster::Cluster;
use super::command::SimError;
use crate::observe::Liveness;
use crate::protocol::{NodeAddr, Packet};
use crate::wire;

impl Cluster {
    /// Hands `packet` to node `to` now, as if it came from `from`, outside
    /// the fault model (as the rogue's datagrams are). It is counted as
    /// forged and delivered, and goes through the codec first when the
    /// cluster's `wire_roundtrip` is on. The node must be running and not
    /// paused (a forgery never waits in a buffer here); ground truth is
    /// untouched.
    pub fn inject_packet(&mut self, from: NodeAddr, to: usize, packet: Packet) -> Result<(), SimError> {
        let state = self.check(to)?;
        if !matches!(state, Liveness::Up | Liveness::Leaving) {
            return Err(SimError::WrongState { node: to, state, action: "deliver a packet to" });
        }
        let len = wire::datagram_len(&packet) as u32;
        let packet = if self.config.wire_roundtrip { self.round_trip(packet, len) } else { packet };
        let kind = packet.body.kind();
        self.stats.forged.add(kind, len);
        self.stats.delivered.add(kind, len);
        let slot = &mut self.slots[to];
        slot.traffic.received[kind.index()].add(len as usize);
        if let Some(node) = slot.node.as_mut() {
            node.handle_packet(from, packet, self.now);
        }
        self.service(to);
        Ok(())
    }
}
