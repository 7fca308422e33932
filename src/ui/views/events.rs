//! Events: the observer's bounded event log, newest at the bottom,
//! coloured by kind, scrollable (j/k) and filtered (/) by kind or text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ctx, dim, kind_style, stamp, title_style};
use crate::observe::snapshot::EventLine;

/// Does `e` match the (lowercased) filter?
fn matches(e: &EventLine, filter: &str) -> bool {
    filter.is_empty() || e.kind.contains(filter) || e.text.to_lowercase().contains(filter)
}

/// Draws the event log.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    let app = ctx.app;
    let filter = app.filter.to_lowercase();
    let total = snap.events.iter().filter(|e| matches(e, &filter)).count();
    let mut title = vec![Span::styled(format!(" events {total} of {} ", snap.events.len()), title_style())];
    if app.editing_filter || !filter.is_empty() {
        let cursor = if app.editing_filter { "▏" } else { "" };
        title.push(Span::styled(format!("filter: {}{cursor} ", app.filter), Style::new().fg(Color::Yellow)));
    }
    let mut block = Block::bordered().title(Line::from(title));
    let rows = block.inner(area).height as usize;
    let back = app.events_back.min(total.saturating_sub(rows));
    if back > 0 {
        block = block.title_bottom(Span::styled(format!(" {back} newer below (j to scroll down) "), dim()));
    }
    let mut lines: Vec<Line> = snap
        .events
        .iter()
        .rev()
        .filter(|e| matches(e, &filter))
        .skip(back)
        .take(rows)
        .map(|e| {
            Line::from(vec![
                Span::styled(stamp(e.t), dim()),
                Span::styled(format!(" {:<9} ", e.kind), kind_style(e.kind)),
                Span::styled(&e.text, kind_style(e.kind)),
            ])
        })
        .collect();
    lines.reverse();
    if lines.is_empty() {
        lines
            .push(Line::styled(if filter.is_empty() { "no events yet" } else { "no event matches the filter" }, dim()));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
