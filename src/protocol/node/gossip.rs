//! Dissemination: the piggyback queue feeding every outgoing packet up to
//! the packet budget, and the periodic gossip round to random live peers.

use super::{Event, Life, Node, Timer, Transmit};
use crate::protocol::Time;
use crate::protocol::broadcast::BroadcastKey;
use crate::protocol::member::{NodeAddr, State};
use crate::protocol::message::{Body, Packet, Update};
use crate::protocol::size;

impl Node {
    pub(super) fn enqueue(&mut self, update: Update) {
        let size = update.encoded_len();
        self.broadcasts.push(update, size);
        self.gossip_again();
    }

    /// Queues a join announcement ([`BroadcastQueue::push_fading`]).
    pub(super) fn enqueue_fading(&mut self, update: Update) {
        let size = update.encoded_len();
        if self.broadcasts.push_fading(update, size) {
            self.gossip_again();
        } else {
            self.counters.announcements_unqueued += 1;
        }
    }

    fn gossip_again(&mut self) {
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

    pub(super) fn send(&mut self, to: NodeAddr, body: Body, _now: Time) {
        self.send_with(to, body, None, self.config.packet_budget);
    }

    /// The claim we hold against `to`, if we hold it Dead or Left: what a
    /// packet to it opens with, so that if it is in fact running (falsely
    /// declared, a forged leave, back from a partition) it refutes at once.
    pub(super) fn claim_against(&self, to: NodeAddr) -> Option<Update> {
        let m = self.members.get(to)?;
        match m.state {
            State::Dead => Some(Update::Dead { member: to, incarnation: m.incarnation, from: self.me }),
            State::Left => Some(Update::Left { member: to, incarnation: m.incarnation }),
            State::Alive | State::Suspect => None,
        }
    }

    /// Queues `body` for `to` with `first` (if any, else the claim we hold
    /// against `to`) and then as many queued updates as fit in `limit`
    /// bytes: the packet budget, or less for a reply to a stranger.
    pub(super) fn send_with(&mut self, to: NodeAddr, body: Body, first: Option<Update>, limit: usize) {
        let kind = body.kind();
        let first = first.or_else(|| self.claim_against(to));
        // Room left after the header, the body and a worst-case vec length.
        let fixed = size::HEADER_LEN + body.encoded_len() + size::len_prefix(u16::MAX as usize);
        let mut room = limit.min(self.config.packet_budget).saturating_sub(fixed);
        // Sized for what can fit (an update is ~9+ bytes on the wire), so a
        // full packet's list does not grow through several reallocations.
        let mut gossip = Vec::with_capacity(usize::from(first.is_some()) + self.broadcasts.len().min(room / 9));
        if let Some(update) = first {
            let len = update.encoded_len();
            if len > room && limit < self.config.packet_budget {
                return; // a stranger's request too small to carry even that
            }
            room = room.saturating_sub(len);
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

    /// Sends `body` carrying nothing but `update`: for messages to members
    /// held gone, which must not carry our other news (a member we hold
    /// dead may be on the far side of a cut we have not seen heal, and
    /// third-party deaths from this side would then cross it), and for our
    /// word to an accuser, which must stay smaller than the accusation.
    pub(super) fn send_only(&mut self, to: NodeAddr, body: Body, update: Update) {
        self.counters.sent[body.kind().index()] += 1;
        self.counters.updates_sent += 1;
        self.outbox.push_back(Transmit { to, packet: Packet { body, gossip: vec![update] } });
    }

    pub(super) fn gossip_round(&mut self, now: Time) {
        if self.life == Life::Left || self.broadcasts.is_empty() {
            return;
        }
        // Only to live members: the gone are contacted apart (see
        // `tend_the_gone`).
        let picked = self.members.sample(&mut self.rng, self.config.gossip_nodes, |m| !m.state.is_gone());
        for to in picked {
            if self.broadcasts.is_empty() {
                break;
            }
            self.send(to, Body::Gossip, now);
        }
    }

    pub(super) fn check_leave_complete(&mut self) {
        if self.life == Life::Leaving && !self.broadcasts.contains(BroadcastKey::Member(self.me)) {
            self.finish_leave();
        }
    }

    /// Ends a leave: announced in full, or out of time (`leave_timeout`).
    pub(super) fn finish_leave(&mut self) {
        if self.life == Life::Leaving {
            self.life = Life::Left;
            self.events.push_back(Event::LeaveComplete);
        }
    }
}
