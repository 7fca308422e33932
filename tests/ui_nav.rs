//! Moving around at scale (issue 12): pages that are exactly the rows
//! drawn, first/last, `:` to jump, `s` to sort, `/` over node rows, the
//! modal help, and `p`/`P` partitions. Each test drives `App` with key
//! events over `ui::fixture` snapshots and, where it matters, renders the
//! frame into ratatui's `TestBackend` to check that keys, clicks and the
//! drawing agree.

mod screen;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use gossip_lab::observe::Snapshot;
use gossip_lab::observe::snapshot::EventLine;
use gossip_lab::protocol::Time;
use gossip_lab::scenario::{Action, Groups, NodeRef};
use gossip_lab::ui::fixture::{self, CRASHED};
use gossip_lab::ui::order::COLUMNS;
use gossip_lab::ui::{App, Effect, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use screen::lines;

const W: u16 = 80;
const H: u16 = 24;

fn app(view: View) -> App {
    let mut app = App::new(None);
    app.view = view;
    app.screen = Rect::new(0, 0, W, H);
    app
}

fn press(app: &mut App, code: KeyCode, snap: &Snapshot) -> Effect {
    app.key(KeyEvent::new(code, KeyModifiers::NONE), snap)
}

fn typed(app: &mut App, text: &str, snap: &Snapshot) -> Effect {
    let mut last = Effect::None;
    for c in text.chars() {
        last = press(app, KeyCode::Char(c), snap);
    }
    last
}

fn buffer(app: &App, snap: &Snapshot) -> Buffer {
    screen::buffer(app, snap, W, H)
}

/// The node index a line of the Overview's table starts with, if it is
/// one: a number (after the ▶ that marks the selected row), then the
/// node's address. A chart's axis label beside an event that names an
/// address is not.
fn node_of(line: &str) -> Option<usize> {
    let mut words = line.trim_start_matches('│').trim_start_matches('▶').split_whitespace();
    let index = words.next()?.parse().ok()?;
    words.next()?.starts_with("127.0.0.1:").then_some(index)
}

/// The node indices of the Overview's drawn rows, top to bottom.
fn drawn_nodes(buf: &Buffer) -> Vec<usize> {
    lines(buf).iter().filter_map(|l| node_of(l)).collect()
}

/// The node on the highlighted (selected) row of the Overview.
fn highlighted(buf: &Buffer) -> Option<usize> {
    let text = lines(buf);
    (0..buf.area.height).filter(|&y| buf[(5, y)].bg == Color::DarkGray).find_map(|y| node_of(&text[y as usize]))
}

#[test]
fn a_page_is_exactly_the_rows_drawn_in_every_list() {
    let snap = fixture::scene(200);
    for view in [View::Overview, View::Matrix] {
        let mut app = app(view);
        let page = app.page(view, 200);
        // At 80 columns the matrix of 200 is one row per subject, with its address.
        assert_eq!(drawn_nodes(&buffer(&app, &snap)).len(), page, "{view:?} draws a page of rows");
        press(&mut app, KeyCode::PageDown, &snap);
        assert_eq!(app.selected, page, "{view:?}: PgDn moves one drawn page");
        press(&mut app, KeyCode::PageDown, &snap);
        press(&mut app, KeyCode::PageUp, &snap);
        assert_eq!(app.selected, page, "{view:?}: PgUp moves back one");
        press(&mut app, KeyCode::End, &snap);
        assert_eq!(app.selected, 199);
        press(&mut app, KeyCode::Char('g'), &snap);
        assert_eq!(app.selected, 0);
        press(&mut app, KeyCode::Char('G'), &snap);
        assert_eq!(app.selected, 199);
        press(&mut app, KeyCode::Home, &snap);
        assert_eq!(app.selected, 0);
    }
    // At 200 nodes the overview table shows the selected row after a page.
    let mut app = app(View::Overview);
    press(&mut app, KeyCode::PageDown, &snap);
    let buf = buffer(&app, &snap);
    assert_eq!(highlighted(&buf), Some(app.selected));
}

/// 500 events, "event 0" the oldest.
fn many_events(mut snap: Snapshot) -> Snapshot {
    let events = (0..500)
        .map(|i| EventLine { t: Time::from_millis(i * 10), kind: "member", node: None, text: format!("event {i}") })
        .collect::<Vec<_>>();
    snap.events = Arc::new(events);
    snap
}

#[test]
fn events_scroll_by_the_page_drawn_and_to_either_end() {
    let snap = many_events(fixture::scene(8));
    let mut app = app(View::Events);
    let page = app.page(View::Events, 500);
    let last_line = |app: &App| {
        let text = lines(&buffer(app, &snap));
        let row = text.iter().rev().find(|l| l.contains("event ")).unwrap().clone();
        row.split("event ").nth(1).unwrap().split_whitespace().next().unwrap().parse::<usize>().unwrap()
    };
    assert_eq!(last_line(&app), 499, "the tail is followed");
    press(&mut app, KeyCode::PageUp, &snap);
    assert_eq!((app.events_back, last_line(&app)), (page, 499 - page), "one page back is one page of lines");
    press(&mut app, KeyCode::Char('k'), &snap);
    assert_eq!(app.events_back, page + 1);
    press(&mut app, KeyCode::Char('g'), &snap);
    let text = lines(&buffer(&app, &snap));
    assert!(text.iter().any(|l| l.contains("event 0 ")), "g shows the oldest");
    press(&mut app, KeyCode::PageUp, &snap);
    assert_eq!(app.events_back, 500 - page, "no scrolling past the oldest");
    press(&mut app, KeyCode::End, &snap);
    assert_eq!((app.events_back, last_line(&app)), (0, 499));
}

#[test]
fn the_suspicion_list_pages_through_its_rows() {
    let mut snap = fixture::scene(64);
    let one = snap.suspicions[0].1.clone();
    snap.suspicions = snap.nodes.iter().filter(|r| r.life.is_running()).map(|r| (r.index, one.clone())).collect();
    let mut app = app(View::Suspicions);
    let total = snap.suspicions.len();
    let page = app.page(View::Suspicions, total);
    assert!(page > 3 && page < total, "{page} of {total}");
    let rows =
        |app: &App| lines(&buffer(app, &snap)).iter().filter(|l| l.contains(" → ") && !l.contains("obs")).count();
    assert_eq!(rows(&app), page, "a page is the rows drawn");
    press(&mut app, KeyCode::PageDown, &snap);
    assert_eq!(app.suspicions_top, page);
    press(&mut app, KeyCode::Char('G'), &snap);
    assert_eq!(app.suspicions_top, total - page);
    assert_eq!(rows(&app), page);
    press(&mut app, KeyCode::Char('g'), &snap);
    assert_eq!(app.suspicions_top, 0);
}

#[test]
fn colon_jumps_to_a_node_and_says_when_there_is_none() {
    let snap = fixture::scene(200);
    let mut app = app(View::Overview);
    typed(&mut app, ":12", &snap);
    let footer = lines(&buffer(&app, &snap)).pop().unwrap();
    assert!(footer.contains("jump to node: 12▏"), "the footer shows the prompt: {footer}");
    press(&mut app, KeyCode::Enter, &snap);
    assert_eq!((app.selected, app.prompt.is_none()), (12, true));
    typed(&mut app, ":150", &snap);
    press(&mut app, KeyCode::Enter, &snap);
    let buf = buffer(&app, &snap);
    assert_eq!(highlighted(&buf), Some(150), "the list scrolled to it");
    typed(&mut app, ":999", &snap);
    press(&mut app, KeyCode::Enter, &snap);
    let status = app.status.clone().unwrap();
    assert_eq!((app.selected, status.error), (150, true));
    assert_eq!(status.text, "jump: no node 999: the nodes are 0-199");
    typed(&mut app, ":7", &snap);
    press(&mut app, KeyCode::Esc, &snap);
    assert_eq!((app.selected, app.prompt.is_none()), (150, true), "Esc cancels");
}

#[test]
fn s_sorts_and_keys_clicks_and_c_follow_the_drawn_order() {
    let snap = fixture::scene(16);
    let mut app = app(View::Overview);
    let in_s = COLUMNS.iter().position(|c| c.name == "in/s").unwrap();
    while app.sort != in_s {
        press(&mut app, KeyCode::Char('s'), &snap);
        assert_ne!(app.sort, 0, "in/s is reached before the cycle starts over");
    }
    let mut want: Vec<usize> = (0..16).collect();
    want.sort_by(|&a, &b| snap.nodes[b].rate_in.total_cmp(&snap.nodes[a].rate_in).then(a.cmp(&b)));
    assert_eq!(app.order(&snap, View::Overview), want, "highest in/s first");
    // The selection (node 0) stays on screen; g goes to the top row drawn.
    assert_eq!(highlighted(&buffer(&app, &snap)), Some(0));
    press(&mut app, KeyCode::Char('g'), &snap);
    assert_eq!(app.selected, want[0]);
    let buf = buffer(&app, &snap);
    let text = lines(&buf).join("\n");
    assert!(text.contains("in/s▼") && text.contains("sorted by in/s"), "{text}");
    let drawn = drawn_nodes(&buf);
    assert_eq!(drawn, want[..drawn.len()], "drawn in that order");

    // j from the top goes to the second drawn row, and c crashes that one.
    press(&mut app, KeyCode::Char('j'), &snap);
    assert_eq!(highlighted(&buffer(&app, &snap)), Some(want[1]));
    let crash = press(&mut app, KeyCode::Char('c'), &snap);
    assert_eq!(crash, Effect::Lab(Action::Crash { node: NodeRef::Index(want[1]) }));

    // A click on the third drawn row (header 2, tabs 1, border 1, column header 1).
    let click =
        MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column: 10, row: 7, modifiers: KeyModifiers::NONE };
    app.mouse(click, &snap);
    assert_eq!(app.selected, want[2]);
    assert_eq!(highlighted(&buffer(&app, &snap)), Some(want[2]));
}

