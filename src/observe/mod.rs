//! Observation: turning node events and ground truth into measurements.
//!
//! Both drivers (the simulator and the UDP runtime) feed the same types, so
//! a metric means the same thing in a test as on real sockets.
//!
//! - [`views`]: every node's membership view, reconstructed from events.
//! - [`truth`]: what is really up, paused, crashed or cut off.
//! - [`metrics`]: agreement, accuracy, detection, false positives, rumors.
//! - [`model`]: what the configuration implies, to print beside measurements.
//! - [`record`]: the session log's line types (DESIGN §6).
//! - [`session`]: records folded into measurements; shared by the live
//!   observer and `gossip-lab report`, so both give the same summary.
//! - [`summary`]: the end-of-run summary and its human rendering.
//! - [`snapshot`]: what the dashboard draws, replaced ~10 times a second.
//! - [`recorder`]: streams the session log, metrics CSV and summary to disk.
//! - [`security`]: the log's account of keys: ids, never keys.
//! - [`status`], [`traffic`]: per-node self-reports and packet counters.

pub mod metrics;
pub mod model;
pub mod record;
pub mod recorder;
pub mod security;
pub mod session;
pub mod snapshot;
pub mod status;
pub mod summary;
pub mod traffic;
pub mod truth;
pub mod views;

pub use metrics::{Detection, FalseMark, Grace, Metrics, RumorSpread};
pub use record::{Line, Record};
pub use session::{Session, SessionSpec};
pub use snapshot::Snapshot;
pub use status::NodeStatus;
pub use summary::Summary;
pub use traffic::{Flow, Traffic};
pub use truth::{Liveness, Truth};
pub use views::Views;
