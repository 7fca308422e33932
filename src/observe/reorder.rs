//! Session-log lines put back in time order before anyone reads them.
//!
//! In the UDP runtime every line is stamped where its event happened: a
//! node task, the lab, the observer's own metrics tick. The lines then meet
//! in one channel in whatever order the tasks ran, and the observer's
//! `select!` may take a metrics tick while older events are still queued.
//! So the observer holds lines here for a short window and takes them out
//! in stamp order once they are older than the window (the observer picks
//! the window: see `runtime::observer`); the log and the
//! [`super::Session`] fold, which both read what comes out, are in time
//! order by construction.
//!
//! A line that comes in after a newer line already went out (it waited
//! longer than the window: a starved task, an overloaded machine) goes out
//! next, its stamp raised to the last one out, and is counted in
//! [`Reorder::late`]. The file keeps its order; the count says how often
//! that cost a line its true time. Nothing is held back for good: the
//! observer takes everything out on every exit path.
//!
//! The simulator needs none of this: its events come out of one
//! deterministic queue, already in time order.

use super::record::Line;
use crate::protocol::Time;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A reordering buffer over session-log lines.
#[derive(Debug, Default)]
pub struct Reorder {
    held: BinaryHeap<Reverse<Held>>,
    /// Arrival count: lines with the same stamp keep their arrival order.
    arrivals: u64,
    /// The stamp of the last line taken out: nothing older goes out after it.
    out: Time,
    late: u64,
}

#[derive(Debug)]
struct Held {
    t: Time,
    arrival: u64,
    line: Line,
}

impl Held {
    fn key(&self) -> (Time, u64) {
        (self.t, self.arrival)
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Held {}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Held) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Held {
    fn cmp(&self, other: &Held) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl Reorder {
    /// Takes a line in. One older than the last line out is late: its
    /// stamp is raised to that line's, and it goes out next.
    pub fn push(&mut self, mut line: Line) {
        let mut t = line.time();
        if t < self.out {
            self.late += 1;
            t = self.out;
            line = Line::at(t, line.record);
        }
        self.arrivals += 1;
        self.held.push(Reverse(Held { t, arrival: self.arrivals, line }));
    }

    /// The oldest line, if it is stamped at or before `through` (the
    /// clock minus the window).
    pub fn pop_through(&mut self, through: Time) -> Option<Line> {
        let ready = self.held.peek().is_some_and(|Reverse(h)| h.t <= through);
        if ready { self.pop() } else { None }
    }

    /// The oldest line, however young (to empty the window at the end).
    pub fn pop(&mut self) -> Option<Line> {
        let Reverse(held) = self.held.pop()?;
        self.out = held.t;
        Some(held.line)
    }

    /// Lines held now.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Nothing is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Lines that came in later than the window, their stamps raised.
    pub fn late(&self) -> u64 {
        self.late
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::record::{NodeChange, Record};

    fn line(ms: u64, node: usize) -> Line {
        Line::at(Time::from_millis(ms), Record::Node { node, addr: String::new(), event: NodeChange::Up })
    }

    fn node(l: &Line) -> usize {
        match l.record {
            Record::Node { node, .. } => node,
            _ => unreachable!(),
        }
    }

    /// What a 100 ms window releases at `now_ms`.
    fn drain_ready(r: &mut Reorder, now_ms: u64) -> Vec<(f64, usize)> {
        let through = Time::from_millis(now_ms.saturating_sub(100));
        std::iter::from_fn(|| r.pop_through(through)).map(|l| (l.t_ms, node(&l))).collect()
    }

    #[test]
    fn an_out_of_order_burst_comes_out_in_stamp_order_once_older_than_the_window() {
        let mut r = Reorder::default();
        for (ms, n) in [(50, 0), (10, 1), (30, 2), (10, 3), (120, 4)] {
            r.push(line(ms, n));
        }
        assert_eq!(drain_ready(&mut r, 105), [], "nothing is 100 ms old yet");
        assert_eq!(drain_ready(&mut r, 130), [(10.0, 1), (10.0, 3), (30.0, 2)], "equal stamps keep arrival order");
        assert_eq!(drain_ready(&mut r, 219), [(50.0, 0)]);
        assert_eq!(r.len(), 1);
        assert_eq!(r.pop().map(|l| node(&l)), Some(4), "the end takes out even the youngest");
        assert!(r.is_empty());
        assert_eq!(r.late(), 0);
    }

    #[test]
    fn a_line_later_than_the_window_goes_out_next_at_the_last_stamp_and_is_counted() {
        let mut r = Reorder::default();
        r.push(line(200, 0));
        r.push(line(400, 1));
        assert_eq!(drain_ready(&mut r, 300), [(200.0, 0)]);
        r.push(line(150, 2));
        assert_eq!(r.late(), 1);
        assert_eq!(drain_ready(&mut r, 300), [(200.0, 2)], "raised to the last stamp out, not held back");
        r.push(line(200, 3));
        assert_eq!(r.late(), 1, "as old as the last line out is not late");
        assert_eq!(drain_ready(&mut r, 600), [(200.0, 3), (400.0, 1)]);
    }
}
