//! The two header lines (profile, cluster size, seed, uptime; the
//! agreement and accuracy gauges beside the network's condition) and the
//! tab bar under them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

use crate::observe::Snapshot;
use crate::scenario::percent;
use crate::ui::app::App;
use crate::ui::layout::tab_labels;
use crate::ui::view::View;
use crate::ui::views::{clock, dim};

/// The two header lines: who and how long, then how well the nodes agree.
pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, snap: &Snapshot) {
    let [top, gauges] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let up = snap.up();
    let total = snap.nodes.len();
    let sep = || Span::styled(" │ ", dim());
    let mut line = Vec::new();
    if let Some(replay) = &app.replay {
        let badge = Style::new().fg(Color::Black).bg(Color::Magenta).add_modifier(Modifier::BOLD);
        line.extend([
            Span::styled(" REPLAY ", badge),
            Span::raw(" "),
            Span::raw(short(&replay.file, 28)),
            Span::styled(" │", dim()),
        ]);
    } else if area.width >= 100 {
        let badge = Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD);
        line.extend([Span::styled(" gossip-lab ", badge), Span::raw(" ")]);
    }
    line.extend([
        Span::raw(" "),
        Span::styled(snap.profile.as_str(), Style::new().add_modifier(Modifier::BOLD)),
        sep(),
        Span::styled(
            format!("{up}/{total} up"),
            Style::new().fg(if up == total { Color::Green } else { Color::Yellow }).add_modifier(Modifier::BOLD),
        ),
        sep(),
        Span::raw(format!("seed {}", snap.seed)),
        sep(),
    ]);
    // A replay's time is on its time bar, with the span around it.
    if app.replay.is_none() {
        line.extend([Span::raw(format!("uptime {}", clock(snap.t))), sep()]);
    }
    line.push(Span::raw(snap.protocol_label.as_str()));
    if app.frozen.is_some() {
        line.extend([
            Span::raw(" "),
            Span::styled(" FROZEN ", Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)),
        ]);
    }
    frame.render_widget(Paragraph::new(Line::from(line)), top);

    // The network's condition sits beside the gauges it explains.
    let mut state = vec![if snap.converged {
        Span::styled("converged", Style::new().fg(Color::Green))
    } else {
        Span::styled("converging…", Style::new().fg(Color::Yellow))
    }];
    let fault = Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD);
    let loss = snap.plan.baseline.loss;
    if loss > 0.0 {
        state.push(Span::styled(format!(" loss {}", percent(loss)), fault));
    }
    let wide = area.width >= 100;
    if !snap.plan.groups.is_empty() {
        state.push(Span::styled(if wide { " PARTITIONED" } else { " SPLIT" }, fault));
    }
    let slot = if wide { 32 } else { 26 };
    let [a, b, c] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1), Constraint::Length(slot)])
        .spacing(2)
        .areas(gauges);
    let gauge = |name: &str, value: f64| {
        let colour = if value >= 0.999 {
            Color::Green
        } else if value >= 0.9 {
            Color::Yellow
        } else {
            Color::Red
        };
        LineGauge::default()
            .ratio(value.clamp(0.0, 1.0))
            .label(format!("{name} {:.1}%", value * 100.0))
            .filled_style(Style::new().fg(colour))
            .unfilled_style(dim())
    };
    frame.render_widget(gauge("agreement", snap.agreement), a);
    frame.render_widget(gauge("accuracy", snap.accuracy), b);
    frame.render_widget(Paragraph::new(Line::from(state)), c);
}

/// `text`, or its last `max - 1` characters after an ellipsis: the end of
/// a path says the most.
fn short(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max { text.to_owned() } else { format!("…{}", text.chars().skip(n + 1 - max).collect::<String>()) }
}

/// The tab bar, the current view highlighted.
pub(super) fn tabs(frame: &mut Frame, area: Rect, current: View) {
    let mut spans = Vec::new();
    for (view, text) in tab_labels() {
        let style = if view == current {
            Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(Color::Gray)
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::styled("│", dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
