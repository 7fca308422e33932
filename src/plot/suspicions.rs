//! Chart: active suspicions (suspect marks held by up observers) and
//! Lifeguard health scores, in two panels over the same time axis.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, PANEL_HEIGHT, SIZE};
use super::series::Series;

/// Up to this many nodes, each node's health score is its own line; past
/// it, the max and the mean over the reporting nodes.
pub const HEALTH_LINES: usize = 8;

/// The SVG of suspicions and health scores.
pub fn draw(s: &Series) -> Result<String, PlotError> {
    frame::svg((SIZE.0, PANEL_HEIGHT * 2), |root| {
        let panels = root.split_evenly((2, 1));
        let x = frame::session_x(s.end);
        let top = s.views.iter().map(|v| v.suspicions as f64).fold(0.0, f64::max);
        let y = frame::up_to(top.max(1.0));
        let axes = Axes {
            title: "Active suspicions",
            x_desc: "time (s)",
            y_desc: "suspect marks",
            x: x.clone(),
            y: y.clone(),
        };
        let mut chart = frame::panel(&panels[0], &axes)?;
        frame::shade(&panels[0], &mut chart, &s.windows, 0.0, y)?;
        let c = frame::color(0);
        let points = s.views.iter().map(|v| (v.t, v.suspicions as f64)).collect();
        frame::line(&mut chart, points, "suspect marks held by up nodes", c)?;
        frame::legend(&mut chart, SeriesLabelPosition::UpperRight)?;

        let top = s.health.iter().flat_map(|h| h.scores.iter().flatten()).map(|&v| f64::from(v)).fold(0.0, f64::max);
        let y = frame::up_to(top.max(1.0));
        let axes = Axes { title: "Health scores (Lifeguard)", x_desc: "time (s)", y_desc: "score", x, y: y.clone() };
        let mut chart = frame::panel(&panels[1], &axes)?;
        frame::shade(&panels[1], &mut chart, &s.windows, 0.0, y)?;
        let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        if s.nodes <= HEALTH_LINES {
            for node in 0..s.nodes {
                let points = s.health.iter().filter_map(|h| Some((h.t, f64::from((*h.scores.get(node)?)?)))).collect();
                lines.push((format!("node {node}"), points));
            }
        } else {
            let reporting =
                |h: &super::series::HealthPoint| h.scores.iter().flatten().map(|&v| f64::from(v)).collect::<Vec<_>>();
            let max = s.health.iter().map(|h| (h.t, reporting(h).into_iter().fold(0.0, f64::max))).collect();
            let mean = s
                .health
                .iter()
                .map(|h| {
                    let v = reporting(h);
                    (h.t, v.iter().sum::<f64>() / v.len().max(1) as f64)
                })
                .collect();
            lines.push((format!("max over {}", crate::scenario::plural(s.nodes, "node")), max));
            lines.push(("mean".to_string(), mean));
        }
        for (i, (name, points)) in lines.into_iter().enumerate() {
            let c = frame::color(i);
            frame::line(&mut chart, points, &name, c)?;
        }
        frame::legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
