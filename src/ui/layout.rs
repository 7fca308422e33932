//! Where things are on screen: the frame's bands, the tab bar, the node
//! rows of the overview and the matrix, the help popup. Pure geometry
//! (a [`Rect`] in, rectangles or an index out) with no state of its own,
//! so drawing and mouse hit-testing ask the same functions and a click
//! always lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use super::view::View;
use crate::protocol::Time;

/// The smallest terminal the dashboard draws into.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal height.
pub const MIN_HEIGHT: u16 = 24;
/// The replay's time bar: the track, then the cursor's line.
pub const TIMEBAR_HEIGHT: u16 = 2;

/// The screen's bands.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    /// Two header lines.
    pub header: Rect,
    /// The view tabs.
    pub tabs: Rect,
    /// The current view.
    pub body: Rect,
    /// The replay's time bar (no rows over a live lab).
    pub timebar: Rect,
    /// The status line.
    pub status: Rect,
    /// The key hints.
    pub footer: Rect,
}

/// Splits the frame into its bands; a `replay` takes the time bar's rows
/// from the view's.
pub fn screen(area: Rect, replay: bool) -> Screen {
    let [header, tabs, body, timebar, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(if replay { TIMEBAR_HEIGHT } else { 0 }),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Screen { header, tabs, body, timebar, status, footer }
}

/// The tab labels on a bar `width` cells wide with `current` shown, left
/// to right; each tab is its label plus a one-cell separator. The current
/// tab is bracketed, "[2 Cluster]", so it reads without colour. When the
/// padded labels (" 3 Matrix ") don't fit, as at 80 columns with eight
/// views, the others drop their padding. The bar and a click's hit test
/// both ask this, so a click lands on the tab drawn there. With `phi`
/// (every lab on screen runs phi) the Suspicions tab reads "Phi".
pub fn tab_labels(width: u16, current: View, phi: bool) -> Vec<(View, String)> {
    let label = |i: usize, v: View, pad: &str| {
        let name = v.label(phi);
        if v == current { format!("[{} {name}]", i + 1) } else { format!("{pad}{} {name}{pad}", i + 1) }
    };
    let padded: Vec<(View, String)> = View::ALL.into_iter().enumerate().map(|(i, v)| (v, label(i, v, " "))).collect();
    let needed: usize = padded.iter().map(|(_, t)| t.chars().count() + 1).sum();
    if needed <= usize::from(width) {
        return padded;
    }
    View::ALL.into_iter().enumerate().map(|(i, v)| (v, label(i, v, ""))).collect()
}

/// The view whose tab is at (`col`, `row`) on a frame of `area` showing
/// `current` (`phi` as for [`tab_labels`]).
pub fn tab_at(area: Rect, current: View, phi: bool, col: u16, row: u16) -> Option<View> {
    let tabs = screen(area, false).tabs;
    if row != tabs.y {
        return None;
    }
    let mut x = tabs.x;
    for (view, text) in tab_labels(tabs.width, current, phi) {
        let w = text.chars().count() as u16;
        if (x..x + w).contains(&col) {
            return Some(view);
        }
        x += w + 1;
    }
    None
}

/// The node drawn at (`col`, `row`) on a frame of `area` (with the time
/// bar when `replay`) showing `view`, whose rows are `order` (as
/// `ui::order::rows` gives them) with `selected` selected, if any.
pub fn row_at(
    area: Rect,
    replay: bool,
    view: View,
    order: &[usize],
    selected: usize,
    col: u16,
    row: u16,
) -> Option<usize> {
    if !matches!(view, View::Overview | View::Matrix) {
        return None;
    }
    let rows = list(screen(area, replay).body, view, order.len())?;
    let inside = col >= rows.x && col < rows.right() && row >= rows.y && row < rows.bottom();
    let at = position(order, selected);
    let i = scroll_offset(at, order.len(), rows.height as usize) + row.saturating_sub(rows.y) as usize;
    order.get(i).copied().filter(|_| inside)
}

/// Where `selected` stands in `order` (the top when it is not listed,
/// e.g. hidden by the filter).
pub fn position(order: &[usize], selected: usize) -> usize {
    order.iter().position(|&i| i == selected).unwrap_or(0)
}

/// Where a list view draws its rows in `body` when it lists `len` of
/// them: the node rows of the Overview and the Matrix, the lines of the
/// event log, the rows of the suspicion list. One page of PgUp/PgDn is
/// this rectangle's height, so a page is exactly what is drawn.
pub fn list(body: Rect, view: View, len: usize) -> Option<Rect> {
    match view {
        View::Overview => Some(table_rows(overview(body, len).0)),
        View::Matrix => Some(matrix(body, len).rows),
        View::Events => Some(Block::bordered().inner(body)),
        View::Suspicions => Some(table_rows(suspicions(body).1)),
        _ => None,
    }
}

/// The Suspicions view: the timeout model's box, then the list.
pub fn suspicions(body: Rect) -> (Rect, Rect) {
    let [top, list] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(body);
    (top, list)
}

/// Does the node table at `table` have room for its wide-only columns?
pub fn wide_table(table: Rect) -> bool {
    table.width >= 110
}

/// The replay's track: the time bar's first row, inside a one-cell margin.
pub fn track(timebar: Rect) -> Rect {
    Rect { x: timebar.x + 1, width: timebar.width.saturating_sub(2), height: timebar.height.min(1), ..timebar }
}

/// The column (from the track's left) of `t` on a track `width` cells wide
/// over `0..=end`: the first cell is the start, the last the end.
pub fn track_column(t: Time, end: Time, width: u16) -> u16 {
    if end == Time::ZERO || width == 0 {
        return 0;
    }
    let share = t.min(end).as_micros() as f64 / end.as_micros() as f64;
    (share * f64::from(width - 1)).round() as u16
}

/// The time at (`col`, `row`) on `track` over `0..=end`, if that is on it:
/// where a click seeks to.
pub fn track_time(track: Rect, end: Time, col: u16, row: u16) -> Option<Time> {
    if row != track.y || track.height == 0 || col < track.x || col >= track.right() {
        return None;
    }
    let share = if track.width > 1 { f64::from(col - track.x) / f64::from(track.width - 1) } else { 0.0 };
    Some(Time::from_micros((end.as_micros() as f64 * share).round() as u64))
}

/// The first row to draw so that `selected` stays in view in a window of
/// `visible` rows over `len`: the selection sits in the middle once the
/// list scrolls. A pure function of its inputs, so a click can be mapped
/// back to a row without the renderer keeping state.
pub fn scroll_offset(selected: usize, len: usize, visible: usize) -> usize {
    if visible == 0 || len <= visible {
        return 0;
    }
    selected.saturating_sub(visible / 2).min(len - visible)
}

/// The overview's node table and the band below it: the table takes what
/// its `n` rows need, up to two thirds; the chart and events get the rest.
pub fn overview(body: Rect, n: usize) -> (Rect, Rect) {
    let bottom = (body.height / 3).max(7).min(body.height.saturating_sub(5));
    let table = (body.height - bottom).min(n as u16 + 3);
    let [table, rest] = Layout::vertical([Constraint::Length(table), Constraint::Min(0)]).areas(body);
    (table, rest)
}

/// Where a bordered table with a column header draws its rows.
pub fn table_rows(table: Rect) -> Rect {
    let inner = Block::bordered().inner(table);
    Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner }
}

