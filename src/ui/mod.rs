//! The terminal dashboard over a running lab (`gossip-lab` with no
//! subcommand).
//!
//! - [`app`]: the dashboard's own state and what each key does to it; pure.
//! - [`keys`]: the one binding table; it drives dispatch, the footer and
//!   the `?` popup.
//! - [`views`]: one read-only render function per view.
//! - [`term`]: entering and restoring the terminal on every exit path.
//! - [`lifecycle`]: [`run`], the event loop, and the order of things on
//!   the way out (terminal first, then the lab).
//! - [`fixture`]: synthetic snapshots for rendering tests and benchmarks.
//!
//! The event loop in [`run`] multiplexes terminal input, a fixed-rate
//! render tick, the observer's snapshot channel and signals. Lab actions go to a
//! separate task ([`serve`]) that owns the lab, so a slow action (a crash
//! waits for the node's task to end) never stalls drawing, and nothing
//! here ever touches a node: the runtime stays the only place work happens.

pub mod app;
pub mod fixture;
pub mod keys;
pub mod lifecycle;
pub mod term;
pub mod views;

use std::future::Future;
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, HorizontalAlignment, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, LineGauge, Paragraph};
use tokio::sync::mpsc;

use self::app::{App, Status, View};
use self::keys::BINDINGS;
pub use self::lifecycle::run;
use self::views::{Ctx, dim, title_style};
use crate::engine::Timeline;
use crate::observe::Snapshot;
use crate::runtime::Running;
use crate::scenario::{Action, Step, percent};

/// The smallest terminal the dashboard draws into.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal height.
pub const MIN_HEIGHT: u16 = 24;

/// What the dashboard can ask of a lab. The real [`Running`] lab
/// implements it; tests implement it with a recorder, so the dispatch of
/// every key can be checked without sockets.
pub trait LabControl: Send + 'static {
    /// Carries out `action`; the feedback line, or why not.
    fn apply(&mut self, action: &Action) -> impl Future<Output = Result<String, String>> + Send;
    /// Exports the session into `dir`; the directory written, or why not.
    fn export(&mut self, dir: PathBuf) -> impl Future<Output = Result<PathBuf, String>> + Send;
}

impl LabControl for Running {
    async fn apply(&mut self, action: &Action) -> Result<String, String> {
        Running::apply(self, action).await.map_err(|e| e.to_string())
    }

    async fn export(&mut self, dir: PathBuf) -> Result<PathBuf, String> {
        self.observer.export(dir).await.map_err(|e| format!("export failed: {e}"))
    }
}

/// A request to the task that owns the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Carry out an action.
    Apply(Action),
    /// Carry out a step of the profile's timeline (reported as such).
    Timeline(Action),
    /// Export the session into a directory.
    Export(PathBuf),
}

/// Owns the lab and carries out requests one at a time until the sender
/// is dropped, answering each with a status line; returns the lab so the
/// caller can stop it.
pub async fn serve<L: LabControl>(
    mut lab: L,
    mut requests: mpsc::Receiver<Request>,
    replies: mpsc::UnboundedSender<Status>,
) -> L {
    while let Some(request) = requests.recv().await {
        let status = match request {
            Request::Apply(action) => match lab.apply(&action).await {
                Ok(text) => Status { text, error: false },
                Err(e) => Status { text: format!("{}: {e}", action.label()), error: true },
            },
            Request::Timeline(action) => match lab.apply(&action).await {
                Ok(text) => Status { text: format!("timeline: {text}"), error: false },
                Err(e) => Status { text: format!("timeline: {}: {e}", action.label()), error: true },
            },
            Request::Export(dir) => match lab.export(dir).await {
                Ok(dir) => {
                    let shown = std::fs::canonicalize(&dir).unwrap_or(dir);
                    Status { text: format!("exported the session to {}", shown.display()), error: false }
                }
                Err(e) => Status { text: e, error: true },
            },
        };
        let _ = replies.send(status);
    }
    lab
}

/// How the dashboard runs.
#[derive(Clone, Debug)]
pub struct UiOptions {
    /// Frames per second.
    pub fps: u32,
    /// Where `x` exports (`--export`); a fresh directory when `None`.
    pub export: Option<PathBuf>,
    /// The profile's timeline, played against the lab from its start, so a
    /// profile does on screen what it does headless.
    pub timeline: Vec<Step>,
}

/// Sends each timeline step to the lab task at its time (from `start`),
/// until the steps run out or the dashboard stops taking requests.
pub async fn play(timeline: Vec<Step>, start: tokio::time::Instant, requests: mpsc::Sender<Request>) {
    let mut timeline = Timeline::new(timeline);
    while let Some(at) = timeline.next_at() {
        tokio::time::sleep_until(start + at).await;
        while let Some(step) = timeline.due(at) {
            if requests.send(Request::Timeline(step.action)).await.is_err() {
                return;
            }
        }
    }
}

/// The screen's bands.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    /// Two header lines.
    pub header: Rect,
    /// The view tabs.
    pub tabs: Rect,
    /// The current view.
    pub body: Rect,
    /// The status line.
    pub status: Rect,
    /// The key hints.
    pub footer: Rect,
}

/// Splits the frame into its bands.
pub fn screen(area: Rect) -> Screen {
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Screen { header, tabs, body, status, footer }
}

/// The tab labels and their x ranges, left to right.
fn tab_spans() -> impl Iterator<Item = (View, String)> {
    View::ALL.into_iter().enumerate().map(|(i, v)| (v, format!(" {} {} ", i + 1, v.title())))
}

