//! Chart: agreement and accuracy over the session.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, SIZE};
use super::series::{Series, ViewPoint};

/// How a line reads its value off a sample.
type Value = fn(&ViewPoint) -> f64;

/// The SVG of agreement and accuracy over time.
pub fn draw(s: &Series) -> Result<String, PlotError> {
    frame::svg(SIZE, |root| {
        // Headroom above 1 for the fault windows' labels.
        let y = 0.0..1.2;
        let axes = Axes {
            title: "Agreement and accuracy",
            x_desc: "time (s)",
            y_desc: "fraction of up nodes",
            x: frame::session_x(s.end),
            y: y.clone(),
        };
        let mut chart = frame::panel(root, &axes)?;
        frame::shade(root, &mut chart, &s.windows, 0.0, y)?;
        let lines: [(&str, Value); 2] = [("agreement", |v| v.agreement), ("accuracy", |v| v.accuracy)];
        for (i, (name, value)) in lines.into_iter().enumerate() {
            let c = frame::color(i);
            frame::line(&mut chart, s.views.iter().map(|v| (v.t, value(v))).collect(), name, c)?;
        }
        frame::legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}