#[test]
fn the_filter_hides_node_rows_without_leaving_the_view() {
    let snap = fixture::scene(16);
    for view in [View::Overview, View::Matrix] {
        let mut app = app(view);
        typed(&mut app, "/crash", &snap);
        assert_eq!(app.view, view);
        let text = lines(&buffer(&app, &snap)).join("\n");
        assert!(text.contains("filter: crash (1 of 16)"), "{view:?}:\n{text}");
        press(&mut app, KeyCode::Enter, &snap);
        assert_eq!(app.order(&snap, view), [CRASHED]);
        assert_eq!(app.selected, CRASHED, "{view:?}: the selection moves to a row that is drawn");
        let crash = press(&mut app, KeyCode::Char('c'), &snap);
        assert_eq!(crash, Effect::Lab(Action::Crash { node: NodeRef::Index(CRASHED) }), "c acts on the row shown");
        press(&mut app, KeyCode::Char('j'), &snap);
        assert_eq!(app.selected, CRASHED, "{view:?}: j moves among the shown rows only");
    }
    // The same text filters the events, by kind or text.
    let mut events = app(View::Events);
    typed(&mut events, "/crash", &snap);
    press(&mut events, KeyCode::Enter, &snap);
    let text = lines(&buffer(&events, &snap)).join("\n");
    let n = snap.events.len();
    assert!(text.contains(&format!("filter: crash (1 of {n})")) && text.contains("crashed"), "{text}");
    assert!(!text.contains("started"), "other events are hidden:\n{text}");

    let mut app = app(View::Overview);
    typed(&mut app, "/3-5", &snap);
    press(&mut app, KeyCode::Enter, &snap);
    assert_eq!(drawn_nodes(&buffer(&app, &snap)), [3, 4, 5], "a node list picks those nodes");
    // Jumping to a hidden node clears the filter rather than select an invisible row.
    typed(&mut app, ":9", &snap);
    press(&mut app, KeyCode::Enter, &snap);
    assert_eq!((app.selected, app.filter.as_str()), (9, ""));
    assert_eq!(highlighted(&buffer(&app, &snap)), Some(9));
}

