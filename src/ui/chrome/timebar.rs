//! The replay's time bar: the recording's span with every action marked
//! at its time, the cursor, and under it the time, the speed, whether it
//! plays, and the action nearest the cursor. Each kind of mark has a
//! symbol as well as a colour, so the bar reads on a terminal without
//! colour too.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::observe::action::{ActionKind, Mark};
use crate::protocol::Time;
use crate::ui::app::Replay;
use crate::ui::layout::{track, track_column};
use crate::ui::views::marks::{glyph, rank};
use crate::ui::views::{clock, dim};

/// The mark nearest `t` (the earlier of two as near).
pub fn nearest(marks: &[Mark], t: Time) -> Option<&Mark> {
    marks.iter().min_by_key(|m| m.t.as_micros().abs_diff(t.as_micros()))
}

/// `1:02.3`: the clock with tenths, for a cursor that moves by them.
fn at(t: Time) -> String {
    format!("{}.{}", clock(t), t.as_millis() / 100 % 10)
}

/// Draws the bar in its two rows.
pub(super) fn render(frame: &mut Frame, area: Rect, replay: &Replay) {
    let [track_row, info_row] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let tr = &replay.transport;
    let width = track(area).width;
    let mut cells: Vec<Option<ActionKind>> = vec![None; width as usize];
    for m in &replay.marks {
        let cell = &mut cells[track_column(m.t, tr.end, width).min(width.saturating_sub(1)) as usize];
        if cell.is_none_or(|k| rank(m.kind) < rank(k)) {
            *cell = Some(m.kind);
        }
    }
    let cursor = track_column(tr.cursor, tr.end, width) as usize;
    let mut spans = vec![Span::raw(" ")];
    for (i, cell) in cells.iter().enumerate() {
        let span = match cell {
            Some(kind) => {
                let (symbol, colour) = glyph(*kind);
                let style = Style::new().fg(colour).add_modifier(Modifier::BOLD);
                Span::styled(symbol, if i == cursor { style.add_modifier(Modifier::REVERSED) } else { style })
            }
            None if i == cursor => Span::styled("┃", Style::new().fg(Color::White).add_modifier(Modifier::BOLD)),
            None if i < cursor => Span::styled("━", Style::new().fg(Color::Blue)),
            None => Span::styled("─", dim()),
        };
        spans.push(span);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), track_row);

    let (state, style) = if tr.playing {
        ("▶ playing", Style::new().fg(Color::Green).add_modifier(Modifier::BOLD))
    } else {
        ("‖ paused ", Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
    };
    let mut info = vec![
        Span::raw(" "),
        Span::styled(state, style),
        Span::raw(format!("  {} / {}  ", at(tr.cursor), at(tr.end))),
        Span::styled(tr.speed_label(), Style::new().add_modifier(Modifier::BOLD)),
        Span::styled("  │ ", dim()),
    ];
    match nearest(&replay.marks, tr.cursor) {
        Some(m) => {
            let (symbol, colour) = glyph(m.kind);
            info.extend([
                Span::styled(symbol, Style::new().fg(colour).add_modifier(Modifier::BOLD)),
                Span::raw(format!(" {} {}", at(m.t), m.label)),
            ]);
        }
        None => info.push(Span::styled("no actions in this recording", dim())),
    }
    frame.render_widget(Paragraph::new(Line::from(info)), info_row);
}
