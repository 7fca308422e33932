//! What the configuration implies: theoretical figures to print next to the
//! measured ones, so a reader can tell a fast result from a lucky one.

use std::time::Duration;

use crate::protocol::Config;

/// The Serf/epidemic model of gossip spread: the fraction of `n` nodes
/// informed `t` after injection, with `fanout` peers per `interval` and link
/// `loss`: `I(t)/N = 1/(1+(N+1)·e^(−fanout·(1−loss)·0.5·t/interval))`.
pub fn serf_fraction(t: Duration, n: usize, fanout: usize, interval: Duration, loss: f64) -> f64 {
    let rate = fanout as f64 * (1.0 - loss) * 0.5 / interval.as_secs_f64();
    1.0 / (1.0 + (n as f64 + 1.0) * (-rate * t.as_secs_f64()).exp())
}

/// The time at which [`serf_fraction`] reaches `fraction` (in (0, 1)).
pub fn serf_time_to(fraction: f64, n: usize, fanout: usize, interval: Duration, loss: f64) -> Duration {
    let rate = fanout as f64 * (1.0 - loss) * 0.5 / interval.as_secs_f64();
    let f = fraction.clamp(1e-9, 1.0 - 1e-9);
    let t = ((n as f64 + 1.0) * f / (1.0 - f)).ln() / rate;
    Duration::from_secs_f64(t.max(0.0))
}

/// What failure detection of one crash in a cluster of `n` should take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectionBounds {
    /// Expected time to the first suspicion: with every node probing one
    /// member per period, the victim is first probed after e/(e−1) ≈ 1.58
    /// periods on average (the SWIM paper's figure), and that probe fails
    /// one period after it starts. An average, not a ceiling: the time to
    /// the first probe is geometric, with a tail of a few periods.
    pub first_suspect: Duration,
    /// Expected first suspicion plus the longest suspicion timeout (as if
    /// no confirmation ever came): an upper bound on the suspicion part.
    pub first_dead: Duration,
    /// First dead plus the time for the death to reach 99.99% by gossip.
    pub full: Duration,
    /// What full detection should take when the suspicion is confirmed in
    /// time, as it is whenever enough members probe the victim before the
    /// shortest timeout runs out: expected first suspicion + the shortest
    /// suspicion timeout + the 99.99% spread. The figure to hold a run's
    /// median against; [`DetectionBounds::full`] is the ceiling.
    pub full_confirmed: Duration,
}

/// The detection bounds `config` implies at cluster size `n`.
pub fn detection_bounds(config: &Config, n: usize) -> DetectionBounds {
    let e = std::f64::consts::E;
    let first_suspect = config.probe_interval.mul_f64(e / (e - 1.0) + 1.0);
    let first_dead = first_suspect + config.suspicion_max(n);
    let spread = serf_time_to(0.9999, n, config.gossip_nodes, config.gossip_interval, 0.0);
    let full_confirmed = first_suspect + config.suspicion_min(n) + spread;
    DetectionBounds { first_suspect, first_dead, full: first_dead + spread, full_confirmed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serf_model_matches_the_published_figure() {
        // 1,000 nodes, fanout 3, 200 ms: 99.99% at about 2.15 s.
        let t = serf_time_to(0.9999, 1000, 3, Duration::from_millis(200), 0.0);
        assert!((t.as_secs_f64() - 2.15).abs() < 0.01, "{t:?}");
        let f = serf_fraction(t, 1000, 3, Duration::from_millis(200), 0.0);
        assert!((f - 0.9999).abs() < 1e-6);
        // Loss slows it down.
        assert!(serf_time_to(0.9999, 1000, 3, Duration::from_millis(200), 0.1) > t);
    }

    #[test]
    fn detection_bounds_grow_with_the_suspicion_timeout() {
        let c = Config::fast();
        let b = detection_bounds(&c, 32);
        // 200 ms × (e/(e−1) + 1) ≈ 516 ms.
        assert_eq!(b.first_suspect.as_millis(), 516);
        assert_eq!(b.first_dead, b.first_suspect + c.suspicion_max(32));
        assert!(b.full > b.first_dead);
        // Confirmed in time: 0.516 s + the shortest timeout (4 × log10 32 ×
        // 200 ms = 1.204 s) + the spread (ln(33 × 9999) / (3 × 0.5 / 50 ms)
        // = 0.424 s) = 2.144 s.
        assert!((b.full_confirmed.as_secs_f64() - 2.144).abs() < 0.002, "{:?}", b.full_confirmed);
        assert!(b.full_confirmed < b.full);
        let plain = detection_bounds(&c.clone().with_lifeguard(false), 32);
        assert!(plain.first_dead < b.first_dead);
    }
}
