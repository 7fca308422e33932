//! `gossip-lab run`: a profile's timeline on real sockets, no screen.

use std::io::{IsTerminal, Write};
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use anyhow::Context;
use futures_util::FutureExt;

use super::RunOptions;
use crate::config::LabConfig;
use crate::engine::Timeline;
use crate::observe::{Mode, Summary};
use crate::protocol::Time;
use crate::runtime::{HEADLESS_SNAPSHOTS, Running, launch_with};
use crate::scenario::Step;
use crate::signals::{Signals, Stop};
use crate::ui::control::LabControl;

/// Runs the timeline to the end of the profile's duration, or until a
/// signal, and returns the summary and the signal that stopped it, if
/// one did. Every way out, a panic included, stops the lab first, so the
/// session log is finished.
pub async fn run(
    config: LabConfig,
    opts: &RunOptions,
    signals: &mut Signals,
) -> anyhow::Result<(Summary, Option<Stop>)> {
    let duration = config.duration;
    let timeline = config.timeline.clone();
    // Snapshots feed only the progress line here: one a second is plenty.
    let running = launch_with(config, opts.export.clone(), HEADLESS_SNAPSHOTS, Mode::Scripted)
        .await
        .context("starting the lab")?;
    let start = running.lab.clock().instant(Time::ZERO);
    let snapshots = running.observer.snapshots();
    let progress = move || {
        let s = snapshots.borrow().clone();
        format!(
            "{}/{} up   agreement {:>5.1}%   accuracy {:>5.1}%",
            s.up(),
            s.nodes.len(),
            s.agreement * 100.0,
            s.accuracy * 100.0
        )
    };
    drive_then_stop(running, start, &timeline, duration, signals, progress, Running::stop).await
}

/// [`drive`], then `stop` the lab on every way out, a panic included, so
/// the session logs are finished; what `stop` returns (the summaries),
/// and the signal that ended the run, if one did. `lab` is one lab or a
/// comparison's pair.
pub(super) async fn drive_then_stop<L, T, Fut>(
    mut lab: L,
    start: tokio::time::Instant,
    timeline: &[Step],
    duration: Duration,
    signals: &mut Signals,
    progress: impl Fn() -> String,
    stop: impl FnOnce(L) -> Fut,
) -> anyhow::Result<(T, Option<Stop>)>
where
    L: LabControl,
    Fut: std::future::Future<Output = std::io::Result<T>>,
{
    let driven = AssertUnwindSafe(drive(&mut lab, start, timeline, duration, signals, progress)).catch_unwind().await;
    let first = driven.as_ref().ok().copied().flatten();
    let (stopped, signal) = signals.while_stopping(first, stop(lab)).await;
    match driven {
        Ok(_) => Ok((stopped.context("stopping the lab")?, signal)),
        // The log is finished; now let the panic go on as it would have.
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Plays the timeline against `lab` from `start` (the instant the log's
/// `t_ms` counts from, so a step at 5 s is logged at 5 s) until the
/// duration ends or a signal comes, showing `progress` once a second on a
/// terminal.
async fn drive<L: LabControl>(
    lab: &mut L,
    start: tokio::time::Instant,
    timeline: &[Step],
    duration: Duration,
    signals: &mut Signals,
    progress: impl Fn() -> String,
) -> Option<Stop> {
    let show = std::io::stderr().is_terminal();
    let mut timeline = Timeline::new(timeline.to_vec());
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let end = start + duration;
    let mut stopped = None;
    loop {
        let next = timeline.next_at().map_or(end, |at| (start + at).min(end));
        tokio::select! {
            stop = signals.recv() => {
                stopped = Some(stop);
                break;
            }
            () = tokio::time::sleep_until(next) => {
                // Steps at or after the end are not played.
                let Some(step) = timeline.due(next - start).filter(|_| next < end) else { break };
                match lab.apply(&step.action).await {
                    Ok(feedback) => tracing::info!("{:?}: {feedback}", step.at),
                    Err(e) => eprintln!("gossip-lab: timeline step at {:?} ({}) failed: {e}", step.at, step.action.label()),
                }
            }
            _ = tick.tick(), if show => {
                eprint!(
                    "\r  {:>6.1}s / {:.0}s   {}   ",
                    start.elapsed().as_secs_f64(),
                    duration.as_secs_f64(),
                    progress()
                );
                let _ = std::io::stderr().flush();
            }
        }
    }
    if show {
        eprint!("\r{:80}\r", "");
    }
    stopped
}
