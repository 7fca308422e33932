//! The theory overlay held to the simulator: the expected first suspicion
//! (`observe::model::detection_bounds`) and the Serf rumor model
//! (`observe::model::serf_time_to`) against many simulated crashes and
//! rumors, fixed seeds.
//!
//! The figures the dashboard, the summary and `plot` draw next to the
//! measured ones are only worth showing if they are right on average; these
//! sweeps are what says so, and they fail for the old formulas.

use std::time::Duration;

use gossip_lab::observe::model::{detection_bounds, serf_time_to};
use gossip_lab::protocol::Config;
use gossip_lab::sim::{Cluster, SimConfig};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// Mean and standard error of the mean.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Runs `job(seed)` for every seed on up to four threads: the seeds are
/// independent, and the sweeps should stay a few seconds in `--release`.
fn sweep<T: Send>(seeds: std::ops::Range<u64>, job: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4) as u64;
    let job = &job;
    let seeds = &seeds;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || (seeds.start + w..seeds.end).step_by(workers as usize).map(job).collect::<Vec<T>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a sweep thread")).collect()
    })
}

/// One crash on a converged `n`-node `fast` cluster: a random victim at a
/// random moment (a few probe cycles' worth of spread, so every prober's
/// round-robin stands at a random place). Returns the seconds from the
/// crash to the first suspicion anywhere.
fn first_suspicion(n: usize, seed: u64) -> f64 {
    let protocol = Config::fast();
    let cycle = protocol.probe_interval * (n as u32 - 1);
    let config = SimConfig { protocol, start_converged: true, ..SimConfig::new(n, seed) };
    let mut c = Cluster::new(config).expect("valid simulator config");
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x7e0);
    c.run_for(Duration::from_secs(1) + cycle.mul_f64(rng.random_range(0.0..2.0)));
    let victim = rng.random_range(0..n);
    let t0 = c.now();
    c.crash(victim).expect("a running node");
    let suspected = |c: &Cluster| c.metrics().detections()[0].first_suspect.is_some();
    let at = c.run_until_pred(t0 + Duration::from_secs(10), suspected);
    let at = at.unwrap_or_else(|| panic!("seed {seed}: node {victim} not suspected within 10 s"));
    (at - t0).as_secs_f64()
}

/// SWIM's expectation, which this lab's probing does not follow:
/// (e/(e−1) + 1) probe periods. Kept here only to show the test tells them
/// apart.
fn swim_paper(config: &Config) -> f64 {
    let e = std::f64::consts::E;
    config.probe_interval.as_secs_f64() * (e / (e - 1.0) + 1.0)
}

/// The measured mean first suspicion over `crashes` seeds against the model:
/// within 10 % of it, or within one standard error when that is looser (the
/// issue's two tolerances; the looser one is asserted). It must also miss
/// SWIM's (e/(e−1)+1)·T by more than the same tolerance, or the sweep could
/// not tell the two apart.
fn hold_first_suspicion_to_the_model(n: usize, crashes: u64) {
    let config = Config::fast();
    let times = sweep(1000 * n as u64..1000 * n as u64 + crashes, |seed| first_suspicion(n, seed));
    let (mean, se) = mean_se(&times);
    let model = detection_bounds(&config, n).first_suspect.as_secs_f64();
    let old = swim_paper(&config);
    let tolerance = (0.10 * model).max(se);
    let slowest = times.iter().cloned().fold(0.0, f64::max);
    println!(
        "N={n}, fast, {crashes} crashes: first suspicion mean {:.1} ms ± {:.1} ms (SE), slowest {:.0} ms; \
         model T(2 − 1/N) = {:.1} ms ({:+.1} %); SWIM (e/(e−1)+1)·T = {:.1} ms ({:+.1} %)",
        mean * 1e3,
        se * 1e3,
        slowest * 1e3,
        model * 1e3,
        (mean / model - 1.0) * 100.0,
        old * 1e3,
        (mean / old - 1.0) * 100.0,
    );
    assert!((mean - model).abs() <= tolerance, "N={n}: mean {mean:.4} s vs model {model:.4} s (± {tolerance:.4})");
    assert!((mean - old).abs() > (0.10 * old).max(se), "N={n}: the sweep cannot tell the model from SWIM's");
    // Round-robin bounds every prober's wait to the victim by two cycles;
    // the first of N − 1 probers comes far sooner. No crash may go
    // unsuspected for ten periods (the first of N − 1 uniform waits over a
    // cycle exceeds nine periods with probability about e^−9).
    assert!(slowest <= config.probe_interval.as_secs_f64() * 10.0, "N={n}: slowest first suspicion {slowest:.3} s");
}