/// How the matrix is laid out in an area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixMode {
    /// One cell per subject, this many columns wide.
    Cells(u16),
    /// One row per subject with counts.
    Aggregate,
}

/// The matrix's layout for `n` nodes in an area.
#[derive(Clone, Copy, Debug)]
pub struct Matrix {
    /// Cells or counts, whichever fits.
    pub mode: MatrixMode,
    /// Where the node rows go.
    pub rows: Rect,
    /// The column-header row.
    pub header: Rect,
    /// Width of the row label ("  12 ").
    pub label: u16,
}

/// Lays the matrix out for `n` nodes in `area` (its border included).
pub fn matrix(area: Rect, n: usize) -> Matrix {
    let inner = Block::bordered().inner(area);
    let label = (n.max(1).ilog10() as u16 + 1).max(3) + 2;
    let room = inner.width.saturating_sub(label) as usize;
    let mode = if n * 2 <= room {
        MatrixMode::Cells(2)
    } else if n <= room {
        MatrixMode::Cells(1)
    } else {
        MatrixMode::Aggregate
    };
    let header = Rect { height: 1.min(inner.height), ..inner };
    // The legend sits in the bottom border, so 32 rows fit on a 40-row terminal.
    let rows = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
    Matrix { mode, rows, header, label }
}

