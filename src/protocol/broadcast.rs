//! The piggyback queue: which updates ride on the next packet.
//!
//! Every packet a node sends carries as many queued updates as fit in the
//! packet budget. Updates that have been sent the fewest times go first and,
//! among those, the newest, so fresh news spreads fastest. Each update is
//! dropped after `retransmit_mult × ceil(log10(N+1))` sends, which is enough
//! for an epidemic to reach every node with high probability. A newer update
//! about the same member replaces the older one instead of queueing behind it.
//!
//! A join announcement (a member we learn of for the first time) fades in
//! a storm, which memberlist's queue does not do: once the queue holds more
//! than [`FADE_BACKLOG`] updates, packets are full and every redundant copy
//! delays fresher news, so an announcement that peers have sent back to us
//! [`FADE_AFTER`] times is retired early, as in Demers et al.'s rumor
//! mongering with loss of interest. Every node that hears of a joiner
//! announces it in turn, so in a join storm most copies are redundant
//! (when it was written, every joiner also re-announced the whole member
//! list it pulled from its seed; see `Node::on_alive`): this halved a
//! 2,048-node join's bytes and took a 4,096-node join from 32 to 22 s in
//! the simulator (BENCHMARKS.md, "Issue 13, step two"). A node that
//! misses an announcement pulls it at its next contact with a peer that
//! knows more members (the catch-up push-pull, which in a storm does not
//! wait for the queue to empty). Other
//! updates never fade: a suspicion, a death or a refutation must reach
//! everyone, and an echo could be forged to silence one.
//!
//! Member updates are bounded by the member table (one per member), and
//! join announcements further by [`MAX_ANNOUNCING`]: a join storm would
//! otherwise queue one for nearly every member at every node. User
//! rumors are not bounded by the table, since any member may invent ids
//! faster than gossip retires them. The queue keeps at most
//! [`MAX_QUEUED_RUMORS`] of them and drops the oldest past that, as
//! serf's `MaxQueueDepth` does.

use std::collections::VecDeque;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::NodeAddr;
use super::message::{RumorId, Update};
use super::rumors::RUMOR_WINDOW;

/// The most user rumors the queue holds. The de-duplication window's size:
/// a node queues a rumor when it first delivers it, so with the oldest
/// dropped first, every queued rumor is still in the window and a copy
/// that comes back is never delivered twice.
pub const MAX_QUEUED_RUMORS: usize = RUMOR_WINDOW;

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

/// A queued update: 40 bytes, since during a join storm a node queues one
/// for nearly every member (4,096 of them at 4,096 nodes). Its key is
/// read off the update rather than stored.
#[derive(Clone, Debug)]
struct Item {
    update: Update,
    /// When it was pushed (a counter): tells a rumor's entry in the
    /// age order from a later push of the same id.
    stamp: u64,
    /// Its encoded size (at most a packet budget, a `u16`).
    size: u16,
    /// Times sent (at most the retransmit limit, a few dozen).
    transmits: u16,
    /// A join announcement, which loses interest as echoes come back.
    fades: bool,
    /// Copies heard back from peers since it was queued.
    echoes: u8,
}

const _: () = assert!(std::mem::size_of::<Option<Item>>() == 40);

impl Item {
    fn key(&self) -> BroadcastKey {
        BroadcastKey::of(&self.update)
    }
}

fn hash(key: &BroadcastKey) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// Copies heard back after which a join announcement is retired (in a
/// storm). 1, 2 and 3 were measured (BENCHMARKS.md): 2 sent the fewest
/// bytes at 2,048 nodes without slowing small joins.
pub const FADE_AFTER: u8 = 2;

/// Queued updates above which a node is in a storm
/// ([`BroadcastQueue::in_storm`]): more than a gossip round carries (3
/// full packets of about 130). Then join announcements fade, and a node
/// catches up without waiting for its queue to empty. Below it every copy
/// goes out within a round anyway, and fading would only risk a node
/// missing the news: with a backlog of 128, 256-node joins took 1 s
/// longer. So a cluster of up to 512 nodes gossips exactly as memberlist
/// does.
pub const FADE_BACKLOG: usize = 512;

/// Queued updates from which a member learned from a row of a peer's
/// full state is no longer announced (see `Node::on_alive`). Below it a
/// node's packets have room to spare, and the copies, as memberlist sends
/// them, speed up small joins (16 simulated nodes converged in 1.2-1.8 s
/// without them, 0.5-0.8 s with); above it they would crowd out fresh news
/// (BENCHMARKS.md, "Issue 13, step eleven").
pub const PULLED_ANNOUNCE_BELOW: usize = 64;

