//! `gossip-lab replay`: the dashboard over a recorded session. The same
//! [`App`], chrome and views draw it; what changes is where the snapshot
//! comes from (a [`Tape`] asked for the frame at the cursor, instead of
//! the observer's channel) and what moves time (the transport, instead of
//! the lab's clock).
//!
//! The loop redraws at the frame rate, advances the cursor by the wall
//! time that went by while playing, and asks the tape for a frame only
//! when the cursor moved, since building one may mean replaying a stretch
//! of the log. There is no lab, so nothing needs stopping on the way out:
//! the terminal is restored by [`Term`]'s drop on every exit, a panic's
//! included.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;

mod tape;

pub use self::tape::Tape;

use super::app::{App, Effect, Replay};
use super::term::Term;
use crate::protocol::Time;
use crate::signals::{Signals, Stop};

/// How a replay runs.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    /// Frames per second.
    pub fps: u32,
    /// The session log's path, for the header.
    pub file: String,
    /// What the log can't show (cut, incomplete, newer kinds); shown in
    /// the status line until the first key.
    pub notes: Vec<String>,
}

/// Shows `tape` until the user quits (None) or a signal comes; the
/// terminal is restored either way.
pub async fn run<T: Tape>(mut tape: T, options: ReplayOptions, signals: &mut Signals) -> anyhow::Result<Option<Stop>> {
    let mut app = App::replaying(Replay::new(options.file, tape.end(), tape.marks().to_vec()));
    app.no_color = crate::ui::chrome::access::no_color_from_env();
    if !options.notes.is_empty() {
        app.say(options.notes.join(" · "), true);
    }
    let mut term = Term::enter()?;
    event_loop(&mut term, &mut app, &mut tape, options.fps, signals).await
    // `term` drops here, restoring the terminal.
}

async fn event_loop<T: Tape>(
    term: &mut Term,
    app: &mut App,
    tape: &mut T,
    fps: u32,
    signals: &mut Signals,
) -> anyhow::Result<Option<Stop>> {
    let mut input = EventStream::new();
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(fps.max(1))));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let cursor = |app: &App| app.replay.as_ref().map_or(Time::ZERO, |r| r.transport.cursor);
    let mut shown = cursor(app);
    let mut snap = tape.frame(shown);
    let mut last = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let now = tokio::time::Instant::now();
                if let Some(replay) = &mut app.replay {
                    replay.transport.tick(now - last);
                }
                last = now;
                if cursor(app) != shown {
                    shown = cursor(app);
                    snap = tape.frame(shown);
                }
                app.phi_tab = snap.phi.is_some();
                app.screen = term.draw(app, &snap)?;
            }
            event = input.next() => match event {
                // Lab effects cannot come from a replay's app; only quit matters.
                Some(Ok(Event::Key(key))) => {
                    if app.key(key, &snap) == Effect::Quit {
                        return Ok(None);
                    }
                }
                Some(Ok(Event::Mouse(mouse))) => {
                    app.mouse(mouse, &snap);
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading terminal input")),
                None => return Ok(None),
            },
            stop = signals.recv() => return Ok(Some(stop)),
        }
    }
}
