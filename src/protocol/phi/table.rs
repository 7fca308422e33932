//! The node's table of members: learning a member, setting its state,
//! forgetting it, and the quarantine that keeps a forgotten life from
//! being gossiped back in.

use std::collections::BTreeMap;

use super::detector::Detector;
use super::{Node, Peer, StateValue, store};
use crate::protocol::node::Event;
use crate::protocol::{Member, NodeAddr, State, Time};

/// A forgotten member's last life, ignored until `until` unless news of a
/// newer one (a higher generation, or a higher heartbeat: it is running
/// after all) arrives.
#[derive(Clone, Copy, Debug)]
pub(super) struct Quarantined {
    generation: u64,
    heartbeat: u64,
    until: Time,
}

impl Quarantined {
    /// Is (`generation`, `heartbeat`) news of the forgotten life, nothing
    /// newer, while the quarantine lasts?
    pub(super) fn holds(&self, generation: u64, heartbeat: u64, now: Time) -> bool {
        now < self.until && (generation, heartbeat) <= (self.generation, self.heartbeat)
    }
}

impl Node {
    /// Drops quarantines that have run out.
    pub(super) fn expire_quarantine(&mut self, now: Time) {
        self.quarantine.retain(|_, q| q.until > now);
    }

    /// Sets a key of our own state at the next version.
    pub(super) fn set_own(&mut self, value: StateValue) {
        let me = self.peers.get_mut(&self.me).expect("own row");
        me.max_version += 1;
        let version = me.max_version;
        store(me, version, value);
    }

    /// Adds `addr` as Alive, having just heard of it (false when the table
    /// is full).
    pub(super) fn learn(&mut self, addr: NodeAddr, generation: u64, heartbeat: u64, now: Time) -> bool {
        if self.members.len() >= self.config.max_members.max(1) {
            self.counters.refused.table_full += 1;
            return false;
        }
        let peer = Peer {
            generation,
            heartbeat,
            heartbeat_at: now,
            max_version: 0,
            values: BTreeMap::new(),
            detector: Detector::new(&self.config, now),
            suspicion: None,
            check_at: None,
            since: now,
        };
        self.peers.insert(addr, peer);
        self.index.insert(addr, self.members.len());
        self.members.push(Member { addr, state: State::Alive, incarnation: generation });
        self.order.insert(addr);
        self.events.push_back(Event::MemberChanged {
            member: addr,
            from: None,
            to: State::Alive,
            incarnation: generation,
        });
        self.schedule(addr, now);
        true
    }

    /// Drops `addr` from the table, and quarantines the life it had: a
    /// peer that has not forgotten it yet would otherwise gossip it back
    /// in at once, to be convicted again and forgotten again, forever
    /// (Cassandra keeps removed endpoints in quarantine for the same
    /// reason).
    pub(super) fn forget(&mut self, addr: NodeAddr, now: Time) {
        if let Some(p) = self.peers.get(&addr) {
            if self.quarantine.len() >= self.config.max_members.max(1)
                && let Some(oldest) = self.quarantine.iter().min_by_key(|(_, q)| q.until).map(|(&a, _)| a)
            {
                self.quarantine.remove(&oldest);
            }
            let until = now + self.config.remove_after;
            self.quarantine.insert(addr, Quarantined { generation: p.generation, heartbeat: p.heartbeat, until });
        }
        let Some(i) = self.index.remove(&addr) else { return };
        self.members.swap_remove(i);
        if let Some(moved) = self.members.get(i) {
            self.index.insert(moved.addr, i);
        }
        self.peers.remove(&addr);
        self.order.remove(&addr);
        self.counters.reaped += 1;
        self.events.push_back(Event::MemberForgotten { member: addr });
    }

    /// Moves `addr`'s row to `to`, with the event.
    pub(super) fn set_state(&mut self, addr: NodeAddr, to: State, now: Time) {
        let Some(&i) = self.index.get(&addr) else { return };
        let m = &mut self.members[i];
        if m.state == to {
            return;
        }
        let from = m.state;
        m.state = to;
        let incarnation = m.incarnation;
        if let Some(p) = self.peers.get_mut(&addr) {
            p.since = now;
        }
        self.events.push_back(Event::MemberChanged { member: addr, from: Some(from), to, incarnation });
    }
}
