//! The dashboard in replay mode, over a fixture tape (the fixture scene at
//! every time, with a handful of marks): the transport keys move the
//! cursor, keys that would change a lab say so and do nothing else, and
//! the time bar draws every mark and the cursor at 80×24 with the rest of
//! the chrome.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gossip_lab::observe::Snapshot;
use gossip_lab::observe::action::ActionKind;
use gossip_lab::observe::action::Mark;
use gossip_lab::protocol::Time;
use gossip_lab::ui::app::Replay;
use gossip_lab::ui::fixture;
use gossip_lab::ui::keys::{BINDINGS, Mode, Scope, lookup};
use gossip_lab::ui::layout::track_column as column;
use gossip_lab::ui::replay::Tape;
use gossip_lab::ui::views::marks::glyph;
use gossip_lab::ui::{App, Effect, View, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

const FILE: &str = "runs/crash/session.jsonl";

/// Sixty seconds of the fixture scene, with one mark of each kind.
struct FixtureTape {
    marks: Vec<Mark>,
    asked: Vec<Time>,
}

fn mark(secs: u64, kind: ActionKind, label: &str) -> Mark {
    Mark { t: Time::from_secs(secs), kind, label: label.to_owned() }
}

impl FixtureTape {
    fn new() -> FixtureTape {
        let marks = vec![
            mark(5, ActionKind::Rumor, "rumor #1 injected at 0"),
            mark(10, ActionKind::Node, "node 3 (127.0.0.1:40003) crashed"),
            mark(20, ActionKind::Fault, "partition halves"),
            mark(30, ActionKind::Key, "key 2 installed"),
            mark(40, ActionKind::Rogue, "rogue death on node 2"),
            mark(50, ActionKind::Fault, "heal"),
        ];
        FixtureTape { marks, asked: Vec::new() }
    }
}

impl Tape for FixtureTape {
    fn end(&self) -> Time {
        Time::from_secs(60)
    }

    fn marks(&self) -> &[Mark] {
        &self.marks
    }

    fn frame(&mut self, t: Time) -> Snapshot {
        self.asked.push(t);
        Snapshot { t, ..fixture::scene(8) }
    }
}

fn replaying(tape: &FixtureTape) -> App {
    App::replaying(Replay::new(FILE, tape.end(), tape.marks().to_vec()))
}

fn cursor(app: &App) -> Time {
    app.replay.as_ref().unwrap().transport.cursor
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers, snap: &Snapshot) -> Effect {
    app.key(KeyEvent::new(code, modifiers), snap)
}

fn render(app: &App, snap: &Snapshot, width: u16, height: u16) -> (String, Buffer) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, snap)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    (out, buf)
}

#[test]
fn the_transport_keys_move_the_cursor() {
    let mut tape = FixtureTape::new();
    let snap = tape.frame(Time::ZERO);
    let mut app = replaying(&tape);
    let none = KeyModifiers::NONE;
    assert_eq!(press(&mut app, KeyCode::Char(' '), none, &snap), Effect::None);
    assert!(app.replay.as_ref().unwrap().transport.playing, "space plays");
    assert!(app.frozen.is_none(), "and freezes nothing");
    press(&mut app, KeyCode::Char(' '), none, &snap);
    assert!(!app.replay.as_ref().unwrap().transport.playing, "space again pauses");
    press(&mut app, KeyCode::Right, none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(1));
    press(&mut app, KeyCode::Right, KeyModifiers::SHIFT, &snap);
    assert_eq!(cursor(&app), Time::from_secs(11));
    press(&mut app, KeyCode::Left, none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(10));
    press(&mut app, KeyCode::Left, KeyModifiers::SHIFT, &snap);
    assert_eq!(cursor(&app), Time::ZERO);
    // Jumps stop at faults and node events only: the rumor at 5 s is passed over.
    press(&mut app, KeyCode::Char('.'), none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(10));
    press(&mut app, KeyCode::Char('.'), none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(20));
    press(&mut app, KeyCode::Char('.'), none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(50), "the key and rogue marks are passed over");
    press(&mut app, KeyCode::Char(','), none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(20));
    press(&mut app, KeyCode::Char('$'), none, &snap);
    assert_eq!(cursor(&app), Time::from_secs(60));
    press(&mut app, KeyCode::Char('.'), none, &snap);
    assert_eq!(app.status.as_ref().unwrap().text, "no fault or node event after this point");
    press(&mut app, KeyCode::End, none, &snap);
    assert_eq!((cursor(&app), app.selected), (Time::from_secs(60), 7), "End is the list's, in a replay too");
    press(&mut app, KeyCode::Char('0'), none, &snap);
    assert_eq!(cursor(&app), Time::ZERO);
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('>'), none, &snap);
    }
    assert_eq!(app.replay.as_ref().unwrap().transport.speed_label(), "×8");
    press(&mut app, KeyCode::Char('<'), none, &snap);
    assert_eq!(app.replay.as_ref().unwrap().transport.speed_label(), "×4");
}