/// Queued updates at which a new join announcement displaces the most-sent
/// one queued ([`BroadcastQueue::push_fading`]). Without it a join storm
/// queues an announcement for nearly every member at every node: at 2,000
/// simulated nodes the queues held 304 MB at the peak against the member
/// tables' 86 MB, and at 10,000 most of 10 GB (BENCHMARKS.md, "Issue 13,
/// step five"). Four times the storm threshold, so a cluster of up to
/// 2,048 nodes never reaches it through announcements alone.
pub const MAX_ANNOUNCING: usize = 4 * FADE_BACKLOG;

/// How many tier entries a displacement looks at, from the most-sent end,
/// before it gives up (and the new announcement is not queued).
const DISPLACE_SCAN: usize = 64;

/// Smallest encoded update; below this much room, stop looking.
const MIN_UPDATE_LEN: usize = 8;

/// A tier's deque keeps at least this many slots' capacity when it drains
/// (a packet's worth, so a steady trickle never reallocates).
const MIN_TIER_CAPACITY: usize = 256;

/// How many updates in a row too big for the room left end a tier's scan.
/// Member updates differ by a few bytes, so past a handful the rest of the
/// tier will not fit either.
const MAX_MISFITS: usize = 8;

/// A transmit-limited queue of updates.
///
/// Updates live in a slab and are ordered by tiers: `tiers[t]` holds the
/// updates sent `t` times, first-to-send at the front. New updates enter
/// tier 0 at the front (newest first); a sent update moves to the back of
/// the next tier. Sending is therefore a move between two deques, and the
/// key → slot index changes only when an update is added or retired. (A
/// single ordered map keyed by (transmits, age) costs a tree removal, a tree
/// insertion and an index update per update per packet, which dominated
/// large simulations.) A replaced or dropped update is marked dead in the
/// slab and its tier entry dropped when that tier is next scanned, or by a
/// sweep once dead entries outnumber live ones: a node that has no one to
/// gossip to never scans, and a flood of replacements must not grow the
/// tiers for it.
#[derive(Clone, Debug, Default)]
pub struct BroadcastQueue {
    slab: Vec<Option<Item>>,
    free: Vec<u32>,
    tiers: Vec<VecDeque<u32>>,
    /// The slot of each queued key, found by hashing the key of the
    /// slot's item (slots only: 4 bytes and a control byte each, where a
    /// map would store every key twice). Never iterated, so a fixed
    /// (non-random) hasher keeps runs deterministic; FxHash because this
    /// is looked up on every update.
    index: HashTable<u32>,
    /// Scratch for one `take`: slots to move up a tier once it is done.
    promoted: Vec<(usize, u32)>,
    /// Queued rumors, oldest first, with their push stamps. Entries of
    /// rumors since retired or replaced are stale and skipped.
    rumor_ages: VecDeque<(RumorId, u64)>,
    /// Rumors queued (not stale).
    rumors: usize,
    pushes: u64,
    /// Dead slots still named by a tier entry.
    dead: usize,
}

impl BroadcastQueue {
    /// An empty queue.
    pub fn new() -> BroadcastQueue {
        BroadcastQueue::default()
    }

    /// Queues `update`, whose encoded size is `size`, replacing any queued
    /// update with the same key.
    pub fn push(&mut self, update: Update, size: usize) {
        self.push_item(update, size, false);
    }

    /// Queues a join announcement: like [`BroadcastQueue::push`], but
    /// retired early once [`FADE_AFTER`] copies have been heard back. With
    /// [`MAX_ANNOUNCING`] updates queued it takes the place of the
    /// announcement sent most often, which has had the most chances to
    /// spread; if none is found near that end, it is not queued. Returns
    /// whether it was queued.
    pub fn push_fading(&mut self, update: Update, size: usize) -> bool {
        let full = self.index.len() >= MAX_ANNOUNCING && !self.contains(BroadcastKey::of(&update));
        if full && !self.displace_announcement() {
            return false;
        }
        self.push_item(update, size, true);
        true
    }

    /// Retires the join announcement sent most often, looking at no more
    /// than [`DISPLACE_SCAN`] entries from the back of the highest tier
    /// down; false if none of them is one. Dead entries it passes are
    /// dropped on the way, so the next call does not look at them again.
    fn displace_announcement(&mut self) -> bool {
        let Self { slab, free, tiers, index, dead, .. } = self;
        let mut looked = 0;
        for tier in tiers.iter_mut().rev() {
            let mut i = tier.len();
            while i > 0 && looked < DISPLACE_SCAN {
                i -= 1;
                looked += 1;
                let slot = tier[i];
                match slab[slot as usize].as_ref() {
                    None => *dead -= 1,
                    Some(item) if item.fades => Self::unindex(index, item.key(), slot),
                    Some(_) => continue,
                }
                let displaced = slab[slot as usize].take().is_some();
                tier.remove(i);
                free.push(slot);
                if displaced {
                    return true;
                }
            }
        }
        false
    }

