//! Chart: each crash's first suspicion, first death and full detection,
//! beside what the model expects of a cluster that size.
//!
//! Crashes are placed at their time in the session (so the fault windows
//! line up); up is the time after the crash each milestone took.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, SIZE};
use super::series::{Crash, Series};
use crate::observe::model::DetectionBounds;

/// How a model line reads its value off the bounds.
type Bound = fn(&DetectionBounds) -> f64;
/// How a milestone reads its time off a crash.
type Milestone = fn(&Crash) -> Option<f64>;

/// The SVG of every crash's detection against the model.
pub fn draw(s: &Series) -> Result<String, PlotError> {
    let bounds: Vec<(f64, DetectionBounds)> =
        s.crashes.iter().map(|c| (c.at, s.spec.detection_bounds(c.nodes.max(1)))).collect();
    let measured = s.crashes.iter().flat_map(|c| [c.first_suspect, c.first_dead, c.full]).flatten();
    let model = bounds.iter().map(|(_, b)| b.full.as_secs_f64());
    let top = measured.chain(model).fold(0.0, f64::max);
    frame::svg(SIZE, |root| {
        // Headroom for the legend above the model's lines.
        let y = frame::up_to(top * 1.5);
        let axes = Axes {
            title: "Crash detection",
            x_desc: "crash time (s)",
            y_desc: "seconds after the crash",
            x: frame::session_x(s.end),
            y: y.clone(),
        };
        let mut chart = frame::panel(root, &axes)?;
        frame::shade(root, &mut chart, &s.windows, 0.0, y)?;
        if s.crashes.is_empty() {
            return frame::note(&mut chart, "no crash in this session");
        }
        // Each model line in the colour of the milestone it is about.
        let model: [(&str, usize, Bound); 4] = [
            ("model: expected first suspicion", 0, |b| b.first_suspect.as_secs_f64()),
            ("model: first-death bound", 1, |b| b.first_dead.as_secs_f64()),
            ("model: expected full detection (confirmed)", 2, |b| b.full_confirmed.as_secs_f64()),
            ("model: full-detection bound", 6, |b| b.full.as_secs_f64()),
        ];
        for (name, i, value) in model {
            let c = frame::color(i);
            // A step per crash (N may differ between crashes), from the
            // start to the end of the session.
            let mut points = Vec::new();
            for (k, (at, b)) in bounds.iter().enumerate() {
                let from = if k == 0 { 0.0 } else { *at };
                points.push((from, value(b)));
                let to = bounds.get(k + 1).map_or(s.end, |n| n.0);
                points.push((to, value(b)));
            }
            frame::drawn(chart.draw_series(DashedLineSeries::new(points, 6, 4, c.stroke_width(1))))?
                .label(name)
                .legend(frame::line_key(c));
        }
        let marks: [(&str, Milestone); 3] = [
            ("first suspicion", |c| c.first_suspect),
            ("first death", |c| c.first_dead),
            ("full detection", |c| c.full),
        ];
        for (i, (name, value)) in marks.into_iter().enumerate() {
            let c = frame::color(i);
            let points: Vec<(f64, f64)> = s.crashes.iter().filter_map(|k| Some((k.at, value(k)?))).collect();
            let shape = move |p: (f64, f64)| -> DynElement<SVGBackend, (f64, f64)> {
                match i {
                    0 => Circle::new(p, 5, c.filled()).into_dyn(),
                    1 => TriangleMarker::new(p, 6, c.filled()).into_dyn(),
                    _ => Cross::new(p, 6, c.stroke_width(2)).into_dyn(),
                }
            };
            frame::drawn(chart.draw_series(points.into_iter().map(shape)))?.label(name).legend(move |(x, y)| {
                let p = (x + 7, y);
                match i {
                    0 => Circle::new(p, 4, c.filled()).into_dyn(),
                    1 => TriangleMarker::new(p, 5, c.filled()).into_dyn(),
                    _ => Cross::new(p, 5, c.stroke_width(2)).into_dyn(),
                }
            });
        }
        frame::legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
