//! The frame of a comparison (`gossip-lab compare`): the same view of two
//! labs, A and B, each with its own header, under one tab bar, status
//! line and key hints. Keys apply to both labs at once, so the selection,
//! the scroll and the view are shared and only the snapshots differ.
//!
//! The panes sit side by side when each gets at least 80 columns (the
//! width every view is made for), else one above the other, so a
//! comparison stays readable at 80×24.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{access, body, footer, header, help, layout, too_small};
use crate::observe::Snapshot;
use crate::ui::app::App;
use crate::ui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::ui::views::{Ctx, dim};

/// One side of a comparison: its letter, its name and what it shows.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// "A" or "B".
    pub letter: &'static str,
    /// The side's name from the comparison ("lifeguard", "phi 8").
    pub name: &'a str,
    /// Its snapshot (frozen or live, as the caller chose).
    pub snap: &'a Snapshot,
}

/// Draws one frame of a comparison, then marks the selection and applies
/// `NO_COLOR` as [`super::draw`] does.
pub fn draw_pair(frame: &mut Frame, app: &App, a: Side, b: Side) {
    compose(frame, app, a, b);
    access::finish(frame.buffer_mut(), app.no_color);
}

fn compose(frame: &mut Frame, app: &App, a: Side, b: Side) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let s = layout::screen(area, false);
    // The single-lab header's rows go to the panes: each has its own.
    let panes = Rect { y: s.header.y, height: s.header.height + s.tabs.height + s.body.height, ..area };
    let [tabs, panes] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(panes);
    header::tabs(frame, tabs, app.view, app.phi_tab);
    let [left, right] = if panes.width >= 2 * MIN_WIDTH {
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).spacing(1).areas(panes)
    } else {
        Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(panes)
    };
    pane(frame, left, app, a);
    pane(frame, right, app, b);
    footer::status(frame, s.status, app);
    footer::keys(frame, s.footer, app);
    if app.help {
        help::render(frame, area, app.mode());
    }
}

/// One side: a label line, its header and the view.
fn pane(frame: &mut Frame, area: Rect, app: &App, side: Side) {
    let [label, head, view] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let text = Line::from(vec![
        Span::styled(format!(" {} ", side.letter), Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)),
        Span::styled(format!(" {}", side.name), Style::new().add_modifier(Modifier::BOLD)),
        Span::styled("  (keys act on both)", dim()),
    ]);
    frame.render_widget(Paragraph::new(text), label);
    if side.snap.nodes.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled("starting the nodes …", dim())), view);
        return;
    }
    header::render(frame, head, app, side.snap);
    body(frame, view, &Ctx { snap: side.snap, app });
}
