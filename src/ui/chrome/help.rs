//! The `?` popup: every binding that works in this mode with its help
//! text, then the mouse gestures, from the same tables that dispatch them,
//! in as many columns as the screen's height needs. A replay also lists,
//! on one line, the keys that work on a live lab only. While it is open it
//! is modal (`App::key`): only ?, Esc and quit reach anything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::ui::keys::{BINDINGS, Mode, Scope, bindings, gestures, lookup};
use crate::ui::layout;
use crate::ui::views::{dim, title_style};

/// One line of the popup: keys or a gesture, a label, a sentence.
struct Entry {
    keys: String,
    label: &'static str,
    help: &'static str,
}

/// The popup, over whatever is drawn.
pub(super) fn render(frame: &mut Frame, area: Rect, mode: Mode) {
    let shown: Vec<Entry> = bindings(mode)
        .map(|b| Entry { keys: b.key_names(), label: b.label, help: b.help })
        .chain(gestures(mode).map(|g| Entry { keys: g.gesture.to_owned(), label: g.label, help: g.help }))
        .collect();
    let live_only: Vec<String> = BINDINGS
        .iter()
        // Space is play in a replay, not a disabled freeze.
        .filter(|b| mode == Mode::Replay && b.scope == Scope::Live && lookup(&b.keys[0].event(), mode).is_none())
        .map(|b| b.keys[0].name())
        .collect();
    let popup = layout::popup(area, shown.len() + usize::from(!live_only.is_empty()));
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Span::styled(" keys and mouse ", title_style()))
        .title_bottom(Span::styled(" Esc or ? closes; other keys do nothing while this is open ", dim()))
        .border_style(Style::new().fg(Color::Cyan));
    let mut inner = block.inner(popup);
    frame.render_widget(block, popup);
    if !live_only.is_empty() {
        let last = Rect { y: inner.bottom().saturating_sub(1), height: 1.min(inner.height), ..inner };
        inner.height = inner.height.saturating_sub(1);
        let line = Line::from(vec![
            Span::styled("live only, off in a replay: ", dim()),
            Span::styled(live_only.join(" "), Style::new().fg(Color::DarkGray).add_modifier(Modifier::BOLD)),
        ]);
        frame.render_widget(Paragraph::new(line), last);
    }
    let key_w = shown.iter().map(|e| e.keys.chars().count()).max().unwrap_or(0);
    let label_w = shown.iter().map(|e| e.label.chars().count()).max().unwrap_or(0);
    let key_style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let entry = |e: &Entry, with_help: bool| {
        let mut spans = vec![
            Span::styled(format!("{:>key_w$}  ", e.keys), key_style),
            Span::styled(format!("{:<label_w$}", e.label), Style::new().add_modifier(Modifier::BOLD)),
        ];
        if with_help {
            spans.push(Span::styled(format!("  {}", e.help), dim()));
        }
        Line::from(spans)
    };
    let height = (inner.height as usize).max(1);
    if height >= shown.len() {
        let lines: Vec<Line> = shown.iter().map(|e| entry(e, true)).collect();
        frame.render_widget(Paragraph::new(lines), inner);
    } else {
        // Too short for one column: as many columns of key and label as it takes.
        let columns = shown.len().div_ceil(height);
        let areas = Layout::horizontal(vec![Constraint::Fill(1); columns]).spacing(1).split(inner);
        for (part, at) in shown.chunks(shown.len().div_ceil(columns)).zip(areas.iter()) {
            let lines: Vec<Line> = part.iter().map(|e| entry(e, false)).collect();
            frame.render_widget(Paragraph::new(lines), *at);
        }
    }
}
