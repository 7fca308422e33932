//! The last pass over a drawn frame, so that nothing is said by colour
//! alone: the selected row gets a "▶" marker, and with `NO_COLOR`
//! (<https://no-color.org>) every colour goes and every background
//! highlight (the selected row, the active tab, a badge) turns into reverse
//! video. One rule over the buffer covers every view, present and future,
//! instead of each view remembering a monochrome variant.

use std::ffi::OsStr;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::ui::views::SELECTED_BG;

/// Whether the `NO_COLOR` variable asks for no colour: set and non-empty,
/// whatever its value (the convention's rule).
pub fn no_color(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// [`no_color`] of this process's environment, read once at startup.
pub fn no_color_from_env() -> bool {
    no_color(std::env::var_os("NO_COLOR").as_deref())
}

/// The selected row's marker, drawn over the blank first cell of a
/// highlighted row.
pub const MARKER: &str = "▶";

/// Marks selected rows and, when `no_color`, takes every colour out of
/// `buf`.
pub fn finish(buf: &mut Buffer, no_color: bool) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            // A selected row starts at a box's left edge (or the screen's)
            // with the right-aligned blank of its first column.
            let starts_row = x == area.left() || buf[(x - 1, y)].symbol() == "│";
            let cell = &mut buf[(x, y)];
            if cell.bg == SELECTED_BG && starts_row && cell.symbol() == " " {
                cell.set_symbol(MARKER);
            }
            if no_color {
                if cell.bg != Color::Reset {
                    cell.modifier.insert(Modifier::REVERSED);
                }
                cell.fg = Color::Reset;
                cell.bg = Color::Reset;
                cell.underline_color = Color::Reset;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    use super::*;

    #[test]
    fn no_color_is_any_non_empty_value() {
        assert!(!no_color(None));
        assert!(!no_color(Some(OsStr::new(""))));
        assert!(no_color(Some(OsStr::new("1"))));
        assert!(no_color(Some(OsStr::new("false"))));
    }

    #[test]
    fn highlights_become_reverse_video_and_the_selected_row_a_marker() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 2));
        buf.set_string(0, 0, "│  3 x", Style::new());
        buf.set_style(Rect::new(1, 0, 5, 1), Style::new().bg(SELECTED_BG).fg(Color::Green));
        buf.set_string(0, 1, "tab", Style::new().bg(Color::Cyan));
        finish(&mut buf, true);
        assert_eq!(buf[(1, 0)].symbol(), MARKER);
        assert_eq!(buf[(2, 0)].symbol(), " ", "only the first cell");
        for cell in buf.content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
        }
        assert!(buf[(3, 0)].modifier.contains(Modifier::REVERSED));
        assert!(buf[(0, 1)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(0, 0)].modifier.contains(Modifier::REVERSED));
    }
}
