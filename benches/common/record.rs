//! Where a bench writes its section of BENCHMARKS.md, and the facts every
//! section records with its figures: when, at which commit, under what
//! load. Shared by the benches (each includes it with `#[path]`) so that
//! every section states them the same way.

#![allow(dead_code)] // each bench uses a different subset

use std::path::PathBuf;
use std::process::Command;

/// `target/bench-results` (quick mode: its `quick/`), found from the bench
/// binary's path (`target/release/deps/NAME-HASH`), created if missing.
/// `examples/bench_report.rs` assembles BENCHMARKS.md from it.
pub fn results_dir(quick: bool) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let target = exe.ancestors().nth(3).map(std::path::Path::to_path_buf).unwrap_or_else(|| "target".into());
    let dir = target.join("bench-results");
    let dir = if quick { dir.join("quick") } else { dir };
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// True in quick mode: `BENCH_QUICK=1` or a `--quick` argument.
pub fn quick() -> bool {
    std::env::args().any(|a| a == "--quick") || std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1")
}

/// The 1-minute load average, as `uptime` shows it.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// `uptime`'s three load averages.
pub fn loads() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|_| "?".into())
}

/// "2026-11-21 07:34 UTC at commit `abc1234`": when and what was measured,
/// flagged when the tree had uncommitted changes (BENCHMARKS.md aside).
pub fn recorded() -> String {
    let out = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map_or_else(|| "?".to_string(), |o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let dirty = out("git", &["status", "--porcelain", "--untracked-files=no", "--", ".", ":!BENCHMARKS.md"]);
    format!(
        "{} at commit `{}`{}",
        out("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        out("git", &["rev-parse", "--short", "HEAD"]),
        if dirty.is_empty() || dirty == "?" { "" } else { " (with uncommitted changes)" }
    )
}
