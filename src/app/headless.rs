//! `gossip-lab run`: a profile's timeline on real sockets, no screen.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

use super::RunOptions;
use crate::config::LabConfig;
use crate::observe::Summary;
use crate::runtime::launch_with;

/// Runs the timeline to the end of the profile's duration (or Ctrl-C) and
/// returns the summary, plus whether the run was interrupted.
pub async fn run(config: LabConfig, opts: &RunOptions) -> anyhow::Result<(Summary, bool)> {
    let duration = config.duration;
    let timeline = config.timeline.clone();
    // Snapshots feed only the progress line here: one a second is plenty.
    let mut running =
        launch_with(config, opts.export.clone(), Duration::from_secs(1)).await.context("starting the lab")?;
    let start = Instant::now();
    let progress = std::io::stderr().is_terminal();
    let snapshots = running.observer.snapshots();
    let mut steps = timeline.iter().peekable();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let end = start + duration;
    let mut interrupted = false;
    loop {
        let next = steps.peek().map_or(end, |s| (start + s.at).min(end));
        tokio::select! {
            _ = &mut ctrl_c => {
                interrupted = true;
                break;
            }
            () = tokio::time::sleep_until(next) => {
                if next >= end && steps.peek().is_none_or(|s| start + s.at >= end) {
                    break;
                }
                let step = steps.next().expect("peeked");
                match running.lab.apply(&step.action).await {
                    Ok(feedback) => tracing::info!("{:?}: {feedback}", step.at),
                    Err(e) => eprintln!("gossip-lab: timeline step at {:?} ({}) failed: {e}", step.at, step.action.label()),
                }
            }
            _ = tick.tick(), if progress => {
                let s = snapshots.borrow().clone();
                eprint!(
                    "\r  {:>6.1}s / {:.0}s   {}/{} up   agreement {:>5.1}%   accuracy {:>5.1}%   ",
                    start.elapsed().as_secs_f64(),
                    duration.as_secs_f64(),
                    s.up(),
                    s.nodes.len(),
                    s.agreement * 100.0,
                    s.accuracy * 100.0
                );
                let _ = std::io::stderr().flush();
            }
        }
    }
    if progress {
        eprint!("\r{:80}\r", "");
    }
    let summary = running.stop().await.context("stopping the lab")?;
    Ok((summary, interrupted))
}
