//! A join storm's news coalesced: each node reports the members it learns
//! at most one line per [`LEARN_WINDOW`].
//!
//! A join from nothing has every node learn every other: N² "new member"
//! events. At 4,096 nodes that is 16.7 million lines, which no observer
//! channel, disk or fold keeps up with (issue 13 measured 693,403 events
//! dropped and 412 MB of log in 47 s). Only the additions are that many;
//! every other change (suspicions, deaths, refutations) stays one line
//! each, at its own time, because detection and false-mark figures are
//! read off their stamps.
//!
//! The rule, the same for both drivers: a node's addition (a member it
//! had not heard of, now alive) is reported at once, as a `member` line,
//! when no report of its went out in the last window; otherwise it is held,
//! and every addition held is reported together, as one `learned` line
//! stamped when the window ends. A node's other membership news first
//! reports what it holds, so lines about a member never cross. A lone
//! join therefore logs as before; only a burst is coalesced, and a view
//! lags the node's by at most one window.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use crate::protocol::{Event, NodeAddr, State, Time};

/// The most often a node's additions are reported together.
pub const LEARN_WINDOW: Duration = Duration::from_millis(100);

/// The member `event` adds, if it is an addition: a member the node had
/// never heard of, now alive.
pub fn added_member(event: &Event) -> Option<NodeAddr> {
    match *event {
        Event::MemberChanged { member, from: None, to: State::Alive, .. } => Some(member),
        _ => None,
    }
}

/// Does `event` change a node's view otherwise (and so report the
/// additions held before it)?
pub fn is_view_change(event: &Event) -> bool {
    matches!(event, Event::MemberChanged { .. } | Event::MemberForgotten { .. } | Event::LeaveComplete)
}

/// One node's additions on their way to the log.
#[derive(Clone, Debug)]
pub struct Learning<T> {
    /// When the node's last report went out.
    last: Option<Time>,
    held: Vec<T>,
}

impl<T> Default for Learning<T> {
    fn default() -> Self {
        Learning { last: None, held: Vec::new() }
    }
}

impl<T> Learning<T> {
    /// An addition at `t`: `Some` to report it alone now, `None` if it is
    /// held for the window's report.
    pub fn offer(&mut self, t: Time, member: T) -> Option<T> {
        let quiet = self.last.is_none_or(|last| t >= last + LEARN_WINDOW);
        if self.held.is_empty() && quiet {
            self.last = Some(t);
            Some(member)
        } else {
            self.held.push(member);
            None
        }
    }

    /// When the held additions are due (`None`: nothing is held).
    pub fn due(&self) -> Option<Time> {
        match (self.held.is_empty(), self.last) {
            (true, _) => None,
            (false, Some(last)) => Some(last + LEARN_WINDOW),
            (false, None) => Some(Time::ZERO),
        }
    }

    /// The held additions, reported at `t` (empty when none are held).
    pub fn take(&mut self, t: Time) -> Vec<T> {
        if !self.held.is_empty() {
            self.last = Some(t);
        }
        std::mem::take(&mut self.held)
    }

    /// Forgets the held additions (a resync or a restart supersedes them).
    pub fn clear(&mut self) {
        self.held.clear();
    }
}

/// Every node's [`Learning`], with the held reports in order of when they
/// are due: for a driver that sees all nodes' events in one time-ordered
/// stream (the simulator).
#[derive(Clone, Debug)]
pub struct Learnings<T> {
    nodes: Vec<Learning<T>>,
    /// (due, node) for every node holding additions; stale entries (a
    /// node reported early) are skipped when popped.
    due: BinaryHeap<Reverse<(Time, usize)>>,
}

impl<T> Default for Learnings<T> {
    fn default() -> Self {
        Learnings { nodes: Vec::new(), due: BinaryHeap::new() }
    }
}

