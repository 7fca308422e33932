//! What the configuration implies: theoretical figures to print next to the
//! measured ones, so a reader can tell a fast result from a lucky one.
//!
//! Both models are held to the simulator by `tests/sim_theory.rs`.

use std::time::Duration;

use crate::protocol::{Config, phi};
use serde::{Deserialize, Serialize};

/// The epidemic rate of Serf's model, per second: each informed node
/// reaches `fanout` peers per `interval`, a share `1 − loss` of them.
///
/// Serf's published convergence simulator multiplies this by 0.5 (added
/// in its commit a9bb669, "simulator: added missing multiplier", with no
/// derivation given). That variant fits synchronous rounds: there a round
/// multiplies the informed by at most 1 + fanout, a log-rate of
/// ln(1 + fanout) per interval (1.39 at fanout 3, close to 0.5 × 3). This
/// lab's gossip timers run at a random phase per node and a newly informed
/// node sends at its next tick, so spread is a continuous-time epidemic:
/// its early growth rate r solves 1 = fanout · E[e^(−r·phase)] · Σ e^(−r·k·interval)
/// over the ticks that still carry the update, which is r = fanout/interval
/// when the retransmit budget lasts a few ticks. Hence no 0.5 here; the
/// simulator agrees (`tests/sim_theory.rs`, and the README's theory notes).
fn serf_rate(fanout: usize, interval: Duration, loss: f64) -> f64 {
    fanout as f64 * (1.0 - loss) / interval.as_secs_f64()
}

/// The Serf/epidemic model of gossip spread: the fraction of `n` nodes
/// informed `t` after injection, with `fanout` peers per `interval` and link
/// `loss`: `I(t)/N = 1/(1+(N+1)·e^(−fanout·(1−loss)·t/interval))`, the
/// continuous-time variant of Serf's formula (see [`serf_rate`] for why it
/// lacks Serf's 0.5).
pub fn serf_fraction(t: Duration, n: usize, fanout: usize, interval: Duration, loss: f64) -> f64 {
    let rate = serf_rate(fanout, interval, loss);
    1.0 / (1.0 + (n as f64 + 1.0) * (-rate * t.as_secs_f64()).exp())
}

/// The time at which [`serf_fraction`] reaches `fraction` (in (0, 1)).
pub fn serf_time_to(fraction: f64, n: usize, fanout: usize, interval: Duration, loss: f64) -> Duration {
    logistic_time_to(fraction, n, serf_rate(fanout, interval, loss))
}

/// When the logistic `1/(1+(n+1)·e^(−rate·t))` reaches `fraction`.
fn logistic_time_to(fraction: f64, n: usize, rate: f64) -> Duration {
    let f = fraction.clamp(1e-9, 1.0 - 1e-9);
    let t = ((n as f64 + 1.0) * f / (1.0 - f)).ln() / rate;
    Duration::from_secs_f64(t.max(0.0))
}

/// The expected time from a crash to its first suspicion anywhere, in a
/// healthy cluster of `n`: `T·(2 − 1/n)`, T the probe interval.
///
/// This lab's probing (`protocol::probe`, `node/probing.rs`): each node's
/// probe timer starts at a random phase and then ticks every T (Lifeguard
/// scales T by health + 1, and health is 0 in a healthy cluster); each tick
/// pings the next member of a round-robin over the other n − 1, reshuffled
/// on every wrap; a ping still unanswered at the next tick fails there and
/// the prober suspects the target: exactly one T after the ping, whatever
/// the ack timeout and the indirect probes do in between.
///
/// So the first suspicion comes T after the first ping the victim misses.
/// Each of the n − 1 probers reaches the victim once per cycle of n − 1
/// ticks, at a place in the cycle and a phase independent of the others',
/// so its wait from the crash has density 1/((n − 1)·T) near zero (as a
/// uniform wait over a cycle would), and the first of n − 1 such waits
/// averages (n − 1)·T/n. (The exact wait, with the reshuffle between
/// cycles, has survival 1 − u + u³/6 over the first cycle, u the fraction
/// of it; with it the expectation is 1.8 % above T·(2 − 1/n) at n = 4,
/// 0.6 % at 8 and under 0.1 % from 32 on.) SWIM's e/(e−1) periods assume
/// synchronous rounds and random targets, neither of which holds here.
///
/// From its second tick a node probes on a grid shared by the lab
/// (`node/probing.rs`): its phase is a random grid point, the same as the
/// other nodes' on that point. Summing the chance that no prober has
/// reached the victim over the grid's ticks, the shared phases make the
/// expectation 0.6–1.0 % longer on the two points a lab of up to 64 nodes
/// has, and under 0.1 % longer on ten or more: left out here.
///
/// Assumed: every member up and known to every other (a converged
/// cluster), health 0, network delay far below T. A member that joins
/// mid-cycle is inserted at a random place among the not-yet-probed, which
/// keeps the victim's place uniform.
pub fn expected_first_suspicion(config: &Config, n: usize) -> Duration {
    let n = n.max(2) as f64;
    config.probe_interval.mul_f64(2.0 - 1.0 / n)
}

