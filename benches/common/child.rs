//! Running one benchmark configuration in a child process (shared by the
//! benches that isolate configurations: `sim` and `runtime`).
//!
//! A configuration runs in its own process so that its CPU time and peak
//! RSS are its own. The child prints a `RESULT {json}` line on stdout; the
//! parent waits up to a limit and kills it past that.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the current executable with `var=spec` in its environment, waits
/// at most `limit`, and returns its `RESULT` line read as a `T`.
pub fn run<T: serde::de::DeserializeOwned>(var: &str, spec: &str, limit: Duration) -> Result<T, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut child = Command::new(exe)
        .env(var, spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    // Read stdout on a thread, so a chatty child never blocks on a full pipe
    // while the parent is waiting for it to exit.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("killed after {} s", limit.as_secs()));
        }
        // Polling the child's exit with a deadline; nothing to wake us sooner.
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("child exited with {status}"));
    }
    let line = out.lines().find_map(|l| l.strip_prefix("RESULT ")).ok_or("no RESULT line")?;
    serde_json::from_str(line).map_err(|e| format!("bad RESULT line: {e}"))
}
