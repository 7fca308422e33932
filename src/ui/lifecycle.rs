//! The dashboard's life: enter the terminal, run the event loop, and on
//! every way out (a quit key, a signal, an error, a panic) restore the
//! terminal first and then stop the lab, so the session log is finished
//! whatever ended it.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::{FutureExt, StreamExt};
use tokio::sync::{mpsc, watch};

use super::app::{App, Effect, Status};
use super::control::{LabControl, Pair, Request, play, serve};
use super::pace::Pace;
use super::term;
use crate::observe::Snapshot;
use crate::runtime::Running;
use crate::scenario::Step;
use crate::signals::{Signals, Stop};

/// How the dashboard runs.
#[derive(Clone, Debug)]
pub struct UiOptions {
    /// Frames per second.
    pub fps: u32,
    /// Where `x` exports (`--export`); a fresh directory when `None`.
    pub export: Option<PathBuf>,
    /// The profile's timeline, played against the lab from its start, so a
    /// profile does on screen what it does headless.
    pub timeline: Vec<Step>,
}

/// Runs the dashboard over `running` until the user quits or a signal
/// comes, then restores the terminal and stops the lab (completing the
/// session log); returns the signal, if one ended it. An error or a panic
/// in the event loop also restores the terminal and stops the lab first.
pub async fn run(running: Running, options: UiOptions, signals: &mut Signals) -> anyhow::Result<Option<Stop>> {
    let feeds = Feeds { a: running.observer.snapshots(), b: None };
    drive(running, feeds, options, signals, |r: Running| async move { r.stop().await.map(drop) }).await
}

/// Runs the dashboard over a comparison: the same view of both labs, keys
/// and the timeline applied to both; on the way out, as [`run`], both
/// labs are stopped and both session logs finished.
pub async fn run_pair(pair: Pair, options: UiOptions, signals: &mut Signals) -> anyhow::Result<Option<Stop>> {
    let feeds = Feeds { a: pair.a.observer.snapshots(), b: Some((pair.b.observer.snapshots(), pair.names.clone())) };
    drive(pair, feeds, options, signals, |p: Pair| async move { p.stop().await.map(drop) }).await
}

/// Where the frames come from: one lab, or two with their names.
struct Feeds {
    a: watch::Receiver<Arc<Snapshot>>,
    b: Option<(watch::Receiver<Arc<Snapshot>>, [String; 2])>,
}

/// The life of a dashboard over `lab`, whatever it is: serve its requests
/// on a task of their own, play the timeline, loop, then restore the
/// terminal and `stop` the lab even on an error or a panic.
async fn drive<L, F, Fut>(
    lab: L,
    feeds: Feeds,
    options: UiOptions,
    signals: &mut Signals,
    stop: F,
) -> anyhow::Result<Option<Stop>>
where
    L: LabControl,
    F: FnOnce(L) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>>,
{
    let (requests, rx) = mpsc::channel(64);
    let (replies, reply_rx) = mpsc::unbounded_channel();
    let worker = tokio::spawn(serve(lab, rx, replies));
    // The lab started just before the dashboard; step times count from here.
    let player = tokio::spawn(play(options.timeline.clone(), tokio::time::Instant::now(), requests.clone()));
    let outcome = match term::Term::enter() {
        Ok(mut term) => {
            let mut app = App::new(options.export.clone());
            app.no_color = super::chrome::access::no_color_from_env();
            let looped = event_loop(&mut term, &mut app, feeds, requests, reply_rx, options.fps, signals);
            AssertUnwindSafe(looped).catch_unwind().await
            // `term` drops here: the terminal is restored before the lab stops.
        }
        Err(e) => {
            drop(requests);
            Ok(Err(e))
        }
    };
    player.abort();
    let _ = player.await;
    let lab = worker.await?;
    let first = outcome.as_ref().ok().and_then(|r| r.as_ref().ok().copied().flatten());
    let (stopped, stop) = signals.while_stopping(first, stop(lab)).await;
    match outcome {
        // The log is finished; now let the panic go on as it would have.
        Err(panic) => std::panic::resume_unwind(panic),
        Ok(looped) => {
            looped?;
            stopped?;
            Ok(stop)
        }
    }
}

/// Draws and dispatches until the user quits (None) or a signal comes.
async fn event_loop(
    term: &mut term::Term,
    app: &mut App,
    feeds: Feeds,
    requests: mpsc::Sender<Request>,
    mut replies: mpsc::UnboundedReceiver<Status>,
    fps: u32,
    signals: &mut Signals,
) -> anyhow::Result<Option<Stop>> {
    let mut input = EventStream::new();
    let mut frame = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(fps.max(1))));
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let Feeds { a: mut snapshots, b } = feeds;
    let (mut b_snapshots, names) = match b {
        Some((rx, names)) => (Some(rx), Some(names)),
        None => (None, None),
    };
    let mut live = snapshots.borrow_and_update().clone();
    let mut live_b = b_snapshots.as_mut().map(|rx| rx.borrow_and_update().clone());
    let mut observer_open = true;
    let mut b_open = b_snapshots.is_some();
    let mut pace = Pace::new();
    loop {
        let effect = tokio::select! {
            _ = frame.tick() => {
                let started = std::time::Instant::now();
                app.phi_tab = live.phi.is_some() && live_b.as_ref().is_none_or(|b| b.phi.is_some());
                app.screen = match (&live_b, &names) {
                    (Some(b), Some([na, nb])) => term.draw_pair(app, (na, &live), (nb, b))?,
                    _ => term.draw(app, &live)?,
                };
                pace.drawn(started);
                Effect::None
            }
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    pace.key();
                    app.key(key, &live)
                }
                Some(Ok(Event::Mouse(mouse))) => app.mouse(mouse, &live),
                Some(Ok(_)) => Effect::None,
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading terminal input")),
                None => return Ok(None),
            },
            changed = snapshots.changed(), if observer_open => {
                match changed {
                    Ok(()) => live = snapshots.borrow_and_update().clone(),
                    Err(_) => observer_open = false,
                }
                Effect::None
            }
            changed = async { b_snapshots.as_mut().expect("open").changed().await }, if b_open => {
                match changed {
                    Ok(()) => live_b = b_snapshots.as_mut().map(|rx| rx.borrow_and_update().clone()),
                    Err(_) => b_open = false,
                }
                Effect::None
            }
            Some(status) = replies.recv() => {
                app.status = Some(status);
                Effect::None
            }
            // In raw mode Ctrl-C is a key (quit, exit 0); a real SIGINT
            // comes from outside, like SIGTERM and SIGHUP.
            stop = signals.recv() => return Ok(Some(stop)),
        };
        let request = match effect {
            Effect::None => continue,
            Effect::Quit => return Ok(None),
            Effect::Lab(action) => Request::Apply(action),
            Effect::Export(dir) => Request::Export(dir),
        };
        if requests.try_send(request).is_err() {
            app.say("the lab is still busy with earlier commands; try again", true);
        }
    }
}
