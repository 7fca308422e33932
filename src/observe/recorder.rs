//! Writing a session to disk: `session.jsonl` streamed as it happens,
//! `metrics.csv` alongside it, and `summary.json` at the end.
//!
//! Lines go through a [`LineFile`], which the observer flushes every
//! second and on every exit path: the kernel only ever gets whole lines,
//! so a session killed at any moment ends on a whole line, and a session
//! stopped any other way (a signal, an error) is complete on disk.
//! `summary.json` and exports are written beside their final name and
//! renamed into place, so they exist whole or not at all.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::lines::LineFile;
use super::record::{Line, MetricsRecord, Record};
use super::summary::Summary;

/// The session log file name in an export directory.
pub const SESSION_FILE: &str = "session.jsonl";
/// The summary file name.
pub const SUMMARY_FILE: &str = "summary.json";
/// The metrics time series file name.
pub const METRICS_FILE: &str = "metrics.csv";

const CSV_HEADER: &str = "t_s,node,agreement,accuracy,health,incarnation,queue,sent_packets,sent_bytes,\
received_packets,received_bytes,dropped_packets,rejected_packets";

/// Streams a session into a directory.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    session: LineFile,
    csv: LineFile,
}

impl Recorder {
    /// Creates `dir` (if needed) and starts `session.jsonl` and `metrics.csv` there.
    pub fn create(dir: &Path) -> io::Result<Recorder> {
        fs::create_dir_all(dir)?;
        let session = LineFile::create(&dir.join(SESSION_FILE))?;
        let mut csv = LineFile::create(&dir.join(METRICS_FILE))?;
        csv.line(|b| {
            b.extend_from_slice(CSV_HEADER.as_bytes());
            Ok(())
        })?;
        Ok(Recorder { dir: dir.to_path_buf(), session, csv })
    }

    /// The directory being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one line (and, for metrics records, the CSV rows).
    pub fn write(&mut self, line: &Line) -> io::Result<()> {
        self.session.line(|b| serde_json::to_writer(b, line).map_err(io::Error::from))?;
        if let Record::Metrics(m) = &line.record {
            write_csv(&mut self.csv, line.t_ms / 1000.0, m)?;
        }
        Ok(())
    }

    /// Pushes everything buffered to disk.
    pub fn flush(&mut self) -> io::Result<()> {
        self.session.flush()?;
        self.csv.flush()
    }

    /// Ends the session: the summary as the last line and as `summary.json`.
    pub fn finish(&mut self, t_ms: f64, summary: &Summary) -> io::Result<()> {
        let line = Line { t_ms, record: Record::Summary(Box::new(summary.clone())) };
        self.write(&line)?;
        self.flush()?;
        write_summary(&self.dir, summary)
    }

    /// Writes a complete export of the session so far into `to`: the log
    /// with the current summary as its last line, the metrics and the
    /// summary. Recording continues in the original directory.
    pub fn export(&mut self, to: &Path, t_ms: f64, summary: &Summary) -> io::Result<()> {
        self.flush()?;
        fs::create_dir_all(to)?;
        // Exporting onto the live recording: write the log beside it.
        let onto_live = fs::canonicalize(to)? == fs::canonicalize(&self.dir)?;
        let name = if onto_live { "session-export.jsonl" } else { SESSION_FILE };
        write_whole(&to.join(name), |out| {
            io::copy(&mut File::open(self.dir.join(SESSION_FILE))?, out)?;
            let line = Line { t_ms, record: Record::Summary(Box::new(summary.clone())) };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")
        })?;
        if !onto_live {
            write_whole(&to.join(METRICS_FILE), |out| {
                io::copy(&mut File::open(self.dir.join(METRICS_FILE))?, out).map(drop)
            })?;
        }
        write_summary(to, summary)
    }
}

/// Writes `summary.json` into `dir`.
pub fn write_summary(dir: &Path, summary: &Summary) -> io::Result<()> {
    write_whole(&dir.join(SUMMARY_FILE), |out| {
        serde_json::to_writer_pretty(&mut *out, summary)?;
        out.write_all(b"\n")
    })
}

/// Writes `path` whole or not at all: into a temporary file beside it,
/// renamed over it once complete, so a reader (or a kill) never meets a
/// half-written file under the final name.
fn write_whole(path: &Path, fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut out = BufWriter::new(File::create(&tmp)?);
        fill(&mut out)?;
        out.flush()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_csv(out: &mut LineFile, t_s: f64, m: &MetricsRecord) -> io::Result<()> {
    out.line(|b| write!(b, "{t_s:.3},cluster,{:.4},{:.4},,,,,,,,,", m.agreement, m.accuracy))?;
    for n in &m.nodes {
        let t = &n.traffic;
        let (s, r, d, x) = (t.sent_total(), t.received_total(), t.dropped_total(), t.rejected_total());
        out.line(|b| {
            write!(
                b,
                "{t_s:.3},{},,,{},{},{},{},{},{},{},{},{}",
                n.node, n.health, n.incarnation, n.queue, s.packets, s.bytes, r.packets, r.bytes, d.packets, x.packets
            )
        })?;
    }
    Ok(())
}
