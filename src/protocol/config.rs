//! Protocol tuning: memberlist's knobs, and the presets the lab ships.
//!
//! The values mirror HashiCorp memberlist so that numbers measured here can
//! be put next to memberlist's. The formulas that derive timeouts from the
//! cluster size live here too, because the dashboard, the headless summary
//! and the tests all need the same "what the config implies" figures.

use std::time::Duration;

/// The member cap of a bare [`Config`]. The lab sets its own from the
/// cluster size (see `crate::config`); this only bounds a node built
/// without one.
pub const DEFAULT_MAX_MEMBERS: usize = 65_536;

/// The named starting points a profile can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// memberlist's `DefaultLANConfig`.
    Lan,
    /// memberlist's `DefaultLocalConfig` (loopback-tuned).
    Local,
    /// `Lan` sped up 5× for demos and tests; matches the peers' `fast` config.
    Fast,
}

impl Preset {
    /// Every preset, for listings and error messages.
    pub const ALL: [Preset; 3] = [Preset::Lan, Preset::Local, Preset::Fast];

    /// The preset's name as written in profiles.
    pub const fn name(self) -> &'static str {
        match self {
            Preset::Lan => "lan",
            Preset::Local => "local",
            Preset::Fast => "fast",
        }
    }

    /// Looks a preset up by its profile name.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Every tunable of one node. All nodes of a cluster should share one.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Time between probes (before Lifeguard scaling).
    pub probe_interval: Duration,
    /// How long to wait for a direct ack before asking helpers.
    pub probe_timeout: Duration,
    /// How many helpers an indirect probe uses (k).
    pub indirect_checks: usize,
    /// Time between gossip rounds.
    pub gossip_interval: Duration,
    /// Peers contacted per gossip round.
    pub gossip_nodes: usize,
    /// Suspicion timeout multiplier (min = mult × max(1, log10 N) × probe).
    pub suspicion_mult: u32,
    /// Lifeguard: the initial suspicion timeout is this many times min.
    pub suspicion_max_timeout_mult: u32,
    /// Each update is retransmitted `retransmit_mult × ceil(log10(N+1))` times.
    pub retransmit_mult: u32,
    /// Time between push-pull exchanges (scaled up above 32 nodes).
    pub push_pull_interval: Duration,
    /// How often a node that has heard from no seed retries its join.
    pub join_retry: Duration,
    /// Lifeguard local-health ceiling: the score runs 0..max.
    pub awareness_max_multiplier: u32,
    /// The largest datagram a node builds, in bytes.
    pub packet_budget: usize,
    /// Lifeguard part 1: local health scales probe interval and ack wait.
    pub awareness: bool,
    /// Lifeguard part 2: suspicion starts long and shrinks with confirmations.
    pub dynamic_suspicion: bool,
    /// Lifeguard part 3: a probe of a suspect carries the suspicion.
    pub buddy: bool,
    /// The most members (self included, any state) a node will hold. Claims
    /// about new members past it are refused, so a flood of invented
    /// members costs a bounded amount of memory and stretches the
    /// size-scaled timeouts by a bounded factor.
    pub max_members: usize,
    /// How long a Dead or Left member is kept before it is forgotten
    /// (presets: ten push-pull intervals, so a healed partition re-merges
    /// by anti-entropy long before either side forgets the other).
    /// Until then it is contacted now and then (gossip to the dead), so a
    /// member wrongly held gone hears of it and refutes; after it, a
    /// reappearing member is learned afresh.
    pub reap_after: Duration,
    /// A rumor a node delivered rides on its push-pulls for this many
    /// push-pull periods (at the current cluster size), so a node that
    /// missed every gossiped copy still gets it by anti-entropy. Three
    /// periods give a node about six exchanges to hear it.
    pub rumor_retention_mult: u32,
    /// The longest a graceful leave takes: a leaving node whose
    /// announcement has not been sent its full number of times by then
    /// (its peers are all dead or gone, so it has no one to tell)
    /// completes the leave anyway, as memberlist's `Leave(timeout)` does.
    /// 5 s, Serf's broadcast timeout: an announcement to live peers is
    /// done in `retransmit_limit` gossip rounds, 3.2 s at 1,000 `lan` nodes.
    pub leave_timeout: Duration,
    /// Where the probe grid (`node/probing.rs`) sits: its points are this
    /// far past the multiples of its step since the epoch. A lab draws it
    /// from its seed ([`crate::config::LabConfig::lab_protocol`]), so a
    /// scripted crash at a round time falls at a random place between two
    /// grid points, as a real crash does, not always just after one. Zero
    /// in the presets.
    pub probe_grid_phase: Duration,
}

