//! Cluster: the cluster as a picture. Nodes sit on a ring drawn in
//! braille, one arc per partition group with a gap between arcs; each
//! node's middle mark is its true state, its outer mark how the others see
//! it (the consensus of the up nodes, or with `o` the selected node's own
//! view), its inner mark whether it has the latest rumor; sampled
//! datagrams of the last frames cross the ring as lines that fade with
//! age. A legend on the right says what each mark means, with counts, so
//! the picture reads in a text capture too.
//!
//! - [`ring`]: where each node sits.
//! - [`paint`]: the dots and the labels.
//! - [`legend`]: the text beside it.

mod legend;
mod paint;
pub mod ring;

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::canvas::Canvas;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Ctx, dim, title_style};
use crate::observe::Snapshot;
use crate::observe::snapshot::{FLIGHT_WINDOW, FlightKind};
use crate::protocol::State;

/// Whose eyes the outer ring shows.
#[derive(Clone, Copy, Debug)]
pub struct Lens<'a> {
    snap: &'a Snapshot,
    /// `Some(node)`: that node's own view; `None`: the consensus.
    observer: Option<usize>,
}

impl<'a> Lens<'a> {
    /// The lens the dashboard asks for (`o` toggles it).
    pub fn of(ctx: &Ctx<'a>) -> Lens<'a> {
        let sel = ctx.selected();
        let observer = (ctx.app.observer && sel < ctx.snap.views.len()).then_some(sel);
        Lens { snap: ctx.snap, observer }
    }

    /// How node `i` is seen through this lens.
    pub fn seen(&self, i: usize) -> Option<State> {
        match self.observer {
            Some(o) if i < self.snap.views.len() => self.snap.views.get(o, i),
            Some(_) => None,
            None => self.snap.nodes.get(i).and_then(|row| consensus(&row.seen)),
        }
    }

    /// "consensus" or "node 3's view".
    pub fn name(&self) -> String {
        self.observer.map_or_else(|| "consensus".to_owned(), |o| format!("node {o}'s view"))
    }
}

/// The state most up nodes hold a node in, from its
/// [alive, suspect, dead, left, unknown] counts (`NodeRow::seen`); a tie
/// goes to the earlier state of that list; `None` (unknown) when no up
/// node holds any view of it.
pub fn consensus(seen: &[usize; 5]) -> Option<State> {
    const STATES: [Option<State>; 5] =
        [Some(State::Alive), Some(State::Suspect), Some(State::Dead), Some(State::Left), None];
    let (slot, &most) = seen.iter().enumerate().rev().max_by_key(|&(_, c)| *c)?;
    if most == 0 { None } else { STATES[slot] }
}

/// A datagram kind's colour, fresh and older.
pub fn kind_colors(kind: FlightKind) -> (Color, Color) {
    match kind {
        FlightKind::Probe => (Color::LightYellow, Color::Yellow),
        FlightKind::Ack => (Color::LightGreen, Color::Green),
        FlightKind::Gossip => (Color::LightCyan, Color::Cyan),
        FlightKind::PushPull => (Color::LightMagenta, Color::Magenta),
        FlightKind::Rumor => (paint::RUMOR, Color::Blue),
    }
}

/// A datagram's colour at `age`: its kind's bright colour for the first
/// third of the window, its plain colour for the second, grey after.
pub fn fade(kind: FlightKind, age: Duration) -> Color {
    let (fresh, older) = kind_colors(kind);
    let third = FLIGHT_WINDOW / 3;
    if age < third {
        fresh
    } else if age < third * 2 {
        older
    } else {
        Color::DarkGray
    }
}

/// Draws the cluster view.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    let n = snap.nodes.len();
    let lens = Lens::of(ctx);
    let title = format!(" cluster: {n} nodes on a ring · outer marks: {} ", lens.name());
    let block = Block::bordered().title(Span::styled(title, title_style()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let legend_w = (inner.width / 3).clamp(30, 38).min(inner.width);
    let [picture, side] = Layout::horizontal([Constraint::Min(0), Constraint::Length(legend_w)]).areas(inner);
    let (w, h) = (usize::from(picture.width) * 2, usize::from(picture.height) * 4);
    let ring = ring::Ring::new(w, h, ring::groups(&snap.plan, n), n);
    let drawn = ring.as_ref().map_or(0, paint::line_cap).min(snap.flights.len());
    let side_block = Block::new().borders(Borders::LEFT).border_style(dim());
    let text = legend::lines(ctx, &lens, drawn, side_block.inner(side).width.saturating_sub(1) as usize);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).block(side_block), side);

    let Some(ring) = ring else {
        let why = if n == 0 { "no nodes yet" } else { "too small for the ring: widen the terminal" };
        frame.render_widget(Paragraph::new(why).style(dim()), picture);
        return;
    };
    let [lines, marks] = paint::layers(ctx, &ring, &lens, (w, h), drawn);
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([0.0, (w - 1) as f64])
        .y_bounds([0.0, (h - 1) as f64])
        .paint(|c| {
            c.draw(&lines);
            c.layer();
            c.draw(&marks);
        });
    frame.render_widget(canvas, picture);
    paint::labels(frame.buffer_mut(), picture, ctx, &ring);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consensus_is_the_most_held_state() {
        assert_eq!(consensus(&[5, 2, 0, 0, 0]), Some(State::Alive));
        assert_eq!(consensus(&[1, 2, 3, 0, 0]), Some(State::Dead));
        assert_eq!(consensus(&[0, 0, 0, 0, 4]), None);
        assert_eq!(consensus(&[2, 2, 0, 0, 0]), Some(State::Alive), "a tie goes to the earlier state");
        assert_eq!(consensus(&[0; 5]), None, "nobody up to ask");
    }

    #[test]
    fn datagrams_fade_with_age() {
        let third = FLIGHT_WINDOW / 3;
        assert_eq!(fade(FlightKind::Ack, Duration::ZERO), Color::LightGreen);
        assert_eq!(fade(FlightKind::Ack, third), Color::Green);
        assert_eq!(fade(FlightKind::Ack, third * 2), Color::DarkGray);
    }
}
