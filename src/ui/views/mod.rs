//! One module per view, each a read-only `render(frame, area, &Ctx)`, plus
//! the colours and small formatters they share. Views draw from the
//! [`Snapshot`] alone and only the rows that fit, so a frame costs the same
//! however many messages the nodes exchange.

pub mod charts;
pub mod cluster;
pub mod detail;
pub mod events;
pub mod heartbeats;
pub mod marks;
pub mod matrix;
pub mod network;
pub mod overview;
pub mod phi;
pub mod rumor;
pub mod suspicions;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::app::App;
use crate::observe::{Liveness, Snapshot};
use crate::protocol::{State, Time};
pub use crate::scenario::{plural, ranges};

/// What a view draws from.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The snapshot on screen (frozen or live).
    pub snap: &'a Snapshot,
    /// The dashboard state (selection, filter, scroll).
    pub app: &'a App,
}

impl Ctx<'_> {
    /// The selected node, clamped to the nodes that exist.
    pub fn selected(&self) -> usize {
        self.app.selected.min(self.snap.nodes.len().saturating_sub(1))
    }
}

/// The Suspicions tab's list box, SWIM's suspicions or a phi lab's rows:
/// drawn into `list` (part of the view's `area`) with `label` and the
/// count in its title, and the rows shown when they do not all fit (PgUp
/// and PgDn page them). Returns the inner area, the first row to draw and
/// how many fit.
pub fn paged_list(
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    list: ratatui::layout::Rect,
    ctx: &Ctx,
    label: &str,
    len: usize,
) -> (ratatui::layout::Rect, usize, usize) {
    let visible = super::layout::list(area, super::view::View::Suspicions, len).map_or(0, |r| r.height as usize);
    let first = ctx.app.suspicions_top.min(len.saturating_sub(visible));
    let mut title = vec![Span::styled(format!(" {label}: {len} "), title_style())];
    if len > visible {
        let shown = format!("· rows {}-{} (PgUp/PgDn) ", first, (first + visible).min(len) - 1);
        title.push(Span::styled(shown, dim()));
    }
    let block = ratatui::widgets::Block::bordered().title(Line::from(title)).title_bottom(legend());
    let inner = block.inner(list);
    frame.render_widget(block, list);
    (inner, first, visible)
}

/// Colour of a node's real condition.
pub fn life_style(life: Liveness) -> Style {
    Style::new().fg(match life {
        Liveness::Up => Color::Green,
        Liveness::Paused => Color::Yellow,
        Liveness::Leaving => Color::Cyan,
        Liveness::Crashed => Color::Red,
        Liveness::Left => Color::Blue,
    })
}

/// Colour of a membership state in some node's view (`None`: never heard of).
pub fn state_style(state: Option<State>) -> Style {
    match state {
        Some(State::Alive) => Style::new().fg(Color::Green),
        Some(State::Suspect) => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Some(State::Dead) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Some(State::Left) => Style::new().fg(Color::Blue),
        None => Style::new().fg(Color::DarkGray),
    }
}

/// One character per membership state, so the matrix reads without colour
/// too (a text capture, a monochrome terminal).
pub fn state_glyph(state: Option<State>) -> &'static str {
    match state {
        Some(State::Alive) => "●",
        Some(State::Suspect) => "◐",
        Some(State::Dead) => "✕",
        Some(State::Left) => "○",
        None => "·",
    }
}

/// The state's name.
pub fn state_name(state: Option<State>) -> &'static str {
    match state {
        Some(State::Alive) => "alive",
        Some(State::Suspect) => "suspect",
        Some(State::Dead) => "dead",
        Some(State::Left) => "left",
        None => "unknown",
    }
}

/// Every membership state in the order views list them.
pub const STATES: [Option<State>; 5] =
    [Some(State::Alive), Some(State::Suspect), Some(State::Dead), Some(State::Left), None];

/// The state legend every view that colours states carries (in a block's
/// bottom title): " ● alive ◐ suspect ✕ dead ○ left · unknown ", each
/// glyph in its state's colour, so colour and glyph are learnt together.
pub fn legend() -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for s in STATES {
        spans.push(Span::styled(state_glyph(s), state_style(s)));
        spans.push(Span::raw(format!(" {} ", state_name(s))));
    }
    Line::from(spans)
}

/// Colour of an event-log kind.
pub fn kind_style(kind: &str) -> Style {
    Style::new().fg(match kind {
        "node" => Color::Magenta,
        "fault" | "rogue" => Color::LightRed,
        "member" => Color::Gray,
        "suspicion" => Color::Yellow,
        "refute" => Color::Cyan,
        "rumor" => Color::LightBlue,
        "lag" => Color::LightYellow,
        "key" => Color::LightGreen,
        _ => Color::DarkGray,
    })
}

/// Section titles.
pub fn title_style() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// The selected row's background: `chrome::access` finds the selected
/// row by it (to mark it, and to turn it into reverse video without colour).
pub const SELECTED_BG: Color = Color::DarkGray;

/// The selected row.
pub fn selected_style() -> Style {
    Style::new().bg(SELECTED_BG).add_modifier(Modifier::BOLD)
}

/// Dim text.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// "12.3s" or "1:02:03" for lab times.
pub fn clock(t: Time) -> String {
    let s = t.as_millis() / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// An event's time stamp: seconds since lab start with a tenth.
pub fn stamp(t: Time) -> String {
    format!("{:>7.1}s", t.as_micros() as f64 / 1e6)
}

/// A whole-cell bar of `width` for `fraction`, e.g. "█████░░░░░".
pub fn bar(fraction: f64, width: usize) -> String {
    let f = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { 0.0 };
    let full = (f * width as f64).round() as usize;
    let mut s = String::with_capacity(width * 3);
    s.extend(std::iter::repeat_n('█', full));
    s.extend(std::iter::repeat_n('░', width - full));
    s
}

/// `text`, or its last `max - 1` characters after an ellipsis: the end of
/// a path or an address says the most.
pub fn short(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max { text.to_owned() } else { format!("…{}", text.chars().skip(n + 1 - max).collect::<String>()) }
}

/// A rate with at most four significant characters: "12.5", "340", "12k".
pub fn rate(per_s: f64) -> String {
    if per_s >= 10_000.0 {
        format!("{:.0}k", per_s / 1000.0)
    } else if per_s >= 100.0 {
        format!("{per_s:.0}")
    } else {
        format!("{per_s:.1}")
    }
}

/// A count with a k/M suffix past four digits.
pub fn count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=9_999_999 => format!("{}k", n / 1000),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// A label span in the section style.
pub fn label<'a>(text: impl Into<std::borrow::Cow<'a, str>>) -> Span<'a> {
    Span::styled(text, title_style())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[3, 0, 1, 2, 5, 7, 8]), "0-3, 5, 7-8");
        assert_eq!(ranges(&[]), "none");
    }

    #[test]
    fn bars_and_numbers() {
        assert_eq!(bar(0.5, 4), "██░░");
        assert_eq!(bar(f64::NAN, 2), "░░");
        assert_eq!(rate(12_345.0), "12k");
        assert_eq!(count(123_456), "123k");
        assert_eq!(clock(Time::from_secs(3725)), "1:02:05");
    }
}
