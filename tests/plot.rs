//! `gossip-lab plot` on simulated sessions: every chart is written, each a
//! well-formed SVG with its series labels and the fault windows named, and
//! a session without crashes or rumors still gets the whole set.

use std::path::{Path, PathBuf};

use gossip_lab::app::{RunOptions, plot, sim_run};
use gossip_lab::config::parse_profile;
use gossip_lab::plot::CHARTS;

/// A fast-preset profile with `timeline` (TOML `[[timeline]]` tables).
fn profile(name: &str, duration: &str, nodes: usize, timeline: &str) -> String {
    format!(
        "name = \"{name}\"\ndescription = \"test\"\nduration = \"{duration}\"\n\
         [cluster]\nnodes = {nodes}\nseed = 3\n[protocol]\npreset = \"fast\"\n{timeline}"
    )
}

/// A crash, a partition and a heal, a loss change and a rumor, in 30 s.
const BROKEN: &str = r#"
[[timeline]]
at = "4s"
action = "crash"
node = 3
[[timeline]]
at = "10s"
action = "partition"
groups = "halves"
[[timeline]]
at = "16s"
action = "heal"
[[timeline]]
at = "18s"
action = "set_loss"
loss = 0.1
[[timeline]]
at = "20s"
action = "rumor"
node = 0
"#;

/// Runs `profile` in the simulator, exporting into `dir`; the log's path.
fn session(profile: &str, dir: &Path) -> PathBuf {
    let config = parse_profile("test", profile).expect("a valid profile");
    let opts = RunOptions { export: Some(dir.to_path_buf()), sim: true, ..RunOptions::default() };
    sim_run::run(config, &opts).expect("simulated run");
    dir.join("session.jsonl")
}

/// A small well-formedness check: the root element is `<svg`, and every
/// tag is closed, in order.
fn check_svg(name: &str, text: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = text;
    let mut first = None;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').unwrap_or_else(|| panic!("{name}: an unclosed '<'")) + i;
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(closing.trim()), "{name}: </{closing}> closes the wrong element");
            continue;
        }
        let element = tag.split_whitespace().next().unwrap_or("");
        first.get_or_insert(element);
        if !tag.ends_with('/') {
            stack.push(element);
        }
    }
    assert_eq!(first, Some("svg"), "{name}: the root element is not <svg>");
    assert!(stack.is_empty(), "{name}: unclosed elements {stack:?}");
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn plot_writes_every_chart_as_a_valid_svg_with_its_labels_and_the_fault_windows() {
    let dir = tempfile::tempdir().unwrap();
    let log = session(&profile("plot-broken", "30s", 8, BROKEN), dir.path());
    let out = dir.path().join("charts");
    let written = plot::plot(&log, Some(&out)).expect("plot");
    let mut want: Vec<PathBuf> = CHARTS.iter().map(|c| out.join(c.file)).collect();
    want.push(out.join("index.html"));
    assert_eq!(written, want);
    let labels: [(&str, &[&str]); 6] = [
        ("agreement.svg", &["agreement", "accuracy"]),
        (
            "detection.svg",
            &[
                "first suspicion",
                "first death",
                "full detection",
                "model: expected first suspicion",
                "model: full-detection bound",
            ],
        ),
        ("rumors.svg", &["rumor at node 0, 20.0s", "model (Serf): N=7, loss 10%"]),
        (
            "traffic.svg",
            &["datagrams sent per second", "KiB sent per second", "dropped: partition", "dropped: node_down"],
        ),
        ("suspicions.svg", &["suspect marks held by up nodes", "node 0", "node 7"]),
        ("membership.svg", &["every up node", "none"]),
    ];
    for (file, labels) in labels {
        let svg = read(&out, file);
        check_svg(file, &svg);
        for label in labels {
            assert!(svg.contains(label), "{file} lacks the label {label:?}");
        }
        // Every chart shades and names the fault windows.
        for window in ["crash node 3", "partition halves", "loss 10%"] {
            if file != "rumors.svg" {
                assert!(svg.contains(window), "{file} does not name the window {window:?}");
            }
        }
        assert!(svg.contains("faults:"), "{file} has no fault key");
    }
    // The rumor chart shades what was in force while the rumor spread.
    assert!(read(&out, "rumors.svg").contains("loss 10%"));
    // The heat map has cells: the crashed node's row turns red.
    let heat = read(&out, "membership.svg");
    let cells = |fill: &str| heat.matches(&format!("fill=\"{fill}\"")).count();
    assert!(cells("#1A9850") > 8, "few green (alive) cells");
    assert!(cells("#D73027") >= 1, "no red (held alive by none) cell for the crashed node");
    let index = read(&out, "index.html");
    for c in &CHARTS {
        assert!(index.contains(&format!("<img src=\"{}\"", c.file)), "index.html lacks {}", c.file);
    }
    assert!(index.contains("plot-broken"), "index.html lacks the report's text");
}