/// The view whose tab is at (`col`, `row`).
pub fn tab_at(area: Rect, col: u16, row: u16) -> Option<View> {
    let tabs = screen(area).tabs;
    if row != tabs.y {
        return None;
    }
    let mut x = tabs.x;
    for (view, text) in tab_spans() {
        let w = text.chars().count() as u16;
        if (x..x + w).contains(&col) {
            return Some(view);
        }
        x += w + 1;
    }
    None
}

/// The node drawn at (`col`, `row`) in the current view, if any.
pub fn row_at(app: &App, n: usize, col: u16, row: u16) -> Option<usize> {
    let body = screen(app.screen).body;
    let selected = app.selected.min(n.saturating_sub(1));
    match app.view {
        View::Overview => {
            let rows = views::overview::table_rows(body, n);
            let inside = col >= rows.x && col < rows.right() && row >= rows.y && row < rows.bottom();
            let i = app::scroll_offset(selected, n, rows.height as usize) + row.saturating_sub(rows.y) as usize;
            (inside && i < n).then_some(i)
        }
        View::Matrix => views::matrix::node_at(body, n, selected, col, row),
        _ => None,
    }
}

/// Draws one frame: the live snapshot, or the frozen one.
pub fn draw(frame: &mut Frame, app: &App, live: &Snapshot) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let snap = app.frozen.as_deref().unwrap_or(live);
    if snap.nodes.is_empty() {
        splash(frame, area);
        return;
    }
    let s = screen(area);
    header(frame, s.header, app, snap);
    tabs(frame, s.tabs, app.view);
    let ctx = Ctx { snap, app };
    match app.view {
        View::Overview => views::overview::render(frame, s.body, &ctx),
        View::Matrix => views::matrix::render(frame, s.body, &ctx),
        View::Suspicions => views::suspicions::render(frame, s.body, &ctx),
        View::Detail => views::detail::render(frame, s.body, &ctx),
        View::Network => views::network::render(frame, s.body, &ctx),
        View::Events => views::events::render(frame, s.body, &ctx),
        View::Rumor => views::rumor::render(frame, s.body, &ctx),
    }
    status(frame, s.status, app);
    footer(frame, s.footer, app);
    if app.help {
        help(frame, area);
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled("terminal too small", Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)),
        Line::raw(format!("{}×{}; the dashboard needs at least {MIN_WIDTH}×{MIN_HEIGHT}", area.width, area.height)),
        Line::styled("enlarge the window, or press q to quit", dim()),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let at = Rect { y: area.y + y, height: area.height.saturating_sub(y).min(3), ..area };
    frame.render_widget(Paragraph::new(text).alignment(HorizontalAlignment::Center), at);
}

fn splash(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled("gossip-lab", title_style()),
        Line::raw(""),
        Line::raw("starting the nodes on 127.0.0.1 …"),
        Line::styled("waiting for the first snapshot from the observer", dim()),
        Line::raw(""),
        Line::styled("? help · q quit", dim()),
    ];
    let y = area.height.saturating_sub(6) / 2;
    let at = Rect { y: area.y + y, height: 6.min(area.height), ..area };
    frame.render_widget(Paragraph::new(text).alignment(HorizontalAlignment::Center), at);
}

fn header(frame: &mut Frame, area: Rect, app: &App, snap: &Snapshot) {
    let [top, gauges] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let up = snap.up();
    let total = snap.nodes.len();
    let sep = || Span::styled(" │ ", dim());
    let mut line = Vec::new();
    if area.width >= 100 {
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
        Span::raw(format!("uptime {}", views::clock(snap.t))),
        sep(),
        Span::raw(snap.protocol_label.as_str()),
    ]);
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

fn tabs(frame: &mut Frame, area: Rect, current: View) {
    let mut spans = Vec::new();
    for (view, text) in tab_spans() {
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

fn status(frame: &mut Frame, area: Rect, app: &App) {
    let line = match &app.status {
        Some(s) => {
            Span::styled(format!(" {}", s.text), Style::new().fg(if s.error { Color::Red } else { Color::LightGreen }))
        }
        None => {
            Span::styled(" select a node with j/k, then break something: c crash, p partition, ? for every key", dim())
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn footer(frame: &mut Frame, area: Rect, app: &App) {
    if app.editing_filter {
        let line = Line::from(vec![
            Span::styled(" filter: ", title_style()),
            Span::raw(format!("{}▏", app.filter)),
            Span::styled("  Enter keeps it · Esc clears it", dim()),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let key_style = Style::new().fg(Color::Black).bg(Color::Gray);
    let mut spans = Vec::new();
    let mut used = 0;
    for b in BINDINGS.iter().filter(|b| b.footer) {
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

/// The popup's rectangle: most of the screen, centred.
fn popup_area(area: Rect) -> Rect {
    let rows = BINDINGS.len() as u16 + 4;
    let height = rows.min(area.height.saturating_sub(2));
    let width = if area.width >= 100 { 96 } else { area.width.saturating_sub(2) };
    area.centered(Constraint::Length(width), Constraint::Length(height))
}

fn help(frame: &mut Frame, area: Rect) {
    let popup = popup_area(area);
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
    let entry = |b: &keys::Binding, with_help: bool| {
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
        let column = |part: &[keys::Binding]| part.iter().map(|b| entry(b, false)).collect::<Vec<Line>>();
        frame.render_widget(Paragraph::new(column(&BINDINGS[..half])), left);
        frame.render_widget(Paragraph::new(column(&BINDINGS[half..])), right);
    }
}
