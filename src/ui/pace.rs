//! How fast the dashboard answers, measured where it happens: each
//! frame's draw time, and the time from a key reaching the event loop to
//! the end of the frame that shows its effect. Logged (with `--log`) as
//! one summary line every ten seconds, so the dashboard's responsiveness
//! at thousands of nodes is a figure in the log, not an impression.

use std::time::{Duration, Instant};

/// How often a summary line is written.
const EVERY: Duration = Duration::from_secs(10);

/// Frame and key timings since the last summary.
#[derive(Debug)]
pub struct Pace {
    frames_ms: Vec<f64>,
    keys_ms: Vec<f64>,
    /// The first key not yet shown by a frame.
    key_at: Option<Instant>,
    since: Instant,
}

impl Pace {
    /// Starts measuring now.
    pub fn new() -> Pace {
        Pace { frames_ms: Vec::new(), keys_ms: Vec::new(), key_at: None, since: Instant::now() }
    }

    /// A key reached the event loop (the first since the last frame counts).
    pub fn key(&mut self) {
        self.key_at.get_or_insert_with(Instant::now);
    }

    /// A frame whose drawing began at `started` is on screen.
    pub fn drawn(&mut self, started: Instant) {
        let now = Instant::now();
        self.frames_ms.push(ms(now - started));
        if let Some(key) = self.key_at.take() {
            self.keys_ms.push(ms(now - key));
        }
        if now - self.since >= EVERY {
            if let Some(line) = self.summary() {
                tracing::info!("dashboard pace: {line}");
            }
            self.frames_ms.clear();
            self.keys_ms.clear();
            self.since = now;
        }
    }

    /// "N frames: median, p99 and max ms; K keys: median and max ms".
    fn summary(&mut self) -> Option<String> {
        let frames = spread(&mut self.frames_ms)?;
        let keys = spread(&mut self.keys_ms).map_or_else(
            || "no keys".to_owned(),
            |(n, med, _, max)| format!("{n} keys answered in median {med:.1} ms, max {max:.1} ms"),
        );
        let (n, med, p99, max) = frames;
        Some(format!("{n} frames drawn in median {med:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; {keys}"))
    }
}

impl Default for Pace {
    fn default() -> Self {
        Pace::new()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Count, median, 99th percentile and maximum (None when empty).
fn spread(values: &mut [f64]) -> Option<(usize, f64, f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((values.len(), at(0.5), at(0.99), values[values.len() - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_timed_to_the_end_of_the_next_frame_only() {
        let mut pace = Pace::new();
        pace.key();
        pace.key(); // the first unanswered key counts
        let started = Instant::now();
        pace.drawn(started);
        pace.drawn(Instant::now());
        assert_eq!((pace.frames_ms.len(), pace.keys_ms.len()), (2, 1));
        let line = pace.summary().expect("frames");
        assert!(line.starts_with("2 frames drawn") && line.contains("1 keys answered"), "{line}");
    }

    #[test]
    fn the_spread_is_read_off_the_sorted_values() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(spread(&mut v), Some((5, 3.0, 5.0, 5.0)));
        assert_eq!(spread(&mut []), None);
    }
}