impl Config {
    /// memberlist's `DefaultLANConfig`.
    pub fn lan() -> Config {
        Config {
            probe_interval: Duration::from_secs(1),
            probe_timeout: Duration::from_millis(500),
            indirect_checks: 3,
            gossip_interval: Duration::from_millis(200),
            gossip_nodes: 3,
            suspicion_mult: 4,
            suspicion_max_timeout_mult: 6,
            retransmit_mult: 4,
            push_pull_interval: Duration::from_secs(30),
            join_retry: Duration::from_secs(1),
            awareness_max_multiplier: 8,
            packet_budget: 1400,
            awareness: true,
            dynamic_suspicion: true,
            buddy: true,
            max_members: DEFAULT_MAX_MEMBERS,
            reap_after: Duration::from_secs(300),
            rumor_retention_mult: 3,
            leave_timeout: Duration::from_secs(5),
            probe_grid_phase: Duration::ZERO,
        }
    }

    /// memberlist's `DefaultLocalConfig`.
    pub fn local() -> Config {
        Config {
            probe_timeout: Duration::from_millis(200),
            indirect_checks: 1,
            gossip_interval: Duration::from_millis(100),
            suspicion_mult: 3,
            retransmit_mult: 2,
            push_pull_interval: Duration::from_secs(15),
            reap_after: Duration::from_secs(150),
            ..Config::lan()
        }
    }

    /// `lan` with probe 200 ms, timeout 100 ms, gossip 50 ms, push-pull 6 s.
    pub fn fast() -> Config {
        Config {
            probe_interval: Duration::from_millis(200),
            probe_timeout: Duration::from_millis(100),
            gossip_interval: Duration::from_millis(50),
            push_pull_interval: Duration::from_secs(6),
            join_retry: Duration::from_millis(200),
            reap_after: Duration::from_secs(60),
            ..Config::lan()
        }
    }

    /// The config of a preset.
    pub fn preset(preset: Preset) -> Config {
        match preset {
            Preset::Lan => Config::lan(),
            Preset::Local => Config::local(),
            Preset::Fast => Config::fast(),
        }
    }

    /// Switches all three Lifeguard extensions on or off together.
    pub fn with_lifeguard(mut self, on: bool) -> Config {
        self.awareness = on;
        self.dynamic_suspicion = on;
        self.buddy = on;
        self
    }

    /// True when every Lifeguard extension is on.
    pub fn lifeguard(&self) -> bool {
        self.awareness && self.dynamic_suspicion && self.buddy
    }

    /// How many times each update is sent: `retransmit_mult × ceil(log10(N+1))`.
    pub fn retransmit_limit(&self, n: usize) -> u32 {
        let scale = ((n as f64) + 1.0).log10().ceil() as u32;
        self.retransmit_mult * scale.max(1)
    }

    /// The shortest suspicion timeout: `suspicion_mult × max(1, log10 N) × probe_interval`.
    pub fn suspicion_min(&self, n: usize) -> Duration {
        let scale = (n.max(1) as f64).log10().max(1.0);
        self.probe_interval.mul_f64(scale * f64::from(self.suspicion_mult))
    }

    /// The initial suspicion timeout: max_mult × min with dynamic suspicion,
    /// plain min without it.
    pub fn suspicion_max(&self, n: usize) -> Duration {
        if self.dynamic_suspicion {
            self.suspicion_min(n) * self.suspicion_max_timeout_mult
        } else {
            self.suspicion_min(n)
        }
    }

    /// Independent confirmations that bring a suspicion down to min:
    /// k = suspicion_mult − 2, or 0 when the cluster is too small to supply
    /// them (N − 2 < k) or dynamic suspicion is off.
    pub fn suspicion_k(&self, n: usize) -> u32 {
        let k = self.suspicion_mult.saturating_sub(2);
        if !self.dynamic_suspicion || n.saturating_sub(2) < k as usize { 0 } else { k }
    }

    /// The suspicion timeout after `c` independent confirmations:
    /// `max − (max − min)·ln(C+1)/ln(k+1)`, never below min.
    pub fn suspicion_timeout(&self, n: usize, c: u32) -> Duration {
        suspicion_timeout(self.suspicion_min(n), self.suspicion_max(n), self.suspicion_k(n), c)
    }

    /// How long a delivered rumor rides on push-pulls at cluster size `n`:
    /// `rumor_retention_mult` push-pull periods.
    pub fn rumor_retention(&self, n: usize) -> Duration {
        self.push_pull_period(n) * self.rumor_retention_mult
    }

