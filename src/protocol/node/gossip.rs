//! Dissemination: the piggyback queue feeding every outgoing packet up to
//! the packet budget, and the periodic gossip round to random live peers.

use rand::seq::IndexedRandom;

use super::{Event, Life, Node, Timer, Transmit};
use crate::protocol::Time;
use crate::protocol::broadcast::BroadcastKey;
use crate::protocol::member::{NodeAddr, State};
use crate::protocol::message::{Body, Packet, Update};
use crate::wire;

impl Node {
    pub(super) fn enqueue(&mut self, update: Update) {
        let size = wire::encoded_len(&update);
        self.broadcasts.push(update, size);
        if self.gossip_idle && self.life != Life::Left {
            // Resume on the tick the timer would have kept all along, so
            // idling changes no gossip round's timing.
            let interval = self.config.gossip_interval;
            let behind = self.now.saturating_since(self.next_gossip);
            let ticks = behind.as_nanos().div_ceil(interval.as_nanos().max(1));
            self.next_gossip += interval * u32::try_from(ticks).unwrap_or(u32::MAX);
            self.gossip_idle = false;
            self.arm(self.next_gossip, Timer::Gossip);
        }
    }

    pub(super) fn retransmit_limit(&self) -> u32 {
        self.config.retransmit_limit(self.members.live())
    }

    pub(super) fn send(&mut self, to: NodeAddr, body: Body, now: Time) {
        self.send_with(to, body, None, now);
    }

    /// Queues `body` for `to` with `first` (if any) and then as many queued
    /// updates as fit in the packet budget.
    ///
    /// A packet to a member we hold dead first tells it so: if it is in fact
    /// running (falsely declared, or back from a partition) it refutes at
    /// once. This replaces memberlist's gossiping to the recently dead,
    /// which would also carry third-party deaths across a healed cut.
    pub(super) fn send_with(&mut self, to: NodeAddr, body: Body, first: Option<Update>, _now: Time) {
        let kind = body.kind();
        let first = first.or_else(|| {
            self.members.get(to).filter(|m| m.state == State::Dead).map(|m| Update::Dead {
                member: to,
                incarnation: m.incarnation,
                from: self.me,
            })
        });
        // Room left after the header, the body and a worst-case vec length.
        let fixed = wire::HEADER_LEN + wire::encoded_len(&body) + wire::len_prefix(u16::MAX as usize);
        let mut room = self.config.packet_budget.saturating_sub(fixed);
        // Sized for what can fit (an update is ~9+ bytes on the wire), so a
        // full packet's list does not grow through several reallocations.
        let mut gossip = Vec::with_capacity(usize::from(first.is_some()) + self.broadcasts.len().min(room / 9));
        if let Some(update) = first {
            room = room.saturating_sub(wire::encoded_len(&update));
            gossip.push(update);
        }
        if room > 0 && !self.broadcasts.is_empty() {
            let limit = self.retransmit_limit();
            self.broadcasts.take(room, limit, &mut gossip);
        }
        self.counters.sent[kind.index()] += 1;
        self.counters.updates_sent += gossip.len() as u64;
        self.outbox.push_back(Transmit { to, packet: Packet { body, gossip } });
    }

    /// Members worth gossiping to: the live ones. (The dead hear of their
    /// death when they next contact us; see [`Node::send_with`].)
    pub(super) fn gossip_targets(&self) -> Vec<NodeAddr> {
        self.members.others().iter().filter(|m| !m.state.is_gone()).map(|m| m.addr).collect()
    }

    pub(super) fn gossip_round(&mut self, now: Time) {
        if self.life == Life::Left || self.broadcasts.is_empty() {
            return;
        }
        let targets = self.gossip_targets();
        let picked: Vec<NodeAddr> = targets.sample(&mut self.rng, self.config.gossip_nodes).copied().collect();
        for to in picked {
            if self.broadcasts.is_empty() {
                break;
            }
            self.send(to, Body::Gossip, now);
        }
    }

    pub(super) fn check_leave_complete(&mut self) {
        if self.life == Life::Leaving && !self.broadcasts.contains(BroadcastKey::Member(self.me)) {
            self.life = Life::Left;
            self.events.push_back(Event::LeaveComplete);
        }
    }
}
