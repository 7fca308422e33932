//! Starting a whole lab: the node tasks, the observer, and the wiring
//! between them. The headless runner, the dashboard and the real-socket
//! tests all start labs this one way.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::sync::mpsc;

use super::clock::LabClock;
use super::lab::{Lab, LabError};
use super::observer::{NodeHandles, Observer, ObserverOptions};
use crate::config::LabConfig;
use crate::faults::LinkRule;
use crate::observe::record::{FORMAT, Header, Mode};
use crate::observe::verdict::Script;
use crate::observe::{Session, SessionSpec};

/// Node events the observer channel holds before node tasks start dropping
/// them (and later resync). A 1,024-node join produces about a million
/// member events in a few seconds; tokio allocates channel blocks as they
/// fill, so a high bound costs memory only during such a burst.
const OBSERVER_CHANNEL: usize = 1 << 20;

/// What the session is told about a lab's configuration.
pub fn session_spec(config: &LabConfig, driver: &str, mode: Mode) -> SessionSpec {
    let n = &config.network;
    SessionSpec {
        profile: config.name.clone(),
        driver: driver.to_string(),
        seed: config.seed,
        protocol: config.protocol.clone(),
        protocol_label: protocol_label(config),
        network: LinkRule { loss: n.loss, delay: n.delay, jitter: n.jitter, duplicate: n.duplicate },
        expect: config.expect.clone(),
        mode,
        script: Script { duration: config.duration, steps: config.timeline.clone() },
    }
}

/// "fast preset, Lifeguard on" and the like.
pub fn protocol_label(config: &LabConfig) -> String {
    let lifeguard = if config.protocol.lifeguard() {
        "Lifeguard on"
    } else if !config.protocol.awareness && !config.protocol.dynamic_suspicion && !config.protocol.buddy {
        "Lifeguard off (plain SWIM)"
    } else {
        "Lifeguard partly on"
    };
    format!("{} preset, {lifeguard}", config.preset.name())
}

/// A running lab and its observer.
#[derive(Debug)]
pub struct Running {
    /// The lab; apply actions through it.
    pub lab: Lab,
    /// The observer; snapshots, exports, and the final summary.
    pub observer: Observer,
}

impl Running {
    /// Stops every node, lets the observer drain, and returns the summary.
    /// The session log (if recording) is complete and flushed afterwards.
    pub async fn stop(self) -> std::io::Result<crate::observe::Summary> {
        let Running { mut lab, observer } = self;
        lab.shutdown().await;
        drop(lab); // the last sender: the observer sees the end of input
        observer.finish().await
    }
}

/// How often the dashboard's snapshot is rebuilt: ten times a second.
pub const DASHBOARD_SNAPSHOTS: Duration = Duration::from_millis(100);

/// Starts `config`'s nodes on loopback and an observer over them, recording
/// into `record` when given, with snapshots at the dashboard's rate, as a
/// hands-on session (the dashboard's).
pub async fn launch(config: LabConfig, record: Option<PathBuf>) -> Result<Running, LaunchError> {
    launch_with(config, record, DASHBOARD_SNAPSHOTS, Mode::HandsOn).await
}

/// [`launch`] with the snapshot interval and the session's mode chosen by
/// the caller. A snapshot copies the N×N view matrix and every node's
/// status, so a headless run, which only shows a progress line, takes one
/// a second; and it is scripted, so its expectations judge it.
pub async fn launch_with(
    config: LabConfig,
    record: Option<PathBuf>,
    snapshot_every: Duration,
    mode: Mode,
) -> Result<Running, LaunchError> {
    let clock = LabClock::start();
    let (tx, rx) = mpsc::channel(OBSERVER_CHANNEL);
    let dropped = Arc::new(AtomicU64::new(0));
    let spec = session_spec(&config, "udp", mode);
    let resolved = config.resolved();
    let lab = Lab::start(config, clock, tx, dropped.clone()).await?;
    let addrs = lab.addrs();
    let header = Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        driver: "udp".into(),
        mode,
        profile: resolved,
        seed: lab.config().seed,
        nodes: addrs.len(),
        addrs: addrs.iter().map(ToString::to_string).collect(),
        security: Some(lab.security()),
    };
    let session = Session::new(spec, &addrs);
    let handles = lab
        .slots()
        .iter()
        .map(|s| NodeHandles { addr: s.addr, traffic: s.traffic.clone(), status: s.status.clone() })
        .collect();
    let options = ObserverOptions { header, record, snapshot_every, metrics_every: Duration::from_secs(1) };
    let observer = Observer::spawn(rx, session, handles, clock, dropped, options).map_err(LaunchError::Record)?;
    Ok(Running { lab, observer })
}

/// Why a lab could not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A node could not start.
    #[error(transparent)]
    Lab(#[from] LabError),
    /// The session log could not be created.
    #[error("cannot record the session: {0}")]
    Record(std::io::Error),
}
