//! The one binding table (DESIGN §5). Key dispatch, the footer hint bar and
//! the `?` help popup are all generated from [`BINDINGS`], so what the
//! screen advertises is exactly what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::view::View;

/// What a key asks for. Lab commands become a [`crate::scenario::Action`]
/// in `App::command` (`ui::app`); the rest change only the display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Open or close the help popup.
    Help,
    /// Close the popup, cancel the filter, or leave the detail view.
    Back,
    /// Stop the lab and leave.
    Quit,
    /// Select the next node (or scroll the event log down).
    Down,
    /// Select the previous node (or scroll the event log up).
    Up,
    /// One page down the list on screen (a page is its visible rows).
    PageDown,
    /// One page up the list on screen.
    PageUp,
    /// The list's first row.
    First,
    /// The list's last row (the event log's newest line).
    Last,
    /// Type a node number and jump to it.
    Jump,
    /// Sort the node table by its next column.
    Sort,
    /// Next view.
    NextView,
    /// Previous view.
    PrevView,
    /// Jump to a view.
    Show(View),
    /// Node detail of the selected node.
    Detail,
    /// Cluster view: colour nodes by the consensus or by the selected node's view.
    Observer,
    /// Crash the selected node.
    Crash,
    /// Restart the selected node.
    Restart,
    /// Pause the selected node, or resume it when paused.
    PauseResume,
    /// The selected node leaves gracefully.
    Leave,
    /// Add a node.
    Add,
    /// Partition the cluster: halves, then thirds on the next press.
    Partition,
    /// Type the partition's groups, e.g. `0-4,9 | 5-8`.
    PartitionGroups,
    /// Isolate the selected node.
    Isolate,
    /// Remove partitions and link faults.
    Heal,
    /// Lower the global loss by one step.
    LossDown,
    /// Raise the global loss by one step.
    LossUp,
    /// Set the global loss back to none (`h` keeps it: it is the network's
    /// baseline, not a fault).
    LossClear,
    /// Inject a rumor at the selected node.
    Rumor,
    /// A rogue forges claims against the selected node: the next attack of
    /// the cycle on a running node, the ack mask on a crashed one.
    Rogue,
    /// Install a new random key on every node (rotation step 1).
    KeyInstall,
    /// Make the newest key the primary everywhere (rotation step 2).
    KeyUse,
    /// Remove the oldest key that is not the primary (rotation step 3).
    KeyRemove,
    /// Export the session now.
    Export,
    /// Freeze or unfreeze the display.
    Freeze,
    /// Edit the filter over node rows and events.
    Filter,
    /// Replay: play or pause.
    Play,
    /// Replay: move the cursor this many seconds (back when negative).
    Step(i64),
    /// Replay: one speed down.
    Slower,
    /// Replay: one speed up.
    Faster,
    /// Replay: to the recording's start.
    ToStart,
    /// Replay: to the recording's end.
    ToEnd,
    /// Replay: to the next fault or node event.
    NextMark,
    /// Replay: to the previous fault or node event.
    PrevMark,
}

/// Whom the dashboard shows: a running lab, or a recorded session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A running lab (`gossip-lab`).
    Live,
    /// A recorded session (`gossip-lab replay`).
    Replay,
}

/// In which mode a binding works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Both.
    Both,
    /// Only over a running lab: the key changes the lab (or, for freeze,
    /// makes no sense over a recording); in a replay it says so.
    Live,
    /// Only in a replay: the transport.
    Replay,
}

impl Scope {
    /// Does a binding of this scope work in `mode`?
    pub fn works_in(self, mode: Mode) -> bool {
        matches!((self, mode), (Scope::Both, _) | (Scope::Live, Mode::Live) | (Scope::Replay, Mode::Replay))
    }
}

/// A key as the table writes it: a code plus the modifiers that must be
/// held. Shift is ignored for characters, since terminals report `?` or
/// `[` with or without it depending on the layout, and for Shift-Tab,
/// which is its own code; elsewhere (the arrows) it makes another key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Control must be held.
    pub ctrl: bool,
    /// Shift must be held (keys without a character of their own only).
    pub shift: bool,
}

