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
use crate::ui::layout::{self, scroll_offset};

/// Draws the overview.
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let (table, bottom) = layout::overview(area, ctx.snap.nodes.len());
    node_table(frame, table, ctx);
    let [chart, events] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(bottom);
    super::charts::render(frame, chart, ctx.snap);
    latest_events(frame, events, ctx.snap);
}

fn node_table(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let snap = ctx.snap;
    let n = snap.nodes.len();
    let visible = layout::table_rows(area).height as usize;
    let selected = ctx.selected();
    let offset = scroll_offset(selected, n, visible);
    let wide = area.width >= 110;
    let mut header = vec!["node", "address", "state", "alive", "susp", "dead"];
    if wide {
        header.extend(["left", "unkn", "frgn"]);
    }
    header.extend(["inc", "hlth", "in/s", "out/s", "drops"]);
    let rows = snap.nodes[offset..(offset + visible).min(n)].iter().map(|row| {
        let seen = |slot: usize, state: Option<State>| {
            let v = row.seen[slot];
            Cell::from(v.to_string()).style(if v > 0 && slot > 0 { state_style(state) } else { Style::new() })
        };
        let mut cells = vec![
            Cell::from(format!("{:>4}", row.index)),
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
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Length(21),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(4),
    ];
    if wide {
        widths.extend([Constraint::Length(4), Constraint::Length(4), Constraint::Length(4)]);
    }
    widths.extend([
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Length(5),
    ]);
    if !wide {
        widths[1] = Constraint::Length(15);
    }
    let title = Line::from(vec![
        Span::styled(" nodes ", super::title_style()),
        Span::styled(format!("{} of {} shown · alive/susp/dead: how the up nodes see it ", visible.min(n), n), dim()),
        Span::styled(if wide { "· frgn: members it holds that are no lab node " } else { "" }, dim()),
    ]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(super::title_style()))
        .block(Block::bordered().title(title).title_bottom(super::legend()))
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
