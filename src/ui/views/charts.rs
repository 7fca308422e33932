//! Overview's charts: agreement, accuracy and messages per second over the
//! last minutes of lab time, on a time axis ("-2:00 … now"), with the
//! actions that disturbed the cluster (faults, crashes, pauses…) marked on
//! it as columns of "▄" over the time bar's glyph on the axis (● a node
//! action, ▲ a fault): the snapshot's actions, classified once by
//! `observe::action`.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType};

use super::marks::{glyph, rank};
use super::{clock, count, dim, title_style};
use crate::observe::Snapshot;
use crate::observe::action::ActionKind;
use crate::protocol::Time;

/// The most lab time the charts span: the last three minutes.
pub const WINDOW_S: f64 = 180.0;

/// How a series is drawn, so series differ by shape as well as colour.
const AGREEMENT: (Marker, Color) = (Marker::Braille, Color::Green);
const ACCURACY: (Marker, Color) = (Marker::Dot, Color::Yellow);
const MESSAGES: (Marker, Color) = (Marker::Braille, Color::Cyan);
const MARKS: Color = Color::LightRed;
/// What [`Marker::Bar`] draws, for the key.
const MARK_GLYPH: &str = "▄";

/// The time window on screen: its start and end in lab seconds.
#[derive(Clone, Copy, Debug)]
struct Window {
    from: f64,
    to: f64,
}

impl Window {
    fn of(snap: &Snapshot) -> Window {
        let to = snap.t.since_epoch().as_secs_f64();
        let first = snap.history.first().map_or(to, |p| p.t.since_epoch().as_secs_f64());
        // At least a few seconds wide, so the first frames have an axis.
        let span = (to - first).clamp(10.0, WINDOW_S);
        Window { from: to - span, to }
    }

    /// "-2:00", "-1:00", "now": how long before the snapshot.
    fn labels(self) -> Vec<Span<'static>> {
        let span = self.to - self.from;
        let ago = |s: f64| format!("-{}", clock(Time::from_millis((s * 1000.0) as u64)));
        vec![Span::raw(ago(span)), Span::raw(ago(span / 2.0)), Span::raw("now")]
    }

    fn axis(self, labelled: bool) -> Axis<'static> {
        let axis = Axis::default().bounds([self.from, self.to]).style(dim());
        if labelled { axis.labels(self.labels()) } else { axis }
    }
}

/// Draws the charts into `area`: one for the views and one for the
/// messages when there is room, both in one (messages as a share of their
/// peak) when there isn't.
pub fn render(frame: &mut Frame, area: Rect, snap: &Snapshot) {
    let w = Window::of(snap);
    let views = series(snap, w, |p| p.agreement * 100.0);
    let accuracy = series(snap, w, |p| p.accuracy * 100.0);
    let msgs = rates(snap, w);
    let peak = msgs.iter().map(|p| p.1).fold(0.0, f64::max);
    let now = msgs.last().map_or(0.0, |p| p.1);
    let percent_marks = marks(snap, w, 100.0);
    let key = |(marker, colour): (Marker, Color), name: &str| {
        let glyph = if marker == Marker::Dot { "•" } else { "⣀" };
        [Span::styled(glyph, Style::new().fg(colour)), Span::raw(format!(" {name} "))]
    };
    let mut title = vec![Span::raw(" ")];
    let msg_label = format!("msgs/s {} peak {}", count(now as u64), count(peak as u64));
    if area.height >= 14 {
        let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
        title.extend(key(AGREEMENT, "agreement"));
        title.extend(key(ACCURACY, "accuracy"));
        title.extend(action_key());
        // Marks first: the series are drawn over them.
        let mut sets: Vec<Dataset> = mark_sets(&percent_marks).collect();
        // Agreement last: on top where the two coincide.
        sets.extend([dataset(&accuracy, ACCURACY).graph_type(GraphType::Scatter), dataset(&views, AGREEMENT)]);
        let chart = Chart::new(sets)
            .block(Block::bordered().title(Line::from(title)))
            .x_axis(w.axis(false))
            .y_axis(Axis::default().bounds([0.0, 100.0]).labels(["0%", "100%"]).style(dim()));
        frame.render_widget(chart, top);
        ticks(frame.buffer_mut(), top, w, snap);
        let top_y = (peak * 1.1).max(1.0);
        let msg_marks = marks(snap, w, top_y);
        let mut sets: Vec<Dataset> = mark_sets(&msg_marks).collect();
        sets.push(dataset(&msgs, MESSAGES));
        let chart = Chart::new(sets)
            .block(Block::bordered().title(Span::styled(format!(" {msg_label} "), title_style())))
            .x_axis(w.axis(true))
            .y_axis(Axis::default().bounds([0.0, top_y]).labels(["0".to_owned(), count(top_y as u64)]).style(dim()));
        frame.render_widget(chart, bottom);
        ticks(frame.buffer_mut(), bottom, w, snap);
    } else {
        // One chart: the messages drawn as a share of their peak, which the
        // title gives in numbers.
        let share: Vec<(f64, f64)> = msgs.iter().map(|&(t, v)| (t, 100.0 * v / peak.max(1.0))).collect();
        title.extend(key(AGREEMENT, "agreement"));
        title.extend(key((Marker::Dot, MESSAGES.1), "msgs/s"));
        title.extend(action_key());
        let peak = Span::styled(format!(" msgs/s {} · 100 = peak {} ", count(now as u64), count(peak as u64)), dim());
        let mut sets: Vec<Dataset> = mark_sets(&percent_marks).collect();
        sets.extend([
            dataset(&share, (Marker::Dot, MESSAGES.1)).graph_type(GraphType::Scatter),
            dataset(&views, AGREEMENT),
        ]);
        let chart = Chart::new(sets)
            .block(Block::bordered().title(Line::from(title)).title_bottom(peak))
            .x_axis(w.axis(true))
            .y_axis(Axis::default().bounds([0.0, 100.0]).labels(["0", "100"]).style(dim()));
        frame.render_widget(chart, area);
        ticks(frame.buffer_mut(), area, w, snap);
    }
}

