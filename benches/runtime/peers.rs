//! The peer baselines (`../shared/peers/{memberlist,foca}/run.sh`): running
//! them with our sizes and configs, and finding their figures to put beside
//! ours.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Deserialize;

use crate::figures::{Figure, Figures, Stats, stats};
use crate::record::load;
use crate::{Options, env, write};

/// The peers, each a directory with a `run.sh` under `../shared/peers`.
pub const IMPLS: [&str; 2] = ["memberlist", "foca"];

/// One line a peer's script prints: a run at one (config, N).
#[derive(Clone, Debug, Deserialize)]
pub struct PeerRun {
    /// `memberlist` or `foca`.
    #[serde(rename = "impl")]
    pub implementation: String,
    pub config: String,
    pub n: usize,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Every peer run of this bench, or why there were none.
pub struct Peers {
    /// Why they were not run, if they were not.
    pub skipped: Option<String>,
    /// The scale run: one line per (implementation, config, N).
    pub lines: Vec<PeerRun>,
    /// Further `default` runs at every size.
    pub repeats: Vec<PeerRun>,
    /// Per implementation: wall seconds, load before, or the failure.
    pub notes: Vec<String>,
}

impl Peers {
    /// No peer runs, for `why`.
    pub fn skipped(why: &str) -> Peers {
        eprintln!("peers skipped: {why}");
        Peers { skipped: Some(why.into()), lines: Vec::new(), repeats: Vec::new(), notes: Vec::new() }
    }

    /// Every run of `imp` at (`config`, `n`): the scale run, plus the
    /// repeats for `default`.
    fn runs<'a>(&'a self, imp: &'a str, config: &'a str, n: usize) -> impl Iterator<Item = &'a PeerRun> {
        self.lines
            .iter()
            .chain(&self.repeats)
            .filter(move |r| r.implementation == imp && r.config == config && r.n == n)
    }

    /// `imp`'s figures for (`config`, `n`): the medians over its runs there.
    pub fn find(&self, imp: &str, config: &str, n: usize) -> Option<Figures> {
        let runs: Vec<Figures> = self.runs(imp, config, n).map(|r| r.figures).collect();
        (!runs.is_empty()).then(|| Figures::median(&runs))
    }

    /// The median of one figure over every `default` run of `imp` at `n`,
    /// and how many runs had it.
    pub fn detect_median(&self, imp: &str, n: usize, figure: Figure) -> Option<Stats> {
        stats(self.runs(imp, "default", n).map(|r| figure(&r.figures)))
    }
}

/// Runs both peers at the scale and detection sizes, `opts.peer_runs`
/// times for `default`; their raw lines go to `out_dir`.
pub fn run_peers(opts: &Options, out_dir: &Path) -> Peers {
    let dir = env("GL_BENCH_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers"));
    if !dir.join("memberlist/run.sh").exists() || !dir.join("foca/run.sh").exists() {
        return Peers::skipped(&format!(
            "{} has no memberlist/run.sh and foca/run.sh (a clone without ../shared): no comparison",
            dir.display()
        ));
    }
    // The scale sizes, plus the detection sizes for the detection table.
    let mut all: Vec<usize> = opts.sizes.iter().chain(&opts.detect_sizes).copied().collect();
    all.sort_unstable();
    all.dedup();
    let sizes = all.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let configs = opts.presets.iter().map(|p| p.peer_config()).collect::<Vec<_>>().join(",");
    let mut peers = Peers { skipped: None, lines: Vec::new(), repeats: Vec::new(), notes: Vec::new() };
    for imp in &opts.peer_impls {
        let imp = imp.as_str();
        let script = dir.join(imp).join("run.sh");
        if let Some(lines) = run_peer(&script, imp, &sizes, &configs, &out_dir.join(imp), &mut peers.notes) {
            peers.lines.extend(lines);
        }
        for k in 2..=opts.peer_runs {
            let tag = format!("{imp}-run-{k}");
            if let Some(lines) = run_peer(&script, &tag, &sizes, "default", &out_dir.join(&tag), &mut peers.notes) {
                peers.repeats.extend(lines);
            }
        }
    }
    peers
}

/// The runs in a peer's JSON lines; lines that are no run are skipped.
pub fn parse_lines(text: &str) -> Vec<PeerRun> {
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// One run of a peer's script: its JSON lines (also written to
/// `{out}.jsonl`, its progress to `{out}.log`), with a note of how it went.
fn run_peer(
    script: &Path,
    tag: &str,
    sizes: &str,
    configs: &str,
    out: &Path,
    notes: &mut Vec<String>,
) -> Option<Vec<PeerRun>> {
    let l = load();
    eprintln!("  peer {tag}: N={sizes} CONFIGS={configs} (load {l}; its progress goes to {}.log) ...", out.display());
    let log = std::fs::File::create(out.with_extension("log")).expect("peer log");
    let start = Instant::now();
    let output = Command::new(script)
        .env("N", sizes)
        .env("CONFIGS", configs)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .output();
    let wall = start.elapsed().as_secs();
    match output {
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout).to_string();
            write(&out.with_extension("jsonl"), &text);
            let lines = parse_lines(&text);
            eprintln!("    {} lines in {wall} s ({})", lines.len(), o.status);
            notes.push(format!(
                "{tag} (N = {sizes}, {configs}): {} runs in {wall} s, load {l} at start, exit {}",
                lines.len(),
                o.status.code().map_or("signal".into(), |c| c.to_string())
            ));
            Some(lines)
        }
        Err(e) => {
            notes.push(format!("{tag}: could not run: {e}"));
            None
        }
    }
}
