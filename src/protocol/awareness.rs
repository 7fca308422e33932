//! Lifeguard local health ("awareness").
//!
//! A node that misses acks may be the slow one: overloaded, stalled, or
//! starved of CPU. Lifeguard lets it notice from its own evidence (failed
//! probes that helpers did not nack, having to refute accusations) and then
//! probe more patiently, so a sick node stops accusing healthy ones.

use std::time::Duration;

/// The local health score: 0 is healthy, `max − 1` is the sickest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Awareness {
    max: u32,
    score: u32,
}

impl Awareness {
    /// A healthy score with ceiling `max` (memberlist: 8). `max` of 0 or 1
    /// pins the score at 0, which is how the extension is switched off.
    pub fn new(max: u32) -> Awareness {
        Awareness { max: max.max(1), score: 0 }
    }

    /// The current score.
    pub fn score(&self) -> u32 {
        self.score
    }

    /// The ceiling the score stays below.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Adds `delta` (negative is healthier), clamped to `0..max`. Returns
    /// true when the score changed.
    pub fn apply(&mut self, delta: i64) -> bool {
        let upper = i64::from(self.max - 1);
        let next = (i64::from(self.score) + delta).clamp(0, upper) as u32;
        let changed = next != self.score;
        self.score = next;
        changed
    }

    /// Scales a timeout by `score + 1`.
    pub fn scale(&self, timeout: Duration) -> Duration {
        timeout * (self.score + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_rises_and_falls_within_bounds() {
        let mut a = Awareness::new(8);
        assert!(!a.apply(-1), "already at 0: no change");
        assert!(a.apply(3));
        assert_eq!(a.score(), 3);
        assert!(a.apply(100));
        assert_eq!(a.score(), 7, "clamped to max − 1");
        assert!(a.apply(-1));
        assert_eq!(a.score(), 6);
        assert!(a.apply(-100));
        assert_eq!(a.score(), 0);
    }

    #[test]
    fn timeouts_scale_by_score_plus_one() {
        let mut a = Awareness::new(8);
        let base = Duration::from_millis(500);
        assert_eq!(a.scale(base), base);
        a.apply(2);
        assert_eq!(a.scale(base), Duration::from_millis(1500));
    }

    #[test]
    fn max_of_one_disables_scaling() {
        let mut a = Awareness::new(1);
        a.apply(5);
        assert_eq!(a.score(), 0);
        assert_eq!(a.scale(Duration::from_secs(1)), Duration::from_secs(1));
    }
}
