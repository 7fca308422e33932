//! What every chart shares: an SVG canvas, a panel with a time axis in
//! seconds, the fault windows shaded and labelled on it, the legend, and
//! the "none in this session" note. One look for all charts, and one
//! place that draws the windows.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::windows::{Kind, Window};

/// Width and height of a chart, pixels.
pub const SIZE: (u32, u32) = (1000, 420);
/// Height of one panel of a chart with several, pixels.
pub const PANEL_HEIGHT: u32 = 300;

/// A panel's drawing area.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A chart with seconds across and a value up.
pub type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Series colours, in order (colour-blind-safe, Okabe–Ito).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// The `i`-th series colour.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A fault window's colour.
pub fn kind_color(kind: Kind) -> RGBColor {
    match kind {
        Kind::Partition => RGBColor(70, 110, 220),
        Kind::Isolation => RGBColor(140, 80, 200),
        Kind::Loss => RGBColor(230, 150, 30),
        Kind::Network => RGBColor(30, 160, 160),
        Kind::Crash => RGBColor(220, 40, 40),
        Kind::Pause => RGBColor(120, 120, 120),
        Kind::Rogue => RGBColor(200, 40, 160),
    }
}

/// Turns a drawing error into ours.
pub fn drawn<T, E: std::fmt::Debug>(r: Result<T, E>) -> Result<T, PlotError> {
    r.map_err(|e| PlotError::Draw(format!("{e:?}")))
}

/// Draws a chart of `size` into an SVG document with `draw`.
pub fn svg(size: (u32, u32), draw: impl FnOnce(&Area) -> Result<(), PlotError>) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        drawn(root.fill(&WHITE))?;
        draw(&root)?;
        drawn(root.present())?;
    }
    Ok(out)
}

/// One panel's axes: what it shows and over which ranges.
pub struct Axes<'s> {
    /// The panel's caption.
    pub title: &'s str,
    /// The time axis's caption.
    pub x_desc: &'s str,
    /// The value axis's caption.
    pub y_desc: &'s str,
    /// Seconds shown across.
    pub x: Range<f64>,
    /// Values shown up.
    pub y: Range<f64>,
}

/// Room under the time axis for the key row, pixels.
const KEY_ROW: u32 = 22;

/// A panel with a time axis in seconds, its mesh drawn, and room under it
/// for the key row ([`key`]).
pub fn panel<'a, 'b>(area: &'a Area<'b>, axes: &Axes) -> Result<Chart<'a, 'b>, PlotError> {
    let x = axes.x.start..axes.x.end.max(axes.x.start + 1e-3);
    let y = axes.y.start..axes.y.end.max(axes.y.start + 1e-9);
    let mut chart = drawn(
        ChartBuilder::on(area)
            .caption(axes.title, ("sans-serif", 18))
            .margin(10)
            .margin_bottom(KEY_ROW)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(x, y),
    )?;
    drawn(
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_desc(axes.x_desc)
            .y_desc(axes.y_desc)
            .draw(),
    )?;
    Ok(chart)
}

/// An axis label: whole numbers without decimals, others with as few as
/// they need.
pub fn tick(v: &f64) -> String {
    if v.fract() == 0.0 || v.abs() >= 100.0 {
        return format!("{v:.0}");
    }
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Draws a key row (a swatch and a name per entry) under the panel in
/// `area`, from `x` pixels; returns where it ended.
pub fn key(area: &Area, mut x: i32, entries: &[(String, RGBColor)]) -> Result<i32, PlotError> {
    let y = area.dim_in_pixel().1 as i32 - KEY_ROW as i32 / 2 - 2;
    for (name, c) in entries {
        // A heading ("faults:") has no swatch.
        let swatch = if name.ends_with(':') { 0 } else { 16 };
        if swatch > 0 {
            drawn(area.draw(&Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.mix(0.5).filled())))?;
        }
        let style = ("sans-serif", 13).into_font().color(&BLACK.mix(0.8)).pos(Pos::new(HPos::Left, VPos::Center));
        drawn(area.draw(&Text::new(name.clone(), (x + swatch, y), style)))?;
        x += swatch + (name.len() as f64 * CHAR_PX) as i32 + 14;
    }
    Ok(x)
}

/// Estimated width of one label character, pixels (SVG text has no
/// metrics until a browser lays it out).
const CHAR_PX: f64 = 6.5;

/// Shades `windows` (in session seconds, shifted left by `offset`) over
/// the value band `band` of the panel in `area`, labels the ones there is
/// room for, and keys each kind shown in the row under the panel; returns
/// where that key row ended, in pixels. Labels go in a few lanes from the
/// band's top, each skipped when it would overlap the previous one in its
/// lane.
pub fn shade(
    area: &Area,
    chart: &mut Chart,
    windows: &[Window],
    offset: f64,
    band: Range<f64>,
) -> Result<i32, PlotError> {
    const LANES: usize = 3;
    const LANE_PX: f64 = 14.0;
    let (x, y) = (chart.x_range(), chart.y_range());
    let (width_px, height_px) = chart.plotting_area().dim_in_pixel();
    let px = (x.end - x.start) / f64::from(width_px.max(1));
    let py = (y.end - y.start) / f64::from(height_px.max(1));
    let clip = |w: &Window| {
        let (a, b) = ((w.start - offset).max(x.start), (w.end - offset).min(x.end));
        // A window shorter than a pixel is still shown, one pixel wide.
        (a <= b).then_some((a, b.max(a + px)))
    };
    let mut keys = Vec::new();
    for kind in Kind::ALL {
        let rects: Vec<Rectangle<(f64, f64)>> = windows
            .iter()
            .filter(|w| w.kind == kind)
            .filter_map(&clip)
            .map(|(a, b)| Rectangle::new([(a, band.start), (b, band.end)], kind_color(kind).mix(0.16).filled()))
            .collect();
        if !rects.is_empty() {
            drawn(chart.draw_series(rects))?;
            keys.push((kind.name().to_string(), kind_color(kind)));
        }
    }
    if !keys.is_empty() {
        keys.insert(0, ("faults:".to_string(), WHITE));
    }
    let lane_h = LANE_PX * py;
    let mut free_from = [f64::NEG_INFINITY; LANES];
    let mut labels = Vec::new();
    for w in windows {
        let Some((a, _)) = clip(w) else { continue };
        let ends = a + (w.label.len() as f64 + 1.0) * CHAR_PX * px;
        // A label that would run off the panel's right edge is left out.
        if ends > x.end {
            continue;
        }
        let Some(lane) = (0..LANES).find(|&l| free_from[l] <= a) else { continue };
        free_from[lane] = ends;
        let y = band.end - lane_h * (lane as f64 + 0.2);
        let style = ("sans-serif", 12).into_font().color(&kind_color(w.kind).mix(0.95));
        labels.push(Text::new(w.label.clone(), (a + 2.0 * px, y), style));
    }
    drawn(chart.draw_series(labels))?;
    key(area, 70, &keys)
}

