//! The Cluster view rendered into ratatui's `TestBackend` at 8, 64 and
//! 1,024 nodes over the fixture scene, which has a half/half partition, a
//! rumor part-way through its spread, a crashed and a paused node and a
//! sample of datagrams. Insta pins whole frames (`tests/snapshots/`); the
//! assertions say what each frame must show: the ring split in two arcs
//! with their labels, the legend's counts, the selection marked without
//! colour, and datagram lines only where the snapshot has datagrams.

mod screen;

use std::sync::Arc;

use gossip_lab::observe::snapshot::FlightKind;
use gossip_lab::ui::app::Replay;
use gossip_lab::ui::fixture::{self, CRASHED};
use gossip_lab::ui::{App, View};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use screen::{buffer, text};

fn app() -> App {
    let mut app = App::new(None);
    app.view = View::Cluster;
    app.selected = CRASHED;
    app
}

/// Cells drawn in colour `fg` (braille dots and labels alike).
fn cells_in(buf: &Buffer, fg: Color) -> usize {
    buf.content.iter().filter(|c| c.fg == fg && c.symbol() != " ").count()
}

#[test]
fn the_ring_at_8_64_and_1024_nodes() {
    for (n, w, h) in [(8, 80, 24), (8, 120, 40), (64, 80, 24), (64, 120, 40), (64, 160, 48), (1024, 160, 48)] {
        let snap = fixture::scene(n);
        let buf = buffer(&app(), &snap, w, h);
        let frame = text(&buf);
        let half = n / 2;
        // The partition's two arcs, each labelled, and the legend.
        assert!(frame.contains(&format!("group 1: 0-{}", half - 1)), "{n} {w}x{h}:\n{frame}");
        assert!(frame.contains(&format!("group 2: {half}-{}", n - 1)), "{n} {w}x{h}:\n{frame}");
        assert!(frame.contains("middle marks: true state") && frame.contains("outer marks: consensus"), "{frame}");
        assert!(frame.contains(&format!("up {}", n - 2)) && frame.contains("crashed 1"), "{frame}");
        // The selection, reversed rather than coloured, on the ring and in the legend.
        let marked = format!("[{CRASHED}]");
        assert!(frame.matches(&marked).count() >= 2, "{n} {w}x{h}:\n{frame}");
        let reversed = buf.content.iter().filter(|c| c.modifier.contains(Modifier::REVERSED)).count();
        assert!(reversed >= 2 * marked.len(), "{n} {w}x{h}: {reversed} reversed cells");
        // The rumor's spread, and its marks.
        let r = snap.rumors.last().unwrap();
        assert!(frame.contains(&format!("rumor #1: {}/{} nodes", r.delivered, r.target)), "{frame}");
        assert!(frame.contains('⠀') || frame.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), "braille");
        // Datagram lines in the kinds' colours (fresh or older).
        for kind in FlightKind::ALL {
            let (fresh, older) = gossip_lab::ui::views::cluster::kind_colors(kind);
            assert!(cells_in(&buf, fresh) + cells_in(&buf, older) > 0, "{kind:?} {n} {w}x{h}:\n{frame}");
        }
        insta::assert_snapshot!(format!("cluster_{n}_nodes_{w}x{h}"), frame);
    }
}

#[test]
fn a_small_ring_draws_only_the_newest_datagrams_and_says_so() {
    let snap = fixture::scene(64);
    let small = text(&buffer(&app(), &snap, 80, 24));
    let large = text(&buffer(&app(), &snap, 160, 48));
    let n = snap.flights.len();
    // "newest 37 of 116 (every one sent)": the inside of a 24-row ring
    // holds a third of them; a 48-row one holds them all.
    assert!(small.contains("newest ") && small.contains(&format!(" of {n} (")), "{small}");
    assert!(large.contains(&format!("{n} lines")) && !large.contains("newest "), "{large}");
}

#[test]
fn o_shows_the_selected_nodes_own_view() {
    let snap = fixture::scene(8);
    let mut app = app();
    app.selected = 0;
    let before = text(&buffer(&app, &snap, 120, 40));
    app.observer = true;
    let after = text(&buffer(&app, &snap, 120, 40));
    assert!(before.contains("outer marks: consensus") && after.contains("outer marks: node 0's view"), "{after}");
    // Node 0 is among the first quarter, which already holds the crashed node dead.
    assert!(after.contains("[0] selected: up, seen alive"), "{after}");
    assert!(after.contains("dead 1"), "{after}");
    insta::assert_snapshot!("cluster_8_nodes_observer_0_120x40", after);
}

#[test]
fn a_whole_ring_has_no_arcs_and_a_replay_no_datagrams() {
    let mut snap = fixture::scene(16);
    snap.plan.groups.clear();
    // As the board builds a replay's snapshots: no datagrams.
    snap.flights = Arc::default();
    snap.flight_stride = 0;
    let mut app = app();
    app.replay = Some(Replay::new("session.jsonl", snap.t, Vec::new()));
    let buf = buffer(&app, &snap, 120, 40);
    let frame = text(&buf);
    assert!(frame.contains("one whole ring: no partition") && !frame.contains("group 1"), "{frame}");
    assert!(frame.contains("none drawn: a recorded session") && frame.contains("no datagrams"), "{frame}");
    // The bright colours of probes, gossip and push-pull are no mark's
    // (their plain yellow and cyan are paused and leaving nodes', ack green
    // and rumor blue up nodes' and rumor marks'): none in the picture.
    let braille = |c: &&ratatui::buffer::Cell| c.symbol().chars().any(|b| ('\u{2801}'..='\u{28ff}').contains(&b));
    for kind in [FlightKind::Probe, FlightKind::Gossip, FlightKind::PushPull] {
        let (fresh, _) = gossip_lab::ui::views::cluster::kind_colors(kind);
        let lines = buf.content.iter().filter(braille).filter(|c| c.fg == fresh).count();
        assert_eq!(lines, 0, "{kind:?} drawn in a replay:\n{frame}");
    }
}
