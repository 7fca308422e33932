//! Key dispatch: every key in the binding table, pressed on the dashboard,
//! does what the table says. Lab commands are carried through the same
//! `serve` task the real dashboard uses, into a recording fake lab, so
//! the test covers key → Action → lab without a socket.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gossip_lab::observe::Snapshot;
use gossip_lab::rogue::Attack;
use gossip_lab::scenario::{Action, Groups, NodeRef};
use gossip_lab::security::KeyRef;
use gossip_lab::ui::fixture::{self, CRASHED, PAUSED};
use gossip_lab::ui::keys::{BINDINGS, Command, MOUSE, Mode, Scope, bindings};
use gossip_lab::ui::prompt::Ask;
use gossip_lab::ui::{App, Effect, View};
use gossip_lab::ui::{LabControl, Request, serve};
use tokio::sync::mpsc;

/// A lab that only remembers what it was asked.
#[derive(Default)]
struct Recorder {
    applied: Vec<Action>,
    exported: Vec<PathBuf>,
}

impl LabControl for Recorder {
    async fn apply(&mut self, action: &Action) -> Result<String, String> {
        self.applied.push(action.clone());
        Ok(format!("did {}", action.label()))
    }

    async fn export(&mut self, dir: PathBuf) -> Result<PathBuf, String> {
        self.exported.push(dir.clone());
        Ok(dir)
    }
}

const SELECTED: usize = 2;

fn asked(app: &App, ask: Ask) -> bool {
    app.prompt.as_ref().is_some_and(|p| p.ask == ask && p.text.is_empty())
}

fn fresh() -> App {
    let mut app = App::new(Some(PathBuf::from("out")));
    app.selected = SELECTED;
    app
}

/// The dashboard a key bound to `command` is pressed on: a fresh one,
/// except that `Back` gets something to go back from (the popup open over
/// node detail, reached from the matrix), so a `Back` that does nothing
/// fails its check.
fn before(command: Command) -> App {
    let mut app = fresh();
    if command == Command::Back {
        app.help = true;
        app.view = View::Detail;
        app.previous = View::Matrix;
    }
    app
}

/// What pressing a key bound to `command` must do to [`before`]'s
/// dashboard; `Err` is the check to run on the app instead.
fn expected(command: Command) -> Result<Effect, fn(&App)> {
    let node = NodeRef::Index(SELECTED);
    Ok(match command {
        Command::Crash => Effect::Lab(Action::Crash { node }),
        Command::Restart => Effect::Lab(Action::Restart { node }),
        Command::PauseResume => Effect::Lab(Action::Pause { node }),
        Command::Leave => Effect::Lab(Action::Leave { node }),
        Command::Add => Effect::Lab(Action::Add),
        Command::Partition => Effect::Lab(Action::Partition { groups: Groups::Halves, one_way: false }),
        Command::Isolate => Effect::Lab(Action::Isolate { node }),
        Command::Heal => Effect::Lab(Action::Heal),
        // The scene's baseline loss is 5%.
        Command::LossDown => Effect::Lab(Action::SetLoss { loss: 0.0 }),
        Command::LossUp => Effect::Lab(Action::SetLoss { loss: 0.1 }),
        Command::LossClear => Effect::Lab(Action::SetLoss { loss: 0.0 }),
        Command::Rumor => Effect::Lab(Action::Rumor { node, payload: "dashboard rumor 1".into() }),
        Command::Rogue => Effect::Lab(Action::Rogue { attack: Attack::Death, node, count: None, duration: None }),
        Command::KeyInstall => Effect::Lab(Action::KeyInstall),
        Command::KeyUse => Effect::Lab(Action::KeyUse { key: KeyRef::Newest }),
        Command::KeyRemove => Effect::Lab(Action::KeyRemove { key: KeyRef::Oldest }),
        Command::Export => Effect::Export(PathBuf::from("out")),
        Command::Quit => Effect::Quit,
        Command::Help => return Err(|app| assert!(app.help)),
        // One press closes the popup and nothing else.
        Command::Back => return Err(|app| assert!(!app.help && app.view == View::Detail)),
        Command::Down => return Err(|app| assert_eq!(app.selected, SELECTED + 1)),
        Command::Up => return Err(|app| assert_eq!(app.selected, SELECTED - 1)),
        Command::NextView => return Err(|app| assert_eq!(app.view, View::Cluster)),
        Command::PrevView => return Err(|app| assert_eq!(app.view, View::Rumor)),
        Command::Show(_) => return Err(|_| ()), // checked per view below
        Command::Detail => return Err(|app| assert_eq!(app.view, View::Detail)),
        Command::Observer => return Err(|app| assert!(app.observer)),
        Command::Freeze => return Err(|app| assert!(app.frozen.is_some())),
        // The overview lists nodes, so the filter applies there.
        Command::Filter => return Err(|app| assert!(asked(app, Ask::Filter) && app.view == View::Overview)),
        Command::Jump => return Err(|app| assert!(asked(app, Ask::Jump))),
        Command::PartitionGroups => return Err(|app| assert!(asked(app, Ask::Groups))),
        // Before the first frame a page is one row.
        Command::PageDown => return Err(|app| assert_eq!(app.selected, SELECTED + 1)),
        Command::PageUp => return Err(|app| assert_eq!(app.selected, SELECTED - 1)),
        Command::First => return Err(|app| assert_eq!(app.selected, 0)),
        Command::Last => return Err(|app| assert_eq!(app.selected, 7)),
        Command::Sort => return Err(|app| assert_eq!(gossip_lab::ui::order::COLUMNS[app.sort].name, "address")),
        // Only live bindings are pressed here; tests/ui_replay.rs has the rest.
        other => unreachable!("{other:?} works in a replay only"),
    })
}

