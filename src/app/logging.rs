//! `tracing` output goes to a file, never to stdout: the dashboard owns the
//! terminal, and a headless run's stdout is its summary.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;

/// Sends `tracing` events to `path` (created or truncated). Without a path,
/// logging stays off.
pub fn init(path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let file = File::create(path).with_context(|| format!("creating log file {}", path.display()))?;
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    tracing::info!("gossip-lab {} logging to {}", env!("CARGO_PKG_VERSION"), path.display());
    Ok(())
}
