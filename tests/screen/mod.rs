//! Drawing the dashboard into ratatui's `TestBackend` and reading the
//! frame back as text: what every rendering test (`ui_render`, `ui_cluster`,
//! `ui_nocolor`, `ui_nav`) looks at. Each uses only some of it.

#![allow(dead_code)]

use gossip_lab::observe::Snapshot;
use gossip_lab::ui::{App, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// One frame of `app` over `snap`, as `gossip-lab` draws it on a
/// `width`×`height` terminal.
pub fn buffer(app: &App, snap: &Snapshot, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, snap)).unwrap();
    terminal.backend().buffer().clone()
}

/// Row `y` of the frame, every cell's symbol.
pub fn row(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

/// Every row of the frame.
pub fn lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height).map(|y| row(buf, y)).collect()
}

/// The frame as text, one line per row, trailing blanks trimmed.
pub fn text(buf: &Buffer) -> String {
    lines(buf).iter().map(|l| format!("{}\n", l.trim_end())).collect()
}
