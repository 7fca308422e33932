//! Membership matrix: what every observer (row) thinks of every subject
//! (column). Disagreement is visible at a glance: a crashed node's column
//! turns from ● to ◐ to ✕ as the news spreads. When the columns do not fit,
//! it becomes one row per subject counting how many observers see each
//! state; rows scroll with the selection either way, and the filter (/)
//! hides rows (never columns).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ctx, dim, life_style, selected_style, state_glyph, state_style, title_style};
use crate::protocol::State;
use crate::ui::layout::{self, Matrix, MatrixMode, position, scroll_offset};
use crate::ui::view::View;

/// Draws the matrix (or its aggregate).
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let n = ctx.snap.nodes.len();
    let g = layout::matrix(area, n);
    let visible = g.rows.height as usize;
    let order = ctx.app.order(ctx.snap, View::Matrix);
    let offset = scroll_offset(position(&order, ctx.selected()), order.len(), visible);
    let rows = &order[offset..(offset + visible).min(order.len())];
    let shown = match rows {
        _ if ctx.app.filtering() => format!("filter: {} ({} of {n})", ctx.app.filter_text(), order.len()),
        [first, .., last] => format!("{first}-{last} of {n}"),
        _ => format!("{} of {n}", rows.len()),
    };
    let title = match g.mode {
        MatrixMode::Cells(_) => format!(" membership: observer ↓ × subject → · rows {shown} "),
        MatrixMode::Aggregate => format!(" membership by subject · {shown} · how many up observers see each state "),
    };
    let mut legend = super::legend();
    if area.width >= 100 {
        legend.push_span(Span::styled(" (selected node highlighted; rows of stopped nodes dimmed) ", dim()));
    }
    let block = Block::bordered().title(Span::styled(title, title_style())).title_bottom(legend);
    frame.render_widget(block, area);
    match g.mode {
        MatrixMode::Cells(w) => cells(frame, &g, w, rows, ctx),
        MatrixMode::Aggregate => aggregate(frame, &g, rows, ctx),
    }
}

fn cells(frame: &mut Frame, g: &Matrix, w: u16, rows: &[usize], ctx: &Ctx) {
    let snap = ctx.snap;
    let n = snap.nodes.len();
    let sel = ctx.selected();
    let w = w as usize;
    // Column numbers every 5 (wide cells) or 10 (narrow cells).
    let every = if w == 2 { 5 } else { 10 };
    let mut header = vec![' '; g.label as usize + n * w];
    for s in (0..n).step_by(every) {
        for (k, c) in s.to_string().chars().enumerate() {
            if let Some(slot) = header.get_mut(g.label as usize + s * w + k) {
                *slot = c;
            }
        }
    }
    frame.render_widget(Paragraph::new(header.into_iter().collect::<String>()).style(dim()), g.header);
    let pad = if w == 2 { " " } else { "" };
    let lines: Vec<Line> = rows
        .iter()
        .map(|&o| {
            let row = &snap.nodes[o];
            let stopped = !row.life.is_running();
            let label_style = if o == sel { selected_style() } else { life_style(row.life) };
            let mut spans = Vec::with_capacity(n + 1);
            spans.push(Span::styled(format!("{:>width$} ", o, width = g.label as usize - 1), label_style));
            for s in 0..n {
                let state = snap.views.get(o, s);
                let mut style = state_style(state);
                if stopped {
                    style = style.add_modifier(Modifier::DIM);
                }
                if o == sel || s == sel {
                    style = style.bg(super::SELECTED_BG);
                }
                spans.push(Span::styled(state_glyph(state), style));
                if !pad.is_empty() {
                    spans.push(Span::styled(
                        pad,
                        if o == sel { Style::new().bg(super::SELECTED_BG) } else { Style::new() },
                    ));
                }
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), g.rows);
}

fn aggregate(frame: &mut Frame, g: &Matrix, rows: &[usize], ctx: &Ctx) {
    let snap = ctx.snap;
    let sel = ctx.selected();
    let header = format!(
        "{:>5} {:<21} {:<8} {:>5} {:>5} {:>5} {:>5} {:>5}  share of observers",
        "subj", "address", "state", "alive", "susp", "dead", "left", "unkn"
    );
    frame.render_widget(Paragraph::new(header).style(title_style()), g.header);
    let bar_w = g.rows.width.saturating_sub(70) as usize;
    let order = [Some(State::Alive), Some(State::Suspect), Some(State::Dead), Some(State::Left), None];
    let lines: Vec<Line> = rows
        .iter()
        .map(|&i| {
            let row = &snap.nodes[i];
            let total: usize = row.seen.iter().sum();
            let mut spans = vec![
                Span::raw(format!("{:>5} {:<21} ", row.index, row.addr)),
                Span::styled(format!("{:<8}", row.life.as_str()), life_style(row.life)),
            ];
            for (slot, state) in order.iter().enumerate() {
                let v = row.seen[slot];
                let style = if v > 0 { state_style(*state) } else { dim() };
                spans.push(Span::styled(format!(" {v:>5}"), style));
            }
            spans.push(Span::raw("  "));
            // A stacked bar: each state's share of the observers.
            let mut used = 0;
            for (slot, state) in order.iter().enumerate() {
                let cells = if total == 0 { 0 } else { (row.seen[slot] * bar_w).div_ceil(total).min(bar_w - used) };
                used += cells;
                spans.push(Span::styled("█".repeat(cells), state_style(*state)));
            }
            let line = Line::from(spans);
            if row.index == sel { line.style(selected_style()) } else { line }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), g.rows);
}
