//! The phi-accrual failure detector of one observer for one subject
//! (Hayashibara et al. 2004, in Akka's form).
//!
//! phi(t) = −log10(1 − F(t − last arrival)), where F is the CDF of a
//! normal fitted to the window of inter-arrival times, its mean raised by
//! the acceptable pause and its sd floored. F is Akka's logistic
//! approximation of the normal CDF, 1 / (1 + e^(−y(1.5976 + 0.070566 y²))),
//! within 1.4e-4 of the true CDF everywhere; it is also what makes the
//! tail computable without the underflow of 1 − Φ(y) for large y.

use std::collections::VecDeque;
use std::time::Duration;

use super::Config;
use crate::protocol::Time;

/// Phi is capped here: past it a double no longer tells values apart,
/// and every threshold a profile can set (≤ 16) is far below.
pub const MAX_PHI: f64 = 100.0;

/// phi for a silence of `elapsed` under a normal of `mean` and `sd`, all
/// in the same unit.
pub fn phi_of(elapsed: f64, mean: f64, sd: f64) -> f64 {
    let y = (elapsed - mean) / sd;
    let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
    let phi = if elapsed > mean { -(e / (1.0 + e)).log10() } else { -(1.0 - 1.0 / (1.0 + e)).log10() };
    if phi.is_finite() { phi.clamp(0.0, MAX_PHI) } else { MAX_PHI }
}

/// The arrival history of one subject's heartbeats, as one observer saw
/// them.
#[derive(Clone, Debug)]
pub struct Detector {
    /// Inter-arrival times, milliseconds, oldest first.
    samples: VecDeque<f64>,
    sum: f64,
    sum_sq: f64,
    last: Option<Time>,
}

impl Detector {
    /// A detector that has seen one heartbeat, at `now`, and assumes the
    /// configured first estimate until real intervals arrive: two
    /// samples at mean ± mean/4, as Akka bootstraps it.
    pub fn new(config: &Config, now: Time) -> Detector {
        let mean = ms(config.first_heartbeat_estimate);
        let mut d = Detector { samples: VecDeque::new(), sum: 0.0, sum_sq: 0.0, last: Some(now) };
        d.push(mean - mean / 4.0, config.window);
        d.push(mean + mean / 4.0, config.window);
        d
    }

    fn push(&mut self, sample: f64, window: usize) {
        if self.samples.len() >= window.max(2)
            && let Some(old) = self.samples.pop_front()
        {
            self.sum -= old;
            self.sum_sq -= old * old;
        }
        self.samples.push_back(sample);
        self.sum += sample;
        self.sum_sq += sample * sample;
    }

    /// A heartbeat arrived at `now`: its interval since the last one joins
    /// the window, unless `count` is false (the first arrival after the
    /// subject was convicted, whose gap is the outage, not its rhythm).
    pub fn arrive(&mut self, now: Time, count: bool, window: usize) {
        if count && let Some(last) = self.last {
            self.push(ms(now.saturating_since(last)), window);
        }
        self.last = Some(now);
    }

    /// The observer itself was not running for `lag`: that silence is not
    /// the subject's, so the last arrival moves forward by it.
    pub fn forgive(&mut self, lag: Duration, now: Time) {
        if let Some(last) = self.last.as_mut() {
            *last = (*last + lag).min(now);
        }
    }

    /// The fitted mean (pause included) and sd, milliseconds.
    pub fn fit(&self, config: &Config) -> (f64, f64) {
        let n = self.samples.len().max(1) as f64;
        let mean = self.sum / n;
        let var = (self.sum_sq / n - mean * mean).max(0.0);
        (mean + ms(config.acceptable_pause), var.sqrt().max(ms(config.min_std_dev)))
    }

    /// Milliseconds since the last arrival at `now`, if there was one.
    pub fn silence_ms(&self, now: Time) -> Option<f64> {
        self.last.map(|last| ms(now.saturating_since(last)))
    }

    /// phi at `now`.
    pub fn phi(&self, config: &Config, now: Time) -> f64 {
        let Some(last) = self.last else { return 0.0 };
        let (mean, sd) = self.fit(config);
        phi_of(ms(now.saturating_since(last)), mean, sd)
    }

