//! A hostile peer inside the lab: forged claims against a chosen node, as a
//! fault (issue 9).
//!
//! The lab's other faults break the network; this one lies through it. A
//! rogue sender that is not a member forges datagrams that decode as real
//! gossip-lab messages, built from the protocol's own wire types, to show
//! what an unauthenticated cluster believes and to check that a keyed or
//! hardened one does not. Each [`Attack`] is one way of lying:
//!
//! - [`Attack::Death`]: Dead claims about the victim, at the incarnation
//!   the lab knows it has and at [`Incarnation::MAX`], to every other
//!   running node.
//! - [`Attack::Leave`]: Left claims about the victim to every other running
//!   node but not the victim, so no one who could refute them hears them.
//! - [`Attack::Incarnation`]: an incarnation jump: Alive and Suspect claims
//!   about the victim at [`Incarnation::MAX`], and a push-pull chunk listing
//!   every running node at that incarnation, to every running node.
//! - [`Attack::Flood`]: `count` fake Alive members, at loopback addresses no
//!   lab node uses, as piggybacked updates and push-pull chunks, to the
//!   victim; gossip carries them on from there.
//! - [`Attack::AckMask`]: while the victim is crashed, acks with guessed
//!   sequence numbers to every other running node, so that probes of the
//!   victim look answered, for `for` at a bounded rate.
//!
//! This module is pure: [`forge`] turns an attack and what the lab knows
//! (a [`Scene`]) into [`Forged`] datagrams, and both drivers carry them out
//! (`runtime::rogue` on a real socket, `sim::Cluster::forge` in memory).
//! The rogue holds no key: once datagrams are sealed, its datagrams go out
//! as the bare codec output and are rejected before decoding.
//!
//! [`Incarnation::MAX`]: crate::protocol::Incarnation

mod forge;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::observe::Liveness;
use crate::protocol::Config;

pub use forge::{Forged, Peer, Scene, fake_addr, forge};

/// The most fake members one flood forges.
pub const MAX_FLOOD: u32 = 50_000;
/// Fake members a flood forges when the step gives no `count`.
pub const DEFAULT_FLOOD: u32 = 2_000;
/// The most sequence numbers an ack mask sweeps from zero.
pub const MAX_SWEEP: u32 = 65_535;
/// Sequence numbers an ack mask sweeps from zero without a `count`: a node
/// takes one per probe and per relayed probe, so this covers minutes of a
/// node's life on the fast preset.
pub const DEFAULT_SWEEP: u32 = 1_024;
/// How long an ack mask lasts without a `for`.
pub const DEFAULT_MASK_FOR: Duration = Duration::from_secs(10);
/// The longest an ack mask may last.
pub const MAX_MASK_FOR: Duration = Duration::from_secs(120);
/// The most datagrams per second an ack mask sends, all targets together,
/// so that a real lab on two cores keeps running under it.
pub const MAX_RATE: u32 = 10_000;

/// How long a forgery may keep a running victim from being held alive by
/// every node: three of the longest suspicion timeouts at `n` nodes (17 s
/// on the fast preset at 16 nodes). That is time for a false accusation to
/// run its course (one timeout), for the victim to hear of it and refute,
/// and for the refutation to spread, with room to spare. It is the
/// promise the hardened core is held to, with or without a key; a keyed
/// cluster never accuses the victim at all.
pub fn recovery_bound(config: &Config, n: usize) -> Duration {
    config.suspicion_max(n) * 3
}

/// One way of lying to the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attack {
    /// Dead claims about the victim to everyone else.
    Death,
    /// Left claims about the victim to everyone but the victim.
    Leave,
    /// Alive and Suspect claims at the highest incarnation, and a push-pull
    /// chunk putting every node there.
    Incarnation,
    /// Many fake Alive members.
    Flood,
    /// Forged acks that answer probes of a crashed victim.
    AckMask,
}

