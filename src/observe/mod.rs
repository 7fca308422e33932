//! Observation: turning node events and ground truth into measurements.
//!
//! Both drivers (the simulator and the UDP runtime) feed the same types, so
//! a metric means the same thing in a test as on real sockets.
//!
//! - [`views`]: every node's membership view, reconstructed from events.
//! - [`truth`]: what is really up, paused, crashed or cut off.
//! - [`metrics`]: agreement, accuracy, detection, false positives, rumors.
//! - [`model`]: what the configuration implies, to print beside measurements.

pub mod metrics;
pub mod model;
pub mod status;
pub mod traffic;
pub mod truth;
pub mod views;

pub use metrics::{Detection, FalseMark, Grace, Metrics, RumorSpread};
pub use status::NodeStatus;
pub use traffic::{Flow, Traffic};
pub use truth::{Liveness, Truth};
pub use views::Views;
