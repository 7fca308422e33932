//! Every node's membership view, as the observer reconstructs it.
//!
//! Nodes report view changes as events; this module folds them into an
//! observer × subject matrix. The matrix is what the dashboard draws and what
//! agreement and accuracy are computed from. Each observer's alive set also
//! carries an order-independent hash (XOR of per-subject hashes) maintained
//! incrementally, so comparing N views costs O(N), not O(N²).
//!
//! Each observer's row is shared copy-on-write: the dashboard's snapshot
//! clones the matrix ten times a second, and at 4,096 nodes a deep copy
//! is 16 MB each time. A clone shares every row; the next change to a row
//! copies that row only, so a snapshot costs O(N) plus the rows changed
//! since the previous one, not O(N²).

use std::sync::Arc;

use crate::protocol::State;

/// A subject's state in one observer's view; `None` means never heard of.
pub type Cell = Option<State>;

fn encode(cell: Cell) -> u8 {
    match cell {
        None => 0,
        Some(State::Alive) => 1,
        Some(State::Suspect) => 2,
        Some(State::Dead) => 3,
        Some(State::Left) => 4,
    }
}

fn decode(byte: u8) -> Cell {
    match byte {
        1 => Some(State::Alive),
        2 => Some(State::Suspect),
        3 => Some(State::Dead),
        4 => Some(State::Left),
        _ => None,
    }
}

/// The tally slot of an unknown subject.
const UNKNOWN: usize = 4;

/// Where a cell is counted in a per-state tally:
/// [alive, suspect, dead, left, unknown].
pub fn tally_slot(cell: Cell) -> usize {
    match cell {
        Some(State::Alive) => 0,
        Some(State::Suspect) => 1,
        Some(State::Dead) => 2,
        Some(State::Left) => 3,
        None => UNKNOWN,
    }
}