impl Attack {
    /// Every attack, in the order the dashboard key cycles through them.
    pub const ALL: [Attack; 5] = [Attack::Death, Attack::Leave, Attack::Incarnation, Attack::Flood, Attack::AckMask];

    /// Every attack name as written in profiles, for error messages.
    pub const NAMES: [&'static str; 5] = ["death", "leave", "incarnation", "flood", "ack_mask"];

    /// The name as written in profiles and the session log.
    pub const fn name(self) -> &'static str {
        match self {
            Attack::Death => "death",
            Attack::Leave => "leave",
            Attack::Incarnation => "incarnation",
            Attack::Flood => "flood",
            Attack::AckMask => "ack_mask",
        }
    }

    /// The attack called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Attack> {
        Attack::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The next attack on a running victim, cycling death → leave →
    /// incarnation → flood → death. The ack mask is left out: it needs a
    /// crashed victim.
    pub const fn next_on_running(self) -> Attack {
        match self {
            Attack::Death => Attack::Leave,
            Attack::Leave => Attack::Incarnation,
            Attack::Incarnation => Attack::Flood,
            Attack::Flood | Attack::AckMask => Attack::Death,
        }
    }

    /// Whether `count` means something for this attack: fake members for a
    /// flood, sequence numbers swept for an ack mask.
    pub const fn takes_count(self) -> bool {
        matches!(self, Attack::Flood | Attack::AckMask)
    }

    /// Whether the attack lasts (`for`); the others are one burst.
    pub const fn takes_for(self) -> bool {
        matches!(self, Attack::AckMask)
    }

    /// The largest `count` the attack accepts.
    pub const fn max_count(self) -> u32 {
        match self {
            Attack::AckMask => MAX_SWEEP,
            _ => MAX_FLOOD,
        }
    }

    /// Whether a victim in state `life` can be attacked: a crashed one for
    /// the ack mask (a live victim answers its own probes), a running one
    /// for the rest.
    pub const fn victim_ok(self, life: Liveness) -> bool {
        match self {
            Attack::AckMask => matches!(life, Liveness::Crashed),
            _ => life.is_running(),
        }
    }

    /// What the attack does to its victim, for "cannot ... node 3"
    /// messages.
    pub const fn verb(self) -> &'static str {
        match self {
            Attack::AckMask => "mask acks for",
            _ => "forge claims against",
        }
    }
}

/// One attack with its parameters resolved: what a `rogue` step or key
/// asks for, with the defaults filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The attack.
    pub attack: Attack,
    /// Fake members (flood), or sequence numbers swept from zero (ack
    /// mask); unused by the others.
    pub count: u32,
    /// How long the attack lasts (ack mask); zero for one burst.
    pub duration: Duration,
}

impl Spec {
    /// `attack` with `count` and `duration` where the attack takes them,
    /// else its defaults. Values beyond the limits are clamped; profiles are
    /// checked against the same limits with an error naming the field.
    pub fn new(attack: Attack, count: Option<u32>, duration: Option<Duration>) -> Spec {
        let count = match attack {
            Attack::Flood => count.unwrap_or(DEFAULT_FLOOD).min(MAX_FLOOD),
            Attack::AckMask => count.unwrap_or(DEFAULT_SWEEP).min(MAX_SWEEP),
            _ => 0,
        };
        let duration = match attack {
            Attack::AckMask => duration.unwrap_or(DEFAULT_MASK_FOR).min(MAX_MASK_FOR),
            _ => Duration::ZERO,
        };
        Spec { attack, count, duration }
    }

    /// The count to report, for the attacks that take one.
    pub fn count(&self) -> Option<u32> {
        self.attack.takes_count().then_some(self.count)
    }

    /// The duration to report, for the attacks that last.
    pub fn lasts(&self) -> Option<Duration> {
        self.attack.takes_for().then_some(self.duration)
    }

