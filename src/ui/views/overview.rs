//! Overview: every node in a table (true state next to what the others
//! think of it), the cluster's message rate and agreement over time
//! ([`super::charts`]), and the latest events. The first thing to look at after breaking something.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use super::{Ctx, count, dim, kind_style, life_style, rate, selected_style, stamp, state_style};
use crate::observe::Snapshot;
use crate::protocol::State;
use crate::ui::layout::{self, position, scroll_offset};
use crate::ui::order;
use crate::ui::view::View;

/// Draws the overview.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let order = ctx.app.order(ctx.snap, View::Overview);
    let (table, bottom) = layout::overview(area, order.len());
    node_table(frame, table, ctx, &order);
    let [chart, events] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(bottom);
    super::charts::render(frame, chart, ctx.snap);
    latest_events(frame, events, ctx.snap);
}

/// The node rows, in `order` (filtered and sorted by `App::order`).
fn node_table(frame: &mut Frame, area: Rect, ctx: &Ctx, order: &[usize]) {
    let snap = ctx.snap;
    let visible = layout::table_rows(area).height as usize;
    let selected = ctx.selected();
    let offset = scroll_offset(position(order, selected), order.len(), visible);
    let wide = layout::wide_table(area);
    let sort = ctx.app.sort;
    let header: Vec<String> = order::shown(wide)
        .map(|(i, c)| if i == sort { format!("{}{}", c.name, c.arrow()) } else { c.name.to_owned() })
        .collect();
    let rows = order[offset..(offset + visible).min(order.len())].iter().map(|&i| {
        let row = &snap.nodes[i];
        let seen = |slot: usize, state: Option<State>| {
            let v = row.seen[slot];
            Cell::from(v.to_string()).style(if v > 0 && slot > 0 { state_style(state) } else { Style::new() })
        };
        let mut cells = vec![
            Cell::from(format!("{:>5}", row.index)),
            Cell::from(row.addr.to_string()),
            Cell::from(row.life.as_str()).style(life_style(row.life)),
            seen(0, Some(State::Alive)),
            seen(1, Some(State::Suspect)),
            seen(2, Some(State::Dead)),
        ];
        if wide {
            cells.push(seen(3, Some(State::Left)));
            cells.push(seen(4, None));
            // Not how others see it, but what it holds: members that are
            // no lab node (forged), which make its own view inaccurate.
            let style = if row.foreign > 0 { Style::new().fg(Color::Red) } else { Style::new() };
            cells.push(Cell::from(count(row.foreign as u64)).style(style));
        }
        let drops = row.traffic.dropped_total().packets;
        cells.extend([
            Cell::from(row.status.incarnation.to_string()),
            Cell::from(row.status.health.to_string()).style(if row.status.health > 0 {
                Style::new().fg(Color::Yellow)
            } else {
                Style::new()
            }),
            Cell::from(format!("{:>5}", rate(row.rate_in))),
            Cell::from(format!("{:>5}", rate(row.rate_out))),
            Cell::from(format!("{:>5}", count(drops))).style(if drops > 0 {
                Style::new().fg(Color::Red)
            } else {
                dim()
            }),
        ]);
        let r = Row::new(cells);
        if row.index == selected { r.style(selected_style()) } else { r }
    });
    // In `order::COLUMNS` order; the sorted column widens for its arrow.
    let widths: Vec<Constraint> = order::shown(wide)
        .map(|(i, c)| {
            let w = match c.name {
                "address" if wide => 21,
                "address" => 15,
                "state" => 8,
                // "node" has room for its arrow, so sorting by it moves nothing.
                "node" | "alive" | "in/s" | "out/s" | "drops" => 5,
                _ => 4,
            };
            Constraint::Length(if i == sort { w.max(c.name.chars().count() as u16 + 1) } else { w })
        })
        .collect();
    let n = snap.nodes.len();
    let mut title = vec![Span::styled(" nodes ", super::title_style())];
    if sort > 0 {
        title.push(Span::styled(format!("sorted by {} ", order::COLUMNS[sort].name), Style::new().fg(Color::Cyan)));
    }
    let filter = ctx.app.filter_text();
    if ctx.app.filtering() {
        let dot = if sort > 0 { "· " } else { "" };
        let text = format!("{dot}filter: {filter} ({} of {n}) ", order.len());
        title.push(Span::styled(text, Style::new().fg(Color::Yellow)));
    }
    let shown = format!("{} of {n} shown · alive/susp/dead: how the up nodes see it ", visible.min(order.len()));
    title.extend([
        Span::styled(if title.len() > 1 { format!("· {shown}") } else { shown }, dim()),
        Span::styled(if wide { "· frgn: members it holds that are no lab node " } else { "" }, dim()),
    ]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(super::title_style()))
        .block(Block::bordered().title(Line::from(title)).title_bottom(super::legend()))
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn latest_events(frame: &mut Frame, area: Rect, snap: &Snapshot) {
    let block = Block::bordered().title(Span::styled(" latest events ", super::title_style()));
    let rows = block.inner(area).height as usize;
    let tail = &snap.events[snap.events.len().saturating_sub(rows)..];
    let lines: Vec<Line> = tail
        .iter()
        .map(|e| {
            Line::from(vec![Span::styled(stamp(e.t), dim()), Span::raw(" "), Span::styled(&e.text, kind_style(e.kind))])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