    /// A peer sent us `update`, which we already held. A fading update
    /// that has come back [`FADE_AFTER`] times while more than
    /// [`FADE_BACKLOG`] are queued is retired.
    pub fn echo(&mut self, update: &Update) {
        if !self.in_storm() {
            return;
        }
        let key = BroadcastKey::of(update);
        let Some(slot) = self.find(key) else { return };
        let Some(item) = self.slab[slot as usize].as_mut() else { return };
        if !item.fades || item.update != *update {
            return;
        }
        item.echoes = item.echoes.saturating_add(1);
        if item.echoes >= FADE_AFTER {
            Self::unindex(&mut self.index, key, slot);
            self.kill(slot);
        }
    }

    fn push_item(&mut self, update: Update, size: usize, fades: bool) {
        let key = BroadcastKey::of(&update);
        self.pushes += 1;
        let stamp = self.pushes;
        let size = u16::try_from(size).unwrap_or(u16::MAX);
        let item = Some(Item { update, stamp, size, transmits: 0, fades, echoes: 0 });
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = item;
                slot
            }
            None => {
                self.slab.push(item);
                (self.slab.len() - 1) as u32
            }
        };
        let slab = &self.slab;
        let rehash = |&s: &u32| hash(&slab[s as usize].as_ref().expect("indexed slots are live").key());
        let replaced = match self.index.entry(hash(&key), |&s| Self::holds(slab, s, key), rehash) {
            hashbrown::hash_table::Entry::Occupied(mut e) => Some(std::mem::replace(e.get_mut(), slot)),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(slot);
                None
            }
        };
        if let Some(old) = replaced {
            self.kill(old);
        }
        if self.tiers.is_empty() {
            self.tiers.push(VecDeque::new());
        }
        self.tiers[0].push_front(slot);
        if let BroadcastKey::Rumor(id) = key {
            self.rumors += usize::from(replaced.is_none());
            self.rumor_ages.push_back((id, stamp));
            self.bound_rumors();
        }
        if self.dead > self.index.len() + 64 {
            self.sweep();
        }
    }

    /// Does `slot` hold an update with `key`?
    fn holds(slab: &[Option<Item>], slot: u32, key: BroadcastKey) -> bool {
        slab[slot as usize].as_ref().is_some_and(|item| item.key() == key)
    }

    /// Looks up the slots of `updates` and discards the answers, as
    /// [`Membership::warm`](super::membership::Membership::warm) does for
    /// rows: in a storm every redundant update is looked up here too
    /// ([`BroadcastQueue::echo`]), and a queue of thousands is not in cache.
    pub fn warm<'a>(&self, updates: impl Iterator<Item = &'a Update>) {
        for update in updates {
            std::hint::black_box(self.find(BroadcastKey::of(update)));
        }
    }

    /// The slot queued under `key`.
    fn find(&self, key: BroadcastKey) -> Option<u32> {
        self.index.find(hash(&key), |&s| Self::holds(&self.slab, s, key)).copied()
    }

    /// Takes `key` out of the index, returning its slot.
    fn unindex_key(&mut self, key: BroadcastKey) -> Option<u32> {
        let slab = &self.slab;
        let entry = self.index.find_entry(hash(&key), |&s| Self::holds(slab, s, key)).ok()?;
        Some(entry.remove().0)
    }

    /// Takes `slot`, which holds `key`, out of the index.
    fn unindex(index: &mut HashTable<u32>, key: BroadcastKey, slot: u32) {
        if let Ok(e) = index.find_entry(hash(&key), |&s| s == slot) {
            e.remove();
        }
    }

    /// Marks `slot` dead; its tier entry goes later (see the type's doc).
    fn kill(&mut self, slot: u32) {
        self.slab[slot as usize] = None;
        self.dead += 1;
    }

    /// Drops every dead tier entry and frees its slot.
    fn sweep(&mut self) {
        let Self { slab, free, tiers, .. } = self;
        for tier in tiers.iter_mut() {
            tier.retain(|&slot| {
                let live = slab[slot as usize].is_some();
                if !live {
                    free.push(slot);
                }
                live
            });
        }
        self.dead = 0;
    }

    /// Is this entry of the age order the rumor still queued?
    fn queued(&self, id: RumorId, stamp: u64) -> bool {
        let slot = self.find(BroadcastKey::Rumor(id));
        slot.and_then(|s| self.slab[s as usize].as_ref()).is_some_and(|item| item.stamp == stamp)
    }

    /// Drops the oldest rumors past [`MAX_QUEUED_RUMORS`], and the stale
    /// entries of the age order, so that it stays as bounded as the queue.
    fn bound_rumors(&mut self) {
        while let Some(&(id, stamp)) = self.rumor_ages.front() {
            let queued = self.queued(id, stamp);
            if queued && self.rumors <= MAX_QUEUED_RUMORS {
                break;
            }
            self.rumor_ages.pop_front();
            if queued {
                let slot = self.unindex_key(BroadcastKey::Rumor(id)).expect("queued");
                self.kill(slot);
                self.rumors -= 1;
            }
        }
        // A rumor that outlives younger ones keeps their stale entries
        // behind it; sweep them once they outnumber the live ones.
        if self.rumor_ages.len() > 2 * self.rumors + 64 {
            let ages = std::mem::take(&mut self.rumor_ages);
            self.rumor_ages = ages.into_iter().filter(|&(id, stamp)| self.queued(id, stamp)).collect();
        }
    }

    /// User rumors queued (at most [`MAX_QUEUED_RUMORS`]).
    pub fn rumors(&self) -> usize {
        self.rumors
    }

    /// Takes updates whose sizes sum to at most `budget`, in priority order
    /// (fewest sends first, newest first), counting one transmission for
    /// each and retiring those that reach `limit`. Appends them to `out`
    /// and returns the bytes used.
    pub fn take(&mut self, budget: usize, limit: u32, out: &mut Vec<Update>) -> usize {
        let limit = u16::try_from(limit).unwrap_or(u16::MAX);
        let mut used = 0;
        let Self { slab, free, tiers, index, promoted, rumors, dead, .. } = self;
        promoted.clear();
        for (t, tier) in tiers.iter_mut().enumerate() {
            if budget.saturating_sub(used) < MIN_UPDATE_LEN {
                break;
            }
            // From the front only, as far as the room lasts: scanning the
            // whole tier made every packet cost O(queue), which a join
            // storm (thousands queued at every node) turned into most of
            // the lab's CPU. A run of updates too big for what is left
            // ends the tier's turn, so a nearly full packet stops early.
            let (mut i, mut misfits) = (0, 0);
            while i < tier.len() && budget - used >= MIN_UPDATE_LEN && misfits < MAX_MISFITS {
                let slot = tier[i];
                let Some(item) = slab[slot as usize].as_mut() else {
                    tier.remove(i);
                    free.push(slot); // replaced or dropped since it was queued
                    *dead -= 1;
                    continue;
                };
                let size = usize::from(item.size);
                if size > budget - used {
                    misfits += 1;
                    i += 1;
                    continue;
                }
                tier.remove(i);
                used += size;
                out.push(item.update.clone());
                item.transmits += 1;
                if item.transmits >= limit {
                    let key = item.key();
                    Self::unindex(index, key, slot);
                    *rumors -= usize::from(matches!(key, BroadcastKey::Rumor(_)));
                    slab[slot as usize] = None;
                    free.push(slot);
                } else {
                    // Moved after the scan, so one packet never carries an
                    // update twice.
                    promoted.push((t + 1, slot));
                }
            }
        }
        for &(t, slot) in promoted.iter() {
            if tiers.len() <= t {
                tiers.resize_with(t + 1, VecDeque::new);
            }
            tiers[t].push_back(slot);
        }
        // A join storm moves a wave of N updates through every tier in
        // turn; a deque keeps the capacity of its fullest moment, and a
        // node's twenty-odd tiers at N slots each were most of a 4,096-node
        // lab's memory (see BENCHMARKS.md). A tier that has drained to a
        // quarter of its capacity gives the rest back.
        for tier in tiers.iter_mut() {
            if tier.capacity() > MIN_TIER_CAPACITY && tier.len() < tier.capacity() / 4 {
                tier.shrink_to(tier.len() * 2);
            }
        }
        used
    }

    /// More than [`FADE_BACKLOG`] updates queued: packets are full, and
    /// the queue will not empty for many rounds.
    pub fn in_storm(&self) -> bool {
        self.index.len() > FADE_BACKLOG
    }

    /// Queued updates.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Drops everything (used when a node leaves or restarts).
    pub fn clear(&mut self) {
        *self = BroadcastQueue::default();
    }

    /// True when an update with this key is still queued.
    pub fn contains(&self, key: BroadcastKey) -> bool {
        self.find(key).is_some()
    }
}

#[cfg(test)]
#[path = "broadcast/tests.rs"]
mod tests;
