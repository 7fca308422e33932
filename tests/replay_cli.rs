//! `gossip-lab replay` from the command line, before any screen: a file
//! that is no session log, or one of a newer format, is a clear error
//! with exit 1; what a readable log lacks is said on stderr; and, like the
//! dashboard, it needs a terminal. (The screen itself is
//! `scripts/tui-replay.sh`'s, in tmux.)

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn gossip_lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gossip-lab")).args(args).stdin(Stdio::null()).output().expect("the binary runs")
}

/// A complete simulated session in `dir`.
fn record(dir: &Path) -> String {
    let out = gossip_lab(&["run", "crash-detect", "--sim", "--export", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(dir.join("session.jsonl")).unwrap()
}

fn replay(path: &Path) -> (Option<i32>, String) {
    let out = gossip_lab(&["replay", path.to_str().unwrap()]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_file_that_is_no_session_log_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello\n").unwrap();
    let (code, stderr) = replay(&path);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is not a gossip-lab session header"), "{stderr}");
    let (code, stderr) = replay(&dir.path().join("missing.jsonl"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("opening"), "{stderr}");
}

#[test]
fn a_newer_format_says_to_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let log = record(dir.path());
    let at = log.find("\"format\":").unwrap() + "\"format\":".len();
    let digits = log[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let newer = format!("{}999{}", &log[..at], &log[at + digits..]);
    let path = dir.path().join("newer.jsonl");
    std::fs::write(&path, newer).unwrap();
    let (code, stderr) = replay(&path);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is format 999") && stderr.contains("upgrade gossip-lab"), "{stderr}");
}

#[test]
fn an_incomplete_log_is_named_and_a_terminal_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let log = record(dir.path());
    // Without its summary line, and cut mid-line.
    let body: Vec<&str> = log.lines().filter(|l| !l.contains("\"kind\":\"summary\"")).collect();
    let path = dir.path().join("cut.jsonl");
    std::fs::write(&path, format!("{}\n{{\"t_ms\":12", body.join("\n"))).unwrap();
    let (code, stderr) = replay(&path);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is incomplete") && stderr.contains("cut mid-line"), "{stderr}");
    assert!(stderr.contains("stdout is not a terminal") && stderr.contains("gossip-lab report"), "{stderr}");
}
