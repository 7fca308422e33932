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
use crate::engine::{Engine, EngineError, Journal, RUNTIME_PICKS};
use crate::observe::Mode;

/// Node events the observer channel holds before node tasks start dropping
/// them (and later resync). A 1,024-node join produces about a million
/// member events in a few seconds; tokio allocates channel blocks as they
/// fill, so a high bound costs memory only during such a burst.
const OBSERVER_CHANNEL: usize = 1 << 20;

/// A running lab, the engine over it, and its observer.
#[derive(Debug)]
pub struct Running {
    /// The engine: ground truth and the action interpreter.
    pub engine: Engine,
    /// The lab: the driver the engine's effects run on.
    pub lab: Lab,
    /// The observer; snapshots, exports, and the final summary.
    pub observer: Observer,
}

impl Running {
    /// Stops every node, lets the observer drain, and returns the summary.
    /// The session log (if recording) is complete and flushed afterwards.
    pub async fn stop(self) -> std::io::Result<crate::observe::Summary> {
        let Running { mut lab, observer, .. } = self;
        lab.shutdown().await;
        drop(lab); // the last sender: the observer sees the end of input
        observer.finish().await
    }
}

impl Running {
    /// Carries out `action` through the engine; the feedback line.
    pub async fn apply(&mut self, action: &crate::scenario::Action) -> Result<String, EngineError> {
        self.engine.apply(&mut self.lab, action).await
    }
}

/// How often the dashboard's snapshot is rebuilt: ten times a second.
pub const DASHBOARD_SNAPSHOTS: Duration = Duration::from_millis(100);

/// How often a headless run's snapshot is rebuilt: once a second, as often
/// as its progress line changes.
pub const HEADLESS_SNAPSHOTS: Duration = Duration::from_secs(1);

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
    launch_on(LabClock::start(), config, record, snapshot_every, mode).await
}

/// [`launch_with`] on a clock the caller started: the two labs of a
/// comparison share one, so both logs count from the same instant and a
/// timeline step has the same `t_ms` in both.
pub async fn launch_on(
    clock: LabClock,
    config: LabConfig,
    record: Option<PathBuf>,
    snapshot_every: Duration,
    mode: Mode,
) -> Result<Running, LaunchError> {
    let (tx, rx) = mpsc::channel(OBSERVER_CHANNEL);
    let dropped = Arc::new(AtomicU64::new(0));
    let baseline = config.network.baseline();
    let picks = config.seed ^ RUNTIME_PICKS;
    let lab = Lab::start(config, clock, tx, dropped.clone()).await?;
    let addrs = lab.addrs();
    let journal = Journal::start(lab.config(), "udp", mode, &addrs, lab.security(), record.as_deref())
        .map_err(LaunchError::Record)?;
    let handles = lab
        .slots()
        .iter()
        .map(|s| NodeHandles { addr: s.addr, traffic: s.traffic.clone(), status: s.status.clone() })
        .collect();
    let options = ObserverOptions { snapshot_every, metrics_every: Duration::from_secs(1) };
    let observer = Observer::spawn(rx, journal, handles, clock, (dropped, lab.flights()), options);
    let engine = Engine::new(&addrs, baseline, picks);
    Ok(Running { engine, lab, observer })
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
