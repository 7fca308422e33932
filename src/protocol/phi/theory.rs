//! What the phi family's configuration implies, next to what a run
//! measures: the time to conviction after a crash, and the rate of false
//! convictions under jitter and loss.
//!
//! - **Conviction.** After a subject's last heartbeat reaches an observer,
//!   phi grows with the silence t under the fitted normal (mean: the
//!   interval plus the acceptable pause; sd: max(jitter, min_std_dev)); conviction is at
//!   the t where phi(t) = `phi_convict`, i.e. t = mean + sd·z with
//!   1 − Φ(z) = 10^−φ, computed with the detector's own CDF so the two
//!   agree. Phi is judged once a round, so add up to a round; and an
//!   observer's last news may be second-hand, up to the relay delay of
//!   gossip older than the crash (about log_fanout N rounds).
//! - **False convictions.** A heartbeat reaches an observer by many
//!   paths; the model takes the `fanout` direct paths of a round as the
//!   independent ones, so a round's news is missed with probability
//!   loss^fanout. A live subject is convicted when the observer misses
//!   every round for the whole conviction silence (m = ⌈t / interval⌉
//!   rounds in a row), or when its jitter alone outruns the tail the
//!   threshold allows (10^−φ per heartbeat, by the definition of phi). The
//!   rate per observer and subject is then (loss^(fanout·m) + 10^−φ) per
//!   round. It ignores the correlation of losses on shared links and the
//!   extra paths of relayed digests, so it bounds the rate from above when
//!   relays are plentiful.

use std::time::Duration;

use super::Config;
use super::detector::silence_for;

/// The silence after the last heartbeat at which phi reaches the
/// threshold, for heartbeats every `interval` with `jitter` of spread.
pub fn expected_conviction(cfg: &Config, interval: Duration, jitter: Duration) -> Duration {
    let mean = (interval + cfg.acceptable_pause).as_secs_f64() * 1000.0;
    let sd = jitter.max(cfg.min_std_dev).as_secs_f64() * 1000.0;
    Duration::from_secs_f64(silence_for(cfg.phi_convict, mean, sd) / 1000.0)
}

/// The silence after the last heartbeat at which phi reaches half the
/// threshold: the subject becomes a suspect.
pub fn expected_suspicion(cfg: &Config, interval: Duration, jitter: Duration) -> Duration {
    let mean = (interval + cfg.acceptable_pause).as_secs_f64() * 1000.0;
    let sd = jitter.max(cfg.min_std_dev).as_secs_f64() * 1000.0;
    Duration::from_secs_f64(silence_for(cfg.phi_suspect(), mean, sd) / 1000.0)
}

/// The full detection time to expect after a crash in a cluster of `n`:
/// the conviction silence, plus a round of judging resolution, plus the
/// age of an observer's last second-hand news (log_fanout n rounds).
pub fn expected_detection(cfg: &Config, n: usize, jitter: Duration) -> Duration {
    let relay_rounds = (n.max(2) as f64).ln() / (cfg.fanout.max(2) as f64).ln();
    expected_conviction(cfg, cfg.heartbeat_interval, jitter)
        + cfg.heartbeat_interval
        + cfg.heartbeat_interval.mul_f64(relay_rounds.ceil())
}

/// False convictions per observer, per subject, per second, for
/// independent `loss` on every datagram and `jitter` of spread.
pub fn false_conviction_rate(cfg: &Config, jitter: Duration, loss: f64) -> f64 {
    let interval = cfg.heartbeat_interval.as_secs_f64();
    let silence = expected_conviction(cfg, cfg.heartbeat_interval, jitter).as_secs_f64();
    let rounds = (silence / interval).ceil().max(1.0);
    let missed_round = loss.clamp(0.0, 1.0).powi(cfg.fanout.max(1) as i32);
    (missed_round.powf(rounds) + 10f64.powf(-cfg.phi_convict)) / interval
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conviction_is_the_mean_plus_the_tail_the_threshold_allows() {
        let c = Config::cassandra();
        // mean 1 s + 3 s pause, sd floored at 100 ms: phi 8 is reached
        // 5.227 sd past the mean: y(1.5976 + 0.070566 y²) = ln(10^8) there,
        // where the logistic CDF leaves a 10^-8 tail.
        let t = expected_conviction(&c, c.heartbeat_interval, Duration::ZERO).as_secs_f64();
        assert!((t - 4.5227).abs() < 0.001, "{t}");
        // More jitter, later conviction; a lower threshold, earlier.
        assert!(expected_conviction(&c, c.heartbeat_interval, Duration::from_millis(500)).as_secs_f64() > t + 1.0);
        let low = Config { phi_convict: 5.0, ..c.clone() };
        assert!(expected_conviction(&low, low.heartbeat_interval, Duration::ZERO).as_secs_f64() < t);
    }

    #[test]
    fn false_convictions_grow_with_loss_and_fall_with_the_threshold() {
        let c = Config::cassandra();
        let quiet = false_conviction_rate(&c, Duration::ZERO, 0.0);
        assert!((quiet - 1e-8).abs() < 1e-12, "no loss leaves the threshold's own tail: {quiet}");
        let lossy = false_conviction_rate(&c, Duration::ZERO, 0.5);
        // 5 rounds of silence, each missed with 0.5^3: (1/8)^5 = 3.05e-5.
        assert!((lossy - (0.125f64.powi(5) + 1e-8)).abs() < 1e-9, "{lossy}");
        let strict = Config { phi_convict: 12.0, ..c };
        assert!(false_conviction_rate(&strict, Duration::ZERO, 0.5) < lossy);
    }
}
