//! The phi family's tuning and its presets.
//!
//! The detector's knobs are Akka's (and, by heritage, Cassandra's): a
//! sliding window of inter-arrival samples, a floor on their standard
//! deviation, and an acceptable pause added to their mean. Cassandra's
//! own detector assumes an exponential distribution; the normal with a
//! floor and a pause (Hayashibara's form, as Akka implements it) is what
//! lets the threshold mean the same thing at any heartbeat rate.

use std::time::Duration;

use crate::protocol::config::DEFAULT_MAX_MEMBERS;

/// Every tunable of one phi node. All nodes of a cluster should share one.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// A gossip round: the node raises its own heartbeat and opens a
    /// scuttlebutt exchange with up to `fanout` peers.
    pub heartbeat_interval: Duration,
    /// Live peers contacted per round.
    pub fanout: usize,
    /// The phi at which a subject is convicted (held dead). Half of it
    /// makes the subject a suspect.
    pub phi_convict: f64,
    /// Inter-arrival samples kept per subject.
    pub window: usize,
    /// The floor of the fitted normal's standard deviation, so that a
    /// perfectly regular history does not make the detector hair-trigger.
    pub min_std_dev: Duration,
    /// Added to the mean inter-arrival: a pause this long is not yet
    /// suspicious.
    pub acceptable_pause: Duration,
    /// The mean assumed before any sample (the sd is a quarter of it).
    pub first_heartbeat_estimate: Duration,
    /// How long a convicted or departed member stays in the table (and is
    /// gossiped to now and then, so a healed partition re-merges) before
    /// it is forgotten.
    pub remove_after: Duration,
    /// The largest datagram a node builds, in bytes.
    pub packet_budget: usize,
    /// The most members (self included, any state) a node will hold.
    pub max_members: usize,
    /// How often a node that has heard from no seed retries its join.
    pub join_retry: Duration,
    /// The longest a graceful leave takes.
    pub leave_timeout: Duration,
}

impl Config {
    /// Cassandra's gossip: a round a second to up to three peers, phi 8,
    /// a window of 1,000 samples; the normal's floor and pause are Akka's
    /// defaults (100 ms, 3 s).
    pub fn cassandra() -> Config {
        Config {
            heartbeat_interval: Duration::from_secs(1),
            fanout: 3,
            phi_convict: 8.0,
            window: 1000,
            min_std_dev: Duration::from_millis(100),
            acceptable_pause: Duration::from_secs(3),
            first_heartbeat_estimate: Duration::from_secs(1),
            remove_after: Duration::from_secs(60),
            packet_budget: 1400,
            max_members: DEFAULT_MAX_MEMBERS,
            join_retry: Duration::from_secs(1),
            leave_timeout: Duration::from_secs(5),
        }
    }

    /// `cassandra` sped up 5× (as SWIM's `fast` is `lan` sped up), for
    /// demos and tests.
    pub fn fast() -> Config {
        Config {
            heartbeat_interval: Duration::from_millis(200),
            min_std_dev: Duration::from_millis(20),
            acceptable_pause: Duration::from_millis(600),
            first_heartbeat_estimate: Duration::from_millis(200),
            remove_after: Duration::from_secs(30),
            join_retry: Duration::from_millis(200),
            leave_timeout: Duration::from_secs(1),
            ..Config::cassandra()
        }
    }

    /// Phi at which a subject becomes a suspect: half the conviction
    /// threshold (see the module doc of `protocol::phi`).
    pub fn phi_suspect(&self) -> f64 {
        self.phi_convict / 2.0
    }
}