#[test]
fn help_is_modal_a_swallowed_key_changes_nothing() {
    let snap = fixture::scene(8);
    let mut app = app(View::Overview);
    app.selected = 2;
    press(&mut app, KeyCode::Char('?'), &snap);
    let before = buffer(&app, &snap);
    let state = format!("{app:?}");
    assert_eq!(press(&mut app, KeyCode::Char('c'), &snap), Effect::None, "no Effect::Lab behind the popup");
    let after = buffer(&app, &snap);
    assert_eq!(before, after, "the frame is unchanged");
    insta::assert_snapshot!("help_swallows_c_80x24", lines(&after).join("\n"));
    for code in [
        KeyCode::Char('j'),
        KeyCode::Char('3'),
        KeyCode::Tab,
        KeyCode::Char('/'),
        KeyCode::Char(':'),
        KeyCode::PageDown,
        KeyCode::Char('x'),
        KeyCode::Char('p'),
    ] {
        assert_eq!(press(&mut app, code, &snap), Effect::None, "{code:?}");
        assert_eq!(format!("{app:?}"), state, "{code:?} reached the app");
    }
    let click =
        MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column: 10, row: 7, modifiers: KeyModifiers::NONE };
    app.mouse(click, &snap);
    assert_eq!(format!("{app:?}"), state, "a click behind the popup");
    let text = lines(&after).join("\n");
    assert!(text.contains("click row") && text.contains("wheel"), "help lists the mouse:\n{text}");
    assert_eq!(press(&mut app, KeyCode::Char('q'), &snap), Effect::Quit, "q still quits");
    press(&mut app, KeyCode::Esc, &snap);
    assert!(!app.help, "Esc closes it");
    assert_eq!(press(&mut app, KeyCode::Char('c'), &snap), Effect::Lab(Action::Crash { node: NodeRef::Index(2) }));
}

