//! The real binary, stopped by signals mid-run: SIGTERM, SIGINT and SIGHUP
//! finish the session (summary line last, summary.json written) and exit
//! 143, 130 and 129; SIGKILL leaves a log of whole lines. Each case waits
//! for conditions with generous deadlines, so a loaded machine only slows
//! it down.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gossip-lab");
/// Far beyond what a start-up or a stop takes on an idle machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// A small, short-stepped profile whose run lasts far longer than any test
/// waits: a signal always lands mid-run.
const PROFILE: &str = "name = \"signal-test\"\nduration = \"5m\"\n[cluster]\nnodes = 8\nseed = 5\n\
[protocol]\npreset = \"fast\"\n[[timeline]]\nat = \"1s\"\naction = \"partition\"\ngroups = \"halves\"\n\
for = \"1s\"\n[expect]\nconverged_within = \"15s\"\nfalse_positives = 0\n";

struct Run {
    child: Child,
    dir: tempfile::TempDir,
}

impl Run {
    fn start(extra: &[&str]) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("signal-test.toml");
        std::fs::write(&profile, PROFILE).unwrap();
        let export = dir.path().join("export");
        let child = Command::new(BIN)
            .arg("run")
            .arg(&profile)
            .arg("--export")
            .arg(&export)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("stdout")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .expect("the release binary starts");
        Run { child, dir }
    }

    fn export(&self) -> PathBuf {
        self.dir.path().join("export")
    }

    fn session(&self) -> PathBuf {
        self.export().join("session.jsonl")
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }

    /// Polls until the session log holds a line of `kind`.
    fn wait_for_line(&mut self, kind: &str) {
        let deadline = Instant::now() + PATIENCE;
        let needle = format!("\"kind\":\"{kind}\"");
        loop {
            if std::fs::read_to_string(self.session()).is_ok_and(|t| t.contains(&needle)) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("exited ({status}) before a {kind} line was logged: {}", self.stderr());
            }
            assert!(Instant::now() < deadline, "waited {PATIENCE:?} for a {kind} line");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(sent.success(), "kill -{name} failed");
    }

    /// Polls for the exit, with a deadline.
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("still running {PATIENCE:?} after the signal: {}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Every line of `path`, parsed; fails on a missing final newline or a
/// line that is not JSON.
fn whole_lines(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.ends_with('\n'), "{} ends mid-line: {:?}", path.display(), &text[text.len().saturating_sub(80)..]);
    text.lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}: {l}", path.display(), i + 1)))
        .collect()
}

/// Stops a run with `signal` once it has logged a metrics record, and
/// checks the exit code and the finished session.
fn stopped_by(signal: &str, code: i32, extra: &[&str]) {
    let mut run = Run::start(extra);
    run.wait_for_line("metrics");
    run.signal(signal);
    let status = run.wait_exit();
    assert_eq!(status.code(), Some(code), "{status}: {}", run.stderr());
    assert!(run.stderr().contains(&format!("stopped by SIG{signal}")), "{}", run.stderr());
    let lines = whole_lines(&run.session());
    assert_eq!(lines[0]["kind"], "session");
    let last = lines.last().unwrap();
    assert_eq!(last["kind"], "summary", "the summary line is last");
    assert!(last["cut"]["planned_s"].as_f64() == Some(300.0), "a summary of a run stopped early: {last}");
    assert_eq!(last["passed"], false);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.export().join("summary.json")).unwrap()).unwrap();
    assert_eq!(saved["duration_s"], last["duration_s"], "summary.json is the summary line");
    let csv = std::fs::read_to_string(run.export().join("metrics.csv")).unwrap();
    assert!(csv.ends_with('\n') && csv.lines().count() > 1, "metrics.csv has whole rows");

    // report agrees: a whole log of a run cut short, which does not pass.
    let report = Command::new(BIN).arg("report").arg(run.session()).arg("--json").output().unwrap();
    assert_eq!(report.status.code(), Some(1), "{}", String::from_utf8_lossy(&report.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(summary["log"]["complete"], true);
    assert_eq!(summary["cut"], last["cut"]);
}

#[test]
fn sigterm_finishes_the_session_and_exits_143() {
    stopped_by("TERM", 143, &[]);
}

#[test]
fn sigint_finishes_the_session_and_exits_130() {
    stopped_by("INT", 130, &[]);
}

#[test]
fn sighup_finishes_the_session_and_exits_129() {
    stopped_by("HUP", 129, &[]);
}

#[test]
fn sigterm_stops_a_simulated_run_at_its_virtual_time() {
    // 64 nodes for 10 virtual hours: minutes of work, so the signal lands
    // mid-run; the simulator streams its log, so metrics lines come early.
    let mut run = Run::start(&["--sim", "--nodes", "64", "--duration", "10h"]);
    run.wait_for_line("metrics");
    run.signal("TERM");
    let status = run.wait_exit();
    assert_eq!(status.code(), Some(143), "{status}: {}", run.stderr());
    let lines = whole_lines(&run.session());
    let last = lines.last().unwrap();
    assert_eq!(last["kind"], "summary");
    assert_eq!(last["cut"]["planned_s"].as_f64(), Some(36_000.0), "{last}");
    assert!(run.export().join("summary.json").exists());
}

#[test]
fn sigkill_leaves_only_whole_lines() {
    let mut run = Run::start(&[]);
    // The partition at 1 s and the heal at 2 s write bursts of lines; kill
    // while they are being written.
    run.wait_for_line("fault");
    run.signal("KILL");
    let status = run.wait_exit();
    assert_eq!(status.signal(), Some(9), "{status}");
    let lines = whole_lines(&run.session());
    assert!(lines.len() > 1 && lines.iter().all(|l| l["kind"] != "summary"), "killed before its summary");
    let csv = std::fs::read_to_string(run.export().join("metrics.csv")).unwrap();
    assert!(csv.is_empty() || csv.ends_with('\n'), "metrics.csv ends on a whole row");

    let report = Command::new(BIN).arg("report").arg(run.session()).output().unwrap();
    assert_eq!(report.status.code(), Some(1), "an incomplete log fails");
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert!(stderr.contains("is incomplete: it has no summary line and ends at"), "{stderr}");
}