#[tokio::test]
async fn every_binding_dispatches_its_command() {
    let snap = fixture::scene(8);
    let mut sent = Vec::new();
    for b in bindings(Mode::Live) {
        for key in b.keys {
            let mut app = before(b.command);
            let effect = app.key(key.event(), &snap);
            match expected(b.command) {
                Ok(want) => assert_eq!(effect, want, "key {}", key.name()),
                Err(check) => {
                    assert_eq!(effect, Effect::None, "key {}", key.name());
                    check(&app);
                }
            }
            if let Command::Show(view) = b.command {
                assert_eq!(app.view, view, "key {}", key.name());
            }
            match effect {
                Effect::Lab(action) => sent.push(Request::Apply(action)),
                Effect::Export(dir) => sent.push(Request::Export(dir)),
                _ => {}
            }
        }
    }

    // Through the task that owns the lab, in order, each with feedback.
    let (tx, rx) = mpsc::channel(64);
    let (replies, mut reply_rx) = mpsc::unbounded_channel();
    for r in &sent {
        tx.send(r.clone()).await.unwrap();
    }
    drop(tx);
    let lab = serve(Recorder::default(), rx, replies).await;
    let applied: Vec<Request> = lab.applied.iter().cloned().map(Request::Apply).collect();
    let want_applied: Vec<Request> = sent.iter().filter(|r| matches!(r, Request::Apply(_))).cloned().collect();
    assert_eq!(applied, want_applied);
    assert_eq!(lab.exported, [PathBuf::from("out")]);
    let mut n = 0;
    while let Ok(status) = reply_rx.try_recv() {
        assert!(!status.error, "{}", status.text);
        n += 1;
    }
    assert_eq!(n, sent.len(), "one status line per command");
}

#[test]
fn back_closes_the_popup_then_clears_the_filter_then_leaves_node_detail() {
    let snap = fixture::scene(8);
    for back in BINDINGS.iter().find(|b| b.command == Command::Back).unwrap().keys {
        let mut app = fresh();
        let press = |app: &mut App| assert_eq!(app.key(back.event(), &snap), Effect::None);
        app.command(Command::Show(View::Matrix), &snap);
        app.command(Command::Detail, &snap);
        app.command(Command::Help, &snap);
        press(&mut app);
        assert_eq!((app.help, app.view), (false, View::Detail), "{}: the popup closes first", back.name());
        press(&mut app);
        assert_eq!(app.view, View::Matrix, "{}: node detail returns to where it was opened", back.name());

        app.command(Command::Filter, &snap);
        for code in "crash".chars().map(KeyCode::Char).chain([KeyCode::Enter]) {
            app.key(KeyEvent::new(code, KeyModifiers::NONE), &snap);
        }
        assert_eq!((app.filter.as_str(), app.view), ("crash", View::Matrix), "the matrix lists nodes: no switch");
        press(&mut app);
        assert_eq!((app.filter.as_str(), app.view), ("", View::Matrix), "{}: the filter clears", back.name());
        app.command(Command::Show(View::Network), &snap);
        app.command(Command::Filter, &snap);
        assert_eq!(app.view, View::Events, "no list to filter in Network: to the events");
    }
}

