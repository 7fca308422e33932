//! The `?` popup: every binding that works in this mode with its help
//! text, from the same table that dispatches the keys, in two columns when
//! the screen is short. A replay also lists, on one line, the keys that
//! work on a live lab only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::ui::keys::{BINDINGS, Binding, Mode, Scope, bindings, lookup};
use crate::ui::layout;
use crate::ui::views::{dim, title_style};

/// The popup, over whatever is drawn.
pub(super) fn render(frame: &mut Frame, area: Rect, mode: Mode) {
    let shown: Vec<&Binding> = bindings(mode).collect();
    let live_only: Vec<String> = BINDINGS
        .iter()
        // Space is play in a replay, not a disabled freeze.
        .filter(|b| mode == Mode::Replay && b.scope == Scope::Live && lookup(&b.keys[0].event(), mode).is_none())
        .map(|b| b.keys[0].name())
        .collect();
    let popup = layout::popup(area, shown.len() + usize::from(!live_only.is_empty()));
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Span::styled(" keys ", title_style()))
        .title_bottom(Span::styled(" Esc or ? closes ", dim()))
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
    let key_w = shown.iter().map(|b| b.key_names().chars().count()).max().unwrap_or(0);
    let label_w = shown.iter().map(|b| b.label.chars().count()).max().unwrap_or(0);
    let key_style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let entry = |b: &&Binding, with_help: bool| {
        let mut spans = vec![
            Span::styled(format!("{:>key_w$}  ", b.key_names()), key_style),
            Span::styled(format!("{:<label_w$}", b.label), Style::new().add_modifier(Modifier::BOLD)),
        ];
        if with_help {
            spans.push(Span::styled(format!("  {}", b.help), dim()));
        }
        Line::from(spans)
    };
    if inner.height as usize >= shown.len() {
        let lines: Vec<Line> = shown.iter().map(|b| entry(b, true)).collect();
        frame.render_widget(Paragraph::new(lines), inner);
    } else {
        // Too short for one column: two columns of key and label.
        let half = shown.len().div_ceil(2);
        let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).spacing(1).areas(inner);
        let column = |part: &[&Binding]| part.iter().map(|b| entry(b, false)).collect::<Vec<Line>>();
        frame.render_widget(Paragraph::new(column(&shown[..half])), left);
        frame.render_widget(Paragraph::new(column(&shown[half..])), right);
    }
}
