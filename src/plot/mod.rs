//! `gossip-lab plot`: a saved session drawn as SVG charts, and an
//! `index.html` that lays them out beside the report's text.
//!
//! - [`series`]: the time series, sampled from the one fold
//!   ([`crate::observe::Session`]) of the log's lines; pure and tested.
//! - [`windows`]: the fault windows every chart shades.
//! - [`frame`]: what every chart shares (canvas, time axis, shading,
//!   legend, the "none in this session" note).
//! - one module per chart: [`agreement`], [`detection`], [`rumors`],
//!   [`traffic`], [`suspicions`], [`membership`]; and [`compare`], the
//!   chart of two sessions of a comparison ([`write_compare`]).
//! - [`index`]: the HTML page.
//!
//! The reading of the log stays in [`crate::app`] (its one reader), which
//! hands this module the fresh session, the lines and the report's text:
//! so `plot` needs nothing from `app`, and `app` dispatches to it.
//! Every chart is written, even an empty one, so the set of files is the
//! same for every session.

pub mod agreement;
pub mod compare;
pub mod detection;
pub mod frame;
pub mod index;
pub mod membership;
pub mod rumors;
pub mod series;
pub mod suspicions;
pub mod traffic;
pub mod windows;

use std::path::{Path, PathBuf};

use self::series::Series;
use crate::observe::{Line, Session};

/// Why charts could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The drawing library refused (a bug here, not in the session).
    #[error("drawing a chart: {0}")]
    Draw(String),
    /// A file could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A chart: its file name, its heading in `index.html`, and how it is drawn.
pub struct ChartSpec {
    /// File name in the output directory.
    pub file: &'static str,
    /// Heading in `index.html`.
    pub heading: &'static str,
    /// Draws it as an SVG document.
    pub draw: fn(&Series) -> Result<String, PlotError>,
}

/// Every chart `plot` writes, in page order.
pub const CHARTS: [ChartSpec; 6] = [
    ChartSpec { file: "agreement.svg", heading: "Agreement and accuracy", draw: agreement::draw },
    ChartSpec { file: "detection.svg", heading: "Crash detection against the model", draw: detection::draw },
    ChartSpec { file: "rumors.svg", heading: "Rumor spread against the model", draw: rumors::draw },
    ChartSpec { file: "traffic.svg", heading: "Message and byte rates, drops by reason", draw: traffic::draw },
    ChartSpec { file: "suspicions.svg", heading: "Active suspicions and health scores", draw: suspicions::draw },
    ChartSpec { file: "membership.svg", heading: "Membership heat map", draw: membership::draw },
];

/// Folds `lines` into `session` (fresh, before any line), draws every
/// chart into `out_dir` (created if missing), and writes `index.html`
/// with `report` as its text. Returns the files written, in order.
pub fn write_all(session: Session, lines: &[Line], report: &str, out_dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let title = {
        let spec = session.spec();
        format!(
            "{} ({}, {}, seed {})",
            spec.profile,
            spec.driver,
            crate::scenario::plural(session.addrs().len(), "node"),
            spec.seed
        )
    };
    let series = series::sample(session, lines);
    let write = |name: &str, text: &str| -> Result<PathBuf, PlotError> {
        let path = out_dir.join(name);
        std::fs::write(&path, text).map_err(|source| PlotError::Write { path: path.clone(), source })?;
        Ok(path)
    };
    std::fs::create_dir_all(out_dir).map_err(|source| PlotError::Write { path: out_dir.to_path_buf(), source })?;
    let mut written = Vec::new();
    for chart in &CHARTS {
        written.push(write(chart.file, &(chart.draw)(&series)?)?);
    }
    written.push(write("index.html", &index::page(&title, report, &CHARTS))?);
    Ok(written)
}

/// Draws the comparison chart of two sessions (A and B of `gossip-lab
/// compare`) into `out_dir/compare.svg`; each side's own charts are
/// written by [`write_all`] beside it. Returns the file written.
pub fn write_compare(
    a: (&str, Session, &[Line]),
    b: (&str, Session, &[Line]),
    out_dir: &Path,
) -> Result<PathBuf, PlotError> {
    let (sa, sb) = (series::sample(a.1, a.2), series::sample(b.1, b.2));
    let svg = compare::draw((a.0, &sa), (b.0, &sb))?;
    std::fs::create_dir_all(out_dir).map_err(|source| PlotError::Write { path: out_dir.to_path_buf(), source })?;
    let path = out_dir.join("compare.svg");
    std::fs::write(&path, svg).map_err(|source| PlotError::Write { path: path.clone(), source })?;
    Ok(path)
}
