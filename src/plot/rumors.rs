//! Chart: each rumor's spread (the fraction of the nodes up at injection
//! that delivered it, over the time since injection) beside the Serf
//! model for the same cluster size and loss.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, SIZE};
use super::series::{Rumor, Series};
use super::windows::Window;
use crate::observe::model::{serf_fraction, serf_time_to};

/// At most this many spread curves: past it, a legend of rumors is noise.
pub const MAX_RUMORS: usize = 10;
/// At most this many model curves (one per cluster size and loss).
const MAX_MODELS: usize = 3;

/// The rumors drawn: all of them, or `MAX_RUMORS` spread evenly over the
/// session.
fn shown(rumors: &[Rumor]) -> Vec<&Rumor> {
    if rumors.len() <= MAX_RUMORS {
        return rumors.iter().collect();
    }
    (0..MAX_RUMORS).map(|k| &rumors[k * (rumors.len() - 1) / (MAX_RUMORS - 1)]).collect()
}

/// The SVG of every rumor's spread curve against the model.
pub fn draw(s: &Series) -> Result<String, PlotError> {
    let rumors = shown(&s.rumors);
    let (fanout, round) = s.spec.gossip_rate();
    let mut models: Vec<(usize, f64)> = Vec::new();
    for r in &rumors {
        if !models.contains(&(r.target, r.loss)) && models.len() < MAX_MODELS {
            models.push((r.target, r.loss));
        }
    }
    let model_end = models.iter().map(|&(n, loss)| serf_time_to(0.9999, n, fanout, round, loss).as_secs_f64());
    let measured_end = rumors.iter().filter_map(|r| r.curve.last().map(|p| p.0));
    let x_end = measured_end.chain(model_end).fold(0.0, f64::max) * 1.1;
    // The windows in force while a drawn rumor spread, moved to its clock.
    let mut windows: Vec<Window> = Vec::new();
    for r in &rumors {
        for w in s.windows.iter().filter(|w| w.start < r.at + x_end && w.end > r.at) {
            let moved = Window { start: w.start - r.at, end: w.end - r.at, ..w.clone() };
            if !windows.contains(&moved) {
                windows.push(moved);
            }
        }
    }
    frame::svg(SIZE, |root| {
        let title = if rumors.len() < s.rumors.len() {
            format!("Rumor spread ({} of {} rumors)", rumors.len(), s.rumors.len())
        } else {
            "Rumor spread".to_string()
        };
        let y = 0.0..1.12;
        let axes = Axes {
            title: &title,
            x_desc: "time since injection (s)",
            y_desc: "fraction delivered",
            x: 0.0..if x_end > 0.0 { x_end } else { 1.0 },
            y: y.clone(),
        };
        let mut chart = frame::panel(root, &axes)?;
        frame::shade(root, &mut chart, &windows, 0.0, y)?;
        if rumors.is_empty() {
            return frame::note(&mut chart, "no rumor in this session");
        }
        for (k, &(n, loss)) in models.iter().enumerate() {
            let steps = 200;
            let points: Vec<(f64, f64)> = (0..=steps)
                .map(|i| {
                    let t = x_end * i as f64 / steps as f64;
                    let f = serf_fraction(std::time::Duration::from_secs_f64(t), n, fanout, round, loss);
                    (t, f)
                })
                .collect();
            let color = frame::color(6).mix(0.4 + 0.2 * k as f64);
            let name = format!("model (Serf): N={n}, loss {:.0}%", loss * 100.0);
            frame::drawn(chart.draw_series(DashedLineSeries::new(points, 6, 4, color.stroke_width(2))))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        for (i, r) in rumors.iter().enumerate() {
            let color = frame::color(i);
            // A step curve: the fraction holds until the next delivery.
            let mut points = Vec::with_capacity(r.curve.len() * 2);
            for w in r.curve.windows(2) {
                points.extend([w[0], (w[1].0, w[0].1)]);
            }
            points.extend(r.curve.last());
            let name = format!("rumor at node {}, {:.1}s (N={})", r.origin, r.at, r.target);
            frame::drawn(chart.draw_series(LineSeries::new(points, color.stroke_width(2))))?
                .label(name)
                .legend(frame::line_key(color));
        }
        frame::legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}
