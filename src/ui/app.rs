//! The dashboard's own state (selection, view, freeze, filter, prompt,
//! sort, scroll, status line, and in a replay the transport) and how a
//! key becomes either a display change or a lab [`Action`]. Pure: no
//! terminal, no lab, no clock, so every key can be tested by feeding it
//! here and looking at the [`Effect`].

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::keys::{self, BINDINGS, Command, Mode};
use super::layout;
use super::order;
use super::prompt::{Ask, Prompt};
use super::transport::Transport;
use super::view::View;
use crate::observe::action::Mark;
use crate::observe::{Liveness, Snapshot};
use crate::rogue::Attack;
use crate::scenario::{Action, NodeRef, percent};
use crate::security::KeyRef;

mod nav;

/// One step of `[` and `]`.
pub const LOSS_STEP: f64 = 0.05;

/// What the event loop must do after a key or click.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Nothing beyond the state change already made.
    None,
    /// Send this action to the lab.
    Lab(Action),
    /// Export the session into this directory.
    Export(PathBuf),
    /// Stop the lab and leave.
    Quit,
}

/// The status line: the outcome of the last command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// What to say.
    pub text: String,
    /// Shown in red when true.
    pub error: bool,
}

/// What a replay adds to the dashboard: the recording's marks and where
/// the cursor is among them.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The session log's path, as the header shows it.
    pub file: String,
    /// Every action of the recording, in time order.
    pub marks: Vec<Mark>,
    /// The cursor, its speed, playing or not.
    pub transport: Transport,
}

impl Replay {
    /// A replay of `file`, paused at its start.
    pub fn new(file: impl Into<String>, end: crate::protocol::Time, marks: Vec<Mark>) -> Replay {
        Replay { file: file.into(), marks, transport: Transport::new(end) }
    }

    /// The marks `.` and `,` stop at.
    fn stops(&self) -> impl Iterator<Item = crate::protocol::Time> + '_ {
        self.marks.iter().filter(|m| m.kind.is_jump()).map(|m| m.t)
    }
}

/// The dashboard's state.
#[derive(Clone, Debug)]
pub struct App {
    /// The view on screen.
    pub view: View,
    /// Where Esc returns to from node detail.
    pub previous: View,
    /// The selected node's index.
    pub selected: usize,
    /// The Cluster view shows the selected node's view, not the consensus.
    pub observer: bool,
    /// The help popup is open.
    pub help: bool,
    /// The snapshot kept on screen while frozen.
    pub frozen: Option<Arc<Snapshot>>,
    /// The status line.
    pub status: Option<Status>,
    /// The filter kept after Enter: node rows (`order::NodeFilter`) and
    /// events (a case-insensitive substring of kind or text).
    pub filter: String,
    /// The prompt being typed, if any: keys go there instead of the
    /// binding table.
    pub prompt: Option<Prompt>,
    /// Event log lines scrolled back from the newest (0 follows the tail).
    pub events_back: usize,
    /// The first suspicion row drawn.
    pub suspicions_top: usize,
    /// The node table's sort column, an index into `order::COLUMNS`.
    pub sort: usize,
    /// The next `p` splits into thirds rather than halves.
    pub thirds: bool,
    /// The global loss last asked for, so repeated `]` presses step from
    /// it rather than from a snapshot that may not show it yet.
    pub loss: Option<f64>,
    /// Rumors injected from the keyboard, to number their payloads.
    pub rumors: u32,
    /// The attack `f` forges next against a running node.
    pub attack: Attack,
    /// `--export`: where `x` writes (otherwise a fresh directory in `.`).
    pub export_dir: Option<PathBuf>,
    /// Fresh export directories named so far, and the second of the last:
    /// two presses within one second get two directories, not one twice.
    exports: (u64, u32),
    /// The frame size last drawn, for mapping clicks to rows.
    pub screen: Rect,
    /// Every lab on screen runs phi, so the Suspicions tab is named
    /// "Phi"; set with each frame, so a click finds the tab drawn.
    pub phi_tab: bool,
    /// Set when the dashboard shows a recording instead of a lab.
    pub replay: Option<Replay>,
    /// `NO_COLOR` was set: frames carry no colour (`chrome::access`).
    pub no_color: bool,
}