    /// Time between rounds of a lasting attack: half a probe interval, so
    /// that every probe (which waits for its ack for up to a whole
    /// interval) sees at least one round; at least 10 ms.
    pub fn tick(config: &Config) -> Duration {
        (config.probe_interval / 2).max(Duration::from_millis(10))
    }

    /// How many rounds the attack sends, `tick` apart from its start: one
    /// for a burst, enough to cover `duration` for a lasting attack.
    pub fn rounds(&self, config: &Config) -> u32 {
        if self.duration.is_zero() {
            return 1;
        }
        let tick = Spec::tick(config).as_nanos().max(1);
        u32::try_from(self.duration.as_nanos().div_ceil(tick)).unwrap_or(u32::MAX).max(1)
    }

    /// "death", "flood of 2000 members", "ack_mask for 10s".
    pub fn label(&self) -> String {
        match self.attack {
            Attack::Flood => format!("flood of {} members", self.count),
            Attack::AckMask => format!("ack_mask for {}", crate::duration::format_duration(self.duration)),
            a => a.name().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serialize_as_profiles_write_them() {
        for (a, name) in Attack::ALL.into_iter().zip(Attack::NAMES) {
            assert_eq!(a.name(), name);
            assert_eq!(Attack::from_name(name), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), name);
        }
        assert_eq!(Attack::from_name("deth"), None);
    }

    #[test]
    fn the_running_cycle_visits_the_four_burst_attacks() {
        let mut a = Attack::Death;
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(a);
            a = a.next_on_running();
        }
        assert_eq!(seen, [Attack::Death, Attack::Leave, Attack::Incarnation, Attack::Flood]);
        assert_eq!(a, Attack::Death);
        assert_eq!(Attack::AckMask.next_on_running(), Attack::Death);
    }

    #[test]
    fn specs_fill_defaults_and_clamp() {
        let s = Spec::new(Attack::Flood, None, None);
        assert_eq!((s.count, s.duration, s.count()), (DEFAULT_FLOOD, Duration::ZERO, Some(DEFAULT_FLOOD)));
        assert_eq!(Spec::new(Attack::Flood, Some(u32::MAX), None).count, MAX_FLOOD);
        let m = Spec::new(Attack::AckMask, None, None);
        assert_eq!((m.count, m.duration), (DEFAULT_SWEEP, DEFAULT_MASK_FOR));
        assert_eq!(Spec::new(Attack::AckMask, None, Some(Duration::from_secs(999))).duration, MAX_MASK_FOR);
        let d = Spec::new(Attack::Death, Some(5), Some(Duration::from_secs(5)));
        assert_eq!((d.count(), d.lasts()), (None, None), "a burst takes neither");
    }

    #[test]
    fn bursts_are_one_round_and_masks_cover_their_duration() {
        let config = Config::fast(); // probe interval 200ms: a round every 100ms
        assert_eq!(Spec::new(Attack::Death, None, None).rounds(&config), 1);
        assert_eq!(Spec::tick(&config), Duration::from_millis(100));
        let m = Spec::new(Attack::AckMask, None, Some(Duration::from_millis(1050)));
        assert_eq!(m.rounds(&config), 11);
    }

    #[test]
    fn the_recovery_bound_is_three_suspicion_timeouts() {
        let config = Config::fast();
        let bound = recovery_bound(&config, 16);
        assert_eq!(bound, config.suspicion_max(16) * 3);
        assert!((17.0..17.5).contains(&bound.as_secs_f64()), "{bound:?}");
    }

    #[test]
    fn victims_must_be_running_except_for_the_mask() {
        assert!(Attack::Death.victim_ok(Liveness::Up) && Attack::Death.victim_ok(Liveness::Paused));
        assert!(!Attack::Death.victim_ok(Liveness::Crashed));
        assert!(Attack::AckMask.victim_ok(Liveness::Crashed) && !Attack::AckMask.victim_ok(Liveness::Up));
    }
}