#[test]
fn keys_that_change_a_lab_say_so_in_a_replay_and_do_nothing_else() {
    let mut tape = FixtureTape::new();
    let snap = tape.frame(Time::from_secs(30));
    let mut checked = 0;
    for b in BINDINGS.iter().filter(|b| b.scope == Scope::Live) {
        for key in b.keys {
            // Space is play in a replay, not freeze.
            if lookup(&key.event(), Mode::Replay).is_some() {
                continue;
            }
            let mut app = replaying(&tape);
            app.selected = 2;
            assert_eq!(app.key(key.event(), &snap), Effect::None, "{} has no effect in a replay", key.name());
            let status = app.status.clone().unwrap();
            let said = format!("replay: {} ({})", key.name(), b.label);
            assert!(status.error && status.text.starts_with(&said), "{}: {:?}", key.name(), status.text);
            assert!(status.text.contains("a recording"), "{}", status.text);
            assert_eq!((app.view, app.selected, app.rumors, app.loss), (View::Overview, 2, 0, None), "{}", key.name());
            assert_eq!(cursor(&app), Time::ZERO);
            checked += 1;
        }
    }
    assert!(checked >= 16, "every lab key is checked, {checked} were");
    let mut app = replaying(&tape);
    press(&mut app, KeyCode::Char('c'), KeyModifiers::NONE, &snap);
    assert_eq!(app.status.unwrap().text, "replay: c (crash) changes a lab; a recording can't be changed");
}

#[test]
fn display_keys_work_in_a_replay_as_over_a_lab() {
    let mut tape = FixtureTape::new();
    let snap = tape.frame(Time::from_secs(30));
    let mut app = replaying(&tape);
    press(&mut app, KeyCode::Char('3'), KeyModifiers::NONE, &snap);
    press(&mut app, KeyCode::Char('j'), KeyModifiers::NONE, &snap);
    assert_eq!((app.view, app.selected), (View::Matrix, 1));
    assert_eq!(press(&mut app, KeyCode::Char('q'), KeyModifiers::NONE, &snap), Effect::Quit);
}

#[test]
fn the_time_bar_draws_every_mark_and_the_cursor_at_80x24() {
    let mut tape = FixtureTape::new();
    let mut app = replaying(&tape);
    app.replay.as_mut().unwrap().transport.seek(Time::from_secs(15));
    let snap = tape.frame(cursor(&app));
    let (frame, buf) = render(&app, &snap, 80, 24);
    let lines: Vec<&str> = frame.lines().collect();
    // Header 2, tabs 1, view 17, time bar 2, status 1, footer 1.
    let (track, info) = (20u16, lines[21]);
    let width = 78;
    for m in &tape.marks {
        let x = 1 + column(m.t, tape.end(), width);
        let (symbol, colour) = glyph(m.kind);
        assert_eq!(buf[(x, track)].symbol(), symbol, "{} at column {x}:\n{frame}", m.label);
        assert_eq!(buf[(x, track)].fg, colour, "{}", m.label);
    }
    let x = 1 + column(Time::from_secs(15), tape.end(), width);
    assert_eq!(buf[(x, track)].symbol(), "┃", "the cursor:\n{frame}");
    assert_eq!(buf[(x - 1, track)].symbol(), "━", "played");
    assert_eq!(buf[(x + 1, track)].symbol(), "─", "to come");
    assert!(info.contains("‖ paused") && info.contains("0:15.0 / 1:00.0") && info.contains("×1"), "{info}");
    // 15 s is as near 10 s as 20 s: the earlier mark is named.
    assert!(info.contains("● 0:10.0 node 3 (127.0.0.1:40003) crashed"), "{info}");
    assert!(lines[0].contains("REPLAY") && lines[0].contains(FILE) && !lines[0].contains("uptime"), "{}", lines[0]);
    let footer = lines[23];
    assert!(footer.contains("play/pause") && footer.contains("next mark") && !footer.contains("crash"), "{footer}");
    assert!(!footer.contains("freeze"), "{footer}");
    assert!(lines[22].contains("replay: space plays"), "{}", lines[22]);
    insta::assert_snapshot!("replay_overview_80x24", frame);
}