/// Draws the legend in `position`.
pub fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, position: SeriesLabelPosition) -> Result<(), PlotError> {
    drawn(
        chart
            .configure_series_labels()
            .position(position)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 13))
            .draw(),
    )
}

/// Writes `text` in the middle of the panel: an empty chart still says
/// why it is empty.
pub fn note(chart: &mut Chart, text: &str) -> Result<(), PlotError> {
    let (x, y) = (chart.x_range(), chart.y_range());
    let at = ((x.start + x.end) / 2.0, (y.start + y.end) / 2.0);
    let style = ("sans-serif", 20).into_font().color(&BLACK.mix(0.6)).pos(Pos::new(HPos::Center, VPos::Center));
    drawn(chart.draw_series(std::iter::once(Text::new(text.to_string(), at, style))))?;
    Ok(())
}

/// Past this many points per pixel column pair, a line is drawn as its
/// per-bin mean over a shaded min–max band: a one-hour session has ~7,000
/// samples for ~900 pixels, and a line through all of them is a solid
/// block that hides both the level and the dips.
const POINTS_PER_BIN: usize = 2;
/// Pixels per bin of a dense line.
const BIN_PX: u32 = 3;

/// Bins of `points` (in time order) over `x`: (bin middle, min, mean, max)
/// for each of `bins` equal spans that holds a point.
pub fn envelope(points: &[(f64, f64)], x: Range<f64>, bins: usize) -> Vec<(f64, f64, f64, f64)> {
    let width = (x.end - x.start) / bins.max(1) as f64;
    let mut out: Vec<(usize, f64, f64, f64, usize)> = Vec::new();
    for &(t, v) in points {
        let b = (((t - x.start) / width) as usize).min(bins.saturating_sub(1));
        match out.last_mut() {
            Some(last) if last.0 == b => {
                last.1 = last.1.min(v);
                last.2 += v;
                last.3 = last.3.max(v);
                last.4 += 1;
            }
            _ => out.push((b, v, v, v, 1)),
        }
    }
    out.into_iter().map(|(b, lo, sum, hi, k)| (x.start + (b as f64 + 0.5) * width, lo, sum / k as f64, hi)).collect()
}

/// Draws a time series labelled `name`: as a line, or, when it is denser
/// than the panel can show, as its binned mean over a min–max band (and
/// the label says so).
pub fn line(chart: &mut Chart, points: Vec<(f64, f64)>, name: &str, color: RGBColor) -> Result<(), PlotError> {
    let width = chart.plotting_area().dim_in_pixel().0;
    let bins = (width / BIN_PX).max(1) as usize;
    if points.len() <= bins * POINTS_PER_BIN {
        drawn(chart.draw_series(LineSeries::new(points, color.stroke_width(2))))?.label(name).legend(line_key(color));
        return Ok(());
    }
    let x = chart.x_range();
    let bands = envelope(&points, x.clone(), bins);
    let span = (x.end - x.start) / bins as f64;
    let outline: Vec<(f64, f64)> =
        bands.iter().map(|b| (b.0, b.3)).chain(bands.iter().rev().map(|b| (b.0, b.1))).collect();
    drawn(chart.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.18).filled()))))?;
    drawn(chart.draw_series(LineSeries::new(bands.iter().map(|b| (b.0, b.2)), color.stroke_width(2))))?
        .label(format!("{name} (mean per {span:.prec$} s; band: min to max)", prec = usize::from(span < 10.0)))
        .legend(line_key(color));
    Ok(())
}

/// A legend entry for a line series of `color`.
pub fn line_key(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
}

/// The time axis of a whole-session chart: from 0 to the session's end.
pub fn session_x(end: f64) -> Range<f64> {
    0.0..end.max(1.0)
}

/// A value range from 0 to a little above `max`, with headroom for the
/// fault windows' labels.
pub fn up_to(max: f64) -> Range<f64> {
    0.0..if max > 0.0 { max * 1.25 } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_keeps_each_bins_extremes_and_mean() {
        let points = [(0.1, 1.0), (0.2, 0.0), (0.9, 0.5), (2.5, 0.25)];
        let got = envelope(&points, 0.0..3.0, 3);
        assert_eq!(got, [(0.5, 0.0, 0.5, 1.0), (2.5, 0.25, 0.25, 0.25)]);
    }

    #[test]
    fn ticks_drop_needless_decimals() {
        assert_eq!([tick(&2.0), tick(&0.25), tick(&1500.0), tick(&(0.1 + 0.2))], ["2", "0.25", "1500", "0.3"]);
    }
}
