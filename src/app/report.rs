//! `gossip-lab report`: the summary of a saved session log, recomputed by
//! the same fold the live observer used.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, bail};

use crate::config::parse_profile;
use crate::observe::record::{FORMAT, Record, parse_addr};
use crate::observe::{Line, Session, Summary};
use crate::runtime::launch::session_spec;

/// Reads `path` and recomputes its summary.
pub fn summarize(path: &Path) -> anyhow::Result<Summary> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = BufReader::new(file).lines().enumerate();
    let (_, first) = lines.next().with_context(|| format!("{} is empty", path.display()))?;
    let first: Line = serde_json::from_str(&first?)
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
    let mut session = Session::new(session_spec(&config, &header.driver), &addrs);
    for (i, line) in lines {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(&line) {
            Ok(l) => session.apply(&l),
            // Newer kinds are skipped; anything else is a damaged log.
            Err(e) if e.to_string().contains("unknown variant") => {}
            Err(e) => bail!("{}:{}: {e}", path.display(), i + 1),
        }
    }
    Ok(session.summary())
}