/// What failure detection of one crash in a cluster of `n` should take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectionBounds {
    /// Expected time to the first suspicion, T·(2 − 1/N)
    /// ([`expected_first_suspicion`]). An average, not a ceiling: a crash
    /// that comes just after every prober passed the victim waits longer.
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
    let first_suspect = expected_first_suspicion(config, n);
    let first_dead = first_suspect + config.suspicion_max(n);
    let spread = serf_time_to(0.9999, n, config.gossip_nodes, config.gossip_interval, 0.0);
    let full_confirmed = first_suspect + config.suspicion_min(n) + spread;
    DetectionBounds { first_suspect, first_dead, full: first_dead + spread, full_confirmed }
}

/// What detection of one crash in a cluster of `n` should take in the phi
/// family (`protocol::phi::theory`), in SWIM's terms: the first suspicion
/// when the freshest observer's phi reaches half the threshold, the first
/// death at the threshold a round later at most, and full detection once
/// the observers with the oldest, relayed news convict too.
pub fn phi_detection_bounds(config: &phi::Config, n: usize, jitter: Duration) -> DetectionBounds {
    let round = config.heartbeat_interval;
    let first_suspect = phi::theory::expected_suspicion(config, round, jitter) + round / 2;
    let first_dead = phi::theory::expected_conviction(config, round, jitter) + round;
    let full = phi::theory::expected_detection(config, n, jitter);
    DetectionBounds { first_suspect, first_dead, full: full.max(first_dead), full_confirmed: full.max(first_dead) }
}

/// The phi family's theory for a session's tuning and network: when phi
/// convicts a silent subject, and how often it convicts a live one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhiTheory {
    /// The conviction threshold.
    pub phi_convict: f64,
    /// Seconds of silence after the last heartbeat at which phi reaches
    /// the threshold under the fitted normal (baseline jitter).
    pub conviction_s: f64,
    /// False convictions per second per observer–subject pair on the
    /// baseline network.
    pub false_convictions_per_s: f64,
    /// The worst link loss the run had (a `set_loss` step, say).
    pub worst_loss: f64,
    /// The worst link jitter the run had, milliseconds.
    pub worst_jitter_ms: f64,
    /// False convictions per second per pair at that worst network.
    pub worst_false_convictions_per_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serf_model_is_the_published_one_without_its_half() {
        // Serf's simulator (with its 0.5): 1,000 nodes, fanout 3, 200 ms
        // reach 99.99% at about 2.15 s.
        let published = logistic_time_to(0.9999, 1000, 0.5 * serf_rate(3, Duration::from_millis(200), 0.0));
        assert!((published.as_secs_f64() - 2.15).abs() < 0.01, "{published:?}");
        // This lab's continuous-time variant: twice the rate, half the time.
        let t = serf_time_to(0.9999, 1000, 3, Duration::from_millis(200), 0.0);
        assert!((t.as_secs_f64() - 2.15 / 2.0).abs() < 0.01, "{t:?}");
        let f = serf_fraction(t, 1000, 3, Duration::from_millis(200), 0.0);
        assert!((f - 0.9999).abs() < 1e-6);
        // Loss slows it down.
        assert!(serf_time_to(0.9999, 1000, 3, Duration::from_millis(200), 0.1) > t);
    }

    #[test]
    fn first_suspicion_is_a_period_plus_the_first_of_n_minus_1_waits() {
        let c = Config::fast();
        // 200 ms × (2 − 1/32) = 393.75 ms.
        assert_eq!(expected_first_suspicion(&c, 32), Duration::from_micros(393_750));
        // Alone with one other: that one's wait is a whole cycle, one T on
        // average (1.5 T in all); large clusters tend to 2 T.
        assert_eq!(expected_first_suspicion(&c, 2), Duration::from_millis(300));
        assert!(expected_first_suspicion(&c, 10_000) < c.probe_interval * 2);
    }

    #[test]
    fn detection_bounds_grow_with_the_suspicion_timeout() {
        let c = Config::fast();
        let b = detection_bounds(&c, 32);
        assert_eq!(b.first_suspect, expected_first_suspicion(&c, 32));
        assert_eq!(b.first_dead, b.first_suspect + c.suspicion_max(32));
        assert!(b.full > b.first_dead);
        // Confirmed in time: 0.394 s + the shortest timeout (4 × log10 32 ×
        // 200 ms = 1.204 s) + the spread (ln(33 × 9999) / (3 / 50 ms)
        // = 0.212 s) = 1.810 s.
        assert!((b.full_confirmed.as_secs_f64() - 1.810).abs() < 0.002, "{:?}", b.full_confirmed);
        assert!(b.full_confirmed < b.full);
        let plain = detection_bounds(&c.clone().with_lifeguard(false), 32);
        assert!(plain.first_dead < b.first_dead);
    }
}
