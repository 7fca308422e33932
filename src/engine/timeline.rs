//! The timeline player: a pure cursor over a profile's steps. The
//! dashboard, `run` and `run --sim` each drive it with their own clock.

use std::time::Duration;

use crate::scenario::Step;

/// The steps not played yet, in time order.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    steps: Vec<Step>,
    next: usize,
}

impl Timeline {
    /// A player over `steps` (already in time order, as the config gives them).
    pub fn new(steps: Vec<Step>) -> Timeline {
        Timeline { steps, next: 0 }
    }

    /// When the next step is due, from the start; `None` once all are played.
    pub fn next_at(&self) -> Option<Duration> {
        self.steps.get(self.next).map(|s| s.at)
    }

    /// The next step, if it is due at `now` (from the start).
    pub fn due(&mut self, now: Duration) -> Option<Step> {
        let step = self.steps.get(self.next).filter(|s| s.at <= now)?.clone();
        self.next += 1;
        Some(step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Action;

    fn step(ms: u64) -> Step {
        Step { at: Duration::from_millis(ms), action: Action::Heal, origin: 1 }
    }

    #[test]
    fn due_hands_out_steps_in_order_only_once_their_time_came() {
        let mut t = Timeline::new(vec![step(10), step(10), step(30)]);
        assert_eq!(t.next_at(), Some(Duration::from_millis(10)));
        assert!(t.due(Duration::from_millis(9)).is_none());
        assert!(t.due(Duration::from_millis(10)).is_some());
        assert!(t.due(Duration::from_millis(10)).is_some());
        assert!(t.due(Duration::from_millis(29)).is_none());
        assert_eq!(t.next_at(), Some(Duration::from_millis(30)));
        assert!(t.due(Duration::from_secs(1)).is_some());
        assert_eq!(t.next_at(), None);
        assert!(t.due(Duration::from_secs(9)).is_none());
    }
}
