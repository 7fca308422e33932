//! Where every node sits on the Cluster view's ring: one arc per partition
//! group (and per isolated node), a visible gap between arcs, and the
//! radii of the concentric marks, all in braille dots of the canvas.
//! Pure geometry, kept apart from the painting so it can be tested.

use std::f64::consts::TAU;

use crate::observe::record::PlanRecord;
use crate::ui::views::ranges;

/// One arc of the ring: the nodes that can reach each other.
#[derive(Clone, Debug, PartialEq)]
pub struct Arc {
    /// "group 1: 0-31", "isolated: 5"; `None` when the ring is whole.
    pub label: Option<String>,
    /// Its nodes, in ring order.
    pub nodes: Vec<usize>,
    /// Where it starts and ends: radians clockwise from the top.
    pub from: f64,
    /// See `from`.
    pub to: f64,
}

/// The nodes of `n` split the way `plan` splits the network: each group
/// in the plan's order, then the nodes of no group, then each isolated
/// node on its own. One unlabelled arc when nothing is split.
pub fn groups(plan: &PlanRecord, n: usize) -> Vec<(Option<String>, Vec<usize>)> {
    let mut isolated: Vec<usize> = plan.isolated.iter().copied().filter(|&i| i < n).collect();
    isolated.sort_unstable();
    isolated.dedup();
    if plan.groups.is_empty() && isolated.is_empty() {
        return vec![(None, (0..n).collect())];
    }
    let mut placed = vec![false; n];
    for &i in &isolated {
        placed[i] = true;
    }
    let mut out = Vec::new();
    for (k, group) in plan.groups.iter().enumerate() {
        let mut nodes: Vec<usize> = group.iter().copied().filter(|&i| i < n && !placed[i]).collect();
        nodes.sort_unstable();
        nodes.dedup();
        for &i in &nodes {
            placed[i] = true;
        }
        if !nodes.is_empty() {
            out.push((Some(format!("group {}: {}", k + 1, ranges(&nodes))), nodes));
        }
    }
    let rest: Vec<usize> = (0..n).filter(|&i| !placed[i]).collect();
    if !rest.is_empty() {
        let name = if plan.groups.is_empty() { "connected" } else { "no group" };
        out.push((Some(format!("{name}: {}", ranges(&rest))), rest));
    }
    out.extend(isolated.into_iter().map(|i| (Some(format!("isolated: {i}")), vec![i])));
    out
}

/// The ring laid out in a canvas of `width` × `height` dots.
#[derive(Clone, Debug)]
pub struct Ring {
    /// The centre, in dots (y down).
    pub cx: f64,
    /// See `cx`.
    pub cy: f64,
    /// The radius of the true-state marks.
    pub r: f64,
    /// Each node's angle, by index (radians clockwise from the top).
    pub angle: Vec<f64>,
    /// The arcs, in ring order.
    pub arcs: Vec<Arc>,
    /// Dots between neighbours on the true-state ring.
    pub spacing: f64,
}

/// Radial distance between two rings of marks: four dots, so two marks
/// never share a braille cell (2×4 dots, one colour each).
pub const STEP: f64 = 4.0;
/// Dots kept free around the ring for the seen marks, the arcs (when
/// split) and the labels: a row above and below, columns (two dots each)
/// at the sides.
fn margins(split: bool) -> (f64, f64) {
    let rings = if split { 3.0 } else { 2.0 };
    (rings * STEP + 14.0, rings * STEP + 4.0)
}

impl Ring {
    /// Lays `groups` out on a ring that fits `width` × `height` dots,
    /// with its labels around it. `None` when the canvas is too small.
    pub fn new(width: usize, height: usize, groups: Vec<(Option<String>, Vec<usize>)>, n: usize) -> Option<Ring> {
        let (w, h) = (width as f64, height as f64);
        let split = groups.len() > 1 || groups.iter().any(|g| g.0.is_some());
        let (margin_x, margin_y) = margins(split);
        let r = (h / 2.0 - margin_y).min(w / 2.0 - margin_x).floor();
        if r < 2.0 * STEP || n == 0 {
            return None;
        }
        let k = groups.len() as f64;
        // A gap several node slots wide, however many nodes: an arc's ends
        // stay apart from the next arc's at 1,024 nodes too.
        let gap = if groups.len() > 1 { (TAU * 0.05).min(TAU * 0.4 / k) } else { 0.0 };
        let slot = (TAU - gap * k) / n as f64;
        let mut angle = vec![0.0; n];
        let mut arcs = Vec::with_capacity(groups.len());
        let mut start = gap / 2.0;
        for (label, nodes) in groups {
            for (j, &i) in nodes.iter().enumerate() {
                angle[i] = start + (j as f64 + 0.5) * slot;
            }
            let end = start + nodes.len() as f64 * slot;
            arcs.push(Arc { label, nodes, from: start, to: end });
            start = end + gap;
        }
        Some(Ring { cx: (w - 1.0) / 2.0, cy: (h - 1.0) / 2.0, r, angle, arcs, spacing: slot * r })
    }

    /// The dot at `angle`, `r` from the centre.
    pub fn at(&self, angle: f64, r: f64) -> (f64, f64) {
        (self.cx + r * angle.sin(), self.cy - r * angle.cos())
    }

    /// Node `i`'s dot on the ring `r` from the centre.
    pub fn node(&self, i: usize, r: f64) -> (f64, f64) {
        self.at(self.angle[i], r)
    }

    /// Whether the arcs are drawn and labelled (the ring is split).
    pub fn split(&self) -> bool {
        self.arcs.len() > 1 || self.arcs.iter().any(|a| a.label.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(groups: Vec<Vec<usize>>, isolated: Vec<usize>) -> PlanRecord {
        PlanRecord { groups, isolated, ..PlanRecord::default() }
    }

    #[test]
    fn groups_follow_the_plan_then_the_rest_then_the_isolated() {
        assert_eq!(groups(&PlanRecord::default(), 3), [(None, vec![0, 1, 2])]);
        let g = groups(&plan(vec![vec![3, 2], vec![0, 9]], vec![2]), 5);
        let labels: Vec<&str> = g.iter().map(|(l, _)| l.as_deref().unwrap()).collect();
        assert_eq!(labels, ["group 1: 3", "group 2: 0", "no group: 1, 4", "isolated: 2"]);
        let g = groups(&plan(vec![], vec![1]), 3);
        assert_eq!(g, [(Some("connected: 0, 2".into()), vec![0, 2]), (Some("isolated: 1".into()), vec![1])]);
    }

    #[test]
    fn arcs_leave_a_gap_wider_than_a_node_slot() {
        let ring = Ring::new(200, 160, groups(&plan(vec![(0..32).collect(), (32..64).collect()], vec![]), 64), 64)
            .expect("fits");
        let [a, b] = &ring.arcs[..] else { panic!("two arcs") };
        let slot = ring.spacing / ring.r;
        assert!(b.from - a.to > 3.0 * slot, "gap {} vs slot {slot}", b.from - a.to);
        assert!(ring.angle[31] < a.to && ring.angle[32] > b.from);
        // The whole ring is used: the last arc ends half a gap before the top.
        assert!((TAU - b.to - (b.from - a.to) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_whole_ring_has_no_gap_and_a_tiny_canvas_no_ring() {
        let ring = Ring::new(100, 80, groups(&PlanRecord::default(), 8), 8).unwrap();
        assert!(!ring.split());
        assert!((ring.arcs[0].to - TAU).abs() < 1e-9);
        assert!(Ring::new(20, 16, groups(&PlanRecord::default(), 8), 8).is_none());
    }
}
