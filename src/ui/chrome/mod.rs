//! The chrome around the views: the header, the tab bar, the status line,
//! the key hints, the help popup and a replay's time bar, plus the two
//! screens drawn instead of a view (too small, waiting for the first
//! snapshot). [`draw`] composes a frame from them and the current view,
//! [`draw_pair`] one from two labs compared side by side; like the views,
//! they only read.

pub mod access;
mod footer;
mod header;
mod help;
mod pair;
pub mod timebar;

use ratatui::Frame;
use ratatui::layout::{HorizontalAlignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::App;
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::view::View;
use super::views::{self, Ctx, dim, title_style};
use crate::observe::Snapshot;

pub use pair::{Side, draw_pair};

/// Draws one frame: the live snapshot, or the frozen one; then marks the
/// selection and, with `NO_COLOR`, takes the colours out
/// ([`access::finish`]).
pub fn draw(frame: &mut Frame, app: &App, live: &Snapshot) {
    compose(frame, app, live);
    access::finish(frame.buffer_mut(), app.no_color);
}

fn compose(frame: &mut Frame, app: &App, live: &Snapshot) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let snap = app.frozen.as_deref().unwrap_or(live);
    let s = layout::screen(area, app.replay.is_some());
    if let Some(replay) = &app.replay {
        timebar::render(frame, s.timebar, replay);
    }
    if snap.nodes.is_empty() {
        let above = Rect { height: area.height - s.timebar.height - s.status.height - s.footer.height, ..area };
        splash(frame, if app.replay.is_some() { above } else { area }, app.replay.is_some());
        if app.replay.is_some() {
            footer::status(frame, s.status, app);
            footer::keys(frame, s.footer, app);
        }
        return;
    }
    header::render(frame, s.header, app, snap);
    header::tabs(frame, s.tabs, app.view, app.phi_tab);
    body(frame, s.body, &Ctx { snap, app });
    footer::status(frame, s.status, app);
    footer::keys(frame, s.footer, app);
    if app.help {
        help::render(frame, area, app.mode());
    }
}

/// The current view over `area`.
fn body(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    match ctx.app.view {
        View::Overview => views::overview::render(frame, area, ctx),
        View::Cluster => views::cluster::render(frame, area, ctx),
        View::Matrix => views::matrix::render(frame, area, ctx),
        View::Suspicions => views::suspicions::render(frame, area, ctx),
        View::Detail => views::detail::render(frame, area, ctx),
        View::Network => views::network::render(frame, area, ctx),
        View::Events => views::events::render(frame, area, ctx),
        View::Rumor => views::rumor::render(frame, area, ctx),
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled("terminal too small", Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)),
        Line::raw(format!("{}×{}; the dashboard needs at least {MIN_WIDTH}×{MIN_HEIGHT}", area.width, area.height)),
        Line::styled("enlarge the window, or press q to quit", dim()),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let at = Rect { y: area.y + y, height: area.height.saturating_sub(y).min(3), ..area };
    frame.render_widget(Paragraph::new(text).alignment(HorizontalAlignment::Center), at);
}

fn splash(frame: &mut Frame, area: Rect, replay: bool) {
    let (what, why) = if replay {
        ("no node is up yet at this point of the recording", "play, or press $, . or → to move on")
    } else {
        ("starting the nodes on 127.0.0.1 …", "waiting for the first snapshot from the observer")
    };
    let text = vec![
        Line::styled("gossip-lab", title_style()),
        Line::raw(""),
        Line::raw(what),
        Line::styled(why, dim()),
        Line::raw(""),
        Line::styled("? help · q quit", dim()),
    ];
    let y = area.height.saturating_sub(6) / 2;
    let at = Rect { y: area.y + y, height: 6.min(area.height), ..area };
    frame.render_widget(Paragraph::new(text).alignment(HorizontalAlignment::Center), at);
}
