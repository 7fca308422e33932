//! The terminal dashboard over a running lab (`gossip-lab` with no
//! subcommand).
//!
//! - [`view`]: the views as a value.
//! - [`keys`]: the one binding table; it drives dispatch, the footer and
//!   the `?` popup.
//! - [`layout`]: where things are on screen; drawing and mouse clicks ask
//!   the same functions.
//! - [`app`]: the dashboard's own state and what each key or click does to
//!   it; pure.
//! - [`order`]: which node rows a list shows and in what order (filter,
//!   sort), for drawing, keys and clicks alike.
//! - [`prompt`]: the one line of text entry (filter, jump, groups) and
//!   the parsers for what is typed.
//! - [`views`]: one read-only render function per view.
//! - [`chrome`]: [`draw`], the header, tabs, status line, footer, help
//!   popup and the screens drawn instead of a view.
//! - [`control`]: the control plane, the task that owns the lab ([`serve`])
//!   and the timeline player ([`play`]).
//! - [`term`]: entering and restoring the terminal on every exit path.
//! - [`pace`]: frame draw times and key latency, logged every 10 s.
//! - [`lifecycle`]: [`run`], the event loop, and the order of things on
//!   the way out (terminal first, then the lab).
//! - [`transport`]: a replay's cursor, speed and play state; pure.
//! - [`replay`]: `replay::run`, the event loop over a recorded session
//!   ([`replay::Tape`]) instead of a lab.
//! - [`fixture`]: synthetic snapshots for rendering tests and benchmarks.
//!
//! The event loop in [`run`] multiplexes terminal input, a fixed-rate
//! render tick, the observer's snapshot channel and signals. A key goes to
//! [`App`], which changes the display or returns an [`Effect`] for the lab;
//! lab actions go to [`serve`], a separate task that owns the lab, so a
//! slow action (a crash waits for the node's task to end) never stalls
//! drawing, and nothing here ever touches a node: the runtime stays the
//! only place work happens. Each tick, [`term`] draws the frame through
//! [`draw`].
//!
//! Dependencies point one way (`a → b`: `a` uses `b`; an edge that a
//! longer path already implies, such as `lifecycle → app`, is left out):
//!
//! ```text
//! lifecycle → term → chrome → views → app → keys → view
//!     │        ↑        │       │      ├──→ layout → view
//!     │     replay      │       │      ├──→ order → prompt
//!     │                 │       │      └──→ transport
//!     │                 │       └────────→ layout
//!     │                 └──→ keys, layout, view
//!     └──→ control → app
//! ```
//!
//! `replay` stands where `lifecycle` does, over a recording: it uses
//! `term` and `app` and no lab.
//!
//! `layout` knows nothing of the app state, so `app` can hit-test a click
//! with it and the views can draw with it.

pub mod app;
pub mod chrome;
pub mod control;
pub mod fixture;
pub mod keys;
pub mod layout;
pub mod lifecycle;
pub mod order;
pub mod pace;
pub mod prompt;
pub mod replay;
pub mod term;
pub mod transport;
pub mod view;
pub mod views;

pub use self::app::{App, Effect, Status};
pub use self::chrome::{Side, draw, draw_pair};
pub use self::control::{LabControl, Pair, Request, play, serve};
pub use self::layout::{MIN_HEIGHT, MIN_WIDTH};
pub use self::lifecycle::{UiOptions, run, run_pair};
pub use self::view::View;
