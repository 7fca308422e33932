//! Overview's charts: agreement, accuracy and messages per second over the
//! last minutes of lab time, on a time axis ("-2:00 … now"), with the
//! actions that disturbed the cluster (faults, crashes, pauses…) marked on
//! it as columns of "▄": the snapshot's actions, classified once by
//! `observe::action`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType};

use super::{clock, count, dim, title_style};
use crate::observe::Snapshot;
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
    if area.height >= 16 {
        let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
        title.extend(key(AGREEMENT, "agreement"));
        title.extend(key(ACCURACY, "accuracy"));
        title.push(Span::styled(MARK_GLYPH, Style::new().fg(MARKS)));
        title.push(Span::raw(" action "));
        // Marks first: the series are drawn over them.
        let mut sets: Vec<Dataset> = mark_sets(&percent_marks).collect();
        sets.extend([dataset(&views, AGREEMENT), dataset(&accuracy, ACCURACY).graph_type(GraphType::Scatter)]);
        let chart = Chart::new(sets)
            .block(Block::bordered().title(Line::from(title)))
            .x_axis(w.axis(false))
            .y_axis(Axis::default().bounds([0.0, 100.0]).labels(["0%", "100%"]).style(dim()));
        frame.render_widget(chart, top);
        let top_y = (peak * 1.1).max(1.0);
        let msg_marks = marks(snap, w, top_y);
        let mut sets: Vec<Dataset> = mark_sets(&msg_marks).collect();
        sets.push(dataset(&msgs, MESSAGES));
        let chart = Chart::new(sets)
            .block(Block::bordered().title(Span::styled(format!(" {msg_label} "), title_style())))
            .x_axis(w.axis(true))
            .y_axis(Axis::default().bounds([0.0, top_y]).labels(["0".to_owned(), count(top_y as u64)]).style(dim()));
        frame.render_widget(chart, bottom);
    } else {
        // One chart: the messages drawn as a share of their peak, which the
        // title gives in numbers.
        let share: Vec<(f64, f64)> = msgs.iter().map(|&(t, v)| (t, 100.0 * v / peak.max(1.0))).collect();
        title.extend(key(AGREEMENT, "agreement"));
        title.extend(key((Marker::Dot, MESSAGES.1), "msgs/s"));
        title.push(Span::styled(MARK_GLYPH, Style::new().fg(MARKS)));
        title.push(Span::raw(" action "));
        let peak = Span::styled(format!(" msgs/s {} · 100 = peak {} ", count(now as u64), count(peak as u64)), dim());
        let mut sets: Vec<Dataset> = mark_sets(&percent_marks).collect();
        sets.extend([
            dataset(&views, AGREEMENT),
            dataset(&share, (Marker::Dot, MESSAGES.1)).graph_type(GraphType::Scatter),
        ]);
        let chart = Chart::new(sets)
            .block(Block::bordered().title(Line::from(title)).title_bottom(peak))
            .x_axis(w.axis(true))
            .y_axis(Axis::default().bounds([0.0, 100.0]).labels(["0", "100"]).style(dim()));
        frame.render_widget(chart, area);
    }
}

fn dataset<'a>(data: &'a [(f64, f64)], (marker, colour): (Marker, Color)) -> Dataset<'a> {
    Dataset::default().marker(marker).graph_type(GraphType::Line).style(Style::new().fg(colour)).data(data)
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
