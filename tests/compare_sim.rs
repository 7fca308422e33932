//! Comparisons in the simulator: two clusters of one scenario in
//! lockstep, the same seed driving both sides' fault decisions, the
//! shipped profiles' predicted directions, and directions that fail.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use gossip_lab::app::{RunOptions, compare};
use gossip_lab::cli::build_config;
use gossip_lab::config::{LabConfig, Overrides, load_profile, parse_profile, with_sides};
use gossip_lab::observe::comparison::Comparison;
use gossip_lab::scenario::Figure;

fn sim(config: &LabConfig, dir: Option<&Path>) -> Comparison {
    let opts = RunOptions { export: dir.map(Path::to_path_buf), sim: true, ..RunOptions::default() };
    compare::sim(config, &opts, &AtomicBool::new(false)).expect("simulated comparison")
}

fn embedded(name: &str) -> LabConfig {
    build_config(name, &Overrides::default()).expect("embedded profile")
}

fn read(dir: &Path, side: &str) -> Vec<u8> {
    std::fs::read(dir.join(side).join("session.jsonl")).unwrap()
}

#[test]
fn a_simulated_comparison_is_byte_identical_for_the_same_seed() {
    let (x, y) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = embedded("swim-vs-phi");
    let first = sim(&config, Some(x.path()));
    let second = sim(&config, Some(y.path()));
    for side in ["a", "b"] {
        assert!(read(x.path(), side).len() > 10_000, "side {side} recorded its session");
        assert_eq!(read(x.path(), side), read(y.path(), side), "side {side}: same seed, same bytes");
    }
    assert_eq!(serde_json::to_string(&first).unwrap(), serde_json::to_string(&second).unwrap());
    // A different seed is a different run, so the check above can fail.
    let other = sim(&config.clone().apply(&Overrides { seed: Some(8), ..Overrides::default() }).unwrap(), None);
    assert_ne!(serde_json::to_string(&first.a).unwrap(), serde_json::to_string(&other.a).unwrap());
}

#[test]
fn two_sides_with_the_same_protocol_see_the_same_faults_and_tell_the_same_story() {
    // Only the names differ, so every fault decision, pick and protocol
    // choice must match: the sessions differ in the header alone.
    let (source, text) = load_profile("lossy").unwrap();
    let config = with_sides(&source, &text, "swim:fast", "swim:fast,retransmit_mult=4").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = sim(&config, Some(dir.path()));
    let lines = |side| String::from_utf8(read(dir.path(), side)).unwrap();
    let (a, b) = (lines("a"), lines("b"));
    let body =
        |s: &str| s.lines().skip(1).filter(|l| !l.contains("\"summary\"")).map(str::to_owned).collect::<Vec<_>>();
    let lost = c.a.traffic.dropped_by_reason.get("loss").copied().unwrap_or(0);
    assert!(lost > 100, "the lossy network dropped datagrams: {lost}");
    assert_eq!(body(&a), body(&b), "the same seed gives both sides the same losses");
    for row in &c.figures {
        assert_eq!(row.a, row.b, "{:?}", row.figure);
    }
}

#[test]
fn the_shipped_comparisons_show_the_directions_the_literature_predicts() {
    for name in ["swim-vs-phi", "lifeguard-vs-swim", "phi-thresholds"] {
        let c = sim(&embedded(name), None);
        assert!(c.passed, "{name}:\n{}", c.render_text());
        assert!(!c.checks.is_empty(), "{name} predicts something");
    }
}

#[test]
fn a_wrong_prediction_fails_and_says_which() {
    let (source, text) = load_profile("swim-vs-phi").unwrap();
    // Heartbeat gossip sends every member's digest each round: it cannot
    // send fewer bytes than SWIM here.
    let wrong = text.replace("fewer_bytes = \"a\"", "fewer_bytes = \"b\"");
    assert_ne!(wrong, text);
    let c = sim(&parse_profile(&source, &wrong).unwrap(), None);
    assert!(!c.passed);
    let failed: Vec<&str> = c.checks.iter().filter(|k| !k.ok).map(|k| k.name.as_str()).collect();
    assert_eq!(failed, ["fewer_bytes"]);
    let bytes = c.figures.iter().find(|r| r.figure == Figure::Bytes).unwrap();
    assert!(bytes.ratio.unwrap() > 1.0, "B (phi) sends more bytes: {bytes:?}");
    assert!(c.render_text().contains("FAIL   fewer_bytes"), "{}", c.render_text());
}

#[test]
fn a_phi_side_states_its_theory_at_the_baseline_and_at_the_worst_loss_the_run_had() {
    let c = sim(&embedded("swim-vs-phi"), None);
    assert!(c.a.phi_theory.is_none(), "SWIM has its own theory lines");
    let t = c.b.phi_theory.as_ref().expect("phi's theory");
    assert_eq!((t.phi_convict, t.worst_loss), (8.0, 0.10), "the profile's set_loss step is the worst");
    assert!(t.worst_false_convictions_per_s > t.false_convictions_per_s, "{t:?}");
    assert!(c.b.render_text().contains("φ 8.0 convicts"), "{}", c.b.render_text());
    assert!(c.render_text().contains("theory: false convictions /s"), "{}", c.render_text());
}

#[test]
fn report_on_a_comparisons_directory_judges_the_saved_sessions_again() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gossip-lab");
    let run = std::process::Command::new(bin)
        .args(["run", "swim-vs-phi", "--sim", "--json", "--export"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let live: Comparison = serde_json::from_slice(&run.stdout).unwrap();
    let saved: Comparison =
        serde_json::from_slice(&std::fs::read(dir.path().join("comparison.json")).unwrap()).unwrap();
    assert_eq!(saved, live);
    let report = std::process::Command::new(bin).arg("report").arg(dir.path()).arg("--json").output().unwrap();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let told: Comparison = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(told.figures, live.figures, "the logs fold to the same figures");
    assert_eq!(told.checks, live.checks, "and the same predicted directions hold");
    assert_eq!(told.names, live.names);
}
