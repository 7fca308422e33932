//! Chart: cluster-wide message and byte rates, and drops by reason, in
//! three panels over the same time axis.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, PANEL_HEIGHT, SIZE};
use super::series::{RatePoint, Series};
use crate::faults::DropReason;

/// The SVG of traffic rates and drops.
pub fn draw(s: &Series) -> Result<String, PlotError> {
    frame::svg((SIZE.0, PANEL_HEIGHT * 3), |root| {
        let panels = root.split_evenly((3, 1));
        let x = frame::session_x(s.end);
        let rate = |title: &str, y_desc: &str, name: &str, value: fn(&RatePoint) -> f64, i: usize| {
            let top = s.rates.iter().map(value).fold(0.0, f64::max);
            let y = frame::up_to(top);
            let axes = Axes { title, x_desc: "time (s)", y_desc, x: x.clone(), y: y.clone() };
            let mut chart = frame::panel(&panels[i], &axes)?;
            frame::shade(&panels[i], &mut chart, &s.windows, 0.0, y)?;
            let c = frame::color(i);
            frame::line(&mut chart, s.rates.iter().map(|r| (r.t, value(r))).collect(), name, c)?;
            frame::legend(&mut chart, SeriesLabelPosition::LowerRight)
        };
        rate("Messages sent", "datagrams/s", "datagrams sent per second", |r| r.packets, 0)?;
        rate("Bytes sent", "KiB/s", "KiB sent per second", |r| r.bytes / 1024.0, 1)?;
        let top = s.rates.iter().flat_map(|r| r.drops).fold(0.0, f64::max);
        let y = frame::up_to(top);
        let axes = Axes { title: "Drops by reason", x_desc: "time (s)", y_desc: "datagrams/s", x, y: y.clone() };
        let mut chart = frame::panel(&panels[2], &axes)?;
        frame::shade(&panels[2], &mut chart, &s.windows, 0.0, y)?;
        let mut any = false;
        for (i, reason) in DropReason::ALL.into_iter().enumerate() {
            if s.rates.iter().all(|r| r.drops[reason.index()] == 0.0) {
                continue;
            }
            any = true;
            let c = frame::color(i + 1);
            let points = s.rates.iter().map(|r| (r.t, r.drops[reason.index()])).collect();
            frame::line(&mut chart, points, &format!("dropped: {}", reason.as_str()), c)?;
        }
        if !any {
            frame::note(&mut chart, "no datagram dropped in this session")?;
        }
        frame::legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
