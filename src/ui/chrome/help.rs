//! The `?` popup: every binding with its help text, from the same table
//! that dispatches the keys, in two columns when the screen is short.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::ui::keys::{BINDINGS, Binding};
use crate::ui::layout;
use crate::ui::views::{dim, title_style};

/// The popup, over whatever is drawn.
pub(super) fn render(frame: &mut Frame, area: Rect) {
    let popup = layout::popup(area, BINDINGS.len());
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Span::styled(" keys ", title_style()))
        .title_bottom(Span::styled(" Esc or ? closes ", dim()))
        .border_style(Style::new().fg(Color::Cyan));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let key_w = BINDINGS.iter().map(|b| b.key_names().chars().count()).max().unwrap_or(0);
    let label_w = BINDINGS.iter().map(|b| b.label.chars().count()).max().unwrap_or(0);
    let key_style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let entry = |b: &Binding, with_help: bool| {
        let mut spans = vec![
            Span::styled(format!("{:>key_w$}  ", b.key_names()), key_style),
            Span::styled(format!("{:<label_w$}", b.label), Style::new().add_modifier(Modifier::BOLD)),
        ];
        if with_help {
            spans.push(Span::styled(format!("  {}", b.help), dim()));
        }
        Line::from(spans)
    };
    if inner.height as usize >= BINDINGS.len() {
        let lines: Vec<Line> = BINDINGS.iter().map(|b| entry(b, true)).collect();
        frame.render_widget(Paragraph::new(lines), inner);
    } else {
        // Too short for one column: two columns of key and label.
        let half = BINDINGS.len().div_ceil(2);
        let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).spacing(1).areas(inner);
        let column = |part: &[Binding]| part.iter().map(|b| entry(b, false)).collect::<Vec<Line>>();
        frame.render_widget(Paragraph::new(column(&BINDINGS[..half])), left);
        frame.render_widget(Paragraph::new(column(&BINDINGS[half..])), right);
    }
}
