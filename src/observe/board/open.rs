//! The active suspicions, as their lines tell them, kept in the order the
//! Suspicions view lists them.
//!
//! A partition of halves at 4,096 nodes opens 8.4 million suspicions at
//! once (each node suspects every node across the cut). Listing them by
//! copying every one into each snapshot, ten times a second, and sorting
//! them in every frame, made a snapshot O(N²): the observer fell behind
//! and the dashboard froze. So each suspicion is also indexed by its
//! deadline, and a snapshot takes the soonest [`SHOWN`] in O(SHOWN log S).

use std::collections::{BTreeMap, BTreeSet};
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

/// Every observer's active suspicions.
#[derive(Clone, Debug, Default)]
pub struct Suspicions {
    /// By (observer, subject).
    open: BTreeMap<(usize, usize), Open>,
    /// (deadline, observer, subject) of each one: the listing order.
    soonest: BTreeSet<(Time, usize, usize)>,
}

impl Suspicions {
    /// `observer`'s suspicion of `subject` is `open` (started or changed).
    pub fn set(&mut self, observer: usize, subject: usize, open: Open) {
        if let Some(old) = self.open.insert((observer, subject), open) {
            self.soonest.remove(&(old.deadline(), observer, subject));
        }
        self.soonest.insert((open.deadline(), observer, subject));
    }

    /// `observer`'s suspicion of `subject`, if it holds one.
    pub fn get(&self, observer: usize, subject: usize) -> Option<Open> {
        self.open.get(&(observer, subject)).copied()
    }

    /// Ends `observer`'s suspicion of `subject`, if it holds one.
    pub fn end(&mut self, observer: usize, subject: usize) {
        if let Some(old) = self.open.remove(&(observer, subject)) {
            self.soonest.remove(&(old.deadline(), observer, subject));
        }
    }

    /// Keeps only `observer`'s suspicions of the subjects `keep` accepts.
    pub fn retain(&mut self, observer: usize, mut keep: impl FnMut(usize) -> bool) {
        let gone: Vec<(usize, Open)> = self
            .open
            .range((observer, 0)..=(observer, usize::MAX))
            .filter(|&(&(_, subject), _)| !keep(subject))
            .map(|(&(_, subject), &open)| (subject, open))
            .collect();
        for (subject, open) in gone {
            self.open.remove(&(observer, subject));
            self.soonest.remove(&(open.deadline(), observer, subject));
        }
    }

    /// Does `observer` hold any?
    pub fn holds_any(&self, observer: usize) -> bool {
        self.open.range((observer, 0)..=(observer, usize::MAX)).next().is_some()
    }

    /// Active suspicions, all observers.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// The soonest to expire (ties by observer, then subject) of those
    /// whose observer `listed` accepts, at most [`SHOWN`]: as (observer,
    /// subject, suspicion).
    pub fn soonest(&self, mut listed: impl FnMut(usize) -> bool) -> Vec<(usize, usize, Open)> {
        self.soonest
            .iter()
            .filter(|&&(_, observer, _)| listed(observer))
            .take(SHOWN)
            .map(|&(_, observer, subject)| (observer, subject, self.open[&(observer, subject)]))
            .collect()
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
        assert_eq!(listed(&s), [(2, 7), (0, 9), (1, 7)]);
        // A confirmation shortens 1's timeout: it moves up, and its old
        // place is gone.
        s.set(1, 7, Open { confirmations: 1, ..open(0, 1_500) });
        assert_eq!(listed(&s), [(1, 7), (2, 7), (0, 9)]);
        assert_eq!(s.get(1, 7).map(|o| o.confirmations), Some(1));
        s.end(2, 7);
        s.retain(0, |subject| subject != 9);
        assert_eq!(listed(&s), [(1, 7)]);
        assert_eq!(s.len(), 1);
        assert!(!s.holds_any(0) && s.holds_any(1));
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
        assert_eq!((shown[0].0, shown[0].1, shown[1].0, shown[1].1), (1, 0, 2, 0), "soonest first, ties by observer");
        assert_eq!(s.len(), 3 * SHOWN);
    }
}