#[test]
fn z_resumes_a_paused_node() {
    let snap = fixture::scene(8);
    let mut app = fresh();
    app.selected = PAUSED;
    let z = BINDINGS.iter().find(|b| b.command == Command::PauseResume).unwrap().keys[0];
    assert_eq!(app.key(z.event(), &snap), Effect::Lab(Action::Resume { node: NodeRef::Index(PAUSED) }));
}

#[test]
fn f_cycles_the_attacks_on_a_running_node_and_masks_acks_of_a_crashed_one() {
    let snap = fixture::scene(8);
    let mut app = fresh();
    let f = BINDINGS.iter().find(|b| b.command == Command::Rogue).unwrap().keys[0];
    let attack = |app: &mut App| match app.key(f.event(), &snap) {
        Effect::Lab(Action::Rogue { attack, node, count: None, duration: None }) => (attack, node),
        other => panic!("{other:?}"),
    };
    let node = NodeRef::Index(SELECTED);
    let cycle: Vec<_> = (0..5).map(|_| attack(&mut app)).collect();
    assert_eq!(
        cycle,
        [Attack::Death, Attack::Leave, Attack::Incarnation, Attack::Flood, Attack::Death].map(|a| (a, node))
    );
    assert_eq!(app.status.as_ref().unwrap().text, "rogue death on node 2 …", "the status line names the attack");
    app.selected = CRASHED;
    assert_eq!(attack(&mut app), (Attack::AckMask, NodeRef::Index(CRASHED)));
    app.selected = SELECTED;
    assert_eq!(attack(&mut app).0, Attack::Leave, "the cycle goes on where it was");
}

#[test]
fn loss_steps_from_what_was_last_asked_and_stays_in_range() {
    let snap = fixture::scene(8);
    let mut app = fresh();
    let mut last = Effect::None;
    for _ in 0..30 {
        last = app.command(Command::LossUp, &snap);
    }
    assert_eq!(last, Effect::Lab(Action::SetLoss { loss: 1.0 }));
    for _ in 0..3 {
        last = app.command(Command::LossDown, &snap);
    }
    let Effect::Lab(Action::SetLoss { loss }) = last else { panic!("{last:?}") };
    assert!((loss - 0.85).abs() < 1e-9, "{loss}");
    assert_eq!(app.command(Command::LossClear, &snap), Effect::Lab(Action::SetLoss { loss: 0.0 }), "{{ clears it");
    assert_eq!(app.loss, Some(0.0), "and the next ] steps from none");
}

#[test]
fn lab_keys_before_the_first_snapshot_say_so() {
    let mut app = fresh();
    assert_eq!(app.command(Command::Crash, &Snapshot::default()), Effect::None);
    assert!(app.status.as_ref().unwrap().error);
}

#[test]
fn the_filter_takes_text_until_enter_and_esc_clears_it() {
    let snap = fixture::scene(8);
    let mut app = fresh();
    app.command(Command::Filter, &snap);
    for c in "crash q".chars() {
        // `q` is text here, not quit.
        assert_eq!(app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), &snap), Effect::None);
    }
    assert_eq!(app.filter_text(), "crash q", "applied while typed");
    app.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE), &snap);
    app.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &snap);
    assert_eq!((app.filter.as_str(), app.prompt.is_some()), ("crash ", false));
    app.command(Command::Filter, &snap);
    assert_eq!(app.prompt.as_ref().unwrap().text, "crash ", "editing starts from the kept filter");
    app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), &snap);
    assert_eq!((app.filter.as_str(), app.prompt.is_some()), ("", false));
    app.command(Command::Filter, &snap);
    assert_eq!(app.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL), &snap), Effect::Quit);
}