fn dataset<'a>(data: &'a [(f64, f64)], (marker, colour): (Marker, Color)) -> Dataset<'a> {
    Dataset::default().marker(marker).graph_type(GraphType::Line).style(Style::new().fg(colour)).data(data)
}

/// The key to the marks: the time bar's glyphs of a node action and a
/// fault, and the column drawn up from them.
fn action_key() -> [Span<'static>; 3] {
    let (node, node_colour) = glyph(ActionKind::Node);
    let (fault, fault_colour) = glyph(ActionKind::Fault);
    [
        Span::styled(node, Style::new().fg(node_colour)),
        Span::styled(fault, Style::new().fg(fault_colour)),
        Span::raw(format!("{MARK_GLYPH} actions ")),
    ]
}

/// Each action's glyph on the time axis (the replay time bar's
/// vocabulary), under its column. The axis is the row of the chart's
/// "└" corner; the graph spans the cells right of it.
fn ticks(buf: &mut Buffer, area: Rect, w: Window, snap: &Snapshot) {
    let inner = Block::bordered().inner(area);
    let Some((corner, y)) = (inner.top()..inner.bottom())
        .flat_map(|y| (inner.left()..inner.right()).map(move |x| (x, y)))
        .find(|&(x, y)| buf[(x, y)].symbol() == "└")
    else {
        return;
    };
    let width = inner.right().saturating_sub(corner + 1);
    if width == 0 {
        return;
    }
    let span = (w.to - w.from).max(1e-9);
    let mut cells: Vec<Option<ActionKind>> = vec![None; width as usize];
    for m in snap.actions.iter().filter(|m| m.kind.disturbs()) {
        let t = m.t.since_epoch().as_secs_f64();
        if !(w.from..=w.to).contains(&t) {
            continue;
        }
        let col = (((t - w.from) / span) * f64::from(width - 1)).round() as usize;
        let cell = &mut cells[col.min(width as usize - 1)];
        if cell.is_none_or(|k| rank(m.kind) < rank(k)) {
            *cell = Some(m.kind);
        }
    }
    for (k, kind) in cells.into_iter().enumerate() {
        if let Some(kind) = kind {
            let (symbol, colour) = glyph(kind);
            buf[(corner + 1 + k as u16, y)].set_symbol(symbol).set_fg(colour);
        }
    }
}

/// One vertical column per action.
fn mark_sets(marks: &[[(f64, f64); 2]]) -> impl Iterator<Item = Dataset<'_>> {
    marks.iter().map(|m| {
        Dataset::default()
            .marker(Marker::Bar)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(MARKS))
            .data(m.as_slice())
    })
}

/// A history measure over the window, as (lab seconds, value).
fn series(
    snap: &Snapshot,
    w: Window,
    value: impl Fn(&crate::observe::session::HistoryPoint) -> f64,
) -> Vec<(f64, f64)> {
    snap.history
        .iter()
        .map(|p| (p.t.since_epoch().as_secs_f64(), value(p)))
        .filter(|&(t, _)| t >= w.from && t <= w.to)
        .collect()
}

/// Datagrams per second across the cluster between history points.
fn rates(snap: &Snapshot, w: Window) -> Vec<(f64, f64)> {
    snap.history
        .windows(2)
        .filter(|p| (w.from..=w.to).contains(&p[1].t.since_epoch().as_secs_f64()))
        .map(|p| {
            let dt = (p[1].t - p[0].t).as_secs_f64().max(1e-3);
            (p[1].t.since_epoch().as_secs_f64(), p[1].sent_packets.saturating_sub(p[0].sent_packets) as f64 / dt)
        })
        .collect()
}

/// The actions in the window that disturbed the cluster, as vertical lines
/// from 0 to `top`.
fn marks(snap: &Snapshot, w: Window, top: f64) -> Vec<[(f64, f64); 2]> {
    snap.actions
        .iter()
        .filter(|m| m.kind.disturbs())
        .map(|m| m.t.since_epoch().as_secs_f64())
        .filter(|&t| t >= w.from && t <= w.to)
        .map(|t| [(t, 0.0), (t, top)])
        .collect()
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::ui::fixture;

    fn rows(width: u16, height: u16) -> Vec<String> {
        let snap = fixture::scene(8);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| render(f, f.area(), &snap)).unwrap();
        let buf = terminal.backend().buffer();
        (0..height).map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect()).collect()
    }

    #[test]
    fn actions_sit_on_the_time_axis_in_their_order_and_the_axis_ends_now() {
        // The small combined chart and the two stacked ones.
        for (w, h) in [(36, 8), (60, 14)] {
            let rows = rows(w, h);
            let axis = rows.iter().find(|r| r.contains('└') && !r.starts_with('└')).expect("an x axis");
            // Crash (●) at 50 s, partition and loss (▲) at 55 and 57 s, pause
            // (●) at 58 s; the rumor at 60 s disturbs nothing and has no mark.
            let marks: String = axis.chars().filter(|c| "●▲◆".contains(*c)).collect();
            assert!(marks == "●▲▲●" || marks == "●▲●", "{w}x{h}: {axis}\n{}", rows.join("\n"));
            assert!(rows.iter().any(|r| r.trim_end_matches('│').trim_end().ends_with("now")), "{}", rows.join("\n"));
            assert!(rows.iter().any(|r| r.contains("-1:00")), "{}", rows.join("\n"));
        }
    }
}
