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
use crate::ui::views::{clock, dim, short};

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
    let wide = area.width >= 100;
    let mut state = vec![condition(snap, wide)];
    let fault = Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD);
    let loss = snap.plan.baseline.loss;
    if loss > 0.0 {
        state.push(Span::styled(format!(" loss {}", percent(loss)), fault));
    }
    if !snap.plan.groups.is_empty() {
        state.push(Span::styled(if wide { " PARTITIONED" } else { " SPLIT" }, fault));
    }
    let isolated = snap.plan.isolated.len();
    if isolated > 0 {
        // Whole at any width: "ISOLATED" is what a user (and a tmux test) looks for.
        state.push(Span::styled(format!(" ISOLATED {isolated}"), fault));
    }
    let slot = if wide { 50 } else { 38 };
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
            // Filled and unfilled differ in shape, not only in colour.
            .filled_symbol("━")
            .unfilled_symbol("─")
    };
    frame.render_widget(gauge("agreement", snap.agreement), a);
    frame.render_widget(gauge("accuracy", snap.accuracy), b);
    frame.render_widget(Paragraph::new(Line::from(state)), c);
}

/// Where the views stand. `snap.converged` means every up node holds
/// exactly the nodes it can reach (accuracy 100 %); under a partition or
/// an isolation that is true of each side while the sides disagree, so
/// "converged" would claim more than it is: it is said only when the views
/// also agree, and "settled in groups" otherwise.
fn condition(snap: &Snapshot, wide: bool) -> Span<'static> {
    if snap.converged && snap.agreement >= 0.999 {
        Span::styled("converged", Style::new().fg(Color::Green))
    } else if snap.converged {
        Span::styled(if wide { "settled in groups" } else { "settled" }, Style::new().fg(Color::Cyan))
    } else {
        Span::styled("converging…", Style::new().fg(Color::Yellow))
    }
}

/// The tab bar, the current view highlighted and in brackets
/// ([`tab_labels`]), so it shows without colour too.
pub(super) fn tabs(frame: &mut Frame, area: Rect, current: View, phi: bool) {
    let mut spans = Vec::new();
    for (view, text) in tab_labels(area.width, current, phi) {
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

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::ui::fixture;

    fn gauges_line(snap: &Snapshot, width: u16) -> String {
        let app = App::new(None);
        let mut terminal = Terminal::new(TestBackend::new(width, 2)).unwrap();
        terminal.draw(|f| render(f, f.area(), &app, snap)).unwrap();
        let buf = terminal.backend().buffer();
        (0..width).map(|x| buf[(x, 1)].symbol()).collect()
    }

    #[test]
    fn isolation_is_tagged_like_a_partition() {
        let mut snap = fixture::scene(8);
        snap.plan.groups.clear();
        snap.plan.isolated = vec![3, 6];
        snap.plan.baseline.loss = 0.125;
        assert!(gauges_line(&snap, 80).contains("ISOLATED 2"), "{}", gauges_line(&snap, 80));
        assert!(gauges_line(&snap, 120).contains("ISOLATED 2"), "{}", gauges_line(&snap, 120));
        snap.plan.isolated.clear();
        assert!(!gauges_line(&snap, 120).contains("ISOL"));
    }

    #[test]
    fn converged_is_said_only_when_the_views_also_agree() {
        let mut snap = fixture::scene(8);
        snap.converged = true;
        snap.agreement = 0.529;
        let split = gauges_line(&snap, 120);
        assert!(split.contains("settled in groups") && !split.contains("converged"), "{split}");
        assert!(gauges_line(&snap, 80).contains("settled"));
        snap.agreement = 1.0;
        assert!(gauges_line(&snap, 120).contains("converged"));
        snap.converged = false;
        assert!(gauges_line(&snap, 120).contains("converging…"));
    }
}
