//! The piggyback queue: which updates ride on the next packet.
//!
//! Every packet a node sends carries as many queued updates as fit in the
//! packet budget. Updates that have been sent the fewest times go first and,
//! among those, the newest, so fresh news spreads fastest. Each update is
//! dropped after `retransmit_mult × ceil(log10(N+1))` sends, which is enough
//! for an epidemic to reach every node with high probability. A newer update
//! about the same member replaces the older one instead of queueing behind it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use super::NodeAddr;
use super::message::{RumorId, Update};

/// What an update is about; a newer update with the same key replaces an
/// older one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BroadcastKey {
    /// A membership update about this member.
    Member(NodeAddr),
    /// A user rumor.
    Rumor(RumorId),
}

impl BroadcastKey {
    /// The key of an update.
    pub fn of(update: &Update) -> BroadcastKey {
        match update {
            Update::Rumor(r) => BroadcastKey::Rumor(r.id),
            other => BroadcastKey::Member(other.member().expect("membership updates name a member")),
        }
    }
}

/// Sort order: fewest transmissions first, then newest first.
type Rank = (u32, Reverse<u64>);

#[derive(Clone, Debug)]
struct Item {
    update: Update,
    size: usize,
}

/// Smallest encoded update; below this much room, stop looking.
const MIN_UPDATE_LEN: usize = 8;

/// A transmit-limited queue of updates.
#[derive(Clone, Debug, Default)]
pub struct BroadcastQueue {
    next_id: u64,
    items: BTreeMap<Rank, Item>,
    index: HashMap<BroadcastKey, Rank>,
}

impl BroadcastQueue {
    /// An empty queue.
    pub fn new() -> BroadcastQueue {
        BroadcastQueue::default()
    }

    /// Queues `update`, whose encoded size is `size`, replacing any queued
    /// update with the same key.
    pub fn push(&mut self, update: Update, size: usize) {
        let key = BroadcastKey::of(&update);
        if let Some(old) = self.index.remove(&key) {
            self.items.remove(&old);
        }
        let rank = (0, Reverse(self.next_id));
        self.next_id += 1;
        self.items.insert(rank, Item { update, size });
        self.index.insert(key, rank);
    }

    /// Takes updates whose sizes sum to at most `budget`, in priority order,
    /// counting one transmission for each and retiring those that reach
    /// `limit`. Appends them to `out` and returns the bytes used.
    pub fn take(&mut self, budget: usize, limit: u32, out: &mut Vec<Update>) -> usize {
        let mut used = 0;
        let mut taken: Vec<Rank> = Vec::new();
        for (rank, item) in &self.items {
            if budget - used < MIN_UPDATE_LEN {
                break;
            }
            if item.size <= budget - used {
                used += item.size;
                taken.push(*rank);
            }
        }
        for rank in taken {
            let item = self.items.remove(&rank).expect("rank was just seen");
            out.push(item.update.clone());
            let key = BroadcastKey::of(&item.update);
            let sent = rank.0 + 1;
            if sent >= limit {
                self.index.remove(&key);
            } else {
                let next = (sent, rank.1);
                self.items.insert(next, item);
                self.index.insert(key, next);
            }
        }
        used
    }

    /// Queued updates.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Drops everything (used when a node leaves or restarts).
    pub fn clear(&mut self) {
        self.items.clear();
        self.index.clear();
    }

    /// True when an update with this key is still queued.
    pub fn contains(&self, key: BroadcastKey) -> bool {
        self.index.contains_key(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn addr(port: u16) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)
    }

    fn alive(port: u16, incarnation: u32) -> Update {
        Update::Alive { member: addr(port), incarnation }
    }

    #[test]
    fn each_update_is_sent_exactly_limit_times() {
        let mut q = BroadcastQueue::new();
        q.push(alive(1, 0), 10);
        let mut sends = 0;
        for _ in 0..10 {
            let mut out = Vec::new();
            q.take(1000, 4, &mut out);
            sends += out.len();
        }
        assert_eq!(sends, 4);
        assert!(q.is_empty());
    }

    #[test]
    fn newest_first_and_fewest_sent_first() {
        let mut q = BroadcastQueue::new();
        q.push(alive(1, 0), 10);
        let mut out = Vec::new();
        q.take(1000, 4, &mut out); // alive(1) now sent once
        q.push(alive(2, 0), 10);
        q.push(alive(3, 0), 10);
        out.clear();
        q.take(25, 4, &mut out); // room for two
        assert_eq!(out, vec![alive(3, 0), alive(2, 0)]);
    }

    #[test]
    fn newer_update_replaces_older_about_same_member() {
        let mut q = BroadcastQueue::new();
        q.push(alive(1, 0), 10);
        q.push(Update::Suspect { member: addr(1), incarnation: 0, from: addr(9) }, 12);
        assert_eq!(q.len(), 1);
        let mut out = Vec::new();
        q.take(1000, 4, &mut out);
        assert!(matches!(out[0], Update::Suspect { .. }));
    }

    #[test]
    fn never_exceeds_the_budget() {
        let mut q = BroadcastQueue::new();
        for p in 0..100 {
            q.push(alive(p, 0), 9 + (p as usize % 7));
        }
        for budget in [0, 5, 8, 9, 30, 100, 1400] {
            let mut out = Vec::new();
            let used = q.take(budget, 100, &mut out);
            assert!(used <= budget, "used {used} of {budget}");
        }
    }
}