const fn ch(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: false, shift: false }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false, shift: false }
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true, shift: false }
}

const fn shift(code: KeyCode) -> Key {
    Key { code, ctrl: false, shift: true }
}

impl Key {
    /// How the footer and help popup write it: "q", "Ctrl-C", "Shift-Tab", "↑".
    pub fn name(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_owned(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.shift) {
            (true, _) => format!("Ctrl-{base}"),
            (_, true) => format!("Shift-{base}"),
            _ => base,
        }
    }

    fn shift_counts(self) -> bool {
        !matches!(self.code, KeyCode::Char(_) | KeyCode::BackTab)
    }

    /// Does `event` press this key?
    pub fn matches(self, event: &KeyEvent) -> bool {
        let held = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            // Some terminals send Ctrl-C as an uppercase letter.
            KeyCode::Char(c) if held => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        let shift = event.modifiers.contains(KeyModifiers::SHIFT);
        code == self.code && held == self.ctrl && (!self.shift_counts() || shift == self.shift)
    }

    /// A key event for this key, as a terminal would send it.
    pub fn event(self) -> KeyEvent {
        let modifiers = match self.code {
            _ if self.ctrl => KeyModifiers::CONTROL,
            KeyCode::BackTab => KeyModifiers::SHIFT,
            _ if self.shift => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        KeyEvent::new(self.code, modifiers)
    }
}

/// One row of the table.
#[derive(Debug)]
pub struct Binding {
    /// The keys that trigger it; the first is the one the footer shows.
    pub keys: &'static [Key],
    /// A word or two, for the footer and the popup's narrow layout.
    pub label: &'static str,
    /// One sentence, for the popup's wide layout.
    pub help: &'static str,
    /// What it does.
    pub command: Command,
    /// Shown in the footer hint bar (the popup shows every binding).
    pub footer: bool,
    /// Where it works.
    pub scope: Scope,
}

impl Binding {
    /// "Ctrl-C, q" and the like.
    pub fn key_names(&self) -> String {
        self.keys.iter().map(|k| k.name()).collect::<Vec<_>>().join(" ")
    }
}

const fn bind(
    keys: &'static [Key],
    label: &'static str,
    help: &'static str,
    command: Command,
    footer: bool,
) -> Binding {
    Binding { keys, label, help, command, footer, scope: Scope::Both }
}

/// A binding for a running lab only.
const fn live(b: Binding) -> Binding {
    Binding { scope: Scope::Live, ..b }
}

/// A binding for a replay only.
const fn replay(b: Binding) -> Binding {
    Binding { scope: Scope::Replay, ..b }
}

/// Every key the dashboard understands, in the order the help lists them.
pub static BINDINGS: &[Binding] = &[
    bind(&[ch('?')], "help", "show or hide this help", Command::Help, true),
    bind(&[code(KeyCode::Esc)], "close", "close help, clear the filter, leave node detail", Command::Back, false),
    bind(
        &[ch('q'), ctrl('c')],
        "quit",
        "quit; a live lab is stopped first and its session flushed",
        Command::Quit,
        true,
    ),
    bind(
        &[ch('j'), code(KeyCode::Down)],
        "next node",
        "select the next node (scroll Events and Suspicions)",
        Command::Down,
        false,
    ),
    bind(
        &[ch('k'), code(KeyCode::Up)],
        "prev node",
        "select the previous node (scroll Events and Suspicions)",
        Command::Up,
        false,
    ),
    bind(&[code(KeyCode::PageDown)], "page down", "one page down the list on screen", Command::PageDown, false),
    bind(&[code(KeyCode::PageUp)], "page up", "one page up the list on screen", Command::PageUp, false),
    bind(&[ch('g'), code(KeyCode::Home)], "first", "the list's first row (oldest event)", Command::First, false),
    bind(&[ch('G'), code(KeyCode::End)], "last", "the list's last row (newest event)", Command::Last, false),
    bind(&[ch(':')], "jump", "type a node number, Enter selects it", Command::Jump, false),
    bind(&[ch('s')], "sort", "sort the node table by its next column", Command::Sort, false),
    bind(&[code(KeyCode::Tab)], "next view", "switch to the next view", Command::NextView, true),
    bind(&[code(KeyCode::BackTab)], "prev view", "switch to the previous view", Command::PrevView, false),
    bind(&[ch('1')], "overview", "nodes, traffic and latest events", Command::Show(View::Overview), false),
    bind(
        &[ch('2')],
        "cluster",
        "the cluster as a picture: nodes on a ring, datagrams",
        Command::Show(View::Cluster),
        false,
    ),
    bind(&[ch('3')], "matrix", "membership matrix: who thinks what of whom", Command::Show(View::Matrix), false),
    bind(
        &[ch('4')],
        "suspicions",
        "active suspicions with Lifeguard timers (phi labs: each φ)",
        Command::Show(View::Suspicions),
        false,
    ),
    bind(&[ch('5')], "node detail", "the selected node from the inside", Command::Show(View::Detail), false),
    bind(&[ch('6')], "network", "partitions, loss, delay, drops", Command::Show(View::Network), false),
    bind(&[ch('7')], "events", "the event log", Command::Show(View::Events), false),
    bind(&[ch('8')], "rumor", "spread of the latest rumor vs the model", Command::Show(View::Rumor), false),
    bind(&[code(KeyCode::Enter)], "detail", "open the selected node's detail", Command::Detail, false),
    bind(&[ch('o')], "observer", "Cluster: others' consensus or the selected node's view", Command::Observer, false),
    live(bind(&[ch('c')], "crash", "crash the selected node", Command::Crash, true)),
    live(bind(&[ch('r')], "restart", "restart the selected node with fresh state", Command::Restart, true)),
    live(bind(&[ch('z')], "pause/resume", "pause or resume the selected node", Command::PauseResume, true)),
    live(bind(&[ch('l')], "leave", "the selected node leaves gracefully", Command::Leave, false)),
    live(bind(&[ch('a')], "add", "add a node; it joins via a live seed", Command::Add, false)),
    live(bind(&[ch('p')], "partition", "split into halves; press again for thirds", Command::Partition, true)),
    live(bind(
        &[ch('P')],
        "groups",
        "split into typed groups, e.g. 0-4,9 | 5-8 (the rest form one more)",
        Command::PartitionGroups,
        false,
    )),
    live(bind(&[ch('i')], "isolate", "cut the selected node off from everyone", Command::Isolate, false)),
    live(bind(&[ch('h')], "heal", "remove partitions and link faults", Command::Heal, true)),
    live(bind(&[ch('[')], "loss -5%", "lower global packet loss by 5 points", Command::LossDown, false)),
    live(bind(&[ch(']')], "loss +5%", "raise global packet loss by 5 points", Command::LossUp, false)),
    live(bind(&[ch('{')], "loss 0%", "clear global packet loss (h keeps it)", Command::LossClear, false)),
    live(bind(&[ch('m')], "rumor", "inject a rumor at the selected node", Command::Rumor, true)),
    live(bind(&[ch('f')], "forge", "a rogue forges the next attack on the selected node", Command::Rogue, false)),
    live(bind(
        &[ch('n')],
        "new key",
        "install a new random key on every node (it opens, not seals)",
        Command::KeyInstall,
        false,
    )),
    live(bind(
        &[ch('u')],
        "use key",
        "make the newest key the primary: every node seals with it",
        Command::KeyUse,
        false,
    )),
    live(bind(&[ch('d')], "drop key", "remove the oldest key that is not the primary", Command::KeyRemove, false)),
    live(bind(&[ch('x')], "export", "export the session now (path in the status line)", Command::Export, true)),
    live(bind(&[ch(' ')], "freeze", "freeze or unfreeze the display; nodes keep running", Command::Freeze, true)),
    bind(&[ch('/')], "filter", "filter node rows and events by text (Enter keeps, Esc clears)", Command::Filter, false),
    replay(bind(
        &[ch(' ')],
        "play/pause",
        "play or pause the recording (from the end, play starts over)",
        Command::Play,
        true,
    )),
    replay(bind(&[code(KeyCode::Right)], "+1s", "step one second forward", Command::Step(1), true)),
    replay(bind(&[code(KeyCode::Left)], "-1s", "step one second back", Command::Step(-1), false)),
    replay(bind(&[shift(KeyCode::Right)], "+10s", "step ten seconds forward", Command::Step(10), false)),
    replay(bind(&[shift(KeyCode::Left)], "-10s", "step ten seconds back", Command::Step(-10), false)),
    replay(bind(&[ch('>')], "faster", "play faster: ×0.25 ×0.5 ×1 ×2 ×4 ×8 ×16", Command::Faster, false)),
    replay(bind(&[ch('<')], "slower", "play slower", Command::Slower, false)),
    replay(bind(&[ch('0')], "start", "jump to the recording's start", Command::ToStart, false)),
    replay(bind(&[ch('$')], "end", "jump to the recording's end", Command::ToEnd, true)),
    replay(bind(
        &[ch('.')],
        "next mark",
        "jump to the next fault or node event (● node ▲ fault on the time bar)",
        Command::NextMark,
        true,
    )),
    replay(bind(&[ch(',')], "prev mark", "jump to the previous fault or node event", Command::PrevMark, false)),
];

/// A mouse gesture: help lists these after the keys, and the README next
/// to its key table; `App::mouse` carries them out.
#[derive(Debug)]
pub struct Gesture {
    /// What the hand does, as help writes it.
    pub gesture: &'static str,
    /// A word or two.
    pub label: &'static str,
    /// One sentence.
    pub help: &'static str,
    /// Where it works.
    pub scope: Scope,
}

/// Every mouse gesture, in the order help lists them.
pub static MOUSE: &[Gesture] = &[
    Gesture {
        gesture: "click row",
        label: "select",
        help: "a click on a node row (Overview, Matrix) selects that node",
        scope: Scope::Both,
    },
    Gesture { gesture: "click tab", label: "switch", help: "a click on a tab shows that view", scope: Scope::Both },
    Gesture {
        gesture: "wheel",
        label: "scroll",
        help: "the wheel moves the selection, or scrolls Events and Suspicions",
        scope: Scope::Both,
    },
    Gesture {
        gesture: "click bar",
        label: "seek",
        help: "a click on the time bar moves the replay there",
        scope: Scope::Replay,
    },
];

/// The gestures that work in `mode`.
pub fn gestures(mode: Mode) -> impl Iterator<Item = &'static Gesture> {
    MOUSE.iter().filter(move |g| g.scope.works_in(mode))
}

/// The binding `event` presses in `mode`: the one that works there, or
/// else one that works only in the other mode (its scope says so, and the
/// caller tells the user). Key releases and repeats from terminals that
/// report them are ignored, so one press is one command.
pub fn binding(event: &KeyEvent, mode: Mode) -> Option<&'static Binding> {
    if event.kind != KeyEventKind::Press {
        return None;
    }
    let mut pressed = BINDINGS.iter().filter(|b| b.keys.iter().any(|k| k.matches(event)));
    let first = pressed.next()?;
    if first.scope.works_in(mode) {
        Some(first)
    } else {
        Some(pressed.find(|b| b.scope.works_in(mode)).unwrap_or(first))
    }
}

/// The command `event` runs in `mode`, if any.
pub fn lookup(event: &KeyEvent, mode: Mode) -> Option<Command> {
    binding(event, mode).filter(|b| b.scope.works_in(mode)).map(|b| b.command)
}

/// The bindings that work in `mode`, in table order.
pub fn bindings(mode: Mode) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.scope.works_in(mode))
}

#[cfg(test)]
mod tests;