impl App {
    /// A fresh dashboard; `x` exports into `export_dir` when given.
    pub fn new(export_dir: Option<PathBuf>) -> App {
        App {
            view: View::Overview,
            previous: View::Overview,
            selected: 0,
            observer: false,
            help: false,
            frozen: None,
            status: None,
            filter: String::new(),
            prompt: None,
            events_back: 0,
            suspicions_top: 0,
            sort: 0,
            thirds: false,
            loss: None,
            rumors: 0,
            attack: Attack::Death,
            export_dir,
            exports: (0, 0),
            screen: Rect::default(),
            phi_tab: false,
            replay: None,
            no_color: false,
        }
    }

    /// The directory the `n`-th export within second `secs` goes to
    /// without `--export`: `gossip-lab-export-SECS`, then `-2`, `-3`…
    pub fn fresh_export_dir(&mut self, secs: u64) -> PathBuf {
        let n = if self.exports.0 == secs { self.exports.1 + 1 } else { 1 };
        self.exports = (secs, n);
        match n {
            1 => PathBuf::from(format!("gossip-lab-export-{secs}")),
            n => PathBuf::from(format!("gossip-lab-export-{secs}-{n}")),
        }
    }

    /// A dashboard over a recording.
    pub fn replaying(replay: Replay) -> App {
        App { replay: Some(replay), ..App::new(None) }
    }

    /// Live or replay.
    pub fn mode(&self) -> Mode {
        if self.replay.is_some() { Mode::Replay } else { Mode::Live }
    }

    /// The snapshot to draw: the frozen one, or the live one.
    pub fn shown<'a>(&'a self, live: &'a Arc<Snapshot>) -> &'a Arc<Snapshot> {
        self.frozen.as_ref().unwrap_or(live)
    }