    /// How long after `now` phi reaches `target`, at the current fit.
    pub fn time_to(&self, config: &Config, now: Time, target: f64) -> Duration {
        let Some(last) = self.last else { return Duration::ZERO };
        let (mean, sd) = self.fit(config);
        let at = silence_for(target, mean, sd);
        Duration::from_secs_f64(((at - ms(now.saturating_since(last))) / 1000.0).max(0.0))
    }
}

/// The silence (ms) at which phi reaches `target` under (`mean`, `sd`).
///
/// Closed form, because it runs at every heartbeat arrival: phi = t means
/// e/(1+e) = 10^−t, so ln e = −t·ln 10 − ln(1 − 10^−t), and
/// −y(1.5976 + 0.070566 y²) = ln e is a depressed cubic in y with one
/// real root (its linear coefficient is positive), found by Cardano.
pub fn silence_for(target: f64, mean: f64, sd: f64) -> f64 {
    const A: f64 = 1.5976;
    const B: f64 = 0.070566;
    if target <= 0.0 {
        return 0.0;
    }
    let target = target.min(MAX_PHI);
    let ln_e = -target * std::f64::consts::LN_10 - (-(10f64.powf(-target))).ln_1p();
    // y³ + p·y + q = 0.
    let (p, q) = (A / B, ln_e / B);
    let root = (q * q / 4.0 + p * p * p / 27.0).sqrt();
    let y = (-q / 2.0 + root).cbrt() + (-q / 2.0 - root).cbrt();
    (mean + y * sd).max(0.0)
}

/// A duration in milliseconds, the detector's unit.
pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_matches_hand_computed_values() {
        // y = 0: e = 1, phi = -log10(1/2) = 0.30103.
        assert!((phi_of(1000.0, 1000.0, 100.0) - std::f64::consts::LOG10_2).abs() < 1e-4);
        // y = 1: e = exp(-(1.5976 + 0.070566)) = 0.18853; phi = -log10(e/(1+e)) = 0.79876.
        assert!((phi_of(1100.0, 1000.0, 100.0) - 0.79876).abs() < 1e-3);
        // y = 3: e = exp(-3(1.5976 + 0.635094)) = 0.0012308; phi ≈ 2.9103.
        assert!((phi_of(1300.0, 1000.0, 100.0) - 2.9103).abs() < 1e-3);
        // Far past the mean phi is capped, never infinite or NaN.
        assert_eq!(phi_of(1e9, 1000.0, 100.0), MAX_PHI);
        // Before the mean it is small.
        assert!(phi_of(500.0, 1000.0, 100.0) < 0.01);
    }

    #[test]
    fn silence_for_inverts_phi() {
        for target in [0.1, 0.5, 1.0, 4.0, 8.0, 12.0, 16.0] {
            let t = silence_for(target, 4000.0, 100.0);
            assert!((phi_of(t, 4000.0, 100.0) - target).abs() < 1e-6, "{target}: {t}");
        }
        assert_eq!(silence_for(0.0, 4000.0, 100.0), 0.0);
    }

    #[test]
    fn the_window_slides_and_the_fit_follows_it() {
        let c = Config { window: 4, acceptable_pause: Duration::ZERO, ..Config::fast() };
        let mut d = Detector::new(&c, Time::ZERO);
        for i in 1..=10 {
            d.arrive(Time::from_millis(i * 500), true, c.window);
        }
        let (mean, sd) = d.fit(&c);
        assert!((mean - 500.0).abs() < 1e-9, "the bootstrap samples slid out: {mean}");
        assert_eq!(sd, 20.0, "a regular history is floored at min_std_dev");
        assert!(d.phi(&c, Time::from_millis(5500)) < 0.5);
        assert!(d.phi(&c, Time::from_millis(5700)) > 8.0);
    }

    #[test]
    fn a_forgiven_lag_does_not_count_as_the_subjects_silence() {
        let c = Config::fast();
        let mut d = Detector::new(&c, Time::ZERO);
        let late = Time::from_secs(5);
        assert!(d.phi(&c, late) > c.phi_convict);
        d.forgive(Duration::from_millis(4900), late);
        assert!(d.phi(&c, late) < c.phi_suspect());
    }
}
