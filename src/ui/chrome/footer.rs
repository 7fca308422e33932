//! The two bottom lines: the outcome of the last command, and the key
//! hints (or the prompt being typed), drawn from the binding table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::App;
use crate::ui::keys::{Mode, bindings};
use crate::ui::views::{dim, title_style};

/// The last command's outcome, or a hint of where to start.
pub(super) fn status(frame: &mut Frame, area: Rect, app: &App) {
    let line = match &app.status {
        Some(s) => {
            Span::styled(format!(" {}", s.text), Style::new().fg(if s.error { Color::Red } else { Color::LightGreen }))
        }
        None if app.replay.is_some() => {
            Span::styled(" replay: space plays, ←/→ step, < > speed, , . jump between events, ? every key", dim())
        }
        None => {
            Span::styled(" select a node with j/k, then break something: c crash, p partition, ? for every key", dim())
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The footer's key hints that fit, in table order, or the prompt being
/// typed (filter, jump, groups).
pub(super) fn keys(frame: &mut Frame, area: Rect, app: &App) {
    if let Some(prompt) = &app.prompt {
        let line = Line::from(vec![
            Span::styled(format!(" {} ", prompt.ask.label()), title_style()),
            Span::raw(format!("{}▏", prompt.text)),
            Span::styled(format!("  {}", prompt.ask.hint()), dim()),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let key_style = Style::new().fg(Color::Black).bg(Color::Gray);
    let mut spans = Vec::new();
    let mut used = 0;
    let mode: Mode = app.mode();
    for b in bindings(mode).filter(|b| b.footer) {
        let key = b.keys[0].name();
        let width = key.chars().count() + b.label.chars().count() + 3;
        if used + width > area.width as usize {
            break;
        }
        used += width;
        spans.push(Span::styled(format!(" {key} "), key_style));
        spans.push(Span::raw(format!("{} ", b.label)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