    /// Sets the status line.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status { text: text.into(), error });
    }

    /// Handles a key press against the live snapshot. While help is open
    /// it is modal: only the keys that close it or quit do anything.
    pub fn key(&mut self, event: KeyEvent, live: &Snapshot) -> Effect {
        if event.kind != KeyEventKind::Press {
            return Effect::None;
        }
        if self.prompt.is_some() {
            return self.prompt_key(event, live);
        }
        let command = keys::binding(&event, self.mode()).map(|b| b.command);
        if self.help {
            return match command {
                Some(Command::Help | Command::Back) => {
                    self.help = false;
                    Effect::None
                }
                Some(Command::Quit) => Effect::Quit,
                _ => Effect::None,
            };
        }
        match command {
            Some(command) => self.command(command, live),
            None => Effect::None,
        }
    }

    /// Text entry: the one place keys bypass the table, since every
    /// printable key is text there.
    fn prompt_key(&mut self, event: KeyEvent, live: &Snapshot) -> Effect {
        let Some(prompt) = &mut self.prompt else { return Effect::None };
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        match event.code {
            KeyCode::Char('c') if ctrl => return Effect::Quit,
            KeyCode::Char(c) if !ctrl => prompt.text.push(c),
            KeyCode::Backspace => {
                prompt.text.pop();
            }
            KeyCode::Enter => {
                let Prompt { ask, text } =
                    self.prompt.take().unwrap_or(Prompt { ask: Ask::Filter, text: String::new() });
                return self.answer(ask, text, live);
            }
            KeyCode::Esc => {
                // Esc on the filter clears it; on the others it only cancels.
                if let Some(Prompt { ask: Ask::Filter, .. }) = self.prompt.take() {
                    self.filter.clear();
                }
            }
            _ => {}
        }
        self.events_back = 0;
        Effect::None
    }

    /// The filter in force: the one being typed, else the one kept.
    pub fn filter_text(&self) -> &str {
        match &self.prompt {
            Some(Prompt { ask: Ask::Filter, text }) => text,
            _ => &self.filter,
        }
    }

    /// Is a filter being typed or in force? Titles then say so.
    pub fn filtering(&self) -> bool {
        !self.filter.is_empty() || self.prompt.as_ref().is_some_and(|p| p.ask == Ask::Filter)
    }

    /// The node rows `view` draws, in its order (`order::rows`): what
    /// rendering, keys and clicks all go by.
    pub fn order(&self, snap: &Snapshot, view: View) -> Vec<usize> {
        order::rows(snap, view, self.filter_text(), self.sort)
    }

    /// Carries out one command from the binding table; one that does not
    /// work in this mode only says so.
    pub fn command(&mut self, command: Command, live: &Snapshot) -> Effect {
        let mode = self.mode();
        // Each command has one binding, so its scope is the command's.
        if let Some(b) = BINDINGS.iter().find(|b| b.command == command).filter(|b| !b.scope.works_in(mode)) {
            let key = format!("{} ({})", b.keys[0].name(), b.label);
            let text = match (mode, command) {
                (Mode::Live, _) => format!("{key} works in a replay only"),
                (Mode::Replay, Command::Export) => {
                    format!("replay: {key} is for a live lab; a recording is already a file")
                }
                (Mode::Replay, _) => format!("replay: {key} changes a lab; a recording can't be changed"),
            };
            self.say(text, true);
            return Effect::None;
        }
        if let Some(replay) = &mut self.replay {
            let t = &mut replay.transport;
            match command {
                Command::Play => t.toggle(),
                Command::Step(by) => t.step(by),
                Command::Slower | Command::Faster => t.shift_speed(command == Command::Faster),
                Command::ToStart => t.seek(crate::protocol::Time::ZERO),
                Command::ToEnd => t.seek(t.end),
                Command::NextMark | Command::PrevMark => {
                    let forward = command == Command::NextMark;
                    let stops: Vec<_> = replay.stops().collect();
                    if !replay.transport.jump(stops, forward) {
                        let side = if forward { "after" } else { "before" };
                        self.say(format!("no fault or node event {side} this point"), false);
                    }
                }
                _ => return self.display_or_lab(command, live),
            }
            return Effect::None;
        }
        self.display_or_lab(command, live)
    }

    fn display_or_lab(&mut self, command: Command, live: &Snapshot) -> Effect {
        let n = live.nodes.len();
        if n > 0 && self.selected >= n {
            self.selected = n - 1;
        }
        let node = NodeRef::Index(self.selected);
        let lab = |action: Action| Effect::Lab(action);
        match command {
            Command::Help => self.help = !self.help,
            Command::Back => {
                if self.help {
                    self.help = false;
                } else if !self.filter.is_empty() && filters(self.view) {
                    self.filter.clear();
                } else if self.view == View::Detail {
                    self.view = self.previous;
                }
            }
            Command::Quit => return Effect::Quit,
            Command::Down | Command::Up | Command::PageDown | Command::PageUp | Command::First | Command::Last => {
                self.navigate(command, live)
            }
            Command::Jump => self.ask(Ask::Jump),
            Command::PartitionGroups => self.ask(Ask::Groups),
            Command::Sort => self.next_sort(),
            Command::NextView => self.show(self.view.step(1)),
            Command::PrevView => self.show(self.view.step(-1)),
            Command::Show(view) => self.show(view),
            Command::Detail => self.show(View::Detail),
            Command::Observer => self.observer = !self.observer,
            Command::Freeze => {
                self.frozen = match self.frozen.take() {
                    Some(_) => None,
                    None => Some(Arc::new(live.clone())),
                };
                self.say(
                    if self.frozen.is_some() { "display frozen; nodes keep running" } else { "display live" },
                    false,
                );
            }
            Command::Filter => {
                if !filters(self.view) {
                    self.show(View::Events);
                }
                self.prompt = Some(Prompt { ask: Ask::Filter, text: std::mem::take(&mut self.filter) });
            }
            Command::Export => {
                let dir = self.export_dir.clone().unwrap_or_else(|| {
                    let secs =
                        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                    self.fresh_export_dir(secs)
                });
                self.say(format!("exporting to {} …", dir.display()), false);
                return Effect::Export(dir);
            }
            Command::Add => return self.send(Action::Add),
            Command::Partition => return self.split(live),
            Command::Heal => {
                self.thirds = false;
                return self.send(Action::Heal);
            }
            Command::KeyInstall => return self.send(Action::KeyInstall),
            Command::KeyUse => return self.send(Action::KeyUse { key: KeyRef::Newest }),
            Command::KeyRemove => return self.send(Action::KeyRemove { key: KeyRef::Oldest }),
            Command::LossDown | Command::LossUp | Command::LossClear => {
                let now = self.loss.unwrap_or(live.plan.baseline.loss);
                let step = match command {
                    Command::LossUp => LOSS_STEP,
                    Command::LossDown => -LOSS_STEP,
                    _ => -now,
                };
                // Round to whole steps so repeated presses land on 5%, 10%, ...
                let loss = ((now + step) / LOSS_STEP).round() * LOSS_STEP;
                let loss = loss.clamp(0.0, 1.0);
                self.loss = Some(loss);
                self.say(format!("setting global loss to {} …", percent(loss)), false);
                return lab(Action::SetLoss { loss });
            }
            Command::Crash
            | Command::Restart
            | Command::PauseResume
            | Command::Leave
            | Command::Isolate
            | Command::Rumor
            | Command::Rogue => {
                let Some(row) = live.nodes.get(self.selected) else {
                    self.say("no node to act on yet", true);
                    return Effect::None;
                };
                let action = match command {
                    Command::Crash => Action::Crash { node },
                    Command::Restart => Action::Restart { node },
                    Command::PauseResume if row.life == Liveness::Paused => Action::Resume { node },
                    Command::PauseResume => Action::Pause { node },
                    Command::Leave => Action::Leave { node },
                    Command::Isolate => Action::Isolate { node },
                    // A crashed node can only have its acks masked; a
                    // running one gets the next attack of the cycle.
                    Command::Rogue if row.life == Liveness::Crashed => {
                        Action::Rogue { attack: Attack::AckMask, node, count: None, duration: None }
                    }
                    Command::Rogue => {
                        let attack = self.attack;
                        self.attack = attack.next_on_running();
                        Action::Rogue { attack, node, count: None, duration: None }
                    }
                    _ => {
                        self.rumors += 1;
                        self.show(View::Rumor);
                        Action::Rumor { node, payload: format!("dashboard rumor {}", self.rumors) }
                    }
                };
                return self.send(action);
            }
            // The transport exists only in a replay; `command` takes these.
            Command::Play
            | Command::Step(_)
            | Command::Slower
            | Command::Faster
            | Command::ToStart
            | Command::ToEnd
            | Command::NextMark
            | Command::PrevMark => {}
        }
        Effect::None
    }

    fn ask(&mut self, ask: Ask) {
        self.prompt = Some(Prompt { ask, text: String::new() });
    }

    fn send(&mut self, action: Action) -> Effect {
        self.say(format!("{} …", action.label()), false);
        Effect::Lab(action)
    }

    fn show(&mut self, view: View) {
        if view != self.view {
            if self.view != View::Detail {
                self.previous = self.view;
            }
            self.view = view;
        }
    }

    /// Handles a mouse event: a left click on a node row selects it, on a
    /// replay's time bar seeks there; the wheel moves the selection (or
    /// scrolls the event log).
    pub fn mouse(&mut self, event: MouseEvent, live: &Snapshot) -> Effect {
        if self.help || self.prompt.is_some() {
            return Effect::None;
        }
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(replay) = &mut self.replay {
                    let track = layout::track(layout::screen(self.screen, true).timebar);
                    let end = replay.transport.end;
                    if let Some(t) = layout::track_time(track, end, event.column, event.row) {
                        replay.transport.seek(t);
                        return Effect::None;
                    }
                }
                let order = self.order(self.frozen.as_deref().unwrap_or(live), self.view);
                if let Some(i) = layout::row_at(
                    self.screen,
                    self.replay.is_some(),
                    self.view,
                    &order,
                    self.selected,
                    event.column,
                    event.row,
                ) {
                    self.selected = i;
                }
                if let Some(view) = layout::tab_at(self.screen, self.view, self.phi_tab, event.column, event.row) {
                    self.show(view);
                }
                Effect::None
            }
            MouseEventKind::ScrollDown => self.command(Command::Down, live),
            MouseEventKind::ScrollUp => self.command(Command::Up, live),
            _ => Effect::None,
        }
    }
}

/// Does `view` list what the filter filters (node rows or events)?
fn filters(view: View) -> bool {
    matches!(view, View::Overview | View::Matrix | View::Events)
}
