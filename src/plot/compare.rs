//! Chart: two sessions of a comparison (`gossip-lab compare`) over one
//! time axis: agreement, suspect marks held, and bytes sent per node per
//! second, A and B in the same panels, so the difference between two
//! gossip families (or two settings of one) under the same faults shows
//! at a glance. Each side's fault windows are the same timeline; A's are
//! shaded.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, PANEL_HEIGHT, SIZE};
use super::series::Series;

/// One side: its name and its series.
pub type Side<'a> = (&'a str, &'a Series);

/// The SVG of the comparison: three panels, A and B in each.
pub fn draw(a: Side, b: Side) -> Result<String, PlotError> {
    frame::svg((SIZE.0, PANEL_HEIGHT * 3), |root| {
        let panels = root.split_evenly((3, 1));
        let x = frame::session_x(a.1.end.max(b.1.end));
        type Points = fn(&Series) -> Vec<(f64, f64)>;
        let panel = |i: usize, title: &str, y_desc: &str, points: Points, fixed: Option<f64>| {
            let (pa, pb) = (points(a.1), points(b.1));
            let top = pa.iter().chain(&pb).map(|p| p.1).fold(0.0, f64::max);
            let y = fixed.map_or_else(|| frame::up_to(top), |max| 0.0..max);
            let axes = Axes { title, x_desc: "time (s)", y_desc, x: x.clone(), y: y.clone() };
            let mut chart = frame::panel(&panels[i], &axes)?;
            frame::shade(&panels[i], &mut chart, &a.1.windows, 0.0, y)?;
            frame::line(&mut chart, pa, &format!("A: {}", a.0), frame::color(0))?;
            frame::line(&mut chart, pb, &format!("B: {}", b.0), frame::color(1))?;
            frame::legend(&mut chart, SeriesLabelPosition::LowerRight)
        };
        panel(
            0,
            "Agreement",
            "fraction of up nodes",
            |s| s.views.iter().map(|v| (v.t, v.agreement)).collect(),
            Some(1.2),
        )?;
        panel(
            1,
            "Suspect marks held",
            "observer → subject",
            |s| s.views.iter().map(|v| (v.t, v.suspicions as f64)).collect(),
            None,
        )?;
        panel(
            2,
            "Bytes sent per node",
            "bytes/node/s",
            |s| {
                let n = s.nodes.max(1) as f64;
                s.rates.iter().map(|r| (r.t, r.bytes / n)).collect()
            },
            None,
        )
    })
}
