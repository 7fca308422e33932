//! Member state and the one rule that orders it.
//!
//! Every piece of membership news, whether it arrives piggybacked, in a
//! push-pull or from our own failure detector, is reduced to a `(state,
//! incarnation)` claim about one member. Whether a claim replaces what we
//! hold is decided here and nowhere else, so the rule can be tested alone:
//! a higher incarnation wins; at equal incarnation Dead/Left > Suspect >
//! Alive. The rule is a join on a lattice, which is why gossip converges no
//! matter the order in which claims arrive.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The address that identifies a node, on the wire and in every table.
///
/// The lab runs on IPv4 loopback only; `SocketAddrV4` is 6 bytes of payload,
/// which keeps N×N membership tables small in large simulations.
pub type NodeAddr = std::net::SocketAddrV4;

/// A member's incarnation number: only the member itself raises it, to
/// refute a claim about it. 64 bits, so that no run of refutations (forged
/// or not) can exhaust it; see the jump bound in `membership`.
pub type Incarnation = u64;

/// How far ahead of what a node holds a claim about another member may
/// be. Only a member raises its own incarnation, one refutation at a time,
/// so a relayed claim further ahead is invented; refusing it is what keeps
/// incarnations from being exhausted by forged claims (each accepted one
/// moves a member at most this far, and u64 leaves room for 2^48 of them).
pub const MAX_INCARNATION_JUMP: Incarnation = 1 << 16;

/// The most one refutation raises a node's own incarnation past its
/// current one (plus one). Half the jump bound, so a refutation is always
/// believed by peers that hold the member at its previous incarnation,
/// even a step behind.
pub const REFUTE_STEP: Incarnation = MAX_INCARNATION_JUMP / 2;

// A refutation must be believed by a peer that holds the previous one.
const _: () = assert!(REFUTE_STEP < MAX_INCARNATION_JUMP);

/// A member's state as one node believes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Answering probes, as far as we know.
    Alive,
    /// Missed a probe; will be declared dead unless it refutes in time.
    Suspect,
    /// Declared failed.
    Dead,
    /// Left the cluster on purpose.
    Left,
}

impl State {
    /// Precedence at equal incarnation: Dead/Left > Suspect > Alive.
    pub const fn rank(self) -> u8 {
        match self {
            State::Alive => 0,
            State::Suspect => 1,
            State::Dead | State::Left => 2,
        }
    }

    /// True for Dead and Left: the member is out of the probe rotation.
    pub const fn is_gone(self) -> bool {
        matches!(self, State::Dead | State::Left)
    }

    /// A short lowercase name, used in logs and the session log.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Alive => "alive",
            State::Suspect => "suspect",
            State::Dead => "dead",
            State::Left => "left",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Does the claim `(new, new_inc)` replace the belief `(old, old_inc)`?
///
/// A higher incarnation always wins; at equal incarnation the claim must
/// rank strictly higher. Equal claims are not news, which is what stops an
/// update from being re-gossiped forever.
pub fn supersedes(new: State, new_inc: Incarnation, old: State, old_inc: Incarnation) -> bool {
    new_inc > old_inc || (new_inc == old_inc && new.rank() > old.rank())
}

/// One row of a node's membership table: 16 bytes (a 6-byte IPv4
/// address, a state byte and the incarnation), since every node holds one
/// for every member. When a row changed state is kept by the tables that
/// need it, for the rows that need it (see `membership`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member's address, which is also its identity.
    pub addr: NodeAddr,
    /// What we believe about it.
    pub state: State,
    /// The incarnation that belief is about.
    pub incarnation: Incarnation,
}

// Every node holds a row per member: N^2 of them in the lab.
const _: () = assert!(std::mem::size_of::<Member>() == 16);

#[cfg(test)]
mod tests {
    use super::State::*;
    use super::*;

    #[test]
    fn higher_incarnation_always_wins() {
        for old in [Alive, Suspect, Dead, Left] {
            for new in [Alive, Suspect, Dead, Left] {
                assert!(supersedes(new, 4, old, 3), "{new}@4 must replace {old}@3");
                assert!(!supersedes(new, 3, old, 4), "{new}@3 must not replace {old}@4");
            }
        }
    }

    #[test]
    fn equal_incarnation_follows_precedence() {
        assert!(supersedes(Suspect, 2, Alive, 2));
        assert!(supersedes(Dead, 2, Alive, 2));
        assert!(supersedes(Dead, 2, Suspect, 2));
        assert!(supersedes(Left, 2, Suspect, 2));
        assert!(!supersedes(Alive, 2, Suspect, 2));
        assert!(!supersedes(Alive, 2, Dead, 2));
        assert!(!supersedes(Suspect, 2, Dead, 2));
        assert!(!supersedes(Suspect, 2, Left, 2));
    }

    #[test]
    fn equal_claims_are_not_news() {
        for s in [Alive, Suspect, Dead, Left] {
            assert!(!supersedes(s, 7, s, 7));
        }
        // Dead and Left share a rank: whichever arrived first stays.
        assert!(!supersedes(Dead, 7, Left, 7));
        assert!(!supersedes(Left, 7, Dead, 7));
    }
}
