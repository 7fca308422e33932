//! The simulator's single global event queue.
//!
//! Everything that will happen (a datagram arriving, a node's timer, a
//! scheduled command) is one entry, ordered by virtual time and then by
//! insertion order. The insertion sequence is what makes the run
//! deterministic: two entries due at the same instant always pop in the
//! order they were pushed, never in an order that depends on their content
//! or on the heap's internals.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::command::Command;
use crate::protocol::{Packet, Time};
use crate::security::KeyId;

/// A datagram on its way: `to` is a node index, `len` its datagram size
/// (computed once, at send time), `key` the id of the key it is sealed
/// with (`None`: plain, which is all the rogue can send).
#[derive(Debug)]
pub(crate) struct Delivery {
    pub from: Sender,
    pub to: u32,
    pub len: u32,
    pub key: Option<KeyId>,
    pub packet: Packet,
}

/// Who sent a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sender {
    /// A member, by node index; it holds the cluster's key.
    Node(u32),
    /// The rogue (`super::addr::ROGUE_ADDR`): not a member, and it holds no
    /// key, so once datagrams are sealed its datagrams fail to open.
    Rogue,
}

/// What a queue entry does when its time comes.
#[derive(Debug)]
pub(crate) enum Item {
    Deliver(Delivery),
    /// Call the node's `handle_timeout`, unless `generation` is stale.
    Wake {
        node: u32,
        generation: u32,
    },
    /// Boxed: commands are rare and would otherwise widen every entry.
    Command(Box<Command>),
    /// Send round `round` of rogue attack `attack` (an index into the
    /// cluster's attacks).
    Forge {
        attack: u32,
        round: u32,
    },
}

#[derive(Debug)]
struct Entry {
    at: Time,
    seq: u64,
    item: Item,
}

// Ordered by (time, insertion) only; `seq` is unique, so the item is never
// compared and needs no `Ord`.
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A min-heap of entries with O(log n) push and pop.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    /// Deliveries queued, so conservation of packets can be checked cheaply.
    deliveries: usize,
}

impl EventQueue {
    pub fn push(&mut self, at: Time, item: Item) {
        self.seq += 1;
        self.deliveries += usize::from(matches!(item, Item::Deliver(_)));
        self.heap.push(Reverse(Entry { at, seq: self.seq, item }));
    }

    pub fn pop(&mut self) -> Option<(Time, Item)> {
        let Reverse(entry) = self.heap.pop()?;
        self.deliveries -= usize::from(matches!(entry.item, Item::Deliver(_)));
        Some((entry.at, entry.item))
    }

    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse(e)| e.at)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn deliveries(&self) -> usize {
        self.deliveries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wake(node: u32) -> Item {
        Item::Wake { node, generation: 0 }
    }

    fn node_of(item: Item) -> u32 {
        match item {
            Item::Wake { node, .. } => node,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(Time::from_millis(5), wake(1));
        q.push(Time::from_millis(1), wake(2));
        q.push(Time::from_millis(5), wake(3));
        q.push(Time::from_millis(5), wake(0));
        assert_eq!(q.peek_time(), Some(Time::from_millis(1)));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|(_, item)| node_of(item)).collect();
        assert_eq!(order, [2, 1, 3, 0]);
        assert_eq!(q.len(), 0);
    }
}
