//! A long simulated session on disk, for the benches that read saved logs
//! (replay seek, plot): written by the release binary exactly as a user
//! would make one (`gossip-lab run --sim PROFILE --export DIR`).

#![allow(dead_code)] // each bench uses a different subset

use std::path::PathBuf;
use std::process::Command;

/// The profile: `nodes` nodes for `secs` virtual seconds on the fast
/// preset, with a little of everything a session holds at steady
/// intervals: a pause every 5 min, a partition every 10 min, a crash and
/// its restart, a rumor every 7 min.
fn profile(nodes: usize, secs: u64) -> String {
    let count = |every: u64, first: u64| (secs.saturating_sub(first + 60) / every).max(1);
    format!(
        r#"name = "bench-session"
description = "A long session for the replay and plot benches."
duration = "{secs}s"

[cluster]
nodes = {nodes}
seed = 11

[protocol]
preset = "fast"
lifeguard = true

[[timeline]]
at = "30s"
action = "pause"
node = 3
for = "20s"
every = "300s"
count = {pauses}

[[timeline]]
at = "60s"
action = "partition"
groups = "halves"
for = "30s"
every = "600s"
count = {partitions}

[[timeline]]
at = "{crash}s"
action = "crash"
node = 7

[[timeline]]
at = "{restart}s"
action = "restart"
node = 7

[[timeline]]
at = "45s"
action = "rumor"
node = 0
payload = "bench"
every = "420s"
count = {rumors}
"#,
        pauses = count(300, 30),
        partitions = count(600, 60),
        rumors = count(420, 45),
        crash = secs / 3,
        restart = secs / 3 + 30,
    )
}

/// A finished session of `nodes` nodes over `secs` virtual seconds, made
/// by the release binary into a fresh directory under the system temp
/// dir; its `session.jsonl`.
pub fn one_hour_session(nodes: usize, secs: u64) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gossip-lab-bench-session-{nodes}-{secs}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    let profile_path = dir.join("profile.toml");
    std::fs::write(&profile_path, profile(nodes, secs)).expect("write the profile");
    let export = dir.join("export");
    let status = Command::new(env!("CARGO_BIN_EXE_gossip-lab"))
        .args(["run", "--sim"])
        .arg(&profile_path)
        .arg("--export")
        .arg(&export)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run gossip-lab");
    // A scripted run exits 1 when an expectation fails; the profile sets
    // none, so anything but success is a broken run.
    assert!(status.success(), "gossip-lab run --sim failed: {status}");
    export.join("session.jsonl")
}
