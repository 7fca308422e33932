//! Observation: turning node events and ground truth into measurements.
//!
//! Both drivers (the simulator and the UDP runtime) feed the same types, so
//! a metric means the same thing in a test as on real sockets.
//!
//! - [`views`]: every node's membership view, reconstructed from events.
//! - [`truth`]: what is really up, paused, crashed or cut off.
//! - [`metrics`]: one file per measurement: convergence (agreement,
//!   accuracy), detection, false marks, rumor spread, traffic.
//! - [`foreign`]: members that are no lab node, per observer (bounded).
//! - [`learning`]: a join storm's additions coalesced into `learned`
//!   lines, one a node per window, by the same rule in both drivers.
//! - [`model`]: what the configuration implies, to print beside measurements.
//! - [`record`]: the session log's line types (DESIGN §6).
//! - [`convert`]: node events into those records, for both drivers.
//! - [`session`]: records folded into measurements; shared by the live
//!   observer and `gossip-lab report`, so both give the same summary.
//! - [`summary`]: the end-of-run summary and its human rendering.
//! - [`story`]: the session told action by action, for `report`.
//! - [`verdict`]: which expectations a record can judge (scripted, whole).
//! - [`board`]: the rest of the dashboard's picture, folded from the
//!   same lines, so live and replayed frames come from one code path.
//! - [`snapshot`]: what the dashboard draws, replaced ~10 times a second.
//! - [`action`]: which lines are actions, of which kind, and which disturb
//!   the cluster: one classification for the time bar, story, plot and fold.
//! - [`recording`]: a saved session made seekable, and its actions (marks).
//! - [`recorder`]: streams the session log, metrics CSV and summary to disk.
//! - [`reorder`]: the UDP runtime's lines put back in time order before
//!   the recorder and the session see them.
//! - [`lines`]: the file writer under it, which hands the kernel whole lines only.
//! - [`security`]: the log's account of keys: ids, never keys.
//! - [`status`], [`traffic`]: per-node self-reports and packet counters.

pub mod action;
pub mod board;
pub mod comparison;
pub mod convert;
pub mod foreign;
pub mod learning;
pub mod lines;
pub mod metrics;
pub mod model;
pub mod record;
pub mod recorder;
pub mod recording;
pub mod reorder;
pub mod security;
pub mod session;
pub mod snapshot;
pub mod spec;
pub mod status;
pub mod story;
pub mod summary;
#[cfg(test)]
pub(crate) mod testkit;
pub mod traffic;
pub mod truth;
pub mod verdict;
pub mod views;

pub use metrics::{Detection, FalseMark, Grace, Metrics, RumorSpread};
pub use record::{Line, Record};
pub use session::Session;
pub use snapshot::Snapshot;
pub use spec::{Mode, Script, SessionSpec};
pub use status::NodeStatus;
pub use story::Story;
pub use summary::Summary;
pub use traffic::{Flow, Traffic};
pub use truth::{Liveness, Truth};
pub use views::Views;
