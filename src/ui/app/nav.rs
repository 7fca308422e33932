//! What the keys that move around do: j/k, pages, first/last in every
//! list, `:` to jump, `s` to sort, and the prompt's answers (the filter
//! kept, a node jumped to, a partition's groups sent). Apart from the rest
//! of `App` because it is the part that must agree with the drawing: a
//! page is `layout::list`'s height and the rows are `App::order`'s.

use super::{App, Effect};
use crate::observe::Snapshot;
use crate::scenario::{Action, Groups};
use crate::ui::keys::Command;
use crate::ui::layout;
use crate::ui::order::{self, COLUMNS};
use crate::ui::prompt::{self, Ask};
use crate::ui::view::View;

/// Where `command` moves a cursor at `at` in a list of `last + 1` rows
/// with `page` rows drawn.
fn step(at: usize, command: Command, page: usize, last: usize) -> usize {
    let to = match command {
        Command::Down => at + 1,
        Command::Up => at.saturating_sub(1),
        Command::PageDown => at + page,
        Command::PageUp => at.saturating_sub(page),
        Command::First => 0,
        Command::Last => last,
        _ => at,
    };
    to.min(last)
}

impl App {
    /// The rows a page holds in `view` when it lists `len`: what the view
    /// draws, by the same `layout` function (at least one, before the
    /// first frame).
    pub fn page(&self, view: View, len: usize) -> usize {
        let body = layout::screen(self.screen, self.replay.is_some()).body;
        layout::list(body, view, len).map_or(1, |r| r.height as usize).max(1)
    }

    /// One step of a movement key in the view on screen: the event log
    /// and the suspicion list scroll; node lists move the selection in
    /// their drawn order (views without a list move it as the Overview).
    pub(super) fn navigate(&mut self, command: Command, live: &Snapshot) {
        let frozen = self.frozen.clone();
        let snap = frozen.as_deref().unwrap_or(live);
        match self.view {
            View::Events => {
                let filter = self.filter_text().to_lowercase();
                let total = snap.events.iter().filter(|e| order::event_matches(e, &filter)).count();
                let page = self.page(View::Events, total);
                // `events_back` counts from the newest line, the list's last.
                let last = total.saturating_sub(page);
                let at = last - self.events_back.min(last);
                self.events_back = last - step(at, command, page, last);
            }
            View::Suspicions => {
                let total = order::suspicion_rows(snap);
                let page = self.page(View::Suspicions, total);
                self.suspicions_top = step(self.suspicions_top, command, page, total.saturating_sub(page));
            }
            view => {
                let rows = self.order(snap, view);
                let Some(last) = rows.len().checked_sub(1) else { return };
                let paged = if matches!(view, View::Matrix) { view } else { View::Overview };
                let page = self.page(paged, rows.len());
                let to = match rows.iter().position(|&i| i == self.selected) {
                    Some(at) => step(at, command, page, last),
                    // Hidden by the filter: start over from the list's ends.
                    None if command == Command::Last => last,
                    None => 0,
                };
                self.selected = rows[to];
            }
        }
    }

    /// `s`: the node table's next column that is drawn at this width.
    pub(super) fn next_sort(&mut self) {
        let wide = layout::wide_table(layout::screen(self.screen, self.replay.is_some()).body);
        self.sort = order::shown(wide).map(|(i, _)| i).find(|&i| i > self.sort).unwrap_or(0);
        let c = &COLUMNS[self.sort];
        let how = if c.descending { "highest first" } else { "lowest first" };
        self.say(format!("nodes sorted by {} ({how})", c.name), false);
    }

    /// Enter on a prompt.
    pub(super) fn answer(&mut self, ask: Ask, text: String, live: &Snapshot) -> Effect {
        let n = live.nodes.len();
        match ask {
            Ask::Filter => {
                self.filter = text;
                // A key must act on a row that is drawn: a selection the
                // filter hides moves to the first row shown.
                let frozen = self.frozen.clone();
                let rows = self.order(frozen.as_deref().unwrap_or(live), self.view);
                if !rows.is_empty() && !rows.contains(&self.selected) {
                    self.selected = rows[0];
                }
            }
            Ask::Jump if text.trim().is_empty() => {}
            Ask::Jump => match prompt::node(&text, n) {
                Ok(i) => {
                    self.selected = i;
                    let frozen = self.frozen.clone();
                    let hidden = !self.order(frozen.as_deref().unwrap_or(live), self.view).contains(&i);
                    if hidden && !self.filter.is_empty() {
                        self.filter.clear();
                        self.say(format!("node {i} selected; the filter hid it, so it is cleared"), false);
                    } else {
                        self.say(format!("node {i} selected"), false);
                    }
                }
                Err(e) => self.say(format!("jump: {e}"), true),
            },
            Ask::Groups => match prompt::groups(&text, n) {
                Ok(groups) => return self.partition(Groups::Explicit(groups), n),
                Err(e) => self.say(format!("partition: {e}"), true),
            },
        }
        Effect::None
    }

    /// `p`: halves, then thirds on the next press, and so on; `h` starts
    /// over from halves. Split by index over every node, as
    /// `Groups::Halves` is, so a stopped node that comes back is in a group.
    pub(super) fn split(&mut self, live: &Snapshot) -> Effect {
        let n = live.nodes.len();
        if n < 2 {
            self.say("partition: no two nodes to split yet", true);
            return Effect::None;
        }
        let thirds = self.thirds && n >= 3;
        self.thirds = !self.thirds;
        let groups = if thirds { Groups::Explicit(prompt::split(n, 3)) } else { Groups::Halves };
        self.partition(groups, n)
    }

    fn partition(&mut self, groups: Groups, n: usize) -> Effect {
        self.say(format!("partitioning {} …", prompt::describe(&groups.resolve(n), n)), false);
        Effect::Lab(Action::Partition { groups, one_way: false })
    }
}
