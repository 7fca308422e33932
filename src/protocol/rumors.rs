//! The de-duplication window of user rumors: which rumor ids a node has
//! already delivered.
//!
//! A rumor is delivered once per node, so a node must remember what it has
//! seen for as long as copies may still reach it. Rumors circulate only
//! while some node still retransmits them (a few gossip rounds), so a
//! window of the most recent ids is enough, and unlike a set of every id
//! ever seen it cannot be grown without bound by a peer inventing ids.

use std::collections::VecDeque;

use rustc_hash::FxHashSet;

use super::RumorId;

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
}
