//! A comparison (`gossip-lab compare A B`, or a profile with `[compare]`):
//! the profile's scenario run twice at once, one lab per side, on one
//! timeline, and judged together ([`Comparison`]).
//!
//! Both sides are built from the same profile, so they share the seed:
//! the engine picks the same nodes for every action, and each side's
//! fault decisions come from the same seeded stream (the same loss rate
//! drawn the same way; the datagrams themselves differ, since the
//! protocols send different ones). On real sockets both labs share one
//! clock and every step is applied to both at once; in the simulator they
//! advance in lockstep, one virtual time, so the same seed gives the same
//! bytes.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;

use super::sim_run::{SimLab, Stepped, play, stoppable};
use super::{Outcome, RunOptions, TuiOptions};
use crate::config::LabConfig;
use crate::observe::Mode;
use crate::observe::comparison::Comparison;
use crate::protocol::Time;
use crate::runtime::clock::LabClock;
use crate::runtime::launch_on;
use crate::scenario::{Step, split_side_profile};
use crate::signals::{Signals, Stop};
use crate::ui::control::Pair;

/// The file a headless comparison writes beside `a/` and `b/`: its
/// verdict, with the directions it predicted.
pub const COMPARISON_FILE: &str = "comparison.json";

/// Tells a comparison's directory: both saved sessions folded again, side
/// by side, judged by the directions its `comparison.json` recorded (none
/// for a dashboard's comparison, which judges nothing).
pub fn report(dir: &Path, format: super::report::Format) -> anyhow::Result<Outcome> {
    use super::report::{Format, notes, summary_of};
    use super::session_log::SessionLog;
    let mut sides = Vec::new();
    for side in ["a", "b"] {
        let log = SessionLog::read(&dir.join(side).join("session.jsonl"))
            .with_context(|| format!("{} is no comparison's directory (a/ and b/ session logs)", dir.display()))?;
        let summary = summary_of(&log);
        for note in notes(&log, &summary) {
            eprintln!("gossip-lab: {side}: {note}");
        }
        sides.push(summary);
    }
    let saved: Option<Comparison> =
        std::fs::read(dir.join(COMPARISON_FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let b = sides.pop().expect("two sides");
    let a = sides.pop().expect("two sides");
    let name =
        |s: &crate::observe::Summary, fallback: &str| split_side_profile(&s.profile).1.unwrap_or(fallback).to_owned();
    let names = saved.as_ref().map_or_else(|| [name(&a, "A"), name(&b, "B")], |c| c.names.clone());
    let (directions, theory) = saved.map_or((Vec::new(), None), |c| (c.directions, c.within_theory));
    let comparison = Comparison::judge(names, a, b, &directions, theory);
    match format {
        Format::Json => println!("{}", serde_json::to_string(&comparison)?),
        Format::Text | Format::Markdown => print!("{}", comparison.render_text()),
    }
    Ok(if comparison.passed { Outcome::Success } else { Outcome::Failed })
}

/// The two sides' configurations and names, or an error for a profile
/// with no `[compare]`.
fn sides(config: &LabConfig) -> anyhow::Result<([LabConfig; 2], [String; 2])> {
    let compare = config.compare.as_ref().context("the profile has no [compare] section")?;
    let sides = config.sides().context("the profile has no [compare] section")?;
    Ok((sides, [compare.a.name.clone(), compare.b.name.clone()]))
}

fn judge(config: &LabConfig, names: [String; 2], [a, b]: [crate::observe::Summary; 2]) -> Comparison {
    let compare = config.compare.as_ref().expect("checked by sides()");
    Comparison::judge(names, a, b, &compare.expect, compare.detection_within_theory)
}

/// Runs the comparison headless, prints the two-column summary (or one
/// JSON object), and says how it ended.
pub fn run_headless(config: LabConfig, opts: RunOptions) -> anyhow::Result<Outcome> {
    let (runtime, mut signals) = super::headless_runtime(&opts)?;
    let (comparison, stop) = runtime.block_on(async {
        if opts.sim {
            sim_stoppable(config, &opts, &mut signals).await
        } else {
            live(config, &opts, &mut signals).await
        }
    })?;
    if opts.json {
        println!("{}", serde_json::to_string(&comparison)?);
    } else {
        print!("{}", comparison.render_text());
    }
    if let Some(dir) = &opts.export {
        // What `report DIR` judges the saved sessions by again.
        let file = dir.join(COMPARISON_FILE);
        std::fs::write(&file, serde_json::to_string_pretty(&comparison)? + "\n")
            .with_context(|| format!("writing {}", file.display()))?;
        eprintln!("gossip-lab: both sessions exported to {} (a/, b/ and {COMPARISON_FILE})", dir.display());
    }
    Ok(match stop {
        Some(stop) => {
            eprintln!("gossip-lab: stopped by {}; both sessions are finished", stop.name());
            Outcome::Stopped(stop)
        }
        None if comparison.passed => Outcome::Success,
        None => Outcome::Failed,
    })
}

/// Each side's session directory under `dir`.
fn side_dirs(dir: Option<&Path>) -> [Option<PathBuf>; 2] {
    [dir.map(|d| d.join("a")), dir.map(|d| d.join("b"))]
}

/// Starts both labs on one clock, A first.
async fn launch_pair(
    config: &LabConfig,
    record: Option<&Path>,
    snapshot_every: Duration,
    mode: Mode,
) -> anyhow::Result<Pair> {
    let ([ca, cb], names) = sides(config)?;
    let [ra, rb] = side_dirs(record);
    let clock = LabClock::start();
    let a = launch_on(clock, ca, ra, snapshot_every, mode).await.context("starting side A")?;
    let b = match launch_on(clock, cb, rb, snapshot_every, mode).await {
        Ok(b) => b,
        Err(e) => {
            let _ = a.stop().await;
            return Err(anyhow::Error::new(e).context("starting side B"));
        }
    };
    Ok(Pair { a, b, names })
}

/// On real sockets: both labs at once, the timeline applied to both.
async fn live(
    config: LabConfig,
    opts: &RunOptions,
    signals: &mut Signals,
) -> anyhow::Result<(Comparison, Option<Stop>)> {
    let pair = launch_pair(&config, opts.export.as_deref(), crate::runtime::HEADLESS_SNAPSHOTS, Mode::Scripted).await?;
    let start = pair.a.lab.clock().instant(Time::ZERO);
    let (sa, sb) = (pair.a.observer.snapshots(), pair.b.observer.snapshots());
    let progress = move || {
        let (a, b) = (sa.borrow().clone(), sb.borrow().clone());
        format!("agreement A {:>5.1}%  B {:>5.1}%", a.agreement * 100.0, b.agreement * 100.0)
    };
    let names = pair.names.clone();
    let (summaries, stop) =
        super::headless::drive_then_stop(pair, start, &config.timeline, config.duration, signals, progress, Pair::stop)
            .await?;
    Ok((judge(&config, names, summaries), stop))
}

/// Both simulated labs, advanced in lockstep: B follows A to each time A
/// reaches, and each step is applied to A, then to B, at that time.
struct SimPair {
    a: SimLab,
    b: SimLab,
}

impl Stepped for SimPair {
    fn step_toward(&mut self, target: Time) -> std::io::Result<Time> {
        let t = self.a.step_toward(target)?;
        self.b.run_until(t)?;
        Ok(t)
    }

    fn play_step(&mut self, step: &Step) -> std::io::Result<()> {
        self.a.play_step(step)?;
        self.b.play_step(step)
    }
}

/// In the simulator, until done or `stop` is set.
pub fn sim(config: &LabConfig, opts: &RunOptions, stop: &AtomicBool) -> anyhow::Result<Comparison> {
    let ([ca, cb], names) = sides(config)?;
    let [ra, rb] = side_dirs(opts.export.as_deref());
    let a = SimLab::start(&ca, Mode::Scripted, ra.as_deref()).context("side A")?;
    let b = SimLab::start(&cb, Mode::Scripted, rb.as_deref()).context("side B")?;
    let mut pair = SimPair { a, b };
    play(&mut pair, config, stop, |_, _| {})?;
    let summaries = [pair.a.finish()?, pair.b.finish()?];
    Ok(judge(config, names, summaries))
}

/// [`sim`] on a blocking thread while this task waits for a signal.
async fn sim_stoppable(
    config: LabConfig,
    opts: &RunOptions,
    signals: &mut Signals,
) -> anyhow::Result<(Comparison, Option<Stop>)> {
    let opts = opts.clone();
    stoppable(signals, move |stop| sim(&config, &opts, stop)).await
}

/// The dashboard over both labs: the same view of each, keys and the
/// timeline applied to both. Records under `record`'s a/ and b/.
pub async fn tui(
    config: LabConfig,
    opts: &TuiOptions,
    record: &Path,
    signals: &mut Signals,
) -> anyhow::Result<Option<Stop>> {
    let timeline = config.timeline.clone();
    let pair = launch_pair(&config, Some(record), crate::runtime::DASHBOARD_SNAPSHOTS, Mode::HandsOn).await?;
    let options = crate::ui::UiOptions { fps: opts.fps, export: opts.export.clone(), timeline };
    crate::ui::run_pair(pair, options, signals).await
}
