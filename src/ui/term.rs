//! The terminal, entered and restored. Restoring happens on every way out:
//! a normal quit and an error return (the guard's `Drop`), Ctrl-C (a key
//! in raw mode, handled by the event loop like `q`), SIGTERM, SIGHUP and
//! SIGINT from outside (the event loop returns, so `Drop` again), and a
//! panic (a hook chained in front of ratatui's own, which leaves raw mode
//! and the alternate screen). A terminal left in raw mode with mouse reporting on
//! is the worst thing a TUI can do to its user.

use std::io::stdout;
use std::sync::Once;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;

use super::app::App;
use crate::observe::Snapshot;

/// The dashboard's terminal; restored when dropped.
pub struct Term {
    terminal: DefaultTerminal,
}

impl std::fmt::Debug for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Term")
    }
}

static MOUSE_HOOK: Once = Once::new();

impl Term {
    /// Raw mode, the alternate screen and mouse capture.
    pub fn enter() -> anyhow::Result<Term> {
        let terminal = ratatui::try_init()?;
        // ratatui's hook restores raw mode and the screen but knows nothing
        // of mouse capture; ours runs first, then chains to it.
        MOUSE_HOOK.call_once(|| {
            let next = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let _ = execute!(stdout(), DisableMouseCapture);
                next(info);
            }));
        });
        let term = Term { terminal };
        execute!(stdout(), EnableMouseCapture)?;
        Ok(term)
    }

    /// Draws one frame and returns its size (for mapping clicks).
    pub fn draw(&mut self, app: &App, live: &Snapshot) -> std::io::Result<Rect> {
        let mut area = Rect::default();
        self.terminal.draw(|frame| {
            area = frame.area();
            super::chrome::draw(frame, app, live);
        })?;
        Ok(area)
    }

    /// Draws one frame of a comparison: `(name, snapshot)` of A, then B.
    pub fn draw_pair(&mut self, app: &App, a: (&str, &Snapshot), b: (&str, &Snapshot)) -> std::io::Result<Rect> {
        use super::chrome::{Side, draw_pair};
        let mut area = Rect::default();
        self.terminal.draw(|frame| {
            area = frame.area();
            let a = Side { letter: "A", name: a.0, snap: a.1 };
            let b = Side { letter: "B", name: b.0, snap: b.1 };
            draw_pair(frame, app, a, b);
        })?;
        Ok(area)
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = execute!(stdout(), DisableMouseCapture);
        ratatui::restore();
        let _ = self.terminal.show_cursor();
    }
}
