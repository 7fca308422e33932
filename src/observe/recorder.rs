//! Writing a session to disk: `session.jsonl` streamed as it happens,
//! `metrics.csv` alongside it, and `summary.json` at the end.
//!
//! Lines go through a buffered writer that the observer flushes every
//! second and on every exit path, so a session the user asked for is
//! complete on disk even when the lab stops with an error.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::record::{Line, MetricsRecord, Record};
use super::summary::Summary;

/// The session log file name in an export directory.
pub const SESSION_FILE: &str = "session.jsonl";
/// The summary file name.
pub const SUMMARY_FILE: &str = "summary.json";
/// The metrics time series file name.
pub const METRICS_FILE: &str = "metrics.csv";

const CSV_HEADER: &str = "t_s,node,agreement,accuracy,health,incarnation,queue,sent_packets,sent_bytes,\
received_packets,received_bytes,dropped_packets,rejected_packets\n";

/// Streams a session into a directory.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    session: BufWriter<File>,
    csv: BufWriter<File>,
}

impl Recorder {
    /// Creates `dir` (if needed) and starts `session.jsonl` and `metrics.csv` there.
    pub fn create(dir: &Path) -> io::Result<Recorder> {
        fs::create_dir_all(dir)?;
        let session = BufWriter::new(File::create(dir.join(SESSION_FILE))?);
        let mut csv = BufWriter::new(File::create(dir.join(METRICS_FILE))?);
        csv.write_all(CSV_HEADER.as_bytes())?;
        Ok(Recorder { dir: dir.to_path_buf(), session, csv })
    }

    /// The directory being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one line (and, for metrics records, the CSV rows).
    pub fn write(&mut self, line: &Line) -> io::Result<()> {
        serde_json::to_writer(&mut self.session, line)?;
        self.session.write_all(b"\n")?;
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
        if fs::canonicalize(to)? == fs::canonicalize(&self.dir)? {
            // Exporting onto the live recording: write the files beside it.
            let mut copy = BufWriter::new(File::create(to.join("session-export.jsonl"))?);
            io::copy(&mut File::open(self.dir.join(SESSION_FILE))?, &mut copy)?;
            append_summary(&mut copy, t_ms, summary)?;
            copy.flush()?;
        } else {
            let mut copy = BufWriter::new(File::create(to.join(SESSION_FILE))?);
            io::copy(&mut File::open(self.dir.join(SESSION_FILE))?, &mut copy)?;
            append_summary(&mut copy, t_ms, summary)?;
            copy.flush()?;
            fs::copy(self.dir.join(METRICS_FILE), to.join(METRICS_FILE))?;
        }
        write_summary(to, summary)
    }
}

fn append_summary(out: &mut impl Write, t_ms: f64, summary: &Summary) -> io::Result<()> {
    let line = Line { t_ms, record: Record::Summary(Box::new(summary.clone())) };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// Writes `summary.json` into `dir`.
pub fn write_summary(dir: &Path, summary: &Summary) -> io::Result<()> {
    let mut f = BufWriter::new(File::create(dir.join(SUMMARY_FILE))?);
    serde_json::to_writer_pretty(&mut f, summary)?;
    f.write_all(b"\n")?;
    f.flush()
}

fn write_csv(out: &mut impl Write, t_s: f64, m: &MetricsRecord) -> io::Result<()> {
    writeln!(out, "{t_s:.3},cluster,{:.4},{:.4},,,,,,,,,", m.agreement, m.accuracy)?;
    for n in &m.nodes {
        let t = &n.traffic;
        let (s, r, d, x) = (t.sent_total(), t.received_total(), t.dropped_total(), t.rejected_total());
        writeln!(
            out,
            "{t_s:.3},{},,,{},{},{},{},{},{},{},{},{}",
            n.node, n.health, n.incarnation, n.queue, s.packets, s.bytes, r.packets, r.bytes, d.packets, x.packets
        )?;
    }
    Ok(())
}
