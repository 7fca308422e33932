//! Anti-entropy: the periodic full-state push-pull exchange with one random
//! member, chunked to the packet budget, which heals what the epidemic
//! missed and re-merges the sides of a healed partition. Each half also
//! carries the rumors its sender delivered recently, so a node that missed
//! every gossiped copy of a rumor still gets it.

use super::merge::Origin;
use super::{Event, Life, Node, Sender, WARM_BATCH};
use crate::protocol::Time;
use crate::protocol::member::{NodeAddr, State};
use crate::protocol::message::{Body, MemberEntry, PushPull, Rumor, Update};
use crate::protocol::size;

/// The bytes left for member entries and rumors in one push-pull chunk of
/// a datagram of `budget` bytes: the header, the chunk's fixed fields and
/// worst-case length prefixes (members, padding, rumors, piggyback list)
/// taken off. The one
/// statement of how push-pull state is packed, for the core and for
/// anyone who builds chunks by hand (the rogue, the benches).
pub fn push_pull_room(budget: usize) -> usize {
    let empty = Body::PushPull(PushPull {
        reply: false,
        join: false,
        chunk: u16::MAX,
        chunks: u16::MAX,
        members: Vec::new(),
        pad: Vec::new(),
        rumors: Vec::new(),
    });
    let fixed = size::HEADER_LEN + empty.encoded_len() + size::len_prefix(u16::MAX as usize) * 4;
    budget.saturating_sub(fixed)
}

impl Node {
    /// Push-pull with one random member. Dead members are candidates too:
    /// after a partition heals, each side holds the other as dead, and only
    /// an exchange across the old cut can discover that both are alive.
    pub(super) fn push_pull_round(&mut self, now: Time) {
        if let Some(&peer) = self.members.sample(&mut self.rng, 1, |m| m.state != State::Left).first() {
            self.send_push_pull(peer, false, false, now);
        }
    }

    /// Sends our whole state to `to` in as many chunks as it takes, except
    /// to a stranger (a `reply_limit`): it gets only what fits in the bytes
    /// it sent us, so a spoofed request cannot turn us into an amplifier. A
    /// join request is padded to a full chunk, so a joiner's first answer
    /// is a full chunk; it pulls the rest as a member (see `on_push_pull`).
    pub(super) fn send_push_pull(&mut self, to: NodeAddr, reply: bool, join: bool, now: Time) {
        self.send_push_pull_within(to, reply, join, None, false, now);
    }

    /// Asks `to` for its whole state with the first chunk of ours only: a
    /// peer that answers chunk 0 sends everything back (see `on_push_pull`),
    /// and a node that pulls to catch up is the one behind, so the rest of
    /// its state would mostly tell the peer what it already holds. (Our
    /// recent rumors ride in the last chunk, so they go only when our
    /// state fits in one; the peer, ahead of us, is the likelier holder.)
    pub(super) fn send_pull(&mut self, to: NodeAddr, now: Time) {
        self.send_push_pull_within(to, false, false, None, true, now);
    }

    fn send_push_pull_within(
        &mut self,
        to: NodeAddr,
        reply: bool,
        join: bool,
        reply_limit: Option<usize>,
        first_only: bool,
        now: Time,
    ) {
        if !reply {
            self.counters.push_pulls += 1;
        }
        let entries: Vec<MemberEntry> = self
            .members
            .iter()
            .map(|m| MemberEntry { addr: m.addr, incarnation: m.incarnation, state: m.state })
            .collect();
        // Pack chunks by each entry's real encoded size (addresses, ports
        // and incarnations are varints: 9 bytes is typical, 13 the worst),
        // so a state goes out in as few datagrams as the budget allows.
        let budget = reply_limit.map_or(self.config.packet_budget, |l| l.min(self.config.packet_budget));
        // A member we hold gone gets the claim against it first in every
        // packet (see `send_with`): the chunks leave room for it.
        let claim = self.claim_against(to).map_or(0, |c| c.encoded_len());
        let room = push_pull_room(budget).saturating_sub(claim).max(self.entry_len);
        let mut bounds = vec![0];
        let mut used = 0;
        for (i, entry) in entries.iter().enumerate() {
            let len = entry.encoded_len();
            if used + len > room && used > 0 {
                bounds.push(i);
                used = 0;
            }
            used += len;
        }
        bounds.push(entries.len());
        // Recent rumors ride in the last chunk when they fit what the
        // members left of it, else in one chunk of their own, newest first
        // as far as they fit: one datagram's worth at most.
        let mut rumors = self.rumors_to_carry(reply_limit.is_some() || join, now);
        let rumor_bytes: usize = rumors.iter().map(Rumor::encoded_len).sum();
        if used + rumor_bytes > room {
            bounds.push(entries.len());
            let mut left = room;
            rumors.retain(|r| {
                let fits = r.encoded_len() <= left;
                left -= if fits { r.encoded_len() } else { 0 };
                fits
            });
        }
        let chunks = (bounds.len() - 1).min(u16::MAX as usize);
        let last = bounds.len() - 2;
        // A stranger gets the first chunk only, and only if it fits.
        let sent = if reply_limit.is_some() || first_only { 1 } else { chunks };
        for (i, range) in bounds.windows(2).take(sent).enumerate() {
            let members = entries[range[0]..range[1]].to_vec();
            let mut body = Body::PushPull(PushPull {
                reply,
                join,
                chunk: i as u16,
                chunks: chunks as u16,
                members,
                pad: Vec::new(),
                rumors: if i == last { std::mem::take(&mut rumors) } else { Vec::new() },
            });
            // The whole datagram: header, body, and the gossip list with
            // the claim it opens with, if any.
            let len = size::HEADER_LEN + body.encoded_len() + size::len_prefix(1) + claim;
            if let Some(limit) = reply_limit {
                if len > limit {
                    return;
                }
                self.send_with(to, body, None, limit);
                continue;
            }
            if join && let Body::PushPull(pp) = &mut body {
                // `len` counts the empty pad's one-byte length prefix; a
                // long pad's prefix is longer by `grow`.
                let room = self.config.packet_budget.saturating_sub(len);
                let grow = size::len_prefix(room) - size::len_prefix(0);
                pp.pad = vec![0; room.saturating_sub(grow)];
            }
            self.send(to, body, now);
        }
    }