impl<T> Learnings<T> {
    /// Node `node`'s addition of `subject` at `t`: `Some` to report alone now.
    pub fn offer(&mut self, node: usize, t: Time, subject: T) -> Option<T> {
        if node >= self.nodes.len() {
            self.nodes.resize_with(node + 1, Learning::default);
        }
        let learning = &mut self.nodes[node];
        let was_due = learning.due();
        let alone = learning.offer(t, subject);
        if let (None, Some(due)) = (was_due, learning.due()) {
            self.due.push(Reverse((due, node)));
        }
        alone
    }

    /// What node `node` holds, reported at `t` (before its other news).
    pub fn take(&mut self, node: usize, t: Time) -> Vec<T> {
        self.nodes.get_mut(node).map(|l| l.take(t)).unwrap_or_default()
    }

    /// Forgets what node `node` holds (it crashed or restarted: a real
    /// node's held report dies with its task).
    pub fn clear(&mut self, node: usize) {
        if let Some(l) = self.nodes.get_mut(node) {
            l.clear();
        }
    }

    /// The next report due at or before `t`: the node, its additions and
    /// the time it is due (the line's stamp).
    pub fn pop_due(&mut self, t: Time) -> Option<(usize, Vec<T>, Time)> {
        while let Some(&Reverse((due, node))) = self.due.peek() {
            if due > t {
                return None;
            }
            self.due.pop();
            // Skip an entry whose additions went out early with other news.
            if self.nodes[node].due() == Some(due) {
                return Some((node, self.nodes[node].take(due), due));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Time {
        Time::from_millis(n)
    }

    #[test]
    fn a_lone_addition_is_reported_at_once_and_a_burst_is_held_for_the_window() {
        let mut l = Learning::default();
        assert_eq!(l.offer(ms(1000), 1), Some(1));
        assert_eq!(l.due(), None);
        for s in 2..=5 {
            assert_eq!(l.offer(ms(1010), s), None, "within the window of the last report");
        }
        assert_eq!(l.due(), Some(ms(1100)));
        assert_eq!(l.take(ms(1100)), vec![2, 3, 4, 5]);
        assert_eq!(l.due(), None);
        // The window now runs from the batch's report.
        assert_eq!(l.offer(ms(1150), 6), None);
        assert_eq!(l.take(ms(1200)), vec![6]);
        assert_eq!(l.offer(ms(1300), 7), Some(7), "a quiet window later, alone again");
    }

    #[test]
    fn held_additions_keep_later_ones_waiting_even_after_the_window() {
        let mut l = Learning::default();
        l.offer(ms(0), 1);
        l.offer(ms(50), 2);
        // Past the window, but 2 still waits: 3 must not overtake it.
        assert_eq!(l.offer(ms(150), 3), None);
        assert_eq!(l.take(ms(150)), vec![2, 3]);
    }

    #[test]
    fn reports_come_due_in_time_order_across_nodes_and_early_ones_are_skipped() {
        let mut all = Learnings::default();
        assert_eq!(all.offer(0, ms(0), 10), Some(10));
        assert_eq!(all.offer(1, ms(30), 20), Some(20));
        all.offer(1, ms(40), 21);
        all.offer(0, ms(60), 11);
        all.offer(0, ms(70), 12);
        assert_eq!(all.pop_due(ms(99)), None);
        assert_eq!(all.pop_due(ms(100)), Some((0, vec![11, 12], ms(100))));
        // Node 1 reports early with other news: its heap entry goes stale.
        assert_eq!(all.take(1, ms(110)), vec![21]);
        assert_eq!(all.pop_due(ms(1000)), None);
    }

    #[test]
    fn only_a_new_alive_member_is_an_addition() {
        let addr = std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 1);
        let change = |from, to| Event::MemberChanged { member: addr, from, to, incarnation: 0 };
        assert_eq!(added_member(&change(None, State::Alive)), Some(addr));
        assert_eq!(added_member(&change(Some(State::Suspect), State::Alive)), None);
        assert_eq!(added_member(&change(None, State::Suspect)), None);
        assert!(is_view_change(&change(Some(State::Alive), State::Dead)));
        assert!(!is_view_change(&Event::HealthChanged { score: 1 }));
    }
}
