//! What a run saves besides its section (`runtime.jsonl`,
//! `runtime-meta.json`), and the report written again from it
//! (`GL_BENCH_REPORT_AGAIN=1`) after a change to the report alone, without
//! measuring for another hour.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cases::Role;
use crate::figures::Row;
use crate::peers::{IMPLS, Peers, parse_lines};
use crate::record::results_dir;
use crate::report::Report;
use crate::results::{LabRun, Line, SimRun};
use crate::{Options, write};

/// A run's circumstances, which its JSON lines do not hold.
#[derive(Debug, Serialize, Deserialize)]
pub struct Meta {
    /// When and at which commit (`record::recorded`).
    pub recorded: String,
    pub load_before: String,
    pub load_after: String,
    pub took_s: u64,
    pub peer_notes: Vec<String>,
    pub peers_skipped: Option<String>,
    /// The syscall floor's costs per size, each time this run measured
    /// them; empty in a run saved before the runtime bench measured it.
    #[serde(default)]
    pub floor: Vec<crate::floor::Costs>,
}

/// Writes `runtime.jsonl` in `dir`: every lab run, then the simulated ones.
pub fn write_lines(dir: &Path, labs: &[&LabRun], sim: &[SimRun]) {
    let mut jsonl = String::new();
    let lines = labs
        .iter()
        .map(|run| Line::Lab(Box::new((*run).clone())))
        .chain(sim.iter().map(|run| Line::Sim { implementation: "gossip-lab-sim".into(), result: run.clone() }));
    for line in lines {
        jsonl.push_str(&serde_json::to_string(&line).expect("a result serializes"));
        jsonl.push('\n');
    }
    write(&dir.join("runtime.jsonl"), &jsonl);
}

/// Writes `runtime.md` again from a full run's saved files: its
/// `runtime.jsonl`, `runtime-meta.json` and the peers' JSON lines.
pub fn report_again(opts: Options) {
    let dir = results_dir(false);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let meta: Meta = serde_json::from_str(&read("runtime-meta.json")).expect("runtime-meta.json");
    let (mut groups, mut detect, mut long, mut sim) = (Vec::<Vec<LabRun>>::new(), Vec::new(), None, Vec::new());
    for (i, line) in read("runtime.jsonl").lines().enumerate() {
        let line: Line = serde_json::from_str(line).unwrap_or_else(|e| panic!("runtime.jsonl line {}: {e}", i + 1));
        let run = match line {
            Line::Sim { result, .. } => {
                sim.push(result);
                continue;
            }
            Line::Lab(run) => *run,
        };
        match run.role {
            Role::Scale => match groups.last_mut() {
                Some(g) if g[0].preset == run.preset && g[0].n == run.n => g.push(run),
                _ => groups.push(vec![run]),
            },
            Role::Detect => detect.push(run),
            Role::Long => long = Some(run),
        }
    }
    let ours: Vec<Row> = groups.iter().map(|g| Row::of(g)).collect();
    let lines = |name: &str| std::fs::read_to_string(dir.join(name)).map(|t| parse_lines(&t)).unwrap_or_default();
    let mut peers = Peers {
        skipped: meta.peers_skipped.clone(),
        lines: Vec::new(),
        repeats: Vec::new(),
        notes: meta.peer_notes.clone(),
    };
    for imp in IMPLS {
        peers.lines.extend(lines(&format!("{imp}.jsonl")));
        for k in 2..=opts.peer_runs {
            peers.repeats.extend(lines(&format!("{imp}-run-{k}.jsonl")));
        }
    }
    let report = Report { opts: &opts, ours: &ours, detect: &detect, long: long.as_ref(), sim: &sim, peers: &peers };
    report.write(&meta, &dir);
    eprintln!("wrote {} again from the saved results", dir.join("runtime.md").display());
}
