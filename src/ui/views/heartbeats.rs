//! A phi node's heartbeat table, for the Node view: every member it holds
//! with the generation, the highest heartbeat and the highest state
//! version it has learned, as scuttlebutt reconciles them. The rows come
//! from the live node (no log line carries them), so a replay shows the
//! membership list instead.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ctx, dim, state_glyph, state_style, title_style};
use crate::observe::status::HEARTBEAT_ROWS;
use crate::protocol::State;

/// The width the table needs, borders included.
pub const WIDTH: u16 = 34;

/// Does node `i` have a heartbeat table to show? Not in a SWIM lab, nor
/// in a replay (the table is live only).
pub fn shown(snap: &crate::observe::Snapshot, i: usize) -> bool {
    snap.phi.is_some() && snap.nodes.get(i).is_some_and(|r| !r.status.heartbeats.is_empty())
}

/// Draws node `i`'s heartbeat table into `area`, when it is [`shown`].
pub fn render(frame: &mut Frame, area: Rect, ctx: &Ctx, i: usize) {
    let Some(row) = ctx.snap.nodes.get(i).filter(|_| shown(ctx.snap, i)) else { return };
    let table = &row.status.heartbeats;
    let capped = if row.status.members > HEARTBEAT_ROWS { format!(" (first {HEARTBEAT_ROWS})") } else { String::new() };
    let block = Block::bordered().title(Span::styled(format!(" heartbeat table{capped} "), title_style()));
    let rows = block.inner(area).height as usize;
    let index: std::collections::HashMap<_, _> = ctx.snap.nodes.iter().map(|r| (r.addr, r.index)).collect();
    let mut lines = vec![Line::styled(format!("  {:>4} {:>8} {:>8} {:>7}", "node", "gen", "beat", "version"), dim())];
    // Itself first, then whoever is not alive, then the rest.
    let (own, others) = table.split_at(1);
    let trouble = others.iter().filter(|h| h.state != State::Alive);
    let fine = others.iter().filter(|h| h.state == State::Alive);
    for h in own.iter().chain(trouble).chain(fine).take(rows.saturating_sub(1)) {
        let name = index.get(&h.subject).map_or_else(|| "?".to_owned(), usize::to_string);
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", state_glyph(Some(h.state))), state_style(Some(h.state))),
            Span::raw(format!("{name:>4} {:>8} {:>8} {:>7}", h.generation % 100_000_000, h.heartbeat, h.max_version)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
