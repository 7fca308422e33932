//! The active suspicions, as their lines tell them, kept in the order the
//! Suspicions view lists them.
//!
//! A partition of halves at 4,096 nodes opens 8.4 million suspicions at
//! once (each node suspects every node across the cut). Listing them by
//! copying every one into each snapshot, ten times a second, and sorting
//! them in every frame, made a snapshot O(N²): the observer fell behind
//! and the dashboard froze. So each observer's suspicions are also
//! ordered by deadline, and a snapshot merges the observers' soonest into
//! the [`SHOWN`] soonest overall: O(N + SHOWN log N). Per observer, not
//! one cluster-wide index: a line then touches two trees of a few
//! thousand entries, not two of millions (which cost a 2,048-node
//! simulated partition 15 % more time).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::Duration;

use crate::protocol::Time;

/// The most suspicions a snapshot lists, soonest to expire first: pages
/// enough to read, where millions cannot be.
pub const SHOWN: usize = 1_000;

/// An active suspicion, as its lines tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Open {
    /// When it started.
    pub start: Time,
    /// Its timeout now (confirmations shorten it).
    pub timeout: Duration,
    /// Independent confirmations so far.
    pub confirmations: u32,
    /// Confirmations that bring the timeout to its minimum.
    pub k: u32,
}

impl Open {
    fn deadline(&self) -> Time {
        self.start + self.timeout
    }
}

/// One observer's active suspicions.
#[derive(Clone, Debug, Default)]
struct Held {
    /// By subject.
    open: BTreeMap<usize, Open>,
    /// (deadline, subject) of each one: the listing order.
    soonest: BTreeSet<(Time, usize)>,
}

/// Every observer's active suspicions.
#[derive(Clone, Debug, Default)]
pub struct Suspicions {
    /// By observer index (grown to the highest observer seen).
    held: Vec<Held>,
    /// Active suspicions, all observers.
    len: usize,
}

impl Suspicions {
    /// `observer`'s suspicion of `subject` is `open` (started or changed).
    /// The caller bounds `observer` (a node the session knows).
    pub fn set(&mut self, observer: usize, subject: usize, open: Open) {
        if observer >= self.held.len() {
            self.held.resize_with(observer + 1, Held::default);
        }
        let held = &mut self.held[observer];
        match held.open.insert(subject, open) {
            Some(old) => {
                held.soonest.remove(&(old.deadline(), subject));
            }
            None => self.len += 1,
        }
        held.soonest.insert((open.deadline(), subject));
    }

    /// `observer`'s suspicion of `subject`, if it holds one.
    pub fn get(&self, observer: usize, subject: usize) -> Option<Open> {
        self.held.get(observer)?.open.get(&subject).copied()
    }

    /// Ends `observer`'s suspicion of `subject`, if it holds one.
    pub fn end(&mut self, observer: usize, subject: usize) {
        let Some(held) = self.held.get_mut(observer) else { return };
        if let Some(old) = held.open.remove(&subject) {
            held.soonest.remove(&(old.deadline(), subject));
            self.len -= 1;
        }
    }

    /// Keeps only `observer`'s suspicions of the subjects `keep` accepts.
    pub fn retain(&mut self, observer: usize, mut keep: impl FnMut(usize) -> bool) {
        let Some(held) = self.held.get_mut(observer) else { return };
        let Held { open, soonest } = held;
        let before = open.len();
        open.retain(|&subject, o| {
            let kept = keep(subject);
            if !kept {
                soonest.remove(&(o.deadline(), subject));
            }
            kept
        });
        self.len -= before - open.len();
    }

    /// Does `observer` hold any?
    pub fn holds_any(&self, observer: usize) -> bool {
        self.held.get(observer).is_some_and(|h| !h.open.is_empty())
    }

    /// Active suspicions, all observers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The soonest to expire (ties by observer, then subject) of those
    /// whose observer `listed` accepts, at most [`SHOWN`]: as (observer,
    /// subject, suspicion).
    pub fn soonest(&self, mut listed: impl FnMut(usize) -> bool) -> Vec<(usize, usize, Open)> {
        let mut runs: Vec<_> = self.held.iter().map(|h| h.soonest.iter()).collect();
        let mut heads: BinaryHeap<Reverse<(Time, usize, usize)>> = BinaryHeap::new();
        for (observer, run) in runs.iter_mut().enumerate() {
            if listed(observer)
                && let Some(&(deadline, subject)) = run.next()
            {
                heads.push(Reverse((deadline, observer, subject)));
            }
        }
        let mut out = Vec::new();
        while out.len() < SHOWN
            && let Some(Reverse((_, observer, subject))) = heads.pop()
        {
            out.push((observer, subject, self.held[observer].open[&subject]));
            if let Some(&(deadline, next)) = runs[observer].next() {
                heads.push(Reverse((deadline, observer, next)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(start_ms: u64, timeout_ms: u64) -> Open {
        Open { start: Time::from_millis(start_ms), timeout: Duration::from_millis(timeout_ms), confirmations: 0, k: 3 }
    }

    fn listed(s: &Suspicions) -> Vec<(usize, usize)> {
        s.soonest(|_| true).into_iter().map(|(o, subject, _)| (o, subject)).collect()
    }

    #[test]
    fn suspicions_are_listed_soonest_deadline_first_and_follow_their_changes() {
        let mut s = Suspicions::default();
        s.set(1, 7, open(0, 5_000));
        s.set(2, 7, open(1_000, 1_000));
        s.set(0, 9, open(0, 3_000));
        s.set(0, 8, open(0, 4_000));
        assert_eq!(listed(&s), [(2, 7), (0, 9), (0, 8), (1, 7)]);
        // A confirmation shortens 1's timeout: it moves up, and its old
        // place is gone.
        s.set(1, 7, Open { confirmations: 1, ..open(0, 1_500) });
        assert_eq!(listed(&s), [(1, 7), (2, 7), (0, 9), (0, 8)]);
        assert_eq!(s.get(1, 7).map(|o| o.confirmations), Some(1));
        assert_eq!(s.len(), 4);
        s.end(2, 7);
        s.end(2, 7);
        s.retain(0, |subject| subject != 9);
        assert_eq!(listed(&s), [(1, 7), (0, 8)]);
        assert_eq!(s.len(), 2);
        s.retain(0, |_| false);
        assert_eq!((s.len(), s.holds_any(0), s.holds_any(1)), (1, false, true));
    }

    #[test]
    fn at_most_the_shown_number_is_listed_and_unlisted_observers_are_skipped() {
        let mut s = Suspicions::default();
        for observer in 0..3 {
            for subject in 0..SHOWN {
                s.set(observer, subject, open(subject as u64, 1_000));
            }
        }
        let shown = s.soonest(|observer| observer != 0);
        assert_eq!(shown.len(), SHOWN);
        assert!(shown.iter().all(|&(observer, _, _)| observer != 0));
        let first: Vec<_> = shown[..4].iter().map(|&(o, subject, _)| (o, subject)).collect();
        assert_eq!(first, [(1, 0), (2, 0), (1, 1), (2, 1)], "soonest first, ties by observer");
        assert_eq!(s.len(), 3 * SHOWN);
    }
}
