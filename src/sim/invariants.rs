//! The rules a node keeps whatever it is fed, checked from outside.
//!
//! A node's input is untrusted: any datagram that decodes may arrive, from
//! anyone, in any order, at any time. Whatever arrives, a node must not
//! hold itself suspect or dead, must not let an incarnation go backwards,
//! and must keep every table within its bound. Those rules are spread over
//! the core (`member`, `membership`, `merge`, `rumors`...); this module
//! states them once more as checks on what a node shows, so that a fuzzer
//! or a property test can find the input that breaks one. The fuzz target
//! (`fuzz/fuzz_targets/node.rs`, one node fed arbitrary messages) and the
//! property test (`tests/hostile_props.rs`, a simulated cluster fed
//! injected ones) both judge through a [`Watch`], so they judge alike.

use std::collections::BTreeMap;

use crate::protocol::rumors::{RUMOR_WINDOW, SeenRumors};
use crate::protocol::{AnyNode, Event, Incarnation, MAX_RELAYS, NodeAddr, State};

/// A broken rule: which node, and what it showed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("node {node}: {rule}")]
pub struct Violation {
    /// The node that broke the rule.
    pub node: NodeAddr,
    /// The rule, with the values that broke it.
    pub rule: String,
}

/// What one node showed at the last check, to judge the next one against.
///
/// Feed it every event the node emits, in order ([`Watch::event`]), and
/// call [`Watch::check`] after every input. A node restarted with fresh
/// state (incarnation 0 again) needs a fresh `Watch`.
#[derive(Clone, Debug)]
pub struct Watch {
    me: NodeAddr,
    /// The driver told the node to leave, so it may hold itself Left.
    leaving: bool,
    incarnation: Incarnation,
    /// Every member's incarnation at the last check.
    members: BTreeMap<NodeAddr, Incarnation>,
    /// Members the node reported forgotten since the last check: a member
    /// learned afresh may come back at any incarnation.
    forgotten: Vec<NodeAddr>,
    /// The rumors the node delivered, in a window of its own size: a
    /// second delivery of an id still in it is a duplicate.
    delivered: SeenRumors,
}

impl Watch {
    /// Starts watching `node` as it is now.
    pub fn new(node: &AnyNode) -> Watch {
        Watch {
            me: node.addr(),
            leaving: false,
            incarnation: node.incarnation(),
            members: node.members().map(|m| (m.addr, m.incarnation)).collect(),
            forgotten: Vec::new(),
            delivered: SeenRumors::new(),
        }
    }

    /// The driver told the node to leave: from now on it may hold itself
    /// Left (and only then).
    pub fn leave(&mut self) {
        self.leaving = true;
    }

    fn broken(&self, rule: String) -> Result<(), Violation> {
        Err(Violation { node: self.me, rule })
    }