/// The help popup for `entries` key bindings: most of the screen, centred.
pub fn popup(area: Rect, entries: usize) -> Rect {
    let rows = entries as u16 + 4;
    let height = rows.min(area.height.saturating_sub(2));
    let width = if area.width >= 100 { 96 } else { area.width.saturating_sub(2) };
    area.centered(Constraint::Length(width), Constraint::Length(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_columns_span_the_track_and_a_click_finds_its_column_again() {
        let end = Time::from_secs(100);
        assert_eq!(track_column(Time::ZERO, end, 78), 0);
        assert_eq!(track_column(end, end, 78), 77);
        assert_eq!(track_column(Time::from_secs(50), end, 79), 39);
        assert_eq!(track_column(Time::from_secs(500), end, 78), 77, "past the end is the end");
        assert_eq!(track_column(Time::from_secs(5), Time::ZERO, 78), 0, "an empty recording");
        let t = track(Rect::new(0, 20, 80, 2));
        assert_eq!((t.x, t.y, t.width, t.height), (1, 20, 78, 1));
        for col in 1..79 {
            let at = track_time(t, end, col, 20).unwrap();
            assert_eq!(track_column(at, end, 78) + 1, col);
        }
        assert_eq!(track_time(t, end, 0, 20), None, "the margin");
        assert_eq!(track_time(t, end, 10, 21), None, "the row under it");
    }

    #[test]
    fn every_tab_fits_at_80_columns_and_a_click_finds_it() {
        let area = Rect::new(0, 0, 80, 24);
        for phi in [false, true] {
            for current in View::ALL {
                let labels = tab_labels(area.width, current, phi);
                let used: usize = labels.iter().map(|(_, t)| t.chars().count() + 1).sum();
                assert!(used <= 80, "{current:?}: {used} cells");
                let mut x = 0;
                for (view, text) in &labels {
                    assert_eq!(tab_at(area, current, phi, x, 2), Some(*view), "{current:?}: click at {x}");
                    x += text.chars().count() as u16 + 1;
                }
            }
        }
        let wide = tab_labels(160, View::Matrix, false);
        assert_eq!(wide[0].1, " 1 Overview ", "padded when there is room");
        assert_eq!(wide[2].1, "[3 Matrix]");
        assert_eq!(tab_labels(80, View::Matrix, false)[0].1, "1 Overview");
        assert_eq!(tab_labels(80, View::Matrix, false)[3].1, "4 Suspicions");
        assert_eq!(tab_labels(80, View::Matrix, true)[3].1, "4 Phi", "a phi lab's suspicions are its phi view");
    }

    #[test]
    fn scrolling_keeps_the_selection_visible() {
        assert_eq!(scroll_offset(0, 100, 10), 0);
        assert_eq!(scroll_offset(4, 100, 10), 0);
        assert_eq!(scroll_offset(50, 100, 10), 45);
        assert_eq!(scroll_offset(99, 100, 10), 90);
        assert_eq!(scroll_offset(7, 8, 10), 0);
        for sel in 0..100 {
            let off = scroll_offset(sel, 100, 10);
            assert!((off..off + 10).contains(&sel));
        }
    }
}
