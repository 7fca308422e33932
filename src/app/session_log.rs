//! Reading a saved session log: the one reader behind `report`, `replay`
//! and `plot`, so all three accept the same files and refuse the same
//! damage with the same words.
//!
//! A line is a line once its newline is there (see
//! [`crate::observe::lines`]): a fragment at the end of the file without
//! one is a line cut by a kill, or one still being written by a live run,
//! and is skipped and reported, never parsed. A log without its summary
//! line is incomplete: its writer never finished it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::parse_profile;
use crate::engine::journal::session_spec;
use crate::observe::record::{FORMAT, Header, Record, parse_addr};
use crate::observe::recording::Recording;
use crate::observe::summary::LogState;
use crate::observe::{Line, Session, SessionSpec};
use crate::protocol::NodeAddr;

/// The longest line the reader takes: far above the largest record the lab
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

/// A saved session log, read whole: its header, the spec and addresses a
/// [`Session`] needs, every line after the header, and how the file ends.
#[derive(Debug)]
pub struct SessionLog {
    /// Where it was read from.
    pub path: PathBuf,
    /// The header line.
    pub header: Header,
    /// What the session was about, rebuilt from the header's profile.
    pub spec: SessionSpec,
    /// Node addresses at start, by index.
    pub addrs: Vec<NodeAddr>,
    /// Every line after the header, in file (time) order.
    pub lines: Vec<Line>,
    /// How the file ends: complete or not, where, torn or not.
    pub state: LogState,
    /// Lines of kinds newer than this build, skipped.
    pub skipped: usize,
}

impl SessionLog {
    /// Reads `path`. Fails on a file that is no session log, a newer
    /// format, or a damaged line; a torn last line or a missing summary
    /// line is no failure but is recorded in [`SessionLog::state`].
    pub fn read(path: &Path) -> anyhow::Result<SessionLog> {
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
        let source =
            profile.as_object_mut().and_then(|o| o.remove("source")).and_then(|v| v.as_str().map(String::from));
        let toml_text = toml::to_string(&profile).context("the header's profile is not a table")?;
        let config = parse_profile(source.as_deref().unwrap_or("session header"), &toml_text)
            .context("the session header's profile does not validate")?;
        let addrs = header
            .addrs
            .iter()
            .map(|a| parse_addr(a).with_context(|| format!("bad node address {a:?} in the header")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let spec = session_spec(&config, &header.driver, header.mode);
        let mut body = Vec::new();
        let mut complete = false;
        let mut skipped = 0;
        while let Some((i, line)) = lines.next().with_context(|| format!("reading {}", path.display()))? {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Line>(&line) {
                Ok(l) => {
                    complete |= matches!(l.record, Record::Summary(_));
                    body.push(l);
                }
                // Newer kinds are skipped; anything else is a damaged log.
                Err(e) if e.to_string().contains("unknown variant") => skipped += 1,
                Err(e) => bail!("{}:{i}: {e}", path.display()),
            }
        }
        let ends_at_s = body.iter().map(|l| l.time()).max().map_or(0.0, |t| t.since_epoch().as_secs_f64());
        Ok(SessionLog {
            path: path.to_path_buf(),
            header,
            spec,
            addrs,
            lines: body,
            state: LogState { complete, ends_at_s, torn_last_line: lines.torn },
            skipped,
        })
    }

    /// A fresh fold of this session, before any line.
    pub fn session(&self) -> Session {
        Session::new(self.spec.clone(), &self.addrs)
    }

    /// This session made seekable, for a replay.
    pub fn recording(self) -> Recording {
        Recording::new(self.spec, &self.addrs, self.lines)
    }

    /// What this log cannot show, one sentence each: a cut last line,
    /// a missing summary line, kinds too new for this build.
    pub fn notes(&self) -> Vec<String> {
        let path = self.path.display();
        let mut notes = Vec::new();
        if self.state.torn_last_line {
            notes.push(format!("{path}: the last line is cut mid-line (no newline); it was skipped"));
        }
        if !self.state.complete {
            notes
                .push(format!("{path} is incomplete: it has no summary line and ends at {:.2}s", self.state.ends_at_s));
        }
        if self.skipped > 0 {
            notes.push(format!("{path}: {} line(s) of kinds newer than this gossip-lab were skipped", self.skipped));
        }
        notes
    }
}
