//! The dashboard rendered into ratatui's `TestBackend`: every view at the
//! smallest supported size (80×24) and a large one (160×48), for 8 and 64
//! nodes, over the fixture scene (a crashed node, an active suspicion with
//! confirmations, a partition, a rumor). Insta snapshots pin whole frames
//! (`tests/snapshots/`); the targeted assertions say what each frame must
//! show, so the intent is readable without opening a .snap file.

mod screen;

use std::sync::Arc;

use gossip_lab::observe::Snapshot;
use gossip_lab::ui::fixture::{self, CONFIRMATIONS, CRASHED, SUSPECTER};
use gossip_lab::ui::keys::{Mode, bindings};
use gossip_lab::ui::{App, View};
use gossip_lab::ui::{MIN_HEIGHT, MIN_WIDTH};
use ratatui::style::Color;
use screen::{buffer, text};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn render(app: &App, snap: &Snapshot, width: u16, height: u16) -> String {
    text(&buffer(app, snap, width, height))
}

fn app(view: View) -> App {
    let mut app = App::new(None);
    app.view = view;
    app.selected = CRASHED;
    app
}

/// The first row containing `needle`.
fn line_with<'a>(frame: &'a str, needle: &str) -> &'a str {
    frame.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line has {needle:?}:\n{frame}"))
}

#[test]
fn every_view_at_both_sizes_and_cluster_sizes() {
    for n in [8, 64] {
        let snap = fixture::scene(n);
        for view in View::ALL {
            for (w, h) in SIZES {
                let frame = render(&app(view), &snap, w, h);
                // Every view carries the header, the tabs and the footer.
                assert!(frame.contains(&format!("{}/{n} up", n - 2)), "{view:?} {w}x{h}:\n{frame}");
                assert!(frame.contains("1 Overview") && frame.contains("8 Rumor"), "{view:?} {w}x{h}:\n{frame}");
                assert!(frame.contains("? ") && frame.contains("help"), "{view:?} {w}x{h}:\n{frame}");
                insta::assert_snapshot!(format!("{}_{n}_nodes_{w}x{h}", view.title().to_lowercase()), frame);
            }
        }
    }
}

#[test]
fn overview_shows_the_crashed_node_and_what_the_others_think() {
    for (w, h) in SIZES {
        let snap = fixture::scene(8);
        let frame = render(&app(View::Overview), &snap, w, h);
        let row = line_with(&frame, "127.0.0.1:40003");
        assert!(row.contains("crashed"), "{row}");
        // Of the 5 other up nodes: 2 already hold it dead, 3 suspect it... (alive/susp/dead = 2/3/1 in the fixture)
        let seen = snap.nodes[CRASHED].seen;
        assert!(row.contains(&format!("{}     {}    {}", seen[0], seen[1], seen[2])), "{row}");
        assert!(line_with(&frame, "127.0.0.1:40005").contains("paused"));
        assert!(frame.contains("latest events") && frame.contains("msgs/s"));
        assert!(frame.contains("SPLIT") || frame.contains("PARTITIONED"));
    }
}

#[test]
fn the_crashed_state_is_red() {
    let buf = buffer(&app(View::Overview), &fixture::scene(8), 80, 24);
    let frame = text(&buf);
    let y = frame.lines().position(|l| l.contains("crashed")).unwrap() as u16;
    let x = frame.lines().nth(y as usize).unwrap().chars().position(|c| c == 'c').unwrap() as u16;
    assert_eq!(buf[(x, y)].fg, Color::Red);
}

#[test]
fn the_node_table_scrolls_to_the_selection() {
    let snap = fixture::scene(64);
    let mut a = app(View::Overview);
    a.selected = 50;
    let frame = render(&a, &snap, 80, 24);
    assert!(frame.contains("127.0.0.1:40050"), "{frame}");
    assert!(!frame.contains("127.0.0.1:40000"), "rows above the window are not drawn:\n{frame}");
}

#[test]
fn matrix_cells_then_aggregate_for_large_clusters() {
    let frame = render(&app(View::Matrix), &fixture::scene(8), 80, 24);
    assert!(frame.contains("✕") && frame.contains("◐"), "{frame}");
    assert!(frame.contains("observer ↓ × subject →"));
    // 32×32 fits on a 120×40 terminal without scrolling.
    let frame = render(&app(View::Matrix), &fixture::scene(32), 120, 40);
    assert!(frame.contains("rows 0-31 of 32"), "{frame}");
    // 1,024 columns cannot fit: one row per subject with counts instead.
    let frame = render(&app(View::Matrix), &fixture::scene(1024), 160, 48);
    assert!(frame.contains("membership by subject"), "{frame}");
    assert!(line_with(&frame, "127.0.0.1:40003").contains("crashed"));
}