#[test]
fn a_session_without_crashes_or_rumors_still_gets_every_chart_by_default_beside_the_log() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing happens.
    let log = session(&profile("plot-quiet", "8s", 4, ""), dir.path());
    let written = plot::plot(&log, None).expect("plot");
    let out = dir.path().join("plots");
    assert_eq!(written.len(), CHARTS.len() + 1);
    for c in &CHARTS {
        check_svg(c.file, &read(&out, c.file));
    }
    assert!(read(&out, "detection.svg").contains("no crash in this session"));
    assert!(read(&out, "rumors.svg").contains("no rumor in this session"));
    assert!(read(&out, "traffic.svg").contains("no datagram dropped in this session"));
    assert!(!read(&out, "agreement.svg").contains("faults:"), "no fault, no fault key");
}

#[test]
fn an_unreadable_log_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.jsonl");
    std::fs::write(&path, "not json\n").unwrap();
    let e = plot::plot(&path, None).unwrap_err();
    assert!(format!("{e:#}").contains("is not a gossip-lab session header"), "{e:#}");
    assert!(!dir.path().join("plots").exists(), "nothing written for a bad log");
}

#[test]
fn the_svg_check_catches_a_broken_document() {
    let bad = std::panic::catch_unwind(|| check_svg("x", "<svg><g></svg>"));
    assert!(bad.is_err());
    let bad = std::panic::catch_unwind(|| check_svg("x", "<html></html>"));
    assert!(bad.is_err());
    check_svg("x", "<?xml version=\"1.0\"?><svg a=\"1\"><rect/><text>t</text></svg>");
}

#[test]
fn a_comparison_directory_gets_each_sides_charts_and_one_chart_of_both() {
    let dir = tempfile::tempdir().unwrap();
    let lifeguard = profile("cmp", "30s", 8, BROKEN);
    let plain = lifeguard.replace("preset = \"fast\"", "preset = \"fast\"\nlifeguard = false");
    session(&lifeguard, &dir.path().join("a"));
    session(&plain, &dir.path().join("b"));
    let written = plot::plot(dir.path(), None).expect("plots");
    let out = dir.path().join("plots");
    for side in ["a", "b"] {
        for chart in &CHARTS {
            assert!(written.contains(&out.join(side).join(chart.file)), "{side}/{} missing: {written:?}", chart.file);
        }
    }
    let svg = read(&out, "compare.svg");
    check_svg("compare.svg", &svg);
    // Each side is named by its protocol, in every panel's legend.
    assert!(svg.contains("A: fast preset, Lifeguard on"), "{svg}");
    assert!(svg.contains("B: fast preset, Lifeguard off (plain SWIM)"), "{svg}");
    for title in ["Agreement", "Suspect marks held", "Bytes sent per node"] {
        assert!(svg.contains(title), "{title} missing");
    }
}
