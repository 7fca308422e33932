//! Chart: the membership heat map. Subject × time, each cell shaded by
//! the share of up observers that held the subject alive in that time bin
//! (the bins come from [`super::series`]). Past [`MAX_ROWS`] subjects,
//! neighbours are grouped into one row, so the drawing stays bounded
//! whatever N and the session's length.

use plotters::prelude::*;

use super::PlotError;
use super::frame::{self, Axes, SIZE};
use super::series::Series;

/// At most this many rows: past it, subjects are grouped.
pub const MAX_ROWS: usize = 256;
/// Shades of a cell: shares are rounded to this many steps, so equal
/// neighbours in a row merge into one rectangle.
const LEVELS: f32 = 20.0;

/// A share's colour: red (held alive by none) through yellow to green
/// (by every up observer).
pub fn share_color(share: f32) -> RGBColor {
    let stops = [(215.0, 48.0, 39.0), (254.0, 224.0, 139.0), (26.0, 152.0, 80.0)];
    let x = share.clamp(0.0, 1.0) * 2.0;
    let (a, b, f) = if x <= 1.0 { (stops[0], stops[1], x) } else { (stops[1], stops[2], x - 1.0) };
    let mix = |p: f32, q: f32| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Each row's shade per time bin: (level, or None where no subject of the
/// row existed yet), for rows of `group` subjects each.
pub fn rows(s: &Series, group: usize) -> Vec<Vec<Option<u8>>> {
    let n = s.heat.columns.iter().map(Vec::len).max().unwrap_or(0);
    (0..n.div_ceil(group))
        .map(|r| {
            s.heat
                .columns
                .iter()
                .map(|col| {
                    let cells: Vec<f32> = col.iter().skip(r * group).take(group).flatten().copied().collect();
                    (!cells.is_empty()).then(|| (cells.iter().sum::<f32>() / cells.len() as f32 * LEVELS).round() as u8)
                })
                .collect()
        })
        .collect()
}

/// The SVG of the heat map.
pub fn draw(s: &Series) -> Result<String, PlotError> {
    let n = s.heat.columns.iter().map(Vec::len).max().unwrap_or(0);
    let group = n.div_ceil(MAX_ROWS).max(1);
    let rows = rows(s, group);
    let top = (n.max(1)) as f64;
    let band = top..top * 1.22;
    frame::svg(SIZE, |root| {
        let y_desc = if group > 1 { format!("node ({group} per row)") } else { "node".to_string() };
        let title = "Membership: share of up observers holding each node alive";
        let axes = Axes { title, x_desc: "time (s)", y_desc: &y_desc, x: frame::session_x(s.end), y: 0.0..band.end };
        let mut chart = frame::panel(root, &axes)?;
        let bin = s.heat.bin;
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let (y0, y1) = ((r * group) as f64, ((r + 1) * group).min(n) as f64);
            let mut i = 0;
            while i < row.len() {
                let j = (i..row.len()).find(|&j| row[j] != row[i]).unwrap_or(row.len());
                if let Some(level) = row[i] {
                    let color = share_color(f32::from(level) / LEVELS);
                    cells.push(Rectangle::new([(i as f64 * bin, y0), (j as f64 * bin, y1)], color.filled()));
                }
                i = j;
            }
        }
        frame::drawn(chart.draw_series(cells))?;
        let end = frame::shade(root, &mut chart, &s.windows, 0.0, band)?;
        if rows.is_empty() {
            return frame::note(&mut chart, "no node in this session");
        }
        // The shade scale, in the key row after the faults.
        let scale: Vec<(String, RGBColor)> =
            [("held alive by:", 0.0), ("every up node", 1.0), ("half", 0.5), ("none", 0.0)]
                .into_iter()
                .map(|(name, share)| (name.to_string(), share_color(share)))
                .collect();
        frame::key(root, end + 30, &scale)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_run_from_red_to_green() {
        assert_eq!(share_color(0.0), RGBColor(215, 48, 39));
        assert_eq!(share_color(0.5), RGBColor(254, 224, 139));
        assert_eq!(share_color(1.0), RGBColor(26, 152, 80));
    }
}
