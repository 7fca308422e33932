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
use super::control::{Request, play, serve};
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
    let snapshots = running.observer.snapshots();
    let (requests, rx) = mpsc::channel(64);
    let (replies, reply_rx) = mpsc::unbounded_channel();
    let worker = tokio::spawn(serve(running, rx, replies));
    // The lab started just before the dashboard; step times count from here.
    let player = tokio::spawn(play(options.timeline.clone(), tokio::time::Instant::now(), requests.clone()));
    let outcome = match term::Term::enter() {
        Ok(mut term) => {
            let mut app = App::new(options.export.clone());
            app.no_color = super::chrome::access::no_color_from_env();
            let looped = event_loop(&mut term, &mut app, snapshots, requests, reply_rx, options.fps, signals);
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
    let running = worker.await?;
    let first = outcome.as_ref().ok().and_then(|r| r.as_ref().ok().copied().flatten());
    let (stopped, stop) = signals.while_stopping(first, running.stop()).await;
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
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    requests: mpsc::Sender<Request>,
    mut replies: mpsc::UnboundedReceiver<Status>,
    fps: u32,
    signals: &mut Signals,
) -> anyhow::Result<Option<Stop>> {
    let mut input = EventStream::new();
    let mut frame = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(fps.max(1))));
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut live = snapshots.borrow_and_update().clone();
    let mut observer_open = true;
    loop {
        let effect = tokio::select! {
            _ = frame.tick() => {
                app.screen = term.draw(app, &live)?;
                Effect::None
            }
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) => app.key(key, &live),
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