    /// The push-pull period at cluster size `n`, stretched as memberlist
    /// does above 32 nodes so full-state traffic stays bounded.
    pub fn push_pull_period(&self, n: usize) -> Duration {
        const THRESHOLD: f64 = 32.0;
        if (n as f64) <= THRESHOLD {
            return self.push_pull_interval;
        }
        let mult = ((n as f64).log2() - THRESHOLD.log2()).ceil() + 1.0;
        self.push_pull_interval.mul_f64(mult)
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::lan()
    }
}

/// The Lifeguard suspicion timeout for `c` confirmations out of `k`,
/// shrinking logarithmically from `max` to `min`.
pub fn suspicion_timeout(min: Duration, max: Duration, k: u32, c: u32) -> Duration {
    if k == 0 {
        return min;
    }
    let frac = (f64::from(c) + 1.0).ln() / (f64::from(k) + 1.0).ln();
    let raw = max.as_secs_f64() - frac * (max.as_secs_f64() - min.as_secs_f64());
    // Whole milliseconds, as memberlist computes it.
    let timeout = Duration::from_millis((raw * 1000.0).floor().max(0.0) as u64);
    timeout.max(min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_memberlist() {
        let lan = Config::lan();
        assert_eq!(lan.probe_interval, Duration::from_secs(1));
        assert_eq!(lan.probe_timeout, Duration::from_millis(500));
        assert_eq!(lan.indirect_checks, 3);
        assert_eq!((lan.gossip_interval, lan.gossip_nodes), (Duration::from_millis(200), 3));
        assert_eq!((lan.suspicion_mult, lan.suspicion_max_timeout_mult), (4, 6));
        assert_eq!(lan.retransmit_mult, 4);
        assert_eq!(lan.push_pull_interval, Duration::from_secs(30));
        assert_eq!(lan.awareness_max_multiplier, 8);
        assert_eq!(lan.packet_budget, 1400);
        let fast = Config::fast();
        assert_eq!(fast.probe_interval, Duration::from_millis(200));
        assert_eq!(fast.probe_timeout, Duration::from_millis(100));
        assert_eq!(fast.gossip_interval, Duration::from_millis(50));
        assert_eq!(fast.push_pull_interval, Duration::from_secs(6));
        assert_eq!(fast.suspicion_mult, lan.suspicion_mult);
    }

    #[test]
    fn retransmit_limit_scales_with_log10() {
        let c = Config::lan();
        assert_eq!(c.retransmit_limit(1), 4); // ceil(log10 2) = 1
        assert_eq!(c.retransmit_limit(9), 4); // ceil(log10 10) = 1
        assert_eq!(c.retransmit_limit(10), 8); // ceil(log10 11) = 2
        assert_eq!(c.retransmit_limit(99), 8);
        assert_eq!(c.retransmit_limit(100), 12);
        assert_eq!(c.retransmit_limit(1000), 16);
    }

    #[test]
    fn suspicion_timeout_at_zero_one_and_k_confirmations() {
        let c = Config::lan();
        // N = 100: min = 4 × 2 × 1 s = 8 s, max = 48 s, k = 2.
        let n = 100;
        assert_eq!(c.suspicion_min(n), Duration::from_secs(8));
        assert_eq!(c.suspicion_max(n), Duration::from_secs(48));
        assert_eq!(c.suspicion_k(n), 2);
        assert_eq!(c.suspicion_timeout(n, 0), Duration::from_secs(48));
        // C = 1: 48 − 40·ln 2/ln 3 = 22.762 s.
        assert_eq!(c.suspicion_timeout(n, 1), Duration::from_millis(22_762));
        assert_eq!(c.suspicion_timeout(n, 2), Duration::from_secs(8));
        // More confirmations than k never go below min.
        assert_eq!(c.suspicion_timeout(n, 5), Duration::from_secs(8));
    }

    #[test]
    fn suspicion_without_lifeguard_is_plain_swim() {
        let c = Config::lan().with_lifeguard(false);
        assert_eq!(c.suspicion_k(100), 0);
        assert_eq!(c.suspicion_timeout(100, 0), Duration::from_secs(8));
    }

    #[test]
    fn tiny_clusters_expect_no_confirmations() {
        // N − 2 < k: nobody is left to confirm, so the timer runs at min.
        let c = Config::lan();
        assert_eq!(c.suspicion_k(3), 0);
        assert_eq!(c.suspicion_timeout(3, 0), c.suspicion_min(3));
        assert_eq!(c.suspicion_k(4), 2);
    }

    #[test]
    fn push_pull_stretches_above_32_nodes() {
        let c = Config::lan();
        assert_eq!(c.push_pull_period(32), Duration::from_secs(30));
        assert_eq!(c.push_pull_period(64), Duration::from_secs(60));
        assert_eq!(c.push_pull_period(256), Duration::from_secs(120));
    }
}