    /// Takes note of one event the node emitted; an event that breaks a
    /// rule by itself (a rumor delivered twice) is a violation.
    pub fn event(&mut self, event: &Event) -> Result<(), Violation> {
        match event {
            Event::MemberForgotten { member } => self.forgotten.push(*member),
            Event::RumorDelivered { id, .. } if !self.delivered.insert(*id) => {
                return self.broken(format!("rumor {id:?} delivered twice within the {RUMOR_WINDOW}-id window"));
            }
            Event::MemberChanged { member, .. } if *member == self.me => {
                return self.broken(format!("reported a change of its own row: {event:?}"));
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks `node` against every rule, then remembers what it showed for
    /// the next check.
    pub fn check(&mut self, node: &AnyNode) -> Result<(), Violation> {
        self.check_self(node)?;
        self.check_table(node)?;
        self.check_suspicions(node)?;
        self.check_bounds(node)?;
        self.incarnation = node.incarnation();
        self.members = node.members().map(|m| (m.addr, m.incarnation)).collect();
        self.forgotten.clear();
        Ok(())
    }

    /// Its own row comes first, and says Alive (or Left, after a leave),
    /// at an incarnation that never went down.
    fn check_self(&self, node: &AnyNode) -> Result<(), Violation> {
        let Some(own) = node.members().next().filter(|m| m.addr == self.me) else {
            return self.broken("its own row is not the first".into());
        };
        let ok = match own.state {
            State::Alive => true,
            State::Left => self.leaving,
            State::Suspect | State::Dead => false,
        };
        if !ok {
            let why = if self.leaving { "" } else { " without being told to leave" };
            return self.broken(format!("holds itself {} at {}{why}", own.state, own.incarnation));
        }
        if own.incarnation != node.incarnation() {
            return self.broken(format!(
                "incarnation() {} disagrees with its row {}",
                node.incarnation(),
                own.incarnation
            ));
        }
        if own.incarnation < self.incarnation {
            return self.broken(format!("its incarnation went back from {} to {}", self.incarnation, own.incarnation));
        }
        Ok(())
    }

    /// One row per member, each found by its address, the live count
    /// right, the cap kept, and no incarnation gone back while the member
    /// stayed in the table.
    fn check_table(&self, node: &AnyNode) -> Result<(), Violation> {
        let cap = node.max_members().max(1);
        if node.members().len() > cap {
            return self.broken(format!("holds {} members, past its cap of {cap}", node.members().len()));
        }
        let mut seen = BTreeMap::new();
        let mut live = 0;
        for m in node.members() {
            if seen.insert(m.addr, ()).is_some() {
                return self.broken(format!("holds {} twice", m.addr));
            }
            if node.member(m.addr) != Some(m) {
                return self.broken(format!(
                    "looking {} up finds {:?}, not its row {m:?}",
                    m.addr,
                    node.member(m.addr)
                ));
            }
            live += usize::from(!m.state.is_gone());
            if let Some(&before) = self.members.get(&m.addr)
                && m.incarnation < before
                && !self.forgotten.contains(&m.addr)
            {
                return self.broken(format!("{}'s incarnation went back from {before} to {}", m.addr, m.incarnation));
            }
        }
        if live != node.live_members() {
            return self.broken(format!("live_members() is {}, its rows say {live}", node.live_members()));
        }
        Ok(())
    }

    /// A suspicion runs for every member held Suspect, at the incarnation
    /// held, and for no one else: a suspect without a timer would never be
    /// declared dead, a timer without a suspect would kill a live member.
    fn check_suspicions(&self, node: &AnyNode) -> Result<(), Violation> {
        let mut timers = BTreeMap::new();
        for s in node.suspicions() {
            match node.member(s.member) {
                Some(m) if m.state == State::Suspect && m.incarnation == s.incarnation && m.addr != self.me => {}
                held => return self.broken(format!("suspects {} at {} but holds {held:?}", s.member, s.incarnation)),
            }
            timers.insert(s.member, ());
        }
        match node.members().find(|m| m.state == State::Suspect && !timers.contains_key(&m.addr)) {
            Some(m) => self.broken(format!("holds {} Suspect with no suspicion running", m.addr)),
            None => Ok(()),
        }
    }

    /// Everything a peer can make a node remember stays bounded.
    fn check_bounds(&self, node: &AnyNode) -> Result<(), Violation> {
        if node.rumors_remembered() > RUMOR_WINDOW {
            return self.broken(format!("remembers {} rumor ids, past {RUMOR_WINDOW}", node.rumors_remembered()));
        }
        if node.pending_relays() > MAX_RELAYS {
            return self.broken(format!("relays {} probes, past {MAX_RELAYS}", node.pending_relays()));
        }
        // The piggyback queue keeps one update per member and one per
        // rumor: at most a table's worth and a window's worth.
        let queue_bound = node.max_members().max(1) + RUMOR_WINDOW;
        if node.broadcast_queue_len() > queue_bound {
            return self.broken(format!("queues {} updates to gossip, past {queue_bound}", node.broadcast_queue_len()));
        }
        Ok(())
    }
}
