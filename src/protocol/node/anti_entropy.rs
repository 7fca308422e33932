//! Anti-entropy: the periodic full-state push-pull exchange with one random
//! member, chunked to the packet budget, which heals what the epidemic
//! missed and re-merges the sides of a healed partition.

use rand::seq::IndexedRandom;

use super::{Event, Life, Node};
use crate::protocol::Time;
use crate::protocol::member::{NodeAddr, State};
use crate::protocol::message::{Body, MemberEntry, PushPull};
use crate::wire;

impl Node {
    /// Push-pull with one random member. Dead members are candidates too:
    /// after a partition heals, each side holds the other as dead, and only
    /// an exchange across the old cut can discover that both are alive.
    pub(super) fn push_pull_round(&mut self, now: Time) {
        let candidates: Vec<NodeAddr> =
            self.members.others().iter().filter(|m| m.state != State::Left).map(|m| m.addr).collect();
        if let Some(&peer) = candidates.choose(&mut self.rng) {
            self.send_push_pull(peer, false, false, now);
        }
    }

    pub(super) fn send_push_pull(&mut self, to: NodeAddr, reply: bool, join: bool, now: Time) {
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
        let empty = Body::PushPull(PushPull { reply, join, chunk: u16::MAX, chunks: u16::MAX, members: Vec::new() });
        let fixed = wire::HEADER_LEN + wire::encoded_len(&empty) + wire::len_prefix(u16::MAX as usize) * 2;
        let room = self.config.packet_budget.saturating_sub(fixed).max(self.entry_len);
        let mut bounds = vec![0];
        let mut used = 0;
        for (i, entry) in entries.iter().enumerate() {
            let len = wire::encoded_len(entry);
            if used + len > room && used > 0 {
                bounds.push(i);
                used = 0;
            }
            used += len;
        }
        bounds.push(entries.len());
        let chunks = (bounds.len() - 1).min(u16::MAX as usize);
        for (i, range) in bounds.windows(2).take(chunks).enumerate() {
            let body = Body::PushPull(PushPull {
                reply,
                join,
                chunk: i as u16,
                chunks: chunks as u16,
                members: entries[range[0]..range[1]].to_vec(),
            });
            self.send(to, body, now);
        }
    }

    pub(super) fn on_push_pull(&mut self, from: NodeAddr, pp: PushPull, trusted: bool, now: Time) {
        for entry in pp.members {
            if trusted || entry.addr == self.me || !matches!(entry.state, State::Suspect | State::Dead) {
                self.merge_remote(entry, now);
            }
        }
        if pp.reply {
            if self.joining.take().is_some() {
                self.events.push_back(Event::Joined);
            }
        } else if pp.chunk == 0 && self.life == Life::Running {
            self.send_push_pull(from, true, false, now);
        }
    }

    /// Merges one row of a remote full state. A remote Dead is taken as a
    /// local Suspect: the member gets a suspicion timer and a chance to
    /// refute rather than being declared dead on hearsay.
    pub(super) fn merge_remote(&mut self, entry: MemberEntry, now: Time) {
        let MemberEntry { addr, incarnation, state } = entry;
        match state {
            State::Alive => self.on_alive(addr, incarnation, now),
            State::Left => self.on_dead(addr, incarnation, addr, State::Left, now),
            State::Suspect | State::Dead => self.on_suspect(addr, incarnation, self.me, now),
        }
    }
}
