//! gossip-lab: run N real gossip nodes on localhost (SWIM + Lifeguard, or
//! heartbeat gossip with phi-accrual detection), break their network on
//! purpose, and watch membership recover.
//!
//! # Map of the crate
//!
//! - [`protocol`]: the sans-IO core. A [`protocol::Node`] (SWIM) or a
//!   [`protocol::phi::Node`] is a pure state machine: packets, timer ticks
//!   and commands go in with an explicit `now`; packets to send and events
//!   come out. No sockets, clocks, global RNG or OS-seeded hashing; it sizes
//!   packets itself ([`protocol::size`]). Drivers hold either family as a
//!   [`protocol::AnyNode`].
//! - [`wire`]: the only place packets become bytes and back (bincode 2),
//!   with a version byte and a size limit on decode. It depends on
//!   [`protocol`], never the reverse.
//! - [`security`]: who may talk to the cluster: keys, the keyring, and the
//!   codec that seals every datagram (XChaCha20-Poly1305) and opens it
//!   before anything is decoded.
//! - [`faults`]: the pure fault model (loss, delay, jitter, duplication,
//!   partitions, node states) that decides each packet's fate.
//! - [`rogue`]: the hostile peer as a fault: forged claims against a chosen
//!   node (death, leave, incarnation jump, flood, ack mask), as pure
//!   datagram plans both drivers carry out.
//! - [`sim`]: a deterministic virtual-time driver that runs many nodes over
//!   an in-memory network; the tests' workhorse.
//! - [`observe`]: turns node events and ground truth into the lab's
//!   measurements (views, agreement, accuracy, detection, false positives,
//!   rumor spread); both drivers feed it.
//! - [`scenario`]: the one command vocabulary ([`scenario::Action`]) shared by
//!   profile timelines, TUI keys and the session log, plus expectations.
//! - [`duration`]: durations as profiles write them ("250ms"), parsed and
//!   formatted in one place.
//! - [`config`]: a TOML profile plus command-line overrides become one
//!   validated [`config::LabConfig`]; errors name the field and the fix.
//! - [`profiles`]: the profiles embedded in the binary (`profiles/*.toml`).
//! - [`cli`]: the command-line flags (clap) and how they build a config.
//! - [`engine`]: the one engine both drivers run under: ground truth, the
//!   action interpreter, random picks, the timeline player and the line
//!   path (session fold and log), behind a driver interface.
//! - [`runtime`]: the real lab: one tokio task per node on loopback UDP, the
//!   driver that carries out the engine's effects, and the observer task.
//! - [`plot`]: a saved session drawn as SVG charts and an `index.html`.
//! - [`ui`]: the terminal dashboard over a running lab.
//! - [`signals`]: SIGTERM, SIGHUP and SIGINT as requests to stop, which the
//!   dashboard and the headless runs answer by finishing the session.
//! - [`app`]: the entry points `main` dispatches to (TUI, headless run,
//!   comparison, report, replay, plot).
//!
//! The drivers are the only code that moves packets: `sim` in memory, and
//! `runtime` on real loopback UDP sockets.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod app;
pub mod cli;
pub mod config;
pub mod duration;
pub mod engine;
pub mod faults;
pub mod observe;
pub mod plot;
pub mod profiles;
pub mod protocol;
pub mod rogue;
pub mod runtime;
pub mod scenario;
pub mod security;
pub mod signals;
pub mod sim;
pub mod ui;
pub mod wire;
