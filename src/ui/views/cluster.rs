//! Cluster: the cluster as a picture, nodes on a ring and the datagrams
//! between them. (Being built for issue 12; this first cut only reserves
//! the view's place in the tab order.)

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::{Ctx, title_style};

/// Draws the cluster view.
pub fn render(frame: &mut Frame, area: Rect, _ctx: &Ctx) {
    frame.render_widget(Block::bordered().title(Span::styled(" cluster ", title_style())), area);
}
