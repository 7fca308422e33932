//! Members that are not lab nodes, per observer.
//!
//! A view that holds alive (or suspect) a member that no lab node is, such
//! as a forged entry or one of a flood of fake members, is wrong however
//! right the rest of it is, so accuracy must see them. The view matrix
//! cannot: it is indexed by lab node. And a flood can bring thousands, so
//! each observer keeps at most [`FOREIGN_TRACKED`] of them by address and
//! only counts the rest. The count stays exact, because every change says
//! what the member was before, while memory stays bounded whatever a peer
//! sends.

use rustc_hash::FxHashSet;

use super::views::Cell;
use crate::protocol::{NodeAddr, State};

/// Foreign members kept by address per observer; beyond this they are
/// only counted. A quarter of a thousand is far more than any honest lab
/// run has (none) and enough to show which addresses a forger used.
pub const FOREIGN_TRACKED: usize = 256;

/// Whether a view holding a member in `cell` counts it as present.
fn present(cell: Cell) -> bool {
    matches!(cell, Some(State::Alive | State::Suspect))
}

/// Per observer, the foreign members it holds alive or suspect.
#[derive(Clone, Debug, Default)]
pub struct Foreign {
    rows: Vec<Row>,
}

#[derive(Clone, Debug, Default)]
struct Row {
    /// Up to [`FOREIGN_TRACKED`] of them, by address.
    tracked: FxHashSet<NodeAddr>,
    /// How many more are held than are tracked.
    untracked: usize,
}

impl Row {
    fn count(&self) -> usize {
        self.tracked.len() + self.untracked
    }
}

impl Foreign {
    /// No foreign members, for `n` observers.
    pub fn new(n: usize) -> Foreign {
        Foreign { rows: vec![Row::default(); n] }
    }

    /// Adds an observer (index = previous count) that holds none.
    pub fn add_node(&mut self) {
        self.rows.push(Row::default());
    }

    /// `observer`'s view of foreign `member` went from `from` to `to`
    /// (`None`: not in its table). Returns whether its count changed.
    pub fn changed(&mut self, observer: usize, member: NodeAddr, from: Cell, to: Cell) -> bool {
        let Some(row) = self.rows.get_mut(observer) else { return false };
        let before = row.count();
        if present(to) {
            // Already present and tracked, or present and among the
            // untracked: nothing new. Present by `from` but unknown to us
            // with nothing untracked means its arrival was lost: add it.
            let known = row.tracked.contains(&member) || (present(from) && row.untracked > 0);
            if !known {
                if row.tracked.len() < FOREIGN_TRACKED {
                    row.tracked.insert(member);
                } else {
                    row.untracked += 1;
                }
            }
        } else if !row.tracked.remove(&member) && present(from) {
            row.untracked = row.untracked.saturating_sub(1);
        }
        row.count() != before
    }

    /// `observer` holds `n` more foreign members than it has been told of
    /// by address (a resync lists at most [`FOREIGN_TRACKED`]).
    pub fn add_untracked(&mut self, observer: usize, n: usize) {
        if let Some(row) = self.rows.get_mut(observer) {
            row.untracked = row.untracked.saturating_add(n);
        }
    }

    /// `observer` holds no foreign member any more (a restart).
    pub fn reset(&mut self, observer: usize) {
        if let Some(row) = self.rows.get_mut(observer) {
            *row = Row::default();
        }
    }

    /// How many foreign members `observer` holds alive or suspect.
    pub fn count(&self, observer: usize) -> usize {
        self.rows.get(observer).map_or(0, Row::count)
    }

    /// Some of `observer`'s foreign members, lowest address first, at most
    /// `max` of them (for display).
    pub fn sample(&self, observer: usize, max: usize) -> Vec<NodeAddr> {
        let Some(row) = self.rows.get(observer) else { return Vec::new() };
        let mut addrs: Vec<NodeAddr> = row.tracked.iter().copied().collect();
        addrs.sort_unstable();
        addrs.truncate(max);
        addrs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddrV4};

    fn fake(i: u32) -> NodeAddr {
        SocketAddrV4::new(Ipv4Addr::from(0x0A00_0000 + i), 7946)
    }

    #[test]
    fn counts_members_held_alive_or_suspect() {
        let mut f = Foreign::new(2);
        assert!(f.changed(0, fake(1), None, Some(State::Alive)));
        assert!(!f.changed(0, fake(1), Some(State::Alive), Some(State::Suspect)), "still held");
        assert_eq!((f.count(0), f.count(1)), (1, 0));
        assert!(f.changed(0, fake(1), Some(State::Suspect), Some(State::Dead)));
        assert_eq!(f.count(0), 0);
        assert!(!f.changed(0, fake(1), None, None), "forgetting a dead member changes nothing");
    }

    #[test]
    fn a_flood_is_counted_exactly_with_bounded_memory() {
        let mut f = Foreign::new(1);
        let n = FOREIGN_TRACKED as u32 * 4;
        for i in 0..n {
            f.changed(0, fake(i), None, Some(State::Alive));
        }
        assert_eq!(f.count(0), n as usize);
        assert_eq!(f.rows[0].tracked.len(), FOREIGN_TRACKED, "the rest are only counted");
        for i in 0..n {
            f.changed(0, fake(i), Some(State::Alive), Some(State::Dead));
        }
        assert_eq!(f.count(0), 0);
        f.changed(0, fake(1), None, Some(State::Alive));
        f.reset(0);
        assert_eq!(f.count(0), 0);
    }
}
