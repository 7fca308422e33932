//! The dashboard's event log: the last [`EVENT_LOG`] lines worth showing,
//! kept raw and formatted only when a snapshot asks.
//!
//! A join burst brings a million member lines; formatting each only to
//! keep the last two thousand would make the line path the bottleneck. So
//! a line costs a clone into a ring, and a snapshot formats only the lines
//! that came since the previous one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

use crate::observe::record::Line;
use crate::observe::snapshot::{EventLine, event_line, shows};

/// Events kept for the dashboard's log.
pub const EVENT_LOG: usize = 2000;

/// The event log: raw lines in, formatted lines out.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    /// The newest lines worth showing, oldest first.
    raw: VecDeque<Line>,
    /// How many lines were ever pushed: what the cache is measured against.
    pushed: u64,
    /// The formatted log as of `Formatted::through` pushes. Behind a
    /// `RefCell` so that taking a snapshot reads the board, as a replay
    /// and the live path both do, without a `&mut`.
    formatted: RefCell<Formatted>,
}

#[derive(Clone, Debug, Default)]
struct Formatted {
    through: u64,
    lines: VecDeque<EventLine>,
    shared: Arc<Vec<EventLine>>,
}

impl EventLog {
    /// Keeps `line` if the event log shows it.
    pub fn push(&mut self, line: &Line) {
        if !shows(&line.record) {
            return;
        }
        if self.raw.len() == EVENT_LOG {
            self.raw.pop_front();
        }
        self.raw.push_back(line.clone());
        self.pushed += 1;
    }

    /// The log, oldest first, formatting only what came since the last
    /// call; shared between snapshots until a new line arrives.
    pub fn lines(&self) -> Arc<Vec<EventLine>> {
        let mut f = self.formatted.borrow_mut();
        if f.through != self.pushed {
            let new = usize::try_from(self.pushed - f.through).unwrap_or(usize::MAX).min(self.raw.len());
            for line in self.raw.range(self.raw.len() - new..).filter_map(event_line) {
                if f.lines.len() == EVENT_LOG {
                    f.lines.pop_front();
                }
                f.lines.push_back(line);
            }
            f.through = self.pushed;
            f.shared = Arc::new(f.lines.iter().cloned().collect());
        }
        f.shared.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::record::Record;
    use crate::protocol::Time;

    fn health(i: u64) -> Line {
        Line::at(Time::from_millis(i), Record::Health { node: 0, score: i as u32 })
    }

    #[test]
    fn formatting_late_or_at_every_line_gives_the_same_log() {
        let (mut lazy, mut eager) = (EventLog::default(), EventLog::default());
        for i in 0..(EVENT_LOG as u64 * 2 + 7) {
            lazy.push(&health(i));
            eager.push(&health(i));
            if i % 333 == 0 {
                eager.lines();
            }
        }
        let (l, e) = (lazy.lines(), eager.lines());
        assert_eq!(l.len(), EVENT_LOG);
        assert_eq!(l, e);
        assert_eq!(l.last().unwrap().text, format!("0 health score {}", EVENT_LOG * 2 + 6));
        assert!(Arc::ptr_eq(&lazy.lines(), &l), "shared until a new line arrives");
    }
}