/// The hash a subject contributes to an alive-set hash (splitmix64).
pub fn subject_hash(subject: usize) -> u64 {
    let mut z = (subject as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The observer × subject matrix of states.
#[derive(Clone, Debug, Default)]
pub struct Views {
    rows: Vec<Arc<Vec<u8>>>,
    alive_hash: Vec<u64>,
    alive_count: Vec<usize>,
    /// Per subject: how many observers (all of them) hold it in each
    /// [`tally_slot`] state, kept up to date by [`Views::set`], so the
    /// dashboard's per-node counts cost O(N), not O(N²), per snapshot.
    cols: Vec<[u32; 5]>,
}

impl Views {
    /// A matrix for `n` nodes, each knowing only itself (alive).
    pub fn new(n: usize) -> Views {
        let mut v = Views::default();
        for _ in 0..n {
            v.add_node();
        }
        v
    }

    /// Adds a node (index = previous count) that knows only itself.
    pub fn add_node(&mut self) -> usize {
        let i = self.rows.len();
        for row in &mut self.rows {
            Arc::make_mut(row).push(0);
        }
        self.rows.push(Arc::new(vec![0; i + 1]));
        self.alive_hash.push(0);
        self.alive_count.push(0);
        // The new row holds every existing subject as unknown, and every
        // row (its own included) holds the new subject as unknown.
        for col in &mut self.cols {
            col[UNKNOWN] += 1;
        }
        self.cols.push([0, 0, 0, 0, (i + 1) as u32]);
        self.reset(i);
        i
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True with no nodes.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Forgets everything `observer` knew (a crash or restart): it knows
    /// only itself again.
    pub fn reset(&mut self, observer: usize) {
        for subject in 0..self.rows[observer].len() {
            self.set(observer, subject, None);
        }
        self.set(observer, observer, Some(State::Alive));
    }

    /// Sets one cell, keeping the alive-set hash in step.
    pub fn set(&mut self, observer: usize, subject: usize, cell: Cell) {
        let old = decode(self.rows[observer][subject]);
        if old == cell {
            return;
        }
        let was = old == Some(State::Alive);
        let is = cell == Some(State::Alive);
        if was != is {
            self.alive_hash[observer] ^= subject_hash(subject);
            if is {
                self.alive_count[observer] += 1;
            } else {
                self.alive_count[observer] -= 1;
            }
        }
        Arc::make_mut(&mut self.rows[observer])[subject] = encode(cell);
        let col = &mut self.cols[subject];
        col[tally_slot(old)] -= 1;
        col[tally_slot(cell)] += 1;
    }

    /// One cell.
    pub fn get(&self, observer: usize, subject: usize) -> Cell {
        decode(self.rows[observer][subject])
    }

    /// The hash of `observer`'s alive set.
    pub fn alive_hash(&self, observer: usize) -> u64 {
        self.alive_hash[observer]
    }

    /// How many subjects `observer` holds alive (itself included).
    pub fn alive_count(&self, observer: usize) -> usize {
        self.alive_count[observer]
    }

    /// `observer`'s row.
    pub fn row(&self, observer: usize) -> impl Iterator<Item = Cell> + '_ {
        self.rows[observer].iter().map(|&b| decode(b))
    }

    /// How many observers hold `subject` in each state, leaving out the
    /// observers in `excluded` (which must not repeat): O(|excluded|).
    pub fn counts_excluding(&self, subject: usize, excluded: impl Iterator<Item = usize>) -> [usize; 5] {
        let mut counts = self.cols[subject].map(|c| c as usize);
        for o in excluded {
            counts[tally_slot(self.get(o, subject))] -= 1;
        }
        counts
    }

    /// How many observers among `observers` hold `subject` in each state,
    /// in [`tally_slot`] order: [alive, suspect, dead, left, unknown].
    pub fn column_counts(&self, subject: usize, observers: impl Iterator<Item = usize>) -> [usize; 5] {
        let mut counts = [0; 5];
        for o in observers {
            counts[tally_slot(self.get(o, subject))] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alive_hash_is_order_independent_and_tracks_changes() {
        let mut a = Views::new(4);
        let mut b = Views::new(4);
        for s in [1, 2, 3] {
            a.set(0, s, Some(State::Alive));
        }
        for s in [3, 1, 2] {
            b.set(1, s, Some(State::Alive));
        }
        b.set(1, 0, Some(State::Alive));
        a.set(0, 1, Some(State::Alive));
        // Both hold {0,1,2,3} alive.
        assert_eq!(a.alive_hash(0), b.alive_hash(1));
        assert_eq!(a.alive_count(0), 4);
        a.set(0, 2, Some(State::Suspect));
        assert_ne!(a.alive_hash(0), b.alive_hash(1));
        assert_eq!(a.alive_count(0), 3);
        a.set(0, 2, Some(State::Alive));
        assert_eq!(a.alive_hash(0), b.alive_hash(1));
    }

    #[test]
    fn a_clone_shares_the_rows_that_did_not_change_since() {
        let mut v = Views::new(3);
        v.set(0, 1, Some(State::Alive));
        let snap = v.clone();
        v.set(1, 2, Some(State::Suspect));
        assert_eq!(snap.get(1, 2), None, "the clone keeps the cell it was taken with");
        assert_eq!(v.get(1, 2), Some(State::Suspect));
        assert!(!Arc::ptr_eq(&v.rows[1], &snap.rows[1]), "the changed row was copied");
        for o in [0, 2] {
            assert!(Arc::ptr_eq(&v.rows[o], &snap.rows[o]), "row {o} did not change and is shared");
        }
    }

    #[test]
    fn added_nodes_and_resets_know_only_themselves() {
        let mut v = Views::new(2);
        v.set(0, 1, Some(State::Alive));
        let i = v.add_node();
        assert_eq!(i, 2);
        assert_eq!(v.get(0, 2), None);
        assert_eq!(v.get(2, 2), Some(State::Alive));
        v.reset(0);
        assert_eq!(v.get(0, 1), None);
        assert_eq!(v.alive_count(0), 1);
        assert_eq!(v.column_counts(0, 0..3), [1, 0, 0, 0, 2]);
    }

    #[test]
    fn incremental_counts_match_a_full_count() {
        let mut v = Views::new(5);
        let states = [Some(State::Alive), Some(State::Suspect), Some(State::Dead), Some(State::Left), None];
        for o in 0..5 {
            for s in 0..5 {
                v.set(o, s, states[(o * 3 + s) % 5]);
            }
        }
        v.add_node();
        v.set(5, 2, Some(State::Dead));
        v.reset(1);
        for s in 0..6 {
            let excluded = [1, 4];
            let full = v.column_counts(s, (0..6).filter(|o| !excluded.contains(o)));
            assert_eq!(v.counts_excluding(s, excluded.into_iter()), full, "subject {s}");
        }
    }
}
