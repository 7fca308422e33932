//! A replay's transport: where the cursor is in the recording, whether it
//! plays, and how fast. Pure state with no clock inside: the event loop
//! passes the wall time that went by, so every key and every tick can be
//! tested by feeding values here.

use std::time::Duration;

use crate::protocol::Time;

/// The speeds `<` and `>` step through.
pub const SPEEDS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
/// The speed a replay starts at (×1).
const NORMAL: usize = 2;

/// The cursor over a recording of `end` long, and how it moves.
#[derive(Clone, Debug, PartialEq)]
pub struct Transport {
    /// The recorded time on screen.
    pub cursor: Time,
    /// The recording's last time stamp.
    pub end: Time,
    /// The cursor advances with the wall clock.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    speed: usize,
}

impl Transport {
    /// Paused at the start of a recording that ends at `end`, at ×1.
    pub fn new(end: Time) -> Transport {
        Transport { cursor: Time::ZERO, end, playing: false, speed: NORMAL }
    }

    /// The playing speed, as a factor of real time.
    pub fn speed(&self) -> f64 {
        SPEEDS[self.speed]
    }

    /// "×0.25", "×1", "×16".
    pub fn speed_label(&self) -> String {
        format!("×{}", self.speed())
    }

    /// Advances the cursor by `elapsed` wall time at the speed, while
    /// playing; playing stops at the end. Whether the cursor moved.
    pub fn tick(&mut self, elapsed: Duration) -> bool {
        if !self.playing {
            return false;
        }
        let before = self.cursor;
        self.seek(self.cursor + elapsed.mul_f64(self.speed()));
        if self.cursor >= self.end {
            self.playing = false;
        }
        self.cursor != before
    }

    /// Plays or pauses. Playing from the end starts over, as a player
    /// does, rather than stopping again at once.
    pub fn toggle(&mut self) {
        if !self.playing && self.cursor >= self.end {
            self.cursor = Time::ZERO;
        }
        self.playing = !self.playing;
    }

    /// Moves the cursor to `t`, kept within the recording.
    pub fn seek(&mut self, t: Time) {
        self.cursor = t.min(self.end);
    }

    /// Moves the cursor `by` seconds, back when negative.
    pub fn step(&mut self, by: i64) {
        let d = Duration::from_secs(by.unsigned_abs());
        self.seek(if by < 0 { self.cursor - d } else { self.cursor + d });
    }

    /// One speed up (`faster`) or down, held at the ends of [`SPEEDS`].
    pub fn shift_speed(&mut self, faster: bool) {
        self.speed = if faster { (self.speed + 1).min(SPEEDS.len() - 1) } else { self.speed.saturating_sub(1) };
    }

    /// Jumps to the first of `times` after the cursor (`forward`) or the
    /// last before it; where there is none, the cursor stays. Whether it
    /// moved.
    pub fn jump(&mut self, times: impl IntoIterator<Item = Time>, forward: bool) -> bool {
        let now = self.cursor;
        let times = times.into_iter().filter(|&t| t <= self.end);
        let to = if forward { times.filter(|&t| t > now).min() } else { times.filter(|&t| t < now).max() };
        if let Some(t) = to {
            self.cursor = t;
        }
        to.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Time {
        Time::from_micros((s * 1e6) as u64)
    }

    #[test]
    fn playing_advances_at_the_speed_and_stops_at_the_end() {
        let mut t = Transport::new(secs(10.0));
        assert!(!t.tick(Duration::from_secs(1)), "paused: the cursor stays");
        assert_eq!(t.cursor, Time::ZERO);
        t.toggle();
        assert!(t.tick(Duration::from_millis(500)));
        assert_eq!(t.cursor, secs(0.5));
        t.shift_speed(true);
        t.tick(Duration::from_millis(500));
        assert_eq!(t.cursor, secs(1.5), "×2 plays one second in half a second");
        t.tick(Duration::from_secs(60));
        assert_eq!((t.cursor, t.playing), (secs(10.0), false), "held at the end, and stopped");
        assert!(!t.tick(Duration::from_secs(1)));
        t.toggle();
        assert_eq!((t.cursor, t.playing), (Time::ZERO, true), "play at the end starts over");
    }

    #[test]
    fn steps_and_seeks_stay_inside_the_recording() {
        let mut t = Transport::new(secs(30.0));
        t.step(-1);
        assert_eq!(t.cursor, Time::ZERO);
        t.step(10);
        t.step(1);
        assert_eq!(t.cursor, secs(11.0));
        t.step(-10);
        assert_eq!(t.cursor, secs(1.0));
        t.step(100);
        assert_eq!(t.cursor, secs(30.0));
        t.seek(Time::ZERO);
        assert_eq!(t.cursor, Time::ZERO);
    }

    #[test]
    fn speeds_run_from_a_quarter_to_sixteen_and_hold_at_the_ends() {
        let mut t = Transport::new(secs(1.0));
        assert_eq!(t.speed_label(), "×1");
        for _ in 0..10 {
            t.shift_speed(false);
        }
        assert_eq!(t.speed_label(), "×0.25");
        let mut seen = vec![t.speed()];
        for _ in 0..10 {
            t.shift_speed(true);
            seen.push(t.speed());
        }
        seen.dedup();
        assert_eq!(seen, SPEEDS);
        assert_eq!(t.speed_label(), "×16");
    }

    #[test]
    fn jumps_go_to_the_nearest_mark_on_either_side_or_stay() {
        let marks = [secs(2.0), secs(5.0), secs(5.0), secs(9.0), secs(40.0)];
        let mut t = Transport::new(secs(20.0));
        assert!(t.jump(marks, true));
        assert_eq!(t.cursor, secs(2.0));
        t.jump(marks, true);
        assert_eq!(t.cursor, secs(5.0), "two marks at one time are one stop");
        t.jump(marks, true);
        t.jump(marks, true);
        assert_eq!(t.cursor, secs(9.0), "a mark past the end is no stop");
        assert!(!t.jump(marks, true));
        t.jump(marks, false);
        assert_eq!(t.cursor, secs(5.0));
        t.seek(secs(1.0));
        assert!(!t.jump(marks, false), "none before: the cursor stays");
        assert_eq!(t.cursor, secs(1.0));
    }
}
