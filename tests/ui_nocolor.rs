//! The dashboard with `NO_COLOR`: every view over the fixture scene, with
//! the App's no-colour flag, must carry no colour in any cell, and still
//! show which row is selected and which tab is active (reverse video and a
//! marker). Insta snapshots pin each frame's text and its styles (the
//! buffer's `Debug`), so a colour creeping back shows in review.

mod screen;

use gossip_lab::ui::chrome::access::MARKER;
use gossip_lab::ui::fixture::{self, CRASHED};
use gossip_lab::ui::{App, View};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use screen::{buffer, row};

fn app(view: View, no_color: bool) -> App {
    let mut app = App::new(None);
    app.view = view;
    app.selected = CRASHED;
    app.no_color = no_color;
    app
}

/// The rows whose cells include a reverse-video run starting with the marker.
fn marked_rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .filter(|&y| {
            (0..buf.area.width).any(|x| {
                let c = &buf[(x, y)];
                c.symbol() == MARKER && c.modifier.contains(Modifier::REVERSED)
            })
        })
        .map(|y| row(buf, y))
        .collect()
}

#[test]
fn every_view_without_colour_keeps_the_selection_and_the_active_tab() {
    let snap = fixture::scene(8);
    for view in View::ALL {
        // 120 columns: where every tab fits, so the active one can be seen.
        for (w, h) in [(80, 24), (120, 40)] {
            let buf = buffer(&app(view, true), &snap, w, h);
            for (i, cell) in buf.content().iter().enumerate() {
                assert_eq!(
                    (cell.fg, cell.bg, cell.underline_color),
                    (Color::Reset, Color::Reset, Color::Reset),
                    "{view:?} {w}x{h}: cell {i} ({:?}) has a colour",
                    cell.symbol()
                );
            }
            // The selected row, where the view has rows of nodes.
            if matches!(view, View::Overview | View::Matrix | View::Suspicions) {
                let marked = marked_rows(&buf);
                assert!(!marked.is_empty(), "{view:?} {w}x{h}: no row is marked selected");
                let crashed = CRASHED.to_string();
                assert!(
                    marked.iter().all(|r| r.contains(&crashed)),
                    "{view:?}: a marked row is not node {CRASHED}: {marked:?}"
                );
            }
            if w == 80 {
                insta::assert_debug_snapshot!(format!("nocolor_{}_80x24", view.title().to_lowercase()), buf);
                continue;
            }
            // The active tab: in brackets and in reverse video.
            let tabs = row(&buf, 2);
            let label = format!("[{} {}]", view.index() + 1, view.title());
            let x = tabs.find(&label).unwrap_or_else(|| panic!("{view:?}: no {label} in {tabs}"));
            let x = tabs[..x].chars().count() as u16;
            assert!(buf[(x + 1, 2)].modifier.contains(Modifier::REVERSED), "{view:?}: the active tab is not reversed");
            let others = tabs.matches('[').count();
            assert_eq!(others, 1, "one tab only is in brackets: {tabs}");
        }
    }
}

#[test]
fn with_colour_the_selected_row_is_marked_too() {
    let snap = fixture::scene(64);
    let buf = buffer(&app(View::Overview, false), &snap, 120, 40);
    let marked: Vec<String> = (0..buf.area.height)
        .map(|y| row(&buf, y))
        .filter(|r| r.contains(MARKER) && r.contains(&format!(" {CRASHED} 127.0.0.1:40003")))
        .collect();
    assert_eq!(marked.len(), 1, "exactly the selected row carries the marker");
    assert!(buf.content().iter().any(|c| c.fg != Color::Reset), "colour stays on without NO_COLOR");
}
