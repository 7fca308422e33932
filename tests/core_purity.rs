//! Guards on what the sans-IO core (`src/protocol/`) may use, checked by
//! reading its source: clippy's `disallowed-types` is crate-wide and cannot
//! be scoped to one module, and the rest of the crate may use std's hashing.
//!
//! The core must be deterministic given its inputs. std's `HashMap` and
//! `HashSet` are seeded from the OS, so iterating one (even by accident in a
//! later change) would make two runs of one seed diverge.

use std::path::{Path, PathBuf};

fn core_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/protocol is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/protocol"), &mut out);
    assert!(out.len() > 10, "found the core's files");
    out
}

/// Every line of the core (comments included: a doc example is code too)
/// that names one of `words` other than as the tail of an allowed name.
fn offending_lines(words: &[&str], allowed_prefixes: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in core_sources() {
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            for word in words {
                for (at, _) in line.match_indices(word) {
                    let before = &line[..at];
                    if !allowed_prefixes.iter().any(|p| before.ends_with(p)) {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_core_uses_no_os_seeded_hashing() {
    let found = offending_lines(&["HashMap", "HashSet", "RandomState", "DefaultHasher"], &["Fx"]);
    assert!(found.is_empty(), "std's OS-seeded hashing in the core (use rustc_hash or BTree):\n{}", found.join("\n"));
}

/// The core sizes its packets itself (`protocol::size`); the codec depends on
/// the core, never the reverse, so bincode stays out of the state machine.
#[test]
fn the_core_does_not_use_the_codec() {
    let found: Vec<String> = offending_lines(&["crate::wire", "wire::", "bincode"], &[])
        .into_iter()
        .filter(|l| !l.split_once(": ").is_some_and(|(_, code)| code.starts_with("//")))
        .collect();
    assert!(found.is_empty(), "the core uses the codec:\n{}", found.join("\n"));
}

/// The core takes `now` and its RNG's seed from its driver: a clock, a
/// socket, an async runtime or an OS-seeded RNG inside it would make a run
/// depend on the world, and the simulator's runs stop being reproducible.
#[test]
fn the_core_touches_no_clock_socket_runtime_or_os_randomness() {
    let words = [
        "tokio",
        "std::time::Instant",
        "Instant::now",
        "SystemTime",
        "UdpSocket",
        "std::net::Udp",
        "thread_rng",
        "rand::rng(",
        "from_entropy",
        "from_os_rng",
        "OsRng",
    ];
    let found: Vec<String> = offending_lines(&words, &[])
        .into_iter()
        .filter(|l| !l.split_once(": ").is_some_and(|(_, code)| code.starts_with("//")))
        .collect();
    assert!(found.is_empty(), "the core touches the world:\n{}", found.join("\n"));
}
