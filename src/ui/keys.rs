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
    /// Next view.
    NextView,
    /// Previous view.
    PrevView,
    /// Jump to a view.
    Show(View),
    /// Node detail of the selected node.
    Detail,
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
    /// Partition the cluster into two halves.
    Partition,
    /// Isolate the selected node.
    Isolate,
    /// Remove partitions and link faults.
    Heal,
    /// Lower the global loss by one step.
    LossDown,
    /// Raise the global loss by one step.
    LossUp,
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
    /// Edit the event log filter.
    Filter,
}

/// A key as the table writes it: a code plus the modifiers that must be
/// held. Shift is ignored for characters, since terminals report `?` or
/// `[` with or without it depending on the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Control must be held.
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: false }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true }
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
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("Ctrl-{base}") } else { base }
    }

    /// Does `event` press this key?
    pub fn matches(self, event: &KeyEvent) -> bool {
        let held = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            // Some terminals send Ctrl-C as an uppercase letter.
            KeyCode::Char(c) if held => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        code == self.code && held == self.ctrl
    }

    /// A key event for this key, as a terminal would send it.
    pub fn event(self) -> KeyEvent {
        let modifiers = match self.code {
            _ if self.ctrl => KeyModifiers::CONTROL,
            KeyCode::BackTab => KeyModifiers::SHIFT,
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
    Binding { keys, label, help, command, footer }
}

/// Every key the dashboard understands, in the order the help lists them.
pub static BINDINGS: &[Binding] = &[
    bind(&[ch('?')], "help", "show or hide this help", Command::Help, true),
    bind(&[code(KeyCode::Esc)], "close", "close help, cancel the filter, leave node detail", Command::Back, false),
    bind(&[ch('q'), ctrl('c')], "quit", "stop the lab and quit (the session is flushed)", Command::Quit, true),
    bind(
        &[ch('j'), code(KeyCode::Down)],
        "next node",
        "select the next node (scroll down in Events)",
        Command::Down,
        false,
    ),
    bind(
        &[ch('k'), code(KeyCode::Up)],
        "prev node",
        "select the previous node (scroll up in Events)",
        Command::Up,
        false,
    ),
    bind(&[code(KeyCode::Tab)], "next view", "switch to the next view", Command::NextView, true),
    bind(&[code(KeyCode::BackTab)], "prev view", "switch to the previous view", Command::PrevView, false),
    bind(&[ch('1')], "overview", "nodes, traffic and latest events", Command::Show(View::Overview), false),
    bind(&[ch('2')], "matrix", "membership matrix: who thinks what of whom", Command::Show(View::Matrix), false),
    bind(&[ch('3')], "suspicions", "active suspicions with Lifeguard timers", Command::Show(View::Suspicions), false),
    bind(&[ch('4')], "node detail", "the selected node from the inside", Command::Show(View::Detail), false),
    bind(&[ch('5')], "network", "partitions, loss, delay, drops", Command::Show(View::Network), false),
    bind(&[ch('6')], "events", "the event log", Command::Show(View::Events), false),
    bind(&[ch('7')], "rumor", "spread of the latest rumor vs the model", Command::Show(View::Rumor), false),
    bind(&[code(KeyCode::Enter)], "detail", "open the selected node's detail", Command::Detail, false),
    bind(&[ch('c')], "crash", "crash the selected node", Command::Crash, true),
    bind(&[ch('r')], "restart", "restart the selected node with fresh state", Command::Restart, true),
    bind(&[ch('z')], "pause/resume", "pause or resume the selected node", Command::PauseResume, true),
    bind(&[ch('l')], "leave", "the selected node leaves gracefully", Command::Leave, false),
    bind(&[ch('a')], "add", "add a node; it joins via a live seed", Command::Add, false),
    bind(&[ch('p')], "partition", "partition the cluster into two halves", Command::Partition, true),
    bind(&[ch('i')], "isolate", "cut the selected node off from everyone", Command::Isolate, false),
    bind(&[ch('h')], "heal", "remove partitions and link faults", Command::Heal, true),
    bind(&[ch('[')], "loss -5%", "lower global packet loss by 5 points", Command::LossDown, false),
    bind(&[ch(']')], "loss +5%", "raise global packet loss by 5 points", Command::LossUp, false),
    bind(&[ch('g')], "rumor", "inject a rumor at the selected node", Command::Rumor, true),
    bind(&[ch('f')], "forge", "a rogue forges the next attack on the selected node", Command::Rogue, false),
    bind(
        &[ch('n')],
        "new key",
        "install a new random key on every node (it opens, not seals)",
        Command::KeyInstall,
        false,
    ),
    bind(&[ch('u')], "use key", "make the newest key the primary: every node seals with it", Command::KeyUse, false),
    bind(&[ch('d')], "drop key", "remove the oldest key that is not the primary", Command::KeyRemove, false),
    bind(&[ch('x')], "export", "export the session now (path in the status line)", Command::Export, true),
    bind(&[ch(' ')], "freeze", "freeze or unfreeze the display; nodes keep running", Command::Freeze, true),
    bind(&[ch('/')], "filter", "filter the event log (Enter keeps, Esc clears)", Command::Filter, false),
];

/// The command bound to `event`, if any. Key releases and repeats from
/// terminals that report them are ignored, so one press is one command.
pub fn lookup(event: &KeyEvent) -> Option<Command> {
    if event.kind != KeyEventKind::Press {
        return None;
    }
    BINDINGS.iter().find(|b| b.keys.iter().any(|k| k.matches(event))).map(|b| b.command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let keys: Vec<Key> = BINDINGS.iter().flat_map(|b| b.keys.iter().copied()).collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(a), "{} is bound twice", a.name());
        }
    }

    #[test]
    fn every_key_finds_its_own_binding() {
        for b in BINDINGS {
            for k in b.keys {
                assert_eq!(lookup(&k.event()), Some(b.command), "{}", k.name());
            }
        }
    }

    #[test]
    fn shifted_characters_and_uppercase_ctrl_c() {
        assert_eq!(lookup(&KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT)), Some(Command::Help));
        assert_eq!(lookup(&KeyEvent::new(KeyCode::Char('C'), KeyModifiers::CONTROL)), Some(Command::Quit));
        assert_eq!(lookup(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)), None);
        assert_eq!(Key { code: KeyCode::Char('c'), ctrl: true }.name(), "Ctrl-C");
    }
}
