//! `gossip-lab report`: the summary of a saved session log, recomputed by
//! the same fold the live observer used, and how the log ends.
//!
//! A line is a line once its newline is there (see
//! [`crate::observe::lines`]): a fragment at the end of the file without
//! one is a line cut by a kill, or one still being written by a live run,
//! and is skipped and reported, never parsed. A log without its summary
//! line is incomplete: its writer never finished it, so `report` says
//! where it ends, judges only what its lines can settle, and fails.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, bail};

use crate::config::parse_profile;
use crate::engine::journal::session_spec;
use crate::observe::record::{FORMAT, Record, parse_addr};
use crate::observe::summary::LogState;
use crate::observe::{Line, Session, Summary};

/// The longest line `report` reads: far above the largest record the lab
/// writes (a metrics line for thousands of nodes), low enough that a
/// damaged file cannot make it buffer gigabytes in search of a newline.
const MAX_LINE: usize = 256 << 20;

/// The whole lines of a file, and whether it ended in a fragment.
struct WholeLines<R> {
    reader: R,
    number: usize,
    torn: bool,
}

impl<R: BufRead> WholeLines<R> {
    /// The next newline-terminated line (without its newline) and its
    /// 1-based number; None at the end, or at an unterminated tail, which
    /// sets `torn`.
    fn next(&mut self) -> anyhow::Result<Option<(usize, String)>> {
        let mut buf = Vec::new();
        let n = std::io::Read::take(&mut self.reader, MAX_LINE as u64 + 1).read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        if buf.last() != Some(&b'\n') {
            if n > MAX_LINE {
                bail!("line {} is longer than {} MiB: this is not a session log", self.number, MAX_LINE >> 20);
            }
            self.torn = true;
            return Ok(None);
        }
        buf.pop();
        let text = String::from_utf8(buf).with_context(|| format!("line {} is not UTF-8", self.number))?;
        Ok(Some((self.number, text)))
    }
}

/// Reads `path`, recomputes its summary, and records how the log ends in
/// the summary's `log` field; an incomplete log never passes.
pub fn summarize(path: &Path) -> anyhow::Result<Summary> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = WholeLines { reader: BufReader::new(file), number: 0, torn: false };
    let Some((_, first)) = lines.next().with_context(|| format!("reading {}", path.display()))? else {
        if lines.torn {
            bail!("{} holds no whole line: it was cut before its header was complete", path.display());
        }
        bail!("{} is empty", path.display());
    };
    let first: Line = serde_json::from_str(&first)
        .with_context(|| format!("{}:1 is not a gossip-lab session header", path.display()))?;
    let Record::Session(header) = first.record else {
        bail!("{}:1 is a \"{:?}\" line; a session log starts with a session header", path.display(), first.record)
    };
    if header.format > FORMAT {
        bail!(
            "{} is format {}; this gossip-lab reads up to format {FORMAT}: upgrade gossip-lab",
            path.display(),
            header.format
        );
    }
    let mut profile = header.profile.clone();
    let source = profile.as_object_mut().and_then(|o| o.remove("source")).and_then(|v| v.as_str().map(String::from));
    let toml_text = toml::to_string(&profile).context("the header's profile is not a table")?;
    let config = parse_profile(source.as_deref().unwrap_or("session header"), &toml_text)
        .context("the session header's profile does not validate")?;
    let addrs = header
        .addrs
        .iter()
        .map(|a| parse_addr(a).with_context(|| format!("bad node address {a:?} in the header")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut session = Session::new(session_spec(&config, &header.driver, header.mode), &addrs);
    let mut complete = false;
    while let Some((i, line)) = lines.next().with_context(|| format!("reading {}", path.display()))? {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(&line) {
            Ok(l) => {
                complete |= matches!(l.record, Record::Summary(_));
                session.apply(&l);
            }
            // Newer kinds are skipped; anything else is a damaged log.
            Err(e) if e.to_string().contains("unknown variant") => {}
            Err(e) => bail!("{}:{i}: {e}", path.display()),
        }
    }
    let mut summary = session.summary();
    summary.passed &= complete;
    summary.log =
        Some(LogState { complete, ends_at_s: session.end().since_epoch().as_secs_f64(), torn_last_line: lines.torn });
    Ok(summary)
}

/// What `report` says on stderr about a log that is not whole: the reader
/// of its stdout (a JSON consumer, say) gets the same in the `log` field.
pub fn notes(path: &Path, summary: &Summary) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(log) = &summary.log else { return notes };
    if log.torn_last_line {
        notes.push(format!("{}: the last line is cut mid-line (no newline); it was skipped", path.display()));
    }
    if !log.complete {
        let mut note =
            format!("{} is incomplete: it has no summary line and ends at {:.2}s", path.display(), log.ends_at_s);
        let unjudged: Vec<&str> = summary.cut.iter().flat_map(|c| &c.unjudged).map(|u| u.name.as_str()).collect();
        if !unjudged.is_empty() {
            note.push_str(&format!("; not judged: {}", unjudged.join(", ")));
        }
        notes.push(note);
    }
    notes
}