    /// The rumors a push-pull of ours carries: those delivered within the
    /// retention, newest first. None in a join request (the joiner is
    /// new, and pads its request instead) nor to a stranger (no reply to
    /// it may be larger than its request; a joiner gets them when it pulls
    /// as a member).
    fn rumors_to_carry(&mut self, withheld: bool, now: Time) -> Vec<Rumor> {
        if withheld || self.recent_rumors.is_empty() {
            return Vec::new();
        }
        let since = now - self.config.rumor_retention(self.members.live());
        self.recent_rumors.since(since).cloned().collect()
    }

    /// Merges a chunk and answers a request. Each chunk merges on its own
    /// (there is no reassembly buffer to fill), so the state a push-pull
    /// can make us hold is bounded by the member cap, and one chunk by the
    /// datagram size. A stranger's chunk counts only for its own row.
    pub(super) fn on_push_pull(&mut self, pp: PushPull, sender: Sender, trusted: bool, now: Time) {
        let from = sender.addr;
        if pp.chunk >= pp.chunks {
            self.counters.refused.push_pulls += 1;
            return;
        }
        if pp.members.len() >= WARM_BATCH {
            self.members.warm(pp.members.iter().map(|e| e.addr));
        }
        for entry in pp.members {
            if sender.stranger && entry.addr != from && entry.addr != self.me {
                self.counters.refused.stranger_claims += 1;
            } else if trusted || entry.addr == self.me || !matches!(entry.state, State::Suspect | State::Dead) {
                self.merge_remote(entry, sender, now);
            }
        }
        // A rumor learned here is one like any gossiped to us: the same
        // window decides whether it is new, it is delivered once, and it
        // is gossiped on (as Serf rebroadcasts the events a push-pull
        // brings), so a whole side that missed it gets it within rounds.
        for rumor in pp.rumors {
            if sender.stranger {
                self.counters.refused.stranger_claims += 1;
            } else {
                self.apply_update(Update::rumor(rumor), sender, now);
            }
        }
        if pp.reply {
            if self.joining.take().is_some() {
                self.events.push_back(Event::Joined);
                // Announce ourselves, as memberlist's join does: our seed
                // announces us too, but a seed answering a join storm has
                // thousands queued, and a busy node does not re-announce
                // what a push-pull taught it (see `Node::on_alive`).
                self.enqueue(Update::Alive { member: self.me, incarnation: self.incarnation() });
                if pp.chunks > 1 && sender.vouched {
                    // A seed answers a stranger with one chunk; now that it
                    // knows us, pull the rest.
                    self.send_push_pull(from, false, false, now);
                }
            }
        } else if pp.chunk == 0 && self.life == Life::Running {
            self.send_push_pull_within(from, true, false, sender.reply_limit, false, now);
        }
    }

    /// Merges one row of a remote full state. A remote Dead is taken as a
    /// local Suspect: the member gets a suspicion timer and a chance to
    /// refute rather than being declared dead on hearsay. The sender's own
    /// row is its word about itself, news we pass on (a joiner's request
    /// is how its seed learns of it); any other row is state.
    pub(super) fn merge_remote(&mut self, entry: MemberEntry, sender: Sender, now: Time) {
        let MemberEntry { addr, incarnation, state } = entry;
        let origin = if addr == sender.addr { Origin::Peer(sender) } else { Origin::State(sender) };
        match state {
            State::Alive => self.on_alive(addr, incarnation, origin, now),
            State::Left => self.on_dead(addr, incarnation, addr, State::Left, origin, now),
            State::Suspect | State::Dead => self.on_suspect(addr, incarnation, self.me, origin, now),
        }
    }
}