fn partition(effect: Effect) -> Groups {
    match effect {
        Effect::Lab(Action::Partition { groups, one_way: false }) => groups,
        other => panic!("{other:?}"),
    }
}

#[test]
fn p_alternates_halves_and_thirds_and_names_the_groups() {
    let snap = fixture::scene(16);
    let mut app = app(View::Overview);
    let status = |app: &App| app.status.clone().unwrap().text;
    assert_eq!(partition(press(&mut app, KeyCode::Char('p'), &snap)), Groups::Halves);
    assert_eq!(status(&app), "partitioning 0-7 | 8-15 …");
    let thirds = partition(press(&mut app, KeyCode::Char('p'), &snap));
    assert_eq!(thirds, Groups::Explicit(vec![(0..5).collect(), (5..10).collect(), (10..16).collect()]));
    assert_eq!(status(&app), "partitioning 0-4 | 5-9 | 10-15 …");
    assert_eq!(partition(press(&mut app, KeyCode::Char('p'), &snap)), Groups::Halves);
    press(&mut app, KeyCode::Char('p'), &snap);
    press(&mut app, KeyCode::Char('h'), &snap);
    assert_eq!(partition(press(&mut app, KeyCode::Char('p'), &snap)), Groups::Halves, "h starts over");
}

#[test]
fn shift_p_takes_typed_groups_and_names_what_is_wrong() {
    let snap = fixture::scene(16);
    let mut app = app(View::Overview);
    typed(&mut app, "P0-4,9 | 5-8", &snap);
    let footer = lines(&buffer(&app, &snap)).pop().unwrap();
    assert!(footer.contains("partition groups") && footer.contains("0-4,9 | 5-8▏"), "{footer}");
    let groups = partition(press(&mut app, KeyCode::Enter, &snap));
    assert_eq!(groups, Groups::Explicit(vec![vec![0, 1, 2, 3, 4, 9], vec![5, 6, 7, 8]]));
    assert_eq!(app.status.clone().unwrap().text, "partitioning 0-4, 9 | 5-8 | 10-15 …", "the rest is a group");
    for (bad, says) in [
        ("0-4 | 3", "partition: node 3 is in two groups"),
        ("0-4 | 20", "partition: group 2: no node 20 (the nodes are 0-15)"),
        ("0-x", "partition: group 1: \"0-x\" is not a node or a range"),
        ("0-15", "partition: one group holds every node: nothing is split"),
        ("", "partition: no groups typed: e.g. 0-4,9 | 5-8"),
    ] {
        typed(&mut app, &format!("P{bad}"), &snap);
        assert_eq!(press(&mut app, KeyCode::Enter, &snap), Effect::None, "{bad}");
        let status = app.status.clone().unwrap();
        assert_eq!((status.text.as_str(), status.error), (says, true), "{bad}");
    }
}
