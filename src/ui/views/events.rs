//! Events: the observer's bounded event log, newest at the bottom,
//! coloured by kind, scrollable (j/k a line, PgUp/PgDn a page, g/G the
//! ends) and filtered (/) by kind or text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ctx, dim, kind_style, stamp, title_style};
use crate::ui::layout;
use crate::ui::order::event_matches;
use crate::ui::view::View;

/// Draws the event log.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    let app = ctx.app;
    let filter = app.filter_text().to_lowercase();
    let total = snap.events.iter().filter(|e| event_matches(e, &filter)).count();
    let mut title = vec![Span::styled(" events ", title_style())];
    if app.filtering() {
        title.push(Span::styled(
            format!("filter: {} ({total} of {}) ", app.filter_text(), snap.events.len()),
            Style::new().fg(Color::Yellow),
        ));
    } else {
        title.push(Span::styled(format!("{total} "), dim()));
    }
    let mut block = Block::bordered().title(Line::from(title));
    let rows = layout::list(area, View::Events, total).map_or(0, |r| r.height as usize);
    let back = app.events_back.min(total.saturating_sub(rows));
    if back > 0 {
        block = block.title_bottom(Span::styled(format!(" {back} newer below (j, PgDn, G) "), dim()));
    }
    let mut lines: Vec<Line> = snap
        .events
        .iter()
        .rev()
        .filter(|e| event_matches(e, &filter))
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
