//! Which node rows a list shows, and in what order: the filter (`/`) and
//! the Overview's sort (`s`). One function, [`rows`], answers it for the
//! renderer, the keys (j/k, pages, `:`) and the mouse (`layout::row_at`),
//! so the row a key or click acts on is the row drawn there.

use std::cmp::Ordering;

use super::prompt;
use super::view::View;
use crate::observe::Snapshot;
use crate::observe::snapshot::{EventLine, NodeRow};
use crate::protocol::SuspicionView;

/// A column of the Overview's node table, in the order it is drawn.
#[derive(Debug)]
pub struct Column {
    /// Its header.
    pub name: &'static str,
    /// Drawn only on a wide table (`layout::wide_table`).
    pub wide_only: bool,
    /// Sorted highest first (counts and rates: the busiest or most
    /// troubled on top) rather than lowest first.
    pub descending: bool,
    compare: fn(&NodeRow, &NodeRow) -> Ordering,
}

const fn col(
    name: &'static str,
    wide_only: bool,
    descending: bool,
    compare: fn(&NodeRow, &NodeRow) -> Ordering,
) -> Column {
    Column { name, wide_only, descending, compare }
}

/// The node table's columns; `App::sort` indexes it, 0 (node) by default.
pub static COLUMNS: &[Column] = &[
    col("node", false, false, |a, b| a.index.cmp(&b.index)),
    col("address", false, false, |a, b| a.addr.cmp(&b.addr)),
    col("state", false, false, |a, b| a.life.as_str().cmp(b.life.as_str())),
    col("alive", false, true, |a, b| a.seen[0].cmp(&b.seen[0])),
    col("susp", false, true, |a, b| a.seen[1].cmp(&b.seen[1])),
    col("dead", false, true, |a, b| a.seen[2].cmp(&b.seen[2])),
    col("left", true, true, |a, b| a.seen[3].cmp(&b.seen[3])),
    col("unkn", true, true, |a, b| a.seen[4].cmp(&b.seen[4])),
    col("frgn", true, true, |a, b| a.foreign.cmp(&b.foreign)),
    col("inc", false, true, |a, b| a.status.incarnation.cmp(&b.status.incarnation)),
    col("hlth", false, true, |a, b| a.status.health.cmp(&b.status.health)),
    col("in/s", false, true, |a, b| a.rate_in.total_cmp(&b.rate_in)),
    col("out/s", false, true, |a, b| a.rate_out.total_cmp(&b.rate_out)),
    col("drops", false, true, |a, b| a.traffic.dropped_total().packets.cmp(&b.traffic.dropped_total().packets)),
];

impl Column {
    /// "▼" or "▲": the header's mark for the sorted column.
    pub fn arrow(&self) -> &'static str {
        if self.descending { "▼" } else { "▲" }
    }
}

/// The columns drawn on a table that is `wide` or not.
pub fn shown(wide: bool) -> impl Iterator<Item = (usize, &'static Column)> {
    COLUMNS.iter().enumerate().filter(move |(_, c)| wide || !c.wide_only)
}

/// The filter as it applies to node rows: a node list ("12", "0-4,9")
/// picks those indices; other text is a substring of the address or of
/// the state word ("crash" finds the crashed nodes). Events match the
/// same text as a plain substring (`views::events`).
pub struct NodeFilter {
    text: String,
    nodes: Option<Vec<(usize, usize)>>,
}

impl NodeFilter {
    /// The filter for `text` (empty: every node).
    pub fn new(text: &str) -> NodeFilter {
        let text = text.trim().to_lowercase();
        let nodes = prompt::node_list(&text).ok();
        NodeFilter { text, nodes }
    }

    /// Does `row` pass?
    pub fn matches(&self, row: &NodeRow) -> bool {
        if self.text.is_empty() {
            return true;
        }
        match &self.nodes {
            Some(ranges) => ranges.iter().any(|&(a, b)| (a..=b).contains(&row.index)),
            None => row.life.as_str().contains(&self.text) || row.addr.to_string().contains(&self.text),
        }
    }
}

/// The node indices `view` lists, in the order it draws them: filtered in
/// the Overview and the Matrix, and sorted by column `sort` in the
/// Overview; every node in index order elsewhere.
pub fn rows(snap: &Snapshot, view: View, filter: &str, sort: usize) -> Vec<usize> {
    if !matches!(view, View::Overview | View::Matrix) {
        return (0..snap.nodes.len()).collect();
    }
    let filter = NodeFilter::new(filter);
    let mut rows: Vec<&NodeRow> = snap.nodes.iter().filter(|r| filter.matches(r)).collect();
    if view == View::Overview && sort > 0 {
        let c = &COLUMNS[sort.min(COLUMNS.len() - 1)];
        rows.sort_by(|a, b| {
            let o = (c.compare)(a, b);
            (if c.descending { o.reverse() } else { o }).then(a.index.cmp(&b.index))
        });
    }
    rows.into_iter().map(|r| r.index).collect()
}

/// Does event `e` pass the (lowercased) filter? A substring of its kind
/// or its text.
pub fn event_matches(e: &EventLine, filter: &str) -> bool {
    filter.is_empty() || e.kind.contains(filter) || e.text.to_lowercase().contains(filter)
}

/// The rows the Suspicions view lists: the active suspicions held by
/// running nodes soonest to expire (those are the ones about to become
/// deaths), as (observer, suspicion), in the snapshot's order: soonest
/// first, at most `SUSPICIONS_SHOWN` of them.
pub fn suspicions(snap: &Snapshot) -> Vec<(usize, &SuspicionView)> {
    snap.suspicions.iter().map(|(observer, v)| (*observer, v)).collect()
}

/// Every running observer's recorded phis, highest first (ties by
/// observer): the phi view's rows.
pub fn phis(snap: &Snapshot) -> Vec<(usize, &crate::observe::status::PhiMark)> {
    let mut rows: Vec<_> = snap
        .nodes
        .iter()
        .filter(|r| r.life.is_running())
        .flat_map(|r| r.status.phis.iter().map(|m| (r.index, m)))
        .collect();
    rows.sort_unstable_by_key(|&(observer, m)| (std::cmp::Reverse(m.phi_centi), observer, m.subject));
    rows
}

/// The rows of the Suspicions view: phis for a phi lab, else suspicions.
pub fn suspicion_rows(snap: &Snapshot) -> usize {
    if snap.phi.is_some() { phis(snap).len() } else { suspicions(snap).len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture::{self, CRASHED};

    #[test]
    fn filters_by_list_state_or_address_and_sorts_stably() {
        let snap = fixture::scene(16);
        assert_eq!(rows(&snap, View::Overview, "", 0), (0..16).collect::<Vec<_>>());
        assert_eq!(rows(&snap, View::Overview, "12", 0), [12]);
        assert_eq!(rows(&snap, View::Matrix, "0-2, 9", 0), [0, 1, 2, 9]);
        assert_eq!(rows(&snap, View::Overview, "crash", 0), [CRASHED]);
        assert_eq!(rows(&snap, View::Overview, ":40007", 0), [7]);
        assert_eq!(rows(&snap, View::Events, "crash", 0).len(), 16, "other views list every node");
        let state = COLUMNS.iter().position(|c| c.name == "state").unwrap();
        assert_eq!(rows(&snap, View::Overview, "", state)[0], CRASHED, "crashed sorts first");
        assert_eq!(rows(&snap, View::Matrix, "", state)[0], 0, "the matrix keeps index order");
    }
}