#[test]
fn suspicions_show_the_countdown_and_confirmations() {
    for (w, h) in SIZES {
        let snap = fixture::scene(8);
        let frame = render(&app(View::Suspicions), &snap, w, h);
        let row = line_with(&frame, &format!("{SUSPECTER} → {CRASHED}"));
        let k = snap.suspicions[0].1.k;
        assert!(row.contains(&format!("{CONFIRMATIONS}/{k}")), "{row}");
        assert!(row.contains('█') && row.contains('░'), "a countdown bar part-way down: {row}");
        assert!(frame.contains("ln(C+1)/ln(k+1)"));
    }
}

#[test]
fn network_draws_the_partition_groups() {
    for (w, h) in SIZES {
        let frame = render(&app(View::Network), &fixture::scene(64), w, h);
        assert!(frame.contains("group 1 · 32 nodes") && frame.contains("group 2 · 32 nodes"), "{frame}");
        assert!(frame.contains("0-31") && frame.contains("32-63"));
        assert!(line_with(&frame, "loss ").contains("5%"));
        assert!(line_with(&frame, "crashed").contains(&CRASHED.to_string()));
    }
}

#[test]
fn detail_rumor_and_events() {
    let snap = fixture::scene(8);
    let frame = render(&app(View::Detail), &snap, 80, 24);
    assert!(frame.contains("node 3 127.0.0.1:40003 crashed"), "{frame}");
    assert!(frame.contains("packets by type") && frame.contains("push_pull") && frame.contains("broadcast queue"));
    let frame = render(&app(View::Rumor), &snap, 160, 48);
    assert!(frame.contains("measured") && frame.contains("model"), "{frame}");
    assert!(frame.contains(&format!("delivered {}/8", snap.rumors[0].delivered)));
    let mut a = app(View::Events);
    a.filter = "SUSPICION".into();
    let frame = render(&a, &snap, 80, 24);
    assert!(frame.contains("filter: SUSPICION"), "{frame}");
    assert!(frame.contains("confirmed 2/2") && !frame.contains("started"), "{frame}");
}

#[test]
fn help_popup_lists_every_binding() {
    for (w, h) in SIZES {
        let mut a = app(View::Overview);
        a.help = true;
        let frame = render(&a, &fixture::scene(8), w, h);
        for b in bindings(Mode::Live) {
            assert!(frame.contains(b.label), "{w}x{h}: help lacks {:?}:\n{frame}", b.label);
            assert!(frame.contains(&b.key_names()), "{w}x{h}: help lacks {:?}:\n{frame}", b.key_names());
        }
        insta::assert_snapshot!(format!("help_{w}x{h}"), frame);
    }
}

#[test]
fn the_footer_comes_from_the_binding_table() {
    let frame = render(&app(View::Overview), &fixture::scene(8), 160, 48);
    let footer = frame.lines().last().unwrap();
    for b in bindings(Mode::Live).filter(|b| b.footer) {
        assert!(footer.contains(b.label), "{footer}");
    }
}

#[test]
fn a_small_terminal_gets_a_message_not_a_panic() {
    for (w, h) in [(60, 20), (MIN_WIDTH - 1, MIN_HEIGHT), (10, 3), (1, 1)] {
        let frame = render(&app(View::Matrix), &fixture::scene(64), w, h);
        if h >= 3 {
            assert!(frame.contains("too small") || w < 20, "{w}x{h}:\n{frame}");
        }
    }
    insta::assert_snapshot!("too_small_60x20", render(&app(View::Overview), &fixture::scene(8), 60, 20));
}

#[test]
fn splash_until_the_first_snapshot_and_frozen_marker() {
    let frame = render(&app(View::Overview), &Snapshot::default(), 80, 24);
    assert!(frame.contains("waiting for the first snapshot"), "{frame}");
    let snap = fixture::scene(8);
    let mut a = app(View::Overview);
    a.frozen = Some(Arc::new(snap.clone()));
    // The frozen snapshot is drawn even though the live one is empty.
    let frame = render(&a, &Snapshot::default(), 80, 24);
    assert!(frame.contains("FROZEN") && frame.contains("6/8 up"), "{frame}");
}