#[test]
fn a_click_on_a_row_selects_that_node() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    use ratatui::layout::Rect;
    let snap = fixture::scene(8);
    let mut app = fresh();
    app.screen = Rect::new(0, 0, 80, 24);
    // Overview: header 2 + tabs 1 + border 1 + column header 1 = node 0 on row 5.
    let click = |row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row,
        modifiers: KeyModifiers::NONE,
    };
    app.mouse(click(5 + 6), &snap);
    assert_eq!(app.selected, 6);
    // A click on the tab bar switches views.
    app.mouse(MouseEvent { row: 2, column: 28, ..click(0) }, &snap);
    assert_eq!(app.view, View::Matrix);
}

#[test]
fn without_a_terminal_the_dashboard_points_to_run() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gossip-lab"))
        .args(["--nodes", "2"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stdout is not a terminal") && stderr.contains("gossip-lab run"), "{stderr}");
}

/// The README's key table, as the binding table implies it, with the
/// mouse gestures after the keys.
fn key_table() -> String {
    let scope = |s: Scope| match s {
        Scope::Both => "both",
        Scope::Live => "live only",
        Scope::Replay => "replay only",
    };
    let mut t = String::from("| key | action | what it does | works in |\n|---|---|---|---|\n");
    for b in BINDINGS {
        let keys: Vec<String> = b.keys.iter().map(|k| format!("`{}`", k.name())).collect();
        t.push_str(&format!("| {} | {} | {} | {} |\n", keys.join(" "), b.label, b.help, scope(b.scope)));
    }
    for g in MOUSE {
        t.push_str(&format!("| mouse: {} | {} | {} | {} |\n", g.gesture, g.label, g.help, scope(g.scope)));
    }
    t
}

#[test]
fn the_readme_key_table_is_the_binding_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = key_table();
    assert!(readme.contains(&table), "README.md's key table differs from src/ui/keys.rs; it should read:\n{table}");
}

#[tokio::test(start_paused = true)]
async fn the_profile_timeline_plays_against_the_lab_in_order() {
    use gossip_lab::scenario::Step;
    use std::time::Duration;
    let timeline = vec![
        Step { at: Duration::from_secs(5), action: Action::Crash { node: NodeRef::Index(5) }, origin: 1 },
        Step { at: Duration::from_secs(9), action: Action::Heal, origin: 2 },
    ];
    let (requests, rx) = mpsc::channel(8);
    let (replies, mut statuses) = mpsc::unbounded_channel();
    let lab = tokio::spawn(serve(Recorder::default(), rx, replies));
    // Virtual tokio time: the player's sleeps complete as time auto-advances.
    gossip_lab::ui::play(timeline, tokio::time::Instant::now(), requests).await;
    let lab = lab.await.unwrap();
    assert_eq!(lab.applied, vec![Action::Crash { node: NodeRef::Index(5) }, Action::Heal]);
    let first = statuses.recv().await.unwrap();
    assert!(first.text.starts_with("timeline: did crash"), "{}", first.text);
}

/// Two `x` presses in one second (no --export) get two directories: the
/// second export must not overwrite the first.
#[test]
fn exports_within_one_second_get_their_own_directories() {
    let mut app = App::new(None);
    let dirs = [app.fresh_export_dir(1_700), app.fresh_export_dir(1_700), app.fresh_export_dir(1_701)];
    assert_eq!(
        dirs.map(|d| d.display().to_string()),
        ["gossip-lab-export-1700", "gossip-lab-export-1700-2", "gossip-lab-export-1701"]
    );
    let live = fixture::scene(8);
    let press = |app: &mut App| match app.key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE), &live) {
        Effect::Export(dir) => dir,
        other => panic!("x gave {other:?}"),
    };
    let (a, b) = (press(&mut app), press(&mut app));
    assert_ne!(a, b, "two presses, two directories");
}
