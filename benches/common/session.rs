//! A long simulated session for the benches that read one back (plot,
//! replay): `gossip-lab run --sim --export` on a generated profile, the
//! way a user makes one, so the bench reads what the lab really writes.

#![allow(dead_code)] // each bench uses a different subset

use std::path::PathBuf;
use std::process::Command;

/// The soak cycle (`profiles/soak.toml`) at `nodes` nodes for `secs`
/// seconds: every 120 s a crash, a leave, two restarts, a pause, a
/// partition, an isolation, a loss change and a rumor.
fn profile(nodes: usize, secs: u64) -> String {
    // Cycle k's last step is at 120·k + 110 s; every step must come before
    // the end.
    let count = (secs.saturating_sub(111) / 120 + 1).max(1);
    let step =
        |at: u64, rest: &str| format!("[[timeline]]\nat = \"{at}s\"\n{rest}\nevery = \"120s\"\ncount = {count}\n\n");
    let mut p = format!(
        "name = \"bench-session\"\ndescription = \"soak cycle, {nodes} nodes, {secs} s\"\nduration = \"{secs}s\"\n\n\
         [cluster]\nnodes = {nodes}\nseed = 7\n\n[protocol]\npreset = \"fast\"\nlifeguard = true\n\n\
         [network]\nloss = 0.0\ndelay_ms = 1\njitter_ms = 1\n\n"
    );
    for (at, rest) in [
        (10, "action = \"crash\"\nnode = \"random\""),
        (20, "action = \"leave\"\nnode = \"random\""),
        (40, "action = \"restart\"\nnode = \"random\""),
        (45, "action = \"restart\"\nnode = \"random\""),
        (50, "action = \"pause\"\nnode = \"random\"\nfor = \"3s\""),
        (60, "action = \"partition\"\ngroups = \"halves\"\nfor = \"15s\""),
        (85, "action = \"isolate\"\nnode = \"random\"\nfor = \"5s\""),
        (95, "action = \"set_loss\"\nloss = 0.05"),
        (100, "action = \"rumor\"\nnode = \"random\""),
        (110, "action = \"set_loss\"\nloss = 0.0"),
    ] {
        p.push_str(&step(at, rest));
    }
    p
}

/// The `session.jsonl` of a simulated soak-cycle session of `nodes` nodes
/// lasting `secs` seconds, made by `target/release/gossip-lab run --sim
/// --export` under `target/bench-results/sessions/` (made afresh each
/// call, so it always comes from the current build).
pub fn one_hour_session(nodes: usize, secs: u64) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let target = exe.ancestors().nth(3).map(std::path::Path::to_path_buf).unwrap_or_else(|| "target".into());
    let dir = target.join("bench-results").join("sessions").join(format!("soak-{nodes}-{secs}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    let toml = dir.with_extension("toml");
    std::fs::write(&toml, profile(nodes, secs)).unwrap_or_else(|e| panic!("write {}: {e}", toml.display()));
    let status = Command::new(env!("CARGO_BIN_EXE_gossip-lab"))
        .arg("run")
        .arg(&toml)
        .args(["--sim", "--export"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("running gossip-lab");
    // The run may fail its profile's (absent) expectations only by a
    // convergence judgement; any log it finished is what we want.
    let log = dir.join("session.jsonl");
    assert!(log.exists(), "gossip-lab run --sim exited with {status} and wrote no session");
    log
}