#[test]
fn first_suspicion_averages_the_model_over_two_hundred_crashes_at_32_nodes() {
    hold_first_suspicion_to_the_model(32, 200);
}

#[test]
fn first_suspicion_averages_the_model_at_8_and_128_nodes() {
    hold_first_suspicion_to_the_model(8, 200);
    hold_first_suspicion_to_the_model(128, 100);
}

/// One rumor on a converged `n`-node `fast` cluster, injected at a random
/// node at a random moment. Returns the seconds from injection to 50 % of
/// the nodes, and to 99 % if the epidemic got there within 3 s: it can end
/// a node short (every holder has sent it its retransmit limit of times
/// without picking that node), and the push-pull then brings it seconds
/// later, outside what the model describes.
fn rumor_spread(n: usize, seed: u64) -> (f64, Option<f64>) {
    let config = SimConfig { protocol: Config::fast(), start_converged: true, ..SimConfig::new(n, seed) };
    let mut c = Cluster::new(config).expect("valid simulator config");
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5e7f);
    c.run_for(Duration::from_secs_f64(rng.random_range(1.0..2.0)));
    let id = c.inject_rumor(rng.random_range(0..n), format!("rumor of seed {seed}").into_bytes()).expect("an up node");
    let t0 = c.now();
    c.run_for(Duration::from_secs(3));
    let r = c.rumor(id).expect("a tracked rumor");
    let after = |t: gossip_lab::protocol::Time| (t - t0).as_secs_f64();
    (after(r.t50.expect("half the nodes within 3 s")), r.t99.map(after))
}

#[test]
fn rumor_spread_follows_the_continuous_time_serf_model_at_64_nodes() {
    let (n, rumors) = (64, 60);
    let c = Config::fast();
    let spreads = sweep(7000..7000 + rumors, |seed| rumor_spread(n, seed));
    let (t50, se50) = mean_se(&spreads.iter().map(|s| s.0).collect::<Vec<_>>());
    // About 1 % of rumors end a node short (9 and 12 in 1,000 seeds on
    // two builds with different random streams); more would be a
    // dissemination bug, not chance.
    let reached: Vec<f64> = spreads.iter().filter_map(|s| s.1).collect();
    let short = spreads.len() - reached.len();
    assert!(short <= 3, "{short} of {rumors} rumors missed 1 % of the nodes for 3 s");
    let (t99, se99) = mean_se(&reached);
    let model = |f| serf_time_to(f, n, c.gossip_nodes, c.gossip_interval, 0.0).as_secs_f64();
    // Serf's published simulator halves the rate, which doubles every time.
    let (m50, m99) = (model(0.5), model(0.99));
    println!(
        "N={n}, fast, {rumors} rumors ({short} short of 99 %): t50 {:.1} ± {:.1} ms, t99 {:.1} ± {:.1} ms; \
         model (no 0.5) t50 {:.1} ms, t99 {:.1} ms; Serf's published (× 0.5) t50 {:.1} ms, t99 {:.1} ms",
        t50 * 1e3,
        se50 * 1e3,
        t99 * 1e3,
        se99 * 1e3,
        m50 * 1e3,
        m99 * 1e3,
        2.0 * m50 * 1e3,
        2.0 * m99 * 1e3,
    );
    // The logistic's late half is symmetric to its early half; push gossip
    // (with updates also riding on probes and acks) finishes a little
    // faster, hence the wider band at 99 %. Serf's published variant is
    // twice as slow, far outside both bands.
    assert!((t50 / m50 - 1.0).abs() <= 0.10, "t50 {t50:.4} s vs model {m50:.4} s");
    assert!((t99 / m99 - 1.0).abs() <= 0.20, "t99 {t99:.4} s vs model {m99:.4} s");
}
