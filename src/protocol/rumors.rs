//! The de-duplication window of user rumors: which rumor ids a node has
//! already delivered.
//!
//! A rumor is delivered once per node, so a node must remember what it has
//! seen for as long as copies may still reach it. Rumors circulate while
//! some node still retransmits them (a few gossip rounds) or still carries
//! them on push-pulls ([`RecentRumors`], a few push-pull periods), so a
//! window of the most recent ids is enough, and unlike a set of every id
//! ever seen it cannot be grown without bound by a peer inventing ids.
//!
//! [`RecentRumors`] is the other half: the rumors themselves, kept for
//! anti-entropy, bounded by age and by what one datagram can carry.

use std::collections::VecDeque;

use rustc_hash::FxHashSet;

use super::{Rumor, RumorId, Time};

/// How many rumor ids a node remembers. Far more than can be in flight at
/// once (a rumor lives for `retransmit_mult × log10 N` gossip rounds).
pub const RUMOR_WINDOW: usize = 4096;

/// The most recent [`RUMOR_WINDOW`] rumor ids seen, oldest forgotten first.
#[derive(Clone, Debug, Default)]
pub struct SeenRumors {
    ids: FxHashSet<RumorId>,
    order: VecDeque<RumorId>,
}

impl SeenRumors {
    /// An empty window.
    pub fn new() -> SeenRumors {
        SeenRumors::default()
    }

    /// Records `id`; true when it was not in the window (deliver it).
    pub fn insert(&mut self, id: RumorId) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > RUMOR_WINDOW
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }

    /// Ids remembered (at most [`RUMOR_WINDOW`]).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True before any rumor was seen.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// The rumors a node delivered recently, oldest first, for its push-pulls
/// to carry. At most `cap` encoded bytes (one datagram's worth, all a
/// push-pull carries): a burst of rumors larger than that leaves the
/// oldest to gossip alone, and a peer flooding rumors grows this by no
/// more than a datagram.
#[derive(Clone, Debug)]
pub struct RecentRumors {
    list: VecDeque<(Time, Rumor)>,
    bytes: usize,
    cap: usize,
}

impl RecentRumors {
    /// An empty buffer holding at most `cap` encoded bytes of rumors.
    pub fn new(cap: usize) -> RecentRumors {
        RecentRumors { list: VecDeque::new(), bytes: 0, cap }
    }

    /// Keeps `rumor`, delivered at `at`, forgetting the oldest past the cap.
    pub fn push(&mut self, at: Time, rumor: Rumor) {
        self.bytes += rumor.encoded_len();
        self.list.push_back((at, rumor));
        while self.bytes > self.cap
            && let Some((_, old)) = self.list.pop_front()
        {
            self.bytes -= old.encoded_len();
        }
    }

    /// Forgets the rumors delivered before `since`, and returns the rest,
    /// newest first.
    pub fn since(&mut self, since: Time) -> impl Iterator<Item = &Rumor> {
        while self.list.front().is_some_and(|(at, _)| *at < since)
            && let Some((_, old)) = self.list.pop_front()
        {
            self.bytes -= old.encoded_len();
        }
        self.list.iter().rev().map(|(_, r)| r)
    }

    /// Rumors kept.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when none is kept.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn id(seq: u32) -> RumorId {
        RumorId { origin: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 1), seq }
    }

    #[test]
    fn delivers_once_and_stays_bounded() {
        let mut w = SeenRumors::new();
        assert!(w.insert(id(0)));
        assert!(!w.insert(id(0)), "a repeat inside the window");
        for seq in 1..=(RUMOR_WINDOW as u32 * 3) {
            w.insert(id(seq));
        }
        assert_eq!(w.len(), RUMOR_WINDOW);
        assert!(!w.insert(id(RUMOR_WINDOW as u32 * 3)), "the newest is remembered");
        assert!(w.insert(id(0)), "the oldest was forgotten");
    }

    #[test]
    fn recent_rumors_are_bounded_by_bytes_and_age() {
        let rumor = |seq| Rumor { id: id(seq), payload: vec![0; 100] };
        let len = rumor(0).encoded_len();
        let mut r = RecentRumors::new(3 * len);
        for seq in 0..5 {
            r.push(Time::from_secs(u64::from(seq)), rumor(seq));
        }
        let kept: Vec<u32> = r.since(Time::ZERO).map(|r| r.id.seq).collect();
        assert_eq!(kept, [4, 3, 2], "the newest that fit the cap, newest first");
        let kept: Vec<u32> = r.since(Time::from_secs(4)).map(|r| r.id.seq).collect();
        assert_eq!(kept, [4], "older than the retention are forgotten");
        assert_eq!(r.len(), 1);
    }
}
