//! How an action is drawn wherever lab time is drawn: the replay's time
//! bar (chrome) and the Overview charts' time axis (views) mark the same
//! kinds with the same symbols, so they live here, below both. Each kind
//! has a symbol as well as a colour, so a mark reads without colour too.

use ratatui::style::Color;

use crate::observe::action::ActionKind;

/// A kind's symbol on the bar and its colour.
pub fn glyph(kind: ActionKind) -> (&'static str, Color) {
    match kind {
        ActionKind::Node => ("●", Color::LightRed),
        ActionKind::Fault => ("▲", Color::Yellow),
        ActionKind::Rumor => ("◆", Color::Magenta),
        ActionKind::Key => ("■", Color::Cyan),
        ActionKind::Rogue => ("!", Color::Red),
    }
}

/// Which kind a cell shows when several marks share it: the ones that
/// change who is up and who can reach whom first.
pub fn rank(kind: ActionKind) -> u8 {
    match kind {
        ActionKind::Node => 0,
        ActionKind::Fault => 1,
        ActionKind::Rogue => 2,
        ActionKind::Key => 3,
        ActionKind::Rumor => 4,
    }
}
