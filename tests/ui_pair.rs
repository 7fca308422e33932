//! The comparison frame (`gossip-lab compare`): the same view of two labs,
//! each pane labelled and with its own header, side by side when wide and
//! stacked at 80×24.

mod screen;

use gossip_lab::ui::fixture;
use gossip_lab::ui::{App, Side, View, draw_pair};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use screen::text;

fn frame(view: View, width: u16, height: u16) -> String {
    let a = fixture::scene(8);
    // B is a different lab: fewer nodes up, so the panes must differ.
    let b = fixture::scene(16);
    let mut app = App::new(None);
    app.view = view;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| {
            draw_pair(
                f,
                &app,
                Side { letter: "A", name: "lifeguard", snap: &a },
                Side { letter: "B", name: "swim", snap: &b },
            )
        })
        .unwrap();
    text(terminal.backend().buffer())
}

#[test]
fn each_side_has_its_label_and_its_own_header_over_the_same_view() {
    for (w, h) in [(80, 24), (200, 50)] {
        let f = frame(View::Overview, w, h);
        assert!(f.contains(" A  lifeguard") && f.contains(" B  swim"), "{w}x{h}:\n{f}");
        assert!(f.contains("6/8 up") && f.contains("14/16 up"), "each pane shows its own lab, {w}x{h}:\n{f}");
        assert_eq!(f.matches("[1 Overview]").count(), 1, "one tab bar, {w}x{h}:\n{f}");
        insta::assert_snapshot!(format!("pair_overview_{w}x{h}"), f);
    }
}

#[test]
fn panes_sit_side_by_side_when_wide_and_stacked_when_narrow() {
    let row_of = |f: &str, needle: &str| f.lines().position(|l| l.contains(needle)).unwrap();
    let wide = frame(View::Suspicions, 200, 50);
    assert_eq!(row_of(&wide, " A  lifeguard"), row_of(&wide, " B  swim"), "side by side:\n{wide}");
    let narrow = frame(View::Suspicions, 80, 24);
    assert!(row_of(&narrow, " A  lifeguard") < row_of(&narrow, " B  swim"), "stacked:\n{narrow}");
}