#[test]
fn a_mark_under_the_cursor_is_shown_reversed_and_playing_says_so() {
    let mut tape = FixtureTape::new();
    let mut app = replaying(&tape);
    let t = &mut app.replay.as_mut().unwrap().transport;
    t.seek(Time::from_secs(20));
    t.toggle();
    let snap = tape.frame(cursor(&app));
    let (frame, buf) = render(&app, &snap, 80, 24);
    let x = 1 + column(Time::from_secs(20), tape.end(), 78);
    assert_eq!(buf[(x, 20)].symbol(), "▲");
    assert!(buf[(x, 20)].modifier.contains(ratatui::style::Modifier::REVERSED), "{frame}");
    let info = frame.lines().nth(21).unwrap();
    assert!(info.contains("▶ playing") && info.contains("▲ 0:20.0 partition halves"), "{info}");
}

#[test]
fn help_in_a_replay_lists_its_keys_and_the_live_only_ones() {
    let tape = FixtureTape::new();
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = replaying(&tape);
        app.help = true;
        let (frame, _) = render(&app, &fixture::scene(8), w, h);
        for b in BINDINGS.iter().filter(|b| b.scope != Scope::Live) {
            assert!(frame.contains(b.label), "{w}x{h}: help lacks {:?}:\n{frame}", b.label);
        }
        assert!(!frame.contains("freeze"), "{w}x{h}:\n{frame}");
        assert!(frame.contains("live only, off in a replay: c r z l a p P i h [ ] { m f n u d x"), "{frame}");
    }
}

#[test]
fn before_the_first_node_the_replay_says_so_and_keeps_its_time_bar() {
    let tape = FixtureTape::new();
    let app = replaying(&tape);
    let (frame, _) = render(&app, &Snapshot::default(), 80, 24);
    assert!(frame.contains("no node is up yet"), "{frame}");
    assert!(frame.contains("‖ paused") && frame.contains("play/pause"), "{frame}");
}

#[test]
fn a_click_on_the_time_bar_seeks_there() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut tape = FixtureTape::new();
    let snap = tape.frame(Time::ZERO);
    let mut app = replaying(&tape);
    app.screen = ratatui::layout::Rect::new(0, 0, 80, 24);
    let x = 1 + column(Time::from_secs(20), tape.end(), 78);
    let click =
        MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column: x, row: 20, modifiers: KeyModifiers::NONE };
    app.mouse(click, &snap);
    assert_eq!(column(cursor(&app), tape.end(), 78), x - 1, "the cursor is where the click was");
    let near = cursor(&app).as_micros().abs_diff(Time::from_secs(20).as_micros());
    assert!(near < 500_000, "{:?}", cursor(&app));
    app.mouse(MouseEvent { row: 21, ..click }, &snap);
    app.mouse(MouseEvent { column: 1, row: 5, ..click }, &snap);
    assert_eq!(column(cursor(&app), tape.end(), 78), x - 1, "clicks elsewhere do not seek");
}

#[test]
fn transport_keys_over_a_live_lab_say_they_are_for_a_replay() {
    let snap = fixture::scene(8);
    let mut app = App::new(None);
    assert_eq!(press(&mut app, KeyCode::Right, KeyModifiers::NONE, &snap), Effect::None);
    assert_eq!(app.status.clone().unwrap().text, "→ (+1s) works in a replay only");
    assert_eq!(press(&mut app, KeyCode::Char(' '), KeyModifiers::NONE, &snap), Effect::None);
    assert!(app.frozen.is_some(), "space still freezes a live lab");
}
